"""Need-to-know on the case pages: who may open, read and change a case, cell by cell.

Organisation A's case ``a.case`` is the subject of every cell. Its case team is ``a.case_worker`` (case worker)
and ``a.co_worker`` (co-worker, read only); ``a.lead`` leads the team that owns it. Everybody else, in A and in
B, must get the same 404 as for a case that does not exist, and nothing may change.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from kring.accounts.models import Membership, Role, TeamMember
from kring.audit.models import AccessLogEntry, Action
from kring.cases.choices import CaseRole
from kring.cases.models import Case, CaseTeamMember, Consent, Person

from .factories import case_form_data, make_case, make_parent, make_user, person_form_data

IP = "198.51.100.23"
MISSING = 987654


@pytest.fixture
def w(world):
    """The world, plus a co-worker on each case team and a consent given by each case's central person."""
    for key in ("a", "b"):
        ns = getattr(world, key)
        ns.co_worker = make_user(ns.org, Role.CASE_WORKER, ns.team, email=f"co_worker@{key}.example.org")
        ns.co_member = CaseTeamMember.objects.create(
            case=ns.case, organisation=ns.org, user=ns.co_worker, role=CaseRole.CO_WORKER
        )
        ns.central = ns.case.persons.get(is_central=True)
        ns.other_person = ns.case.persons.get(is_central=False)
        ns.consent = Consent.objects.create(
            case=ns.case,
            organisation=ns.org,
            person=ns.central,
            purpose="contact_network",
            given_on=datetime.date(2026, 1, 20),
            recorded_by=ns.case_worker,
        )
    return world


@dataclass(frozen=True)
class Page:
    """One URL and method of the case pages; ``done`` says whether a POST's change happened."""

    id: str
    method: str
    url: Callable
    data: Callable = lambda w: {}
    done: Callable | None = None
    shows: Callable = lambda w: w.a.case.number


def _case(w):
    return Case.objects.get(pk=w.a.case.pk)


PAGES = [
    Page("detail", "get", lambda w: f"/cases/{w.a.case.pk}/", shows=lambda w: w.a.central.full_name),
    Page("edit", "get", lambda w: f"/cases/{w.a.case.pk}/edit/"),
    Page(
        "edit",
        "post",
        lambda w: f"/cases/{w.a.case.pk}/edit/",
        data=lambda w: case_form_data(w.a.case, family_name="Familie Gewijzigd"),
        done=lambda w: _case(w).family_name == "Familie Gewijzigd",
    ),
    Page("person_add", "get", lambda w: f"/cases/{w.a.case.pk}/persons/new/"),
    Page(
        "person_add",
        "post",
        lambda w: f"/cases/{w.a.case.pk}/persons/new/",
        data=lambda w: {"first_name": "Nieuwe", "last_name": "Buur", "gender": "unknown"},
        done=lambda w: Person.objects.filter(case=w.a.case, first_name="Nieuwe").exists(),
    ),
    Page(
        "person_edit",
        "get",
        lambda w: f"/cases/{w.a.case.pk}/persons/{w.a.other_person.pk}/",
        shows=lambda w: w.a.other_person.full_name,
    ),
    Page(
        "person_edit",
        "post",
        lambda w: f"/cases/{w.a.case.pk}/persons/{w.a.other_person.pk}/",
        data=lambda w: person_form_data(w.a.other_person, first_name="Hernoemd"),
        done=lambda w: Person.objects.get(pk=w.a.other_person.pk).first_name == "Hernoemd",
    ),
    Page(
        "person_remove",
        "post",
        lambda w: f"/cases/{w.a.case.pk}/persons/{w.a.other_person.pk}/remove/",
        done=lambda w: not Person.objects.filter(pk=w.a.other_person.pk).exists(),
    ),
    Page("team", "get", lambda w: f"/cases/{w.a.case.pk}/team/"),
    Page(
        "team",
        "post",
        lambda w: f"/cases/{w.a.case.pk}/team/",
        data=lambda w: {"user": w.a.coordinator.pk, "role": "coordinator"},
        done=lambda w: CaseTeamMember.objects.filter(case=w.a.case, user=w.a.coordinator).exists(),
    ),
    Page(
        "team_remove",
        "post",
        lambda w: f"/cases/{w.a.case.pk}/team/{w.a.co_member.pk}/remove/",
        done=lambda w: not CaseTeamMember.objects.filter(pk=w.a.co_member.pk).exists(),
    ),
    Page("consent_add", "get", lambda w: f"/cases/{w.a.case.pk}/consents/new/"),
    Page(
        "consent_add",
        "post",
        lambda w: f"/cases/{w.a.case.pk}/consents/new/",
        data=lambda w: {"person": make_parent(w.a.case).pk, "purpose": "research", "given_on": "2026-02-01"},
        done=lambda w: Consent.objects.filter(case=w.a.case, purpose="research").exists(),
    ),
    Page(
        "consent_withdraw",
        "get",
        lambda w: f"/cases/{w.a.case.pk}/consents/{w.a.consent.pk}/withdraw/",
        shows=lambda w: w.a.central.full_name,
    ),
    Page(
        "consent_withdraw",
        "post",
        lambda w: f"/cases/{w.a.case.pk}/consents/{w.a.consent.pk}/withdraw/",
        data=lambda w: {"withdrawn_on": "2026-03-01", "version": 1},
        done=lambda w: Consent.objects.get(pk=w.a.consent.pk).withdrawn_on == datetime.date(2026, 3, 1),
    ),
    Page("history", "get", lambda w: f"/cases/{w.a.case.pk}/history/"),
]

