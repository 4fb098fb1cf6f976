"""The forms of the transfer pages. They only parse; the services validate."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .choices import LegalBasis


class ProposeForm(forms.Form):
    receiving_organisation = forms.TypedChoiceField(
        label=capfirst(_("receiving organisation (in this installation)")), required=False, coerce=int, empty_value=None
    )
    external_receiver = forms.CharField(
        label=capfirst(_("or: receiver in another installation")),
        required=False,
        max_length=200,
        help_text=_("Then you send a signed package that the receiver takes in."),
    )
    legal_basis = forms.ChoiceField(label=capfirst(_("legal basis")), choices=[("", "---------"), *LegalBasis.choices])
    basis_note = forms.CharField(
        label=capfirst(_("legal basis or consent in words")),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The article, the court decision, or who consented when and to what."),
    )
    consent_ids = forms.TypedMultipleChoiceField(
        label=capfirst(_("consents it rests on")), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=capfirst(_("reason for the transfer")),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The receiver reads this, with the first name and age of the central child, before deciding."),
    )
    include_network = forms.BooleanField(
        label=capfirst(_("persons and network (otherwise only the central persons)")), required=False, initial=True
    )
    include_journal = forms.BooleanField(label=capfirst(_("journal entries")), required=False)
    include_team_only = forms.BooleanField(
        label=capfirst(_("also journal entries for the case team only")), required=False
    )
    include_plans = forms.BooleanField(label=capfirst(_("plans and agreements (summary)")), required=False)
    document_ids = forms.TypedMultipleChoiceField(
        label=capfirst(_("documents")), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, organisations=(), consents=(), documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiving_organisation"].choices = [("", "---------")] + [(o.pk, o.name) for o in organisations]
        self.fields["consent_ids"].choices = [
            (c.pk, f"{c.person} – {c.get_purpose_display()} ({c.given_on:%d-%m-%Y})") for c in consents
        ]
        self.fields["document_ids"].choices = [(d.pk, d.title) for d in documents]


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AcceptForm(VersionedForm):
    team = forms.TypedChoiceField(label=capfirst(_("team")), coerce=int)
    legal_context = forms.ChoiceField(label=capfirst(_("legal context")))

    def __init__(self, *args, teams=(), legal_contexts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.pk, t.name) for t in teams]
        self.fields["legal_context"].choices = list(legal_contexts)


class RefuseForm(VersionedForm):
    reason = forms.CharField(
        label=capfirst(_("reason for refusing")), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ImportForm(forms.Form):
    organisation = forms.TypedChoiceField(label=capfirst(_("your organisation")), coerce=int)
    file = forms.FileField(label=capfirst(_("package (.zip)")))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]


class TrustedSenderForm(forms.Form):
    organisation = forms.TypedChoiceField(label=capfirst(_("your organisation")), coerce=int)
    name = forms.CharField(label=capfirst(_("name of the sender")), max_length=200)
    public_key = forms.CharField(
        label=capfirst(_("public key")), max_length=200, help_text=_("64 characters, 0-9 and a-f.")
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
