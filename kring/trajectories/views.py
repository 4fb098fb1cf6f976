"""Pages of a case's trajectories: the method selector, offering a method, the trajectory with its phases,
clocks and status steps, the coordinator, and the legal record (Jeugdwet or the Flemish access gate).

Thin: parse with a form, call a query or a service, render. Refused steps come back as messages beside the form.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kring.accounts.models import Membership, Role
from kring.cases import queries as case_queries
from kring.cases.choices import legal_context_choices
from kring.cases.coordination.queries import assigned_coordinator_ids
from kring.cases.editing import can_edit_case
from kring.core.actor import Actor
from kring.core.errors import NotFound
from kring.core.forms import apply_service_errors, at_version, save_versioned
from kring.methods.catalogue import catalogue

from . import consents, deadlines, queries, services
from .choices import DeadlineKind
from .core import states
from .forms import (
    AdvancePhaseForm,
    ChoiceForm,
    CoordinatorForm,
    FamilyPlanRightForm,
    OfferForm,
    SelectorForm,
    StatusForm,
    StrengthsExplorationForm,
)


def _actor(request):
    return Actor.from_request(request)


def _case(request, pk, log=True):
    return case_queries.get_case(_actor(request), pk, log=log)


def _pick(text: dict, language: str) -> str:
    return text.get(language) or text.get("nl") or next(iter(text.values()), "")


def _phase_names(trajectory, language):
    return {p["code"]: _pick(p["name"], language) for p in trajectory.phases_followed}


def _method_name(code, language):
    definition = catalogue().get(code)
    if definition is None:
        return code
    return definition.name.en if language == "en" else definition.name.nl


# ---- overview ------------------------------------------------------------------------------------------------


@login_required
def overview(request, pk):
    """The case's methods: trajectories with their clocks, the selections made, and the legal record."""
    case = _case(request, pk)
    actor = _actor(request)
    language = request.LANGUAGE_CODE
    today = timezone.localdate()
    trajectories = queries.trajectories_for_case(actor, case)
    rows = [
        {
            "trajectory": t,
            "method": _method_name(t.method_code, language),
            "clocks": deadlines.clocks(t, today),
            "phase": _phase_names(t, language).get(t.current_phase, ""),
        }
        for t in trajectories
    ]
    runs = queries.selector_runs(actor, case)
    legal = queries.legal_record(actor, case)
    legal_deadlines = []
    if legal is not None and case.organisation.jurisdiction == "NL":
        legal_deadlines = [(DeadlineKind(d.kind).label, d, d.state(today)) for d in deadlines.legal_deadlines(legal)]
    return render(
        request,
        "trajectories/overview.html",
        {
            "case": case,
            "rows": rows,
            "runs": runs,
            "legal": legal,
            "legal_deadlines": legal_deadlines,
            "can_edit": can_edit_case(request.user, case),
            "offer_form": OfferForm(language=language),
            "method_names": {code: _method_name(code, language) for code in catalogue()},
        },
    )


# ---- the selector --------------------------------------------------------------------------------------------


def _selector_initial(actor, case, request):
    """Start from what Kring already knows: the case's safety concern and legal context, and the network map."""
    from kring.network import queries as network_queries

    initial = {"safety_concern": case.safety_concern, "legal_context": case.legal_context}
    try:
        _case_again, network = network_queries.network_for_case(actor, case.pk)
    except NotFound:
        return initial
    summary = network_queries.summary(case, network)
    initial["network_size"] = summary.informal
    # Persons the map marks unsafe are shown beside the question; whether the network as such is a danger
    # stays the worker's judgement.
    initial["unsafe_on_map"] = sorted(m.name for m in network.members if m.safety == "unsafe")
    return initial


