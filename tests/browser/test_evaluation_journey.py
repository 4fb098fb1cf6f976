"""The evaluation journey in a real browser: a team lead opens the dashboard, asks for the report, watches its
progress while the worker builds it, sees the report on the page and downloads the PDF (its text is read back).

The worker's part is the job runner itself, called here where the background worker would call it; the page
learns of each step only through its own polling. Screenshots land in /tmp/kring-evaluation*.png."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from kring.evaluation import services
from kring.evaluation.models import EvaluationJob

from ..evaluation.conftest import TODAY, small_world  # noqa: F401  (the hand-checked world of trajectories)
from .conftest import assert_accessible
from .test_foundation_journey import log_in

pytestmark = pytest.mark.browser


def test_dashboard_report_progress_and_pdf(page, live_server, small_world):  # noqa: F811
    log_in(page, live_server, small_world.lead.email)
    page.locator("nav a[href='/evaluation/']").click()
    expect(page.locator("#indicators")).to_contain_text("Familienetwerkberaad")
    expect(page.locator("#indicators tbody tr").first).to_contain_text("5")  # five FNB offers, shown exactly
    assert_accessible(page)
    page.screenshot(path="/tmp/kring-evaluation.png", full_page=True)

    page.locator("#build-report").click()
    expect(page.locator("#job-state")).to_have_text("wacht")
    expect(page.locator("#job-progress")).to_have_attribute("value", "0")
    assert_accessible(page)
    job = EvaluationJob.objects.get()

    # The worker picks the job up and reports a first step; the page shows it without a reload.
    EvaluationJob.objects.filter(pk=job.pk).update(status="running")
    services._progress(job.pk, 40, "Vergelijken met reguliere hulp")
    expect(page.locator("#job-progress")).to_have_attribute("value", "40")
    expect(page.locator("#job-status")).to_contain_text("Vergelijken met reguliere hulp")
    EvaluationJob.objects.filter(pk=job.pk).update(status="queued")  # hand it back for the real run
    assert services.run_job(job.pk, today=TODAY) == "done"

    # Done: the page reloads itself with the report and the download.
    expect(page.locator("#job-download")).to_be_visible(timeout=20_000)
    expect(page.locator("#report-methods")).to_contain_text("Familienetwerkberaad")
    expect(page.locator("main")).to_contain_text("Hoe vaak leidt een aanbod tot een plan")
    assert_accessible(page)
    page.screenshot(path="/tmp/kring-evaluation-report.png", full_page=True)
    with page.expect_download() as download_info:
        page.locator("#job-download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    content = open(download.path(), "rb").read()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Hoe vaak leidt een aanbod tot een plan" in text
    assert "reguliere hulp" in text
