#!/usr/bin/env python3
"""Access log benchmark (issue 15 item 8): the privacy officer's page over 12 monthly partitions of a large log.

Fills a database of its own (dropped and created again on every run) with --rows access log entries spread over
the last 12 months, one partition per month, written by INSERT ... SELECT generate_series into a bare table per month
that is then attached as the month's partition (its indexes are built once, in bulk, on attach). Then measures,
through Django's test client as a logged-in privacy officer, the access log page with a filter (a user and a period,
a case and a period, all three, and the default last 30 days) against /ping/ in the same interleaved loop, and
explains the page's query: which partitions it reads and whether it walks an index.

Goal: every filtered page within 5x /ping/ (PASS/FAIL), the same number of queries per page.

    python bench/access_log.py                 # 50,000,000 entries over 12 months (PostgreSQL)
    python bench/access_log.py --rows 5000000  # a smaller log
    python bench/access_log.py --tiny          # what CI runs: 12 x 10,000 entries, keeps the script working

The database URL comes from DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/kring_bench_access_log);
its name must contain 'bench'. See bench/README.md.
"""

import argparse
import datetime
import gc
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/kring_bench_access_log"
RESULTS = ROOT / "bench" / "results" / "access_log.json"

MAX_VS_PING = 5.0  # time of a page / time of /ping/ (the goal)
MONTHS = 12
ORGANISATIONS = 10
USERS_PER_ORGANISATION = 200
CASES_PER_ORGANISATION = 10_000
NO_ORGANISATION_EVERY = 1000  # one entry in a thousand has no organisation (e.g. a refusal of an unknown case)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000_000, help="entries in total (default 50,000,000)")
    parser.add_argument("--tiny", action="store_true", help="12 x 10,000 entries (for CI)")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page (median is reported)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS})")
    args = parser.parse_args()
    if args.tiny:
        args.rows = MONTHS * 10_000
        args.runs, args.warmup = min(args.runs, 10), min(args.warmup, 2)
    if args.rows < MONTHS * 100:
        parser.error(f"--rows must be at least {MONTHS * 100}")
    return args


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def fmt_n(n):
    return f"{n:,}"


# --- The database -----------------------------------------------------------------------------------------


def recreate(url):
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("This benchmark needs PostgreSQL: the access log is partitioned there only.")
    name = str(config["NAME"])
    if "bench" not in name:
        sys.exit(f"Refusing to drop database {name!r}: its name must contain 'bench' (set DATABASE_URL).")
    params = {
        "dbname": "postgres",
        "host": config.get("HOST"),
        "port": config.get("PORT"),
        "user": config.get("USER"),
        "password": config.get("PASSWORD"),
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "false")  # measure what production runs
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)


