"""Organisations, their teams, the people who work there, and the role each person has per organisation."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from kring.core.names import NameField


class Jurisdiction(models.TextChoices):
    NETHERLANDS = "NL", _("the Netherlands")
    FLANDERS = "VL", _("Flanders")


class Role(models.TextChoices):
    CASE_WORKER = "case_worker", _("case worker")
    COORDINATOR = "coordinator", _("coordinator")
    TEAM_LEAD = "team_lead", _("team lead")
    RESEARCHER = "researcher", _("researcher")
    ADMINISTRATOR = "administrator", _("functional administrator")
    PRIVACY_OFFICER = "privacy_officer", _("privacy officer")


# Roles that work with families and may therefore sit on a case team.
CASE_ROLES = frozenset({Role.CASE_WORKER, Role.COORDINATOR, Role.TEAM_LEAD})
# Roles whose accounts must use two-factor login.
TWO_FACTOR_ROLES = frozenset({Role.ADMINISTRATOR, Role.PRIVACY_OFFICER})


class Organisation(models.Model):
    name = NameField(_("name"), max_length=200, unique=True)
    code = models.SlugField(
        _("code"), max_length=20, unique=True, help_text=_("Short code used in case numbers, e.g. 'KOM'.")
    )
    jurisdiction = models.CharField(_("jurisdiction"), max_length=2, choices=Jurisdiction.choices)
    region = models.CharField(_("region"), max_length=120, blank=True)
    # Decision 240: a coordinating office (e.g. a regional Eigen Kracht office) keeps a pool of independent
    # coordinators whom other organisations' cases can be assigned to (kring.cases.assignments).
    is_coordinating_office = models.BooleanField(
        _("coordinating office"),
        default=False,
        help_text=_("Keeps a pool of independent coordinators that other organisations can request for a case."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = NameField(_("name"), max_length=120)
    region = models.CharField(_("region"), max_length=120, blank=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique_per_org")]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return f"{self.name} ({self.organisation.code})"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A staff account. Family and network members never get one (they use personal links)."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = NameField(_("first name"), max_length=150, blank=True)
    last_name = NameField(_("last name"), max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email

    def roles_in(self, organisation_id) -> set[str]:
        return {m.role for m in self.active_memberships() if m.organisation_id == organisation_id}

    def has_role(self, *roles) -> bool:
        return any(m.role in roles for m in self.active_memberships())

    def active_memberships(self):
        # Cached per request object: roles are read by several checks on one page.
        if not hasattr(self, "_active_memberships"):
            self._active_memberships = list(self.memberships.filter(active=True).select_related("organisation"))
        return self._active_memberships


class Membership(models.Model):
    """One role of one person at one organisation. A person may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role")]
        verbose_name = _("role at an organisation")
        verbose_name_plural = _("roles at organisations")

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.organisation.code}"


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="team_memberships")
    is_lead = models.BooleanField(_("team lead"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="team_member_unique")]
        indexes = [models.Index(fields=["user", "is_lead"])]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")

    def __str__(self):
        return f"{self.user} @ {self.team}"


def split_list(text: str) -> list[str]:
    """A list typed as text, split on commas and semicolons, each item trimmed, empty ones left out."""
    return [item.strip() for item in str(text or "").replace(";", ",").split(",") if item.strip()]


class CoordinatorProfile(models.Model):
    """An independent coordinator in a coordinating office's pool (decision 240): what the matching reads.

    The person is a member of the office with the coordinator role; the profile says which languages they speak,
    their cultural background (if they wish to give it), the regions they work in and when and how much they are
    available. Nothing here is a family's data."""

    office = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="coordinator_profiles", verbose_name=_("office")
    )
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="coordinator_profiles", verbose_name=_("coordinator")
    )
    languages = models.CharField(
        _("languages spoken"),
        max_length=200,
        blank=True,
        help_text=_("Separated by commas, e.g. 'Nederlands, Arabisch, Turks' or language codes such as 'ar'."),
    )
    cultural_background = models.CharField(
        _("cultural background"), max_length=200, blank=True, help_text=_("Optional, as the coordinator puts it.")
    )
    regions = models.CharField(
        _("regions"), max_length=300, blank=True, help_text=_("Separated by commas, e.g. 'Utrecht, Amersfoort'.")
    )
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    max_assignments = models.PositiveSmallIntegerField(_("assignments at once at most"), default=3)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["office", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "user"], name="coordinator_profile_unique_per_office"),
            models.CheckConstraint(
                condition=models.Q(available_until__isnull=True)
                | models.Q(available_from__isnull=True)
                | models.Q(available_until__gte=models.F("available_from")),
                name="coordinator_profile_available_in_order",
            ),
        ]
        verbose_name = _("coordinator profile")
        verbose_name_plural = _("coordinator profiles")

    def __str__(self):
        return f"{self.user} @ {self.office.code}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.available_from and self.available_until and self.available_until < self.available_from:
            raise ValidationError({"available_until": _("The end of the availability lies before its start.")})
        if self.max_assignments is not None and self.max_assignments < 1:
            raise ValidationError({"max_assignments": _("Give at least one assignment at once.")})

    @property
    def language_list(self) -> list[str]:
        return split_list(self.languages)

    @property
    def region_list(self) -> list[str]:
        return split_list(self.regions)


class ApiToken(models.Model):
    """A key for an integration to call the API as a user. Only a digest of the key is kept (see api_tokens.py).

    The key is shown once, when it is made; the prefix (its first characters, not secret) lets an administrator
    recognise which key an integration holds.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    label = models.CharField(
        _("label"), max_length=100, blank=True, help_text=_("What the key is for, e.g. the name of the integration.")
    )
    prefix = models.CharField(_("key begins with"), max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}… ({self.user})"
