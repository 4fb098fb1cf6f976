"""The writes of a transfer (decisions 192 to 196): propose, withdraw, accept, refuse, send as a package, take a
package in, and keep the list of trusted senders.

Who may do what (decision 193): the sending case's coordinator or team lead (on its case team, or leading its team)
proposes and withdraws; a team lead or coordinator of the receiving organisation accepts or refuses; a privacy
officer or functional administrator keeps the trusted senders. Every write is one transaction, refuses a stale
version, and is in the access log on both sides: the sender's entry names the sending case and organisation, the
receiver's names the receiving organisation (and, once accepted, the new case).
"""

from __future__ import annotations

import datetime
import functools
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.accounts.models import Jurisdiction, Organisation, Role, Team
from kring.audit.services import Access, Action, case_access, log_access
from kring.cases.choices import (
    LEGAL_CONTEXTS_BY_JURISDICTION,
    CaseRole,
    CaseStatus,
    ClosureReason,
)
from kring.cases.editing import case_standing, forget_scope, lock_case
from kring.cases.models import Case, CaseTeamMember, Consent, consent_in_force
from kring.core.errors import NotFound, StaleEdit
from kring.core.history import set_history_user
from kring.documents.models import Document
from kring.documents.storage import document_storage
from kring.journal.models import Category, JournalEntry, Visibility

from . import content as content_module
from . import keys, package
from .choices import NEEDS_CONSENT, Direction, LegalBasis, TransferStatus
from .models import Transfer, TrustedSender

RECEIVER_ROLES = frozenset({Role.TEAM_LEAD, Role.COORDINATOR})
KEEPER_ROLES = frozenset({Role.PRIVACY_OFFICER, Role.ADMINISTRATOR})
PROPOSE_FIELDS = {
    "receiving_organisation",
    "external_receiver",
    "legal_basis",
    "basis_note",
    "consent_ids",
    "include_network",
    "include_journal",
    "include_team_only",
    "include_plans",
    "document_ids",
    "reason",
}


def package_max_bytes() -> int:
    return getattr(settings, "KRING_TRANSFER_PACKAGE_MAX_BYTES", 4 * settings.KRING_DOCUMENT_MAX_BYTES)


def transfer_access(transfer: Transfer, side: str) -> Access:
    """The access-log record of a transfer on one side: the sender's (with the sending case) or the receiver's."""
    if side == "sender":
        return Access("transfer", transfer.pk, transfer.sending_case_id, transfer.sending_organisation_id)
    return Access("transfer", transfer.pk, transfer.received_case_id, transfer.receiving_organisation_id)


def both_sides(transfer: Transfer) -> list[Access]:
    sides = []
    if transfer.sending_organisation_id:
        sides.append(transfer_access(transfer, "sender"))
    if transfer.receiving_organisation_id:
        sides.append(transfer_access(transfer, "receiver"))
    return sides


# ---- who may ---------------------------------------------------------------------------------------------------


def may_propose(user, case) -> bool:
    """The coordinator or team lead of the case team, or the lead of the team that owns the case."""
    role, leads = case_standing(user, case)
    return leads or role in (CaseRole.COORDINATOR, CaseRole.TEAM_LEAD)


def check_may_propose(user, case) -> None:
    if not may_propose(user, case):
        raise PermissionDenied(_("Only the coordinator or the team lead of this case can transfer it."))


