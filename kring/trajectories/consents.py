"""Which consents a trajectory's method needs before its first invitation, and which of them the case lacks.

The method definition names the purposes (``consents`` in ``methods/definitions/*.toml``); the case's consents in
force today say which are given. The case page and the meeting's invitation page show the result, and the first
invitation of a trajectory without them needs a reason (``meetings.services.invite_from_map``, decision 117).
Callers pass a trajectory they already read through the case's visibility query.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from kring.audit.services import Access, Action, log_access
from kring.cases.choices import ConsentPurpose
from kring.cases.models import Consent, consent_in_force
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


def needed_purposes(method_code: str) -> list[str]:
    definition = catalogue().get(method_code)
    return list(definition.consents) if definition else []


def purposes_in_force(case_id: int, today: datetime.date | None = None) -> set[str]:
    today = today or timezone.localdate()
    return set(Consent.objects.filter(consent_in_force(today), case_id=case_id).values_list("purpose", flat=True))


def consent_needs(trajectory, in_force: set[str] | None = None) -> list[ConsentNeed]:
    """Each purpose the trajectory's method needs, with whether a consent for it is in force today."""
    if in_force is None:
        in_force = purposes_in_force(trajectory.case_id)
    labels = dict(ConsentPurpose.choices)
    return [
        ConsentNeed(purpose=purpose, label=str(labels.get(purpose, purpose)), given=purpose in in_force)
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
