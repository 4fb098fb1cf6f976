"""The family's agreement on the plan page and in the plan PDF (registered with ``kring.plans.panels``)."""

from django.urls import reverse

from kring.core.actor import Actor

from .queries import plan_agreement


def plan_panel(request, plan, place) -> dict | None:
    actor = Actor.from_request(request) if request is not None and request.user.is_authenticated else None
    family = plan_agreement(plan, actor)
    if family["rule"] == "none":
        return None
    family["page_url"] = reverse("family:trajectory", args=[plan.case_id, plan.trajectory_id])
    return {"family": family}
