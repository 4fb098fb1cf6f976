"""The destruction of a case's personal data everywhere it lives.

Which tables hold a case's data is not listed by hand: every table of Kring (``kring.core.backup.backed_up_models``,
the same list the backup writes) that refers to a case or a person by a foreign key, or to a row of such a table, is
part of the case (with the field-history tables of simple-history, whose rows refer to the case or person too).
A new table that refers to a case is therefore destroyed with it without anyone remembering to add it.

Rows are removed with plain DELETE statements, children before parents, so no signal fires: simple-history would
otherwise write a last history row, with the name, for every person removed. Journal entries go through their one
removal path (``JournalEntry.objects.destroy()``). Stored files of documents are removed from the document storage
after the rows. The access log is not touched: its entries hold ids, the user's e-mail and paths, not the family's
names (a test checks that). What stays is an anonymous ``DestroyedCase`` count.
"""

from __future__ import annotations

from django.core.files.storage import storages
from django.db import models, transaction

from kring.audit.services import Access, Action, log_access
from kring.cases.models import Case, Person
from kring.core.backup import backed_up_models
from kring.documents.models import DocumentVersion
from kring.journal.models import JournalEntry
from kring.trajectories.models import Trajectory

from .models import DestroyedCase, DestructionRequest

# Tables that refer to a case by number but keep no personal data, and stay: the access log's own entries.
KEPT_BY_NUMBER = {"audit.accesslogentry"}
# Tables of this app that a destruction writes or keeps (its anonymous count, its batches); never destroyed with a case.
# A request to destroy stays, its links to the case and the requester emptied.
KEPT_OWN = {"retention.destroyedcase", "retention.destructionbatch", "retention.destructionrequest"}


def _links(model) -> list[models.ForeignKey]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey) and field.related_model is not None
    ]


def case_bound_models() -> dict[type[models.Model], list[models.ForeignKey]]:
    """Every table whose rows belong to a case: model -> the foreign keys by which its rows are found (to Case, Person
    or another such table). Found by following foreign keys to a fixed point."""
    bound: dict[type[models.Model], list[models.ForeignKey]] = {Case: [], Person: []}
    candidates = [m for m in backed_up_models() if m._meta.label_lower not in KEPT_OWN]
    changed = True
    while changed:
        changed = False
        for model in candidates:
            links = [
                field for field in _links(model) if field.related_model in bound and field.related_model is not model
            ]
            if links and bound.get(model) != links and model not in (Case, Person):
                bound[model] = links
                changed = True
    bound[Person] = [Person._meta.get_field("case")]
    return bound


def case_id_tables() -> list[type[models.Model]]:
    """Tables that name a case by a plain ``case_id`` column (not a foreign key), except those that stay; their rows of
    the case are destroyed by that column."""
    return [
        model
        for model in backed_up_models()
        if model._meta.label_lower not in KEPT_BY_NUMBER | KEPT_OWN
        and any(f.attname == "case_id" and not f.is_relation for f in model._meta.concrete_fields)
    ]


def history_tables(bound) -> dict[type[models.Model], type[models.Model]]:
    """The field-history table (simple-history) of every case-bound table: history model -> the model it records.
    Their rows name the recorded row by its id in a plain column, so they are found by that id as well."""
    found = {}
    for model in backed_up_models():
        recorded = getattr(model, "instance_type", None)
        if recorded in bound and hasattr(model, "history_id"):
            found[model] = recorded
    return found