def receiver_organisation_ids(user) -> set[int]:
    """The organisations where the user may take a transferred case in: as team lead or coordinator."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return {m.organisation_id for m in user.active_memberships() if m.role in RECEIVER_ROLES}


def keeper_organisation_ids(user) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return {m.organisation_id for m in user.active_memberships() if m.role in KEEPER_ROLES}


def _refuse(actor, accesses: list[Access], message: str):
    error = PermissionDenied(message)
    error.kring_refused = accesses  # type: ignore[attr-defined]
    raise error


def _not_found(accesses: list[Access]):
    error = NotFound()
    error.kring_refused = accesses  # type: ignore[attr-defined]
    return error


def logs_refusals(service):
    """Log a refused service call as 'denied' after its transaction rolled back, so the refusal stays on record
    while nothing of the change does. The refusal carries what it was about (``kring_refused``)."""

    @functools.wraps(service)
    def wrapper(actor, *args, **kwargs):
        try:
            return service(actor, *args, **kwargs)
        except (NotFound, PermissionDenied) as error:
            accesses = getattr(error, "kring_refused", None)
            if accesses:
                log_access(actor, Action.DENIED, accesses)
            raise

    return wrapper


def _check_version(transfer: Transfer, expected_version) -> None:
    from kring.core.errors import form_version

    expected = form_version(expected_version)
    if expected is not None and expected != transfer.version:
        raise StaleEdit([(_("status"), "", transfer.get_status_display(), transfer.decided_by_name or "")])


def _check_open(transfer: Transfer) -> None:
    if transfer.status != TransferStatus.PROPOSED:
        raise ValidationError(
            _("This transfer is no longer open: it is %(status)s.") % {"status": transfer.get_status_display()}
        )


def _name(user) -> str:
    return (str(user) or user.email)[:254]


# ---- propose and withdraw ----------------------------------------------------------------------------------------


def _age(born: datetime.date | None, today: datetime.date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _ids(value, field: str) -> list[int]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        value = [value]
    try:
        found = sorted({int(v) for v in value})
    except (TypeError, ValueError, OverflowError):
        raise ValidationError({field: [_("Choose from the list.")]}) from None
    if any(not 0 < v < 2**63 for v in found):
        raise ValidationError({field: [_("Choose from the list.")]})
    return found


def _flag(value) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "on", "yes")
    return bool(value)


@logs_refusals
@transaction.atomic
def propose(actor, case_id, data: dict) -> Transfer:
    """Propose to transfer the case: to an organisation of this installation, or (with ``external_receiver``) to
    another installation, through a package the sender then makes."""
    try:
        case = lock_case(case_id, actor.user)
    except NotFound:
        from kring.cases.queries import refused_case_access

        raise _not_found([refused_case_access(case_id)]) from None
    if not may_propose(actor.user, case):
        _refuse(actor, [case_access(case)], _("Only the coordinator or the team lead of this case can transfer it."))
    unknown = sorted(set(data) - PROPOSE_FIELDS)
    errors: dict[str, list] = {name: [_("Unknown field.")] for name in unknown}
    if case.status == CaseStatus.CLOSED:
        errors.setdefault("__all__", []).append(_("A closed case cannot be transferred."))
    if Transfer.objects.filter(sending_case=case, status=TransferStatus.PROPOSED).exists():
        errors.setdefault("__all__", []).append(
            _("This case has a proposed transfer already. Withdraw it first to propose another.")
        )
    receiver: Any = data.get("receiving_organisation")
    external = str(data.get("external_receiver") or "").strip()
    organisation = None
    if receiver not in (None, ""):
        if isinstance(receiver, Organisation):
            receiver = receiver.pk
        try:
            organisation = Organisation.objects.filter(pk=int(receiver)).first()
        except (TypeError, ValueError, OverflowError):
            organisation = None
        if organisation is None:
            errors["receiving_organisation"] = [_("Choose an organisation from the list.")]
        elif organisation.pk == case.organisation_id:
            errors["receiving_organisation"] = [_("A case cannot be transferred to its own organisation.")]
    if (organisation is None) == (not external) and "receiving_organisation" not in errors:
        errors["receiving_organisation"] = [
            _("Choose an organisation of this installation, or name a receiver in another installation; not both.")
        ]
    basis = str(data.get("legal_basis") or "")
    if basis not in LegalBasis.values:
        errors["legal_basis"] = [_("Choose the legal basis of the transfer.")]
    note = str(data.get("basis_note") or "").strip()
    if not note:
        errors["basis_note"] = [_("Write down the legal basis or the consent in words.")]
    reason = str(data.get("reason") or "").strip()
    if not reason:
        errors["reason"] = [_("Write the reason for the transfer; the receiver reads it before deciding.")]
    try:
        consent_ids = _ids(data.get("consent_ids"), "consent_ids")
        document_ids = _ids(data.get("document_ids"), "document_ids")
    except ValidationError as error:
        errors.update(error.message_dict)
        consent_ids, document_ids = [], []
    consents = Consent.objects.filter(case=case, pk__in=consent_ids)
    if len(consent_ids) != consents.count():
        errors["consent_ids"] = [_("Choose consents of this case.")]
    elif basis in NEEDS_CONSENT and not consents.filter(consent_in_force(timezone.localdate())).exists():
        errors["consent_ids"] = [_("A transfer on consent needs at least one consent in force, chosen here.")]
    if len(document_ids) != Document.objects.filter(case=case, pk__in=document_ids).count():
        errors["document_ids"] = [_("Choose documents of this case.")]
    central = content_module.central_person(case)
    if central is None:
        errors.setdefault("__all__", []).append(_("The case has no central person; it cannot be transferred."))
    for name, limit in (("basis_note", 2000), ("reason", 2000), ("external_receiver", 200)):
        if len(str(data.get(name) or "")) > limit:
            errors[name] = [_("At most %(limit)s characters.") % {"limit": limit}]
    if errors:
        raise ValidationError(errors)
    assert central is not None
    include_journal = _flag(data.get("include_journal"))
    transfer = Transfer.objects.create(
        organisation=case.organisation,
        direction=Direction.INTERNAL if organisation else Direction.OUTGOING,
        sending_case=case,
        sending_organisation=case.organisation,
        sender_name=case.organisation.name,
        sender_case_number=case.number,
        receiving_organisation=organisation,
        external_receiver="" if organisation else external,
        proposed_by=actor.user,
        proposed_by_name=_name(actor.user),
        proposed_at=timezone.now(),
        legal_basis=basis,
        basis_note=note,
        consent_ids=consent_ids,
        include_network=_flag(data.get("include_network", True)),
        include_journal=include_journal,
        include_team_only=include_journal and _flag(data.get("include_team_only")),
        include_plans=_flag(data.get("include_plans")),
        document_ids=document_ids,
        child_name=central.first_name,
        child_age=_age(central.birth_date, timezone.localdate()),
        reason=reason,
    )
    log_access(actor, Action.CREATE, [*both_sides(transfer), case_access(case)], detail="transfer proposed")
    return transfer


def _sender_transfer(actor, transfer_id) -> tuple[Transfer, Case]:
    """The transfer, locked, with its sending case, if the user may act for the sender; else refused and logged."""
    transfer = _lock(transfer_id)
    if transfer is None or transfer.sending_case_id is None:
        raise _not_found([Access("transfer", transfer_id)])
    try:
        case = lock_case(transfer.sending_case_id, actor.user)
    except NotFound:
        raise _not_found([transfer_access(transfer, "sender")]) from None
    if not may_propose(actor.user, case):
        _refuse(
            actor,
            [transfer_access(transfer, "sender")],
            _("Only the coordinator or the team lead of this case can transfer it."),
        )
    return transfer, case


def _lock(transfer_id) -> Transfer | None:
    try:
        transfer_id = int(transfer_id)
    except (TypeError, ValueError):
        return None
    if not 0 < transfer_id < 2**63:
        return None
    return Transfer.objects.select_for_update().filter(pk=transfer_id).first()


@logs_refusals
@transaction.atomic
def withdraw(actor, transfer_id, expected_version) -> Transfer:
    transfer, case = _sender_transfer(actor, transfer_id)
    _check_version(transfer, expected_version)
    _check_open(transfer)
    transfer.status = TransferStatus.WITHDRAWN
    transfer.decided_by = actor.user
    transfer.decided_by_name = _name(actor.user)
    transfer.decided_at = timezone.now()
    transfer.version += 1
    transfer.save()
    log_access(actor, Action.UPDATE, both_sides(transfer), detail="transfer withdrawn")
    return transfer


# ---- close the sending case --------------------------------------------------------------------------------------


def _close_sender(actor, case: Case, transfer: Transfer, receiver: str) -> None:
    """Close the sending case (which starts its retention period, kring.retention.closing) and say so in its
    journal."""
    today = timezone.localdate()
    case.status = CaseStatus.CLOSED
    case.closure_reason = ClosureReason.REFERRED_ELSEWHERE
    case.closed_on = today
    case.version += 1
    set_history_user(case, actor.user)
    case.save()
    JournalEntry(
        case=case,
        organisation_id=case.organisation_id,
        author=actor.user,
        author_name=f"{_name(actor.user)}"[:254],
        occurred_at=timezone.now(),
        category=Category.DECISION,
        visibility=Visibility.TEAM_ONLY,
        text=_(
            "The case was transferred to %(receiver)s (legal basis: %(basis)s). The case file is closed and kept "
            "for its retention period. What went is recorded with the transfer (digest %(digest)s)."
        )
        % {"receiver": receiver, "basis": transfer.get_legal_basis_display(), "digest": transfer.digest[:16]},
    ).save()
    log_access(actor, Action.UPDATE, [case_access(case)], detail="closed by transfer")


# ---- accept and refuse -------------------------------------------------------------------------------------------


def _receiver_transfer(actor, transfer_id) -> Transfer:
    """The transfer, locked, if the user may decide for the receiving organisation; else refused and logged."""
    transfer = _lock(transfer_id)
    if transfer is None or transfer.receiving_organisation_id is None:
        raise _not_found([Access("transfer", transfer_id)])
    if transfer.receiving_organisation_id not in receiver_organisation_ids(actor.user):
        raise _not_found([transfer_access(transfer, "receiver")])
    return transfer


def _target(transfer: Transfer, data: dict) -> dict:
    organisation = transfer.receiving_organisation
    assert organisation is not None
    errors = {}
    team: Any = data.get("team")
    if isinstance(team, Team):
        team = team.pk
    try:
        team = Team.objects.filter(pk=int(team), organisation=organisation).first() if team not in (None, "") else None
    except (TypeError, ValueError, OverflowError):
        team = None
    if team is None:
        errors["team"] = [_("Choose a team of your organisation.")]
    allowed = {c.value for c in LEGAL_CONTEXTS_BY_JURISDICTION[Jurisdiction(organisation.jurisdiction)]}
    legal_context = str(data.get("legal_context") or "")
    if legal_context not in allowed:
        errors["legal_context"] = [_("Choose the legal context of the case in your organisation.")]
    unknown = sorted(set(data) - {"team", "legal_context"})
    errors.update({name: [_("Unknown field.")] for name in unknown})
    if errors:
        raise ValidationError(errors)
    return {"organisation": organisation, "team": team, "legal_context": legal_context}


@logs_refusals
def accept(actor, transfer_id, data: dict, expected_version) -> Case:
    """Take the transfer in: a new case in the receiving organisation, with the user on its case team. Internal:
    the sending case closes. Nothing is kept if anything fails, no row and no file."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            case, package_name = _accept(actor, transfer_id, data, expected_version, stored)
    except BaseException:
        for name in stored:
            document_storage.delete(name)
        raise
    if package_name:
        document_storage.delete(package_name)
    return case


