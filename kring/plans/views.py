"""The professionals' plan pages. Thin, like the meeting pages: parse the request, call a query or a service,
render.

Every page reads through ``queries.plan_view`` (or another query), which starts from the case's visibility query
and logs what it returns, so an outsider gets the same 404 as for a missing case and the refusal is logged.
Writes go through the services, which check the permission again, validate and refuse stale edits. Editing
controls are shown only to those the services would let through; a GET of a form someone may not use answers
403, and a POST is refused (and logged) by the service. Every form works without JavaScript.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kring.cases import queries as case_queries
from kring.cases.confidentiality import address_warning_for
from kring.core.actor import Actor
from kring.core.errors import NotFound
from kring.core.forms import apply_service_errors, at_version, save_versioned, submit_versioned
from kring.core.link_sending import SendChannel
from kring.meetings.models import TIMEZONES
from kring.methods.catalogue import catalogue
from kring.trajectories.core.states import ACTIVE

from . import charts, follow_up, queries, services
from .choices import AgreementStatus, PlanPart, PlanStatus
from .editing import can_decide, can_work_on
from .forms import (
    AgreementForm,
    BottomLineForm,
    DecideForm,
    HoldReviewForm,
    LinkForm,
    LinkResendForm,
    PlanForm,
    ReportForm,
    ReviewForm,
    VersionForm,
    WithdrawForm,
)
from .links import services as link_services
from .voice import queries as voice_queries

# ---- helpers -------------------------------------------------------------------------------------------------


def _actor(request):
    return Actor.from_request(request)


def _posted(request):
    return request.POST if request.method == "POST" else None


def _render(request, template, context, status=200):
    """Render in the time zone of the case's organisation (decisions and links carry a time)."""
    zone = TIMEZONES.get(context["case"].organisation.jurisdiction, settings.TIME_ZONE)
    with timezone.override(zone):
        return render(request, template, context, status=status)


def _method_name(code):
    definition = catalogue().get(code)
    if definition is None:
        return code
    return definition.name.en if translation.get_language() == "en" else definition.name.nl


def _plan_url(pk, trajectory_id, anchor=""):
    url = reverse("plans:plan", kwargs={"pk": pk, "trajectory_id": trajectory_id})
    return f"{url}#{anchor}" if anchor else url


def _load(request, pk, trajectory_id, complete=True):
    return queries.plan_view(_actor(request), pk, trajectory_id, complete=complete)


def _plan_of(view):
    if view.plan is None:
        raise NotFound()
    return view.plan


def _find(records, record_id):
    record = next((r for r in records if r.pk == record_id), None)
    if record is None:
        raise NotFound()
    return record


def _context(view, **extra):
    return {
        "case": view.case,
        "trajectory": view.trajectory,
        "plan": view.plan,
        "view": view,
        "method_name": _method_name(view.trajectory.method_code),
        **extra,
    }


def _may_work(request, view) -> bool:
    return can_work_on(request.user, view.case, view.trajectory)


def _may_decide(request, view) -> bool:
    return can_decide(request.user, view.case)


def _refuse_form(request, allowed: bool):
    """A form the user may not use is refused on opening; a post goes to the service, which refuses and logs."""
    if request.method != "POST" and not allowed:
        raise PermissionDenied(_("You cannot change this plan."))


def _persons(request, case):
    """The case's persons a form offers by name: logged as listed."""
    return case_queries.persons_offered(_actor(request), case)


def _team(case):
    return list(case.team_members.select_related("user").order_by("pk"))


def _confirm(
    request, view, *, title, text, form, button, cancel, danger=False, stale=None, status=200, item=None, errors=()
):
    """One confirmation page for the one-button steps (start, submit, new version, take out, revoke)."""
    return _render(
        request,
        "plans/confirm.html",
        _context(
            view,
            title=title,
            text=text,
            form=form,
            button=button,
            cancel=cancel,
            danger=danger,
            stale=stale,
            item=item,
            errors=list(errors),
        ),
        status=status,
    )


# ---- the case's plans and the plan page ----------------------------------------------------------------------


@login_required
def plan_list(request, pk):
    case, rows = queries.plans_for_case(_actor(request), pk)
    items = [
        {
            "trajectory": t,
            "plan": plan,
            "method_name": _method_name(t.method_code),
            "can_work": can_work_on(request.user, case, t),
        }
        for t, plan in rows
    ]
    return _render(request, "plans/list.html", {"case": case, "rows": items})


