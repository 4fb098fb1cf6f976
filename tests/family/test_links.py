"""The family's own link: made only for a parent or a young person old enough (digest only), opened, refused alike
when unknown, expired, revoked or long after the trajectory ended, throttled per address like the network members'
links, logged; sent by e-mail through the worker and by text message through the console sender, sent again with a
new secret (the old one revoked), naming no more than the first name."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kring.audit.models import AccessLogEntry
from kring.family import services
from kring.family.models import FamilyLink
from kring.plans.links.services import LINK_TRIES
from kring.trajectories.models import Trajectory

ADDRESS = "203.0.113.9"


def home(token):
    return reverse("family_links:home", args=[token])


def make_link(p, person, send_by=""):
    return services.create_link(p.coordinator, p.case.pk, p.trajectory.pk, person.pk, send_by)


def test_a_link_for_the_mother_opens_her_page_and_stores_only_a_digest(fw):
    link, token = make_link(fw, fw.mother)
    assert link.role == "parent"
    assert token not in link.token_digest and len(link.token_digest) == 64
    assert not FamilyLink.objects.filter(token_digest=token).exists()
    response = Client(REMOTE_ADDR=ADDRESS).get(home(token))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Fatima" in text
    assert fw.must.text in text  # the bottom lines in plain words
    assert "Buurthuis De Kring" in text  # the meeting's place
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    entry = AccessLogEntry.objects.filter(action="view", detail=f"via family link {link.pk}").first()
    assert entry is not None and token not in entry.path


def test_the_young_person_of_thirteen_gets_a_link_but_not_oma_nor_a_child_under_twelve(fw):
    link, _token = make_link(fw, fw.child)
    assert link.role == "young_person"
    with pytest.raises(ValidationError) as error:
        make_link(fw, fw.oma)
    assert "12" in str(error.value)
    fw.child.birth_date = timezone.localdate() - datetime.timedelta(days=365 * 11)
    fw.child.save()
    count = FamilyLink.objects.count()
    with pytest.raises(ValidationError):
        make_link(fw, fw.child)
    assert FamilyLink.objects.count() == count


def test_revoked_expired_and_ended_links_answer_the_same_404(fw):
    client = Client(REMOTE_ADDR=ADDRESS)
    revoked, revoked_token = make_link(fw, fw.mother)
    services.revoke_link(fw.coordinator, fw.case.pk, revoked.pk)
    expired, expired_token = make_link(fw, fw.child)
    FamilyLink.objects.filter(pk=expired.pk).update(expires_on=timezone.localdate() - datetime.timedelta(days=1))
    for token in (revoked_token, expired_token, "x" * 43):
        response = client.get(home(token))
        assert response.status_code == 404
    assert AccessLogEntry.objects.filter(action="denied", detail="family link revoked").exists()
    assert AccessLogEntry.objects.filter(action="denied", detail="family link expired").exists()
    # The trajectory ended more than the margin ago: the link no longer opens.
    _ended, ended_token = make_link(fw, fw.father)
    assert client.get(home(ended_token)).status_code == 200
    Trajectory.objects.filter(pk=fw.trajectory.pk).update(
        status="closed", closed_on=timezone.localdate() - datetime.timedelta(days=services.LINK_MARGIN_DAYS + 1)
    )
    assert client.get(home(ended_token)).status_code == 404


def test_an_address_that_keeps_guessing_is_throttled_but_a_valid_link_still_opens(fw):
    _link, token = make_link(fw, fw.mother)
    client = Client(REMOTE_ADDR=ADDRESS)
    for i in range(LINK_TRIES):
        assert client.get(home(f"guess-{i:020d}")).status_code == 404
    refused = client.get(home("guess-" + "9" * 30))
    assert refused.status_code == 429
    assert AccessLogEntry.objects.filter(action="denied", detail="throttled").exists()
    assert client.get(home(token)).status_code == 200


@pytest.fixture
def worker_mail(settings, django_capture_on_commit_callbacks):
    """The worker runs synchronously: queued mail and text messages are delivered when the transaction commits."""
    settings.EMAIL_BACKEND = "kring.core.mail.QueuedEmailBackend"
    settings.KRING_DELIVERY_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    settings.KRING_BASE_URL = "https://kring.example.org"
    return django_capture_on_commit_callbacks


def test_a_link_sent_by_e_mail_goes_through_the_worker_and_names_only_the_first_name(fw, worker_mail):
    mail.outbox.clear()
    with worker_mail(execute=True):
        link, token = make_link(fw, fw.mother, send_by="email")
    (message,) = mail.outbox
    assert message.to == ["fatima@example.org"]
    assert "Fatima" in message.body
    assert "Ouder" not in message.body and fw.case.number not in message.body
    assert f"https://kring.example.org/l/family/{token}/" in message.body
    assert AccessLogEntry.objects.filter(record_type="family_link", detail="link sent by email").exists()
    assert Client().get(home(token)).status_code == 200


def test_a_link_sent_by_text_message_goes_to_the_console_sender(fw, worker_mail, capsys):
    with worker_mail(execute=True):
        _link, token = make_link(fw, fw.mother, send_by="sms")
    out = capsys.readouterr().out
    assert "SMS to 06 12345678" in out and token in out
    assert "Fatima" in out and "Ouder" not in out


def test_sending_again_makes_a_new_secret_and_revokes_the_old_one(fw, worker_mail, capsys):
    with worker_mail(execute=True):
        old, old_token = make_link(fw, fw.mother)
        new, new_token = services.resend_link(fw.coordinator, fw.case.pk, old.pk, "sms")
    assert new_token != old_token and new.replaces_id == old.pk
    client = Client()
    assert client.get(home(old_token)).status_code == 404
    assert client.get(home(new_token)).status_code == 200
    assert new_token in capsys.readouterr().out


def test_sending_to_someone_without_an_address_is_refused_and_nothing_is_made(fw, worker_mail):
    count = FamilyLink.objects.count()
    with pytest.raises(ValidationError) as error:
        make_link(fw, fw.father, send_by="email")
    assert "Karim" in str(error.value)
    assert FamilyLink.objects.count() == count


def test_the_case_team_makes_and_revokes_links_on_its_page(fw, client):
    client.force_login(fw.world.a.coordinator)
    page = reverse("family:trajectory", args=[fw.case.pk, fw.trajectory.pk])
    assert client.get(page).status_code == 200
    response = client.post(
        reverse("family:link_create", args=[fw.case.pk, fw.trajectory.pk]), {"person": fw.mother.pk, "send_by": ""}
    )
    assert response.status_code == 200
    link = FamilyLink.objects.get(person=fw.mother)
    assert "/l/family/" in response.content.decode()
    refused = client.post(
        reverse("family:link_create", args=[fw.case.pk, fw.trajectory.pk]), {"person": fw.oma.pk, "send_by": ""}
    )
    assert refused.status_code == 400
    client.post(reverse("family:link_revoke", args=[fw.case.pk, fw.trajectory.pk, link.pk]))
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_another_organisation_cannot_reach_the_family_pages(fw, client):
    client.force_login(fw.world.b.case_worker)
    page = reverse("family:trajectory", args=[fw.case.pk, fw.trajectory.pk])
    assert client.get(page).status_code == 404
    response = client.post(reverse("family:link_create", args=[fw.case.pk, fw.trajectory.pk]), {"person": fw.mother.pk})
    assert response.status_code == 404
    assert not FamilyLink.objects.exists()