def _accept(actor, transfer_id, data, expected_version, stored) -> tuple[Case, str]:
    transfer = _receiver_transfer(actor, transfer_id)
    _check_version(transfer, expected_version)
    _check_open(transfer)
    target = _target(transfer, data)
    sending_case = None
    if transfer.direction == Direction.INTERNAL:
        sending_case = (
            Case.objects.select_for_update().filter(pk=transfer.sending_case_id).first()
            if transfer.sending_case_id
            else None
        )
        if sending_case is None or sending_case.status == CaseStatus.CLOSED:
            raise ValidationError(_("The sending case is closed or gone; this transfer can no longer be accepted."))
        body, files, items = content_module.build(sending_case, transfer)
        documents = {f"documents/{n}": data for n, data in enumerate(files, start=1)}
    else:
        found = open_stored_package(transfer)
        body, documents, items = found.content, found.documents, found.manifest.get("items") or {}
    case = content_module.apply(actor, body, documents, target, transfer.sender_name, stored)
    role = CaseRole.TEAM_LEAD if Role.TEAM_LEAD in actor.user.roles_in(case.organisation_id) else CaseRole.COORDINATOR
    member = CaseTeamMember(case=case, organisation=case.organisation, user=actor.user, role=role)
    set_history_user(member, actor.user)
    member.save()
    forget_scope(actor.user)
    package_name = transfer.package_name
    transfer.status = TransferStatus.ACCEPTED
    transfer.received_case = case
    transfer.items = items
    transfer.digest = package.digest_of(items) if transfer.direction == Direction.INTERNAL else transfer.digest
    transfer.decided_by = actor.user
    transfer.decided_by_name = _name(actor.user)
    transfer.decided_at = timezone.now()
    transfer.package_name = ""
    transfer.version += 1
    transfer.save()
    JournalEntry(
        case=case,
        organisation=case.organisation,
        author=actor.user,
        author_name=_name(actor.user),
        occurred_at=timezone.now(),
        category=Category.DECISION,
        visibility=Visibility.TEAM_ONLY,
        text=_(
            "This case was received by transfer from %(sender)s (their case %(number)s), legal basis: %(basis)s. "
            "%(note)s"
        )
        % {
            "sender": transfer.sender_name,
            "number": transfer.sender_case_number,
            "basis": transfer.get_legal_basis_display(),
            "note": transfer.basis_note,
        },
    ).save()
    from kring.audit.services import person_access

    log_access(
        actor,
        Action.CREATE,
        [*both_sides(transfer), case_access(case)] + [person_access(p) for p in case.persons.all()],
        detail="transfer accepted",
    )
    if sending_case is not None:
        _close_sender(actor, sending_case, transfer, str(transfer.receiving_organisation))
    return case, package_name