# What each user may do with a.case: "change", "read" or nothing.
USERS = {
    ("a", "case_worker"): "change",
    ("a", "lead"): "change",
    ("a", "co_worker"): "read",
    ("a", "coordinator"): None,
    ("a", "other_worker"): None,
    ("a", "researcher"): None,
    ("a", "administrator"): None,
    ("a", "privacy_officer"): None,
    ("b", "case_worker"): None,
    ("b", "lead"): None,
    ("b", "co_worker"): None,
    ("b", "coordinator"): None,
    ("b", "other_worker"): None,
    ("b", "researcher"): None,
    ("b", "administrator"): None,
    ("b", "privacy_officer"): None,
}


def _user(w, key):
    org, role = key
    return getattr(getattr(w, org), role)


def _request(client, page, w, url=None):
    url = url or page.url(w)
    if page.method == "get":
        return client.get(url, REMOTE_ADDR=IP)
    return client.post(url, page.data(w), REMOTE_ADDR=IP)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.method.upper()}-{p.id}")
@pytest.mark.parametrize("who", list(USERS), ids=lambda k: f"{k[0]}.{k[1]}")
def test_permission_matrix(w, client, who, page):
    user = _user(w, who)
    access = USERS[who]
    client.force_login(user)
    since = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    response = _request(client, page, w)

    new_entries = AccessLogEntry.objects.filter(id__gt=since, user=user)
    if access is None:
        assert response.status_code == 404
        body = response.content.decode()
        assert w.a.case.number not in body and w.a.central.full_name not in body
        assert page.done is None or not page.done(w)
        denied = new_entries.filter(action=Action.DENIED)
        assert denied.count() == 1
        assert denied.get().case_id == w.a.case.pk
        assert denied.get().ip_address == IP
    elif page.method == "get":
        assert response.status_code == 200
        assert page.shows(w) in response.content.decode()
        assert new_entries.filter(action=Action.VIEW, case_id=w.a.case.pk, ip_address=IP).exists()
        assert not new_entries.filter(action=Action.DENIED).exists()
    elif access == "read":
        assert response.status_code == 403
        assert not page.done(w)
        assert new_entries.filter(action=Action.DENIED, case_id=w.a.case.pk, ip_address=IP).count() == 1
        assert not new_entries.filter(action__in=[Action.CREATE, Action.UPDATE, Action.DELETE]).exists()
    else:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert page.done(w)
        assert new_entries.filter(
            action__in=[Action.CREATE, Action.UPDATE, Action.DELETE], case_id=w.a.case.pk, ip_address=IP
        ).exists()
        assert not new_entries.filter(action=Action.DENIED).exists()