def _plan_context(request, view):
    """What the plan page shows beside the view: per agreement its last report and whether it is overdue, the
    keeping chart with its numbers, and the parts shared through each personal link. All from what plan_view
    loaded, so the page costs the same whatever the plan's size."""
    overdue = {a.pk for a in view.overdue}
    # One reverse() for the rows' links rather than three per agreement: agreement_edit is "<plan>agreements/<id>/"
    # and its remove and report pages hang below it (urls.py).
    base = reverse("plans:plan", args=[view.case.pk, view.trajectory.pk]) + "agreements/"
    agreements = [
        {
            "agreement": a,
            "last_report": a.latest_report,
            "overdue": a.pk in overdue,
            "answers": "; ".join(Truncator(line.text).chars(40) for line in a.answers),
            "url": f"{base}{a.pk}/",
        }
        for a in view.agreements
    ]
    points = [{"review": p.review, "percent": None if p.rate is None else round(p.rate * 100)} for p in view.keeping]
    chart = ""
    series = [(p["review"].held_on, float(p["percent"])) for p in points if p["percent"] is not None]
    if series:
        chart = mark_safe(
            charts.line_chart_svg(  # noqa: S308 (the chart escapes every text it draws)
                {_("agreements kept"): series}, 0, 100, _("How well the plan is kept"), _("percent kept")
            )
        )
    part_names = dict(PlanPart.choices)
    links = [{"link": link, "parts": [part_names.get(p, p) for p in link.shared_parts or []]} for link in view.links]
    plan = view.plan
    can_work, can_decide = _may_work(request, view), _may_decide(request, view)
    # An ended trajectory's plan no longer changes (editing.refuse_ended): the page offers none of those steps.
    # What stays possible then: recording an open review or how an agreement went, revoking a link, withdrawing
    # a bottom line.
    ended = view.trajectory.status not in ACTIVE
    may_change = can_work and not ended
    status = plan.status if plan else None
    editable = status in (PlanStatus.DRAFT, PlanStatus.SENT_BACK) and may_change
    return _context(
        view,
        agreements=agreements,
        keeping=points,
        chart=chart,
        links=links,
        can_work=can_work,
        can_decide=can_decide,
        ended=ended,
        may_change=may_change,
        may_set_lines=can_decide and not ended,
        editable=editable,
        may_submit=editable,
        may_decide=status == PlanStatus.SUBMITTED and can_decide and not ended,
        may_adjust=status == PlanStatus.ACCEPTED and may_change,
        version_form=VersionForm(initial={"version": plan.version}) if plan else None,
        member_documents=_member_documents(view),
    )


def _member_documents(view) -> list[dict]:
    """Each network member who carries or backs up an agreement the plan holds, with the address of their own
    one-page letter (the same persons, in the same way, as ``documents.member_export`` writes it for)."""
    base = reverse("plans:plan", args=[view.case.pk, view.trajectory.pk]) + "member/"
    persons: dict[int, object] = {}
    for agreement in view.agreements:
        if agreement.status == AgreementStatus.STOPPED:
            continue
        for person in (agreement.owner_person, agreement.backup_person):
            if person is not None:
                persons.setdefault(person.pk, person)
    ordered = sorted(persons.values(), key=lambda person: str(person))
    return [{"person": person, "url": f"{base}{person.pk}.pdf"} for person in ordered]


@login_required
def plan_page(request, pk, trajectory_id):
    view = _load(request, pk, trajectory_id, complete=False)
    context = _plan_context(request, view)
    # Decision 262: a child invited under the organisation's age without a child advocate, asked for here too.
    context["advocate_prompts"] = voice_queries.case_prompts(_actor(request), view.case)
    return _render(request, "plans/plan.html", context)


@login_required
def plan_history(request, pk, trajectory_id):
    """Every change to the plan, its agreements and its bottom lines, with who made it."""
    case, trajectory, plan, entries = queries.plan_history(_actor(request), pk, trajectory_id)
    return _render(
        request,
        "plans/history.html",
        {
            "case": case,
            "trajectory": trajectory,
            "plan": plan,
            "entries": entries,
            "method_name": _method_name(trajectory.method_code),
        },
    )


