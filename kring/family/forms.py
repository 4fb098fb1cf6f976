"""The forms of the family's side: the case team's (links, proposals, paper agreement, delivery) and the link
holder's (a person to invite, their view, a sharing choice, their agreement)."""

from django import forms
from django.utils.translation import gettext_lazy

from kring.plans.choices import PlanPart

from .choices import DeliveryChannel, SendChannel

TEXT = 4000


class LinkForm(forms.Form):
    person = forms.TypedChoiceField(label=gettext_lazy("For"), coerce=int)
    send_by = forms.ChoiceField(label=gettext_lazy("Send it"), choices=SendChannel.choices, required=False)

    def __init__(self, *args, persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.full_name) for p in persons]


class ResendForm(forms.Form):
    send_by = forms.ChoiceField(
        label=gettext_lazy("Send a new link"),
        choices=[(SendChannel.EMAIL, SendChannel.EMAIL.label), (SendChannel.SMS, SendChannel.SMS.label)],
    )


class DecideForm(forms.Form):
    proposal = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.TypedChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("1", gettext_lazy("Accept: add to the case")), ("0", gettext_lazy("Decline"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=gettext_lazy("Why not (for the family)"), max_length=500, required=False)


class PaperSignatureForm(forms.Form):
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
    person = forms.TypedChoiceField(label=gettext_lazy("Agreed by"), coerce=int)
    signed_on = forms.DateField(label=gettext_lazy("Signed on"), widget=forms.DateInput(attrs={"type": "date"}))
    document = forms.TypedChoiceField(label=gettext_lazy("The signed page (a document of the case)"), coerce=int)

    def __init__(self, *args, persons=(), documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.full_name) for p in persons]
        self.fields["document"].choices = [(d.pk, d.title) for d in documents]


class DeliveryForm(forms.Form):
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
    person = forms.TypedChoiceField(label=gettext_lazy("Received by"), coerce=int)
    channel = forms.ChoiceField(
        label=gettext_lazy("How"),
        choices=[(c.value, c.label) for c in (DeliveryChannel.EMAIL, DeliveryChannel.POST, DeliveryChannel.HANDED)],
    )
    delivered_on = forms.DateField(label=gettext_lazy("When"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.full_name) for p in persons]


# ---- the link holder's forms ---------------------------------------------------------------------------------


class ProposalForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=100)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=100, required=False)
    relation = forms.CharField(label=gettext_lazy("Who is this to you?"), max_length=100)
    contact = forms.CharField(label=gettext_lazy("Phone or e-mail"), max_length=200, required=False)
    why = forms.CharField(
        label=gettext_lazy("Why would you like them there?"),
        max_length=TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ViewForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your view"),
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What would you like the case worker and the coordinator to know before the meeting?"),
    )


class SharingForm(forms.Form):
    part = forms.ChoiceField(label=gettext_lazy("Part of the plan"), choices=PlanPart.choices)
    with_person = forms.ChoiceField(label=gettext_lazy("With"), required=False)
    allowed = forms.TypedChoiceField(
        label=gettext_lazy("May it be shared?"),
        choices=[("1", gettext_lazy("yes")), ("0", gettext_lazy("no"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["with_person"].choices = [("", gettext_lazy("everyone in the network"))] + [
            (str(p.pk), p.first_name) for p in persons
        ]


class AgreeForm(forms.Form):
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
    typed_name = forms.CharField(
        label=gettext_lazy("Type your full name to agree"),
        max_length=200,
        help_text=gettext_lazy("As the plan knows it."),
    )
