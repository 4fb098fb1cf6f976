"""The access log lives as long as it must, and no longer (issue 15 item 8): archived months, per-organisation
retention, the legal minimum, the job's own entry and the append-only rule that still holds. Both databases."""

import datetime
import gzip
import hashlib
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from kring.audit import partitions, retention
from kring.audit.models import AccessLogArchive, AccessLogEntry, AccessLogSettings, Action
from kring.audit.services import Access, log_access
from tests.factories import actor

NOW = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.UTC)


def months_ago(months, day=10):
    month = partitions.add_months(NOW.date(), -months)
    return datetime.datetime(month.year, month.month, day, 9, 30, tzinfo=datetime.UTC)


def log_at(monkeypatch, moment, user, organisation, detail=""):
    """One entry at ``moment``, by ``user``, about a case of ``organisation``."""
    if partitions.is_partitioned():
        partitions.ensure_partitions(moment.date(), ahead=0)  # as the job would have, that month
    monkeypatch.setattr(timezone, "now", lambda: moment)
    log_access(actor(user), Action.VIEW, [Access("case", 1, 1, organisation.pk)], path="/cases/1/", detail=detail)
    monkeypatch.undo()
    return AccessLogEntry.objects.order_by("-id").first()


@pytest.fixture
def short(settings, tmp_path):
    """A legal minimum of 12 months, 36 by default, archives in a folder of the test's own."""
    settings.KRING_ACCESS_LOG_MIN_RETENTION_MONTHS = 12
    settings.KRING_ACCESS_LOG_RETENTION_MONTHS = 36
    settings.KRING_ACCESS_LOG_MAX_RETENTION_MONTHS = 240
    settings.KRING_ACCESS_LOG_ARCHIVE_ROOT = tmp_path / "archive"
    return settings


def test_the_job_archives_months_past_every_retention_to_a_file_with_its_checksum(world, monkeypatch, short):
    old_a = log_at(monkeypatch, months_ago(40), world.a.case_worker, world.a.org)
    old_b = log_at(monkeypatch, months_ago(40, day=20), world.b.case_worker, world.b.org)
    kept = log_at(monkeypatch, months_ago(30), world.a.case_worker, world.a.org)

    result = retention.run(NOW)

    month = partitions.add_months(NOW.date(), -40)
    assert [(a.month, a.rows) for a in result.archived] == [(month, 2)]
    archive = AccessLogArchive.objects.get()
    assert (archive.month, archive.rows) == (month, 2)
    path = short.KRING_ACCESS_LOG_ARCHIVE_ROOT / archive.file_name
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == archive.sha256
    rows = [json.loads(line) for line in gzip.decompress(data).decode().splitlines()]
    assert [(r["id"], r["organisation_id"], r["user_label"]) for r in rows] == [
        (old_a.pk, world.a.org.pk, "case_worker@a.example.org"),
        (old_b.pk, world.b.org.pk, "case_worker@b.example.org"),
    ]
    assert datetime.datetime.fromisoformat(rows[0]["at"]) == old_a.at
    assert not AccessLogEntry.objects.filter(pk__in=[old_a.pk, old_b.pk]).exists()
    assert AccessLogEntry.objects.filter(pk=kept.pk).exists()
    if partitions.is_partitioned():
        assert partitions.partition_name(month) not in [p.name for p in partitions.monthly_partitions()]
    # Nothing is left to archive: a second run archives nothing.
    assert retention.run(NOW).archived == []


def test_a_shorter_retention_removes_only_that_organisations_old_entries(world, monkeypatch, short):
    AccessLogSettings.objects.create(organisation=world.a.org, retention_months=12)
    a_old = log_at(monkeypatch, months_ago(20), world.a.case_worker, world.a.org)
    b_old = log_at(monkeypatch, months_ago(20, day=11), world.b.case_worker, world.b.org)
    a_recent = log_at(monkeypatch, months_ago(6), world.a.case_worker, world.a.org)
    a_edge = log_at(monkeypatch, months_ago(12, day=1), world.a.case_worker, world.a.org)  # first day kept

    result = retention.run(NOW)

    assert result.archived == []
    assert result.removed == {world.a.org.pk: 1}
    assert not AccessLogEntry.objects.filter(pk=a_old.pk).exists()
    assert set(
        AccessLogEntry.objects.filter(pk__in=[b_old.pk, a_recent.pk, a_edge.pk]).values_list("pk", flat=True)
    ) == {
        b_old.pk,
        a_recent.pk,
        a_edge.pk,
    }


