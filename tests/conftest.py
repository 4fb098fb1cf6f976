"""Shared fixtures: two organisations (one Dutch, one Flemish) with a user in every role."""

import os
import time
import uuid
from types import SimpleNamespace

import pytest
from django.db.backends.signals import connection_created

from kring.accounts.models import Role

from .factories import enable_totp, make_case, make_organisation, make_team, make_user


def _allow_flushing_the_access_log(sender, connection, **kwargs):
    """Django empties tables with TRUNCATE between transactional tests; the log refuses that unless allowed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET kring.allow_audit_truncate = 'on'")


connection_created.connect(_allow_flushing_the_access_log)

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def cache_of_its_own(settings):
    """Each test starts with an empty cache, so none inherits another's login failures or link tries.

    The database cache is emptied with the test's transaction; Redis (REDIS_URL set, as CI runs the suite once)
    outlives the test, so each test gets a key prefix of its own there instead of a FLUSHDB, which would also
    empty the keys of other runs sharing that Redis. The abandoned keys expire with their own timeouts.
    """
    default = settings.CACHES["default"]
    if default["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        prefix = f"{default.get('KEY_PREFIX', '')}test-{uuid.uuid4().hex}"
        settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": prefix}}


@pytest.fixture(autouse=True)
def force_login_is_a_complete_login():
    """``client.force_login`` stands for a login through the login page, both steps included: the session records
    the password and, for a user with an authenticator, the code, as allauth does. Pass ``second_factor=False``
    for a session that never entered the code (the pages and the API refuse such a session for roles that need
    two factors)."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.mfa.models import Authenticator
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None, second_factor=True):
        original(self, user, backend)
        records = [{"method": "password", "at": time.time(), "email": user.email}]
        if second_factor and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            records.append({"method": "mfa", "at": time.time(), "type": "totp"})
        session = self.session
        session[AUTHENTICATION_METHODS_SESSION_KEY] = records
        session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
        session.save()

    # A patch of its own: tests that call ``monkeypatch.undo()`` must not take this one back.
    patch = pytest.MonkeyPatch()
    patch.setattr(Client, "force_login", force_login)
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs a third of a second per user; tests create dozens of users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    """Organisation A (NL) and B (VL), each with a team, a user per role, and one case in A's team.

    a.case_worker is on the case team of a.case; a.lead leads a.team; a.other_worker works at A but is not
    on the case team; b.* mirror A at the other organisation. Administrators and privacy officers
    have an authenticator app (their roles require two-factor login).
    """
    result = {}
    for key, jurisdiction in (("a", "NL"), ("b", "VL")):
        org = make_organisation(jurisdiction, name=f"Organisatie {key.upper()}", code=f"org{key}")
        team = make_team(org, name=f"Team {key.upper()}")
        ns = SimpleNamespace(org=org, team=team)
        ns.case_worker = make_user(org, Role.CASE_WORKER, team, email=f"case_worker@{key}.example.org")
        ns.coordinator = make_user(org, Role.COORDINATOR, team, email=f"coordinator@{key}.example.org")
        ns.lead = make_user(org, Role.TEAM_LEAD, team, is_lead=True, email=f"lead@{key}.example.org")
        ns.other_worker = make_user(org, Role.CASE_WORKER, team, email=f"other_worker@{key}.example.org")
        ns.researcher = make_user(org, Role.RESEARCHER, email=f"researcher@{key}.example.org")
        ns.administrator = make_user(org, Role.ADMINISTRATOR, email=f"administrator@{key}.example.org", is_staff=True)
        ns.privacy_officer = make_user(org, Role.PRIVACY_OFFICER, email=f"privacy_officer@{key}.example.org")
        # Their roles require two-factor login; give them an authenticator so pages open.
        enable_totp(ns.administrator)
        enable_totp(ns.privacy_officer)
        ns.case = make_case(team, case_worker=ns.case_worker, persons=2)
        result[key] = ns
    return SimpleNamespace(**result)


def documents_stored_in(location) -> dict:
    """settings.STORAGES with the documents' storage (kring.documents) in ``location``."""
    from django.conf import settings

    storages = {name: dict(config) for name, config in settings.STORAGES.items()}
    storages["documents"]["OPTIONS"] = {**storages["documents"].get("OPTIONS", {}), "location": str(location)}
    return storages


@pytest.fixture(scope="session", autouse=True)
def documents_outside_var(tmp_path_factory):
    """Documents stored by any test, also by a world built once per module, go to a folder of the test run, never
    under var/. tests/documents gives each test an empty folder of its own."""
    from django.test import override_settings

    with override_settings(STORAGES=documents_stored_in(tmp_path_factory.mktemp("documents"))):
        yield


def pytest_collection_modifyitems(config, items):
    """With KRING_DATABASE_TESTS_ONLY=1 (the second database of .ci/run, decision 222) a test module none of whose
    tests reaches the database is left out: such modules (statistics, layout, definitions, house rules,
    translations) do not change with the database and already ran on the first one. A module with one database test
    runs whole, browser tests included."""
    if os.environ.get("KRING_DATABASE_TESTS_ONLY") != "1":
        return
    database_fixtures = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}
    modules_with_database = {
        item.nodeid.split("::")[0]
        for item in items
        if item.get_closest_marker("django_db") is not None
        or database_fixtures & set(getattr(item, "fixturenames", ()))
    }
    skipped = [item for item in items if item.nodeid.split("::")[0] not in modules_with_database]
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = [item for item in items if item.nodeid.split("::")[0] in modules_with_database]
