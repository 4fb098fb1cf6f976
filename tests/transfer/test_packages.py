"""Item 7 of issue 15: a transfer between two installations as a signed package (decisions 195 and 196).

Organisation A and organisation B pose as two installations: A sends its case as a package, B's privacy officer
trusts A's public key, B's team lead takes the package in and accepts it. Every damaged or untrusted package is
refused with a sentence that says why, and nothing is stored: no transfer, no file."""

import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kring.audit.models import AccessLogEntry
from kring.cases.models import Case
from kring.documents import services as document_services
from kring.documents.models import DocumentVersion
from kring.transfer import keys, package, services
from kring.transfer.choices import Direction, TransferStatus
from kring.transfer.models import SigningKey, Transfer, TrustedSender
from tests.documents.samples import PDF
from tests.factories import actor

from .conftest import stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(world):
    """A's case sent as a package to "Jeugdzorg Gent" (another installation); (transfer, package bytes)."""
    document_services.add_document(
        actor(world.a.case_worker), world.a.case.pk, {"title": "Verslag", "kind": "report"}, "verslag.pdf", PDF
    )
    document = world.a.case and DocumentVersion.objects.get().document
    transfer = services.propose(
        actor(world.a.lead),
        world.a.case.pk,
        {
            "external_receiver": "Jeugdzorg Gent",
            "legal_basis": "vital_interest",
            "basis_note": "Veiligheid van het kind; overdracht aan de hulp in Gent.",
            "reason": "Het gezin woont nu in Gent.",
            "document_ids": [document.pk],
        },
    )
    assert transfer.direction == Direction.OUTGOING
    transfer = services.export_package(actor(world.a.lead), transfer.pk, transfer.version)
    _transfer, data = services.package_bytes(actor(world.a.lead), transfer.pk)
    return transfer, data


def _trust(world, name="Kring Utrecht"):
    return services.add_trusted_sender(
        actor(world.b.privacy_officer), world.b.org.pk, name, keys.public_key(world.a.org).public_key
    )


def _members(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info.filename) for info in archive.infolist()}