@logs_refusals
def refuse(actor, transfer_id, reason: str, expected_version) -> Transfer:
    """Refuse the transfer with a reason the sender reads. A refused package is not kept: only the record that it
    came and was refused stays."""
    with transaction.atomic():
        transfer, package_name = _refuse_transfer(actor, transfer_id, reason, expected_version)
    if package_name:
        document_storage.delete(package_name)
    return transfer


def _refuse_transfer(actor, transfer_id, reason: str, expected_version) -> tuple[Transfer, str]:
    transfer = _receiver_transfer(actor, transfer_id)
    _check_version(transfer, expected_version)
    _check_open(transfer)
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Write why you refuse the transfer; the sender reads it.")]})
    if len(reason) > 2000:
        raise ValidationError({"reason": [_("At most %(limit)s characters.") % {"limit": 2000}]})
    package_name = transfer.package_name
    transfer.status = TransferStatus.REFUSED
    transfer.refusal_reason = reason
    transfer.decided_by = actor.user
    transfer.decided_by_name = _name(actor.user)
    transfer.decided_at = timezone.now()
    transfer.package_name = ""
    transfer.version += 1
    transfer.save()
    log_access(actor, Action.UPDATE, both_sides(transfer), detail="transfer refused")
    return transfer, package_name


# ---- packages ------------------------------------------------------------------------------------------------


