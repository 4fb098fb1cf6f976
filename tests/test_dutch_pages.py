"""Every page of the journey reads as Dutch: no English words, no codes.

One sweep, in Dutch, over the pages a family's journey passes: every HTML page of a case that has a record of
every kind (case, network, trajectories, meetings, plans, reviews, Signs of Safety, registration; built by
``tests/security/case_world.py``), read as its case worker, coordinator and team lead; every page without a case
(home, caseloads, work lists, methods, evaluation, organisation settings, access log) read by each role; the
personal link pages of a network member; the 403 and 404 pages. Routes are read from Django's resolver, so a new
page is swept without editing this test.

What the user reads (text, and the title, aria-label, placeholder and alt attributes; not scripts, styles or
the names and addresses of the world's people) must not hold an English word from ``ENGLISH`` nor a token that
looks like code: a snake_case identifier, a seed tag ("[seed003]"), a method code ("fnb", "(fnb)"); nor a date
written the ISO way (2026-03-01: Dutch pages write dates as Dutch dates).
"""

import re
from html.parser import HTMLParser

import pytest
from django.utils import translation

from kring.methods.catalogue import catalogue
from kring.plans.links import services as link_services
from tests.factories import actor

from .security.case_world import FIXED_VALUES, build_rich_case, record_ids
from .security.routes import all_routes

pytestmark = pytest.mark.django_db

# English words that are not also Dutch words (so not "of", "is", "in", "at", "was", "plan", "team", "status",
# "open", "type", "fase"), as whole words, case-sensitive where the lower-case form is Dutch or a name.
ENGLISH = re.compile(
    r"\b(the|The|and|with|With|without|your|Your|you|You|please|Please|this|This|that|these|those|"
    r"Save|Cancel|Close|Edit|Delete|Remove|Add|Back|Search|Submit|Send|Show|Hide|Change|Next|Previous|"
    r"Yes|No|None|none|not|Not|cannot|Date|Name|Meeting|Meetings|Agreement|Agreements|Review|Reviews|"
    r"Trajectory|Trajectories|Case|Cases|Person|Persons|Report|Method|Methods|Network|Overdue|overdue|"
    r"weeks|days|since|until|from|From|for|For|by|By|or|on|On|are|has|have|will|can|must|here|there|"
    r"when|When|what|What|who|Who|which|Status:)\b"
)
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
SEED_TAG = re.compile(r"\[seed\w*\]")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
# Not read: scripts and styles; <code>, which shows an identifier as the identifier it is (a variable of the data
# dictionary, a page in the access log); <cite>, a bibliographic reference quoted as published.
SKIPPED_ELEMENTS = ("script", "style", "template", "code", "cite")

# Routes this sweep does not read, with the reason.
NOT_PAGES = ("api/", "admin/", "accounts/", "i18n/")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_ELEMENTS:
            self._skip += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.parts.append(value)
        if tag == "input" and dict(attrs).get("type") in ("submit", "button") and dict(attrs).get("value"):
            self.parts.append(dict(attrs)["value"])

    def handle_endtag(self, tag):
        if tag in SKIPPED_ELEMENTS and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def _method_codes():
    return set(catalogue())


def problems_in(text: str, names=(), codes=frozenset()) -> list[str]:
    """The English words and code-looking tokens in a page's text (the world's own names taken out first)."""
    text = EMAIL.sub(" ", text)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    found = []
    for line in text.splitlines():
        for pattern, what in (
            (ENGLISH, "English"),
            (SNAKE_CASE, "code"),
            (SEED_TAG, "seed tag"),
            (ISO_DATE, "ISO date"),
        ):
            found += [f"{what} {m.group(0)!r} in {line.strip()[:100]!r}" for m in pattern.finditer(line)]
        for word in re.findall(r"[\w-]+", line):
            if word in codes:
                found.append(f"method code {word!r} in {line.strip()[:100]!r}")
    return found


def _read(client, url, names, codes, problems, seen):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="nl", HTTP_ACCEPT="text/html")
    if "text/html" not in response.get("Content-Type", ""):
        return response.status_code
    for problem in problems_in(visible_text(response.content.decode()), names, codes):
        key = (url.split("?")[0], problem)
        if key not in seen:
            seen.add(key)
            problems.append(f"{url} ({response.status_code}): {problem}")
    return response.status_code