def build_people():
    """Organisations, their users (ids consecutive per the fill's arithmetic) and the measured privacy officer."""
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.hashers import make_password

    from kring.accounts.models import Membership, Organisation, Role, User

    password = make_password("bench-password-not-secret")
    orgs = [
        Organisation.objects.create(
            name=f"Organisatie {n + 1:02d}", code=f"org{n + 1:02d}", jurisdiction="NL" if n % 2 == 0 else "VL"
        )
        for n in range(ORGANISATIONS)
    ]
    users = User.objects.bulk_create(
        [
            User(email=f"user{i}@bench.example.org", password=password, first_name="Bench", last_name=f"User {i}")
            for i in range(ORGANISATIONS * USERS_PER_ORGANISATION)
        ],
        batch_size=1000,
    )
    users = list(User.objects.filter(email__endswith="@bench.example.org").order_by("id"))
    first_id = users[0].pk
    if users[-1].pk - first_id != len(users) - 1:
        sys.exit("The users' ids are not consecutive; the fill's arithmetic needs them to be.")
    # User i works at organisation i % ORGANISATIONS.
    Membership.objects.bulk_create(
        [Membership(user=u, organisation=orgs[i % ORGANISATIONS], role=Role.CASE_WORKER) for i, u in enumerate(users)],
        batch_size=1000,
    )
    officer = User.objects.create(email="officer@bench.example.org", password=password, first_name="Privacy")
    Membership.objects.create(user=officer, organisation=orgs[0], role=Role.PRIVACY_OFFICER)
    TOTP.activate(officer, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return orgs, first_id, officer


def month_starts(today):
    from kring.audit.partitions import add_months

    return [add_months(today, -back) for back in range(MONTHS - 1, -1, -1)]


def fill(rows, orgs, first_user_id, now):
    """Every month's entries into a bare table, then attached as that month's partition (indexes built on attach)."""
    from django.db import connection

    from kring.audit import partitions

    org_ids = [o.pk for o in orgs]
    if org_ids != list(range(org_ids[0], org_ids[0] + len(org_ids))):
        sys.exit("The organisations' ids are not consecutive.")
    users = ORGANISATIONS * USERS_PER_ORGANISATION
    months = month_starts(now.date())
    per_month = rows // MONTHS
    next_id = 1
    timings = []
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SET synchronous_commit = off")
        existing = {p.month: p for p in partitions.monthly_partitions()}
        for month in months:
            started = time.perf_counter()
            start = datetime.datetime(month.year, month.month, 1, tzinfo=datetime.UTC)
            end = min(datetime.datetime.combine(partitions.add_months(month, 1), datetime.time(), datetime.UTC), now)
            span = (end - start).total_seconds()
            name = partitions.partition_name(month)
            if month in existing:  # made empty by the migration; replaced by the filled one
                partitions.detach_and_drop(existing[month])
            cursor.execute(f"CREATE TABLE {name} (LIKE audit_accesslogentry INCLUDING DEFAULTS)")
            # g runs 1..n; user u = a scattered g, organisation = u's; a case of that organisation; time ordered by g.
            cursor.execute(
                f"""
                INSERT INTO {name} (id, at, user_label, organisation_id, case_id, record_type, record_id, action,
                                    ip_address, path, detail, user_id)
                SELECT %(first_id)s + g - 1,
                       %(start)s::timestamptz + make_interval(secs => %(span)s * (g - 1) / %(n)s),
                       'user' || u || '@bench.example.org',
                       CASE WHEN g %% {NO_ORGANISATION_EVERY} = 0 THEN NULL ELSE %(org0)s + u %% {ORGANISATIONS} END,
                       c,
                       (ARRAY['case', 'person', 'case_team', 'consent', 'plan'])[1 + g %% 5],
                       c::text,
                       (ARRAY['view', 'view', 'view', 'list', 'update', 'search'])[1 + g %% 6],
                       ('10.0.0.0'::inet + (g %% 60000)),
                       '/cases/' || c || '/',
                       '',
                       %(user0)s + u
                FROM generate_series(1::bigint, %(n)s::bigint) AS g,
                     LATERAL (SELECT (g * 7919) %% {users} AS u) AS pick_user,
                     LATERAL (SELECT 1 + (u %% {ORGANISATIONS}) + {ORGANISATIONS} * ((g * 104729) %% {CASES_PER_ORGANISATION})
                              AS c) AS pick_case
                """,
                {
                    "first_id": next_id,
                    "start": start,
                    "span": span,
                    "n": per_month,
                    "org0": org_ids[0],
                    "user0": first_user_id,
                },
            )
            next_id += per_month
            first = start.isoformat()
            following = datetime.datetime.combine(partitions.add_months(month, 1), datetime.time(), datetime.UTC)
            # The constraint lets ATTACH skip its scan of the new partition.
            cursor.execute(
                f"ALTER TABLE {name} ADD CONSTRAINT {name}_in_month CHECK (at IS NOT NULL AND at >= %s AND at < %s)",
                [start, following],
            )
            cursor.execute(
                f"ALTER TABLE audit_accesslogentry ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)",
                [first, following.isoformat()],
            )
            cursor.execute(f"ALTER TABLE {name} DROP CONSTRAINT {name}_in_month")
            cursor.execute(
                f"CREATE TRIGGER audit_accesslogentry_no_truncate BEFORE TRUNCATE ON {name} "
                "FOR EACH STATEMENT EXECUTE FUNCTION audit_accesslogentry_refuse_truncate()"
            )
            seconds = time.perf_counter() - started
            timings.append(round(seconds, 1))
            log(f"  {month:%Y-%m}: {fmt_n(per_month)} entries in {seconds:.1f} s")
        cursor.execute("SELECT setval('audit_accesslogentry_id_seq', %s, false)", [next_id])
    return per_month * MONTHS, timings


def analyze():
    from django.db import connection
    from django.db.utils import DatabaseError

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        try:
            cursor.execute("CHECKPOINT")
        except DatabaseError as error:
            log(f"CHECKPOINT not allowed ({error}); a checkpoint may run during the measurement.")


# --- Measuring -----------------------------------------------------------------------------------------------


def complete_login(client, user):
    """A login with both factors, as allauth records it (the page requires two factors of a privacy officer)."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )

    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


def pages_for(orgs, first_user_id, today):
    """The pages measured: /ping/ and the access log with the privacy officer's filters."""
    from urllib.parse import urlencode

    measured_user = first_user_id + ORGANISATIONS * 7  # user 70: organisation 1's
    measured_case = 1 + ORGANISATIONS * 4242  # a case of organisation 1
    month_ago = (today - datetime.timedelta(days=30)).isoformat()
    quarter = (today - datetime.timedelta(days=90)).isoformat()
    return {
        "ping": "/ping/",
        "log: last 30 days (default)": "/access-log/",
        "log: user, 30 days": "/access-log/?" + urlencode({"user": measured_user, "date_from": month_ago}),
        "log: case, 90 days": "/access-log/?" + urlencode({"case": measured_case, "date_from": quarter}),
        "log: user + case, 90 days": "/access-log/?"
        + urlencode({"user": measured_user, "case": measured_case, "date_from": quarter}),
        "log: user, a whole year": "/access-log/?"
        + urlencode({"user": measured_user, "date_from": (today - datetime.timedelta(days=364)).isoformat()}),
    }


TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.I)