def _package_for(transfer: Transfer, case: Case) -> bytes:
    record, private_key = keys.signing_key(case.organisation)
    body, files, items = content_module.build(case, transfer)
    manifest = {
        "sender": {
            "installation_id": str(record.installation_id),
            "organisation": case.organisation.name,
        },
        "receiver": transfer.external_receiver,
        "created_at": transfer.decided_at.isoformat() if transfer.decided_at else timezone.now().isoformat(),
        "transfer": {
            "sender_case_number": transfer.sender_case_number,
            "legal_basis": transfer.legal_basis,
            "basis_note": transfer.basis_note,
            "child_name": transfer.child_name,
            "child_age": transfer.child_age,
            "reason": transfer.reason,
            "proposed_by": transfer.proposed_by_name,
        },
        "items": items,
        "digest": package.digest_of(items),
    }
    return package.build(manifest, body, files, private_key)


@logs_refusals
@transaction.atomic
def export_package(actor, transfer_id, expected_version) -> Transfer:
    """Send an outgoing transfer: make its signed package and close the sending case. The package is made again,
    byte for byte, when it is downloaded (``package_bytes``); its checksum is kept to prove that."""
    transfer, case = _sender_transfer(actor, transfer_id)
    _check_version(transfer, expected_version)
    _check_open(transfer)
    if transfer.direction != Direction.OUTGOING:
        raise ValidationError(_("Only a transfer to another installation is sent as a package."))
    transfer.decided_at = timezone.now().replace(microsecond=0)
    data = _package_for(transfer, case)
    found = package.read(
        data, max(package_max_bytes(), len(data)), lambda f: keys.public_key(case.organisation).public_key
    )
    transfer.items = found.manifest["items"]
    transfer.digest = found.manifest["digest"]
    transfer.package_sha256 = package.sha256(data)
    transfer.sender_fingerprint = found.fingerprint
    transfer.status = TransferStatus.EXPORTED
    transfer.decided_by = actor.user
    transfer.decided_by_name = _name(actor.user)
    transfer.version += 1
    transfer.save()
    log_access(actor, Action.EXPORT, [transfer_access(transfer, "sender"), case_access(case)], detail="package made")
    _close_sender(actor, case, transfer, transfer.external_receiver)
    return transfer


