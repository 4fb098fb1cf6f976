"""Who offers which method where: the model's rules, the services' permissions, stale edits and log, the public
overview and the method page's section, the maintenance pages, and the demo offer."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kring.accounts.models import Role
from kring.audit.models import AccessLogEntry, Action
from kring.core.actor import Actor
from kring.core.errors import NotFound, StaleEdit
from kring.methods import demo, queries, services
from kring.methods.models import MethodOffer
from kring.methods.regions import REGIONS

from ..factories import make_organisation, make_user

pytestmark = pytest.mark.django_db


def _data(**changes):
    data = {
        "method_code": "fnb",
        "variants": [],
        "regions": ["nl_gelderland"],
        "municipalities": "",
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


def _save(user, organisation, offer_id=None, version=None, **changes):
    return services.save_offer(
        Actor(user, "127.0.0.1", "/test/"),
        organisation.pk,
        _data(**changes),
        offer_id=offer_id,
        expected_version=version,
    )


def _errors(excinfo):
    return excinfo.value.message_dict


def _html(response):
    return response.content.decode()


# --- Regions ---------------------------------------------------------------------------------------------


def test_regions_are_the_twelve_dutch_and_five_flemish_provinces_and_brussels():
    assert sum(r.jurisdiction == "NL" for r in REGIONS) == 12
    assert sum(r.jurisdiction == "VL" for r in REGIONS) == 6
    assert "vl_brussel" in {r.code for r in REGIONS}
    assert len({str(r.label) for r in REGIONS}) == len(REGIONS)  # the two Limburgs are told apart


# --- Validation ------------------------------------------------------------------------------------------


def test_a_valid_offer_is_saved_with_its_author_and_version(world):
    offer = _save(world.a.lead, world.a.org, variants=[], regions=["nl_gelderland", "nl_utrecht"])
    offer.refresh_from_db()
    assert (offer.method_code, offer.regions, offer.version, offer.updated_by) == (
        "fnb",
        ["nl_gelderland", "nl_utrecht"],
        1,
        world.a.lead,
    )


def test_unknown_method_is_refused_on_the_method_field(world):
    with pytest.raises(ValidationError) as excinfo:
        _save(world.a.lead, world.a.org, method_code="no_such_method")
    assert "method_code" in _errors(excinfo)
    assert not MethodOffer.objects.exists()


def test_variant_of_another_method_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        _save(world.b.lead, world.b.org, method_code="fnb", variants=["path"], regions=["vl_antwerpen"])
    assert "variants" in _errors(excinfo)
    offer = _save(world.b.lead, world.b.org, method_code="fnb", variants=["sonestra"], regions=["vl_antwerpen"])
    assert offer.variants == ["sonestra"]


@pytest.mark.parametrize(
    "who, regions",
    [
        ("a", ["vl_antwerpen"]),  # a Dutch organisation in a Flemish province
        ("b", ["nl_limburg"]),  # a Flemish organisation in the Dutch Limburg
        ("a", ["nl_gelderland", "vl_brussel"]),
        ("a", ["atlantis"]),
        ("a", []),
    ],
)
def test_regions_outside_the_jurisdiction_unknown_or_none_are_refused(world, who, regions):
    side = getattr(world, who)
    with pytest.raises(ValidationError) as excinfo:
        _save(side.lead, side.org, regions=regions)
    assert "regions" in _errors(excinfo)


def test_flemish_organisation_may_offer_in_brussels(world):
    assert _save(world.b.lead, world.b.org, regions=["vl_brussel", "vl_limburg"]).regions == [
        "vl_brussel",
        "vl_limburg",
    ]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"contact_email": "not an address"}, "contact_email"),
        ({"contact_email": "", "contact_phone": "call me maybe"}, "contact_phone"),
        ({"contact_email": "", "contact_url": "javascript:alert(1)"}, "contact_url"),
        ({"contact_email": "", "contact_phone": "", "contact_url": ""}, "contact_email"),  # no way to get in touch
        ({"referrers": []}, "referrers"),
        ({"referrers": ["neighbours"]}, "referrers"),
        ({"waiting_weeks": 500}, "waiting_weeks"),
    ],
)
def test_bad_contact_and_other_fields_are_refused_by_name(world, changes, field):
    with pytest.raises(ValidationError) as excinfo:
        _save(world.a.lead, world.a.org, **changes)
    assert field in _errors(excinfo)


def test_phone_or_web_address_alone_is_enough_contact(world):
    offer = _save(world.a.lead, world.a.org, contact_email="", contact_phone="+31 (0)344 000 100")
    assert offer.contact_phone == "+31 (0)344 000 100"
    offer = _save(world.a.lead, world.a.org, method_code="nvr", contact_email="", contact_url="https://example.org/nvr")
    assert offer.contact_url == "https://example.org/nvr"


def test_one_offer_per_method_per_organisation(world):
    _save(world.a.lead, world.a.org)
    with pytest.raises(ValidationError) as excinfo:
        _save(world.a.administrator, world.a.org)
    assert "method_code" in _errors(excinfo)
    assert MethodOffer.objects.count() == 1


# --- Permissions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["case_worker", "coordinator", "researcher", "privacy_officer"])
def test_only_team_leads_and_administrators_maintain_the_offer(world, role):
    with pytest.raises(PermissionDenied):
        _save(getattr(world.a, role), world.a.org)
    assert not MethodOffer.objects.exists()


def test_administrator_may_maintain(world):
    assert _save(world.a.administrator, world.a.org).updated_by == world.a.administrator


def test_other_organisations_lead_is_refused_and_the_refusal_logged(world):
    offer = _save(world.a.lead, world.a.org)
    with pytest.raises(PermissionDenied):
        _save(world.b.lead, world.a.org, offer_id=offer.pk, version=1, waiting_weeks=1)
    with pytest.raises(PermissionDenied):
        services.remove_offer(Actor(world.b.administrator), world.a.org.pk, offer.pk, expected_version=1)
    offer.refresh_from_db()
    assert offer.waiting_weeks == 4
    denied = AccessLogEntry.objects.filter(action=Action.DENIED, record_type="method_offer")
    assert {(e.user_id, e.record_id, e.organisation_id) for e in denied} == {
        (world.b.lead.pk, str(offer.pk), world.a.org.pk),
        (world.b.administrator.pk, str(offer.pk), world.a.org.pk),
    }


def test_an_offer_cannot_be_reached_through_another_organisation(world):
    """A lead of B asking B's offer with A's offer id finds nothing."""
    offer = _save(world.a.lead, world.a.org)
    with pytest.raises(NotFound):
        _save(world.b.lead, world.b.org, offer_id=offer.pk, version=1, regions=["vl_antwerpen"])
    with pytest.raises(NotFound):
        services.remove_offer(Actor(world.b.lead), world.b.org.pk, offer.pk, expected_version=1)
    assert MethodOffer.objects.filter(pk=offer.pk, organisation=world.a.org).exists()


# --- Stale edits and the log ---------------------------------------------------------------------------------


def test_stale_edit_is_refused_and_says_what_changed_and_by_whom(world):
    offer = _save(world.a.lead, world.a.org)
    _save(world.a.administrator, world.a.org, offer_id=offer.pk, version=1, waiting_weeks=9)
    with pytest.raises(StaleEdit) as excinfo:
        _save(world.a.lead, world.a.org, offer_id=offer.pk, version=1, waiting_weeks=2)
    offer.refresh_from_db()
    assert (offer.waiting_weeks, offer.version) == (9, 2)
    changes = {str(label): (old, new, who) for label, old, new, who in excinfo.value.changes}
    label = str(MethodOffer._meta.get_field("waiting_weeks").verbose_name)
    assert changes == {label: (4, 9, str(world.a.administrator))}
    # Based on the current version the save goes through.
    assert _save(world.a.lead, world.a.org, offer_id=offer.pk, version=2, waiting_weeks=2).version == 3


def test_stale_remove_is_refused(world):
    offer = _save(world.a.lead, world.a.org)
    _save(world.a.lead, world.a.org, offer_id=offer.pk, version=1, waiting_weeks=9)
    with pytest.raises(StaleEdit):
        services.remove_offer(Actor(world.a.lead), world.a.org.pk, offer.pk, expected_version=1)
    assert MethodOffer.objects.filter(pk=offer.pk).exists()


def test_create_change_and_remove_are_logged_without_a_case(world):
    before = AccessLogEntry.objects.count()
    offer = _save(world.a.lead, world.a.org)
    _save(world.a.lead, world.a.org, offer_id=offer.pk, version=1, waiting_weeks=5)
    services.remove_offer(Actor(world.a.lead, "10.0.0.1", "/gone/"), world.a.org.pk, offer.pk, expected_version=2)
    entries = list(AccessLogEntry.objects.order_by("id")[before:])
    assert [e.action for e in entries] == [Action.CREATE, Action.UPDATE, Action.DELETE]
    assert {(e.record_type, e.record_id, e.case_id, e.organisation_id, e.user_id) for e in entries} == {
        ("method_offer", str(offer.pk), None, world.a.org.pk, world.a.lead.pk)
    }
    assert (entries[-1].ip_address, entries[-1].path) == ("10.0.0.1", "/gone/")
    assert not MethodOffer.objects.filter(pk=offer.pk).exists()


def test_a_refused_save_logs_nothing_but_the_refusal(world):
    before = AccessLogEntry.objects.count()
    with pytest.raises(ValidationError):
        _save(world.a.lead, world.a.org, regions=["vl_antwerpen"])
    assert AccessLogEntry.objects.count() == before


# --- Queries ------------------------------------------------------------------------------------------------


def test_public_offers_filter_by_region_and_method_and_hide_inactive(world):
    fnb = _save(world.a.lead, world.a.org, regions=["nl_gelderland", "nl_utrecht"])
    nvr = _save(world.a.lead, world.a.org, method_code="nvr", regions=["nl_utrecht"])
    _save(world.a.lead, world.a.org, method_code="family_finding", active=False)
    vl = _save(world.b.lead, world.b.org, regions=["vl_antwerpen"])
    assert {o.pk for o in queries.public_offers()} == {fnb.pk, nvr.pk, vl.pk}
    assert {o.pk for o in queries.public_offers(region="nl_utrecht")} == {fnb.pk, nvr.pk}
    assert {o.pk for o in queries.public_offers(method="fnb")} == {fnb.pk, vl.pk}
    assert {o.pk for o in queries.public_offers(region="nl_gelderland", method="nvr")} == set()
    groups = queries.offers_by_region(queries.public_offers())
    assert [(g.code, [o.pk for o in g.offers]) for g in groups] == [
        ("nl_gelderland", [fnb.pk]),
        ("nl_utrecht", [fnb.pk, nvr.pk]),
        ("vl_antwerpen", [vl.pk]),
    ]


# --- Public pages -------------------------------------------------------------------------------------------


@pytest.fixture
def offers(world):
    world.a.org.name = "Jeugdhulp Betuwe"
    world.a.org.save()
    world.b.org.name = "Kompas Gent"
    world.b.org.save()
    return {
        "a_fnb": _save(
            world.a.lead, world.a.org, regions=["nl_gelderland"], contact_phone="0344 000 100", waiting_weeks=3
        ),
        "a_ff": _save(
            world.a.lead,
            world.a.org,
            method_code="family_finding",
            regions=["nl_utrecht"],
            contact_email="ff@example.org",
            waiting_weeks=None,
        ),
        "a_hidden": _save(
            world.a.lead,
            world.a.org,
            method_code="nvr",
            regions=["nl_gelderland"],
            active=False,
            contact_email="hidden@example.org",
        ),
        "b_fnb": _save(
            world.b.lead,
            world.b.org,
            variants=["sonestra"],
            regions=["vl_oost_vlaanderen"],
            contact_email="netwerk@kompas.example",
            contact_url="https://kompas.example/fnb",
        ),
    }


def _section(html, region):
    match = re.search(rf'<section class="region" id="region-{region}">.*?</section>', html, re.S)
    return match.group(0) if match else ""


def test_overview_is_public_and_shows_offers_per_region(client, offers):
    response = client.get(reverse("methods:offers"))
    assert response.status_code == 200
    html = _html(response)
    gelderland, utrecht, oost = (_section(html, r) for r in ("nl_gelderland", "nl_utrecht", "vl_oost_vlaanderen"))
    assert "Jeugdhulp Betuwe" in gelderland and "0344 000 100" in gelderland and "3 weken" in gelderland
    assert "mailto:ff@example.org" in utrecht and "Kompas Gent" not in utrecht
    assert "Kompas Gent" in oost and "SoNeStra" in oost and 'href="https://kompas.example/fnb"' in oost
    assert f'href="{reverse("methods:method", args=["family_finding"])}"' in utrecht
    assert "hidden@example.org" not in html  # inactive offers are not public
    assert "region-nl_groningen" not in html  # regions without offers are left out


def test_overview_filters_by_region_and_method(client, offers):
    html = _html(client.get(reverse("methods:offers"), {"region": "nl_gelderland"}))
    assert _section(html, "nl_gelderland") and not _section(html, "nl_utrecht")
    assert "Kompas Gent" not in html
    html = _html(client.get(reverse("methods:offers"), {"method": "fnb"}))
    assert "Kompas Gent" in html and "ff@example.org" not in html
    html = _html(client.get(reverse("methods:offers"), {"region": "nl_utrecht", "method": "fnb"}))
    assert "Jeugdhulp Betuwe" not in html and 'class="empty"' in html


def test_overview_refuses_an_unknown_filter_value_without_failing(client, offers):
    response = client.get(reverse("methods:offers"), {"region": "atlantis"})
    assert response.status_code == 400
    assert "Kompas Gent" in _html(response)  # shows everything with the error beside the filter


def test_guide_links_to_the_overview(client, db):
    assert f'href="{reverse("methods:offers")}"' in _html(client.get(reverse("methods:guide")))


def test_method_page_lists_who_offers_it_by_region(client, offers):
    html = _html(client.get(reverse("methods:method", args=["fnb"])))
    section = html[html.index('id="offered-by"') : html.index(">Bronnen<") if ">Bronnen<" in html else None]
    assert "Jeugdhulp Betuwe" in _section(section, "nl_gelderland")
    assert "Kompas Gent" in _section(section, "vl_oost_vlaanderen")
    assert "ff@example.org" not in section  # family finding's offer belongs on its own page
    html = _html(client.get(reverse("methods:method", args=["nvr"])))
    assert "hidden@example.org" not in html and 'class="empty"' in html


# --- Maintenance pages --------------------------------------------------------------------------------------


def test_maintenance_needs_login(client, db):
    response = client.get(reverse("methods:our_offer"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["case_worker", "coordinator", "researcher"])
def test_maintenance_is_refused_to_other_roles(client, world, role):
    client.force_login(getattr(world.a, role))
    assert client.get(reverse("methods:our_offer")).status_code == 403
    assert client.get(reverse("methods:our_offer_for", args=[world.a.org.pk])).status_code == 404
    response = client.post(reverse("methods:offer_add", args=[world.a.org.pk]), {"method_code": "fnb"})
    assert response.status_code == 404 and not MethodOffer.objects.exists()


def test_lead_is_sent_to_their_organisation_and_sees_all_its_offers(client, offers, world):
    client.force_login(world.a.lead)
    response = client.get(reverse("methods:our_offer"))
    assert response.status_code == 302
    assert response["Location"] == reverse("methods:our_offer_for", args=[world.a.org.pk])
    html = _html(client.get(response["Location"]))
    assert html.count('<tr class="offer-row"') == 3  # the inactive one too
    assert reverse("methods:offer_edit", args=[world.a.org.pk, offers["a_hidden"].pk]) in html
    assert "Kompas Gent" not in html
    assert client.get(reverse("methods:our_offer_for", args=[world.b.org.pk])).status_code == 404


def test_person_with_several_organisations_chooses(client, world):
    world.a.lead.memberships.create(organisation=world.b.org, role=Role.TEAM_LEAD)
    client.force_login(world.a.lead)
    response = client.get(reverse("methods:our_offer"))
    assert response.status_code == 200
    html = _html(response)
    for org in (world.a.org, world.b.org):
        assert f'href="{reverse("methods:our_offer_for", args=[org.pk])}"' in html
    assert client.get(reverse("methods:our_offer_for", args=[world.b.org.pk])).status_code == 200


def _form_post(**changes):
    data = {
        "method_code": "fnb",
        "regions": ["nl_gelderland"],
        "referrers": ["family", "professional"],
        "contact_email": "aanmelden@example.org",
        "waiting_weeks": "2",
        "active": "on",
    }
    data.update(changes)
    return data


def test_add_form_get_and_post(client, world):
    client.force_login(world.a.lead)
    url = reverse("methods:offer_add", args=[world.a.org.pk])
    html = _html(client.get(url))
    assert 'value="nl_gelderland"' in html and 'value="vl_antwerpen"' not in html  # own jurisdiction only
    response = client.post(url, _form_post())
    assert response.status_code == 302
    offer = MethodOffer.objects.get()
    assert (offer.organisation, offer.referrers, offer.waiting_weeks, offer.active) == (
        world.a.org,
        ["family", "professional"],
        2,
        True,
    )
    assert AccessLogEntry.objects.filter(
        action=Action.CREATE, record_type="method_offer", record_id=str(offer.pk)
    ).exists()


def test_form_shows_errors_beside_the_fields(client, world):
    client.force_login(world.b.administrator)
    url = reverse("methods:offer_add", args=[world.b.org.pk])
    response = client.post(url, _form_post(regions=["vl_gent"], variants=["ptp:path"], contact_email="nope"))
    assert response.status_code == 200
    html = _html(response)
    for field in ("regions", "variants", "contact_email"):
        assert f'id="id_{field}_error"' in html
    assert not MethodOffer.objects.exists()


def test_service_errors_reach_the_form(client, world):
    _save(world.a.lead, world.a.org)
    client.force_login(world.a.lead)
    response = client.post(reverse("methods:offer_add", args=[world.a.org.pk]), _form_post())
    assert response.status_code == 200 and 'id="id_method_code_error"' in _html(response)
    assert MethodOffer.objects.count() == 1


def test_edit_form_saves_and_a_stale_save_answers_409(client, world):
    offer = _save(world.a.lead, world.a.org, variants=[])
    client.force_login(world.a.lead)
    url = reverse("methods:offer_edit", args=[world.a.org.pk, offer.pk])
    html = _html(client.get(url))
    assert 'name="version" value="1"' in html and 'value="aanmelden@example.org"' in html
    assert client.post(url, _form_post(version="1", waiting_weeks="6")).status_code == 302
    offer.refresh_from_db()
    assert (offer.waiting_weeks, offer.version) == (6, 2)
    response = client.post(url, _form_post(version="1", waiting_weeks="1"))
    assert response.status_code == 409
    html = _html(response)
    assert 'class="stale"' in html and 'name="version" value="2"' in html
    offer.refresh_from_db()
    assert offer.waiting_weeks == 6


def test_remove_through_the_page(client, offers, world):
    client.force_login(world.a.lead)
    offer = offers["a_fnb"]
    url = reverse("methods:offer_remove", args=[world.a.org.pk, offer.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"version": "1"})
    assert response.status_code == 302
    assert not MethodOffer.objects.filter(pk=offer.pk).exists()
    client.force_login(world.b.lead)
    other = offers["a_ff"]
    assert (
        client.post(reverse("methods:offer_remove", args=[world.a.org.pk, other.pk]), {"version": "1"}).status_code
        == 404
    )
    assert MethodOffer.objects.filter(pk=other.pk).exists()


# --- Demo ----------------------------------------------------------------------------------------------------


def test_demo_offer_is_created_once_through_the_service(db):
    kom = make_organisation("VL", name="Kompas Jeugdhulp", code="kom")
    jbr = make_organisation("NL", name="Jeugdbescherming Rivierenland", code="jbr")
    users = {
        "teamleider@kompas.demo": make_user(kom, Role.TEAM_LEAD, email="teamleider@kompas.demo"),
        "beheerder@rivierenland.demo": make_user(jbr, Role.ADMINISTRATOR, email="beheerder@rivierenland.demo"),
    }
    organisations = {"kom": kom, "jbr": jbr}
    expected = sum(len(offers) for _email, offers in demo.OFFERS.values())
    assert demo.ensure(organisations, users) == expected == MethodOffer.objects.count()
    assert demo.ensure(organisations, users) == 0
    assert MethodOffer.objects.count() == expected
    assert set(MethodOffer.objects.filter(organisation=kom).values_list("method_code", flat=True)) == {
        "fnb",
        "signs_of_safety",
        "hergo",
        "ptp",
    }
    assert not MethodOffer.objects.filter(method_code="ekc").exists()
    assert AccessLogEntry.objects.filter(record_type="method_offer", action=Action.CREATE).count() == expected
