"""What the family does and sees on its link: the meeting with its question, invitees by first name only (nobody
they are kept from, nobody marked unsafe, no protected address), proposing a person (the case team accepts: a
person of the case, logged; or declines with a reason), their view, sharing choices; all of it logged."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from kring.audit.models import AccessLogEntry
from kring.cases import services as case_services
from kring.cases.models import Person
from kring.family import services
from kring.family.models import FamilyView, InviteeProposal, SharingChoice
from kring.meetings import services as meeting_services
from kring.meetings.models import Invitation
from kring.plans.models import Plan


def link_of(p, person):
    return services.create_link(p.coordinator, p.case.pk, p.trajectory.pk, person.pk)


def url(name, token):
    return reverse(f"family_links:{name}", args=[token])


def test_the_page_shows_the_meeting_question_and_invitees_by_first_name_only(fw):
    meeting_services.add_question(fw.coordinator, fw.case.pk, fw.mw.meeting.pk, "Hoe slaapt Sam weer rustig?")
    Invitation.objects.create(
        meeting=fw.mw.meeting,
        case=fw.case,
        organisation=fw.case.organisation,
        person=fw.oma,
        role="family",
        invited_on=fw.mw.meeting.starts_at.date(),
        invited_by=fw.world.a.case_worker,
        answer="yes",
    )
    Invitation.objects.create(
        meeting=fw.mw.meeting,
        case=fw.case,
        organisation=fw.case.organisation,
        person=fw.mw.kees,
        role="family",
        invited_on=fw.mw.meeting.starts_at.date(),
        invited_by=fw.world.a.case_worker,
    )
    _link, token = link_of(fw, fw.mother)
    text = Client().get(url("home", token)).content.decode()
    assert "Hoe slaapt Sam weer rustig?" in text
    assert "<td>Oma</td>" in text and "Jansen" not in text
    assert "Kees" not in text  # marked unsafe on the network map


def test_a_person_the_holder_is_kept_from_is_not_named_and_a_protected_place_not_shown(fw):
    case_services.record_no_contact(
        fw.worker, fw.case.pk, {"person": fw.oma.pk, "kept_from": fw.mother.pk, "reason": "Dreiging."}
    )
    Person.objects.filter(pk=fw.oma.pk).update(address="Buurthuis De Kring, Utrecht")
    Invitation.objects.create(
        meeting=fw.mw.meeting,
        case=fw.case,
        organisation=fw.case.organisation,
        person=fw.oma,
        role="family",
        invited_on=fw.mw.meeting.starts_at.date(),
        invited_by=fw.world.a.case_worker,
    )
    _link, token = link_of(fw, fw.mother)
    text = Client().get(url("home", token)).content.decode()
    assert "Oma" not in text
    assert "Buurthuis De Kring" not in text
    # Nor can she name Oma in a sharing choice.
    assert all(p.pk != fw.oma.pk for p in services.sharing_persons(_link))


def test_a_proposed_aunt_accepted_by_the_team_becomes_a_person_of_the_case(fw, client):
    link, token = link_of(fw, fw.mother)
    response = Client().post(
        url("propose", token),
        {
            "first_name": "Amira",
            "last_name": "Haddad",
            "relation": "tante",
            "contact": "amira@example.org",
            "why": "Zij kent Sam goed.",
        },
    )
    assert response.status_code == 302
    proposal = InviteeProposal.objects.get()
    assert (proposal.proposed_by_id, proposal.link_id, proposal.status) == (fw.mother.pk, link.pk, "proposed")
    assert AccessLogEntry.objects.filter(record_type="invitee_proposal", detail=f"via family link {link.pk}").exists()
    client.force_login(fw.world.a.coordinator)
    page = reverse("family:trajectory", args=[fw.case.pk, fw.trajectory.pk])
    assert "Amira Haddad" in client.get(page).content.decode()
    decide = reverse("family:proposal_decide", args=[fw.case.pk, fw.trajectory.pk])
    response = client.post(decide, {"proposal": proposal.pk, "version": proposal.version, "accept": "1"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    aunt = proposal.person
    assert proposal.status == "accepted" and aunt.full_name == "Amira Haddad" and aunt.email == "amira@example.org"
    assert aunt.case_id == fw.case.pk and aunt.relation == "tante"
    assert AccessLogEntry.objects.filter(action="create", record_type="person", record_id=str(aunt.pk)).exists()
    # Decided once: a second decision (stale version) is refused.
    again = client.post(
        decide, {"proposal": proposal.pk, "version": proposal.version - 1, "accept": "0", "reason": "x"}
    )
    assert again.status_code in (400, 409)


def test_declining_needs_a_reason_the_family_then_reads(fw):
    _link, token = link_of(fw, fw.mother)
    Client().post(url("propose", token), {"first_name": "Kees", "relation": "oom"})
    proposal = InviteeProposal.objects.get()
    with pytest.raises(ValidationError):
        services.decide_proposal(fw.coordinator, fw.case.pk, proposal.pk, False, "", proposal.version)
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    services.decide_proposal(fw.coordinator, fw.case.pk, proposal.pk, False, "Er geldt een contactverbod.", 1)
    count = Person.objects.filter(case=fw.case).count()
    text = Client().get(url("home", token)).content.decode()
    assert "Er geldt een contactverbod." in text
    assert Person.objects.filter(case=fw.case).count() == count


def test_a_bad_proposal_is_refused_with_nothing_stored(fw):
    _link, token = link_of(fw, fw.mother)
    response = Client().post(url("propose", token), {"first_name": "", "relation": "tante"})
    assert response.status_code == 400
    assert not InviteeProposal.objects.exists()


def test_the_view_and_sharing_choices_reach_the_case_team(fw, client):
    link, token = link_of(fw, fw.child)
    assert Client().post(url("view", token), {"text": "Ik wil bij oma kunnen slapen."}).status_code == 302
    assert Client().post(url("view", token), {"text": "   "}).status_code == 400
    assert FamilyView.objects.get().person_id == fw.child.pk
    response = Client().post(url("sharing", token), {"part": "concerns", "with_person": fw.oma.pk, "allowed": "0"})
    assert response.status_code == 302
    Client().post(url("sharing", token), {"part": "concerns", "with_person": fw.oma.pk, "allowed": "1"})
    Client().post(url("sharing", token), {"part": "all_agreements", "with_person": "", "allowed": "1"})
    assert SharingChoice.objects.count() == 2
    assert SharingChoice.objects.get(part="concerns").allowed is True
    other_case_person = fw.world.b.case.persons.first()
    refused = Client().post(
        url("sharing", token), {"part": "concerns", "with_person": other_case_person.pk, "allowed": "1"}
    )
    assert refused.status_code == 400 and SharingChoice.objects.count() == 2
    client.force_login(fw.world.a.case_worker)
    page = client.get(reverse("family:trajectory", args=[fw.case.pk, fw.trajectory.pk])).content.decode()
    assert "Ik wil bij oma kunnen slapen." in page
    assert AccessLogEntry.objects.filter(record_type="family_view", action="list").exists()


def test_without_a_plan_the_page_says_it_comes_after_the_meeting(fw):
    Plan.objects.filter(pk=fw.plan.pk).delete()
    _link, token = link_of(fw, fw.mother)
    text = Client().get(url("home", token)).content.decode()
    assert "Het plan wordt bij de bijeenkomst gemaakt" in text


@pytest.mark.parametrize(
    "lang, greeting, own_words",
    [
        ("nl", "Hoi Sam", "Jouw mening telt."),
        ("en", "Hi Sam", "What you think matters."),
        ("ar", "مرحباً Sam", "رأيك مهم."),
        ("tr", "Merhaba Sam", "Senin düşüncen önemli."),
        ("pl", "Cześć Sam", "Twoje zdanie się liczy."),
    ],
)
def test_the_young_persons_page_opens_in_their_own_words_and_the_parents_does_not(fw, lang, greeting, own_words):
    """The 13-year-old reads a page written to them ("je", no "u"), in their language of letters; the mother's page
    keeps the adults' opening."""
    fw.child.first_name = "Sam"
    fw.child.document_language = lang
    fw.child.save()
    _link, token = link_of(fw, fw.child)
    page = Client().get(url("home", token)).content.decode()
    assert greeting in page and own_words in page
    assert "Laat u ons weten" not in page and "bereidt u" not in page
    helpline = "0800 0432" if fw.case.organisation.jurisdiction == "NL" else "102"
    assert helpline in page
    _link, token = link_of(fw, fw.mother)
    mothers = Client().get(url("home", token)).content.decode()
    assert "Jouw mening telt." not in mothers and "Hoi " not in mothers
