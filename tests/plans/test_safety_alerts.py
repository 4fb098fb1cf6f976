"""Issue 14, item 6: a safety alert is unmistakable. A safety agreement reported not done, or past its date, raises
an alert (agreement, who reported, their note, when) shown on the case page, the caseload and in the header until
someone of the case team acknowledges it with the action taken; unacknowledged after the organisation's time it
escalates to the team lead, once. The link page tells the network member whom to call now."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kring.audit.models import AccessLogEntry
from kring.core.errors import StaleEdit
from kring.inbox.models import Notification
from kring.plans import follow_up as plan_follow_up
from kring.plans import services as plan_services
from kring.plans.alerts import queries as alert_queries
from kring.plans.alerts import services as alert_services
from kring.plans.models import SafetyAlert, SafetyAlertSettings
from kring.worklists import reminders
from tests.factories import actor
from tests.plans.test_links import ADDRESS, link_for, report_url

DAY = timedelta(days=1)


@pytest.fixture
def reported(accepted):
    """Oma reports through her link that the safety agreement was not done."""
    p = accepted
    _link, token = link_for(p, p.mw.oma)
    response = Client().post(
        report_url(token, p.sleep.pk), {"outcome": "not_done", "note": "Oma was ziek."}, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 302
    p.token = token
    p.alert = SafetyAlert.objects.get()
    return p


def _case_url(p):
    return reverse("cases:detail", args=[p.case.pk])


def _ack_url(p, alert):
    return reverse("plans:alert_acknowledge", kwargs={"pk": p.case.pk, "alert_id": alert.pk})


# ---- raised ------------------------------------------------------------------------------------------------


def test_a_not_done_report_raises_an_alert_with_agreement_reporter_note_and_time(reported):
    p, alert = reported, reported.alert
    assert (alert.agreement_id, alert.case_id, alert.reason) == (p.sleep.pk, p.case.pk, "not_done")
    assert alert.report.note == "Oma was ziek." and alert.report.reporter == p.mw.oma.full_name
    assert alert.acknowledged_at is None and alert.escalated_at is None
    # The case worker (and the professional who checks: the same person here) hears of it in the inbox.
    told = Notification.objects.filter(kind="safety_alert", case=p.case)
    assert list(told.values_list("recipient_id", flat=True)) == [p.world.a.case_worker.pk]


def test_a_done_report_or_an_ordinary_agreement_raises_no_alert(accepted):
    p = accepted
    plan_follow_up.record_report(p.coordinator, p.case.pk, p.sleep.pk, "done", "")
    plan_follow_up.record_report(p.coordinator, p.case.pk, p.school.pk, "not_done", "Auto kapot.")
    assert not SafetyAlert.objects.exists()


def test_an_overdue_safety_agreement_raises_an_alert_in_the_scan_once(accepted):
    p = accepted
    after = p.sleep.due_on + DAY
    reminders.scan(after)
    alert = SafetyAlert.objects.get()
    assert (alert.agreement_id, alert.reason, alert.due_on, alert.report) == (
        p.sleep.pk,
        "overdue",
        p.sleep.due_on,
        None,
    )
    for day in (after, after + DAY):
        reminders.scan(day)
    assert SafetyAlert.objects.count() == 1
    # The ordinary agreement, not overdue yet, raises nothing.
    assert not SafetyAlert.objects.filter(agreement=p.school).exists()


# ---- shown ---------------------------------------------------------------------------------------------------


def test_the_case_page_shows_the_alert_with_the_acknowledgement_form_and_logs_it(reported, client):
    p = reported
    client.force_login(p.world.a.case_worker)
    page = client.get(_case_url(p)).content.decode()
    assert "safety-banner" in page and p.sleep.what in page
    assert p.mw.oma.full_name in page and "Oma was ziek." in page
    assert _ack_url(p, p.alert) in page and 'name="action_taken"' in page
    assert AccessLogEntry.objects.filter(
        record_type="safety_alert", record_id=str(p.alert.pk), action="view", user=p.world.a.case_worker
    ).exists()


def test_the_caseload_and_the_header_show_the_alert(reported, client):
    p = reported
    client.force_login(p.world.a.case_worker)
    caseload = client.get(reverse("cases:caseload")).content.decode()
    assert "safety-banner" in caseload and p.sleep.what in caseload and "Oma was ziek." in caseload
    # Any page: the header names the case (its number only) and leads to it.
    other = client.get(reverse("methods:guide")).content.decode()
    assert "safety-header" in other and p.case.number in other and _case_url(p) in other
    assert p.sleep.what not in other


def test_someone_outside_the_case_team_sees_no_header_until_escalated(reported, client):
    p = reported
    client.force_login(p.world.a.lead)  # leads the team that owns the case, not on its case team
    assert "safety-header" not in client.get(reverse("worklists:mine")).content.decode()
    SafetyAlert.objects.update(escalated_at=timezone.now())
    assert "safety-header" in client.get(reverse("worklists:mine")).content.decode()
    client.force_login(p.world.b.case_worker)  # another organisation
    assert "safety-header" not in client.get(reverse("worklists:mine")).content.decode()


def test_the_header_costs_one_query_whatever_the_number_of_alerts(reported, django_assert_num_queries):
    p = reported
    user = p.world.a.case_worker
    user.active_memberships()  # read for the navigation already on every page
    with django_assert_num_queries(1):
        assert [a.case_number for a in alert_queries.header_alerts(user)] == [p.case.number]
    plan_follow_up.record_report(p.coordinator, p.case.pk, p.sleep.pk, "not_done", "Weer niet.")
    assert SafetyAlert.objects.count() == 2
    with django_assert_num_queries(1):
        assert len(alert_queries.header_alerts(user)) == 1  # one case, however many alerts


def test_a_page_costs_one_query_more_with_the_header_banner_not_more_per_alert(reported, client):
    p = reported
    client.force_login(p.world.a.case_worker)
    url = reverse("methods:guide")
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    one = count()
    plan_follow_up.record_report(p.coordinator, p.case.pk, p.sleep.pk, "not_done", "Weer niet.")
    assert count() == one
    SafetyAlert.objects.update(acknowledged_at=timezone.now())
    assert count() == one  # no alert: the header asked all the same, in its one query


# ---- acknowledged ------------------------------------------------------------------------------------------


def test_acknowledging_with_the_action_taken_ends_the_banners(reported, client):
    p = reported
    client.force_login(p.world.a.case_worker)
    response = client.post(
        _ack_url(p, p.alert),
        {
            "action_taken": "Mama gebeld; Sam slaapt vannacht bij tante.",
            "version": p.alert.version,
            "next": _case_url(p),
        },
    )
    assert response.status_code == 302 and response["Location"] == _case_url(p)
    alert = SafetyAlert.objects.get()
    assert alert.acknowledged_by == p.world.a.case_worker and alert.action_taken.startswith("Mama gebeld")
    assert AccessLogEntry.objects.filter(
        record_type="safety_alert", record_id=str(alert.pk), action="update", detail="safety alert acknowledged"
    ).exists()
    assert "safety-banner" not in client.get(_case_url(p)).content.decode()
    assert "safety-header" not in client.get(reverse("cases:caseload")).content.decode()


def test_acknowledging_without_the_action_taken_is_refused(reported, client):
    p = reported
    with pytest.raises(ValidationError) as refused:
        alert_services.acknowledge_alert(p.worker, p.case.pk, p.alert.pk, "   ", p.alert.version)
    assert "action_taken" in refused.value.message_dict
    client.force_login(p.world.a.case_worker)
    response = client.post(_ack_url(p, p.alert), {"action_taken": "", "version": p.alert.version})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert SafetyAlert.objects.get().acknowledged_at is None


def test_a_stale_acknowledgement_is_refused(reported, client):
    p = reported
    alert_services.acknowledge_alert(actor(p.world.a.coordinator), p.case.pk, p.alert.pk, "Oma gebeld.", 1)
    with pytest.raises(StaleEdit):
        alert_services.acknowledge_alert(p.worker, p.case.pk, p.alert.pk, "Ik ook.", 1)
    client.force_login(p.world.a.case_worker)
    response = client.post(_ack_url(p, p.alert), {"action_taken": "Ik ook.", "version": 1})
    assert response.status_code == 409 and "Oma gebeld." in response.content.decode()
    assert SafetyAlert.objects.get().action_taken == "Oma gebeld."


def test_acknowledging_is_refused_outside_the_case_team(reported, client):
    p = reported
    with pytest.raises(PermissionDenied):
        alert_services.acknowledge_alert(actor(p.world.a.lead), p.case.pk, p.alert.pk, "Gezien.", 1)
    client.force_login(p.world.a.lead)
    assert client.post(_ack_url(p, p.alert), {"action_taken": "Gezien.", "version": 1}).status_code == 403
    client.force_login(p.world.a.other_worker)  # may not see the case at all
    assert client.post(_ack_url(p, p.alert), {"action_taken": "Gezien.", "version": 1}).status_code == 404
    assert SafetyAlert.objects.get().acknowledged_at is None
    assert AccessLogEntry.objects.filter(action="denied", user=p.world.a.lead).exists()


# ---- escalated ---------------------------------------------------------------------------------------------


def test_an_alert_nobody_acknowledged_in_time_goes_to_the_team_lead_once(reported):
    p = reported
    SafetyAlertSettings.objects.create(organisation=p.world.a.org, escalate_after_hours=2)
    now = timezone.now()
    assert alert_services.escalate_alerts(now + timedelta(hours=1)) == 0
    assert alert_services.escalate_alerts(now + timedelta(hours=3)) == 1
    told = Notification.objects.filter(kind="safety_alert_escalated")
    assert list(told.values_list("recipient_id", "case_id")) == [(p.world.a.lead.pk, p.case.pk)]
    assert SafetyAlert.objects.get().escalated_at is not None
    assert alert_services.escalate_alerts(now + timedelta(hours=30)) == 0
    assert told.count() == 1


def test_the_worker_scan_escalates_by_the_default_time_and_not_an_acknowledged_alert(reported):
    p = reported
    second = plan_follow_up.record_report(p.coordinator, p.case.pk, p.sleep.pk, "not_done", "Weer niet.")
    old = timezone.now() - timedelta(hours=SafetyAlertSettings.DEFAULT_HOURS + 1)
    SafetyAlert.objects.update(raised_at=old)
    acknowledged = SafetyAlert.objects.get(report=second)
    alert_services.acknowledge_alert(p.worker, p.case.pk, acknowledged.pk, "Opgevolgd.", acknowledged.version)
    reminders.scan()
    assert list(SafetyAlert.objects.filter(escalated_at__isnull=False).values_list("pk", flat=True)) == [p.alert.pk]
    assert Notification.objects.filter(kind="safety_alert_escalated", recipient=p.world.a.lead).count() == 1


def test_the_organisation_sets_the_time_on_its_settings_page(world, client):
    url = reverse("safety_alerts:settings")
    client.force_login(world.a.case_worker)
    assert client.get(url).status_code == 403
    client.force_login(world.a.lead)
    # The organisation's reminder settings lead to it.
    assert url in client.get(reverse("worklists:reminder_settings")).content.decode()
    page = client.get(url).content.decode()
    assert 'value="24"' in page
    response = client.post(url, {"organisation": world.a.org.pk, "escalate_after_hours": 6})
    assert response.status_code == 302
    assert SafetyAlertSettings.objects.get(organisation=world.a.org).escalate_after_hours == 6
    assert client.post(url, {"organisation": world.a.org.pk, "escalate_after_hours": 0}).status_code == 200
    assert client.post(url, {"organisation": world.b.org.pk, "escalate_after_hours": 6}).status_code == 200
    assert not SafetyAlertSettings.objects.filter(organisation=world.b.org).exists()


# ---- the network member's page -----------------------------------------------------------------------------


def test_the_link_page_says_whom_to_call_now(accepted, client):
    p = accepted
    _link, token = link_for(p, p.mw.oma)
    page = Client().get(reverse("plan_links:home", args=[token]), REMOTE_ADDR=ADDRESS).content.decode()
    assert 'href="tel:112"' in page and "Tante Els" not in page  # 112 always, before any contact was set
    # The emergency contact is part of the plan the family writes (here in its next version).
    plan = plan_services.start_new_edition(p.coordinator, p.case.pk, p.plan.pk, p.plan.version)
    plan_services.update_plan(
        p.coordinator,
        p.case.pk,
        plan.pk,
        {"emergency_contact_name": "Tante Els", "emergency_contact_phone": "06 12345678"},
        plan.version,
    )
    page = Client().get(reverse("plan_links:home", args=[token]), REMOTE_ADDR=ADDRESS).content.decode()
    box = page[page.index('id="emergency-h"') : page.index("</section>", page.index('id="emergency-h"'))]
    assert "Tante Els" in box and 'href="tel:0612345678"' in box and 'href="tel:112"' in box
    client.force_login(p.world.a.case_worker)
    plan_page = client.get(reverse("plans:plan", args=[p.case.pk, p.trajectory.pk])).content.decode()
    assert "Tante Els" in plan_page


def test_acknowledging_settles_what_the_inbox_told_of_the_alert(reported):
    """The team lead told too late and the case workers told of the day's alerts find their notices read once
    every alert of that agreement and day is acknowledged; a notice of an alert still open stays unread."""
    p = reported
    second = plan_follow_up.record_report(p.coordinator, p.case.pk, p.sleep.pk, "not_done", "Weer niet.")
    second_alert = SafetyAlert.objects.get(report=second)
    alert_services.escalate_alerts(timezone.now() + timedelta(hours=SafetyAlertSettings.DEFAULT_HOURS + 1))
    unread = Notification.objects.filter(read_at__isnull=True, kind__startswith="safety_alert")
    assert set(unread.values_list("kind", flat=True)) == {"safety_alert", "safety_alert_escalated"}
    assert unread.filter(kind="safety_alert_escalated").count() == 2

    alert_services.acknowledge_alert(p.worker, p.case.pk, p.alert.pk, "Mama gebeld.", p.alert.version)
    # The first alert's escalation is settled; the second alert is still open, so its and the day's notice stay.
    assert list(unread.filter(kind="safety_alert_escalated").values_list("key", flat=True)) == [
        f"safety_alert_escalated:{second_alert.pk}"
    ]
    assert unread.filter(kind="safety_alert").exists()

    alert_services.acknowledge_alert(p.worker, p.case.pk, second_alert.pk, "Oma gebeld.", second_alert.version)
    assert not unread.exists()
