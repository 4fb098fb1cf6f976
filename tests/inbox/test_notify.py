"""The inbox's public API: notify (skips, deduplicates, e-mails by preference, nothing personal), mark_read,
unread_count."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kring.inbox import kinds
from kring.inbox.models import EmailPreference, Notification
from kring.inbox.queries import unread_count
from kring.inbox.rendering import render
from kring.inbox.services import mark_read, notify, save_email_preferences

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def direct_mail(settings):
    settings.EMAIL_BACKEND = LOCMEM


def test_notify_tells_each_recipient_once_and_emails_without_names(world):
    a = world.a
    made = notify(kinds.PLAN_SUBMITTED, [a.case_worker, a.lead.pk], organisation=a.org, case=a.case, link="/x/")
    assert {n.recipient_id for n in made} == {a.case_worker.pk, a.lead.pk}
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.case_worker.email, a.lead.email])
    for message in mail.outbox:
        assert a.case.number in message.body
        assert a.case.family_name not in message.body and a.case.family_name not in message.subject
        for person in a.case.persons.all():
            assert person.first_name not in message.body
    assert all(n.emailed_at is not None for n in Notification.objects.all())


def test_a_key_makes_a_repeated_event_one_notification(world):
    a = world.a
    for _ in range(3):
        notify(kinds.REVIEW_DUE, [a.case_worker], organisation=a.org, case=a.case, key="review:1", params={})
    assert Notification.objects.filter(recipient=a.case_worker).count() == 1
    notify(kinds.REVIEW_DUE, [a.case_worker], organisation=a.org, case=a.case, key="review:2")
    assert Notification.objects.filter(recipient=a.case_worker).count() == 2


def test_inactive_users_and_people_of_another_organisation_are_skipped(world):
    a, b = world.a, world.b
    a.other_worker.is_active = False
    a.other_worker.save()
    made = notify(kinds.PLAN_SENT_BACK, [a.other_worker, b.coordinator, a.coordinator], organisation=a.org)
    assert [n.recipient_id for n in made] == [a.coordinator.pk]


def test_email_follows_each_persons_choice_per_kind(world):
    a = world.a
    save_email_preferences(a.case_worker, chosen=[kinds.REVIEW_DUE])  # off for every other kind
    notify(kinds.PLAN_SUBMITTED, [a.case_worker, a.lead], organisation=a.org, case=a.case)
    assert [m.to for m in mail.outbox] == [[a.lead.email]]
    assert Notification.objects.filter(recipient=a.case_worker, emailed_at__isnull=True).count() == 1
    # Review due is off by default, on for the case worker who chose it.
    notify(kinds.REVIEW_DUE, [a.case_worker, a.lead], organisation=a.org, case=a.case, params={"date": "2026-12-24"})
    assert [m.to for m in mail.outbox[1:]] == [[a.case_worker.email]]
    assert EmailPreference.objects.filter(user=a.case_worker).count() == len(kinds.KINDS)


def test_an_unknown_kind_is_refused(world):
    with pytest.raises(ValueError):
        notify("no_such_kind", [world.a.lead], organisation=world.a.org)


def test_text_is_rendered_in_the_readers_language_with_a_local_date(world):
    a = world.a
    (row,) = notify(
        kinds.CONSENT_LAPSING, [a.case_worker], organisation=a.org, case=a.case, params={"date": "2026-12-24"}
    )
    row.refresh_from_db()
    assert row.params == {"date": "2026-12-24", "case_number": a.case.number}
    with translation.override("en"):
        title, text = render(row)
    assert title == "Consent about to lapse" and "24 December 2026" in text and a.case.number in text
    with translation.override("nl"):
        title_nl, text_nl = render(row)
    assert "24 december 2026" in text_nl and title_nl != title


def test_unread_count_is_one_query_and_mark_read_touches_only_own(world):
    a = world.a
    mine = notify(kinds.PLAN_SENT_BACK, [a.coordinator, a.lead], organisation=a.org, case=a.case)
    notify(kinds.PLAN_SUBMITTED, [a.coordinator], organisation=a.org, case=a.case)
    with CaptureQueriesContext(connection) as queries:
        assert unread_count(a.coordinator) == 2
    assert len(queries) == 1
    lead_row = next(n for n in mine if n.recipient_id == a.lead.pk)
    assert mark_read(a.coordinator, [lead_row.pk]) == 0  # another's notification stays unread
    assert unread_count(a.lead) == 1
    assert mark_read(a.coordinator) == 2
    assert unread_count(a.coordinator) == 0


@pytest.mark.parametrize("base", ["", "https://kring.example.org/"])
def test_the_email_links_to_the_page_only_where_kring_knows_its_address(world, settings, base):
    settings.KRING_BASE_URL = base
    a = world.a
    notify(kinds.PLAN_SUBMITTED, [a.case_worker], organisation=a.org, case=a.case, link=f"/cases/{a.case.pk}/")
    (message,) = mail.outbox
    if base:
        assert f"https://kring.example.org/cases/{a.case.pk}/" in message.body
    else:
        assert "http" not in message.body and f"/cases/{a.case.pk}/" not in message.body
