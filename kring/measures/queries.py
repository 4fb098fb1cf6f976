"""Reads of the registration. Every read starts from the case's visibility query (through
``trajectories.queries.get_trajectory``) and logs the records it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.functional import Promise

from kring.audit.services import Action, log_access, person_access
from kring.core.errors import NotFound
from kring.plans.models import PersonalLink
from kring.trajectories import queries as trajectory_queries

from . import services
from .choices import MOMENT_MONTHS, Moment
from .models import Administration, OutcomeMeasurement, QuestionnaireRequest, Registration


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def moment_due_on(offered_on: date, moment: str) -> date:
    """The day a moment is due: its months after the offer."""
    return _add_months(offered_on, MOMENT_MONTHS[Moment(moment)])


@dataclass
class MomentRow:
    moment: str
    label: str | Promise  # the moment's lazy label, translated where it is shown
    due_on: date
    outcome: OutcomeMeasurement | None
    administrations: list = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.outcome is None and self.due_on < timezone.localdate()


@dataclass
class RegistrationView:
    case: object
    trajectory: object
    registration: Registration | None
    moments: list  # MomentRow per moment, in order
    administrations: list
    links: list = field(default_factory=list)  # personal links of the plan still valid, to ask a questionnaire
    requests: list = field(default_factory=list)  # questionnaires asked through a link

    def administration(self, administration_id) -> Administration:
        found = next((a for a in self.administrations if a.pk == administration_id), None)
        if found is None:
            raise NotFound()
        return found

    def outcome(self, moment) -> OutcomeMeasurement | None:
        return next((row.outcome for row in self.moments if row.moment == moment), None)


def registration_view(actor, case_id, trajectory_id) -> RegistrationView:
    """The registration of one trajectory the user may see: characteristics, outcomes per moment, and the
    instruments filled in; NotFound as for a missing record otherwise."""
    case, trajectory = trajectory_queries.get_trajectory(actor, case_id, trajectory_id)
    registration = Registration.objects.filter(trajectory=trajectory).select_related("updated_by").first()
    outcomes = {
        o.moment: o for o in OutcomeMeasurement.objects.filter(trajectory=trajectory).select_related("recorded_by")
    }
    administrations = list(
        Administration.objects.filter(trajectory=trajectory).select_related("respondent_person", "entered_by")
    )
    rows = []
    for moment in Moment:
        rows.append(
            MomentRow(
                moment.value,
                moment.label,
                moment_due_on(trajectory.offered_on, moment.value),
                outcomes.get(moment.value),
                [a for a in administrations if a.moment == moment.value],
            )
        )
    accesses = []
    if registration is not None:
        accesses.append(services.registration_access(registration))
    accesses += [services.outcome_access(o) for o in outcomes.values()]
    accesses += [services.administration_access(a) for a in administrations]
    accesses += [person_access(a.respondent_person) for a in administrations if a.respondent_person is not None]
    links = list(
        PersonalLink.objects.filter(
            plan__trajectory=trajectory, revoked_at__isnull=True, expires_on__gte=timezone.localdate()
        ).select_related("person")
    )
    requests = list(QuestionnaireRequest.objects.filter(trajectory=trajectory).select_related("link__person"))
    accesses += [services.questionnaire_access(r) for r in requests]
    persons = {link.person_id: link.person for link in links} | {r.link.person_id: r.link.person for r in requests}
    accesses += [person_access(p) for p in persons.values()]
    if accesses:
        log_access(actor, Action.VIEW, accesses)
    return RegistrationView(case, trajectory, registration, rows, administrations, links, requests)


def case_registrations(actor, case_id) -> tuple:
    """(case, its trajectories newest first, each with ``registered``): the case's registration overview."""
    from kring.cases import queries as case_queries

    case = case_queries.get_case(actor, case_id)
    trajectories = trajectory_queries.trajectories_for_case(actor, case)
    registered = set(Registration.objects.filter(trajectory__in=trajectories).values_list("trajectory_id", flat=True))
    for trajectory in trajectories:
        # Read by the overview's template; not a field of Trajectory, so set through vars (typed, same effect).
        vars(trajectory)["registered"] = trajectory.pk in registered
    return case, trajectories
