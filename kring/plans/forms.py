"""Forms of the professionals' plan pages. They parse and show input; the services decide and validate again.

Relations (persons of the case, members of the case team, bottom lines) are offered as plain choices and handed to
the services as ids: the services check that each belongs to this case, so a hand-made post cannot reach another
case's records."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kring.cases.forms import VersionedForm
from kring.core.link_sending import SendChannel
from kring.network import unsafe

from .choices import DecisionOutcome, PlanPart, ReportOutcome, ReviewDecision, ReviewKeeping
from .links.services import LINK_DAYS_DEFAULT, LINK_DAYS_MAX
from .models import Agreement, BottomLine, Plan, Review

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EMPTY = [("", "—")]
UNSAFE_HELP = _("Only when a person marked unsafe on the network map is involved: why nonetheless.")


def persons_marked(persons) -> list:
    """The persons as choices, those marked unsafe on the network map labelled so (the services ask a reason)."""
    marked = unsafe.unsafe_ids(p.pk for p in persons)
    words = gettext("marked unsafe on the network map")
    return [(p.pk, f"{p.full_name} ({words})" if p.pk in marked else p.full_name) for p in persons]


class VersionForm(forms.Form):
    """Only the version a page was opened at: submit, new version, remove."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


# ---- bottom lines --------------------------------------------------------------------------------------------


class BottomLineForm(VersionedForm):
    class Meta:
        model = BottomLine
        fields = ["text", "reason", "legal_basis", "kind"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "reason": forms.Textarea(attrs={"rows": 3})}


class WithdrawForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    withdrawal_reason = forms.CharField(label=_("why the bottom line no longer applies"), max_length=300)


# ---- the plan ------------------------------------------------------------------------------------------------


class PlanForm(VersionedForm):
    class Meta:
        model = Plan
        fields = [
            "concerns",
            "if_it_goes_wrong",
            "emergency_contact_name",
            "emergency_contact_phone",
            "child_view",
            "presented_on",
            "deliberation_kept",
            "deliberation_notes",
            "deliberation_chosen_by",
        ]
        widgets = {
            "concerns": forms.Textarea(attrs={"rows": 5}),
            "if_it_goes_wrong": forms.Textarea(attrs={"rows": 4}),
            "child_view": forms.Textarea(attrs={"rows": 3}),
            "presented_on": DATE,
            "deliberation_notes": forms.Textarea(attrs={"rows": 4}),
        }


