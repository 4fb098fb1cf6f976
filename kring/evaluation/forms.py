"""Forms of the evaluation pages. Choices come from what the user may see; the services and queries check again."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kring.accounts.models import Role, User
from kring.methods.catalogue import catalogue

from . import indicators, queries

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
GROUPINGS = [
    ("method", _("method")),
    ("organisation", _("organisation")),
    ("team", _("team")),
    ("region", _("region")),
    ("year", _("year of the offer")),
    ("quarter", _("quarter of the offer")),
]
MOMENTS = [("t1", _("T1: after 3 months")), ("t2", _("T2: after 6 months")), ("t3", _("T3: after 12 months"))]
CORRECTIONS = [("holm", _("Holm (a family of outcomes)")), ("fdr_bh", _("Benjamini–Hochberg (exploratory)"))]


def method_choices(language):
    definitions = sorted(catalogue().values(), key=lambda d: d.code)
    return [(d.code, d.name.en if language == "en" else d.name.nl) for d in definitions]


FILTERS = ("organisation", "date_from", "date_to")


class PeriodForm(forms.Form):
    """Which figures: the exact ones of organisations the user manages, in any period, or the suppressed ones of
    every organisation where they do research, over the whole period (``queries.choose_view``). Someone who
    manages nothing gets no filters, and one sent anyway is refused, not ignored."""

    view = forms.ChoiceField(
        label=_("figures"),
        required=False,
        choices=[
            (queries.EXACT, _("exact, of the organisations I manage")),
            (queries.SUPPRESSED_VIEW, _("small counts hidden, of the organisations where I do research")),
        ],
    )
    organisation = forms.TypedChoiceField(label=_("organisation"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label=_("offered from"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("offered until"), required=False, widget=DATE)

    def __init__(self, data=None, *, scope, **kwargs):
        super().__init__(data, **kwargs)
        self.scope = scope
        self.chosen = None
        if not (scope.exact and scope.researched):
            del self.fields["view"]
        if scope.exact:
            self.fields["organisation"].choices = [("", _("all my organisations"))] + [
                (o.pk, o.name) for o in scope.organisations if o.pk in scope.exact
            ]
        else:
            for name in FILTERS:
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_to"] < cleaned["date_from"]:
            self.add_error("date_to", _("The end of the period is before its start."))
        if "organisation" not in self.fields:
            refused = {
                queries.ORGANISATION_REFUSED if name == "organisation" else queries.PERIOD_REFUSED
                for name in FILTERS
                if self.data.get(name)
            }
            for message in sorted(refused, key=str):
                self.add_error(None, message)
        if self.errors:
            return cleaned
        chosen = cleaned.get("organisation")
        try:
            self.chosen = queries.choose_view(
                self.scope,
                organisation_ids=[chosen] if chosen else None,
                date_from=cleaned.get("date_from"),
                date_to=cleaned.get("date_to"),
                view=cleaned.get("view") or None,
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        return cleaned

    def chosen_view(self) -> "queries.ChosenView":
        """The organisations and kind of figures of a valid form."""
        return self.chosen


class IndicatorForm(PeriodForm):
    grouping = forms.ChoiceField(label=_("per"), choices=GROUPINGS, initial="method", required=False)
    field_order = ["grouping", "view", "organisation", "date_from", "date_to"]

    def clean_grouping(self):
        value = self.cleaned_data.get("grouping") or "method"
        if value not in indicators.GROUPINGS:
            raise forms.ValidationError(_("Choose one of the groupings."))
        return value


class ReportForm(PeriodForm):
    moment = forms.ChoiceField(label=_("follow-up moment"), choices=MOMENTS, initial="t1")


class CompareForm(PeriodForm):
    method = forms.ChoiceField(label=_("method"))
    comparison = forms.ChoiceField(label=_("compared with"))
    moment = forms.ChoiceField(label=_("follow-up moment"), choices=MOMENTS, initial="t1")
    field_order = ["method", "comparison", "moment", "view", "organisation", "date_from", "date_to"]

    def __init__(self, data=None, *, scope, language, **kwargs):
        super().__init__(data, scope=scope, **kwargs)
        choices = method_choices(language)
        self.fields["method"].choices = [c for c in choices if c[0] != "regular_care"]
        self.fields["comparison"].choices = [c for c in choices if c[0] == "regular_care"] + [
            c for c in choices if c[0] != "regular_care"
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("method") and cleaned.get("method") == cleaned.get("comparison"):
            self.add_error("comparison", _("Compare the method with another one."))
        return cleaned


def _names(value):
    return [part.strip() for part in (value or "").replace(";", ",").split(",") if part.strip()]


class ExtractUploadForm(forms.Form):
    """Run the same estimators on an extract made elsewhere (CSV or Parquet)."""

    file = forms.FileField(label=_("extract (CSV or Parquet)"))
    treatment = forms.CharField(label=_("treatment column (0/1)"), max_length=100)
    outcomes = forms.CharField(
        label=_("continuous outcome columns"),
        max_length=1000,
        required=False,
        help_text=_("Column names separated by commas."),
    )
    binary = forms.CharField(label=_("binary outcome columns (0/1)"), max_length=1000, required=False)
    covariates = forms.CharField(label=_("covariate columns"), max_length=2000, required=False)
    moderators = forms.CharField(label=_("moderator columns"), max_length=1000, required=False)
    correction = forms.ChoiceField(label=_("correction for multiple comparisons"), choices=CORRECTIONS)

    MAX_BYTES = 50 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return upload

    def clean(self):
        cleaned = super().clean()
        if not _names(cleaned.get("outcomes")) and not _names(cleaned.get("binary")):
            self.add_error("outcomes", _("Name at least one outcome column."))
        return cleaned

    def spec(self):
        c = self.cleaned_data
        binary = _names(c.get("binary"))
        return {
            "treatment": c["treatment"].strip(),
            "outcomes": _names(c.get("outcomes")) + binary,
            "binary": binary,
            "covariates": _names(c.get("covariates")),
            "moderators": _names(c.get("moderators")),
            "correction": c["correction"],
        }


class ExtractRequestForm(forms.Form):
    format = forms.ChoiceField(label=_("format"), choices=[("csv", "CSV"), ("parquet", "Parquet")])


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    description = forms.CharField(
        label=_("purpose"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("organisations"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    members = forms.ModelMultipleChoiceField(
        label=_("researchers"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    offered_from = forms.DateField(label=_("offers from"), required=False, widget=DATE)
    offered_until = forms.DateField(label=_("offers until"), required=False, widget=DATE)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        from kring.accounts.models import Organisation

        administered = [m.organisation_id for m in user.active_memberships() if m.role == Role.ADMINISTRATOR]
        self.fields["organisations"].queryset = Organisation.objects.filter(pk__in=administered)
        self.fields["members"].queryset = (
            User.objects.filter(
                memberships__organisation_id__in=administered,
                memberships__role=Role.RESEARCHER,
                memberships__active=True,
            )
            .distinct()
            .order_by("email")
        )
