"""Administration: functional administrators manage their own organisation, and see no case data."""

import pytest

from kring.accounts.models import ApiToken, Membership, Role, User


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.a.administrator)
    return client


def test_functional_administrator_sees_own_organisation_only(admin_client, world):
    page = admin_client.get("/admin/accounts/user/")
    assert page.status_code == 200
    body = page.content.decode()
    assert world.a.case_worker.email in body
    assert world.b.case_worker.email not in body
    teams = admin_client.get("/admin/accounts/team/").content.decode()
    assert world.a.team.name in teams and world.b.team.name not in teams


def test_functional_administrator_cannot_open_other_organisations_user(admin_client, world):
    response = admin_client.get(f"/admin/accounts/user/{world.b.case_worker.pk}/change/")
    assert response.status_code == 302  # Django admin: "does not exist", back to the index
    assert response.url == "/admin/"


def test_case_data_is_not_in_the_admin(admin_client, world):
    index = admin_client.get("/admin/").content.decode()
    assert "/admin/accounts/organisation/" in index
    assert "/admin/cases/" not in index
    assert admin_client.get("/admin/cases/case/").status_code == 404
    assert admin_client.get("/admin/audit/accesslogentry/").status_code == 404


def test_administrator_gives_a_role_only_at_own_organisation(admin_client, world):
    form = admin_client.get(f"/admin/accounts/user/{world.a.researcher.pk}/change/").content.decode()
    assert f'value="{world.a.org.pk}"' in form
    assert f'value="{world.b.org.pk}"' not in form


def test_superusers_are_out_of_reach_of_functional_administrators(admin_client, world):
    boss = User.objects.create_superuser("root@example.org", "a-long-password-1234")
    Membership.objects.create(user=boss, organisation=world.a.org, role=Role.CASE_WORKER)
    assert admin_client.get(f"/admin/accounts/user/{boss.pk}/change/").status_code == 302
    assert boss.email not in admin_client.get("/admin/accounts/user/").content.decode()


@pytest.mark.parametrize("role", ["case_worker", "lead", "researcher", "privacy_officer"])
def test_other_roles_are_sent_to_login(client, world, role):
    client.force_login(getattr(world.a, role))
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert client.get(response.url).url.startswith("/accounts/login/")


def test_administrator_issues_an_api_token_for_a_colleague(admin_client, world):
    response = admin_client.post("/admin/accounts/apitoken/add/", {"user": world.a.coordinator.pk})
    assert response.status_code == 200, response.content.decode()[:2000]  # the page that shows the key once
    assert ApiToken.objects.filter(user=world.a.coordinator).exists()
    refused = admin_client.post("/admin/accounts/apitoken/add/", {"user": world.b.coordinator.pk})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()  # not a valid choice
    assert not ApiToken.objects.filter(user=world.b.coordinator).exists()
