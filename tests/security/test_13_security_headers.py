"""Item 13: every answer carries a Content-Security-Policy without inline script, a Permissions-Policy, and
`Cache-Control: no-store`; no page Kring renders contains inline script, inline event handlers or inline styles.

The sweep walks every URL pattern Django knows (so a new route is covered without editing this test), fills its
parameters from a world with a plan, meetings, links and registrations, and GETs it as the people who use it.
"""

import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, resolve

import config.urls
from kring.accounts.models import User
from kring.meetings import services as meeting_services
from kring.network import services as network_services
from kring.plans.links import services as link_services
from tests.meetings.conftest import mw  # noqa: F401  (the fixtures the plan world builds on)
from tests.plans.conftest import accepted, pw  # noqa: F401

# --- what every answer must carry ------------------------------------------------------------------------------

# JavaScript types a browser executes; a <script> of another type (e.g. json_script's application/json) is data.
EXECUTABLE_SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}


def policy_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def header_problems(response) -> list[str]:
    problems = []
    csp = response.headers.get("Content-Security-Policy")
    if not csp:
        problems.append("no Content-Security-Policy")
    else:
        directives = policy_directives(csp)
        script_sources = directives.get("script-src", directives.get("default-src"))
        if script_sources is None:
            problems.append("CSP without script-src or default-src")
        else:
            for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
                if unsafe in script_sources:
                    problems.append(f"script-src allows {unsafe}")
        if directives.get("object-src") != ["'none'"]:
            problems.append("object-src is not 'none'")
        if directives.get("frame-ancestors") != ["'none'"]:
            problems.append("frame-ancestors is not 'none'")
    permissions = response.headers.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        if feature not in permissions:
            problems.append(f"Permissions-Policy lacks {feature}")
    if "no-store" not in response.headers.get("Cache-Control", ""):
        problems.append(f"Cache-Control is {response.headers.get('Cache-Control')!r}, not no-store")
    return problems


