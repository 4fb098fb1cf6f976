"""Review item 6: nobody gives themselves a role or a team place in the admin, and every role and team change is
in the access log where the privacy officer of the organisation reads it.
"""

import pytest
from django.urls import reverse

from kring.accounts.models import Membership, Role, Team, TeamMember, User
from kring.audit.models import RECORD_TYPE_LABELS, AccessLogEntry
from kring.audit.queries import access_log

from ..factories import PASSWORD, enable_totp
from .admin_forms import add_inline_row, change_page_data, inline_prefix


@pytest.fixture
def root(world):
    user = User.objects.create_superuser("root@example.org", PASSWORD)
    enable_totp(user)
    return user


def user_change(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def team_change(team):
    return reverse("admin:accounts_team_change", args=[team.pk])


def refused_with_a_message(response):
    assert response.status_code == 200, response.get("Location")  # the form again, with the reason
    body = response.content.decode()
    assert "yourself" in body or "uzelf" in body, body[:3000]


@pytest.mark.parametrize("role", sorted({Role.CASE_WORKER, Role.COORDINATOR, Role.TEAM_LEAD}))
def test_administrator_cannot_give_themselves_a_case_role(client, world, role):
    me = world.a.administrator
    client.force_login(me)
    page = client.get(user_change(me))
    data = change_page_data(page)
    add_inline_row(data, inline_prefix(page, Membership), organisation=world.a.org.pk, role=role, active="on")
    refused_with_a_message(client.post(user_change(me), data))
    assert not me.memberships.filter(role=role).exists()


def test_administrator_cannot_turn_an_own_role_into_a_case_role(client, world):
    me = world.a.administrator
    Membership.objects.create(user=me, organisation=world.a.org, role=Role.RESEARCHER)
    client.force_login(me)
    page = client.get(user_change(me))
    data = change_page_data(page)
    prefix = inline_prefix(page, Membership)
    row = next(i for i in range(int(data[f"{prefix}-TOTAL_FORMS"])) if data[f"{prefix}-{i}-role"] == Role.RESEARCHER)
    data[f"{prefix}-{row}-role"] = Role.TEAM_LEAD
    refused_with_a_message(client.post(user_change(me), data))
    assert not me.memberships.filter(role=Role.TEAM_LEAD).exists()


@pytest.mark.parametrize("who", ["administrator", "superuser"])
def test_nobody_makes_themselves_team_lead(client, world, root, who):
    me = world.a.administrator if who == "administrator" else root
    client.force_login(me)
    page = client.get(team_change(world.a.team))
    data = change_page_data(page)
    add_inline_row(data, inline_prefix(page, TeamMember), user=me.pk, is_lead="on")
    refused_with_a_message(client.post(team_change(world.a.team), data))
    assert not TeamMember.objects.filter(user=me).exists()


def test_administrator_cannot_promote_an_own_team_place_to_lead(client, world):
    me = world.a.administrator
    TeamMember.objects.create(team=world.a.team, user=me, is_lead=False)
    client.force_login(me)
    page = client.get(team_change(world.a.team))
    data = change_page_data(page)
    prefix = inline_prefix(page, TeamMember)
    row = next(i for i in range(int(data[f"{prefix}-TOTAL_FORMS"])) if data[f"{prefix}-{i}-user"] == me.pk)
    data[f"{prefix}-{row}-is_lead"] = "on"
    refused_with_a_message(client.post(team_change(world.a.team), data))
    assert not TeamMember.objects.get(user=me).is_lead


def test_administrator_may_still_give_a_colleague_a_case_role(client, world):
    client.force_login(world.a.administrator)
    page = client.get(user_change(world.a.researcher))
    data = change_page_data(page)
    add_inline_row(
        data, inline_prefix(page, Membership), organisation=world.a.org.pk, role=Role.CASE_WORKER, active="on"
    )
    assert client.post(user_change(world.a.researcher), data).status_code == 302
    assert world.a.researcher.memberships.filter(role=Role.CASE_WORKER).exists()


# --- Every role, team and team place change is logged ------------------------------------------------------------


def logged(record_type, action, organisation):
    return AccessLogEntry.objects.filter(record_type=record_type, action=action, organisation_id=organisation.pk)


def test_role_changes_are_logged_create_change_delete(client, world):
    client.force_login(world.a.administrator)
    colleague = world.a.researcher
    page = client.get(user_change(colleague))
    data = change_page_data(page)
    add_inline_row(
        data, inline_prefix(page, Membership), organisation=world.a.org.pk, role=Role.CASE_WORKER, active="on"
    )
    assert client.post(user_change(colleague), data).status_code == 302
    membership = colleague.memberships.get(role=Role.CASE_WORKER)
    assert logged("membership", "create", world.a.org).filter(record_id=str(membership.pk)).count() == 1

    page = client.get(user_change(colleague))
    data = change_page_data(page)
    prefix = inline_prefix(page, Membership)
    row = next(i for i in range(int(data[f"{prefix}-TOTAL_FORMS"])) if data[f"{prefix}-{i}-id"] == membership.pk)
    data[f"{prefix}-{row}-role"] = Role.COORDINATOR
    assert client.post(user_change(colleague), data).status_code == 302
    assert logged("membership", "update", world.a.org).filter(record_id=str(membership.pk)).count() == 1

    data = change_page_data(client.get(user_change(colleague)))
    data[f"{prefix}-{row}-DELETE"] = "on"
    assert client.post(user_change(colleague), data).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert logged("membership", "delete", world.a.org).filter(record_id=str(membership.pk)).count() == 1
    assert access_log(world.a.privacy_officer).filter(record_type="membership").count() == 3
    assert not access_log(world.b.privacy_officer).filter(record_type="membership").exists()


def test_team_and_team_place_changes_are_logged_also_for_superusers(client, world, root):
    client.force_login(root)
    response = client.post(
        reverse("admin:accounts_team_add"),
        {
            "organisation": world.a.org.pk,
            "name": "Team Noord",
            "region": "",
            "members-TOTAL_FORMS": 1,
            "members-INITIAL_FORMS": 0,
            "members-0-user": world.a.coordinator.pk,
            "members-0-is_lead": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    team = Team.objects.get(name="Team Noord")
    place = TeamMember.objects.get(team=team)
    assert logged("team", "create", world.a.org).filter(record_id=str(team.pk), user=root).exists()
    assert logged("team_member", "create", world.a.org).filter(record_id=str(place.pk), user=root).exists()

    page = client.get(team_change(team))
    data = change_page_data(page)
    data["members-0-is_lead"] = ""
    assert client.post(team_change(team), data).status_code == 302
    assert logged("team_member", "update", world.a.org).filter(record_id=str(place.pk)).exists()

    data = change_page_data(client.get(team_change(team)))
    data["members-0-DELETE"] = "on"
    assert client.post(team_change(team), data).status_code == 302
    assert logged("team_member", "delete", world.a.org).filter(record_id=str(place.pk)).exists()

    response = client.post(reverse("admin:accounts_team_delete", args=[team.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert logged("team", "delete", world.a.org).filter(record_id=str(team.pk)).exists()
    assert {"team", "team_member"} <= set(access_log(world.a.privacy_officer).values_list("record_type", flat=True))


def test_deleting_a_user_logs_the_roles_and_team_places_that_go_with_them(client, world):
    doomed = world.a.other_worker
    membership_ids = {str(pk) for pk in doomed.memberships.values_list("pk", flat=True)}
    place_ids = {str(pk) for pk in doomed.team_memberships.values_list("pk", flat=True)}
    client.force_login(world.a.administrator)
    response = client.post(reverse("admin:accounts_user_delete", args=[doomed.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert set(logged("membership", "delete", world.a.org).values_list("record_id", flat=True)) == membership_ids
    assert set(logged("team_member", "delete", world.a.org).values_list("record_id", flat=True)) == place_ids
    assert logged("user_account", "delete", world.a.org).filter(record_id=str(doomed.pk)).exists()


def test_the_new_record_types_have_words_for_the_privacy_officer():
    for record_type in ("membership", "team", "team_member", "user_account", "api_token"):
        assert record_type in RECORD_TYPE_LABELS
