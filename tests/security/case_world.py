"""A case with one record of every kind a case's pages and API address by id, built through the services.

Items 7 and 8 of the trust-boundary review walk every route that takes a case id; for the routes that also take
the id of a record of the case, ``record_ids`` fills each parameter from the records built here. A parameter that
it cannot fill makes those tests fail (or is listed there with a reason), so a new kind of record is noticed.
"""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from kring.cases import services as case_services
from kring.cases.models import CaseTeamMember
from kring.documents import services as document_services
from kring.journal import services as journal_services
from kring.measures import services as measure_services
from kring.meetings import services as meeting_services
from kring.meetings.models import Invitation
from kring.network import services as network_services
from kring.plans import follow_up as plan_follow_up
from kring.plans import services as plan_services
from kring.plans.links import services as link_services
from kring.plans.models import SafetyAlert
from kring.plans.safety import services as safety
from kring.trajectories import services as trajectory_services
from tests.factories import actor, make_parent

D = datetime.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def build_rich_case(ns, tag):
    """On ``ns.case`` (its case worker, coordinator and lead from the ``world`` fixture): a network with a
    relationship and a system tie, a consent, a selector run, a family group conference trajectory with a held
    meeting (invitations, information), an accepted plan (bottom lines, agreements, a personal link, its
    reviews), a registration with an instrument, and a Signs of Safety trajectory with every safety record.
    ``tag`` makes the names of the two organisations' persons differ."""
    case = ns.case
    worker, coordinator, lead = actor(ns.case_worker), actor(ns.coordinator), actor(ns.lead)
    child = case.persons.order_by("pk").first()
    child.first_name, child.birth_date = f"Sam{tag}", D(2016, 5, 1)
    child.save()

    def person(first, last, **member):
        return network_services.add_network_person(worker, case.pk, {"first_name": first, "last_name": last}, member)

    oma = person(f"Oma{tag}", "Jansen", domain="family", safety="safe", may_invite=True)
    piet = person(f"Piet{tag}", "Buurman", domain="neighbourhood_clubs", safety="safe", may_invite=True)
    kees = person(f"Kees{tag}", "Onveilig", domain="family", safety="unsafe", may_invite=False)
    relationship = network_services.add_relationship(
        worker, case.pk, {"kind": "parent", "subtype": "biological", "person_a": oma.pk, "person_b": child.pk}
    )
    tie = network_services.add_system_tie(
        worker, case.pk, {"system": "School", "system_kind": "school", "strength": "strong", "person": child.pk}
    )
    consent = case_services.record_consent(
        worker,
        case.pk,
        {
            "person": make_parent(case).pk,  # the child is too young to consent alone
            "purpose": "share_plan",
            "given_on": timezone.localdate() - datetime.timedelta(days=3),
        },
    )
    authority = case_services.record_authority(
        worker,
        case.pk,
        {
            "child": child.pk,
            "kind": "parent",
            "holder": consent.person_id,
            "source": "by_law",
            "starts_on": D(2016, 5, 1),
        },
    )
    run = trajectory_services.run_selector(
        worker,
        case.pk,
        {
            "safety_concern": "some",
            "setting": "family",
            "request": "parenting",
            "network_size": 6,
            "motivation": "high",
            "conflicts": ["loyalty_conflict"],
        },
    )

    # The family group conference: offered, coordinator allocated, meeting held, plan accepted.
    t = trajectory_services.offer_trajectory(worker, case.pk, "fnb", D(2026, 2, 1))
    t = trajectory_services.change_status(worker, case.pk, t.pk, "accepted", D(2026, 2, 2))
    t = trajectory_services.allocate_coordinator(lead, case.pk, t.pk, ns.coordinator.pk)
    t = trajectory_services.change_status(worker, case.pk, t.pk, "preparing", D(2026, 2, 3))
    start = (timezone.localtime() - datetime.timedelta(days=2)).replace(hour=19, minute=0, second=0, microsecond=0)
    meeting = meeting_services.schedule_meeting(
        worker,
        case.pk,
        t.pk,
        {
            "kind": "network_meeting",
            "starts_at": start,
            "ends_at": start + datetime.timedelta(hours=3),
            "place": "Buurthuis",
            "language": "Nederlands",
        },
    )
    meeting_services.invite_from_map(worker, case.pk, meeting.pk, consent_reason="Mondeling toegestemd.")
    invitation = Invitation.objects.filter(meeting=meeting, person=oma).get()
    contribution = meeting_services.add_contribution(
        worker,
        case.pk,
        meeting.pk,
        {"author_name": "Dr. Bakker", "author_organisation": "GGD", "text": "Zorgen over de gezondheid."},
    )
    must = plan_services.add_bottom_line(
        worker,
        case.pk,
        t.pk,
        {"text": "De kinderen slapen elke nacht op een veilige plek.", "reason": "Zorg.", "kind": "non_negotiable"},
    )
    t = trajectory_services.change_status(
        worker, case.pk, t.pk, "meeting_held", timezone.localdate(), note="Aanwezigheid op papier."
    )
    plan = plan_services.start_plan(coordinator, case.pk, t.pk)
    plan = plan_services.update_plan(
        coordinator,
        case.pk,
        plan.pk,
        {
            "concerns": "Rust.",
            "if_it_goes_wrong": "Dan belt mama.",
            "child_view": "Logeren.",
            "presented_on": timezone.localdate(),
        },
        plan.version,
    )
    agreement = plan_services.add_agreement(
        coordinator,
        case.pk,
        plan.pk,
        {
            "what": "Slapen bij de grootmoeder als het thuis onrustig is.",
            "owner_person": oma.pk,
            "backup_person": piet.pk,
            "checker_user": ns.case_worker.pk,
            "is_safety": True,
            "due_on": timezone.localdate() + datetime.timedelta(days=7),
            "bottom_lines": [must.pk],
        },
    )
    plan.refresh_from_db()
    plan = plan_services.submit_plan(coordinator, case.pk, plan.pk, plan.version)
    plan_services.decide_plan(
        worker, case.pk, plan.pk, "accepted", "Veilig genoeg.", {must.pk: (True, "Er is een slaapplek.")}, plan.version
    )
    plan.refresh_from_db()
    link, _token = link_services.create_link(coordinator, case.pk, plan.pk, oma.pk)
    # The safety agreement reported not done: an open safety alert on the case.
    plan_follow_up.record_report(coordinator, case.pk, agreement.pk, "not_done", "Niet gelukt.")
    alert = SafetyAlert.objects.get(case=case)
    review = plan.reviews.order_by("pk").first()
    measure_services.save_registration(worker, case.pk, t.pk, {"household": "kin"})
    administration = measure_services.record_administration(
        worker,
        case.pk,
        t.pk,
        {
            "instrument": "sos_safety_scale",
            "mode": "items",
            "moment": "t0",
            "respondent": "professional",
            "administered_on": D(2026, 2, 10),
        },
        {"safety": 7},
    )

    # Signs of Safety: a safety plan with a map entry, a danger statement, a rating, a network member, a tool.
    s = trajectory_services.offer_trajectory(worker, case.pk, "signs_of_safety", D(2026, 2, 1))
    s = trajectory_services.change_status(worker, case.pk, s.pk, "accepted", D(2026, 2, 2))
    s = trajectory_services.change_status(
        worker, case.pk, s.pk, "preparing", D(2026, 2, 3), note="Veiligheidsplan gestart voor het eerste beraad."
    )
    safety_plan = plan_services.start_plan(worker, case.pk, s.pk)
    entry = safety.add_map_entry(worker, case.pk, safety_plan.pk, {"column": "harm", "text": "Ruzie 's nachts."})
    statement = safety.add_danger_statement(
        worker,
        case.pk,
        safety_plan.pk,
        {"statement": "Wij zijn bang dat Sam bij ruzie gewond raakt.", "safety_goal": "Sam slaapt veilig."},
    )
    rating = safety.record_rating(
        worker, case.pk, safety_plan.pk, {"person": oma.pk, "score": 6, "rated_on": D(2026, 3, 1)}
    )
    safety_member = safety.add_network_member(worker, case.pk, safety_plan.pk, oma.pk, "belt elke avond")
    attachment = safety.add_attachment(
        worker,
        case.pk,
        safety_plan.pk,
        {"tool": "three_houses", "title": "De drie huizen", "child": child.pk, "sharing": "case_team"},
        "huis.png",
        PNG,
    )
    document = document_services.add_document(
        worker,
        case.pk,
        {"title": "Beschikking", "kind": "court_decision", "person": child.pk, "meeting": meeting.pk, "plan": plan.pk},
        "beschikking.png",
        PNG,
    )
    journal_entry = journal_services.write_entry(
        worker,
        case.pk,
        {
            "occurred_at": timezone.now() - datetime.timedelta(days=1),
            "category": "home_visit",
            "text": "Huisbezoek met Oma.",
            "persons": [child.pk, oma.pk],
            "visibility": "family",
            "hidden_from": [piet.pk],
        },
    )
    team_member = CaseTeamMember.objects.filter(case=case, user=ns.coordinator).get()
    # A "no contact" mark between two persons no meeting or link of this world brings together.
    no_contact = case_services.record_no_contact(
        worker, case.pk, {"person": piet.pk, "kept_from": kees.pk, "reason": "Dreiging."}
    )
    return SimpleNamespace(
        case=case,
        persons=list(case.persons.order_by("pk")),
        child=child,
        oma=oma,
        piet=piet,
        kees=kees,
        relationship=relationship,
        tie=tie,
        consent=consent,
        authority=authority,
        run=run,
        trajectory=t,
        meeting=meeting,
        invitation=invitation,
        contribution=contribution,
        bottom_line=must,
        plan=plan,
        agreement=agreement,
        link=link,
        alert=alert,
        review=review,
        administration=administration,
        safety_trajectory=s,
        safety_plan=safety_plan,
        entry=entry,
        statement=statement,
        rating=rating,
        safety_member=safety_member,
        attachment=attachment,
        document=document,
        journal_entry=journal_entry,
        team_member=team_member,
        no_contact=no_contact,
    )


