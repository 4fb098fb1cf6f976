"""Work list pages. Thin: parse the request, call a query or a service, render."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kring.cases.queries import teams_for_filter
from kring.core.actor import Actor
from kring.trajectories.choices import Status

from . import queries as worklists
from . import reminders


@login_required
def my_work(request):
    actor = Actor.from_request(request)
    today = timezone.localdate()
    steps = worklists.my_steps(actor, today)
    inbox = reminders.unread(actor)
    for reminder in inbox:
        reminder.sentence = reminders.reminder_sentence(reminder, today)
    return render(
        request,
        "worklists/work_mine.html",
        {
            "steps": steps,
            "reminders": inbox,
            "teams": list(teams_for_filter(request.user)),
            "can_set_reminders": bool(reminders.settings_organisations(request.user)),
            "today": today,
        },
    )


@login_required
@require_POST
def mark_read(request):
    ids = request.POST.getlist("reminder")
    try:
        # Ids outside the database's integer range cannot be reminders; they are ignored, not an error.
        ids = [n for n in map(int, ids) if 0 < n < 2**63] if ids else None
    except ValueError:
        ids = []
    reminders.mark_read(Actor.from_request(request), ids)
    return redirect("worklists:mine")


class TeamFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    phase = forms.CharField(label=gettext_lazy("Phase"), required=False, max_length=60)
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("all"))] + [
            (value, label) for value, label in Status.choices if value in worklists.ACTIVE_STATUSES
        ]


@login_required
def team(request, team_id):
    actor = Actor.from_request(request)
    form = TeamFilterForm(request.GET or None)
    filters = worklists.TeamFilter(page=request.GET.get("page", 1))
    if form.is_bound and form.is_valid():
        filters.status = form.cleaned_data["status"]
        filters.phase = form.cleaned_data["phase"]
        filters.overdue_only = form.cleaned_data["overdue"]
    elif form.is_bound:
        # A filter that cannot be applied shows nothing and says why, not the whole team's work.
        filters.matches_nothing = True
    today = timezone.localdate()
    result = worklists.team_worklist(actor, team_id, filters, today, per_page=worklists.page_size())
    query = request.GET.copy()
    query.pop("page", None)
    status_labels = dict(Status.choices)
    return render(
        request,
        "worklists/work_team.html",
        {
            "result": result,
            "form": form,
            "filters": filters,
            "query": query.urlencode(),
            "today": today,
            "status_counts": [(s, status_labels[s], result.counts[s]) for s in worklists.ACTIVE_STATUSES],
        },
    )


class ReminderSettingsForm(forms.Form):
    organisation = forms.TypedChoiceField(label=gettext_lazy("Organisation"), coerce=int)
    lead_days = forms.CharField(
        label=gettext_lazy("Remind this many days before"),
        max_length=40,
        help_text=gettext_lazy(
            "Whole days separated by commas, e.g. 7, 1. Everyone is "
            "also reminded on the day and once when a step is overdue."
        ),
    )
    email = forms.BooleanField(label=gettext_lazy("Also by e-mail"), required=False)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]


@login_required
def reminder_settings(request):
    organisations = reminders.settings_organisations(request.user)
    if not organisations:
        raise PermissionDenied(_("Only team leads and functional administrators set the reminders."))
    try:
        chosen_id = int(request.POST.get("organisation") or request.GET.get("organisation") or organisations[0].pk)
    except ValueError:
        chosen_id = organisations[0].pk
    chosen = next((o for o in organisations if o.pk == chosen_id), organisations[0])
    current = reminders.settings_for(chosen)
    if request.method == "POST":
        form = ReminderSettingsForm(request.POST, organisations=organisations)
        if form.is_valid():
            data = form.cleaned_data
            try:
                reminders.save_settings(
                    Actor.from_request(request), data["organisation"], data["lead_days"], data["email"]
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("The reminder settings were saved."))
                return redirect(f"{request.path}?organisation={data['organisation']}")
    else:
        form = ReminderSettingsForm(
            initial={
                "organisation": chosen.pk,
                "lead_days": ", ".join(str(d) for d in current.days()),
                "email": current.email,
            },
            organisations=organisations,
        )
    return render(
        request,
        "worklists/work_reminder_settings.html",
        {
            "form": form,
            "organisations": organisations,
            "chosen": chosen,
        },
    )
