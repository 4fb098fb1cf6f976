"""The family agrees to its plan: on the link (typed name, the link, the digest of the exact version) or on paper
(the signed page a document of the case); an outdated version, a person who may not agree and a wrong name are
refused with nothing stored; after the plan changed the link page asks again; "agreed by the family" only when the
method's rule is met; who received which version; the plan page and the plan PDF show it all."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kring.documents import services as document_services
from kring.family import services
from kring.family.models import PlanAgreementSignature, PlanDelivery
from kring.plans import documents as plan_documents
from kring.plans.models import Agreement
from tests.factories import actor


def link_of(p, person):
    return services.create_link(p.coordinator, p.case.pk, p.trajectory.pk, person.pk)


def home(token):
    return reverse("family_links:home", args=[token])


def agree(token, digest, name):
    return Client().post(reverse("family_links:agree", args=[token]), {"digest": digest, "typed_name": name})


def signed_page(p):
    return document_services.add_document(
        p.worker, p.case.pk, {"title": "Getekend plan Sam", "kind": "letter_received"}, "plan.txt", b"getekend\n"
    )


def test_the_mother_agrees_on_her_link_to_the_exact_version(fw):
    link, token = link_of(fw, fw.mother)
    digest = services.current_digest(fw.plan)
    page = Client().get(home(token)).content.decode()
    assert digest in page and "Sam slaapt bij oma" in page
    response = agree(token, digest, "  fatima   ouder ")
    assert response.status_code == 302
    signature = PlanAgreementSignature.objects.get()
    assert (signature.person_id, signature.how, signature.link_id, signature.digest) == (
        fw.mother.pk,
        "link",
        link.pk,
        digest,
    )
    assert signature.typed_name == "fatima ouder" and signature.edition == fw.plan.edition
    # Agreeing again to the same version keeps the one signature.
    assert agree(token, digest, "Fatima Ouder").status_code == 302
    assert PlanAgreementSignature.objects.count() == 1


def test_an_outdated_version_is_refused_and_the_page_shows_the_new_one(fw):
    _link, token = link_of(fw, fw.mother)
    old = services.current_digest(fw.plan)
    Agreement.objects.filter(pk=fw.school.pk).update(what="Piet brengt Sam op maandag en dinsdag naar school.")
    new = services.current_digest(fw.plan)
    assert new != old
    response = agree(token, old, "Fatima Ouder")
    assert response.status_code == 409
    text = response.content.decode()
    assert "maandag en dinsdag" in text and new in text
    assert "Het plan is gewijzigd" in text
    assert not PlanAgreementSignature.objects.exists()


def test_after_the_plan_changed_the_link_page_asks_again(fw):
    _link, token = link_of(fw, fw.mother)
    agree(token, services.current_digest(fw.plan), "Fatima Ouder")
    page = Client().get(home(token)).content.decode()
    assert 'name="typed_name"' not in page
    Agreement.objects.filter(pk=fw.sleep.pk).update(frequency="elke nacht")
    page = Client().get(home(token)).content.decode()
    assert 'name="typed_name"' in page
    assert "Het plan is gewijzigd sinds u ermee instemde" in page
    state = services.agreement_state(fw.plan)
    assert fw.mother.pk in state.outdated and fw.mother.pk not in state.agreed


def test_a_person_who_may_not_agree_is_refused_and_nothing_is_stored(fw):
    # The father has a link (a parent), but FNB asks the adults present at the meeting: he was not there.
    _link, token = link_of(fw, fw.father)
    response = agree(token, services.current_digest(fw.plan), "Karim Ouder")
    assert response.status_code == 400
    assert "kan niet namens de familie instemmen" in response.content.decode()
    assert not PlanAgreementSignature.objects.exists()
    # Oma, on paper, is no more entitled; nor is a person of another case.
    document = signed_page(fw)
    for person in (fw.oma.pk, fw.world.b.case.persons.first().pk):
        with pytest.raises(ValidationError):
            services.record_paper_signature(
                fw.coordinator,
                fw.case.pk,
                fw.plan.pk,
                {
                    "person": person,
                    "signed_on": timezone.localdate(),
                    "document": document.pk,
                    "digest": services.current_digest(fw.plan),
                },
            )
    assert not PlanAgreementSignature.objects.exists()


def test_a_wrong_name_is_refused(fw):
    _link, token = link_of(fw, fw.mother)
    response = agree(token, services.current_digest(fw.plan), "Iemand Anders")
    assert response.status_code == 400
    assert "Fatima Ouder" in response.content.decode()
    assert not PlanAgreementSignature.objects.exists()


def test_agreed_by_the_family_only_when_the_rule_is_met_with_paper_for_the_young_person(fw):
    _link, token = link_of(fw, fw.mother)
    digest = services.current_digest(fw.plan)
    agree(token, digest, "Fatima Ouder")
    state = services.agreement_state(fw.plan)
    assert state.required == {fw.mother.pk, fw.child.pk}
    assert not state.met and state.missing == {fw.child.pk}
    document = signed_page(fw)
    with pytest.raises(ValidationError) as error:
        services.record_paper_signature(
            fw.coordinator,
            fw.case.pk,
            fw.plan.pk,
            {"person": fw.child.pk, "signed_on": timezone.localdate(), "document": None, "digest": digest},
        )
    assert "document" in error.value.message_dict
    signature = services.record_paper_signature(
        fw.coordinator,
        fw.case.pk,
        fw.plan.pk,
        {"person": fw.child.pk, "signed_on": timezone.localdate(), "document": document.pk, "digest": digest},
    )
    assert signature.how == "paper" and signature.document_id == document.pk and signature.recorded_by is not None
    assert services.agreement_state(fw.plan).met
    # The plan PDF says so, with each signature's digest and whether it matches.
    view = plan_documents.plan_export(actor(fw.world.a.case_worker), fw.case.pk, fw.trajectory.pk)
    html = plan_documents.plan_html(view, "nl")
    assert "Door de familie ingestemd" in html and html.count(digest) >= 3
    # The plan changes: no longer agreed, and the PDF says the signatures are of an earlier version.
    Agreement.objects.filter(pk=fw.sleep.pk).update(what="Sam slaapt altijd bij oma op vrijdag.")
    assert not services.agreement_state(fw.plan).met
    html = plan_documents.plan_html(
        plan_documents.plan_export(actor(fw.world.a.case_worker), fw.case.pk, fw.trajectory.pk), "nl"
    )
    assert "Nog niet door de familie ingestemd" in html and "een eerdere versie" in html


def test_the_parents_rule_does_not_wait_for_the_young_person(fw, settings):
    from kring.methods.catalogue import catalogue

    definition = catalogue()["fnb"]
    original = definition.family_agreement.who
    object.__setattr__(definition.family_agreement, "who", "parents")
    try:
        assert services.agreement_state(fw.plan).required == {fw.mother.pk, fw.father.pk}
        assert fw.child.pk in services.entitled_to_agree(fw.plan)
    finally:
        object.__setattr__(definition.family_agreement, "who", original)


def test_deliveries_by_link_once_per_version_and_recorded_by_the_team(fw):
    link, token = link_of(fw, fw.mother)
    Client().get(home(token))
    Client().get(home(token))
    delivered = PlanDelivery.objects.get()
    assert (delivered.channel, delivered.link_id, delivered.person_id) == ("link", link.pk, fw.mother.pk)
    digest = services.current_digest(fw.plan)
    services.record_delivery(
        fw.coordinator,
        fw.case.pk,
        fw.plan.pk,
        {"person": fw.oma.pk, "channel": "post", "delivered_on": timezone.localdate(), "digest": digest},
    )
    with pytest.raises(ValidationError):
        services.record_delivery(
            fw.coordinator,
            fw.case.pk,
            fw.plan.pk,
            {
                "person": fw.oma.pk,
                "channel": "post",
                "delivered_on": timezone.localdate() + datetime.timedelta(days=1),
                "digest": digest,
            },
        )
    assert PlanDelivery.objects.filter(channel="post", person=fw.oma, digest=digest).count() == 1


def test_the_team_page_shows_signatures_and_records_paper_and_delivery(fw, client):
    _link, token = link_of(fw, fw.mother)
    digest = services.current_digest(fw.plan)
    agree(token, digest, "Fatima Ouder")
    document = signed_page(fw)
    client.force_login(fw.world.a.coordinator)
    base = [fw.case.pk, fw.trajectory.pk]
    page = client.get(reverse("family:trajectory", args=base)).content.decode()
    assert digest in page and "Fatima Ouder" in page
    stale = client.post(
        reverse("family:paper_signature", args=base),
        {
            "person": fw.child.pk,
            "signed_on": timezone.localdate().isoformat(),
            "document": document.pk,
            "digest": "0" * 64,
        },
    )
    assert stale.status_code == 400 and PlanAgreementSignature.objects.count() == 1
    response = client.post(
        reverse("family:paper_signature", args=base),
        {
            "person": fw.child.pk,
            "signed_on": timezone.localdate().isoformat(),
            "document": document.pk,
            "digest": digest,
        },
    )
    assert response.status_code == 302
    assert services.agreement_state(fw.plan).met
    response = client.post(
        reverse("family:delivery", args=base),
        {
            "person": fw.child.pk,
            "channel": "handed",
            "delivered_on": timezone.localdate().isoformat(),
            "digest": digest,
        },
    )
    assert response.status_code == 302
    assert PlanDelivery.objects.filter(channel="handed", person=fw.child).exists()


def test_the_plan_page_shows_the_family_agreement_apart_from_the_case_workers_decision(fw, client):
    _link, token = link_of(fw, fw.mother)
    digest = services.current_digest(fw.plan)
    agree(token, digest, "Fatima Ouder")
    client.force_login(fw.world.a.case_worker)
    page_url = reverse("plans:plan", kwargs={"pk": fw.case.pk, "trajectory_id": fw.trajectory.pk})
    text = client.get(page_url).content.decode()
    assert "Nog niet door de familie ingestemd." in text and digest in text and "Kind0" in text
    services.record_paper_signature(
        fw.coordinator,
        fw.case.pk,
        fw.plan.pk,
        {"person": fw.child.pk, "signed_on": timezone.localdate(), "document": signed_page(fw).pk, "digest": digest},
    )
    text = client.get(page_url).content.decode()
    assert "Door de familie ingestemd" in text
    fw.plan.refresh_from_db()
    assert fw.plan.status == "submitted"  # the family's agreement is not the case worker's acceptance


@pytest.mark.parametrize(
    "lang, agreed, on_the_link",
    [
        ("ar", "وافقت العائلة على الخطة.", "عبر الرابط الشخصي"),
        ("tr", "Aile tarafından onaylandı.", "kişisel bağlantı üzerinden"),
        ("pl", "Rodzina wyraziła zgodę na plan.", "przez osobisty link"),
    ],
)
def test_the_plan_in_the_familys_language_carries_their_agreement_in_that_language(fw, lang, agreed, on_the_link):
    """A plan PDF in Arabic, Turkish or Polish shows the family's agreement in its own words, not the English panel."""
    _link, token = link_of(fw, fw.mother)
    digest = services.current_digest(fw.plan)
    agree(token, digest, "Fatima Ouder")
    services.record_paper_signature(
        fw.coordinator,
        fw.case.pk,
        fw.plan.pk,
        {"person": fw.child.pk, "signed_on": timezone.localdate(), "document": signed_page(fw).pk, "digest": digest},
    )
    view = plan_documents.plan_export(actor(fw.world.a.case_worker), fw.case.pk, fw.trajectory.pk)
    html = plan_documents.plan_html(view, lang)
    assert agreed in html and on_the_link in html and html.count(digest) >= 3
    assert "Agreed by the family" not in html and "The family's agreement" not in html
