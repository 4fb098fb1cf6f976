"""The demo world shows documents: a school report (a PDF written by WeasyPrint) and a letter on the first case of
each organisation, added through the services, so they pass the same checks as an upload."""

import pytest
from django.urls import reverse

from kring.documents.models import Document
from kring.web.demo.build import build_world

pytestmark = pytest.mark.django_db


def test_the_demo_world_has_documents_a_user_can_open(client, documents_in_a_folder_of_their_own):
    build_world()
    documents = Document.objects.select_related("case").order_by("case__number", "pk")
    assert documents.count() == 4
    pdf = documents.filter(kind="report").first()
    version = pdf.versions.get()
    assert version.content_type == "application/pdf" and version.filename == "verslag-school.pdf"
    worker = pdf.created_by
    client.force_login(worker)
    listing = client.get(reverse("documents:list", args=[pdf.case.pk])).content.decode()
    assert "Verslag van basisschool De Regenboog" in listing and "Brief van de grootouders" in listing
    download = client.get(reverse("documents:download", args=[pdf.case.pk, pdf.pk]))
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    build_world()
    assert Document.objects.count() == 4
