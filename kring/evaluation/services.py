"""Writes of the evaluation stage: asking for a report or an extract (a job the worker runs), running it with
its progress, and research projects. Nothing here writes case data."""

from __future__ import annotations

import json
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kring.accounts.models import Role
from kring.audit.services import Access, Action, log_access
from kring.core.actor import Actor
from kring.core.errors import NotFound

from . import extracts, queries, report
from .core.disclosure import new_project_key
from .core.errors import EvaluationInputError
from .messages import error_message
from .models import EvaluationJob, JobKind, JobStatus, ResearchProject

MAX_WAITING_JOBS = 3  # per person: a double click or an impatient reload does not fill the queue


def _dates(params):
    def parse(value, field):
        if value in (None, ""):
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError({field: [_("Enter a valid date.")]}) from None

    date_from, date_to = parse(params.get("date_from"), "date_from"), parse(params.get("date_to"), "date_to")
    if date_from and date_to and date_to < date_from:
        raise ValidationError({"date_to": [_("The end of the period is before its start.")]})
    return date_from, date_to


def _check_queue(actor):
    waiting = EvaluationJob.objects.filter(requested_by=actor.user, status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
    if waiting.count() >= MAX_WAITING_JOBS:
        raise ValidationError(
            _("You already have %(n)s reports or extracts waiting; wait until one is done.") % {"n": MAX_WAITING_JOBS}
        )


@transaction.atomic
def request_report(
    actor: Actor, *, organisation_ids=None, date_from=None, date_to=None, moment="t1", view=None
) -> EvaluationJob:
    """Ask for the evaluation report of these organisations (within the user's scope) and period: exact figures
    of organisations the user manages, or the suppressed ones of every organisation where they do research, over
    the whole period (``queries.choose_view``)."""
    scope = queries.scope_for(actor.user)
    if scope.empty:
        raise NotFound()
    date_from, date_to = _dates({"date_from": date_from, "date_to": date_to})
    chosen_view = queries.choose_view(
        scope, organisation_ids=organisation_ids, date_from=date_from, date_to=date_to, view=view
    )
    chosen = chosen_view.organisation_ids
    if moment not in ("t1", "t2", "t3"):
        raise ValidationError({"moment": [_("Choose a follow-up moment.")]})
    _check_queue(actor)
    job = EvaluationJob.objects.create(
        kind=JobKind.REPORT,
        requested_by=actor.user,
        organisation_ids=chosen,
        params={
            "date_from": date_from.isoformat() if date_from else None,
            "date_to": date_to.isoformat() if date_to else None,
            "moment": moment,
            "suppressed": chosen_view.suppressed,
        },
        language=translation.get_language() or "nl",
    )
    log_access(actor, Action.CREATE, [Access("report", job.pk, None, o) for o in chosen])
    _enqueue(job)
    return job


@transaction.atomic
def request_extract(actor: Actor, project_id, fmt: str) -> EvaluationJob:
    project = queries.project_for(actor, project_id)
    if fmt not in extracts.FORMATS:
        raise ValidationError({"format": [_("Choose CSV or Parquet.")]})
    _check_queue(actor)
    organisation_ids = sorted(project.organisations.values_list("id", flat=True))
    job = EvaluationJob.objects.create(
        kind=JobKind.EXTRACT,
        requested_by=actor.user,
        project=project,
        organisation_ids=organisation_ids,
        params={"format": fmt},
        language=translation.get_language() or "nl",
    )
    log_access(
        actor,
        Action.EXPORT,
        [Access("extract", job.pk, None, o) for o in organisation_ids],
        detail=f"project={project.pk}",
    )
    _enqueue(job)
    return job


def limits() -> dict:
    """The largest extract the web pages evaluate, and the size above which they evaluate it in the worker."""
    return {
        "max_rows": settings.KRING_EXTRACT_MAX_ROWS,
        "max_columns": settings.KRING_EXTRACT_MAX_COLUMNS,
        "inline_bytes": settings.KRING_EXTRACT_INLINE_BYTES,
    }


@transaction.atomic
def request_upload_evaluation(actor: Actor, data: bytes, filename: str, spec: dict) -> EvaluationJob:
    """Evaluate an uploaded extract in the worker: the file waits in the job and is emptied when the job ends.
    Its size was checked from its header by the caller (``core.extract.check_shape``); the worker checks again."""
    if queries.scope_for(actor.user).empty:
        raise NotFound()
    _check_queue(actor)
    job = EvaluationJob.objects.create(
        kind=JobKind.UPLOADED,
        requested_by=actor.user,
        organisation_ids=[],
        params={"spec": spec, "filename": str(filename)[:200]},
        upload=bytes(data),
        language=translation.get_language() or "nl",
    )
    log_access(actor, Action.CREATE, [Access("external_extract", job.pk, None, None)], detail=str(filename)[:200])
    _enqueue(job)
    return job


def _enqueue(job):
    from .tasks import run_evaluation_job

    transaction.on_commit(lambda: run_evaluation_job.enqueue(job.pk))


# ---- running a job (in the worker) ---------------------------------------------------------------------------


def _progress(job_id, percent, stage=""):
    EvaluationJob.objects.filter(pk=job_id).update(progress=max(0, min(int(percent), 99)), stage=str(stage)[:200])


def run_job(job_id, today: date | None = None) -> str:
    """Run a waiting job: build the report or the extract, keeping its progress up to date. Returns its status.

    A job is claimed with a conditional update, so two workers never run the same one."""
    claimed = EvaluationJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, progress=1
    )
    if not claimed:
        return "skipped"
    job = EvaluationJob.objects.get(pk=job_id)
    today = today or timezone.localdate()
    try:
        with translation.override(job.language):
            if job.kind == JobKind.REPORT:
                _run_report(job, today)
            elif job.kind == JobKind.UPLOADED:
                _run_upload(job)
            else:
                _run_extract(job, today)
    except EvaluationInputError as error:  # the file's own fault: a refusal the person can read, not a crash
        with translation.override(job.language):
            message = error_message(error.as_dict())
        EvaluationJob.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error=message[:500], upload=None, finished_at=timezone.now()
        )
        return "failed"
    except Exception as error:  # noqa: BLE001 - the job records why it failed; the worker goes on
        EvaluationJob.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error=str(error)[:500], upload=None, finished_at=timezone.now()
        )
        raise
    return "done"


