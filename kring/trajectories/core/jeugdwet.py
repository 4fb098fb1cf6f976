"""Jeugdwet art. 4.1.2 and 4.1.3: the offer of a family group plan and the deadlines that follow.

4.1.2: the provider or certified institution first offers the parents the chance to draw up a family group
plan within a reasonable term. The offer may be dropped only on three grounds. It does not apply to juvenile
probation, nor to guardianship after parental authority ended.
4.1.3: when no family group plan is drawn up, a professional plan is adopted within six weeks of that being
established; if the child, a parent or the provider asks, it is put in writing within fourteen days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .schedule import Deadline

DROP_GROUNDS = ("parents_declined", "concrete_threat", "child_interests_harmed")
EXEMPTIONS = ("juvenile_probation", "guardianship_after_authority_ended")
# Legal contexts (kring.cases.choices) in which art. 4.1.2 does not apply.
EXEMPT_LEGAL_CONTEXTS = {"nl_juvenile_probation": "juvenile_probation"}

PROFESSIONAL_PLAN_WEEKS = 6
WRITTEN_COPY_DAYS = 14


@dataclass(frozen=True)
class FamilyPlanRight:
    """What is on record of the offer; every field may still be empty."""

    offered_on: date | None = None
    reasonable_term_until: date | None = None
    parents_answered_on: date | None = None
    parents_accepted: bool | None = None
    dropped_on: date | None = None
    drop_ground: str = ""
    exemption: str = ""
    family_plan_made_on: date | None = None
    professional_plan_adopted_on: date | None = None
    written_copy_requested_on: date | None = None
    written_copy_given_on: date | None = None


class LegalRuleError(ValueError):
    """A record that the law does not allow, with the field it concerns."""

    def __init__(self, field: str, code: str):
        self.field = field
        self.code = code
        super().__init__(f"{field}: {code}")


def problems(record: FamilyPlanRight) -> list[LegalRuleError]:
    """What is inconsistent in the record, as (field, code) errors."""
    found: list[LegalRuleError] = []
    if record.exemption and record.exemption not in EXEMPTIONS:
        found.append(LegalRuleError("exemption", "unknown_exemption"))
    if record.exemption and (record.offered_on or record.dropped_on):
        found.append(LegalRuleError("exemption", "exempt_case_has_no_offer"))
    if record.reasonable_term_until and not record.offered_on:
        found.append(LegalRuleError("reasonable_term_until", "term_without_offer"))
    if record.offered_on and record.reasonable_term_until and record.reasonable_term_until <= record.offered_on:
        found.append(LegalRuleError("reasonable_term_until", "term_before_offer"))
    if record.parents_answered_on and not record.offered_on:
        found.append(LegalRuleError("parents_answered_on", "answer_without_offer"))
    if record.parents_answered_on and record.offered_on and record.parents_answered_on < record.offered_on:
        found.append(LegalRuleError("parents_answered_on", "answer_before_offer"))
    if record.dropped_on:
        if record.drop_ground not in DROP_GROUNDS:
            found.append(LegalRuleError("drop_ground", "ground_required"))
        if record.offered_on and record.dropped_on < record.offered_on:
            found.append(LegalRuleError("dropped_on", "dropped_before_offer"))
        if record.drop_ground == "parents_declined" and record.parents_accepted is not False:
            found.append(LegalRuleError("drop_ground", "parents_did_not_decline"))
        if record.family_plan_made_on:
            found.append(LegalRuleError("dropped_on", "dropped_but_plan_made"))
    elif record.drop_ground:
        found.append(LegalRuleError("dropped_on", "ground_without_date"))
    if record.professional_plan_adopted_on and not record.dropped_on:
        found.append(LegalRuleError("professional_plan_adopted_on", "professional_plan_without_drop"))
    if record.written_copy_given_on and not record.written_copy_requested_on:
        found.append(LegalRuleError("written_copy_given_on", "copy_without_request"))
    if (
        record.written_copy_requested_on
        and record.written_copy_given_on
        and record.written_copy_given_on < record.written_copy_requested_on
    ):
        found.append(LegalRuleError("written_copy_given_on", "copy_before_request"))
    return found


def deadlines(record: FamilyPlanRight) -> list[Deadline]:
    """The deadlines the record sets: the parents' reasonable term (done when a family plan is made or the offer
    dropped), the professional plan six weeks after dropping, the written copy fourteen days after a request."""
    if record.exemption:
        return []
    result: list[Deadline] = []
    if record.reasonable_term_until:
        done = record.family_plan_made_on or record.dropped_on
        result.append(Deadline("family_plan_term", record.reasonable_term_until, done))
    if record.dropped_on:
        result.append(
            Deadline(
                "professional_plan",
                record.dropped_on + timedelta(weeks=PROFESSIONAL_PLAN_WEEKS),
                record.professional_plan_adopted_on,
            )
        )
    if record.written_copy_requested_on:
        result.append(
            Deadline(
                "written_copy",
                record.written_copy_requested_on + timedelta(days=WRITTEN_COPY_DAYS),
                record.written_copy_given_on,
            )
        )
    return result


def applies(legal_context: str, exemption: str = "") -> bool:
    """Whether art. 4.1.2 asks for an offer in this case."""
    return legal_context.startswith("nl_") and legal_context not in EXEMPT_LEGAL_CONTEXTS and not exemption
