"""Issue 14, item 7: the person marked unsafe on the network map is guarded everywhere, not only at invitation.
An agreement they carry (or stand in for, or check), a personal link for them, a letter to them, or a shared plan
part naming them needs an explicit confirmation with a reason, by the one rule of ``kring.network.unsafe``; the
case page's person table marks them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kring.audit.models import AccessLogEntry
from kring.cases import services as case_services
from kring.cases.models import Person
from kring.network import unsafe
from kring.plans import services
from kring.plans.links import services as link_services
from kring.plans.models import Agreement, PersonalLink

REASON = "Kees is de vader; de rechter bepaalde dat hij Sam op zaterdag ziet, onder toezicht van oma."


def _draft(p):
    """The next version of the accepted plan, a draft to add agreements to."""
    return services.start_new_edition(p.coordinator, p.case.pk, p.plan.pk, p.plan.version)


def test_the_rule_asks_a_reason_only_when_someone_is_marked(accepted):
    p = accepted
    kees = p.mw.kees
    assert unsafe.unsafe_ids([kees.pk, p.mw.oma.pk, None]) == {kees.pk}
    assert unsafe.require_reason([], "", "field") == ""
    with pytest.raises(ValidationError) as refused:
        unsafe.require_reason([kees.full_name], "  ", "field")
    assert kees.full_name in refused.value.message_dict["field"][0]
    assert unsafe.require_reason([kees.full_name], f" {REASON} ", "field") == REASON


# ---- agreements --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner_person", "backup_person", "checker_person"])
def test_an_agreement_naming_the_unsafe_person_needs_a_reason(accepted, role):
    p = accepted
    plan = _draft(p)
    data = {"what": "Sam gaat op zaterdag naar de markt.", "owner_person": p.mw.piet.pk, "checker_person": p.mw.oma.pk}
    data[role] = p.mw.kees.pk
    with pytest.raises(ValidationError) as refused:
        services.add_agreement(p.coordinator, p.case.pk, plan.pk, dict(data), plan.version)
    assert p.mw.kees.full_name in refused.value.message_dict["unsafe_reason"][0]
    assert not Agreement.objects.filter(what=data["what"]).exists()
    made = services.add_agreement(p.coordinator, p.case.pk, plan.pk, {**data, "unsafe_reason": REASON}, plan.version)
    assert Agreement.objects.get(pk=made.pk).unsafe_reason == REASON
    # Its history keeps the reason too.
    assert made.history.filter(unsafe_reason=REASON).exists()


def test_an_agreement_of_safe_persons_needs_no_reason_and_keeps_none(accepted):
    p = accepted
    plan = _draft(p)
    made = services.add_agreement(
        p.coordinator,
        p.case.pk,
        plan.pk,
        {"what": "Oma kookt op woensdag.", "owner_person": p.mw.oma.pk, "checker_person": p.mw.piet.pk},
        plan.version,
    )
    assert made.unsafe_reason == ""


def test_the_agreement_form_labels_the_unsafe_person_and_shows_the_refusal(accepted, client):
    p = accepted
    plan = _draft(p)
    client.force_login(p.world.a.coordinator)
    url = reverse("plans:agreement_add", args=[p.case.pk, p.trajectory.pk])
    page = client.get(url).content.decode()
    assert f"{p.mw.kees.full_name} (" in page and 'name="unsafe_reason"' in page
    post = {"what": "Kees belt Sam.", "owner_person": p.mw.kees.pk, "checker_person": p.mw.oma.pk}
    response = client.post(url, {**post, "version": plan.version})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Agreement.objects.filter(what="Kees belt Sam.").exists()
    response = client.post(url, {**post, "version": plan.version, "unsafe_reason": REASON})
    assert response.status_code == 302
    assert Agreement.objects.get(what="Kees belt Sam.").unsafe_reason == REASON


# ---- personal links ----------------------------------------------------------------------------------------


def test_a_link_for_the_unsafe_person_needs_a_reason(accepted):
    p = accepted
    with pytest.raises(ValidationError) as refused:
        link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, p.mw.kees.pk)
    assert "unsafe_reason" in refused.value.message_dict
    assert not PersonalLink.objects.exists()
    link, _token = link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, p.mw.kees.pk, unsafe_reason=REASON)
    assert link.unsafe_reason == REASON
    assert AccessLogEntry.objects.filter(
        record_type="personal_link", record_id=str(link.pk), action="create", detail="despite the network map"
    ).exists()


def _share_consent(p):
    """The family's consent to share the plan, given by a parent (the child is too young to consent alone)."""
    parent = Person.objects.create(
        case=p.case,
        organisation=p.case.organisation,
        first_name="Mama",
        last_name="Ouder",
        relation="moeder",
        birth_date=datetime.date(1985, 6, 1),
    )
    case_services.record_consent(
        p.worker, p.case.pk, {"person": parent.pk, "purpose": "share_plan", "given_on": timezone.localdate()}
    )


