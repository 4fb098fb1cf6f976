"""The case file: a family and its question, the people in it, the case team, and consent."""

import datetime
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kring.accounts.models import Jurisdiction, Organisation, Team
from kring.core import languages as document_languages
from kring.core import name_search
from kring.core.names import NameField

from .choices import (
    LEGAL_CONTEXTS_BY_JURISDICTION,
    AuthorityKind,
    AuthoritySource,
    CaseRole,
    CaseStatus,
    ClosureReason,
    ConsentPurpose,
    ContactConfidentiality,
    Gender,
    LegalContext,
    ReferralRoute,
    SafetyConcern,
)

NAME_LENGTH = 100
LONG_TEXT_LENGTH = 5000
# A person's search key holds each word of the name plain and folded, and a last name of several words joined.
SEARCH_KEY_LENGTH = 8 * NAME_LENGTH


def search_key(text: str) -> str:
    """Lower case without accents, so 'Özdemir' is found by 'ozdemir' and 'Sénéchal' by 'senechal'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


def person_search_key(first_name: str, last_name: str) -> str:
    """What Person.save() stores in search_name (bulk inserts and migrations call it too)."""
    return name_search.search_key(first_name or "", last_name or "")[:SEARCH_KEY_LENGTH]


def person_name_condition(text: str) -> models.Q | None:
    """Persons whose name answers a search, every word typed in any order (None when no word was typed):
    one LIKE '%form%' per form, which PostgreSQL answers from the trigram index on search_name."""
    condition = None
    for forms in name_search.search_terms(text):
        any_form = models.Q()
        for form in forms:
            any_form |= models.Q(search_name__contains=form)
        condition = any_form if condition is None else condition & any_form
    return condition


class Case(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases", verbose_name=_("team"))
    number = models.CharField(_("case number"), max_length=30, editable=False)
    family_name = NameField(
        _("family"), max_length=NAME_LENGTH, help_text=_("How the case is called, e.g. 'family Peeters'.")
    )
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.REFERRED)
    closure_reason = models.CharField(_("reason for closing"), max_length=30, choices=ClosureReason.choices, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    legal_context = models.CharField(_("legal context"), max_length=40, choices=LegalContext.choices)
    safety_concern = models.CharField(_("safety concern"), max_length=10, choices=SafetyConcern.choices)
    central_reason = models.CharField(
        _("why this central person"),
        max_length=1000,
        help_text=_("Why the child, or a parent, is at the centre of this case."),
    )
    referral_date = models.DateField(_("referral date"))
    referrer_name = NameField(_("referred by"), max_length=200, blank=True)
    referral_route = models.CharField(_("referral route"), max_length=20, choices=ReferralRoute.choices)
    question = models.TextField(_("question in the family's own words"), max_length=LONG_TEXT_LENGTH)
    concerns = models.TextField(_("concerns"), max_length=LONG_TEXT_LENGTH, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "created_at"])

    class Meta:
        ordering = ["-referral_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="case_number_unique_per_org"),
        ]
        indexes = [
            # A team's caseload from one index, newest first: answers the team and organisation conditions of
            # visible_cases() and the caseload's order without reading the rest of the organisation.
            models.Index(fields=["team", "organisation", "-referral_date", "-id"], name="cases_case_team_org_recent"),
            models.Index(fields=["team", "status"]),
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["number"]),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self):
        return f"{self.number} {self.family_name}"

    def clean(self):
        errors = {}
        if self.organisation_id and self.legal_context:
            allowed = {c.value for c in LEGAL_CONTEXTS_BY_JURISDICTION[self.organisation.jurisdiction]}
            if self.legal_context not in allowed:
                errors["legal_context"] = _("This legal context does not exist in %(jurisdiction)s.") % {
                    "jurisdiction": self.organisation.get_jurisdiction_display()
                }
        if self.team_id and self.organisation_id and self.team.organisation_id != self.organisation_id:
            errors["team"] = _("The team must belong to the case's organisation.")
        if self.referral_date and self.referral_date > timezone.localdate():
            errors["referral_date"] = _("The referral date cannot be in the future.")
        if self.status == CaseStatus.CLOSED and not self.closure_reason:
            errors["closure_reason"] = _("A closed case needs a reason for closing.")
        if self.status != CaseStatus.CLOSED and self.closure_reason:
            errors["closure_reason"] = _("Only a closed case has a reason for closing.")
        if errors:
            raise ValidationError(errors)


class CaseNumberSequence(models.Model):
    """The last case number handed out per organisation and year."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="case_sequence_unique")]


