"""The family's side of the demo: a coordinating office with its pool, one of its independent coordinators
assigned to the demo's first Dutch Eigen Kracht-conferentie or familienetwerkberaad in preparation, and that conference prepared (the
mother reads Arabic, the question agreed, a visit, the logistics with a cost, an interpreter for the first part).

Written through the services, as the others are. Idempotent: a profile, an assignment or a prepared conference
that exists is left alone. Network members' link secrets are never printed, so neither is a family link's.
"""

from decimal import Decimal

from django.utils import timezone

from kring.accounts.models import CoordinatorProfile
from kring.cases import services as case_services
from kring.cases.coordination import services as coordination
from kring.cases.models import Assignment
from kring.core.actor import Actor
from kring.meetings import services as meeting_services
from kring.meetings.models import ConferenceQuestion, Meeting

from .world import ACCESS_PATH, OFFICE, OFFICE_LEAD, POOL

ASSIGNED = POOL[0].email


def _case_worker(case):
    from kring.cases.choices import CaseRole
    from kring.cases.models import CaseTeamMember

    member = CaseTeamMember.objects.filter(case=case, role=CaseRole.CASE_WORKER).select_related("user").first()
    return member.user if member else None


def conference():
    """The demo's first planned Eigen Kracht-conferentie or familienetwerkberaad at the Dutch organisation, or None."""
    return (
        Meeting.objects.filter(
            case__organisation__code="jbr", status="planned", trajectory__method_code__in=("ekc", "fnb")
        )
        .select_related("case", "trajectory")
        .order_by("case__number", "pk")
        .first()
    )


def ensure(organisations: dict, users: dict) -> int:
    office = organisations[OFFICE]
    lead = Actor(users[OFFICE_LEAD], path=ACCESS_PATH)
    created = 0
    for spec in POOL:
        user = users[spec.email]
        if not CoordinatorProfile.objects.filter(office=office, user=user).exists():
            coordination.save_profile(lead, office.pk, user.pk, spec.profile)
            created += 1
    meeting = conference()
    if meeting is None:
        return created
    case = meeting.case
    worker_user = _case_worker(case)
    if worker_user is None:
        return created
    worker = Actor(worker_user, path=ACCESS_PATH)
    coordinator = users[ASSIGNED]
    if not Assignment.objects.filter(case=case, coordinator=coordinator).exists():
        asked = coordination.request_coordinator(
            worker, case.pk, {"office": office, "trajectory": meeting.trajectory, "languages": "Nederlands, Arabisch"}
        )
        coordination.confirm_assignment(lead, asked.pk, coordinator.pk, timezone.localdate())
        created += 2
    if ConferenceQuestion.objects.filter(meeting=meeting).exists():
        return created
    return created + _prepare(case, meeting, worker, Actor(meeting.trajectory.coordinator, path=ACCESS_PATH))


def _prepare(case, meeting, worker, coordinator) -> int:
    persons = list(case.persons.order_by("pk"))
    mother = next((p for p in persons if p.relation.lower() == "moeder"), None) or next(
        (p for p in persons if not p.is_central), persons[0]
    )
    case_services.update_person(
        worker,
        case.pk,
        mother.pk,
        {"document_language": "ar", "language": "Arabisch", "interpreter_needed": True},
        mother.version,
    )
    today = timezone.localdate()
    question = meeting_services.add_question(
        coordinator,
        case.pk,
        meeting.pk,
        f"Wat is er nodig zodat {case.family_name.removeprefix('Familie ')} veilig thuis kan blijven wonen?",
    )
    for party, who, kwargs in (
        ("family", coordinator, {"person": mother.pk}),
        ("coordinator", coordinator, {}),
        ("case_worker", worker, {}),
    ):
        question = meeting_services.agree_question(
            who, case.pk, meeting.pk, question.pk, party, question.version, **kwargs
        )
    meeting_services.record_visit(
        coordinator,
        case.pk,
        meeting.pk,
        {"person": mother.pk, "visited_on": today, "how": "in_person", "note": "Moeder kiest zelf wie er komt."},
    )
    meeting_services.save_logistics(
        coordinator,
        case.pk,
        meeting.pk,
        {
            "date_chosen_by_family": True,
            "food": "Soep en broodjes, halal",
            "travel": "Tante wordt opgehaald",
            "childcare": "Buurvrouw past op de kleinsten",
            "budget": Decimal("150.00"),
        },
        0,
    )
    meeting_services.add_cost(
        coordinator, case.pk, meeting.pk, {"what": "Zaalhuur", "amount": Decimal("80.00"), "paid_by": "Gemeente"}
    )
    first_part = meeting.parts.order_by("pk").first()
    meeting_services.book_interpreter(
        coordinator,
        case.pk,
        meeting.pk,
        {"part": first_part.pk, "language": "Arabisch", "arranged_by_name": "Tolkencentrum Utrecht"},
    )
    return 6


__all__ = ["ASSIGNED", "conference", "ensure"]
