#!/usr/bin/env python3
"""Foundation page benchmark: caseload, case detail and name search at a small and a large data size.

Fills a database of its own (dropped and created again on every run) to --small cases and keeps a copy of
it at that size; grows the original to --cases cases and --persons persons; then measures both sizes in one
interleaved loop. Every page is reported as queries per page and as server time: as the ratio large/small and
as a ratio to /ping/ (the minimal logged-in page) measured beside it, so the verdicts do not depend on how fast
the machine is, nor on how busy it was at one moment.

    python bench/foundation_pages.py                 # 100,000 cases, 1,000,000 persons (PostgreSQL)
    python bench/foundation_pages.py --tiny          # what CI runs: a few hundred cases, keeps it working
    python bench/foundation_pages.py --strict        # also fail on the time and name-search goals

See bench/README.md.
"""

import argparse
import datetime
import functools
import gc
import json
import os
import random
import re
import shutil
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/kring_bench"
RESULTS = ROOT / "bench" / "results" / "foundation_pages.json"

# The goals from the issue.
MAX_QUERIES = 15  # per page, whatever the data size
MAX_GROWTH = 1.2  # time at the large size / time at the small size
MAX_VS_PING = 5.0  # time of a page / time of /ping/
SEARCH_INTERACTIVE_MS = 100.0  # a name lookup over all persons, answered from an index
# Below this many persons PostgreSQL rightly reads the table rather than the index for a lookup with two forms of a
# name (as typed OR folded, two index scans): index use is judged from here on, the time at every size.
INDEX_JUDGED_FROM_PERSONS = 100_000

# The measured users' own cases; they stay the same when the database grows.
FOCUS_TEAM_CASES = 500  # cases of the team the measured team lead leads
WORKER_CASES = 40  # cases the measured case worker is on
TEAMS_PER_ORG = 100
WORKERS_PER_TEAM = 5

COMMON_SURNAME = "Peeters"
RARE_SURNAME = "Uyttendaele"
# The rare name as it is also spelled: found through the Dutch and Flemish folds (kring.core.name_search).
RARE_SPELLING = "Uittendaele"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000, help="cases at the large size (default 100,000)")
    parser.add_argument("--persons", type=int, default=1_000_000, help="persons at the large size (default 1,000,000)")
    parser.add_argument("--small", type=int, default=1_000, help="cases at the small size (default 1,000)")
    parser.add_argument("--tiny", action="store_true", help="300 cases / 3,000 persons, small size 100 (for CI)")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page (median is reported)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    parser.add_argument("--strict", action="store_true", help="exit non-zero when a time goal fails too")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS})")
    args = parser.parse_args()
    if args.tiny:
        args.cases, args.persons, args.small = 300, 3_000, 100
    if not 10 <= args.small <= args.cases:
        parser.error("--small must be between 10 and --cases")
    if args.persons < args.cases:
        parser.error("--persons must be at least --cases (every case has a central person)")
    return args


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- The database ---------------------------------------------------------------------------------------


class Databases:
    """The large database (DATABASE_URL) and a copy of it at the small size beside it (its name + '_small').

    Both sizes are measured in one interleaved loop at the end, so a machine that is busier for a while (a
    shared CI runner, other work on a 2-core box) slows both sizes alike instead of counting as growth.
    """

    def __init__(self, url):
        import environ

        self.config = environ.Env.db_url_config(url)
        self.name = str(self.config["NAME"])
        if "bench" not in Path(self.name).name:
            sys.exit(f"Refusing to drop database {self.name!r}: its name must contain 'bench' (set DATABASE_URL).")
        engine = self.config["ENGINE"]
        if engine == "django.db.backends.sqlite3":
            self.vendor = "sqlite"
            path = Path(self.name)
            self.small_name = str(path.with_name(f"{path.stem}_small{path.suffix}"))
        elif engine == "django.db.backends.postgresql":
            self.vendor = "postgresql"
            self.small_name = f"{self.name}_small"
        else:
            sys.exit(f"Unsupported database engine {engine}; use PostgreSQL or SQLite.")
        self.wrappers = {}

    def _admin(self):
        """A connection to the 'postgres' database, to drop and create the benchmark databases."""
        import psycopg

        params = {
            "dbname": "postgres",
            "host": self.config.get("HOST"),
            "port": self.config.get("PORT"),
            "user": self.config.get("USER"),
            "password": self.config.get("PASSWORD"),
        }
        return psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)

    def recreate(self):
        if self.vendor == "sqlite":
            for name in (self.name, self.small_name):
                for suffix in ("", "-wal", "-shm"):
                    Path(name + suffix).unlink(missing_ok=True)
            return
        from psycopg import sql

        with self._admin() as conn:
            for name in (self.name, self.small_name):
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def copy_to_small(self):
        """Keep the small size: copy the database as it is now, before it grows."""
        from django.db import connection

        if self.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
            shutil.copyfile(self.name, self.small_name)
            return
        import psycopg
        from psycopg import sql

        connection.close()  # a template database must have no other connections
        statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(self.small_name), sql.Identifier(self.name)
        )
        with self._admin() as conn:
            for _attempt in range(30):
                try:
                    conn.execute(statement)
                    return
                except psycopg.errors.ObjectInUse:
                    time.sleep(1)  # autovacuum may hold a connection for a moment
            conn.execute(statement)

    def open(self):
        """A second connection object for the small copy, so requests can be pointed at either size."""
        from django.db import connections
        from django.db.utils import load_backend

        large = connections["default"]
        settings_dict = {**large.settings_dict, "NAME": self.small_name}
        small = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")
        self.wrappers = {"small": small, "large": large}

    def use(self, size):
        """Point Django's default connection (what the pages use) at one size."""
        from django.db import connections

        connections._connections.default = self.wrappers[size]


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Measure what production runs: no debug cursor logging every query, no template debug info.
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)


