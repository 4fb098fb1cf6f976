"""Which consents a trajectory's method needs before its first invitation, and which of them the case lacks.

The method definition names the purposes (``consents`` in ``methods/definitions/*.toml``); the case's consents in
force today say which are given, and a purpose counts as given only when the consents in force satisfy the rules of
``kring.cases.consent_rules`` for every child of the case (decision 160: in the Netherlands from 12 to 15 the young
person AND a holder of parental authority); what is still missing is named. The case page and the meeting's invitation page show the result, and the first
invitation of a trajectory without them needs a reason (``meetings.services.invite_from_map``, decision 117).
Callers pass a trajectory they already read through the case's visibility query.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from kring.audit.services import Access, Action, log_access
from kring.cases import consent_rules
from kring.cases.choices import ConsentPurpose
from kring.cases.models import Case, Consent, consent_in_force
from kring.methods.catalogue import catalogue

from .choices import Status
from .models import TrajectoryEvent

# The kind of the trajectory event that records a first invitation sent without the consents the method needs.
INVITED_WITHOUT_CONSENT = "consents"

# A trajectory in one of these has nothing more to invite anyone to.
FINISHED = (Status.DECLINED, Status.ABANDONED, Status.CLOSED)


@dataclass(frozen=True)
class ConsentNeed:
    purpose: str
    label: str
    given: bool
    missing: str = ""  # what is still lacking, in words ("consent of Sanne themselves and of a holder ...")

    @property
    def text(self) -> str:
        return f"{self.label} ({self.missing})" if self.missing else self.label


def needed_purposes(method_code: str) -> list[str]:
    definition = catalogue().get(method_code)
    return list(definition.consents) if definition else []


def consent_gaps(case_id: int, today: datetime.date | None = None) -> dict[str, list[str]]:
    """Per purpose what the consents in force today still lack under the consent rules (empty: complete)."""
    today = today or timezone.localdate()
    case = Case.objects.select_related("organisation").get(pk=case_id)
    facts = consent_rules.case_facts(case)
    consents = list(Consent.objects.filter(consent_in_force(today), case_id=case_id).select_related("person"))
    return {purpose: consent_rules.missing(facts, consents, purpose, today) for purpose in ConsentPurpose.values}


def purposes_in_force(case_id: int, today: datetime.date | None = None) -> set[str]:
    """The purposes whose consents in force today are complete under the consent rules."""
    return {purpose for purpose, gaps in consent_gaps(case_id, today).items() if not gaps}


def consent_needs(trajectory, gaps: dict[str, list[str]] | None = None) -> list[ConsentNeed]:
    """Each purpose the trajectory's method needs, with whether it is complete today and what it lacks."""
    if gaps is None:
        gaps = consent_gaps(trajectory.case_id)
    labels = dict(ConsentPurpose.choices)
    return [
        ConsentNeed(
            purpose=purpose,
            label=str(labels.get(purpose, purpose)),
            given=not gaps.get(purpose),
            missing="; ".join(gaps.get(purpose) or []),
        )
        for purpose in needed_purposes(trajectory.method_code)
    ]


def missing_consents(trajectory) -> list[ConsentNeed]:
    return [need for need in consent_needs(trajectory) if not need.given]


def invited_without_consent(trajectory) -> TrajectoryEvent | None:
    """The event that let the first invitation go out without the consents, if there is one."""
    return trajectory.events.filter(kind=INVITED_WITHOUT_CONSENT).select_related("by").order_by("-at").first()


def record_invited_without_consent(actor, trajectory, missing: list[str], reason: str) -> TrajectoryEvent:
    """Record, in the trajectory's timeline with who and why, that its first invitation goes out without the
    consents in ``missing``. The caller holds the case's lock and checked that the user may work on it."""
    event = TrajectoryEvent.objects.create(
        trajectory=trajectory,
        organisation_id=trajectory.organisation_id,
        kind=INVITED_WITHOUT_CONSENT,
        to_value=",".join(missing)[:60],
        on=timezone.localdate(),
        note=reason,
        by=actor.user,
    )
    log_access(
        actor, Action.UPDATE, [Access("trajectory", trajectory.pk, trajectory.case_id, trajectory.organisation_id)]
    )
    return event


def missing_labels(codes: str) -> str:
    """The purposes an event names (comma-separated codes), in words."""
    labels = dict(ConsentPurpose.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes.split(",") if code)