def test_the_job_is_in_each_organisations_log_with_counts_and_no_names(world, monkeypatch, short):
    AccessLogSettings.objects.create(organisation=world.a.org, retention_months=12)
    log_at(monkeypatch, months_ago(20), world.a.case_worker, world.a.org)
    log_at(monkeypatch, months_ago(40), world.b.case_worker, world.b.org)
    since = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first()

    retention.run(NOW)

    entries = {e.organisation_id: e for e in AccessLogEntry.objects.filter(id__gt=since, record_type="access_log")}
    assert set(entries) == {world.a.org.pk, world.b.org.pk}
    a, b = entries[world.a.org.pk], entries[world.b.org.pk]
    assert (a.action, a.user_id, a.user_label, a.path) == (Action.DELETE, None, "", retention.JOB_PATH)
    month = f"{partitions.add_months(NOW.date(), -40):%Y-%m}"
    assert (
        a.detail
        == f"retention 12 months; archived {month} (1 entries, all organisations); removed 1 entries of this organisation"
    )
    assert (
        b.detail
        == f"retention 36 months; archived {month} (1 entries, all organisations); removed 0 entries of this organisation"
    )
    assert "example.org" not in a.detail + b.detail
    # The privacy officer sees it on the page.
    assert a.case_id is None


def test_a_run_with_nothing_to_do_writes_no_entry(world, short):
    before = AccessLogEntry.objects.count()
    result = retention.run(NOW)
    assert (result.archived, result.removed) == ([], {})
    assert AccessLogEntry.objects.count() == before


def test_the_legal_minimum_cannot_be_undercut(world, settings):
    assert settings.KRING_ACCESS_LOG_MIN_RETENTION_MONTHS == 60  # the default: five years
    officer = actor(world.a.privacy_officer)
    with pytest.raises(ValidationError) as refused:
        retention.save_retention(officer, world.a.org.pk, 59)
    assert "ten minste 60 maanden" in str(refused.value.message_dict["retention_months"])
    with pytest.raises(ValidationError):
        retention.save_retention(officer, world.a.org.pk, 241)
    assert not AccessLogSettings.objects.exists()
    retention.save_retention(officer, world.a.org.pk, 84)
    assert retention.retention_months(world.a.org.pk) == 84
    assert retention.retention_months(world.b.org.pk) == 60


def test_even_a_setting_below_the_minimum_is_not_applied_by_the_job(world, monkeypatch, short):
    """A row written before the minimum was raised (or by hand) does not shorten the log below the law."""
    AccessLogSettings.objects.create(organisation=world.a.org, retention_months=3)
    kept = log_at(monkeypatch, months_ago(6), world.a.case_worker, world.a.org)
    retention.run(NOW)
    assert AccessLogEntry.objects.filter(pk=kept.pk).exists()


def test_the_retention_page_saves_a_valid_choice_and_refuses_the_minimum(world, client):
    client.force_login(world.a.privacy_officer)
    page = client.get("/access-log/retention/")
    assert page.status_code == 200
    assert page.context["form"]["retention_months"].value() == 60
    refused = client.post("/access-log/retention/", {"organisation": world.a.org.pk, "retention_months": "24"})
    assert refused.status_code == 200
    assert "ten minste 60 maanden" in refused.content.decode()
    assert not AccessLogSettings.objects.exists()
    saved = client.post("/access-log/retention/", {"organisation": world.a.org.pk, "retention_months": "72"})
    assert saved.status_code == 302
    assert AccessLogSettings.objects.get(organisation=world.a.org).retention_months == 72
    change = AccessLogEntry.objects.filter(record_type="access_log", action=Action.UPDATE).get()
    assert (change.organisation_id, change.user_id, change.detail) == (
        world.a.org.pk,
        world.a.privacy_officer.pk,
        "retention: 60 -> 72 months",
    )


