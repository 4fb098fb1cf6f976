"""Words for the child's age in the meeting letter (issue 16 item 4): the age decides, whatever the role the
child was invited in; a child under 8 has the letter read aloud. PDF read back with pypdf."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kring.meetings import services as meeting_services
from kring.meetings.documents import reader_of
from kring.meetings.models import Invitation

pytestmark = pytest.mark.django_db


def aged(person, years, days=30):
    today = timezone.localdate()
    person.birth_date = today.replace(year=today.year - years) - datetime.timedelta(days=days)
    person.save()
    return person


def letter(client, mw, invitation, lang="nl"):
    target = reverse(
        "meetings:letter", kwargs={"pk": mw.case.pk, "meeting_id": mw.meeting.pk, "invitation_id": invitation.pk}
    )
    response = client.get(target + f"?lang={lang}")
    assert response.status_code == 200, response.content[:300]
    pages = PdfReader(io.BytesIO(response.content)).pages
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() or "" for page in pages))


@pytest.mark.parametrize("role", ["child", "family", "network_member", "parent", "other"])
def test_an_eleven_year_old_gets_the_childs_letter_in_any_role(mw, client, role):
    child = aged(mw.child, 11)
    meeting_services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)
    invitation = Invitation.objects.get(person=child)
    if invitation.role != role:
        meeting_services.update_invitation(
            mw.worker, mw.case.pk, mw.meeting.pk, invitation.pk, {"role": role}, invitation.version
        )
        invitation.refresh_from_db()
    assert invitation.role == role
    client.force_login(mw.world.a.coordinator)
    text = letter(client, mw, invitation)
    assert "Je bent uitgenodigd!" in text and f"Hoi {child.first_name}," in text
    assert "Laat u" not in text and " u " not in text and "Beste" not in text
    assert "lees deze brief voor" not in text  # 11 reads it alone
    english = letter(client, mw, invitation, "en")
    assert "You are invited!" in english and "Dear" not in english


def test_a_child_under_eight_has_the_letter_read_aloud(mw, client):
    child = aged(mw.child, 6)
    meeting_services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)
    client.force_login(mw.world.a.coordinator)
    invitation = Invitation.objects.get(person=child)
    assert f"Voor de volwassene: lees deze brief voor aan {child.first_name}." in letter(client, mw, invitation)
    assert "please read this letter aloud" in letter(client, mw, invitation, "en")


@pytest.mark.parametrize(
    "years, role, reader",
    [(11, "network_member", "child"), (11, "family", "child"), (13, "other", "youth"), (40, "child", "adult")],
)
def test_the_age_decides_not_the_role(years, role, reader):
    class Person:
        birth_date = datetime.date(2026 - years, 1, 1)

    assert reader_of(Person(), role, datetime.date(2026, 12, 7)) == reader