def write_rows(model, columns, rows):
    """Insert many rows fast: COPY on PostgreSQL, executemany elsewhere. Returns the number written."""
    from django.db import connection

    table = model._meta.db_table
    count = 0
    if connection.vendor == "postgresql":
        from psycopg import sql

        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    ops = connection.ops

    def adapt(value):
        if isinstance(value, datetime.datetime):
            return ops.adapt_datetimefield_value(value)
        if isinstance(value, datetime.date):
            return ops.adapt_datefield_value(value)
        return value

    statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    batch = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append([adapt(v) for v in row])
            if len(batch) == 5000:
                cursor.executemany(statement, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(statement, batch)
            count += len(batch)
    return count


def reset_sequences():
    """Rows were written with explicit ids; move the id sequences past them so the app can insert."""
    from django.core.management.color import no_style
    from django.db import connection

    from kring.cases.models import Case, CaseTeamMember, Consent, Person

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Case, Person, CaseTeamMember, Consent]):
            cursor.execute(statement)


def analyze():
    """Fresh statistics, and the fill's dirty pages written now rather than by a checkpoint while we measure."""
    from django.db import connection
    from django.db.utils import DatabaseError

    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("ANALYZE")
            return
        cursor.execute("VACUUM ANALYZE")
        try:
            cursor.execute("CHECKPOINT")  # needs superuser or pg_checkpoint; without it figures are noisier
        except DatabaseError as error:
            log(f"CHECKPOINT not allowed ({error}); a checkpoint may run during the measurement.")


# --- The data ---------------------------------------------------------------------------------------------

FIRST_NAMES = (
    "Emma Noah Liam Olivia Louise Lucas Mila Finn Julia Daan Sara Sem Tess Levi Zoë Milan Anna Adam Nora Luuk "
    "Lotte Mats Fien Arthur Lore Jules Elise Lars Marie Victor Amira Youssef Fatima Mohamed Ilyas Noor Yasmine "
    "Sofie Kobe Jana Wout Lien Thijs Femke Bram Eline Jesse Sanne Ruben Inge Koen Els Marc An Bart Hilde Peter "
    "Ingrid Jan Kristel Dirk Linda Geert Karin Tom Saskia Erik Mireille Joost Anouk René Céline Hüseyin Ayşe "
    "Oumaima Ibrahim Wiktoria Piotr Gülsüm Stijn Annelies Pieter Margriet Henk Truus Wim Rianne Dries Ilse"
).split()

# Roughly by frequency, most common first; weights fall off like Zipf so the head is common, the tail less so.
COMMON_SURNAMES = [
    "Peeters",
    "de Jong",
    "Janssens",
    "Jansen",
    "Maes",
    "de Vries",
    "Jacobs",
    "van den Berg",
    "Mertens",
    "van Dijk",
    "Willems",
    "Bakker",
    "Claes",
    "Visser",
    "Goossens",
    "Smit",
    "Wouters",
    "Meijer",
    "De Smet",
    "de Boer",
    "Dubois",
    "Mulder",
    "Vermeulen",
    "de Groot",
    "Van Damme",
    "Bos",
    "Hermans",
    "Vos",
    "Aerts",
    "Hendriks",
    "Michiels",
    "van Leeuwen",
    "Lemmens",
    "Dekker",
    "Stevens",
    "Brouwer",
    "Segers",
    "de Wit",
    "Desmet",
    "Dijkstra",
    "De Clercq",
    "Smits",
    "Verstraete",
    "de Graaf",
    "Martens",
    "van der Meer",
    "Lambrechts",
    "van der Linden",
    "Coppens",
    "Kok",
    "Vandenberghe",
    "de Haan",
    "Leclercq",
    "van den Heuvel",
    "Hoekstra",
    "Verhoeven",
    "van der Veen",
    "Cools",
    "Huisman",
    "Van Acker",
    "Özdemir",
    "Yılmaz",
    "El Amrani",
    "Bakkali",
    "Nowak",
    "Sénéchal",
    "Kowalski",
    "Boukhari",
    "Demir",
    "Şahin",
]
SURNAME_WEIGHTS = [1 / (rank + 1) ** 0.8 for rank in range(len(COMMON_SURNAMES))]
HEAD_SHARE = 0.2  # of persons with a surname from the list above: 'Peeters' is then about 2.7% of everyone
# The long tail: a few hundred place-name surnames ('van den Broeck', 'Verhoeven' is in the head already).
TAIL_SURNAMES = [
    f"{prefix} {stem}"
    for prefix in ("van", "van de", "van den", "van der", "de", "ten", "ter", "op de", "Vanden")
    for stem in (
        "Velde",
        "Broeck",
        "Bossche",
        "Wiele",
        "Kerckhove",
        "Poel",
        "Heuvel",
        "Berg",
        "Linden",
        "Steen",
        "Meulen",
        "Brink",
        "Hoeven",
        "Akker",
        "Kamp",
        "Beek",
        "Weyer",
        "Walle",
        "Putte",
        "Eynde",
        "Bulcke",
        "Driessche",
        "Abeele",
        "Hove",
        "Moortel",
        "Zande",
        "Leemput",
        "Voorde",
        "Heede",
        "Rijn",
    )
]
# Rare surnames: together one person in a thousand, so each is found a few dozen times among a million.
RARE_SURNAMES = [
    RARE_SURNAME,
    "Vanhoutteghem",
    "Haesendonck",
    "Wijnschenk",
    "Zwanenburg",
    "Oosthoek",
    "Tjaden",
    "Vercruysse",
    "Ghijsels",
    "Plasschaert",
    "Sneyers",
    "Bogaerts-Nuyts",
    "Ter Haar Romeny",
    "Vlietinck",
    "Dewaegenaere",
]
RARE_SHARE = 0.001
RELATIONS = [
    "mother",
    "father",
    "sister",
    "brother",
    "grandmother",
    "grandfather",
    "aunt",
    "uncle",
    "neighbour",
    "teacher",
    "friend of the family",
    "football coach",
    "godmother",
    "stepfather",
]
# Family members usually share the surname; the wider network does not.
FAMILY_RELATIONS = {"father", "sister", "brother", "grandfather", "uncle"}
LANGUAGES = ["Nederlands"] * 8 + ["Frans", "Arabisch", "Turks", "Pools", "Engels", "Tamazight"]
STREETS = [
    "Kerkstraat",
    "Dorpsstraat",
    "Stationsstraat",
    "Molenstraat",
    "Schoolstraat",
    "Nieuwstraat",
    "Beukenlaan",
    "Julianastraat",
    "Lindenlaan",
    "Meerweg",
]
TOWNS_NL = ["Utrecht", "Zwolle", "Amersfoort", "Deventer", "Arnhem", "Apeldoorn", "Ede", "Zeist"]
TOWNS_VL = ["Gent", "Leuven", "Mechelen", "Aalst", "Brugge", "Kortrijk", "Hasselt", "Genk"]
CONTEXTS = {
    "NL": ["nl_voluntary"] * 5
    + [
        "nl_preventive",
        "nl_supervision",
        "nl_provisional_supervision",
        "nl_juvenile_probation",
        "nl_guardianship",
        "nl_closed_care",
    ],
    "VL": ["vl_voluntary"] * 5 + ["vl_socially_urgent", "vl_judicial"],
}
CLOSURE_REASONS = ["goals_reached", "plan_in_place", "family_withdrew", "referred_elsewhere", "moved", "other"]
ROUTES = ["professional", "family", "school", "hospital", "gp", "police", "other"]
SAFETY = ["none", "some", "some", "serious", "acute"]
PURPOSES = ["contact_network", "share_with_network", "share_with_professionals", "share_plan"]

