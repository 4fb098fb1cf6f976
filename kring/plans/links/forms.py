"""The link holder's form: how an agreement of theirs went."""

from django import forms
from django.utils.translation import gettext_lazy

from ..choices import ReportOutcome


class ReportForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("How did it go?"), choices=ReportOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
