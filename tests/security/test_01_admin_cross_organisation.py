"""Review item 1: a functional administrator of one organisation must not control users of another.

A person who holds a role (active or not) at an organisation the administrator does not administer may be changed
only by a superuser: account, password, roles, team places and API tokens. The administrator still sees them in
the user list, read-only. Password changes and new API tokens are written to the access log once per organisation
the person belongs to, so each of those organisations' privacy officers sees them.
"""

import pytest
from django.urls import reverse

from kring.accounts.models import Membership, Role, TeamMember, User
from kring.audit.models import AccessLogEntry
from kring.audit.queries import access_log

from ..factories import PASSWORD, enable_totp, make_user
from .admin_forms import add_inline_row, change_page_data, inline_prefix

NEW_PASSWORD = "another-long-passphrase-42"


@pytest.fixture
def dual(world):
    """The network coordinator: a coordinator at A (in A's team) and a case worker at B."""
    user = make_user(world.a.org, Role.COORDINATOR, world.a.team, email="netwerk@example.org")
    Membership.objects.create(user=user, organisation=world.b.org, role=Role.CASE_WORKER)
    return user


@pytest.fixture
def root(world):
    user = User.objects.create_superuser("root@example.org", PASSWORD)
    enable_totp(user)
    return user


def as_user(client, user):
    client.force_login(user)
    return client


