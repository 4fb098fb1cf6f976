"""The intake feeds the map (issue 14, item 2): the relation typed at intake draws the genogram links, siblings
exist on the map, the person panel shows phone and e-mail, the circle draws the institutions and the summary
counts them, and eco-map names are drawn whole."""

import datetime
import re

import pytest

from kring.cases import services as case_services
from kring.cases.models import Case, Person
from kring.network import services
from kring.network.core.ecomap import layout_ecomap
from kring.network.core.genogram import layout_genogram
from kring.network.core.graph import Member, Network, ParentLink, SiblingTie, SystemTie
from kring.network.core.kinship import Kin, PersonFacts, derive_links, read_relation
from kring.network.core.stats import summarize
from kring.network.core.svg import render_map
from kring.network.models import NetworkEdit, Relationship
from kring.network.queries import load_records
from tests.factories import actor

D = datetime.date


def _links(case):
    """The genogram links of a case as (kind, subtype, first name a, first name b)."""
    return sorted(
        (r.kind, r.subtype, r.person_a.first_name, r.person_b.first_name)
        for r in Relationship.objects.filter(case=case).select_related("person_a", "person_b")
    )


def _svg(client, case, kind="genogram"):
    html = client.get(f"/cases/{case.pk}/network/?map={kind}").content.decode()
    return html.split("<svg", 1)[1].split("</svg>", 1)[0]


# ---- reading the relation (pure) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kin",
    [
        ("moeder", Kin("parent", "biological", "female")),
        ("Vader", Kin("parent", "biological", "male")),
        ("stiefvader", Kin("parent", "step", "male")),
        ("Pleeg moeder", Kin("parent", "foster", "female")),
        ("voogd", Kin("parent", "guardian")),
        ("oma (moederskant)", Kin("grandparent", "biological", "female", "mother")),
        ("opa van vaderszijde", Kin("grandparent", "biological", "male", "father")),
        ("moeder van vader", Kin("grandparent", "biological", "female", "father")),
        ("Meme", Kin("grandparent", "biological", "female")),
        ("halfbroer", Kin("sibling", "half", "male")),
        ("zus", Kin("sibling", "sibling", "female")),
        ("tweelingbroer", Kin("twin", "fraternal", "male")),
        ("nonkel (broer van papa)", Kin("aunt_uncle", "", "male", "father")),
        ("tante (zus van moeder)", Kin("aunt_uncle", "", "female", "mother")),
        ("buurvrouw", None),
        ("vriendin van mama", None),
        ("", None),
    ],
)
def test_relation_words_are_read_in_dutch_flemish_and_english(text, kin):
    assert read_relation(text) == kin


def test_grandparent_without_a_named_side_is_not_guessed():
    persons = [
        PersonFacts("c", "", True),
        PersonFacts("m", "moeder", False, "female"),
        PersonFacts("o", "oma", False, "female"),
    ]
    links = derive_links(persons, [], ["c", "m", "o"])
    assert [(link.kind, link.a, link.b) for link in links] == [("parent", "m", "c")]


# ---- the intake draws the genogram ------------------------------------------------------------------------------


def _referral(world, persons):
    me = actor(world.a.case_worker)
    data = {
        "family_name": "Familie Intake",
        "team": world.a.team,
        "legal_context": "nl_voluntary",
        "safety_concern": "some",
        "central_reason": "r",
        "referral_date": D(2026, 2, 1),
        "referral_route": "school",
        "question": "v",
    }
    return me, case_services.create_referral(me, world.a.org, data, persons)


FAMILY = [
    {"first_name": "Lotte", "is_central": True, "birth_date": D(2017, 3, 1), "gender": "female"},
    {"first_name": "Sanne", "relation": "moeder", "gender": "female"},
    {"first_name": "Erik", "relation": "vader", "gender": "male"},
    {"first_name": "Joke", "relation": "oma (moederskant)", "gender": "female"},
    {"first_name": "Kees", "relation": "opa van vaderszijde", "gender": "male"},
    {"first_name": "Daan", "relation": "broer", "gender": "male"},
    {"first_name": "Mila", "relation": "tante (zus van mama)", "gender": "female"},
    {"first_name": "Ria", "relation": "buurvrouw", "gender": "female"},
]


