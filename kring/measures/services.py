"""Writes of the registration: the family characteristics, the outcomes per moment, and instrument
administrations with their scores. Like every stage: permission, validation and one transaction, the access
log, and version checks so a concurrent edit is refused rather than lost.

Who may write: whoever may change the case (an editing role on the case team, or the lead of the owning team)
and the trajectory's coordinator. Researchers never write here; they read pseudonymised extracts.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kring.audit.services import Access, Action, log_access, person_access
from kring.cases.editing import check_can_edit, lock_case, logs_refusal, refuse_if_stale, validate
from kring.cases.models import Person
from kring.core.actor import Actor
from kring.core.errors import NotFound, form_version
from kring.network.core import stats as network_stats
from kring.network.queries import load_records
from kring.trajectories.models import Trajectory

from . import instrument_entry
from .choices import EntryMode, Moment, ProblemArea, Respondent
from .models import Administration, AdministrationScore, OutcomeMeasurement, Registration

REGISTRATION_FIELDS = [
    "problem_areas",
    "household",
    "high_conflict_divorce",
    "migration_background",
    "parent_intellectual_disability",
    "ending",
]
OUTCOME_FIELDS = [
    "measured_on",
    "informant",
    "maltreatment_indication",
    "risk_level",
    "risk_instrument",
    "professional_care",
    "supervision_order",
    "placement",
    "returned_home",
    "without_help",
    "note",
]


def registration_access(record) -> Access:
    return Access("registration", record.pk, record.case_id, record.organisation_id)


def outcome_access(record) -> Access:
    return Access("outcome_measurement", record.pk, record.case_id, record.organisation_id)


def administration_access(record) -> Access:
    return Access("instrument_administration", record.pk, record.case_id, record.organisation_id)


# ---- permissions -------------------------------------------------------------------------------------------


def _check_can_register(user, case, trajectory):
    if trajectory.coordinator_id == user.pk:
        return
    try:
        check_can_edit(user, case)
    except PermissionDenied:
        raise PermissionDenied(
            _("Only the case worker, the coordinator or the team lead can register outcomes for this trajectory.")
        ) from None


def can_register(user, case, trajectory) -> bool:
    try:
        _check_can_register(user, case, trajectory)
    except PermissionDenied:
        return False
    return True


def _open(actor: Actor, case_id, trajectory_id):
    """The case (locked, through the visibility query) and its trajectory, or NotFound; then the permission."""
    case = lock_case(case_id, actor.user)
    trajectory = Trajectory.objects.select_for_update().filter(case=case, pk=trajectory_id).first()
    if trajectory is None:
        raise NotFound()
    _check_can_register(actor.user, case, trajectory)
    return case, trajectory


# ---- the snapshot ------------------------------------------------------------------------------------------


def _age_on(birth_date: date | None, day: date) -> int | None:
    if birth_date is None or birth_date > day:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _take_snapshot(registration, case, trajectory) -> list:
    """What the case file and the map said on the day of the offer. The children are the central persons (the
    ones the case is about); the network is counted as the network circle counts it (``network.core.stats``).
    Returns the persons read, for the access log."""
    day = trajectory.offered_on
    records = load_records(case)
    persons = records.persons
    registration.children_ages = sorted(
        age for age in (_age_on(p.birth_date, day) for p in persons if p.is_central) if age is not None
    )
    registration.household_size = sum(1 for p in persons if p.in_household)
    summary = network_stats.summarize(records.network, small_threshold=0, moment=day)
    registration.network_size = summary.size
    registration.informal_network_size = summary.informal
    registration.professional_network_size = summary.professional
    registration.snapshot_on = day
    return persons


def _clean_problem_areas(value):
    codes = list(value or [])
    unknown = [c for c in codes if c not in ProblemArea.values]
    if unknown:
        raise ValidationError({"problem_areas": [_("Unknown problem area: %(code)s.") % {"code": unknown[0]}]})
    return [c for c in ProblemArea.values if c in codes]  # one order, no doubles


# ---- registration --------------------------------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def save_registration(
    actor: Actor,
    case_id,
    trajectory_id,
    changes: dict,
    expected_version=None,
    refresh_snapshot: bool = False,
) -> Registration:
    """Create the trajectory's registration, or change it. The snapshot is taken when it is created, and again
    only when asked (the network may have been drawn after the offer)."""
    case, trajectory = _open(actor, case_id, trajectory_id)
    unknown = set(changes) - set(REGISTRATION_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("This field cannot be changed here.")]})
    registration = Registration.objects.select_for_update().filter(trajectory=trajectory).first()
    created = registration is None
    if registration is None:
        registration = Registration(
            case=case, organisation_id=case.organisation_id, trajectory=trajectory, updated_by=actor.user
        )
    else:
        refuse_if_stale(registration, expected_version, REGISTRATION_FIELDS)
        registration.version += 1
    for name, value in changes.items():
        setattr(registration, name, _clean_problem_areas(value) if name == "problem_areas" else value)
    persons_read = _take_snapshot(registration, case, trajectory) if created or refresh_snapshot else []
    registration.updated_by = actor.user
    validate(registration, exclude=["case", "organisation", "trajectory", "updated_by"])
    registration.save()
    log_access(actor, Action.CREATE if created else Action.UPDATE, [registration_access(registration)])
    if persons_read:
        log_access(actor, Action.VIEW, [person_access(p) for p in persons_read], detail="registration snapshot")
    return registration


# ---- outcomes per moment -------------------------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def record_outcome(
    actor: Actor, case_id, trajectory_id, moment: str, data: dict, expected_version=None
) -> OutcomeMeasurement:
    """Record (or correct) the outcomes of one moment. A moment is measured once; a correction is a new version."""
    case, trajectory = _open(actor, case_id, trajectory_id)
    if moment not in Moment.values:
        raise ValidationError({"moment": [_("Unknown moment.")]})
    unknown = set(data) - set(OUTCOME_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("This field cannot be changed here.")]})
    record = OutcomeMeasurement.objects.select_for_update().filter(trajectory=trajectory, moment=moment).first()
    created = record is None
    if record is None:
        record = OutcomeMeasurement(
            case=case,
            organisation_id=case.organisation_id,
            trajectory=trajectory,
            moment=moment,
            recorded_by=actor.user,
        )
    else:
        refuse_if_stale(record, expected_version, OUTCOME_FIELDS)
        record.version += 1
    for name, value in data.items():
        setattr(record, name, value)
    record.recorded_by = actor.user
    _check_measured_on(record.measured_on, trajectory)
    validate(record, exclude=["case", "organisation", "trajectory", "recorded_by"])
    record.save()
    log_access(actor, Action.CREATE if created else Action.UPDATE, [outcome_access(record)])
    return record


def _check_measured_on(day, trajectory, field="measured_on"):
    if day is None:
        return
    if day > timezone.localdate():
        raise ValidationError({field: [_("This date is in the future.")]})
    if day < trajectory.offered_on:
        raise ValidationError(
            {
                field: [
                    _("This date is before the trajectory was offered (%(day)s).")
                    % {"day": date_format(trajectory.offered_on, "SHORT_DATE_FORMAT")}
                ]
            }
        )


# ---- instrument administrations ------------------------------------------------------------------------------


def _respondent_person(case, person_id):
    if person_id in (None, ""):
        return None
    try:
        return Person.objects.get(case=case, pk=int(person_id))
    except (Person.DoesNotExist, TypeError, ValueError):
        raise ValidationError({"respondent_person": [_("Choose a person of this case.")]}) from None


@logs_refusal
@transaction.atomic
def record_administration(actor: Actor, case_id, trajectory_id, data: dict, values: dict) -> Administration:
    """Enter one filled-in instrument: the item scores (``mode`` items) or only its totals (``mode`` totals).

    ``data`` holds instrument, moment, respondent, respondent_person (id or None), administered_on and mode;
    ``values`` maps item codes (or score codes, for totals) to numbers or None. The scores are computed by the
    instrument's own rules; nothing is saved when one value is refused.
    """
    case, trajectory = _open(actor, case_id, trajectory_id)
    definition = instrument_entry.definition(data.get("instrument"))
    if definition is None:
        raise ValidationError({"instrument": [_("Unknown instrument.")]})
    mode = data.get("mode")
    if mode not in (EntryMode.ITEMS, EntryMode.TOTALS) or mode not in definition.entry_modes:
        raise ValidationError({"mode": [_("This instrument cannot be entered that way.")]})
    respondent = data.get("respondent")
    if respondent not in Respondent.values or respondent not in definition.respondents:
        raise ValidationError({"respondent": [_("This instrument is not meant for this respondent.")]})
    moment = data.get("moment")
    if moment not in Moment.values:
        raise ValidationError({"moment": [_("Unknown moment.")]})
    administered_on = data.get("administered_on")
    if not isinstance(administered_on, date):
        raise ValidationError({"administered_on": [_("Enter the date it was filled in.")]})
    _check_measured_on(administered_on, trajectory, field="administered_on")
    person = _respondent_person(case, data.get("respondent_person"))
    result = instrument_entry.score(definition, mode, values)  # ValidationError per value, in the user's language
    record = Administration(
        case=case,
        organisation_id=case.organisation_id,
        trajectory=trajectory,
        instrument_code=definition.code,
        instrument_version=definition.version,
        moment=moment,
        respondent=respondent,
        respondent_person=person,
        administered_on=administered_on,
        mode=mode,
        entered_by=actor.user,
        responses=dict(values) if mode == EntryMode.ITEMS else {},
        totals=dict(values) if mode == EntryMode.TOTALS else {},
        scores=result.as_dict(),
    )
    validate(record, exclude=["case", "organisation", "trajectory", "entered_by", "respondent_person"])
    record.save()
    AdministrationScore.objects.bulk_create(
        AdministrationScore(
            administration=record,
            organisation_id=record.organisation_id,
            trajectory=trajectory,
            instrument_code=record.instrument_code,
            moment=moment,
            respondent=respondent,
            score_code=code,
            value=value,
        )
        for code, value in instrument_entry.score_values(result).items()
    )
    log_access(actor, Action.CREATE, [administration_access(record)])
    if person is not None:  # the respondent was looked up and is named in the record
        log_access(actor, Action.VIEW, [person_access(person)], detail="instrument respondent")
    return record


@logs_refusal
@transaction.atomic
def remove_administration(actor: Actor, case_id, trajectory_id, administration_id, expected_version) -> None:
    """Take out an administration entered by mistake (its scores go with it)."""
    case, trajectory = _open(actor, case_id, trajectory_id)
    record = Administration.objects.select_for_update().filter(trajectory=trajectory, pk=administration_id).first()
    if record is None:
        raise NotFound()
    if form_version(expected_version) not in (None, record.version):
        raise ValidationError({"version": [_("This record was changed by someone else after you opened it.")]})
    log_access(actor, Action.DELETE, [administration_access(record)])
    record.delete()


# ---- questionnaires through a personal link ------------------------------------------------------------------


def questionnaire_access(record) -> Access:
    return Access("questionnaire_request", record.pk, record.case_id, record.organisation_id)


@logs_refusal
@transaction.atomic
def request_questionnaire(actor: Actor, case_id, trajectory_id, data: dict):
    """Ask the holder of a personal link of this trajectory's plan to fill in an instrument at a moment."""
    from kring.plans.models import PersonalLink

    from .models import QuestionnaireRequest

    case, trajectory = _open(actor, case_id, trajectory_id)
    try:
        link_id = int(data.get("link", ""))  # missing or None: the same refusal
    except (TypeError, ValueError):
        raise ValidationError({"link": [_("Choose a personal link of this plan.")]}) from None
    link = (
        PersonalLink.objects.filter(
            pk=link_id, plan__trajectory=trajectory, revoked_at__isnull=True, expires_on__gte=timezone.localdate()
        )
        .select_related("person")
        .first()
    )
    if link is None:
        raise ValidationError({"link": [_("Choose a personal link of this plan that is still valid.")]})
    definition = instrument_entry.definition(data.get("instrument"))
    if definition is None or EntryMode.LINK not in definition.entry_modes:
        raise ValidationError(
            {"instrument": [_("This instrument cannot be filled in through a link: its questions may not be shown.")]}
        )
    moment, respondent = data.get("moment"), data.get("respondent")
    if moment not in Moment.values:
        raise ValidationError({"moment": [_("Unknown moment.")]})
    if respondent is None or respondent not in definition.respondents or respondent == Respondent.PROFESSIONAL:
        raise ValidationError({"respondent": [_("This instrument is not meant for this respondent.")]})
    if QuestionnaireRequest.objects.filter(link=link, instrument_code=definition.code, moment=moment).exists():
        raise ValidationError(
            {"instrument": [_("This person was already asked to fill in this instrument at this moment.")]}
        )
    record = QuestionnaireRequest.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        trajectory=trajectory,
        link=link,
        instrument_code=definition.code,
        moment=moment,
        respondent=respondent,
        requested_by=actor.user,
    )
    log_access(actor, Action.CREATE, [questionnaire_access(record), person_access(link.person)])
    return record