CASE_COLUMNS = [
    "id",
    "organisation_id",
    "team_id",
    "number",
    "family_name",
    "status",
    "closure_reason",
    "closed_on",
    "legal_context",
    "safety_concern",
    "central_reason",
    "referral_date",
    "referrer_name",
    "referral_route",
    "question",
    "concerns",
    "version",
    "created_at",
    "updated_at",
]
PERSON_COLUMNS = [
    "id",
    "case_id",
    "organisation_id",
    "first_name",
    "last_name",
    "search_name",
    "birth_date",
    "gender",
    "gender_description",
    "relation",
    "is_central",
    "in_household",
    "phone",
    "email",
    "address",
    "language",
    "interpreter_needed",
    "document_language",
    "contact_confidentiality",
    "confidentiality_reason",
    "version",
    "created_at",
]
MEMBER_COLUMNS = ["id", "case_id", "organisation_id", "user_id", "role", "added_at"]
CONSENT_COLUMNS = [
    "id",
    "case_id",
    "organisation_id",
    "person_id",
    "purpose",
    "given_on",
    "withdrawn_on",
    "note",
    "recorded_by_id",
    "recorded_at",
    "version",
]


@functools.cache
def name_key(first, last):
    # Person.save() fills search_name; COPY and bulk inserts skip save(), so do what it does here.
    from kring.cases.models import person_search_key

    return person_search_key(first, last)


@dataclass
class TeamInfo:
    id: int
    organisation_id: int
    jurisdiction: str
    code: str
    workers: list


@dataclass
class World:
    teams: list
    focus: TeamInfo
    worker: object
    lead: object
    next_ids: dict = field(default_factory=lambda: {"case": 1, "person": 1, "member": 1, "consent": 1})
    worker_cases: list = field(default_factory=list)
    focus_cases: list = field(default_factory=list)
    planted: dict = field(default_factory=dict)


