"""Meeting pages. Thin, like the case pages: parse the request, call a query or a service, render.

Every form works without JavaScript. Date-times are entered and shown in the organisation's own time zone.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kring.cases import queries as case_queries
from kring.cases.confidentiality import address_warning_for
from kring.core.actor import Actor
from kring.core.errors import StaleEdit, form_version
from kring.core.forms import apply_service_errors, at_version, save_versioned
from kring.trajectories.core.states import ACTIVE

from . import documents, queries, services
from .choices import InvitationRole, Presence
from .forms import (
    AgreeForm,
    AttendanceGridForm,
    BookingForm,
    CancelForm,
    ContributionForm,
    CostForm,
    InvitationForm,
    LetterConfirmForm,
    LogisticsForm,
    MeetingForm,
    PartForm,
    QuestionForm,
    RemoveForm,
    ShareForm,
    VisitForm,
)


def _actor(request):
    return Actor.from_request(request)


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for items in error.message_dict.values() for m in items]
    return list(error.messages)


def _in_local_time(view_func):
    """Show and parse date-times in the time zone of the case's organisation."""
    import functools

    @functools.wraps(view_func)
    def wrapper(request, pk, *args, **kwargs):
        from kring.cases.models import Case

        organisation = (
            Case.objects.filter(pk=pk)
            .select_related("organisation")
            .values_list("organisation__jurisdiction", flat=True)
            .first()
        )
        from .models import TIMEZONES

        with timezone.override(TIMEZONES.get(organisation, "Europe/Brussels")):
            return view_func(request, pk, *args, **kwargs)

    return login_required(wrapper)


def _warn_about_addresses(request, case, place) -> None:
    """Decision 202: a place that mentions a confidential address is pointed out (letters leave it out)."""
    warning = address_warning_for(case, place)
    if warning:
        messages.warning(request, warning)


def _check_change(request, pk, meeting_id):
    """A posted change is checked before its form: a meeting the user may not see answers 404, one they may not
    change 403, each logged as refused, whatever the form holds."""
    if request.method == "POST":
        queries.meeting_to_change(_actor(request), pk, meeting_id)


def _detail_url(pk, meeting_id):
    from django.urls import reverse

    return reverse("meetings:detail", kwargs={"pk": pk, "meeting_id": meeting_id})


@_in_local_time
def meeting_list(request, pk):
    case, trajectories, meetings = queries.meetings_for_case(_actor(request), pk)
    by_trajectory = {t.pk: [] for t in trajectories}
    for meeting in meetings:
        by_trajectory.setdefault(meeting.trajectory_id, []).append(meeting)
    # A meeting is planned only on a trajectory under way (services.schedule_meeting refuses an ended one).
    rows = [
        (t, by_trajectory[t.pk], t.status in ACTIVE and services.can_work_on(request.user, case, t))
        for t in trajectories
    ]
    return render(request, "meetings/list.html", {"case": case, "rows": rows})


@_in_local_time
def meeting_create(request, pk, trajectory_id):
    actor = _actor(request)
    if request.method == "POST":
        queries.trajectory_to_change(actor, pk, trajectory_id)
    case, trajectory = queries.get_trajectory(actor, pk, trajectory_id)
    from .core import suggested_kind

    initial = {"kind": suggested_kind(trajectory.method_code), "language": "Nederlands"}
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.schedule_meeting(actor, pk, trajectory_id, form.changes())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The meeting was planned."))
            _warn_about_addresses(request, case, meeting.place)
            return redirect(_detail_url(pk, meeting.pk))
    return render(request, "meetings/meeting_form.html", {"case": case, "trajectory": trajectory, "form": form})


@_in_local_time
def meeting_detail(request, pk, meeting_id):
    view = queries.meeting_detail(_actor(request), pk, meeting_id)
    can_edit = services.can_work_on(request.user, view.case, view.meeting.trajectory)
    part_form = PartForm(initial={"version": view.meeting.version})
    return render(
        request,
        "meetings/detail.html",
        {
            "case": view.case,
            "meeting": view.meeting,
            "view": view,
            "can_edit": can_edit,
            "part_form": part_form,
            "grid": _grid(view),
        },
    )


PRESENCE_LABELS = dict(Presence.choices)