@pytest.mark.parametrize("who", list(USERS), ids=lambda k: f"{k[0]}.{k[1]}")
def test_caseload_lists_only_visible_cases(w, client, who):
    user = _user(w, who)
    client.force_login(user)
    response = client.get("/cases/", REMOTE_ADDR=IP)
    assert response.status_code == 200
    body = response.content.decode()
    listed = w.a.case.number in body
    assert listed is (USERS[who] is not None)
    assert (w.a.central.full_name in body) is listed
    listed_entries = AccessLogEntry.objects.filter(user=user, action=Action.LIST, case_id=w.a.case.pk)
    assert listed_entries.exists() is listed


def _normalised(response, url):
    """The page without what differs between any two renderings: CSRF tokens and the requested path."""
    body = response.content.decode()
    body = re.sub(r'value="[A-Za-z0-9]{64}"', 'value="TOKEN"', body)
    body = re.sub(r'"X-CSRFToken": "[A-Za-z0-9]{64}"', '"X-CSRFToken": "TOKEN"', body)
    assert url in body  # the language switch returns to the same page
    return body.replace(url, "URL")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.method.upper()}-{p.id}")
@pytest.mark.parametrize("who", [("a", "other_worker"), ("b", "lead")], ids=lambda k: f"{k[0]}.{k[1]}")
def test_refusal_looks_like_a_missing_case(w, client, who, page):
    client.force_login(_user(w, who))
    real_url = page.url(w)
    fake_url = real_url.replace(f"/cases/{w.a.case.pk}/", f"/cases/{MISSING}/", 1)
    assert fake_url != real_url

    real = _request(client, page, w, real_url)
    fake = _request(client, page, w, fake_url)

    assert real.status_code == fake.status_code == 404
    assert _normalised(real, real_url) == _normalised(fake, fake_url)
    assert real.headers["Content-Type"] == fake.headers["Content-Type"]


def test_missing_case_is_logged_as_refused(w, client):
    client.force_login(w.a.case_worker)
    response = client.get(f"/cases/{MISSING}/", REMOTE_ADDR=IP)
    assert response.status_code == 404
    entry = AccessLogEntry.objects.get(action=Action.DENIED)
    assert (entry.user, entry.record_type, entry.record_id, entry.ip_address) == (
        w.a.case_worker,
        "case",
        str(MISSING),
        IP,
    )