def build_organisations():
    """Two organisations (NL and VL), TEAMS_PER_ORG teams each, a lead and WORKERS_PER_TEAM workers per team."""
    from django.contrib.auth.hashers import make_password

    from kring.accounts.models import Membership, Organisation, Role, Team, TeamMember, User

    password = make_password("bench-password-not-secret")  # hashed once: hashing per user would take minutes
    rng = random.Random(7)
    orgs = [
        Organisation.objects.create(name="Kompas Jeugdhulp", code="kom", jurisdiction="NL", region="Utrecht"),
        Organisation.objects.create(name="Kring Vlaanderen", code="krv", jurisdiction="VL", region="Gent"),
    ]
    teams, users, memberships, team_members = [], [], [], []
    for org in orgs:
        towns = TOWNS_NL if org.jurisdiction == "NL" else TOWNS_VL
        for t in range(TEAMS_PER_ORG):
            teams.append(
                Team(organisation=org, name=f"Team {towns[t % len(towns)]} {t + 1:03d}", region=towns[t % len(towns)])
            )
    Team.objects.bulk_create(teams, batch_size=500)
    teams = list(Team.objects.select_related("organisation").order_by("id"))
    plan = []
    for team in teams:
        for k in range(WORKERS_PER_TEAM + 1):
            email = f"{'lead' if k == 0 else 'worker' + str(k)}.t{team.pk}@bench.example.org"
            users.append(
                User(
                    email=email,
                    password=password,
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choices(COMMON_SURNAMES, SURNAME_WEIGHTS)[0],
                )
            )
            plan.append((team, k == 0))
    User.objects.bulk_create(users, batch_size=1000)
    users = list(User.objects.filter(email__endswith="@bench.example.org").order_by("id"))
    by_team = {}
    for user, (team, is_lead) in zip(users, plan):
        role = Role.TEAM_LEAD if is_lead else Role.CASE_WORKER
        memberships.append(Membership(user=user, organisation_id=team.organisation_id, role=role))
        team_members.append(TeamMember(team=team, user=user, is_lead=is_lead))
        by_team.setdefault(team.pk, {"lead": None, "workers": []})
        if is_lead:
            by_team[team.pk]["lead"] = user
        else:
            by_team[team.pk]["workers"].append(user)
    Membership.objects.bulk_create(memberships, batch_size=1000)
    TeamMember.objects.bulk_create(team_members, batch_size=1000)
    infos = [
        TeamInfo(
            t.pk,
            t.organisation_id,
            t.organisation.jurisdiction,
            t.organisation.code.upper(),
            [u.pk for u in by_team[t.pk]["workers"]],
        )
        for t in teams
    ]
    focus = infos[0]
    # The measured case worker works in the focus team and leads none; the measured lead leads it only.
    worker = by_team[focus.id]["workers"][0]
    lead = by_team[focus.id]["lead"]
    return World(teams=infos, focus=focus, worker=worker, lead=lead)


def random_surname(rng):
    roll = rng.random()
    if roll < RARE_SHARE:
        return rng.choice(RARE_SURNAMES)
    if roll < RARE_SHARE + HEAD_SHARE:
        return rng.choices(COMMON_SURNAMES, SURNAME_WEIGHTS)[0]
    return rng.choice(TAIL_SURNAMES)


def generate(world, rng, assignments, persons_for):
    """Rows for the given cases. assignments: (team, [(user_id, role)], surname or None) per case.

    Ids are handed out here rather than by the database, so persons and consents can point at their case.
    """
    now = datetime.datetime.now(datetime.UTC)
    today = datetime.date.today()
    case_ids, cases, persons, members, consents = [], [], [], [], []
    for index, (team, case_members, surname) in enumerate(assignments):
        case_id = world.next_ids["case"]
        world.next_ids["case"] += 1
        case_ids.append(case_id)
        org = team.organisation_id
        # A planted surname is searched for: make its case the newest, so it is on the first page of results.
        referral = today if surname else today - datetime.timedelta(days=rng.randrange(1, 5 * 365))
        surname = surname or random_surname(rng)
        roll = rng.random()
        status = "closed" if roll < 0.45 else ("active" if roll < 0.85 else "referred")
        closed_on = (
            min(today, referral + datetime.timedelta(days=rng.randrange(30, 400))) if status == "closed" else None
        )
        family = ("Familie " if team.jurisdiction == "NL" else "Gezin ") + surname
        cases.append(
            (
                case_id,
                org,
                team.id,
                f"{team.code}-{referral.year}-{case_id:06d}",
                family,
                status,
                rng.choice(CLOSURE_REASONS) if status == "closed" else "",
                closed_on,
                rng.choice(CONTEXTS[team.jurisdiction]),
                rng.choice(SAFETY),
                "Het kind staat centraal; de ouders vragen hulp.",
                referral,
                f"{rng.choice(FIRST_NAMES)} (wijkteam)",
                rng.choice(ROUTES),
                "Wij willen dat het thuis rustiger wordt en dat de kinderen weer naar school gaan.",
                "Spanningen tussen de ouders." if rng.random() < 0.5 else "",
                1,
                now,
                now,
            )
        )
        towns = TOWNS_NL if team.jurisdiction == "NL" else TOWNS_VL
        address = f"{rng.choice(STREETS)} {rng.randrange(1, 200)}, {rng.choice(towns)}"
        language = rng.choice(LANGUAGES)
        person_ids = []
        for p in range(persons_for(index)):
            person_id = world.next_ids["person"]
            world.next_ids["person"] += 1
            person_ids.append(person_id)
            if p == 0:
                relation, last, born = "", surname, today.year - rng.randrange(2, 18)
            else:
                relation = rng.choice(RELATIONS)
                last = surname if relation in FAMILY_RELATIONS or rng.random() < 0.2 else random_surname(rng)
                born = today.year - (
                    rng.randrange(2, 20) if relation in ("sister", "brother") else rng.randrange(25, 80)
                )
            first = rng.choice(FIRST_NAMES)
            household = p == 0 or relation in ("mother", "father", "sister", "brother", "stepfather")
            persons.append(
                (
                    person_id,
                    case_id,
                    org,
                    first,
                    last,
                    name_key(first, last),
                    datetime.date(born, rng.randrange(1, 13), rng.randrange(1, 29)),
                    rng.choice(("female", "male", "unknown")),
                    "",
                    relation,
                    p == 0,
                    household,
                    f"06-{rng.randrange(10**8):08d}" if p else "",
                    "",
                    address if household else "",
                    language,
                    language != "Nederlands" and rng.random() < 0.3,
                    "",  # letters and plans in the organisation's language
                    "none",  # contact details not confidential
                    "",
                    1,
                    now,
                )
            )
        for user_id, role in case_members:
            members.append((world.next_ids["member"], case_id, org, user_id, role, now))
            world.next_ids["member"] += 1
        for _ in range(rng.choice((0, 1, 1, 2))):
            given = referral + datetime.timedelta(days=rng.randrange(0, 30))
            consents.append(
                (
                    world.next_ids["consent"],
                    case_id,
                    org,
                    rng.choice(person_ids[:3]),
                    rng.choice(PURPOSES),
                    min(given, today),
                    None,
                    "",
                    case_members[0][0],
                    now,
                    1,
                )
            )
            world.next_ids["consent"] += 1
    return case_ids, (cases, persons, members, consents)


