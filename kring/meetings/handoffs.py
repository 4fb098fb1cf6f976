"""The meeting's hand-off (kring.inbox): a meeting moved to another time marks the invitations made for the old
time superseded ("vervangen", until the re-invite step in services.py makes them new) and tells the case team,
except who moved it. Called from services.py in the transaction of the change."""

from __future__ import annotations

from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from kring.inbox import kinds
from kring.inbox.recipients import case_team
from kring.inbox.services import notify

from .due import local_time
from .models import Invitation


def rescheduled(actor, case, meeting) -> int:
    """Mark the meeting's current invitations superseded and tell the case team; returns how many were marked."""
    marked = Invitation.objects.filter(meeting=meeting, superseded_at__isnull=True).update(
        superseded_at=timezone.now(), version=F("version") + 1
    )
    local = local_time(meeting.starts_at, case.organisation.jurisdiction)
    notify(
        kinds.MEETING_RESCHEDULED,
        [user_id for user_id in case_team(case) if user_id != actor.user.pk],
        organisation=case.organisation_id,
        case=case,
        link=reverse("meetings:detail", kwargs={"pk": case.pk, "meeting_id": meeting.pk}),
        key=f"meeting:{meeting.pk}:{meeting.version}",
        params={"date": local.date().isoformat(), "time": local.strftime("%H:%M")},
    )
    return marked