class Person(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="persons")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    first_name = NameField(_("first name"), max_length=NAME_LENGTH)
    last_name = NameField(_("last name"), max_length=NAME_LENGTH, blank=True)
    # The name as a search finds it (kring.core.name_search): Meijer and Meyer, van der Berg and Berg alike.
    search_name = models.CharField(max_length=SEARCH_KEY_LENGTH, editable=False, default="")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    gender = models.CharField(
        _("sex/gender"),
        max_length=12,
        choices=Gender.choices,
        default=Gender.UNKNOWN,
        help_text=_("As the person states it."),
    )
    gender_description = models.CharField(_("in their own words"), max_length=NAME_LENGTH, blank=True)
    relation = models.CharField(
        _("relation to the central person"), max_length=NAME_LENGTH, blank=True, help_text=_("e.g. mother, uncle")
    )
    is_central = models.BooleanField(_("central person"), default=False)
    in_household = models.BooleanField(_("part of the household"), default=False)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(pgettext_lazy("home address", "address"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=60, blank=True, help_text=_("Language spoken at home."))
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    # Decision 224: letters, link pages and plans for this person in this language; empty is the organisation's.
    document_language = models.CharField(
        _("language of letters and plans"),
        max_length=5,
        choices=document_languages.choices(),
        blank=True,
        help_text=_("The language this person receives letters, link pages and plans in."),
    )
    # Decision 185: a shelter or a secret address stays within the case team (kring.cases.confidentiality).
    contact_confidentiality = models.CharField(
        _("confidential contact details"),
        max_length=10,
        choices=ContactConfidentiality.choices,
        default=ContactConfidentiality.NONE,
        help_text=_("What never leaves the case team: in letters, plans, calendar files, exports and link pages."),
    )
    confidentiality_reason = models.CharField(_("reason for confidentiality"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["created_at", "search_name"])

    class Meta:
        ordering = ["-is_central", "birth_date", "first_name"]
        indexes = [models.Index(fields=["case", "is_central"])]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def save(self, *args, **kwargs):
        self.search_name = person_search_key(self.first_name, self.last_name)
        if self.case_id and not self.organisation_id:
            self.organisation_id = self.case.organisation_id
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.birth_date and self.birth_date > today:
            errors["birth_date"] = _("The birth date cannot be in the future.")
        elif self.birth_date and self.birth_date.year < 1900:
            errors["birth_date"] = _("The birth date must be after 1900.")
        if self.gender == Gender.OTHER and not self.gender_description.strip():
            errors["gender_description"] = _("Write how the person describes themselves.")
        if self.contact_confidentiality != ContactConfidentiality.NONE and not self.confidentiality_reason.strip():
            errors["confidentiality_reason"] = _("Give the reason why the contact details are confidential.")
        if errors:
            raise ValidationError(errors)


class CaseTeamMember(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team_members")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_roles")
    role = models.CharField(_("role on this case"), max_length=20, choices=CaseRole.choices)
    added_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["added_at"])

    class Meta:
        ordering = ["role", "user__last_name"]
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_team_member_unique")]
        indexes = [models.Index(fields=["user", "case"])]
        verbose_name = _("case team member")
        verbose_name_plural = _("case team")

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


# A consent holds for a year after it was given (decision 103): then it lapses unless it is given again. The case
# workers are told before (kring.worklists.reminders.tell_lapsing_consents).
CONSENT_TERM_DAYS = 365


def consent_in_force(today: datetime.date) -> models.Q:
    """Consents in force on this day: given on or before it, within the term, not withdrawn by then."""
    return models.Q(given_on__lte=today, given_on__gt=today - datetime.timedelta(days=CONSENT_TERM_DAYS)) & ~models.Q(
        withdrawn_on__lte=today
    )


class Consent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents", verbose_name=_("given by"))
    purpose = models.CharField(_("purpose"), max_length=30, choices=ConsentPurpose.choices)
    given_on = models.DateField(_("given on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self):
        return f"{self.person} – {self.get_purpose_display()}"

    @property
    def lapses_on(self) -> datetime.date:
        return self.given_on + datetime.timedelta(days=CONSENT_TERM_DAYS)

    @property
    def is_active(self):
        today = timezone.localdate()
        if self.lapses_on <= today:
            return False
        return self.withdrawn_on is None or self.withdrawn_on > today

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.given_on and self.given_on > today:
            errors["given_on"] = _("Consent cannot be given in the future.")
        if self.withdrawn_on and self.given_on and self.withdrawn_on < self.given_on:
            errors["withdrawn_on"] = _("Consent cannot be withdrawn before it was given.")
        elif self.withdrawn_on and self.withdrawn_on > today:
            errors["withdrawn_on"] = _("The withdrawal date cannot be in the future.")
        if self.person_id and self.case_id and self.person.case_id != self.case_id:
            errors["person"] = _("This person is not part of the case.")
        if errors:
            raise ValidationError(errors)


class ParentalAuthority(models.Model):
    """Who holds parental authority ("gezag") over a child of the case, from where, from when and until when
    (decision 156). The holder is a person of the case, or, for an institution that holds the guardianship, the
    institution's name (with, optionally, the person of the case who acts for it)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="authorities")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="authorities", verbose_name=_("child"))
    kind = models.CharField(_("kind of authority"), max_length=20, choices=AuthorityKind.choices)
    holder = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="authority_held",
        null=True,
        blank=True,
        verbose_name=_("holder"),
        help_text=_("The person of the case who holds the authority, or who acts for the institution."),
    )
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=AuthoritySource.choices)
    court_reference = models.CharField(_("court reference"), max_length=100, blank=True)
    starts_on = models.DateField(_("from"))
    ended_on = models.DateField(
        _("ended on"), null=True, blank=True, help_text=_("The first day the authority no longer held.")
    )
    notes = models.CharField(_("notes"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        ordering = ["child_id", "-starts_on", "-id"]
        indexes = [models.Index(fields=["case", "child"])]
        verbose_name = _("parental authority")
        verbose_name_plural = _("parental authority")

    def __str__(self):
        return f"{self.holder_name} – {self.child}"

    @property
    def holder_name(self) -> str:
        if self.kind == AuthorityKind.INSTITUTION:
            return f"{self.institution} ({self.holder})" if self.holder_id else self.institution
        return str(self.holder) if self.holder_id else ""

    def in_force_on(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ended_on is None or day < self.ended_on)

    def clean(self):
        errors: dict[str, str] = {}
        today = timezone.localdate()
        if self.starts_on and self.starts_on > today:
            errors["starts_on"] = _("The authority cannot start in the future.")
        if self.ended_on and self.starts_on and self.ended_on <= self.starts_on:
            errors["ended_on"] = _("The authority must end after the day it started.")
        elif self.ended_on and self.ended_on > today:
            errors["ended_on"] = _("The end date cannot be in the future.")
        if self.kind == AuthorityKind.INSTITUTION:
            if not self.institution.strip():
                errors["institution"] = _("Name the institution that holds the guardianship.")
        else:
            if self.institution.strip():
                errors["institution"] = _("Only an institution holding guardianship has an institution name.")
            if not self.holder_id:
                errors["holder"] = _("Choose the person who holds the authority.")
        if self.source == AuthoritySource.COURT and not self.court_reference.strip():
            errors["court_reference"] = _("Write the reference of the court decision.")
        if self.source == AuthoritySource.OTHER and not self.notes.strip():
            errors["notes"] = _("Explain in the notes where the authority comes from.")
        if self.child_id and self.case_id and self.child.case_id != self.case_id:
            errors["child"] = _("This person is not part of the case.")
        if self.holder_id and self.case_id and self.holder.case_id != self.case_id:
            errors["holder"] = _("This person is not part of the case.")
        elif self.holder_id and self.holder_id == self.child_id:
            errors["holder"] = _("A child cannot hold authority over themselves.")
        elif self.holder_id and self.kind != AuthorityKind.INSTITUTION and self.starts_on:
            born = self.holder.birth_date
            age = _age(born, self.starts_on) if born is not None else None
            # BW 1:253ha: the juvenile court can declare a mother of 16 or 17 of age, so that she holds the
            # authority herself (decision 218); only a court decision with its reference records that.
            declared_of_age = (
                age is not None
                and age >= 16
                and self.source == AuthoritySource.COURT
                and self.case_id is not None
                and self.case.organisation.jurisdiction == Jurisdiction.NETHERLANDS
            )
            if age is not None and age < 18 and not declared_of_age:
                errors["holder"] = _(
                    "A minor cannot hold parental authority. In the Netherlands the juvenile court can declare a "
                    "mother of 16 or 17 of age (BW 1:253ha): record that as a court decision with its reference."
                )
        if errors:
            raise ValidationError(errors)


class CapabilityJudgement(models.Model):
    """The case worker's judgement whether a child is able to judge their own interests ("bekwaam") for one
    purpose of consent (decision 158). In Flanders it turns the presumption of the decree around, both ways."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="capability_judgements")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="capability_judgements", verbose_name=_("child")
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=ConsentPurpose.choices)
    capable = models.BooleanField(_("able to judge their own interests"))
    judged_on = models.DateField(_("judged on"))
    note = models.CharField(_("reasons"), max_length=1000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        ordering = ["-judged_on", "-id"]
        indexes = [models.Index(fields=["case", "child"])]
        verbose_name = _("judgement of capability")
        verbose_name_plural = _("judgements of capability")

    def __str__(self):
        return f"{self.child} – {self.get_purpose_display()}"

    def clean(self):
        errors = {}
        if self.judged_on and self.judged_on > timezone.localdate():
            errors["judged_on"] = _("A judgement cannot be dated in the future.")
        if self.child_id and self.case_id and self.child.case_id != self.case_id:
            errors["child"] = _("This person is not part of the case.")
        if not (self.note or "").strip():
            errors["note"] = _("Write why you judge so.")
        if errors:
            raise ValidationError(errors)


def _age(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class NoContact(models.Model):
    """A "no contact" mark (decision 186): nothing that locates ``person`` (address, phone, e-mail, a meeting
    at their home) reaches ``kept_from``; their name may. Both are persons of the same case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="no_contacts")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("protected person"))
    kept_from = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", verbose_name=pgettext_lazy("no contact", "kept from")
    )
    reason = models.CharField(_("reason"), max_length=500)
    since = models.DateField(_("since"), default=timezone.localdate)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        ordering = ["since", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "kept_from"], name="no_contact_once_per_pair")]
        verbose_name = _("no contact")
        verbose_name_plural = _("no contact marks")

    def __str__(self):
        return f"{self.person} / {self.kept_from}"

    def clean(self):
        errors = {}
        if not (self.reason or "").strip():
            errors["reason"] = _("Give the reason for the no contact mark.")
        if self.person_id and self.kept_from_id and self.person_id == self.kept_from_id:
            errors["kept_from"] = _("A person cannot be kept from themselves.")
        for field in ("person", "kept_from"):
            if getattr(self, f"{field}_id") and self.case_id and getattr(self, field).case_id != self.case_id:
                errors[field] = _("This person is not part of the case.")
        if self.since and self.since > timezone.localdate():
            errors["since"] = _("The date cannot be in the future.")
        if errors:
            raise ValidationError(errors)


# ---- independent coordinators (decisions 240-249) ------------------------------------------------------------


class AssignmentRequestStatus(models.TextChoices):
    OPEN = "open", _("open")
    CONFIRMED = "confirmed", _("confirmed")
    WITHDRAWN = "withdrawn", _("withdrawn")


class AssignmentRequest(models.Model):
    """A case referred to a coordinating office for an independent coordinator (decision 242).

    What the matching needs is copied from the case when the request is made (the languages of its persons, the
    region), so the office matches without reading the family's file; the family's choice among the offered
    coordinators (or no preference) is recorded here by the case worker."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignment_requests")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="assignment_requests", verbose_name=_("office")
    )
    trajectory = models.ForeignKey(
        "trajectories.Trajectory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trajectory"),
    )
    languages = models.CharField(
        _("languages"), max_length=300, blank=True, help_text=_("Separated by commas; the persons' languages.")
    )
    region = models.CharField(_("region"), max_length=120, blank=True)
    culture = models.CharField(
        _("cultural background wished"),
        max_length=200,
        blank=True,
        help_text=_("Optional: what the family wishes of the coordinator's background, in their words."),
    )
    wished_start = models.DateField(_("wished start"))
    note = models.TextField(
        _("note to the office"), blank=True, max_length=1000, help_text=_("No names: the office sees the case number.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AssignmentRequestStatus.choices, default=AssignmentRequestStatus.OPEN
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    family_choice = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the family's choice"),
    )
    family_no_preference = models.BooleanField(_("the family has no preference"), default=False)
    family_choice_on = models.DateField(_("choice made on"), null=True, blank=True)
    family_choice_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["office", "status"])]
        verbose_name = _("request for a coordinator")
        verbose_name_plural = _("requests for a coordinator")

    def __str__(self):
        return f"{self.case.number} → {self.office.code}"

    @property
    def family_has_chosen(self) -> bool:
        return self.family_no_preference or self.family_choice_id is not None


