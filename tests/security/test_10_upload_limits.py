"""Issue 12, item 10: an uploaded extract cannot exhaust the web process's memory.

A Parquet file of a few dozen kilobytes can say it holds twenty million rows (one repeated value compresses to
nothing); reading it took 15 s and 1.3 GB. It is refused from its metadata, before any data is read, with a
message that names the limit; a CSV file is measured by its lines. A normal file larger than a small size is
evaluated as a job in the worker, with its progress, like a report.
"""

import io
import time
import tracemalloc

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.test import override_settings
from django.urls import reverse

from kring.accounts.models import Role
from kring.evaluation import services
from kring.evaluation.core import extract as extract_core
from kring.evaluation.core.errors import EvaluationInputError
from kring.evaluation.models import EvaluationJob
from tests.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db
HUGE = 20_000_000


@pytest.fixture(scope="module")
def huge_parquet() -> bytes:
    """Twenty million rows in a file of well under a megabyte: all-null columns are run-length encoded."""
    table = pa.table({"treat": pa.nulls(HUGE, pa.int8()), "y": pa.nulls(HUGE, pa.float64())})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, row_group_size=HUGE)
    data = buffer.getvalue()
    assert len(data) < 300_000
    return data


@pytest.fixture
def researcher(db):
    organisation = make_organisation("NL")
    return make_user(organisation, Role.RESEARCHER)


def _upload(client, content: bytes, name: str, **fields):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(
        reverse("evaluation:compare_extract"),
        {"file": upload, "treatment": "treat", "outcomes": "y", "correction": "holm", **fields},
    )


def test_a_parquet_of_twenty_million_rows_is_refused_from_its_metadata(huge_parquet):
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(EvaluationInputError) as refused:
        extract_core.read_extract(
            huge_parquet, treatment="treat", outcomes="y", format="parquet", max_rows=500_000, max_columns=500
        )
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert refused.value.as_dict() == {"code": "too_many_rows", "rows": HUGE, "limit": 500_000}
    # Reading the rows would allocate hundreds of megabytes (numpy arrays are traced); the footer takes nothing.
    assert peak < 5_000_000, f"{peak} bytes allocated: the rows were read"
    assert pa.total_allocated_bytes() < 10_000_000
    assert elapsed < 2.0


@override_settings(KRING_EXTRACT_MAX_ROWS=500_000)
def test_the_page_refuses_it_with_the_limit_in_words(client, researcher, huge_parquet):
    client.force_login(researcher)
    started = time.perf_counter()
    response = _upload(client, huge_parquet, "huge.parquet")
    assert time.perf_counter() - started < 5.0
    body = response.content.decode()
    assert response.status_code == 200 and 'id="extract-errors"' in body
    assert "20000000" in body.replace(".", "").replace("\u00a0", "") and "500000" in body.replace(".", "")
    assert "rijen" in body  # Dutch by default
    assert not EvaluationJob.objects.exists()  # nothing queued for the worker either


@override_settings(KRING_EXTRACT_MAX_ROWS=1_000, KRING_EXTRACT_MAX_COLUMNS=5)
def test_csv_rows_and_columns_are_counted_before_reading(client, researcher):
    client.force_login(researcher)
    many_rows = b"treat,y\n" + b"0,1\n1,2\n" * 501
    body = _upload(client, many_rows, "rows.csv").content.decode()
    assert 'id="extract-errors"' in body and "1002" in body.replace(".", "")
    wide = b";".join(f"c{i}".encode() for i in range(6)) + b"\n" + b";".join(b"1" for _ in range(6)) + b"\n"
    with pytest.raises(EvaluationInputError) as refused:
        extract_core.check_shape(wide, max_rows=1_000, max_columns=5, name="wide.csv")
    assert refused.value.as_dict() == {"code": "too_many_columns", "columns": 6, "limit": 5}
    client.cookies["django_language"] = "en"
    english = _upload(client, wide, "wide.csv").content.decode()
    assert "6 columns" in english and "at most 5 columns" in english


def _normal_csv(rows=400) -> bytes:
    lines = ["treat,y,x"]
    for i in range(rows):
        treat = i % 2
        lines.append(f"{treat},{1.5 * treat + (i % 7) * 0.3:.2f},{i % 5}")
    return ("\n".join(lines) + "\n").encode()


@override_settings(KRING_EXTRACT_INLINE_BYTES=1_000)
def test_a_larger_normal_file_runs_as_a_job_with_progress(client, researcher):
    client.force_login(researcher)
    content = _normal_csv()
    assert len(content) > 1_000
    response = _upload(client, content, "normal.csv", covariates="x")
    job = EvaluationJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("evaluation:job", args=[job.pk])
    assert job.kind == "uploaded" and bytes(job.upload) == content and job.status == "queued"
    waiting = client.get(reverse("evaluation:job_status", args=[job.pk])).content.decode()
    assert 'value="0"' in waiting and "hx-trigger" in waiting

    stages = []
    original = services._progress

    def recording(job_id, percent, stage=""):
        stages.append((percent, str(stage)))
        original(job_id, percent, stage)

    services._progress = recording
    try:
        assert services.run_job(job.pk) == "done"
    finally:
        services._progress = original
    assert [p for p, _s in stages] == sorted(p for p, _s in stages) and len(stages) >= 2
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100 and job.upload is None  # the file is not kept
    page = client.get(reverse("evaluation:job", args=[job.pk])).content.decode()
    assert 'id="extract-effects"' in page
    assert client.get(reverse("evaluation:job_download", args=[job.pk])).status_code == 404


@override_settings(KRING_EXTRACT_INLINE_BYTES=1_000)
def test_the_worker_checks_the_limits_again(client, researcher):
    client.force_login(researcher)
    _upload(client, _normal_csv(), "normal.csv")
    job = EvaluationJob.objects.get()
    with override_settings(KRING_EXTRACT_MAX_ROWS=10):
        assert services.run_job(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and job.upload is None and "10" in job.error
