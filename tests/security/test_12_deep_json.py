"""Item 12: JSON nested thousands of levels deep is refused with 400, never a server error.

The sweep takes every POST operation from the served OpenAPI document, so a new route is covered without editing
this test. Path parameters are filled with records the case worker may use, so the request reaches the body.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from kring.cases.models import Person

DEPTH = 5000


def deep_json(depth=DEPTH) -> bytes:
    return ("[" * depth + "]" * depth).encode()


def deep_object(depth=DEPTH) -> bytes:
    return ('{"a":' * depth + "1" + "}" * depth).encode()


def post_operations(client):
    document = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return [(path, spec["post"]) for path, spec in document["paths"].items() if "post" in spec]


def fill(path, world):
    """Path parameters as ids of a.case and its first person; other ids as 1."""
    case, person = world.a.case, world.a.case.persons.first()

    def value(match):
        name = match.group(1)
        if name in ("case_id", "id", "pk") or name.startswith("case"):
            return str(case.pk)
        if "person" in name:
            return str(person.pk)
        return "1"

    return re.sub(r"\{([^}]+)\}", value, path)


@pytest.mark.django_db
def test_every_api_post_refuses_deep_json_with_400(world):
    client = APIClient()
    client.force_login(world.a.case_worker)
    operations = post_operations(client)
    assert len(operations) >= 10, "the OpenAPI document lists the API's POST routes"
    answers = {}
    for path, _spec in operations:
        url = fill(path, world)
        for body in (deep_json(), deep_object()):
            response = client.post(url, data=body, content_type="application/json")
            answers[(path, body[:1])] = response.status_code
    server_errors = {key: code for key, code in answers.items() if code >= 500}
    assert not server_errors, server_errors
    refused = {key for key, code in answers.items() if code == 400}
    # Every route that reads a body answers 400; a route may refuse earlier (404 for a record it cannot find, 403).
    assert len(refused) >= len(answers) // 2, answers
    url = f"/api/v1/cases/{world.a.case.pk}/persons/"
    response = client.post(url, data=deep_json(), content_type="application/json")
    assert response.status_code == 400
    assert "nested" in str(response.json()).lower() or "genest" in str(response.json()).lower()


@pytest.mark.django_db
def test_moderately_nested_json_still_parses(world):
    """The limit is far above what any Kring document needs; a normal body is untouched by it."""
    client = APIClient()
    client.force_login(world.a.case_worker)
    response = client.post(
        f"/api/v1/cases/{world.a.case.pk}/persons/",
        data=b'{"first_name": "Noor", "last_name": "Visser", "extra": ' + deep_json(20) + b"}",
        content_type="application/json",
    )
    # Parsed fine: the unknown field is what the API refuses, not the nesting.
    assert response.status_code == 400 and "extra" in response.json(), response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("body", [deep_json(), deep_object()], ids=["arrays", "objects"])
def test_network_json_import_shows_a_form_error_for_deep_json(world, client, body):
    client.force_login(world.a.case_worker)
    before = Person.objects.count()
    response = client.post(f"/cases/{world.a.case.pk}/network/import/", {"file": SimpleUploadedFile("net.json", body)})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errorlist' in html
    assert "te diep" in html  # Dutch: "te diep genest"
    assert Person.objects.count() == before
