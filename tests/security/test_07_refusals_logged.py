"""Item 7 of the trust-boundary review: every refused attempt is in the access log exactly once ("denied"), with the
organisation it concerns: the refused record's own organisation, or, for a personal link that names a real link,
the link's organisation.

Sweeps over every route of Django's URL resolver, so new routes are covered without editing this test:

- every route that takes a case id, requested by organisation A's case worker with A's case and organisation B's
  record ids (all of them, and only the innermost), and with B's case: each method the route answers to;
- every route outside cases whose parameters name records (evaluation jobs, research projects, method offers,
  teams, organisations), requested by A's team lead with B's ids;
- every POST of the meeting pages, by a colleague who may read the case but not change it, with an empty form
  (these answered 302 without a log entry).

Personal links cannot be swept by id (they take a secret): explicit cases below.
"""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from kring.audit.models import AccessLogEntry
from kring.cases import services as case_services
from kring.evaluation.models import EvaluationJob, ResearchProject
from kring.methods.models import MethodOffer
from kring.plans.links import services as link_services
from kring.web.refusals import record_parameter
from tests.factories import actor

from .case_world import FIXED_VALUES, build_rich_case, record_ids
from .routes import all_routes, case_routes

pytestmark = pytest.mark.django_db

API_METHODS = ("get", "post", "put", "patch", "delete")


def last_id() -> int:
    return AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def methods_of(route) -> list[str]:
    view_class = getattr(route.callback, "view_class", None) or getattr(route.callback, "cls", None)
    if view_class is not None:
        return [m for m in API_METHODS if hasattr(view_class, m)]
    return ["get", "post"]


def request(client, method, url, is_api):
    if is_api:
        return getattr(client, method)(url, data={}, content_type="application/json")
    return getattr(client, method)(url)


def check_refusal(client, user, route, url, organisation_id, problems, method, own_url=None):
    """Request ``url``; it must be refused (403/404) with exactly one denied entry, of ``organisation_id``.

    An empty body may be refused as invalid (400) before any record is read: that is no refusal of access, and
    says nothing about the record, if the same request with the case's own records (``own_url``) gets the very
    same answer."""
    start = last_id()
    response = request(client, method, url, route.is_api)
    if response.status_code == 405:
        return False
    denied = list(AccessLogEntry.objects.filter(id__gt=start, action="denied"))
    label = f"{method.upper()} {url} ({route.name})"
    if response.status_code == 400 and own_url and not denied:
        own = request(client, method, own_url, route.is_api)
        if (own.status_code, own.content) != (400, response.content):
            problems.append(f"{label} answered 400 where its own record answers {own.status_code}")
    elif response.status_code not in (403, 404):
        problems.append(f"{label} answered {response.status_code}, not a refusal")
    elif len(denied) != 1:
        problems.append(
            f"{label}: {len(denied)} denied entries, not one: "
            f"{[(d.record_type, d.record_id, d.organisation_id) for d in denied]}"
        )
    elif denied[0].organisation_id != organisation_id or denied[0].user_id != user.pk:
        d = denied[0]
        problems.append(
            f"{label}: denied {d.record_type} {d.record_id} logged for organisation "
            f"{d.organisation_id}, not {organisation_id}"
        )
    return True


@pytest.fixture
def two_worlds(world):
    return build_rich_case(world.a, "A"), build_rich_case(world.b, "B")


def test_another_organisations_record_under_ones_own_case_is_logged_once_for_that_organisation(
    world, two_worlds, client
):
    own, theirs = two_worlds
    user = world.a.case_worker
    client.force_login(user)
    problems, tried = [], 0
    for route in case_routes():
        own_ids = {**FIXED_VALUES, **record_ids(own, route.name)}
        their_ids = {**FIXED_VALUES, **record_ids(theirs, route.name)}
        missing = [p for p in route.parameters if p not in own_ids]
        if missing:
            problems.append(f"{route.name}: case_world.record_ids cannot fill {missing}")
            continue
        records = [p for p in route.record_parameters if record_parameter(route.name, p, route.pattern)]
        variants = [{p: their_ids[p] for p in route.parameters}]  # B's case with B's records
        if records:
            all_theirs = {**{p: own_ids[p] for p in route.parameters}, **{p: their_ids[p] for p in records}}
            innermost = {**{p: own_ids[p] for p in route.parameters}, records[-1]: their_ids[records[-1]]}
            variants += [all_theirs] if all_theirs == innermost else [all_theirs, innermost]
        own_url = route.url(own_ids)
        for values in variants:
            url = route.url(values)
            for method in methods_of(route):
                tried += check_refusal(client, user, route, url, world.b.org.pk, problems, method, own_url)
    assert tried > 150
    assert not problems, "\n".join(problems)