def _grid(view):
    """Rows of the attendance grid: (attendee, [(part, checked, refused), ...])."""
    rows = []
    for key, attendee in view.attendees.items():
        cells = []
        for part in view.parts:
            keys = view.present.get(part.pk) or set()
            cells.append(
                {
                    "part": part,
                    "name": f"p{part.pk}_{key}",
                    "mode_name": f"m{part.pk}_{key}",
                    "mode": view.modes.get((part.pk, key), ""),
                    "mode_label": PRESENCE_LABELS.get(view.modes.get((part.pk, key), ""), ""),
                    "checked": key in keys,
                    "refused": part.private and (attendee.professional or attendee.coordinator),
                }
            )
        rows.append({"attendee": attendee, "cells": cells})
    return rows


@_in_local_time
def meeting_edit(request, pk, meeting_id):
    actor = _actor(request)
    _check_change(request, pk, meeting_id)
    view = queries.meeting_detail(actor, pk, meeting_id)
    meeting = view.meeting
    form = MeetingForm(request.POST or None, instance=meeting)

    def save(form):
        services.update_meeting(actor, pk, meeting_id, form.changes(), form.cleaned_data["version"])

    def refill():
        fresh = queries.meeting_detail(actor, pk, meeting_id).meeting
        return MeetingForm(at_version(request.POST, fresh.version), instance=fresh)

    result = save_versioned(request, form, save, refill)
    if result.saved:
        messages.success(request, _("The meeting was saved."))
        _warn_about_addresses(request, view.case, result.form.cleaned_data.get("place", ""))
        return redirect(_detail_url(pk, meeting_id))
    cancel_form = CancelForm(initial={"version": meeting.version})
    return render(
        request,
        "meetings/meeting_form.html",
        {
            "case": view.case,
            "trajectory": meeting.trajectory,
            "form": result.form,
            "meeting": meeting,
            "stale": result.stale,
            "cancel_form": cancel_form,
        },
        status=result.status,
    )


@_in_local_time
@require_POST
def reinvite(request, pk, meeting_id):
    """The re-invite step after the meeting moved: the superseded invitations become new ones for the new time."""
    _check_change(request, pk, meeting_id)
    try:
        made = services.reinvite(_actor(request), pk, meeting_id)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s invitation was made new; send its letter.",
                "%(count)s invitations were made new; send their letters.",
                made,
            )
            % {"count": made},
        )
    return redirect(_detail_url(pk, meeting_id))


@_in_local_time
@require_POST
def meeting_cancel(request, pk, meeting_id):
    _check_change(request, pk, meeting_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_meeting(
                _actor(request),
                pk,
                meeting_id,
                form.cleaned_data["cancel_reason"],
                form.cleaned_data["version"],
            )
        except StaleEdit:
            messages.error(request, _("Not saved: someone else changed this meeting after you opened it."))
        except ValidationError as error:
            for message in _messages_of(error):
                messages.error(request, message)
        else:
            messages.success(request, _("The meeting was cancelled."))
    else:
        messages.error(request, _("Say why the meeting is cancelled."))
    return redirect(_detail_url(pk, meeting_id))


@_in_local_time
@require_POST
def part_add(request, pk, meeting_id):
    _check_change(request, pk, meeting_id)
    form = PartForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_part(
                _actor(request),
                pk,
                meeting_id,
                data["kind"],
                data["label"],
                private=data["private"] or None,
                expected_version=data["version"],
            )
        except StaleEdit:
            messages.error(request, _("Not saved: someone else changed this meeting after you opened it."))
        except ValidationError as error:
            for message in _messages_of(error):
                messages.error(request, message)
        else:
            messages.success(request, _("The part was added."))
    return redirect(_detail_url(pk, meeting_id))


@_in_local_time
def invite(request, pk, meeting_id):
    """The persons of the network map: safe candidates ticked, others only with a reason."""
    actor = _actor(request)
    _check_change(request, pk, meeting_id)
    case, meeting, persons, invited = queries.invitation_candidates(actor, pk, meeting_id)
    errors = []
    if request.method == "POST":
        chosen = request.POST.getlist("person")
        roles = {pid: request.POST.get(f"role_{pid}", "") for pid in chosen}
        overrides = {pid: request.POST.get(f"reason_{pid}", "") for pid in chosen}
        if not chosen:
            errors.append(_("Choose at least one person."))
        else:
            try:
                created = services.invite_from_map(
                    actor,
                    pk,
                    meeting_id,
                    chosen,
                    roles=roles,
                    overrides=overrides,
                    consent_reason=request.POST.get("consent_reason", ""),
                )
            except ValidationError as error:
                errors = _messages_of(error)
            else:
                messages.success(request, _("%(count)d persons were invited.") % {"count": len(created)})
                return redirect(_detail_url(pk, meeting_id))
    rows = []
    for person in persons:
        checked = (
            str(person.pk) in request.POST.getlist("person")
            if request.method == "POST"
            else person.invitability == "safe"
        )
        rows.append(
            {
                "person": person,
                "invited": person.pk in invited,
                "checked": checked,
                "role": request.POST.get(f"role_{person.pk}", person.proposed_role),
                "reason": request.POST.get(f"reason_{person.pk}", ""),
            }
        )
    return render(
        request,
        "meetings/invite.html",
        {
            "case": case,
            "meeting": meeting,
            "rows": rows,
            "errors": errors,
            "roles": InvitationRole.choices,
            "consent_reason": request.POST.get("consent_reason", ""),
            **queries.consent_state(meeting),
        },
        status=400 if errors else 200,
    )


@_in_local_time
def invitation_edit(request, pk, meeting_id, invitation_id):
    actor = _actor(request)
    _check_change(request, pk, meeting_id)
    view = queries.meeting_detail(actor, pk, meeting_id)
    invitation = next((i for i in view.invitations if i.pk == invitation_id), None)
    if invitation is None:
        raise Http404
    form = InvitationForm(request.POST or None, instance=invitation, case=view.case)

    def save(form):
        services.update_invitation(actor, pk, meeting_id, invitation_id, form.changes(), form.cleaned_data["version"])

    def refill():
        fresh = next(i for i in queries.meeting_detail(actor, pk, meeting_id).invitations if i.pk == invitation_id)
        return InvitationForm(at_version(request.POST, fresh.version), instance=fresh, case=view.case)

    result = save_versioned(request, form, save, refill)
    if result.saved:
        messages.success(request, _("The invitation was saved."))
        return redirect(_detail_url(pk, meeting_id))
    form = result.form
    case_queries.log_person_choices(actor, form)
    return render(
        request,
        "meetings/invitation_form.html",
        {
            "case": view.case,
            "meeting": view.meeting,
            "invitation": invitation,
            "form": form,
            "stale": result.stale,
        },
        status=result.status,
    )


@_in_local_time
@require_POST
def invitation_withdraw(request, pk, meeting_id, invitation_id):
    _check_change(request, pk, meeting_id)
    try:
        services.withdraw_invitation(_actor(request), pk, meeting_id, invitation_id)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("The invitation was withdrawn."))
    return redirect(_detail_url(pk, meeting_id))


