"""Item 14.9 for what leaves Kring by e-mail: every kind of notification, as the inbox shows it and as the e-mail
says it, reads as Dutch (no English words, no codes, no ISO dates) and carries the case number and no name."""

import pytest
from django.core import mail
from django.utils import translation

from kring.inbox import kinds
from kring.inbox.models import Notification
from kring.inbox.rendering import render
from kring.inbox.services import notify, save_email_preferences
from tests.test_dutch_pages import _method_codes, problems_in

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.mark.parametrize("kind", sorted(kinds.KINDS))
def test_every_notification_and_its_email_read_as_dutch(world, settings, kind):
    settings.EMAIL_BACKEND = LOCMEM
    settings.KRING_BASE_URL = "https://kring.example.org"
    a = world.a
    save_email_preferences(a.case_worker, chosen=list(kinds.KINDS))
    notify(
        kind,
        [a.case_worker],
        organisation=a.org,
        case=a.case,
        link=f"/cases/{a.case.pk}/",
        params={"date": "2026-12-24", "time": "14:30"},
    )
    (message,) = mail.outbox
    with translation.override("nl"):
        title, text = render(Notification.objects.get(kind=kind))
    assert a.case.number in text and a.case.number in message.body
    names = [a.case.number, "Kring", "https://kring.example.org"]
    for written in (title, text, message.subject, message.body):
        assert problems_in(written, names=names, codes=_method_codes()) == [], written
        assert a.case.family_name not in written
    if "%(date)s" in str(kinds.KINDS[kind].text):
        assert "24 december 2026" in text and "24 december 2026" in message.body
