"""Forms of the method offer pages. They parse and show input; the services decide and validate again."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kring.accounts.models import Jurisdiction

from .catalogue import catalogue
from .models import MAX_WAITING_WEEKS, Referrer
from .regions import region_choices


def _name(text):
    return text.en if (get_language() or "nl").startswith("en") else text.nl


def method_choices():
    return [(code, _name(definition.name)) for code, definition in catalogue().items()]


def variant_choices():
    """Every variant of every method, as ``method:variant`` so equal variant codes of two methods stay apart."""
    return [
        (f"{code}:{variant.code}", f"{_name(definition.name)}: {_name(variant.name)}")
        for code, definition in catalogue().items()
        for variant in definition.variants
    ]


def grouped_region_choices():
    return [(label, region_choices(code)) for code, label in Jurisdiction.choices]


class OfferFilterForm(forms.Form):
    """The public overview's filter (GET)."""

    region = forms.ChoiceField(label=_("Region"), required=False)
    method = forms.ChoiceField(label=_("Method"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All regions"))] + grouped_region_choices()
        self.fields["method"].choices = [("", _("All methods"))] + method_choices()


class OfferForm(forms.Form):
    method_code = forms.ChoiceField(label=_("Method"))
    variants = forms.MultipleChoiceField(
        label=_("Variants offered"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only variants of the method chosen above."),
    )
    regions = forms.MultipleChoiceField(label=_("Regions"), widget=forms.CheckboxSelectMultiple)
    municipalities = forms.CharField(
        label=_("Municipalities"),
        max_length=1000,
        required=False,
        help_text=_("Optional: the municipalities within these regions, if you do not cover them all."),
    )
    referrers = forms.MultipleChoiceField(
        label=_("Who may ask"), choices=Referrer.choices, widget=forms.CheckboxSelectMultiple
    )
    contact_email = forms.EmailField(label=_("Contact e-mail address"), max_length=254, required=False)
    contact_phone = forms.CharField(label=_("Contact telephone number"), max_length=30, required=False)
    contact_url = forms.URLField(label=_("Web address"), max_length=300, required=False, assume_scheme="https")
    waiting_weeks = forms.IntegerField(
        label=_("Waiting time in weeks"),
        min_value=0,
        max_value=MAX_WAITING_WEEKS,
        required=False,
        help_text=_("Leave empty if you do not know."),
    )
    notes = forms.CharField(
        label=_("Notes for families and referrers"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    active = forms.BooleanField(label=_("Show this offer in the public guide"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organisation, offer=None, **kwargs):
        data = args[0] if args else kwargs.get("data")
        if offer is not None and data is None:
            kwargs["initial"] = {
                **{
                    name: getattr(offer, name)
                    for name in (
                        "method_code",
                        "regions",
                        "municipalities",
                        "referrers",
                        "contact_email",
                        "contact_phone",
                        "contact_url",
                        "waiting_weeks",
                        "notes",
                        "active",
                        "version",
                    )
                },
                "variants": [f"{offer.method_code}:{v}" for v in offer.variants],
            }
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.offer = offer
        self.fields["method_code"].choices = [("", "---------")] + method_choices()
        self.fields["variants"].choices = variant_choices()
        self.fields["regions"].choices = region_choices(organisation.jurisdiction)
        if offer is not None:
            self.fields["version"].required = True  # without it a save could overwrite someone else's change

    def clean(self):
        data = super().clean()
        method = data.get("method_code")
        variants = data.get("variants") or []
        if method and any(not v.startswith(f"{method}:") for v in variants):
            self.add_error("variants", _("Choose only variants of the method you chose."))
        return data

    def changes(self) -> dict:
        """The input as the service takes it: variant codes without their method prefix."""
        data = {name: value for name, value in self.cleaned_data.items() if name != "version"}
        data["variants"] = [v.split(":", 1)[1] for v in data.get("variants") or []]
        return data


class RemoveOfferForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
