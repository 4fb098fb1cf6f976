"""The privacy officer's pages for subject access and rectification. Thin: a form, a query or service, a page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kring.audit.models import Action
from kring.audit.services import log_access, person_access
from kring.core.actor import Actor
from kring.core.errors import StaleEdit
from kring.core.forms import apply_service_errors, at_version

from . import queries, services
from .forms import (
    CloseForm,
    DecisionForm,
    ExtensionForm,
    PersonSearchForm,
    RectificationForm,
    RequestForm,
    WithholdForm,
)
from .gathering import gather
from .models import RectificationRequest

SANDBOX = "sandbox; default-src 'none'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"


def _actor(request):
    return Actor.from_request(request)


@login_required
def index(request):
    actor = _actor(request)
    found = queries.requests(actor)
    today = timezone.localdate()
    return render(
        request,
        "privacy/index.html",
        {
            "requests": found,
            "today": today,
            "rectifications": queries.rectifications(actor),
            "search": PersonSearchForm(),
        },
    )


@login_required
def new_request(request):
    """Find the person by name, then record the request for the chosen person record."""
    actor = _actor(request)
    queries.officer_organisations(actor)
    search = PersonSearchForm(request.GET if "name" in request.GET else None)
    found = queries.find_persons(actor, search.cleaned_data["name"]) if search.is_bound and search.is_valid() else None
    person = queries.get_person(actor, request.GET["person"]) if request.GET.get("person") else None
    form = None
    elsewhere = []
    if person is not None:
        elsewhere = queries.same_person_elsewhere(person)
        log_access(actor, Action.VIEW, [person_access(p) for p in [person, *elsewhere]])
        form = RequestForm(request.POST or None, initial={"requested_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            try:
                record = services.record_request(actor, {**form.cleaned_data, "person_id": person.pk})
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("The request is recorded."))
                return redirect("privacy:detail", record.pk)
    return render(
        request,
        "privacy/new.html",
        {"search": search, "found": found, "person": person, "elsewhere": elsewhere, "form": form},
    )


def _detail(request, record, stale=None, **forms):
    """The request's page: its term and outcome, what the answer holds (each record with a form to withhold it)
    and what it withholds, and the rectification requests. What the answer holds is read as a view, logged."""
    actor = _actor(request)
    person = record.person
    export = gather(actor, record, Action.VIEW) if person else None
    version = {"version": record.version}
    context = {
        "record": record,
        "export": export,
        "withheld": services.withheld_of(record),
        "withhold_form": forms.get("withhold") or WithholdForm(),
        "rectifications": list(
            RectificationRequest.objects.filter(person=person).order_by("-requested_on", "-id") if person else []
        ),
        "today": timezone.localdate(),
        "stale": stale,
        "extension": forms.get("extension") or ExtensionForm(initial=version),
        "close": forms.get("close") or CloseForm(initial=version),
        "rectification": forms.get("rectification")
        or RectificationForm(initial={"requested_on": timezone.localdate()}),
    }
    if person:
        log_access(actor, Action.VIEW, [person_access(person)])
    status = 409 if stale else (400 if forms else 200)
    return render(request, "privacy/detail.html", context, status=status)


@login_required
def detail(request, request_id):
    return _detail(request, queries.get_request(_actor(request), request_id))


@login_required
@require_POST
def produce(request, request_id):
    try:
        services.produce_export(_actor(request), request_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The export is ready. Download the letter and the zip file below."))
    return redirect("privacy:detail", request_id)


def _form_on_the_request(request, request_id, form_class, slot: str, save, done: str):
    """One form of the request's page: valid input goes to ``save(actor, record, cleaned_data)``; its errors, or the
    form's own, show on the page in the form's place (``slot``). A stale change shows the page again with what
    changed meanwhile and the input kept, now at the stored version (409)."""
    actor = _actor(request)
    record = queries.get_request(actor, request_id, log=False)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            save(actor, record, form.cleaned_data)
        except StaleEdit as error:
            fresh = queries.get_request(actor, request_id, log=False)
            return _detail(request, fresh, stale=error, **{slot: form_class(at_version(request.POST, fresh.version))})
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("privacy:detail", record.pk)
    return _detail(request, record, **{slot: form})


@login_required
@require_POST
def extend(request, request_id):
    def save(actor, record, data):
        services.extend_request(actor, record.pk, data["extended_months"], data["extension_reason"], data["version"])

    return _form_on_the_request(request, request_id, ExtensionForm, "extension", save, _("The term is extended."))


@login_required
@require_POST
def close(request, request_id):
    def save(actor, record, data):
        services.close_request(actor, record.pk, data["status"], data["notes"], data["version"])

    return _form_on_the_request(request, request_id, CloseForm, "close", save, _("The outcome is recorded."))


@login_required
@require_POST
def rectify(request, request_id):
    def save(actor, record, data):
        if record.person is None:
            raise ValidationError(_("This request names no person of a case."))
        services.record_rectification(actor, {**data, "person_id": record.person_id})

    return _form_on_the_request(
        request, request_id, RectificationForm, "rectification", save, _("The rectification request is recorded.")
    )


@login_required
@require_POST
def withhold(request, request_id):
    def save(actor, record, data):
        services.withhold(actor, record.pk, data)

    return _form_on_the_request(
        request, request_id, WithholdForm, "withhold", save, _("The record is withheld from the answer.")
    )


@login_required
@require_POST
def release(request, request_id, item_id):
    try:
        services.release(_actor(request), request_id, item_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The record is part of the answer again."))
    return redirect("privacy:detail", request_id)


@login_required
def rectification(request, request_id):
    actor = _actor(request)
    record = queries.get_rectification(actor, request_id)
    form = DecisionForm(request.POST or None, initial={"version": record.version})
    stale = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decide_rectification(actor, record.pk, data["decision"], data["answer"], data["version"])
        except StaleEdit as error:
            stale = error
            record = RectificationRequest.objects.select_related("person").get(pk=record.pk)
            form = DecisionForm(at_version(request.POST, record.version))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("privacy:rectification", record.pk)
    status = 409 if stale else (400 if form.errors else 200)
    return render(
        request, "privacy/rectification.html", {"record": record, "form": form, "stale": stale}, status=status
    )


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def download_pdf(request, request_id):
    content = services.export_pdf(_actor(request), request_id)
    return _attachment(content, "application/pdf", f"inzage-{request_id}.pdf")


@login_required
def download_zip(request, request_id):
    content = services.export_zip(_actor(request), request_id)
    return _attachment(content, "application/zip", f"inzage-{request_id}.zip")
