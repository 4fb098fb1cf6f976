"""A network member's personal link reaches them (issue 16 item 8, decision 257): sent by e-mail through the worker
or by text message through the pluggable sender when it is made, sent again on request with a new secret and the old
link revoked, naming only the first name; a way the person cannot be reached by is refused with nothing made."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from kring.audit.models import AccessLogEntry
from kring.plans.links import services as link_services
from kring.plans.models import PersonalLink


@pytest.fixture
def worker_mail(settings, django_capture_on_commit_callbacks):
    """The worker runs synchronously: queued mail and text messages are delivered when the transaction commits."""
    settings.EMAIL_BACKEND = "kring.core.mail.QueuedEmailBackend"
    settings.KRING_DELIVERY_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    settings.KRING_BASE_URL = "https://kring.example.org"
    return django_capture_on_commit_callbacks


def home(token):
    return reverse("plan_links:home", args=[token])


def reachable(person, email="", phone=""):
    person.email, person.phone = email, phone
    person.save()
    return person


def test_a_member_link_sent_by_e_mail_names_only_the_first_name(accepted, worker_mail):
    p = accepted
    oma = reachable(p.mw.oma, email="oma@example.org")
    mail.outbox.clear()
    with worker_mail(execute=True):
        link, token = link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, oma.pk, send_by="email")
    (message,) = mail.outbox
    assert message.to == ["oma@example.org"]
    assert f"https://kring.example.org/l/{token}/" in message.body
    assert oma.first_name in message.body
    for absent in (oma.last_name, p.case.number, p.case.family_name, p.sleep.what):
        assert absent not in message.body, absent
    assert AccessLogEntry.objects.filter(record_type="personal_link", detail="link sent by email").exists()
    assert Client().get(home(token)).status_code == 200


def test_sent_again_by_text_message_a_new_secret_opens_and_the_old_one_no_longer(accepted, worker_mail, capsys):
    p = accepted
    oma = reachable(p.mw.oma, phone="06 11112222")
    with worker_mail(execute=True):
        old, old_token = link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, oma.pk)
        new, new_token = link_services.resend_link(p.coordinator, p.case.pk, old.pk, "sms")
    out = capsys.readouterr().out
    assert "SMS to 06 11112222" in out and new_token in out and old_token not in out
    old.refresh_from_db()
    assert old.revoked_at is not None and new.expires_on == old.expires_on and new.shared_parts == old.shared_parts
    assert Client().get(home(old_token)).status_code == 404
    assert Client().get(home(new_token)).status_code == 200
    # A revoked link is not sent again: a new one is made instead.
    with pytest.raises(ValidationError):
        link_services.resend_link(p.coordinator, p.case.pk, old.pk, "sms")


def test_a_way_the_person_cannot_be_reached_by_is_refused_and_nothing_is_made(accepted, worker_mail):
    p = accepted
    oma = reachable(p.mw.oma)
    count = PersonalLink.objects.count()
    mail.outbox.clear()
    for send_by in ("email", "sms", "pigeon"):
        with pytest.raises(ValidationError) as error, worker_mail(execute=True):
            link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, oma.pk, send_by=send_by)
        assert "send_by" in error.value.message_dict
    assert PersonalLink.objects.count() == count and not mail.outbox


def test_the_plan_page_sends_a_link_again_and_refuses_outsiders(accepted, worker_mail, client):
    p = accepted
    oma = reachable(p.mw.oma, email="oma@example.org")
    link, _token = link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, oma.pk)
    url = reverse("plans:link_resend", kwargs={"pk": p.case.pk, "trajectory_id": p.trajectory.pk, "link_id": link.pk})
    plan_url = reverse("plans:plan", kwargs={"pk": p.case.pk, "trajectory_id": p.trajectory.pk})
    client.force_login(p.world.a.other_worker)  # not on the case team
    assert client.post(url, {"send_by": "email"}).status_code == 404
    client.force_login(p.world.a.coordinator)
    assert url in client.get(plan_url).content.decode()
    mail.outbox.clear()
    with worker_mail(execute=True):
        response = client.post(url, {"send_by": "email"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "onderweg" in response.content.decode() or "on its way" in response.content.decode()
    assert len(mail.outbox) == 1 and PersonalLink.objects.filter(person=oma, revoked_at__isnull=True).count() == 1
