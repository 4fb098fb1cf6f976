"""The warning before a document goes to someone a "no contact" mark keeps something from (decision 201), and a
confidential address written in free text (decision 202).

A letter, a personal link or a member's letter for a person kept from someone that document names (or brings
them together with) is made only after a confirmation with a reason; the reason goes into the case journal for
the team only (hidden from the recipient). Without a mark that concerns the recipient nothing is asked."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from kring.audit.models import AccessLogEntry
from kring.cases import confidentiality
from kring.cases import services as case_services
from kring.cases.models import Person
from kring.journal.models import JournalEntry
from kring.meetings import documents
from kring.meetings import services as meeting_services
from kring.meetings.models import Invitation, Meeting
from kring.meetings.queries import meeting_view
from kring.plans.links import services as link_services
from kring.plans.models import PersonalLink
from tests.meetings.conftest import mw  # noqa: F401  (the fixtures these build on)
from tests.plans.conftest import accepted, pw  # noqa: F401

pytestmark = pytest.mark.django_db

SECRET_ADDRESS = "Geheimstraat 7, 3511 AB Utrecht"


def _keep(mw, person, kept_from):  # noqa: F811
    return case_services.record_no_contact(
        mw.worker, mw.case.pk, {"person": person.pk, "kept_from": kept_from.pk, "reason": "Contactverbod."}
    )


def _letter_url(mw, person):  # noqa: F811
    invitation = Invitation.objects.get(meeting=mw.meeting, person=person)
    return reverse(
        "meetings:letter", kwargs={"pk": mw.case.pk, "meeting_id": mw.meeting.pk, "invitation_id": invitation.pk}
    )


def _entries(case):
    return list(JournalEntry.objects.filter(case=case).order_by("pk"))


# ---- the invitation letter -------------------------------------------------------------------------------------


def test_a_letter_to_someone_kept_from_an_invitee_asks_for_a_reason_and_records_it(client, mw):  # noqa: F811
    _keep(mw, mw.oma, mw.piet)
    meeting_services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk, person_ids=[mw.oma.pk])
    meeting_services.invite_from_map(
        mw.worker, mw.case.pk, mw.meeting.pk, person_ids=[mw.piet.pk], overrides={mw.piet.pk: "Rechter akkoord."}
    )
    client.force_login(mw.world.a.coordinator)
    url = _letter_url(mw, mw.piet)
    warned = client.get(url, HTTP_ACCEPT_LANGUAGE="nl")
    assert warned.status_code == 200 and warned["Content-Type"].startswith("text/html")
    page = warned.content.decode()
    assert "Voor Piet de Buurman geldt geen contact met Oma Jansen" in page
    assert 'name="reason"' in page
    exported = AccessLogEntry.objects.filter(action="export", record_type="invitation")
    assert not exported.exists()  # no letter was made
    refused = client.post(url, {"reason": "  "}, HTTP_ACCEPT_LANGUAGE="nl")
    assert refused.status_code == 400 and not _entries(mw.case)
    made = client.post(url, {"reason": "De rechter staat het gesprek toe."})
    assert made.status_code == 200 and made["Content-Type"] == "application/pdf"
    assert exported.exists()
    [entry] = _entries(mw.case)
    assert entry.visibility == "team_only" and entry.category == "decision"
    assert "De rechter staat het gesprek toe." in entry.text and "Oma Jansen" in entry.text
    assert set(entry.hidden_from.values_list("pk", flat=True)) == {mw.piet.pk}
    assert {mw.oma.pk, mw.piet.pk} <= set(entry.persons.values_list("pk", flat=True))
    # The protected person's own letter, and a letter for someone no mark concerns, are made straight away.
    for person in (mw.oma,):
        response = client.get(_letter_url(mw, person))
        assert response["Content-Type"] == "application/pdf"
    assert len(_entries(mw.case)) == 1


def test_without_a_mark_between_invitees_no_reason_is_asked(mw):  # noqa: F811
    _keep(mw, mw.kees, mw.piet)  # Kees is not invited: the letter tells Piet nothing about him
    meeting_services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk, person_ids=[mw.oma.pk, mw.piet.pk])
    view = meeting_view(mw.case, Meeting.objects.get(pk=mw.meeting.pk))
    invitation = Invitation.objects.get(meeting=mw.meeting, person=mw.piet)
    assert meeting_services.letter_guard(mw.worker, view, invitation, "") == ""
    assert not _entries(mw.case)


def test_a_place_that_mentions_a_confidential_address_is_withheld_from_the_letter(mw):  # noqa: F811
    person = Person.objects.get(pk=mw.oma.pk)
    case_services.update_person(
        mw.worker,
        mw.case.pk,
        person.pk,
        {"address": SECRET_ADDRESS, "contact_confidentiality": "address", "confidentiality_reason": "Opvang."},
        person.version,
    )
    place = "Bij oma thuis (geheimstraat 7a), bel aan"
    meeting_services.update_meeting(mw.worker, mw.case.pk, mw.meeting.pk, {"place": place}, 1)
    meeting_services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk, person_ids=[mw.piet.pk])
    view = meeting_view(mw.case, Meeting.objects.get(pk=mw.meeting.pk))
    html = documents.letter_html(view, Invitation.objects.get(person=mw.piet))
    assert "eheimstraat" not in html and "De contactpersoon vertelt u waar" in html
    assert "eheimstraat" not in documents.calendar_file(view).decode()
    # Another place is printed as written.
    assert confidentiality.safe_place(mw.case, "Buurthuis, Geheimstraat 8") == "Buurthuis, Geheimstraat 8"


# ---- the personal link -----------------------------------------------------------------------------------------


def test_a_link_for_someone_kept_from_a_person_it_names_needs_a_reason(accepted):  # noqa: F811
    p = accepted
    _keep(p.mw, p.mw.oma, p.mw.piet)  # Piet's agreements name Oma (owner of one, checker of the other)
    with pytest.raises(ValidationError) as refused:
        link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, p.mw.piet.pk, [])
    assert "Oma Jansen" in refused.value.message_dict["unsafe_reason"][0]
    assert not PersonalLink.objects.filter(person=p.mw.piet).exists() and not _entries(p.case)
    link, _token = link_services.create_link(
        p.coordinator, p.case.pk, p.plan.pk, p.mw.piet.pk, [], unsafe_reason="Afgestemd met de advocaat."
    )
    assert link.unsafe_reason == "Afgestemd met de advocaat."
    [entry] = _entries(p.case)
    assert "Afgestemd met de advocaat." in entry.text
    assert list(entry.hidden_from.values_list("pk", flat=True)) == [p.mw.piet.pk]
    # Kept from someone the link does not name (Kees is on no agreement and not central): no reason needed.
    _keep(p.mw, p.mw.kees, p.mw.juf)
    link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, p.mw.juf.pk, [])
    assert len(_entries(p.case)) == 1
    cache.clear()


def test_the_link_form_shows_the_warning_in_dutch(client, accepted):  # noqa: F811
    p = accepted
    _keep(p.mw, p.mw.oma, p.mw.piet)
    client.force_login(p.world.a.coordinator)
    url = reverse("plans:link_add", kwargs={"pk": p.case.pk, "trajectory_id": p.trajectory.pk})
    response = client.post(url, {"person": p.mw.piet.pk, "valid_days": 30}, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    assert "geldt geen contact met Oma Jansen" in response.content.decode()
    assert not PersonalLink.objects.filter(person=p.mw.piet).exists()
    cache.clear()


# ---- the member's letter ---------------------------------------------------------------------------------------


def test_a_member_letter_naming_someone_kept_from_them_needs_a_reason(client, accepted):  # noqa: F811
    p = accepted
    _keep(p.mw, p.mw.child, p.mw.piet)  # the plan is about the child: every letter of it names them
    client.force_login(p.world.a.coordinator)
    url = reverse(
        "plans:document_member", kwargs={"pk": p.case.pk, "trajectory_id": p.trajectory.pk, "person_id": p.mw.piet.pk}
    )
    warned = client.get(url, HTTP_ACCEPT_LANGUAGE="nl")
    assert warned.status_code == 200 and warned["Content-Type"].startswith("text/html")
    assert p.mw.child.full_name in warned.content.decode()
    assert not _entries(p.case)
    made = client.post(url, {"unsafe_reason": "Vader mag het plan kennen (beschikking)."})
    assert made.status_code == 200 and made["Content-Type"] == "application/pdf"
    [entry] = _entries(p.case)
    assert "beschikking" in entry.text
    logged = AccessLogEntry.objects.filter(action="export", detail__startswith="member document despite a no contact")
    assert logged.exists()
    # Oma's letter: no mark concerns her.
    other = reverse(
        "plans:document_member", kwargs={"pk": p.case.pk, "trajectory_id": p.trajectory.pk, "person_id": p.mw.oma.pk}
    )
    assert client.get(other)["Content-Type"] == "application/pdf"


# ---- a confidential address in free text -----------------------------------------------------------------------


def test_a_confidential_address_is_found_however_it_is_written(mw):  # noqa: F811
    person = Person.objects.get(pk=mw.oma.pk)
    case_services.update_person(mw.worker, mw.case.pk, person.pk, {"address": SECRET_ADDRESS}, person.version)
    text = "Huisbezoek bij oma op de GEHEIMSTRAAT 7-a."
    assert confidentiality.protected_addresses_in(mw.case, text) == []  # not marked: nothing to warn about
    person.refresh_from_db()
    case_services.update_person(
        mw.worker,
        mw.case.pk,
        person.pk,
        {"contact_confidentiality": "address", "confidentiality_reason": "Opvang."},
        person.version,
    )
    for written in (text, "postcode 3511ab", "3511 AB Utrecht", "Geheimstraat, 7"):
        assert confidentiality.protected_addresses_in(mw.case, written) == ["Oma Jansen"], written
    for other in ("Geheimstraat 71", "Geheimstraat", "3511 AC", "35111 AB", "huisnummer 7"):
        assert confidentiality.protected_addresses_in(mw.case, other) == [], other
    assert "Oma Jansen" in confidentiality.address_warning(["Oma Jansen"])
    assert confidentiality.address_warning([]) == ""


def test_the_address_of_a_person_protected_by_a_no_contact_mark_counts_too(mw):  # noqa: F811
    person = Person.objects.get(pk=mw.oma.pk)
    case_services.update_person(mw.worker, mw.case.pk, person.pk, {"address": SECRET_ADDRESS}, person.version)
    _keep(mw, mw.oma, mw.kees)
    assert confidentiality.protected_addresses_in(mw.case, "Geheimstraat 7") == ["Oma Jansen"]
    assert confidentiality.protected_addresses_in(mw.case, "Geheimstraat 7", recipient=mw.kees) == ["Oma Jansen"]
    assert confidentiality.protected_addresses_in(mw.case, "Geheimstraat 7", recipient=mw.piet) == []


def _confidential_oma(mw):  # noqa: F811
    person = Person.objects.get(pk=mw.oma.pk)
    return case_services.update_person(
        mw.worker,
        mw.case.pk,
        person.pk,
        {"address": SECRET_ADDRESS, "contact_confidentiality": "address", "confidentiality_reason": "Opvang."},
        person.version,
    )


def test_a_journal_entry_with_a_confidential_address_is_saved_with_a_warning(client, mw):  # noqa: F811
    from django.utils import timezone

    _confidential_oma(mw)
    client.force_login(mw.world.a.case_worker)
    url = reverse("journal:write", args=[mw.case.pk])
    when = (timezone.localtime() - timezone.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    data = {"occurred_at": when, "category": "home_visit", "visibility": "team_only"}
    saved = client.post(
        url, {**data, "text": "Huisbezoek op de Geheimstraat 7."}, follow=True, HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert "Deze tekst bevat het vertrouwelijke adres van Oma Jansen." in saved.content.decode()
    assert JournalEntry.objects.filter(case=mw.case).count() == 1  # warned, not refused
    plain = client.post(url, {**data, "text": "Telefonisch contact."}, follow=True, HTTP_ACCEPT_LANGUAGE="nl")
    assert "vertrouwelijke adres" not in plain.content.decode()


def test_a_meeting_place_with_a_confidential_address_is_saved_with_a_warning(client, mw):  # noqa: F811
    from kring.meetings.forms import MeetingForm

    _confidential_oma(mw)
    meeting = Meeting.objects.get(pk=mw.meeting.pk)
    client.force_login(mw.world.a.coordinator)
    url = reverse("meetings:edit", kwargs={"pk": mw.case.pk, "meeting_id": meeting.pk})
    form = client.get(url).context["form"]
    assert isinstance(form, MeetingForm)
    data = {name: value for name, value in form.initial.items() if value not in (None, "")}
    data.update(
        {
            "starts_at": meeting.starts_at.astimezone(documents.zone_of(meeting)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": meeting.ends_at.astimezone(documents.zone_of(meeting)).strftime("%Y-%m-%dT%H:%M"),
            "place": "Bij oma, 3511 AB",
            "version": meeting.version,
        }
    )
    saved = client.post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE="nl")
    assert saved.status_code == 200
    assert Meeting.objects.get(pk=meeting.pk).place == "Bij oma, 3511 AB"
    assert "Deze tekst bevat het vertrouwelijke adres van Oma Jansen." in saved.content.decode()
