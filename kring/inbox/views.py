"""The inbox pages. Thin: parse the request, call a query or a service, render."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kring.core.actor import Actor

from . import queries, services
from .kinds import KINDS


def _ids(values) -> list[int]:
    """Ids from the form; whatever is not a whole number in the database's range is ignored, not an error."""
    found = []
    for value in values:
        try:
            number = int(value)
        except ValueError:
            continue
        if 0 < number < 2**63:
            found.append(number)
    return found


@login_required
def inbox(request):
    actor = Actor.from_request(request)
    services.settle_hidden(request.user)
    return render(request, "inbox/inbox.html", {"items": queries.inbox(actor)})


@login_required
@require_POST
def mark_read(request):
    """Mark read: the ticked notifications, all of them ('all'), or the one opened ('open'), which then opens."""
    opened = _ids([request.POST.get("open", "")])
    if opened:
        link = services.open_notification(request.user, opened[0])
        if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
            return redirect(link)
        return redirect("inbox:list")
    ids = None if request.POST.get("all") else _ids(request.POST.getlist("notification"))
    services.mark_read(request.user, ids)
    return redirect("inbox:list")


class PreferencesForm(forms.Form):
    def __init__(self, *args, chosen: dict[str, bool], **kwargs):
        super().__init__(*args, **kwargs)
        for code, kind in KINDS.items():
            self.fields[code] = forms.BooleanField(label=kind.title, required=False, initial=chosen[code])


@login_required
def email_preferences(request):
    chosen = services.email_preferences(request.user)
    form = PreferencesForm(request.POST or None, chosen=chosen)
    if request.method == "POST" and form.is_valid():
        services.save_email_preferences(request.user, [code for code, on in form.cleaned_data.items() if on])
        messages.success(request, _("Your e-mail choices were saved."))
        return redirect("inbox:email")
    return render(request, "inbox/email_preferences.html", {"form": form})
