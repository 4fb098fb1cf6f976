"""The privacy officer's pages for retention: files due for destruction (approve a batch) and requests to destroy a
file. Thin: a form, a service, a page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kring.audit.services import Action, log_access, person_access
from kring.core.actor import Actor
from kring.core.errors import NotFound
from kring.core.forms import apply_service_errors

from . import services
from .forms import BatchForm, CaseNumberForm, DecisionForm, ExtensionForm, NewRequestForm


@login_required
def index(request):
    actor = Actor.from_request(request)
    due = services.due_for_destruction(actor)
    return render(request, "retention/index.html", _index_context(actor, due, BatchForm(due=due)))


def _index_context(actor, due, form) -> dict:
    today = timezone.localdate()
    owed = [(r, (r.due_on - today).days, (today - r.due_on).days) for r in services.open_requests(actor)]
    return {
        "due": due,
        "form": form,
        "owed": owed,
        "requests": services.all_requests(actor),
        "search": CaseNumberForm(),
        "today": today,
    }


@login_required
@require_POST
def approve(request):
    actor = Actor.from_request(request)
    due = services.due_for_destruction(actor)
    form = BatchForm(request.POST, due=due)
    if form.is_valid():
        try:
            services.approve_batch(actor, form.cleaned_data["cases"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The destruction is approved; the files are destroyed in the background."))
            return redirect("retention:index")
    return render(request, "retention/index.html", _index_context(actor, due, form), status=400)


@login_required
def new_request(request):
    actor = Actor.from_request(request)
    services.officer_organisations(actor)
    search = CaseNumberForm(request.GET if "number" in request.GET else None)
    case = (
        services.officer_case(actor, search.cleaned_data["number"]) if search.is_bound and search.is_valid() else None
    )
    form = None
    if case is not None:
        persons = list(case.persons.all())
        log_access(actor, Action.VIEW, [person_access(p) for p in persons])
        form = NewRequestForm(request.POST or None, persons=persons, initial={"received_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            try:
                record = services.record_request(
                    actor, case, form.cleaned_data["requested_by"], form.cleaned_data["received_on"]
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("The request is recorded."))
                return redirect("retention:request", record.pk)
    return render(request, "retention/new_request.html", {"search": search, "case": case, "form": form})


@login_required
def request_detail(request, request_id):
    actor = Actor.from_request(request)
    record = services.get_request(actor, request_id)
    form = DecisionForm(request.POST or None, initial={"version": record.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decide_request(
                actor, record.pk, data["decision"], data["legal_exception"], data["answer"], data["version"]
            )
        except ValidationError as error:
            apply_service_errors(form, error)
            status = 400
        else:
            messages.success(request, _("The answer is recorded."))
            return redirect("retention:request", record.pk)
    elif request.method == "POST":
        status = 400
    entitled = record.requested_by is not None and services.entitled(record.requested_by, timezone.localdate())
    return render(
        request,
        "retention/request.html",
        {"record": record, "form": form, "entitled": entitled, "today": timezone.localdate()},
        status=status,
    )


@login_required
def request_letter(request, request_id):
    """The answer letter of a request, as a PDF attachment for the officer to send."""
    record, content = services.answer_letter(Actor.from_request(request), request_id)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="antwoord-verzoek-vernietiging-{record.pk}.pdf"'
    return response


@login_required
def find_file(request):
    """A closed file's retention period, found by its case number."""
    actor = Actor.from_request(request)
    services.officer_organisations(actor)
    search = CaseNumberForm(request.GET if "number" in request.GET else None)
    if search.is_bound and search.is_valid():
        try:
            period = services.find_period(actor, search.cleaned_data["number"])
        except ValidationError as error:
            apply_service_errors(search, error)
        except NotFound as missing:
            search.add_error("number", str(missing))
        else:
            return redirect("retention:period", period.pk)
    status = 400 if search.is_bound else 200
    return render(request, "retention/find.html", {"search": search}, status=status)


@login_required
def period_detail(request, period_id):
    """A retention period with its history, and lengthening it by hand (decision 212)."""
    actor = Actor.from_request(request)
    period = services.get_period(actor, period_id)
    form = ExtensionForm(request.POST or None, initial={"current_until": period.retain_until})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.extend_period(
                    actor, period.pk, data["new_until"], data["reason"], data["explanation"], data["current_until"]
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("The retention period is lengthened."))
                return redirect("retention:period", period.pk)
    context = {
        "period": period,
        "minimum": services.minimum_until(period),
        "extensions": list(period.extensions.select_related("recorded_by")),
        "form": form,
        "today": timezone.localdate(),
    }
    return render(request, "retention/period.html", context, status=status)
