from django import forms
from django.utils.translation import gettext_lazy as _

from kring.accounts.models import User


class AccessLogFilterForm(forms.Form):
    user = forms.ModelChoiceField(label=_("user"), queryset=User.objects.none(), required=False, empty_label=_("all"))
    case = forms.IntegerField(label=_("case id"), required=False, min_value=1)
    date_from = forms.DateField(label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_until = forms.DateField(label=_("until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, organisation_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(memberships__organisation_id__in=organisation_ids).distinct()

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_until") and data["date_until"] < data["date_from"]:
            self.add_error("date_until", _("The end of the period is before its start."))
        return data