def open_questionnaires(link) -> list:
    from .models import QuestionnaireRequest

    return list(QuestionnaireRequest.objects.filter(link=link, administration__isnull=True))


def link_questionnaire(link, request_id):
    """A questionnaire of this link that is still to be filled in; NotFound for anything else."""
    from .models import QuestionnaireRequest

    try:
        request_id = int(request_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < request_id < 2**63:  # beyond the database's integers: no such record
        raise NotFound()
    record = QuestionnaireRequest.objects.filter(pk=request_id, link=link, administration__isnull=True).first()
    if record is None:
        raise NotFound()
    return record


@transaction.atomic
def answer_questionnaire(link, request_id, values: dict, *, actor: Actor) -> Administration:
    """The link holder's answers: scored like any administration, with the link holder as respondent. ``actor``
    has no user: the link holder's address and the page's path without the secret."""
    from .models import QuestionnaireRequest

    record = link_questionnaire(link, request_id)
    record = QuestionnaireRequest.objects.select_for_update().get(pk=record.pk)
    if record.administration_id:
        raise NotFound()  # answered meanwhile (a second tab): nothing to fill in any more
    definition = instrument_entry.definition(record.instrument_code)
    if definition is None:
        raise NotFound()
    result = instrument_entry.score(definition, EntryMode.ITEMS, values)
    administration = Administration.objects.create(
        case_id=record.case_id,
        organisation_id=record.organisation_id,
        trajectory_id=record.trajectory_id,
        instrument_code=definition.code,
        instrument_version=definition.version,
        moment=record.moment,
        respondent=record.respondent,
        respondent_person_id=link.person_id,
        administered_on=timezone.localdate(),
        mode=EntryMode.LINK,
        responses=dict(values),
        scores=result.as_dict(),
        entered_by=None,
    )
    AdministrationScore.objects.bulk_create(
        AdministrationScore(
            administration=administration,
            organisation_id=administration.organisation_id,
            trajectory_id=record.trajectory_id,
            instrument_code=definition.code,
            moment=record.moment,
            respondent=record.respondent,
            score_code=code,
            value=value,
        )
        for code, value in instrument_entry.score_values(result).items()
    )
    record.administration = administration
    record.save(update_fields=["administration"])
    log_access(
        actor,
        Action.CREATE,
        [administration_access(administration), questionnaire_access(record)],
        detail=f"through personal link {link.pk}",
    )
    return administration
