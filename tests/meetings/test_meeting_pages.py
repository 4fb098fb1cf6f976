"""The meeting pages with the Django test client: plan, invite from the map, hold the meeting with its three
parts, record attendance per part, answers, information; outsiders get 404, co-workers cannot change."""

import datetime

import pytest
from django.urls import reverse

from kring.audit.models import AccessLogEntry
from kring.cases.choices import CaseRole
from kring.cases.models import CaseTeamMember
from kring.meetings import services
from kring.meetings.models import Attendance, Invitation, Meeting

pytestmark = pytest.mark.django_db


def url(name, mw, **kwargs):
    return reverse(f"meetings:{name}", kwargs={"pk": mw.case.pk, **kwargs})


def login(client, user):
    client.force_login(user)
    return client


def test_list_and_plan_a_meeting(client, mw):
    login(client, mw.world.a.case_worker)
    response = client.get(url("list", mw))
    assert response.status_code == 200
    assert url("create", mw, trajectory_id=mw.trajectory.pk) in response.content.decode()
    assert url("detail", mw, meeting_id=mw.meeting.pk) in response.content.decode()
    response = client.get(url("create", mw, trajectory_id=mw.trajectory.pk))
    assert response.status_code == 200 and 'value="network_meeting" selected' in response.content.decode()
    response = client.post(
        url("create", mw, trajectory_id=mw.trajectory.pk),
        {
            "kind": "conference",
            "starts_at": "2027-03-04T19:00",
            "ends_at": "2027-03-04T22:00",
            "place": "Wijkcentrum",
            "language": "Nederlands",
            "interpreter_language": "",
        },
    )
    meeting = Meeting.objects.exclude(pk=mw.meeting.pk).get()
    assert response.status_code == 302 and response.url == url("detail", mw, meeting_id=meeting.pk)
    assert meeting.starts_at.astimezone(datetime.UTC).hour == 18  # 19:00 in Amsterdam, winter time
    response = client.post(
        url("create", mw, trajectory_id=mw.trajectory.pk),
        {
            "kind": "conference",
            "starts_at": "2027-03-04T19:00",
            "ends_at": "2027-03-04T18:00",
            "place": "X",
            "language": "Nederlands",
        },
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()


def test_invite_from_the_map(client, mw):
    login(client, mw.world.a.case_worker)
    response = client.get(url("invite", mw, meeting_id=mw.meeting.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'name="person" value="{mw.oma.pk}" id="person-{mw.oma.pk}" checked' in page
    assert f'name="person" value="{mw.kees.pk}" id="person-{mw.kees.pk}">' in page  # offered, not ticked
    assert f'name="reason_{mw.kees.pk}"' in page and f'name="reason_{mw.oma.pk}"' not in page
    assert AccessLogEntry.objects.filter(record_type="person", record_id=str(mw.kees.pk), action="view").exists()
    # Kees without a reason: refused, nothing saved.
    response = client.post(url("invite", mw, meeting_id=mw.meeting.pk), {"person": [mw.oma.pk, mw.kees.pk]})
    assert response.status_code == 400 and "Kees Onveilig" in response.content.decode()
    assert not Invitation.objects.exists()
    response = client.post(
        url("invite", mw, meeting_id=mw.meeting.pk),
        {"person": [mw.child.pk, mw.oma.pk, mw.juf.pk], f"role_{mw.oma.pk}": "trusted_person"},
    )
    assert response.status_code == 302
    assert dict(Invitation.objects.values_list("person_id", "role")) == {
        mw.child.pk: "child",
        mw.oma.pk: "trusted_person",
        mw.juf.pk: "information_giver",
    }
    page = client.get(url("detail", mw, meeting_id=mw.meeting.pk)).content.decode()
    assert (
        "Oma Jansen" in page
        and url("letter", mw, meeting_id=mw.meeting.pk, invitation_id=Invitation.objects.get(person=mw.oma).pk) in page
    )


def test_hold_the_meeting_and_record_attendance_per_part(client, mw):
    services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)
    login(client, mw.world.a.coordinator)
    parts = {p.kind: p.pk for p in mw.meeting.parts.all()}
    inv = {i.person_id: f"i{i.pk}" for i in Invitation.objects.all()}
    coordinator = f"u{mw.world.a.coordinator.pk}"
    page = client.get(url("attendance", mw, meeting_id=mw.meeting.pk)).content.decode()
    # The coordinator's and the teacher's boxes in private time are disabled.
    assert f'name="p{parts["private_family_time"]}_{coordinator}"' in page
    private_cell = page.split(f'name="p{parts["private_family_time"]}_{coordinator}"')[1].split(">")[0]
    assert "disabled" in private_cell
    form = {
        "version": mw.meeting.version,
        f"start_{parts['information']}": "2026-11-21T19:00",
        f"end_{parts['information']}": "2026-11-21T19:40",
    }
    for kind in ("information", "private_family_time", "plan_presentation"):
        for person in (mw.child, mw.oma, mw.piet):
            form[f"p{parts[kind]}_{inv[person.pk]}"] = "on"
    form[f"p{parts['information']}_{coordinator}"] = "on"
    form[f"p{parts['information']}_{inv[mw.juf.pk]}"] = "on"
    # First with the coordinator ticked in private time (a hand-made post): refused, nothing saved.
    bad = dict(form, **{f"p{parts['private_family_time']}_{coordinator}": "on"})
    response = client.post(url("attendance", mw, meeting_id=mw.meeting.pk), bad)
    assert response.status_code == 400 and not Attendance.objects.exists()
    response = client.post(url("attendance", mw, meeting_id=mw.meeting.pk), form)
    assert response.status_code == 302
    assert Attendance.objects.filter(present=True).count() == 11
    page = client.get(url("detail", mw, meeting_id=mw.meeting.pk)).content.decode()
    assert 'class="private-holds"' in page and "private-broken" not in page
    # The same form again is stale: 409, nothing changed.
    response = client.post(url("attendance", mw, meeting_id=mw.meeting.pk), form)
    assert response.status_code == 409


def test_answer_and_stale_answer(client, mw):
    services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)
    oma = Invitation.objects.get(person=mw.oma)
    login(client, mw.world.a.case_worker)
    target = url("invitation", mw, meeting_id=mw.meeting.pk, invitation_id=oma.pk)
    assert client.get(target).status_code == 200
    data = {
        "role": "family",
        "answer": "maybe",
        "mode": "phone",
        "represented_by_name": "",
        "preparation_contact_on": "2026-11-01",
        "preparation_note": "Gebeld",
        "version": 1,
    }
    assert client.post(target, data).status_code == 302
    oma.refresh_from_db()
    assert (oma.answer, oma.mode, oma.preparation_contact_on) == ("maybe", "phone", datetime.date(2026, 11, 1))
    response = client.post(target, dict(data, answer="no", mode=""))
    assert response.status_code == 409
    assert Invitation.objects.get(pk=oma.pk).answer == "maybe"


def test_information_and_cancel(client, mw):
    login(client, mw.world.a.case_worker)
    target = url("contribution", mw, meeting_id=mw.meeting.pk)
    assert client.get(target).status_code == 200
    response = client.post(
        target,
        {
            "author_user": mw.world.a.case_worker.pk,
            "author_name": "",
            "author_organisation": "Jeugdteam",
            "text": "Het gaat beter op school.",
        },
    )
    assert response.status_code == 302
    page = client.get(url("detail", mw, meeting_id=mw.meeting.pk)).content.decode()
    contribution = mw.meeting.contributions.get()
    share = url("contribution_share", mw, meeting_id=mw.meeting.pk, contribution_id=contribution.pk)
    assert share in page
    assert client.post(share, {"shared_on": "2026-11-02"}).status_code == 302
    page = client.get(url("detail", mw, meeting_id=mw.meeting.pk)).content.decode()
    assert "Het gaat beter op school." in page
    edit = client.get(url("edit", mw, meeting_id=mw.meeting.pk))
    assert edit.status_code == 200
    response = client.post(url("cancel", mw, meeting_id=mw.meeting.pk), {"version": 1, "cancel_reason": "Ziek"})
    assert response.status_code == 302
    assert Meeting.objects.get(pk=mw.meeting.pk).status == "cancelled"


def test_outsiders_get_404_and_co_workers_cannot_change(client, mw):
    for user in (mw.world.b.case_worker, mw.world.a.other_worker, mw.world.a.researcher):
        login(client, user)
        for name, kwargs in (
            ("list", {}),
            ("detail", {"meeting_id": mw.meeting.pk}),
            ("calendar", {"meeting_id": mw.meeting.pk}),
            ("invite", {"meeting_id": mw.meeting.pk}),
        ):
            assert client.get(url(name, mw, **kwargs)).status_code == 404, (user, name)
    CaseTeamMember.objects.create(
        case=mw.case, organisation=mw.world.a.org, user=mw.world.a.other_worker, role=CaseRole.CO_WORKER
    )
    login(client, mw.world.a.other_worker)
    page = client.get(url("detail", mw, meeting_id=mw.meeting.pk))
    assert page.status_code == 200 and url("invite", mw, meeting_id=mw.meeting.pk) not in page.content.decode()
    response = client.post(url("invite", mw, meeting_id=mw.meeting.pk), {"person": [mw.oma.pk]})
    assert response.status_code == 403 and not Invitation.objects.exists()
    response = client.post(url("attendance", mw, meeting_id=mw.meeting.pk), {"version": 1})
    assert response.status_code == 403
    assert client.get(url("detail", mw, meeting_id=99999)).status_code == 404
