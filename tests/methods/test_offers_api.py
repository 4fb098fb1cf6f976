"""The REST API of method offers: the public list without login and its filters, an organisation's own offers
for its team leads and administrators (the same service as the pages, so the same validation, stale refusal and
log), refusals (404 for another organisation, 403 for other roles), and the OpenAPI document.

``world`` (tests/conftest.py): A is Dutch, B Flemish; each has a lead, an administrator, a case worker, ...
"""

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from kring.audit.models import AccessLogEntry, Action
from kring.core.actor import Actor
from kring.methods import services
from kring.methods.models import MethodOffer
from tests.factories import make_api_token

pytestmark = pytest.mark.django_db

PUBLIC = "/api/v1/method-offers/"


def api(user, language="en"):
    key = make_api_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE=language)
    return client


def anonymous(language="en"):
    client = APIClient()
    client.credentials(HTTP_ACCEPT_LANGUAGE=language)
    return client


def own(organisation, offer_id=None):
    tail = f"{offer_id}/" if offer_id is not None else ""
    return f"/api/v1/organisations/{organisation.pk}/method-offers/{tail}"


def body(**changes):
    data = {
        "method": "fnb",
        "variants": [],
        "regions": ["nl_gelderland"],
        "municipalities": "Tiel, Culemborg",
        "notes": "",
        "contact_email": "aanmelden@example.org",
        "contact_phone": "",
        "contact_url": "",
        "referrers": ["professional"],
        "waiting_weeks": 4,
        "active": True,
    }
    data.update(changes)
    return data


def save(user, organisation, **changes):
    data = body(**changes)
    data["method_code"] = data.pop("method")
    return services.save_offer(Actor(user, "127.0.0.1", "/test/"), organisation.pk, data)


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def offers(world):
    world.a.org.name = "Jeugdhulp Betuwe"
    world.a.org.save()
    world.b.org.name = "Kompas Gent"
    world.b.org.save()
    return {
        "a_fnb": save(world.a.lead, world.a.org, regions=["nl_gelderland", "nl_utrecht"], waiting_weeks=3),
        "a_ff": save(
            world.a.lead,
            world.a.org,
            method="family_finding",
            regions=["nl_utrecht"],
            waiting_weeks=None,
            referrers=["family", "school"],
        ),
        "a_hidden": save(world.a.lead, world.a.org, method="nvr", regions=["nl_gelderland"], active=False),
        "b_fnb": save(
            world.b.lead,
            world.b.org,
            variants=["sonestra"],
            regions=["vl_oost_vlaanderen"],
            contact_email="",
            contact_url="https://kompas.example/fnb",
        ),
    }


# --- The public list ------------------------------------------------------------------------------------


def test_public_list_needs_no_login_and_shows_active_offers_only(offers):
    response = anonymous().get(PUBLIC)
    assert response.status_code == 200, response.content
    listed = response.json()
    assert [o["id"] for o in listed] == [offers["a_ff"].pk, offers["a_fnb"].pk, offers["b_fnb"].pk]
    b_fnb = listed[-1]
    assert b_fnb == {
        "id": offers["b_fnb"].pk,
        "organisation": offers["b_fnb"].organisation_id,
        "organisation_name": "Kompas Gent",
        "method": "fnb",
        "method_name": b_fnb["method_name"],
        "variants": ["sonestra"],
        "regions": ["vl_oost_vlaanderen"],
        "municipalities": "Tiel, Culemborg",
        "notes": "",
        "contact_email": "",
        "contact_phone": "",
        "contact_url": "https://kompas.example/fnb",
        "referrers": ["professional"],
        "waiting_weeks": 4,
    }
    assert b_fnb["method_name"]["nl"] and b_fnb["method_name"]["en"]
    assert listed[0]["waiting_weeks"] is None and listed[0]["referrers"] == ["family", "school"]
    # Maintainers' details (version, who changed it, active) are not public.
    assert "version" not in b_fnb and "updated_by" not in b_fnb and "active" not in b_fnb


def test_public_list_is_the_same_with_a_login(offers, world):
    assert api(world.b.case_worker).get(PUBLIC).json() == anonymous().get(PUBLIC).json()


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"region": "nl_utrecht"}, ["a_ff", "a_fnb"]),
        ({"method": "fnb"}, ["a_fnb", "b_fnb"]),
        ({"region": "nl_gelderland", "method": "fnb"}, ["a_fnb"]),
        ({"region": "nl_gelderland", "method": "nvr"}, []),  # only inactive
        ({"region": "", "method": ""}, ["a_ff", "a_fnb", "b_fnb"]),
    ],
)
def test_public_list_filters_by_region_and_method(offers, query, expected):
    response = anonymous().get(PUBLIC, query)
    assert response.status_code == 200
    assert [o["id"] for o in response.json()] == [offers[key].pk for key in expected]


