"""The access log's monthly partitions on PostgreSQL (issue 15 item 8): created ahead, entries in their month's
partition (also those that went to the DEFAULT partition first), and append-only on every partition."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from kring.audit import partitions
from kring.audit.models import AccessLogEntry, Action
from kring.audit.services import Access, log_access
from tests.factories import actor

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the access log is partitioned on PostgreSQL only"
)


def partition_of(entry) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM audit_accesslogentry WHERE id = %s", [entry.pk])
        return cursor.fetchone()[0]


def log_at(monkeypatch, moment, user, organisation):
    monkeypatch.setattr(timezone, "now", lambda: moment)
    log_access(actor(user), Action.VIEW, [Access("case", 1, 1, organisation.pk)])
    monkeypatch.undo()
    return AccessLogEntry.objects.order_by("-id").first()


def test_the_table_is_partitioned_with_this_month_and_two_ahead(db):
    assert partitions.is_partitioned()
    today = timezone.now().date()
    names = [p.name for p in partitions.monthly_partitions()]
    for offset in range(3):
        assert partitions.partition_name(partitions.add_months(today, offset)) in names


def test_a_partition_is_created_for_a_new_month_and_entries_land_in_it(world, monkeypatch):
    created = partitions.ensure_partitions(datetime.date(2031, 5, 17))
    assert created == [
        "audit_accesslogentry_p2031_05",
        "audit_accesslogentry_p2031_06",
        "audit_accesslogentry_p2031_07",
    ]
    assert partitions.ensure_partitions(datetime.date(2031, 5, 17)) == []  # once
    may = log_at(
        monkeypatch, datetime.datetime(2031, 5, 31, 23, 59, tzinfo=datetime.UTC), world.a.case_worker, world.a.org
    )
    june = log_at(
        monkeypatch, datetime.datetime(2031, 6, 1, 0, 0, tzinfo=datetime.UTC), world.a.case_worker, world.a.org
    )
    assert (partition_of(may), partition_of(june)) == ("audit_accesslogentry_p2031_05", "audit_accesslogentry_p2031_06")


def test_an_entry_without_its_months_partition_goes_to_default_and_moves_when_the_month_is_made(world, monkeypatch):
    stray = log_at(
        monkeypatch, datetime.datetime(2040, 1, 10, 8, 0, tzinfo=datetime.UTC), world.a.case_worker, world.a.org
    )
    assert partition_of(stray) == partitions.DEFAULT
    assert partitions.ensure_partitions(datetime.date(2040, 1, 1), ahead=0) == ["audit_accesslogentry_p2040_01"]
    assert partition_of(stray) == "audit_accesslogentry_p2040_01"
    moved = AccessLogEntry.objects.get(pk=stray.pk)
    assert (moved.at, moved.user_label, moved.organisation_id) == (stray.at, stray.user_label, world.a.org.pk)


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM {partition} WHERE id = %s",
        "UPDATE {partition} SET detail = 'rewritten' WHERE id = %s",
        "TRUNCATE {partition}",
        "DELETE FROM audit_accesslogentry_default",
    ],
)
def test_every_partition_refuses_changes(world, monkeypatch, statement):
    partitions.ensure_partitions(datetime.date(2032, 3, 1), ahead=0)
    entry = log_at(monkeypatch, datetime.datetime(2032, 3, 3, tzinfo=datetime.UTC), world.a.case_worker, world.a.org)
    log_at(monkeypatch, datetime.datetime(2045, 3, 3, tzinfo=datetime.UTC), world.a.case_worker, world.a.org)  # default
    sql = statement.format(partition="audit_accesslogentry_p2032_03")
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL kring.allow_audit_truncate = 'off'")
            cursor.execute(sql, [entry.pk] if "%s" in sql else None)
    assert AccessLogEntry.objects.filter(pk=entry.pk, detail="").exists()


def test_the_primary_key_holds_the_month_and_ids_stay_unique(world, monkeypatch):
    partitions.ensure_partitions(datetime.date(2033, 1, 1), ahead=1)
    first = log_at(monkeypatch, datetime.datetime(2033, 1, 5, tzinfo=datetime.UTC), world.a.case_worker, world.a.org)
    second = log_at(monkeypatch, datetime.datetime(2033, 2, 5, tzinfo=datetime.UTC), world.a.case_worker, world.a.org)
    assert second.pk > first.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'audit_accesslogentry_pkey'"
        )
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, at)"


def test_the_job_gives_entries_left_in_default_a_partition_of_their_own(world, monkeypatch, settings, tmp_path):
    """E.g. old entries restored from a backup into a new installation, whose partitions start this month."""
    from kring.audit import retention

    settings.KRING_ACCESS_LOG_ARCHIVE_ROOT = tmp_path
    old = log_at(monkeypatch, datetime.datetime(2025, 3, 4, tzinfo=datetime.UTC), world.a.case_worker, world.a.org)
    assert partition_of(old) == partitions.DEFAULT
    result = retention.run(datetime.datetime(2026, 12, 7, tzinfo=datetime.UTC))
    assert "audit_accesslogentry_p2025_03" in result.partitions_created
    assert partition_of(old) == "audit_accesslogentry_p2025_03"
