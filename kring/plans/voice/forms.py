"""Forms of the page "Stem van het kind". They parse and show input; the services decide and validate again."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import AdvocateRole, Assent, ChildTool, Sharing
from ..safety.services import MAX_ATTACHMENT_BYTES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _child_choices(children):
    return [("", "—")] + [(str(row.person.pk), row.person.full_name) for row in children]


class ToolForm(forms.Form):
    tool = forms.ChoiceField(label=_("tool"), choices=ChildTool.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    child = forms.ChoiceField(label=_("child"))
    sharing = forms.ChoiceField(
        label=_("shared with"),
        choices=Sharing.choices,
        initial=Sharing.CASE_TEAM,
        help_text=_("Sharing with the parents or the network needs the family's consent."),
    )
    file = forms.FileField(
        label=_("file"),
        help_text=_("A drawing as PNG or JPEG; Three Houses or Words and Pictures also as PDF. At most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = _child_choices(children)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": MAX_ATTACHMENT_BYTES // (1024 * 1024)}
            )
        return upload

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("tool", "title", "child", "sharing")}


class WishForm(forms.Form):
    child = forms.ChoiceField(label=_("child"))
    text = forms.CharField(
        label=_("wish"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In the child's own words."),
    )
    sharing = forms.ChoiceField(label=_("shared with"), choices=Sharing.choices, initial=Sharing.CASE_TEAM)

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = _child_choices(children)


class AssentForm(forms.Form):
    child = forms.ChoiceField(label=_("child"))
    edition = forms.IntegerField(widget=forms.HiddenInput)
    assent = forms.ChoiceField(label=_("does the child agree with this version of the plan?"), choices=Assent.choices)
    in_own_words = forms.CharField(
        label=_("in the child's own words"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    heard_by = forms.CharField(
        label=_("how heard, and by whom"),
        max_length=300,
        help_text=_("For example: at home with the coordinator, with a drawing; or through the child advocate."),
    )
    heard_on = forms.DateField(label=_("heard on"), widget=DATE)

    def __init__(self, *args, children, edition, **kwargs):
        kwargs.setdefault("initial", {}).update({"edition": edition, "heard_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = _child_choices(children)


class AdvocateForm(forms.Form):
    child = forms.ChoiceField(label=_("child"))
    role = forms.ChoiceField(label=_("role"), choices=AdvocateRole.choices)
    person = forms.ChoiceField(label=_("person of the case"), required=False)
    name = forms.CharField(
        label=_("or their name"),
        max_length=200,
        required=False,
        help_text=_("Someone who is not a person of the case."),
    )
    since = forms.DateField(label=_("since"), widget=DATE)

    def __init__(self, *args, children, persons, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("since", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = _child_choices(children)
        self.fields["person"].choices = [("", "—")] + [(str(p.pk), p.full_name) for p in persons]


class SharingForm(forms.Form):
    sharing = forms.ChoiceField(label=_("shared with"), choices=Sharing.choices)


class WishRemoveForm(forms.Form):
    wish = forms.IntegerField(widget=forms.HiddenInput)


class SettingsForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("organisation"), coerce=int)
    advocate_under_age = forms.IntegerField(
        label=_("a child advocate or trusted person for children under (years)"),
        min_value=1,
        max_value=18,
        help_text=_("When a child under this age is invited to a meeting, the case team is asked to arrange one."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
