"""The pure core: the digest of a plan version is deterministic and changes with any agreed field, not with the
order rows came in; the family-agreement rule per method."""

from kring.family import core

PLAN = {"id": 7, "edition": 2, "plan_type": "family_group_plan", "concerns": "Rust.\r\n", "presented_on": "2026-12-01"}
AGREEMENTS = [
    {"id": 2, "order": 2, "what": "Piet brengt Sam.", "owner_person": 5, "is_safety": False, "bottom_lines": [9]},
    {"id": 1, "order": 1, "what": "Sam slaapt bij oma.", "owner_person": 4, "is_safety": True, "bottom_lines": [8, 9]},
]
LINES = [
    {"id": 9, "version": 1, "order": 2, "text": "School.", "kind": "wish"},
    {"id": 8, "version": 3, "order": 1, "text": "Veilig slapen.", "kind": "non_negotiable"},
]


def digest(plan=PLAN, agreements=AGREEMENTS, lines=LINES):
    return core.plan_digest(core.plan_content(plan, agreements, lines))


def test_the_digest_is_the_same_whatever_the_order_and_line_endings():
    first = digest()
    assert first == digest(agreements=list(reversed(AGREEMENTS)), lines=list(reversed(LINES)))
    assert first == digest(plan={**PLAN, "concerns": "Rust.\n"})
    assert len(first) == 64 and int(first, 16) >= 0
    # A fixed text gives a fixed digest: the canonical form is stable across machines and versions.
    text = core.canonical_text(core.plan_content(PLAN, AGREEMENTS, LINES))
    assert text.startswith(b'{"agreements":[{"backup_person":null,"bottom_lines":[8,9]')


def test_any_agreed_field_changes_the_digest():
    first = digest()
    assert digest(plan={**PLAN, "edition": 3}) != first
    changed = [dict(AGREEMENTS[0]), {**AGREEMENTS[1], "what": "Sam slaapt altijd bij oma."}]
    assert digest(agreements=changed) != first
    assert digest(agreements=[AGREEMENTS[0], {**AGREEMENTS[1], "bottom_lines": [8]}]) != first
    assert digest(lines=[LINES[0], {**LINES[1], "version": 4}]) != first
    # Not what the family did not agree to (the plan's status is not part of the content).
    assert digest(plan={**PLAN, "status": "accepted"}) == first


def test_the_rules():
    adults, parents, young = {1, 2}, {1, 3}, {4}
    assert core.who_must_agree(core.ADULTS_PRESENT, adults, parents, young) == {1, 2, 4}
    assert core.who_must_agree(core.PARENTS_AND_YOUNG, adults, parents, young) == {1, 3, 4}
    assert core.who_must_agree(core.PARENTS, adults, parents, young) == {1, 3}
    assert core.who_may_agree(core.PARENTS, adults, parents, young) == {1, 3, 4}
    assert core.who_may_agree(core.NOBODY, adults, parents, young) == set()
    state = core.agreement_state(core.PARENTS, {1, 3}, [core.Signed(1, "new"), core.Signed(3, "old")], "new")
    assert not state.met and state.missing == {3} and state.outdated == {3}
    state = core.agreement_state(core.PARENTS, {1, 3}, [core.Signed(1, "new"), core.Signed(3, "new")], "new")
    assert state.met
    assert not core.agreement_state(core.NOBODY, set(), [], "new").met
    assert not core.agreement_state(core.PARENTS, set(), [], "new").met
