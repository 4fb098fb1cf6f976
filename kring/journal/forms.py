"""Forms of the journal pages. They parse and show input; the services decide and validate again."""

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import REASON_LENGTH, TEXT_LENGTH, Category, JournalEntry, Visibility

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _label(name):
    return capfirst(JournalEntry._meta.get_field(name).verbose_name)


class EntryForm(forms.Form):
    occurred_at = forms.DateTimeField(
        label=_label("occurred_at"),
        help_text=_("When the contact or event took place."),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    category = forms.ChoiceField(label=_label("category"), choices=Category.choices)
    text = forms.CharField(label=_label("text"), max_length=TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 8}))
    persons = forms.ModelMultipleChoiceField(
        label=_label("persons"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    visibility = forms.ChoiceField(
        label=_label("visibility"), choices=Visibility.choices, initial=Visibility.TEAM_ONLY, widget=forms.RadioSelect
    )
    hidden_from = forms.ModelMultipleChoiceField(
        label=_label("hidden_from"),
        help_text=_("Persons of the case who may never see this entry, also when it may be shared with the family."),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        persons = case.persons.order_by("last_name", "first_name", "pk")
        self.fields["persons"].queryset = persons
        self.fields["hidden_from"].queryset = persons
        if not self.is_bound and "occurred_at" not in self.initial:
            self.initial["occurred_at"] = timezone.localtime().replace(second=0, microsecond=0)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["persons"] = [p.pk for p in data.get("persons") or []]
        data["hidden_from"] = [p.pk for p in data.get("hidden_from") or []]
        return data


class CorrectionForm(EntryForm):
    correction_reason = forms.CharField(
        label=_label("correction_reason"),
        help_text=_("What is corrected and why. The entry you correct stays in the journal, marked as corrected."),
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, case, original, **kwargs):
        if original is not None:
            kwargs.setdefault(
                "initial",
                {
                    "occurred_at": timezone.localtime(original.occurred_at),
                    "category": original.category,
                    "text": original.text,
                    "persons": [person.pk for person in original.concerned_persons],
                    "visibility": original.visibility,
                    "hidden_from": [person.pk for person in original.hidden_persons],
                },
            )
        super().__init__(*args, case=case, **kwargs)


class FilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_label("category"), choices=[("", _("All kinds"))] + list(Category.choices), required=False
    )
    person = forms.TypedChoiceField(label=_("Person it concerns"), coerce=int, empty_value=None, required=False)
    versions = forms.BooleanField(label=_("Also show corrected versions"), required=False)

    def __init__(self, *args, persons, **kwargs):
        """``persons``: the case's persons, read once by the page (a list, so rendering asks nothing more)."""
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Everybody"))] + [(person.pk, person.full_name) for person in persons]
