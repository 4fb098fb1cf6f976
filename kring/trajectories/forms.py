"""Forms of the trajectory pages. They parse input; the rules live in the services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kring.methods import labels, selector
from kring.methods.catalogue import catalogue

from .choices import AbandonmentReason, ClosureReason, Status
from .models import FamilyPlanRight, StrengthsExploration

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

CENTRAL = [
    ("child", _("a child")),
    ("parent", _("a parent")),
    ("young_adult", _("a young person on the way to adulthood")),
]
MOTIVATION = [
    ("high", _("the family wants this")),
    ("some", _("the family hesitates")),
    ("none", _("the family does not want it")),
]
CONFLICTS = [
    ("fighting_divorce", _("a fighting divorce")),
    ("loyalty_conflict", _("a loyalty conflict for the child")),
    ("network_danger", _("people in the network are a source of danger")),
]


def method_choices(include_blank=False, language="nl"):
    choices = [(code, d.name.en if language == "en" else d.name.nl) for code, d in catalogue().items()]
    return ([("", "—")] if include_blank else []) + choices


class SelectorForm(forms.Form):
    """The selector's questions, in the order a worker would think of them."""

    safety_concern = forms.ChoiceField(
        label=_("How serious are the safety concerns?"), choices=list(labels.SAFETY_LEVELS.items())
    )
    legal_context = forms.ChoiceField(label=_("Legal context"), required=False)
    central = forms.ChoiceField(label=_("Who is at the centre?"), choices=CENTRAL)
    setting = forms.ChoiceField(label=_("Setting"), choices=[(c, labels.SETTINGS[c]) for c in selector.SETTINGS])
    request = forms.ChoiceField(
        label=_("What is the request about?"),
        required=False,
        choices=[("", "—")] + [(c, labels.REQUEST_KINDS[c]) for c in selector.REQUEST_KINDS],
    )
    network_size = forms.IntegerField(
        label=_("Informal persons in the network"),
        min_value=0,
        max_value=500,
        required=False,
        help_text=_("Filled in from the network map; correct it if the map is not complete."),
    )
    network_unsafe = forms.BooleanField(label=_("The network itself is unsafe for the child"), required=False)
    motivation = forms.ChoiceField(label=_("Motivation of the family"), choices=MOTIVATION, initial="some")
    conflicts = forms.MultipleChoiceField(
        label=_("Conflicts"), choices=CONFLICTS, required=False, widget=forms.CheckboxSelectMultiple
    )
    earlier_attempts = forms.MultipleChoiceField(
        label=_("Methods tried before"), required=False, widget=forms.CheckboxSelectMultiple
    )
    incident_with_victim = forms.BooleanField(label=_("A serious incident with a victim"), required=False)
    left_school = forms.BooleanField(label=_("The young person left school"), required=False)
    lost_contacts = forms.BooleanField(label=_("Relatives or contacts were lost and could be traced"), required=False)
    violence_by_child = forms.BooleanField(label=_("Violence or threats by the child at home"), required=False)

    def __init__(self, *args, legal_contexts=(), language="nl", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_context"].choices = [("", "—"), *legal_contexts]
        self.fields["earlier_attempts"].choices = method_choices(language=language)

    def answers(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("legal_context", "request"):
            data[name] = data[name] or None
        return data


class ChoiceForm(forms.Form):
    chosen_method = forms.ChoiceField(label=_("Method chosen"))
    chosen_variant = forms.ChoiceField(label=_("Variant"), required=False)
    choice_reason = forms.CharField(
        label=_("Why this choice"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you choose another method than the top suggestion."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, language="nl", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chosen_method"].choices = method_choices(language=language)
        # Variants grouped under their method's name (an <optgroup> each): the reader sees names, not codes.
        variants: list = [("", "—")]
        for definition in catalogue().values():
            if definition.variants:
                method = definition.name.en if language == "en" else definition.name.nl
                names = [(v.code, v.name.en if language == "en" else v.name.nl) for v in definition.variants]
                variants.append((method, names))
        self.fields["chosen_variant"].choices = variants


class OfferForm(forms.Form):
    method_code = forms.ChoiceField(label=_("Method"))
    variant_code = forms.ChoiceField(label=_("Variant"), required=False)
    offered_on = forms.DateField(label=_("Offered on"), widget=DATE_WIDGET)
    selector_run = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, language="nl", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method_code"].choices = method_choices(language=language)
        self.fields["variant_code"].choices = ChoiceForm(language=language).fields["chosen_variant"].choices
        self.fields["offered_on"].initial = timezone.localdate()


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Next step"))
    on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    reason = forms.ChoiceField(
        label=_("Reason"),
        required=False,
        choices=[("", "—")]
        + [(c.value, c.label) for c in AbandonmentReason]
        + [(c.value, c.label) for c in ClosureReason if c.value not in AbandonmentReason.values],
        help_text=_("Needed when the trajectory is abandoned or closed."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Every status is accepted here; the service refuses illegal steps with a message naming the options.
        self.fields["status"].choices = [(s, Status(s).label) for s in allowed] or list(Status.choices)
        self.fields["on"].initial = timezone.localdate()


class AdvancePhaseForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CoordinatorForm(forms.Form):
    coordinator = forms.ChoiceField(label=_("Coordinator"))
    accept_case_worker = forms.BooleanField(
        label=_("I know this is the family's own case worker and allocate them anyway"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, coordinators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].choices = [(u.pk, str(u)) for u in coordinators]


class FamilyPlanRightForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = FamilyPlanRight
        fields = [
            "exemption",
            "offered_on",
            "offered_by_party",
            "reasonable_term_until",
            "support_offered",
            "parents_answer",
            "parents_answered_on",
            "dropped_on",
            "drop_ground",
            "drop_note",
            "family_plan_made_on",
            "professional_plan_adopted_on",
            "written_copy_requested_on",
            "written_copy_given_on",
        ]
        widgets = {name: DATE_WIDGET for name in fields if name.endswith("_on") or name.endswith("_until")}
        widgets["support_offered"] = forms.Textarea(attrs={"rows": 2})
        widgets["drop_note"] = forms.Textarea(attrs={"rows": 2})


class StrengthsExplorationForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    methods_used = forms.MultipleChoiceField(
        label=_("Methods used"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = StrengthsExploration
        fields = ["explored_on", "how_explored", "strengths_found"]
        widgets = {
            "explored_on": DATE_WIDGET,
            "how_explored": forms.Textarea(attrs={"rows": 4}),
            "strengths_found": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, language="nl", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["methods_used"].choices = method_choices(language=language)
        if self.instance and self.instance.pk:
            self.fields["methods_used"].initial = self.instance.methods_used


class DurationForm(forms.Form):
    default_weeks = forms.DecimalField(label=_("Default weeks"), min_value=0.1, max_value=520, decimal_places=1)
    max_weeks = forms.DecimalField(
        label=_("Maximum weeks"), min_value=0.1, max_value=520, decimal_places=1, required=False
    )