def measure(officer, pages, runs, warmup):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    complete_login(client, officer)
    results = {}
    for name, url in pages.items():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        # Entry rows of the table (each starts with its first labelled cell); "No entries" has none.
        shown = response.content.decode().count("<tr><td data-label=") if name != "ping" else None
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        sql = [q["sql"] for q in ctx.captured_queries]
        results[name] = {"url": url, "queries": len(sql), "sql": sql, "entries_shown": shown, "samples": []}
    for _ in range(warmup):
        for url in pages.values():
            client.get(url)
    gc.collect()
    gc.freeze()
    load_before = os.getloadavg()[0]
    for round_ in range(runs):
        order = list(pages.items()) if round_ % 2 == 0 else list(pages.items())[::-1]
        for name, url in order:
            started = time.perf_counter()
            client.get(url)
            results[name]["samples"].append((time.perf_counter() - started) * 1000)
    gc.unfreeze()
    for result in results.values():
        result["ms"] = statistics.median(result["samples"])
    return results, {"load_before": load_before, "load_after": os.getloadavg()[0], "cpus": os.cpu_count()}


def explain(results):
    """EXPLAIN ANALYZE of each page's access log queries: time, partitions read, index or not."""
    from django.db import connection

    from kring.audit.partitions import partitions_scanned

    out = {}
    for name, result in results.items():
        if name == "ping":
            continue
        plans = []
        for statement in result["sql"]:
            if '"audit_accesslogentry"' not in statement or not statement.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
                lines = [row[0] for row in cursor.fetchall()]
            match = re.search(r"Execution Time: ([\d.]+) ms", lines[-1])
            plans.append(
                {
                    "ms": float(match.group(1)) if match else None,
                    "partitions": partitions_scanned(lines),
                    "index": any("Index" in line for line in lines),
                    "seq_scan": any("Seq Scan" in line for line in lines),
                    "plan": lines,
                }
            )
        out[name] = plans
    return out


