"""Downloads of the plan's documents (PDF). Thin: the export query checks visibility and logs the export, the
documents module renders; a case, plan or person the user may not reach answers 404."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from kring.core.actor import Actor
from kring.core.forms import apply_service_errors

from . import documents


class UnsafeConfirmForm(forms.Form):
    unsafe_reason = forms.CharField(label=gettext_lazy("Why nonetheless"), max_length=500)
    lang = forms.CharField(widget=forms.HiddenInput, required=False)


# File names in Dutch, else in English (a name in Arabic script travels badly through mail and file systems).
FILE_NAMES = {
    "plan": {"nl": "plan", "en": "plan"},
    "member": {"nl": "afspraken", "en": "agreements"},
    "bottom_lines": {"nl": "bodemeisen", "en": "bottom-lines"},
}


def _file_name(kind: str, lang: str) -> str:
    return FILE_NAMES[kind].get(lang, FILE_NAMES[kind]["en"])


def _pdf_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def document_plan(request, pk, trajectory_id):
    lang = documents.doc_language(request.GET.get("lang"))
    view = documents.plan_export(Actor.from_request(request), pk, trajectory_id)
    name = f"{_file_name('plan', lang)}-{view.plan.pk}-{view.plan.edition}"
    return _pdf_response(documents.plan_pdf(view, lang), name)


@login_required
def document_member(request, pk, trajectory_id, person_id):
    """A network member's letter. For a person marked unsafe on the network map it is made only after a
    confirmation with a reason (posted from the page this answers first)."""
    asked = request.POST.get("lang") or request.GET.get("lang")
    form = UnsafeConfirmForm(request.POST if request.method == "POST" else None, initial={"lang": asked})
    reason = form.cleaned_data["unsafe_reason"] if form.is_bound and form.is_valid() else ""
    try:
        view, person, agreements = documents.member_export(
            Actor.from_request(request), pk, trajectory_id, person_id, unsafe_reason=reason
        )
    except ValidationError as error:
        if form.is_bound:
            apply_service_errors(form, error)
        context = {"form": form, "case_id": pk, "trajectory_id": trajectory_id, "refusal": error.messages[0]}
        return render(request, "plans/unsafe_confirm.html", context, status=400 if form.is_bound else 200)
    # Decision 270: the member's own language of letters and plans unless another is asked for.
    lang = documents.doc_language(asked, person)
    name = f"{_file_name('member', lang)}-{view.plan.pk}-{person.pk}"
    return _pdf_response(documents.member_pdf(view, person, agreements, lang), name)


@login_required
def document_bottom_lines(request, pk, trajectory_id):
    lang = documents.doc_language(request.GET.get("lang"))
    view = documents.bottom_lines_export(Actor.from_request(request), pk, trajectory_id)
    name = f"{_file_name('bottom_lines', lang)}-{view.trajectory.pk}"
    return _pdf_response(documents.bottom_lines_pdf(view, lang), name)