@pytest.mark.parametrize(
    "url",
    [
        lambda w: f"/cases/{w.a.case.pk}/persons/{w.b.other_person.pk}/",
        lambda w: f"/cases/{w.a.case.pk}/persons/{w.b.other_person.pk}/remove/",
        lambda w: f"/cases/{w.a.case.pk}/team/{w.b.co_member.pk}/remove/",
        lambda w: f"/cases/{w.a.case.pk}/consents/{w.b.consent.pk}/withdraw/",
    ],
    ids=["person_edit", "person_remove", "team_remove", "consent_withdraw"],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_records_of_another_case_are_not_reachable_through_a_visible_case(w, client, url, method):
    """The case id in the path is visible to the user; the record id belongs to another organisation's case."""
    client.force_login(w.a.case_worker)
    target = url(w)
    if method == "get" and target.endswith("/remove/"):
        response = client.get(target)
        assert response.status_code == 405
    else:
        response = getattr(client, method)(
            target, {"withdrawn_on": "2026-03-01", "first_name": "X", "gender": "unknown"}
        )
        assert response.status_code == 404
    assert Person.objects.filter(pk=w.b.other_person.pk, first_name=w.b.other_person.first_name).exists()
    assert CaseTeamMember.objects.filter(pk=w.b.co_member.pk).exists()
    assert Consent.objects.get(pk=w.b.consent.pk).withdrawn_on is None


def test_inactive_membership_loses_access(w, client):
    client.force_login(w.a.case_worker)
    assert client.get(f"/cases/{w.a.case.pk}/").status_code == 200

    Membership.objects.filter(user=w.a.case_worker, organisation=w.a.org).update(active=False)

    assert client.get(f"/cases/{w.a.case.pk}/").status_code == 404
    edit = client.post(f"/cases/{w.a.case.pk}/edit/", case_form_data(w.a.case, family_name="Te laat"))
    assert edit.status_code == 404
    assert _case(w).family_name != "Te laat"
    caseload = client.get("/cases/")
    assert w.a.case.number not in caseload.content.decode()


def test_inactive_membership_of_the_lead_loses_access(w, client):
    client.force_login(w.a.lead)
    assert client.get(f"/cases/{w.a.case.pk}/").status_code == 200
    Membership.objects.filter(user=w.a.lead).update(active=False)
    assert client.get(f"/cases/{w.a.case.pk}/").status_code == 404


def test_lead_who_steps_down_loses_access(w, client):
    client.force_login(w.a.lead)
    TeamMember.objects.filter(user=w.a.lead, team=w.a.team).update(is_lead=False)
    assert client.get(f"/cases/{w.a.case.pk}/").status_code == 404


def test_lead_sees_every_case_of_the_team_but_not_of_other_teams(w, client):
    own_team_case = make_case(w.a.team, family_name="Familie Zonder Lead")
    other_team = type(w.a.team).objects.create(organisation=w.a.org, name="Team Elders")
    other_team_case = make_case(other_team, family_name="Familie Elders")
    client.force_login(w.a.lead)
    assert client.get(f"/cases/{own_team_case.pk}/").status_code == 200
    assert client.get(f"/cases/{other_team_case.pk}/").status_code == 404
    body = client.get("/cases/").content.decode()
    assert own_team_case.number in body and other_team_case.number not in body


def test_removed_team_member_loses_access(w, client):
    client.force_login(w.a.case_worker)
    response = client.post(f"/cases/{w.a.case.pk}/team/{w.a.co_member.pk}/remove/")
    assert response.status_code == 302
    client.force_login(w.a.co_worker)
    assert client.get(f"/cases/{w.a.case.pk}/").status_code == 404


def test_researcher_sees_no_person_data(w, client):
    # Even with cases in both organisations and several persons, the researcher's caseload is empty.
    make_case(w.a.team, case_worker=w.a.case_worker, persons=3, family_name="Familie Onderzoek")
    client.force_login(w.a.researcher)
    response = client.get("/cases/")
    assert response.status_code == 200
    body = response.content.decode()
    assert list(response.context["cases"]) == []
    assert response.context["page"].paginator.count == 0
    for person in Person.objects.all():
        assert person.first_name not in body
    for case in Case.objects.all():
        assert case.number not in body and case.family_name not in body
    searched = client.get("/cases/", {"q": w.a.central.first_name})
    assert list(searched.context["cases"]) == []


def test_researcher_cannot_join_a_case_team(w, client):
    client.force_login(w.a.case_worker)
    response = client.post(f"/cases/{w.a.case.pk}/team/", {"user": w.a.researcher.pk, "role": "co_worker"})
    assert response.status_code == 200
    assert response.context["form"].errors["user"]
    assert not CaseTeamMember.objects.filter(user=w.a.researcher).exists()


def test_administrator_sees_a_case_only_as_a_case_team_member(w, client):
    admin = w.a.administrator
    client.force_login(admin)
    assert client.get(f"/cases/{w.a.case.pk}/").status_code == 404
    # An administrator who also works as a case worker, and is put on the case team, sees it.
    Membership.objects.create(user=admin, organisation=w.a.org, role=Role.CASE_WORKER)
    assert client.get(f"/cases/{w.a.case.pk}/").status_code == 404
    CaseTeamMember.objects.create(case=w.a.case, organisation=w.a.org, user=admin, role=CaseRole.CASE_WORKER)
    response = client.get(f"/cases/{w.a.case.pk}/")
    assert response.status_code == 200
    assert w.a.central.full_name in response.content.decode()


@pytest.mark.parametrize("url", ["/admin/cases/case/", "/admin/cases/person/", "/admin/audit/accesslogentry/"])
def test_case_data_is_not_in_the_django_admin(w, client, url):
    client.force_login(w.a.administrator)
    assert client.get("/admin/").status_code == 200
    assert client.get(url).status_code == 404


def test_case_worker_who_moved_to_another_organisation_loses_access(w, client):
    """A case team entry from the old job does not open the case once the role there has ended."""
    Membership.objects.filter(user=w.a.case_worker, organisation=w.a.org).update(active=False)
    Membership.objects.create(user=w.a.case_worker, organisation=w.b.org, role=Role.CASE_WORKER)
    client.force_login(w.a.case_worker)
    assert client.get(f"/cases/{w.a.case.pk}/").status_code == 404
    assert w.a.case.number not in client.get("/cases/").content.decode()