def paired_median(numerators, denominators):
    return statistics.median(a / b for a, b in zip(numerators, denominators, strict=True))


def report(args, total, fill_seconds, month_timings, results, plans, load):
    ping = results["ping"]
    rows = []
    for name, result in results.items():
        ratio = paired_median(result["samples"], ping["samples"])
        rows.append((name, result, ratio))
    print()
    print(f"Access log: {fmt_n(total)} entries in {MONTHS} monthly partitions, filled in {fill_seconds:.0f} s")
    print(
        f"Load average {load['load_before']:.2f} -> {load['load_after']:.2f} on {load['cpus']} CPUs; "
        f"median of {args.runs} requests per page after {args.warmup} warm-up rounds."
    )
    print()
    header = f"{'page':32} {'queries':>7} {'shown':>6} {'median ms':>10} {'x ping':>7}  verdict"
    print(header)
    print("-" * len(header))
    failures = []
    for name, result, ratio in rows:
        verdict = "" if name == "ping" else ("PASS" if ratio <= MAX_VS_PING else "FAIL")
        if verdict == "FAIL":
            failures.append(name)
        shown = "" if result["entries_shown"] is None else str(result["entries_shown"])
        print(f"{name:32} {result['queries']:>7} {shown:>6} {result['ms']:>10.1f} {ratio:>7.2f}  {verdict}")
    print()
    print("The page's access log queries, explained (EXPLAIN ANALYZE):")
    for name, explained in plans.items():
        for plan in explained:
            how = "index" if plan["index"] and not plan["seq_scan"] else ("SEQ SCAN" if plan["seq_scan"] else "?")
            print(
                f"  {name:32} {plan['ms'] or 0:>8.2f} ms  {how:8}  partitions read: {len(plan['partitions'])} "
                f"({', '.join(p.replace('audit_accesslogentry_', '') for p in plan['partitions'])})"
            )
    page_queries = {r["queries"] for n, r in results.items() if n != "ping" and "user" not in n}
    print()
    print(
        f"Goal: every filtered page <= {MAX_VS_PING:g}x /ping/ in the same run: "
        f"{'PASS' if not failures else 'FAIL: ' + ', '.join(failures)}"
    )
    payload = {
        "rows": total,
        "months": MONTHS,
        "fill_seconds": fill_seconds,
        "fill_seconds_per_month": month_timings,
        "load": load,
        "goal_max_vs_ping": MAX_VS_PING,
        "pages": {
            name: {k: v for k, v in result.items() if k != "samples"} | {"vs_ping": round(ratio, 2)}
            for name, result, ratio in rows
        },
        "plans": plans,
        "failures": failures,
        "queries_without_user_filter": sorted(page_queries),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    print(f"Written to {args.output}")
    return failures


def main():
    args = parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    recreate(url)
    setup_django(url)
    from django.utils import timezone

    now = timezone.now()
    log("Organisations, users and the privacy officer ...")
    orgs, first_user_id, officer = build_people()
    log(f"Filling {fmt_n(args.rows)} entries over {MONTHS} months ...")
    started = time.perf_counter()
    total, month_timings = fill(args.rows, orgs, first_user_id, now)
    log("VACUUM ANALYZE ...")
    analyze()
    fill_seconds = time.perf_counter() - started
    pages = pages_for(orgs, first_user_id, timezone.localdate())
    log("Measuring ...")
    results, load = measure(officer, pages, args.runs, args.warmup)
    plans = explain(results)
    failures = report(args, total, fill_seconds, month_timings, results, plans, load)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
