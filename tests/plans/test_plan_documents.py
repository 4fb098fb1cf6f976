"""The plan's documents (PDF, text extracted with pypdf): the plan for the family, one page per network member and
the bottom lines for the information part. Each download is an export in the access log; outsiders get 404.

The texts checked are the Dutch and English wording of the per-language templates (decision 36)."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from kring.audit.models import AccessLogEntry
from kring.plans import documents, services
from kring.plans.choices import PlanType
from kring.plans.models import Plan
from tests.factories import actor

pytestmark = pytest.mark.django_db

MONTHS = {
    "nl": [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}


def _day(value, lang):
    return f"{value.day} {MONTHS[lang][value.month - 1]} {value.year}"


def _squash(text):
    """pypdf sometimes splits a word at a kerned capital ("T weede"); compare without white space."""
    return "".join(text.split())


def _pdf(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _url(name, p, lang=None, **kwargs):
    url = reverse(f"plans:{name}", kwargs={"pk": p.case.pk, "trajectory_id": p.trajectory.pk, **kwargs})
    return url + (f"?lang={lang}" if lang else "")


def _has(text, *words):
    squashed = _squash(text)
    missing = [w for w in words if _squash(w) not in squashed]
    assert not missing, missing


def _lines(text):
    return [line.strip() for line in text.splitlines()]


def test_plan_document_in_dutch_and_english(client, accepted):
    p = accepted
    client.force_login(p.world.a.case_worker)
    reviews = list(p.plan.reviews.order_by("planned_on"))
    assert len(reviews) == 2
    _reader, dutch = _pdf(client.get(_url("document_plan", p)))
    _has(
        dutch,
        "Familiegroepsplan",
        p.case.family_name,
        "Waar maken we ons zorgen over?",
        "We willen dat Sam rustig kan slapen en naar school gaat.",
        "Onze afspraken: wie doet wat?",
        "Lukt het niet? Dan doet Piet de Buurman het.",
        "Hoe vaak: elke maandag",
        "Wie let erop: Oma Jansen",
        f"Klaar op: {_day(p.sleep.due_on, 'nl')}",
        "Afspraak over veiligheid",
        "De kinderen slapen elke nacht op een veilige plek.",
        "Waarom: Zorg over nachtelijke ruzies.",
        "Harde eis: hier valt niet over te praten.",
        "School wordt op de hoogte gehouden.",
        "Wens: dit willen we graag",
        "Wat doen we als het misgaat?",
        "Dan belt mama oma en gaat Sam bij oma slapen.",
        "Wat vindt het kind?",
        "Sam wil bij oma kunnen logeren.",
        "Wanneer kijken we samen hoe het gaat?",
        "Evaluatie van het plan",
        "Tweede evaluatie",
        *[_day(r.planned_on, "nl") for r in reviews],
        f"Het plan is goedgekeurd op {_day(p.plan.accepted_on, 'nl')} door {p.world.a.case_worker}.",
    )
    assert "Nog niet goedgekeurd" not in dutch
    # Agreements are grouped per person: Oma's under her name, Piet's under his.
    lines = _lines(dutch)
    oma, piet = lines.index("Oma Jansen"), lines.index("Piet de Buurman")
    assert oma < lines.index(p.sleep.what) < piet < lines.index(p.school.what)
    # No case number, no legal jargon from the case file.
    assert p.case.number not in dutch and "1:255" not in dutch

    _reader, english = _pdf(client.get(_url("document_plan", p, "en")))
    _has(
        english,
        "Family group plan",
        "What are we worried about?",
        "Our agreements: who does what?",
        "If it does not work out: Piet de Buurman takes over.",
        "How often: elke maandag",
        "Who checks: Oma Jansen",
        f"Done by: {_day(p.school.due_on, 'en')}",
        "Safety agreement",
        "Non-negotiable: this is not open to discussion.",
        "Wish: we would like this",
        "What do we do if it goes wrong?",
        "What does the child think?",
        "When do we look together at how it is going?",
        "Plan review",
        "Second review",
        *[_day(r.planned_on, "en") for r in reviews],
        f"The plan was accepted on {_day(p.plan.accepted_on, 'en')} by {p.world.a.case_worker}.",
    )
    lines = _lines(english)
    assert lines.index("Oma Jansen") < lines.index(p.sleep.what) < lines.index("Piet de Buurman")
    assert "Not yet accepted" not in english

    # Each download is an export of the plan and of the persons it names.
    exports = AccessLogEntry.objects.filter(action="export", user=p.world.a.case_worker)
    assert exports.filter(record_type="plan", record_id=str(p.plan.pk)).count() == 2
    assert {e.record_id for e in exports.filter(record_type="person")} == {str(p.mw.oma.pk), str(p.mw.piet.pk)}


def test_a_draft_says_clearly_it_is_not_accepted(client, pw):
    client.force_login(pw.world.a.coordinator)
    _reader, dutch = _pdf(client.get(_url("document_plan", pw)))
    _has(
        dutch,
        "Nog niet goedgekeurd",
        "De casemanager bekijkt dit plan nu.",
        "Het plan is nog niet goedgekeurd.",
        "De data komen erbij als het plan is goedgekeurd.",
        pw.sleep.what,
        pw.school.what,
    )
    assert "goedgekeurd op" not in dutch
    _reader, english = _pdf(client.get(_url("document_plan", pw, "en")))
    _has(english, "Not yet accepted", "The plan is not yet accepted.")
    assert "accepted on" not in english


def test_unknown_language_gives_dutch(client, accepted):
    client.force_login(accepted.world.a.case_worker)
    _reader, text = _pdf(client.get(_url("document_plan", accepted, "fr")))
    _has(text, "Onze afspraken: wie doet wat?")
    assert "Our agreements" not in text


def test_deliberation_notes_only_when_the_family_kept_them(client, pw):
    p = pw
    services.decide_plan(
        p.worker,
        p.case.pk,
        p.plan.pk,
        "sent_back",
        "Nog niet compleet.",
        {p.must.pk: (True, "Ja."), p.wish.pk: (False, "Nee.")},
        Plan.objects.get(pk=p.plan.pk).version,
    )
    notes = "Oom Henk vond dat Sam beter bij hem kan wonen."
    # Text left behind without the family's choice is never printed.
    Plan.objects.filter(pk=p.plan.pk).update(deliberation_kept=False, deliberation_notes=notes)
    client.force_login(p.world.a.coordinator)
    for lang in ("nl", "en"):
        _reader, text = _pdf(client.get(_url("document_plan", p, lang)))
        assert "Oom Henk" not in text
        assert "Aantekeningen van het familiedeel" not in text and "Notes of the family's private time" not in text
    Plan.objects.filter(pk=p.plan.pk).update(deliberation_notes="")
    plan = Plan.objects.get(pk=p.plan.pk)
    services.update_plan(
        p.coordinator,
        p.case.pk,
        plan.pk,
        {"deliberation_kept": True, "deliberation_notes": notes, "deliberation_chosen_by": "Moeder"},
        plan.version,
    )
    _reader, dutch = _pdf(client.get(_url("document_plan", p)))
    _has(dutch, "Aantekeningen van het familiedeel", notes, "Dat koos: Moeder.", "teruggegeven")
    _reader, english = _pdf(client.get(_url("document_plan", p, "en")))
    _has(english, "Notes of the family's private time", notes, "This was chosen by: Moeder.")


def test_member_page_holds_only_their_own_agreements(client, accepted):
    p = accepted
    client.force_login(p.world.a.coordinator)
    reviews = list(p.plan.reviews.order_by("planned_on"))
    for lang, words in (
        (
            "nl",
            [
                "Afspraken voor Oma Jansen",
                "Dit doet u",
                "Lukt het niet? Dan doet Piet de Buurman het.",
                "Wanneer kijken we samen hoe het gaat?",
            ],
        ),
        (
            "en",
            [
                "Agreements for Oma Jansen",
                "What you do",
                "If it does not work out: Piet de Buurman takes over.",
                "When do we look together at how it is going?",
            ],
        ),
    ):
        reader, text = _pdf(client.get(_url("document_member", p, lang, person_id=p.mw.oma.pk)))
        assert len(reader.pages) == 1
        _has(text, p.sleep.what, *words, *[_day(r.planned_on, lang) for r in reviews])
        # Oma checks Piet's agreement, but it is not hers: nothing of it is on her page.
        assert _squash(p.school.what) not in _squash(text)
        assert "elke maandag" not in text and "Zorg over nachtelijke ruzies" not in text
        assert "Sam wil bij oma kunnen logeren" not in text
    # Piet carries the school run and stands in for Oma.
    reader, text = _pdf(client.get(_url("document_member", p, person_id=p.mw.piet.pk)))
    _has(
        text,
        "Afspraken voor Piet de Buurman",
        "Dit doet u",
        p.school.what,
        "Hier springt u bij",
        p.sleep.what,
        "Wie doet het: Oma Jansen",
    )
    assert text.index("Hier springt u bij") < text.index(p.sleep.what)
    # Someone with no agreement gets a page saying so, and nobody else's agreements.
    reader, text = _pdf(client.get(_url("document_member", p, "en", person_id=p.mw.juf.pk)))
    _has(text, "You have no agreements of your own in this plan.")
    assert _squash(p.sleep.what) not in _squash(text) and _squash(p.school.what) not in _squash(text)
    exported = AccessLogEntry.objects.filter(action="export", user=p.world.a.coordinator)
    assert exported.filter(record_type="person", record_id=str(p.mw.oma.pk)).count() == 2
    assert exported.filter(record_type="agreement", record_id=str(p.sleep.pk)).count() == 3
    assert not exported.filter(
        record_type="agreement", record_id=str(p.school.pk), path__contains=(f"/member/{p.mw.oma.pk}.pdf")
    ).exists()


def test_member_of_another_case_is_not_found(client, accepted):
    p = accepted
    client.force_login(p.world.a.case_worker)
    stranger = p.world.b.case.persons.first()
    assert client.get(_url("document_member", p, person_id=stranger.pk)).status_code == 404
    assert client.get(_url("document_member", p, person_id=999999)).status_code == 404
    assert not AccessLogEntry.objects.filter(action="export", record_type="person", record_id=str(stranger.pk))


def test_bottom_lines_document(client, pw):
    p = pw
    services.withdraw_bottom_line(p.worker, p.case.pk, p.wish.pk, "Niet meer nodig.", p.wish.version)
    services.add_bottom_line(
        p.worker,
        p.case.pk,
        p.trajectory.pk,
        {"text": "Er wordt niet geslagen.", "reason": "Sam werd vorig jaar geslagen.", "kind": "wish"},
    )
    client.force_login(p.world.a.case_worker)
    _reader, dutch = _pdf(client.get(_url("document_bottom_lines", p)))
    _has(
        dutch,
        "Bodemeisen voor het plan",
        p.must.text,
        "Waarom: Zorg over nachtelijke ruzies.",
        "Wettelijke grond: OTS, art. 1:255 BW",
        "Harde eis: hier valt niet over te praten.",
        "Er wordt niet geslagen.",
        "Waarom: Sam werd vorig jaar geslagen.",
        "Wens: dit willen we graag",
    )
    assert p.wish.text not in dutch  # withdrawn
    assert dutch.index(p.must.text) < dutch.index("Harde eis") < dutch.index("Er wordt niet geslagen.")
    _reader, english = _pdf(client.get(_url("document_bottom_lines", p, "en")))
    _has(
        english,
        "Conditions for the plan",
        p.must.text,
        "Why: Zorg over nachtelijke ruzies.",
        "Legal basis: OTS, art. 1:255 BW",
        "Non-negotiable: this is not open to discussion.",
        "Wish: we would like this",
    )
    # Nothing of the plan's agreements is in it.
    assert p.sleep.what not in dutch + english
    assert (
        AccessLogEntry.objects.filter(action="export", record_type="bottom_line", record_id=str(p.must.pk)).count() == 2
    )


def test_bottom_lines_before_there_is_a_plan(client, mw):
    line = services.add_bottom_line(
        mw.worker,
        mw.case.pk,
        mw.trajectory.pk,
        {"text": "Sam blijft op school.", "reason": "Leerplicht.", "legal_basis": "Leerplichtwet"},
    )
    client.force_login(mw.world.a.case_worker)
    url = reverse("plans:document_bottom_lines", kwargs={"pk": mw.case.pk, "trajectory_id": mw.trajectory.pk})
    _reader, text = _pdf(client.get(url))
    _has(text, "Familiegroepsplan".lower(), line.text, "Wettelijke grond: Leerplichtwet")
    # Without a plan there is no plan document.
    assert (
        client.get(
            reverse("plans:document_plan", kwargs={"pk": mw.case.pk, "trajectory_id": mw.trajectory.pk})
        ).status_code
        == 404
    )


def test_outsiders_get_404_and_are_logged(client, accepted):
    p = accepted
    urls = [
        _url("document_plan", p),
        _url("document_bottom_lines", p),
        _url("document_member", p, person_id=p.mw.oma.pk),
    ]
    for user in (p.world.b.lead, p.world.a.other_worker):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404
        assert AccessLogEntry.objects.filter(user=user, action="denied").count() == len(urls)
        assert not AccessLogEntry.objects.filter(user=user, action="export").exists()
    # A trajectory of another case under this case is not found either.
    other = reverse("plans:document_plan", kwargs={"pk": p.world.b.case.pk, "trajectory_id": p.trajectory.pk})
    client.force_login(p.world.a.case_worker)
    assert client.get(other).status_code == 404
    client.logout()
    assert client.get(urls[0]).status_code == 302


def test_plan_type_words_cover_every_plan_type():
    for lang in documents.DOC_LANGUAGES:
        assert set(documents.PLAN_TYPE_WORDS[lang]) == set(PlanType.values)


def test_document_languages():
    assert documents.doc_language("en") == "en"
    for value in (None, "", "fr", "EN", "nl"):
        assert documents.doc_language(value) == "nl"


def test_a_professional_owner_is_grouped_under_their_name(client, pw):
    p = pw
    services.decide_plan(
        p.worker,
        p.case.pk,
        p.plan.pk,
        "sent_back",
        "Graag een afspraak voor de school.",
        {p.must.pk: (True, "Ja."), p.wish.pk: (False, "Nee.")},
        Plan.objects.get(pk=p.plan.pk).version,
    )
    plan = Plan.objects.get(pk=p.plan.pk)
    services.add_agreement(
        actor(p.world.a.coordinator),
        p.case.pk,
        plan.pk,
        {
            "what": "De mentor belt elke vrijdag met mama.",
            "owner_professional": "Mentor Ali",
            "checker_person": p.mw.oma.pk,
        },
        plan.version,
    )
    client.force_login(p.world.a.case_worker)
    _reader, text = _pdf(client.get(_url("document_plan", p)))
    lines = _lines(text)
    assert lines.index("Mentor Ali (hulpverlener)") < lines.index("De mentor belt elke vrijdag met mama.")
    _has(text, "teruggegeven", "Nog niet goedgekeurd")
