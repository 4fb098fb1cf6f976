"""Confidential contact details and "no contact" marks (decisions 185-190): a marked address, phone or e-mail
reaches no letter, calendar file, plan PDF, link page or network export, while the case team sees it; a person
under a no-contact mark is invited beside the person they are kept from only with a reason."""

import io

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from icalendar import Calendar
from pypdf import PdfReader

from kring.cases import confidentiality
from kring.cases import services as case_services
from kring.cases.confidentiality import Audience
from kring.cases.models import NoContact, Person
from kring.meetings import documents
from kring.meetings import services as meeting_services
from kring.meetings.models import Invitation
from kring.meetings.queries import meeting_view
from kring.network import queries as network_queries
from kring.plans.links import services as link_services
from kring.plans.models import Plan
from tests.meetings.conftest import mw  # noqa: F401  (the fixtures these build on)
from tests.plans.conftest import accepted, pw  # noqa: F401

pytestmark = pytest.mark.django_db

SECRET_ADDRESS = "Geheimstraat 7, 3511 AB Utrecht"
SECRET_PHONE = "06 98765432"
SECRET_EMAIL = "oma.schuil@example.org"
SECRETS = (SECRET_ADDRESS, "Geheimstraat", SECRET_PHONE, "98765432", SECRET_EMAIL)


def _mark(mw, level="all"):  # noqa: F811
    person = Person.objects.get(pk=mw.oma.pk)
    return case_services.update_person(
        mw.worker,
        mw.case.pk,
        person.pk,
        {
            "address": SECRET_ADDRESS,
            "phone": SECRET_PHONE,
            "email": SECRET_EMAIL,
            "contact_confidentiality": level,
            "confidentiality_reason": "Verblijft in een blijf-van-mijn-lijfhuis.",
        },
        person.version,
    )


def _pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _absent(text):
    squashed = text.replace("\n", " ")
    for secret in SECRETS:
        assert secret not in squashed, secret


# ---- the marks and their validation --------------------------------------------------------------------------


def test_a_mark_needs_a_reason(mw):  # noqa: F811
    person = Person.objects.get(pk=mw.oma.pk)
    with pytest.raises(ValidationError) as refused:
        case_services.update_person(
            mw.worker, mw.case.pk, person.pk, {"contact_confidentiality": "address"}, person.version
        )
    assert "confidentiality_reason" in refused.value.message_dict
    person.refresh_from_db()
    assert person.contact_confidentiality == "none"
    marked = _mark(mw, "address")
    assert marked.contact_confidentiality == "address" and marked.history.first().contact_confidentiality == "address"


def test_no_contact_validation(mw, world):  # noqa: F811
    with pytest.raises(ValidationError) as refused:
        case_services.record_no_contact(
            mw.worker, mw.case.pk, {"person": mw.oma.pk, "kept_from": mw.oma.pk, "reason": "Bedreiging."}
        )
    assert "kept_from" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        case_services.record_no_contact(mw.worker, mw.case.pk, {"person": mw.oma.pk, "kept_from": mw.kees.pk})
    assert "reason" in refused.value.message_dict
    stranger = world.b.case.persons.first()
    with pytest.raises(ValidationError) as refused:
        case_services.record_no_contact(
            mw.worker, mw.case.pk, {"person": mw.oma.pk, "kept_from": stranger.pk, "reason": "Bedreiging."}
        )
    assert "kept_from" in refused.value.message_dict
    assert not NoContact.objects.exists()
    mark = case_services.record_no_contact(
        mw.worker, mw.case.pk, {"person": mw.oma.pk, "kept_from": mw.kees.pk, "reason": "Bedreiging."}
    )
    assert mark.history.count() == 1
    assert confidentiality.kept_from(mw.case, mw.kees) == {mw.oma.pk}
    assert confidentiality.kept_from(mw.case, mw.piet) == set()
    with pytest.raises(ValidationError):
        case_services.record_no_contact(
            mw.worker, mw.case.pk, {"person": mw.oma.pk, "kept_from": mw.kees.pk, "reason": "Nogmaals."}
        )
    case_services.end_no_contact(mw.worker, mw.case.pk, mark.pk)
    assert not NoContact.objects.exists()