class InlineCodeFinder(HTMLParser):
    """Collects what a strict policy would block: inline script, handlers, javascript: URLs, inline styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes:
            if (attributes.get("type") or "").strip().lower() in EXECUTABLE_SCRIPT_TYPES:
                self.found.append(f"inline <script {attrs}>")
        if tag == "style":
            self.found.append("inline <style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"event handler {name}= on <{tag}>")
            if name == "style":
                self.found.append(f"style= attribute on <{tag}>")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL in {name}= on <{tag}>")


def inline_code(response) -> list[str]:
    if not response.headers.get("Content-Type", "").startswith("text/html"):
        return []
    finder = InlineCodeFinder()
    finder.feed(response.content.decode(response.charset or "utf-8", errors="replace"))
    return finder.found


# --- every route, with its parameters filled from the world --------------------------------------------------


def all_patterns(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from all_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def fill(route: str, values: dict) -> str | None:
    """The route with every parameter replaced by a value of the world, or None when one is unknown."""
    missing = []

    def value(match):
        name = match.group(1) or match.group(2)
        if name not in values:
            missing.append(name)
            return ""
        return str(values[name])

    # Regular-expression routes (allauth's keys, the admin's app list) are anchored inside their prefix.
    filled = PARAMETER.sub(value, route).replace("^", "").replace("$", "")
    return None if missing else "/" + filled


def route_values(p, token) -> dict:
    """Parameter name -> an id of the world that a case worker of world.a.case may open."""
    from django.utils import timezone

    from kring.documents import services as document_services
    from kring.journal import services as journal_services
    from kring.measures.models import Administration
    from kring.meetings.models import InformationContribution, Invitation
    from kring.network.models import Relationship, SystemTie
    from kring.plans.models import PersonalLink

    world, case = p.world, p.case
    invitation = Invitation.objects.filter(meeting=p.mw.meeting).first()
    contribution = InformationContribution.objects.filter(meeting=p.mw.meeting).first()
    letter = document_services.add_document(
        p.worker, case.pk, {"title": "Brief", "kind": "letter_received"}, "brief.txt", b"Beste familie,\n"
    )
    journal_entry = journal_services.write_entry(
        p.worker,
        case.pk,
        {"occurred_at": timezone.now(), "category": "phone_call", "text": "Gebeld met Oma.", "persons": [p.mw.oma.pk]},
    )
    values = {
        "pk": case.pk,
        "case_id": case.pk,
        "trajectory_id": p.trajectory.pk,
        "meeting_id": p.mw.meeting.pk,
        "person_id": p.mw.oma.pk,
        "plan_id": p.plan.pk,
        "line_id": p.must.pk,
        "bottom_line_id": p.must.pk,
        "agreement_id": p.sleep.pk,
        "team_id": world.a.team.pk,
        "organisation_id": world.a.org.pk,
        "relation_id": Relationship.objects.filter(case=case).first().pk,
        "relationship_id": Relationship.objects.filter(case=case).first().pk,
        "tie_id": SystemTie.objects.filter(case=case).first().pk,
        "invitation_id": invitation.pk,
        "contribution_id": contribution.pk,
        "link_id": PersonalLink.objects.filter(plan=p.plan).first().pk,
        "token": token,
        "member_id": case.team_members.first().pk,
        "consent_id": 1,
        "moment": "t0",
        "version": "5.5.1",
        "code": "fnb",
        "instrument_code": "ncfas-g",
        "mode": "entry",
        "administration_id": getattr(Administration.objects.first(), "pk", 1),
        "journal_entry_id": journal_entry.pk,
        "document_id": letter.pk,
        "version_number": 1,
        # Admin routes.
        "app_label": "accounts",
        "id": world.a.case_worker.pk,
        "url": "no-such-page/",
        "content_type_id": ContentType.objects.get_for_model(User).pk,
        "object_id": world.a.case_worker.pk,
        # allauth's e-mail confirmation and password reset keys: wrong ones still render a page.
        "key": "not-a-key",
        "uidb36": "0",
    }
    # Records the world does not hold answer 404, which must carry the headers just as well.
    for name in (
        "run_id",
        "review_id",
        "entry_id",
        "statement_id",
        "rating_id",
        "attachment_id",
        "job_id",
        "project_id",
        "offer_id",
        "request_id",
        "alert_id",
        "authority_id",
        "item_id",
        "period_id",
        "sender_id",
        "transfer_id",
        "no_contact_id",
        "rectification_id",
    ):
        values.setdefault(name, 999999)
    return values


@pytest.fixture
def plan_world(accepted):  # noqa: F811
    """The accepted plan of tests/plans plus a relationship, a system tie, invitations, a contribution and a
    personal link for Oma."""
    p = accepted
    worker = p.worker
    network_services.add_relationship(
        worker, p.case.pk, {"kind": "partner", "subtype": "married", "person_a": p.mw.oma.pk, "person_b": p.mw.piet.pk}
    )
    network_services.add_system_tie(
        worker, p.case.pk, {"system": "School", "system_kind": "school", "strength": "strong"}
    )
    meeting_services.invite_from_map(worker, p.case.pk, p.mw.meeting.pk)
    meeting_services.add_contribution(
        worker, p.case.pk, p.mw.meeting.pk, {"text": "Oma vertelt hoe het gaat.", "author_name": "Oma Jansen"}
    )
    _link, token = link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, p.mw.oma.pk)
    return p, token


def sweep(client, routes) -> tuple[dict, dict]:
    header_failures, inline_failures = {}, {}
    for url in routes:
        response = client.get(url)
        if problems := header_problems(response):
            header_failures[f"{url} ({response.status_code})"] = problems
        if found := inline_code(response):
            inline_failures[f"{url} ({response.status_code})"] = sorted(set(found))
    return header_failures, inline_failures


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_every_route_carries_the_security_headers_and_no_inline_code(plan_world):
    p, token = plan_world
    values = route_values(p, token)
    routes, unfilled = [], []
    for route, pattern in all_patterns():
        url = fill(route, values)
        if url is None:
            unfilled.append(route)
            continue
        # The filled path must reach the very pattern it came from (not an earlier catch-all).
        assert resolve(url).func == pattern.callback, (route, url)
        routes.append(url)
    assert not unfilled, f"routes whose parameters the sweep cannot fill yet: {unfilled}"
    assert len(routes) > 250

    world = p.world
    failures = {}
    # Each person sees their own pages: the case worker everything, the others their own part of Kring.
    for user, prefixes in (
        (world.a.case_worker, ("/",)),
        (world.a.coordinator, ("/cases/",)),
        (world.a.researcher, ("/evaluation/", "/api/v1/")),
        (world.a.privacy_officer, ("/access-log/",)),
        (world.a.administrator, ("/admin/", "/organisation/", "/work/", "/methods/")),
    ):
        mine = [url for url in routes if url.startswith(prefixes)]
        headers, inline = sweep(logged_in(user), mine)
        failures.update({f"{user.email} {url}": problems for url, problems in {**headers, **inline}.items()})
    # Without login: the public pages, the login pages, the personal links and every refusal.
    headers, inline = sweep(Client(raise_request_exception=False), routes)
    failures.update({f"anonymous {url}": problems for url, problems in {**headers, **inline}.items()})
    assert not failures, "\n".join(f"{url}: {problems}" for url, problems in sorted(failures.items()))


# Templates WeasyPrint turns into PDF: never served as HTML, so the policy does not apply and their <style> stays.
PDF_ONLY_TEMPLATES = {
    "evaluation/report_document.html",
    "meetings/letter.html",
    "meetings/letter_base.html",  # the Arabic, Turkish and Polish letters' frame (decision 270)
    "plans/document_base.html",
}


TEMPLATE_COMMENT = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.DOTALL)


def test_no_template_of_kring_holds_inline_code():
    """The sweep renders what the world can reach; this reads every template, so a page behind a record the
    world lacks (a review, a safety entry, a job) cannot bring inline code back either."""
    from pathlib import Path

    from django.conf import settings

    found = {}
    for template in sorted((Path(settings.BASE_DIR) / "kring").rglob("templates/**/*.html")):
        name = template.as_posix().split("/templates/", 1)[1]
        if name in PDF_ONLY_TEMPLATES:
            continue
        # Template tags inside attributes do not trouble the parser; it reads the markup around them.
        finder = InlineCodeFinder()
        finder.feed(TEMPLATE_COMMENT.sub("", template.read_text()))
        if finder.found:
            found[name] = finder.found
    assert not found, found
    assert PDF_ONLY_TEMPLATES <= {
        t.as_posix().split("/templates/", 1)[1] for t in (Path(settings.BASE_DIR) / "kring").rglob("*.html")
    }


def test_pages_ask_htmx_not_to_inject_styles_or_evaluate_code(client, world):
    """htmx adds a <style> element for its indicator unless told not to, and evaluates hx-on and js: values."""
    client.force_login(world.a.case_worker)
    body = client.get("/cases/").content.decode()
    config_meta = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', body)
    assert config_meta, "no htmx-config meta element"
    config = json.loads(config_meta.group(1))
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False


# --- error pages -------------------------------------------------------------------------------------------------


def _failing_view(request):
    raise RuntimeError("a bug")


def _forbidden_view(request):
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


def _bad_request_view(request):
    from django.core.exceptions import SuspiciousOperation

    raise SuspiciousOperation("bad")


# This module doubles as a URL configuration with views that fail, so the error pages are swept too.
urlpatterns = config.urls.urlpatterns + [
    path("h6-fails/", _failing_view),
    path("h6-forbidden/", _forbidden_view),
    path("h6-bad/", _bad_request_view),
    path("h6-fine/", lambda request: HttpResponse("<p>fine</p>")),
]
handler400, handler403 = config.urls.handler400, config.urls.handler403
handler404, handler500 = config.urls.handler404, config.urls.handler500


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    "url, status",
    [
        ("/h6-fails/", 500),
        ("/h6-forbidden/", 403),
        ("/h6-bad/", 400),
        ("/no-such-page/", 404),
        ("/api/v1/no-such-endpoint/", 404),
        ("/h6-fine/", 200),
    ],
)
def test_error_pages_carry_the_headers_too(world, url, status):
    client = logged_in(world.a.case_worker)
    response = client.get(url)
    assert response.status_code == status
    assert header_problems(response) == []
    assert inline_code(response) == []


def test_the_finder_sees_what_a_strict_policy_blocks():
    """The HTML check itself: each kind of inline code is found, data blocks and external scripts are not."""
    response = HttpResponse(
        '<script>alert(1)</script><script src="/static/x.js"></script>'
        '<script type="application/json" id="d">{"a": 1}</script>'
        '<a href="javascript:alert(1)" onclick="x()">a</a><p style="color:red"></p><style>p{}</style>'
        '<svg><rect onload="x()"/></svg>'
    )
    found = inline_code(response)
    assert len(found) == 6, found
    assert not inline_code(HttpResponse('<script src="/static/x.js" defer></script><a href="/x/">x</a>'))