def _parse_local(value):
    if not value:
        return None
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return timezone.make_aware(datetime.datetime.strptime(value, fmt))
        except ValueError:
            continue
    return value  # the service refuses it with a message


@_in_local_time
def attendance(request, pk, meeting_id):
    """Hold the meeting: per part its times, and who was present, saved in one form. A meeting that has not
    begun shows no grid, only when it can be filled in; times typed in a refused save are shown again."""
    actor = _actor(request)
    _check_change(request, pk, meeting_id)
    view = queries.meeting_detail(actor, pk, meeting_id)
    if view.meeting.starts_at > timezone.now():
        context = {"case": view.case, "meeting": view.meeting, "view": view, "not_begun": True}
        return render(request, "meetings/attendance.html", context, status=400 if request.method == "POST" else 200)
    form = AttendanceGridForm(request.POST if request.method == "POST" else None)

    def save(form):
        present = []
        for name in request.POST:
            if name.startswith("p") and "_" in name:
                part_id, _sep, key = name[1:].partition("_")
                present.append((part_id, key))
        times = {
            p.pk: (_parse_local(request.POST.get(f"start_{p.pk}")), _parse_local(request.POST.get(f"end_{p.pk}")))
            for p in view.parts
        }
        # How each one ticked present took part: the choice beside their box ("m<part>_<key>").
        modes = {(part_id, key): request.POST.get(f"m{part_id}_{key}", "") for part_id, key in present}
        # The grid always carries the version it was drawn at; without it a save could overwrite another's.
        version = form_version(request.POST.get("version") or "missing")
        services.record_attendance(actor, pk, meeting_id, present, times, expected_version=version, modes=modes)

    def refill():
        # The grid is drawn again from the meeting as it is stored now.
        nonlocal view
        view = queries.meeting_detail(actor, pk, meeting_id)
        return form

    result = save_versioned(request, form, save, refill)
    if result.saved:
        messages.success(request, _("Attendance was saved."))
        return redirect(_detail_url(pk, meeting_id))
    stale, errors = result.stale, form.refusals()
    grid = _grid(view)
    if errors:
        posted = set(request.POST)
        for row in grid:
            for cell in row["cells"]:
                cell["checked"] = cell["name"] in posted
                cell["mode"] = request.POST.get(cell["mode_name"], "")
    return render(
        request,
        "meetings/attendance.html",
        {
            "case": view.case,
            "meeting": view.meeting,
            "view": view,
            "grid": grid,
            "presences": Presence.choices,
            "part_times": _part_times(view, request.POST if errors else None),
            "errors": errors,
            "stale": stale,
        },
        status=409 if stale else (400 if errors else 200),
    )


