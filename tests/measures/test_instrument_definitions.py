"""The shipped instrument definition files: every file loads, and each says what the issue and its sources say."""

from typing import get_args

import pytest

from kring.measures import instrument_catalogue as catalogue
from kring.measures.instrument_catalogue import SHIPPED_DIR, check_definitions, load_all
from kring.measures.instrument_schema import ENTRY_MODES, RESPONDENTS, EntryModeCode, RespondentCode

EXPECTED = {"sos_safety_scale", "kring_satisfaction", "fes", "ssl_i_12", "zrm", "goal_attainment"}


@pytest.fixture(scope="module")
def instruments():
    return load_all(SHIPPED_DIR)


def test_every_shipped_file_loads(instruments):
    assert set(instruments) == EXPECTED
    assert check_definitions(SHIPPED_DIR) == []


def test_value_lists_match_their_tuples():
    assert set(get_args(RespondentCode)) == set(RESPONDENTS)
    assert set(get_args(EntryModeCode)) == set(ENTRY_MODES)


def test_licence_rules_hold_in_every_file(instruments):
    for definition in instruments.values():
        texts = [item.text for item in definition.items]
        if definition.licence.kind == "licence_required":
            assert all(text is None for text in texts), definition.code
            assert "link" not in definition.entry_modes, definition.code
            assert not definition.shows_item_text
        else:
            assert all(text is not None for text in texts), definition.code
            assert definition.shows_item_text
        assert definition.licence.note.nl and definition.licence.note.en


def test_no_norms_are_shipped_without_a_published_source(instruments):
    # None of the shipped instruments has a public cut-off for the scores Kring computes; the SSL-D short-form
    # cut-off in the reference belongs to another list (the SSL-D), not to the SSL-I-12.
    assert all(not score.norms for d in instruments.values() for score in d.scores)


def test_sos_safety_scale(instruments):
    sos = instruments["sos_safety_scale"]
    assert sos.licence.kind == "open"
    assert "registered mark" in sos.licence.note.en
    assert set(sos.respondents) == {"parent", "child", "youth", "network_member", "professional"}
    (item,) = sos.items
    scale = sos.scale_of(item)
    assert (scale.min, scale.max) == (0, 10)
    assert {label.value for label in scale.labels} == {0, 10}
    assert sos.score("score").higher_is_better is True
    assert sos.score_range("score") == (0, 10)


def test_kring_satisfaction(instruments):
    sat = instruments["kring_satisfaction"]
    assert sat.licence.kind == "own"
    assert set(sat.respondents) == {"parent", "youth", "network_member"} and sat.min_respondent_age == 12
    experience = sat.score_items("experience")
    assert len(experience) == 8
    assert {sat.scale_of(item).max for item in experience} == {5}
    assert sum(item.reverse for item in experience) >= 1
    assert "useful" in {item.code for item in experience}  # the harmonised indicator 2
    rule = sat.score("experience").missing
    assert (rule.max_missing, rule.impute) == (2, "prorate")
    assert [item.code for item in sat.score_items("mark")] == ["mark"]
    assert sat.score_range("mark") == (1, 10)
    assert "link" in sat.entry_modes


def test_fes_has_34_items_and_no_guessed_subscale_key(instruments):
    fes = instruments["fes"]
    assert fes.licence.kind == "licence_required"
    assert len(fes.items) == 34
    assert all(item.subscales == [] and item.text is None and item.label is None for item in fes.items)
    assert fes.score_range("total") == (34, 170)
    for code in ("family", "service_system", "community_political"):
        assert fes.score(code).items == "none"  # entered as totals only
    assert "totals" in fes.entry_modes
    assert "public source" in fes.licence.note.en


def test_ssl_i_12(instruments):
    ssl = instruments["ssl_i_12"]
    assert ssl.licence.kind == "licence_required"
    assert len(ssl.items) == 12
    assert {(ssl.scale_of(i).min, ssl.scale_of(i).max) for i in ssl.items} == {(1, 4)}
    assert ssl.score_range("total") == (12, 48)
    for code in ("everyday", "problem", "esteem"):
        assert ssl.score(code).items == "none"
        assert ssl.score_range(code) == (4, 16)


def test_zrm(instruments):
    zrm = instruments["zrm"]
    assert zrm.licence.kind == "licence_required" and zrm.licence.labels_source
    assert zrm.rated_by_professional and zrm.respondents == ["professional"]
    assert [item.label.nl for item in zrm.items] == [
        "Financiën",
        "Werk & opleiding",
        "Tijdsbesteding",
        "Huisvesting",
        "Huiselijke relaties",
        "Geestelijke gezondheid",
        "Lichamelijke gezondheid",
        "Middelengebruik",
        "Basale ADL",
        "Instrumentele ADL",
        "Sociaal netwerk",
        "Maatschappelijke participatie",
        "Justitie",
    ]
    scale = zrm.scale_of(zrm.items[0])
    assert [label.label.nl for label in scale.labels] == [
        "Acute problematiek",
        "Niet zelfredzaam",
        "Beperkt zelfredzaam",
        "Voldoende zelfredzaam",
        "Volledig zelfredzaam",
    ]
    assert zrm.score_range("sum") == (13, 65) and zrm.score_range("mean") == (1, 5)
    assert zrm.score("sum").missing.max_missing == 0 and zrm.score("mean").missing.max_missing == 0


def test_goal_attainment(instruments):
    goals = instruments["goal_attainment"]
    assert len(goals.items) == 5
    assert {(goals.scale_of(i).min, goals.scale_of(i).max) for i in goals.items} == {(0, 2)}
    assert goals.score("fully_realised").method == "share" and goals.score("fully_realised").threshold == 2
    assert goals.score_range("fully_realised") == (0, 1)


def test_catalogue_reads_once_and_follows_the_environment(tmp_path, monkeypatch):
    catalogue.clear_cache()
    first = catalogue.load_all()
    assert set(first) == EXPECTED
    assert catalogue._cached.cache_info().currsize == 1
    catalogue.load_all()
    assert catalogue._cached.cache_info().hits >= 1

    directory = tmp_path / "own"
    directory.mkdir()
    (directory / "sos_safety_scale.toml").write_bytes((SHIPPED_DIR / "sos_safety_scale.toml").read_bytes())
    monkeypatch.setenv(catalogue.ENV_VAR, str(directory))
    assert catalogue.definitions_dir() == directory
    assert set(catalogue.load_all()) == {"sos_safety_scale"}
    assert catalogue.get("fes") is None
    assert catalogue.check_definitions() == []
    catalogue.clear_cache()


def test_an_empty_directory_is_a_problem(tmp_path):
    assert check_definitions(tmp_path) == [f"{tmp_path}: (directory): holds no instrument definition files"]
    with pytest.raises(catalogue.InstrumentDefinitionError, match="holds no instrument definition files"):
        load_all(tmp_path)


def test_the_instrument_core_imports_without_django():
    import subprocess
    import sys

    code = (
        "import sys; import kring.measures.instrument_catalogue, kring.measures.scoring; "
        "kring.measures.instrument_catalogue.load_all(); assert 'django' not in sys.modules, 'django imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(SHIPPED_DIR.parents[2])},
    )
    assert result.returncode == 0, result.stderr
