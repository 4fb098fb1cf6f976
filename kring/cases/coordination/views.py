"""Pages of the independent coordinators (decisions 240-249). Thin: parse with a form, call a query or service.

- ``/cases/<pk>/coordinator/``: from the case, refer it to a coordinating office, see the office's pool ranked for
  it with the reasons, record the family's choice, see and end its assignments;
- ``/coordination/``: the office's open requests (confirm a coordinator) and its assignments with their totals;
- ``/coordination/pool/``: the office's pool, each coordinator's profile;
- ``/coordination/invoice.csv``: the hours and costs for the office's invoice;
- ``/coordination/hours/``: the coordinator's own assignments, hours and costs.
"""

import csv
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from kring.core.actor import Actor
from kring.core.errors import StaleEdit
from kring.core.forms import apply_service_errors

from .. import queries as case_queries
from . import matching, queries, services
from .forms import ConfirmForm, EndForm, FamilyChoiceForm, ProfileForm, RequestForm, TimeEntryForm

REASON_TEXTS = {
    "speaks": _("speaks %(value)s"),
    "does_not_speak": _("does not speak %(value)s"),
    "region": _("works in the region %(value)s"),
    "other_region": _("works in another region"),
    "culture": _("background: %(value)s"),
    "available": _("available (%(value)s assignments)"),
    "full": _("no room: %(value)s assignments"),
    "not_yet": _("available from %(value)s"),
    "no_longer": _("available until %(value)s"),
}


def reason_text(reason: matching.Reason) -> str:
    value = reason.value
    if reason.code in ("speaks", "does_not_speak"):
        value = matching.language_label(value)
    elif reason.code in ("not_yet", "no_longer"):
        value = datetime.date.fromisoformat(value).strftime("%d-%m-%Y")
    return str(REASON_TEXTS[reason.code]) % {"value": value}


def with_reason_texts(matches) -> list[dict]:
    return [
        {
            "match": m,
            "reasons": [{"text": reason_text(r), "good": r.good} for r in m.reasons],
        }
        for m in matches
    ]


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


# ---- from the case -------------------------------------------------------------------------------------------


@login_required
def case_coordinator(request, pk):
    actor = Actor.from_request(request)
    case = case_queries.get_case(actor, pk)
    may_refer = services.may_refer(request.user, case)
    offices = queries.coordinating_offices()
    new_form = RequestForm(
        request.POST if request.method == "POST" and request.POST.get("action") == "request" else None,
        case=case,
        offices=offices,
        languages=services.case_languages(case),
        region=services.case_region(case),
    )
    bound_choice, stale = None, False
    if request.method == "POST":
        if not may_refer:
            # Refused as the services refuse it: logged, and nothing changes.
            services.refuse_referral(actor, case)
        action = request.POST.get("action")
        try:
            if action == "request" and new_form.is_valid():
                services.request_coordinator(actor, pk, new_form.service_data())
                messages.success(request, _("The case was referred to the office."))
                return redirect("cases:coordinator", pk=pk)
            if action == "choice":
                bound_choice = _record_choice(request, actor, case)
                if bound_choice is None:
                    messages.success(request, _("The family's choice was recorded."))
                    return redirect("cases:coordinator", pk=pk)
            if action == "withdraw":
                services.withdraw_request(actor, pk, _int(request.POST.get("request")), request.POST.get("version"))
                messages.success(request, _("The request was withdrawn."))
                return redirect("cases:coordinator", pk=pk)
            if action == "end":
                end = EndForm(request.POST)
                if end.is_valid() and services.assignment_of_case(end.cleaned_data["assignment"], case):
                    services.end_assignment(
                        actor, end.cleaned_data["assignment"], end.cleaned_data["ends_on"], end.cleaned_data["version"]
                    )
                    messages.success(request, _("The assignment was ended."))
                    return redirect("cases:coordinator", pk=pk)
                raise Http404
        except ValidationError as error:
            if action == "request":
                apply_service_errors(new_form, error)
            else:
                messages.error(request, " ".join(error.messages))
        except StaleEdit as error:
            messages.error(request, str(error))
            stale = True
    shown = queries.case_coordination(actor, case)
    rows = []
    for view in shown["requests"]:
        form = None
        if view.request.status == "open":
            if bound_choice is not None and bound_choice.initial.get("request") == view.request.pk:
                form = bound_choice
            else:
                form = FamilyChoiceForm(request=view.request, matches=view.matches)
        rows.append({"request": view.request, "matches": with_reason_texts(view.matches), "choice_form": form})
    status = 409 if stale else 400 if request.method == "POST" else 200
    return render(
        request,
        "cases/coordination/case.html",
        {
            "case": case,
            "may_refer": may_refer,
            "offices": offices,
            "form": new_form,
            "rows": rows,
            "assignments": shown["assignments"],
            "today": shown["today"],
        },
        status=status,
    )


