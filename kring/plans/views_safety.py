"""Signs of Safety pages: the whole safety view of a trajectory's safety plan, and the forms that add to it. Thin,
like the other pages: parse the request, call a read or a service from ``safety.py``, render. Every form works
without JavaScript."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kring.core.actor import Actor
from kring.core.errors import StaleEdit
from kring.core.forms import apply_service_errors

from . import safety, services
from .forms_safety import (
    RATING_ERROR_FIELDS,
    AttachmentForm,
    DangerStatementForm,
    MapEntryForm,
    NetworkMemberForm,
    RatingForm,
    RemoveForm,
    SharingForm,
)
from .models import ChildToolAttachment, DangerStatement, SafetyMapEntry, SafetyNetworkMember, SafetyScaleRating


def _actor(request):
    return Actor.from_request(request)


def _page(view_func):
    """Logged in; a case, trajectory or record the user may not know of is a 404 like a missing one."""

    @functools.wraps(view_func)
    def wrapper(request, *args, **kwargs):
        return view_func(request, *args, **kwargs)

    return login_required(wrapper)


def _safety_url(pk, trajectory_id, anchor=""):
    url = reverse("plans:safety", kwargs={"pk": pk, "trajectory_id": trajectory_id})
    return f"{url}#{anchor}" if anchor else url


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for items in error.message_dict.values() for m in items]
    return list(error.messages)


def _renamed(error: ValidationError, names: dict) -> ValidationError:
    """The service's error with its field names as the form calls them."""
    if not hasattr(error, "error_dict"):
        return error
    renamed = {}
    for name, items in error.message_dict.items():
        renamed.setdefault(names.get(name, name), []).extend(items)
    return ValidationError(renamed)


# ---- the safety page ---------------------------------------------------------------------------------------


def _render_safety(request, pk, trajectory_id, stale=None, status=200):
    page = safety.safety_page(_actor(request), pk, trajectory_id, path=request.path)
    can_edit = bool(page.plan) and services.can_work_on(request.user, page.case, page.trajectory)
    rows = [
        {
            "row": row,
            "form": SharingForm(
                initial={"sharing": row.attachment.sharing}, auto_id=f"id_sharing_{row.attachment.pk}_%s"
            ),
        }
        for row in page.attachments
    ]
    return render(
        request,
        "plans/safety.html",
        {
            "case": page.case,
            "trajectory": page.trajectory,
            "plan": page.plan,
            "page": page,
            "can_edit": can_edit,
            "attachment_rows": rows,
            "stale": stale,
        },
        status=status,
    )


@_page
def safety_view(request, pk, trajectory_id):
    return _render_safety(request, pk, trajectory_id)


# The record each removal takes away, looked up before its form is read.
REMOVED_RECORD = {
    safety.remove_map_entry: SafetyMapEntry,
    safety.remove_danger_statement: DangerStatement,
    safety.remove_rating: SafetyScaleRating,
    safety.remove_network_member: SafetyNetworkMember,
    safety.remove_attachment: ChildToolAttachment,
}


def _remove(request, pk, trajectory_id, service, record_id, anchor, done, *, versioned=True):
    """Run a removal posted from the safety page; a stale one shows the page again with what changed (409)."""
    actor = _actor(request)
    context = safety.safety_plan_for(actor, pk, trajectory_id, path=request.path)
    safety.require_record(context, REMOVED_RECORD[service], record_id)
    form = RemoveForm(request.POST)
    if not form.is_valid() or (versioned and form.cleaned_data["version"] is None):
        messages.error(request, _("The form was damaged; open it again."))
        return redirect(_safety_url(pk, trajectory_id, anchor))
    args = (actor, pk, context.plan.pk, record_id) + ((form.cleaned_data["version"],) if versioned else ())
    try:
        service(*args, path=request.path)
    except StaleEdit as error:
        return _render_safety(request, pk, trajectory_id, stale=error, status=409)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(_safety_url(pk, trajectory_id, anchor))


# ---- the map -----------------------------------------------------------------------------------------------


