"""The network member's pages behind a personal link: only their own agreements and what is shared with them,
confirming and reporting back (a safety agreement not done alerts the case worker at once), the same 404 for
unknown, expired and revoked links (logged as refused), throttling per address, the access log, and headers
that keep the secret out of caches, referrers and search engines."""

import datetime
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from kring.audit.models import AccessLogEntry
from kring.cases import services as case_services
from kring.cases.models import Consent
from kring.plans import follow_up as plan_follow_up
from kring.plans.choices import PlanPart
from kring.plans.links import services as link_services
from kring.plans.models import Agreement, AgreementReport, ChildToolAttachment, PersonalLink
from kring.trajectories.models import Reminder
from tests.factories import make_parent

ADDRESS = "203.0.113.7"


@pytest.fixture(autouse=True)
def clean_cache(db):
    """Wrong tries are counted per address in the cache; no test may inherit another's."""
    cache.clear()
    yield
    cache.clear()


def link_for(p, person, parts=()):
    if parts:
        case_services.record_consent(
            p.worker,
            p.case.pk,
            {
                "person": make_parent(p.case).pk,  # the child is too young to consent alone
                "purpose": "share_plan",
                "given_on": timezone.localdate(),
            },
        )
    return link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, person.pk, list(parts))


def home(token):
    return reverse("plan_links:home", args=[token])


def confirm_url(token, agreement_id):
    return reverse("plan_links:confirm", args=[token, agreement_id])


def report_url(token, agreement_id):
    return reverse("plan_links:report", args=[token, agreement_id])


def text_of(response):
    return response.content.decode()


def denied(**kw):
    return AccessLogEntry.objects.filter(action="denied", **kw)


# ---- what the page shows --------------------------------------------------------------------------------------


def test_the_page_shows_only_the_holders_own_agreements(accepted, client):
    p = accepted
    link, token = link_for(p, p.mw.oma)
    response = client.get(home(token))
    assert response.status_code == 200
    text = text_of(response)
    assert "Oma" in text  # the greeting
    assert p.sleep.what in text
    assert p.school.what not in text  # Piet's agreement
    assert confirm_url(token, p.sleep.pk) in text and report_url(token, p.sleep.pk) in text
    # Nothing else of the case: not its number, nor its family name, nor other persons or the plan's parts.
    for absent in (
        p.case.number,
        p.case.family_name,
        "Piet",
        p.mw.kees.first_name,
        p.plan.concerns,
        p.plan.if_it_goes_wrong,
        p.must.text,
    ):
        assert absent not in text
    with override("nl"):
        assert gettext("safety agreement") in text  # the page is Dutch by default
        assert gettext("I take this on") in text


def test_the_backup_person_sees_the_agreement_they_stand_in_for_but_cannot_take_it_on(accepted, client):
    p = accepted
    link, token = link_for(p, p.mw.piet)
    text = text_of(client.get(home(token)))
    assert p.school.what in text and p.sleep.what in text  # his own, and Oma's where he is the backup
    assert confirm_url(token, p.school.pk) in text
    assert confirm_url(token, p.sleep.pk) not in text
    assert client.post(confirm_url(token, p.sleep.pk)).status_code == 404
    assert Agreement.objects.get(pk=p.sleep.pk).confirmed_on is None


def test_shared_parts_only_when_shared(accepted, client):
    p = accepted
    _link, plain = link_for(p, p.mw.oma)
    _link, sharing = link_for(
        p, p.mw.oma, [PlanPart.CONCERNS, PlanPart.BOTTOM_LINES, PlanPart.IF_WRONG, PlanPart.ALL_AGREEMENTS]
    )
    text = text_of(client.get(home(plain)))
    for part in (p.plan.concerns, p.must.text, p.plan.if_it_goes_wrong, p.school.what):
        assert part not in text
    text = text_of(client.get(home(sharing)))
    for part in (p.plan.concerns, p.must.text, p.plan.if_it_goes_wrong, p.school.what):
        assert part in text
    assert p.case.number not in text


