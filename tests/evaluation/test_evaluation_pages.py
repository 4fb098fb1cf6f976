"""The evaluation pages: who sees which aggregates, the report built as a job with its progress and downloaded as
a PDF (text checked, Dutch and English), research projects and their pseudonymised extracts, the effect
evaluation on the registration and on an uploaded extract, and the public pages."""

import io
import json
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from kring.accounts.models import Role
from kring.audit.models import AccessLogEntry
from kring.evaluation import services
from kring.evaluation.models import EvaluationJob, ResearchProject
from tests.factories import actor, enable_totp, make_user

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_team_lead_sees_exact_counts_and_a_researcher_sees_small_cells_suppressed(client, small_world):
    login(client, small_world.lead)
    page = client.get(reverse("evaluation:dashboard")).content.decode()
    assert 'id="indicators"' in page
    assert "·</td>" not in page  # exact: the lead manages this organisation
    login(client, small_world.researcher)
    suppressed = client.get(reverse("evaluation:dashboard")).content.decode()
    assert "·</td>" in suppressed and "&lt;5" not in suppressed  # the mark tells nothing of the size
    assert AccessLogEntry.objects.filter(record_type="indicators", user=small_world.researcher).exists()


def test_people_without_an_evaluation_role_get_404(client, small_world):
    login(client, small_world.worker)
    assert client.get(reverse("evaluation:dashboard")).status_code == 404
    assert client.get(reverse("evaluation:compare")).status_code == 404
    client.logout()
    assert client.get(reverse("evaluation:dashboard")).status_code == 302  # to the login page