def _record_choice(request, actor, case):
    """Record the family's choice; None when saved, else the bound form with its errors."""
    request_id = _int(request.POST.get("request"))
    asked = services.case_request(case, request_id)
    form = FamilyChoiceForm(request.POST, request=asked, matches=queries.request_matches(asked))
    form.initial["request"] = asked.pk
    if not form.is_valid():
        return form
    try:
        services.record_family_choice(
            actor,
            case.pk,
            asked.pk,
            form.coordinator_id,
            form.cleaned_data["chosen_on"],
            form.cleaned_data["version"],
        )
    except ValidationError as error:
        apply_service_errors(form, error)
        return form
    return None


# ---- the office ------------------------------------------------------------------------------------------------


def _office_staff(request):
    if not services.staffed_offices(request.user):
        raise PermissionDenied(_("Only a team lead or administrator of a coordinating office opens this page."))


@login_required
def office(request):
    _office_staff(request)
    actor = Actor.from_request(request)
    errors: dict[int, object] = {}
    stale = False
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "confirm":
                form = ConfirmForm(request.POST)
                if form.is_valid():
                    services.confirm_assignment(
                        actor,
                        form.cleaned_data["request"],
                        form.cleaned_data["coordinator"],
                        form.cleaned_data["starts_on"],
                        form.cleaned_data["version"],
                    )
                    messages.success(request, _("The assignment was confirmed."))
                    return redirect("coordination:office")
                errors[_int(request.POST.get("request"))] = form
            elif action == "end":
                end = EndForm(request.POST)
                if not end.is_valid():
                    raise Http404
                services.end_assignment(
                    actor, end.cleaned_data["assignment"], end.cleaned_data["ends_on"], end.cleaned_data["version"]
                )
                messages.success(request, _("The assignment was ended."))
                return redirect("coordination:office")
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except StaleEdit as error:
            messages.error(request, str(error))
            stale = True
    shown = queries.office_overview(actor)
    rows = []
    for view in shown["requests"]:
        form = ConfirmForm(request=view.request, matches=view.matches)
        if view.request.pk in errors:
            failed = errors[view.request.pk]
            form = ConfirmForm(failed.data, request=view.request, matches=view.matches)
            form.is_valid()
        rows.append({"request": view.request, "matches": with_reason_texts(view.matches), "form": form})
    return render(
        request,
        "cases/coordination/office.html",
        {**shown, "rows": rows},
        status=409 if stale else 400 if request.method == "POST" else 200,
    )


@login_required
def pool(request):
    _office_staff(request)
    actor = Actor.from_request(request)
    form, stale = None, False
    if request.method == "POST":
        office_id, user_id = _int(request.POST.get("office")), _int(request.POST.get("user"))
        existing = services.profile_of(office_id, user_id)
        form = ProfileForm(request.POST, instance=existing)
        if form.is_valid():
            try:
                services.save_profile(actor, office_id, user_id, form.service_data(), form.cleaned_data["version"])
            except ValidationError as error:
                apply_service_errors(form, error)
            except StaleEdit as error:
                messages.error(request, str(error))
                stale = True
            else:
                messages.success(request, _("The profile was saved."))
                return redirect("coordination:pool")
    elif "office" in request.GET and "user" in request.GET:
        office_id, user_id = _int(request.GET["office"]), _int(request.GET["user"])
        if office_id not in services.staffed_office_ids(request.user):
            raise Http404
        existing = services.profile_of(office_id, user_id)
        form = ProfileForm(
            instance=existing,
            initial={"office": office_id, "user": user_id, "version": existing.version if existing else None},
        )
    shown = queries.pool(actor)
    editing = None
    if form is not None:
        editing = next(
            (
                r
                for r in shown["rows"]
                if r["office"].pk == form["office"].value() and r["user"].pk == form["user"].value()
            ),
            None,
        )
        if editing is None and request.method == "GET":
            raise Http404
    return render(
        request,
        "cases/coordination/pool.html",
        {**shown, "form": form, "editing": editing},
        status=409 if stale else 400 if request.method == "POST" else 200,
    )


@login_required
def invoice(request):
    _office_staff(request)
    first = parse_date(request.GET.get("from", "") or "") if request.GET.get("from") else None
    last = parse_date(request.GET.get("until", "") or "") if request.GET.get("until") else None
    rows = queries.invoice_rows(Actor.from_request(request), first, last)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="coordinators-{timezone.localdate().isoformat()}.csv"'
    writer = csv.writer(response, delimiter=";")
    writer.writerow(queries.INVOICE_COLUMNS)
    for row in rows:
        writer.writerow(row)
    return response


# ---- the coordinator --------------------------------------------------------------------------------------------


@login_required
def hours(request):
    actor = Actor.from_request(request)
    own = queries.my_assignments(actor)
    form = TimeEntryForm(request.POST or None, assignments=[o.assignment for o in own])
    if request.method == "POST" and form.is_valid():
        try:
            services.record_time(actor, _int(form.cleaned_data["assignment"]), form.service_data())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The hours were recorded."))
            return redirect("coordination:hours")
    return render(
        request,
        "cases/coordination/hours.html",
        {"own": own, "form": form, "today": timezone.localdate()},
        status=400 if request.method == "POST" else 200,
    )
