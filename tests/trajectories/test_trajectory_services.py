"""Trajectory services: offering with the method version and overrides, the status machine through the
services, coordinator allocation and its warning, and the Jeugdwet record."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kring.audit.models import AccessLogEntry
from kring.core.errors import NotFound, StaleEdit
from kring.methods.catalogue import catalogue
from kring.trajectories import services
from kring.trajectories.choices import Status
from kring.trajectories.models import FamilyPlanRight, Trajectory, TrajectoryEvent
from tests.factories import actor

D = datetime.date


def offer(world, method="fnb", on=D(2026, 2, 1), **kw):
    return services.offer_trajectory(actor(world.a.case_worker), world.a.case.pk, method, on, **kw)


def step(world, t, target, on, reason="", user=None, note=""):
    return services.change_status(
        actor(user or world.a.case_worker), world.a.case.pk, t.pk, target, on, reason=reason, note=note
    )


def test_offer_keeps_method_version_and_phases(world):
    t = offer(world)
    definition = catalogue()["fnb"]
    assert t.method_version == definition.version
    assert [p["code"] for p in t.phases_followed] == [p.code for p in definition.phases]
    assert t.status == "offered"
    assert list(t.phases.values_list("code", flat=True)) == [p.code for p in definition.phases]
    assert AccessLogEntry.objects.filter(record_type="trajectory", record_id=str(t.pk), action="create").exists()


def test_offer_refuses_unknown_method_variant_and_future_date(world):
    with pytest.raises(ValidationError) as error:
        offer(world, method="nonsense")
    assert "method_code" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        offer(world, variant_code="nope")
    assert "variant_code" in error.value.message_dict
    with pytest.raises(ValidationError):
        offer(world, on=D(2099, 1, 1))
    assert not Trajectory.objects.exists()


def test_overrides_shape_the_plan_and_are_kept_on_the_trajectory(world):
    services.save_duration_override(actor(world.a.lead), world.a.org, "fnb", "preparation", 4, 6)
    t = offer(world)
    t = step(world, t, "accepted", D(2026, 2, 2))
    prep = t.phases.get(code="preparation")
    assert prep.started_on == D(2026, 2, 2)
    assert prep.planned_end == D(2026, 3, 2)
    assert prep.latest_end == D(2026, 3, 16)
    assert t.phases_followed[0]["default_weeks"] == 4
    # A later change of the organisation's durations does not rewrite this trajectory.
    services.save_duration_override(actor(world.a.lead), world.a.org, "fnb", "preparation", 2, 6)
    assert Trajectory.objects.get(pk=t.pk).phases_followed[0]["default_weeks"] == 4


def test_override_default_above_max_is_refused_and_only_leads_may_set(world):
    with pytest.raises(ValidationError):
        services.save_duration_override(actor(world.a.lead), world.a.org, "fnb", "preparation", 9, 6)
    with pytest.raises(PermissionDenied):
        services.save_duration_override(actor(world.a.case_worker), world.a.org, "fnb", "preparation", 2, 6)


def test_the_whole_journey_and_an_illegal_step(world):
    t = offer(world)
    with pytest.raises(ValidationError) as error:
        step(world, t, "plan_made", D(2026, 2, 3))
    assert str(Status.ACCEPTED.label) in error.value.message_dict["status"][0]  # names the possible step
    t = step(world, t, "accepted", D(2026, 2, 3))
    # The allocation starts the preparation (the method's table); the same step by hand changes nothing.
    t = services.allocate_coordinator(
        actor(world.a.lead), world.a.case.pk, t.pk, world.a.coordinator.pk, on=D(2026, 2, 5)
    )
    assert t.status == "preparing"
    t = step(world, t, "preparing", D(2026, 2, 5), user=world.a.coordinator)
    # Steps the table takes on events need a note when taken by hand.
    with pytest.raises(ValidationError) as error:
        step(world, t, "meeting_held", D(2026, 3, 20), user=world.a.coordinator)
    assert "note" in error.value.message_dict
    why = "Vastgelegd bij de overgang naar Kring."
    t = step(world, t, "meeting_held", D(2026, 3, 20), user=world.a.coordinator, note=why)
    t = step(world, t, "plan_made", D(2026, 3, 20), note=why)
    t = step(world, t, "follow_up", D(2026, 3, 21), note=why)
    with pytest.raises(ValidationError) as error:
        step(world, t, "closed", D(2026, 4, 1))
    assert "reason" in error.value.message_dict
    t = step(world, t, "closed", D(2026, 4, 1), reason="plan_in_place")
    assert [e.to_value for e in TrajectoryEvent.objects.filter(trajectory=t, kind="status")] == [
        "offered",
        "accepted",
        "preparing",
        "meeting_held",
        "plan_made",
        "follow_up",
        "closed",
    ]


def test_abandon_needs_reason_and_stops_the_clock(world):
    t = offer(world)
    with pytest.raises(ValidationError):
        step(world, t, "abandoned", D(2026, 3, 1))
    t = step(world, t, "abandoned", D(2026, 3, 1), reason="family_withdrew")
    clocks = services.deadlines.clocks(t, D(2026, 6, 1))
    assert clocks.weeks_to_abandonment == 4.0 and not clocks.running


def test_preparation_of_coordinated_method_needs_a_coordinator(world):
    t = step(world, offer(world), "accepted", D(2026, 2, 2))
    with pytest.raises(ValidationError) as error:
        step(world, t, "preparing", D(2026, 2, 3))
    assert error.value.message_dict["status"][0] == translation.gettext(
        "Allocate a coordinator before the preparation starts."
    )


def test_allocating_the_case_worker_warns_and_needs_confirmation(world):
    from kring.accounts.models import Membership

    Membership.objects.create(user=world.a.case_worker, organisation=world.a.org, role="coordinator")
    t = offer(world)
    with pytest.raises(ValidationError) as error:
        services.allocate_coordinator(actor(world.a.lead), world.a.case.pk, t.pk, world.a.case_worker.pk)
    assert error.value.error_dict["coordinator"][0].code == "coordinator_is_case_worker"
    t = services.allocate_coordinator(
        actor(world.a.lead), world.a.case.pk, t.pk, world.a.case_worker.pk, accept_case_worker=True
    )
    assert t.coordinator_is_case_worker


def test_only_the_lead_allocates_and_outsiders_see_nothing(world):
    t = offer(world)
    with pytest.raises(PermissionDenied):
        services.allocate_coordinator(actor(world.a.case_worker), world.a.case.pk, t.pk, world.a.coordinator.pk)
    with pytest.raises(NotFound):
        services.change_status(actor(world.b.lead), world.a.case.pk, t.pk, "accepted", D(2026, 2, 2))
    assert AccessLogEntry.objects.filter(user=world.a.case_worker, action="denied", case_id=world.a.case.pk).exists()


def test_stale_status_change_is_refused(world):
    t = offer(world)
    step(world, t, "accepted", D(2026, 2, 2))
    with pytest.raises(StaleEdit):
        services.change_status(
            actor(world.a.case_worker), world.a.case.pk, t.pk, "declined", D(2026, 2, 3), expected_version=1
        )


def test_jeugdwet_record_deadlines_and_rules(world):
    a = actor(world.a.case_worker)
    record = services.save_family_plan_right(
        a,
        world.a.case.pk,
        {
            "offered_on": D(2026, 2, 1),
            "offered_by_party": "provider",
            "reasonable_term_until": D(2026, 3, 1),
            "support_offered": "Een onafhankelijke coördinator.",
        },
    )
    assert record.next_due_on == D(2026, 3, 1)
    with pytest.raises(ValidationError) as error:
        services.save_family_plan_right(
            a, world.a.case.pk, {"dropped_on": D(2026, 2, 10)}, expected_version=record.version
        )
    assert "drop_ground" in error.value.message_dict
    record = services.save_family_plan_right(
        a,
        world.a.case.pk,
        {
            "parents_answer": "declined",
            "parents_answered_on": D(2026, 2, 8),
            "dropped_on": D(2026, 2, 10),
            "drop_ground": "parents_declined",
        },
        expected_version=record.version,
    )
    assert record.next_due_on == D(2026, 3, 24)  # six weeks after dropping
    with pytest.raises(ValidationError):
        services.save_family_plan_right(actor(world.b.case_worker), world.b.case.pk, {"offered_on": D(2026, 2, 1)})
    assert FamilyPlanRight.objects.count() == 1


def test_strengths_exploration_only_in_flanders(world):
    record = services.save_strengths_exploration(
        actor(world.b.case_worker),
        world.b.case.pk,
        {
            "explored_on": D(2026, 2, 1),
            "how_explored": "Netwerkcirkel met moeder en grootouders gemaakt.",
            "methods_used": ["ekc"],
        },
    )
    assert record.pk
    with pytest.raises(ValidationError):
        services.save_strengths_exploration(
            actor(world.a.case_worker), world.a.case.pk, {"explored_on": D(2026, 2, 1), "how_explored": "x"}
        )


def test_a_status_date_before_the_last_step_is_refused_naming_that_day_in_dutch(world):
    t = offer(world)
    t = step(world, t, "accepted", D(2026, 2, 10))
    with translation.override("nl"), pytest.raises(ValidationError) as error:
        step(world, t, "abandoned", D(2026, 2, 3), reason="family_withdrew")
    assert error.value.message_dict["on"] == ["Deze datum kan niet vóór 10-2-2026 liggen."]
