from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import TEXT_LENGTH


class AcknowledgeForm(forms.Form):
    action_taken = forms.CharField(
        label=_("Action taken"),
        max_length=TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "What you did about it, for example: called the mother, the children stay with their aunt tonight."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AlertSettingsForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    escalate_after_hours = forms.IntegerField(
        label=_("Escalate to the team lead after (hours)"),
        min_value=1,
        max_value=168,
        help_text=_("A safety alert nobody of the case team acknowledged within this time goes to the team lead."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
