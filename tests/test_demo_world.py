"""The demo world: deterministic, idempotent, complete, usable, and refused in production."""

from decimal import Decimal
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import validate_totp_code
from allauth.mfa.utils import decrypt
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from kring.accounts.models import CoordinatorProfile, Membership, Organisation, Role, Team, TeamMember, User
from kring.audit.models import AccessLogEntry
from kring.cases import services
from kring.cases.choices import (
    LEGAL_CONTEXTS_BY_JURISDICTION,
    CaseRole,
    CaseStatus,
    ClosureReason,
    ReferralRoute,
    SafetyConcern,
)
from kring.cases.models import Assignment, Case, CaseTeamMember, Consent, Person
from kring.cases.queries import visible_cases
from kring.meetings.models import (
    ConferenceQuestion,
    InterpreterBooking,
    MeetingCost,
    MeetingLogistics,
    PreparationVisit,
)
from kring.web import demo
from kring.web.demo import family as demo_family

from .factories import actor, make_organisation, totp_code


def run(*args):
    out = StringIO()
    call_command("demo_world", *args, stdout=out)
    return out.getvalue()


def snapshot():
    """Everything a second run could change, in a comparable form."""
    return {
        "counts": {
            "organisations": Organisation.objects.count(),
            "teams": Team.objects.count(),
            "users": User.objects.count(),
            "memberships": Membership.objects.count(),
            "team members": TeamMember.objects.count(),
            "cases": Case.objects.count(),
            "persons": Person.objects.count(),
            "case team": CaseTeamMember.objects.count(),
            "consents": Consent.objects.count(),
            "authenticators": Authenticator.objects.count(),
        },
        "numbers": sorted(Case.objects.values_list("number", flat=True)),
        "cases": sorted(
            Case.objects.values_list(
                "number", "family_name", "status", "closure_reason", "closed_on", "referral_date", "version"
            )
        ),
        "persons": sorted(
            Person.objects.values_list(
                "case__number", "first_name", "last_name", "birth_date", "relation", "language", "interpreter_needed"
            )
        ),
        "consents": sorted(Consent.objects.values_list("case__number", "purpose", "given_on", "withdrawn_on")),
        "passwords": sorted(User.objects.values_list("email", "password")),
        # Writes would show here even where the data ends up the same.
        "history": (
            Case.history.count(),
            Person.history.count(),
            Consent.history.count(),
            CaseTeamMember.history.count(),
            AccessLogEntry.objects.count(),
        ),
    }


def test_a_second_run_changes_nothing(db):
    first_output = run()
    first = snapshot()
    second_output = run()

    assert snapshot() == first
    assert first["counts"]["organisations"] == 3
    assert 35 <= first["counts"]["cases"] <= 45
    assert first["numbers"][0] == "JBR-2025-0001"
    assert "(40 new cases" in first_output
    assert "(0 new cases, 0 new accounts)" in second_output


def test_the_plan_does_not_depend_on_the_run():
    first, second = demo.plan_world(), demo.plan_world()
    assert [(p.number, p.referral_date, p.persons, p.consents, p.authorities, p.team_additions) for p in first] == [
        (p.number, p.referral_date, p.persons, p.consents, p.authorities, p.team_additions) for p in second
    ]
    assert all(p.referral_date < demo.REFERENCE_DATE for p in first)