class Assignment(models.Model):
    """An independent coordinator of a coordinating office assigned to one case of another organisation
    (decision 241). While active (``starts_on`` reached, ``ends_on`` not) the coordinator sees that case, and only
    that case, with the coordinator's case role (``kring.cases.queries.scope_for``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="coordinator_assignments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")  # the case's
    office = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="coordinator_assignments", verbose_name=_("office")
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="coordinator_assignments",
        verbose_name=_("coordinator"),
    )
    request = models.OneToOneField(
        AssignmentRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="assignment"
    )
    trajectory = models.ForeignKey(
        "trajectories.Trajectory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trajectory"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(
        _("ended on"), null=True, blank=True, help_text=_("From this day on the coordinator no longer sees the case.")
    )
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(auto_now_add=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["coordinator", "starts_on"]), models.Index(fields=["office", "starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="assignment_ends_after_start",
            )
        ]
        verbose_name = _("coordinator assignment")
        verbose_name_plural = _("coordinator assignments")

    def __str__(self):
        return f"{self.case.number}: {self.coordinator}"

    def active_on(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on > day)


def assignment_active_on(day: datetime.date, prefix: str = "") -> models.Q:
    """Assignments active on this day: started, and not ended by then (``ends_on`` is the first day without)."""
    return models.Q(**{f"{prefix}starts_on__lte": day}) & (
        models.Q(**{f"{prefix}ends_on__isnull": True}) | models.Q(**{f"{prefix}ends_on__gt": day})
    )


class AssignmentTimeEntry(models.Model):
    """Hours and costs of an assignment, recorded by its coordinator, for the office's invoice (decision 246)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="time_entries")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")  # the case's
    worked_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2)
    travel_km = models.DecimalField(_("travel (km)"), max_digits=7, decimal_places=1, default=0)
    costs = models.DecimalField(
        _("other costs (euro)"), max_digits=8, decimal_places=2, default=0, help_text=_("E.g. parking, a room.")
    )
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("What the time was for; no names of the family.")
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["worked_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gte=0, travel_km__gte=0, costs__gte=0), name="time_entry_not_negative"
            )
        ]
        verbose_name = _("hours and costs")
        verbose_name_plural = _("hours and costs")

    def __str__(self):
        return f"{self.worked_on}: {self.hours}"
