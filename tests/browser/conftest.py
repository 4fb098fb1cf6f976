"""Playwright drives the machine's own Chromium: `playwright install` cannot download browsers here.

Run these with `pytest tests/browser` (they are marked `browser`); CHROMIUM_PATH points at another Chromium.
"""

import os
import re

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    # Without these Chromium tries to reach the internet and gets refused.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "headless": browser_type_launch_args.get("headless", True),
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A laptop-sized window; the language comes from Kring's own switch, never the browser's.
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


@pytest.fixture
def page(page):
    page.set_default_timeout(15_000)
    return page


# Reported in the page's console by the init script below, besides Chromium's own "Refused to ..." messages.
_VIOLATION_PREFIX = "Content Security Policy violation:"
_WATCH_VIOLATIONS = f"""
document.addEventListener("securitypolicyviolation", (event) => {{
  console.error("{_VIOLATION_PREFIX} " + event.violatedDirective + " blocked " + (event.blockedURI || "inline")
                + " at " + event.sourceFile + ":" + event.lineNumber);
}});
"""


@pytest.fixture(autouse=True)
def csp_violations_fail_the_test(browser, monkeypatch):
    """Every browser context a test opens (the `page` fixture's or its own) reports what the
    Content-Security-Policy blocked; any such report fails the test, as a missing script or style would
    otherwise fail silently in production."""
    violations = []

    def watch(context):
        context.add_init_script(_WATCH_VIOLATIONS)
        context.on(
            "console",
            lambda message: (
                violations.append(f"console {message.type}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        context.on(
            "weberror",
            lambda error: (
                violations.append(f"page error: {error.error}")
                if "Content Security Policy" in str(error.error)
                else None
            ),
        )
        return context

    original_new_context = browser.new_context
    monkeypatch.setattr(browser, "new_context", lambda **kwargs: watch(original_new_context(**kwargs)))
    yield violations
    assert not violations, "the Content-Security-Policy blocked something:\n" + "\n".join(violations)


# The access log is append-only down to the database: triggers refuse to change or delete its rows. The live
# server needs a transactional database, which pytest-django empties with `flush` after each test; so the
# triggers step aside for that flush and are put back, exactly as they were, before any other test runs.
_AUDIT_TABLE = "audit_accesslogentry"
_SAVED_TRIGGERS = pytest.StashKey()
_BLOCKER = pytest.StashKey()


def _suspend_audit_triggers():
    """Switch the access log's triggers off; returns what `_restore_audit_triggers` needs."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {_AUDIT_TABLE} DISABLE TRIGGER USER")
            return []
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [_AUDIT_TABLE])
        saved = cursor.fetchall()
        for name, _sql in saved:
            cursor.execute(f'DROP TRIGGER "{name}"')
        return saved


def _restore_audit_triggers(saved):
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {_AUDIT_TABLE} ENABLE TRIGGER USER")
        for name, sql in saved:
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
            cursor.execute(sql)


@pytest.fixture(autouse=True)
def _flushable_access_log(request, transactional_db, django_db_blocker):
    request.node.stash[_BLOCKER] = django_db_blocker
    yield
    # Runs before transactional_db's flush (this fixture depends on it).
    request.node.stash[_SAVED_TRIGGERS] = _suspend_audit_triggers()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    # Runs after every fixture of the test has been torn down, so after the flush. After the last test the
    # test database is gone (and Django points at the real one again): nothing to put back then.
    blocker = item.stash.get(_BLOCKER, None)
    saved = item.stash.get(_SAVED_TRIGGERS, None)
    if blocker is not None and saved is not None and nextitem is not None:
        from django.db import connection

        with blocker.unblock():
            _restore_audit_triggers(saved)
            # Outside any test now: let go of the connection, or PostgreSQL cannot drop the test database.
            connection.close()


# --- Accessibility: axe-core in the page, WCAG 2.1 A and AA plus axe's best practices; a serious or critical
# violation fails the test. axe-core is injected through the DevTools protocol, which the page's
# Content-Security-Policy does not govern.
_AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
}
_FAILING_IMPACTS = {"serious", "critical"}


def accessibility_violations(page):
    """The serious and critical axe-core violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page, options=_AXE_OPTIONS).response["violations"]
    return [violation for violation in violations if violation.get("impact") in _FAILING_IMPACTS]


def _describe(violation, shown=3):
    targets = [" ".join(map(str, node.get("target", []))) for node in violation["nodes"][:shown]]
    more = len(violation["nodes"]) - shown
    return (
        f"{violation['id']} ({violation['impact']}): {violation['help']}; "
        + "; ".join(targets)
        + (f" and {more} more" if more > 0 else "")
    )


MAX_TITLE = 90


def assert_plain_title(page):
    """The page's title is short plain text naming the page (once a title held a copied section of HTML)."""
    title = page.title()
    assert 0 < len(title) <= MAX_TITLE and not re.search(r"[<>]|&\w+;|&#", title), (page.url, len(title), title)


def assert_accessible(page):
    """Fail with each serious or critical axe-core violation (its rule, impact and the first elements hit), and on
    a title that is not short plain text."""
    violations = accessibility_violations(page)
    assert not violations, f"accessibility violations on {page.url}:\n" + "\n".join(map(_describe, violations))
    assert_plain_title(page)


def enter_authenticator_code(page, secret):
    """Type the authenticator's code on the second login step and submit it. A code is good for its 30-second
    window only (allauth allows no tolerance): on a loaded machine the window can turn between reading the code and
    the server checking it, so a refused code is tried once more with a new one."""
    from playwright.sync_api import expect

    from ..factories import totp_code

    for _attempt in range(2):
        page.fill("#id_code", totp_code(secret))
        page.locator("main").get_by_role("button", name="Inloggen").click()
        try:
            expect(page).not_to_have_url(re.compile(r"/accounts/2fa/authenticate/"), timeout=10_000)
            return
        except AssertionError:
            continue
    raise AssertionError("the authenticator code was refused twice")
