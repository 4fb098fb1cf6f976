"""Who a functional administrator may manage, and the access log entries of changes made in the admin.

A person who works for two organisations is managed by a superuser only: the administrator of either
organisation could otherwise give them a password or token that opens the other organisation's files.
"""

from django.db.models import Q

from .admin_site import administered_organisation_ids
from .models import ApiToken, Membership, Organisation, Team, TeamMember, User
from .signals import admin_changed


def organisation_ids_of(user) -> set[int]:
    """Every organisation where the user holds a role (active or not) or a place in a team."""
    if user.pk is None:
        return set()
    ids = set(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
    ids.update(TeamMember.objects.filter(user=user).values_list("team__organisation_id", flat=True))
    return ids


def may_manage(admin_user, user) -> bool:
    """Superusers manage everybody; an administrator only people whose every organisation they administer.

    A new account without any role belongs to no organisation yet and stays manageable, so that an administrator
    can give it its first role.
    """
    if admin_user.is_superuser:
        return True
    if user.is_superuser:
        return False
    return organisation_ids_of(user) <= administered_organisation_ids(admin_user)


def manageable_users(admin_user):
    """The accounts of the administrator's organisations that they may manage, as a queryset."""
    users = User.objects.all()
    if admin_user.is_superuser:
        return users
    scope = administered_organisation_ids(admin_user)
    return (
        users.filter(memberships__organisation_id__in=scope)
        .exclude(is_superuser=True)
        .exclude(
            Q(memberships__in=Membership.objects.exclude(organisation_id__in=scope))
            | Q(team_memberships__in=TeamMember.objects.exclude(team__organisation_id__in=scope))
        )
        .distinct()
    )


# --- The access log -----------------------------------------------------------------------------------------------


def describe(obj):
    """(record type, organisation ids, detail) of an administered record, for its access log entries."""
    if isinstance(obj, Membership):
        return "membership", {obj.organisation_id}, f"user={obj.user.email} role={obj.role} active={obj.active}"
    if isinstance(obj, TeamMember):
        return (
            "team_member",
            {obj.team.organisation_id},
            f"user={obj.user.email} team={obj.team_id} lead={obj.is_lead}",
        )
    if isinstance(obj, Team):
        return "team", {obj.organisation_id}, f"name={obj.name}"
    if isinstance(obj, ApiToken):
        return "api_token", organisation_ids_of(obj.user), f"user={obj.user.email} key={obj.prefix}…"
    if isinstance(obj, User):
        return "user_account", organisation_ids_of(obj), f"user={obj.email}"
    if isinstance(obj, Organisation):
        return "organisation", {obj.pk}, f"code={obj.code}"
    raise TypeError(f"no access log description for {type(obj).__name__}")


def dependents(obj) -> list:
    """The administered records that go when ``obj`` is deleted, so their removal is logged too."""
    if isinstance(obj, User):
        return [
            *obj.memberships.select_related("user"),
            *obj.team_memberships.select_related("team", "user"),
            *obj.api_tokens.select_related("user"),
        ]
    if isinstance(obj, Team):
        return list(obj.members.select_related("team", "user"))
    return []


def described(obj, extra_detail=""):
    record_type, organisation_ids, detail = describe(obj)
    return record_type, obj.pk, organisation_ids, f"{detail} {extra_detail}".strip()


def log_admin_change(request, action, descriptions) -> None:
    """Tell the access log (``signals.admin_changed``) about records changed in the admin.

    ``descriptions`` are tuples from ``described`` (taken before a deletion, while the record still exists).
    """
    admin_changed.send(sender=None, request=request, action=action, descriptions=list(descriptions))