class AgreementForm(VersionedForm):
    """One agreement. For a new agreement the hidden version is the plan's (adding changes the plan)."""

    owner_person = forms.TypedChoiceField(
        label=_("who (from the network)"), required=False, coerce=int, empty_value=None
    )
    backup_person = forms.TypedChoiceField(label=_("backup person"), required=False, coerce=int, empty_value=None)
    checker_person = forms.TypedChoiceField(
        label=_("who checks (from the network)"), required=False, coerce=int, empty_value=None
    )
    checker_user = forms.TypedChoiceField(
        label=_("who checks (professional)"), required=False, coerce=int, empty_value=None
    )
    bottom_lines = forms.TypedMultipleChoiceField(
        label=_("answers the bottom lines"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Agreement
        fields = [
            "what",
            "owner_person",
            "owner_professional",
            "starts_on",
            "ends_on",
            "frequency",
            "backup_person",
            "checker_person",
            "checker_user",
            "due_on",
            "is_safety",
            "bottom_lines",
            "unsafe_reason",
        ]
        widgets = {"what": forms.Textarea(attrs={"rows": 3}), "starts_on": DATE, "ends_on": DATE, "due_on": DATE}
        help_texts = {"unsafe_reason": UNSAFE_HELP}

    def __init__(self, *args, persons=(), team=(), lines=(), plan_version=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = EMPTY + persons_marked(persons)
        for name in ("owner_person", "backup_person", "checker_person"):
            self.fields[name].choices = people
        self.fields["checker_user"].choices = EMPTY + [(m.user_id, str(m.user)) for m in team]
        self.fields["bottom_lines"].choices = [(line.pk, line.text) for line in lines]
        if self.instance.pk:
            if not self.is_bound:
                self.initial.update(
                    {
                        "owner_person": self.instance.owner_person_id,
                        "backup_person": self.instance.backup_person_id,
                        "checker_person": self.instance.checker_person_id,
                        "checker_user": self.instance.checker_user_id,
                        "bottom_lines": [line.pk for line in self.instance.bottom_lines.all()],
                    }
                )
        else:
            # Adding an agreement changes the plan: the form carries the plan's version.
            self.fields["version"].required = True
            if not self.is_bound:
                self.initial["version"] = plan_version

    RELATIONS = ("owner_person", "backup_person", "checker_person", "checker_user", "bottom_lines")

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() | set(self.RELATIONS)

    def _post_clean(self):
        # The relations are checked by the service (persons of this case, members of its team); the model
        # validation here covers the plain fields only.
        relations = {name: self.cleaned_data.pop(name) for name in self.RELATIONS if name in self.cleaned_data}
        super()._post_clean()
        self.cleaned_data.update(relations)

    def changes(self):
        data = super().changes()
        data["bottom_lines"] = list(data.get("bottom_lines") or [])
        return data


class ReportForm(forms.Form):
    outcome = forms.ChoiceField(label=_("how did it go"), choices=ReportOutcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("note"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


# ---- the decision --------------------------------------------------------------------------------------------

MET_CHOICES = [("met", _("met")), ("not_met", _("not met"))]


class DecideForm(forms.Form):
    """For every bottom line in force: met or not, and why; then accept or send back, and why."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    outcome = forms.ChoiceField(label=_("decision"), choices=DecisionOutcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("why"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"met_{line.pk}"] = forms.ChoiceField(
                label=_("Is this bottom line met?"), choices=MET_CHOICES, widget=forms.RadioSelect
            )
            self.fields[f"why_{line.pk}"] = forms.CharField(
                label=_("why"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
            )
        self.order_fields(
            [name for line in self.lines for name in (f"met_{line.pk}", f"why_{line.pk}")]
            + ["outcome", "reason", "version"]
        )

    def line_rows(self):
        """(bottom line, its met field, its why field) for the template."""
        return [(line, self[f"met_{line.pk}"], self[f"why_{line.pk}"]) for line in self.lines]

    def checks(self):
        return {
            line.pk: (self.cleaned_data[f"met_{line.pk}"], self.cleaned_data[f"why_{line.pk}"]) for line in self.lines
        }


# ---- personal links ------------------------------------------------------------------------------------------


class LinkForm(forms.Form):
    person = forms.TypedChoiceField(label=_("for"), coerce=int)
    shared_parts = forms.MultipleChoiceField(
        label=_("plan parts shared"),
        required=False,
        choices=PlanPart.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The person always sees their own agreements. Other parts need the family's consent to share the plan."
        ),
    )
    valid_days = forms.IntegerField(
        label=_("valid for (days)"), min_value=1, max_value=LINK_DAYS_MAX, initial=LINK_DAYS_DEFAULT
    )
    unsafe_reason = forms.CharField(
        label=_("why nonetheless"),
        max_length=500,
        required=False,
        help_text=_(
            "Only when a person marked unsafe on the network map is involved, or the person has a no contact mark "
            "with someone the link names: why nonetheless."
        ),
    )

    send_by = forms.ChoiceField(
        label=_("Send it"),
        choices=SendChannel.choices,
        required=False,
        help_text=_("By e-mail or text message through Kring, naming only the first name; or shown to you only."),
    )

    def __init__(self, *args, persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = EMPTY + persons_marked(persons)


class LinkResendForm(forms.Form):
    send_by = forms.ChoiceField(
        label=_("Send it"),
        choices=[(SendChannel.EMAIL, SendChannel.EMAIL.label), (SendChannel.SMS, SendChannel.SMS.label)],
    )


# ---- reviews -------------------------------------------------------------------------------------------------


class ReviewForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ["name", "planned_on"]
        widgets = {"planned_on": DATE}


class HoldReviewForm(forms.Form):
    """For every agreement in force: how it was kept, with a note; then the decision."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    held_on = forms.DateField(label=_("held on"), widget=DATE)
    decision = forms.ChoiceField(label=_("decision"), choices=ReviewDecision.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("note"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    # The safety scale again (0 = the children cannot live at home, 10 = safe enough to close): the reviewer's
    # own number and, if given, one of a person of the family or network.
    my_score = forms.IntegerField(label=_("your safety scale score (0-10)"), min_value=0, max_value=10, required=False)
    person = forms.TypedChoiceField(
        label=_("score of a person of the family or network"), coerce=int, required=False, empty_value=None
    )
    person_score = forms.IntegerField(label=_("their score (0-10)"), min_value=0, max_value=10, required=False)

    def __init__(self, *args, agreements=(), persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agreements = list(agreements)
        for agreement in self.agreements:
            self.fields[f"keeping_{agreement.pk}"] = forms.ChoiceField(
                label=_("kept?"), choices=ReviewKeeping.choices, widget=forms.RadioSelect
            )
            self.fields[f"note_{agreement.pk}"] = forms.CharField(label=_("note"), max_length=1000, required=False)
        self.fields["person"].choices = [("", "—")] + [(p.pk, p.full_name) for p in persons]
        self.order_fields(
            [name for a in self.agreements for name in (f"keeping_{a.pk}", f"note_{a.pk}")]
            + ["my_score", "person", "person_score", "held_on", "decision", "note", "version"]
        )

    def clean(self):
        data = super().clean()
        if data.get("person") and data.get("person_score") is None:
            self.add_error("person_score", _("Give this person's score, or leave the person empty."))
        if data.get("person_score") is not None and not data.get("person"):
            self.add_error("person", _("Say whose score this is."))
        return data

    def ratings(self, user) -> list[dict]:
        """The scale as the service takes it."""
        data, ratings = self.cleaned_data, []
        if data.get("my_score") is not None:
            ratings.append({"rater_user": user.pk, "score": data["my_score"]})
        if data.get("person") and data.get("person_score") is not None:
            ratings.append({"person": data["person"], "score": data["person_score"]})
        return ratings

    def agreement_rows(self):
        return [(a, self[f"keeping_{a.pk}"], self[f"note_{a.pk}"]) for a in self.agreements]

    def items(self):
        return {
            a.pk: (self.cleaned_data[f"keeping_{a.pk}"], self.cleaned_data[f"note_{a.pk}"]) for a in self.agreements
        }


__all__ = [
    "AgreementForm",
    "BottomLineForm",
    "DecideForm",
    "HoldReviewForm",
    "LinkForm",
    "PlanForm",
    "ReportForm",
    "ReviewForm",
    "VersionForm",
    "WithdrawForm",
]
