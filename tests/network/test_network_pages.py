"""The network pages through the test client: the map page with its SVG and side panel, editing from the map
(full-page forms and htmx fragments), need-to-know (case team edits, co-worker reads, outsiders get 404),
exports (SVG, PNG, PDF on A4 and A3) and imports (a malformed GEDCOM is refused with its line number)."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kring.accounts.models import Role
from kring.audit.models import AccessLogEntry
from kring.cases.choices import CaseRole
from kring.cases.models import CaseTeamMember, Person
from kring.network.models import NetworkEdit, NetworkMember, Relationship, SystemTie

from ..factories import make_user


@pytest.fixture
def net(world):
    """a.case with a small network: the child, two parents (one deceased), a neighbour, a school tie."""
    a = world.a
    case = a.case
    child = case.persons.get(is_central=True)
    mother = Person.objects.create(
        case=case,
        organisation=a.org,
        first_name="Sara",
        last_name="Jansen",
        gender="female",
        birth_date=datetime.date(1985, 4, 2),
        in_household=True,
    )
    father = Person.objects.create(
        case=case,
        organisation=a.org,
        first_name="Tom",
        last_name="Jansen",
        gender="male",
        birth_date=datetime.date(1982, 1, 9),
    )
    neighbour = Person.objects.create(
        case=case, organisation=a.org, first_name="Ria", last_name="Buur", gender="female"
    )
    NetworkMember.objects.create(
        person=father,
        case=case,
        organisation=a.org,
        deceased=True,
        death_date=datetime.date(2024, 6, 1),
        domain="family",
        ring=2,
    )
    NetworkMember.objects.create(
        person=neighbour,
        case=case,
        organisation=a.org,
        domain="neighbourhood_clubs",
        ring=2,
        practical_support=True,
        safety="safe",
        may_invite=True,
    )
    for parent in (mother, father):
        Relationship.objects.create(
            case=case, organisation=a.org, kind="parent", subtype="biological", person_a=parent, person_b=child
        )
    Relationship.objects.create(
        case=case,
        organisation=a.org,
        kind="partner",
        subtype="married",
        person_a=mother,
        person_b=father,
        start=datetime.date(2010, 5, 1),
    )
    SystemTie.objects.create(
        case=case, organisation=a.org, system="Basisschool De Regenboog", system_kind="school", strength="strong"
    )
    a.co_worker = make_user(a.org, Role.CASE_WORKER, a.team, email="co_worker@a.example.org")
    CaseTeamMember.objects.create(case=case, organisation=a.org, user=a.co_worker, role=CaseRole.CO_WORKER)
    world.child, world.mother, world.father, world.neighbour = child, mother, father, neighbour
    world.base = f"/cases/{case.pk}/network/"
    return world


def _page_urls(w):
    base = w.base
    rel = Relationship.objects.filter(case=w.a.case).first()
    tie = SystemTie.objects.filter(case=w.a.case).first()
    return [
        base,
        base + "?map=ecomap",
        base + "?map=circle&emotional=off&death=slash",
        base + "persons/new/",
        f"{base}persons/{w.mother.pk}/",
        base + "relations/",
        base + "relations/new/",
        f"{base}relations/{rel.pk}/",
        base + "ties/new/",
        f"{base}ties/{tie.pk}/",
        base + "import/",
        base + "export/?map=genogram&format=svg",
        base + "export/json/",
        base + "export/gedcom/5.5.1/",
    ]


# ---- need-to-know ---------------------------------------------------------------------------------------------


def test_case_team_opens_every_page(net, client):
    client.force_login(net.a.case_worker)
    for url in _page_urls(net):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["other_worker", "researcher"])
def test_outsiders_get_404_everywhere(net, client, who):
    client.force_login(getattr(net.a, who))
    for url in _page_urls(net):
        assert client.get(url).status_code == 404, url
    assert client.post(net.base + "persons/new/", {"first_name": "X"}).status_code == 404
    assert client.post(net.base + "undo/").status_code == 404
    assert (
        client.post(f"{net.base}persons/{net.mother.pk}/move/", {"x": 1, "y": 2, "map": "genogram"}).status_code == 404
    )


def test_other_organisation_gets_404(net, client):
    client.force_login(net.b.case_worker)
    assert client.get(net.base).status_code == 404
    assert client.get(net.base + "export/?format=png").status_code == 404


def test_anonymous_is_sent_to_login(net, client):
    response = client.get(net.base)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_co_worker_reads_but_every_change_is_refused(net, client):
    client.force_login(net.a.co_worker)
    page = client.get(net.base)
    assert page.status_code == 200
    assert b"<svg" in page.content
    assert b'id="undo-form"' not in page.content  # no editing toolbar
    assert client.get(f"{net.base}persons/{net.mother.pk}/").status_code == 200
    before = (Person.objects.count(), Relationship.objects.count(), SystemTie.objects.count())
    rel = Relationship.objects.filter(case=net.a.case).first()
    tie = SystemTie.objects.first()
    refused = [
        ("persons/new/", {"first_name": "Nieuw", "gender": "female", "safety": "unknown", "kind": "person"}),
        (f"persons/{net.mother.pk}/", {"first_name": "Anders", "version": 1, "person_version": 1}),
        (f"persons/{net.mother.pk}/remove/", {}),
        (f"persons/{net.mother.pk}/move/", {"x": 10, "y": 10, "map": "genogram"}),
        (
            "relations/new/",
            {"kind": "partner", "subtype": "married", "person_a": net.mother.pk, "person_b": net.neighbour.pk},
        ),
        (
            f"relations/{rel.pk}/",
            {
                "kind": "parent",
                "subtype": "foster",
                "person_a": rel.person_a_id,
                "person_b": rel.person_b_id,
                "version": rel.version,
            },
        ),
        (f"relations/{rel.pk}/remove/", {}),
        ("ties/new/", {"system": "Huisarts", "system_kind": "gp", "strength": "strong", "energy": "none"}),
        (f"ties/{tie.pk}/remove/", {}),
        ("undo/", {}),
        ("reset/", {"map": "genogram"}),
    ]
    for url, data in refused:
        assert client.post(net.base + url, data).status_code == 403, url
    assert client.get(net.base + "persons/new/").status_code == 403
    assert (Person.objects.count(), Relationship.objects.count(), SystemTie.objects.count()) == before
    assert not NetworkEdit.objects.exists()


# ---- the map page ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["genogram", "ecomap", "circle"])
def test_map_page_shows_the_svg_the_summary_and_the_tools(net, client, kind):
    client.force_login(net.a.case_worker)
    response = client.get(net.base, {"map": kind})
    html = response.content.decode()
    assert response.status_code == 200
    svg = re.search(r"<svg\b[^>]*>", html)
    assert svg and f'data-kind="{kind}"' in svg.group(0)
    assert f'data-id="{net.mother.pk}"' in html
    assert 'class="member"' in html
    # side panel: size, support, who could be invited, the small-network warning (threshold 5 by default)
    assert "Ria Buur" in html
    assert 'role="alert"' in html
    # toolbar and exports
    for part in (
        'data-mode="add-person"',
        'data-mode="add-relation"',
        'data-mode="add-tie"',
        'id="undo-form"',
        "format=png",
        "format=pdf&amp;page=A4",
        "format=pdf&amp;page=A3",
        "export/gedcom/7.0/",
    ):
        assert part in html, part
    # the visit is logged with the persons on the map
    logged = AccessLogEntry.objects.filter(case_id=net.a.case.pk, record_type="person", action="view")
    assert logged.filter(record_id=str(net.mother.pk)).exists()


def test_map_fragment_is_only_the_svg(net, client):
    client.force_login(net.a.case_worker)
    response = client.get(net.base, {"map": "circle", "fragment": "svg"})
    assert response.status_code == 200
    assert response.content.lstrip().startswith(b"<svg") or b"<svg" in response.content[:300]
    assert b"<html" not in response.content


def test_what_changed_between_two_dates(net, client):
    client.force_login(net.a.case_worker)
    response = client.get(net.base, {"date_from": "2009-01-01", "date_to": "2025-01-01"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tom Jansen" in html.split('id="changes-h"')[1]  # died in 2024, married in 2010
    bad = client.get(net.base, {"date_from": "2025-01-01", "date_to": "2020-01-01"})
    assert bad.status_code == 200 and 'class="errorlist' in bad.content.decode()


def test_situation_on_a_date_hides_later_ties(net, client):
    client.force_login(net.a.case_worker)
    response = client.get(net.base, {"map": "genogram", "at": "2000-01-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kind="partner' not in html or "married" not in html.split("<svg", 1)[1].split("</svg>")[0]


# ---- editing ----------------------------------------------------------------------------------------------------


def test_add_a_person_where_clicked_keeps_the_position(net, client):
    client.force_login(net.a.case_worker)
    form = client.get(net.base + "persons/new/", {"map": "circle", "x": "120.5", "y": "-40"})
    assert form.status_code == 200 and 'value="120.5"' in form.content.decode()
    response = client.post(
        net.base + "persons/new/",
        {
            "first_name": "Opa",
            "last_name": "Jansen",
            "gender": "male",
            "kind": "person",
            "safety": "safe",
            "domain": "family",
            "ring": 1,
            "map": "circle",
            "x": "120.5",
            "y": "-40",
            "reachable": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.objects.get(first_name="Opa")
    assert person.network.positions["circle"] == [120.5, -40.0]
    assert person.network.domain == "family"


def test_add_person_via_htmx_refreshes_the_page(net, client):
    client.force_login(net.a.case_worker)
    fragment = client.get(net.base + "persons/new/", HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and b"hx-post" in fragment.content
    response = client.post(
        net.base + "persons/new/",
        {"first_name": "Buurman", "gender": "male", "kind": "person", "safety": "unknown"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204 and response["HX-Refresh"] == "true"


def test_invalid_person_shows_errors_next_to_the_fields(net, client):
    client.force_login(net.a.case_worker)
    response = client.post(
        net.base + "persons/new/", {"first_name": "", "kind": "person", "safety": "unknown", "gender": "unknown"}
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Person.objects.filter(first_name="").exists()


def test_edit_person_saves_case_file_and_map_fields(net, client):
    client.force_login(net.a.case_worker)
    data = {
        "first_name": "Sara",
        "last_name": "Jansen-De Vries",
        "gender": "female",
        "birth_date": "1985-04-02",
        "in_household": "on",
        "kind": "person",
        "safety": "safe",
        "domain": "household",
        "ring": 1,
        "emotional_support": "on",
        "may_invite": "on",
        "reachable": "on",
        "version": 1,
        "person_version": 1,
    }
    response = client.post(f"{net.base}persons/{net.mother.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    net.mother.refresh_from_db()
    assert net.mother.last_name == "Jansen-De Vries"
    assert net.mother.network.emotional_support and net.mother.network.ring == 1


def test_stale_member_save_is_refused_with_409(net, client):
    client.force_login(net.a.case_worker)
    neighbour = net.neighbour
    base = {
        "first_name": "Ria",
        "last_name": "Buur",
        "gender": "female",
        "kind": "person",
        "safety": "safe",
        "domain": "neighbourhood_clubs",
        "reachable": "on",
        "person_version": neighbour.version,
    }
    first = client.post(f"{net.base}persons/{neighbour.pk}/", {**base, "ring": 1, "version": 1})
    assert first.status_code == 302
    second = client.post(f"{net.base}persons/{neighbour.pk}/", {**base, "ring": 3, "version": 1})
    assert second.status_code == 409
    assert 'class="stale"' in second.content.decode()
    assert NetworkMember.objects.get(pk=neighbour.pk).ring == 1


def test_add_relation_prefilled_from_two_clicks(net, client):
    client.force_login(net.a.case_worker)
    form = client.get(net.base + "relations/new/", {"a": net.mother.pk, "b": net.neighbour.pk})
    html = form.content.decode()
    assert form.status_code == 200
    assert f'<option value="{net.mother.pk}" selected' in html
    response = client.post(
        net.base + "relations/new/",
        {
            "kind": "emotional",
            "subtype": "conflict",
            "person_a": net.mother.pk,
            "person_b": net.neighbour.pk,
            "note": "ruzie over de schutting",
        },
    )
    assert response.status_code == 302
    assert Relationship.objects.filter(kind="emotional", subtype="conflict").exists()


def test_relation_subtype_must_fit_the_kind(net, client):
    client.force_login(net.a.case_worker)
    response = client.post(
        net.base + "relations/new/",
        {"kind": "parent", "subtype": "married", "person_a": net.mother.pk, "person_b": net.neighbour.pk},
    )
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    assert not Relationship.objects.filter(subtype="married", person_b=net.neighbour).exists()


def test_edit_and_remove_relation_and_tie(net, client):
    client.force_login(net.a.case_worker)
    rel = Relationship.objects.get(kind="partner")
    response = client.post(
        f"{net.base}relations/{rel.pk}/",
        {
            "kind": "partner",
            "subtype": "divorced",
            "person_a": rel.person_a_id,
            "person_b": rel.person_b_id,
            "start": "2010-05-01",
            "end": "2020-01-01",
            "version": rel.version,
        },
    )
    assert response.status_code == 302
    rel.refresh_from_db()
    assert rel.subtype == "divorced"
    stale = client.post(
        f"{net.base}relations/{rel.pk}/",
        {
            "kind": "partner",
            "subtype": "separated",
            "person_a": rel.person_a_id,
            "person_b": rel.person_b_id,
            "version": 1,
        },
    )
    assert stale.status_code == 409
    assert client.post(f"{net.base}relations/{rel.pk}/remove/").status_code == 302
    assert not Relationship.objects.filter(pk=rel.pk).exists()
    response = client.post(
        net.base + "ties/new/",
        {
            "system": "Huisarts Peters",
            "system_kind": "gp",
            "person": net.mother.pk,
            "strength": "tenuous",
            "energy": "from_system",
        },
    )
    assert response.status_code == 302
    tie = SystemTie.objects.get(system="Huisarts Peters")
    assert client.post(f"{net.base}ties/{tie.pk}/remove/").status_code == 302
    assert not SystemTie.objects.filter(pk=tie.pk).exists()


def test_move_undo_and_reset(net, client):
    client.force_login(net.a.case_worker)
    url = f"{net.base}persons/{net.mother.pk}/move/"
    assert client.post(url, {"x": "abc", "y": 1, "map": "genogram"}).status_code == 400
    response = client.post(url, {"x": 300, "y": 125.5, "map": "genogram"}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 204
    assert NetworkMember.objects.get(pk=net.mother.pk).positions["genogram"] == [300.0, 125.5]
    page = client.get(net.base, {"map": "genogram"}).content.decode()
    member = re.search(rf'<g [^>]*data-id="{net.mother.pk}"[^>]*>', page).group(0)
    assert re.search(r"translate\(\s*300(\.0+)?[ ,]+125\.5", member), member
    assert client.post(net.base + "undo/", {"map": "genogram"}).status_code == 302
    undone = NetworkMember.objects.filter(pk=net.mother.pk).first()  # the move had created the record
    assert undone is None or "genogram" not in (undone.positions or {})
    client.post(url, {"x": 10, "y": 10, "map": "circle"})
    assert client.post(net.base + "reset/", {"map": "circle"}).status_code == 302
    assert "circle" not in NetworkMember.objects.get(pk=net.mother.pk).positions
    assert client.post(net.base + "reset/", {"map": "nonsense"}).status_code == 302


def test_remove_person_from_the_map(net, client):
    client.force_login(net.a.case_worker)
    response = client.post(f"{net.base}persons/{net.neighbour.pk}/remove/")
    assert response.status_code == 302
    assert not Person.objects.filter(pk=net.neighbour.pk).exists()


def test_every_change_is_in_the_access_log(net, client):
    client.force_login(net.a.case_worker)
    client.post(
        net.base + "ties/new/",
        {"system": "Voetbalclub", "system_kind": "sports_club", "strength": "strong", "energy": "both"},
    )
    assert AccessLogEntry.objects.filter(case_id=net.a.case.pk, action="create").exists()


# ---- exports ----------------------------------------------------------------------------------------------------


def _media_box(pdf: bytes):
    match = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert match, "no MediaBox"
    x0, y0, x1, y1 = (float(v) for v in match.groups())
    return x1 - x0, y1 - y0


@pytest.mark.parametrize("kind", ["genogram", "ecomap", "circle"])
def test_exports_svg_png_pdf(net, client, kind):
    client.force_login(net.a.case_worker)
    svg = client.get(net.base + "export/", {"map": kind, "format": "svg"})
    assert svg.status_code == 200 and svg["Content-Type"].startswith("image/svg+xml")
    assert "attachment" in svg["Content-Disposition"] and kind in svg["Content-Disposition"]
    text = svg.content.decode()
    assert "<svg" in text and net.a.case.number in text  # the case on every map
    png = client.get(net.base + "export/", {"map": kind, "format": "png"})
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert png["Content-Disposition"].endswith('.png"')
    for page, (width, height) in (("A4", (842, 595)), ("A3", (1191, 842))):
        pdf = client.get(net.base + "export/", {"map": kind, "format": "pdf", "page": page})
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert pdf.content[:4] == b"%PDF"
        w, h = _media_box(pdf.content)
        assert abs(w - width) < 2 and abs(h - height) < 2, (page, w, h)
        assert page.lower() in pdf["Content-Disposition"]
    assert AccessLogEntry.objects.filter(case_id=net.a.case.pk, action="export", path__endswith="/export/").count() >= 4


def test_export_refuses_unknown_format(net, client):
    client.force_login(net.a.case_worker)
    assert client.get(net.base + "export/", {"format": "gif"}).status_code == 404
    assert client.get(net.base + "export/", {"format": "pdf", "page": "A0"}).status_code == 404


def test_export_gedcom_and_json(net, client):
    client.force_login(net.a.case_worker)
    for version in ("5.5.1", "7.0"):
        response = client.get(f"{net.base}export/gedcom/{version}/")
        assert response.status_code == 200 and b"0 HEAD" in response.content
        assert ".ged" in response["Content-Disposition"]
    response = client.get(net.base + "export/json/")
    assert response.status_code == 200 and response.json()["format"] == "kring-network"
    assert client.get(f"{net.base}export/gedcom/6.0/").status_code == 404


# ---- imports ----------------------------------------------------------------------------------------------------

GOOD_GEDCOM = b"""0 HEAD
1 GEDC
2 VERS 5.5.1
2 FORM LINEAGE-LINKED
1 CHAR UTF-8
0 @I1@ INDI
1 NAME Jan /Peeters/
1 SEX M
1 BIRT
2 DATE 1 JAN 1950
1 FAMS @F1@
0 @I2@ INDI
1 NAME Anna /Claes/
1 SEX F
1 FAMS @F1@
0 @I3@ INDI
1 NAME Lotte /Peeters/
1 SEX F
1 FAMC @F1@
0 @F1@ FAM
1 HUSB @I1@
1 WIFE @I2@
1 CHIL @I3@
0 TRLR
"""

BAD_GEDCOM = b"""0 HEAD
1 GEDC
2 VERS 5.5.1
1 CHAR UTF-8
0 @I1@ INDI
1 NAME Jan /Peeters/
this line is not gedcom
0 TRLR
"""


def test_malformed_gedcom_shows_the_line_and_imports_nothing(net, client):
    client.force_login(net.a.case_worker)
    before = Person.objects.count()
    response = client.post(net.base + "import/", {"file": SimpleUploadedFile("tree.ged", BAD_GEDCOM)})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"\b7\b", html.split('class="errorlist')[1][:400]), html
    assert Person.objects.count() == before


def test_gedcom_preview_then_confirm_imports(net, client):
    client.force_login(net.a.case_worker)
    before = Person.objects.filter(case=net.a.case).count()
    response = client.post(net.base + "import/", {"file": SimpleUploadedFile("tree.ged", GOOD_GEDCOM)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lotte Peeters" in html and "Anna Claes" in html
    assert Person.objects.filter(case=net.a.case).count() == before  # nothing yet
    response = client.post(net.base + "import/confirm/", {"center": "I3", "generations_up": 1, "generations_down": 0})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Person.objects.filter(case=net.a.case).count() == before + 3


def test_bad_json_document_is_refused(net, client):
    client.force_login(net.a.case_worker)
    before = Person.objects.count()
    response = client.post(net.base + "import/", {"file": SimpleUploadedFile("net.json", b'{"format": \n oops}')})
    assert response.status_code == 200 and "2" in response.content.decode().split('class="errorlist')[1][:300]
    response = client.post(net.base + "import/", {"file": SimpleUploadedFile("net.json", b'{"format": "other"}')})
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    assert Person.objects.count() == before


def test_json_round_trip_import(net, client):
    client.force_login(net.a.case_worker)
    document = client.get(net.base + "export/json/").content
    before = Person.objects.filter(case=net.a.case).count()
    response = client.post(net.base + "import/", {"file": SimpleUploadedFile("net.json", document)})
    assert response.status_code == 302
    assert Person.objects.filter(case=net.a.case).count() == before * 2


def test_case_page_links_to_the_network(net, client):
    client.force_login(net.a.case_worker)
    assert net.base.encode() in client.get(f"/cases/{net.a.case.pk}/").content


def test_labels_carry_their_halo_as_a_copy_beneath_so_cairo_shows_the_letters():
    """Cairo (PNG and PDF export) ignores paint-order, so the white halo must be its own text drawn first."""
    from kring.network.core.graph import Member, Network
    from kring.network.core.svg import render_map

    svg = render_map(Network(members=(Member("1", "Ria Peeters", "female"),)), "genogram")
    assert "paint-order" not in svg
    halo = svg.index('class="label-halo"')
    letters = svg.index('class="label"')
    assert halo < letters
    assert svg.count(">Ria Peeters</text>") == 2


def test_the_legend_can_be_shown_beside_the_map(net, client):
    from django.utils import translation

    client.force_login(net.a.case_worker)
    with translation.override("nl"):
        legend_title = translation.gettext("Legend")
    plain = client.get(net.base, {"map": "genogram"}).content.decode()
    with_legend = client.get(net.base, {"map": "genogram", "legend": "on"}).content.decode()
    assert f">{legend_title}</text>" not in plain
    assert f">{legend_title}</text>" in with_legend


def test_a_person_placed_on_the_map_is_undone_in_one_step(net, client):
    from kring.cases.models import Person

    client.force_login(net.a.case_worker)
    before = Person.objects.filter(case=net.a.case).count()
    response = client.post(
        net.base + "persons/new/",
        {
            "first_name": "Geplaatst",
            "gender": "female",
            "safety": "unknown",
            "kind": "person",
            "map": "circle",
            "x": 120,
            "y": -40,
        },
    )
    assert response.status_code == 302
    placed = Person.objects.get(case=net.a.case, first_name="Geplaatst")
    assert NetworkMember.objects.get(pk=placed.pk).positions == {"circle": [120.0, -40.0]}
    assert client.post(net.base + "undo/").status_code == 302
    assert Person.objects.filter(case=net.a.case).count() == before
