"""Item 7 of issue 15: a case moves to another organisation of the same installation (decisions 192 to 194)."""

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from kring.audit.models import AccessLogEntry
from kring.cases import services as case_services
from kring.cases.models import Case, Person
from kring.cases.queries import visible_cases
from kring.core.errors import NotFound, StaleEdit
from kring.documents import services as document_services
from kring.documents.models import Document, DocumentVersion
from kring.journal import services as journal_services
from kring.journal.models import JournalEntry
from kring.network.models import Relationship
from kring.retention.models import RetentionPeriod
from kring.transfer import services
from kring.transfer.choices import TransferStatus
from kring.transfer.models import Transfer
from tests.documents.samples import PDF, TEXT
from tests.factories import actor

pytestmark = pytest.mark.django_db


def _entry(world, text, visibility):
    return journal_services.write_entry(
        actor(world.a.case_worker),
        world.a.case.pk,
        {
            "occurred_at": timezone.now() - datetime.timedelta(days=2),
            "category": "home_visit",
            "text": text,
            "visibility": visibility,
        },
    )


@pytest.fixture
def sending(world):
    """A's case with a parent, a relationship, two journal entries (one for the team only) and two documents."""
    case = world.a.case
    child = case.persons.get(is_central=True)
    mother = case_services.add_person(
        actor(world.a.case_worker), case.pk, {"first_name": "Mira", "last_name": "Jansen", "relation": "moeder"}
    )
    Relationship.objects.create(
        case=case, organisation=case.organisation, kind="family", subtype="parent", person_a=mother, person_b=child
    )
    shared = _entry(world, "Huisbezoek: het gaat beter.", "family")
    team_only = _entry(world, "Alleen voor het team: zorgen over de veiligheid.", "team_only")
    chosen = document_services.add_document(
        actor(world.a.case_worker), case.pk, {"title": "Beschikking", "kind": "court_decision"}, "besluit.pdf", PDF
    )
    left = document_services.add_document(
        actor(world.a.case_worker), case.pk, {"title": "Brief school", "kind": "letter_received"}, "brief.txt", TEXT
    )
    return {"case": case, "mother": mother, "shared": shared, "team_only": team_only, "chosen": chosen, "left": left}


def _propose(world, sending, **changes):
    data = {
        "receiving_organisation": world.b.org.pk,
        "legal_basis": "nl_jeugdwet",
        "basis_note": "Jeugdwet art. 7.3.11: overdracht aan de nieuwe jeugdhulpaanbieder.",
        "reason": "Het gezin verhuist naar Vlaanderen.",
        "include_network": True,
        "include_journal": True,
        "include_team_only": False,
        "include_plans": True,
        "document_ids": [sending["chosen"].pk],
        **changes,
    }
    return services.propose(actor(world.a.lead), sending["case"].pk, data)


def _accept(world, transfer, user=None):
    return services.accept(
        actor(user or world.b.lead),
        transfer.pk,
        {"team": world.b.team.pk, "legal_context": "vl_voluntary"},
        transfer.version,
    )


