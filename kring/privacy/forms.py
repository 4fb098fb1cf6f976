from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RectificationDecision, RectificationTarget, RequestStatus, WithheldReason

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionedForm(forms.Form):
    """A form that changes a versioned record carries the version it was opened at (decision 208)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class PersonSearchForm(forms.Form):
    name = forms.CharField(label=_("name of the person"), max_length=200)


class RequestForm(forms.Form):
    requested_on = forms.DateField(label=_("request received on"), widget=DATE)
    requested_by = forms.CharField(
        label=_("request made by"), max_length=200, help_text=_("e.g. the mother herself, her lawyer")
    )
    identity_checked = forms.BooleanField(label=_("identity checked"), required=False)
    identity_check = forms.CharField(
        label=_("how the identity was checked"),
        max_length=300,
        required=False,
        help_text=_("e.g. passport shown at the desk"),
    )
    notes = forms.CharField(label=_("notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionForm(VersionedForm):
    extended_months = forms.TypedChoiceField(
        label=_("extend the term by"),
        coerce=int,
        choices=[(1, _("one month")), (2, _("two months"))],
    )
    extension_reason = forms.CharField(
        label=_("reason for the extension"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseForm(VersionedForm):
    status = forms.ChoiceField(
        label=_("outcome"),
        choices=[
            (RequestStatus.ANSWERED, RequestStatus.ANSWERED.label),
            (RequestStatus.REFUSED, RequestStatus.REFUSED.label),
        ],
    )
    notes = forms.CharField(label=_("notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RectificationForm(forms.Form):
    requested_on = forms.DateField(label=_("request received on"), widget=DATE)
    record_type = forms.ChoiceField(label=_("what it concerns"), choices=RectificationTarget.choices)
    record_id = forms.IntegerField(
        label=_("number of the record"), min_value=1, max_value=2**63 - 1, help_text=_("As shown on the request page.")
    )
    asked = forms.CharField(label=_("what is asked"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(VersionedForm):
    decision = forms.ChoiceField(label=_("decision"), choices=[c for c in RectificationDecision.choices if c[0]])
    answer = forms.CharField(label=_("answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class WithholdForm(forms.Form):
    record_type = forms.CharField(widget=forms.HiddenInput, max_length=40)
    record_id = forms.CharField(widget=forms.HiddenInput, max_length=64)
    reason = forms.ChoiceField(label=_("reason"), choices=WithheldReason.choices)
    explanation = forms.CharField(
        label=_("explanation"),
        max_length=500,
        help_text=_("Why this record is withheld, without repeating what it says."),
    )
