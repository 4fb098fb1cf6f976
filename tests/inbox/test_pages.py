"""The inbox page, the e-mail choices and the unread count in the header."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kring.audit.models import AccessLogEntry
from kring.inbox import kinds
from kring.inbox.models import EmailPreference, Notification
from kring.inbox.services import notify


@pytest.fixture
def told(world):
    a = world.a
    first = notify(kinds.PLAN_SUBMITTED, [a.case_worker], organisation=a.org, case=a.case, link=f"/cases/{a.case.pk}/")
    second = notify(kinds.MEETING_RESCHEDULED, [a.case_worker], organisation=a.org, case=a.case,
                    params={"date": "2026-12-24", "time": "14:00"})  # fmt: skip
    return first[0], second[0]


def test_the_inbox_lists_the_users_own_notifications_newest_first_in_dutch(world, client, told):
    client.force_login(world.a.case_worker)
    page = client.get("/inbox/").content.decode()
    assert page.index("Bijeenkomst verplaatst") < page.index("Plan ter beslissing voorgelegd")
    assert "24 december 2026" in page and world.a.case.number in page
    entries = AccessLogEntry.objects.filter(record_type="notification", action="list", user=world.a.case_worker)
    assert {e.record_id for e in entries} == {str(told[0].pk), str(told[1].pk)}
    assert set(entries.values_list("case_id", flat=True)) == {world.a.case.pk}


def test_another_persons_or_organisations_notifications_never_show(world, client, told):
    for user in (world.a.lead, world.b.case_worker):
        client.force_login(user)
        page = client.get("/inbox/").content.decode()
        assert world.a.case.number not in page
        assert "Plan ter beslissing voorgelegd" not in page
    # Opening or marking another's notification does nothing.
    client.force_login(world.b.case_worker)
    answer = client.post("/inbox/read/", {"open": told[0].pk})
    assert answer.url == reverse("inbox:list")
    client.post("/inbox/read/", {"notification": [told[0].pk, told[1].pk]})
    client.post("/inbox/read/", {"all": "1"})
    assert Notification.objects.filter(read_at__isnull=True).count() == 2


def test_opening_marks_read_and_leads_to_the_case(world, client, told):
    client.force_login(world.a.case_worker)
    answer = client.post("/inbox/read/", {"open": told[0].pk})
    assert answer.status_code == 302 and answer.url == f"/cases/{world.a.case.pk}/"
    assert Notification.objects.get(pk=told[0].pk).read_at is not None
    assert Notification.objects.get(pk=told[1].pk).read_at is None
    client.post("/inbox/read/", {"notification": ["x", "99999999999999999999", told[1].pk]})
    assert Notification.objects.get(pk=told[1].pk).read_at is not None


def test_the_header_shows_the_unread_count_in_one_query(world, client, told):
    client.force_login(world.a.case_worker)
    page = client.get("/work/").content.decode()
    assert '<span class="badge serious">2<span class="visually-hidden"> ongelezen</span>' in page
    with CaptureQueriesContext(connection) as queries:
        client.get("/work/")
    counting = [q["sql"] for q in queries.captured_queries if "inbox_notification" in q["sql"]]
    assert len(counting) == 1 and "COUNT" in counting[0].upper()
    client.post("/inbox/read/", {"all": "1"})
    assert 'visually-hidden"> ongelezen' not in client.get("/work/").content.decode()


def test_no_count_is_made_for_a_visitor(client, db):
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/methods/").content.decode()
    assert not [q for q in queries.captured_queries if "inbox_notification" in q["sql"]]
    assert reverse("inbox:list") not in page


def test_a_notification_about_a_case_no_longer_visible_leaves_the_inbox_and_the_count(world, client, told):
    from kring.cases.models import CaseTeamMember

    CaseTeamMember.objects.filter(case=world.a.case, user=world.a.case_worker).delete()
    client.force_login(world.a.case_worker)
    page = client.get("/inbox/").content.decode()
    assert world.a.case.number not in page
    assert not Notification.objects.filter(recipient=world.a.case_worker, read_at__isnull=True).exists()


def test_each_person_chooses_email_per_kind(world, client):
    client.force_login(world.a.coordinator)
    page = client.get("/inbox/e-mail/").content.decode()
    assert "Plan teruggestuurd" in page
    client.post("/inbox/e-mail/", {kinds.PLAN_SENT_BACK: "on"})
    chosen = dict(EmailPreference.objects.filter(user=world.a.coordinator).values_list("kind", "email"))
    assert chosen[kinds.PLAN_SENT_BACK] is True and chosen[kinds.PLAN_SUBMITTED] is False
    assert not EmailPreference.objects.exclude(user=world.a.coordinator).exists()
