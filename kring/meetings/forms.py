"""Forms of the meeting pages. They parse and show input; the services decide and validate again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kring.cases.forms import VersionedForm

from .choices import AgreedBy, InvitationRole, PartKind, Presence
from .models import InformationContribution, Invitation, Meeting, MeetingLogistics
from .validators import validate_video_link

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
    # Checked by the model's own rule only (https, one message for every other address): a form URL field would
    # add its own message and take an address without a scheme for http.
    video_link = forms.CharField(
        label=_("video meeting link"),
        max_length=500,
        required=False,
        validators=[validate_video_link],
        widget=forms.URLInput,
        help_text=_("For those who take part by video; it goes to the invitees with the place (https only)."),
    )

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
            "video_link",
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
            "not_coming_reason",
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


# ---- the preparation page (decisions 230-239) -----------------------------------------------------------------


class QuestionForm(forms.Form):
    """A new question, or a new text for one (``question`` and its ``version``): agreements to the old text are
    cleared."""

    question = forms.IntegerField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(label=_("question"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class AgreeForm(forms.Form):
    question = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    party = forms.ChoiceField(label=_("who agreed"), choices=AgreedBy.choices)
    person = forms.ChoiceField(label=_("for the family"), required=False)
    user = forms.ChoiceField(label=_("case worker or coordinator"), required=False)
    on = forms.DateField(label=_("agreed on"), widget=DATE, required=False)

    def __init__(self, *args, persons, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—")] + [(p.pk, p.full_name) for p in persons]
        self.fields["user"].choices = [("", _("myself"))] + team


class VisitForm(forms.Form):
    person = forms.ChoiceField(label=_("whom"))
    visited_on = forms.DateField(label=_("date"), widget=DATE)
    how = forms.ChoiceField(label=_("how"), choices=Presence.choices)
    note = forms.CharField(label=_("note"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.full_name) for p in persons]


class LogisticsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    plan_keeper = forms.ChoiceField(label=_("plan keeper"), required=False)

    class Meta:
        model = MeetingLogistics
        fields = [
            "date_chosen_by_family",
            "food",
            "travel",
            "childcare",
            "budget",
            "plan_keeper_chosen_by",
            "plan_keeper_chosen_on",
        ]
        widgets = {
            "food": forms.Textarea(attrs={"rows": 2}),
            "travel": forms.Textarea(attrs={"rows": 2}),
            "childcare": forms.Textarea(attrs={"rows": 2}),
            "plan_keeper_chosen_on": DATE,
        }

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_keeper"].choices = [("", "—")] + [(p.pk, p.full_name) for p in persons]
        self.fields["plan_keeper"].help_text = _("The person the family chose to keep an eye on the plan.")
        self.order_fields(["date_chosen_by_family", "food", "travel", "childcare", "budget", "plan_keeper"])
        if not self.is_bound:
            self.initial["version"] = self.instance.version
            self.initial["plan_keeper"] = self.instance.plan_keeper_id or ""

    def _post_clean(self):
        # The service validates the record (the plan keeper is a person of the case); the form only parses.
        pass

    def changes(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items() if name != "version"}
        data["plan_keeper"] = data.get("plan_keeper") or None
        return data


class CostForm(forms.Form):
    what = forms.CharField(label=_("what"), max_length=200)
    amount = forms.DecimalField(label=_("amount (EUR)"), max_digits=9, decimal_places=2, min_value=0)
    paid_by = forms.CharField(label=_("paid by"), max_length=200, required=False)


class BookingForm(forms.Form):
    part = forms.ChoiceField(label=_("part"))
    language = forms.CharField(label=_("language"), max_length=60)
    how = forms.ChoiceField(label=_("how"), choices=Presence.choices)
    arranged_by_name = forms.CharField(
        label=_("arranged by"),
        max_length=200,
        required=False,
        help_text=_("Leave empty when you arranged it yourself."),
    )
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args, parts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["part"].choices = [(p.pk, p.name) for p in parts]


class RemoveForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