def fill(world, assignments, persons_total, seed):
    """Write the assigned cases with persons_total persons spread evenly over them."""
    from kring.cases.models import Case, CaseTeamMember, Consent, Person

    rng = random.Random(seed)
    n = len(assignments)
    base, extra = divmod(persons_total, n)
    case_ids, (cases, persons, members, consents) = generate(
        world, rng, assignments, lambda i: base + (1 if i < extra else 0)
    )
    write_rows(Case, CASE_COLUMNS, cases)
    write_rows(Person, PERSON_COLUMNS, persons)
    write_rows(CaseTeamMember, MEMBER_COLUMNS, members)
    write_rows(Consent, CONSENT_COLUMNS, consents)
    reset_sequences()
    return case_ids


def fill_in_chunks(world, assignments, persons_total, seed, chunk=10_000):
    """Generate and write in chunks so a million persons never sit in memory at once."""
    done_persons = 0
    case_ids = []
    for start in range(0, len(assignments), chunk):
        part = assignments[start : start + chunk]
        # Spread persons in proportion, so the total is exact.
        target = persons_total * (start + len(part)) // len(assignments)
        case_ids += fill(world, part, target - done_persons, seed + start)
        done_persons = target
    return case_ids


def members_for(team, rng, exclude=()):
    """A case worker, and on half the cases a coordinator, from the team's workers."""
    workers = [w for w in team.workers if w not in exclude]
    chosen = rng.sample(workers, 2)
    result = [(chosen[0], "case_worker")]
    if rng.random() < 0.5:
        result.append((chosen[1], "coordinator"))
    return result