def test_the_world_covers_every_choice(db):
    run()
    cases = list(Case.objects.select_related("organisation"))
    for jurisdiction, contexts in LEGAL_CONTEXTS_BY_JURISDICTION.items():
        found = {c.legal_context for c in cases if c.organisation.jurisdiction == jurisdiction}
        assert found == {c.value for c in contexts}, jurisdiction
    assert {c.status for c in cases} == set(CaseStatus.values)
    assert {c.closure_reason for c in cases if c.status == CaseStatus.CLOSED} == set(ClosureReason.values)
    assert {c.safety_concern for c in cases} == set(SafetyConcern.values)
    assert {c.referral_route for c in cases} == set(ReferralRoute.values)
    for organisation in Organisation.objects.filter(is_coordinating_office=False):
        roles = set(Membership.objects.filter(organisation=organisation, active=True).values_list("role", flat=True))
        assert roles == set(Role.values), organisation
    # The coordinating office has only its team lead and its pool of independent coordinators.
    office_roles = Membership.objects.filter(organisation__is_coordinating_office=True).values_list("role", flat=True)
    assert set(office_roles) == {Role.TEAM_LEAD, Role.COORDINATOR}
    assert Consent.objects.filter(withdrawn_on__isnull=False).exists()
    assert Consent.objects.filter(withdrawn_on__isnull=True).exists()
    assert Person.objects.filter(interpreter_needed=True).exists()
    languages = set(Person.objects.values_list("language", flat=True))
    assert {"Nederlands", "Arabisch", "Turks", "Pools", "Frans"} <= languages


def test_every_case_is_whole_and_valid(db):
    run()
    for case in Case.objects.select_related("organisation", "team"):
        assert case.team.organisation_id == case.organisation_id, case
        persons = list(case.persons.all())
        assert 3 <= len(persons) <= 8, case
        assert any(p.is_central for p in persons), case
        assert all(p.organisation_id == case.organisation_id and p.search_name for p in persons), case
        assert case.team_members.filter(role=CaseRole.CASE_WORKER).exists(), case
        assert case.referral_date < demo.REFERENCE_DATE, case
        assert (case.status == CaseStatus.CLOSED) == bool(case.closed_on) == bool(case.closure_reason), case
        if case.closed_on:
            assert case.referral_date <= case.closed_on < demo.REFERENCE_DATE, case
        case.full_clean()
        for person in persons:
            person.full_clean()
        for consent in case.consents.all():
            consent.full_clean()


def test_every_child_has_recorded_authority_and_every_consent_obeys_the_rules(db):
    """Issue 15.3 (decision 161): authority is recorded for every central person under age, and each consent was
    given by somebody the consent rules of the case's jurisdiction allow, on the day it was given; no aunt, foster
    parent or grandparent consents for a child."""
    from kring.cases import consent_rules
    from kring.cases.models import ParentalAuthority

    run()
    checked = 0
    for case in Case.objects.select_related("organisation"):
        facts = consent_rules.case_facts(case)
        for child in facts.minors(case.referral_date):
            assert facts.recorded_for(child), (case, child)
        for consent in case.consents.select_related("person"):
            assert consent_rules.refusal(facts, consent.person, consent.purpose, consent.given_on) is None, (
                case,
                consent.person,
                consent.person.relation,
            )
            assert "tante" not in consent.person.relation and "pleeg" not in consent.person.relation, consent
            checked += 1
    assert checked > 100
    kinds = set(ParentalAuthority.objects.values_list("kind", flat=True))
    assert kinds == {"parent", "guardian", "institution"}
    # In the Netherlands a young person of 12 to 15 and a holder both consent: the demo has such pairs.
    assert Consent.objects.filter(case__organisation__jurisdiction="NL", person__is_central=True).exists()


def test_history_and_access_log_name_the_case_worker(db):
    run()
    case = Case.objects.get(number="KOM-2026-0005")  # Peeters, referred and made active by the case worker
    worker = User.objects.get(email="casemanager@kompas.demo")
    assert case.family_name == "Familie Peeters"
    assert list(case.history.order_by("history_date").values_list("status", "history_user")) == [
        (CaseStatus.REFERRED, worker.pk),
        (CaseStatus.ACTIVE, worker.pk),
    ]
    assert (
        AccessLogEntry.objects.filter(case_id=case.pk, user=worker, action="create", record_type="person").count()
        == case.persons.count()
    )