def user_change(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def password_change(user):
    return reverse("admin:auth_user_password_change", args=[user.pk])


def token_add():
    return reverse("admin:accounts_apitoken_add")


def password_form(password=NEW_PASSWORD):
    return {"password1": password, "password2": password, "usable_password": "true"}


def test_a_user_with_a_role_elsewhere_is_shown_read_only(client, world, dual):
    as_user(client, world.a.administrator)
    assert dual.email in client.get(reverse("admin:accounts_user_changelist")).content.decode()
    page = client.get(user_change(dual))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="email"' not in body and 'name="is_active"' not in body
    assert "only a superuser" in body.lower() or "alleen een superuser" in body.lower()
    # No "reset password" button that would lead to a refusal.
    assert 'password/"' not in body


def test_administrator_cannot_change_the_account_of_a_user_with_a_role_elsewhere(client, world, dual, root):
    data = change_page_data(as_user(client, root).get(user_change(dual)))
    data.update(email="attacker@example.org", is_active="")
    client.logout()
    response = as_user(client, world.a.administrator).post(user_change(dual), data)
    assert response.status_code == 403
    dual.refresh_from_db()
    assert (dual.email, dual.is_active) == ("netwerk@example.org", True)


def test_administrator_cannot_give_roles_to_a_user_with_a_role_elsewhere(client, world, dual, root):
    page = as_user(client, root).get(user_change(dual))
    data = change_page_data(page)
    add_inline_row(
        data, inline_prefix(page, Membership), organisation=world.a.org.pk, role=Role.ADMINISTRATOR, active="on"
    )
    client.logout()
    assert as_user(client, world.a.administrator).post(user_change(dual), data).status_code == 403
    assert not dual.memberships.filter(role=Role.ADMINISTRATOR).exists()


def test_administrator_cannot_reset_the_password_of_a_user_with_a_role_elsewhere(client, world, dual):
    as_user(client, world.a.administrator)
    assert client.get(password_change(dual)).status_code == 403
    assert client.post(password_change(dual), password_form()).status_code == 403
    dual.refresh_from_db()
    assert dual.check_password(PASSWORD)


def test_an_inactive_role_elsewhere_protects_the_user_as_well(client, world, dual):
    Membership.objects.filter(user=dual, organisation=world.b.org).update(active=False)
    assert as_user(client, world.a.administrator).post(password_change(dual), password_form()).status_code == 403
    dual.refresh_from_db()
    assert dual.check_password(PASSWORD)


def test_administrator_cannot_issue_a_token_for_a_user_with_a_role_elsewhere(client, world, dual):
    response = as_user(client, world.a.administrator).post(token_add(), {"user": dual.pk, "label": "sync"})
    assert response.status_code == 200  # the form refuses: not a valid choice
    assert "errorlist" in response.content.decode()
    assert not dual.api_tokens.exists()


def test_administrator_cannot_move_a_user_with_a_role_elsewhere_within_the_team(client, world, dual):
    url = reverse("admin:accounts_team_change", args=[world.a.team.pk])
    page = as_user(client, world.a.administrator).get(url)
    data = change_page_data(page)
    prefix = inline_prefix(page, TeamMember)
    row = next(i for i in range(int(data[f"{prefix}-TOTAL_FORMS"])) if data.get(f"{prefix}-{i}-user") == dual.pk)
    data[f"{prefix}-{row}-is_lead"] = "on"
    response = client.post(url, data)
    assert response.status_code == 200, response.get("Location")
    assert "superuser" in response.content.decode()
    assert not TeamMember.objects.get(user=dual).is_lead


def test_administrator_cannot_delete_a_user_with_a_role_elsewhere(client, world, dual):
    as_user(client, world.a.administrator)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [dual.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert User.objects.filter(pk=dual.pk).exists()
    assert client.post(reverse("admin:accounts_user_delete", args=[dual.pk]), {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=dual.pk).exists()


def test_a_new_account_without_any_role_stays_editable(client, world):
    newcomer = make_user(email="nieuw@example.org")
    as_user(client, world.a.administrator)
    page = client.get(user_change(newcomer))
    data = change_page_data(page)
    add_inline_row(
        data, inline_prefix(page, Membership), organisation=world.a.org.pk, role=Role.CASE_WORKER, active="on"
    )
    response = client.post(user_change(newcomer), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert newcomer.memberships.filter(organisation=world.a.org, role=Role.CASE_WORKER).exists()


def test_a_user_of_the_administrators_own_organisation_stays_editable(client, world):
    as_user(client, world.a.administrator)
    assert client.post(password_change(world.a.coordinator), password_form()).status_code == 302
    world.a.coordinator.refresh_from_db()
    assert world.a.coordinator.check_password(NEW_PASSWORD)


def log_entries(record_type, user):
    return AccessLogEntry.objects.filter(record_type=record_type, record_id=str(user.pk))


def test_a_superuser_may_change_the_password_and_it_is_logged_for_every_organisation(client, world, dual, root):
    assert as_user(client, root).post(password_change(dual), password_form()).status_code == 302
    dual.refresh_from_db()
    assert dual.check_password(NEW_PASSWORD)
    entries = log_entries("user_account", dual)
    assert sorted(entries.values_list("organisation_id", flat=True)) == sorted([world.a.org.pk, world.b.org.pk])
    assert {e.user_id for e in entries} == {root.pk}
    assert access_log(world.a.privacy_officer).filter(record_type="user_account", record_id=str(dual.pk)).exists()
    assert access_log(world.b.privacy_officer).filter(record_type="user_account", record_id=str(dual.pk)).exists()


def test_a_password_change_by_an_administrator_is_in_the_log_of_the_organisation(client, world):
    as_user(client, world.a.administrator)
    client.post(password_change(world.a.coordinator), password_form())
    entries = log_entries("user_account", world.a.coordinator)
    assert list(entries.values_list("organisation_id", "user_id", "action")) == [
        (world.a.org.pk, world.a.administrator.pk, "update")
    ]
    as_user(client, world.a.privacy_officer)
    body = client.get("/access-log/").content.decode()
    assert world.a.administrator.email in body
    assert not access_log(world.b.privacy_officer).filter(record_type="user_account").exists()


def test_token_creation_is_logged_for_every_organisation_of_the_user(client, world, dual, root):
    response = as_user(client, root).post(token_add(), {"user": dual.pk, "label": "koppeling"})
    assert response.status_code == 200 and dual.api_tokens.count() == 1
    token = dual.api_tokens.get()
    entries = AccessLogEntry.objects.filter(record_type="api_token", record_id=str(token.pk), action="create")
    assert sorted(entries.values_list("organisation_id", flat=True)) == sorted([world.a.org.pk, world.b.org.pk])
    assert access_log(world.b.privacy_officer).filter(record_type="api_token").exists()


def test_token_creation_by_an_administrator_is_logged(client, world):
    as_user(client, world.a.administrator).post(token_add(), {"user": world.a.coordinator.pk, "label": "x"})
    token = world.a.coordinator.api_tokens.get()
    entry = AccessLogEntry.objects.get(record_type="api_token", record_id=str(token.pk))
    assert (entry.organisation_id, entry.user_id, entry.action) == (world.a.org.pk, world.a.administrator.pk, "create")