def _versioned_form(
    request, pk, trajectory_id, record_id, *, model, form_class, add, update, anchor, saved, template_title
):
    """Add or change a map entry or a danger statement; a stale change is shown again with what changed (409)."""
    actor = _actor(request)
    if record_id is None:
        context, record = safety.safety_plan_for(actor, pk, trajectory_id, path=request.path), None
    else:
        context, record = safety.safety_record(actor, pk, trajectory_id, model, record_id, path=request.path)
    form = form_class(request.POST or None, instance=record)
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            if record is None:
                add(actor, pk, context.plan.pk, form.changes(), path=request.path)
            else:
                update(
                    actor,
                    pk,
                    context.plan.pk,
                    record.pk,
                    form.changes(),
                    form.cleaned_data["version"],
                    path=request.path,
                )
        except StaleEdit as error:
            stale = error
            _context, fresh = safety.safety_record(actor, pk, trajectory_id, model, record_id, path=request.path)
            data = request.POST.copy()
            data["version"] = fresh.version
            form = form_class(data, instance=fresh)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, saved)
            return redirect(_safety_url(pk, trajectory_id, anchor))
    return render(
        request,
        "plans/safety_form.html",
        {
            "case": context.case,
            "trajectory": context.trajectory,
            "form": form,
            "stale": stale,
            "title": template_title,
            "anchor": anchor,
            "multipart": False,
        },
        status=409 if stale else (400 if form.errors else 200),
    )


@_page
def entry_add(request, pk, trajectory_id):
    return _versioned_form(
        request,
        pk,
        trajectory_id,
        None,
        model=SafetyMapEntry,
        form_class=MapEntryForm,
        add=safety.add_map_entry,
        update=safety.update_map_entry,
        anchor="map",
        saved=_("The line was added to the map."),
        template_title=_("Add to the map"),
    )


@_page
def entry_edit(request, pk, trajectory_id, entry_id):
    return _versioned_form(
        request,
        pk,
        trajectory_id,
        entry_id,
        model=SafetyMapEntry,
        form_class=MapEntryForm,
        add=safety.add_map_entry,
        update=safety.update_map_entry,
        anchor="map",
        saved=_("The line on the map was saved."),
        template_title=_("Change a line of the map"),
    )


@_page
@require_POST
def entry_remove(request, pk, trajectory_id, entry_id):
    return _remove(
        request, pk, trajectory_id, safety.remove_map_entry, entry_id, "map", _("The line was removed from the map.")
    )


# ---- danger statements -------------------------------------------------------------------------------------


@_page
def statement_add(request, pk, trajectory_id):
    return _versioned_form(
        request,
        pk,
        trajectory_id,
        None,
        model=DangerStatement,
        form_class=DangerStatementForm,
        add=safety.add_danger_statement,
        update=safety.update_danger_statement,
        anchor="statements",
        saved=_("The danger statement and its safety goal were added."),
        template_title=_("Add a danger statement with its safety goal"),
    )


@_page
def statement_edit(request, pk, trajectory_id, statement_id):
    return _versioned_form(
        request,
        pk,
        trajectory_id,
        statement_id,
        model=DangerStatement,
        form_class=DangerStatementForm,
        add=safety.add_danger_statement,
        update=safety.update_danger_statement,
        anchor="statements",
        saved=_("The danger statement and its safety goal were saved."),
        template_title=_("Change a danger statement and its safety goal"),
    )


@_page
@require_POST
def statement_remove(request, pk, trajectory_id, statement_id):
    return _remove(
        request,
        pk,
        trajectory_id,
        safety.remove_danger_statement,
        statement_id,
        "statements",
        _("The danger statement and its safety goal were removed."),
    )


# ---- safety scaling ----------------------------------------------------------------------------------------


@_page
def rating_add(request, pk, trajectory_id):
    actor = _actor(request)
    context = safety.safety_plan_for(actor, pk, trajectory_id, path=request.path, with_persons=True)
    form = RatingForm(request.POST or None, persons=context.persons, team=context.team, reviews=context.reviews)
    if request.method == "POST" and form.is_valid():
        try:
            safety.record_rating(actor, pk, context.plan.pk, form.values(), path=request.path)
        except ValidationError as error:
            apply_service_errors(form, _renamed(error, RATING_ERROR_FIELDS))
        else:
            messages.success(request, _("The score was recorded."))
            return redirect(_safety_url(pk, trajectory_id, "scaling"))
    return render(
        request,
        "plans/safety_form.html",
        {
            "case": context.case,
            "trajectory": context.trajectory,
            "form": form,
            "anchor": "scaling",
            "title": _("Record a score on the safety scale"),
            "multipart": False,
        },
        status=400 if form.errors else 200,
    )