def test_attachments_only_those_shared_with_the_network(accepted, client):
    p = accepted

    def attach(title, sharing):
        return ChildToolAttachment.objects.create(
            plan=p.plan,
            case=p.case,
            organisation=p.case.organisation,
            tool="three_houses",
            title=title,
            sharing=sharing,
            filename=f"{title}.png",
            content_type="image/png",
            content=b"\x89PNG-" + title.encode(),
            size=10,
            uploaded_by=p.world.a.case_worker,
        )

    shared = attach("Drie huizen van Sam", "network")
    private = attach("Alleen voor het team", "case_team")
    link, token = link_for(p, p.mw.oma)
    # Shared with the network, but without the family's consent to share with the network: not shown.
    assert shared.title not in text_of(client.get(home(token)))
    consent = Consent.objects.create(
        case=p.case,
        organisation=p.case.organisation,
        person=p.mw.child,
        purpose="share_with_network",
        given_on=datetime.date.today(),
        recorded_by=p.world.a.case_worker,
    )
    text = text_of(client.get(home(token)))
    assert shared.title in text and private.title not in text
    download = client.get(reverse("plan_links:attachment", args=[token, shared.pk]), REMOTE_ADDR=ADDRESS)
    assert download.status_code == 200
    assert download.content == b"\x89PNG-" + shared.title.encode()
    assert download["Content-Type"] == "image/png" and "attachment" in download["Content-Disposition"]
    assert download["Referrer-Policy"] == "no-referrer" and "no-store" in download["Cache-Control"]
    assert AccessLogEntry.objects.filter(
        action="export",
        record_type="child_tool",
        record_id=str(shared.pk),
        detail__contains=f"personal link {link.pk}",
        ip_address=ADDRESS,
    ).exists()
    assert client.get(reverse("plan_links:attachment", args=[token, private.pk])).status_code == 404
    assert client.get(reverse("plan_links:attachment", args=[token, 10**9])).status_code == 404
    assert denied(record_type="child_tool", record_id=str(private.pk)).exists()
    assert p.case.number not in text
    # The consent withdrawn: the drawing is hidden again at once.
    Consent.objects.filter(pk=consent.pk).update(withdrawn_on=datetime.date.today())
    assert shared.title not in text_of(client.get(home(token)))
    assert client.get(reverse("plan_links:attachment", args=[token, shared.pk])).status_code == 404


# ---- confirming and reporting ------------------------------------------------------------------------------------