@login_required
def plan_decisions(request, pk, trajectory_id):
    """Every decision on the plan with its check against each bottom line."""
    case, trajectory, plan, decisions = queries.decision_history(_actor(request), pk, trajectory_id)
    return _render(
        request,
        "plans/decisions.html",
        {
            "case": case,
            "trajectory": trajectory,
            "plan": plan,
            "decisions": decisions,
            "method_name": _method_name(trajectory.method_code),
        },
    )


@login_required
def plan_start(request, pk, trajectory_id):
    actor = _actor(request)
    view = _load(request, pk, trajectory_id)
    _refuse_form(request, _may_work(request, view))
    errors = []
    if request.method == "POST":
        try:
            services.start_plan(actor, pk, trajectory_id)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("The plan was started."))
            return redirect(_plan_url(pk, trajectory_id))
    return _confirm(
        request,
        view,
        title=_("Start the plan"),
        button=_("Start the plan"),
        text=_("The plan is written down once the family presents it. Its kind follows the method."),
        form=None,
        cancel=_plan_url(pk, trajectory_id),
        errors=errors,
        status=200,
    )


@login_required
def plan_edit(request, pk, trajectory_id):
    actor = _actor(request)
    view = _load(request, pk, trajectory_id)
    plan = _plan_of(view)
    _refuse_form(request, _may_work(request, view))
    result = submit_versioned(
        request,
        PlanForm,
        plan,
        save=lambda form: services.update_plan(actor, pk, plan.pk, form.changes(), form.cleaned_data["version"]),
        reload=lambda: _plan_of(_load(request, pk, trajectory_id)),
    )
    if result.saved:
        messages.success(request, _("The plan was saved."))
        return redirect(_plan_url(pk, trajectory_id))
    return _render(
        request, "plans/plan_form.html", _context(view, form=result.form, stale=result.stale), status=result.status
    )


# ---- bottom lines --------------------------------------------------------------------------------------------


@login_required
def bottom_line_add(request, pk, trajectory_id):
    actor = _actor(request)
    view = _load(request, pk, trajectory_id)
    _refuse_form(request, _may_decide(request, view))
    form = BottomLineForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_bottom_line(actor, pk, trajectory_id, form.changes())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The bottom line was added."))
            return redirect(_plan_url(pk, trajectory_id, "bottom-lines"))
    return _render(request, "plans/bottom_line_form.html", _context(view, form=form, line=None))


@login_required
def bottom_line_edit(request, pk, trajectory_id, line_id):
    actor = _actor(request)
    view = _load(request, pk, trajectory_id)
    line = _find(view.bottom_lines, line_id)
    _refuse_form(request, _may_decide(request, view))
    result = submit_versioned(
        request,
        BottomLineForm,
        line,
        save=lambda form: services.update_bottom_line(actor, pk, line_id, form.changes(), form.cleaned_data["version"]),
        reload=lambda: _find(_load(request, pk, trajectory_id).bottom_lines, line_id),
    )
    if result.saved:
        messages.success(request, _("The bottom line was saved."))
        return redirect(_plan_url(pk, trajectory_id, "bottom-lines"))
    return _render(
        request,
        "plans/bottom_line_form.html",
        _context(view, form=result.form, line=result.form.instance, stale=result.stale),
        status=result.status,
    )


@login_required
def bottom_line_withdraw(request, pk, trajectory_id, line_id):
    actor = _actor(request)
    view = _load(request, pk, trajectory_id)
    line = _find(view.bottom_lines, line_id)
    _refuse_form(request, _may_decide(request, view))

    def save(form):
        data = form.cleaned_data
        services.withdraw_bottom_line(actor, pk, line_id, data["withdrawal_reason"], data["version"])

    def refill():
        nonlocal line  # the page shows the line as it is now
        line = _find(_load(request, pk, trajectory_id).bottom_lines, line_id)
        return WithdrawForm(at_version(request.POST, line.version))

    result = save_versioned(request, WithdrawForm(_posted(request), initial={"version": line.version}), save, refill)
    if result.saved:
        messages.success(request, _("The bottom line was withdrawn."))
        return redirect(_plan_url(pk, trajectory_id, "bottom-lines"))
    return _render(
        request,
        "plans/bottom_line_withdraw.html",
        _context(view, form=result.form, line=line, stale=result.stale),
        status=result.status,
    )


@login_required
def bottom_line_history(request, pk, trajectory_id, line_id):
    case, line, versions = queries.bottom_line_history(_actor(request), pk, line_id)
    if line.trajectory_id != trajectory_id:
        raise NotFound()
    return _render(
        request,
        "plans/bottom_line_history.html",
        {"case": case, "trajectory_id": trajectory_id, "line": line, "versions": versions},
    )


