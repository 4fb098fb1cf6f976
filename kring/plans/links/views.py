"""The network member's pages behind a personal link: no account and no login; the link's secret is the key.

Thin, like every page: each request resolves the secret with ``open_link_page`` (wrong, expired and revoked links
get the same 404 page; an address that keeps trying gets 429), then calls a query or a service and renders. The
secret is in the address, so these pages keep it to themselves: no referrer to other sites, nothing cached,
nothing indexed, and the access log gets the address with the secret left out.

Later stages hang their own link pages on these (a questionnaire for the link holder): they open the link with
``open_link_page``, answer through ``link_page`` and add to the home page through ``LINK_SECTIONS``.
"""

import functools
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import select_template
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kring.audit.services import Access, Action, log_access
from kring.cases import confidentiality
from kring.core import languages as document_languages
from kring.core.actor import Actor, client_ip
from kring.core.errors import NotFound
from kring.core.forms import apply_service_errors

from .. import core
from ..choices import PlanPart
from . import queries, services
from .forms import ReportForm

# No referrer leaves these pages. Except within Kring from a page with a form (every HTML page: the language
# switch at least): with "no-referrer" browsers send ``Origin: null`` with a form post, which Django's CSRF check
# refuses. "same-origin" still gives other sites nothing.
WITH_FORMS = "same-origin"
WITHOUT_FORMS = "no-referrer"

# Later stages add their own items to the link's page (a questionnaire to fill in, say) without this app
# importing them: each registers a callable (link, token) -> list of {"title", "text", "url"}.
LINK_SECTIONS = []


def _report_form(agreement_id, data=None):
    # Several report forms on one page: each gets its own element ids, the field names stay the same.
    return ReportForm(data, auto_id=f"report-{agreement_id}-%s")


def _logged_path(request, token: str) -> str:
    """The page's address for the access log, without the secret (whoever reads the log must not get the key)."""
    head, found, tail = request.path.partition(f"/{token}/")
    return f"{head}/…/{tail}" if found else request.path


def link_page(view_func):
    """Answer every outcome of a link page the same careful way: the 404 page that looks alike for unknown, expired
    and revoked links (and for records outside the link), 429 for an address that keeps trying, and on every
    response the headers that keep the secret out of caches, referrers and search engines."""

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
        response.setdefault("Content-Language", translation.get_language())  # the holder's language (decision 274)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


# Decision 274: the language a link page speaks, chosen on the page (?lang=) and kept for the visit.
LINK_LANGUAGE_KEY = "link_page_language"


def use_document_language(request, person) -> str:
    """Speak the link holder's language on this page: the one chosen on the page (``?lang=``, kept in the session
    for the rest of the visit), else the person's language of letters and plans, else the interface's (Dutch or
    English, as the browser or the language switch chose). Every link page calls this once its link is open."""
    asked = request.GET.get("lang", "")
    if asked in document_languages.BY_CODE:
        request.session[LINK_LANGUAGE_KEY] = asked
    lang = request.session.get(LINK_LANGUAGE_KEY) or getattr(person, "document_language", "")
    if lang in document_languages.BY_CODE:
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
    return translation.get_language()


def open_link_page(request, token):
    """(link, actor) for this request, or NotFound / LinkThrottled. The link holder acts without a user: the actor
    is their address and the page's address without the secret, built here once for everything the page logs.
    The page then speaks the holder's language (``use_document_language``)."""
    actor = Actor(user=None, ip_address=client_ip(request), path=_logged_path(request, token))
    link = services.open_link(token, actor)
    use_document_language(request, link.person)
    return link, actor


def _checker_name(agreement) -> str:
    if agreement.checker_person_id:
        return agreement.checker_person.full_name
    if agreement.checker_user_id:
        return agreement.checker_user.get_full_name() or _("a professional")
    return ""


def _child_words(person) -> dict:
    """For a child holding the link, the top of the page in words for their age (decision 264): the band and the
    template in the page's language (Dutch where a language has none yet). Nothing for an adult or an unknown age:
    they get the page as it is."""
    age = core.age_in_years(person.birth_date, timezone.localdate())
    if age is None or age >= core.ADULT_AGE:
        return {}
    language = (translation.get_language() or "nl").split("-")[0]
    template = select_template([f"plans/links/child_{language}.html", "plans/links/child_nl.html"])
    return {"band": core.child_band(age), "child_intro": template}


def _home_page(request, token, link, actor, *, failed=None, status=200):
    """The link's page: the holder's own agreements with their buttons and forms, and what is shared with them.
    ``failed`` is (agreement id, bound form) of a report that was refused, shown again with its errors."""
    view = queries.link_view(link, actor)
    if failed is not None and failed[0] not in {a.pk for a in view.agreements}:
        # A form for someone else's agreement (the service, which logs this itself, was not reached).
        log_access(
            actor,
            Action.DENIED,
            [Access("agreement", failed[0], link.case_id, link.organisation_id)],
            detail=f"not an agreement of personal link {link.pk}",
        )
        raise NotFound()
    items = []
    for agreement in view.agreements:
        form = failed[1] if failed and failed[0] == agreement.pk else _report_form(agreement.pk)
        items.append(
            SimpleNamespace(
                agreement=agreement,
                is_owner=agreement.owner_person_id == link.person_id,
                checker=_checker_name(agreement),
                form=form,
            )
        )
    shared = view.shared
    return render(
        request,
        "plans/links/home.html",
        {
            "token": token,
            "person": link.person,
            "plan": view.plan,
            # Decision 189: a confidential phone number is not shown to a network member.
            "emergency_phone": confidentiality.safe_phone(link.case, view.plan.emergency_contact_phone, link.person),
            "items": items,
            "concerns": view.plan.concerns if PlanPart.CONCERNS in shared else "",
            "if_wrong": view.plan.if_it_goes_wrong if PlanPart.IF_WRONG in shared else "",
            "bottom_lines": view.bottom_lines,
            "reviews": view.reviews,
            "all_agreements": [
                (a, a.owner_person.first_name if a.owner_person_id else a.owner_professional)
                for a in view.all_agreements
            ],
            "attachments": view.attachments,
            "failed_id": failed[0] if failed else None,
            "extras": [item for section in LINK_SECTIONS for item in section(link, token)],
            **_child_words(link.person),
        },
        status=status,
    )


@link_page
@require_safe
def home(request, token):
    link, actor = open_link_page(request, token)
    return _home_page(request, token, link, actor)


@link_page
@require_POST
def confirm(request, token, agreement_id):
    link, actor = open_link_page(request, token)
    services.confirm_via_link(link, agreement_id, actor)
    messages.success(request, _("Thank you: you have taken this agreement on."))
    return redirect("plan_links:home", token=token)


@link_page
@require_POST
def report(request, token, agreement_id):
    link, actor = open_link_page(request, token)
    form = _report_form(agreement_id, request.POST)
    if form.is_valid():
        try:
            services.report_via_link(link, agreement_id, form.cleaned_data["outcome"], form.cleaned_data["note"], actor)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: your report has been passed on."))
            return redirect("plan_links:home", token=token)
    return _home_page(request, token, link, actor, failed=(agreement_id, form), status=400)


@link_page
@require_safe
def attachment(request, token, attachment_id):
    """A child's tool shared with the link holder, as a download; only those the link's page lists."""
    link, actor = open_link_page(request, token)
    found = queries.link_attachment(link, attachment_id, actor)
    response = HttpResponse(found.content, content_type=found.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, found.filename or "download")
    response["X-Content-Type-Options"] = "nosniff"
    return response
