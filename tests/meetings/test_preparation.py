"""The preparation of a meeting (issue 16, items 1, 5 and 7): the question agreed by the family, the case worker
and the coordinator; visits; who will not come and why; logistics with costs against a budget; the plan keeper;
an interpreter per part; how someone took part; the https-only video link. Services, on the real database."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kring.audit.models import AccessLogEntry
from kring.cases.choices import CaseRole
from kring.cases.models import CaseTeamMember
from kring.core.errors import NotFound, StaleEdit
from kring.meetings import core, queries, services
from kring.meetings.choices import Presence
from kring.meetings.models import (
    Attendance,
    ConferenceQuestion,
    InterpreterBooking,
    MeetingCost,
    MeetingLogistics,
    PreparationVisit,
)
from tests.factories import actor

pytestmark = pytest.mark.django_db


def coordinator(mw):
    return actor(mw.world.a.coordinator)


def test_the_presence_codes_of_the_core_and_the_choices_are_equal():
    assert tuple(Presence.values) == core.PRESENCES


def test_a_question_is_agreed_once_the_family_the_case_worker_and_the_coordinator_agreed(mw):
    question = services.add_question(coordinator(mw), mw.case.pk, mw.meeting.pk, "  Hoe blijft Lieke veilig thuis?  ")
    assert question.text == "Hoe blijft Lieke veilig thuis?" and question.order == 1 and not question.agreed
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    question = services.agree_question(
        coordinator(mw),
        mw.case.pk,
        mw.meeting.pk,
        question.pk,
        "family",
        question.version,
        person=mw.oma.pk,
        on=yesterday,
    )
    assert question.family_agreed_by == mw.oma and question.family_agreed_on == yesterday and not question.agreed
    question = services.agree_question(
        coordinator(mw), mw.case.pk, mw.meeting.pk, question.pk, "coordinator", question.version
    )
    assert question.coordinator_agreed_by == mw.world.a.coordinator and not question.agreed
    question = services.agree_question(
        mw.worker, mw.case.pk, mw.meeting.pk, question.pk, "case_worker", question.version
    )
    assert question.case_worker_agreed_by == mw.world.a.case_worker
    assert question.case_worker_agreed_on == timezone.localdate()
    assert question.agreed and ConferenceQuestion.objects.get().agreed
    assert AccessLogEntry.objects.filter(record_type="person", record_id=str(mw.oma.pk), action="update").exists()


def test_a_new_text_clears_the_agreements_and_the_history_keeps_them(mw):
    question = services.add_question(coordinator(mw), mw.case.pk, mw.meeting.pk, "Wat is er nodig?")
    for party, kwargs in (("family", {"person": mw.child.pk}), ("coordinator", {}), ("case_worker", {})):
        who = mw.worker if party == "case_worker" else coordinator(mw)
        question = services.agree_question(
            who, mw.case.pk, mw.meeting.pk, question.pk, party, question.version, **kwargs
        )
    assert question.agreed
    old_version = question.version
    # The same text again is no new version.
    same = services.change_question(
        coordinator(mw), mw.case.pk, mw.meeting.pk, question.pk, "Wat is er nodig?", old_version
    )
    assert same.version == old_version and same.agreed
    question = services.change_question(
        coordinator(mw),
        mw.case.pk,
        mw.meeting.pk,
        question.pk,
        "Wat is er nodig zodat Lieke thuis kan blijven?",
        old_version,
    )
    assert question.version == old_version + 1 and not question.agreed
    assert question.family_agreed_by is None and question.coordinator_agreed_on is None
    kept = question.history.filter(version=old_version).first()
    assert kept.text == "Wat is er nodig?" and kept.family_agreed_by_id == mw.child.pk


def test_an_agreement_on_an_old_text_is_refused_and_nothing_stored(mw):
    question = services.add_question(coordinator(mw), mw.case.pk, mw.meeting.pk, "Eerste tekst")
    read = question.version
    services.change_question(mw.worker, mw.case.pk, mw.meeting.pk, question.pk, "Tweede tekst", read)
    with pytest.raises(StaleEdit):
        services.agree_question(
            coordinator(mw), mw.case.pk, mw.meeting.pk, question.pk, "family", read, person=mw.oma.pk
        )
    with pytest.raises(ValidationError):
        # Without the version read, no agreement at all.
        services.agree_question(
            coordinator(mw), mw.case.pk, mw.meeting.pk, question.pk, "family", None, person=mw.oma.pk
        )
    stored = ConferenceQuestion.objects.get()
    assert stored.family_agreed_on is None and stored.text == "Tweede tekst"
    with pytest.raises(StaleEdit):
        services.change_question(mw.worker, mw.case.pk, mw.meeting.pk, question.pk, "Derde tekst", read)
    assert ConferenceQuestion.objects.get().text == "Tweede tekst"


def test_only_persons_and_users_of_this_case_can_agree(mw):
    question = services.add_question(coordinator(mw), mw.case.pk, mw.meeting.pk, "Vraag")
    stranger = mw.world.b.case.persons.first()
    cases = [
        ({"party": "family", "person": stranger.pk}, "person"),
        ({"party": "family"}, "person"),
        ({"party": "family", "person": "abc"}, "person"),
        ({"party": "case_worker", "user": mw.world.b.case_worker.pk}, "user"),
        ({"party": "case_worker", "user": mw.world.a.other_worker.pk}, "user"),
        ({"party": "coordinator", "user": mw.world.a.case_worker.pk}, "user"),
        ({"party": "the neighbours"}, "party"),
        ({"party": "family", "person": mw.oma.pk, "on": timezone.localdate() + datetime.timedelta(days=1)}, "on"),
    ]
    for kwargs, field in cases:
        kwargs = dict(kwargs)
        party = kwargs.pop("party")
        with pytest.raises(ValidationError) as error:
            services.agree_question(
                coordinator(mw), mw.case.pk, mw.meeting.pk, question.pk, party, question.version, **kwargs
            )
        assert field in error.value.message_dict, kwargs
    stored = ConferenceQuestion.objects.get()
    assert (stored.version, stored.family_agreed_on, stored.case_worker_agreed_on) == (1, None, None)


def test_outside_the_case_team_nothing_is_prepared_and_the_refusal_is_logged(mw):
    question = services.add_question(coordinator(mw), mw.case.pk, mw.meeting.pk, "Vraag")
    # A co-worker on the case team sees the case but may not change it.
    CaseTeamMember.objects.create(
        case=mw.case, organisation=mw.world.a.org, user=mw.world.a.other_worker, role=CaseRole.CO_WORKER
    )
    with pytest.raises(NotFound):
        services.add_question(actor(mw.world.b.case_worker), mw.case.pk, mw.meeting.pk, "Andere vraag")
    with pytest.raises(PermissionDenied):
        services.agree_question(
            actor(mw.world.a.other_worker), mw.case.pk, mw.meeting.pk, question.pk, "case_worker", question.version
        )
    with pytest.raises(PermissionDenied):
        services.add_cost(actor(mw.world.a.other_worker), mw.case.pk, mw.meeting.pk, {"what": "Koffie", "amount": "5"})
    assert AccessLogEntry.objects.filter(user=mw.world.a.other_worker, action="denied").count() == 2
    assert ConferenceQuestion.objects.count() == 1 and not MeetingCost.objects.exists()
    with pytest.raises(NotFound):
        queries.preparation(actor(mw.world.b.case_worker), mw.case.pk, mw.meeting.pk)


def test_visits_are_with_persons_of_the_case(mw):
    visit = services.record_visit(
        coordinator(mw),
        mw.case.pk,
        mw.meeting.pk,
        {"person": mw.oma.pk, "visited_on": timezone.localdate(), "how": "video", "note": "Oma komt graag."},
    )
    assert (visit.person, visit.how) == (mw.oma, "video")
    stranger = mw.world.b.case.persons.first()
    for data, field in (
        ({"person": stranger.pk, "visited_on": timezone.localdate()}, "person"),
        ({"person": mw.oma.pk, "visited_on": timezone.localdate() + datetime.timedelta(days=2)}, "visited_on"),
        ({"person": mw.oma.pk, "visited_on": timezone.localdate(), "how": "pigeon"}, "how"),
        ({"person": mw.oma.pk, "visited_on": timezone.localdate(), "colour": "red"}, "colour"),
    ):
        with pytest.raises(ValidationError) as error:
            services.record_visit(coordinator(mw), mw.case.pk, mw.meeting.pk, data)
        assert field in error.value.message_dict
    assert PreparationVisit.objects.count() == 1


def test_who_will_not_come_and_why(mw):
    invitation = services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk, [mw.piet.pk])[0]
    with pytest.raises(ValidationError) as error:
        services.update_invitation(
            coordinator(mw),
            mw.case.pk,
            mw.meeting.pk,
            invitation.pk,
            {"answer": "yes", "not_coming_reason": "Werk"},
            invitation.version,
        )
    assert "not_coming_reason" in error.value.message_dict
    invitation = services.update_invitation(
        coordinator(mw),
        mw.case.pk,
        mw.meeting.pk,
        invitation.pk,
        {"answer": "no", "not_coming_reason": "Werkt 's avonds", "preparation_contact_on": timezone.localdate()},
        invitation.version,
    )
    assert invitation.not_coming_reason == "Werkt 's avonds"


def test_logistics_with_a_plan_keeper_and_costs_over_budget_warned_not_refused(mw):
    assert services.logistics_of(mw.meeting).version == 0
    logistics = services.save_logistics(
        coordinator(mw),
        mw.case.pk,
        mw.meeting.pk,
        {
            "date_chosen_by_family": True,
            "food": "Soep en broodjes, halal",
            "travel": "Oma wordt opgehaald",
            "childcare": "Buurvrouw past op de kleintjes",
            "budget": Decimal("100.00"),
            "plan_keeper": mw.oma.pk,
            "plan_keeper_chosen_by": "Moeder en Lieke",
            "plan_keeper_chosen_on": timezone.localdate(),
        },
        0,
    )
    assert logistics.version == 1 and logistics.plan_keeper == mw.oma
    # A second first save (someone else saved in between) is stale; nothing changes.
    with pytest.raises(StaleEdit):
        services.save_logistics(coordinator(mw), mw.case.pk, mw.meeting.pk, {"food": "Pizza"}, 0)
    assert MeetingLogistics.objects.get().food == "Soep en broodjes, halal"
    stranger = mw.world.b.case.persons.first()
    for data, field in (
        ({"plan_keeper": stranger.pk}, "plan_keeper"),
        ({"budget": Decimal("-1")}, "budget"),
        ({"plan_keeper": None, "plan_keeper_chosen_by": "Moeder"}, "plan_keeper"),
    ):
        with pytest.raises(ValidationError) as error:
            services.save_logistics(coordinator(mw), mw.case.pk, mw.meeting.pk, data, 1)
        assert field in error.value.message_dict
    assert MeetingLogistics.objects.get().version == 1
    cost, budget = services.add_cost(
        coordinator(mw), mw.case.pk, mw.meeting.pk, {"what": "Zaalhuur", "amount": Decimal("80"), "paid_by": "Gemeente"}
    )
    assert budget.total == Decimal("80.00") and budget.over == 0 and services.budget_warning(budget) == ""
    cost, budget = services.add_cost(coordinator(mw), mw.case.pk, mw.meeting.pk, {"what": "Eten", "amount": "45.50"})
    assert budget.total == Decimal("125.50") and budget.over == Decimal("25.50")
    assert "25.50" in services.budget_warning(budget)
    assert MeetingCost.objects.count() == 2  # warned, kept
    with pytest.raises(ValidationError):
        services.add_cost(coordinator(mw), mw.case.pk, mw.meeting.pk, {"what": "", "amount": "-3"})
    services.remove_cost(coordinator(mw), mw.case.pk, mw.meeting.pk, cost.pk)
    assert services.budget_of(mw.meeting).over == 0


def test_an_interpreter_per_part_and_the_warning_where_none_is_booked(mw):
    mw.oma.interpreter_needed, mw.oma.language = True, "Arabisch"
    mw.oma.save()
    services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk, [mw.oma.pk, mw.piet.pk])
    parts = list(mw.meeting.parts.all())
    prepared = queries.preparation(coordinator(mw), mw.case.pk, mw.meeting.pk)
    assert [p.full_name for p in prepared.interpreter_needs] == ["Oma Jansen"]
    assert prepared.lacking_interpreter == parts
    booking = services.book_interpreter(
        coordinator(mw), mw.case.pk, mw.meeting.pk, {"part": parts[0].pk, "language": "arabisch ", "how": "phone"}
    )
    assert booking.arranged_by_user == mw.world.a.coordinator and booking.how == "phone"
    services.book_interpreter(
        coordinator(mw),
        mw.case.pk,
        mw.meeting.pk,
        {"part": parts[1].pk, "language": "Arabisch", "arranged_by_name": "Tolkencentrum Utrecht"},
    )
    prepared = queries.preparation(coordinator(mw), mw.case.pk, mw.meeting.pk)
    assert prepared.lacking_interpreter == parts[2:]
    assert [len(b) for _part, b in prepared.view.part_interpreters][:2] == [1, 1]
    other = services.schedule_meeting(
        mw.worker,
        mw.case.pk,
        mw.trajectory.pk,
        {"kind": "network_meeting", "starts_at": mw.meeting.starts_at, "ends_at": mw.meeting.ends_at, "place": "X"},
    )
    for data, field in (
        ({"part": other.parts.first().pk, "language": "Arabisch"}, "part"),
        ({"part": parts[0].pk, "language": ""}, "language"),
        (
            {"part": parts[0].pk, "language": "Arabisch", "arranged_by_user": mw.world.b.case_worker.pk},
            "arranged_by_user",
        ),
    ):
        with pytest.raises(ValidationError) as error:
            services.book_interpreter(coordinator(mw), mw.case.pk, mw.meeting.pk, data)
        assert field in error.value.message_dict
    assert InterpreterBooking.objects.count() == 2
    services.cancel_interpreter(coordinator(mw), mw.case.pk, mw.meeting.pk, booking.pk)
    assert queries.preparation(coordinator(mw), mw.case.pk, mw.meeting.pk).lacking_interpreter == [parts[0], parts[2]]


def test_the_pure_rules_of_budget_and_interpreters():
    assert core.budget_of([Decimal("10"), Decimal("5")], None).over == 0
    assert core.budget_of([Decimal("10"), Decimal("5")], Decimal("12")).over == Decimal("3")
    assert core.parts_lacking_interpreter([1, 2], [], {}) == []
    assert core.parts_lacking_interpreter([1, 2], [""], {1: ["Pools"]}) == [2]
    assert core.parts_lacking_interpreter([1, 2], ["Pools", "Turks"], {1: ["pools", "turks"], 2: ["Pools"]}) == [2]
    assert core.question_agreed(datetime.date(2026, 1, 1), datetime.date(2026, 1, 1), None) is False


def test_attendance_records_how_each_one_took_part(mw):
    invitations = {i.person_id: i for i in services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)}
    part = mw.meeting.parts.order_by("order").first()
    oma, piet = f"i{invitations[mw.oma.pk].pk}", f"i{invitations[mw.piet.pk].pk}"
    present = [(part.pk, oma), (part.pk, piet)]
    with pytest.raises(ValidationError):
        services.record_attendance(
            mw.worker,
            mw.case.pk,
            mw.meeting.pk,
            present,
            expected_version=mw.meeting.version,
            modes={(part.pk, oma): "telepathy"},
        )
    with pytest.raises(ValidationError):
        # A mode for someone not ticked present.
        services.record_attendance(
            mw.worker,
            mw.case.pk,
            mw.meeting.pk,
            [(part.pk, oma)],
            expected_version=mw.meeting.version,
            modes={(part.pk, piet): "phone"},
        )
    assert not Attendance.objects.exists()
    services.record_attendance(
        mw.worker,
        mw.case.pk,
        mw.meeting.pk,
        present,
        expected_version=mw.meeting.version,
        modes={(part.pk, oma): "video", (str(part.pk), piet): "phone"},
    )
    stored = dict(Attendance.objects.filter(present=True).values_list("invitation__person_id", "mode"))
    assert stored == {mw.oma.pk: "video", mw.piet.pk: "phone"}
    view = queries.meeting_detail(mw.worker, mw.case.pk, mw.meeting.pk)
    assert view.modes[(part.pk, oma)] == "video"


def test_the_video_link_is_https_only(mw):
    for bad in ("http://meet.example.org/kring", "javascript:alert(1)", "https://", "ftp://x.org", "https//x"):
        with pytest.raises(ValidationError) as error:
            services.update_meeting(mw.worker, mw.case.pk, mw.meeting.pk, {"video_link": bad}, mw.meeting.version)
        assert "video_link" in error.value.message_dict, bad
    meeting = services.update_meeting(
        mw.worker, mw.case.pk, mw.meeting.pk, {"video_link": " https://meet.example.org/kring-42 "}, mw.meeting.version
    )
    assert meeting.video_link == "https://meet.example.org/kring-42"