# ---- agreements ----------------------------------------------------------------------------------------------


def _agreement_form(request, view, instance=None, data=None):
    return AgreementForm(
        data,
        instance=instance,
        persons=_persons(request, view.case),
        team=_team(view.case),
        lines=view.lines_in_force,
        plan_version=view.plan.version,
    )


def _warn_about_addresses(request, case, text) -> None:
    """Decision 202: an agreement that mentions a confidential address is pointed out to the writer (it is kept;
    the plan's letters reach network members)."""
    warning = address_warning_for(case, text)
    if warning:
        messages.warning(request, warning)


@login_required
def agreement_add(request, pk, trajectory_id):
    actor = _actor(request)
    view = _load(request, pk, trajectory_id)
    plan = _plan_of(view)
    _refuse_form(request, _may_work(request, view))

    def save(form):
        services.add_agreement(actor, pk, plan.pk, form.changes(), form.cleaned_data["version"])

    def refill():
        nonlocal view  # the plan moved on: its agreements and version as they are now
        view = _load(request, pk, trajectory_id)
        return _agreement_form(request, view, data=at_version(request.POST, view.plan.version))

    result = save_versioned(request, _agreement_form(request, view, data=_posted(request)), save, refill)
    if result.saved:
        messages.success(request, _("The agreement was added."))
        _warn_about_addresses(request, view.case, result.form.cleaned_data.get("what", ""))
        return redirect(_plan_url(pk, trajectory_id, "agreements"))
    return _render(
        request,
        "plans/agreement_form.html",
        _context(view, form=result.form, agreement=None, stale=result.stale),
        status=result.status,
    )


@login_required
def agreement_edit(request, pk, trajectory_id, agreement_id):
    actor = _actor(request)
    view = _load(request, pk, trajectory_id)
    _plan_of(view)
    agreement = _find(view.agreements, agreement_id)
    _refuse_form(request, _may_work(request, view))

    def save(form):
        services.update_agreement(actor, pk, agreement_id, form.changes(), form.cleaned_data["version"])

    def refill():
        nonlocal view, agreement  # the agreement as it is now, in the plan as it is now
        view = _load(request, pk, trajectory_id)
        agreement = _find(view.agreements, agreement_id)
        return _agreement_form(request, view, instance=agreement, data=at_version(request.POST, agreement.version))

    form = _agreement_form(request, view, instance=agreement, data=_posted(request))
    result = save_versioned(request, form, save, refill)
    if result.saved:
        messages.success(request, _("The agreement was saved."))
        _warn_about_addresses(request, view.case, result.form.cleaned_data.get("what", ""))
        return redirect(_plan_url(pk, trajectory_id, "agreements"))
    return _render(
        request,
        "plans/agreement_form.html",
        _context(view, form=result.form, agreement=agreement, stale=result.stale),
        status=result.status,
    )


@login_required
def agreement_remove(request, pk, trajectory_id, agreement_id):
    actor = _actor(request)
    view = _load(request, pk, trajectory_id)
    _plan_of(view)
    agreement = _find(view.agreements, agreement_id)
    _refuse_form(request, _may_work(request, view))

    def refill():
        nonlocal agreement  # confirm again against the agreement as it is now
        agreement = _find(_load(request, pk, trajectory_id).agreements, agreement_id)
        return VersionForm(initial={"version": agreement.version})

    result = save_versioned(
        request,
        VersionForm(_posted(request), initial={"version": agreement.version}),
        lambda form: services.remove_agreement(actor, pk, agreement_id, form.cleaned_data["version"]),
        refill,
    )
    if result.saved:
        messages.success(request, _("The agreement was taken out of the plan."))
        return redirect(_plan_url(pk, trajectory_id, "agreements"))
    return _confirm(
        request,
        view,
        title=_("Take this agreement out of the plan"),
        button=_("Take it out"),
        text=_("An agreement that was ever in force is stopped, not deleted: its history stays."),
        form=result.form,
        cancel=_plan_url(pk, trajectory_id, "agreements"),
        danger=True,
        stale=result.stale,
        status=result.status,
        item=agreement.what,
    )