def test_referral_relations_become_genogram_links_in_the_database_and_the_drawing(world, client):
    _me, case = _referral(world, FAMILY)
    assert _links(case) == [
        ("parent", "biological", "Erik", "Lotte"),
        ("parent", "biological", "Joke", "Sanne"),
        ("parent", "biological", "Kees", "Erik"),
        ("parent", "biological", "Sanne", "Lotte"),
        ("sibling", "sibling", "Daan", "Lotte"),
        ("sibling", "sibling", "Mila", "Sanne"),
    ]
    ids = {p.first_name: str(p.pk) for p in case.persons.all()}
    client.force_login(world.a.case_worker)
    svg = _svg(client, case)
    # Lotte hangs from her parents' sibship; Daan (brother, own parents not recorded) hangs there too, drawn lighter.
    parents = " ".join(sorted([ids["Erik"], ids["Sanne"]]))
    assert f'class="sibship" data-parents="{parents}"' in svg
    assert re.search(rf'<g class="tie" data-kind="biological" data-a="[0-9]+" data-b="{ids["Lotte"]}">', svg)
    assert re.search(rf'<g class="tie inferred" data-kind="sibling" data-a="[0-9]+" data-b="{ids["Daan"]}">', svg)
    # Grandparents stand above the parent of their side.
    assert f'class="sibship" data-parents="{ids["Joke"]}"' in svg
    assert f'class="sibship" data-parents="{ids["Kees"]}"' in svg
    # The neighbour has no tie: she stands aside, and no link names her.
    assert f'data-b="{ids["Ria"]}"' not in svg and f'data-a="{ids["Ria"]}"' not in svg
    rows = layout_genogram(load_records(case).network)
    y = {name: rows.positions[pid][1] for name, pid in ids.items()}
    assert y["Joke"] == y["Kees"] < y["Sanne"] == y["Erik"] == y["Mila"] < y["Lotte"] == y["Daan"]


def test_links_drawn_by_hand_are_not_duplicated_and_a_changed_relation_adds_its_link(world):
    me = actor(world.a.case_worker)
    case = world.a.case
    child = case.persons.get(is_central=True)
    mother = case_services.add_person(me, case.pk, {"first_name": "Ans", "gender": "female"})
    services.add_relationship(
        me, case.pk, {"kind": "parent", "subtype": "adoptive", "person_a": mother.pk, "person_b": child.pk}
    )
    case_services.update_person(me, case.pk, mother.pk, {"relation": "moeder"}, mother.version)
    assert _links(case) == [("parent", "adoptive", "Ans", child.first_name)]
    stranger = case_services.add_person(me, case.pk, {"first_name": "Bert", "relation": "kennis"})
    assert _links(case) == [("parent", "adoptive", "Ans", child.first_name)]
    case_services.update_person(me, case.pk, stranger.pk, {"relation": "stiefvader"}, stranger.version)
    assert ("parent", "step", "Bert", child.first_name) in _links(case)
    # The same relation saved again adds nothing; neither does a third biological parent, which the map refuses.
    stranger.refresh_from_db()
    case_services.update_person(me, case.pk, stranger.pk, {"relation": "stiefvader", "phone": "0612"}, stranger.version)
    assert len(_links(case)) == 2


def test_a_third_biological_parent_is_skipped_and_the_person_is_still_saved(world):
    me = actor(world.a.case_worker)
    case = world.a.case
    for name in ("Moeder1", "Moeder2", "Moeder3"):
        case_services.add_person(me, case.pk, {"first_name": name, "relation": "moeder", "gender": "female"})
    assert Person.objects.filter(case=case, first_name="Moeder3").exists()
    assert len([link for link in _links(case) if link[0] == "parent"]) == 2


