"""Meeting services: parts per kind and method, validation, permissions, invitations from the map (safe only,
unless a reason is given), the private-time rule, stale edits and the access log."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kring.audit.models import AccessLogEntry
from kring.cases.choices import CaseRole
from kring.cases.models import CaseTeamMember
from kring.core.errors import NotFound, StaleEdit
from kring.meetings import core, queries, services
from kring.meetings.choices import InvitationRole, MeetingKind, PartKind
from kring.meetings.documents import KIND_WORDS, PART_WORDS
from kring.meetings.models import Attendance, Invitation, Meeting
from tests.factories import actor

pytestmark = pytest.mark.django_db


def _data(start=None, **changes):
    start = start or timezone.localtime() + datetime.timedelta(days=10)
    data = {
        "kind": "network_meeting",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=2),
        "place": "Gemeentehuis",
        "language": "Nederlands",
    }
    data.update(changes)
    return data


def test_core_lists_match_the_choices_and_the_document_words():
    assert set(core.MEETING_KINDS) == set(MeetingKind.values) == set(KIND_WORDS["nl"]) == set(KIND_WORDS["en"])
    assert set(core.PART_KINDS) == set(PartKind.values) == set(PART_WORDS["nl"]) == set(PART_WORDS["en"])
    assert set(core.INVITATION_ROLES) == set(InvitationRole.values)
    for kinds in core.DEFAULT_PARTS.values():
        assert set(kinds) <= set(core.PART_KINDS)


def test_default_parts_follow_kind_and_method():
    assert core.default_parts("conference") == [
        ("information", False),
        ("private_family_time", True),
        ("plan_presentation", False),
    ]
    assert core.default_parts("review") == [("review", False)]
    assert [k for k, _p in core.default_parts("path_session")][0] == "path_north_star"
    school = [k for k, _p in core.default_parts("hergo_circle", "hergo", "school")]
    justice = core.default_parts("hergo_circle", "hergo", "justice")
    assert school == ["conversation", "repair", "agreements"]
    assert ("statement_of_intent", True) in justice
    with pytest.raises(ValueError):
        core.default_parts("party")


def test_schedule_creates_the_method_parts_and_logs(mw):
    parts = list(mw.meeting.parts.values_list("kind", "private", "order"))
    assert parts == [("information", False, 1), ("private_family_time", True, 2), ("plan_presentation", False, 3)]
    assert mw.meeting.organisation_id == mw.case.organisation_id
    assert AccessLogEntry.objects.filter(
        record_type="meeting", record_id=str(mw.meeting.pk), action="create", user=mw.world.a.case_worker
    ).exists()


def test_schedule_validates_dates_interpreter_and_parts(mw):
    start = timezone.localtime() + datetime.timedelta(days=3)
    with pytest.raises(ValidationError) as error:
        services.schedule_meeting(mw.worker, mw.case.pk, mw.trajectory.pk, _data(start, ends_at=start))
    assert "ends_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.schedule_meeting(mw.worker, mw.case.pk, mw.trajectory.pk, _data(interpreter_needed=True))
    assert "interpreter_language" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.schedule_meeting(
            mw.worker, mw.case.pk, mw.trajectory.pk, _data(timezone.make_aware(datetime.datetime(2025, 1, 1, 10)))
        )
    assert "starts_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.schedule_meeting(mw.worker, mw.case.pk, mw.trajectory.pk, _data(kind="party"))
    assert "kind" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.schedule_meeting(mw.worker, mw.case.pk, mw.trajectory.pk, _data(parts=["dancing"]))
    assert "parts" in error.value.message_dict
    assert Meeting.objects.count() == 1


def test_naive_times_are_the_organisations_local_time(mw):
    meeting = services.schedule_meeting(
        mw.worker, mw.case.pk, mw.trajectory.pk, _data(datetime.datetime(2027, 7, 1, 19, 0))
    )
    assert meeting.starts_at.astimezone(datetime.UTC).hour == 17  # Amsterdam summer time is UTC+2


def test_who_may_plan(mw):
    w = mw.world
    # The trajectory's coordinator and the team lead may; another organisation's user gets NotFound.
    services.schedule_meeting(actor(w.a.coordinator), mw.case.pk, mw.trajectory.pk, _data())
    services.schedule_meeting(actor(w.a.lead), mw.case.pk, mw.trajectory.pk, _data())
    with pytest.raises(NotFound):
        services.schedule_meeting(actor(w.b.case_worker), mw.case.pk, mw.trajectory.pk, _data())
    with pytest.raises(NotFound):
        services.schedule_meeting(actor(w.a.other_worker), mw.case.pk, mw.trajectory.pk, _data())
    # A co-worker on the case team reads, but cannot change.
    CaseTeamMember.objects.create(case=mw.case, organisation=w.a.org, user=w.a.other_worker, role=CaseRole.CO_WORKER)
    w.a.other_worker.__dict__.pop("_kring_scope", None)
    with pytest.raises(PermissionDenied):
        services.schedule_meeting(actor(w.a.other_worker), mw.case.pk, mw.trajectory.pk, _data())
    with pytest.raises(PermissionDenied):
        services.invite_from_map(actor(w.a.other_worker), mw.case.pk, mw.meeting.pk)
    assert queries.meeting_detail(actor(w.a.other_worker), mw.case.pk, mw.meeting.pk).meeting == mw.meeting
    assert AccessLogEntry.objects.filter(user=w.a.other_worker, action="denied", case_id=mw.case.pk).exists()
    with pytest.raises(NotFound):
        queries.meeting_detail(actor(w.b.lead), mw.case.pk, mw.meeting.pk)


def test_invite_from_map_takes_only_safe_persons(mw):
    created = services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)
    invited = {i.person_id: i for i in created}
    assert set(invited) == {mw.child.pk, mw.oma.pk, mw.piet.pk, mw.juf.pk}
    assert mw.kees.pk not in invited and mw.sibling.pk not in invited
    assert invited[mw.child.pk].role == "child"
    assert invited[mw.juf.pk].role == "information_giver"
    assert invited[mw.oma.pk].role == "family"
    # Again: nobody twice.
    assert services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk) == []
    assert AccessLogEntry.objects.filter(record_type="invitation", action="create").count() == 4
    assert AccessLogEntry.objects.filter(
        record_type="person", action="create", record_id=str(mw.oma.pk), path=""
    ).exists()


def test_unsafe_person_needs_a_reason(mw):
    with pytest.raises(ValidationError) as error:
        services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk, [mw.kees.pk])
    assert "Kees Onveilig" in error.value.message_dict["persons"][0]
    with pytest.raises(ValidationError):
        services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk, [mw.sibling.pk])
    with pytest.raises(ValidationError):
        services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk, [999999])
    assert not Invitation.objects.exists()
    created = services.invite_from_map(
        mw.worker,
        mw.case.pk,
        mw.meeting.pk,
        [mw.kees.pk],
        overrides={mw.kees.pk: "De vader wil hem erbij; afspraken met politie."},
    )
    assert created[0].unsafe_override_reason.startswith("De vader")


def test_person_of_another_case_cannot_be_invited(mw):
    other = mw.world.b.case.persons.first()
    with pytest.raises(ValidationError):
        services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk, [other.pk], overrides={other.pk: "x"})


def _keys(mw):
    invitations = {i.person_id: i for i in services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)}
    parts = {p.kind: p for p in mw.meeting.parts.all()}
    return invitations, parts


def test_private_family_time_refuses_professionals_and_the_coordinator(mw):
    invitations, parts = _keys(mw)
    private = parts["private_family_time"].pk
    coordinator = f"u{mw.world.a.coordinator.pk}"
    with pytest.raises(ValidationError) as error:
        services.record_attendance(mw.worker, mw.case.pk, mw.meeting.pk, [(private, coordinator)])
    assert "coordinator" in error.value.message_dict["attendance"][0]
    juf = f"i{invitations[mw.juf.pk].pk}"
    with pytest.raises(ValidationError) as error:
        services.record_attendance(mw.worker, mw.case.pk, mw.meeting.pk, [(private, juf)])
    assert "Anna Juf" in error.value.message_dict["attendance"][0]
    worker = f"u{mw.world.a.case_worker.pk}"
    with pytest.raises(ValidationError):
        services.record_attendance(mw.worker, mw.case.pk, mw.meeting.pk, [(private, worker)])
    assert not Attendance.objects.exists()


def test_attendance_grid_is_saved_and_private_time_shown_to_hold(mw):
    invitations, parts = _keys(mw)
    family = [f"i{invitations[p.pk].pk}" for p in (mw.child, mw.oma, mw.piet)]
    professionals = [f"i{invitations[mw.juf.pk].pk}", f"u{mw.world.a.coordinator.pk}", f"u{mw.world.a.case_worker.pk}"]
    present = [(parts["information"].pk, k) for k in family + professionals]
    present += [(parts["private_family_time"].pk, k) for k in family]
    present += [(parts["plan_presentation"].pk, k) for k in family + professionals[1:]]
    start = mw.meeting.starts_at
    times = {
        parts["information"].pk: (start, start + datetime.timedelta(minutes=45)),
        parts["private_family_time"].pk: (start + datetime.timedelta(minutes=50), start + datetime.timedelta(hours=2)),
    }
    meeting = services.record_attendance(
        mw.worker, mw.case.pk, mw.meeting.pk, present, times, expected_version=mw.meeting.version
    )
    assert meeting.status == "held"
    # Every cell of the grid is stored: (4 invitees + case worker + coordinator) x 3 parts.
    rows = Attendance.objects.filter(part__meeting=meeting)
    assert rows.count() == 18
    assert rows.filter(present=True).count() == len(present)
    assert rows.filter(part=parts["private_family_time"], present=False).count() == 3
    view = queries.meeting_detail(mw.worker, mw.case.pk, mw.meeting.pk)
    assert view.private_time_holds is True
    check = view.private_checks[0]
    assert sorted(check.present) == sorted(["Kind0 " + mw.child.last_name, "Oma Jansen", "Piet de Buurman"])
    assert view.parts[1].started_at == times[parts["private_family_time"].pk][0]
    assert AccessLogEntry.objects.filter(record_type="attendance", action="update").exists()
    # A stale grid is refused.
    with pytest.raises(StaleEdit):
        services.record_attendance(mw.worker, mw.case.pk, mw.meeting.pk, present, expected_version=mw.meeting.version)
    # Someone present in private time cannot become a professional afterwards.
    oma = invitations[mw.oma.pk]
    with pytest.raises(ValidationError) as error:
        services.update_invitation(
            mw.worker, mw.case.pk, mw.meeting.pk, oma.pk, {"role": "information_giver"}, oma.version
        )
    assert "role" in error.value.message_dict


def test_attendance_checks_parts_attendees_and_times(mw):
    invitations, parts = _keys(mw)
    oma = f"i{invitations[mw.oma.pk].pk}"
    other = services.schedule_meeting(
        mw.worker, mw.case.pk, mw.trajectory.pk, _data(mw.meeting.starts_at - datetime.timedelta(hours=1))
    )
    foreign_part = other.parts.first().pk
    for present in (
        [(foreign_part, oma)],
        [(parts["information"].pk, "i999999")],
        [(parts["information"].pk, f"u{mw.world.b.case_worker.pk}")],
    ):
        with pytest.raises(ValidationError):
            services.record_attendance(mw.worker, mw.case.pk, mw.meeting.pk, present)
    start = mw.meeting.starts_at
    with pytest.raises(ValidationError):
        services.record_attendance(
            mw.worker,
            mw.case.pk,
            mw.meeting.pk,
            [],
            {parts["information"].pk: (start, start - datetime.timedelta(minutes=5))},
        )
    future = services.schedule_meeting(mw.worker, mw.case.pk, mw.trajectory.pk, _data())
    with pytest.raises(ValidationError):
        services.record_attendance(mw.worker, mw.case.pk, future.pk, [])


def test_stale_meeting_edit_is_refused_with_the_changes(mw):
    first = mw.meeting.version
    services.update_meeting(actor(mw.world.a.coordinator), mw.case.pk, mw.meeting.pk, {"place": "Bibliotheek"}, first)
    with pytest.raises(StaleEdit) as error:
        services.update_meeting(mw.worker, mw.case.pk, mw.meeting.pk, {"place": "School"}, first)
    place_label = str(Meeting._meta.get_field("place").verbose_name)
    assert any(str(label) == place_label and new == "Bibliotheek" for label, _old, new, _who in error.value.changes)
    assert Meeting.objects.get(pk=mw.meeting.pk).place == "Bibliotheek"


def test_changing_the_kind_brings_its_parts(mw):
    meeting = services.update_meeting(mw.worker, mw.case.pk, mw.meeting.pk, {"kind": "review"}, mw.meeting.version)
    assert list(meeting.parts.values_list("kind", flat=True)) == ["review"]


def test_invitation_answers_and_stale_edit(mw):
    invitations, _parts = _keys(mw)
    oma = invitations[mw.oma.pk]
    today = timezone.localdate()
    oma = services.update_invitation(
        mw.worker,
        mw.case.pk,
        mw.meeting.pk,
        oma.pk,
        {
            "answer": "yes",
            "mode": "in_person",
            "preparation_contact_on": today,
            "preparation_note": "Thuis bezocht.",
        },
        oma.version,
    )
    assert (oma.answer, oma.version) == ("yes", 2)
    with pytest.raises(StaleEdit):
        services.update_invitation(mw.worker, mw.case.pk, mw.meeting.pk, oma.pk, {"answer": "no"}, 1)
    piet = invitations[mw.piet.pk]
    bad = [
        ({"answer": "yes", "mode": "represented"}, "represented_by_name"),
        ({"answer": "yes", "preparation_contact_on": today + datetime.timedelta(days=1)}, "preparation_contact_on"),
        ({"represented_by_person": mw.piet.pk}, "represented_by_person"),
        ({"represented_by_person": mw.world.b.case.persons.first().pk}, "represented_by_person"),
        ({"answer": "perhaps"}, "answer"),
        ({"mode": "phone"}, "mode"),
    ]
    for changes, field in bad:
        with pytest.raises(ValidationError) as error:
            services.update_invitation(mw.worker, mw.case.pk, mw.meeting.pk, piet.pk, changes, piet.version)
        assert field in error.value.message_dict, changes
    piet = services.update_invitation(
        mw.worker,
        mw.case.pk,
        mw.meeting.pk,
        piet.pk,
        {"answer": "yes", "mode": "represented", "represented_by_person": mw.oma.pk},
        piet.version,
    )
    assert piet.represented_by == "Oma Jansen"
    assert Invitation.history.filter(id=piet.pk).count() == 2


def test_information_is_shown_only_when_shared_with_all(mw):
    draft = services.add_contribution(
        mw.worker,
        mw.case.pk,
        mw.meeting.pk,
        {"author_name": "Dr. Bakker", "author_organisation": "GGD", "text": "Zorgen over de gezondheid."},
    )
    view = queries.meeting_detail(mw.worker, mw.case.pk, mw.meeting.pk)
    assert view.contributions == [] and view.unshared == [draft]
    with pytest.raises(ValidationError):
        services.add_contribution(mw.worker, mw.case.pk, mw.meeting.pk, {"text": "Zonder auteur"})
    with pytest.raises(ValidationError):
        services.add_contribution(
            mw.worker,
            mw.case.pk,
            mw.meeting.pk,
            {"author_user": mw.world.a.case_worker.pk, "text": "x", "shared_with_all": True},
        )
    with pytest.raises(ValidationError):
        services.add_contribution(
            mw.worker, mw.case.pk, mw.meeting.pk, {"author_user": mw.world.b.case_worker.pk, "text": "x"}
        )
    services.share_contribution(mw.worker, mw.case.pk, mw.meeting.pk, draft.pk, timezone.localdate())
    view = queries.meeting_detail(mw.worker, mw.case.pk, mw.meeting.pk)
    assert [c.pk for c in view.contributions] == [draft.pk] and view.unshared == []


def test_cancel_needs_a_reason_and_ends_changes(mw):
    with pytest.raises(ValidationError):
        services.cancel_meeting(mw.worker, mw.case.pk, mw.meeting.pk, " ", mw.meeting.version)
    meeting = services.cancel_meeting(mw.worker, mw.case.pk, mw.meeting.pk, "Oma ziek", mw.meeting.version)
    assert meeting.status == "cancelled"
    with pytest.raises(ValidationError):
        services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)


def test_ended_trajectory_gets_no_meetings(mw):
    from kring.trajectories import services as trajectory_services

    trajectory_services.change_status(
        mw.worker, mw.case.pk, mw.trajectory.pk, "abandoned", datetime.date(2026, 2, 4), reason="family_withdrew"
    )
    with pytest.raises(ValidationError):
        services.schedule_meeting(mw.worker, mw.case.pk, mw.trajectory.pk, _data())


def test_add_a_method_part(mw):
    part = services.add_part(
        mw.worker, mw.case.pk, mw.meeting.pk, "other", "Afsluitend ritueel", expected_version=mw.meeting.version
    )
    assert (part.order, part.private, part.name) == (4, False, "Afsluitend ritueel")
    with pytest.raises(ValidationError):
        services.add_part(mw.worker, mw.case.pk, mw.meeting.pk, "other", "")