@_page
@require_POST
def rating_remove(request, pk, trajectory_id, rating_id):
    return _remove(
        request,
        pk,
        trajectory_id,
        safety.remove_rating,
        rating_id,
        "scaling",
        _("The score was removed."),
        versioned=False,
    )


# ---- the safety network ------------------------------------------------------------------------------------


@_page
def network_add(request, pk, trajectory_id):
    actor = _actor(request)
    context = safety.safety_plan_for(actor, pk, trajectory_id, path=request.path, with_persons=True)
    form = NetworkMemberForm(request.POST or None, persons=context.persons, unsafe_ids=context.unsafe_ids)
    if request.method == "POST" and form.is_valid():
        try:
            safety.add_network_member(
                actor, pk, context.plan.pk, form.cleaned_data["person"], form.cleaned_data["role"], path=request.path
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The person joined the safety network."))
            return redirect(_safety_url(pk, trajectory_id, "network"))
    return render(
        request,
        "plans/safety_form.html",
        {
            "case": context.case,
            "trajectory": context.trajectory,
            "form": form,
            "anchor": "network",
            "title": _("Add someone to the safety network"),
            "multipart": False,
            "intro": _(
                "Only trustworthy network members join a safety plan; persons marked unsafe on the network map "
                "are refused."
            ),
        },
        status=400 if form.errors else 200,
    )


@_page
@require_POST
def network_remove(request, pk, trajectory_id, member_id):
    return _remove(
        request,
        pk,
        trajectory_id,
        safety.remove_network_member,
        member_id,
        "network",
        _("The person was taken out of the safety network."),
        versioned=False,
    )


# ---- the child's own tools ---------------------------------------------------------------------------------


@_page
def attachment_add(request, pk, trajectory_id):
    actor = _actor(request)
    context = safety.safety_plan_for(actor, pk, trajectory_id, path=request.path, with_persons=True)
    form = AttachmentForm(request.POST or None, request.FILES or None, persons=context.persons)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            safety.add_attachment(
                actor,
                pk,
                context.plan.pk,
                form.values(),
                upload.name,
                upload.read(safety.MAX_ATTACHMENT_BYTES + 1),
                path=request.path,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The child's tool was added."))
            return redirect(_safety_url(pk, trajectory_id, "tools"))
    return render(
        request,
        "plans/safety_form.html",
        {
            "case": context.case,
            "trajectory": context.trajectory,
            "form": form,
            "anchor": "tools",
            "title": _("Add a child's tool"),
            "multipart": True,
        },
        status=400 if form.errors else 200,
    )


@_page
@require_POST
def attachment_sharing(request, pk, trajectory_id, attachment_id):
    actor = _actor(request)
    context = safety.safety_plan_for(actor, pk, trajectory_id, path=request.path)
    safety.require_record(context, ChildToolAttachment, attachment_id)
    form = SharingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose with whom it is shared."))
    else:
        try:
            safety.change_sharing(
                actor, pk, context.plan.pk, attachment_id, form.cleaned_data["sharing"], path=request.path
            )
        except ValidationError as error:
            for message in _messages_of(error):
                messages.error(request, message)
        else:
            messages.success(request, _("The sharing was changed."))
    return redirect(_safety_url(pk, trajectory_id, "tools"))


@_page
@require_POST
def attachment_remove(request, pk, trajectory_id, attachment_id):
    return _remove(
        request,
        pk,
        trajectory_id,
        safety.remove_attachment,
        attachment_id,
        "tools",
        _("The child's tool was removed."),
        versioned=False,
    )


@_page
def attachment_download(request, pk, trajectory_id, attachment_id):
    """The stored file as a download, never shown inline: its own content type, no sniffing, no caching."""
    attachment = safety.attachment_download(_actor(request), pk, trajectory_id, attachment_id, path=request.path)
    response = HttpResponse(bytes(attachment.content), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
