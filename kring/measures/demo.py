"""Demo registrations, built through the services so they obey every rule a user meets.

Every demo trajectory gets its family characteristics, the outcomes at T0 and (where three months have passed)
at T1, the safety scale from the professional at both, and a satisfaction questionnaire from a parent at T1, so
the evaluation pages have something to count and compare. Values follow from the case number, so the world is
deterministic; a trajectory with a registration is left alone.
"""

import datetime
import hashlib

from django.utils import timezone

from kring.cases.choices import CaseRole
from kring.cases.models import CaseTeamMember
from kring.core.actor import Actor
from kring.trajectories.models import Trajectory

from . import services
from .choices import ProblemArea
from .models import Registration
from .queries import moment_due_on

AREAS = [a.value for a in ProblemArea if a != ProblemArea.OTHER]
HOUSEHOLDS = ("two_parents", "single_parent", "single_parent", "blended", "kin")


def _numbers(text: str) -> list[int]:
    """Stable pseudo-random digits from a text (the case number)."""
    return list(hashlib.sha256(text.encode()).digest())


def ensure(organisations: dict, users: dict) -> int:
    created = 0
    trajectories = (
        Trajectory.objects.filter(organisation__in=organisations.values())
        .select_related("case")
        .order_by("case__number", "id")
    )
    for trajectory in trajectories:
        if Registration.objects.filter(trajectory=trajectory).exists():
            continue
        worker = (
            CaseTeamMember.objects.filter(case=trajectory.case, role=CaseRole.CASE_WORKER)
            .select_related("user")
            .first()
        )
        if worker is None:
            continue
        created += _build(trajectory, Actor(worker.user, path="demo"))
    return created


def _build(trajectory, actor) -> int:
    """The characteristics, then each moment already due: T0 (five days late) and T1 (on time)."""
    n = _numbers(trajectory.case.number)
    _register(trajectory, actor, n)
    created = 1
    for moment, offset in (("t0", 5), ("t1", 0)):
        day = moment_due_on(trajectory.offered_on, moment) + datetime.timedelta(days=offset)
        if day > timezone.localdate():
            break
        created += _measure(trajectory, actor, n, moment, day)
    return created


def _register(trajectory, actor, n):
    services.save_registration(
        actor,
        trajectory.case.pk,
        trajectory.pk,
        {
            "problem_areas": [AREAS[n[0] % len(AREAS)], AREAS[n[1] % len(AREAS)]],
            "household": HOUSEHOLDS[n[2] % len(HOUSEHOLDS)],
            "high_conflict_divorce": "yes" if n[3] % 4 == 0 else "no",
            "migration_background": ("yes", "no", "unknown")[n[4] % 3],
            "parent_intellectual_disability": "yes" if n[5] % 7 == 0 else "no",
        },
    )


def _measure(trajectory, actor, n, moment, day) -> int:
    """One moment: the outcomes and the safety scale; at T1 also a parent's satisfaction. Returns records made."""
    case = trajectory.case
    at_start = moment == "t0"
    network_method = trajectory.method_code != "regular_care"
    # A little better in the network methods at T1, so the report has a difference to show.
    placed = n[6 + (0 if at_start else 1)] % (5 if network_method and not at_start else 4) == 0
    services.record_outcome(
        actor,
        case.pk,
        trajectory.pk,
        moment,
        {
            "measured_on": day,
            "informant": "professional",
            "maltreatment_indication": "yes" if n[8] % 3 == 0 and at_start else "no",
            "risk_level": ("low", "medium", "high")[(n[9] + (0 if at_start else 1)) % 3],
            "professional_care": "yes" if n[10] % 2 == 0 else "no",
            "supervision_order": "yes" if case.legal_context.endswith("supervision") else "no",
            "placement": ("in_network" if n[11] % 2 else "outside_network") if placed else "at_home",
            "returned_home": "no" if at_start else ("yes" if n[12] % 5 == 0 else "no"),
            "without_help": "no" if at_start else ("yes" if n[13] % 3 == 0 else "no"),
        },
    )
    services.record_administration(
        actor,
        case.pk,
        trajectory.pk,
        {
            "instrument": "sos_safety_scale",
            "mode": "items",
            "moment": moment,
            "respondent": "professional",
            "administered_on": day,
        },
        {"safety": min(10, 3 + n[14] % 4 + (0 if at_start else 2))},
    )
    if at_start:
        return 2
    _parent_satisfaction(trajectory, actor, n, moment, day)
    return 3


def _parent_satisfaction(trajectory, actor, n, moment, day):
    parent = trajectory.case.persons.filter(is_central=False).order_by("pk").first()
    values = {
        "useful": 3 + n[15] % 3,
        "heard": 3 + n[16] % 3,
        "talked_about": 1 + n[17] % 3,
        "family_lead": 3 + n[18] % 3,
        "professionals_decided": 1 + n[19] % 3,
        "coordinator": 4,
        "own_plan": 3 + n[20] % 3,
        "recommend": 3 + n[21] % 3,
        "mark": 6 + n[22] % 5,
    }
    services.record_administration(
        actor,
        trajectory.case.pk,
        trajectory.pk,
        {
            "instrument": "kring_satisfaction",
            "mode": "items",
            "moment": moment,
            "respondent": "parent",
            "respondent_person": parent.pk if parent else None,
            "administered_on": day,
        },
        values,
    )