def test_the_rule(mw):  # noqa: F811
    oma = _mark(mw, "address")
    team = confidentiality.contact_details_for(oma, Audience.TEAM)
    outsider = confidentiality.contact_details_for(oma, Audience.OUTSIDER)
    assert team == {"address": SECRET_ADDRESS, "phone": SECRET_PHONE, "email": SECRET_EMAIL}
    assert outsider == {"address": "", "phone": SECRET_PHONE, "email": SECRET_EMAIL}
    # Someone she is kept from gets nothing that locates her, whatever her own mark.
    assert confidentiality.contact_details_for(oma, Audience.OUTSIDER, {oma.pk}) == {
        "address": "",
        "phone": "",
        "email": "",
    }
    assert confidentiality.safe_place(mw.case, "geheimstraat 7 3511 ab utrecht") == ""
    assert confidentiality.safe_place(mw.case, "Buurthuis") == "Buurthuis"


# ---- the team sees it, with the mark ---------------------------------------------------------------------------


def test_the_case_team_sees_the_details_and_the_marks(client, mw):  # noqa: F811
    _mark(mw)
    case_services.record_no_contact(
        mw.worker, mw.case.pk, {"person": mw.oma.pk, "kept_from": mw.kees.pk, "reason": "Bedreiging."}
    )
    client.force_login(mw.world.a.case_worker)
    page = client.get(reverse("cases:detail", args=[mw.case.pk]), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert SECRET_PHONE in page and SECRET_EMAIL in page
    assert "Contactgegevens vertrouwelijk" in page or "contactgegevens vertrouwelijk" in page
    assert "Geen contact met Oma Jansen" in page or "geen contact met Oma Jansen" in page
    answer = client.get(f"/api/v1/cases/{mw.case.pk}/persons/{mw.oma.pk}/").json()
    assert answer["address"] == SECRET_ADDRESS and answer["contact_confidentiality"] == "all"
    form = client.get(reverse("cases:person_edit", args=[mw.case.pk, mw.oma.pk])).content.decode()
    assert 'name="contact_confidentiality"' in form and 'name="confidentiality_reason"' in form


# ---- nothing of it leaves the team ----------------------------------------------------------------------------


def test_letter_and_calendar_file_hold_no_confidential_address(client, mw):  # noqa: F811
    _mark(mw, "address")
    # The meeting is held at Oma's (secret) address.
    meeting_services.update_meeting(mw.worker, mw.case.pk, mw.meeting.pk, {"place": SECRET_ADDRESS}, 1)
    meeting_services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)
    client.force_login(mw.world.a.coordinator)
    for person in (mw.oma, mw.piet):
        invitation = Invitation.objects.get(person=person)
        url = reverse(
            "meetings:letter",
            kwargs={"pk": mw.case.pk, "meeting_id": mw.meeting.pk, "invitation_id": invitation.pk},
        )
        text = _pdf_text(client.get(url).content)
        assert "Uitnodiging" in text
        assert "Geheimstraat" not in text
        assert "De contactpersoon vertelt u waar" in text.replace("\n", " ")
    response = client.get(reverse("meetings:calendar", kwargs={"pk": mw.case.pk, "meeting_id": mw.meeting.pk}))
    event = list(Calendar.from_ical(response.content).walk("VEVENT"))[0]
    assert "Geheimstraat" not in response.content.decode()
    assert str(event["LOCATION"]) == "De contactpersoon vertelt u waar."


