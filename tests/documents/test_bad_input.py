"""Issue 15, item 2: every kind of bad file is refused with a clear message, and nothing is stored: no row, no file.

The pages are posted with the file name exactly as a client may send it (``samples.multipart``), since Django's
test client would cut the folders out of a name before Kring sees it.
"""

import pytest
from django.test import override_settings
from django.urls import reverse

from kring.audit.models import AccessLogEntry
from kring.documents import filecheck

from . import samples

pytestmark = pytest.mark.django_db

FIELDS = {"title": "Beschikking", "kind": "court_decision", "description": ""}


def post(client, case, filename, content, fields=None):
    body, content_type = samples.multipart(fields or FIELDS, filename, content)
    return client.post(reverse("documents:add", args=[case.pk]), data=body, content_type=content_type)


def refused(response) -> str:
    assert response.status_code in (200, 413), response.status_code
    body = response.content.decode()
    assert 'id="id_file_error"' in body or "errorlist" in body
    return body


@pytest.fixture
def worker(client, world):
    client.force_login(world.a.case_worker)
    return client


BAD = [
    ("report.pdf", samples.EXE, "een programma"),
    ("photo.png", samples.ELF, "een programma"),
    ("letter.pdf", samples.PDF_WITH_SCRIPT, "actieve inhoud"),
    ("letter.pdf", samples.PDF_WITH_ESCAPED_SCRIPT, "actieve inhoud"),
    ("letter.pdf", samples.PDF_WITH_COMPRESSED_LAUNCH, "actieve inhoud"),
    ("letter.pdf", samples.PDF_WITH_ATTACHMENT, "actieve inhoud"),
    ("empty.pdf", b"", "leeg"),
    ("../../etc/report.pdf", samples.PDF, "map"),
    ("C:\\Users\\x\\report.pdf", samples.PDF, "map"),
    ("invoice\u202efdp.exe", samples.PDF, "onzichtbare"),
    ("rapport\u200f.pdf", samples.PDF, "onzichtbare"),
    ("report\x07.pdf", samples.PDF, "onzichtbare"),
    ("report.docx", samples.DOCX_WITH_MACROS, "macro"),
    ("report.docx", samples.DOCX_WITH_ARCHIVE, "archief"),
    ("scan.png", samples.PDF, "komt niet overeen"),
    ("report.pdf", samples.DOCX, "komt niet overeen"),
    ("page.html", b"<html><script>alert(1)</script></html>", "komt niet overeen"),
    ("data.bin", bytes(range(256)) * 4, "kan niet worden toegevoegd"),
    ("noextension", samples.PDF, "extensie"),
]


@pytest.mark.parametrize(("filename", "content", "words"), BAD)
def test_a_bad_file_is_refused_with_a_message_and_nothing_is_stored(
    worker, world, nothing_stored, filename, content, words
):
    body = refused(post(worker, world.a.case, filename, content))
    assert words in body
    nothing_stored()


def test_a_zip_bomb_is_refused_without_unpacking_it(worker, world, nothing_stored):
    bomb = samples.zip_bomb()
    assert len(bomb) < 200_000
    body = refused(post(worker, world.a.case, "verslag.docx", bomb))
    assert "zipbom" in body
    nothing_stored()


def test_no_file_at_all_is_refused(worker, world, nothing_stored):
    body = refused(post(worker, world.a.case, None, None))
    assert "Kies een bestand" in body
    nothing_stored()


def test_a_200_megabyte_upload_is_refused_before_its_body_is_read(worker, world, nothing_stored):
    huge = samples.HugeUpload(200 * 1024 * 1024)
    response = worker.generic("POST", reverse("documents:add", args=[world.a.case.pk]), **huge.environ())
    assert response.status_code == 413
    assert "groter dan 25 MB" in response.content.decode()
    assert huge.read_bytes == 0
    nothing_stored()


@override_settings(KRING_DOCUMENT_MAX_BYTES=1024 * 1024)
def test_a_file_over_the_limit_is_refused_as_soon_as_the_limit_is_passed(worker, world, nothing_stored):
    """A request whose declared length is within the limit and the room for the other fields, but whose file
    passes the limit: refused by the upload handler, which stops reading at the limit."""
    huge = samples.HugeUpload(1024 * 1024 + 32 * 1024)
    response = worker.generic("POST", reverse("documents:add", args=[world.a.case.pk]), **huge.environ())
    assert response.status_code == 413
    assert "groter dan 1 MB" in response.content.decode()
    nothing_stored()


