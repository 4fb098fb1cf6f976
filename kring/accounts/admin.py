"""Administration of organisations, teams, users and API tokens, for functional administrators.

A functional administrator manages only their own organisation(s); superusers manage everything. A person who
also works for an organisation the administrator does not administer is shown read-only: only a superuser changes
them (see admin_scope.py). Nobody gives themselves a role or a team place here. Every change to a role, team,
team place, account or token is written to the access log of the organisations it concerns. Case data is
deliberately not registered here: administrators see case content only as a member of a case team.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import api_tokens
from .admin_scope import dependents, described, log_admin_change, manageable_users, may_manage
from .admin_site import administered_organisation_ids
from .models import ApiToken, Membership, Organisation, Team, TeamMember, User

ONLY_SUPERUSER = _(
    "%(user)s also holds a role at another organisation. Only a superuser can change their account, "
    "roles, team places, password or API tokens."
)


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


class AccessLoggedAdmin:
    """Writes every create, change and delete, of the record and of its inlines, to the access log."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            log_admin_change(request, "create", [described(obj)])
        elif form.changed_data:
            log_admin_change(request, "update", [described(obj, "changed=" + ",".join(form.changed_data))])

    def save_formset(self, request, form, formset, change):
        # Records that go with a deleted inline row (a team's places) are described while they still exist.
        # Deleted rows lose their id on deletion, so they and what goes with them (a team's places) are
        # described first.
        going = [
            description
            for row in formset.deleted_forms
            if row.instance.pk
            for description in (described(row.instance), *map(described, dependents(row.instance)))
        ]
        super().save_formset(request, form, formset, change)
        if formset.new_objects:
            log_admin_change(request, "create", [described(obj) for obj in formset.new_objects])
        if formset.changed_objects:
            log_admin_change(
                request,
                "update",
                [described(obj, "changed=" + ",".join(fields)) for obj, fields in formset.changed_objects],
            )
        if going:
            log_admin_change(request, "delete", going)

    def delete_model(self, request, obj):
        going = [described(obj), *(described(dependent) for dependent in dependents(obj))]
        super().delete_model(request, obj)
        log_admin_change(request, "delete", going)

    def delete_queryset(self, request, queryset):
        objects = list(queryset)
        if not all(self.has_delete_permission(request, obj) for obj in objects):
            raise PermissionDenied
        going = [d for obj in objects for d in (described(obj), *map(described, dependents(obj)))]
        super().delete_queryset(request, queryset)
        log_admin_change(request, "delete", going)


class OrganisationScopedAdmin(AccessLoggedAdmin, ScopedPermissions, admin.ModelAdmin):
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

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request  # the rules in clean() depend on who is editing
        return formset


class TeamInline(ScopedInline):
    model = Team


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    organisation_path = "id"
    list_display = ["name", "code", "jurisdiction", "region", "is_coordinating_office"]
    list_filter = ["jurisdiction", "is_coordinating_office"]
    search_fields = ["name", "code"]
    inlines = [TeamInline]

    # Only superusers found or close organisations; functional administrators keep theirs up to date.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class TeamMemberFormSet(BaseInlineFormSet):
    """A team's places: nobody takes a place or the lead for themselves, and people who also work for another
    organisation are moved only by a superuser."""

    def clean(self):
        super().clean()
        editor = self.request.user
        errors = []
        for row in self.forms:
            deleted = row in self.deleted_forms
            if not (row.has_changed() or deleted):
                continue
            before = row.initial.get("user")
            after = None if deleted else row.cleaned_data.get("user")
            for user in {u for u in (before, after) if u is not None}:
                user = user if isinstance(user, User) else User.objects.get(pk=user)
                if not may_manage(editor, user):
                    errors.append(ValidationError(ONLY_SUPERUSER, params={"user": user}))
            if after is not None and after.pk == editor.pk:
                becomes_lead = row.cleaned_data.get("is_lead") and not row.initial.get("is_lead")
                if row.instance.pk is None or before != editor.pk or becomes_lead:
                    errors.append(
                        ValidationError(
                            _(
                                "You cannot give yourself a place in a team or make yourself its team lead. Ask another "
                                "administrator."
                            )
                        )
                    )
        if errors:
            raise ValidationError(errors)


class TeamMemberInline(ScopedInline):
    model = TeamMember
    organisation_path = "team__organisation_id"
    formset = TeamMemberFormSet


@admin.register(Team)
class TeamAdmin(OrganisationScopedAdmin):
    list_display = ["name", "organisation", "region"]
    list_filter = ["organisation"]
    search_fields = ["name"]
    inlines = [TeamMemberInline]


