"""How long the access log is kept, and the job that archives and removes what is older (decisions 165-167).

Each organisation keeps its entries for a number of months (``AccessLogSettings``, else
``KRING_ACCESS_LOG_RETENTION_MONTHS``), never fewer than the legal minimum ``KRING_ACCESS_LOG_MIN_RETENTION_MONTHS``
and never more than ``KRING_ACCESS_LOG_MAX_RETENTION_MONTHS``. "N months" means: entries from before the first day
of the month N months back are gone; so at least N whole months are kept.

``run`` (daily in the worker, ``tasks.py``; by hand ``manage.py access_log_retention``):

1. creates the partitions of this month and the next two (PostgreSQL), and one for each month whose entries went
   to the DEFAULT partition (e.g. restored from a backup), moving them there;
2. archives every month older than the LONGEST retention any organisation keeps: its entries go to a gzip-compressed
   JSON-lines file under ``KRING_ACCESS_LOG_ARCHIVE_ROOT`` with its SHA-256 recorded in ``AccessLogArchive``; then
   the month's partition is detached and dropped (PostgreSQL) or its rows deleted under an archive permit (SQLite);
3. within the months that stay, deletes the entries of each organisation that keeps them for a SHORTER time, through
   the one path the append-only trigger lets through (see migration 0004);
4. logs what it did, in each organisation's own log: counts and months, no names.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.accounts.models import Organisation, Role
from kring.core.actor import Actor

from . import partitions
from .models import AccessLogArchive, AccessLogEntry, AccessLogSettings, Action
from .services import COLUMNS, Access, log_access

JOB_PATH = "job:access_log_retention"
# Held for the whole run on PostgreSQL so two workers never archive the same month at once.
ADVISORY_LOCK = 7_513_0165
ARCHIVE_COLUMNS = ("id", *COLUMNS)  # every column of an entry, its id first


# ---- the settings --------------------------------------------------------------------------------------------


def minimum_months() -> int:
    return settings.KRING_ACCESS_LOG_MIN_RETENTION_MONTHS


def maximum_months() -> int:
    return settings.KRING_ACCESS_LOG_MAX_RETENTION_MONTHS


def default_months() -> int:
    return settings.KRING_ACCESS_LOG_RETENTION_MONTHS


SETTINGS_ROLES = {Role.PRIVACY_OFFICER, Role.ADMINISTRATOR}


def settings_organisations(user) -> list[Organisation]:
    """The organisations whose retention the user may set: privacy officer or functional administrator there."""
    found = {m.organisation_id: m.organisation for m in user.active_memberships() if m.role in SETTINGS_ROLES}
    return sorted(found.values(), key=lambda o: o.name)


def retention_months(organisation_id: int) -> int:
    row = AccessLogSettings.objects.filter(organisation_id=organisation_id).first()
    return row.retention_months if row else default_months()


def all_retentions() -> dict[int, int]:
    """Months kept per organisation, for every organisation (the default where none was set)."""
    chosen = dict(AccessLogSettings.objects.values_list("organisation_id", "retention_months"))
    return {pk: chosen.get(pk, default_months()) for pk in Organisation.objects.values_list("pk", flat=True)}


def validate_months(value) -> int:
    try:
        months = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"retention_months": [_("Give a whole number of months.")]}) from None
    low, high = minimum_months(), maximum_months()
    if months < low:
        raise ValidationError(
            {
                "retention_months": [
                    _("The access log must be kept for at least %(n)s months (the legal minimum).") % {"n": low}
                ]
            }
        )
    if months > high:
        raise ValidationError(
            {"retention_months": [_("The access log is kept for at most %(n)s months.") % {"n": high}]}
        )
    return months


@transaction.atomic
def save_retention(actor: Actor, organisation_id, months) -> AccessLogSettings:
    organisation = next((o for o in settings_organisations(actor.user) if o.pk == int(organisation_id)), None)
    if organisation is None:
        raise PermissionDenied(_("Only privacy officers and functional administrators set how long the log is kept."))
    value = validate_months(months)
    row = AccessLogSettings.objects.select_for_update().filter(organisation=organisation).first()
    before = row.retention_months if row else default_months()
    row = row or AccessLogSettings(organisation=organisation)
    row.retention_months = value
    row.save()
    log_access(
        actor,
        Action.UPDATE,
        [Access("access_log", "retention", organisation_id=organisation.pk)],
        detail=f"retention: {before} -> {value} months",
    )
    return row


# ---- the job ---------------------------------------------------------------------------------------------------


def cutoff(today: datetime.date, months: int) -> datetime.datetime:
    """The first moment kept when ``months`` months are kept: midnight UTC on the first of that month."""
    first = partitions.add_months(today, -months)
    return datetime.datetime(first.year, first.month, 1, tzinfo=datetime.UTC)


@dataclass
class Archived:
    month: datetime.date
    rows: int
    file_name: str
    sha256: str


@dataclass
class RunResult:
    partitions_created: list[str] = field(default_factory=list)
    archived: list[Archived] = field(default_factory=list)
    removed: dict[int, int] = field(default_factory=dict)  # organisation id -> entries removed
    archive_before: datetime.datetime | None = None
    skipped: bool = False  # another run held the lock

    @property
    def archived_rows(self) -> int:
        return sum(a.rows for a in self.archived)


def archive_root() -> Path:
    return Path(settings.KRING_ACCESS_LOG_ARCHIVE_ROOT)


def run(now: datetime.datetime | None = None) -> RunResult:
    now = now or timezone.now()
    today = now.astimezone(datetime.UTC).date()
    if not _lock():
        return RunResult(skipped=True)
    try:
        made = partitions.ensure_partitions(today) + partitions.adopt_strays()
        result = RunResult(partitions_created=made)
        retentions = all_retentions()
        longest = max(retentions.values(), default=default_months())
        result.archive_before = cutoff(today, max(longest, minimum_months()))
        result.archived = archive_months_before(result.archive_before, now)
        for organisation_id, months in sorted(retentions.items()):
            months = max(months, minimum_months())
            if months < longest:
                removed = delete_before(organisation_id, cutoff(today, months))
                if removed:
                    result.removed[organisation_id] = removed
        _log(result, retentions)
        return result
    finally:
        _unlock()


def _lock() -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK])
        return bool(cursor.fetchone()[0])


def _unlock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK])


def months_before(before: datetime.datetime) -> list[datetime.date]:
    """The months with entries (PostgreSQL: with a partition) that end on or before ``before``, oldest first."""
    if partitions.is_partitioned():
        return [p.month for p in partitions.monthly_partitions() if _midnight(p.end) <= before]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT substr(at, 1, 7) FROM audit_accesslogentry WHERE at < %s",
            [connection.ops.adapt_datetimefield_value(before)],
        )
        months = [datetime.date(int(v[:4]), int(v[5:7]), 1) for (v,) in cursor.fetchall()]
    return sorted(m for m in months if _midnight(partitions.add_months(m, 1)) <= before)


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)


def archive_months_before(before: datetime.datetime, now: datetime.datetime) -> list[Archived]:
    done = []
    for month in months_before(before):
        done.append(archive_month(month, now))
    return done


def archive_month(month: datetime.date, now: datetime.datetime) -> Archived:
    """Write one month's entries to a compressed file with its checksum, then remove them from the database."""
    start, end = _midnight(month), _midnight(partitions.add_months(month, 1))
    root = archive_root()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"access-log-{month:%Y-%m}-{now:%Y%m%dT%H%M%S}.jsonl.gz"
    path = root / name
    partial = root / (name + ".partial")
    digest = hashlib.sha256()
    rows = 0
    entries = (
        AccessLogEntry.objects.filter(at__gte=start, at__lt=end).order_by("at", "id").values_list(*ARCHIVE_COLUMNS)
    )
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as raw:
        hashing = _HashingWriter(raw, digest)
        # mtime=0: the same entries give the same file, and so the same checksum.
        with gzip.GzipFile(fileobj=hashing, mode="wb", mtime=0) as packed:
            for values in entries.iterator(chunk_size=5000):
                record = dict(zip(ARCHIVE_COLUMNS, values, strict=True))
                record["at"] = record["at"].isoformat()
                packed.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
                rows += 1
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(partial, path)
    archived = Archived(month, rows, name, digest.hexdigest())
    with transaction.atomic():
        AccessLogArchive.objects.create(month=month, file_name=name, rows=rows, sha256=archived.sha256)
        if partitions.is_partitioned():
            # Deferred foreign-key checks of entries written in this same transaction (only ever in tests) would
            # keep the partition from being dropped; run them now.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            partition = next(p for p in partitions.monthly_partitions() if p.month == month)
            partitions.detach_and_drop(partition)
        else:
            _delete_with_permit(None, end, extra_where=("at >= %s", start))
    return archived


