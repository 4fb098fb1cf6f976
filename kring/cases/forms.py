"""Forms of the case pages. They parse and show input; the services decide and validate again."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kring.accounts.models import CASE_ROLES, Team, User
from kring.core import languages as document_languages

from .choices import CaseRole, CaseStatus, ConsentPurpose, LegalContext, legal_context_choices
from .models import CapabilityJudgement, Case, ParentalAuthority, Person
from .services import PERSON_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionedForm(forms.ModelForm):
    """Carries the version the form was opened at, so a stale save can be detected."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Without the starting version a save could silently overwrite someone else's change.
            self.fields["version"].required = True
            if not self.is_bound:
                self.initial["version"] = self.instance.version

    def changes(self):
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class CaseForm(VersionedForm):
    class Meta:
        model = Case
        fields = [
            "family_name",
            "team",
            "legal_context",
            "safety_concern",
            "central_reason",
            "referral_date",
            "referrer_name",
            "referral_route",
            "question",
            "concerns",
            "status",
            "closure_reason",
        ]
        widgets = {
            "referral_date": DATE,
            "question": forms.Textarea(attrs={"rows": 4}),
            "concerns": forms.Textarea(attrs={"rows": 4}),
            "central_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.instance.organisation = organisation
        self.fields["team"].queryset = Team.objects.filter(organisation=organisation)
        self.fields["legal_context"].choices = [("", "---------")] + legal_context_choices(organisation.jurisdiction)


class ReferralForm(CaseForm):
    class Meta(CaseForm.Meta):
        fields = [f for f in CaseForm.Meta.fields if f not in ("status", "closure_reason")]


class PersonForm(VersionedForm):
    class Meta:
        model = Person
        fields = PERSON_FIELDS
        widgets = {"birth_date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out (by a form that does not know the mark): it stays as it was, for a new person "not confidential",
        # and an empty extra row of the referral form stays empty (decision 185).
        for name in ("contact_confidentiality", "confidentiality_reason"):
            if self.is_bound and self.add_prefix(name) not in self.data:
                self.fields[name].disabled = True
        # Decision 270: each language under its own name (as its readers write it); empty is the organisation's.
        if "document_language" in self.fields:
            self.fields["document_language"].choices = [
                ("", _("The organisation's default (Dutch)")),
                *document_languages.choices(),
            ]


# The first row is the central person and required; empty extra rows are ignored.
ReferralPersonFormSet = forms.formset_factory(PersonForm, extra=2, min_num=1, max_num=12, validate_max=True)


class TeamMemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("colleague"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("role on this case"), choices=CaseRole.choices)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        on_team = case.team_members.values_list("user_id", flat=True)
        self.fields["user"].queryset = (
            User.objects.filter(
                is_active=True,
                memberships__organisation=case.organisation,
                memberships__active=True,
                memberships__role__in=CASE_ROLES,
            )
            .exclude(pk__in=on_team)
            .distinct()
        )


class ConsentForm(forms.Form):
    """One person's consent for one or more purposes (one record per purpose). ``?purpose=...`` in the address
    ticks purposes in advance (the case page links here with the purposes the method still needs)."""

    person = forms.ModelChoiceField(label=_("given by"), queryset=Person.objects.none())
    purpose = forms.MultipleChoiceField(
        label=_("purposes"),
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick every purpose this person agreed to; each is recorded as a consent of its own."),
    )
    given_on = forms.DateField(label=_("given on"), widget=DATE)
    withdrawn_on = forms.DateField(label=_("withdrawn on"), widget=DATE, required=False)
    note = forms.CharField(label=_("note"), max_length=1000, required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = case.persons.all()

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["purposes"] = data.pop("purpose")
        return {key: value for key, value in data.items() if value not in (None, "")}


class WithdrawConsentForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("withdrawn on"), widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CaseloadFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name or case number"),
        required=False,
        max_length=100,
        error_messages={
            "max_length": _(
                "The search is too long: use at most %(limit_value)d characters (it has %(show_value)d). "
                "Nothing was searched."
            )
        },
    )
    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", _("all"))] + CaseStatus.choices)
    legal_context = forms.ChoiceField(
        label=_("legal context"), required=False, choices=[("", _("all"))] + LegalContext.choices
    )
    team = forms.ModelChoiceField(label=_("team"), required=False, queryset=Team.objects.none(), empty_label=_("all"))

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class AuthorityForm(forms.ModelForm):
    """Who holds parental authority over a child of the case (the service validates again)."""

    class Meta:
        model = ParentalAuthority
        fields = ["child", "kind", "holder", "institution", "source", "court_reference", "starts_on", "notes"]
        widgets = {"starts_on": DATE}

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = case.persons.filter(is_central=True)
        self.fields["holder"].queryset = case.persons.all()

    def _post_clean(self):
        pass  # the model's checks run in the service, on the record it builds

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class EndAuthorityForm(forms.Form):
    ended_on = forms.DateField(label=_("ended on"), widget=DATE)
    notes = forms.CharField(label=_("notes"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CapabilityForm(forms.ModelForm):
    class Meta:
        model = CapabilityJudgement
        fields = ["child", "purpose", "capable", "judged_on", "note"]
        widgets = {"judged_on": DATE}

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = case.persons.filter(is_central=True)

    def _post_clean(self):
        pass

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class NoContactForm(forms.Form):
    """A "no contact" mark between two persons of the case (decision 186)."""

    person = forms.ModelChoiceField(label=_("protected person"), queryset=Person.objects.none())
    kept_from = forms.ModelChoiceField(label=pgettext_lazy("no contact", "kept from"), queryset=Person.objects.none())
    reason = forms.CharField(label=_("reason"), max_length=500)
    since = forms.DateField(label=_("since"), widget=DATE, required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = case.persons.all()
        self.fields["kept_from"].queryset = case.persons.all()

    def service_data(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}
