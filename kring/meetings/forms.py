"""Forms of the meeting pages. They parse and show input; the services decide and validate again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kring.cases.forms import VersionedForm

from .choices import InvitationRole, PartKind
from .models import InformationContribution, Invitation, Meeting

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def datetime_field(label, required=True):
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class MeetingForm(VersionedForm):
    starts_at = datetime_field(_("starts at"))
    ends_at = datetime_field(_("ends at"))

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "starts_at",
            "ends_at",
            "place",
            "language",
            "interpreter_needed",
            "interpreter_language",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class CancelForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    cancel_reason = forms.CharField(label=_("reason for cancelling"), max_length=300)


class PartForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("part"), choices=PartKind.choices)
    label = forms.CharField(label=_("own name"), max_length=120, required=False)
    private = forms.BooleanField(
        label=_("private: only the family and its network"),
        required=False,
    )


class InvitationForm(VersionedForm):
    class Meta:
        model = Invitation
        fields = [
            "role",
            "answer",
            "mode",
            "represented_by_person",
            "represented_by_name",
            "preparation_contact_on",
            "preparation_note",
        ]
        widgets = {"preparation_contact_on": DATE, "preparation_note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["represented_by_person"].queryset = case.persons.exclude(pk=self.instance.person_id)


class ContributionForm(forms.ModelForm):
    author_user = forms.ChoiceField(label=_("author (case team)"), required=False)

    class Meta:
        model = InformationContribution
        # author_user is a plain choice of the case team, converted in values(); not a model field here.
        fields = ["author_name", "author_organisation", "text", "shared_with_all", "shared_on"]
        widgets = {"shared_on": DATE, "text": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author_user"].choices = [("", "—")] + [(m.user_id, str(m.user)) for m in team]
        self.order_fields(["author_user"])

    def clean(self):
        cleaned = super().clean()
        # The model's own check (an author is named) needs the chosen user; the service checks the team.
        self.instance.author_user_id = int(cleaned["author_user"]) if cleaned.get("author_user") else None
        return cleaned

    def values(self):
        data = dict(self.cleaned_data)
        data["author_user"] = int(data["author_user"]) if data.get("author_user") else None
        return data


class ShareForm(forms.Form):
    shared_on = forms.DateField(label=_("shared on"), widget=DATE)


ROLE_CHOICES = InvitationRole.choices


class AttendanceGridForm(forms.Form):
    """The attendance grid as posted. Its boxes and times follow the meeting's parts and attendees, so the page
    reads them from the post by name and the service checks them; this form only carries the save, and every
    refusal is shown above the grid."""

    def refusals(self) -> list[str]:
        return [str(message) for message in self.non_field_errors()]


class LetterConfirmForm(forms.Form):
    """The reason to make a letter for a person kept from someone invited too (decision 201)."""

    reason = forms.CharField(label=_("Why nonetheless"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
