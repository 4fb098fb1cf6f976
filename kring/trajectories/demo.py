"""Demo trajectories, built through the services so they obey every rule a user meets.

Each active demo case gets one trajectory whose method fits the case and whose progress is spread
over the statuses, so the work lists and clocks have something to show: some still offered, some preparing,
some with a plan, a few abandoned. Dutch cases get their Jeugdwet record, Flemish ones the exploration of own
strengths. Deterministic (by case number) and idempotent (a case with a trajectory is left alone).
"""

import datetime

from django.utils import timezone

from kring.accounts.models import TeamMember
from kring.cases.choices import CaseRole, CaseStatus
from kring.cases.models import Case, CaseTeamMember
from kring.core.actor import Actor

from . import services
from .models import Trajectory

# (statuses to walk through, with the days each step takes), chosen by the case's position.
SCENARIOS = (
    ("accepted", "preparing", "meeting_held", "plan_made", "follow_up"),
    ("accepted", "preparing"),
    (),  # only offered
    ("accepted", "preparing", "meeting_held", "plan_made"),
    ("abandoned:family_withdrew",),
    ("accepted", "preparing", "abandoned:network_too_small"),
    ("accepted",),
    ("declined",),
)
STEP_DAYS = {
    "accepted": 9,
    "preparing": 6,
    "meeting_held": 45,
    "plan_made": 0,
    "follow_up": 14,
    "declined": 12,
    "abandoned": 30,
}
HISTORY_NOTE = "Vastgelegd bij de overgang naar Kring: dit gebeurde voordat het dossier in Kring werd bijgehouden."
METHOD_BY_SAFETY = {"acute": "signs_of_safety", "serious": "signs_of_safety", "some": "fnb", "none": "ekc"}


def _method(case: Case, index: int) -> str:
    # Every fifth case is a comparison case in regular care, so the registration has something to compare with.
    if index % 5 == 4:
        return "regular_care"
    if case.organisation.jurisdiction == "VL" and case.safety_concern in ("none", "some") and index % 3 == 0:
        return "ptp" if index % 2 else "fnb"
    return METHOD_BY_SAFETY.get(case.safety_concern, "fnb")


def _member(case, role):
    found = CaseTeamMember.objects.filter(case=case, role=role).select_related("user").first()
    return found.user if found else None


def ensure(organisations: dict, users: dict) -> int:
    created = 0
    # Closed cases are left alone: a trajectory cannot be offered in a closed case, and the demo builds
    # everything through the services.
    cases = Case.objects.filter(organisation__in=organisations.values(), status=CaseStatus.ACTIVE)
    cases = cases.select_related("organisation", "team").order_by("organisation__code", "number")
    for index, case in enumerate(cases):
        if Trajectory.objects.filter(case=case).exists():
            continue
        worker = _member(case, CaseRole.CASE_WORKER)
        lead_member = TeamMember.objects.filter(team=case.team, is_lead=True).select_related("user").first()
        if worker is None or lead_member is None:
            continue
        created += _build(
            case,
            index,
            Actor(worker, path="demo"),
            Actor(lead_member.user, path="demo"),
            _member(case, CaseRole.COORDINATOR),
        )
    return created


def _build(case, index, worker, lead, coordinator) -> int:
    last_day = timezone.localdate()
    day = min(case.referral_date + datetime.timedelta(days=10 + index % 7), last_day)
    method = _method(case, index)
    # The worker first asks the selector, then offers the method chosen (saying why when it is not the top one).
    run = services.run_selector(
        worker,
        case.pk,
        {
            "safety_concern": case.safety_concern,
            "legal_context": case.legal_context,
            "setting": "foster_care" if index % 5 == 0 else "family",
            "motivation": "high" if index % 2 else "some",
        },
    )
    reason = "" if method == run.top_method else "Het gezin en de verwijzer kozen samen voor deze methodiek."
    services.choose_method(worker, case.pk, run.pk, method, reason=reason)
    trajectory = services.offer_trajectory(worker, case.pk, method, day, selector_run_id=run.pk)
    created = 1 + _legal(case, worker, day, index)
    for step in SCENARIOS[index % len(SCENARIOS)]:
        status, _sep, reason = step.partition(":")
        next_day = day + datetime.timedelta(days=STEP_DAYS[status])
        if next_day > last_day:
            break
        if status == "preparing" and coordinator is None:
            break
        if status == "preparing" and trajectory.coordinator_id is None:
            # For the coordinated methods the allocation itself starts the preparation (the method's table).
            trajectory = services.allocate_coordinator(
                lead, case.pk, trajectory.pk, coordinator.pk, accept_case_worker=True, on=next_day
            )
        if status == "meeting_held":
            # The preparation phase ends with the meeting.
            trajectory = services.advance_phase(worker, case.pk, trajectory.pk, next_day)
        day = next_day
        # The demo's past is recorded by hand; a step that normally follows from the work says why.
        note = "" if status in services.MANUAL_STEPS else HISTORY_NOTE
        trajectory = services.change_status(worker, case.pk, trajectory.pk, status, day, reason=reason, note=note)
    return created


def _legal(case, worker, offered_on, index) -> int:
    if case.organisation.jurisdiction == "NL":
        if case.legal_context == "nl_juvenile_probation":
            data = {"exemption": "juvenile_probation"}
        else:
            data = {
                "offered_on": offered_on,
                "offered_by_party": "provider",
                "reasonable_term_until": offered_on + datetime.timedelta(weeks=6),
                "support_offered": "Een onafhankelijke coördinator helpt het gezin het plan te maken.",
            }
            answered = offered_on + datetime.timedelta(days=7)
            if index % 4 == 1 and answered <= timezone.localdate():
                data.update(
                    parents_answer="declined",
                    parents_answered_on=answered,
                    dropped_on=answered,
                    drop_ground="parents_declined",
                    drop_note="De ouders willen eerst zelf met de hulpverlener verder.",
                )
        services.save_family_plan_right(worker, case.pk, data)
    else:
        services.save_strengths_exploration(
            worker,
            case.pk,
            {
                "explored_on": offered_on,
                "how_explored": "Met de ouders een netwerkcirkel gemaakt en gevraagd wie in moeilijke tijden hielp.",
                "strengths_found": "Grootmoeder en een buurvrouw willen helpen; de ouders zoeken zelf hulp.",
                "methods_used": [],
            },
        )
    return 1