def test_case_workers_see_their_cases_and_researchers_none(db):
    run()
    worker = User.objects.get(email="casemanager@kompas.demo")
    visible = set(visible_cases(worker))
    assert visible
    assert visible == set(Case.objects.filter(team_members__user=worker))
    assert {c.organisation.code for c in visible} == {"kom"}

    for email in ("onderzoeker@kompas.demo", "onderzoeker@rivierenland.demo"):
        assert not visible_cases(User.objects.get(email=email)).exists(), email

    lead = User.objects.get(email="teamleider@kompas.demo")
    assert set(visible_cases(lead)) >= set(Case.objects.filter(team__name="Team Gent"))

    shared = User.objects.get(email="netwerkcoordinator@kring.demo")
    assert {c.organisation.code for c in visible_cases(shared)} == {"kom", "jbr"}


def test_accounts_roles_and_two_factor(db, client):
    run()
    users = {u.email: u for u in User.objects.all()}
    assert set(users) == set(demo.demo_emails())
    assert not any(u.is_superuser for u in users.values())
    for user in users.values():
        roles = {m.role for m in user.memberships.all()}
        assert not user.is_staff, user  # the admin site admits by role, not by the staff flag
        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if roles & {Role.ADMINISTRATOR, Role.PRIVACY_OFFICER}:
            secret = decrypt(totp.data["secret"])
            assert secret == demo.DEMO_TOTP_SECRET
            assert validate_totp_code(secret, totp_code(secret))
        else:
            assert totp is None, user
    for membership in Membership.objects.filter(role=Role.TEAM_LEAD):
        assert TeamMember.objects.filter(
            user=membership.user, is_lead=True, team__organisation=membership.organisation
        ).exists()
    assert not TeamMember.objects.filter(is_lead=True).exclude(user__memberships__role=Role.TEAM_LEAD).exists()
    shared = users["netwerkcoordinator@kring.demo"]
    assert set(shared.memberships.values_list("organisation__code", "role")) == {
        ("kom", Role.COORDINATOR),
        ("jbr", Role.COORDINATOR),
    }

    assert client.login(email="casemanager@rivierenland.demo", password=demo.DEMO_PASSWORD)
    client.logout()
    client.force_login(users["beheerder@kompas.demo"])
    # With an authenticator in place the two-factor middleware lets them through, into the admin too.
    assert client.get(reverse("web:home")).status_code == 200
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200 and "/admin/accounts/organisation/" in response.content.decode()


def test_referrals_made_after_the_build_get_fresh_numbers(db):
    run()
    worker = User.objects.get(email="casemanager@kompas.demo")
    organisation = Organisation.objects.get(code="kom")
    numbers = set(Case.objects.values_list("number", flat=True))
    case = services.create_referral(
        actor(worker),
        organisation,
        {
            "family_name": "Familie Nieuw",
            "team": Team.objects.get(name="Team Gent"),
            "legal_context": "vl_voluntary",
            "safety_concern": "none",
            "central_reason": "Het kind.",
            "referral_date": demo.REFERENCE_DATE,
            "referral_route": "family",
            "question": "Wij willen hulp.",
        },
        [{"first_name": "Mona", "is_central": True}],
    )
    assert case.number not in numbers
    assert case.number.startswith("KOM-2026-")


def test_logins_are_printed(db):
    assert "no demo world" in run("--print-logins")
    assert not Organisation.objects.exists()

    built = run()
    printed = run("--print-logins")
    for output in (built, printed):
        for email in demo.demo_emails():
            assert email in output
        assert demo.DEMO_PASSWORD in output and demo.DEMO_TOTP_SECRET in output
    assert printed.count("netwerkcoordinator@kring.demo") == 2
    assert "Eigen Kracht Centrale regio Utrecht" in printed and printed.count("@eigenkracht.demo") == 3


