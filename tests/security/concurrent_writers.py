"""Several colleagues writing to one case at the same moment, through the pages, as a separate process.

Run by ``test_11_sqlite_concurrent_writers.py`` against a database of its own (a fresh SQLite file with Kring's
own settings, or a fresh PostgreSQL database), because the test run's SQLite database is an in-memory one whose
locking differs from the file every installation uses. Prints one JSON line: the status codes per route and the
errors raised.

    python -m tests.security.concurrent_writers WRITERS ROUNDS
"""

import datetime
import json
import os
import sys
import threading
from collections import Counter

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from kring.accounts.models import Role  # noqa: E402
from kring.cases.choices import CaseRole  # noqa: E402
from kring.cases.models import CaseTeamMember, Person  # noqa: E402
from tests.factories import (  # noqa: E402
    case_form_data,
    make_case,
    make_organisation,
    make_team,
    make_user,
    person_form_data,
)
from tests.network.test_network_pages import GOOD_GEDCOM  # noqa: E402


def world(writers):
    organisation = make_organisation("NL", name="Organisatie Gelijktijdig", code="gelijk")
    team = make_team(organisation, name="Team Gelijktijdig")
    # Everyone who may change a case: its case worker, its coordinator, and the team's leads.
    workers = [
        make_user(organisation, Role.CASE_WORKER, team, email="writer0@example.org"),
        make_user(organisation, Role.COORDINATOR, team, email="writer1@example.org"),
    ]
    workers += [
        make_user(organisation, Role.TEAM_LEAD, team, is_lead=True, email=f"writer{n}@example.org")
        for n in range(2, writers)
    ]
    case = make_case(team, case_worker=workers[0], persons=writers)
    # Each writer records a consent given by "their" person: grown-ups, so each may give it (the central one for
    # themselves, the others as parents).
    Person.objects.filter(case=case).update(relation="ouder", birth_date=datetime.date(1985, 6, 1))
    CaseTeamMember.objects.create(case=case, organisation=organisation, user=workers[1], role=CaseRole.COORDINATOR)
    return case, workers


def network_document(n, round_):
    return json.dumps(
        {
            "format": "kring-network",
            "version": 1,
            "persons": [
                {
                    "ref": "p1",
                    "first_name": f"Buur{n}",
                    "last_name": f"Ronde{round_}",
                    "gender": "female",
                    "kind": "person",
                }
            ],
            "relationships": [],
            "system_ties": [],
        }
    ).encode()


def writer(n, case, user, person, rounds, barrier, statuses, errors):
    client = Client()
    client.force_login(user)
    base = f"/cases/{case.pk}/"
    try:
        barrier.wait()
        for round_ in range(rounds):
            person.refresh_from_db()
            steps = [
                (
                    "person edit",
                    base + f"persons/{person.pk}/",
                    person_form_data(person, last_name=f"Schrijver{n}-{round_}"),
                ),
                (
                    "person add",
                    base + "persons/new/",
                    {"first_name": f"Nieuw{n}", "last_name": f"Ronde{round_}", "gender": "unknown"},
                ),
                ("gedcom upload", base + "network/import/", {"file": SimpleUploadedFile("tree.ged", GOOD_GEDCOM)}),
                (
                    "gedcom confirm",
                    base + "network/import/confirm/",
                    {"center": "I3", "generations_up": 1, "generations_down": 0},
                ),
                (
                    "json import",
                    base + "network/import/",
                    {"file": SimpleUploadedFile("network.json", network_document(n, round_))},
                ),
                (
                    "consent",
                    base + "consents/new/",
                    {"person": person.pk, "purpose": "share_plan", "given_on": "2026-01-20"},
                ),
            ]
            if n == 0:
                case.refresh_from_db()
                steps.append(("case edit", base + "edit/", case_form_data(case, concerns=f"Ronde {round_}")))
            for name, url, data in steps:
                response = client.post(url, data)
                statuses[name][response.status_code] += 1
    except Exception as error:  # noqa: BLE001  (every failure is reported, the test decides)
        errors.append(f"writer {n}: {type(error).__name__}: {error}")
    finally:
        connection.close()


def main(writers, rounds):
    case, workers = world(writers)
    persons = list(Person.objects.filter(case=case).order_by("pk"))
    connection.close()
    barrier = threading.Barrier(writers)
    statuses = {
        name: Counter()
        for name in (
            "person edit",
            "person add",
            "gedcom upload",
            "gedcom confirm",
            "json import",
            "consent",
            "case edit",
        )
    }
    errors = []
    threads = [
        threading.Thread(target=writer, args=(n, case, workers[n], persons[n], rounds, barrier, statuses, errors))
        for n in range(writers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    counts = {"persons": Person.objects.filter(case=case).count()}
    print(
        json.dumps(
            {
                "statuses": {name: dict(c) for name, c in statuses.items()},
                "errors": errors,
                "counts": counts,
                "vendor": connection.vendor,
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