def test_sharing_a_part_that_names_the_unsafe_person_needs_a_reason(accepted):
    p = accepted
    _share_consent(p)
    # Oma is safe, and her own agreements name nobody unsafe: no reason needed.
    link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, p.mw.oma.pk, ["all_agreements", "concerns"])
    # The concerns name Kees: sharing them needs a reason.
    type(p.plan).objects.filter(pk=p.plan.pk).update(concerns="We maken ons zorgen als Kees dronken is.")
    with pytest.raises(ValidationError) as refused:
        link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, p.mw.oma.pk, ["concerns"])
    assert p.mw.kees.full_name in refused.value.message_dict["unsafe_reason"][0]
    link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, p.mw.oma.pk, ["reviews"])  # names no one
    # Everyone's agreements, once Kees carries one.
    Agreement.objects.filter(pk=p.school.pk).update(owner_person=p.mw.kees)
    with pytest.raises(ValidationError):
        link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, p.mw.piet.pk, ["all_agreements"])
    link, _token = link_services.create_link(
        p.coordinator, p.case.pk, p.plan.pk, p.mw.piet.pk, ["all_agreements"], unsafe_reason=REASON
    )
    assert link.unsafe_reason == REASON


def test_the_link_form_asks_the_reason_on_the_page(accepted, client):
    p = accepted
    client.force_login(p.world.a.coordinator)
    url = reverse("plans:link_add", args=[p.case.pk, p.trajectory.pk])
    response = client.post(url, {"person": p.mw.kees.pk, "valid_days": 30})
    assert response.status_code == 200 and 'name="unsafe_reason"' in response.content.decode()
    assert not PersonalLink.objects.exists()
    response = client.post(url, {"person": p.mw.kees.pk, "valid_days": 30, "unsafe_reason": REASON})
    assert response.status_code == 200 and PersonalLink.objects.get().unsafe_reason == REASON


# ---- letters -----------------------------------------------------------------------------------------------


def test_a_letter_to_the_unsafe_person_needs_a_reason(accepted, client):
    p = accepted
    client.force_login(p.world.a.coordinator)
    url = reverse("plans:document_member", args=[p.case.pk, p.trajectory.pk, p.mw.kees.pk])
    asked = client.get(url)
    assert asked.status_code == 200 and asked["Content-Type"].startswith("text/html")
    assert 'name="unsafe_reason"' in asked.content.decode()
    refused = client.post(url, {"unsafe_reason": ""})
    assert refused.status_code == 400 and refused["Content-Type"].startswith("text/html")
    made = client.post(url, {"unsafe_reason": REASON})
    assert made.status_code == 200 and made["Content-Type"] == "application/pdf"
    entry = AccessLogEntry.objects.filter(action="export", record_type="person", record_id=str(p.mw.kees.pk)).get()
    assert REASON[:40] in entry.detail
    # A safe person's letter comes at once.
    oma = client.get(reverse("plans:document_member", args=[p.case.pk, p.trajectory.pk, p.mw.oma.pk]))
    assert oma.status_code == 200 and oma["Content-Type"] == "application/pdf"


# ---- the case page -----------------------------------------------------------------------------------------


def test_the_case_page_marks_the_unsafe_person(accepted, client):
    p = accepted
    client.force_login(p.world.a.case_worker)
    page = client.get(reverse("cases:detail", args=[p.case.pk])).content.decode()
    row_of = {name: page[page.index(name) : page.index("</tr>", page.index(name))] for name in ("Kees", "Oma")}
    assert 'class="badge acute"' in row_of["Kees"] and 'class="badge acute"' not in row_of["Oma"]
