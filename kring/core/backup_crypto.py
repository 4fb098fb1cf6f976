"""Encrypt and decrypt a backup archive as a stream, with a passphrase (pure: no Django).

A backup can be gigabytes, so it is encrypted in chunks of 1 MiB with AES-256-GCM. Each chunk's nonce is fresh and
its index and whether it is the last one are authenticated with it, so a reordered, repeated or cut-off file fails
to decrypt instead of giving a shorter backup. The key is derived from the passphrase with scrypt and a random salt
kept in the header.

File layout: MAGIC, 16 bytes of salt, then per chunk: 4-byte length of the ciphertext, 12-byte nonce, ciphertext.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"KRING-BACKUP-AESGCM-1\n"
CHUNK = 1024 * 1024
SALT_BYTES = 16
NONCE_BYTES = 12
# scrypt's cost: about a tenth of a second and 16 MiB here; a backup is encrypted once, a guess costs the same.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


class DecryptionError(Exception):
    """The file is not an encrypted Kring backup, the passphrase is wrong, or the file was changed or cut off."""


def _key(passphrase: str, salt: bytes) -> bytes:
    if not passphrase:
        raise ValueError("an empty passphrase protects nothing")
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(passphrase.encode("utf-8"))


def _associated(index: int, last: bool) -> bytes:
    return struct.pack(">Q?", index, last)


def _chunks(source: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    """The source in chunks, each with whether it is the last (an empty source is one empty last chunk)."""
    current = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        yield current, not following
        if not following:
            return
        current = following


def encrypt_stream(source: BinaryIO, target: BinaryIO, passphrase: str) -> None:
    salt = os.urandom(SALT_BYTES)
    cipher = AESGCM(_key(passphrase, salt))
    target.write(MAGIC + salt)
    for index, (chunk, last) in enumerate(_chunks(source)):
        nonce = os.urandom(NONCE_BYTES)
        sealed = cipher.encrypt(nonce, chunk, _associated(index, last))
        target.write(struct.pack(">I", len(sealed)) + nonce + sealed)


def decrypt_stream(source: BinaryIO, target: BinaryIO, passphrase: str) -> None:
    if source.read(len(MAGIC)) != MAGIC:
        raise DecryptionError("not an encrypted Kring backup")
    salt = source.read(SALT_BYTES)
    cipher = AESGCM(_key(passphrase, salt))
    index = 0
    while True:
        size_bytes = source.read(4)
        if len(size_bytes) < 4:
            raise DecryptionError("the file ends before its last part: it was cut off")
        (size,) = struct.unpack(">I", size_bytes)
        nonce = source.read(NONCE_BYTES)
        sealed = source.read(size)
        if len(nonce) < NONCE_BYTES or len(sealed) < size:
            raise DecryptionError("the file ends in the middle of a part: it was cut off")
        for last in (False, True):
            try:
                chunk = cipher.decrypt(nonce, sealed, _associated(index, last))
            except InvalidTag:
                continue
            target.write(chunk)
            break
        else:
            raise DecryptionError("wrong passphrase, or the file was changed")
        if last:
            if source.read(1):
                raise DecryptionError("data after the last part: the file was changed")
            return
        index += 1
