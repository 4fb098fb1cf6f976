"""Subject access in a browser: the privacy officer answers the mother's request and the letter holds her entries,
not the one never to be shown to her (issue 15, item 6)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from kring.privacy.models import SubjectAccessRequest, WithheldItem

from ..factories import PASSWORD
from ..journal.helpers import family, write
from .conftest import assert_accessible, enter_authenticator_code

pytestmark = pytest.mark.browser

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the world's privacy officer's authenticator (tests/conftest.py)


def test_the_privacy_officer_answers_the_mothers_request(page, live_server, world):
    case = world.a.case
    _child, mother, father = family(case)
    worker = world.a.case_worker
    write(worker, case, visibility="family", text="Mira vertelt dat het slapen van de kinderen beter gaat.")
    hidden = write(
        worker, case, visibility="family", hidden_from=[mother.pk], text="Frank vertelt over een ruzie met Mira."
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", world.a.privacy_officer.email)
    page.fill("#id_password", PASSWORD)
    page.locator("main").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    enter_authenticator_code(page, SECRET)

    page.get_by_role("link", name="Inzageverzoeken").click()
    expect(page).to_have_url(f"{live_server.url}/privacy/")
    assert_accessible(page)
    page.get_by_role("link", name="Nieuw verzoek vastleggen").click()
    page.fill("#id_name", "Mira Ouder")
    page.get_by_role("button", name="Zoeken").click()
    page.get_by_role("link", name="Mira Ouder").click()
    assert_accessible(page)
    page.fill("#id_requested_by", "de moeder zelf, aan de balie")
    page.get_by_label("Identiteit gecontroleerd").check()
    page.fill("#id_identity_check", "paspoort getoond")
    page.get_by_role("button", name="Verzoek vastleggen").click()
    expect(page.locator("h1")).to_contain_text("Mira Ouder")
    page.get_by_role("button", name="Overzicht maken").click()
    expect(page.get_by_role("link", name="Brief downloaden (pdf)")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Brief downloaden (pdf)").click()
    text = "\n".join(p.extract_text() for p in PdfReader(Path(download.value.path())).pages)
    flat = " ".join(text.split())
    assert "het slapen van de kinderen beter gaat" in flat
    assert "ruzie" not in flat
    request = SubjectAccessRequest.objects.get()
    assert request.person == mother
    assert WithheldItem.objects.filter(request=request, record_id=str(hidden.pk)).exists()
    assert father.full_name not in flat
