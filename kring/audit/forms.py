from django import forms
from django.utils.translation import gettext_lazy as _

from kring.accounts.models import User


class AccessLogFilterForm(forms.Form):
    user = forms.ModelChoiceField(label=_("user"), queryset=User.objects.none(), required=False, empty_label=_("all"))
    case = forms.IntegerField(label=_("case id"), required=False, min_value=1)
    date_from = forms.DateField(
        label=_("from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Without a start date the last 30 days are shown."),
    )
    date_until = forms.DateField(label=_("until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, organisation_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(memberships__organisation_id__in=organisation_ids).distinct()

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_until") and data["date_until"] < data["date_from"]:
            self.add_error("date_until", _("The end of the period is before its start."))
        return data


class RetentionForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    retention_months = forms.IntegerField(label=_("Keep the access log for (months)"))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