def test_an_administrator_may_set_the_retention_and_a_case_worker_may_not(world, client):
    client.force_login(world.a.administrator)
    assert (
        client.post("/access-log/retention/", {"organisation": world.a.org.pk, "retention_months": "61"}).status_code
        == 302
    )
    client.force_login(world.a.case_worker)
    assert client.get("/access-log/retention/").status_code == 403
    # Another organisation's officer cannot set A's retention.
    client.force_login(world.b.privacy_officer)
    client.post("/access-log/retention/", {"organisation": world.a.org.pk, "retention_months": "99"})
    assert AccessLogSettings.objects.get(organisation=world.a.org).retention_months == 61


@pytest.mark.parametrize(
    "statement",
    ["DELETE FROM audit_accesslogentry WHERE id = %s", "UPDATE audit_accesslogentry SET detail = 'x' WHERE id = %s"],
)
def test_old_entries_stay_append_only_outside_the_retention_path(world, monkeypatch, short, statement):
    old = log_at(monkeypatch, months_ago(50), world.a.case_worker, world.a.org)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [old.pk])
    assert AccessLogEntry.objects.filter(pk=old.pk, detail="").exists()


def test_the_retention_path_deletes_only_what_its_permit_names(world, monkeypatch, short):
    """The permit names one organisation and a moment: another organisation's entry, or a later one, stays."""
    a_old = log_at(monkeypatch, months_ago(50), world.a.case_worker, world.a.org)
    b_old = log_at(monkeypatch, months_ago(50, day=12), world.b.case_worker, world.b.org)
    a_later = log_at(monkeypatch, months_ago(2), world.a.case_worker, world.a.org)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            # A's permit, but a statement that reaches B's entry too: the trigger refuses, nothing goes.
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute(
                        "SELECT set_config('kring.audit_retention_before', %s, true),"
                        " set_config('kring.audit_retention_organisation', %s, true)",
                        [months_ago(10).isoformat(), str(world.a.org.pk)],
                    )
                else:
                    cursor.execute(
                        "INSERT INTO audit_retention_permit (organisation_id, before) VALUES (%s, %s)",
                        [world.a.org.pk, connection.ops.adapt_datetimefield_value(months_ago(10))],
                    )
                cursor.execute("DELETE FROM audit_accesslogentry WHERE id IN (%s, %s)", [a_old.pk, b_old.pk])
    assert AccessLogEntry.objects.filter(pk__in=[a_old.pk, b_old.pk]).count() == 2
    assert retention.delete_before(world.a.org.pk, months_ago(10)) == 1
    assert not AccessLogEntry.objects.filter(pk=a_old.pk).exists()
    assert AccessLogEntry.objects.filter(pk__in=[b_old.pk, a_later.pk]).count() == 2
    # The permit does not outlive its transaction.
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_accesslogentry WHERE id = %s", [b_old.pk])


def test_the_command_runs_the_job(world, monkeypatch, short, capsys):
    old = log_at(monkeypatch, months_ago(40), world.a.case_worker, world.a.org)
    call_command("access_log_retention")
    out = capsys.readouterr().out
    assert f"Archived {old.at:%Y-%m}: 1 entries" in out
    assert AccessLogArchive.objects.get().rows == 1


def test_the_worker_task_runs_the_job_and_schedules_the_next_run(world, monkeypatch, short):
    """The task the worker runs (``db_worker`` itself is tested with the reminder scan, tests/worklists)."""
    from kring.audit import tasks

    log_at(monkeypatch, months_ago(40), world.a.case_worker, world.a.org)
    assert tasks.ensure_scheduled() is True
    assert tasks.ensure_scheduled() is False  # one chain
    tasks.pending().delete()
    outcome = tasks.run_retention.call()
    assert outcome["archived"][0]["rows"] == 1
    waiting = tasks.pending().get()  # the run enqueued the next one
    assert (waiting.run_after.hour, waiting.run_after.minute) == (2, 40)
    assert timezone.now() < waiting.run_after <= timezone.now() + datetime.timedelta(days=1)
