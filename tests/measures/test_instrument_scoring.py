"""The scoring core: item scores and totals in, plain JSON-serialisable scores out, under each instrument's rules."""

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kring.measures.instrument_catalogue import SHIPPED_DIR, load_all, load_file
from kring.measures.instrument_schema import ResponseScale
from kring.measures.scoring import (
    ScoringError,
    dictionary_entries,
    possible_range,
    reverse_value,
    score_items,
    score_totals,
)


@pytest.fixture(scope="module")
def instruments():
    return load_all(SHIPPED_DIR)


def _satisfaction(**answers):
    base = dict(
        useful=4,
        heard=4,
        talked_about=2,
        family_lead=4,
        professionals_decided=2,
        coordinator=4,
        own_plan=4,
        recommend=4,
        mark=8,
    )
    base.update(answers)
    return base


# ---- items ------------------------------------------------------------------------------------------------------
def test_reverse_scored_items_count_from_the_other_end(instruments):
    sat = instruments["kring_satisfaction"]
    result = score_items(sat, _satisfaction(talked_about=1, professionals_decided=5))
    assert result.item_scores["talked_about"] == 5 and result.item_scores["professionals_decided"] == 1
    # 4 * 6 plain items + 5 + 1 reversed = 30 over 8 items
    assert result.score("experience").value == pytest.approx(30 / 8)
    assert result.score("mark").value == 8


def test_all_answered_no_prorating(instruments):
    result = score_items(instruments["kring_satisfaction"], _satisfaction())
    experience = result.score("experience")
    assert (experience.answered, experience.missing, experience.prorated, experience.computable) == (8, 0, False, True)
    assert experience.value == pytest.approx(4.0)


def test_mean_with_allowed_missing_is_the_mean_of_the_answered_items(instruments):
    result = score_items(instruments["kring_satisfaction"], _satisfaction(useful=None, recommend=None, heard=2))
    experience = result.score("experience")
    assert (experience.answered, experience.missing, experience.prorated) == (6, 2, True)
    assert experience.value == pytest.approx((2 + 4 + 4 + 4 + 4 + 4) / 6)


def test_too_many_missing_is_not_computable_and_says_why(instruments):
    answers = _satisfaction(useful=None, recommend=None)
    del answers["heard"]  # an absent item counts as unanswered, like None
    experience = score_items(instruments["kring_satisfaction"], answers).score("experience")
    assert experience.computable is False and experience.value is None
    assert experience.reason == "too_many_missing"
    assert experience.reason_params == {"missing": 3, "allowed": 2}


def test_a_sum_is_prorated_from_the_mean_of_the_answered_items(tmp_path):
    definition = _demo(tmp_path)  # two items on 1-4, b reversed, one missing allowed with prorating
    full = score_items(definition, {"a": 3, "b": 1})
    assert full.score("total").value == 3 + 4 and full.score("total").prorated is False
    half = score_items(definition, {"a": 3})
    assert half.score("total").value == pytest.approx(6.0) and half.score("total").prorated is True
    assert score_items(definition, {}).score("total").reason == "too_many_missing"


def test_all_items_required_for_zrm_and_fes(instruments):
    zrm = instruments["zrm"]
    answers = {item.code: 3 for item in zrm.items}
    result = score_items(zrm, answers)
    assert result.score("sum").value == 39 and result.score("mean").value == pytest.approx(3.0)
    answers["justice"] = None
    assert score_items(zrm, answers).score("sum").reason == "too_many_missing"
    fes = instruments["fes"]
    result = score_items(fes, {item.code: 4 for item in fes.items})
    assert result.score("total").value == 136
    assert result.score("family").computable is False and result.score("family").reason == "totals_only"


def test_goal_attainment_shares(instruments):
    goals = instruments["goal_attainment"]
    result = score_items(goals, {"goal_1": 2, "goal_2": 1, "goal_3": 0, "goal_4": 2})
    assert result.score("fully_realised").value == pytest.approx(0.5)
    assert result.score("realised").value == pytest.approx(0.75)
    assert result.score("fully_realised").missing == 1
    assert score_items(goals, {}).score("fully_realised").reason == "too_many_missing"


def test_safety_scale_single_item(instruments):
    sos = instruments["sos_safety_scale"]
    assert score_items(sos, {"safety": 0}).score("score").value == 0
    assert score_items(sos, {"safety": 10}).score("score").value == 10


