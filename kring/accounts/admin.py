"""Administration of organisations, teams, users and API tokens, for functional administrators.

A functional administrator manages only their own organisation(s); superusers manage everything. Case data is
deliberately not registered here: administrators see case content only as a member of a case team.
"""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin as BaseTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from .admin_site import administered_organisation_ids
from .models import Membership, Organisation, Team, TeamMember, User


def scoped_choices(db_field, request):
    """The choices a functional administrator may pick for a foreign key: only their organisations' records."""
    model = db_field.related_model
    queryset = model._default_manager.all()
    if request.user.is_superuser:
        return queryset
    scope = administered_organisation_ids(request.user)
    if model is Organisation:
        return queryset.filter(pk__in=scope)
    if model is Team:
        return queryset.filter(organisation_id__in=scope)
    if model is User:
        return queryset.filter(memberships__organisation_id__in=scope).exclude(is_superuser=True).distinct()
    return queryset


class ScopedPermissions:
    """Whoever may enter the admin site may work here; what they see is narrowed by get_queryset and choices."""

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    has_change_permission = has_view_permission
    has_add_permission = has_view_permission
    has_delete_permission = has_view_permission

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", scoped_choices(db_field, request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class OrganisationScopedAdmin(ScopedPermissions, admin.ModelAdmin):
    """Functional administrators see and change only records of the organisations they administer."""

    organisation_path = "organisation_id"

    def _scope(self, request):
        return None if request.user.is_superuser else administered_organisation_ids(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = self._scope(request)
        if scope is None:
            return queryset
        return queryset.filter(**{f"{self.organisation_path}__in": scope}).distinct()

    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)


class ScopedInline(ScopedPermissions, admin.TabularInline):
    extra = 0
    organisation_path = "organisation_id"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.organisation_path}__in": administered_organisation_ids(request.user)})


class TeamInline(ScopedInline):
    model = Team


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    organisation_path = "id"
    list_display = ["name", "code", "jurisdiction", "region"]
    list_filter = ["jurisdiction"]
    search_fields = ["name", "code"]
    inlines = [TeamInline]

    # Only superusers found or close organisations; functional administrators keep theirs up to date.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class TeamMemberInline(ScopedInline):
    model = TeamMember
    organisation_path = "team__organisation_id"


@admin.register(Team)
class TeamAdmin(OrganisationScopedAdmin):
    list_display = ["name", "organisation", "region"]
    list_filter = ["organisation"]
    search_fields = ["name"]
    inlines = [TeamMemberInline]


class MembershipInline(ScopedInline):
    model = Membership


@admin.register(User)
class UserAdmin(OrganisationScopedAdmin, BaseUserAdmin):
    organisation_path = "memberships__organisation_id"
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active"]
    list_filter = ["is_active", "memberships__role", "memberships__organisation"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1",
                                                              "password2")}),)

    def get_queryset(self, request):
        queryset = super(OrganisationScopedAdmin, self).get_queryset(request)
        scope = self._scope(request)
        if scope is None:
            return queryset
        # New accounts have no role yet: show them so the administrator can give them one. Superusers are
        # never editable by a functional administrator (that would be a way up).
        return queryset.filter(
            Q(memberships__organisation_id__in=scope) | Q(memberships__isnull=True)
        ).exclude(is_superuser=True).distinct()

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        fieldsets = [
            (None, {"fields": ("email", "password")}),
            (_("Personal info"), {"fields": ("first_name", "last_name")}),
            (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
        ]
        if request.user.is_superuser:
            fieldsets.append((_("Permissions"), {"fields": ("is_staff", "is_superuser")}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return ["last_login", "date_joined"]


if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(OrganisationScopedAdmin, BaseTokenAdmin):
    """API tokens for integrations, issued per user by their organisation's administrator."""

    organisation_path = "user__memberships__organisation_id"

    def has_change_permission(self, request, obj=None):
        return False



