"""The privacy officer's pages for retention: files due for destruction (approve a batch) and requests to destroy a
file. Thin: a form, a service, a page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kring.audit.services import Action, log_access, person_access
from kring.core.actor import Actor
from kring.core.forms import apply_service_errors

from . import services
from .forms import BatchForm, CaseNumberForm, DecisionForm, NewRequestForm
from .models import DestructionRequest


@login_required
def index(request):
    actor = Actor.from_request(request)
    due = services.due_for_destruction(actor)
    organisations = services.officer_organisations(actor)
    return render(
        request,
        "retention/index.html",
        {
            "due": due,
            "form": BatchForm(due=due),
            "requests": DestructionRequest.objects.filter(organisation_id__in=organisations).order_by(
                "-received_on", "-id"
            )[:200],
            "today": timezone.localdate(),
        },
    )


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
    organisations = services.officer_organisations(actor)
    return render(
        request,
        "retention/index.html",
        {
            "due": due,
            "form": form,
            "requests": DestructionRequest.objects.filter(organisation_id__in=organisations)[:200],
            "today": timezone.localdate(),
        },
        status=400,
    )


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