def test_confirm_works_once(accepted, client):
    p = accepted
    link, token = link_for(p, p.mw.oma)
    response = client.post(confirm_url(token, p.sleep.pk), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302 and response["Location"] == home(token)
    agreement = Agreement.objects.get(pk=p.sleep.pk)
    assert agreement.confirmed_on == timezone.localdate()
    version = agreement.version
    page = client.get(home(token))
    assert confirm_url(token, p.sleep.pk) not in text_of(page)  # no button any more
    with override("nl"):
        assert gettext("Thank you: you have taken this agreement on.") in text_of(page)
    assert client.post(confirm_url(token, p.sleep.pk)).status_code == 302
    assert Agreement.objects.get(pk=p.sleep.pk).version == version  # nothing changed the second time
    assert AccessLogEntry.objects.filter(
        action="update",
        record_type="agreement",
        record_id=str(p.sleep.pk),
        detail=f"confirmed via personal link {link.pk}",
        ip_address=ADDRESS,
        user__isnull=True,
    ).exists()


def other_plans_agreement(p):
    """An agreement in force for Oma in another plan of the case (a second trajectory's)."""
    from kring.plans.models import Plan
    from kring.trajectories import services as trajectory_services

    t2 = trajectory_services.offer_trajectory(p.worker, p.case.pk, "ekc", timezone.localdate())
    mail.outbox.clear()  # the team lead's hand-off e-mail of the offer (tests/inbox) is not what the tests count
    plan = Plan.objects.create(
        trajectory=t2,
        case=p.case,
        organisation=p.case.organisation,
        plan_type="family_group_plan",
        status="accepted",
        written_by=p.world.a.coordinator,
    )
    return Agreement.objects.create(
        plan=plan,
        case=p.case,
        organisation=p.case.organisation,
        owner_person=p.mw.oma,
        what="Oma kookt op woensdag.",
        in_force=True,
    )


def test_an_agreement_of_another_person_or_plan_is_not_found_and_nothing_changes(accepted, client):
    p = accepted
    elsewhere = other_plans_agreement(p)
    link, token = link_for(p, p.mw.oma)
    assert elsewhere.what not in text_of(client.get(home(token)))
    before = list(Agreement.objects.order_by("pk").values_list("pk", "status", "confirmed_on", "version"))
    # Piet's agreement, Oma's agreement in another plan, and one that does not exist.
    for agreement_id in (p.school.pk, elsewhere.pk, 10**9):
        assert client.post(confirm_url(token, agreement_id)).status_code == 404
        assert client.post(report_url(token, agreement_id), {"outcome": "done"}).status_code == 404
        assert client.post(report_url(token, agreement_id), {"outcome": "nonsense"}).status_code == 404
        assert (
            denied(
                record_type="agreement",
                record_id=str(agreement_id),
                detail=f"not an agreement of personal link {link.pk}",
            ).count()
            == 3
        )
    assert list(Agreement.objects.order_by("pk").values_list("pk", "status", "confirmed_on", "version")) == before
    assert not AgreementReport.objects.exists()
    assert not Reminder.objects.exists() and mail.outbox == []


def test_report_not_done_on_the_safety_agreement_alerts_the_case_worker_at_once(accepted, client):
    p = accepted
    link, token = link_for(p, p.mw.oma)
    response = client.post(
        report_url(token, p.sleep.pk), {"outcome": "not_done", "note": "Oma was ziek."}, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 302 and response["Location"] == home(token)
    report = AgreementReport.objects.get()
    assert (report.agreement_id, report.outcome, report.note, report.link_id) == (
        p.sleep.pk,
        "not_done",
        "Oma was ziek.",
        link.pk,
    )
    assert Agreement.objects.get(pk=p.sleep.pk).status == "not_done"
    alert = Reminder.objects.get(kind="safety_alert")
    assert (alert.user, alert.case, alert.subject) == (
        p.world.a.case_worker,
        p.case,
        plan_follow_up.agreement_subject(p.sleep.pk),
    )
    assert alert.emailed_at is not None
    assert [m.to for m in mail.outbox] == [[p.world.a.case_worker.email]]
    assert p.case.number in mail.outbox[0].body and "Oma" not in mail.outbox[0].body
    assert AccessLogEntry.objects.filter(
        action="update",
        record_type="agreement",
        record_id=str(p.sleep.pk),
        detail=f"report not_done via personal link {link.pk}",
    ).exists()


def test_the_safety_alert_email_is_queued_for_the_worker(accepted, settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.EMAIL_BACKEND = "kring.core.mail.QueuedEmailBackend"
    p = accepted
    _link, token = link_for(p, p.mw.oma)
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(report_url(token, p.sleep.pk), {"outcome": "not_done"})
    assert response.status_code == 302
    queued = DBTaskResult.objects.filter(status="READY")
    assert queued.count() == 1
    assert queued.get().args_kwargs["args"][0]["to"] == [p.world.a.case_worker.email]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"outcome": "perhaps"}, "outcome"),
        ({"outcome": ""}, "outcome"),
        ({"outcome": "done", "note": "x" * 4001}, "note"),
        ({"outcome": "done", "note": "nul\x00byte"}, "note"),
    ],
)
def test_bad_reports_show_the_page_again_and_change_nothing(accepted, client, data, field):
    p = accepted
    _link, token = link_for(p, p.mw.oma)
    response = client.post(report_url(token, p.sleep.pk), data)
    assert response.status_code == 400
    text = text_of(response)
    assert p.sleep.what in text
    assert f'id="report-{p.sleep.pk}-{field}_error"' in text
    assert not AgreementReport.objects.exists()
    assert Agreement.objects.get(pk=p.sleep.pk).status == "open"
    assert not Reminder.objects.exists() and mail.outbox == []


def test_a_too_long_note_names_the_problem(accepted, client):
    from django.core.validators import MaxLengthValidator

    p = accepted
    _link, token = link_for(p, p.mw.oma)
    response = client.post(report_url(token, p.sleep.pk), {"outcome": "done", "note": "x" * 4001})
    with override("nl"):
        expected = MaxLengthValidator(4000).message % {"limit_value": 4000, "show_value": 4001}
    assert str(expected) in text_of(response)