def test_without_a_mark_the_address_is_printed(mw):  # noqa: F811
    person = Person.objects.get(pk=mw.oma.pk)
    case_services.update_person(mw.worker, mw.case.pk, person.pk, {"address": SECRET_ADDRESS}, person.version)
    meeting_services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)
    meeting = mw.meeting.__class__.objects.get(pk=mw.meeting.pk)
    html = documents.letter_html(meeting_view(mw.case, meeting), Invitation.objects.get(person=mw.oma))
    assert SECRET_ADDRESS in html


def test_a_recipient_kept_from_someone_does_not_get_their_home_as_the_place(mw):  # noqa: F811
    person = Person.objects.get(pk=mw.oma.pk)
    case_services.update_person(mw.worker, mw.case.pk, person.pk, {"address": SECRET_ADDRESS}, person.version)
    case_services.record_no_contact(
        mw.worker, mw.case.pk, {"person": mw.oma.pk, "kept_from": mw.piet.pk, "reason": "Bedreiging."}
    )
    meeting_services.update_meeting(mw.worker, mw.case.pk, mw.meeting.pk, {"place": SECRET_ADDRESS}, 1)
    meeting_services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk, person_ids=[mw.oma.pk])
    meeting_services.invite_from_map(
        mw.worker, mw.case.pk, mw.meeting.pk, person_ids=[mw.piet.pk], overrides={mw.piet.pk: "Rechter akkoord."}
    )
    meeting = mw.meeting.__class__.objects.get(pk=mw.meeting.pk)
    view = meeting_view(mw.case, meeting)
    assert SECRET_ADDRESS not in documents.letter_html(view, Invitation.objects.get(person=mw.piet))
    assert SECRET_ADDRESS in documents.letter_html(view, Invitation.objects.get(person=mw.oma))


def test_plan_pdfs_hold_no_confidential_details(client, accepted):  # noqa: F811
    p = accepted
    _mark(p.mw)
    client.force_login(p.mw.world.a.coordinator)
    base = {"pk": p.case.pk, "trajectory_id": p.trajectory.pk}
    for url in (
        reverse("plans:document_plan", kwargs=base),
        reverse("plans:document_member", kwargs={**base, "person_id": p.mw.oma.pk}),
        reverse("plans:document_member", kwargs={**base, "person_id": p.mw.piet.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 200
        _absent(_pdf_text(response.content))


def test_link_page_hides_a_confidential_emergency_phone(client, accepted):  # noqa: F811
    p = accepted
    cache.clear()
    Plan.objects.filter(pk=p.plan.pk).update(emergency_contact_name="Oma", emergency_contact_phone=SECRET_PHONE)
    _link, token = link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, p.mw.piet.pk, [])
    url = reverse("plan_links:home", args=[token])
    assert SECRET_PHONE in client.get(url).content.decode()  # not marked: the number is there to be called
    _mark(p.mw)
    page = client.get(url).content.decode()
    assert "Oma" in page
    _absent(page)
    cache.clear()


def test_network_exports_hold_no_contact_details(mw):  # noqa: F811
    _mark(mw)
    document = network_queries.export_json(mw.worker, mw.case.pk)
    assert "Oma" in str(document)
    _absent(str(document))
    for version in ("5.5.1", "7.0"):
        _absent(network_queries.export_gedcom(mw.worker, mw.case.pk, version))


# ---- the warning before a meeting brings them together ---------------------------------------------------------


def test_inviting_someone_kept_from_an_invitee_needs_a_reason(mw):  # noqa: F811
    case_services.record_no_contact(
        mw.worker, mw.case.pk, {"person": mw.oma.pk, "kept_from": mw.piet.pk, "reason": "Bedreiging."}
    )
    # Inviting everyone at once leaves Piet out: he is kept from Oma.
    invited = meeting_services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)
    names = {i.person_id for i in invited}
    assert mw.oma.pk in names and mw.piet.pk not in names
    with pytest.raises(ValidationError) as refused:
        meeting_services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk, person_ids=[mw.piet.pk])
    assert "Oma Jansen" in " ".join(refused.value.messages)
    assert not Invitation.objects.filter(person=mw.piet).exists()
    meeting_services.invite_from_map(
        mw.worker, mw.case.pk, mw.meeting.pk, person_ids=[mw.piet.pk], overrides={mw.piet.pk: "Rechter akkoord."}
    )
    assert Invitation.objects.get(person=mw.piet).unsafe_override_reason == "Rechter akkoord."


