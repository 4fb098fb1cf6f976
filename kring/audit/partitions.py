"""The access log's monthly partitions on PostgreSQL (decision 164; migration 0004 made them).

One partition per calendar month in UTC, named ``audit_accesslogentry_pYYYY_MM``, and a DEFAULT partition that takes
an entry whose month has no partition yet, so an insert never fails. ``ensure_partitions`` creates this month's and
the next months' ahead of time through the database function ``audit_accesslogentry_ensure_partition``, which also
moves entries of that month out of the DEFAULT partition if any went there. On SQLite there are no partitions and
every function here is a no-op answering accordingly.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db import connection as default_connection

PARENT = "audit_accesslogentry"
DEFAULT = "audit_accesslogentry_default"
NAME = re.compile(r"^audit_accesslogentry_p(\d{4})_(\d{2})$")
AHEAD = 2  # months created beyond the current one


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` after (or before, when negative) the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def partition_name(month: datetime.date) -> str:
    return f"{PARENT}_p{month:%Y_%m}"


@dataclass(frozen=True)
class Partition:
    name: str
    month: datetime.date  # its first day; it holds [month, next month) in UTC

    @property
    def end(self) -> datetime.date:
        return add_months(self.month, 1)


def is_partitioned(connection=None) -> bool:
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [PARENT])
        row = cursor.fetchone()
    return bool(row and row[0] == "p")


def ensure_partitions(today: datetime.date, ahead: int = AHEAD, connection=None) -> list[str]:
    """Create the partitions of this month and the next ``ahead`` months that do not exist yet; their names."""
    connection = connection or default_connection
    if not is_partitioned(connection):
        return []
    created = []
    with connection.cursor() as cursor:
        for offset in range(ahead + 1):
            month = add_months(today, offset)
            cursor.execute("SELECT audit_accesslogentry_ensure_partition(%s)", [month])
            if cursor.fetchone()[0]:
                created.append(partition_name(month))
    return created


def adopt_strays(connection=None) -> list[str]:
    """Give every month with entries in the DEFAULT partition a partition of its own, moving those entries into it.

    The DEFAULT partition is empty in a running installation (partitions are made ahead); entries land there when
    a month had none, e.g. rows restored from a backup of older months. Returns the partitions created.
    """
    connection = connection or default_connection
    if not is_partitioned(connection):
        return []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT date_trunc('month', at AT TIME ZONE 'UTC')::date FROM {DEFAULT} ORDER BY 1")
        months = [row[0] for row in cursor.fetchall()]
        created = []
        for month in months:
            cursor.execute("SELECT audit_accesslogentry_ensure_partition(%s)", [month])
            if cursor.fetchone()[0]:
                created.append(partition_name(month))
    return created


def monthly_partitions(connection=None) -> list[Partition]:
    """The monthly partitions attached to the access log, oldest first (the DEFAULT partition not among them)."""
    connection = connection or default_connection
    if not is_partitioned(connection):
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [PARENT],
        )
        names = [row[0] for row in cursor.fetchall()]
    found = []
    for name in names:
        match = NAME.match(name)
        if match:
            found.append(Partition(name, datetime.date(int(match[1]), int(match[2]), 1)))
    return sorted(found, key=lambda p: p.month)


def detach_and_drop(partition: Partition, connection=None) -> None:
    """Remove one month's partition, rows and all. The caller has archived it, in the same transaction."""
    connection = connection or default_connection
    quoted = connection.ops.quote_name(partition.name)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {connection.ops.quote_name(PARENT)} DETACH PARTITION {quoted}")
        cursor.execute(f"DROP TABLE {quoted}")


def partitions_scanned(plan_lines: list[str]) -> list[str]:
    """The partitions an EXPLAIN plan reads (for the benchmark and the tests): every partition named in a scan."""
    names = set()
    for line in plan_lines:
        for name in re.findall(r"\bon (audit_accesslogentry_(?:p\d{4}_\d{2}|default))\b", line):
            names.add(name)
    return sorted(names)