def _rows_of(case: Case) -> dict[type[models.Model], set]:
    """The primary keys of the case's rows in every case-bound table."""
    bound = case_bound_models()
    histories = history_tables(bound)
    by_case_id = case_id_tables()
    for model in [*histories, *by_case_id]:
        bound.setdefault(model, [])
    found: dict[type[models.Model], set] = {model: set() for model in bound}
    found[Case] = {case.pk}
    changed = True
    while changed:
        changed = False
        for model, links in bound.items():
            if model is Case:
                continue
            condition = models.Q()
            for field in links:
                ids = found[field.related_model]
                if ids:
                    condition |= models.Q(**{f"{field.attname}__in": sorted(ids)})
            if model in by_case_id:
                condition |= models.Q(case_id=case.pk)
            if model in histories:
                recorded = histories[model]
                if found[recorded]:
                    condition |= models.Q(**{f"{recorded._meta.pk.attname}__in": sorted(found[recorded])})
            if not condition:
                continue
            ids = set(model._base_manager.filter(condition).values_list("pk", flat=True))
            if not ids <= found[model]:
                found[model] |= ids
                changed = True
    return found


def _deletion_order(models_: list[type[models.Model]]) -> list[type[models.Model]]:
    """Children before parents: a table is emptied before any table it refers to."""
    remaining = set(models_)
    order = []
    while remaining:
        ready = [
            m
            for m in remaining
            if not any(other is not m and any(f.related_model is m for f in _links(other)) for other in remaining)
        ]
        if not ready:  # a cycle: take them in any order (constraints are checked at the end of the transaction)
            ready = list(remaining)
        for model in sorted(ready, key=lambda m: m._meta.label_lower):
            order.append(model)
            remaining.discard(model)
    return order


def _summary(case: Case, found: dict, reason: str) -> DestroyedCase:
    counts = {model._meta.label_lower: len(ids) for model, ids in found.items() if ids and model is not Case}
    methods = sorted(set(Trajectory.objects.filter(case=case).values_list("method_code", flat=True)))
    return DestroyedCase(
        organisation_id=case.organisation_id,
        legal_context=case.legal_context,
        closure_reason=case.closure_reason,
        year_referred=case.referral_date.year,
        year_closed=case.closed_on.year if case.closed_on else None,
        method_codes=methods,
        counts=dict(sorted(counts.items())),
        reason=reason,
    )


@transaction.atomic
def destroy_case(actor, case: Case, reason: str = "retention_ended") -> DestroyedCase:
    """Remove everything of ``case``; keep an anonymous count and log the destruction (no name in the log)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    case_id, organisation_id = case.pk, case.organisation_id
    found = _rows_of(case)
    summary = _summary(case, found, reason)
    files = list(
        DocumentVersion.objects.filter(pk__in=sorted(found.get(DocumentVersion, ()))).values_list("file", flat=True)
    )
    _unlink_kept(found)
    JournalEntry.objects.filter(pk__in=sorted(found.get(JournalEntry, ()))).destroy()
    for model in _deletion_order([m for m, ids in found.items() if ids and m is not JournalEntry]):
        ids = sorted(found[model])
        for start in range(0, len(ids), 500):
            queryset = model._base_manager.filter(pk__in=ids[start : start + 500])
            queryset._raw_delete(queryset.db)
    summary.save()
    store = storages["documents"]
    transaction.on_commit(lambda: _remove_files(store, files))
    log_access(actor, Action.DELETE, [Access("case", case_id, case_id, organisation_id)], detail="destroyed")
    return summary


def _unlink_kept(found: dict) -> None:
    """Rows that stay (this app's own) lose their links to the rows that go."""
    # The answer to a request to destroy, and its letter, may name the requester; decision, exception and dates stay.
    DestructionRequest.objects.filter(case_id__in=sorted(found.get(Case, ()))).update(
        answer="", letter=b"", letter_made_at=None
    )
    for model in backed_up_models():
        if model._meta.label_lower not in KEPT_OWN:
            continue
        for field in _links(model):
            ids = found.get(field.related_model)
            if ids and field.null:
                model._base_manager.filter(**{f"{field.attname}__in": sorted(ids)}).update(**{field.attname: None})


def _remove_files(store, names: list[str]) -> None:
    for name in names:
        if name and store.exists(name):
            store.delete(name)
