"""The privacy officer's page stays fast on a large log (issue 15 item 8): a bounded default period, keyset pages,
the same number of queries however many entries, and on PostgreSQL only the period's partitions read."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kring.audit import partitions
from kring.audit.models import AccessLogEntry, Action
from kring.audit.queries import DEFAULT_DAYS, _parts
from kring.audit.services import Access, log_access
from tests.factories import actor


def fill(monkeypatch, world, count, *, days_back=1, user=None):
    """``count`` entries of organisation A, one a minute, ending ``days_back`` days ago."""
    user = user or world.a.case_worker
    end = timezone.now() - datetime.timedelta(days=days_back)
    for n in range(count):
        moment = end - datetime.timedelta(minutes=n)
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)
        log_access(actor(user), Action.VIEW, [Access("case", world.a.case.pk, world.a.case.pk, world.a.org.pk)])
    monkeypatch.undo()


def entries_of(response):
    assert response.status_code == 200
    return [e.pk for e in response.context["page"]]


def page_queries(client, query):
    client.get("/access-log/", query)  # warm the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/access-log/", query).status_code == 200
    return len(captured.captured_queries)


def test_the_page_makes_the_same_number_of_queries_however_large_the_log(world, client, monkeypatch):
    client.force_login(world.a.privacy_officer)
    query = {"user": world.a.case_worker.pk, "case": world.a.case.pk}
    fill(monkeypatch, world, 3)
    few = (page_queries(client, query), page_queries(client, {}))
    fill(monkeypatch, world, 150, days_back=2)
    many = (page_queries(client, query), page_queries(client, {}))
    assert few == many


def test_keyset_pages_walk_older_and_back_newer(world, client, monkeypatch):
    fill(monkeypatch, world, 120)
    newest_first = list(
        AccessLogEntry.objects.filter(organisation_id=world.a.org.pk)
        .order_by("-at", "-id")
        .values_list("pk", flat=True)
    )
    client.force_login(world.a.privacy_officer)
    first = client.get("/access-log/", {"case": world.a.case.pk})
    assert entries_of(first) == newest_first[:50]
    older = first.context["page"].older
    second = client.get("/access-log/", {"case": world.a.case.pk, "before": older.encode()})
    assert entries_of(second) == newest_first[50:100]
    third = client.get("/access-log/", {"case": world.a.case.pk, "before": second.context["page"].older.encode()})
    assert entries_of(third) == newest_first[100:120]
    assert third.context["page"].older is None
    back = client.get("/access-log/", {"case": world.a.case.pk, "after": third.context["page"].newer.encode()})
    assert entries_of(back) == newest_first[50:100]
    assert client.get("/access-log/", {"before": "not-a-cursor"}).status_code == 200


def test_without_a_start_only_the_last_30_days_are_shown(world, client, monkeypatch):
    fill(monkeypatch, world, 1, days_back=DEFAULT_DAYS + 5)
    old = AccessLogEntry.objects.order_by("-id").first()
    fill(monkeypatch, world, 1, days_back=3)
    recent = AccessLogEntry.objects.order_by("-id").first()
    client.force_login(world.a.privacy_officer)
    assert old.pk not in entries_of(client.get("/access-log/"))
    assert recent.pk in entries_of(client.get("/access-log/"))
    start = (timezone.localdate() - datetime.timedelta(days=DEFAULT_DAYS + 10)).isoformat()
    assert old.pk in entries_of(client.get("/access-log/", {"date_from": start}))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the access log is partitioned on PostgreSQL only")
def test_the_filtered_query_reads_only_the_periods_partitions_from_an_index(world, client):
    today = timezone.now().date()
    for back in range(1, 13):
        partitions.ensure_partitions(partitions.add_months(today, -back), ahead=0)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is tiny; ask what the plan would use
    own, _loose = _parts(
        world.a.privacy_officer,
        user_id=world.a.case_worker.pk,
        date_from=today - datetime.timedelta(days=DEFAULT_DAYS - 1),
        date_until=timezone.localdate(),
    )
    sql, params = own.order_by("-at", "-id")[:51].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    scanned = partitions.partitions_scanned(plan)
    this_month, last_month = (partitions.partition_name(partitions.add_months(today, n)) for n in (0, -1))
    assert set(scanned) <= {this_month, last_month}, plan
    assert this_month in scanned
    assert any("Index" in line for line in plan), plan
