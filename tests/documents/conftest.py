import pytest

from kring.documents.models import Document, DocumentVersion
from tests.conftest import documents_stored_in


def stored_files(location) -> list:
    return [path for path in location.rglob("*") if path.is_file()] if location.exists() else []


@pytest.fixture(autouse=True)
def documents_in_a_folder_of_their_own(settings, tmp_path):
    """Each test here stores documents in an empty folder of its own."""
    location = tmp_path / "documents"
    settings.STORAGES = documents_stored_in(location)
    return location


@pytest.fixture
def nothing_stored(documents_in_a_folder_of_their_own):
    """A check that no document row, no version row and no file exists."""

    def check():
        assert not Document.objects.exists()
        assert not DocumentVersion.objects.exists()
        assert stored_files(documents_in_a_folder_of_their_own) == []

    return check