def test_a_report_on_a_stopped_or_not_in_force_agreement_is_refused(accepted, client):
    p = accepted
    _link, token = link_for(p, p.mw.oma)
    Agreement.objects.filter(pk=p.sleep.pk).update(status="stopped")
    assert client.post(report_url(token, p.sleep.pk), {"outcome": "done"}).status_code == 404
    assert p.sleep.what not in text_of(client.get(home(token)))
    assert not AgreementReport.objects.exists()


# ---- refused links -----------------------------------------------------------------------------------------------


def test_unknown_expired_and_revoked_links_get_the_same_404_and_are_logged(accepted, client):
    p = accepted
    expired, expired_token = link_for(p, p.mw.oma)
    PersonalLink.objects.filter(pk=expired.pk).update(expires_on=timezone.localdate() - datetime.timedelta(days=1))
    revoked, revoked_token = link_for(p, p.mw.oma)
    link_services.revoke_link(p.coordinator, p.case.pk, revoked.pk)
    pages = []
    for token in ("x" * 43, expired_token, revoked_token, "short"):
        response = client.get(home(token), REMOTE_ADDR=ADDRESS)
        assert response.status_code == 404
        assert "no-store" in response["Cache-Control"]
        # The same page, but for the address itself and the form's (per request masked) CSRF token.
        pages.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text_of(response).replace(token, "")))
    assert len(set(pages)) == 1  # the same page whatever the reason
    assert p.sleep.what not in pages[0]
    assert denied(
        record_type="personal_link", record_id=str(expired.pk), detail="link expired", ip_address=ADDRESS
    ).exists()
    assert denied(record_type="personal_link", record_id=str(revoked.pk), detail="link revoked").exists()
    assert denied(record_type="personal_link", record_id="", detail="link unknown").count() == 2
    # The secret itself never lands in the log.
    for token in (expired_token, revoked_token):
        assert not AccessLogEntry.objects.filter(path__contains=token).exists()
    # A refused link cannot confirm or report either.
    assert client.post(confirm_url(revoked_token, p.sleep.pk)).status_code == 404
    assert client.post(report_url(expired_token, p.sleep.pk), {"outcome": "done"}).status_code == 404
    assert Agreement.objects.get(pk=p.sleep.pk).confirmed_on is None and not AgreementReport.objects.exists()


