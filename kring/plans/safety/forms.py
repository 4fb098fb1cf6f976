"""Forms of the Signs of Safety pages. They parse and show input; the services in ``services.py`` decide and
validate again."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kring.cases.forms import VersionedForm

from ..choices import ChildTool, MapColumn, Sharing
from ..models import DangerStatement, SafetyMapEntry
from .services import MAX_ATTACHMENT_BYTES, SCORE_MAX, SCORE_MIN

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MapEntryForm(VersionedForm):
    class Meta:
        model = SafetyMapEntry
        fields = ["column", "text", "who_agrees", "who_disagrees"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}
        labels = {"column": _("column and category")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["column"].choices = [("", "—")] + [(c.value, c.label) for c in MapColumn]


class DangerStatementForm(VersionedForm):
    class Meta:
        model = DangerStatement
        fields = ["statement", "safety_goal"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 4}), "safety_goal": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "statement": _("Who is worried, what happened, and what may happen to the children if nothing changes."),
            "safety_goal": _("What must be true for the children to be safe, so the case can close."),
        }


class RatingForm(forms.Form):
    """One select for who gives the score: a person of the case ("p<id>") or a professional ("u<id>")."""

    rater = forms.ChoiceField(label=_("who gives this score"))
    score = forms.IntegerField(
        label=_("score (0-10)"),
        min_value=SCORE_MIN,
        max_value=SCORE_MAX,
        help_text=_("0: the children cannot live at home; 10: safe enough to close the case."),
        widget=forms.NumberInput(attrs={"min": SCORE_MIN, "max": SCORE_MAX, "step": 1}),
    )
    rated_on = forms.DateField(label=_("date"), widget=DATE)
    review = forms.ChoiceField(label=_("at the review"), required=False)
    note = forms.CharField(label=_("note"), max_length=1000, required=False)

    def __init__(self, *args, persons, team, reviews, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("rated_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["rater"].choices = [
            ("", "—"),
            (_("Family and network"), [(f"p{p.pk}", p.full_name) for p in persons]),
            (_("Professionals of the case team"), [(f"u{m.user_id}", str(m.user)) for m in team]),
        ]
        self.fields["review"].choices = [("", "—")] + [
            (str(r.pk), f"{r.name} ({r.planned_on:%d-%m-%Y})") for r in reviews
        ]

    def values(self) -> dict:
        data = self.cleaned_data
        kind, rater_id = data["rater"][:1], data["rater"][1:]
        return {
            "person": rater_id if kind == "p" else None,
            "rater_user": rater_id if kind == "u" else None,
            "score": data["score"],
            "rated_on": data["rated_on"],
            "review": data.get("review") or None,
            "note": data.get("note", ""),
        }


# Where the service's fields land on the rating form.
RATING_ERROR_FIELDS = {"person": "rater", "rater_user": "rater"}


class NetworkMemberForm(forms.Form):
    person = forms.ChoiceField(label=_("person"))
    role = forms.CharField(
        label=_("role in the safety network"),
        max_length=300,
        required=False,
        help_text=_("For example: checks in every evening, takes the children when it is unsafe."),
    )

    def __init__(self, *args, persons, unsafe_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Everyone is offered, so a refusal can say why; those marked unsafe are labelled as such.
        unsafe = gettext("unsafe on the network map")
        self.fields["person"].choices = [("", "—")] + [
            (str(p.pk), f"{p.full_name} ({unsafe})" if p.pk in unsafe_ids else p.full_name) for p in persons
        ]


class AttachmentForm(forms.Form):
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
        help_text=_("PDF, PNG or JPEG, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = [("", "—")] + [(str(p.pk), p.full_name) for p in persons]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": MAX_ATTACHMENT_BYTES // (1024 * 1024)}
            )
        return upload

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("tool", "title", "child", "sharing")}


class SharingForm(forms.Form):
    sharing = forms.ChoiceField(label=_("shared with"), choices=Sharing.choices)


class RemoveForm(forms.Form):
    """A removal carries the version it was shown at, when the record has one."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
