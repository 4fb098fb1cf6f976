"""Demo plans, built through the services so they obey every rule a user meets.

Trajectories in preparation get their bottom lines; one whose meeting was held gets a plan waiting for the case
worker's decision; one that made its plan gets an accepted plan with agreements carried by its safe network
members, and a personal link for one of them. Deterministic and idempotent: a trajectory with bottom lines or a
plan is left alone.
"""

import datetime

from django.utils import timezone

from kring.cases.choices import CaseRole
from kring.cases.models import CaseTeamMember
from kring.core.actor import Actor
from kring.meetings.services import map_candidates
from kring.trajectories.models import Trajectory

from . import services
from .links import services as link_services
from .models import BottomLine, Plan

BOTTOM_LINES = [
    (
        "De kinderen zijn elke nacht op een veilige plek.",
        "Er waren nachtelijke ruzies waar de kinderen bij waren.",
        "non_negotiable",
    ),
    ("Er is elke week contact met school over aanwezigheid.", "De oudste mist veel lessen.", "wish"),
]
AGREEMENTS = [
    ("Als het thuis onrustig wordt, slapen de kinderen bij %(name)s.", True, "wanneer nodig"),
    ("%(name)s brengt de kinderen op maandag en woensdag naar school.", False, "twee keer per week"),
    ("%(name)s belt elke zondagavond met mama om de week door te nemen.", False, "elke week"),
]


def ensure(organisations: dict, users: dict) -> int:
    created = 0
    trajectories = (
        Trajectory.objects.filter(
            organisation__in=organisations.values(), status__in=("preparing", "meeting_held", "plan_made", "follow_up")
        )
        .select_related("case__organisation", "coordinator")
        .order_by("case__number", "id")
    )
    for trajectory in trajectories:
        if (
            BottomLine.objects.filter(trajectory=trajectory).exists()
            or Plan.objects.filter(trajectory=trajectory).exists()
        ):
            continue
        created += _build(trajectory)
    return created


def _build(trajectory) -> int:
    case = trajectory.case
    worker = CaseTeamMember.objects.filter(case=case, role=CaseRole.CASE_WORKER).select_related("user").first()
    if worker is None:
        return 0
    decider = Actor(worker.user, path="demo")
    lines = [
        services.add_bottom_line(decider, case.pk, trajectory.pk, {"text": text, "reason": reason, "kind": kind})
        for text, reason, kind in BOTTOM_LINES
    ]
    if trajectory.status == "preparing":
        return len(lines)
    writer = Actor(trajectory.coordinator, path="demo") if trajectory.coordinator_id else decider
    network = [p for p in map_candidates(case) if p.invitability == "safe" and not p.is_central]
    if not network:
        return len(lines)
    plan = services.start_plan(writer, case.pk, trajectory.pk)
    plan = services.update_plan(
        writer,
        case.pk,
        plan.pk,
        {
            "concerns": "We willen dat de kinderen rustig kunnen slapen en elke dag naar school gaan.",
            "if_it_goes_wrong": "Dan belt mama meteen oma; lukt dat niet, dan belt ze de hulpverlener.",
            "child_view": "Ik wil graag bij oma logeren als het thuis lawaai is.",
            "presented_on": trajectory.meeting_held_on or timezone.localdate(),
        },
        plan.version,
    )
    today = timezone.localdate()
    for index, (what, safety, frequency) in enumerate(AGREEMENTS):
        owner = network[index % len(network)]
        backup = network[(index + 1) % len(network)] if len(network) > 1 else None
        plan.refresh_from_db()
        services.add_agreement(
            writer,
            case.pk,
            plan.pk,
            {
                "what": what % {"name": owner.first_name},
                "owner_person": owner.pk,
                "backup_person": backup.pk if backup else None,
                "checker_user": worker.user_id,
                "frequency": frequency,
                "is_safety": safety,
                "starts_on": today,
                "due_on": today + datetime.timedelta(days=7 * (index + 1)),
                "bottom_lines": [lines[0].pk] if safety else [lines[1].pk],
            },
            plan.version,
        )
    plan.refresh_from_db()
    plan = services.submit_plan(writer, case.pk, plan.pk, plan.version)
    if trajectory.status == "meeting_held":
        return len(lines) + 1 + len(AGREEMENTS)
    services.decide_plan(
        decider,
        case.pk,
        plan.pk,
        "accepted",
        "Het plan biedt de kinderen een veilige plek.",
        {
            lines[0].pk: (True, "Er is een slaapplek bij de familie afgesproken."),
            lines[1].pk: (True, "Het contact met school is belegd."),
        },
        plan.version,
    )
    link_services.create_link(writer, case.pk, plan.pk, network[0].pk)
    made = len(lines) + 2 + len(AGREEMENTS)
    if plan.plan_type == "safety_plan":
        made += _safety_records(decider, case, plan, network, worker.user, today)
    return made


MAP = [
    ("harm", "De kinderen zagen twee keer dat papa mama sloeg."),
    ("complicating", "Papa drinkt in het weekend veel; er is weinig geld."),
    ("strengths", "Mama zoekt hulp; oma woont dichtbij en wil helpen."),
    ("existing_safety", "De kinderen slapen bij oma als het thuis onrustig is."),
    ("next_steps", "Het netwerk maakt samen een veiligheidsplan."),
]


def _safety_records(actor, case, plan, network, worker, today) -> int:
    """A filled Signs of Safety map, one danger statement with its goal, the network, and scaling over time."""
    from .safety import services as safety

    for column, text in MAP:
        safety.add_map_entry(actor, case.pk, plan.pk, {"column": column, "text": text})
    safety.add_danger_statement(
        actor,
        case.pk,
        plan.pk,
        {
            "statement": "De hulpverlener en oma maken zich zorgen dat de kinderen opnieuw geweld zien als papa "
            "gedronken heeft, en dat ze daar bang en onrustig van worden.",
            "safety_goal": "De kinderen zijn altijd bij een veilige volwassene als er thuis ruzie is, drie maanden "
            "lang, en iedereen in het netwerk weet wat te doen.",
        },
    )
    for person in network[:2]:
        safety.add_network_member(actor, case.pk, plan.pk, person.pk, "let op de kinderen")
    for weeks, worker_score, family_score in ((8, 3, 5), (4, 5, 6), (0, 6, 7)):
        day = today - datetime.timedelta(weeks=weeks)
        safety.record_rating(actor, case.pk, plan.pk, {"rater_user": worker.pk, "score": worker_score, "rated_on": day})
        safety.record_rating(actor, case.pk, plan.pk, {"person": network[0].pk, "score": family_score, "rated_on": day})
    return len(MAP) + 1 + min(len(network), 2) + 6