@login_required
def selector(request, pk):
    case = _case(request, pk)
    actor = _actor(request)
    language = request.LANGUAGE_CODE
    kwargs = {"legal_contexts": legal_context_choices(case.organisation.jurisdiction), "language": language}
    if request.method == "POST":
        form = SelectorForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                run = services.run_selector(actor, pk, form.answers())
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                return redirect("trajectories:selector_run", pk=pk, run_id=run.pk)
        unsafe = []
    else:
        initial = _selector_initial(actor, case, request)
        unsafe = initial.pop("unsafe_on_map", [])
        form = SelectorForm(initial=initial, **kwargs)
    if unsafe:
        form.fields["network_unsafe"].help_text = _("The network map marks as unsafe: %(names)s.") % {
            "names": ", ".join(unsafe)
        }
    return render(request, "trajectories/selector.html", {"case": case, "form": form})


def _ranking_rows(run, language):
    rows = []
    for position, item in enumerate(run.suggestion, 1):
        rows.append(
            {
                "position": position,
                "method": item["method"],
                "name": _pick(item["name"], language),
                "score": item["score"],
                "excluded": item["excluded"],
                "for": [_pick(r["text"], language) for r in item["reasons_for"]],
                "against": [_pick(r["text"], language) for r in item["reasons_against"]],
                "warnings": [_pick(r["text"], language) for r in item["warnings"]],
                "family_lead": item["continua"].get("family_lead"),
                "network_breadth": item["continua"].get("network_breadth"),
            }
        )
    return rows


def _answer_rows(run, language):
    """The answers as the worker gave them, in readable words."""
    from kring.cases.choices import LegalContext

    form = SelectorForm(language=language, legal_contexts=LegalContext.choices)
    rows = []
    for name, field in form.fields.items():
        value = run.answers.get(name)
        choices = dict(getattr(field, "choices", []) or [])
        if isinstance(value, list):
            shown = ", ".join(str(choices.get(v, v)) for v in value) or "—"
        elif isinstance(value, bool):
            shown = _("yes") if value else _("no")
        elif value in (None, ""):
            shown = "—"
        else:
            shown = str(choices.get(value, value))
        rows.append((field.label, shown))
    return rows


@login_required
def selector_run(request, pk, run_id):
    case = _case(request, pk)
    actor = _actor(request)
    language = request.LANGUAGE_CODE
    run = queries.get_selector_run(actor, case, run_id)
    if request.method == "POST":
        form = ChoiceForm(request.POST, language=language)
    else:
        form = ChoiceForm(
            initial={
                "chosen_method": run.chosen_method or run.top_method,
                "chosen_variant": run.chosen_variant,
                "choice_reason": run.choice_reason,
                "version": run.version,
            },
            language=language,
        )

    def save(form):
        data = form.cleaned_data
        services.choose_method(
            actor, pk, run_id, data["chosen_method"], data["chosen_variant"], data["choice_reason"], data["version"]
        )

    # After a stale edit the choice is shown again as it was posted, beside what changed.
    result = save_versioned(request, form, save, refill=lambda: form)
    if result.saved:
        messages.success(request, _("The choice was recorded."))
        return redirect("trajectories:selector_run", pk=pk, run_id=run_id)
    offer_form = OfferForm(
        initial={"method_code": run.chosen_method, "variant_code": run.chosen_variant, "selector_run": run.pk},
        language=language,
    )
    return render(
        request,
        "trajectories/selector_run.html",
        {
            "case": case,
            "run": run,
            "rows": _ranking_rows(run, language),
            "answers": _answer_rows(run, language),
            "form": result.form,
            "stale": result.stale,
            "offer_form": offer_form,
            "top_name": _method_name(run.top_method, language),
            "chosen_name": _method_name(run.chosen_method, language) if run.chosen_method else "",
            "can_edit": can_edit_case(request.user, case),
        },
        status=result.status,
    )


# ---- offering and the trajectory ------------------------------------------------------------------------------


