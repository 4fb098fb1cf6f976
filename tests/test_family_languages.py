"""The family's language (decisions 270-273): the person's language of letters and plans on the form and in the API
(an unknown code refused, nothing saved), dates in each language, and the data file of checked translations that
lists every family document in every language."""

import datetime
import tomllib
from pathlib import Path

import pytest
from django.template.loader import get_template
from django.urls import reverse

from kring.cases.models import Person
from kring.core import languages
from kring.meetings import documents as meeting_documents
from kring.plans import documents as plan_documents
from tests.factories import person_form_data
from tests.test_api import api_client

TEMPLATES = Path(__file__).resolve().parent.parent / "kring" / "templates"


def test_every_family_document_in_every_language_is_listed_in_the_checked_file():
    data = tomllib.loads(languages.CHECKED_FILE.read_text(encoding="utf-8"))
    codes = [language.code for language in languages.DOCUMENT_LANGUAGES]
    assert sorted(data) == sorted(codes)
    for code in codes:
        assert sorted(data[code]) == sorted(languages.DOCUMENTS), code
        for document, entry in data[code].items():
            if entry.get("checked"):
                # A check names the translator and the day; otherwise it does not count.
                assert entry.get("checked_by") and isinstance(entry.get("checked_on"), datetime.date), (code, document)


def test_every_document_template_exists_per_language_and_is_listed():
    """Each language has its letter and its plan documents; a template for a language or document the data file does
    not know fails here (a new document is added to DOCUMENTS and to the file, checked or not)."""
    for code in languages.BY_CODE:
        letter = f"meetings/letter_{code}.html" if code in meeting_documents.OWN_LETTER else "meetings/letter.html"
        get_template(letter)
        for kind in ("plan", "member", "bottom_lines"):
            get_template(plan_documents.TEMPLATES[kind][code])
    for path in (TEMPLATES / "plans").glob("document_*_*.html"):
        kind, code = path.stem.removeprefix("document_").rsplit("_", 1)
        if code == "base" or kind == "agreement":
            continue  # a frame or a piece of another document
        assert code in languages.BY_CODE, path.name
        assert (code, f"plans/{kind}") in languages.translation_checks(), path.name
    for path in (TEMPLATES / "meetings").glob("letter_*.html"):
        code = path.stem.removeprefix("letter_").split("_")[0]
        if code in languages.BY_CODE:
            assert (code, "meetings/letter") in languages.translation_checks(), path.name


def test_no_translation_is_checked_yet_and_the_originals_need_no_notice():
    for document in languages.DOCUMENTS:
        for code in ("nl", "en"):
            assert languages.is_checked(code, document) and languages.unchecked_notice(code, document) == []
        for code in ("ar", "tr", "pl"):
            assert not languages.is_checked(code, document)
            notice = languages.unchecked_notice(code, document)
            assert [c for c, _d, _t in notice] == [code, "nl"]
            assert notice[1][2].startswith("Deze vertaling is nog niet door een beëdigd vertaler nagekeken.")
    assert languages.unchecked_notice("ar", "plans/plan")[0][1] == "rtl"


def test_a_check_counts_only_with_a_translator_and_a_day(monkeypatch):
    checks = dict(languages.translation_checks())
    checks[("tr", "plans/plan")] = languages.TranslationCheck(checked=True, checked_by="", checked_on=None)
    checks[("pl", "plans/plan")] = languages.TranslationCheck(
        checked=True, checked_by="A. Nowak, tłumacz przysięgły", checked_on=datetime.date(2027, 1, 5)
    )
    monkeypatch.setattr(languages, "translation_checks", lambda: checks)
    assert not languages.is_checked("tr", "plans/plan")
    assert languages.is_checked("pl", "plans/plan") and languages.unchecked_notice("pl", "plans/plan") == []


@pytest.mark.parametrize(
    ("code", "short", "long"),
    [
        ("nl", "4 maart 2026", "woensdag 4 maart 2026"),
        ("en", "4 March 2026", "Wednesday 4 March 2026"),
        ("ar", "4 مارس/آذار 2026", "الأربعاء، 4 مارس/آذار 2026"),
        ("tr", "4 Mart 2026", "4 Mart 2026 Çarşamba"),
        ("pl", "4 marca 2026 r.", "środa, 4 marca 2026 r."),
    ],
)
def test_dates_in_each_language(code, short, long):
    day = datetime.date(2026, 3, 4)
    assert languages.day(day, code) == short and languages.long_day(day, code) == long


def test_polish_months_are_genitive_and_turkish_keep_their_letters():
    assert [languages.day(datetime.date(2026, m, 1), "pl").split()[1] for m in (1, 2, 6, 9, 10)] == [
        "stycznia",
        "lutego",
        "czerwca",
        "września",
        "października",
    ]
    assert [languages.day(datetime.date(2026, m, 1), "tr").split()[1] for m in (2, 5, 8, 12)] == [
        "Şubat",
        "Mayıs",
        "Ağustos",
        "Aralık",
    ]


def test_text_direction_follows_the_first_letter():
    assert languages.text_direction("De kinderen slapen.") == "ltr"
    assert languages.text_direction("12. ينام سام") == "rtl"
    assert languages.text_direction("") == "ltr"


def test_resolve_keeps_known_codes_only():
    assert languages.resolve("tr") == "tr"
    assert languages.resolve("") == "nl" and languages.resolve("xx") == "nl" and languages.resolve(None) == "nl"
    assert meeting_documents.language_for(Person(document_language="ar")) == "ar"
    assert meeting_documents.language_for(Person(document_language="ar"), "pl") == "pl"
    assert meeting_documents.language_for(Person(document_language=""), "xx") == "nl"


@pytest.mark.django_db
def test_the_person_form_offers_the_languages_and_refuses_an_unknown_one(client, world):
    person = world.a.case.persons.order_by("pk").first()
    client.force_login(world.a.case_worker)
    url = reverse("cases:person_edit", args=[world.a.case.pk, person.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Taal van brieven en plannen" in page and "Standaard van de organisatie (Nederlands)" in page
    for name in ("العربية", "Türkçe", "Polski", "Nederlands", "English"):
        assert name in page
    refused = client.post(url, person_form_data(person, document_language="xx"), HTTP_ACCEPT_LANGUAGE="nl")
    assert refused.status_code == 200 and "xx is geen beschikbare keuze" in refused.content.decode()
    person.refresh_from_db()
    assert person.document_language == ""
    done = client.post(url, person_form_data(person, document_language="ar"))
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.document_language == "ar"


@pytest.mark.django_db
def test_the_person_api_sets_the_language_and_refuses_an_unknown_one(world):
    person = world.a.case.persons.order_by("pk").first()
    client = api_client(world.a.case_worker, HTTP_ACCEPT_LANGUAGE="nl")
    url = f"/api/v1/cases/{world.a.case.pk}/persons/{person.pk}/"
    answer = client.get(url).json()
    assert answer["document_language"] == ""
    refused = client.patch(url, {"document_language": "de", "version": answer["version"]}, format="json")
    assert refused.status_code == 400 and "document_language" in refused.json()
    assert Person.objects.get(pk=person.pk).document_language == ""
    done = client.patch(url, {"document_language": "tr", "version": answer["version"]}, format="json")
    assert done.status_code == 200 and done.json()["document_language"] == "tr"
    assert Person.objects.get(pk=person.pk).document_language == "tr"