class MembershipFormSet(BaseInlineFormSet):
    """Roles: nobody gives themselves one (a new role, another role, another organisation, or back to active)."""

    def clean(self):
        super().clean()
        if self.instance.pk is None or self.instance.pk != self.request.user.pk:
            return
        for row in self.forms:
            if row in self.deleted_forms or not row.has_changed():
                continue
            grants = (
                row.instance.pk is None
                or {"role", "organisation"} & set(row.changed_data)
                or ("active" in row.changed_data and row.cleaned_data.get("active"))
            )
            if grants:
                raise ValidationError(_("You cannot give yourself a role. Ask another administrator."))


class MembershipInline(ScopedInline):
    model = Membership
    formset = MembershipFormSet

    # On the page of someone the editor may not manage, the roles are shown but cannot be changed.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (obj is None or may_manage(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or may_manage(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or may_manage(request.user, obj))


@admin.register(User)
class UserAdmin(OrganisationScopedAdmin, BaseUserAdmin):
    organisation_path = "memberships__organisation_id"
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active"]
    list_filter = ["is_active", "memberships__role", "memberships__organisation"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1", "password2")}),
    )

    def get_queryset(self, request):
        queryset = super(OrganisationScopedAdmin, self).get_queryset(request)
        scope = self._scope(request)
        if scope is None:
            return queryset
        # New accounts have no role yet: show them so the administrator can give them one. Superusers are
        # never editable by a functional administrator (that would be a way up). People who also work elsewhere
        # are listed (they do work here) but read-only: see has_change_permission.
        return (
            queryset.filter(Q(memberships__organisation_id__in=scope) | Q(memberships__isnull=True))
            .exclude(is_superuser=True)
            .distinct()
        )

    # The password page asks has_change_permission too, so it is covered by the same rule.
    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or may_manage(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or may_manage(request.user, obj))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        user = self.get_object(request, object_id)
        if request.method == "GET" and user is not None and not may_manage(request.user, user):
            messages.warning(request, ONLY_SUPERUSER % {"user": user})
        return super().change_view(request, object_id, form_url, extra_context)

    def user_change_password(self, request, id, form_url=""):
        before = self._password_hash(id)
        response = super().user_change_password(request, id, form_url)
        if before is not None and self._password_hash(id) != before:
            log_admin_change(request, "update", [described(User.objects.get(pk=id), "password changed")])
        return response

    @staticmethod
    def _password_hash(user_id):
        try:
            return User.objects.filter(pk=user_id).values_list("password", flat=True).first()
        except (ValueError, TypeError):
            return None

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        # The password field carries a "reset password" button; someone who may not change the person gets none.
        account_fields = ("email", "password") if may_manage(request.user, obj) else ("email",)
        fieldsets = [
            (None, {"fields": account_fields}),
            (_("Personal info"), {"fields": ("first_name", "last_name")}),
            (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
        ]
        if request.user.is_superuser:
            fieldsets.append((_("Permissions"), {"fields": ("is_staff", "is_superuser")}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return ["last_login", "date_joined"]


@admin.register(ApiToken)
class ApiTokenAdmin(OrganisationScopedAdmin):
    """API tokens for integrations, issued per user by their organisation's administrator.

    Only a digest of the key is stored: the key is shown once, on the page right after it is made. A token is
    never edited; to replace one, make a new one and delete the old.
    """

    organisation_path = "user__memberships__organisation_id"
    list_display = ["key_shown_as", "label", "user", "created_at", "created_by", "last_used_at"]
    search_fields = ["label", "prefix", "user__email"]
    fields = ["user", "label"]
    readonly_fields = ["key_shown_as", "created_at", "created_by", "last_used_at"]

    @admin.display(description=_("key"))
    def key_shown_as(self, token):
        return f"{token.prefix}…"

    def get_fields(self, request, obj=None):
        return ["user", "label"] if obj is None else ["user", "label", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["user", "label", *self.readonly_fields]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = manageable_users(request.user).exclude(is_active=False).order_by("email")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or may_manage(request.user, obj.user))

    def save_model(self, request, obj, form, change):
        key = api_tokens.new_key()
        obj.prefix, obj.digest, obj.created_by = (
            key[: api_tokens.PREFIX_LENGTH],
            api_tokens.digest_of(key),
            request.user,
        )
        request.kring_new_api_key = key
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # The key is put in this page only, never in a message (cookie or session) or anywhere else.
        response = TemplateResponse(
            request,
            "admin/accounts/apitoken/key_once.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("API token made"),
                "opts": self.opts,
                "token": obj,
                "key": request.kring_new_api_key,
            },
        )
        response["Cache-Control"] = "no-store"
        return response