@login_required
def agreement_report(request, pk, trajectory_id, agreement_id):
    actor = _actor(request)
    view = _load(request, pk, trajectory_id)
    _plan_of(view)
    agreement = _find(view.agreements, agreement_id)
    _refuse_form(request, _may_work(request, view))
    form = ReportForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            follow_up.record_report(actor, pk, agreement_id, form.cleaned_data["outcome"], form.cleaned_data["note"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The report was recorded."))
            return redirect(_plan_url(pk, trajectory_id, "agreements"))
    return _render(
        request,
        "plans/agreement_report.html",
        _context(view, form=form, agreement=agreement, reports=list(agreement.reports.all())),
    )


# ---- submit, decide, new version -----------------------------------------------------------------------------


def _plan_step(request, pk, trajectory_id, service, *, done, title, button, text):
    """A confirmation page for one step on the whole plan (submit, start a new version): version-checked."""
    actor = _actor(request)
    view = _load(request, pk, trajectory_id)
    plan = _plan_of(view)
    _refuse_form(request, _may_work(request, view))
    result = save_versioned(
        request,
        VersionForm(_posted(request), initial={"version": plan.version}),
        lambda form: service(actor, pk, plan.pk, form.cleaned_data["version"]),
        lambda: VersionForm(initial={"version": _plan_of(_load(request, pk, trajectory_id)).version}),
    )
    if result.saved:
        messages.success(request, done)
        return redirect(_plan_url(pk, trajectory_id))
    return _confirm(
        request,
        view,
        title=title,
        button=button,
        text=text,
        form=result.form,
        cancel=_plan_url(pk, trajectory_id),
        stale=result.stale,
        status=result.status,
    )


@login_required
def plan_submit(request, pk, trajectory_id):
    return _plan_step(
        request,
        pk,
        trajectory_id,
        services.submit_plan,
        done=_("The plan was submitted for approval."),
        title=_("Submit the plan for approval"),
        button=_("Submit for approval"),
        text=_(
            "The case worker checks the plan against every bottom line and accepts it or sends it back. The plan "
            "cannot change while it waits."
        ),
    )


@login_required
def plan_decide(request, pk, trajectory_id):
    actor = _actor(request)
    view = _load(request, pk, trajectory_id)
    plan = _plan_of(view)
    _refuse_form(request, _may_decide(request, view))
    decision = None

    def save(form):
        nonlocal decision
        data = form.cleaned_data
        decision = services.decide_plan(
            actor, pk, plan.pk, data["outcome"], data["reason"], form.checks(), data["version"]
        )

    def refill():
        nonlocal view  # decide on the plan as it is now
        view = _load(request, pk, trajectory_id)
        return DecideForm(at_version(request.POST, view.plan.version), lines=view.lines_in_force)

    form = DecideForm(_posted(request), lines=view.lines_in_force, initial={"version": plan.version})
    result = save_versioned(request, form, save, refill)
    if result.saved:
        if decision.outcome == "accepted":
            messages.success(request, _("The plan was accepted."))
        else:
            messages.success(request, _("The plan was sent back."))
        return redirect(_plan_url(pk, trajectory_id, f"decision-{decision.pk}"))
    return _render(
        request,
        "plans/decide.html",
        _context(
            view,
            form=result.form,
            stale=result.stale,
            agreements=[a for a in view.agreements if a.status != AgreementStatus.STOPPED],
        ),
        status=result.status,
    )


@login_required
def plan_new_version(request, pk, trajectory_id):
    return _plan_step(
        request,
        pk,
        trajectory_id,
        services.start_new_edition,
        done=_("A new version of the plan was started."),
        title=_("Start a new version of the plan"),
        button=_("Start a new version"),
        text=_(
            "The new version starts as a draft from the accepted plan. The agreements in force stay in force "
            "until the new version is accepted."
        ),
    )


# ---- personal links ------------------------------------------------------------------------------------------


def _link_address(request, token):
    """The full address of a personal link. The network member's pages live at /l/<token>/."""
    try:
        path = reverse("plan_links:home", args=[token])
    except NoReverseMatch:
        path = "/l/" + token + "/"
    return request.build_absolute_uri(path)


@login_required
def link_add(request, pk, trajectory_id):
    actor = _actor(request)
    view = _load(request, pk, trajectory_id)
    plan = _plan_of(view)
    _refuse_form(request, _may_work(request, view))
    form = LinkForm(_posted(request), persons=_persons(request, view.case))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            link, token = link_services.create_link(
                actor,
                pk,
                plan.pk,
                data["person"],
                data["shared_parts"],
                data["valid_days"],
                unsafe_reason=data["unsafe_reason"],
                send_by=data["send_by"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _link_created(request, view, link, token, sent_by=data["send_by"])
    return _render(request, "plans/personal_link_form.html", _context(view, form=form))


def _link_created(request, view, link, token, sent_by=""):
    """The secret is shown this once; only its digest is stored. Nothing may keep a copy of this page."""
    response = _render(
        request,
        "plans/personal_link_created.html",
        _context(
            view,
            link=link,
            address=_link_address(request, token),
            parts=[dict(PlanPart.choices).get(p, p) for p in link.shared_parts],
            sent_by=dict(SendChannel.choices).get(sent_by, "") if sent_by else "",
        ),
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def link_resend(request, pk, trajectory_id, link_id):
    """Send a person their link again, by e-mail or text message: a new secret, the old link revoked."""
    view = _load(request, pk, trajectory_id)
    _plan_of(view)
    _find(view.links, link_id)
    _refuse_form(request, _may_work(request, view))
    form = LinkResendForm(request.POST)
    send_by = form.cleaned_data["send_by"] if form.is_valid() else ""
    try:
        link, token = link_services.resend_link(_actor(request), pk, link_id, send_by)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_plan_url(pk, trajectory_id, "links"))
    messages.success(request, _("A new link was sent; the old one no longer opens."))
    return _link_created(request, view, link, token, sent_by=send_by)


@login_required
def link_revoke(request, pk, trajectory_id, link_id):
    actor = _actor(request)
    view = _load(request, pk, trajectory_id)
    _plan_of(view)
    link = _find(view.links, link_id)
    _refuse_form(request, _may_work(request, view))
    if request.method == "POST":
        link_services.revoke_link(actor, pk, link_id)
        messages.success(request, _("The link was revoked. It no longer opens."))
        return redirect(_plan_url(pk, trajectory_id, "links"))
    return _confirm(
        request,
        view,
        title=_("Revoke this personal link"),
        button=_("Revoke"),
        text=_("The person can no longer open the plan with this link."),
        form=None,
        cancel=_plan_url(pk, trajectory_id, "links"),
        danger=True,
        item=str(link.person),
    )


# ---- reviews -------------------------------------------------------------------------------------------------


@login_required
def review_add(request, pk, trajectory_id):
    actor = _actor(request)
    view = _load(request, pk, trajectory_id)
    plan = _plan_of(view)
    _refuse_form(request, _may_work(request, view))
    form = ReviewForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            follow_up.add_review(actor, pk, plan.pk, dict(form.cleaned_data))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The review was planned."))
            return redirect(_plan_url(pk, trajectory_id, "reviews"))
    return _render(request, "plans/review_form.html", _context(view, form=form))


def _agreements_to_review(view):
    return [a for a in view.agreements if a.in_force and a.status != AgreementStatus.STOPPED]


@login_required
def review_hold(request, pk, trajectory_id, review_id):
    actor = _actor(request)
    view = _load(request, pk, trajectory_id)
    _plan_of(view)
    review = _find(view.reviews, review_id)
    _refuse_form(request, _may_work(request, view))

    def save(form):
        data = form.cleaned_data
        follow_up.hold_review(
            actor,
            pk,
            review_id,
            form.items(),
            data["decision"],
            data["note"],
            data["held_on"],
            expected_version=data["version"],
            ratings=form.ratings(request.user),
        )

    def refill():
        nonlocal view, review  # the review as it is now, with the agreements in force now
        view = _load(request, pk, trajectory_id)
        review = _find(view.reviews, review_id)
        return HoldReviewForm(
            at_version(request.POST, review.version),
            agreements=_agreements_to_review(view),
            persons=_persons(request, view.case),
        )

    form = HoldReviewForm(
        _posted(request),
        agreements=_agreements_to_review(view),
        persons=_persons(request, view.case),
        initial={"version": review.version, "held_on": timezone.localdate()},
    )
    result = save_versioned(request, form, save, refill)
    if result.saved:
        messages.success(request, _("The review was recorded."))
        return redirect(_plan_url(pk, trajectory_id, f"review-{review_id}"))
    return _render(
        request,
        "plans/review_hold.html",
        _context(view, form=result.form, review=review, stale=result.stale),
        status=result.status,
    )
