"""Item 17: the personal-link throttle stops guessing from an address, not the holder of a valid link there.

A family member on the same home or school network as someone who typed wrong links must still open their own
link; the wrong secrets from that address keep getting 429 for the whole window.
"""

import pytest
from django.core.cache import cache
from django.urls import reverse

from kring.audit.models import AccessLogEntry
from kring.plans.links import services as link_services
from kring.plans.models import Agreement
from tests.meetings.conftest import mw  # noqa: F401
from tests.plans.conftest import accepted, pw  # noqa: F401  (the fixtures this test builds on)

ADDRESS = "203.0.113.77"


@pytest.fixture(autouse=True)
def clean_cache(db):
    cache.clear()
    yield
    cache.clear()


def wrong(i):
    return f"wrong-secret-{i:03d}-" + "y" * 30


def test_valid_link_works_from_a_throttled_address_while_guessing_stays_refused(accepted, client):  # noqa: F811
    p = accepted
    _link, token = link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, p.mw.oma.pk, [])
    home = reverse("plan_links:home", args=[token])
    for i in range(link_services.LINK_TRIES + 2):
        response = client.get(reverse("plan_links:home", args=[wrong(i)]), REMOTE_ADDR=ADDRESS)
        assert response.status_code == (404 if i < link_services.LINK_TRIES else 429)

    response = client.get(home, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    assert p.sleep.what in response.content.decode()
    # The holder can act too, not only look.
    confirm = reverse("plan_links:confirm", args=[token, p.sleep.pk])
    assert client.post(confirm, REMOTE_ADDR=ADDRESS).status_code == 302
    assert Agreement.objects.get(pk=p.sleep.pk).confirmed_on is not None

    # Guessing from that address is still refused, before and after the valid link was used.
    for i in range(100, 105):
        assert client.get(reverse("plan_links:home", args=[wrong(i)]), REMOTE_ADDR=ADDRESS).status_code == 429
    assert (
        AccessLogEntry.objects.filter(
            action="denied", record_type="personal_link", detail="throttled", ip_address=ADDRESS
        ).count()
        == 7
    )
    # A valid link does not reset the count: the next guess is still refused.
    client.get(home, REMOTE_ADDR=ADDRESS)
    assert client.get(reverse("plan_links:home", args=[wrong(200)]), REMOTE_ADDR=ADDRESS).status_code == 429


def test_revoked_link_from_a_throttled_address_is_throttled_like_a_guess(accepted, client):  # noqa: F811
    """Only a link that opens is let through; a revoked or expired one is a wrong try like any other."""
    p = accepted
    link, token = link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, p.mw.oma.pk, [])
    link_services.revoke_link(p.coordinator, p.case.pk, link.pk)
    for i in range(link_services.LINK_TRIES):
        client.get(reverse("plan_links:home", args=[wrong(i)]), REMOTE_ADDR=ADDRESS)
    assert client.get(reverse("plan_links:home", args=[token]), REMOTE_ADDR=ADDRESS).status_code == 429
