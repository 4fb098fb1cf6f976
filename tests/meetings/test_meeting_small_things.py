"""Smaller things the walk hit (issue 14, item 12): parents are invited as parents, attendance of a meeting that
has not begun is refused before the grid is filled in (and times typed in a refused save are kept), and a letter
to a child of 9 is written for a child."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kring.meetings import services
from kring.meetings.documents import reader_of
from kring.meetings.models import Attendance, Invitation
from kring.network import services as network_services
from kring.network.models import Relationship

pytestmark = pytest.mark.django_db
D = datetime.date


def url(name, mw, **kwargs):
    return reverse(f"meetings:{name}", kwargs={"pk": mw.case.pk, **kwargs})


def _pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# ---- (a) parents are invited as parents ----------------------------------------------------------------------


def _safe_person(mw, first, relation="", **member):
    return network_services.add_network_person(
        mw.worker,
        mw.case.pk,
        {"first_name": first, "last_name": "Jansen", "relation": relation},
        {"safety": "safe", "may_invite": True, "domain": "household", **member},
    )


def test_parents_are_proposed_and_invited_as_parents(client, mw):
    mother = _safe_person(mw, "Sanne", "moeder")
    stepfather = _safe_person(mw, "Bas", "stiefvader")
    father = _safe_person(mw, "Erik")  # no relation typed: a parent link drawn by hand on the map
    network_services.add_relationship(
        mw.worker,
        mw.case.pk,
        {"kind": "parent", "subtype": "biological", "person_a": father.pk, "person_b": mw.child.pk},
    )
    aunt = _safe_person(mw, "Mila", "tante")
    client.force_login(mw.world.a.coordinator)
    page = client.get(url("invite", mw, meeting_id=mw.meeting.pk)).content.decode()
    for person, role in ((mother, "parent"), (stepfather, "parent"), (father, "parent"), (aunt, "family")):
        select = re.search(rf'<select name="role_{person.pk}"[^>]*>(.*?)</select>', page, re.S).group(1)
        assert re.search(rf'<option value="{role}" selected>', select), (person.first_name, select[:300])
    services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)
    roles = {i.person.first_name: i.role for i in Invitation.objects.select_related("person")}
    assert (roles["Sanne"], roles["Bas"], roles["Erik"], roles["Mila"]) == ("parent", "parent", "parent", "family")
    assert Relationship.objects.filter(case=mw.case, person_a=mother, person_b=mw.child, kind="parent").exists()


# ---- (b) attendance of a meeting that has not begun ------------------------------------------------------------


def _future_meeting(mw):
    start = timezone.localtime() + datetime.timedelta(days=5)
    return services.schedule_meeting(
        mw.worker,
        mw.case.pk,
        mw.trajectory.pk,
        {"kind": "review", "starts_at": start, "ends_at": start + datetime.timedelta(hours=2), "place": "Kantoor"},
    )


def test_future_meeting_shows_a_message_instead_of_the_grid(client, mw):
    meeting = _future_meeting(mw)
    client.force_login(mw.world.a.coordinator)
    response = client.get(url("attendance", mw, meeting_id=meeting.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert "nog niet begonnen" in page
    assert 'type="checkbox"' not in page and 'type="datetime-local"' not in page
    part = meeting.parts.first()
    response = client.post(
        url("attendance", mw, meeting_id=meeting.pk),
        {"version": meeting.version, f"start_{part.pk}": "2026-11-21T19:00"},
    )
    assert response.status_code == 400 and "nog niet begonnen" in response.content.decode()
    assert not Attendance.objects.exists()
    part.refresh_from_db()
    assert part.started_at is None


def test_refused_attendance_keeps_the_times_typed(client, mw):
    services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)
    parts = {p.kind: p.pk for p in mw.meeting.parts.all()}
    coordinator = f"u{mw.world.a.coordinator.pk}"
    client.force_login(mw.world.a.coordinator)
    form = {
        "version": mw.meeting.version,
        f"start_{parts['information']}": "2026-11-21T19:05",
        f"end_{parts['information']}": "2026-11-21T19:40",
        f"start_{parts['private_family_time']}": "2026-11-21T19:45",
        f"end_{parts['private_family_time']}": "2026-11-21T19:30",  # ends before it starts: refused
        f"p{parts['private_family_time']}_{coordinator}": "on",
    }
    response = client.post(url("attendance", mw, meeting_id=mw.meeting.pk), form)
    page = response.content.decode()
    assert response.status_code == 400 and 'role="alert"' in page
    for name in (f"start_{parts['information']}", f"end_{parts['private_family_time']}"):
        assert f'name="{name}" aria-label' in page
        assert re.search(rf'name="{name}" aria-label="[^"]*" value="{form[name]}"', page), name
    assert not Attendance.objects.exists()


# ---- (c) a letter to a child is written for a child -----------------------------------------------------------


@pytest.mark.parametrize(
    "born, role, reader",
    [
        (D(2017, 6, 1), "child", "child"),  # 9
        (D(2014, 12, 8), "child", "child"),  # 11, a day before 12
        (D(2014, 12, 7), "child", "youth"),  # 12 today
        (D(2008, 12, 8), "child", "youth"),  # 17
        (D(1980, 1, 1), "parent", "adult"),
        (None, "child", "youth"),
        (None, "family", "adult"),
    ],
)
def test_reader_by_age(born, role, reader):
    class Person:
        birth_date = born

    assert reader_of(Person(), role, D(2026, 12, 7)) == reader


def test_letter_to_a_child_of_nine_is_written_for_a_child(client, mw):
    today = timezone.localdate()
    mw.child.birth_date = today.replace(year=today.year - 9) - datetime.timedelta(days=30)
    mw.child.save()
    teen = _safe_person(mw, "Sem", "broer")
    teen.birth_date = today.replace(year=today.year - 14)
    teen.save()
    services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)
    client.force_login(mw.world.a.coordinator)

    def letter(person, lang="nl"):
        invitation = Invitation.objects.get(person=person)
        target = url("letter", mw, meeting_id=mw.meeting.pk, invitation_id=invitation.pk)
        return re.sub(r"\s+", " ", _pdf_text(client.get(target + f"?lang={lang}").content))

    child = letter(mw.child)
    assert "Je bent uitgenodigd!" in child and f"Hoi {mw.child.first_name}," in child
    assert "Wil jij erbij zijn?" in child and "Ik ben de coördinator." in child
    assert " u " not in child and "Laat u" not in child and "Beste" not in child
    # Short sentences: none of the child's letter's own sentences runs past 16 words.
    body = child.split(f"Hoi {mw.child.first_name},", 1)[1]
    sentences = [s for s in re.split(r"[.!?]", body.split("Zo gaat het")[0]) if s.strip()]
    assert sentences and max(len(s.split()) for s in sentences) <= 16
    assert "You are invited!" in letter(mw.child, "en")
    young = letter(teen)
    assert "Beste Sem," in young and "Laat je ons weten of je komt?" in young and "Laat u" not in young
    adult = letter(mw.oma)
    assert "Beste Oma Jansen" in adult and "Laat u ons weten" in adult
