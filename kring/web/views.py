"""The shell: the start page, a minimal page, and friendly error pages in the user's language."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kring.accounts.models import CASE_ROLES, Role


@login_required
def home(request):
    user = request.user
    if user.has_role(*CASE_ROLES):
        return redirect("cases:caseload")
    if user.has_role(Role.PRIVACY_OFFICER):
        return redirect("audit:log")
    return render(request, "web/home.html", {"memberships": user.active_memberships()})


@login_required
def ping(request):
    """The smallest logged-in page: the yardstick the page benchmarks measure against."""
    return render(request, "web/ping.html")


def _error(request, status, title, text):
    return render(request, "web/error.html", {"title": title, "text": text}, status=status)


def bad_request(request, exception=None):
    return _error(
        request,
        400,
        _("The request could not be read"),
        _("What was sent is too large or malformed. Nothing was saved. Go back and try again."),
    )


def permission_denied(request, exception=None):
    return _error(
        request,
        403,
        _("Not allowed"),
        str(exception) if exception and str(exception) else _("You are not allowed to do this."),
    )


def page_not_found(request, exception=None):
    return _error(request, 404, _("Not found"), _("This page does not exist, or you have no access to it."))


def server_error(request):
    return _error(
        request,
        500,
        _("Something went wrong"),
        _("Kring could not finish this request. Nothing was half-saved; please try again."),
    )
