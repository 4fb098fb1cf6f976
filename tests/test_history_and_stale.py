"""Two people editing the same record: the second save is refused with an explanation, not lost. And the case
history says who changed which field from what to what."""

import datetime
import html
import re

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from kring.accounts.models import Team, User
from kring.cases.models import Case, Consent, Person


@pytest.fixture
def w(world):
    User.objects.filter(pk=world.a.case_worker.pk).update(first_name="Carla", last_name="Consulent")
    User.objects.filter(pk=world.a.lead.pk).update(first_name="Lies", last_name="Leiding")
    world.a.central = world.a.case.persons.get(is_central=True)
    world.a.other_person = world.a.case.persons.get(is_central=False)
    world.a.consent = Consent.objects.create(
        case=world.a.case,
        organisation=world.a.org,
        person=world.a.central,
        purpose="contact_network",
        given_on=datetime.date(2026, 1, 20),
        recorded_by=world.a.case_worker,
    )
    return world


def _client(user, language=None):
    client = Client()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return client


def _form_values(response):
    """The values of the inputs, selects and textareas of the first form with method=post (its POST data)."""
    page = response.content.decode()
    form = re.search(r'<form method="post" novalidate>(.*?)</form>', page, re.S).group(1)
    data = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrfmiddlewaretoken":
            continue
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                data[name.group(1)] = "on"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        data[name] = html.unescape(chosen.group(1)) if chosen else ""
    for name, text in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = html.unescape(text).lstrip("\n")
    return data


def _stale_rows(response):
    table = re.search(r'<div class="stale" role="alert">.*?<tbody>(.*?)</tbody>', response.content.decode(), re.S)
    assert table, "no explanation of the stale save"
    return [
        tuple(html.unescape(cell) for cell in re.findall(r"<td>(.*?)</td>", row))
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    ]


def test_stale_case_edit_is_refused_and_explained(w):
    url = f"/cases/{w.a.case.pk}/edit/"
    first, second = _client(w.a.case_worker), _client(w.a.lead)
    opened = _form_values(first.get(url))
    assert opened["version"] == "1"
    assert opened["family_name"] == w.a.case.family_name

    theirs = _form_values(second.get(url))
    assert second.post(url, {**theirs, "family_name": "Familie Janssens"}).status_code == 302

    response = first.post(url, {**opened, "family_name": "Familie Peeters", "concerns": "Zorgen"})

    assert response.status_code == 409
    with translation.override("nl"):
        label = str(Case._meta.get_field("family_name").verbose_name).capitalize()
    assert _stale_rows(response) == [(label, w.a.case.family_name, "Familie Janssens", "Lies Leiding")]
    stored = Case.objects.get(pk=w.a.case.pk)
    assert (stored.family_name, stored.concerns, stored.version) == ("Familie Janssens", "", 2)
    # The form keeps what the first user typed, and may now be saved on top of the current version.
    again = _form_values(response)
    assert (again["family_name"], again["concerns"], again["version"]) == ("Familie Peeters", "Zorgen", "2")
    assert first.post(url, again).status_code == 302
    stored.refresh_from_db()
    assert (stored.family_name, stored.concerns, stored.version) == ("Familie Peeters", "Zorgen", 3)


def test_stale_case_edit_explains_choices_and_teams_by_their_names(w):
    url = f"/cases/{w.a.case.pk}/edit/"
    other_team = Team.objects.create(organisation=w.a.org, name="Team Noord")
    first, second = _client(w.a.case_worker, "en"), _client(w.a.lead)
    opened = _form_values(first.get(url))
    theirs = _form_values(second.get(url))
    assert second.post(url, {**theirs, "status": "active", "team": other_team.pk}).status_code == 302

    response = first.post(url, opened)

    assert response.status_code == 409
    rows = _stale_rows(response)
    with translation.override("en"):
        assert sorted(rows) == sorted(
            [
                ("Team", str(w.a.team), str(other_team), "Lies Leiding"),
                ("Status", gettext("referred"), gettext("active"), "Lies Leiding"),
            ]
        )


def test_stale_person_edit_is_refused_and_explained(w):
    person = w.a.other_person
    url = f"/cases/{w.a.case.pk}/persons/{person.pk}/"
    first, second = _client(w.a.case_worker), _client(w.a.lead)
    opened = _form_values(first.get(url))
    theirs = _form_values(second.get(url))
    assert second.post(url, {**theirs, "phone": "0470 12 34 56"}).status_code == 302

    response = first.post(url, {**opened, "phone": "0499 99 99 99"})

    assert response.status_code == 409
    with translation.override("nl"):
        label = str(Person._meta.get_field("phone").verbose_name).capitalize()
    assert _stale_rows(response) == [(label, "—", "0470 12 34 56", "Lies Leiding")]
    assert Person.objects.get(pk=person.pk).phone == "0470 12 34 56"
    again = _form_values(response)
    assert again["version"] == "2" and again["phone"] == "0499 99 99 99"
    assert first.post(url, again).status_code == 302
    assert Person.objects.get(pk=person.pk).phone == "0499 99 99 99"


