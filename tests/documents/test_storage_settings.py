"""Where document files go: a folder by default (KRING_DOCUMENT_ROOT), an S3-compatible store by a setting, and a
clear refusal to start when S3 is chosen without its library or bucket. Each case imports the settings in a fresh
process, as a server does (tests/test_settings.py)."""

import json

from tests.test_settings import read_settings, run, start


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


S3 = {
    "KRING_DOCUMENT_STORAGE": "s3",
    "KRING_DOCUMENT_S3_BUCKET": "kring-documents",
    "KRING_DOCUMENT_S3_ENDPOINT_URL": "https://s3.example.org:9000",
    "KRING_DOCUMENT_S3_REGION": "eu-west-3",
    "KRING_DOCUMENT_S3_ACCESS_KEY_ID": "AKIAKRINGTEST",
    "KRING_DOCUMENT_S3_SECRET_ACCESS_KEY": "not-a-real-secret",
    "KRING_DOCUMENT_S3_PREFIX": "kring/docs",
}

# Builds the storage the documents use and its boto3 client, as the first upload would; no request is sent.
DESCRIBE_STORAGE = """
import django, json
django.setup()
from kring.documents.models import DocumentVersion
storage = DocumentVersion._meta.get_field("file").storage
client = storage.connection.meta.client
credentials = client._request_signer._credentials
print(json.dumps({
    "class": type(storage._wrapped).__module__ + "." + type(storage._wrapped).__name__,
    "bucket": storage.bucket.name,
    "endpoint": client.meta.endpoint_url,
    "region": client.meta.region_name,
    "access_key": credentials.access_key,
    "secret_key": credentials.secret_key,
    "name": storage._normalize_name("ab/cd.pdf"),
    "acl": storage.default_acl,
    "overwrite": storage.file_overwrite,
}))
"""


def test_s3_builds_an_s3_storage_with_the_bucket_endpoint_and_credentials_of_the_settings(tmp_path):
    result = run(["-c", DESCRIBE_STORAGE], tmp_path, **S3)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found == {
        "class": "storages.backends.s3.S3Storage",
        "bucket": "kring-documents",
        "endpoint": "https://s3.example.org:9000",
        "region": "eu-west-3",
        "access_key": "AKIAKRINGTEST",
        "secret_key": "not-a-real-secret",
        "name": "kring/docs/ab/cd.pdf",
        "acl": "private",
        "overwrite": False,
    }


def test_s3_without_a_bucket_refuses_to_start(tmp_path):
    result = start(tmp_path, **{**S3, "KRING_DOCUMENT_S3_BUCKET": ""})
    assert result.returncode != 0 and "needs KRING_DOCUMENT_S3_BUCKET" in result.stderr


def test_s3_without_its_library_refuses_to_start_and_says_what_to_install(tmp_path):
    # django-storages is locked now; an installation without it (pip install kring --no-deps, say) is made here by
    # hiding the package from the import system of the fresh process.
    hidden = "import sys; sys.modules['storages'] = None; import django; django.setup()"
    result = run(["-c", hidden], tmp_path, **S3)
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr
    assert 'pip install "django-storages[s3]' in result.stderr


def test_an_unknown_storage_is_refused(tmp_path):
    result = start(tmp_path, KRING_DOCUMENT_STORAGE="ftp")
    assert result.returncode != 0 and "KRING_DOCUMENT_STORAGE must be 'filesystem' or 's3'" in result.stderr
