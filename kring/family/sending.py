"""The family's links reach their holders: by e-mail through the worker (``kring.core.mail``) and by text message
through the pluggable sender of ``kring.core.link_sending`` (decision 257). A message names its holder by first name
only and says nothing of the case: who reads the phone or the mailbox learns no more than that a link came.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kring.audit.services import Action, log_access
from kring.core.link_sending import SendChannel, check_channel, queue_sms

__all__ = ["check_channel", "link_address", "message_text", "send_link"]


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
        queue_sms(link.person.phone, text)
    else:
        return
    log_access(actor, Action.EXPORT, [link_access(link)], detail=f"link sent by {channel}")
