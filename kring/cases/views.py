"""Case pages. Thin: parse the request, call a query or a service, render. Visibility lives in queries.py."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kring.accounts.models import CASE_ROLES, Organisation
from kring.core.actor import Actor
from kring.core.forms import apply_service_errors, at_version, save_versioned

from . import consent_rules, queries, services
from .choices import CaseStatus, ConsentPurpose
from .editing import forget_scope
from .forms import (
    AuthorityForm,
    CapabilityForm,
    CaseForm,
    CaseloadFilterForm,
    ConsentForm,
    EndAuthorityForm,
    NoContactForm,
    PersonForm,
    ReferralForm,
    ReferralPersonFormSet,
    TeamMemberForm,
    WithdrawConsentForm,
)


def _case_or_404(request, pk, log=True):
    return queries.get_case(Actor.from_request(request), pk, log=log)


@login_required
def caseload(request):
    teams = queries.teams_for_filter(request.user)
    form = CaseloadFilterForm(request.GET or None, teams=teams)
    filters = queries.CaseloadFilter(page=request.GET.get("page", 1))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters.text = data["q"]
        filters.status = data["status"]
        filters.legal_context = data["legal_context"]
        filters.team_id = data["team"].pk if data["team"] else None
    if form.is_bound and not form.is_valid():
        # A search that cannot be run shows nothing and says why; without its filters it would list every case.
        page, rows = Paginator([], settings.KRING_CASELOAD_PAGE_SIZE).get_page(1), []
    else:
        page, rows = queries.caseload(Actor.from_request(request), filters)
    query = request.GET.copy()
    query.pop("page", None)
    filter_selects = [
        (form[name], list(form.fields[name].choices), str(form[name].value() or ""))
        for name in ("status", "legal_context", "team")
    ]
    return render(
        request,
        "cases/caseload.html",
        {
            "form": form,
            "filter_selects": filter_selects,
            "page": page,
            "cases": rows,
            "query": query.urlencode(),
        },
    )


@login_required
def referral_start(request):
    organisations = [m.organisation for m in request.user.active_memberships() if m.role in CASE_ROLES]
    organisations = list({o.pk: o for o in organisations}.values())
    if not organisations:
        raise PermissionDenied(_("You cannot record referrals."))
    if len(organisations) == 1:
        return redirect("cases:referral_for", organisation_id=organisations[0].pk)
    return render(request, "cases/referral_start.html", {"organisations": organisations})


@login_required
def referral(request, organisation_id):
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or not request.user.roles_in(organisation.pk) & set(CASE_ROLES):
        raise Http404
    form = ReferralForm(request.POST or None, organisation=organisation)
    persons = ReferralPersonFormSet(
        request.POST or None, prefix="person", initial=[{"is_central": True, "in_household": True}]
    )
    if request.method == "POST" and form.is_valid() and persons.is_valid():
        person_rows = [
            f.changes() for i, f in enumerate(persons.forms) if f.cleaned_data and (i == 0 or f.has_changed())
        ]
        try:
            case = services.create_referral(Actor.from_request(request), organisation, form.changes(), person_rows)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Referral recorded as case %(number)s.") % {"number": case.number})
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/referral.html", {"form": form, "persons": persons, "organisation": organisation})


@login_required
def case_detail(request, pk):
    case, persons, team, consents = queries.case_detail(Actor.from_request(request), pk)
    # A closed case asks for no more consents: its page shows the retention period instead of the authority summary
    # (the authority page keeps every record), which keeps the page within its query budget (bench/README.md).
    authority = None if case.status == CaseStatus.CLOSED else queries.authority_overview(case, persons)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "persons": persons,
            "team": team,
            "consents": consents,
            "authority": authority,
        },
    )


@login_required
def case_edit(request, pk):
    case = _case_or_404(request, pk)
    actor = Actor.from_request(request)
    form = CaseForm(request.POST or None, instance=case, organisation=case.organisation)

    def save(form):
        services.update_case(actor, pk, form.changes(), form.cleaned_data.get("version"))

    def refill():
        # The user's input again, against the current version, beside what changed.
        fresh = _case_or_404(request, pk, log=False)
        return CaseForm(at_version(request.POST, fresh.version), instance=fresh, organisation=fresh.organisation)

    result = save_versioned(request, form, save, refill)
    if result.saved:
        messages.success(request, _("The case was saved."))
        return redirect("cases:detail", pk=pk)
    case = result.form.instance  # the stored case again after a stale edit
    return render(
        request,
        "cases/case_form.html",
        {"form": result.form, "case": case, "stale": result.stale},
        status=result.status,
    )


@login_required
def person_add(request, pk):
    case = _case_or_404(request, pk)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_person(Actor.from_request(request), pk, form.changes())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The person was added."))
            return redirect("cases:detail", pk=pk)
    return render(request, "cases/person_form.html", {"form": form, "case": case})


@login_required
def person_edit(request, pk, person_id):
    case = _case_or_404(request, pk, log=False)
    actor = Actor.from_request(request)
    person = queries.get_person(actor, case, person_id)
    form = PersonForm(request.POST or None, instance=person)

    def save(form):
        services.update_person(actor, pk, person_id, form.changes(), form.cleaned_data.get("version"))

    def refill():
        fresh = queries.get_person(actor, case, person_id)
        return PersonForm(at_version(request.POST, fresh.version), instance=fresh)

    result = save_versioned(request, form, save, refill)
    if result.saved:
        messages.success(request, _("The person was saved."))
        return redirect("cases:detail", pk=pk)
    person = result.form.instance  # the stored person again after a stale edit
    return render(
        request,
        "cases/person_form.html",
        {"form": result.form, "case": case, "person": person, "stale": result.stale},
        status=result.status,
    )


@login_required
@require_POST
def person_remove(request, pk, person_id):
    _case_or_404(request, pk, log=False)
    try:
        services.remove_person(Actor.from_request(request), pk, person_id)
    except ValidationError as error:
        for message in sum(error.message_dict.values(), []):
            messages.error(request, message)
    else:
        messages.success(request, _("The person was removed from the case."))
    return redirect("cases:detail", pk=pk)


@login_required
def team(request, pk):
    case = _case_or_404(request, pk)
    form = TeamMemberForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_team_member(
                Actor.from_request(request), pk, form.cleaned_data["user"].pk, form.cleaned_data["role"]
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The colleague was added to the case team."))
            return redirect("cases:team", pk=pk)
    members = list(case.team_members.select_related("user"))
    return render(request, "cases/team.html", {"case": case, "form": form, "members": members})


@login_required
@require_POST
def team_remove(request, pk, member_id):
    _case_or_404(request, pk, log=False)
    try:
        services.remove_team_member(Actor.from_request(request), pk, member_id)
    except ValidationError as error:
        for message in sum(error.message_dict.values(), []):
            messages.error(request, message)
    else:
        messages.success(request, _("The colleague was removed from the case team."))
    # Whoever removed themselves may no longer see the case: ask again, without this request's cached scope.
    forget_scope(request.user)
    if not queries.can_see_case(request.user, pk):
        return redirect("cases:caseload")
    return redirect("cases:team", pk=pk)


@login_required
def consent_add(request, pk):
    case = _case_or_404(request, pk)
    ticked = [p for p in request.GET.getlist("purpose") if p in ConsentPurpose.values]
    form = ConsentForm(request.POST or None, case=case, initial={"purpose": ticked})
    if request.method == "POST" and form.is_valid():
        try:
            consents = services.record_consents(Actor.from_request(request), pk, form.service_data())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            count = len(consents)
            recorded = _("%(count)d consents were recorded.") % {"count": count}
            messages.success(request, _("The consent was recorded.") if count == 1 else recorded)
            for warning in consent_rules.authority_warnings(consent_rules.case_facts(case), consents[0].given_on):
                messages.warning(request, warning)
            return redirect("cases:detail", pk=pk)
    queries.log_person_choices(Actor.from_request(request), form)
    rules = consent_rules.describe(case.organisation.jurisdiction)
    return render(request, "cases/consent_form.html", {"form": form, "case": case, "consent_rules": rules})


@login_required
def consent_withdraw(request, pk, consent_id):
    case = _case_or_404(request, pk)
    actor = Actor.from_request(request)
    consent = case.consents.select_related("person").filter(pk=consent_id).first()
    if consent is None:
        raise Http404
    form = WithdrawConsentForm(request.POST or None, initial={"version": consent.version})

    def save(form):
        data = form.cleaned_data
        services.withdraw_consent(actor, pk, consent_id, data["withdrawn_on"], data.get("version"))

    def refill():
        nonlocal consent
        consent = case.consents.select_related("person").get(pk=consent_id)
        return WithdrawConsentForm(at_version(request.POST, consent.version))

    result = save_versioned(request, form, save, refill)
    if result.saved:
        messages.success(request, _("The withdrawal was recorded."))
        return redirect("cases:detail", pk=pk)
    queries.log_persons_shown(actor, [consent.person])
    return render(
        request,
        "cases/consent_withdraw.html",
        {"form": result.form, "case": case, "consent": consent, "stale": result.stale},
        status=result.status,
    )


@login_required
def history(request, pk):
    case = _case_or_404(request, pk, log=False)
    entries = queries.case_history(Actor.from_request(request), case)
    return render(request, "cases/history.html", {"case": case, "entries": entries})


@login_required
def authority(request, pk):
    """The "Gezag" page: who holds parental authority over each child, the capability judgements, and a form
    to record a new authority."""
    case = _case_or_404(request, pk)
    actor = Actor.from_request(request)
    form = AuthorityForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_authority(actor, pk, form.service_data())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The parental authority was recorded."))
            return redirect("cases:authority", pk=pk)
    queries.log_person_choices(actor, form)
    overview = queries.authority_page(actor, case)
    return render(request, "cases/authority.html", {"case": case, "form": form, **overview})


@login_required
def authority_end(request, pk, authority_id):
    case = _case_or_404(request, pk)
    actor = Actor.from_request(request)
    record = queries.get_authority(actor, case, authority_id)
    form = EndAuthorityForm(request.POST or None, initial={"version": record.version})

    def save(form):
        data = form.cleaned_data
        services.end_authority(actor, pk, authority_id, data["ended_on"], data.get("version"), data.get("notes", ""))

    def refill():
        nonlocal record
        record = queries.get_authority(actor, case, authority_id)
        return EndAuthorityForm(at_version(request.POST, record.version))

    result = save_versioned(request, form, save, refill)
    if result.saved:
        messages.success(request, _("The end of the parental authority was recorded."))
        return redirect("cases:authority", pk=pk)
    return render(
        request,
        "cases/authority_end.html",
        {"form": result.form, "case": case, "record": record, "stale": result.stale},
        status=result.status,
    )


@login_required
def capability(request, pk):
    case = _case_or_404(request, pk)
    actor = Actor.from_request(request)
    form = CapabilityForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_capability(actor, pk, form.service_data())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The judgement was recorded."))
            return redirect("cases:authority", pk=pk)
    queries.log_person_choices(actor, form)
    return render(request, "cases/capability_form.html", {"case": case, "form": form})


def detail_url(case):
    return reverse("cases:detail", kwargs={"pk": case.pk})


@login_required
def no_contact(request, pk):
    """The case's "no contact" marks: the list, a form for a new one, and ending one (decision 186)."""
    case = _case_or_404(request, pk)
    actor = Actor.from_request(request)
    form = NoContactForm(request.POST if request.method == "POST" and "end" not in request.POST else None, case=case)
    if request.method == "POST" and "end" in request.POST:
        try:
            mark_id = int(request.POST["end"])
        except ValueError:
            raise Http404 from None
        services.end_no_contact(actor, pk, mark_id)
        messages.success(request, _("The no contact mark was ended."))
        return redirect("cases:no_contact", pk=pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_no_contact(actor, pk, form.service_data())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The no contact mark was recorded."))
            return redirect("cases:no_contact", pk=pk)
    marks = queries.no_contact_marks(actor, case)
    queries.log_person_choices(actor, form)
    return render(request, "cases/no_contact.html", {"form": form, "case": case, "marks": marks})
