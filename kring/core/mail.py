"""E-mail goes out through the background worker, so a slow mail server never holds up a page."""

from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django_tasks import task


class QueuedEmailBackend(BaseEmailBackend):
    """Queues each message as a task; the worker delivers it with KRING_DELIVERY_EMAIL_BACKEND."""

    def send_messages(self, email_messages):
        for message in email_messages:
            payload = {
                "subject": str(message.subject),
                "body": str(message.body),
                "from_email": message.from_email,
                "to": list(message.to),
                "cc": list(message.cc),
                "bcc": list(message.bcc),
                "reply_to": list(message.reply_to),
                "alternatives": [
                    [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
                ],
            }
            # Only queue once the surrounding transaction commits: no mail about work that was rolled back.
            transaction.on_commit(partial(deliver_email.enqueue, payload))
        return len(email_messages)


@task()
def deliver_email(payload: dict) -> int:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        cc=payload["cc"],
        bcc=payload["bcc"],
        reply_to=payload["reply_to"],
        connection=get_connection(settings.KRING_DELIVERY_EMAIL_BACKEND),
    )
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message.send()
