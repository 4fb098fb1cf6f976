"""The safety alert pages: acknowledging one (from the case page's banner), the organisation's escalation time,
and the banners themselves (registered on the case page and the caseload by ``plans.apps``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from kring.cases.editing import case_standing
from kring.core.actor import Actor
from kring.core.forms import apply_service_errors, at_version, save_versioned

from . import queries, services
from .forms import AcknowledgeForm, AlertSettingsForm


@login_required
def acknowledge(request, pk, alert_id):
    actor = Actor.from_request(request)
    alert = queries.get_alert(actor, pk, alert_id)
    form = AcknowledgeForm(request.POST if request.method == "POST" else None, initial={"version": alert.version})

    def save(bound):
        data = bound.cleaned_data
        services.acknowledge_alert(actor, pk, alert_id, data["action_taken"], data["version"])

    def refill():
        fresh = queries.get_alert(actor, pk, alert_id)
        return AcknowledgeForm(at_version(request.POST, fresh.version))

    result = save_versioned(request, form, save, refill)
    if result.saved:
        messages.success(request, _("The safety alert was acknowledged."))
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = ""
        return redirect(back) if back else redirect("cases:detail", pk=pk)
    if result.stale:
        alert = queries.get_alert(actor, pk, alert_id)
    context = {"case": alert.case, "alert": alert, "form": result.form, "stale": result.stale}
    return render(request, "plans/alerts/acknowledge.html", context, status=result.status)


@login_required
def alert_settings(request):
    organisations = services.settings_organisations(request.user)
    if not organisations:
        raise PermissionDenied(_("Only team leads and functional administrators set when safety alerts escalate."))
    try:
        chosen_id = int(request.POST.get("organisation") or request.GET.get("organisation") or organisations[0].pk)
    except ValueError:
        chosen_id = organisations[0].pk
    chosen = next((o for o in organisations if o.pk == chosen_id), organisations[0])
    current = queries.settings_for(chosen)
    initial = {"organisation": chosen.pk, "escalate_after_hours": current.escalate_after_hours}
    form = AlertSettingsForm(request.POST or None, initial=initial, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_settings(Actor.from_request(request), data["organisation"], data["escalate_after_hours"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The safety alert settings were saved."))
            return redirect(f"{request.path}?organisation={data['organisation']}")
    return render(request, "plans/alerts/settings.html", {"form": form, "chosen": chosen})


# ---- the banners -------------------------------------------------------------------------------------------


def case_banner(request, case):
    """The case page's banner: the open alerts with the acknowledgement form for the case team; the caseload's
    (``case`` None): the open alerts of every case the user may see."""
    actor = Actor.from_request(request)
    if case is None:
        alerts = queries.caseload_alerts(actor)
        return {"safety_alerts": alerts, "alert_form": None} if alerts else None
    alerts = queries.case_alerts(actor, case)
    if not alerts:
        return None
    role, _leads = case_standing(request.user, case)
    return {"safety_alerts": alerts, "alert_form": AcknowledgeForm() if role else None, "alert_case": case}
