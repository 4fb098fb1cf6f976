"""Transfer pages: a case's transfers (propose, withdraw, send as a package) at /cases/<pk>/transfer/, the
transfers offered to one's organisation at /transfers/ (accept or refuse), taking a package in, and the trusted
senders. Thin: parse, call a query or a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kring.core.actor import Actor
from kring.core.errors import StaleEdit
from kring.core.forms import apply_service_errors

from . import queries, services
from .forms import AcceptForm, ImportForm, ProposeForm, RefuseForm, TrustedSenderForm


def _actor(request):
    return Actor.from_request(request)


@login_required
def case_transfers(request, pk):
    actor = _actor(request)
    page = queries.case_transfers(actor, pk)
    form = ProposeForm(
        request.POST if request.method == "POST" else None,
        organisations=page["organisations"],
        consents=page["consents"],
        documents=page["documents"],
    )
    if request.method == "POST":
        if not page["may_propose"]:
            services.propose(actor, pk, {})  # refused and logged by the service
        if form.is_valid():
            try:
                services.propose(actor, pk, dict(form.cleaned_data))
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("The transfer is proposed."))
                return redirect("transfer:case", pk=pk)
    return render(request, "transfer/case.html", {**page, "form": form})


@login_required
@require_POST
def withdraw(request, transfer_id):
    actor = _actor(request)
    transfer = queries.sender_transfer(actor, transfer_id)
    try:
        services.withdraw(actor, transfer_id, request.POST.get("version"))
    except (ValidationError, StaleEdit) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("The transfer is withdrawn."))
    return redirect("transfer:case", pk=transfer.sending_case_id)


@login_required
@require_POST
def export(request, transfer_id):
    actor = _actor(request)
    transfer = queries.sender_transfer(actor, transfer_id)
    try:
        services.export_package(actor, transfer_id, request.POST.get("version"))
    except (ValidationError, StaleEdit) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request, _("The package is made and the case is closed. Download the package and give it to the receiver.")
        )
    return redirect("transfer:case", pk=transfer.sending_case_id)


@login_required
def download(request, transfer_id):
    actor = _actor(request)
    queries.sender_transfer(actor, transfer_id)
    try:
        transfer, data = services.package_bytes(actor, transfer_id)
    except ValidationError as error:
        return render(request, "transfer/package_problem.html", {"messages_": error.messages}, status=409)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="kring-transfer-{transfer.pk}.zip"'
    return response


@login_required
def incoming(request):
    actor = _actor(request)
    return render(request, "transfer/incoming.html", {"transfers": queries.incoming(actor)})


def _decision_page(request, actor, transfer, accept_form=None, refuse_form=None, status=200):
    choices = queries.accept_choices(transfer)
    initial = {"version": transfer.version}
    accept_form = accept_form or AcceptForm(initial=initial, **choices)
    refuse_form = refuse_form or RefuseForm(initial=initial)
    return render(
        request,
        "transfer/incoming_detail.html",
        {"transfer": transfer, "accept_form": accept_form, "refuse_form": refuse_form},
        status=status,
    )


@login_required
def incoming_detail(request, transfer_id):
    actor = _actor(request)
    transfer = queries.incoming_transfer(actor, transfer_id)
    return _decision_page(request, actor, transfer)


@login_required
@require_POST
def accept(request, transfer_id):
    actor = _actor(request)
    transfer = queries.incoming_transfer(actor, transfer_id)
    form = AcceptForm(request.POST, **queries.accept_choices(transfer))
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            case = services.accept(actor, transfer_id, data, form.cleaned_data["version"])
        except ValidationError as error:
            apply_service_errors(form, error)
        except StaleEdit as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The transfer is accepted; this is the new case."))
            return redirect("cases:detail", pk=case.pk)
    return _decision_page(request, actor, transfer, accept_form=form, status=400)


@login_required
@require_POST
def refuse(request, transfer_id):
    actor = _actor(request)
    transfer = queries.incoming_transfer(actor, transfer_id)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            services.refuse(actor, transfer_id, form.cleaned_data["reason"], form.cleaned_data["version"])
        except ValidationError as error:
            apply_service_errors(form, error)
        except StaleEdit as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The transfer is refused; the sender can read your reason."))
            return redirect("transfer:incoming")
    return _decision_page(request, actor, transfer, refuse_form=form, status=400)


@login_required
def import_package(request):
    actor = _actor(request)
    organisations = queries.receiver_organisations(actor)
    if not organisations:
        raise PermissionDenied(_("Only a team lead or coordinator can take a transfer in."))
    form = ImportForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.import_package(
                actor, form.cleaned_data["organisation"], form.cleaned_data["file"].read()
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The package is taken in. Accept or refuse the transfer."))
            return redirect("transfer:incoming_detail", transfer_id=transfer.pk)
    return render(request, "transfer/import.html", {"form": form})


@login_required
def trusted_senders(request):
    actor = _actor(request)
    page = queries.keeper_page(actor)
    if not page["organisations"]:
        raise PermissionDenied(_("Only the privacy officer or the functional administrator keeps the trusted senders."))
    form = TrustedSenderForm(request.POST or None, organisations=page["organisations"])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_trusted_sender(actor, data["organisation"], data["name"], data["public_key"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The sender is trusted now."))
            return redirect("transfer:trusted")
    return render(request, "transfer/trusted.html", {**page, "form": form})


@login_required
@require_POST
def trusted_sender_toggle(request, sender_id):
    actor = _actor(request)
    services.set_sender_trusted(actor, sender_id, request.POST.get("trusted") == "1")
    return redirect("transfer:trusted")
