"""Signs of Safety pages: the whole safety view of a trajectory's safety plan, and the forms that add to it. Thin,
like the other pages: parse the request, call a read (``queries``) or a service (``services``), render. Every form
works without JavaScript."""

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
from kring.core.forms import apply_service_errors, at_version, save_versioned

from ..editing import can_work_on
from ..models import ChildToolAttachment, DangerStatement, SafetyMapEntry, SafetyNetworkMember, SafetyScaleRating
from . import queries, services
from .forms import (
    RATING_ERROR_FIELDS,
    AttachmentForm,
    DangerStatementForm,
    MapEntryForm,
    NetworkMemberForm,
    RatingForm,
    RemoveForm,
    SharingForm,
)


def _actor(request):
    return Actor.from_request(request)


def _safety_url(pk, trajectory_id, anchor=""):
    url = reverse("plans:safety", kwargs={"pk": pk, "trajectory_id": trajectory_id})
    return f"{url}#{anchor}" if anchor else url


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for items in error.message_dict.values() for m in items]
    return list(error.messages)


def _messages_of_form(form) -> list[str]:
    """What a service refused, as the form holds it after ``save_versioned``."""
    return [message for items in form.errors.values() for message in items]


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
    page = queries.safety_page(_actor(request), pk, trajectory_id)
    can_edit = bool(page.plan) and can_work_on(request.user, page.case, page.trajectory)
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
        "plans/safety/page.html",
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


@login_required
def safety_view(request, pk, trajectory_id):
    return _render_safety(request, pk, trajectory_id)


# The record each removal takes away, looked up before its form is read.
REMOVED_RECORD = {
    services.remove_map_entry: SafetyMapEntry,
    services.remove_danger_statement: DangerStatement,
    services.remove_rating: SafetyScaleRating,
    services.remove_network_member: SafetyNetworkMember,
    services.remove_attachment: ChildToolAttachment,
}


def _remove(request, pk, trajectory_id, service, record_id, anchor, done, *, versioned=True):
    """Run a removal posted from the safety page; a stale one shows the page again with what changed (409)."""
    actor = _actor(request)
    context = queries.safety_plan_for(actor, pk, trajectory_id)
    queries.require_record(context, REMOVED_RECORD[service], record_id)
    form = RemoveForm(request.POST)
    if not form.is_valid() or (versioned and form.cleaned_data["version"] is None):
        messages.error(request, _("The form was damaged; open it again."))
        return redirect(_safety_url(pk, trajectory_id, anchor))
    args = (actor, pk, context.plan.pk, record_id) + ((form.cleaned_data["version"],) if versioned else ())
    # Nothing to fill in again after a stale removal: the page itself is shown with what changed.
    result = save_versioned(request, form, lambda form: service(*args), refill=lambda: form)
    if result.stale:
        return _render_safety(request, pk, trajectory_id, stale=result.stale, status=result.status)
    if result.saved:
        messages.success(request, done)
    for message in _messages_of_form(form):
        messages.error(request, message)
    return redirect(_safety_url(pk, trajectory_id, anchor))


# ---- the map -----------------------------------------------------------------------------------------------


def _versioned_form(
    request, pk, trajectory_id, record_id, *, model, form_class, add, update, anchor, saved, template_title
):
    """Add or change a map entry or a danger statement; a stale change is shown again with what changed (409)."""
    actor = _actor(request)
    if record_id is None:
        context, record = queries.safety_plan_for(actor, pk, trajectory_id), None
    else:
        context, record = queries.safety_record(actor, pk, trajectory_id, model, record_id)

    def save(form):
        if record is None:
            add(actor, pk, context.plan.pk, form.changes())
        else:
            update(actor, pk, context.plan.pk, record.pk, form.changes(), form.cleaned_data["version"])

    def refill():
        _context, fresh = queries.safety_record(actor, pk, trajectory_id, model, record_id)
        return form_class(at_version(request.POST, fresh.version), instance=fresh)

    result = save_versioned(request, form_class(request.POST or None, instance=record), save, refill)
    if result.saved:
        messages.success(request, saved)
        return redirect(_safety_url(pk, trajectory_id, anchor))
    return render(
        request,
        "plans/safety/form.html",
        {
            "case": context.case,
            "trajectory": context.trajectory,
            "form": result.form,
            "stale": result.stale,
            "title": template_title,
            "anchor": anchor,
            "multipart": False,
        },
        status=result.status if result.stale else (400 if result.form.errors else 200),
    )


@login_required
def entry_add(request, pk, trajectory_id):
    return _versioned_form(
        request,
        pk,
        trajectory_id,
        None,
        model=SafetyMapEntry,
        form_class=MapEntryForm,
        add=services.add_map_entry,
        update=services.update_map_entry,
        anchor="map",
        saved=_("The line was added to the map."),
        template_title=_("Add to the map"),
    )


@login_required
def entry_edit(request, pk, trajectory_id, entry_id):
    return _versioned_form(
        request,
        pk,
        trajectory_id,
        entry_id,
        model=SafetyMapEntry,
        form_class=MapEntryForm,
        add=services.add_map_entry,
        update=services.update_map_entry,
        anchor="map",
        saved=_("The line on the map was saved."),
        template_title=_("Change a line of the map"),
    )