def test_ten_wrong_tokens_from_one_address_then_guesses_are_refused_but_the_valid_link_opens(accepted, client):
    p = accepted
    _link, token = link_for(p, p.mw.oma)
    for i in range(link_services.LINK_TRIES):
        assert client.get(home(f"wrong-token-{i:02d}-" + "x" * 30), REMOTE_ADDR=ADDRESS).status_code == 404
    response = client.get(home("wrong-token-next-" + "x" * 30), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/plain")
    with override("nl"):
        assert gettext(
            "Too many attempts from your address. Please wait a quarter of an hour and try again."
        ) in text_of(response)
    assert denied(record_type="personal_link", detail="throttled", ip_address=ADDRESS).count() == 1
    # Posting with a wrong secret is refused the same way.
    assert client.post(confirm_url("wrong-token-post-" + "x" * 30, p.sleep.pk), REMOTE_ADDR=ADDRESS).status_code == 429
    # The holder of a valid link is not the guesser: their link opens from the same address (item 17).
    response = client.get(home(token), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200 and p.sleep.what in text_of(response)
    assert client.get(home(token), REMOTE_ADDR="198.51.100.1").status_code == 200


# ---- logging and headers -----------------------------------------------------------------------------------------


def test_views_are_logged_with_the_link_and_without_the_secret(accepted, client):
    p = accepted
    link, token = link_for(p, p.mw.oma, [PlanPart.BOTTOM_LINES])
    client.get(home(token), REMOTE_ADDR=ADDRESS)
    views = AccessLogEntry.objects.filter(action="view", detail=f"via personal link {link.pk}")
    assert set(views.values_list("record_type", "record_id")) >= {
        ("plan", str(p.plan.pk)),
        ("agreement", str(p.sleep.pk)),
        ("bottom_line", str(p.must.pk)),
    }
    assert not views.filter(record_type="agreement", record_id=str(p.school.pk)).exists()
    assert set(views.values_list("ip_address", flat=True)) == {ADDRESS}
    assert set(views.values_list("case_id", flat=True)) == {p.case.pk}
    assert set(views.values_list("user", flat=True)) == {None}
    assert not AccessLogEntry.objects.filter(path__contains=token).exists()
    assert PersonalLink.objects.get(pk=link.pk).last_used_at is not None


def test_headers_keep_the_secret_private(accepted, client):
    p = accepted
    _link, token = link_for(p, p.mw.oma)
    for response in (
        client.get(home(token)),
        client.get(home("y" * 43)),
        client.post(report_url(token, p.sleep.pk), {"outcome": ""}),
    ):
        assert response["Referrer-Policy"] in ("no-referrer", "same-origin")
        assert "no-store" in response["Cache-Control"]
        assert "noindex" in response["X-Robots-Tag"]
    page = client.get(home(token))
    assert '<meta name="robots" content="noindex, nofollow">' in text_of(page)
    # A page with a form keeps its referrer within Kring (see the next test); nothing else sends one at all.
    assert page["Referrer-Policy"] == "same-origin"
    redirect = client.post(confirm_url(token, p.sleep.pk))
    assert "no-store" in redirect["Cache-Control"]


def test_forms_keep_csrf_protection(accepted):
    p = accepted
    _link, token = link_for(p, p.mw.oma)
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(home(token))
    assert 'name="csrfmiddlewaretoken"' in text_of(page)
    assert browser.post(confirm_url(token, p.sleep.pk)).status_code == 403
    assert Agreement.objects.get(pk=p.sleep.pk).confirmed_on is None
    csrf = browser.cookies["csrftoken"].value
    # What a browser sends from a page with "same-origin": its own origin. (With "no-referrer" it would send
    # "null", which is refused: that is why pages with forms keep their referrer within Kring.)
    assert (
        browser.post(
            confirm_url(token, p.sleep.pk), {"csrfmiddlewaretoken": csrf}, HTTP_ORIGIN="http://testserver"
        ).status_code
        == 302
    )
    assert Agreement.objects.get(pk=p.sleep.pk).confirmed_on is not None
    refused = browser.post(
        report_url(token, p.sleep.pk), {"csrfmiddlewaretoken": csrf, "outcome": "done"}, HTTP_ORIGIN="null"
    )
    assert refused.status_code == 403


def test_the_page_follows_the_language_switch(accepted, client):
    p = accepted
    _link, token = link_for(p, p.mw.oma)
    client.post(reverse("set_language"), {"language": "en", "next": home(token)})
    with override("en"):
        assert gettext("I take this on") in text_of(client.get(home(token)))


def test_a_closed_case_closes_its_links(accepted, client):
    from kring.cases.models import Case

    p = accepted
    _link, token = link_for(p, p.mw.oma)
    Case.objects.filter(pk=p.case.pk).update(status="closed")
    assert client.get(home(token)).status_code == 404


def test_get_on_a_form_address_is_not_allowed(accepted, client):
    p = accepted
    _link, token = link_for(p, p.mw.oma)
    assert client.get(confirm_url(token, p.sleep.pk)).status_code == 405
    assert Agreement.objects.get(pk=p.sleep.pk).confirmed_on is None


def test_wrong_tries_are_counted_for_the_whole_window(accepted, client, settings):
    """The count of wrong tries lasts LINK_TRY_WINDOW from the latest one (not the cache's default timeout)."""
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache
    from django.db import connection

    for i in range(3):
        client.get(home(f"wrong-token-{i:02d}-" + "x" * 30), REMOTE_ADDR=ADDRESS)
    key = cache.make_key(link_services._throttle_key(ADDRESS))
    if isinstance(caches["default"], DatabaseCache):
        table = connection.ops.quote_name(settings.CACHES["default"]["LOCATION"])
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT expires FROM {table} WHERE cache_key = %s", [key])
            (expires,) = cursor.fetchone()
        if isinstance(expires, str):
            expires = datetime.datetime.fromisoformat(expires)
        if timezone.is_naive(expires):
            expires = timezone.make_aware(expires, datetime.UTC)
        left = (expires - timezone.now()).total_seconds()
    else:
        # Redis (CI's PostgreSQL run): ask the server how long the key has left.
        left = caches["default"]._cache.get_client(key).ttl(key)
    assert link_services.LINK_TRY_WINDOW - 60 < left <= link_services.LINK_TRY_WINDOW
    assert cache.get(link_services._throttle_key(ADDRESS)) == 3
