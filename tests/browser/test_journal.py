"""The case journal in a browser: from the case page to the journal, an entry hidden from the father, a correction."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kring.journal.models import JournalEntry

from ..factories import make_parent
from .conftest import assert_accessible
from .test_foundation_journey import log_in

pytestmark = pytest.mark.browser


def test_write_an_entry_hidden_from_the_father_and_correct_it(page, live_server, world):
    case = world.a.case
    mother = make_parent(case, "Mira", "moeder")
    father = make_parent(case, "Frank", "vader")
    log_in(page, live_server, world.a.case_worker.email)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="Journaal").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/journal/")
    assert_accessible(page)
    page.get_by_role("link", name="Een journaalnotitie schrijven").click()
    when = timezone.localtime() - datetime.timedelta(days=1)
    page.fill("#id_occurred_at", when.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_category", "phone_call")
    page.fill("#id_text", "Mira belt: zij verhuist. Het nieuwe adres blijft bij ons.")
    page.get_by_label("Mira Ouder").first.check()
    page.get_by_label("Mag met het gezin gedeeld worden").check()
    page.locator(f"#id_hidden_from input[value='{father.pk}']").check()
    assert_accessible(page)
    page.get_by_role("button", name="Opslaan").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/journal/")
    entry = page.locator("article.journal-entry").first
    expect(entry).to_contain_text("Mira belt")
    expect(entry).to_contain_text("Nooit tonen aan: Frank Ouder")
    stored = JournalEntry.objects.get()
    assert [p.pk for p in stored.hidden_from.all()] == [father.pk]
    assert [p.pk for p in stored.persons.all()] == [mother.pk]

    entry.get_by_role("link", name="Deze notitie corrigeren").click()
    expect(page.locator("#id_text")).to_have_value(re.compile("Mira belt"))
    page.fill("#id_text", "Mira belt: zij verhuist volgende maand. Het nieuwe adres blijft bij ons.")
    page.fill("#id_correction_reason", "De maand ontbrak.")
    page.get_by_role("button", name="Correctie opslaan").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/journal/")
    expect(page.locator("article.journal-entry")).to_have_count(1)
    expect(page.locator("article.journal-entry").first).to_contain_text("volgende maand")
    page.get_by_label("Ook gecorrigeerde versies tonen").check()
    page.get_by_role("button", name="Filteren").click()
    expect(page.locator("article.journal-entry")).to_have_count(2)
    expect(page.locator("article.journal-entry.corrected")).to_contain_text("deze versie geldt niet meer")