# Route parameters that are not record ids, with a value every route accepts.
FIXED_VALUES = {"moment": "t0", "instrument_code": "sos_safety_scale", "mode": "items", "version": "5.5.1"}


def record_ids(rich, route_name: str) -> dict:
    """Per route parameter the id of the record it names in ``rich``. The Signs of Safety pages take the safety
    trajectory and know ``member_id`` as a safety network member; the case team's ``member_id`` is a colleague."""
    safety_route = route_name.startswith("plans:safety")
    ids = {
        "pk": rich.case.pk,
        "case_id": rich.case.pk,
        "person_id": rich.oma.pk,
        "consent_id": rich.consent.pk,
        "authority_id": rich.authority.pk,
        "member_id": rich.safety_member.pk if safety_route else rich.team_member.pk,
        "relation_id": rich.relationship.pk,
        "relationship_id": rich.relationship.pk,
        "tie_id": rich.tie.pk,
        "run_id": rich.run.pk,
        "trajectory_id": rich.safety_trajectory.pk if safety_route else rich.trajectory.pk,
        "meeting_id": rich.meeting.pk,
        "invitation_id": rich.invitation.pk,
        "contribution_id": rich.contribution.pk,
        "plan_id": rich.plan.pk,
        "line_id": rich.bottom_line.pk,
        "bottom_line_id": rich.bottom_line.pk,
        "agreement_id": rich.agreement.pk,
        "review_id": rich.review.pk,
        "link_id": rich.link.pk,
        "alert_id": rich.alert.pk,
        "administration_id": rich.administration.pk,
        "entry_id": rich.entry.pk,
        "statement_id": rich.statement.pk,
        "rating_id": rich.rating.pk,
        "attachment_id": rich.attachment.pk,
        "journal_entry_id": rich.journal_entry.pk,
        "document_id": rich.document.pk,
        "no_contact_id": rich.no_contact.pk,
        "version_number": 1,
    }
    return ids