def _zip(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _resigned(data: bytes, world, change) -> bytes:
    """The package with its manifest changed by ``change`` and signed again with A's own key."""
    members = _members(data)
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    members["signature"] = keys.signing_key(world.a.org)[1].sign(members["manifest.json"]).hex().encode()
    return _zip(members)


def test_a_package_goes_from_one_installation_to_the_other(world, sent, documents_in_a_folder_of_their_own):
    transfer, data = sent
    sender = Case.objects.get(pk=world.a.case.pk)
    assert sender.status == "closed" and transfer.status == TransferStatus.EXPORTED
    assert package.sha256(data) == transfer.package_sha256
    # Made again on download, byte for byte.
    assert services.package_bytes(actor(world.a.lead), transfer.pk)[1] == data
    manifest = json.loads(_members(data)["manifest.json"])
    assert manifest["format_version"] == 1 and manifest["sender"]["organisation"] == world.a.org.name
    assert manifest["sender"]["installation_id"] == str(
        SigningKey.objects.get(organisation=world.a.org).installation_id
    )
    assert set(manifest["files"]) == {"content.json", "documents/1"}

    _trust(world)
    incoming = services.import_package(actor(world.b.lead), world.b.org.pk, data)
    assert incoming.status == TransferStatus.PROPOSED and incoming.direction == Direction.INCOMING
    assert incoming.sender_name == "Kring Utrecht" and incoming.digest == transfer.digest
    assert len(stored_files(documents_in_a_folder_of_their_own)) == 2  # the sender's document and the package
    case = services.accept(
        actor(world.b.lead), incoming.pk, {"team": world.b.team.pk, "legal_context": "vl_voluntary"}, incoming.version
    )
    assert case.organisation == world.b.org
    assert sorted(p.full_name for p in case.persons.all()) == sorted(p.full_name for p in sender.persons.all())
    version = DocumentVersion.objects.get(document__case=case)
    assert version.sha256 == DocumentVersion.objects.get(document__case=sender).sha256
    incoming.refresh_from_db()
    assert incoming.status == TransferStatus.ACCEPTED and incoming.package_name == ""
    # The waiting package is gone once decided: the two documents stay.
    assert len(stored_files(documents_in_a_folder_of_their_own)) == 2
    with pytest.raises(ValidationError):
        services.import_package(actor(world.b.lead), world.b.org.pk, data)  # the same package twice


def test_a_refused_package_is_not_kept(world, sent, documents_in_a_folder_of_their_own):
    _trust(world)
    incoming = services.import_package(actor(world.b.lead), world.b.org.pk, sent[1])
    services.refuse(actor(world.b.lead), incoming.pk, "Niet voor ons.", incoming.version)
    assert len(stored_files(documents_in_a_folder_of_their_own)) == 1  # only the sender's own document


def _tampered_content(data, world):
    members = _members(data)
    content = json.loads(members["content.json"])
    content["case"]["question"] = "Iets anders"
    members["content.json"] = json.dumps(content).encode()
    return _zip(members)


def _bad_signature(data, world):
    members = _members(data)
    members["signature"] = ("00" * 64).encode()
    return _zip(members)


def _extra_member(data, world):
    return _zip({**_members(data), "documents/2": b"unlisted"})


def _bomb(data, world):
    return _zip({**_members(data), "documents/2": b"\0" * (60 * 1024 * 1024)})


def _path(data, world):
    return _zip({**_members(data), "../../etc/cron.d/kring": b"x"})


BAD = {
    "signature": (_bad_signature, "handtekening"),
    "changed file": (_tampered_content, "controlegetal"),
    "unlisted file": (_extra_member, "controlegetal"),
    "other format version": (lambda d, w: _resigned(d, w, lambda m: m.update(format_version=2)), "formaatversie 2"),
    "zip bomb": (_bomb, "zipbom"),
    "path in a name": (_path, "mappad"),
    "no zip": (lambda d, w: b"PK\x03\x04 not really a zip", "geen overdrachtspakket"),
    "empty": (lambda d, w: b"", "pakketbestand"),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_every_bad_package_is_refused_with_nothing_stored(world, sent, kind, documents_in_a_folder_of_their_own):
    _trust(world)
    make, words = BAD[kind]
    before = stored_files(documents_in_a_folder_of_their_own)
    with pytest.raises(ValidationError) as error:
        services.import_package(actor(world.b.lead), world.b.org.pk, make(sent[1], world))
    messages = " ".join(error.value.messages)
    assert words in messages, messages
    assert not Transfer.objects.filter(direction=Direction.INCOMING).exists()
    assert stored_files(documents_in_a_folder_of_their_own) == before


def test_an_unknown_or_distrusted_sender_is_refused(world, sent):
    with pytest.raises(ValidationError) as error:
        services.import_package(actor(world.b.lead), world.b.org.pk, sent[1])
    assert "niet vertrouwt" in " ".join(error.value.messages)
    trusted = _trust(world)
    services.set_sender_trusted(actor(world.b.privacy_officer), trusted.pk, False)
    with pytest.raises(ValidationError):
        services.import_package(actor(world.b.lead), world.b.org.pk, sent[1])
    assert not Transfer.objects.filter(direction=Direction.INCOMING).exists()


def test_a_package_over_the_limit_is_refused(world, sent, settings):
    _trust(world)
    settings.KRING_TRANSFER_PACKAGE_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        services.import_package(actor(world.b.lead), world.b.org.pk, sent[1])
    assert "groter dan" in " ".join(error.value.messages)
    assert not Transfer.objects.filter(direction=Direction.INCOMING).exists()


def test_only_a_privacy_officer_or_administrator_trusts_senders_and_only_leads_take_packages_in(world, sent):
    key = keys.public_key(world.a.org).public_key
    for user in (world.b.lead, world.b.case_worker, world.a.privacy_officer):
        with pytest.raises(PermissionDenied):
            services.add_trusted_sender(actor(user), world.b.org.pk, "X", key)
    assert not TrustedSender.objects.exists()
    with pytest.raises(ValidationError):
        services.add_trusted_sender(actor(world.b.administrator), world.b.org.pk, "X", "not a key")
    _trust(world)
    for user in (world.b.case_worker, world.a.lead):
        with pytest.raises(PermissionDenied):
            services.import_package(actor(user), world.b.org.pk, sent[1])
    assert AccessLogEntry.objects.filter(record_type="transfer_import", action="denied").count() == 2


def test_the_signing_key_is_stored_encrypted_and_survives(world):
    record, private_key = keys.signing_key(world.a.org)
    raw = private_key.private_bytes_raw()
    assert raw not in bytes(record.encrypted_private_key)
    again, same = keys.signing_key(world.a.org)
    assert again.pk == record.pk and same.private_bytes_raw() == raw
    assert package.fingerprint_of(record.public_key) == record.fingerprint


def test_the_pages_trust_a_sender_and_take_a_package_in(world, sent, client):
    client.force_login(world.b.privacy_officer)
    page = client.get(reverse("transfer:trusted"))
    assert page.status_code == 200
    key = keys.public_key(world.a.org).public_key
    response = client.post(
        reverse("transfer:trusted"), {"organisation": world.b.org.pk, "name": "Kring Utrecht", "public_key": key}
    )
    assert response.status_code == 302 and TrustedSender.objects.get().fingerprint == package.fingerprint_of(key)
    client.force_login(world.b.lead)
    bad = io.BytesIO(_bad_signature(sent[1], world))
    bad.name = "pakket.zip"
    response = client.post(reverse("transfer:import"), {"organisation": world.b.org.pk, "file": bad})
    assert response.status_code == 200 and "handtekening" in response.content.decode().lower()
    good = io.BytesIO(sent[1])
    good.name = "pakket.zip"
    response = client.post(reverse("transfer:import"), {"organisation": world.b.org.pk, "file": good})
    assert response.status_code == 302
    assert Transfer.objects.filter(direction=Direction.INCOMING).count() == 1
