"""An organisation's signing key for transfer packages (decision 195).

The private key is made on demand, the first time the organisation's key is asked for, and stored in the database
encrypted with AES-GCM under a key derived (HKDF-SHA256) from the installation's SECRET_KEY. A copy of the database
alone (a backup) therefore cannot sign packages; the server, which holds SECRET_KEY, can. Changing SECRET_KEY makes
the stored key unreadable: ``signing_key`` then makes a new one, and the receivers must register its new public key.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction

from . import package
from .models import SigningKey


def _wrapping_key() -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"kring transfer signing key").derive(
        settings.SECRET_KEY.encode()
    )


def _seal(private_key: Ed25519PrivateKey, organisation_id: int) -> bytes:
    raw = private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    nonce = os.urandom(12)
    return nonce + AESGCM(_wrapping_key()).encrypt(nonce, raw, str(organisation_id).encode())


def _open(sealed: bytes, organisation_id: int) -> Ed25519PrivateKey | None:
    sealed = bytes(sealed)
    try:
        raw = AESGCM(_wrapping_key()).decrypt(sealed[:12], sealed[12:], str(organisation_id).encode())
    except (InvalidTag, ValueError):
        return None
    return Ed25519PrivateKey.from_private_bytes(raw)


@transaction.atomic
def signing_key(organisation) -> tuple[SigningKey, Ed25519PrivateKey]:
    """The organisation's key record and private key, made now if it has none (or its key cannot be read)."""
    record = SigningKey.objects.select_for_update().filter(organisation=organisation).first()
    if record is not None:
        private_key = _open(record.encrypted_private_key, organisation.pk)
        if private_key is not None:
            return record, private_key
    private_key = Ed25519PrivateKey.generate()
    public = package.public_key_hex(private_key)
    values = {
        "public_key": public,
        "fingerprint": package.fingerprint_of(public),
        "encrypted_private_key": _seal(private_key, organisation.pk),
    }
    if record is None:
        record = SigningKey.objects.create(organisation=organisation, **values)
    else:
        for name, value in values.items():
            setattr(record, name, value)
        record.save()
    return record, private_key


def public_key(organisation) -> SigningKey:
    """The key record whose public key and fingerprint the organisation gives its receivers."""
    return signing_key(organisation)[0]