@logs_refusals
def package_bytes(actor, transfer_id) -> tuple[Transfer, bytes]:
    """The signed package of a sent transfer, made again from the (closed) case and checked against the checksum
    taken when it was sent."""
    with transaction.atomic():
        transfer, case = _sender_transfer(actor, transfer_id)
    if transfer.status != TransferStatus.EXPORTED:
        raise ValidationError(_("This transfer has not been sent as a package."))
    data = _package_for(transfer, case)
    if package.sha256(data) != transfer.package_sha256:
        raise ValidationError(
            _("The case changed after the package was sent, so the same package cannot be made again.")
        )
    log_access(actor, Action.EXPORT, [transfer_access(transfer, "sender"), case_access(case)], detail="package")
    return transfer, data


def refusal_message(refused: package.PackageRefused) -> str:
    code, values = refused.code, refused.values
    if code == "empty":
        return _("The file is empty. Nothing was stored.")
    if code == "too_large":
        return _("The package is larger than %(limit)s MB. Nothing was stored.") % {
            "limit": values["limit"] // (1024 * 1024)
        }
    if code == "path":
        return _("The package contains a file with a folder path in its name (%(name)s). Nothing was stored.") % values
    if code == "unexpected_member":
        return _("The package contains a file that does not belong in it (%(name)s). Nothing was stored.") % values
    if code == "missing_member":
        return _("The package lacks the part %(name)s. Nothing was stored.") % values
    if code in ("zip_bomb", "too_many_members"):
        return _("The package unpacks to far more than its own size, as a zip bomb does. Nothing was stored.")
    if code == "format_version":
        return (
            _("The package has format version %(version)s, which this installation does not read. Nothing was stored.")
            % values
        )
    if code == "unknown_sender":
        return (
            _(
                "The package was signed with a key your organisation does not trust (fingerprint %(fingerprint)s). "
                "Ask your privacy officer to register the sender. Nothing was stored."
            )
            % values
        )
    if code == "signature":
        return _(
            "The signature of the package is not right: it was changed or not signed by the sender. Nothing was stored."
        )
    if code == "checksum":
        return _("A file in the package does not match its checksum: the package was changed. Nothing was stored.")
    if code == "manifest":
        return _("The description of the package (manifest) is missing or damaged. Nothing was stored.")
    return _("This file is no transfer package of Kring. Nothing was stored.")


def _trusted_key(organisation_id: int):
    def lookup(fingerprint: str) -> str | None:
        return (
            TrustedSender.objects.filter(organisation_id=organisation_id, fingerprint=fingerprint, active=True)
            .values_list("public_key", flat=True)
            .first()
        )

    return lookup


def read_package(organisation_id: int, data: bytes) -> package.Package:
    try:
        return package.read(data, package_max_bytes(), _trusted_key(organisation_id))
    except package.PackageRefused as refused:
        raise ValidationError({"file": [refusal_message(refused)]}) from None


