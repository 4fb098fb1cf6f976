"""Personal links reach their holders: by e-mail through the worker (``kring.core.mail``) and by text message through
a pluggable sender, also through the worker (decision 257).

``settings.KRING_SMS_SENDER`` names a class with ``send(phone, text)``; the default, ``ConsoleSmsSender``, writes the
message to the log and to standard output (no real provider is built in). A message names its holder by first name
only and says nothing of the case: who reads the phone or the mailbox learns no more than that a link came.
"""

from __future__ import annotations

import logging
import sys
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task

from kring.audit.services import Action, log_access

from .choices import SendChannel

logger = logging.getLogger("kring.sms")


class ConsoleSmsSender:
    """Writes each text message to the log and to standard output: for development and tests."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)
        sys.stdout.write(f"SMS to {phone}: {text}\n")


def sms_sender():
    return import_string(getattr(settings, "KRING_SMS_SENDER", "kring.family.sending.ConsoleSmsSender"))()


@task()
def deliver_sms(payload: dict) -> int:
    sms_sender().send(payload["to"], payload["text"])
    return 1


def check_channel(person, channel: str) -> None:
    """Refuse a way of sending the person cannot be reached by (before anything is made)."""
    if channel in ("", None):
        return
    if channel not in SendChannel.values:
        raise ValidationError({"send_by": [_("Choose how the link is sent.")]})
    if not settings.KRING_BASE_URL:
        raise ValidationError(
            {"send_by": [_("Kring's own address is not set (KRING_BASE_URL), so a link cannot be sent.")]}
        )
    if channel == SendChannel.EMAIL and not person.email:
        raise ValidationError(
            {"send_by": [_("No e-mail address is known for %(name)s.") % {"name": person.first_name}]}
        )
    if channel == SendChannel.SMS and not person.phone:
        raise ValidationError({"send_by": [_("No phone number is known for %(name)s.") % {"name": person.first_name}]})


def link_address(token: str) -> str:
    return settings.KRING_BASE_URL.rstrip("/") + reverse("family_links:home", args=[token])


def message_text(link, token: str) -> tuple[str, str]:
    """(subject, text) of the message: the first name, the address, until when; nothing of the case."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your personal link")
        text = _(
            "Dear %(first_name)s,\n\nHere is your personal link to your family's page: %(url)s\n\n"
            "Keep it to yourself: whoever has it can read your page. Ask your coordinator for a new link if you "
            "lose it."
        ) % {"first_name": link.person.first_name, "url": link_address(token)}
    return subject, text


def send_link(actor, link, token: str, channel: str) -> None:
    """Queue the link for its holder (on commit: nothing goes out for a link that was rolled back)."""
    from .services import link_access

    subject, text = message_text(link, token)
    if channel == SendChannel.EMAIL:
        send_mail(subject, text, None, [link.person.email])
    elif channel == SendChannel.SMS:
        transaction.on_commit(partial(deliver_sms.enqueue, {"to": link.person.phone, "text": text}))
    else:
        return
    log_access(actor, Action.EXPORT, [link_access(link)], detail=f"link sent by {channel}")