def test_stale_consent_withdrawal_is_refused_and_explained(w):
    url = f"/cases/{w.a.case.pk}/consents/{w.a.consent.pk}/withdraw/"
    first, second = _client(w.a.case_worker, "en"), _client(w.a.lead)
    opened = _form_values(first.get(url))
    assert opened["version"] == "1"
    theirs = _form_values(second.get(url))
    assert second.post(url, {**theirs, "withdrawn_on": "2026-02-10"}).status_code == 302

    response = first.post(url, {**opened, "withdrawn_on": "2026-03-01"})

    assert response.status_code == 409
    rows = _stale_rows(response)
    assert len(rows) == 1
    label, old, new, who = rows[0]
    assert (label, old, who) == ("Withdrawn on", "—", "Lies Leiding")
    assert "2026" in new and "10" in new
    assert Consent.objects.get(pk=w.a.consent.pk).withdrawn_on == datetime.date(2026, 2, 10)


def test_save_without_a_competing_change_is_not_stale(w):
    url = f"/cases/{w.a.case.pk}/edit/"
    first = _client(w.a.case_worker)
    opened = _form_values(first.get(url))
    assert first.post(url, {**opened, "family_name": "Familie Een"}).status_code == 302
    reopened = _form_values(first.get(url))
    assert reopened["version"] == "2"
    assert first.post(url, {**reopened, "family_name": "Familie Twee"}).status_code == 302
    assert Case.objects.get(pk=w.a.case.pk).family_name == "Familie Twee"


def _history_rows(response):
    body = response.content.decode()
    rows = re.findall(r"<tr>\s*(.*?)</tr>", body.split("<tbody>")[1], re.S)
    result = []
    for row in rows:
        cells = re.findall(r'<td data-label="[^"]*">(.*?)</td>', row, re.S)
        changes = [
            tuple(html.unescape(part) for part in change)
            for change in re.findall(r"<li>(.*?): <del>(.*?)</del> → <ins>(.*?)</ins></li>", cells[3], re.S)
        ]
        result.append((html.unescape(cells[1]), " ".join(html.unescape(cells[2]).split()), changes))
    return result


def test_history_shows_who_changed_which_field_from_what_to_what(w):
    client = _client(w.a.case_worker)
    lead = _client(w.a.lead)
    url = f"/cases/{w.a.case.pk}/edit/"
    old_name = w.a.case.family_name
    assert client.post(url, {**_form_values(client.get(url)), "family_name": "Familie Maes"}).status_code == 302
    assert (
        lead.post(
            url, {**_form_values(lead.get(url)), "status": "active", "legal_context": "nl_supervision"}
        ).status_code
        == 302
    )
    person_url = f"/cases/{w.a.case.pk}/persons/{w.a.other_person.pk}/"
    assert (
        lead.post(
            person_url, {**_form_values(lead.get(person_url)), "relation": "broer", "in_household": "on"}
        ).status_code
        == 302
    )

    client.cookies["django_language"] = "en"
    response = client.get(f"/cases/{w.a.case.pk}/history/")

    assert response.status_code == 200
    rows = _history_rows(response)
    changed = [(who, what, sorted(changes)) for who, what, changes in rows if changes]
    with translation.override("en"):
        assert changed == [
            (
                "Lies Leiding",
                f"Person changed: {w.a.other_person.full_name}",
                [
                    ("Part of the household", gettext("no"), gettext("yes")),
                    ("Relation to the central person", "—", "broer"),
                ],
            ),
            (
                "Lies Leiding",
                "Case changed: " + str(Case.objects.get(pk=w.a.case.pk)),
                sorted(
                    [
                        ("Status", gettext("referred"), gettext("active")),
                        ("Legal context", gettext("voluntary help"), gettext("supervision order (OTS)")),
                    ]
                ),
            ),
            (
                "Carla Consulent",
                f"Case changed: {w.a.case.number} Familie Maes",
                [("Family", old_name, "Familie Maes")],
            ),
        ]
    # The oldest entries are the creation of the case and its records.
    assert rows[-1][1].startswith("Case created: ")
