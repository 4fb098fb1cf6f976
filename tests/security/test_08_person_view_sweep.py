"""Item 8 of the trust-boundary review: every page or API answer that shows a person's name logs that person as read.

One sweep over every GET route that takes a case id (read from Django's URL resolver, pages and /api/v1/ alike):
as the case worker of a case that has a record of every kind, request the route, find each person of the case
whose name the answer shows, and require a person entry in the access log from that same request. A new route is
covered without editing this test; a route whose parameters the case world cannot fill makes it fail until the
world learns the parameter (``case_world.record_ids``) or the route is listed below with a reason.

Names are found as the pages show them: first and last name, each as a whole word, anywhere in the answer (the
maps draw them on separate lines, the API has them in separate fields). PDFs are read with pypdf. Other binary
answers (images) cannot be read, so they are listed in ``BINARY_ROUTES``: a map export must log every person of
the case, since it draws them all.
"""

import io
import re

import pytest
from pypdf import PdfReader

from kring.audit.models import AccessLogEntry

from .case_world import FIXED_VALUES, build_rich_case, record_ids
from .routes import case_routes

pytestmark = pytest.mark.django_db

# Actions that record a read of a person: shown on a page, in a list, found by a search, or written to a file.
READ_ACTIONS = ("view", "list", "search", "export")

# Routes whose parameters the case world cannot fill, with the reason (none today).
UNFILLABLE: dict[str, str] = {}

# Routes that cannot answer for the world's case, with the reason; every other GET route must render.
NOT_FOR_THIS_CASE = {
    "trajectories_api:strengths_exploration": "the Flemish access record; the case is Dutch and its twin, the "
    "family plan right, is swept",
}

# Extra variants of a route, beyond its plain GET: query strings that change what is drawn or in which format.
VARIANTS = {
    "network:export": ["?format=png", "?format=pdf"],
    "network:map": ["?kind=ecomap", "?kind=circle"],
}

# Answers that are images: their text cannot be searched. ``True``: the answer draws every person of the case,
# so every person must be logged; otherwise the reason why no person is shown.
BINARY_ROUTES = {
    "network:export": True,
    "plans:safety_attachment": "the child's own drawing, as uploaded: no names Kring could put in it",
    "documents:download": "a document's file, as uploaded: no names Kring could put in it",
    "documents:version_download": "a document's file, as uploaded: no names Kring could put in it",
    "documents_api:download": "a document's file, as uploaded: no names Kring could put in it",
    "documents_api:version_download": "a document's file, as uploaded: no names Kring could put in it",
}


def answer_text(response) -> str | None:
    """The text of an answer, or None when it is an image."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type.startswith("application/pdf"):
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    if content_type.startswith("image/") and "svg" not in content_type:
        return None
    return body.decode("utf-8", errors="replace")


def shown(text: str, person) -> bool:
    words = set(re.findall(r"\w+", text))
    return all(part in words for part in (person.first_name.split() + person.last_name.split()))


def test_every_get_route_of_a_case_logs_each_person_whose_name_it_shows(world, client):
    rich = build_rich_case(world.a, "A")
    client.force_login(world.a.case_worker)
    problems, checked, names_found = [], 0, 0
    for route in case_routes():
        if not route.allows_get():
            continue
        values = {**FIXED_VALUES, **record_ids(rich, route.name)}
        missing = [p for p in route.parameters if p not in values]
        if missing:
            if route.name not in UNFILLABLE:
                problems.append(
                    f"{route.name}: the case world cannot fill {missing}; teach case_world.record_ids "
                    "or list the route in UNFILLABLE with a reason"
                )
            continue
        base = route.url(values)
        for url in [base] + [base + variant for variant in VARIANTS.get(route.name, [])]:
            before = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
            response = client.get(url, HTTP_ACCEPT="application/json" if route.is_api else "text/html")
            if response.status_code == 405:
                break  # a form's POST-only step
            if response.status_code != 200:
                if route.name in NOT_FOR_THIS_CASE:
                    break
                problems.append(
                    f"{url} ({route.name}) answered {response.status_code}: the world does not let it render"
                )
                continue
            checked += 1
            logged = set(
                AccessLogEntry.objects.filter(
                    id__gt=before,
                    user=world.a.case_worker,
                    record_type="person",
                    action__in=READ_ACTIONS,
                ).values_list("record_id", flat=True)
            )
            text = answer_text(response)
            if text is None:
                reason = BINARY_ROUTES.get(route.name)
                if reason is None:
                    problems.append(f"{url} ({route.name}) answered an image: list it in BINARY_ROUTES")
                elif reason is True:
                    expected = {str(p.pk) for p in rich.persons}
                    if expected - logged:
                        problems.append(f"{url} draws every person but logged only {sorted(logged)}")
                continue
            for person in rich.persons:
                if shown(text, person):
                    names_found += 1
                    if str(person.pk) not in logged:
                        problems.append(
                            f"{url} ({route.name}) shows {person.full_name} without logging the person as read"
                        )
    # The sweep must have reached the pages it is about: most routes render, and names were found on them.
    assert checked >= 60, (checked, problems)
    assert names_found >= 100, names_found
    assert not problems, "\n".join(problems)