@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"region": "atlantis"}, "region", "Unknown region: atlantis."),
        ({"method": "no_such_method"}, "method", "There is no method with the code “no_such_method”."),
        ({"region": "x" * 500}, "region", None),
    ],
)
def test_public_list_refuses_unknown_filters_with_a_clear_message(offers, query, field, message):
    response = anonymous().get(PUBLIC, query)
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]


def test_public_list_messages_follow_the_language(offers):
    response = anonymous(language="nl").get(PUBLIC, {"region": "atlantis"})
    assert response.status_code == 400
    assert response.json()["region"] == ["Onbekende regio: atlantis."]


def test_public_list_is_throttled(offers, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "2/min", raising=False)
    client = anonymous()
    assert [client.get(PUBLIC).status_code for _ in range(3)] == [200, 200, 429]


def test_public_list_refuses_a_bad_token(offers):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nonsense")
    assert client.get(PUBLIC).status_code == 401


# --- An organisation's own offers --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lead", "administrator"])
def test_maintainers_list_every_own_offer_with_version(offers, world, who):
    response = api(getattr(world.a, who)).get(own(world.a.org))
    assert response.status_code == 200, response.content
    listed = response.json()
    assert [o["method"] for o in listed] == ["family_finding", "fnb", "nvr"]
    hidden = listed[-1]
    assert (hidden["active"], hidden["version"], hidden["updated_by"]) == (False, 1, str(world.a.lead))
    assert hidden["organisation_name"] == "Jeugdhulp Betuwe" and hidden["updated_at"]


def test_own_list_queries_do_not_grow_with_the_offers(offers, world, django_assert_num_queries):
    client = api(world.a.lead)
    client.get(own(world.a.org))  # a token's first call also notes when it was used; compare the calls after it
    with CaptureQueriesContext(connection) as three:
        assert len(client.get(own(world.a.org)).json()) == 3
    save(world.a.lead, world.a.org, method="ekc")
    save(world.a.administrator, world.a.org, method="hergo")
    with django_assert_num_queries(len(three)):
        assert len(client.get(own(world.a.org)).json()) == 5