def _part_times(view, posted=None):
    """Per part the start and end shown in the grid: as typed when a save was refused, else as stored."""
    rows = []
    for part in view.parts:
        stored = [
            timezone.localtime(t).strftime("%Y-%m-%dT%H:%M") if t else "" for t in (part.started_at, part.ended_at)
        ]
        if posted is not None:
            stored = [posted.get(f"start_{part.pk}", ""), posted.get(f"end_{part.pk}", "")]
        rows.append({"part": part, "start": stored[0], "end": stored[1]})
    return rows


@_in_local_time
def contribution_add(request, pk, meeting_id):
    actor = _actor(request)
    _check_change(request, pk, meeting_id)
    view = queries.meeting_detail(actor, pk, meeting_id)
    form = ContributionForm(request.POST or None, team=view.team)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_contribution(actor, pk, meeting_id, form.values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The information was added."))
            return redirect(_detail_url(pk, meeting_id))
    return render(
        request, "meetings/contribution_form.html", {"case": view.case, "meeting": view.meeting, "form": form}
    )


@_in_local_time
@require_POST
def contribution_share(request, pk, meeting_id, contribution_id):
    queries.meeting_to_change(_actor(request), pk, meeting_id, contribution_id=contribution_id)
    form = ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date on which it was shared with all participants."))
    else:
        try:
            services.share_contribution(
                _actor(request), pk, meeting_id, contribution_id, form.cleaned_data["shared_on"]
            )
        except ValidationError as error:
            for message in _messages_of(error):
                messages.error(request, message)
        else:
            messages.success(request, _("The information is marked as shared with all participants."))
    return redirect(_detail_url(pk, meeting_id))


def _doc_language(request):
    lang = request.GET.get("lang") or "nl"
    return lang if lang in documents.DOC_LANGUAGES else "nl"


@_in_local_time
def calendar_file(request, pk, meeting_id):
    view = queries.calendar_export(_actor(request), pk, meeting_id)
    response = HttpResponse(
        documents.calendar_file(view, _doc_language(request)), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="bijeenkomst-{view.meeting.pk}.ics"'
    return response


@_in_local_time
def letter(request, pk, meeting_id, invitation_id):
    """An invitation letter. For a person kept from someone invited too (a no-contact mark) the page answers
    first with the warning and a form; the letter is made once a reason is posted (decision 201)."""
    form = LetterConfirmForm(request.POST if request.method == "POST" else None)
    reason = form.cleaned_data["reason"] if form.is_bound and form.is_valid() else ""
    try:
        view, invitation = queries.letter_export(_actor(request), pk, meeting_id, invitation_id, reason=reason)
    except ValidationError as error:
        if form.is_bound:
            apply_service_errors(form, error)
        context = {
            "form": form,
            "warning": _messages_of(error)[0],
            "cancel": _detail_url(pk, meeting_id),
            "lang": _doc_language(request),
        }
        return render(request, "meetings/letter_confirm.html", context, status=400 if form.is_bound else 200)
    # Decision 270: the invitee's own language of letters unless the worker asks for another (?lang=).
    lang = documents.language_for(invitation.person, request.GET.get("lang"))
    response = HttpResponse(documents.letter_pdf(view, invitation, lang), content_type="application/pdf")
    name = "uitnodiging" if lang == "nl" else "invitation"
    response["Content-Disposition"] = f'attachment; filename="{name}-{view.meeting.pk}-{invitation.pk}.pdf"'
    return response


# ---- the preparation page (decisions 230-239) -----------------------------------------------------------------


def _team_choices(prepared) -> list:
    """The case worker(s) and coordinator(s) who can agree the question: the case team and the trajectory's
    coordinator."""
    users = {m.user_id: str(m.user) for m in prepared.view.team if m.role in ("case_worker", "coordinator")}
    coordinator = prepared.view.meeting.trajectory.coordinator
    if coordinator is not None:
        users.setdefault(coordinator.pk, str(coordinator))
    return list(users.items())


def _preparation_forms(prepared, posted=None, action=""):
    """The page's forms; the one posted (``action``) bound to the post."""

    def data(name):
        return posted if action == name else None

    return {
        "question_form": QuestionForm(data("question")),
        "agree_form": AgreeForm(data("agree"), persons=prepared.persons, team=_team_choices(prepared)),
        "visit_form": VisitForm(data("visit"), persons=prepared.persons),
        "logistics_form": LogisticsForm(data("logistics"), instance=prepared.logistics, persons=prepared.persons),
        "cost_form": CostForm(data("cost")),
        "booking_form": BookingForm(data("booking"), parts=prepared.view.parts),
    }


def _save_preparation(actor, pk, meeting_id, action, form, request):
    """Call the service the posted form is for; a message for what was saved (and a warning over budget)."""
    values = form.cleaned_data
    if action == "question":
        if values.get("question"):
            services.change_question(actor, pk, meeting_id, values["question"], values["text"], values["version"])
            return _("The question was changed; it needs to be agreed again.")
        services.add_question(actor, pk, meeting_id, values["text"])
        return _("The question was added.")
    if action == "agree":
        services.agree_question(
            actor,
            pk,
            meeting_id,
            values["question"],
            values["party"],
            values["version"],
            person=values.get("person") or None,
            user=values.get("user") or None,
            on=values.get("on"),
        )
        return _("Recorded who agreed to the question.")
    if action == "visit":
        services.record_visit(actor, pk, meeting_id, values)
        return _("The visit was recorded.")
    if action == "logistics":
        services.save_logistics(actor, pk, meeting_id, form.changes(), values["version"])
        return _("The logistics were saved.")
    if action == "cost":
        _cost, budget = services.add_cost(actor, pk, meeting_id, values)
        warning = services.budget_warning(budget)
        if warning:
            messages.warning(request, warning)
        return _("The cost was added.")
    if action == "booking":
        services.book_interpreter(actor, pk, meeting_id, values)
        return _("The interpreter was booked.")
    if action == "remove_cost":
        services.remove_cost(actor, pk, meeting_id, values["item"])
        return _("The cost was removed.")
    services.cancel_interpreter(actor, pk, meeting_id, values["item"])
    return _("The interpreter booking was removed.")


def _post_preparation(request, actor, pk, meeting_id, action, forms):
    """Save the posted form: ("done" message, 302), (StaleEdit, 409) or (None, 400) with the errors on the form
    (or, for the remove buttons, in the messages)."""
    if action not in PREPARATION_ACTIONS:
        messages.error(request, _("Choose what to save."))
        return None, 400
    form = RemoveForm(request.POST) if action.startswith("remove_") else forms[f"{action}_form"]
    if form.is_valid():
        try:
            return _save_preparation(actor, pk, meeting_id, action, form, request), 302
        except StaleEdit as error:
            return error, 409
        except ValidationError as error:
            apply_service_errors(form, error)
    if action.startswith("remove_"):
        for message in dict.fromkeys(m for items in form.errors.values() for m in items):
            messages.error(request, message)
    return None, 400


PREPARATION_ACTIONS = ("question", "agree", "visit", "logistics", "cost", "booking", "remove_cost", "remove_booking")


@_in_local_time
def preparation(request, pk, meeting_id):
    """The coordinator's preparation of the meeting: the question and who agreed it, visits, who comes and who
    does not and why, the logistics and costs against the budget, the plan keeper, and the interpreters."""
    actor = _actor(request)
    _check_change(request, pk, meeting_id)
    prepared = queries.preparation(actor, pk, meeting_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _preparation_forms(prepared, request.POST if action else None, action)
    stale, status = None, 200
    if request.method == "POST":
        outcome, status = _post_preparation(request, actor, pk, meeting_id, action, forms)
        if status == 302:
            messages.success(request, outcome)
            return redirect(reverse("meetings:preparation", kwargs={"pk": pk, "meeting_id": meeting_id}))
        if status == 409:
            stale = outcome
            # Shown again as stored now, with a note of what changed in between.
            prepared = queries.preparation(actor, pk, meeting_id)
            forms = _preparation_forms(prepared)
    can_edit = services.can_work_on(request.user, prepared.view.case, prepared.view.meeting.trajectory)
    return render(
        request,
        "meetings/preparation.html",
        {
            "case": prepared.view.case,
            "meeting": prepared.view.meeting,
            "prepared": prepared,
            "can_edit": can_edit and prepared.view.meeting.status != "cancelled",
            "stale": stale,
            "action": action,
            **forms,
        },
        status=status,
    )
