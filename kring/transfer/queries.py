"""Reads of transfers. The sender reads a case's transfers through the case's visibility; the receiver reads only
what its organisation was offered, and before accepting only the summary the sender chose to show (decision 193).
Every read is in the access log."""

from __future__ import annotations

from django.db.models import Q

from kring.accounts.models import Jurisdiction, Organisation, Team
from kring.audit.services import Access, Action, log_access, person_access
from kring.cases.choices import LEGAL_CONTEXTS_BY_JURISDICTION
from kring.cases.models import Consent
from kring.cases.queries import get_case
from kring.core.errors import NotFound
from kring.documents.models import Document

from . import keys
from .choices import TransferStatus
from .models import Transfer, TrustedSender
from .services import (
    keeper_organisation_ids,
    may_propose,
    receiver_organisation_ids,
    transfer_access,
)


def case_transfers(actor, case_id) -> dict:
    """The case's transfers (sent from it or received into it) and, for who may propose, what the form offers."""
    case = get_case(actor, case_id)
    transfers = list(
        Transfer.objects.filter(Q(sending_case=case) | Q(received_case=case)).select_related("receiving_organisation")
    )
    for transfer in transfers:
        # Which side of the transfer this case is: the page and the API show the sending case's id to it only.
        setattr(transfer, "side", "sender" if transfer.sending_case_id == case.pk else "receiver")  # noqa: B010
    if transfers:
        log_access(actor, Action.LIST, [transfer_access(t, getattr(t, "side")) for t in transfers])  # noqa: B009
    proposer = may_propose(actor.user, case) and case.status != "closed"
    offer: dict = {"documents": [], "consents": [], "organisations": []}
    if proposer:
        offer["documents"] = list(Document.objects.filter(case=case).order_by("title", "pk"))
        offer["consents"] = list(Consent.objects.filter(case=case).select_related("person").order_by("-given_on"))
        offer["organisations"] = list(Organisation.objects.exclude(pk=case.organisation_id).order_by("name"))
        if offer["consents"]:
            persons = {c.person_id: c.person for c in offer["consents"]}
            log_access(actor, Action.LIST, [person_access(p) for p in persons.values()])
    return {
        "case": case,
        "transfers": transfers,
        "may_propose": proposer,
        "open": any(t.status == TransferStatus.PROPOSED and getattr(t, "side") == "sender" for t in transfers),  # noqa: B009
        **offer,
    }


def incoming(actor) -> list[Transfer]:
    """The transfers offered to the user's organisations (where they are team lead or coordinator), open first."""
    organisation_ids = receiver_organisation_ids(actor.user)
    rows = list(
        Transfer.objects.filter(receiving_organisation_id__in=organisation_ids)
        .select_related("receiving_organisation")
        .order_by("-proposed_at", "-id")[:200]
    )
    rows.sort(key=lambda t: t.status != TransferStatus.PROPOSED)
    if rows:
        log_access(actor, Action.LIST, [transfer_access(t, "receiver") for t in rows])
    return rows


def incoming_transfer(actor, transfer_id) -> Transfer:
    """One transfer offered to the user's organisation: its summary, never the sending case itself."""
    transfer = Transfer.objects.filter(pk=transfer_id).select_related("receiving_organisation").first()
    if transfer is None or transfer.receiving_organisation_id not in receiver_organisation_ids(actor.user):
        log_access(
            actor,
            Action.DENIED,
            [transfer_access(transfer, "receiver") if transfer else Access("transfer", transfer_id)],
        )
        raise NotFound()
    log_access(actor, Action.VIEW, [transfer_access(transfer, "receiver")])
    return transfer


def sender_transfer(actor, transfer_id) -> Transfer:
    """One transfer of a case the user may see, for its sending side (the page of a sent package)."""
    transfer = Transfer.objects.filter(pk=transfer_id).first()
    if transfer is None or transfer.sending_case_id is None:
        log_access(actor, Action.DENIED, [Access("transfer", transfer_id)])
        raise NotFound()
    get_case(actor, transfer.sending_case_id)
    log_access(actor, Action.VIEW, [transfer_access(transfer, "sender")])
    return transfer


def accept_choices(transfer: Transfer) -> dict:
    """The teams and legal contexts the receiver chooses from."""
    organisation = transfer.receiving_organisation
    assert organisation is not None
    contexts = [(c.value, c.label) for c in LEGAL_CONTEXTS_BY_JURISDICTION[Jurisdiction(organisation.jurisdiction)]]
    return {"teams": list(Team.objects.filter(organisation=organisation)), "legal_contexts": contexts}


def receiver_organisations(actor) -> list[Organisation]:
    return list(Organisation.objects.filter(pk__in=receiver_organisation_ids(actor.user)))


def keeper_page(actor) -> dict:
    """For a privacy officer or functional administrator: the organisations' own public keys (to give to the
    receivers) and their trusted senders."""
    organisation_ids = keeper_organisation_ids(actor.user)
    organisations = list(Organisation.objects.filter(pk__in=organisation_ids))
    own = [(organisation, keys.public_key(organisation)) for organisation in organisations]
    senders = list(TrustedSender.objects.filter(organisation_id__in=organisation_ids).select_related("organisation"))
    if senders:
        log_access(actor, Action.LIST, [Access("trusted_sender", s.pk, None, s.organisation_id) for s in senders])
    return {"own_keys": own, "senders": senders, "organisations": organisations}
