"""Item 18: the OpenAPI document tells the truth.

Schemathesis reads the document Kring serves at /api/schema/ and sends generated requests to every operation
in it (its examples, coverage and fuzzing phases), as a case worker with a token, on a case with a record of
every kind (tests/security/case_world.py) so the ids in the paths exist. It fails on any server error and on any
answer the document does not describe: an undocumented status code, a body that does not match its schema, a
content type that is not the documented one, or a request that is invalid by the document and still accepted.

The examples per operation are few and derandomised, so a run is reproducible and fits in CI on SQLite and
PostgreSQL; ``KRING_SCHEMATHESIS_EXAMPLES`` raises the number for a deeper run by hand.
"""

import json
import os
import re
from contextlib import contextmanager
from types import SimpleNamespace

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client, override_settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from schemathesis.checks import load_all_checks
from schemathesis.specs.openapi import checks as openapi_checks

from config.wsgi import application
from kring.accounts.api_tokens import issue_token
from kring.accounts.models import Role
from tests.factories import make_case, make_organisation, make_team, make_user
from tests.security.case_world import build_rich_case, record_ids

load_all_checks()

SCHEMA_URL = "/api/schema/"
EXAMPLES = int(os.environ.get("KRING_SCHEMATHESIS_EXAMPLES", "5"))

# What every answer must satisfy. Not "positive data acceptance": a request can be well formed by the document
# and still be refused with a documented 400 by a rule no schema expresses (dates in order, a person of this
# case); that refusal is the truth too.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
]


def _generated_document():
    """The document as /api/schema/ builds it; built here without a request so that collecting the tests needs
    no database. ``test_the_tested_document_is_the_served_one`` holds the two together."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


schema = schemathesis.openapi.from_dict(
    _generated_document(),
    config=schemathesis.Config.from_dict(
        {
            "generation": {"max-examples": EXAMPLES, "database": "none"},
            # The stateful phase chains operations through links the document does not declare; it would only repeat.
            "phases": {"stateful": {"enabled": False}},
        }
    ),
)
schema.app = application


FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


@contextmanager
def _connections_kept_open():
    """Schemathesis calls the WSGI application itself, whose request signals close the database connection
    inside the test's transaction (on PostgreSQL); Django's test client leaves them out the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def rich(django_db_setup, django_db_blocker):
    """One case of every kind of record for all operations, built once: each operation's test then runs in its
    own savepoint (the ``db`` fixture), so what one operation deletes the next still finds."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=[FAST_HASHER]), _connections_kept_open():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            organisation = make_organisation("NL", code="orga")
            team = make_team(organisation)
            ns = SimpleNamespace(
                case_worker=make_user(organisation, Role.CASE_WORKER, team),
                coordinator=make_user(organisation, Role.COORDINATOR, team),
                lead=make_user(organisation, Role.TEAM_LEAD, team, is_lead=True),
            )
            ns.case = make_case(team, case_worker=ns.case_worker, persons=2)
            records = build_rich_case(ns, "A")
            _token, key = issue_token(ns.case_worker)
            yield SimpleNamespace(records=records, key=key)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _with_real_ids(case, records):
    """Two of three generated ids become the id of the real record, so most requests reach a record and the rest
    ask for one that does not exist. Values that are not ids (a string, a null) stay: they test the 404."""
    real = record_ids(records, "api")
    for name, value in list(case.path_parameters.items()):
        if name in real and isinstance(value, int) and not isinstance(value, bool) and value % 3:
            case.path_parameters[name] = real[name]


@pytest.mark.django_db
@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_every_answer_matches_the_document(case, rich):
    _with_real_ids(case, rich.records)
    case.call_and_validate(headers={"Authorization": f"Token {rich.key}"}, checks=CHECKS)


def test_the_tested_document_is_the_served_one(db):
    response = Client().get(SCHEMA_URL, {"format": "json"})
    assert response.status_code == 200
    assert json.loads(response.content) == _generated_document()


def _paths_with_unknown_tails():
    for path in _generated_document()["paths"]:
        concrete = re.sub(r"\{[^}]+\}", "1", path).rstrip("/")
        yield f"{concrete}/no-such/thing/"
        if "_id}" in path:
            yield re.sub(r"\{[^}]+_id\}", "not-an-id", path)


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_path_under_the_api_answers_json(db, method):
    """Every path of the document with an unknown tail, or a word where a numeric id belongs, matches no route: the
    answer is the API's JSON 404, for every method, not the HTML page."""
    client = Client()
    paths = list(_paths_with_unknown_tails())
    assert len(paths) > 100
    answered_html = []
    for path in paths:
        response = getattr(client, method)(path)
        if response.status_code != 404 or not response["Content-Type"].startswith("application/json"):
            answered_html.append(f"{path}: {response.status_code} {response['Content-Type']}")
            continue
        assert set(json.loads(response.content)) == {"detail"}, path
    assert answered_html == []