def test_an_internal_transfer_takes_only_what_was_chosen_and_closes_the_sender_into_retention(world, sending):
    transfer = _propose(world, sending)
    assert transfer.status == TransferStatus.PROPOSED
    assert (transfer.child_name, transfer.child_age) == (
        "Kind0",
        timezone.localdate().year - 2015 - ((timezone.localdate().month, timezone.localdate().day) < (3, 1)),
    )
    case = _accept(world, transfer)

    assert case.organisation == world.b.org and case.team == world.b.team and case.pk != sending["case"].pk
    names = sorted(p.full_name for p in case.persons.all())
    assert names == sorted(p.full_name for p in sending["case"].persons.all())
    assert Relationship.objects.filter(case=case, subtype="parent").count() == 1
    received = [e.text for e in JournalEntry.objects.filter(case=case)]
    assert any("Huisbezoek: het gaat beter." in text for text in received)
    assert not any("Alleen voor het team" in text for text in received)
    shared = next(e for e in JournalEntry.objects.filter(case=case) if "Huisbezoek" in e.text)
    assert shared.occurred_at == sending["shared"].occurred_at
    assert sending["shared"].author_name in shared.author_name and world.a.org.name in shared.author_name
    # Only the chosen document, byte for byte the same.
    documents = list(Document.objects.filter(case=case))
    assert [d.title for d in documents] == ["Beschikking"]
    version = DocumentVersion.objects.get(document=documents[0])
    original = DocumentVersion.objects.get(document=sending["chosen"])
    assert version.sha256 == original.sha256
    with version.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == original.sha256

    sender = Case.objects.get(pk=sending["case"].pk)
    assert sender.status == "closed" and sender.closure_reason == "referred_elsewhere"
    assert sender.closed_on == timezone.localdate()
    assert RetentionPeriod.objects.get(case=sender).end_of_care == timezone.localdate()
    assert JournalEntry.objects.filter(case=sender, text__contains=world.b.org.name).exists()

    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED and transfer.received_case == case
    assert transfer.items["journal_entries"] == [sending["shared"].pk]
    assert transfer.items["documents"] == [{"id": sending["chosen"].pk, "version": 1, "sha256": original.sha256}]
    assert len(transfer.digest) == 64
    # Both sides logged it.
    entries = AccessLogEntry.objects.filter(
        record_type="transfer", record_id=str(transfer.pk), detail="transfer accepted"
    )
    assert {e.organisation_id for e in entries} == {world.a.org.pk, world.b.org.pk}


def test_the_receivers_colleagues_without_the_case_do_not_see_it_and_the_accepter_does(world, sending):
    case = _accept(world, _propose(world, sending))
    assert visible_cases(world.b.other_worker).filter(pk=case.pk).count() == 0
    assert visible_cases(world.b.case_worker).filter(pk=case.pk).count() == 0
    assert visible_cases(world.b.lead).filter(pk=case.pk).count() == 1
    # The sender's own people no longer read the new case.
    assert visible_cases(world.a.lead).filter(pk=case.pk).count() == 0


def test_team_only_entries_go_when_chosen(world, sending):
    case = _accept(world, _propose(world, sending, include_team_only=True))
    assert JournalEntry.objects.filter(case=case, text__contains="Alleen voor het team").exists()


def test_refused_transfer_leaves_the_sender_open_and_makes_no_case(world, sending):
    transfer = _propose(world, sending)
    before = Case.objects.count()
    with pytest.raises(ValidationError):
        services.refuse(actor(world.b.lead), transfer.pk, "", transfer.version)
    services.refuse(actor(world.b.lead), transfer.pk, "Wij hebben geen plaats.", transfer.version)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REFUSED and transfer.refusal_reason == "Wij hebben geen plaats."
    assert Case.objects.count() == before
    assert Case.objects.get(pk=sending["case"].pk).status != "closed"
    assert not RetentionPeriod.objects.filter(case=sending["case"]).exists()
    with pytest.raises(ValidationError):
        _accept(world, transfer)


def test_a_stale_decision_is_refused(world, sending):
    transfer = _propose(world, sending)
    with pytest.raises(StaleEdit):
        services.refuse(actor(world.b.lead), transfer.pk, "Nee.", transfer.version + 1)
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PROPOSED


def test_who_may_propose_and_accept(world, sending):
    # A case worker of the case is no coordinator or team lead of it; one of another organisation cannot see it.
    for user in (world.a.case_worker, world.b.lead):
        with pytest.raises((PermissionDenied, NotFound)):
            services.propose(
                actor(user),
                sending["case"].pk,
                {
                    "receiving_organisation": world.b.org.pk,
                    "legal_basis": "vital_interest",
                    "basis_note": "x",
                    "reason": "y",
                },
            )
    assert not Transfer.objects.exists()
    transfer = _propose(world, sending)
    # Nobody but a team lead or coordinator of the receiving organisation accepts; the sender cannot either.
    for user in (world.b.case_worker, world.b.other_worker, world.a.lead, world.a.coordinator):
        with pytest.raises(NotFound):
            _accept(world, transfer, user)
    assert AccessLogEntry.objects.filter(record_type="transfer", action="denied").count() >= 4
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PROPOSED
    case = _accept(world, transfer, world.b.coordinator)
    assert case.organisation == world.b.org


