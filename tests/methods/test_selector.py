"""Method selector: situations from the source documents -> expected top methods and warnings.

Sources (in /work/shared):
  seed 002 = seeds/002 (Bastaits & Vandenhoudt: Signs of Safety, geweldloos verzet, tracing lost contacts)
  seed 003 = seeds/003 (Flemish comparison of strength-based methods), sections 3.2 and 4.2.3
  seed 004 = seeds/004 (NJi advice on network meetings under a supervision order, 2013)
  practice-models = reference/practice-models.md

The table runs on the real method definitions (kring/methods/definitions/*.toml) when all of them
exist; otherwise on FIXTURE_METHODS below (plain dataclasses with the schema's field names).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from kring.methods import selector
from kring.methods.selector import (
    METHOD_ORDER,
    Answers,
    RulesError,
    answer_contra_indications,
    evaluate,
    explain,
    load_rules,
    parse_rules,
    rank,
)

ALL_CODES = set(METHOD_ORDER)
DEFINITIONS_DIR = Path(selector.__file__).with_name("definitions")


# ------------------------------------------------------------------ fixture definitions


@dataclass
class FxText:
    nl: str
    en: str


@dataclass
class FxContinua:
    family_lead: float
    network_breadth: float


@dataclass
class FxCI:
    code: str
    severity: str
    text: FxText
    source: str = "seed004"


@dataclass
class FxMethod:
    code: str
    name: FxText
    request_kinds: list[str]
    settings: list[str]
    leader: str
    continua: FxContinua
    max_safety_concern: str
    legal_contexts: list[str] = field(default_factory=list)
    contra_indications: list[FxCI] = field(default_factory=list)


def _ci(code, severity="warning"):
    return FxCI(code, severity, FxText(f"contra-indicatie {code}", f"contra-indication {code}"))


FIXTURE_METHODS = {
    m.code: m
    for m in [
        FxMethod(
            "ekc",
            FxText("Eigen Kracht-conferentie", "Family Group Conference"),
            ["parenting", "safety", "placement", "crisis", "future_planning", "restoration", "school"],
            ["family", "foster_care", "residential", "school", "crisis"],
            "independent_coordinator",
            FxContinua(1.0, 1.0),
            "some",
            [],
            [
                _ci("fighting_divorce"),
                _ci("loyalty_conflict"),
                _ci("no_motivation"),
                _ci("unsafe_network"),
                _ci("network_is_source_of_conflict"),
                _ci("acute_danger"),
                _ci("no_network", "exclude"),
            ],
        ),
        FxMethod(
            "fnb",
            FxText("Familienetwerkberaad", "Family network meeting"),
            ["parenting", "placement", "safety"],
            ["family", "foster_care", "residential"],
            "own_case_worker",
            FxContinua(0.7, 0.6),
            "serious",
            [],
            [_ci("fighting_divorce"), _ci("network_is_source_of_conflict"), _ci("no_network", "exclude")],
        ),
        FxMethod(
            "signs_of_safety",
            FxText("Signs of Safety", "Signs of Safety"),
            ["safety", "parenting", "placement", "violence_at_home"],
            ["family", "foster_care", "residential", "crisis"],
            "own_case_worker",
            FxContinua(0.3, 0.5),
            "acute",
        ),
        FxMethod(
            "ptp",
            FxText("Persoonlijke Toekomstplanning", "Person-centred planning"),
            ["future_planning", "transition_adulthood", "disability"],
            ["disability", "transition_adulthood", "residential", "family"],
            "facilitator",
            FxContinua(0.9, 0.9),
            "some",
            [],
            [_ci("no_motivation", "exclude")],
        ),
        FxMethod(
            "columbus",
            FxText("Columbus", "Columbus"),
            ["parenting", "safety", "crisis"],
            ["family"],
            "own_case_worker",
            FxContinua(0.7, 0.5),
            "serious",
            ["vl_voluntary", "vl_socially_urgent"],
        ),
        FxMethod(
            "hergo",
            FxText("Hergo", "Restorative group conference"),
            ["restoration", "justice", "school"],
            ["school", "justice"],
            "independent_coordinator",
            FxContinua(0.6, 0.6),
            "some",
        ),
        FxMethod(
            "netwerk_leerrecht",
            FxText("Netwerk Leerrecht", "Right-to-learn network"),
            ["school"],
            ["school"],
            "facilitator",
            FxContinua(0.6, 0.4),
            "some",
        ),
        FxMethod(
            "family_finding",
            FxText("Family Finding", "Family Finding"),
            ["lost_contacts", "placement"],
            ["foster_care", "residential"],
            "own_case_worker",
            FxContinua(0.4, 1.0),
            "serious",
        ),
        FxMethod(
            "nvr",
            FxText("Geweldloos verzet", "Non-violent resistance"),
            ["violence_at_home", "parenting"],
            ["family"],
            "therapist",
            FxContinua(0.5, 0.3),
            "serious",
        ),
        FxMethod(
            "regular_care",
            FxText("Reguliere hulp", "Regular care"),
            [
                "parenting",
                "safety",
                "school",
                "placement",
                "transition_adulthood",
                "crisis",
                "disability",
                "restoration",
                "future_planning",
                "lost_contacts",
                "violence_at_home",
                "justice",
            ],
            [
                "family",
                "foster_care",
                "residential",
                "school",
                "disability",
                "transition_adulthood",
                "crisis",
                "justice",
            ],
            "own_case_worker",
            FxContinua(0.2, 0.1),
            "acute",
        ),
    ]
}


def _definitions():
    present = {p.stem for p in DEFINITIONS_DIR.glob("*.toml")} if DEFINITIONS_DIR.is_dir() else set()
    if ALL_CODES <= present:
        from kring.methods.catalogue import load_all

        return load_all(), "real"
    return FIXTURE_METHODS, "fixture"


METHODS, DEFINITIONS_USED = _definitions()
RULES = load_rules()


def top(suggestions):
    return suggestions[0].method


def by_code(suggestions):
    return {s.method: s for s in suggestions}


# ------------------------------------------------------------------ the situation table

# Each row: answers, the method(s) allowed at rank 1, and warnings that must appear
# (method -> warning codes; a code is a contra-indication code, "safety_above_max" or a rule id).
SITUATIONS = [
    # seed 004 (OTS advice, points 1-3, 6-9) + seed 003 §3.2 A: acute safety concern under a
    # supervision order -> Signs of Safety first; EKC needs bottom lines and monitoring.
    pytest.param(
        Answers(
            safety_concern="acute", legal_context="nl_supervision", setting="family", request="safety", network_size=6
        ),
        {"signs_of_safety"},
        {"ekc": {"ots_ekc_needs_bottom_lines", "safety_above_max"}},
        id="acute-safety-under-supervision-order",
    ),
    # seed 004 ("contra-indicaties ... veel strijd/vechtscheidingen"): a fighting divorce gives a
    # contra-indication warning on EKC.
    pytest.param(
        Answers(
            safety_concern="some",
            legal_context="nl_voluntary",
            setting="family",
            request="parenting",
            network_size=8,
            motivation="some",
            conflicts=frozenset({"fighting_divorce"}),
        ),
        {"signs_of_safety", "fnb"},
        {"ekc": {"fighting_divorce"}, "fnb": {"fighting_divorce"}},
        id="fighting-divorce",
    ),
    # seed 003 §3.2 A-C (Netwerk Leerrecht: pupils whose tie with school is broken): a young person
    # who left school -> Netwerk Leerrecht.
    pytest.param(
        Answers(central="child", setting="school", request="school", left_school=True, network_size=4),
        {"netwerk_leerrecht"},
        {},
        id="young-person-left-school",
    ),
    # seed 003 §3.2 A-D (Hergo: need for repair; victim, offender and the school): a serious
    # incident at school with a victim -> Hergo.
    pytest.param(
        Answers(setting="school", request="restoration", incident_with_victim=True, network_size=5),
        {"hergo"},
        {},
        id="school-incident-with-victim",
    ),
    # seed 003 §3.2 B and §4.2.3 (FNB developed in foster care, upbringing and care at risk).
    pytest.param(
        Answers(safety_concern="some", setting="foster_care", request="placement", network_size=7, motivation="high"),
        {"fnb"},
        {},
        id="foster-care-placement",
    ),
    # seed 003 §3.2 A (PTP: clients in a transition phase who want to make a plan with their network).
    pytest.param(
        Answers(
            central="young_adult",
            setting="transition_adulthood",
            request="transition_adulthood",
            network_size=5,
            motivation="high",
        ),
        {"ptp"},
        {},
        id="transition-to-adulthood",
    ),
    # seed 003 §4.2.3 (PTP: largest target group people with a disability).
    pytest.param(
        Answers(
            central="young_adult", setting="disability", request="future_planning", network_size=6, motivation="high"
        ),
        {"ptp"},
        {},
        id="disability-future-planning",
    ),
    # seed 002 (Geweldloos verzet: a child violent to the parents; supporters from the network).
    pytest.param(
        Answers(central="parent", setting="family", request="violence_at_home", violence_by_child=True, network_size=4),
        {"nvr"},
        {},
        id="child-violent-to-parents",
    ),
    # seed 002 (Netwerk uitbreiden: lost contacts are traced; Family Finding in residential care).
    pytest.param(
        Answers(setting="residential", request="lost_contacts", lost_contacts=True, network_size=1),
        {"family_finding"},
        {},
        id="lost-contacts-in-residential-care",
    ),
    # seed 003 §3.2 A/B (Columbus: at referral to the CBJ, entrance to special youth care, Flanders).
    pytest.param(
        Answers(
            safety_concern="some",
            legal_context="vl_socially_urgent",
            setting="family",
            request="parenting",
            network_size=4,
        ),
        {"columbus"},
        {"columbus": set()},
        id="flemish-referral-to-committee",
    ),
    # seed 004 point 3 ("netwerk als bron of medeactor in de onveiligheid"): network as a source of
    # danger -> contra-indication on EKC, Signs of Safety first.
    pytest.param(
        Answers(
            safety_concern="serious",
            setting="family",
            request="safety",
            network_size=5,
            network_unsafe=True,
            conflicts=frozenset({"network_danger"}),
        ),
        {"signs_of_safety"},
        {"ekc": {"network_is_source_of_conflict", "unsafe_network"}},
        id="network-is-source-of-danger",
    ),
    # seed 004 ("gebrek aan motivatie" as contra-indication) + seed 002 ("Enkel wanneer alle partijen
    # ... achter het inschakelen van het netwerk staan").
    pytest.param(
        Answers(setting="family", request="parenting", network_size=5, motivation="none"),
        {"regular_care"},
        {"ekc": {"no_motivation"}},
        id="no-motivation",
    ),
    # seed 004 (loyalty conflicts as contra-indication for EKC).
    pytest.param(
        Answers(
            safety_concern="some",
            setting="family",
            request="parenting",
            network_size=6,
            conflicts=frozenset({"loyalty_conflict"}),
        ),
        {"signs_of_safety", "fnb"},
        {"ekc": {"loyalty_conflict"}},
        id="loyalty-conflict",
    ),
    # seed 003 §3.2 A/D (EKC widely usable, as wide a network as possible) + seed 004 (a tool, not
    # for every case): motivated family, wide network, no safety concern, voluntary.
    pytest.param(
        Answers(
            legal_context="nl_voluntary", setting="family", request="parenting", network_size=12, motivation="high"
        ),
        {"ekc", "fnb"},
        {},
        id="motivated-family-wide-network",
    ),
    # seed 002 / seed 004 (isolated families): no informal network on the map -> widen it first.
    pytest.param(
        Answers(setting="foster_care", request="placement", network_size=0),
        {"family_finding"},
        {"fnb": {"no_network"}},
        id="no-network-at-all",
    ),
]


@pytest.mark.parametrize("answers, expected_top, expected_warnings", SITUATIONS)
def test_situation_table(answers, expected_top, expected_warnings):
    result = rank(answers, METHODS, RULES)
    assert top(result) in expected_top, explain(result)
    assert not result[0].excluded
    found = by_code(result)
    for method, codes in expected_warnings.items():
        assert codes <= found[method].warning_codes(), explain(result)


@pytest.mark.parametrize("answers, expected_top, expected_warnings", SITUATIONS)
def test_situation_table_on_fixture_definitions(answers, expected_top, expected_warnings):
    # The same table on the in-test fixture, so the rules are checked apart from the shipped files.
    result = rank(answers, FIXTURE_METHODS, RULES)
    assert top(result) in expected_top, explain(result)
    found = by_code(result)
    for method, codes in expected_warnings.items():
        assert codes <= found[method].warning_codes(), explain(result)


def test_rank_loads_default_rules_and_accepts_a_list():
    answers = SITUATIONS[0].values[0]
    assert [s.method for s in rank(answers, list(METHODS.values()))] == [
        s.method for s in rank(answers, METHODS, RULES)
    ]


@pytest.mark.parametrize("answers", [p.values[0] for p in SITUATIONS])
def test_every_suggestion_has_a_reason_and_continua(answers):
    result = rank(answers, METHODS, RULES)
    assert {s.method for s in result} == set(METHODS)
    for s in result:
        assert s.all_reasons, s.method
        for r in s.all_reasons:
            assert r.text["nl"] and r.text["en"] and r.code
        assert set(s.continua) == {"family_lead", "network_breadth"}


def test_definitions_in_use_are_reported():
    # The real files are preferred once the full set exists.
    present = {p.stem for p in DEFINITIONS_DIR.glob("*.toml")} if DEFINITIONS_DIR.is_dir() else set()
    assert DEFINITIONS_USED == ("real" if ALL_CODES <= present else "fixture")


# ------------------------------------------------------------------ ordering and explanation


def test_sorted_by_not_excluded_then_score_then_fixed_order():
    result = rank(Answers(safety_concern="acute", network_size=0, motivation="none"), METHODS, RULES)
    keys = [(not s.excluded, s.score) for s in result]
    assert keys == sorted(keys, reverse=True)
    for a, b in zip(result, result[1:]):
        if (a.excluded, a.score) == (b.excluded, b.score):
            assert METHOD_ORDER.index(a.method) < METHOD_ORDER.index(b.method)


def test_ties_use_fixed_method_order():
    methods = {
        code: replace(FIXTURE_METHODS["hergo"], code=code, contra_indications=[])
        for code in ("regular_care", "nvr", "ekc", "signs_of_safety")
    }
    result = rank(Answers(setting="school"), methods, RULES)
    assert [s.method for s in result] == ["signs_of_safety", "ekc", "nvr", "regular_care"]


def test_explain_is_readable_in_both_languages():
    result = rank(Answers(safety_concern="acute", legal_context="nl_supervision", request="safety"), METHODS, RULES)
    en, nl = explain(result), explain(result, "nl")
    assert en.startswith("1. ") and "signs_of_safety" in en and "!" in en and "continua" in en
    assert "waarschuwingen" in nl and "Signs of Safety" in nl


# ------------------------------------------------------------------ generic checks, one by one


def fx(code, **changes):
    return replace(FIXTURE_METHODS[code], **changes)


def test_safety_one_level_above_max_warns():
    s = evaluate(Answers(safety_concern="serious"), fx("ptp", max_safety_concern="some"), RULES)
    assert "safety_above_max" in s.warning_codes() and not s.excluded


def test_safety_two_levels_above_max_excludes():
    s = evaluate(Answers(safety_concern="acute"), fx("ptp", max_safety_concern="some"), RULES)
    assert "safety_above_max" in s.warning_codes() and s.excluded


def test_safety_within_max_is_silent():
    s = evaluate(Answers(safety_concern="some"), fx("ptp", max_safety_concern="some"), RULES)
    assert "safety_above_max" not in s.warning_codes()


@pytest.mark.parametrize(
    "answers, ci_code",
    [
        (Answers(conflicts=frozenset({"fighting_divorce"})), "fighting_divorce"),
        (Answers(conflicts=frozenset({"loyalty_conflict"})), "loyalty_conflict"),
        (Answers(conflicts=frozenset({"network_danger"})), "network_is_source_of_conflict"),
        (Answers(motivation="none"), "no_motivation"),
        (Answers(network_unsafe=True), "unsafe_network"),
        (Answers(network_size=0), "no_network"),
        (Answers(safety_concern="acute"), "acute_danger"),
    ],
)
def test_answers_raise_contra_indications(answers, ci_code):
    assert ci_code in answer_contra_indications(answers)
    warn = evaluate(answers, fx("nvr", contra_indications=[_ci(ci_code, "warning")]), RULES)
    assert ci_code in warn.warning_codes() and not warn.excluded
    excl = evaluate(answers, fx("nvr", contra_indications=[_ci(ci_code, "exclude")]), RULES)
    assert ci_code in excl.warning_codes() and excl.excluded
    assert excl.score < warn.score


def test_network_size_unknown_is_not_no_network():
    assert "no_network" not in answer_contra_indications(Answers(network_size=None))
    assert "no_network" not in answer_contra_indications(Answers(network_size=3))


def test_legal_context_outside_method_is_reason_against():
    s = evaluate(Answers(legal_context="nl_supervision"), fx("columbus"), RULES)
    assert "legal_context_outside" in {r.code for r in s.reasons_against}
    inside = evaluate(Answers(legal_context="vl_voluntary"), fx("columbus"), RULES)
    assert "legal_context_outside" not in {r.code for r in inside.reasons_against}
    anywhere = evaluate(Answers(legal_context="nl_supervision"), fx("nvr", legal_contexts=[]), RULES)
    assert "legal_context_outside" not in {r.code for r in anywhere.reasons_against}


def test_setting_and_request_match_are_reasons_for():
    s = evaluate(Answers(setting="school", request="restoration"), fx("hergo"), RULES)
    assert {"setting_match", "request_match"} <= {r.code for r in s.reasons_for}
    off = evaluate(Answers(setting="family", request="parenting"), fx("hergo"), RULES)
    assert {"setting_mismatch", "request_mismatch"} <= {r.code for r in off.reasons_against}
    assert s.score > off.score


def test_earlier_attempt_is_small_reason_against():
    before = evaluate(Answers(), fx("ekc"), RULES)
    after = evaluate(Answers(earlier_attempts=frozenset({"ekc"})), fx("ekc"), RULES)
    assert "earlier_attempt" in {r.code for r in after.reasons_against}
    assert 0 < before.score - after.score <= 2


def test_method_with_nothing_to_say_still_explains_itself():
    bare = FxMethod("bare", FxText("Kaal", "Bare"), [], [], "therapist", FxContinua(0.5, 0.5), "acute")
    s = evaluate(Answers(), bare, RULES)
    assert [r.code for r in s.all_reasons] == ["no_indication"]


# ------------------------------------------------------------------ rules are data


RULES_TEXT = selector.DEFAULT_RULES_PATH.read_text(encoding="utf-8")


def test_modified_rules_file_changes_the_outcome(tmp_path):
    answers = Answers(setting="school", request="school", left_school=True, network_size=4)
    assert top(rank(answers, METHODS, RULES)) == "netwerk_leerrecht"
    changed = RULES_TEXT.replace(
        'method = "netwerk_leerrecht"\npoints = 6', 'method = "netwerk_leerrecht"\npoints = -20'
    )
    assert changed != RULES_TEXT
    path = tmp_path / "rules.toml"
    path.write_text(changed, encoding="utf-8")
    result = rank(answers, METHODS, load_rules(path))
    assert top(result) != "netwerk_leerrecht"
    assert "leerrecht_left_school" in {r.code for r in by_code(result)["netwerk_leerrecht"].reasons_against}


def test_generic_points_are_data_too(tmp_path):
    changed = RULES_TEXT.replace("[generic.earlier_attempt]\npoints = -1", "[generic.earlier_attempt]\npoints = -9")
    path = tmp_path / "rules.toml"
    path.write_text(changed, encoding="utf-8")
    a = Answers(earlier_attempts=frozenset({"ekc"}))
    assert evaluate(a, fx("ekc"), load_rules(path)).score == evaluate(a, fx("ekc"), RULES).score - 8


def test_default_rules_cite_sources_in_both_languages():
    for rule in RULES.rules:
        for effect in rule.effects:
            assert effect.source and effect.text["nl"] and effect.text["en"], rule.id
            assert effect.method in ALL_CODES, rule.id


def _rules(**rule):
    base = {
        "id": "r1",
        "when": {"left_school": {"equals": True}},
        "effects": [{"method": "ekc", "points": 1, "source": "s", "text": {"nl": "x", "en": "y"}}],
    }
    base.update(rule)
    data = {
        "rule": [base],
        "generic": {k: {"points": 0, "text": {"nl": "a", "en": "b"}} for k in selector.GENERIC_KEYS},
    }
    return data


@pytest.mark.parametrize(
    "change, message",
    [
        ({"when": {"shoe_size": {"equals": 3}}}, "rule 'r1', field 'when.shoe_size'"),
        ({"when": {"safety_concern": {"at_least": "very"}}}, "rule 'r1', field 'when.safety_concern'"),
        ({"when": {"setting": {"similar": "school"}}}, "unknown condition 'similar'"),
        ({"when": {"setting": {"in": "school"}}}, "'in' needs a non-empty list"),
        ({"when": {"left_school": {"contains": True}}}, "'contains' only works"),
        ({"when": {}}, "rule 'r1', field 'when'"),
        ({"effects": []}, "rule 'r1', field 'effects'"),
        (
            {"effects": [{"method": "ekc", "points": "many", "source": "s", "text": {"nl": "x", "en": "y"}}]},
            "rule 'r1', field 'effects[0]'.points",
        ),
        ({"effects": [{"method": "ekc", "points": 1, "text": {"nl": "x", "en": "y"}}]}, ".source"),
        ({"effects": [{"method": "ekc", "points": 1, "source": "s", "text": {"nl": "x"}}]}, "'nl' and 'en'"),
        ({"colour": "red"}, "rule 'r1': unknown field 'colour'"),
    ],
)
def test_invalid_rules_name_rule_and_field(change, message):
    with pytest.raises(RulesError) as exc:
        parse_rules(_rules(**change))
    assert message in str(exc.value)


def test_invalid_rules_duplicate_id_and_missing_generic():
    data = _rules()
    data["rule"].append(dict(data["rule"][0]))
    with pytest.raises(RulesError, match="rule 'r1': field 'id' is a duplicate"):
        parse_rules(data)
    data = _rules()
    del data["generic"]["earlier_attempt"]
    with pytest.raises(RulesError, match=r"generic\.earlier_attempt"):
        parse_rules(data)


def test_invalid_toml_file_is_reported(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text("[[rule]\nid=", encoding="utf-8")
    with pytest.raises(RulesError, match="not valid TOML"):
        load_rules(path)


def test_answers_are_validated():
    with pytest.raises(ValueError, match="safety_concern"):
        Answers(safety_concern="extreme")
    with pytest.raises(ValueError, match="conflicts"):
        Answers(conflicts=frozenset({"noise"}))
    with pytest.raises(ValueError, match="network_size"):
        Answers(network_size=-1)