@login_required
def offer(request, pk):
    case = _case(request, pk)
    language = request.LANGUAGE_CODE
    form = OfferForm(request.POST or None, language=language)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            trajectory = services.offer_trajectory(
                _actor(request),
                pk,
                data["method_code"],
                data["offered_on"],
                data["variant_code"],
                data.get("selector_run"),
                data["note"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The method was offered to the family."))
            return redirect("trajectories:detail", pk=pk, trajectory_id=trajectory.pk)
    return render(
        request,
        "trajectories/offer.html",
        {"case": case, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _coordinators(case):
    from kring.accounts.models import User

    # The organisation's coordinators, and the independent ones assigned to this case (decision 247).
    return (
        User.objects.filter(
            Q(
                memberships__organisation=case.organisation,
                memberships__role=Role.COORDINATOR,
                memberships__active=True,
            )
            | Q(pk__in=assigned_coordinator_ids(case)),
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def _detail_context(request, case, trajectory, **forms):
    language = request.LANGUAGE_CODE
    today = timezone.localdate()
    names = _phase_names(trajectory, language)
    phases = []
    for phase in trajectory.phases.all():
        spec = next((p for p in trajectory.phases_followed if p["code"] == phase.code), {})
        late = bool(phase.started_on and not phase.ended_on and phase.planned_end and phase.planned_end < today)
        phases.append(
            {
                "phase": phase,
                "name": names.get(phase.code, phase.code),
                "spec": spec,
                "late": late,
                "current": phase.code == trajectory.current_phase,
            }
        )
    allowed = states.allowed_from(trajectory.status)
    is_lead = services._is_team_lead(request.user, case)
    can_work = can_edit_case(request.user, case) or trajectory.coordinator_id == request.user.pk
    context = {
        "case": case,
        "trajectory": trajectory,
        "phases": phases,
        "clocks": deadlines.clocks(trajectory, today),
        "method_name": _method_name(trajectory.method_code, language),
        "events": _timeline(trajectory, names),
        "phase_names": names,
        "allowed": allowed,
        "can_work": can_work,
        "is_lead": is_lead,
        "status_form": forms.get("status_form") or StatusForm(initial={"version": trajectory.version}, allowed=allowed),
        "phase_form": forms.get("phase_form") or AdvancePhaseForm(initial={"version": trajectory.version, "on": today}),
        "coordinator_form": forms.get("coordinator_form")
        or CoordinatorForm(
            initial={"version": trajectory.version, "coordinator": trajectory.coordinator_id},
            coordinators=_coordinators(case),
        ),
        "coordinator_warning": forms.get("coordinator_warning", False),
        "stale": forms.get("stale"),
        "active": trajectory.status in states.ACTIVE,
        "variant_name": next(
            (
                _pick(v.name.model_dump(), language)
                for v in getattr(catalogue().get(trajectory.method_code), "variants", [])
                if v.code == trajectory.variant_code
            ),
            "",
        ),
    }
    return context


def _timeline(trajectory, phase_names):
    """The trajectory's events in words, in the order of their dates."""
    from kring.cases.choices import CaseStatus

    from .choices import AbandonmentReason, ClosureReason, FlowEvent

    reasons = {**dict(AbandonmentReason.choices), **dict(ClosureReason.choices)}
    events = sorted(trajectory.events.all(), key=lambda e: (e.on, e.at))
    for event in events:
        if event.kind == "status":
            event.text = _("status: %(status)s") % {"status": _status_label(event.to_value)}
        elif event.kind == "phase":
            parts = []
            if event.from_value in phase_names:
                parts.append(_("phase %(ended)s ended") % {"ended": phase_names[event.from_value]})
            if event.to_value in phase_names:
                parts.append(_("%(started)s started") % {"started": phase_names[event.to_value]})
            event.text = "; ".join(str(part) for part in parts)
        elif event.kind == "case":
            event.text = _("case: %(status)s") % {"status": dict(CaseStatus.choices).get(event.to_value, "")}
        elif event.kind == consents.INVITED_WITHOUT_CONSENT:
            event.text = _("first invitation without the consents: %(purposes)s") % {
                "purposes": consents.missing_labels(event.to_value)
            }
        else:
            event.text = _("coordinator allocated")
        if event.reason:
            event.text += f" ({reasons.get(event.reason, event.reason)})"
        if event.cause in FlowEvent.values:
            event.text += ", " + _("because %(event)s") % {"event": FlowEvent(event.cause).label}
        elif event.kind in ("status", "phase") and event.from_value:
            event.text += ", " + _("by hand")
    return events


def _status_label(code):
    from .choices import Status

    return Status(code).label if code in Status.values else code


def _trajectory(request, pk, trajectory_id):
    return queries.get_trajectory(_actor(request), pk, trajectory_id)


@login_required
def detail(request, pk, trajectory_id):
    case, trajectory = _trajectory(request, pk, trajectory_id)
    return render(request, "trajectories/detail.html", _detail_context(request, case, trajectory))


def _redisplay(request, pk, trajectory_id, status=400, **forms):
    case, trajectory = _trajectory(request, pk, trajectory_id)
    return render(
        request, "trajectories/detail.html", _detail_context(request, case, trajectory, **forms), status=status
    )


def _take_step(request, pk, trajectory_id, form, step):
    """Take a step on the trajectory page: ``step(form)`` calls the service and says what was done, and the page
    follows. After a stale edit the page again with what changed (409); it builds its forms afresh from the stored
    trajectory, so there is no form to refill. None when the form or the service refused the step."""
    result = save_versioned(request, form, step, refill=lambda: None)
    if result.stale:
        return _redisplay(request, pk, trajectory_id, status=409, stale=result.stale)
    if result.saved:
        return redirect("trajectories:detail", pk=pk, trajectory_id=trajectory_id)
    return None


@login_required
@require_POST
def change_status(request, pk, trajectory_id):
    form = StatusForm(request.POST, allowed=states.STATUSES)

    def step(form):
        data = form.cleaned_data
        services.change_status(
            _actor(request),
            pk,
            trajectory_id,
            data["status"],
            data["on"],
            data["reason"],
            data["note"],
            data["version"],
        )
        status = dict(form.fields["status"].choices)[data["status"]]
        messages.success(request, _("The trajectory is now %(status)s.") % {"status": status})

    return _take_step(request, pk, trajectory_id, form, step) or _redisplay(
        request, pk, trajectory_id, status_form=form
    )


@login_required
@require_POST
def advance_phase(request, pk, trajectory_id):
    form = AdvancePhaseForm(request.POST)

    def step(form):
        services.advance_phase(
            _actor(request), pk, trajectory_id, form.cleaned_data["on"], form.cleaned_data["version"]
        )
        messages.success(request, _("The next phase has started."))

    return _take_step(request, pk, trajectory_id, form, step) or _redisplay(request, pk, trajectory_id, phase_form=form)


@login_required
@require_POST
def allocate_coordinator(request, pk, trajectory_id):
    case, _trajectory_record = _trajectory(request, pk, trajectory_id)
    form = CoordinatorForm(request.POST, coordinators=_coordinators(case))
    warning = False

    def step(form):
        nonlocal warning
        data = form.cleaned_data
        try:
            services.allocate_coordinator(
                _actor(request),
                pk,
                trajectory_id,
                int(data["coordinator"]),
                data["accept_case_worker"],
                data["version"],
            )
        except ValidationError as error:
            # The page then asks whether the case worker may coordinate after all.
            warning = any(
                e.code == "coordinator_is_case_worker" for e in getattr(error, "error_dict", {}).get("coordinator", [])
            )
            raise
        messages.success(request, _("The coordinator was allocated."))

    return _take_step(request, pk, trajectory_id, form, step) or _redisplay(
        request, pk, trajectory_id, coordinator_form=form, coordinator_warning=warning
    )


# ---- the law -------------------------------------------------------------------------------------------------


@login_required
def legal(request, pk):
    """Jeugdwet art. 4.1.2/4.1.3 for a Dutch case; the exploration of own strengths for a Flemish one."""
    case = _case(request, pk)
    actor = _actor(request)
    record = queries.legal_record(actor, case)
    dutch = case.organisation.jurisdiction == "NL"
    form_class = FamilyPlanRightForm if dutch else StrengthsExplorationForm
    extra = {} if dutch else {"language": request.LANGUAGE_CODE}
    if request.method == "POST":
        form = form_class(request.POST, instance=record, **extra)
    else:
        form = form_class(instance=record, initial={"version": getattr(record, "version", None)}, **extra)

    def save(form):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if not dutch:
            data["methods_used"] = form.cleaned_data["methods_used"]
        save_record = services.save_family_plan_right if dutch else services.save_strengths_exploration
        save_record(actor, pk, data, form.cleaned_data.get("version"))

    def refill():
        fresh = queries.legal_record(actor, case)
        return form_class(at_version(request.POST, fresh.version), instance=fresh, **extra)

    result = save_versioned(request, form, save, refill)
    if result.saved:
        messages.success(request, _("Saved."))
        return redirect("trajectories:overview", pk=pk)
    status = result.status if result.stale or request.method != "POST" else 400
    context = {"case": case, "form": result.form, "dutch": dutch, "stale": result.stale}
    return render(request, "trajectories/legal.html", context, status=status)


# ---- the organisation's durations ----------------------------------------------------------------------------


def _override_organisations(user):
    return [
        m.organisation
        for m in Membership.objects.filter(
            user=user, active=True, role__in=[Role.TEAM_LEAD, Role.ADMINISTRATOR]
        ).select_related("organisation")
    ]


@login_required
def durations(request):
    """Team leads and administrators set their organisation's default and maximum weeks per phase."""
    organisations = {o.pk: o for o in _override_organisations(request.user)}
    if not organisations:
        raise PermissionDenied(_("Only team leads and administrators set the organisation's durations."))
    chosen = request.GET.get("organisation") or request.POST.get("organisation")
    organisation = organisations.get(int(chosen)) if chosen and chosen.isdigit() else next(iter(organisations.values()))
    if organisation is None:
        raise Http404
    language = request.LANGUAGE_CODE
    errors = {}
    if request.method == "POST":
        method_code, phase_code = request.POST.get("method", ""), request.POST.get("phase", "")
        try:
            if request.POST.get("remove"):
                services.remove_duration_override(_actor(request), organisation, method_code, phase_code)
            else:
                services.save_duration_override(
                    _actor(request),
                    organisation,
                    method_code,
                    phase_code,
                    _decimal(request.POST.get("default_weeks")),
                    _decimal(request.POST.get("max_weeks"), required=False),
                )
        except ValidationError as error:
            errors[(method_code, phase_code)] = error.messages
        else:
            messages.success(request, _("The durations were saved."))
            return redirect(f"{request.path}?organisation={organisation.pk}")
    overrides = {(o.method_code, o.phase_code): o for o in organisation.duration_overrides.all()}
    methods = []
    for code, definition in catalogue().items():
        phases = []
        for phase in definition.phases:
            phases.append(
                {
                    "code": phase.code,
                    "name": phase.name.en if language == "en" else phase.name.nl,
                    "default_weeks": phase.default_weeks,
                    "max_weeks": phase.max_weeks,
                    "sourced": phase.duration_source != "default",
                    "override": overrides.get((code, phase.code)),
                    "errors": errors.get((code, phase.code), []),
                }
            )
        methods.append(
            {
                "code": code,
                "name": definition.name.en if language == "en" else definition.name.nl,
                "version": definition.version,
                "phases": phases,
            }
        )
    return render(
        request,
        "trajectories/durations.html",
        {
            "organisation": organisation,
            "organisations": list(organisations.values()),
            "methods": methods,
        },
        status=400 if errors else 200,
    )


def _decimal(value, required=True):
    from decimal import Decimal, InvalidOperation

    value = (value or "").strip().replace(",", ".")
    if not value:
        if required:
            raise ValidationError(_("Give the number of weeks."))
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValidationError(_("Give the number of weeks as a number, e.g. 6 or 1.5.")) from None
    if not (Decimal("0.1") <= number <= 520):
        raise ValidationError(_("Give a number of weeks between 0.1 and 520."))
    return number
