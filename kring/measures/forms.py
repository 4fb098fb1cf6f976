"""Forms of the registration pages. They parse and show input; the services decide and validate again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kring.cases.forms import VersionedForm

from .choices import Moment, ProblemArea, Respondent
from .models import OutcomeMeasurement, Registration

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegistrationForm(VersionedForm):
    problem_areas = forms.MultipleChoiceField(
        label=_("problem areas"), choices=ProblemArea.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    refresh_snapshot = forms.BooleanField(
        label=_("take the snapshot of the children and the network again"),
        required=False,
        help_text=_("The ages and the network are counted as they were on the day of the offer."),
    )

    class Meta:
        model = Registration
        fields = [
            "problem_areas",
            "household",
            "high_conflict_divorce",
            "migration_background",
            "parent_intellectual_disability",
            "ending",
        ]

    def changes(self):
        return {name: value for name, value in self.cleaned_data.items() if name not in ("version", "refresh_snapshot")}


class OutcomeForm(VersionedForm):
    class Meta:
        model = OutcomeMeasurement
        fields = [
            "measured_on",
            "informant",
            "maltreatment_indication",
            "risk_level",
            "risk_instrument",
            "professional_care",
            "supervision_order",
            "placement",
            "returned_home",
            "without_help",
            "note",
        ]
        widgets = {"measured_on": DATE, "note": forms.Textarea(attrs={"rows": 3})}


class AdministrationForm(forms.Form):
    """One instrument filled in: who, when, and a field per item (or per total) of the instrument."""

    moment = forms.ChoiceField(label=_("moment"), choices=Moment.choices)
    respondent = forms.ChoiceField(label=_("respondent"))
    respondent_person = forms.TypedChoiceField(label=_("who answered"), required=False, coerce=int, empty_value=None)
    administered_on = forms.DateField(label=_("filled in on"), widget=DATE)

    def __init__(self, data=None, *, fields, respondents, persons, **kwargs):
        """``fields``: (name, label, help, minimum, maximum, step) per value to enter, as
        ``instrument_entry.entry_fields`` gives them."""
        super().__init__(data, **kwargs)
        self.fields["respondent"].choices = [(r.value, r.label) for r in Respondent if r.value in respondents]
        self.fields["respondent_person"].choices = [("", "—")] + [(p.pk, str(p)) for p in persons]
        self.value_names = []
        for name, label, help_text, minimum, maximum, step in fields:
            if step is None:
                field = forms.FloatField(
                    label=label,
                    required=False,
                    min_value=minimum,
                    max_value=maximum,
                    help_text=help_text,
                    localize=True,
                )
            else:
                field = forms.IntegerField(
                    label=label, required=False, min_value=minimum, max_value=maximum, help_text=help_text
                )
            self.fields[f"v_{name}"] = field
            self.value_names.append(name)

    def meta(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("moment", "respondent", "respondent_person", "administered_on")}

    def values(self) -> dict:
        return {name: self.cleaned_data.get(f"v_{name}") for name in self.value_names}

    def value_fields(self):
        return [self[f"v_{name}"] for name in self.value_names]

    def meta_fields(self):
        return [self[name] for name in ("moment", "respondent", "respondent_person", "administered_on")]


class RemoveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class QuestionnaireRequestForm(forms.Form):
    """Ask a link holder to fill in an instrument whose questions may be shown."""

    link = forms.TypedChoiceField(label=_("who (personal link)"), coerce=int)
    instrument = forms.ChoiceField(label=_("instrument"))
    moment = forms.ChoiceField(label=_("moment"), choices=Moment.choices)
    respondent = forms.ChoiceField(
        label=_("as"), choices=[(r.value, r.label) for r in Respondent if r.value != "professional"]
    )

    def __init__(self, data=None, *, links, instruments, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["link"].choices = [(link.pk, str(link.person)) for link in links]
        self.fields["instrument"].choices = instruments