@pytest.mark.parametrize(
    "answers, code, params",
    [
        ({"safety": 11}, "out_of_range", {"item": "safety", "value": 11, "min": 0, "max": 10, "step": 1}),
        ({"safety": -1}, "out_of_range", {"item": "safety", "value": -1, "min": 0, "max": 10, "step": 1}),
        ({"safety": 7.5}, "not_an_integer", {"item": "safety", "value": 7.5}),
        ({"safety": "7"}, "not_an_integer", {"item": "safety", "value": "7"}),
        ({"safety": True}, "not_an_integer", {"item": "safety", "value": True}),
        ({"safty": 7}, "unknown_item", {"item": "safty"}),
    ],
)
def test_refused_item_values(instruments, answers, code, params):
    with pytest.raises(ScoringError) as caught:
        score_items(instruments["sos_safety_scale"], answers)
    assert caught.value.code == code and caught.value.params == params


def test_numpy_integers_are_accepted(instruments):
    numpy = pytest.importorskip("numpy")
    result = score_items(instruments["sos_safety_scale"], {"safety": numpy.int64(7)})
    assert result.score("score").value == 7 and type(result.score("score").value) is int
    assert score_totals(instruments["fes"], {"total": numpy.int64(100)}).values()["total"] == 100


def test_totals_are_refused_where_the_instrument_has_no_totals_mode(instruments):
    with pytest.raises(ScoringError) as caught:
        score_totals(instruments["sos_safety_scale"], {"score": 5})
    assert caught.value.code == "entry_mode_not_allowed"


# ---- totals -----------------------------------------------------------------------------------------------------
def test_totals_entry_checks_the_possible_range(instruments):
    fes = instruments["fes"]
    result = score_totals(fes, {"total": 120, "family": 3.5})
    assert result.mode == "totals"
    assert result.values() == {"total": 120, "family": 3.5, "service_system": None, "community_political": None}
    assert result.score("service_system").reason == "not_entered"
    for totals, code, params in [
        ({"total": 171}, "out_of_range", {"score": "total", "value": 171, "min": 34, "max": 170}),
        ({"total": 33}, "out_of_range", {"score": "total", "value": 33, "min": 34, "max": 170}),
        ({"family": 48}, "out_of_range", {"score": "family", "value": 48, "min": 1, "max": 5}),  # a sum, not a mean
        ({"total": 120.5}, "not_an_integer", {"score": "total", "value": 120.5}),
        ({"total": "120"}, "not_a_number", {"score": "total", "value": "120"}),
        ({"total": math.inf}, "not_a_number", {"score": "total", "value": math.inf}),
        ({"grand_total": 100}, "unknown_score", {"score": "grand_total"}),
    ]:
        with pytest.raises(ScoringError) as caught:
            score_totals(fes, totals)
        assert (caught.value.code, caught.value.params) == (code, params)


def test_ssl_subscale_totals(instruments):
    ssl = instruments["ssl_i_12"]
    result = score_totals(ssl, {"total": 30, "everyday": 10, "problem": 9, "esteem": 11})
    assert result.values() == {"total": 30, "everyday": 10, "problem": 9, "esteem": 11}
    with pytest.raises(ScoringError) as caught:
        score_totals(ssl, {"esteem": 17})
    assert caught.value.params == {"score": "esteem", "value": 17, "min": 4, "max": 16}


def test_possible_range(instruments):
    assert possible_range(instruments["fes"], "total") == (34, 170)
    assert possible_range(instruments["ssl_i_12"], "total") == (12, 48)
    assert possible_range(instruments["goal_attainment"], "realised") == (0, 1)
    with pytest.raises(ScoringError) as caught:
        possible_range(instruments["fes"], "nope")
    assert caught.value.code == "unknown_score"


# ---- norms ------------------------------------------------------------------------------------------------------
def test_norm_bands_from_items_and_totals(tmp_path):
    definition = _demo(tmp_path)
    low = score_items(definition, {"a": 1, "b": 3})  # 1 + 2
    assert low.score("total").band.label == {"nl": "laag", "en": "low"}
    high = score_items(definition, {"a": 4, "b": 1})  # 4 + 4
    assert high.score("total").band.as_dict() == {
        "from": 6,
        "to": 8,
        "label": {"nl": "hoog", "en": "high"},
        "source": "test",
    }
    assert score_totals(definition, {"total": 5}).score("total").band.label["en"] == "low"
    assert score_totals(definition, {"total": 5.5}).score("total").band is None  # between the bands


