from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kring.accounts.models import User


class AccessLogFilterForm(forms.Form):
    # Typed, not chosen from a list: an organisation has hundreds of users, and a list of them all cost more to
    # render than the rest of the page (bench/access_log.py). An id (as other pages link) is accepted too.
    user = forms.CharField(
        label=_("user"),
        required=False,
        max_length=254,
        help_text=_("Their e-mail address."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
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
        self.organisation_ids = sorted(organisation_ids)

    def clean_user(self):
        value = (self.cleaned_data.get("user") or "").strip()
        if not value:
            return None
        users = User.objects.filter(memberships__organisation_id__in=self.organisation_ids).order_by("pk")
        user = (users.filter(pk=int(value)) if value.isdigit() else users.filter(email__iexact=value)).first()
        if user is None:
            raise ValidationError(_("No one with this e-mail address works at your organisation."))
        return user

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
