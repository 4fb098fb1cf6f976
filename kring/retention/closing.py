"""Closing a case starts its retention period. ``cases`` comes before this app and cannot call it, so the period is
kept in step with the case by a receiver of the case's save: closed (with a date) records or corrects the period,
reopened removes it."""

from __future__ import annotations

from django.db.models.signals import post_save

from kring.cases.choices import CaseStatus
from kring.cases.models import Case, Person

from . import rules
from .models import RetentionExtension, RetentionPeriod


def central_birth_date(case: Case):
    person = Person.objects.filter(case=case, is_central=True).exclude(birth_date=None).order_by("birth_date").first()
    return person.birth_date if person else None


def record_period(case: Case) -> RetentionPeriod | None:
    """The case's retention period as its state says: recorded when closed, removed when not."""
    if case.status != CaseStatus.CLOSED or not case.closed_on:
        RetentionPeriod.objects.filter(case_id=case.pk).delete()
        return None
    jurisdiction = case.organisation.jurisdiction
    rule = rules.rules().rule(jurisdiction, case.legal_context)
    until = rules.retain_until(rule, case.closed_on, central_birth_date(case))
    # A period a privacy officer lengthened keeps its later end when the case is saved again (decision 212).
    extended = (
        RetentionExtension.objects.filter(period__case_id=case.pk)
        .order_by("-new_until")
        .values_list("new_until", flat=True)
        .first()
    )
    if extended is not None and extended > until:
        until = extended
    period, _created = RetentionPeriod.objects.update_or_create(
        case_id=case.pk,
        defaults={
            "organisation_id": case.organisation_id,
            "end_of_care": case.closed_on,
            "rule": f"{jurisdiction}:{case.legal_context}",
            "retain_until": until,
        },
    )
    return period


def _case_saved(sender, instance: Case, raw=False, **kwargs):
    if raw:
        return
    record_period(instance)


def connect() -> None:
    post_save.connect(_case_saved, sender=Case, dispatch_uid="retention_case_saved")


def section_context(request, case) -> dict:
    # Only a closed case has a retention period: an open case's page spends no query on it.
    if case.status != CaseStatus.CLOSED:
        return {"retention_period": None}
    return {"retention_period": RetentionPeriod.objects.filter(case=case).first()}