def test_the_coordinating_office_and_its_assigned_coordinator(db):
    run()
    office = Organisation.objects.get(code="ekc")
    assert office.is_coordinating_office and office.jurisdiction == "NL"
    profiles = {p.user.email: p for p in CoordinatorProfile.objects.filter(office=office).select_related("user")}
    assert set(profiles) == {"fatima@eigenkracht.demo", "ayse@eigenkracht.demo"}
    assert "Arabisch" in profiles["fatima@eigenkracht.demo"].languages
    assert "Turks" in profiles["ayse@eigenkracht.demo"].languages

    meeting = demo_family.conference()
    assert meeting is not None and meeting.trajectory.method_code in ("ekc", "fnb")
    case = meeting.case
    assigned = Assignment.objects.get(office=office)
    assert (assigned.case, assigned.coordinator.email) == (case, demo_family.ASSIGNED)
    # Logging in as the assigned coordinator shows exactly that case; the other one and the team lead see none.
    assert list(visible_cases(User.objects.get(email=demo_family.ASSIGNED))) == [case]
    for email in ("ayse@eigenkracht.demo", "teamleider@eigenkracht.demo"):
        assert not visible_cases(User.objects.get(email=email)).exists(), email


def test_the_family_network_conference_is_prepared(db):
    run()
    meeting = demo_family.conference()
    question = ConferenceQuestion.objects.get(meeting=meeting)
    assert question.agreed and question.family_agreed_by.document_language == "ar"
    assert PreparationVisit.objects.filter(meeting=meeting, person=question.family_agreed_by).exists()
    logistics = MeetingLogistics.objects.get(meeting=meeting)
    assert logistics.budget == Decimal("150.00") and logistics.date_chosen_by_family
    assert [c.what for c in MeetingCost.objects.filter(meeting=meeting)] == ["Zaalhuur"]
    bookings = list(InterpreterBooking.objects.filter(part__meeting=meeting))
    assert [(b.part, b.language) for b in bookings] == [(meeting.parts.order_by("pk").first(), "Arabisch")]


def test_if_empty_leaves_an_existing_installation_alone(db):
    make_organisation("NL", name="Echte organisatie", code="echt")
    run("--if-empty")
    assert list(Organisation.objects.values_list("code", flat=True)) == ["echt"]
    assert not User.objects.exists() and not Case.objects.exists()


def test_if_empty_builds_on_an_empty_database(db):
    run("--if-empty")
    assert Organisation.objects.count() == 3 and Case.objects.count() == len(demo.CASES)


@override_settings(PRODUCTION=True)
def test_refused_in_production_unless_forced(db):
    for args in ((), ("--if-empty",), ("--print-logins",)):
        with pytest.raises(CommandError, match="production"):
            run(*args)
    assert not Organisation.objects.exists() and not User.objects.exists()

    run("--force")
    assert Organisation.objects.count() == 3


# --- The network of every case ----------------------------------------------------------------------------


def network_counts():
    from kring.network.models import NetworkEdit, NetworkMember, Relationship, SystemTie

    return {
        "members": NetworkMember.objects.count(),
        "relationships": Relationship.objects.count(),
        "system ties": SystemTie.objects.count(),
        "edits": NetworkEdit.objects.count(),
        "history": (NetworkMember.history.count(), Relationship.history.count(), SystemTie.history.count()),
    }