def test_results_are_json_serialisable(instruments, tmp_path):
    result = score_items(_demo(tmp_path), {"a": 3})  # prorated to 6.0
    data = json.loads(json.dumps(result.as_dict()))
    assert data["scores"]["total"]["value"] == 6.0 and data["scores"]["total"]["band"]["label"]["en"] == "high"
    assert data["scores"]["total"]["range"] == [2, 8]
    for definition in instruments.values():
        json.dumps(score_items(definition, {}).as_dict())
        json.dumps(dictionary_entries(definition))


# ---- data dictionary --------------------------------------------------------------------------------------------
def test_dictionary_entries(instruments):
    entries = {entry["variable"]: entry for entry in dictionary_entries(instruments["fes"])}
    total = entries["fes_total"]
    assert total["kind"] == "score" and total["type"] == "integer" and total["range"] == [34, 170]
    assert total["missing"] == "every item must be answered"
    assert total["licence"]["kind"] == "licence_required"
    assert entries["fes_family"]["missing"] == "entered as a total; no item rule"
    item = entries["fes_item_01"]
    assert item["label"] == {"nl": "Item 1", "en": "Item 1"} and item["range"] == [1, 5]
    assert item["scores"] == ["total"]
    sat = {entry["variable"]: entry for entry in dictionary_entries(instruments["kring_satisfaction"])}
    assert sat["kring_satisfaction_experience"]["type"] == "number"
    assert sat["kring_satisfaction_experience"]["missing"] == "at most 2 items missing, mean of the answered items"
    assert sat["kring_satisfaction_talked_about"]["reverse"] is True
    zrm = {entry["variable"]: entry for entry in dictionary_entries(instruments["zrm"])}
    assert zrm["zrm_housing"]["label"]["nl"] == "Huisvesting"
    # No item wording ever reaches the dictionary.
    assert all("text" not in entry for entry in dictionary_entries(instruments["kring_satisfaction"]))


SATISFACTION = load_file(SHIPPED_DIR / "kring_satisfaction.toml")
ZRM = load_file(SHIPPED_DIR / "zrm.toml")


# ---- properties -------------------------------------------------------------------------------------------------
@given(value=st.integers(min_value=-20, max_value=20), low=st.integers(-10, 5), width=st.integers(1, 12))
def test_reversing_twice_is_the_identity(value, low, width):
    scale = ResponseScale(min=low, max=low + width)
    assert reverse_value(scale, reverse_value(scale, value)) == value
    if scale.allows(value):
        assert scale.allows(reverse_value(scale, value))


@settings(max_examples=200)
@given(answers=st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=8, max_size=8))
def test_prorated_mean_equals_the_mean_of_the_answered_items(answers):
    sat = SATISFACTION
    codes = [item.code for item in sat.score_items("experience")]
    reverse = {item.code for item in sat.items if item.reverse}
    result = score_items(sat, dict(zip(codes, answers))).score("experience")
    answered = [6 - value if code in reverse else value for code, value in zip(codes, answers) if value is not None]
    if len(answered) >= 6:
        assert result.computable and result.value == pytest.approx(sum(answered) / len(answered))
        assert 1 <= result.value <= 5
    else:
        assert not result.computable and result.reason == "too_many_missing"


@settings(max_examples=200)
@given(values=st.lists(st.integers(1, 5), min_size=13, max_size=13))
def test_item_sums_stay_within_the_possible_range(values):
    zrm = ZRM
    result = score_items(zrm, {item.code: value for item, value in zip(zrm.items, values)})
    low, high = possible_range(zrm, "sum")
    assert low <= result.score("sum").value <= high
    assert result.score("mean").value == pytest.approx(result.score("sum").value / 13)


# ---- a small file with a norm -------------------------------------------------------------------------------
def _demo(tmp_path: Path):
    from .test_instrument_schema_errors import BASE

    path = tmp_path / "demo.toml"
    path.write_text(BASE, encoding="utf-8")
    return load_file(path)
