"""The registration pages of a trajectory: the family characteristics, the outcomes per moment, and the
instruments filled in. Thin: parse, call a query or a service, render. Every page reads through
``queries.registration_view``, which starts from the case's visibility query and logs what it returns."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kring.cases import queries as case_queries
from kring.core.actor import Actor
from kring.core.forms import apply_service_errors, submit_versioned
from kring.methods.templatetags.method_names import method_name

from . import instrument_entry, queries, services
from .choices import EntryMode, Moment, ProblemArea
from .forms import AdministrationForm, OutcomeForm, QuestionnaireRequestForm, RegistrationForm, RemoveForm


def _posted(request):
    return request.POST if request.method == "POST" else None


def _load(request, pk, trajectory_id):
    return queries.registration_view(Actor.from_request(request), pk, trajectory_id)


def _context(request, view, **extra):
    return {
        "case": view.case,
        "trajectory": view.trajectory,
        "view": view,
        "method_name": method_name(view.trajectory.method_code),
        "may_register": services.can_register(request.user, view.case, view.trajectory),
        **extra,
    }


def _refuse_form(request, view):
    if request.method != "POST" and not services.can_register(request.user, view.case, view.trajectory):
        raise PermissionDenied(_("You cannot change this registration."))


def _overview_url(pk, trajectory_id, anchor=""):
    url = reverse("measures:registration", kwargs={"pk": pk, "trajectory_id": trajectory_id})
    return f"{url}#{anchor}" if anchor else url


@login_required
def registration_list(request, pk):
    case, trajectories = queries.case_registrations(Actor.from_request(request), pk)
    return render(request, "measures/list.html", {"case": case, "trajectories": trajectories})


@login_required
def registration(request, pk, trajectory_id):
    view = _load(request, pk, trajectory_id)
    rows = [(a, instrument_entry.display(a)) for a in view.administrations]
    chosen = view.registration.problem_areas if view.registration else []
    ask = QuestionnaireRequestForm(
        links=view.links, instruments=instrument_entry.link_choices(), initial={"respondent": "network_member"}
    )
    return render(
        request,
        "measures/registration.html",
        _context(
            request,
            view,
            administrations=rows,
            instrument_choices=instrument_entry.entry_choices(),
            problem_area_labels=[label for code, label in ProblemArea.choices if code in chosen],
            ask_form=ask,
            requests=[
                (
                    r,
                    instrument_entry.text(instrument_entry.definition(r.instrument_code).name)
                    if instrument_entry.definition(r.instrument_code)
                    else r.instrument_code,
                )
                for r in view.requests
            ],
        ),
    )


@login_required
@require_POST
def questionnaire_request(request, pk, trajectory_id):
    view = _load(request, pk, trajectory_id)
    form = QuestionnaireRequestForm(request.POST, links=view.links, instruments=instrument_entry.link_choices())
    if form.is_valid():
        try:
            services.request_questionnaire(Actor.from_request(request), pk, trajectory_id, form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The questionnaire is waiting on the person's own link page."))
    else:
        messages.error(request, _("Choose a person, an instrument, a moment and a respondent."))
    return redirect(_overview_url(pk, trajectory_id, "questionnaires"))


@login_required
def characteristics(request, pk, trajectory_id):
    view = _load(request, pk, trajectory_id)
    _refuse_form(request, view)

    def save(form):
        services.save_registration(
            Actor.from_request(request),
            pk,
            trajectory_id,
            form.changes(),
            form.cleaned_data.get("version"),
            refresh_snapshot=form.cleaned_data.get("refresh_snapshot", False),
        )

    result = submit_versioned(
        request, RegistrationForm, view.registration, save, lambda: _load(request, pk, trajectory_id).registration
    )
    if result.saved:
        messages.success(request, _("The registration was saved."))
        return redirect(_overview_url(pk, trajectory_id))
    return render(
        request,
        "measures/characteristics_form.html",
        _context(request, view, form=result.form, stale=result.stale),
        status=result.status,
    )


@login_required
def outcome(request, pk, trajectory_id, moment):
    if moment not in Moment.values:
        raise Http404
    view = _load(request, pk, trajectory_id)
    _refuse_form(request, view)

    def save(form):
        services.record_outcome(
            Actor.from_request(request),
            pk,
            trajectory_id,
            moment,
            form.changes(),
            form.cleaned_data.get("version"),
        )

    result = submit_versioned(
        request, OutcomeForm, view.outcome(moment), save, lambda: _load(request, pk, trajectory_id).outcome(moment)
    )
    if result.saved:
        messages.success(request, _("The outcomes were saved."))
        return redirect(_overview_url(pk, trajectory_id, "moments"))
    return render(
        request,
        "measures/outcome_form.html",
        _context(request, view, form=result.form, stale=result.stale, moment=Moment(moment)),
        status=result.status,
    )


@login_required
def administration_add(request, pk, trajectory_id, instrument_code, mode):
    definition = instrument_entry.definition(instrument_code)
    if definition is None or mode not in (EntryMode.ITEMS, EntryMode.TOTALS) or mode not in definition.entry_modes:
        raise Http404
    view = _load(request, pk, trajectory_id)
    _refuse_form(request, view)
    form = AdministrationForm(
        _posted(request),
        fields=instrument_entry.entry_fields(definition, mode),
        respondents=definition.respondents,
        persons=case_queries.persons_offered(Actor.from_request(request), view.case),
        initial={"moment": request.GET.get("moment", Moment.T0)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_administration(
                Actor.from_request(request),
                pk,
                trajectory_id,
                {"instrument": definition.code, "mode": mode, **form.meta()},
                form.values(),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The instrument was entered and scored."))
            return redirect(_overview_url(pk, trajectory_id, "instruments"))
    return render(
        request,
        "measures/administration_form.html",
        _context(
            request,
            view,
            form=form,
            definition=definition,
            instrument=instrument_entry.describe(definition),
            mode=EntryMode(mode),
        ),
    )


@login_required
def administration_remove(request, pk, trajectory_id, administration_id):
    view = _load(request, pk, trajectory_id)
    record = view.administration(administration_id)
    _refuse_form(request, view)
    form = RemoveForm(_posted(request), initial={"version": record.version})
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_administration(
                Actor.from_request(request),
                pk,
                trajectory_id,
                record.pk,
                form.cleaned_data["version"],
            )
        except ValidationError as error:
            errors = [m for messages_ in error.message_dict.values() for m in messages_]
        else:
            messages.success(request, _("The instrument was taken out."))
            return redirect(_overview_url(pk, trajectory_id, "instruments"))
    return render(
        request,
        "measures/administration_remove.html",
        _context(request, view, form=form, record=record, display=instrument_entry.display(record), errors=errors),
    )
