"""The page "Stem van het kind" of a plan of any method, its forms, and the organisation's age for a child
advocate. Thin, like the other pages: parse the request, call a read (``queries``) or a service (``services``),
render. Every form works without JavaScript."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kring.core.actor import Actor
from kring.core.forms import apply_service_errors

from .. import documents_child
from ..alerts.services import settings_organisations
from ..editing import can_work_on
from ..models import ChildVoiceSettings, ChildWish
from ..safety.services import MAX_ATTACHMENT_BYTES
from . import queries, services
from .forms import AdvocateForm, AssentForm, SettingsForm, SharingForm, ToolForm, WishForm, WishRemoveForm


def _actor(request):
    return Actor.from_request(request)


def _voice_url(pk, trajectory_id, anchor=""):
    url = reverse("plans:voice", kwargs={"pk": pk, "trajectory_id": trajectory_id})
    return f"{url}#{anchor}" if anchor else url


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for items in error.message_dict.values() for m in items]
    return list(error.messages)


@login_required
def voice_view(request, pk, trajectory_id):
    page = queries.voice_page(_actor(request), pk, trajectory_id)
    can_work = can_work_on(request.user, page.case, page.trajectory)
    can_edit = bool(page.plan) and can_work
    rows = [
        {
            "row": row,
            "form": SharingForm(
                initial={"sharing": row.attachment.sharing}, auto_id=f"id_sharing_{row.attachment.pk}_%s"
            ),
        }
        for row in page.tools
    ]
    return render(
        request,
        "plans/voice/page.html",
        {
            "case": page.case,
            "trajectory": page.trajectory,
            "plan": page.plan,
            "page": page,
            "can_edit": can_edit,
            "can_work": can_work,
            "tool_rows": rows,
        },
    )


def _form_page(request, context, form, *, title, anchor, multipart=False, intro=""):
    return render(
        request,
        "plans/voice/form.html",
        {
            "case": context.case,
            "trajectory": context.trajectory,
            "form": form,
            "title": title,
            "anchor": anchor,
            "multipart": multipart,
            "intro": intro,
        },
        status=400 if form.errors else 200,
    )


@login_required
def tool_add(request, pk, trajectory_id):
    actor = _actor(request)
    context = queries.form_context(actor, pk, trajectory_id)
    form = ToolForm(request.POST or None, request.FILES or None, children=context.children)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.add_tool(
                actor,
                pk,
                context.plan.pk,
                form.values(),
                upload.name,
                upload.read(MAX_ATTACHMENT_BYTES + 1),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The child's tool was added."))
            return redirect(_voice_url(pk, trajectory_id, "tools"))
    return _form_page(request, context, form, title=_("Add a child's tool or drawing"), anchor="tools", multipart=True)


@login_required
@require_POST
def tool_sharing(request, pk, attachment_id):
    actor = _actor(request)
    attachment = queries.tool_of(actor, pk, attachment_id)
    form = SharingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose with whom it is shared."))
    else:
        try:
            services.change_tool_sharing(actor, pk, attachment.plan_id, attachment.pk, form.cleaned_data["sharing"])
        except ValidationError as error:
            for message in _messages_of(error):
                messages.error(request, message)
        else:
            messages.success(request, _("The sharing was changed."))
    return redirect(_voice_url(pk, attachment.plan.trajectory_id, "tools"))


@login_required
@require_POST
def tool_remove(request, pk, attachment_id):
    actor = _actor(request)
    attachment = queries.tool_of(actor, pk, attachment_id)
    try:
        services.remove_tool(actor, pk, attachment.plan_id, attachment.pk)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("The child's tool was removed."))
    return redirect(_voice_url(pk, attachment.plan.trajectory_id, "tools"))


@login_required
def wish_add(request, pk, trajectory_id):
    actor = _actor(request)
    context = queries.form_context(actor, pk, trajectory_id)
    form = WishForm(request.POST or None, children=context.children)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_wish(actor, pk, context.plan.pk, dict(form.cleaned_data))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The wish was added."))
            return redirect(_voice_url(pk, trajectory_id, "wishes"))
    return _form_page(request, context, form, title=_("Add a wish of the child"), anchor="wishes")


@login_required
@require_POST
def wish_remove(request, pk, trajectory_id):
    actor = _actor(request)
    context = queries.form_context(actor, pk, trajectory_id)
    form = WishRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was damaged; open it again."))
        return redirect(_voice_url(pk, trajectory_id, "wishes"))
    queries.require_in_plan(context, ChildWish, form.cleaned_data["wish"])
    try:
        services.remove_wish(actor, pk, context.plan.pk, form.cleaned_data["wish"])
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("The wish was removed."))
    return redirect(_voice_url(pk, trajectory_id, "wishes"))


@login_required
def assent_add(request, pk, trajectory_id):
    actor = _actor(request)
    context = queries.form_context(actor, pk, trajectory_id)
    form = AssentForm(request.POST or None, children=context.children, edition=context.plan.edition)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_assent(actor, pk, context.plan.pk, dict(form.cleaned_data))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("What the child says to the plan was recorded."))
            return redirect(_voice_url(pk, trajectory_id, "assent"))
    intro = _("Version %(edition)s of the plan: what does the child say to it?") % {"edition": context.plan.edition}
    return _form_page(request, context, form, title=_("Record the child's assent"), anchor="assent", intro=intro)


@login_required
def advocate_add(request, pk, trajectory_id):
    actor = _actor(request)
    context = queries.form_context(actor, pk, trajectory_id, need_plan=False, with_persons=True)
    form = AdvocateForm(request.POST or None, children=context.children, persons=context.persons)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_advocate(actor, pk, dict(form.cleaned_data))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The child advocate or trusted person was recorded."))
            return redirect(_voice_url(pk, trajectory_id, "advocates"))
    return _form_page(request, context, form, title=_("Record a child advocate or trusted person"), anchor="advocates")


@login_required
def voice_settings(request):
    """The organisation's age under which a child invited to a meeting gets a child advocate or trusted person."""
    organisations = settings_organisations(request.user)
    if not organisations:
        raise PermissionDenied(_("Only team leads and functional administrators set this."))
    try:
        chosen_id = int(request.POST.get("organisation") or request.GET.get("organisation") or organisations[0].pk)
    except ValueError:
        chosen_id = organisations[0].pk
    chosen = next((o for o in organisations if o.pk == chosen_id), organisations[0])
    initial = {"organisation": chosen.pk, "advocate_under_age": services.advocate_age(chosen.pk)}
    form = SettingsForm(request.POST or None, initial=initial, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_settings(_actor(request), data["organisation"], data["advocate_under_age"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The setting was saved."))
            return redirect(f"{request.path}?organisation={data['organisation']}")
    return render(
        request,
        "plans/voice/settings.html",
        {"form": form, "chosen": chosen, "default_age": ChildVoiceSettings.DEFAULT_AGE},
        status=400 if form.errors else 200,
    )


@login_required
def document_child(request, pk, trajectory_id):
    """The one-page plan for children: for one child (``?child=``) in the words of their age, or in the band asked
    for (``?band=under_8|8_11|12_up``); ``?lang=`` as the other plan documents."""
    lang = documents_child.doc_language(request.GET.get("lang"))
    view, child, band = documents_child.child_export(
        _actor(request), pk, trajectory_id, request.GET.get("child"), request.GET.get("band")
    )
    name = f"{documents_child.FILE_NAMES.get(lang, 'plan')}-{view.plan.pk}-{band}"
    response = HttpResponse(documents_child.child_pdf(view, child, band, lang), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def case_banner(request, case):
    """The case page's banner: children invited to a meeting, under the organisation's age, without a child
    advocate or trusted person (none on the caseload)."""
    if case is None or request is None or not request.user.is_authenticated:
        return None
    prompts = queries.case_prompts(_actor(request), case)
    return {"advocate_prompts": prompts, "advocate_case": case} if prompts else None
