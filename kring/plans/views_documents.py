"""Downloads of the plan's documents (PDF). Thin: the export query checks visibility and logs the export, the
documents module renders; a case, plan or person the user may not reach answers 404."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from kring.core.actor import Actor

from . import documents

FILE_NAMES = {
    "plan": {"nl": "plan", "en": "plan"},
    "member": {"nl": "afspraken", "en": "agreements"},
    "bottom_lines": {"nl": "bodemeisen", "en": "bottom-lines"},
}


def _pdf_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def document_plan(request, pk, trajectory_id):
    lang = documents.doc_language(request.GET.get("lang"))
    view = documents.plan_export(Actor.from_request(request), pk, trajectory_id)
    name = f"{FILE_NAMES['plan'][lang]}-{view.plan.pk}-{view.plan.edition}"
    return _pdf_response(documents.plan_pdf(view, lang), name)


@login_required
def document_member(request, pk, trajectory_id, person_id):
    lang = documents.doc_language(request.GET.get("lang"))
    view, person, agreements = documents.member_export(Actor.from_request(request), pk, trajectory_id, person_id)
    name = f"{FILE_NAMES['member'][lang]}-{view.plan.pk}-{person.pk}"
    return _pdf_response(documents.member_pdf(view, person, agreements, lang), name)


@login_required
def document_bottom_lines(request, pk, trajectory_id):
    lang = documents.doc_language(request.GET.get("lang"))
    view = documents.bottom_lines_export(Actor.from_request(request), pk, trajectory_id)
    name = f"{FILE_NAMES['bottom_lines'][lang]}-{view.trajectory.pk}"
    return _pdf_response(documents.bottom_lines_pdf(view, lang), name)
