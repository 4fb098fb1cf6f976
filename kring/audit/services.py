"""Writing the access log. Every service and query that touches case or person data calls these."""

import contextlib
import contextvars
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connections, router
from django.utils import timezone

from .models import AccessLogEntry, Action


@dataclass(frozen=True)
class Access:
    """One record touched: its type, id, and the case and organisation it belongs to."""

    record_type: str
    record_id: object
    case_id: int | None = None
    organisation_id: int | None = None


@dataclass
class RefusalCounter:
    count: int = 0


# The refusals logged during the current request (see kring.web.refusals), so none is logged twice.
_refusals: contextvars.ContextVar = contextvars.ContextVar("kring_refusals", default=None)


@contextlib.contextmanager
def counting_refusals():
    """Count the ``denied`` entries written inside the block (one request)."""
    counter = RefusalCounter()
    token = _refusals.set(counter)
    try:
        yield counter
    finally:
        _refusals.reset(token)


COLUMNS = (
    "at",
    "user_id",
    "user_label",
    "organisation_id",
    "case_id",
    "record_type",
    "record_id",
    "action",
    "ip_address",
    "path",
    "detail",
)


def log_access(actor, action: str, accesses: Iterable[Access], path: str = "", detail: str = "") -> None:
    """Write one entry per record, in one INSERT.

    Written as plain SQL rather than bulk_create: a caseload page logs fifty records on every view, and building
    fifty model instances cost more than the rest of the page's queries together. Entries are only ever
    inserted, so nothing of the model's behaviour is bypassed.
    """
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    path = path or getattr(actor, "path", "") or ""
    at = timezone.now()
    common = (user.pk if user else None, (user.email if user else "")[:254])
    rows = [
        (
            at,
            *common,
            access.organisation_id,
            access.case_id,
            access.record_type[:40],
            str(access.record_id or "")[:64],
            action,
            actor.ip_address,
            path[:300],
            detail[:300],
        )
        for access in accesses
    ]
    if not rows:
        return
    if action == Action.DENIED:
        counter = _refusals.get()
        if counter is not None:
            counter.count += 1
    connection = connections[router.db_for_write(AccessLogEntry)]
    table = connection.ops.quote_name(AccessLogEntry._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    at_value = AccessLogEntry._meta.get_field("at").get_db_prep_value(at, connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What differs per record travels as four arrays; eleven parameters however many records.
            varying = list(zip(*[(r[3], r[4], r[5], r[6]) for r in rows]))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT %s, %s, %s, o, c, t, i, %s, %s, %s, %s "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[]) AS r(o, c, t, i)",
                [at_value, *common, action, actor.ip_address, path[:300], detail[:300], *map(list, varying)],
            )
            return
        width = len(COLUMNS)
        placeholders = "(" + ", ".join(["%s"] * width) + ")"
        params = [value for row in rows for value in (at_value, *row[1:])]
        # Batches keep the statement within SQLite's limit on parameters.
        for start in range(0, len(rows), 500):
            batch = params[start * width : (start + 500) * width]
            values = ", ".join([placeholders] * (len(batch) // width))
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values}", batch)


def case_access(case) -> Access:
    return Access("case", case.pk, case.pk, case.organisation_id)


def person_access(person) -> Access:
    return Access("person", person.pk, person.case_id, person.organisation_id)


__all__ = ["Access", "Action", "counting_refusals", "log_access", "case_access", "person_access"]
