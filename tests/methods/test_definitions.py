"""The method definition files: every file loads, and broken copies fail naming file and field."""

from pathlib import Path

import pytest

from kring.methods.catalogue import (
    DEFINITIONS_DIR,
    MethodDefinitionError,
    check_definitions,
    load_all,
    with_duration_overrides,
)
from kring.methods.schema import DEFAULT_DURATION, ConsentPurposeCode, LegalContextCode, ReferralRouteCode

EXPECTED = {
    "ekc",
    "fnb",
    "signs_of_safety",
    "ptp",
    "columbus",
    "hergo",
    "netwerk_leerrecht",
    "regular_care",
    "family_finding",
    "nvr",
}


@pytest.fixture(scope="module")
def methods():
    return load_all()


def test_every_file_loads(methods):
    assert set(methods) == EXPECTED
    assert check_definitions() == []


def test_codes_and_versions(methods):
    assert len({m.code for m in methods.values()}) == len(methods)
    for m in methods.values():
        assert m.version


def test_phases_unique_and_durations(methods):
    for m in methods.values():
        codes = [p.code for p in m.phases]
        assert len(codes) == len(set(codes)), m.code
        for p in m.phases:
            assert p.max_weeks is None or p.default_weeks <= p.max_weeks


def test_sources_referenced_exist(methods):
    for m in methods.values():
        ids = {s.id for s in m.sources}
        for p in m.phases:
            assert p.duration_source == DEFAULT_DURATION or p.duration_source in ids
        for c in m.contra_indications:
            assert c.source in ids


def test_enum_lists_match_case_choices():
    from typing import get_args

    from kring.cases.choices import ConsentPurpose, LegalContext, ReferralRoute

    assert set(get_args(ReferralRouteCode)) == set(ReferralRoute.values)
    assert set(get_args(LegalContextCode)) == set(LegalContext.values)
    assert set(get_args(ConsentPurposeCode)) == set(ConsentPurpose.values)


def test_every_method_that_meets_the_network_names_the_consents_it_needs(methods):
    # A method that invites the network needs the family's consent to contact it; one that shares what the
    # professionals know with the network (an information round, a safety network) needs that consent too.
    for code, method in methods.items():
        if code == "regular_care":
            assert method.consents == []
            continue
        assert "contact_network" in method.consents, code
    for code in ("fnb", "ekc", "signs_of_safety", "hergo"):
        assert {"share_with_network", "share_with_professionals"} <= set(methods[code].consents), code
    assert "research" not in {purpose for m in methods.values() for purpose in m.consents}


def test_variants(methods):
    assert {v.code for v in methods["fnb"].variants} == {"sonestra"}
    assert {v.code for v in methods["signs_of_safety"].variants} == {"signs_of_wellbeing"}
    assert {v.code for v in methods["ptp"].variants} == {"path", "maps"}
    assert {v.code for v in methods["hergo"].variants} == {"school", "justice"}


def test_continua_follow_the_seed(methods):
    # seed003 section 4.1.4, continuum A (regie): "PTP - EKC / FNB / Hergo ---- leerrecht ---- Columbus/SOS"
    lead = {code: m.continua.family_lead for code, m in methods.items()}
    assert lead["ptp"] >= lead["ekc"] >= 0.85
    assert lead["ekc"] > lead["netwerk_leerrecht"] > lead["signs_of_safety"]
    assert lead["signs_of_safety"] <= 0.25 and lead["columbus"] <= 0.25
    # continuum B (network): "PTP ---- EKC - FNB ---- Hergo -- Leerrecht ---- Columbus / SOS"
    breadth = {code: m.continua.network_breadth for code, m in methods.items()}
    assert breadth["ptp"] > breadth["ekc"] >= breadth["fnb"] > breadth["hergo"] >= breadth["netwerk_leerrecht"]
    assert breadth["netwerk_leerrecht"] > breadth["signs_of_safety"]


def test_duration_override(methods):
    changed = with_duration_overrides(methods["fnb"], {"preparation": {"default_weeks": 6}})
    assert changed.phase("preparation").default_weeks == 6
    with pytest.raises(MethodDefinitionError, match=r"phases\.0\.default_weeks"):
        with_duration_overrides(methods["fnb"], {"preparation": {"default_weeks": 12}})


def _broken(tmp_path: Path, name: str, old: str, new: str, count: int = 1) -> Path:
    directory = tmp_path / "defs"
    directory.mkdir()
    text = (DEFINITIONS_DIR / name).read_text(encoding="utf-8")
    assert old in text
    (directory / name).write_text(text.replace(old, new, count), encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    "name, old, new, expected",
    [
        ("fnb.toml", 'version = "2026.1"\n', "", "fnb.toml: version: required field is missing"),
        ("ekc.toml", "volunteer_allowed = true", 'volunteer_allowed = "sometimes"', "ekc.toml: volunteer_allowed:"),
        (
            "fnb.toml",
            "default_weeks = 8\nmax_weeks = 8",
            "default_weeks = 12\nmax_weeks = 8",
            "fnb.toml: phases.0.default_weeks: must be at most max_weeks",
        ),
        ("ptp.toml", 'leader = "facilitator"', 'leader = "guru"', "ptp.toml: leader:"),
        ("hergo.toml", 'severity = "exclude"', 'severity = "maybe"', "hergo.toml: contra_indications.0.severity:"),
        (
            "columbus.toml",
            'duration_source = "default"',
            'duration_source = "nowhere"',
            "columbus.toml: phases.0.duration_source: unknown source id 'nowhere'",
        ),
        ("nvr.toml", 'code = "nvr"', 'code = "geweldloos"', "nvr.toml: code: must equal the file name 'nvr'"),
        ("ekc.toml", 'code = "ekc"', 'code = "ekc', "ekc.toml: (syntax): not valid TOML"),
        ("fnb.toml", 'consents = ["contact_network"', 'consents = ["gossip"', "fnb.toml: consents.0:"),
    ],
)
def test_broken_file_names_file_and_field(tmp_path, name, old, new, expected):
    directory = _broken(tmp_path, name, old, new)
    with pytest.raises(MethodDefinitionError) as caught:
        load_all(directory)
    assert str(caught.value).startswith(expected), str(caught.value)
    assert check_definitions(directory)[0].startswith(expected)


def test_duplicate_phase_code(tmp_path):
    directory = _broken(tmp_path, "fnb.toml", 'code = "meeting"', 'code = "preparation"')
    with pytest.raises(MethodDefinitionError, match=r"^fnb\.toml: phases\.1\.code: duplicate"):
        load_all(directory)
