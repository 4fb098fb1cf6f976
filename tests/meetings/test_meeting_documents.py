"""The calendar invitation (.ics, parsed back with icalendar) and the invitation letter (PDF, text extracted with
pypdf); both are exports in the access log."""

import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar
from pypdf import PdfReader

from kring.audit.models import AccessLogEntry
from kring.meetings import services
from kring.meetings.models import Invitation
from tests.factories import actor

pytestmark = pytest.mark.django_db


def _ics(client, mw):
    response = client.get(reverse("meetings:calendar", kwargs={"pk": mw.case.pk, "meeting_id": mw.meeting.pk}))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_calendar_invitation(client, mw):
    services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)
    client.force_login(mw.world.a.case_worker)
    calendar = _ics(client, mw)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["UID"]) == f"kring-meeting-{mw.meeting.pk}@orga.kring"
    start = event.decoded("DTSTART")
    assert start == mw.meeting.starts_at
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert start.astimezone(ZoneInfo("Europe/Amsterdam")).hour == 19
    assert event.decoded("DTEND") == mw.meeting.ends_at
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    assert str(event["SUMMARY"]) == "Netwerkberaad"
    assert str(event["LOCATION"]) == "Buurthuis De Kring, Utrecht"
    description = str(event["DESCRIPTION"])
    assert "Programma" in description and "besloten familiedeel" in description
    assert "tolk voor het Arabisch" in description
    assert str(mw.world.a.coordinator.email) in description
    # Nobody of the family or network is named in a file that travels.
    text = calendar.to_ical().decode()
    for name in ("Oma", "Jansen", "Kees", mw.child.last_name, mw.case.family_name):
        assert name not in text
    # The same meeting keeps its UID; a change raises the SEQUENCE.
    services.update_meeting(mw.worker, mw.case.pk, mw.meeting.pk, {"place": "Bibliotheek"}, mw.meeting.version)
    again = list(_ics(client, mw).walk("VEVENT"))[0]
    assert str(again["UID"]) == str(event["UID"]) and int(again["SEQUENCE"]) == int(event["SEQUENCE"]) + 1
    assert (
        AccessLogEntry.objects.filter(
            record_type="meeting", record_id=str(mw.meeting.pk), action="export", user=mw.world.a.case_worker
        ).count()
        == 2
    )


def test_flemish_meeting_uses_brussels_time(mw):
    from kring.meetings import documents
    from kring.meetings.queries import meeting_view

    mw.meeting.organisation.jurisdiction = "VL"
    mw.meeting.organisation.save()
    calendar = Calendar.from_ical(documents.calendar_file(meeting_view(mw.case, mw.meeting)))
    assert list(calendar.walk("VEVENT"))[0]["DTSTART"].params["TZID"] == "Europe/Brussels"


def _pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_invitation_letter_in_dutch_and_english(client, mw):
    services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)
    oma = Invitation.objects.get(person=mw.oma)
    client.force_login(mw.world.a.coordinator)
    target = reverse("meetings:letter", kwargs={"pk": mw.case.pk, "meeting_id": mw.meeting.pk, "invitation_id": oma.pk})
    response = client.get(target)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    for words in (
        "Uitnodiging",
        "Beste Oma Jansen",
        "netwerkberaad",
        "Buurthuis De Kring",
        "Programma",
        "Informatiedeel",
        "Besloten familiedeel",
        "Presentatie van het plan",
        "tolk",
        "Arabisch",
        "Coördinator",
        mw.world.a.coordinator.email,
    ):
        assert words in text, words
    english = _pdf_text(client.get(target + "?lang=en").content)
    assert "Dear Oma Jansen" in english and "Private family time" in english and "Programme" in english
    assert AccessLogEntry.objects.filter(record_type="invitation", record_id=str(oma.pk), action="export").count() == 2
    assert AccessLogEntry.objects.filter(record_type="person", record_id=str(mw.oma.pk), action="export").exists()
    # Another organisation: 404, and an invitation of another meeting is not found under this one.
    client.force_login(mw.world.b.lead)
    assert client.get(target).status_code == 404
    other = services.schedule_meeting(
        actor(mw.world.a.case_worker),
        mw.case.pk,
        mw.trajectory.pk,
        {"kind": "review", "starts_at": mw.meeting.starts_at, "ends_at": mw.meeting.ends_at, "place": "X"},
    )
    client.force_login(mw.world.a.coordinator)
    wrong = reverse("meetings:letter", kwargs={"pk": mw.case.pk, "meeting_id": other.pk, "invitation_id": oma.pk})
    assert client.get(wrong).status_code == 404
