"""Document pages, mounted at /cases/<pk>/documents/. Thin: parse, call a query or a service, render.

The two upload pages read the request's body themselves (``uploads.limit_uploads``): a file over the limit is
refused without reading it, and the file name is checked as it was sent. Because the CSRF check would read the
body first, they are exempt from the middleware's check and run it themselves once the limits are in place.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from kring.core.actor import Actor
from kring.core.errors import StaleEdit
from kring.core.forms import apply_service_errors, at_version, save_versioned

from . import queries, services
from .choices import DocumentKind
from .forms import DocumentForm, FilterForm, RemoveForm, VersionForm
from .uploads import declared_too_large, limit_uploads, name_as_sent

# Should a browser open the file anyway: no script, no plugin, no frame, nothing loaded.
SANDBOX = "sandbox; default-src 'none'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"


def _actor(request):
    return Actor.from_request(request)


def _detail_url(pk, document_id):
    return reverse("documents:detail", kwargs={"pk": pk, "document_id": document_id})


@login_required
def document_list(request, pk):
    actor = _actor(request)
    kind, person = request.GET.get("kind", ""), request.GET.get("person", "")
    filters = queries.DocumentFilter(
        kind=kind if kind in DocumentKind.values else "",
        person_id=int(person) if person.isdigit() and len(person) < 19 else None,
    )
    case, page, rows, persons = queries.documents_page(actor, pk, filters, request.GET.get("page") or 1, offer=True)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "documents/list.html",
        {
            "case": case,
            "page": page,
            "rows": rows,
            "filter_form": FilterForm(request.GET or None, persons=persons),
            "query": query.urlencode(),
            "can_edit": queries.can_change(request.user, case),
        },
    )


def _with_file_error(form, message):
    """An empty form that says why the file was refused (the body was not read, so there is nothing to bind)."""
    form.errors["file"] = form.error_class([message])
    return form


def _upload(request):
    """(file name as sent, content) of the posted file, or (None, None) when none was sent."""
    upload = request.FILES.get("file")
    if upload is None:
        return None, None
    return name_as_sent(upload), upload.read()


@csrf_exempt
@login_required
def document_add(request, pk):
    actor = _actor(request)
    case = queries.case_to_change(actor, pk)
    if request.method != "POST":
        return _form_page(request, case, DocumentForm(case=case, with_file=True))
    if declared_too_large(request.META):
        form = _with_file_error(DocumentForm(case=case, with_file=True), services.too_large_message())
        return _form_page(request, case, form, 413)
    handler = limit_uploads(request)
    return csrf_protect(_add_posted)(request, pk, case, handler)


def _add_posted(request, pk, case, handler):
    actor = _actor(request)
    form = DocumentForm(request.POST, request.FILES, case=case, with_file=True)
    if handler.too_large:
        form.is_valid()
        form.add_error("file", services.too_large_message())
        return _form_page(request, case, form, 413)
    filename, content = _upload(request)
    if form.is_valid():
        try:
            document = services.add_document(actor, pk, form.changes(), filename, content)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The document was added."))
            return redirect(_detail_url(pk, document.pk))
    else:
        try:
            services.check_upload(filename, content)
        except ValidationError as error:
            apply_service_errors(form, error)
    return _form_page(request, case, form)


def _form_page(request, case, form, status=200):
    queries.case_queries.log_person_choices(_actor(request), form)
    return render(request, "documents/form.html", {"case": case, "form": form}, status=status)


@login_required
def document_detail(request, pk, document_id):
    case, document = queries.get_document(_actor(request), pk, document_id)
    return _detail_page(request, case, document, DocumentForm(instance=document, case=case), VersionForm())


def _detail_page(request, case, document, form, version_form, stale=None, status=200):
    can_edit = queries.can_change(request.user, case)
    if can_edit:
        queries.case_queries.log_person_choices(_actor(request), form)
    return render(
        request,
        "documents/detail.html",
        {
            "case": case,
            "document": document,
            "versions": document.all_versions,
            "form": form,
            "version_form": version_form,
            "remove_form": RemoveForm(initial={"version": document.version}),
            "can_edit": can_edit,
            "stale": stale,
        },
        status=status,
    )


@login_required
@require_POST
def document_edit(request, pk, document_id):
    actor = _actor(request)
    queries.case_to_change(actor, pk, document_id)
    case, document = queries.get_document(actor, pk, document_id, log=False)
    form = DocumentForm(request.POST, instance=document, case=case)

    def save(form):
        services.update_document(actor, pk, document_id, form.changes(), form.cleaned_data["version"])

    def refill():
        _case, fresh = queries.get_document(actor, pk, document_id, log=False)
        return DocumentForm(at_version(request.POST, fresh.version), instance=fresh, case=case)

    result = save_versioned(request, form, save, refill)
    if result.saved:
        messages.success(request, _("The document was saved."))
        return redirect(_detail_url(pk, document_id))
    _case, document = queries.get_document(actor, pk, document_id, log=False)
    return _detail_page(request, case, document, result.form, VersionForm(), result.stale, result.status)


@csrf_exempt
@login_required
@require_POST
def version_add(request, pk, document_id):
    actor = _actor(request)
    case = queries.case_to_change(actor, pk, document_id)
    if declared_too_large(request.META):
        return _version_refused(request, actor, case, pk, document_id, services.too_large_message(), 413)
    handler = limit_uploads(request)
    return csrf_protect(_version_posted)(request, pk, document_id, case, handler)


def _version_refused(request, actor, case, pk, document_id, message, status):
    _case, document = queries.get_document(actor, pk, document_id, log=False)
    version_form = _with_file_error(VersionForm(), message)
    form = DocumentForm(instance=document, case=case)
    return _detail_page(request, case, document, form, version_form, status=status)


def _version_posted(request, pk, document_id, case, handler):
    actor = _actor(request)
    if handler.too_large:
        return _version_refused(request, actor, case, pk, document_id, services.too_large_message(), 413)
    filename, content = _upload(request)
    try:
        version = services.add_version(actor, pk, document_id, filename, content)
    except ValidationError as error:
        message = " ".join(m for items in error.message_dict.values() for m in items)
        return _version_refused(request, actor, case, pk, document_id, message, 200)
    messages.success(request, _("Version %(number)s was added.") % {"number": version.number})
    return redirect(_detail_url(pk, document_id))


@login_required
@require_POST
def document_remove(request, pk, document_id):
    actor = _actor(request)
    queries.case_to_change(actor, pk, document_id)
    form = RemoveForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.remove_document(actor, pk, document_id, version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_detail_url(pk, document_id))
    except StaleEdit:
        messages.error(request, _("Not removed: someone else changed the document after you opened it."))
        return redirect(_detail_url(pk, document_id))
    messages.success(request, _("The document was removed."))
    return redirect(reverse("documents:list", kwargs={"pk": pk}))


@login_required
def download(request, pk, document_id, version_number=None):
    """The stored file as a download, never shown inline: the type its content showed, no sniffing, no caching, a
    sandbox if a browser opens it anyway. A file that no longer matches its checksum is not sent."""
    try:
        version, content = queries.download(_actor(request), pk, document_id, version_number)
    except queries.DamagedFile:
        return render(request, "documents/damaged.html", {"case_pk": pk}, status=500)
    return file_response(version, content)


def file_response(version, content) -> HttpResponse:
    content_type = version.content_type
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, version.filename)
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = "private, no-store"
    return response