def test_every_case_has_a_believable_network(db):
    from kring.network.models import NetworkMember, Relationship, SystemTie

    run()
    worker_edits = 0
    for case in Case.objects.all():
        persons = list(case.persons.all())
        central = next(p for p in persons if p.is_central)
        members = {m.person_id: m for m in NetworkMember.objects.filter(case=case)}
        assert set(members) == {p.pk for p in persons}, case
        relationships = list(Relationship.objects.filter(case=case))
        age = (case.referral_date - central.birth_date).days // 365
        if age < 18:
            assert any(r.kind == "parent" and r.person_b_id == central.pk for r in relationships), case
        else:
            assert any(r.kind == "partner" for r in relationships) or any(
                r.kind == "parent" and r.person_a_id == central.pk for r in relationships
            ), case
        by_id = {p.pk: p for p in persons}
        for r in relationships:
            r.full_clean()
            if r.kind == "parent" and r.subtype == "biological":
                assert by_id[r.person_a_id].birth_date < by_id[r.person_b_id].birth_date, (case, r)
        ties = list(SystemTie.objects.filter(case=case))
        assert 2 <= len(ties) <= 4, case
        for tie in ties:
            tie.full_clean()
        for person in persons:
            member = members[person.pk]
            member.full_clean()
            assert member.domain and member.ring in (1, 2, 3), (case, person)
            if person.in_household:
                assert member.domain == "household", (case, person)
            if member.may_invite:
                assert member.safety == "safe" and member.domain != "professional", (case, person)
        worker = case.team_members.get(role=CaseRole.CASE_WORKER).user
        assert {r.history.first().history_user_id for r in relationships} == {worker.pk}, case
        worker_edits += AccessLogEntry.objects.filter(case_id=case.pk, user=worker, record_type="relationship").count()
    assert worker_edits == Relationship.objects.count()

    unsafe = NetworkMember.objects.filter(safety="unsafe")
    assert 2 <= unsafe.values("case").distinct().count() <= 3
    assert set(unsafe.values_list("case__safety_concern", flat=True)) <= {SafetyConcern.SERIOUS, SafetyConcern.ACUTE}
    assert NetworkMember.objects.filter(safety="unknown").exists()
    assert NetworkMember.objects.filter(deceased=True, death_date__isnull=False).exists()
    assert Relationship.objects.filter(kind="partner", subtype__in=["separated", "divorced"]).exists()
    assert Relationship.objects.filter(kind="partner", subtype="married").exists()
    assert Relationship.objects.filter(kind="parent", subtype="step").exists()
    assert Relationship.objects.filter(kind="parent", subtype="foster").exists()
    assert Relationship.objects.filter(kind="emotional", subtype="conflict").exists()
    assert Relationship.objects.filter(kind="emotional", subtype="close").exists()
    assert {"school", "gp", "work", "youth_care", "sports_club"} <= set(
        SystemTie.objects.values_list("system_kind", flat=True)
    )
    assert SystemTie.objects.filter(system_kind="school", strength="stressful").exists()
    assert SystemTie.objects.filter(system_kind="school", strength="strong").exists()


def test_a_second_run_adds_no_network(db):
    run()
    first = network_counts()
    assert first["members"] == Person.objects.count()
    output = run()
    assert network_counts() == first
    assert "(0 new cases, 0 new accounts)" in output


def test_the_network_plan_does_not_depend_on_the_run():
    first = [demo.plan_network(plan) for plan in demo.plan_world()]
    assert first == [demo.plan_network(plan) for plan in demo.plan_world()]


def test_an_existing_demo_case_gets_its_network(db):
    from kring.network.models import Relationship, SystemTie

    run()
    case = Case.objects.get(number="KOM-2026-0005")  # Peeters
    before = network_counts()
    Relationship.objects.filter(case=case).delete()
    SystemTie.objects.filter(case=case).delete()
    run()
    after = network_counts()
    assert (after["relationships"], after["system ties"], after["members"]) == (
        before["relationships"],
        before["system ties"],
        before["members"],
    )


def test_the_genogram_of_a_demo_case_renders(db):
    import re

    from kring.network.core.svg import render_map
    from kring.network.queries import network_for_case

    run()
    case = Case.objects.get(number="KOM-2026-0005")  # Peeters: divorced parents, a grandfather
    worker = User.objects.get(email="casemanager@kompas.demo")
    _case, network = network_for_case(actor(worker), case.pk)
    assert network.parents and network.partners
    for kind in ("genogram", "ecomap", "circle"):
        svg = render_map(network, kind)
        assert svg.startswith("<svg") or "<svg" in svg[:200]
    svg = render_map(network, "genogram")
    drawn = set(re.findall(r'<g class="member[^"]*" data-id="(\d+)"', svg))
    assert drawn == {str(pk) for pk in case.persons.values_list("pk", flat=True)}