@login_required
@require_POST
def entry_remove(request, pk, trajectory_id, entry_id):
    return _remove(
        request, pk, trajectory_id, services.remove_map_entry, entry_id, "map", _("The line was removed from the map.")
    )


# ---- danger statements -------------------------------------------------------------------------------------


@login_required
def statement_add(request, pk, trajectory_id):
    return _versioned_form(
        request,
        pk,
        trajectory_id,
        None,
        model=DangerStatement,
        form_class=DangerStatementForm,
        add=services.add_danger_statement,
        update=services.update_danger_statement,
        anchor="statements",
        saved=_("The danger statement and its safety goal were added."),
        template_title=_("Add a danger statement with its safety goal"),
    )


@login_required
def statement_edit(request, pk, trajectory_id, statement_id):
    return _versioned_form(
        request,
        pk,
        trajectory_id,
        statement_id,
        model=DangerStatement,
        form_class=DangerStatementForm,
        add=services.add_danger_statement,
        update=services.update_danger_statement,
        anchor="statements",
        saved=_("The danger statement and its safety goal were saved."),
        template_title=_("Change a danger statement and its safety goal"),
    )


@login_required
@require_POST
def statement_remove(request, pk, trajectory_id, statement_id):
    return _remove(
        request,
        pk,
        trajectory_id,
        services.remove_danger_statement,
        statement_id,
        "statements",
        _("The danger statement and its safety goal were removed."),
    )


# ---- safety scaling ----------------------------------------------------------------------------------------


@login_required
def rating_add(request, pk, trajectory_id):
    actor = _actor(request)
    context = queries.safety_plan_for(actor, pk, trajectory_id, with_persons=True)
    form = RatingForm(request.POST or None, persons=context.persons, team=context.team, reviews=context.reviews)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_rating(actor, pk, context.plan.pk, form.values())
        except ValidationError as error:
            apply_service_errors(form, _renamed(error, RATING_ERROR_FIELDS))
        else:
            messages.success(request, _("The score was recorded."))
            return redirect(_safety_url(pk, trajectory_id, "scaling"))
    return render(
        request,
        "plans/safety/form.html",
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


@login_required
@require_POST
def rating_remove(request, pk, trajectory_id, rating_id):
    return _remove(
        request,
        pk,
        trajectory_id,
        services.remove_rating,
        rating_id,
        "scaling",
        _("The score was removed."),
        versioned=False,
    )


# ---- the safety network ------------------------------------------------------------------------------------


@login_required
def network_add(request, pk, trajectory_id):
    actor = _actor(request)
    context = queries.safety_plan_for(actor, pk, trajectory_id, with_persons=True)
    form = NetworkMemberForm(request.POST or None, persons=context.persons, unsafe_ids=context.unsafe_ids)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_network_member(
                actor, pk, context.plan.pk, form.cleaned_data["person"], form.cleaned_data["role"]
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The person joined the safety network."))
            return redirect(_safety_url(pk, trajectory_id, "network"))
    return render(
        request,
        "plans/safety/form.html",
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


@login_required
@require_POST
def network_remove(request, pk, trajectory_id, member_id):
    return _remove(
        request,
        pk,
        trajectory_id,
        services.remove_network_member,
        member_id,
        "network",
        _("The person was taken out of the safety network."),
        versioned=False,
    )


# ---- the child's own tools ---------------------------------------------------------------------------------


@login_required
def attachment_add(request, pk, trajectory_id):
    actor = _actor(request)
    context = queries.safety_plan_for(actor, pk, trajectory_id, with_persons=True)
    form = AttachmentForm(request.POST or None, request.FILES or None, persons=context.persons)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.add_attachment(
                actor,
                pk,
                context.plan.pk,
                form.values(),
                upload.name,
                upload.read(services.MAX_ATTACHMENT_BYTES + 1),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The child's tool was added."))
            return redirect(_safety_url(pk, trajectory_id, "tools"))
    return render(
        request,
        "plans/safety/form.html",
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


@login_required
@require_POST
def attachment_sharing(request, pk, trajectory_id, attachment_id):
    actor = _actor(request)
    context = queries.safety_plan_for(actor, pk, trajectory_id)
    queries.require_record(context, ChildToolAttachment, attachment_id)
    form = SharingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose with whom it is shared."))
    else:
        try:
            services.change_sharing(actor, pk, context.plan.pk, attachment_id, form.cleaned_data["sharing"])
        except ValidationError as error:
            for message in _messages_of(error):
                messages.error(request, message)
        else:
            messages.success(request, _("The sharing was changed."))
    return redirect(_safety_url(pk, trajectory_id, "tools"))


@login_required
@require_POST
def attachment_remove(request, pk, trajectory_id, attachment_id):
    return _remove(
        request,
        pk,
        trajectory_id,
        services.remove_attachment,
        attachment_id,
        "tools",
        _("The child's tool was removed."),
        versioned=False,
    )


@login_required
def attachment_download(request, pk, trajectory_id, attachment_id):
    """The stored file as a download, never shown inline: its own content type, no sniffing, no caching."""
    attachment = queries.attachment_download(_actor(request), pk, trajectory_id, attachment_id)
    response = HttpResponse(bytes(attachment.content), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
