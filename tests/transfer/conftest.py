import pytest

from tests.conftest import documents_stored_in


@pytest.fixture(autouse=True)
def documents_in_a_folder_of_their_own(settings, tmp_path):
    """Each test stores documents (and waiting packages) in an empty folder of its own."""
    location = tmp_path / "documents"
    settings.STORAGES = documents_stored_in(location)
    return location


def stored_files(location) -> list:
    return sorted(path for path in location.rglob("*") if path.is_file()) if location.exists() else []
