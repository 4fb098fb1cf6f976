"""The case team's pages of the family's side, at /cases/<pk>/family/: per trajectory the family's links (made,
sent, sent again, revoked), the people they proposed (accepted or declined), their views and sharing choices, and
their agreement to the plan (on their link or recorded from paper) with who received which version. Thin: a query
or a service, then render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kring.cases.queries import visible_cases
from kring.core.actor import Actor
from kring.core.errors import NotFound, StaleEdit
from kring.core.forms import apply_service_errors
from kring.documents.models import Document
from kring.plans.choices import PlanPart
from kring.plans.editing import can_work_on
from kring.trajectories.models import Trajectory

from . import queries, services
from .forms import DecideForm, DeliveryForm, LinkForm, PaperSignatureForm, ResendForm
from .sending import link_address

TIMEZONES = {"NL": "Europe/Amsterdam", "VL": "Europe/Brussels"}


def _actor(request):
    return Actor.from_request(request)


def _render(request, template, context, status=200):
    zone = TIMEZONES.get(context["case"].organisation.jurisdiction, settings.TIME_ZONE)
    with timezone.override(zone):
        return render(request, template, context, status=status)


def _page_url(pk, trajectory_id, anchor=""):
    url = reverse("family:trajectory", kwargs={"pk": pk, "trajectory_id": trajectory_id})
    return f"{url}#{anchor}" if anchor else url


@login_required
@require_safe
def index(request, pk):
    """The case's trajectories, each with the way to its family page."""
    case = visible_cases(request.user).select_related("organisation").filter(pk=pk).first()
    if case is None:
        raise NotFound()
    trajectories = list(Trajectory.objects.filter(case=case).order_by("-offered_on", "-id"))
    from kring.audit.services import Action, case_access, log_access

    log_access(_actor(request), Action.VIEW, [case_access(case)])
    return _render(request, "family/index.html", {"case": case, "trajectories": trajectories})


def _context(request, view, **forms):
    documents = []
    if view.plan is not None:
        documents = list(Document.objects.filter(case=view.case).order_by("-id")[:200])
    may_work = can_work_on(request.user, view.case, view.trajectory)
    decided = {c.part: c for c in view.choices}
    part_names = dict(PlanPart.choices)
    context = {
        "case": view.case,
        "trajectory": view.trajectory,
        "view": view,
        "may_work": may_work,
        "part_names": part_names,
        "decided": decided,
        "link_form": forms.get("link_form") or LinkForm(persons=view.eligible),
        "resend_form": ResendForm(),
        "paper_form": forms.get("paper_form")
        or PaperSignatureForm(
            initial={"digest": view.digest, "signed_on": timezone.localdate()},
            persons=view.entitled,
            documents=documents,
        ),
        "delivery_form": forms.get("delivery_form")
        or DeliveryForm(
            initial={"digest": view.digest, "delivered_on": timezone.localdate()}, persons=list(view.persons.values())
        ),
        "decide_failed": forms.get("decide_failed"),
    }
    return context


@login_required
@require_safe
def trajectory_page(request, pk, trajectory_id):
    view = queries.team_view(_actor(request), pk, trajectory_id)
    return _render(request, "family/trajectory.html", _context(request, view))


def _refused(request, pk, trajectory_id, status=400, **forms):
    view = queries.team_view(_actor(request), pk, trajectory_id)
    return _render(request, "family/trajectory.html", _context(request, view, **forms), status=status)


def _created(request, pk, trajectory_id, link, token):
    view = queries.team_view(_actor(request), pk, trajectory_id)
    return _render(
        request,
        "family/link_created.html",
        {"case": view.case, "trajectory": view.trajectory, "link": link, "address": link_address(token)},
    )


@login_required
@require_POST
def link_create(request, pk, trajectory_id):
    view = queries.team_view(_actor(request), pk, trajectory_id)
    form = LinkForm(request.POST, persons=view.eligible)
    if form.is_valid():
        try:
            link, token = services.create_link(
                _actor(request), pk, trajectory_id, form.cleaned_data["person"], form.cleaned_data["send_by"]
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _created(request, pk, trajectory_id, link, token)
    return _refused(request, pk, trajectory_id, link_form=form)


@login_required
@require_POST
def link_revoke(request, pk, trajectory_id, link_id):
    services.revoke_link(_actor(request), pk, link_id, trajectory_id)
    messages.success(request, _("The link was revoked. It no longer opens."))
    return redirect(_page_url(pk, trajectory_id, "links"))


@login_required
@require_POST
def link_resend(request, pk, trajectory_id, link_id):
    form = ResendForm(request.POST)
    send_by = form.cleaned_data["send_by"] if form.is_valid() else ""
    try:
        # The service checks the case, the right and the link before the way of sending.
        link, token = services.resend_link(_actor(request), pk, link_id, send_by, trajectory_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _refused(request, pk, trajectory_id)
    messages.success(request, _("A new link was sent; the old one no longer opens."))
    return _created(request, pk, trajectory_id, link, token)


@login_required
@require_POST
def proposal_decide(request, pk, trajectory_id):
    form = DecideForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.decide_proposal(
                _actor(request), pk, data["proposal"], data["accept"], data["reason"], data["version"], trajectory_id
            )
        except StaleEdit as error:
            form.add_error(None, str(error))
            return _refused(request, pk, trajectory_id, status=409, decide_failed=form)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if proposal.person_id:
                messages.success(request, _("%(name)s was added to the case.") % {"name": proposal.name})
            else:
                messages.success(request, _("The proposal was declined."))
            return redirect(_page_url(pk, trajectory_id, "proposals"))
    return _refused(request, pk, trajectory_id, decide_failed=form)


@login_required
@require_POST
def paper_signature(request, pk, trajectory_id):
    view = queries.team_view(_actor(request), pk, trajectory_id)
    if view.plan is None:
        raise NotFound()
    documents = list(Document.objects.filter(case=view.case).order_by("-id")[:200])
    form = PaperSignatureForm(request.POST, persons=view.entitled, documents=documents)
    if form.is_valid():
        try:
            services.record_paper_signature(_actor(request), pk, view.plan.pk, form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The agreement on paper was recorded."))
            return redirect(_page_url(pk, trajectory_id, "agreement"))
    return _refused(request, pk, trajectory_id, paper_form=form)


@login_required
@require_POST
def delivery(request, pk, trajectory_id):
    view = queries.team_view(_actor(request), pk, trajectory_id)
    if view.plan is None:
        raise NotFound()
    form = DeliveryForm(request.POST, persons=list(view.persons.values()))
    if form.is_valid():
        try:
            services.record_delivery(_actor(request), pk, view.plan.pk, form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The delivery was recorded."))
            return redirect(_page_url(pk, trajectory_id, "deliveries"))
    return _refused(request, pk, trajectory_id, delivery_form=form)
