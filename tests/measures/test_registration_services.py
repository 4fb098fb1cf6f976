"""The registration's services: characteristics with their snapshot, outcomes per moment, instruments scored
from items or totals, permissions, stale edits and bad input that leaves nothing behind."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kring.audit.models import AccessLogEntry
from kring.core.errors import NotFound, StaleEdit
from kring.measures import services
from kring.measures.models import Administration, AdministrationScore, OutcomeMeasurement, Registration

D = datetime.date
pytestmark = pytest.mark.django_db


def _register(rw, **changes):
    data = {
        "problem_areas": ["parenting", "domestic_violence"],
        "household": "single_parent",
        "high_conflict_divorce": "yes",
    }
    data.update(changes)
    return services.save_registration(rw.worker, rw.case.pk, rw.trajectory.pk, data)


def test_the_first_save_takes_a_snapshot_of_the_children_and_the_network_on_the_day_of_the_offer(rw):
    registration = _register(rw)
    assert registration.snapshot_on == D(2026, 2, 1)
    assert registration.children_ages == [9]  # born 1 May 2016, offered 1 February 2026
    # Oma, Piet, Kees, Anna (professional) and the second person of the case: five, one of them professional.
    assert registration.network_size == 5
    assert registration.professional_network_size == 1
    assert registration.informal_network_size == 4
    assert registration.problem_areas == ["parenting", "domestic_violence"]
    logged = AccessLogEntry.objects.filter(record_type="person", detail="registration snapshot")
    assert logged.count() == rw.case.persons.count()


def test_a_later_save_keeps_the_snapshot_unless_asked_to_take_it_again(rw):
    registration = _register(rw)
    rw.mw.child.birth_date = D(2012, 1, 1)
    rw.mw.child.save()
    again = services.save_registration(
        rw.worker, rw.case.pk, rw.trajectory.pk, {"household": "blended"}, registration.version
    )
    assert again.children_ages == [9]
    refreshed = services.save_registration(
        rw.worker, rw.case.pk, rw.trajectory.pk, {}, again.version, refresh_snapshot=True
    )
    assert refreshed.children_ages == [14]


def test_a_stale_registration_is_refused_and_the_other_change_stays(rw):
    registration = _register(rw)
    services.save_registration(rw.coordinator, rw.case.pk, rw.trajectory.pk, {"household": "kin"}, registration.version)
    with pytest.raises(StaleEdit) as caught:
        services.save_registration(
            rw.worker, rw.case.pk, rw.trajectory.pk, {"household": "foster"}, registration.version
        )
    assert any("kin" in str(change) or "family or friends" in str(change) for change in caught.value.changes)
    assert Registration.objects.get().household == "kin"


def test_unknown_problem_areas_and_fields_are_refused(rw):
    with pytest.raises(ValidationError) as caught:
        _register(rw, problem_areas=["parenting", "aliens"])
    assert "problem_areas" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.save_registration(rw.worker, rw.case.pk, rw.trajectory.pk, {"children_ages": [1]})
    assert not Registration.objects.exists()


def test_who_may_register(rw):
    _register(rw)
    with pytest.raises(PermissionDenied):
        services.save_registration(rw.co_worker, rw.case.pk, rw.trajectory.pk, {"household": "kin"}, 1)
    with pytest.raises(NotFound):
        services.save_registration(rw.stranger, rw.case.pk, rw.trajectory.pk, {"household": "kin"}, 1)
    with pytest.raises(NotFound):
        services.save_registration(rw.researcher, rw.case.pk, rw.trajectory.pk, {"household": "kin"}, 1)
    assert AccessLogEntry.objects.filter(action="denied").count() >= 1
    # The coordinator and the team lead may.
    services.record_outcome(
        rw.coordinator, rw.case.pk, rw.trajectory.pk, "t0", {"measured_on": D(2026, 2, 3), "placement": "at_home"}
    )
    services.record_outcome(
        rw.lead, rw.case.pk, rw.trajectory.pk, "t1", {"measured_on": D(2026, 5, 1), "placement": "in_network"}
    )
    assert OutcomeMeasurement.objects.count() == 2


def test_an_outcome_is_recorded_once_per_moment_and_corrected_with_its_version(rw):
    first = services.record_outcome(
        rw.worker,
        rw.case.pk,
        rw.trajectory.pk,
        "t0",
        {
            "measured_on": D(2026, 2, 3),
            "maltreatment_indication": "yes",
            "risk_level": "high",
            "risk_instrument": "ARIJ",
            "placement": "at_home",
        },
    )
    corrected = services.record_outcome(
        rw.worker, rw.case.pk, rw.trajectory.pk, "t0", {"risk_level": "medium"}, first.version
    )
    assert corrected.pk == first.pk and corrected.version == 2 and corrected.risk_level == "medium"
    with pytest.raises(StaleEdit):
        services.record_outcome(
            rw.coordinator, rw.case.pk, rw.trajectory.pk, "t0", {"risk_level": "low"}, first.version
        )
    assert OutcomeMeasurement.objects.get().risk_level == "medium"


@pytest.mark.parametrize(
    "data, field",
    [
        ({"measured_on": D(2026, 1, 1)}, "measured_on"),  # before the offer
        ({"measured_on": datetime.date.today() + datetime.timedelta(days=3)}, "measured_on"),
        ({"measured_on": D(2026, 3, 1), "placement": "on_the_moon"}, "placement"),
        ({"measured_on": D(2026, 3, 1), "risk_level": "extreme"}, "risk_level"),
        ({"measured_on": D(2026, 3, 1), "risk_instrument": "x" * 500}, "risk_instrument"),
        ({"measured_on": None}, "measured_on"),
    ],
)
def test_bad_outcomes_are_refused_and_nothing_is_saved(rw, data, field):
    with pytest.raises(ValidationError) as caught:
        services.record_outcome(rw.worker, rw.case.pk, rw.trajectory.pk, "t1", data)
    assert field in caught.value.message_dict
    assert not OutcomeMeasurement.objects.exists()


def test_an_unknown_moment_is_refused(rw):
    with pytest.raises(ValidationError):
        services.record_outcome(rw.worker, rw.case.pk, rw.trajectory.pk, "t9", {"measured_on": D(2026, 3, 1)})


def _meta(rw, instrument, mode="items", respondent="parent", **extra):
    return {
        "instrument": instrument,
        "mode": mode,
        "moment": "t0",
        "respondent": respondent,
        "respondent_person": rw.mw.oma.pk,
        "administered_on": D(2026, 2, 10),
        **extra,
    }


def test_item_scores_are_scored_by_the_instruments_rules_and_kept_per_score(rw):
    values = {"safety": 4}
    record = services.record_administration(
        rw.worker, rw.case.pk, rw.trajectory.pk, _meta(rw, "sos_safety_scale"), values
    )
    assert record.scores["scores"]["score"]["value"] == 4
    row = AdministrationScore.objects.get(administration=record)
    assert (row.instrument_code, row.score_code, row.moment, row.value) == ("sos_safety_scale", "score", "t0", 4)
    assert AccessLogEntry.objects.filter(
        record_type="instrument_administration", record_id=str(record.pk), action="create"
    ).exists()
    assert AccessLogEntry.objects.filter(
        record_type="person", record_id=str(rw.mw.oma.pk), action="view", detail="instrument respondent"
    ).exists()


def test_a_licensed_instrument_is_entered_as_totals_and_checked_against_its_range(rw):
    record = services.record_administration(
        rw.worker, rw.case.pk, rw.trajectory.pk, _meta(rw, "fes", mode="totals"), {"total": 120}
    )
    assert record.scores["scores"]["total"]["value"] == 120
    with pytest.raises(ValidationError) as caught:
        services.record_administration(
            rw.worker, rw.case.pk, rw.trajectory.pk, _meta(rw, "fes", mode="totals"), {"total": 1000}
        )
    assert "v_total" in caught.value.message_dict
    assert Administration.objects.count() == 1


@pytest.mark.parametrize(
    "meta, values, field",
    [
        ({"instrument": "nope"}, {}, "instrument"),
        ({"mode": "link"}, {"safety": 3}, "mode"),
        ({"respondent": "dog"}, {"safety": 3}, "respondent"),
        ({"moment": "t7"}, {"safety": 3}, "moment"),
        ({"administered_on": "yesterday"}, {"safety": 3}, "administered_on"),
        ({"administered_on": D(2025, 1, 1)}, {"safety": 3}, "administered_on"),
        ({"respondent_person": 999999}, {"safety": 3}, "respondent_person"),
        ({}, {"safety": 11}, "v_safety"),
        ({}, {"safety": "vier"}, "v_safety"),
        ({}, {"unknown_item": 3}, "v_unknown_item"),
    ],
)
def test_bad_administrations_are_refused_beside_their_field_and_nothing_is_saved(rw, meta, values, field):
    with pytest.raises(ValidationError) as caught:
        services.record_administration(
            rw.worker, rw.case.pk, rw.trajectory.pk, {**_meta(rw, "sos_safety_scale"), **meta}, values
        )
    assert field in caught.value.message_dict
    assert not Administration.objects.exists() and not AdministrationScore.objects.exists()


def test_a_person_of_another_case_cannot_be_named_as_respondent(rw):
    other = rw.world.b.case.persons.first()
    with pytest.raises(ValidationError):
        services.record_administration(
            rw.worker,
            rw.case.pk,
            rw.trajectory.pk,
            _meta(rw, "sos_safety_scale", respondent_person=other.pk),
            {"safety": 5},
        )


def test_an_administration_can_be_taken_out_with_its_scores(rw):
    record = services.record_administration(
        rw.worker, rw.case.pk, rw.trajectory.pk, _meta(rw, "sos_safety_scale"), {"safety": 6}
    )
    with pytest.raises(PermissionDenied):
        services.remove_administration(rw.co_worker, rw.case.pk, rw.trajectory.pk, record.pk, record.version)
    services.remove_administration(rw.worker, rw.case.pk, rw.trajectory.pk, record.pk, record.version)
    assert not Administration.objects.exists() and not AdministrationScore.objects.exists()
