"""Forms of the independent coordinators' pages. They parse; the services decide (decisions 240-249)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kring.accounts.models import CoordinatorProfile, Organisation

from ..forms import DATE
from ..models import AssignmentRequest

NO_PREFERENCE = "none"


class RequestForm(forms.Form):
    """Refer the case to a coordinating office; the languages and region start from what the case says."""

    office = forms.ModelChoiceField(label=_("coordinating office"), queryset=Organisation.objects.none())
    trajectory = forms.ModelChoiceField(label=_("trajectory"), queryset=None, required=False)
    languages = forms.CharField(
        label=_("languages"),
        max_length=300,
        required=False,
        help_text=_("Separated by commas; the persons' languages. Dutch is left out: every coordinator speaks it."),
    )
    region = forms.CharField(label=_("region"), max_length=120, required=False)
    culture = forms.CharField(
        label=_("cultural background wished"),
        max_length=200,
        required=False,
        help_text=_("Optional: what the family wishes of the coordinator's background, in their words."),
    )
    wished_start = forms.DateField(label=_("wished start"), widget=DATE)
    note = forms.CharField(
        label=_("note to the office"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("No names: the office sees the case number."),
    )

    def __init__(self, *args, case, offices, languages, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in offices])
        # The trajectories app comes after cases: its model is reached through the request's own field.
        trajectories = AssignmentRequest.trajectory.field.related_model
        self.fields["trajectory"].queryset = trajectories.objects.filter(case=case).order_by("-id")
        self.fields["languages"].initial = ", ".join(languages)
        self.fields["region"].initial = region
        self.fields["wished_start"].initial = timezone.localdate()

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class FamilyChoiceForm(forms.Form):
    request = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    coordinator = forms.ChoiceField(label=_("the family's choice"))
    chosen_on = forms.DateField(label=_("choice made on"), widget=DATE)

    def __init__(self, *args, request, matches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].choices = [(NO_PREFERENCE, _("no preference"))] + [
            (str(m.candidate.user_id), m.candidate.name) for m in matches
        ]
        self.fields["request"].initial = request.pk
        self.fields["version"].initial = request.version
        self.fields["chosen_on"].initial = request.family_choice_on or timezone.localdate()
        if request.family_choice_id:
            self.fields["coordinator"].initial = str(request.family_choice_id)
        self.auto_id = f"id_choice_{request.pk}_%s"

    @property
    def coordinator_id(self) -> int | None:
        value = self.cleaned_data["coordinator"]
        return None if value == NO_PREFERENCE else int(value)


class ConfirmForm(forms.Form):
    request = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    coordinator = forms.IntegerField(label=_("coordinator"), widget=forms.Select)
    starts_on = forms.DateField(label=_("starts on"), widget=DATE)

    def __init__(self, *args, request=None, matches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].widget.choices = [(m.candidate.user_id, m.candidate.name) for m in matches]
        if request is not None:
            self.fields["request"].initial = request.pk
            self.fields["version"].initial = request.version
            self.fields["starts_on"].initial = max(request.wished_start, timezone.localdate())
            if request.family_choice_id:
                self.fields["coordinator"].initial = request.family_choice_id
            self.auto_id = f"id_confirm_{request.pk}_%s"


class EndForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    ends_on = forms.DateField(label=_("ends on"), widget=DATE, required=False)


class ProfileForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    office = forms.IntegerField(widget=forms.HiddenInput)
    user = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = CoordinatorProfile
        fields = [
            "languages",
            "cultural_background",
            "regions",
            "available_from",
            "available_until",
            "max_assignments",
            "active",
        ]
        widgets = {"available_from": DATE, "available_until": DATE}

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class TimeEntryForm(forms.Form):
    assignment = forms.ChoiceField(label=_("assignment"))
    worked_on = forms.DateField(label=_("date"), widget=DATE)
    hours = forms.DecimalField(label=_("hours"), min_value=0, max_value=24, decimal_places=2, max_digits=5)
    travel_km = forms.DecimalField(
        label=_("travel (km)"), min_value=0, max_value=2000, decimal_places=1, max_digits=7, required=False
    )
    costs = forms.DecimalField(
        label=_("other costs (euro)"), min_value=0, max_value=10000, decimal_places=2, max_digits=8, required=False
    )
    note = forms.CharField(
        label=_("note"), max_length=300, required=False, help_text=_("What the time was for; no names of the family.")
    )

    def __init__(self, *args, assignments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].choices = [(str(a.pk), a.case.number) for a in assignments]
        self.fields["worked_on"].initial = timezone.localdate()

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "assignment"}