def test_api_of_another_case_team_gets_nothing(client, mw, world):  # noqa: F811
    _mark(mw)
    client.force_login(world.b.case_worker)
    response = client.get(f"/api/v1/cases/{mw.case.pk}/persons/{mw.oma.pk}/")
    assert response.status_code in (403, 404)
    _absent(response.content.decode())


def test_the_person_page_marks_with_a_reason(client, mw):  # noqa: F811
    from tests.factories import person_form_data

    person = Person.objects.get(pk=mw.oma.pk)
    client.force_login(mw.world.a.case_worker)
    url = reverse("cases:person_edit", args=[mw.case.pk, person.pk])
    refused = client.post(url, person_form_data(person, contact_confidentiality="address"), HTTP_ACCEPT_LANGUAGE="nl")
    assert refused.status_code == 200
    assert "Geef de reden waarom de contactgegevens vertrouwelijk zijn." in refused.content.decode()
    person.refresh_from_db()
    assert person.contact_confidentiality == "none"
    done = client.post(
        url, person_form_data(person, contact_confidentiality="address", confidentiality_reason="Opvanghuis.")
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert (person.contact_confidentiality, person.confidentiality_reason) == ("address", "Opvanghuis.")
    # A form that leaves the mark out does not clear it.
    client.post(url, person_form_data(person, relation="oma"))
    person.refresh_from_db()
    assert person.relation == "oma" and person.contact_confidentiality == "address"


def test_a_calendar_file_names_no_protected_home(mw):  # noqa: F811
    person = Person.objects.get(pk=mw.oma.pk)
    case_services.update_person(mw.worker, mw.case.pk, person.pk, {"address": SECRET_ADDRESS}, person.version)
    meeting_services.update_meeting(mw.worker, mw.case.pk, mw.meeting.pk, {"place": SECRET_ADDRESS}, 1)
    meeting = mw.meeting.__class__.objects.get(pk=mw.meeting.pk)
    assert "Geheimstraat" in documents.calendar_file(meeting_view(mw.case, meeting)).decode()
    case_services.record_no_contact(
        mw.worker, mw.case.pk, {"person": mw.oma.pk, "kept_from": mw.piet.pk, "reason": "Bedreiging."}
    )
    assert "Geheimstraat" not in documents.calendar_file(meeting_view(mw.case, meeting)).decode()


def test_the_no_contact_page(client, mw, world):  # noqa: F811
    url = reverse("cases:no_contact", args=[mw.case.pk])
    client.force_login(mw.world.a.case_worker)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "In dit dossier worden geen personen van elkaar afgeschermd." in page
    refused = client.post(url, {"person": mw.oma.pk, "kept_from": mw.oma.pk, "reason": "x"}, HTTP_ACCEPT_LANGUAGE="nl")
    assert refused.status_code == 200 and "Iemand kan niet van zichzelf worden afgeschermd." in refused.content.decode()
    done = client.post(url, {"person": mw.oma.pk, "kept_from": mw.kees.pk, "reason": "Bedreiging."})
    assert done.status_code == 302
    mark = NoContact.objects.get()
    assert (mark.person_id, mark.kept_from_id, mark.recorded_by) == (mw.oma.pk, mw.kees.pk, mw.world.a.case_worker)
    assert "Bedreiging." in client.get(url).content.decode()
    assert client.post(url, {"end": str(mark.pk)}).status_code == 302
    assert not NoContact.objects.exists()
    client.force_login(world.b.case_worker)
    assert client.get(url).status_code in (403, 404)
