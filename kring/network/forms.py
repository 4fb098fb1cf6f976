"""Forms of the network pages. They parse and show input; the services decide and validate again."""

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from kring.cases.models import Person

from .models import RELATIONSHIP_SUBTYPES, NetworkMember, RelationshipKind, SystemTie

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAP_KINDS = ("genogram", "ecomap", "circle")

PERSON_FIELDS = [
    "first_name",
    "last_name",
    "gender",
    "birth_date",
    "relation",
    "phone",
    "email",
    "is_central",
    "in_household",
]
MEMBER_FIELDS = [
    "kind",
    "deceased",
    "death_date",
    "domain",
    "ring",
    "practical_support",
    "emotional_support",
    "information_support",
    "critical",
    "help_direction",
    "contact_frequency",
    "known_for",
    "safety",
    "may_invite",
    "reachable",
]


def _dated(fields):
    for name in ("birth_date", "death_date", "start", "end"):
        if name in fields:
            fields[name].widget = DATE
    return fields


class MemberForm(forms.Form):
    """One person on the map: the basic person fields of the case file and what the maps know of them."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    person_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Where a new person was placed on the map (optional; kept as the pinned position of that map).
    map = forms.ChoiceField(choices=[(k, k) for k in MAP_KINDS], required=False, widget=forms.HiddenInput)
    x = forms.FloatField(required=False, widget=forms.HiddenInput)
    y = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = _dated(
            {**fields_for_model(Person, fields=PERSON_FIELDS), **fields_for_model(NetworkMember, fields=MEMBER_FIELDS)}
        )
        hidden = {n: self.fields.pop(n) for n in ("version", "person_version", "map", "x", "y")}
        self.fields.update(fields)
        self.fields.update(hidden)

    def person_data(self):
        return {n: self.cleaned_data[n] for n in PERSON_FIELDS if n in self.cleaned_data}

    def member_data(self):
        return {n: self.cleaned_data[n] for n in MEMBER_FIELDS if n in self.cleaned_data}

    def changes(self):
        return {**self.person_data(), **self.member_data()}

    def position(self):
        data = self.cleaned_data
        if data.get("map") and data.get("x") is not None and data.get("y") is not None:
            return data["map"], data["x"], data["y"]
        return None


def subtype_choices():
    return [
        (RelationshipKind(kind).label, [(value, label) for value, label in subtypes.items()])
        for kind, subtypes in RELATIONSHIP_SUBTYPES.items()
    ]


class RelationshipForm(forms.Form):
    """A tie between two persons. For a parent link, the first person is the parent."""

    kind = forms.ChoiceField(label=_("kind"), choices=RelationshipKind.choices)
    subtype = forms.ChoiceField(label=_("type"), choices=())
    person_a = forms.ModelChoiceField(
        label=_("person (the parent, or the one who harms)"), queryset=Person.objects.none()
    )
    person_b = forms.ModelChoiceField(label=_("other person"), queryset=Person.objects.none())
    start = forms.DateField(label=_("from"), required=False, widget=DATE)
    end = forms.DateField(label=_("until"), required=False, widget=DATE)
    note = forms.CharField(label=_("note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subtype"].choices = subtype_choices()
        persons = case.persons.order_by("last_name", "first_name")
        self.fields["person_a"].queryset = persons
        self.fields["person_b"].queryset = persons

    def clean(self):
        data = super().clean()
        kind, subtype = data.get("kind"), data.get("subtype")
        if kind and subtype and subtype not in RELATIONSHIP_SUBTYPES.get(kind, {}):
            self.add_error("subtype", _("Choose a type that fits this kind of relationship."))
        if data.get("person_a") and data.get("person_a") == data.get("person_b"):
            self.add_error("person_b", _("A relationship needs two different persons."))
        return data

    def changes(self):
        data = {n: v for n, v in self.cleaned_data.items() if n != "version"}
        data["person_a"] = data["person_a"].pk
        data["person_b"] = data["person_b"].pk
        return data


class SystemTieForm(forms.Form):
    """An eco-map tie from the household or one person to a system such as a school."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        version = self.fields.pop("version")
        fields = _dated(
            fields_for_model(
                SystemTie, fields=["system", "system_kind", "person", "strength", "energy", "start", "end", "note"]
            )
        )
        fields["person"].queryset = case.persons.order_by("last_name", "first_name")
        fields["person"].empty_label = _("the household as a whole")
        fields["note"].widget = forms.Textarea(attrs={"rows": 2})
        self.fields.update(fields)
        self.fields["version"] = version

    def changes(self):
        data = {n: v for n, v in self.cleaned_data.items() if n != "version"}
        data["person"] = data["person"].pk if data.get("person") else None
        return data


class CompareForm(forms.Form):
    """What changed in the network between two dates."""

    date_from = forms.DateField(label=_("from"), widget=DATE)
    date_to = forms.DateField(label=_("until"), widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("GEDCOM (.ged) or network document (.json)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is too large (at most 5 MB)."))
        name = upload.name.lower()
        if not name.endswith((".ged", ".gedcom", ".json")):
            raise forms.ValidationError(_("Choose a GEDCOM file (.ged) or a network document (.json)."))
        return upload


class GedcomChoiceForm(forms.Form):
    """Who is at the centre of the imported tree, and how far up and down to bring people in."""

    center = forms.ChoiceField(label=_("centre person"), choices=())
    generations_up = forms.IntegerField(label=_("generations up"), min_value=0, max_value=10, initial=2)
    generations_down = forms.IntegerField(label=_("generations down"), min_value=0, max_value=10, initial=2)

    def __init__(self, *args, persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["center"].choices = list(persons)