def test_the_report_is_a_job_with_progress_and_a_pdf_in_dutch_and_english(client, small_world):
    login(client, small_world.lead)
    response = client.post(reverse("evaluation:report_request"), {"moment": "t1"})
    job = EvaluationJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("evaluation:job", args=[job.pk])
    waiting = client.get(reverse("evaluation:job_status", args=[job.pk])).content.decode()
    assert 'value="0"' in waiting and "hx-trigger" in waiting
    assert services.run_job(job.pk, today=TODAY) == "done"
    assert services.run_job(job.pk, today=TODAY) == "skipped"  # a second worker does not run it again
    page = client.get(reverse("evaluation:job", args=[job.pk])).content.decode()
    assert "Hoe vaak leidt een aanbod tot een plan" in page
    download = client.get(reverse("evaluation:job_download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    text = pdf_text(download.content)
    assert "Hoe vaak leidt een aanbod tot een plan" in text
    assert "Familienetwerkberaad" in text or "FNB" in text
    assert AccessLogEntry.objects.filter(record_type="report", action="export").exists()

    client.cookies["django_language"] = "en"
    client.post(reverse("evaluation:report_request"), {"moment": "t1"})
    english = EvaluationJob.objects.order_by("-pk").first()
    assert english.language == "en"
    services.run_job(english.pk, today=TODAY)
    text = pdf_text(client.get(reverse("evaluation:job_download", args=[english.pk])).content)
    assert "How often does an offer lead to a plan" in text
    assert "compared with regular care" in text


def test_someone_else_cannot_see_or_download_a_job(client, small_world):
    job = services.request_report(actor(small_world.lead))
    services.run_job(job.pk, today=TODAY)
    other = make_user(small_world.org, Role.TEAM_LEAD, small_world.team, is_lead=True)
    login(client, other)
    assert client.get(reverse("evaluation:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("evaluation:job_download", args=[job.pk])).status_code == 404


def test_bad_report_requests_change_nothing(client, small_world):
    login(client, small_world.lead)
    client.post(reverse("evaluation:report_request"), {"moment": "t9"})
    client.post(
        reverse("evaluation:report_request"), {"moment": "t1", "date_from": "2026-05-01", "date_to": "2026-01-01"}
    )
    client.post(reverse("evaluation:report_request"), {"moment": "t1", "organisation": 999999})
    assert not EvaluationJob.objects.exists()
    for _ in range(5):
        client.post(reverse("evaluation:report_request"), {"moment": "t1"})
    assert EvaluationJob.objects.count() == services.MAX_WAITING_JOBS


def _project(small_world):
    admin = make_user(small_world.org, Role.ADMINISTRATOR, email="admin@noord.example.org", is_staff=True)
    enable_totp(admin)
    return admin, services.create_project(
        actor(admin),
        {"name": "Netwerkberaad Noord", "organisations": [small_world.org], "members": [small_world.researcher]},
    )


def test_a_pseudonymised_extract_with_its_dictionary(client, small_world):
    _admin, project = _project(small_world)
    login(client, small_world.researcher)
    assert "Netwerkberaad Noord" in client.get(reverse("evaluation:projects")).content.decode()
    for fmt in ("csv", "parquet"):
        client.post(reverse("evaluation:extract_request", args=[project.pk]), {"format": fmt})
        job = EvaluationJob.objects.filter(kind="extract").order_by("-pk").first()
        services.run_job(job.pk, today=TODAY)
        archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("evaluation:job_download", args=[job.pk])).content))
        assert set(archive.namelist()) == {f"kring_extract.{fmt}", "dictionary.csv", "dictionary.json", "about.json"}
        dictionary = json.loads(archive.read("dictionary.json"))
        if fmt == "csv":
            lines = archive.read("kring_extract.csv").decode().splitlines()
            assert lines[0].split(",") == [e["name"] for e in dictionary]
            assert len(lines) == 7
            body = "\n".join(lines)
            assert "Familie Test" not in body and small_world.t.plan0.case.number not in body
        else:
            import pyarrow.parquet as pq

            table = pq.read_table(io.BytesIO(archive.read("kring_extract.parquet")))
            assert table.num_rows == 6 and table.column_names == [e["name"] for e in dictionary]


def test_only_an_administrator_sets_up_a_project_with_researchers_of_their_organisations(client, small_world):
    admin, _project_ = _project(small_world)
    login(client, small_world.lead)
    assert client.get(reverse("evaluation:project_new")).status_code == 403
    login(client, admin)
    refused = client.post(
        reverse("evaluation:project_new"),
        {"name": "X", "organisations": [small_world.org.pk], "members": [small_world.lead.pk]},
    )
    assert refused.status_code == 200
    assert ResearchProject.objects.count() == 1


def test_the_effect_evaluation_page_on_the_registration(client, small_world):
    login(client, small_world.lead)
    page = client.get(reverse("evaluation:compare"), {"method": "fnb", "comparison": "regular_care", "moment": "t1"})
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="effects"' in body
    same = client.get(reverse("evaluation:compare"), {"method": "fnb", "comparison": "fnb", "moment": "t1"})
    assert 'id="effects"' not in same.content.decode()


def _nsw_csv():
    from tests.evaluation.nsw import nsw

    return nsw().to_csv(index=False).encode()


def test_an_uploaded_extract_is_evaluated_with_the_same_estimators(client, small_world):
    login(client, small_world.researcher)
    upload = io.BytesIO(_nsw_csv())
    upload.name = "nsw.csv"
    response = client.post(
        reverse("evaluation:compare_extract"),
        {
            "file": upload,
            "treatment": "treat",
            "outcomes": "re78",
            "covariates": "age, educ, black, hisp, marr, nodegree, re74, re75",
            "correction": "holm",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="extract-effects"' in body
    assert "1.794" in body  # the experimental difference in means, Dutch number format
    bad = io.BytesIO(b"treat,re78\n0,1\n2,3\n")
    bad.name = "bad.csv"
    refused = client.post(
        reverse("evaluation:compare_extract"),
        {"file": bad, "treatment": "treat", "outcomes": "re78", "correction": "holm"},
    ).content.decode()
    assert 'id="extract-errors"' in refused
    missing = io.BytesIO(b"treat,re78\n0,1\n1,3\n")
    missing.name = "m.csv"
    refused = client.post(
        reverse("evaluation:compare_extract"),
        {"file": missing, "treatment": "treat", "outcomes": "income", "correction": "holm"},
    ).content.decode()
    assert "income" in refused


def test_the_public_overview_and_the_dictionary_need_no_login(client, small_world):
    page = client.get(reverse("evaluation:public")).content.decode()
    assert 'id="indicators"' in page and "·</td>" in page  # six offers: every count is small
    dictionary = client.get(reverse("evaluation:dictionary")).content.decode()
    assert "t1_out_of_home" in dictionary
    csv_file = client.get(reverse("evaluation:dictionary_csv"))
    assert csv_file["Content-Type"].startswith("text/csv")