def test_consent_as_basis_needs_a_consent_in_force(world, sending):
    with pytest.raises(ValidationError) as error:
        _propose(world, sending, legal_basis="consent")
    assert "consent_ids" in error.value.message_dict
    consent = case_services.record_consent(
        actor(world.a.case_worker),
        sending["case"].pk,
        {"person": sending["mother"].pk, "purpose": "share_with_professionals", "given_on": timezone.localdate()},
    )
    transfer = _propose(world, sending, legal_basis="consent", consent_ids=[consent.pk])
    assert transfer.consent_ids == [consent.pk]


def test_a_proposal_is_validated_whole(world, sending):
    with pytest.raises(ValidationError) as error:
        services.propose(
            actor(world.a.lead),
            sending["case"].pk,
            {"receiving_organisation": world.a.org.pk, "legal_basis": "nonsense", "document_ids": [999999]},
        )
    assert {"receiving_organisation", "legal_basis", "basis_note", "reason", "document_ids"} <= set(
        error.value.message_dict
    )
    assert not Transfer.objects.exists()
    _propose(world, sending)
    with pytest.raises(ValidationError):
        _propose(world, sending)  # one open proposal per case


def test_the_receiver_sees_only_the_summary_before_accepting(world, sending, client):
    transfer = _propose(world, sending)
    client.force_login(world.b.lead)
    listing = client.get(reverse("transfer:incoming")).content.decode()
    detail = client.get(reverse("transfer:incoming_detail", args=[transfer.pk])).content.decode()
    for page in (listing, detail):
        assert "Kind0" in page
        assert "Mira" not in page and "Huisbezoek" not in page and "Beschikking" not in page
    assert "Het gezin verhuist naar Vlaanderen." in detail
    # The sending case itself stays closed to the receiver.
    assert client.get(reverse("cases:detail", args=[sending["case"].pk])).status_code == 404
    assert client.get(reverse("transfer:case", args=[sending["case"].pk])).status_code == 404
    # Another organisation's team lead is refused the transfer, and that is logged.
    client.force_login(world.a.coordinator)
    assert client.get(reverse("transfer:incoming_detail", args=[transfer.pk])).status_code == 404
    assert AccessLogEntry.objects.filter(
        user_id=world.a.coordinator.pk, action="denied", record_type="transfer"
    ).exists()


def test_pages_propose_accept_end_to_end(world, sending, client):
    client.force_login(world.a.lead)
    page = client.get(reverse("transfer:case", args=[sending["case"].pk]))
    assert page.status_code == 200 and "Beschikking" in page.content.decode()
    response = client.post(
        reverse("transfer:case", args=[sending["case"].pk]),
        {
            "receiving_organisation": world.b.org.pk,
            "legal_basis": "vital_interest",
            "basis_note": "Acute onveiligheid; overdracht aan het team in Gent.",
            "reason": "Verhuizing",
            "include_network": "on",
            "document_ids": [sending["chosen"].pk],
        },
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    client.force_login(world.b.lead)
    response = client.post(
        reverse("transfer:accept", args=[transfer.pk]),
        {"team": world.b.team.pk, "legal_context": "vl_voluntary", "version": transfer.version},
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert response["Location"] == reverse("cases:detail", args=[transfer.received_case_id])
    assert client.get(response["Location"]).status_code == 200


def test_the_case_page_links_to_the_transfer_page(world, client):
    client.force_login(world.a.case_worker)
    page = client.get(reverse("cases:detail", args=[world.a.case.pk])).content.decode()
    assert reverse("transfer:case", args=[world.a.case.pk]) in page


def test_a_transfer_from_a_case_without_persons_of_the_network_takes_the_central_persons_only(world, sending):
    case = _accept(world, _propose(world, sending, include_network=False, include_journal=False, document_ids=[]))
    assert [p.first_name for p in case.persons.all()] == ["Kind0"]
    assert not Document.objects.filter(case=case).exists()
    assert Person.objects.filter(case=sending["case"]).count() == 3
