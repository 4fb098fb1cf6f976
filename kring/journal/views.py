"""Journal pages. Thin: parse the request, call a query or a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kring.cases.confidentiality import address_warning_for
from kring.cases.editing import can_edit_case
from kring.cases.queries import get_case, log_person_choices
from kring.core.actor import Actor
from kring.core.errors import StaleEdit
from kring.core.forms import apply_service_errors

from . import beside, queries, services
from .forms import CorrectionForm, EntryForm, FilterForm


@login_required
def journal(request, pk):
    actor = Actor.from_request(request)
    filters = queries.JournalFilter(page=request.GET.get("page", 1))
    case = get_case(actor, pk, log=False)
    persons = queries.case_persons(case)
    form = FilterForm(request.GET or None, persons=persons)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters.category = data["category"]
        filters.person_id = data["person"]
        filters.all_versions = data["versions"]
    page, entries = queries.journal_page(actor, case, filters, offered_persons=persons)
    if form.is_bound and not form.is_valid():
        # A filter that cannot be applied shows nothing and says why, rather than the whole journal.
        entries = []
    beside.attach(entries)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "journal/list.html",
        {
            "case": case,
            "form": form,
            "page": page,
            "entries": entries,
            "query": query.urlencode(),
            "can_edit": can_edit_case(request.user, case),
        },
    )


def _warn_about_addresses(request, case, text) -> None:
    """Decision 202: a confidential address in the text is pointed out to the writer (the entry is kept)."""
    warning = address_warning_for(case, text)
    if warning:
        messages.warning(request, warning)


@login_required
def write(request, pk):
    actor = Actor.from_request(request)
    case = get_case(actor, pk)
    form = EntryForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.write_entry(actor, pk, form.service_data())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The journal entry was saved."))
            _warn_about_addresses(request, case, form.cleaned_data.get("text", ""))
            return redirect("journal:list", pk=pk)
    log_person_choices(actor, form)
    return render(request, "journal/entry_form.html", {"case": case, "form": form})


@login_required
def correct(request, pk, journal_entry_id):
    actor = Actor.from_request(request)
    case = get_case(actor, pk)
    original = queries.get_entry(actor, case, journal_entry_id)
    form = CorrectionForm(request.POST or None, case=case, original=original)
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_entry(actor, pk, journal_entry_id, form.service_data())
        except StaleEdit as error:
            stale = error
            original = queries.get_entry(actor, case, journal_entry_id)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The correction was saved; the earlier version stays in the journal."))
            _warn_about_addresses(request, case, form.cleaned_data.get("text", ""))
            return redirect("journal:list", pk=pk)
    log_person_choices(actor, form)
    return render(
        request,
        "journal/correction_form.html",
        {"case": case, "form": form, "original": original, "stale": stale},
        status=409 if stale else 200,
    )