def _world_names(world, rich):
    names = set()
    for ns in (world.a, world.b):
        names |= {ns.org.name, ns.team.name, ns.case.number, ns.case.family_name}
        for user in (ns.case_worker, ns.coordinator, ns.lead, ns.other_worker, ns.researcher):
            names |= {user.get_full_name(), user.first_name, user.last_name}
    for person in rich.persons:
        names |= {person.full_name, person.first_name, person.last_name}
    return {n for n in names if n}


@pytest.fixture
def journey(world):
    rich = build_rich_case(world.a, "A")
    _link, token = link_services.create_link(actor(world.a.coordinator), rich.case.pk, rich.plan.pk, rich.piet.pk)
    return rich, token


def test_every_page_of_the_journey_reads_as_dutch(world, client, journey):
    rich, token = journey
    names, codes = _world_names(world, rich), _method_codes()
    problems, seen, read = [], set(), 0
    routes = [r for r in all_routes() if not r.pattern.startswith(NOT_PAGES) and r.allows_get()]
    with translation.override("nl"):
        for user in (world.a.case_worker, world.a.coordinator, world.a.lead, world.a.researcher):
            client.force_login(user)
            for route in routes:
                if route.pattern.startswith("l/"):
                    continue
                values = {**FIXED_VALUES, **record_ids(rich, route.name), "code": "fnb", "method_code": "fnb"}
                if any(p not in values for p in route.parameters):
                    continue
                if _read(client, route.url(values), names, codes, problems, seen) == 200:
                    read += 1
        for user in (world.a.administrator, world.a.privacy_officer):
            client.force_login(user)
            for route in routes:
                if not route.parameters:
                    read += _read(client, route.url({}), names, codes, problems, seen) == 200
        client.logout()
        link_values = {"token": token, "agreement_id": rich.agreement.pk, "attachment_id": rich.attachment.pk}
        for route in routes:
            if route.pattern.startswith("l/") and all(p in link_values for p in route.parameters):
                read += _read(client, route.url(link_values), names, codes, problems, seen) == 200
        client.force_login(world.b.case_worker)
        for url in (f"/cases/{rich.case.pk}/", "/no-such-page/"):
            assert _read(client, url, names, codes, problems, seen) in (403, 404)
    assert read >= 100, read
    assert not problems, f"{len(problems)} English words or codes on Dutch pages:\n" + "\n".join(problems)


def test_the_sweep_finds_english_and_codes():
    html = (
        '<main><h1 title="Close">Traject fnb</h1><p>conflicts: network_danger [seed003]</p>'
        "<script>var the_code = 1;</script><p>Save the plan</p><p>Oma Jansen, oma@example.org</p>"
        "<p>Herinnering 2026-03-01</p><p><code>child_age_min</code></p></main>"
    )
    found = problems_in(visible_text(html), names={"Oma Jansen"}, codes={"fnb"})
    kinds = sorted(re.match(r"(.+?'[^']*')", p).group(1) for p in found)
    assert kinds == [
        "English 'Close'",
        "English 'Save'",
        "English 'the'",
        "ISO date '2026-03-01'",
        "code 'network_danger'",
        "method code 'fnb'",
        "seed tag '[seed003]'",
    ], found


def test_a_page_a_role_may_not_open_answers_in_dutch(world, client):
    """A case worker may not read the access log; a case of another organisation is not found; an unknown page."""
    case_url = f"/cases/{world.a.case.pk}/"
    for user, url, status, title in (
        (world.a.case_worker, "/access-log/", 403, "Niet toegestaan"),
        (world.b.case_worker, case_url, 404, "Niet gevonden"),
        (world.a.case_worker, "/no-such-page/", 404, "Niet gevonden"),
    ):
        client.force_login(user)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="nl")
        page = response.content.decode()
        assert response.status_code == status, (user, url)
        assert '<html lang="nl">' in page and f"<h1>{title}</h1>" in page, page[:500]
        assert not problems_in(visible_text(page)), problems_in(visible_text(page))