class _HashingWriter:
    """A file object that hashes what passes through it on the way to the real file."""

    def __init__(self, raw, digest):
        self.raw, self.digest = raw, digest

    def write(self, data):
        self.digest.update(data)
        return self.raw.write(data)

    def flush(self):
        self.raw.flush()


def delete_before(organisation_id: int, before: datetime.datetime) -> int:
    """Delete one organisation's entries from before ``before``, through the retention path of the trigger."""
    with transaction.atomic():
        return _delete_with_permit(organisation_id, before)


def _delete_with_permit(organisation_id, before, extra_where=None) -> int:
    """The only delete the append-only triggers allow: the permit names the organisation and the moment (0004)."""
    adapt = connection.ops.adapt_datetimefield_value
    where, params = ["at < %s"], [adapt(before) if connection.vendor != "postgresql" else before]
    if organisation_id is not None:
        where.append("organisation_id = %s")
        params.append(organisation_id)
    if extra_where:
        where.append(extra_where[0])
        params.append(adapt(extra_where[1]) if connection.vendor != "postgresql" else extra_where[1])
    statement = f"DELETE FROM audit_accesslogentry WHERE {' AND '.join(where)}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if organisation_id is None:
                raise ValueError("On PostgreSQL whole months leave by dropping their partition.")
            cursor.execute(
                "SELECT set_config('kring.audit_retention_before', %s, true),"
                " set_config('kring.audit_retention_organisation', %s, true)",
                [before.isoformat(), str(organisation_id)],
            )
            cursor.execute(statement, params)
            removed = cursor.rowcount
            cursor.execute(
                "SELECT set_config('kring.audit_retention_before', '', true),"
                " set_config('kring.audit_retention_organisation', '', true)"
            )
            return removed
        cursor.execute(
            "INSERT INTO audit_retention_permit (organisation_id, before) VALUES (%s, %s)",
            [organisation_id, adapt(before)],
        )
        cursor.execute(statement, params)
        removed = cursor.rowcount
        cursor.execute("DELETE FROM audit_retention_permit")
        return removed


def _log(result: RunResult, retentions: dict[int, int]) -> None:
    """One entry per organisation in its own log, when the run archived or removed anything: counts, no names."""
    if not result.archived and not result.removed:
        return
    months = ", ".join(f"{a.month:%Y-%m}" for a in result.archived)
    details: dict[str, list[Access]] = {}
    for organisation_id, months_kept in sorted(retentions.items()):
        parts = [f"retention {months_kept} months"]
        if result.archived:
            parts.append(f"archived {months} ({result.archived_rows} entries, all organisations)")
        parts.append(f"removed {result.removed.get(organisation_id, 0)} entries of this organisation")
        details.setdefault("; ".join(parts), []).append(
            Access("access_log", "retention", organisation_id=organisation_id)
        )
    actor = Actor(user=None, ip_address=None, path=JOB_PATH)
    for detail, grouped in details.items():
        log_access(actor, Action.DELETE, grouped, detail=detail[:300])
