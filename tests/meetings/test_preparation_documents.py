"""The video link in the documents that travel (decision 236): the calendar file (URL, CONFERENCE and the
description) and the invitation letter in every language and for every reader (PDF text read back with pypdf);
without a link neither mentions video."""

import io

import pytest
from django.urls import reverse
from icalendar import Calendar
from pypdf import PdfReader

from kring.meetings import services
from kring.meetings.models import Invitation

pytestmark = pytest.mark.django_db

LINK = "https://meet.example.org/kring-42"


def _pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _with_link(mw):
    return services.update_meeting(mw.worker, mw.case.pk, mw.meeting.pk, {"video_link": LINK}, mw.meeting.version)


def _event(client, mw):
    response = client.get(reverse("meetings:calendar", kwargs={"pk": mw.case.pk, "meeting_id": mw.meeting.pk}))
    assert response.status_code == 200
    return list(Calendar.from_ical(response.content).walk("VEVENT"))[0]


def test_the_calendar_file_carries_the_video_link(client, mw):
    client.force_login(mw.world.a.case_worker)
    event = _event(client, mw)
    assert "URL" not in event and "CONFERENCE" not in event and "Video" not in str(event["DESCRIPTION"])
    _with_link(mw)
    event = _event(client, mw)
    assert str(event["URL"]) == LINK
    assert str(event["CONFERENCE"]) == LINK and event["CONFERENCE"].params["FEATURE"] == "VIDEO"
    assert f"Video: {LINK}" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "Buurthuis De Kring, Utrecht"  # the place stays the place


@pytest.mark.parametrize(
    ("lang", "words"),
    [("nl", "Via video"), ("en", "By video"), ("tr", "Video ile"), ("pl", "Przez wideo")],
)
def test_the_letter_carries_the_video_link(client, mw, lang, words):
    services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)
    oma = Invitation.objects.get(person=mw.oma)
    client.force_login(mw.world.a.coordinator)
    target = reverse("meetings:letter", kwargs={"pk": mw.case.pk, "meeting_id": mw.meeting.pk, "invitation_id": oma.pk})
    assert LINK not in _pdf_text(client.get(target, {"lang": lang}).content)
    _with_link(mw)
    text = _pdf_text(client.get(target, {"lang": lang}).content)
    assert LINK in text and words in text


def test_the_childs_letter_carries_the_video_link_too(client, mw):
    services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)
    child = Invitation.objects.get(person=mw.child)
    _with_link(mw)
    client.force_login(mw.world.a.coordinator)
    target = reverse(
        "meetings:letter", kwargs={"pk": mw.case.pk, "meeting_id": mw.meeting.pk, "invitation_id": child.pk}
    )
    text = _pdf_text(client.get(target).content)
    assert LINK in text