def _run_report(job, today):
    date_from, date_to = _dates(job.params)
    data = report.build(
        job.organisation_ids,
        today=today,
        date_from=date_from,
        date_to=date_to,
        suppressed=job.params.get("suppressed", True),
        moment=job.params.get("moment", "t1"),
        progress=lambda percent, stage: _progress(job.pk, percent, stage),
    )
    _progress(job.pk, 95, _("Making the PDF"))
    pdf = report.render_pdf(data, job.language)
    EvaluationJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        progress=100,
        stage="",
        data=data,
        result=pdf,
        filename=f"kring-evaluatie-{today.isoformat()}.pdf"
        if job.language != "en"
        else f"kring-evaluation-{today.isoformat()}.pdf",
        content_type="application/pdf",
        finished_at=timezone.now(),
    )


def _run_upload(job):
    from .core import effects
    from .core import extract as extract_core

    spec, limit = job.params["spec"], limits()
    _progress(job.pk, 5, _("Reading the file"))
    extract = extract_core.read_extract(
        bytes(job.upload),
        treatment=spec["treatment"],
        outcomes=spec["outcomes"],
        covariates=spec["covariates"],
        moderators=spec["moderators"],
        binary=spec["binary"],
        format=spec.get("format"),
        max_rows=limit["max_rows"],
        max_columns=limit["max_columns"],
    )
    _progress(
        job.pk,
        20,
        ngettext("%(n)s row read; estimating", "%(n)s rows read; estimating", len(extract.frame))
        % {"n": len(extract.frame)},
    )
    kinds = {o: ("binary" if o in extract.binary else "continuous") for o in extract.outcomes}
    result = effects.evaluate(
        extract.frame, extract.treatment, kinds, extract.covariates, extract.moderators, spec["correction"]
    )
    result["read"] = extract.as_dict()
    EvaluationJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        progress=100,
        stage="",
        data=json.loads(json.dumps(result, default=_plain_json)),
        upload=None,
        filename=job.params.get("filename", ""),
        finished_at=timezone.now(),
    )


def _plain_json(value):
    """numpy numbers and arrays in an estimator's result, as JSON."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(type(value).__name__)


def _run_extract(job, today):
    fmt = job.params.get("format", "csv")
    content, rows = extracts.build(
        job.project,
        fmt,
        today=today,
        progress=lambda percent, n: _progress(job.pk, percent, ngettext("%(n)s row", "%(n)s rows", n) % {"n": n}),
    )
    EvaluationJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        progress=100,
        stage=ngettext("%(n)s row", "%(n)s rows", rows) % {"n": rows},
        result=content,
        filename=f"kring-extract-{job.project_id}-{today.isoformat()}-{fmt}.zip",
        content_type="application/zip",
        finished_at=timezone.now(),
    )


# ---- research projects -------------------------------------------------------------------------------------


@transaction.atomic
def create_project(actor: Actor, data: dict) -> ResearchProject:
    """A research project of organisations the user administers, with researchers of those organisations."""
    administered = {m.organisation_id for m in actor.user.active_memberships() if m.role == Role.ADMINISTRATOR}
    if not administered:
        raise PermissionDenied(_("Only a functional administrator sets up research projects."))
    organisations = list(data.get("organisations") or [])
    if not organisations:
        raise ValidationError({"organisations": [_("Choose at least one organisation.")]})
    if not {o.pk for o in organisations} <= administered:
        raise ValidationError({"organisations": [_("You can only add organisations you administer.")]})
    members = list(data.get("members") or [])
    allowed = {o.pk for o in organisations}
    for user in members:
        if not any(m.role == Role.RESEARCHER and m.organisation_id in allowed for m in user.active_memberships()):
            raise ValidationError(
                {"members": [_("%(user)s is not a researcher at these organisations.") % {"user": user}]}
            )
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the project a name.")]})
    project = ResearchProject(
        name=name,
        description=data.get("description", ""),
        key=new_project_key(),
        offered_from=data.get("offered_from"),
        offered_until=data.get("offered_until"),
        created_by=actor.user,
    )
    if project.offered_from and project.offered_until and project.offered_until < project.offered_from:
        raise ValidationError({"offered_until": [_("The end of the period is before its start.")]})
    project.full_clean(exclude=["key", "created_by"])
    project.save()
    project.organisations.set(organisations)
    project.members.set(members)
    log_access(actor, Action.CREATE, [Access("research_project", project.pk, None, o.pk) for o in organisations])
    return project