def test_siblings_without_parents_share_a_row_with_a_sibling_link(world, client):
    _me, case = _referral(
        world,
        [
            {"first_name": "Noah", "is_central": True, "birth_date": D(2016, 1, 1)},
            {"first_name": "Evi", "relation": "zus", "birth_date": D(2014, 1, 1), "gender": "female"},
            {"first_name": "Finn", "relation": "halfbroer", "birth_date": D(2019, 1, 1), "gender": "male"},
        ],
    )
    assert _links(case) == [("sibling", "half", "Finn", "Noah"), ("sibling", "sibling", "Evi", "Noah")]
    ids = {p.first_name: str(p.pk) for p in case.persons.all()}
    client.force_login(world.a.case_worker)
    svg = _svg(client, case)
    assert re.search(rf'class="tie sibling" data-kind="sibling" data-a="{ids["Evi"]}" data-b="{ids["Noah"]}"', svg)
    assert re.search(
        rf'class="tie sibling" data-kind="half" data-a="{ids["Finn"]}" data-b="{ids["Noah"]}"><path [^>]*'
        r'stroke-dasharray="4 4"',
        svg,
    )
    lay = layout_genogram(load_records(case).network)
    assert not lay.side  # linked, so not set aside
    xs = sorted((lay.positions[i][0], name) for name, i in ids.items())
    assert [name for _x, name in xs] == ["Evi", "Noah", "Finn"]  # side by side, eldest left
    assert len({lay.positions[i][1] for i in ids.values()}) == 1


