import pytest


@pytest.fixture
def document_store(settings, tmp_path):
    """The documents' storage in an empty folder of this test."""
    location = tmp_path / "documents"
    location.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": location}},
    }
    return location
