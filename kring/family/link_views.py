"""The family's own pages behind their personal link, at /l/family/<secret>/: no account and no login; the secret is
the key. Answered with the same care as the network members' link pages (``kring.plans.links.views``: the same 404
for unknown, expired and revoked links, 429 for an address that keeps trying, no caching, no referrer, nothing
indexed, the secret left out of the access log)."""

import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import select_template
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kring.core.actor import Actor, client_ip
from kring.core.errors import NotFound
from kring.core.forms import apply_service_errors
from kring.plans.choices import PlanPart
from kring.plans.links.views import WITH_FORMS, WITHOUT_FORMS, use_document_language

from . import queries, services
from .choices import LinkRole
from .forms import AgreeForm, ProposalForm, SharingForm, ViewForm


def family_link_page(view_func):
    @functools.wraps(view_func)
    def wrapper(request, token, *args, **kwargs):
        try:
            response = view_func(request, token, *args, **kwargs)
        except NotFound:
            response = render(request, "plans/links/not_found.html", status=404)
        except services.LinkThrottled:
            response = HttpResponse(
                _("Too many attempts from your address. Please wait a quarter of an hour and try again."),
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(services.LINK_TRY_WINDOW)
        html = response.get("Content-Type", "").startswith("text/html")
        response["Referrer-Policy"] = WITH_FORMS if html else WITHOUT_FORMS
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def _logged_path(request, token: str) -> str:
    head, found, tail = request.path.partition(f"/{token}/")
    return f"{head}/…/{tail}" if found else request.path


def open_family_page(request, token):
    """(link, actor): the holder acts without a user; the actor is their address and the page without the secret."""
    actor = Actor(user=None, ip_address=client_ip(request), path=_logged_path(request, token))
    link = services.open_link(token, actor)
    use_document_language(request, link.person)  # the holder's language of letters and plans (decision 274)
    return link, actor


def _young_words(link) -> dict:
    """A young person's page opens in their own words, in the page's language (decision 277); a parent's as it is."""
    if link.role != LinkRole.YOUNG_PERSON:
        return {}
    language = (translation.get_language() or "nl").split("-")[0]
    template = select_template([f"family/young_{language}.html", "family/young_nl.html"])
    return {"young_intro": template, "jurisdiction": link.case.organisation.jurisdiction}


def _page(request, token, link, actor, status=200, **forms):
    page = queries.family_page(link, actor)
    persons = services.sharing_persons(link)
    return render(
        request,
        "family/link_home.html",
        {
            "token": token,
            "page": page,
            "person": link.person,
            **_young_words(link),
            "part_names": dict(PlanPart.choices),
            "proposal_form": forms.get("proposal_form") or ProposalForm(),
            "view_form": forms.get("view_form") or ViewForm(),
            "sharing_form": forms.get("sharing_form") or SharingForm(persons=persons),
            "agree_form": forms.get("agree_form") or AgreeForm(initial={"digest": page.digest}),
            "agree_error": forms.get("agree_error", ""),
        },
        status=status,
    )


@family_link_page
@require_safe
def home(request, token):
    link, actor = open_family_page(request, token)
    return _page(request, token, link, actor)


@family_link_page
@require_POST
def propose(request, token):
    link, actor = open_family_page(request, token)
    form = ProposalForm(request.POST)
    if form.is_valid():
        try:
            services.propose_invitee(link, form.cleaned_data, actor)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: the coordinator will look at your proposal."))
            return redirect("family_links:home", token=token)
    return _page(request, token, link, actor, status=400, proposal_form=form)


@family_link_page
@require_POST
def give_view(request, token):
    link, actor = open_family_page(request, token)
    form = ViewForm(request.POST)
    if form.is_valid():
        try:
            services.give_view(link, form.cleaned_data["text"], actor)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: your view has been passed on."))
            return redirect("family_links:home", token=token)
    return _page(request, token, link, actor, status=400, view_form=form)


@family_link_page
@require_POST
def sharing(request, token):
    link, actor = open_family_page(request, token)
    form = SharingForm(request.POST, persons=services.sharing_persons(link))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.choose_sharing(link, data["part"], data["with_person"], data["allowed"], actor)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Your choice has been saved."))
            return redirect("family_links:home", token=token)
    return _page(request, token, link, actor, status=400, sharing_form=form)


@family_link_page
@require_POST
def agree(request, token):
    link, actor = open_family_page(request, token)
    form = AgreeForm(request.POST)
    if form.is_valid():
        try:
            services.sign_via_link(link, form.cleaned_data["digest"], form.cleaned_data["typed_name"], actor)
        except ValidationError as error:
            if str(services.OUTDATED) in error.messages:
                # The page shows the new version with a fresh form: they read it and agree again.
                return _page(request, token, link, actor, status=409, agree_error=str(services.OUTDATED))
            if "typed_name" not in getattr(error, "message_dict", {}):
                # Not theirs to give, or not yet: said above the plan, nothing kept.
                return _page(request, token, link, actor, status=400, agree_error=" ".join(error.messages))
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: your agreement to the plan has been recorded."))
            return redirect("family_links:home", token=token)
    return _page(request, token, link, actor, status=400, agree_form=form)