def open_stored_package(transfer: Transfer) -> package.Package:
    """An imported package read again from where it waits for the decision, checked as when it came in."""
    try:
        with document_storage.open(transfer.package_name, "rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        data = b""
    if package.sha256(data) != transfer.package_sha256:
        raise ValidationError(_("The stored package is missing or changed. Ask the sender for a new package."))
    assert transfer.receiving_organisation_id is not None
    return read_package(transfer.receiving_organisation_id, data)


def _summary_text(value, limit: int) -> str:
    return str(value if value is not None else "")[:limit]


@logs_refusals
def import_package(actor, organisation_id, data) -> Transfer:
    """Take a package in as an incoming transfer of the organisation, to accept or refuse like an internal one.
    A refused package leaves nothing stored: no row, no file."""
    try:
        organisation_id = int(organisation_id)
    except (TypeError, ValueError):
        raise ValidationError({"organisation": [_("Choose your organisation.")]}) from None
    if organisation_id not in receiver_organisation_ids(actor.user):
        _refuse(
            actor,
            [Access("transfer_import", "", None, organisation_id)],
            _("Only a team lead or coordinator of the organisation can take a transfer in."),
        )
    if not isinstance(data, bytes | bytearray) or not data:
        raise ValidationError({"file": [_("Choose the package file (.zip).")]})
    found = read_package(organisation_id, bytes(data))
    checksum = package.sha256(bytes(data))
    if Transfer.objects.filter(receiving_organisation_id=organisation_id, package_sha256=checksum).exists():
        raise ValidationError({"file": [_("This package was taken in already. Nothing was stored.")]})
    summary = found.manifest["transfer"]
    basis = summary.get("legal_basis") if summary.get("legal_basis") in LegalBasis.values else None
    if basis is None or not str(summary.get("reason") or "").strip():
        raise ValidationError({"file": [refusal_message(package.PackageRefused("manifest"))]})
    sender = TrustedSender.objects.get(organisation_id=organisation_id, fingerprint=found.fingerprint, active=True)
    age = summary.get("child_age")
    name = document_storage.save(uuid.uuid4().hex, ContentFile(bytes(data)))
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                organisation_id=organisation_id,
                direction=Direction.INCOMING,
                sender_name=_summary_text(sender.name, 200),
                sender_case_number=_summary_text(summary.get("sender_case_number"), 30),
                receiving_organisation_id=organisation_id,
                proposed_by_name=_summary_text(summary.get("proposed_by"), 254),
                proposed_at=timezone.now(),
                legal_basis=basis,
                basis_note=_summary_text(summary.get("basis_note"), 2000),
                child_name=_summary_text(summary.get("child_name"), 100),
                child_age=age if isinstance(age, int) and 0 <= age < 150 else None,
                reason=_summary_text(summary.get("reason"), 2000),
                items=found.manifest.get("items") if isinstance(found.manifest.get("items"), dict) else {},
                digest=_summary_text(found.manifest.get("digest"), 64),
                package_sha256=checksum,
                sender_fingerprint=found.fingerprint,
                package_name=name,
                include_journal=bool(found.content.get("journal")),
                include_plans=bool(found.content.get("plans")),
            )
            log_access(actor, Action.CREATE, [transfer_access(transfer, "receiver")], detail="package taken in")
    except BaseException:
        document_storage.delete(name)
        raise
    return transfer


# ---- trusted senders -------------------------------------------------------------------------------------------


@logs_refusals
@transaction.atomic
def add_trusted_sender(actor, organisation_id, name, public_key) -> TrustedSender:
    try:
        organisation_id = int(organisation_id)
    except (TypeError, ValueError):
        raise ValidationError({"organisation": [_("Choose your organisation.")]}) from None
    if organisation_id not in keeper_organisation_ids(actor.user):
        _refuse(
            actor,
            [Access("trusted_sender", "", None, organisation_id)],
            _("Only the privacy officer or the functional administrator keeps the trusted senders."),
        )
    errors = {}
    name = str(name or "").strip()
    if not name or len(name) > 200:
        errors["name"] = [_("Give the sender's name (at most 200 characters).")]
    key = package.valid_public_key(str(public_key or ""))
    if key is None:
        errors["public_key"] = [_("This is no public key of Kring: it must be 64 characters 0-9 and a-f.")]
    elif TrustedSender.objects.filter(
        organisation_id=organisation_id, fingerprint=package.fingerprint_of(key)
    ).exists():
        errors["public_key"] = [_("This key is registered already.")]
    if errors:
        raise ValidationError(errors)
    assert key is not None
    sender = TrustedSender.objects.create(
        organisation_id=organisation_id,
        name=name,
        public_key=key,
        fingerprint=package.fingerprint_of(key),
        added_by=actor.user,
    )
    log_access(actor, Action.CREATE, [Access("trusted_sender", sender.pk, None, organisation_id)])
    return sender


@logs_refusals
@transaction.atomic
def set_sender_trusted(actor, sender_id, trusted: bool) -> TrustedSender:
    sender = TrustedSender.objects.select_for_update().filter(pk=sender_id).first()
    if sender is None or sender.organisation_id not in keeper_organisation_ids(actor.user):
        raise _not_found([Access("trusted_sender", sender_id, None, sender.organisation_id if sender else None)])
    sender.active = bool(trusted)
    sender.save(update_fields=["active"])
    log_access(actor, Action.UPDATE, [Access("trusted_sender", sender.pk, None, sender.organisation_id)])
    return sender
