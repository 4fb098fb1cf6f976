"""Where document files live: Django's storage named "documents" (``settings.STORAGES``).

By default a folder under ``var/`` (``KRING_DOCUMENT_ROOT``); with ``KRING_DOCUMENT_STORAGE=s3`` an S3-compatible
store through django-storages (``config/settings.py``). The file field asks for the storage lazily, so a test or a
changed setting gets the storage configured at that moment, not the one at import.
"""

from typing import cast

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.utils.functional import LazyObject, empty

ALIAS = "documents"


class DocumentStorage(LazyObject):
    def _setup(self):
        self._wrapped = storages[ALIAS]


# Typed as the storage it stands for (a LazyObject passes every call on).
document_storage = cast(Storage, DocumentStorage())


def get_document_storage():
    """The file field's storage (a callable, so the migration names this function, not a folder)."""
    return document_storage


def _forget_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        document_storage._wrapped = empty  # type: ignore[attr-defined]


setting_changed.connect(_forget_storage)