def test_the_api_refuses_a_200_megabyte_upload_with_413(client, world, nothing_stored):
    from tests.factories import make_api_token

    token = make_api_token(world.a.case_worker)
    huge = samples.HugeUpload(200 * 1024 * 1024)
    response = client.generic(
        "POST",
        reverse("documents_api:documents", args=[world.a.case.pk]),
        HTTP_AUTHORIZATION=f"Token {token}",
        **huge.environ(),
    )
    assert response.status_code == 413
    assert "groter dan 25 MB" in response.json()["detail"]
    assert huge.read_bytes == 0
    nothing_stored()


def test_a_refused_upload_is_not_logged_as_stored(worker, world):
    post(worker, world.a.case, "report.pdf", samples.EXE)
    assert not AccessLogEntry.objects.filter(record_type="document").exists()


def test_an_outsider_is_refused_before_the_file_is_read(client, world, nothing_stored):
    client.force_login(world.b.case_worker)
    huge = samples.HugeUpload(200 * 1024 * 1024)
    response = client.generic("POST", reverse("documents:add", args=[world.a.case.pk]), **huge.environ())
    assert response.status_code == 404
    assert huge.read_bytes == 0
    assert AccessLogEntry.objects.filter(user=world.b.case_worker, action="denied").exists()
    nothing_stored()


# ---- the pure checks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("beschikking.pdf", samples.PDF, "application/pdf"),
        ("foto.PNG", samples.PNG, "image/png"),
        ("foto.jpeg", samples.JPEG, "image/jpeg"),
        ("tekening.gif", samples.GIF, "image/gif"),
        ("brief.txt", samples.TEXT, "text/plain"),
        ("lijst.csv", samples.CSV, "text/csv"),
        ("verslag.docx", samples.DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("budget.xlsx", samples.XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("verslag.odt", samples.ODT, "application/vnd.oasis.opendocument.text"),
        ("verslag van één dag.pdf", samples.PDF, "application/pdf"),
    ],
)
def test_allowed_files_pass_with_their_type_and_checksum(name, content, expected):
    checked = filecheck.check_file(name, content, 25 * 1024 * 1024)
    assert checked.content_type == expected
    assert checked.size == len(content)
    import hashlib

    assert checked.sha256 == hashlib.sha256(content).hexdigest()


def test_a_pdf_made_by_weasyprint_passes():
    from weasyprint import HTML

    pdf = HTML(string="<h1>Verslag</h1><p>Een gewone brief.</p>").write_pdf()
    assert filecheck.check_file("verslag.pdf", pdf, 25 * 1024 * 1024).content_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("a/b.pdf", "name_path"),
        ("a\\b.pdf", "name_path"),
        ("..", "name_path"),
        ("x\u202efdp.exe", "name_characters"),
        ("x\u2066.pdf", "name_characters"),
        ("x\n.pdf", "name_characters"),
        ("", "name_missing"),
        ("x" * 300 + ".pdf", "name_too_long"),
        (".pdf", "name_extension"),
    ],
)
def test_bad_names_are_refused_by_the_pure_check(name, code):
    with pytest.raises(filecheck.FileRefused) as refusal:
        filecheck.check_file(name, samples.PDF, 1000)
    assert refusal.value.code == code


def test_the_size_limit_and_an_empty_file_are_refused_by_the_pure_check():
    with pytest.raises(filecheck.FileRefused) as refusal:
        filecheck.check_file("a.pdf", samples.PDF, 10)
    assert refusal.value.code == "too_large" and refusal.value.values == {"limit": 10}
    with pytest.raises(filecheck.FileRefused) as refusal:
        filecheck.check_file("a.pdf", b"", 10)
    assert refusal.value.code == "empty"


def test_a_browser_sessions_api_upload_is_read_through_the_same_checks(world, nothing_stored):
    """With a browser session the CSRF check reads the body before the view: the name is still checked as sent."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a.case_worker)
    client.get(reverse("documents:list", args=[world.a.case.pk]))
    token = client.cookies["csrftoken"].value
    url = reverse("documents_api:documents", args=[world.a.case.pk])
    body, content_type = samples.multipart(FIELDS, "../../report.pdf", samples.PDF)
    response = client.post(url, data=body, content_type=content_type, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 400, response.content
    assert "map" in response.json()["file"][0]
    huge = samples.HugeUpload(200 * 1024 * 1024)
    response = client.generic("POST", url, HTTP_X_CSRFTOKEN=token, **huge.environ())
    assert response.status_code == 413 and huge.read_bytes == 0
    nothing_stored()


def test_the_pages_check_csrf_once_the_limits_are_in_place(world, nothing_stored):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a.case_worker)
    body, content_type = samples.multipart(FIELDS, "report.pdf", samples.PDF)
    response = client.post(reverse("documents:add", args=[world.a.case.pk]), data=body, content_type=content_type)
    assert response.status_code == 403
    nothing_stored()
