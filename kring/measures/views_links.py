"""A questionnaire filled in by a network member through their personal link (no account). The link is opened
exactly as the plan's link pages open it (``plans.links.views.open_link_page``: throttled, every refusal logged,
the same 404 for anything outside the link), and the page shows only the questionnaire asked of this link
holder."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kring.core.forms import apply_service_errors
from kring.plans.links.views import link_page, open_link_page

from . import instrument_entry, services
from .choices import EntryMode


class AnswersForm(forms.Form):
    def __init__(self, data=None, *, definition):
        super().__init__(data)
        self.codes = []
        for name, label, _help_text, minimum, maximum, _step in instrument_entry.entry_fields(
            definition, EntryMode.ITEMS
        ):
            scale = definition.scale_of(definition.item(name))
            choices = [
                (str(v), f"{v}" + (f" – {instrument_entry.text(scale.label_for(v))}" if scale.label_for(v) else ""))
                for v in range(minimum, maximum + 1, scale.step)
            ]
            self.fields[f"v_{name}"] = forms.TypedChoiceField(
                label=label,
                choices=choices,
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
                help_text=_("You may skip a question."),
            )
            self.codes.append(name)

    def values(self):
        return {code: self.cleaned_data.get(f"v_{code}") for code in self.codes}


@link_page
@require_http_methods(["GET", "POST"])
def questionnaire(request, token, request_id):
    link, actor = open_link_page(request, token)
    record = services.link_questionnaire(link, request_id)
    definition = instrument_entry.definition(record.instrument_code)
    form = AnswersForm(request.POST if request.method == "POST" else None, definition=definition)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_questionnaire(link, record.pk, form.values(), actor=actor)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: your answers have been passed on."))
            return redirect("plan_links:home", token=token)
    return render(
        request,
        "measures/link_questionnaire.html",
        {"token": token, "person": link.person, "instrument": instrument_entry.describe(definition), "form": form},
        status=400 if form.errors else 200,
    )


def link_items(link, token) -> list[dict]:
    """The questionnaires waiting for this link holder, for the link's own page."""
    return [
        {
            "title": instrument_entry.text(instrument_entry.definition(r.instrument_code).name),
            "text": _("We would like to know what you think. It takes a few minutes."),
            "action": _("Fill in the questionnaire"),
            "url": reverse("questionnaire_links:questionnaire", kwargs={"token": token, "request_id": r.pk}),
        }
        for r in services.open_questionnaires(link)
        if instrument_entry.definition(r.instrument_code)
    ]
