"""Personal links reach their holders: the ways of sending, and text messages through a pluggable sender, sent by
the worker (decision 257).

``settings.KRING_SMS_SENDER`` names a class with ``send(phone, text)``; the default, ``ConsoleSmsSender``, writes the
message to the log and to standard output (no real provider is built in). Both the family's links and the network
members' links use it.
"""

from __future__ import annotations

import logging
import sys
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

logger = logging.getLogger("kring.sms")


class SendChannel(models.TextChoices):
    """How a new personal link reaches its holder."""

    NONE = "", gettext_lazy("show it to me only")
    EMAIL = "email", gettext_lazy("by e-mail")
    SMS = "sms", gettext_lazy("by text message")


class ConsoleSmsSender:
    """Writes each text message to the log and to standard output: for development and tests."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)
        sys.stdout.write(f"SMS to {phone}: {text}\n")


def sms_sender():
    return import_string(getattr(settings, "KRING_SMS_SENDER", "kring.core.link_sending.ConsoleSmsSender"))()


@task()
def deliver_sms(payload: dict) -> int:
    sms_sender().send(payload["to"], payload["text"])
    return 1


def queue_sms(phone: str, text: str) -> None:
    """Send on commit: nothing goes out for a record that was rolled back."""
    transaction.on_commit(partial(deliver_sms.enqueue, {"to": phone, "text": text}))


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
