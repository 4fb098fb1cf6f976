"""Demo meetings, built through the services so they obey every rule a user meets.

Every demo trajectory that is preparing gets a planned meeting in two weeks, with the safe persons of its
network map invited; one whose meeting was held gets that meeting on its date, with answers, attendance per
part (the family and its network alone in private time) and information shared with all. Deterministic and
idempotent: a trajectory that has a meeting is left alone.
"""

import datetime

from django.utils import timezone

from kring.cases.choices import CaseRole
from kring.cases.models import CaseTeamMember
from kring.core.actor import Actor
from kring.trajectories.models import Trajectory

from . import core, services
from .models import Meeting

HELD = ("meeting_held", "plan_made", "follow_up")
PLACES = {"NL": "Buurthuis De Bron, Utrecht", "VL": "Ontmoetingscentrum De Linde, Gent"}


def ensure(organisations: dict, users: dict) -> int:
    created = 0
    trajectories = (
        Trajectory.objects.filter(organisation__in=organisations.values(), status__in=("preparing", *HELD))
        .select_related("case__organisation", "coordinator")
        .order_by("case__number", "id")
    )
    for trajectory in trajectories:
        if Meeting.objects.filter(trajectory=trajectory).exists():
            continue
        created += _build(trajectory)
    return created


def _build(trajectory) -> int:
    case = trajectory.case
    worker = CaseTeamMember.objects.filter(case=case, role=CaseRole.CASE_WORKER).select_related("user").first()
    user = trajectory.coordinator or (worker.user if worker else None)
    if user is None:
        return 0
    actor = Actor(user, path="demo")
    zone = services.local_zone(case.organisation)
    held = trajectory.status in HELD and trajectory.meeting_held_on
    day = trajectory.meeting_held_on if held else timezone.localdate() + datetime.timedelta(days=14)
    start = datetime.datetime.combine(day, datetime.time(19, 0), tzinfo=zone)
    meeting = services.schedule_meeting(
        actor,
        case.pk,
        trajectory.pk,
        {
            "kind": core.suggested_kind(trajectory.method_code),
            "starts_at": start,
            "ends_at": start + datetime.timedelta(hours=3),
            "place": PLACES.get(case.organisation.jurisdiction, ""),
            "language": "Nederlands",
        },
    )
    # Where the demo family's file lacks a consent the method needs, the coordinator says why they invite anyway.
    invitations = services.invite_from_map(
        actor, case.pk, meeting.pk, consent_reason="Toestemming mondeling gegeven; het formulier volgt."
    )
    created = 1 + len(invitations)
    if not held:
        return created
    for invitation in invitations:
        services.update_invitation(
            actor,
            case.pk,
            meeting.pk,
            invitation.pk,
            {
                "answer": "yes",
                "mode": "in_person",
                "preparation_contact_on": day - datetime.timedelta(days=10),
                "preparation_note": "Voorbereidend gesprek gevoerd.",
            },
            invitation.version,
        )
    meeting.refresh_from_db()
    attendees = services.attendees_of(case, meeting)
    present = []
    for part in meeting.parts.all():
        for key, attendee in attendees.items():
            if part.private and core.refused_in_private(attendee):
                continue
            present.append((part.pk, key))
    services.record_attendance(actor, case.pk, meeting.pk, present, expected_version=meeting.version)
    services.add_contribution(
        actor,
        case.pk,
        meeting.pk,
        {
            "author_user": user.pk if CaseTeamMember.objects.filter(case=case, user=user).exists() else None,
            "author_name": "" if CaseTeamMember.objects.filter(case=case, user=user).exists() else str(user),
            "text": "Wat goed gaat, wat de zorgen zijn, en wat er in elk geval in het plan moet staan.",
            "shared_with_all": True,
            "shared_on": day - datetime.timedelta(days=3),
        },
    )
    return created + 2