def phase_one(world, small, persons_small):
    """The small size: the measured users' cases, and the rest spread over the other teams."""
    rng = random.Random(1)
    focus_cases = min(FOCUS_TEAM_CASES, max(2, small // 2))
    worker_cases = min(WORKER_CASES, max(2, focus_cases // 5))
    others = world.teams[1:]
    assignments = []
    for i in range(focus_cases):
        if i < worker_cases:
            members = [(world.worker.pk, "case_worker")]
            if rng.random() < 0.5:
                members.append((rng.choice(world.focus.workers[1:]), "coordinator"))
        else:
            members = members_for(world.focus, rng, exclude=(world.worker.pk,))
        # Plant the searched surnames in the measured worker's cases, so both searches find something.
        surname = {0: RARE_SURNAME, 1: COMMON_SURNAME}.get(i)
        assignments.append((world.focus, members, surname))
    for i in range(small - focus_cases):
        team = others[i % len(others)]
        assignments.append((team, members_for(team, rng), None))
    case_ids = fill_in_chunks(world, assignments, persons_small, seed=100)
    world.focus_cases = case_ids[:focus_cases]
    world.worker_cases = case_ids[:worker_cases]
    world.planted = {"rare_case": case_ids[0], "common_case": case_ids[1]}
    plant_documents(world, case_ids[0])
    plant_journal(world, case_ids[0])


DOCUMENTS_ON_A_CASE = 200  # issue 15: the goals hold with 200 documents on a case
JOURNAL_ON_A_CASE = 500  # and with a journal of 500 entries


def plant_journal(world, case_id):
    """500 journal entries on the measured worker's first case, each naming a person of the case, a tenth of them
    hidden from another and a tenth corrected, so the page meets every kind of row."""
    import datetime

    from django.utils import timezone

    from kring.cases.models import Case
    from kring.journal.models import Category, EntryHiddenFrom, EntryPerson, JournalEntry, Visibility

    case = Case.objects.get(pk=case_id)
    persons = list(case.persons.order_by("pk"))
    categories = list(Category.values)
    start = timezone.now() - datetime.timedelta(days=JOURNAL_ON_A_CASE)
    entries = JournalEntry.objects.bulk_create(
        JournalEntry(
            case=case,
            organisation_id=case.organisation_id,
            author=world.worker,
            author_name=world.worker.email,
            occurred_at=start + datetime.timedelta(days=i),
            category=categories[i % len(categories)],
            text=f"Gesprek {i + 1} met het gezin over de afspraken van deze week.",
            visibility=Visibility.FAMILY if i % 2 else Visibility.TEAM_ONLY,
        )
        for i in range(JOURNAL_ON_A_CASE)
    )
    organisation_id = case.organisation_id
    EntryPerson.objects.bulk_create(
        EntryPerson(entry=entry, person=persons[i % len(persons)], organisation_id=organisation_id)
        for i, entry in enumerate(entries)
    )
    if len(persons) > 1:
        EntryHiddenFrom.objects.bulk_create(
            EntryHiddenFrom(entry=entry, person=persons[-1], organisation_id=organisation_id) for entry in entries[::10]
        )
    JournalEntry.objects.bulk_create(
        JournalEntry(
            case=case,
            organisation_id=case.organisation_id,
            author=world.worker,
            author_name=world.worker.email,
            occurred_at=entry.occurred_at,
            category=entry.category,
            text=entry.text + " (gecorrigeerd)",
            visibility=entry.visibility,
            corrects=entry,
            correction_reason="Datum verkeerd overgenomen.",
        )
        for entry in entries[5::10]
    )


def plant_documents(world, case_id):
    """200 documents, each with a version, on the measured worker's first case (rows only: the list page reads no
    file)."""
    from kring.cases.models import Case
    from kring.documents.models import Document, DocumentVersion

    case = Case.objects.get(pk=case_id)
    person = case.persons.order_by("pk").first()
    kinds = ["court_decision", "report", "letter_received", "letter_sent", "consent_form"]
    documents = Document.objects.bulk_create(
        Document(
            case=case,
            organisation_id=case.organisation_id,
            title=f"Document {i + 1}",
            kind=kinds[i % len(kinds)],
            person=person if i % 3 == 0 else None,
            created_by=world.worker,
        )
        for i in range(DOCUMENTS_ON_A_CASE)
    )
    DocumentVersion.objects.bulk_create(
        DocumentVersion(
            document=document,
            number=number,
            filename=f"document-{document.pk}-{number}.pdf",
            content_type="application/pdf",
            size=12_345,
            sha256="0" * 64,
            file=f"bench-{document.pk}-{number}",
            uploaded_by=world.worker,
        )
        for document in documents
        for number in (1, 2)
    )


def phase_two(world, extra_cases, extra_persons):
    """Grow to the large size. New cases go to the other teams only: the measured users' cases stay the same."""
    rng = random.Random(2)
    others = world.teams[1:]
    assignments = []
    for _ in range(extra_cases):
        team = rng.choice(others)
        assignments.append((team, members_for(team, rng), None))
    fill_in_chunks(world, assignments, extra_persons, seed=10_000_000)


# --- Measuring ---------------------------------------------------------------------------------------------


def pages_for(world):
    return {
        "ping": "/ping/",
        "caseload": "/cases/",
        "detail": f"/cases/{world.planted['rare_case']}/",
        "documents (200)": f"/cases/{world.planted['rare_case']}/documents/",
        "journal (500)": f"/cases/{world.planted['rare_case']}/journal/",
        "search common name": "/cases/?" + urlencode({"q": COMMON_SURNAME}),
        "search rare name": "/cases/?" + urlencode({"q": RARE_SURNAME}),
        "search rare name, other spelling": "/cases/?" + urlencode({"q": RARE_SPELLING}),
    }


TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.I)


def measure(world, users, dbs, runs, warmup):
    """Per size, user and page: queries (one captured request) and server times (wall time of client.get()).

    Every round requests every page of every user at both sizes, so each sample has partners taken moments
    apart: /ping/ at the same size, the same page at the other size. Ratios are taken per round.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    sizes = ("small", "large")
    pages = pages_for(world)
    clients = {}
    for size in sizes:
        dbs.use(size)
        for user_key, user in users.items():
            clients[(size, user_key)] = Client()
            clients[(size, user_key)].force_login(user)
    targets = {size: [(user_key, name, url) for user_key in users for name, url in pages.items()] for size in sizes}
    results = {}
    for size in sizes:
        dbs.use(size)
        for user_key, name, url in targets[size]:
            client = clients[(size, user_key)]
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{size}: {user_key} {url}: HTTP {response.status_code}")
            if name.startswith("search"):
                # The planted case must be found, or the search measured nothing.
                planted = world.planted["rare_case" if "rare" in name else "common_case"]
                if f"/cases/{planted}/" not in response.content.decode():
                    raise SystemExit(f"{size}: {user_key} {url}: the planted case {planted} was not found")
            # Every round trip counts, BEGIN and COMMIT too: that is what CaptureQueriesContext sees.
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            sql = [q["sql"] for q in ctx.captured_queries]
            results[(size, user_key, name)] = {
                "url": url,
                "queries": len(sql),
                "sql": sql,
                "samples": [],
                "statements": sum(1 for q in sql if not TRANSACTION_CONTROL.match(q)),
            }
    for _ in range(warmup):
        for size in sizes:
            dbs.use(size)
            for user_key, _name, url in targets[size]:
                clients[(size, user_key)].get(url)
    # What the fill left behind is not the pages' garbage to collect.
    gc.collect()
    gc.freeze()
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    for round_ in range(runs):
        for size in sizes if round_ % 2 == 0 else sizes[::-1]:
            dbs.use(size)
            for user_key, name, url in targets[size]:
                client = clients[(size, user_key)]
                started = time.perf_counter()
                client.get(url)
                results[(size, user_key, name)]["samples"].append((time.perf_counter() - started) * 1000)
    gc.unfreeze()
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    dbs.use("large")
    for result in results.values():
        ordered = sorted(result["samples"])
        result.update(ms=statistics.median(ordered), ms_p90=ordered[int(0.9 * (len(ordered) - 1))])
    return results, {"load_before": load_before, "load_after": load_after, "cpus": os.cpu_count()}


def explain(sql):
    """EXPLAIN ANALYZE one statement on PostgreSQL: (plan lines, execution ms)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [row[0] for row in cursor.fetchall()]
    match = re.search(r"Execution Time: ([\d.]+) ms", lines[-1])
    return lines, float(match.group(1)) if match else None


def bound_sql(queryset):
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        statement = cursor.mogrify(sql, params)
    return statement.decode() if isinstance(statement, bytes) else statement


def name_search_check(results):
    """The name lookup alone, over all persons: does it use the trigram index, and how long does it take."""
    from django.db import connection

    from kring.cases.models import Person, person_name_condition

    rare, common, variant = (person_name_condition(name) for name in (RARE_SURNAME, COMMON_SURNAME, RARE_SPELLING))
    out = {
        "vendor": connection.vendor,
        "matches": {
            RARE_SURNAME: Person.objects.filter(rare).count(),
            COMMON_SURNAME: Person.objects.filter(common).count(),
            RARE_SPELLING: Person.objects.filter(variant).count(),
        },
    }
    if connection.vendor != "postgresql":
        out["note"] = "no trigram index on this database; the name lookup is judged on PostgreSQL only"
        return out
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_relation_size('cases_person_search_name_trgm'), pg_relation_size('cases_person'),"
            " current_setting('shared_buffers')"
        )
        index_bytes, table_bytes, shared_buffers = cursor.fetchone()
    out["persons"] = Person.objects.count()
    out["index"] = {
        "name": "cases_person_search_name_trgm",
        "mb": round(index_bytes / 2**20, 1),
        "table_mb": round(table_bytes / 2**20, 1),
        "shared_buffers": shared_buffers,
    }
    lookups = {
        # Every person with a rare name: what a search for one specific family looks like.
        f"all persons named '{RARE_SURNAME}'": Person.objects.filter(rare).values_list("id", "case_id"),
        # The same persons, typed as the name is also spelled: one LIKE per form, both from the index.
        f"all persons found by '{RARE_SPELLING}'": Person.objects.filter(variant).values_list("id", "case_id"),
        # A first page for a common name: a search must not read all its matches to show some.
        f"first 25 persons named '{COMMON_SURNAME}'": Person.objects.filter(common)
        .order_by()
        .values_list("id", "case_id")[:25],
    }
    out["lookups"] = {}
    for label, queryset in lookups.items():
        statement = bound_sql(queryset)
        plan, ms = explain(statement)
        out["lookups"][label] = {
            "sql": statement,
            "ms": ms,
            "uses_trigram_index": "_trgm" in "\n".join(plan),
            "plan": plan,
        }
    # The search pages' own case queries, as the page ran them: the slowest one of each, explained.
    out["page_queries"] = {}
    for (size, user_key, page), result in results.items():
        if size != "large" or not page.startswith("search"):
            continue
        timed = []
        for statement in result["sql"]:
            if statement.lstrip().upper().startswith("SELECT") and '"cases_case"' in statement:
                plan, ms = explain(statement)
                timed.append((ms or 0, statement, plan))
        if timed:
            ms, statement, plan = max(timed, key=lambda t: t[0])
            out["page_queries"][f"{user_key} / {page}"] = {"ms": ms, "sql": statement, "plan": plan}
    return out


# --- Report ------------------------------------------------------------------------------------------------


def fmt_n(n):
    return f"{n:,}"


def paired_median(numerators, denominators):
    """The median of per-round ratios: each sample divided by its partner from the same round."""
    return statistics.median(a / b for a, b in zip(numerators, denominators))


def judge(results, users, pages, search, vendor):
    """One row per user and page, with the goals judged; and the failures per goal."""
    rows, failures = [], {"queries": [], "growth": [], "vs_ping": [], "name_search": []}
    for user_key in users:
        for page in pages:
            small, large = results[("small", user_key, page)], results[("large", user_key, page)]
            ping_small, ping_large = results[("small", user_key, "ping")], results[("large", user_key, "ping")]
            vs_ping_small = paired_median(small["samples"], ping_small["samples"])
            vs_ping_large = paired_median(large["samples"], ping_large["samples"])
            growth = paired_median(large["samples"], small["samples"])
            row = {
                "user": user_key,
                "page": page,
                "url": large["url"],
                "queries_small": small["queries"],
                "queries_large": large["queries"],
                "statements_small": small["statements"],
                "statements_large": large["statements"],
                "ms_small": round(small["ms"], 2),
                "ms_large": round(large["ms"], 2),
                "ms_p90_small": round(small["ms_p90"], 2),
                "ms_p90_large": round(large["ms_p90"], 2),
                "vs_ping_small": round(vs_ping_small, 2),
                "vs_ping_large": round(vs_ping_large, 2),
                "growth": round(growth, 3),
                "growth_of_ping_ratios": round(vs_ping_large / vs_ping_small, 3),
                "queries_ok": max(small["queries"], large["queries"]) <= MAX_QUERIES,
                "growth_ok": growth <= MAX_GROWTH,
                "vs_ping_ok": max(vs_ping_small, vs_ping_large) <= MAX_VS_PING,
            }
            rows.append(row)
            for goal in ("queries", "growth", "vs_ping"):
                if not row[f"{goal}_ok"]:
                    failures[goal].append(f"{user_key} {page}")
    if vendor == "postgresql":
        index_judged = search["persons"] >= INDEX_JUDGED_FROM_PERSONS
        for label, lookup in search["lookups"].items():
            index_ok = lookup["uses_trigram_index"] or "first 25" in label or not index_judged
            if not index_ok or lookup["ms"] > SEARCH_INTERACTIVE_MS:
                failures["name_search"].append(label)
    return rows, failures


def report(args, sizes, rows, failures, results, search, fill_seconds, vendor, load):
    s, large = fmt_n(sizes["small_cases"]), fmt_n(sizes["large_cases"])
    header = [
        "user",
        "page",
        f"q@{s}",
        f"q@{large}",
        f"ms@{s}",
        f"ms@{large}",
        f"×ping@{s}",
        f"×ping@{large}",
        f"{large}/{s}",
        "queries",
        "growth",
        "vs ping",
    ]
    ok = lambda flag: "PASS" if flag else "FAIL"  # noqa: E731
    table = [header] + [
        [
            r["user"],
            r["page"],
            str(r["queries_small"]),
            str(r["queries_large"]),
            f"{r['ms_small']:.1f}",
            f"{r['ms_large']:.1f}",
            f"{r['vs_ping_small']:.2f}",
            f"{r['vs_ping_large']:.2f}",
            f"{r['growth']:.2f}",
            ok(r["queries_ok"]),
            ok(r["growth_ok"]),
            ok(r["vs_ping_ok"]),
        ]
        for r in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    print()
    print(
        f"Foundation pages on {vendor}: {s} and {large} cases ({fmt_n(sizes['small_persons'])} and "
        f"{fmt_n(sizes['large_persons'])} persons), both sizes measured in one interleaved loop; "
        f"median of {args.runs} requests per page after {args.warmup} warm-up rounds."
    )
    print(
        f"Goals: ≤{MAX_QUERIES} queries per page at both sizes (BEGIN/COMMIT included); {large}/{s} ≤{MAX_GROWTH}; "
        f"every page ≤{MAX_VS_PING:g}× /ping/ at both sizes. Ratios are medians of per-round ratios."
    )
    for i, line in enumerate(table):
        print("  ".join(cell.ljust(widths[j]) if j < 2 else cell.rjust(widths[j]) for j, cell in enumerate(line)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print()
    if load["load_before"] is not None:
        busy = max(load["load_before"], load["load_after"]) > load["cpus"]
        print(
            f"Load average while measuring: {load['load_before']:.2f} → {load['load_after']:.2f} on "
            f"{load['cpus']} CPUs" + ("  (the machine was busy: times are noisier)" if busy else "")
        )
    print(
        f"Name search over {fmt_n(sizes['large_persons'])} persons: "
        + ", ".join(f"'{name}' matches {fmt_n(n)}" for name, n in search["matches"].items())
        + "."
    )
    if vendor == "postgresql":
        index = search["index"]
        print(
            f"  trigram index {index['name']}: {index['mb']} MB (table {index['table_mb']} MB, "
            f"shared_buffers {index['shared_buffers']})"
        )
        if search["persons"] < INDEX_JUDGED_FROM_PERSONS:
            print(f"  (index use is judged from {fmt_n(INDEX_JUDGED_FROM_PERSONS)} persons; this table is smaller)")
        for label, lookup in search["lookups"].items():
            print(
                f"  {label}: {lookup['ms']:.2f} ms, trigram index "
                f"{'used' if lookup['uses_trigram_index'] else 'not used'} (goal ≤{SEARCH_INTERACTIVE_MS:.0f} ms)"
            )
            for line in lookup["plan"]:
                if not line.lstrip().startswith(("Buffers", "Planning:")):
                    print(f"      {line}")
        for label, q in search["page_queries"].items():
            print(f"  slowest case query of the page {label}: {q['ms']:.2f} ms")
    else:
        print(f"  {search['note']}")
    print()
    print(
        f"Fill: {fill_seconds['small']:.0f} s to the small size, {fill_seconds['large']:.0f} s more to the large size."
    )
    for goal, labels in failures.items():
        print(f"{goal:12} {'PASS' if not labels else 'FAIL: ' + ', '.join(labels)}")

    args.output.parent.mkdir(parents=True, exist_ok=True)
    if args.output.parent == RESULTS.parent and not (RESULTS.parent / ".gitignore").exists():
        (RESULTS.parent / ".gitignore").write_text("*.json\n")
    payload = {
        "benchmark": "foundation_pages",
        "vendor": vendor,
        "at": datetime.datetime.now().isoformat(timespec="seconds"),
        "sizes": sizes,
        "runs": args.runs,
        "warmup": args.warmup,
        "fill_seconds": fill_seconds,
        "load": load,
        "goals": {
            "max_queries": MAX_QUERIES,
            "max_growth": MAX_GROWTH,
            "max_vs_ping": MAX_VS_PING,
            "search_interactive_ms": SEARCH_INTERACTIVE_MS,
        },
        "pages": rows,
        "name_search": search,
        "failures": failures,
        "requests": {f"{size} / {user} / {page}": result for (size, user, page), result in results.items()},
    }
    args.output.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    print(f"Written to {args.output}")


def main():
    args = parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    dbs = Databases(url)
    dbs.recreate()
    if dbs.vendor == "sqlite" and args.cases > 10_000:
        log("Note: SQLite has no trigram index; the full size is meant for PostgreSQL.")
    setup_django(url)

    small_persons = args.persons * args.small // args.cases
    sizes = {
        "small_cases": args.small,
        "small_persons": small_persons,
        "large_cases": args.cases,
        "large_persons": args.persons,
    }
    started = time.perf_counter()
    log("Organisations, teams and users ...")
    world = build_organisations()
    log(f"Filling to {fmt_n(args.small)} cases, {fmt_n(small_persons)} persons ...")
    phase_one(world, args.small, small_persons)
    analyze()
    dbs.copy_to_small()
    fill_seconds = {"small": round(time.perf_counter() - started, 1)}

    started = time.perf_counter()
    log(f"Growing to {fmt_n(args.cases)} cases, {fmt_n(args.persons)} persons (the small size is kept in a copy) ...")
    phase_two(world, args.cases - args.small, args.persons - small_persons)
    log("VACUUM ANALYZE ...")
    analyze()
    fill_seconds["large"] = round(time.perf_counter() - started, 1)

    dbs.open()
    users = {"case worker": world.worker, "team lead": world.lead}
    log(f"Measuring {fmt_n(args.small)} and {fmt_n(args.cases)} cases, interleaved ...")
    results, load = measure(world, users, dbs, args.runs, args.warmup)
    dbs.use("large")
    search = name_search_check(results)

    rows, failures = judge(results, users, pages_for(world), search, dbs.vendor)
    report(args, sizes, rows, failures, results, search, fill_seconds, dbs.vendor, load)
    failed = bool(failures["queries"])
    if args.strict:
        failed = failed or any(failures.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