def test_another_organisations_job_project_offer_or_team_is_logged_once_for_that_organisation(world, client):
    b = world.b
    theirs = {
        "job_id": EvaluationJob.objects.create(kind="report", requested_by=b.lead, organisation_ids=[b.org.pk]).pk,
        "project_id": _project(b).pk,
        "offer_id": MethodOffer.objects.create(organisation=b.org, method_code="fnb", regions=["NL-UT"]).pk,
        "team_id": b.team.pk,
        "organisation_id": b.org.pk,
    }
    own = {
        "job_id": EvaluationJob.objects.create(
            kind="report", requested_by=world.a.lead, organisation_ids=[world.a.org.pk]
        ).pk,
        "offer_id": MethodOffer.objects.create(organisation=world.a.org, method_code="fnb", regions=["NL-UT"]).pk,
        "project_id": _project(world.a).pk,
        "team_id": world.a.team.pk,
        "organisation_id": world.a.org.pk,
    }
    user = world.a.lead
    client.force_login(user)
    problems, tried = [], 0
    for route in all_routes():
        if route.case_parameter or not route.parameters:
            continue
        if not all(record_parameter(route.name, p, route.pattern) for p in route.parameters):
            continue  # a method code, an instrument, a secret: not a record id
        unknown = [p for p in route.parameters if p not in theirs]
        if unknown:
            problems.append(f"{route.name}: this test has no other organisation's record for {unknown}")
            continue
        variants = [{p: theirs[p] for p in route.parameters}]
        if "organisation_id" in route.parameters and len(route.parameters) > 1:
            variants.append({**variants[0], "organisation_id": world.a.org.pk})  # B's offer under A's page
        own_url = route.url({p: own[p] for p in route.parameters})
        for values in variants:
            for method in methods_of(route):
                tried += check_refusal(client, user, route, route.url(values), b.org.pk, problems, method, own_url)
    assert tried >= 15
    assert not problems, "\n".join(problems)


def _project(ns):
    project = ResearchProject.objects.create(name="Onderzoek", key=b"k" * 32, created_by=ns.administrator)
    project.organisations.add(ns.org)
    project.members.add(ns.researcher)
    return project


# Meeting pages that only read: a POST is read like a GET and changes nothing.
MEETING_READS = {"meetings:list", "meetings:detail", "meetings:letter", "meetings:calendar"}


def test_meeting_posts_with_an_empty_form_by_a_colleague_who_may_only_read_are_refused_and_logged(world, client):
    own = build_rich_case(world.a, "A")
    reader = world.a.other_worker
    case_services.add_team_member(actor(world.a.case_worker), own.case.pk, reader.pk, "co_worker")
    client.force_login(reader)
    problems, tried = [], 0
    for route in case_routes():
        if not route.name.startswith("meetings:") or route.name in MEETING_READS:
            continue
        url = route.url({**FIXED_VALUES, **record_ids(own, route.name)})
        start = last_id()
        response = client.post(url, {})
        denied = AccessLogEntry.objects.filter(id__gt=start, action="denied")
        tried += 1
        if response.status_code != 403 or denied.count() != 1 or denied.get().organisation_id != world.a.org.pk:
            problems.append(
                f"POST {url} ({route.name}) by a reader answered {response.status_code} with "
                f"{denied.count()} denied entries"
            )
    assert tried >= 10
    assert not problems, "\n".join(problems)


def test_a_refused_personal_link_is_logged_once_with_the_links_own_organisation(world, client):
    own = build_rich_case(world.b, "B")
    link, token = link_services.create_link(actor(world.b.coordinator), own.case.pk, own.plan.pk, own.piet.pk)
    link_services.revoke_link(actor(world.b.coordinator), own.case.pk, link.pk)
    cache.clear()
    url = reverse("plan_links:home", args=[token])
    for attempt in range(12):  # past the throttle: refused as throttled from then on
        start = last_id()
        response = client.get(url)
        assert response.status_code in (404, 429), response.status_code
        denied = list(AccessLogEntry.objects.filter(id__gt=start, action="denied"))
        assert [(d.record_type, d.record_id, d.organisation_id) for d in denied] == [
            ("personal_link", str(link.pk), world.b.org.pk)
        ], (attempt, denied)
    # A secret that names no link concerns no organisation; it is still logged, once.
    start = last_id()
    client.get(reverse("plan_links:home", args=["x" * 43]))
    assert AccessLogEntry.objects.filter(id__gt=start, action="denied").count() == 1


def test_an_expired_link_is_logged_with_its_organisation(world, client):
    own = build_rich_case(world.b, "B")
    link, token = link_services.create_link(actor(world.b.coordinator), own.case.pk, own.plan.pk, own.piet.pk)
    type(link).objects.filter(pk=link.pk).update(expires_on=timezone.localdate() - datetime.timedelta(days=1))
    cache.clear()
    start = last_id()
    assert client.get(reverse("plan_links:home", args=[token])).status_code == 404
    denied = AccessLogEntry.objects.filter(id__gt=start, action="denied").get()
    assert (denied.organisation_id, denied.case_id) == (world.b.org.pk, own.case.pk)