def test_a_sibling_kind_can_be_drawn_by_hand_on_the_map(world, client):
    case = world.a.case
    child, other = case.persons.order_by("-is_central", "pk")
    client.force_login(world.a.case_worker)
    response = client.post(
        f"/cases/{case.pk}/network/relations/new/",
        {"kind": "sibling", "subtype": "step", "person_a": other.pk, "person_b": child.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Relationship.objects.get(case=case, kind="sibling").subtype == "step"


# ---- page level: the case page's person forms and the map's ---------------------------------------------------


def test_intake_page_and_map_person_form_draw_the_links(world, client):
    client.force_login(world.a.case_worker)
    response = client.post(
        f"/cases/new/{world.a.org.pk}/",
        {
            "family_name": "Familie Pagina",
            "team": world.a.team.pk,
            "legal_context": "nl_voluntary",
            "safety_concern": "some",
            "central_reason": "r",
            "referral_date": "2026-02-01",
            "referral_route": "school",
            "question": "v",
            "person-TOTAL_FORMS": "2",
            "person-INITIAL_FORMS": "1",
            "person-MIN_NUM_FORMS": "1",
            "person-MAX_NUM_FORMS": "12",
            "person-0-first_name": "Ayşe",
            "person-0-gender": "female",
            "person-0-is_central": "on",
            "person-1-first_name": "Fatma",
            "person-1-relation": "moeder",
            "person-1-gender": "female",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(family_name="Familie Pagina")
    assert _links(case) == [("parent", "biological", "Fatma", "Ayşe")]
    # Added on the map with a relation: linked at once, and one undo takes the person and the link back.
    response = client.post(
        f"/cases/{case.pk}/network/persons/new/",
        {
            "first_name": "Hatice",
            "gender": "female",
            "relation": "oma (moederskant)",
            "kind": "person",
            "safety": "unknown",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ("parent", "biological", "Hatice", "Fatma") in _links(case)
    edit = NetworkEdit.objects.filter(case=case, record_type="person").latest("id")
    assert len(edit.after["relationships"]) == 1
    assert client.post(f"/cases/{case.pk}/network/undo/").status_code == 302
    assert not Person.objects.filter(case=case, first_name="Hatice").exists()
    assert _links(case) == [("parent", "biological", "Fatma", "Ayşe")]


# ---- the person panel shows phone and e-mail ---------------------------------------------------------------


def test_person_panel_shows_and_saves_phone_and_email(world, client):
    case = world.a.case
    me = actor(world.a.case_worker)
    person = case_services.add_person(
        me, case.pk, {"first_name": "Ria", "phone": "+31 6 1234 5678", "email": "ria@example.org"}
    )
    client.force_login(world.a.case_worker)
    page = client.get(f"/cases/{case.pk}/network/persons/{person.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'name="phone"' in page and 'value="+31 6 1234 5678"' in page
    assert 'name="email"' in page and 'value="ria@example.org"' in page
    assert 'href="mailto:ria@example.org"' in page and 'href="tel:+31%206%201234%205678"' in page
    data = {
        "first_name": "Ria",
        "gender": "unknown",
        "phone": "010 123 4567",
        "email": "ria@voorbeeld.nl",
        "kind": "person",
        "safety": "unknown",
        "reachable": "on",
        "version": 1,
        "person_version": person.version,
    }
    assert client.post(f"/cases/{case.pk}/network/persons/{person.pk}/", data).status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.email) == ("010 123 4567", "ria@voorbeeld.nl")


# ---- the circle draws the institutions, the summary counts them ---------------------------------------------


def test_circle_draws_institutions_and_the_summary_counts_them(world, client):
    case = world.a.case
    me = actor(world.a.case_worker)
    for system, kind, strength in (
        ("Basisschool De Regenboog", "school", "strong"),
        ("Huisartsenpraktijk Centrum", "gp", "tenuous"),
        ("Voetbalclub VV Sparta", "sports_club", "stressful"),
    ):
        services.add_system_tie(me, case.pk, {"system": system, "system_kind": kind, "strength": strength})
    client.force_login(world.a.case_worker)
    page = client.get(f"/cases/{case.pk}/network/?map=circle").content.decode()
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    drawn = re.findall(r'<g class="system" data-id="[0-9]+" data-system="([^"]+)" data-system-kind="([a-z_]+)"', svg)
    assert sorted(drawn) == [
        ("Basisschool De Regenboog", "school"),
        ("Huisartsenpraktijk Centrum", "gp"),
        ("Voetbalclub VV Sparta", "sports_club"),
    ]
    summary = re.sub(r"\s+", " ", page.split("<svg", 1)[0] + page.split("</svg>", 1)[1])
    assert re.search(r"Professionele banden</dt> ?<dd>3</dd>", summary), summary[summary.find("Professionele") :][:200]
    assert "Basisschool De Regenboog, Huisartsenpraktijk Centrum, Voetbalclub VV Sparta" in summary


def test_summary_counts_institutions_once_and_keeps_the_professional_persons():
    net = Network(
        members=(Member("c", "Kind", central=True), Member("g", "Dokter", domain="professional")),
        systems=(
            SystemTie("1", "School", "school"),
            SystemTie("2", "School", "school", member="c"),
            SystemTie("3", "GP", "gp"),
        ),
    )
    summary = summarize(net, small_threshold=5)
    assert (summary.professional, summary.institutions, summary.professional_ties) == (1, ("School", "GP"), 3)


# ---- eco-map names are drawn whole ------------------------------------------------------------------------


def test_eco_map_draws_long_names_whole():
    long_system = "Huisartsenpraktijk De Gezonde Wijk Amsterdam-Noord en Omstreken"
    long_person = "Wendy van den Berg-Claessens de Tweede"
    net = Network(
        members=(Member("c", "Kind", central=True, household=True), Member("w", long_person, household=True)),
        systems=(SystemTie("1", long_system, "gp"), SystemTie("2", "School", "school")),
    )
    svg = render_map(net, "ecomap")
    assert "…" not in svg
    system = re.search(r'data-system="' + re.escape(long_system) + r'".*?</g>', svg).group(0)
    lines = re.findall(r"<text [^>]*>([^<]*)</text>", system)
    assert len(lines) > 1
    assert re.sub(r"[\s-]", "", "".join(lines)) == re.sub(r"[\s-]", "", long_system)  # every letter drawn
    lay = layout_ecomap(net)
    assert lay.system_radius > 48  # grown to hold the name, so every system circle is as large
    assert " ".join(lay.labels["w"][:2]).replace("- ", "-") == long_person


def test_layout_hangs_a_sibling_from_the_known_parents():
    net = Network(
        members=(Member("c", "Kind", central=True), Member("m", "Moeder", sex="female"), Member("b", "Broer")),
        parents=(ParentLink("m", "c"),),
        sibling_ties=(SiblingTie("b", "c"),),
    )
    lay = layout_genogram(net)
    assert lay.placement_parents["b"] == ("m",) and lay.inferred == {"b"}
    assert lay.positions["b"][1] == lay.positions["c"][1] > lay.positions["m"][1]
