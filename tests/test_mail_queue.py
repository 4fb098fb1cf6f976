"""Mail leaves through the background worker: queued by the page, delivered by `db_worker`."""

from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

QUEUED = {
    "EMAIL_BACKEND": "kring.core.mail.QueuedEmailBackend",
    "KRING_DELIVERY_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}


@override_settings(**QUEUED)
def test_mail_is_queued_and_the_worker_delivers_it(transactional_db):
    message = mail.EmailMultiAlternatives("Herinnering", "Tekst", "kring@example.org", ["gezin@example.org"])
    message.attach_alternative("<p>Tekst</p>", "text/html")
    message.send()
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert len(mail.outbox) == 1
    delivered = mail.outbox[0]
    assert delivered.subject == "Herinnering"
    assert delivered.to == ["gezin@example.org"]
    assert delivered.alternatives[0][1] == "text/html"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@override_settings(**QUEUED)
def test_mail_of_a_rolled_back_transaction_is_never_queued(transactional_db):
    from django.db import transaction

    try:
        with transaction.atomic():
            mail.send_mail("Onderwerp", "Tekst", "kring@example.org", ["gezin@example.org"])
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert DBTaskResult.objects.count() == 0
