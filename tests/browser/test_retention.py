"""Destruction in a browser: a privacy officer approves the destruction of a closed case whose retention has ended,
the worker's task destroys it, and the search of every table finds nothing of it (issue 15, item 5)."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from kring.cases.choices import CaseStatus
from kring.cases.models import Case, Person
from kring.retention.models import DestructionBatch, RetentionPeriod
from kring.retention.tasks import run_batch

from ..factories import PASSWORD
from ..retention.test_destruction import date_forms, hits, text_of_every_table
from .conftest import assert_accessible, enter_authenticator_code

pytestmark = pytest.mark.browser

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the world's privacy officer's authenticator (tests/conftest.py)


def test_the_privacy_officer_destroys_a_closed_case_whose_retention_ended(page, live_server, world):
    case = world.a.case
    case.status, case.closure_reason, case.closed_on = CaseStatus.CLOSED, "goals_reached", datetime.date(2026, 1, 10)
    case.save()
    RetentionPeriod.objects.filter(case=case).update(retain_until=datetime.date(2026, 1, 1))
    persons = list(Person.objects.filter(case=case))
    needles = [case.number] + [p.full_name for p in persons] + [f for p in persons for f in date_forms(p.birth_date)]

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", world.a.privacy_officer.email)
    page.fill("#id_password", PASSWORD)
    page.locator("main").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    enter_authenticator_code(page, SECRET)

    page.get_by_role("link", name="Bewaren en vernietigen").click()
    expect(page).to_have_url(f"{live_server.url}/retention/")
    expect(page.locator("main")).to_contain_text(case.number)
    assert_accessible(page)
    page.get_by_label("Ik keur goed dat deze dossiers definitief worden vernietigd").check()
    page.get_by_role("button", name="Vernietiging goedkeuren").click()
    expect(page.locator("main")).to_contain_text("De vernietiging is goedgekeurd")

    batch = DestructionBatch.objects.get()
    assert run_batch.call(batch.pk) == [case.pk]  # what the worker runs
    assert not Case.objects.filter(pk=case.pk).exists()
    assert hits(needles, text_of_every_table(), {}) == []
    page.reload()
    expect(page.locator("main")).not_to_contain_text(case.number)
