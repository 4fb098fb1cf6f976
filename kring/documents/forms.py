"""Forms of the document pages. They parse and show input; the services check the file and decide."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kring.cases.forms import VersionedForm
from kring.meetings.models import Meeting
from kring.plans.models import Plan

from .choices import DocumentKind
from .models import Document

ACCEPT = ".pdf,.docx,.xlsx,.odt,.ods,.txt,.csv,.png,.jpg,.jpeg,.gif"


def file_field(label):
    # Not required here: the service names a missing file in the same words as every other refusal.
    from .services import max_bytes, size_in_words

    return forms.FileField(
        label=label,
        required=False,
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        help_text=_("PDF, Word, Excel, OpenDocument, plain text or an image; at most %(limit)s.")
        % {"limit": size_in_words(max_bytes())},
    )


class DocumentForm(VersionedForm):
    """What a document says about itself; the new document's form also takes its file."""

    class Meta:
        model = Document
        fields = ["title", "kind", "description", "person", "meeting", "plan"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, case, with_file=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = case.persons.order_by("last_name", "first_name")
        self.fields["meeting"].queryset = Meeting.objects.filter(case=case).order_by("-starts_at")
        self.fields["plan"].queryset = Plan.objects.filter(case=case).order_by("-pk")
        self.fields["person"].label = _("Concerns the person")
        self.fields["meeting"].label = _("Belongs to the meeting")
        self.fields["plan"].label = _("Belongs to the plan")
        if with_file:
            self.fields = {"file": file_field(_("File")), **self.fields}

    def changes(self):
        return {name: value for name, value in self.cleaned_data.items() if name not in ("version", "file")}


class VersionForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"] = file_field(pgettext_lazy("document", "New version"))


class RemoveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class FilterForm(forms.Form):
    """The list's filters. The persons are those the list read (and logged) already, so no query of its own."""

    kind = forms.ChoiceField(
        label=_("Kind of document"),
        required=False,
        choices=[("", pgettext_lazy("filter", "All"))] + list(DocumentKind.choices),
    )

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", pgettext_lazy("filter", "All"))] + [(str(p.pk), str(p)) for p in persons]
        self.fields["person"] = forms.ChoiceField(label=_("Person"), required=False, choices=choices)
