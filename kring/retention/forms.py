from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ExtensionReason, LegalException, RequestDecision

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BatchForm(forms.Form):
    cases = forms.TypedMultipleChoiceField(label=_("files to destroy"), coerce=int, widget=forms.CheckboxSelectMultiple)
    confirm = forms.BooleanField(
        label=_("I approve that these files are destroyed for good; this cannot be undone."), required=True
    )

    def __init__(self, *args, due=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(p.case_id, p.case.number) for p in due]


class CaseNumberForm(forms.Form):
    number = forms.CharField(label=_("case number"), max_length=30)


class NewRequestForm(forms.Form):
    requested_by = forms.TypedChoiceField(label=_("requested by"), coerce=int)
    received_on = forms.DateField(label=_("received on"), widget=DATE)

    def __init__(self, *args, persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_by"].choices = [(p.pk, p.full_name) for p in persons]


class DecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("decision"), choices=[c for c in RequestDecision.choices if c[0] != RequestDecision.PENDING]
    )
    legal_exception = forms.ChoiceField(
        label=_("legal exception"), choices=[("", "—"), *LegalException.choices], required=False
    )
    answer = forms.CharField(label=_("answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class ExtensionForm(forms.Form):
    current_until = forms.DateField(widget=forms.HiddenInput)
    new_until = forms.DateField(label=_("keep until"), widget=DATE)
    reason = forms.ChoiceField(label=_("reason"), choices=[("", "—"), *ExtensionReason.choices])
    explanation = forms.CharField(
        label=_("explanation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What makes keeping the file longer necessary, e.g. the court case and its number."),
    )
