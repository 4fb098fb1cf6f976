"""Where document files go: a folder by default (KRING_DOCUMENT_ROOT), an S3-compatible store by a setting, and a
clear refusal to start when S3 is chosen without its library or bucket. Each case imports the settings in a fresh
process, as a server does (tests/test_settings.py)."""

import importlib.util

import pytest

from tests.test_settings import read_settings, start


def test_the_default_is_a_folder_under_var(tmp_path):
    storages = read_settings(tmp_path, "STORAGES")["STORAGES"]
    documents = storages["documents"]
    assert documents["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert documents["OPTIONS"]["location"] == str(tmp_path / "var" / "documents")


def test_the_folder_and_the_limit_come_from_the_environment(tmp_path):
    found = read_settings(
        tmp_path,
        "STORAGES",
        "KRING_DOCUMENT_MAX_BYTES",
        KRING_DOCUMENT_ROOT=str(tmp_path / "elsewhere"),
        KRING_DOCUMENT_MAX_BYTES="1048576",
    )
    assert found["STORAGES"]["documents"]["OPTIONS"]["location"] == str(tmp_path / "elsewhere")
    assert found["KRING_DOCUMENT_MAX_BYTES"] == 1048576


@pytest.mark.skipif(importlib.util.find_spec("storages") is not None, reason="django-storages is installed here")
def test_s3_without_its_library_refuses_to_start_and_says_what_to_install(tmp_path):
    result = start(tmp_path, KRING_DOCUMENT_STORAGE="s3", KRING_DOCUMENT_S3_BUCKET="kring")
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr
    assert 'pip install "django-storages[s3]' in result.stderr


def test_an_unknown_storage_is_refused(tmp_path):
    result = start(tmp_path, KRING_DOCUMENT_STORAGE="ftp")
    assert result.returncode != 0 and "KRING_DOCUMENT_STORAGE must be 'filesystem' or 's3'" in result.stderr