def test_maintainer_creates_an_offer_through_the_service_and_it_is_logged(world):
    before = AccessLogEntry.objects.count()
    response = api(world.a.lead).post(own(world.a.org), body(notes="  Ook in het weekend.  "), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    offer = MethodOffer.objects.get(pk=created["id"])
    assert response["Location"].endswith(own(world.a.org, offer.pk))
    assert (offer.organisation, offer.method_code, offer.notes, offer.updated_by, offer.version) == (
        world.a.org,
        "fnb",
        "Ook in het weekend.",
        world.a.lead,
        1,
    )
    assert (created["version"], created["active"], created["municipalities"]) == (1, True, "Tiel, Culemborg")
    entries = list(AccessLogEntry.objects.order_by("id")[before:])
    assert [(e.action, e.record_type, e.record_id, e.case_id, e.organisation_id) for e in entries] == [
        (Action.CREATE, "method_offer", str(offer.pk), None, world.a.org.pk)
    ]
    # Left out, the optional fields take their defaults.
    minimal = {"method": "nvr", "regions": ["nl_utrecht"], "referrers": ["family"], "contact_phone": "0344 000 100"}
    response = api(world.a.administrator).post(own(world.a.org), minimal, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["variants"], response.json()["waiting_weeks"], response.json()["active"]) == (
        [],
        None,
        True,
    )


def test_maintainer_reads_one_offer(offers, world):
    response = api(world.a.lead).get(own(world.a.org, offers["a_hidden"].pk))
    assert response.status_code == 200
    assert (response.json()["method"], response.json()["active"]) == ("nvr", False)
    assert api(world.a.lead).get(own(world.a.org, 10**9)).status_code == 404


def test_maintainer_changes_an_offer_with_the_version_read(offers, world):
    offer = offers["a_fnb"]
    response = api(world.a.administrator).put(
        own(world.a.org, offer.pk),
        body(regions=["nl_utrecht"], waiting_weeks=9, active=False, version=1),
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["version"], response.json()["updated_by"]) == (2, str(world.a.administrator))
    offer.refresh_from_db()
    assert (offer.regions, offer.waiting_weeks, offer.active, offer.version) == (["nl_utrecht"], 9, False, 2)
    assert offer.id not in {o["id"] for o in anonymous().get(PUBLIC).json()}
    assert (
        AccessLogEntry.objects.filter(action=Action.UPDATE, record_type="method_offer", record_id=str(offer.pk)).count()
        == 1
    )


def test_a_stale_change_answers_409_with_what_changed(offers, world):
    offer = offers["a_fnb"]
    first = api(world.a.administrator).put(own(world.a.org, offer.pk), body(waiting_weeks=9, version=1), format="json")
    assert first.status_code == 200
    stale = api(world.a.lead).put(own(world.a.org, offer.pk), body(waiting_weeks=2, version=1), format="json")
    assert stale.status_code == 409
    changes = {c["field"]: (c["was"], c["now"], c["changed_by"]) for c in stale.json()["changes"]}
    assert changes["waiting time in weeks"] == ("3", "9", str(world.a.administrator))
    offer.refresh_from_db()
    assert (offer.waiting_weeks, offer.version) == (9, 2)


def test_a_change_needs_the_version(offers, world):
    response = api(world.a.lead).put(own(world.a.org, offers["a_fnb"].pk), body(), format="json")
    assert response.status_code == 400
    assert "version" in response.json()


def test_maintainer_removes_an_offer_with_the_version_read(offers, world):
    offer = offers["a_fnb"]
    client = api(world.a.lead)
    assert client.delete(own(world.a.org, offer.pk)).status_code == 400  # no version
    assert client.delete(own(world.a.org, offer.pk) + "?version=x").status_code == 400
    save_change = client.put(own(world.a.org, offer.pk), body(version=1), format="json")
    assert save_change.status_code == 200
    assert client.delete(own(world.a.org, offer.pk) + "?version=1").status_code == 409
    assert MethodOffer.objects.filter(pk=offer.pk).exists()
    assert client.delete(own(world.a.org, offer.pk) + "?version=2").status_code == 204
    assert not MethodOffer.objects.filter(pk=offer.pk).exists()
    assert AccessLogEntry.objects.filter(action=Action.DELETE, record_id=str(offer.pk)).count() == 1
    assert client.delete(own(world.a.org, offer.pk) + "?version=2").status_code == 404


# --- Validation -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"method": "no_such_method"}, "method"),  # the service's method_code, under the name the client sent
        ({"method": "fnb", "variants": ["path"]}, "variants"),
        ({"regions": ["vl_antwerpen"]}, "regions"),  # a Flemish province for a Dutch organisation
        ({"regions": []}, "regions"),
        ({"regions": "nl_gelderland"}, "regions"),  # not a list
        ({"referrers": ["neighbours"]}, "referrers"),
        ({"contact_email": "not an address"}, "contact_email"),
        ({"contact_email": "", "contact_phone": "call me maybe"}, "contact_phone"),
        ({"contact_email": "", "contact_url": "javascript:alert(1)"}, "contact_url"),
        ({"contact_email": ""}, "contact_email"),  # no way to get in touch
        ({"waiting_weeks": 500}, "waiting_weeks"),
        ({"waiting_weeks": -1}, "waiting_weeks"),
        ({"notes": "x" * 2001}, "notes"),
        ({"active": "perhaps"}, "active"),
        ({"colour": "blue"}, "colour"),  # unknown fields are refused, not ignored
        ({"version": 1}, "version"),  # a new offer has no version to send
    ],
)
def test_bad_input_is_refused_by_field(world, changes, field):
    before = AccessLogEntry.objects.count()
    response = api(world.a.lead).post(own(world.a.org), body(**changes), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not MethodOffer.objects.exists()
    assert AccessLogEntry.objects.count() == before


def test_missing_required_fields_are_named(world):
    response = api(world.a.lead).post(own(world.a.org), {}, format="json")
    assert response.status_code == 400
    assert {"method", "regions", "referrers"} <= set(response.json())


def test_a_second_offer_of_the_same_method_is_refused_on_the_method(offers, world):
    response = api(world.a.lead).post(own(world.a.org), body(method="fnb"), format="json")
    assert response.status_code == 400
    assert "method" in response.json() and "method_code" not in response.json()


def test_validation_messages_follow_the_language(world):
    response = api(world.a.lead, language="nl").post(own(world.a.org), body(method="no_such_method"), format="json")
    assert response.json()["method"] == ["Er is geen methodiek met de code “no_such_method”."]


def test_json_only(world):
    response = api(world.a.lead).post(own(world.a.org), {"method": "fnb"})  # a form post
    assert response.status_code == 415


# --- Refusals ---------------------------------------------------------------------------------------------


def test_own_offers_need_a_login(offers, world):
    offer = offers["a_fnb"]
    client = anonymous()
    assert client.get(own(world.a.org)).status_code == 401
    assert client.post(own(world.a.org), body(), format="json").status_code == 401
    assert client.get(own(world.a.org, offer.pk)).status_code == 401
    assert client.put(own(world.a.org, offer.pk), body(version=1), format="json").status_code == 401
    assert client.delete(own(world.a.org, offer.pk) + "?version=1").status_code == 401


@pytest.mark.parametrize("role", ["case_worker", "coordinator", "researcher", "privacy_officer"])
def test_other_roles_of_the_organisation_are_refused_with_403(offers, world, role):
    offer = offers["a_fnb"]
    client = api(getattr(world.a, role))
    before = AccessLogEntry.objects.count()
    assert client.get(own(world.a.org)).status_code == 403
    assert client.get(own(world.a.org, offer.pk)).status_code == 403
    assert client.post(own(world.a.org), body(method="nvr"), format="json").status_code == 403
    # Refused before the input is read: even a bad body answers 403.
    assert client.post(own(world.a.org), {"nonsense": 1}, format="json").status_code == 403
    changed = client.put(own(world.a.org, offer.pk), body(waiting_weeks=1, version=1), format="json")
    assert changed.status_code == 403 and changed.json()["detail"]
    assert client.delete(own(world.a.org, offer.pk) + "?version=1").status_code == 403
    offer.refresh_from_db()
    assert (offer.waiting_weeks, offer.version) == (3, 1)
    assert MethodOffer.objects.filter(organisation=world.a.org).count() == 3
    denied = AccessLogEntry.objects.order_by("id")[before:]
    # Every refusal once, the two refused reads too (issue 12, item 7): the organisation's list, then the offer.
    assert [(e.action, e.record_type, e.organisation_id, e.user_id) for e in denied] == [
        (Action.DENIED, record_type, world.a.org.pk, getattr(world.a, role).pk)
        for record_type in ["organisation"] + ["method_offer"] * 5
    ]


@pytest.mark.parametrize("who", ["lead", "administrator", "case_worker"])
def test_another_organisation_answers_404(offers, world, who):
    offer = offers["a_fnb"]
    client = api(getattr(world.b, who))
    assert client.get(own(world.a.org)).status_code == 404
    assert client.get(own(world.a.org, offer.pk)).status_code == 404
    assert client.post(own(world.a.org), body(), format="json").status_code == 404
    assert client.put(own(world.a.org, offer.pk), body(version=1), format="json").status_code == 404
    assert client.delete(own(world.a.org, offer.pk) + "?version=1").status_code == 404
    assert client.get(own(world.a.org).replace(str(world.a.org.pk), "999999")).status_code == 404
    offer.refresh_from_db()
    assert offer.version == 1


def test_an_offer_of_another_organisation_cannot_be_reached_through_ones_own(offers, world):
    """B's lead asking A's offer id under B finds nothing, and changes nothing."""
    offer = offers["a_fnb"]
    client = api(world.b.lead)
    assert client.get(own(world.b.org, offer.pk)).status_code == 404
    changed = client.put(own(world.b.org, offer.pk), body(regions=["vl_antwerpen"], version=1), format="json")
    assert changed.status_code == 404
    assert client.delete(own(world.b.org, offer.pk) + "?version=1").status_code == 404
    offer.refresh_from_db()
    assert (offer.organisation, offer.version) == (world.a.org, 1)


# --- The OpenAPI document ---------------------------------------------------------------------------------

PATHS = {
    "/api/v1/method-offers/": {"get"},
    "/api/v1/organisations/{organisation_id}/method-offers/": {"get", "post"},
    "/api/v1/organisations/{organisation_id}/method-offers/{offer_id}/": {"get", "put", "delete"},
}


def test_the_openapi_document_lists_the_offer_paths(db):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    document = json.loads(response.content)
    for path, methods in PATHS.items():
        assert path in document["paths"], path
        assert set(document["paths"][path]) - {"parameters"} == methods, path
    public = document["paths"]["/api/v1/method-offers/"]["get"]
    assert {p["name"] for p in public["parameters"]} == {"region", "method"}
    assert {} in public["security"]  # no login needed
    change = document["paths"]["/api/v1/organisations/{organisation_id}/method-offers/{offer_id}/"]["put"]
    assert {"200", "400", "403", "404", "409"} <= set(change["responses"])
    remove = document["paths"]["/api/v1/organisations/{organisation_id}/method-offers/{offer_id}/"]["delete"]
    assert "version" in {p["name"] for p in remove["parameters"]}
    schemas = document["components"]["schemas"]
    assert {"method", "regions", "referrers"} <= set(schemas["MethodOfferInputRequest"]["required"])
    assert "version" in schemas["MethodOfferChangeRequest"]["required"]
    assert {"version", "active", "updated_by"} <= set(schemas["MethodOfferDetail"]["properties"])
