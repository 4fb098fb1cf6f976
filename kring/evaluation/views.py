"""The evaluation pages: the dashboard of indicators, the effect evaluation (on the registration, or on an
extract made elsewhere), the report with its progress, research projects and their extracts, the data
dictionary, and the public overview. Thin: parse, call a query or a service, render."""

from __future__ import annotations

import csv
import functools
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kring.accounts.models import Role
from kring.core.actor import Actor
from kring.core.forms import apply_service_errors

from . import comparison, dataset, queries, report, services
from .core import effects
from .core import extract as extract_core
from .core.errors import EvaluationInputError
from .forms import CompareForm, ExtractRequestForm, ExtractUploadForm, IndicatorForm, ProjectForm, ReportForm
from .messages import error_message


def _language():
    return "en" if (translation.get_language() or "nl").startswith("en") else "nl"


def _page(view_func):
    """Logged-in pages of someone with an evaluation role; others get 404, as for a page that is not theirs."""

    @functools.wraps(view_func)
    def wrapper(request, *args, **kwargs):
        scope = queries.scope_for(request.user)
        if scope.empty:
            raise Http404
        return view_func(request, scope, *args, **kwargs)

    return login_required(wrapper)


def _figures_for(view):
    rows = []
    for row in view.rows:
        rate = row.plan_rate
        rows.append(
            {
                "label": report.method_label(row.key) if view.grouping == "method" else (row.key or "—"),
                "value": rate["estimate"] if rate else None,
                "low": rate["low"] if rate else None,
                "high": rate["high"] if rate else None,
                "note": _("too few to show") if not rate else "",
            }
        )
    from .core import figures

    return figures.bar_with_intervals_svg(
        rows,
        title=_("Offers that led to a plan"),
        x_label=_("share of offers with a plan"),
        no_data=_("No offers in this period."),
        decimal_comma=_language() == "nl",
        figure_id="fig-dashboard-rate",
    )


def _organisation_asked(data):
    return [data["organisation"]] if data.get("organisation") else None


@_page
def dashboard(request, scope):
    form = IndicatorForm(request.GET or None, scope=scope)
    view = None
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {"grouping": "method"}
        view = queries.indicator_view(
            Actor.from_request(request),
            grouping=data.get("grouping") or "method",
            today=timezone.localdate(),
            organisation_ids=_organisation_asked(data),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            view=data.get("view") or None,
        )
    rows = []
    if view:
        for row in view.rows:
            label = report.method_label(row.key) if view.grouping == "method" else row.key
            rows.append(
                {
                    "label": label or "—",
                    "row": row,
                    "plan_times": (row.incidence or {}).get("causes", {}).get("plan", {}).get("event_times", {}),
                    "abandon_times": (row.incidence or {})
                    .get("causes", {})
                    .get("abandoned", {})
                    .get("event_times", {}),
                }
            )
    return render(
        request,
        "evaluation/dashboard.html",
        {
            "form": form,
            "view": view,
            "rows": rows,
            "figure": _figures_for(view) if view else "",
            "report_form": ReportForm(scope=scope),
            "jobs": queries.jobs_of(Actor.from_request(request)),
            "may_manage_projects": request.user.has_role(Role.ADMINISTRATOR, Role.RESEARCHER),
        },
    )


@_page
@require_POST
def report_request(request, scope):
    form = ReportForm(request.POST, scope=scope)
    if form.is_valid():
        try:
            job = services.request_report(
                Actor.from_request(request),
                organisation_ids=_organisation_asked(form.cleaned_data),
                date_from=form.cleaned_data.get("date_from"),
                date_to=form.cleaned_data.get("date_to"),
                moment=form.cleaned_data["moment"],
                view=form.cleaned_data.get("view") or None,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("evaluation:dashboard")
        return redirect("evaluation:job", job_id=job.pk)
    refusals = [str(m) for m in form.non_field_errors()] + [
        str(m) for name in ("view", "organisation", "date_from", "date_to") for m in form.errors.get(name, [])
    ]
    messages.error(request, " ".join(refusals) or _("The report could not be asked for: check the period."))
    return redirect("evaluation:dashboard")


@_page
def job_page(request, scope, job_id):
    job = queries.job_for(Actor.from_request(request), job_id)
    body = presented = None
    if job.status == "done" and job.kind == "report":
        with_data = queries.job_result(Actor.from_request(request), job_id)
        body = report.render_html(with_data.data, for_pdf=False)
    if job.status == "done" and job.kind == "uploaded":
        presented = _extract_presentation(job.data)
    return render(request, "evaluation/job.html", {"job": job, "report_body": body, "presented": presented})


@_page
def job_status(request, scope, job_id):
    """The progress fragment the job page polls (htmx) until the job is done."""
    job = queries.job_for(Actor.from_request(request), job_id)
    response = render(request, "evaluation/_job_status.html", {"job": job})
    if job.status in ("done", "failed") and request.htmx:
        response["HX-Refresh"] = "true"  # show the finished report (or the error) in full
    return response


@_page
def job_download(request, scope, job_id):
    job = queries.job_result(Actor.from_request(request), job_id)
    response = HttpResponse(bytes(job.result), content_type=job.content_type)
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@_page
def compare(request, scope):
    form = CompareForm(request.GET or None, scope=scope, language=_language())
    result = presented = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        chosen_view = form.chosen_view()
        chosen = chosen_view.organisation_ids
        queries.log_compare(Actor.from_request(request), chosen, data["method"])
        try:
            today = timezone.localdate()
            result = comparison.compare(
                chosen,
                method=data["method"],
                comparison=data["comparison"],
                moment=data["moment"],
                today=today,
                date_from=data.get("date_from"),
                date_to=data.get("date_to"),
                **queries.comparison_disclosure(chosen, suppressed=chosen_view.suppressed, today=today),
            )
        except EvaluationInputError as error:
            form.add_error(None, error_message(error.as_dict()))
        else:
            presented = report.comparison_presentation(result, _language() == "nl")
    return render(request, "evaluation/compare.html", {"form": form, "result": result, "presented": presented})


@_page
def compare_extract(request, scope):
    """The estimators on an extract from elsewhere: nothing of it is stored, only the access is logged."""
    form = ExtractUploadForm(request.POST or None, request.FILES or None)
    result = None
    limit = services.limits()
    if request.method == "POST" and form.is_valid():
        spec = form.spec()
        upload = form.cleaned_data["file"]
        actor = Actor.from_request(request)
        queries.log_upload(actor, upload.name)
        try:
            data = upload.read()
            # From the header only: a small file may hold millions of rows (issue 12).
            shape = extract_core.check_shape(
                data, max_rows=limit["max_rows"], max_columns=limit["max_columns"], name=upload.name
            )
            spec["format"] = shape["format"]
            if len(data) > limit["inline_bytes"]:
                try:
                    job = services.request_upload_evaluation(actor, data, upload.name, spec)
                except ValidationError as error:
                    form.add_error(None, " ".join(error.messages))
                else:
                    return redirect("evaluation:job", job_id=job.pk)
            else:
                extract = extract_core.read_extract(
                    data,
                    treatment=spec["treatment"],
                    outcomes=spec["outcomes"],
                    covariates=spec["covariates"],
                    moderators=spec["moderators"],
                    binary=spec["binary"],
                    format=spec["format"],
                    max_rows=limit["max_rows"],
                    max_columns=limit["max_columns"],
                )
                result = effects.evaluate(
                    extract.frame,
                    extract.treatment,
                    {o: ("binary" if o in extract.binary else "continuous") for o in extract.outcomes},
                    extract.covariates,
                    extract.moderators,
                    spec["correction"],
                )
                result["read"] = extract.as_dict()
        except EvaluationInputError as error:
            form.add_error(None, error_message(error.as_dict()))
    presented = _extract_presentation(result) if result else None
    return render(
        request,
        "evaluation/compare_extract.html",
        {"form": form, "result": result, "presented": presented, "limits": limit},
    )


def _extract_presentation(result):
    rows = []
    for entry in result["outcomes"]:
        if "error" in entry:
            rows.append({"label": entry["outcome"], "error": error_message(entry["error"])})
            continue
        main = comparison.main_estimate(entry)
        rows.append(
            {
                "label": entry["outcome"],
                "kind": entry["kind"],
                "n": f"{entry['n_treated']} / {entry['n_control']}",
                "raw": report.format_interval(entry["raw"]["classical"]),
                "adjusted": report.format_interval(main),
                "ipw": report.format_interval((entry.get("ipw") or {}).get("ATT")),
                "matching": report.format_interval(entry.get("matching")),
                "p": report.format_number(main.get("p_value"), 3) if main else "—",
                "p_adjusted": report.format_number(main.get("p_adjusted"), 3) if main else "—",
                "effect_size": report.effect_size_text(entry),
                "mde": report.mde_text(entry),
                "warnings": [error_message(w) for w in entry.get("warnings", [])][:6],
                "balance": entry.get("balance") or [],
            }
        )
    return {"rows": rows, "warnings": [error_message(w) for w in result.get("warnings", [])]}


# ---- research projects and extracts --------------------------------------------------------------------------


@_page
def projects(request, scope):
    actor = Actor.from_request(request)
    return render(
        request,
        "evaluation/projects.html",
        {
            "projects": queries.projects_of(actor),
            "form": ExtractRequestForm(),
            "may_create": request.user.has_role(Role.ADMINISTRATOR),
        },
    )


@_page
def project_new(request, scope):
    if not request.user.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied(_("Only a functional administrator sets up research projects."))
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_project(Actor.from_request(request), form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The research project was set up."))
            return redirect("evaluation:projects")
    return render(request, "evaluation/project_form.html", {"form": form})


@_page
@require_POST
def extract_request(request, scope, project_id):
    queries.project_for(Actor.from_request(request), project_id)  # another's project is refused whatever the form
    form = ExtractRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose CSV or Parquet."))
        return redirect("evaluation:projects")
    try:
        job = services.request_extract(Actor.from_request(request), project_id, form.cleaned_data["format"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("evaluation:projects")
    return redirect("evaluation:job", job_id=job.pk)


def dictionary_page(request):
    """The data dictionary is public: it describes variables, not people. The page names each variable's type
    and unit in words; the CSV keeps the extract's own values."""
    kinds = {
        "binary": _("yes or no (1/0)"),
        "code": _("code"),
        "integer": _("whole number"),
        "number": _("number"),
        "text": _("text"),
    }
    units = {"weeks": _("weeks"), "years": _("years")}
    entries = [
        {**e, "type_label": kinds.get(e["type"], e["type"]), "unit_label": units.get(e["unit"], e["unit"])}
        for e in dataset.dictionary()
    ]
    return render(request, "evaluation/dictionary.html", {"entries": entries, "language": _language()})


def dictionary_csv(request):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "group", "type", "unit", "label_nl", "label_en", "codes"])
    for e in dataset.dictionary():
        writer.writerow(
            [
                e["name"],
                e["group"],
                e["type"],
                e["unit"],
                e["label_nl"],
                e["label_en"],
                "; ".join(f"{c['code']} = {c['nl']} / {c['en']}" for c in e["codes"]),
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kring-data-dictionary.csv"'
    return response


def public(request):
    """Per method over all organisations, without login; small cells suppressed."""
    grouping = request.GET.get("per", "method")
    if grouping not in ("method", "region", "year"):
        grouping = "method"
    rows = queries.public_indicators(grouping=grouping, today=timezone.localdate())

    def label(key):
        if grouping == "method":
            return report.method_label(key)
        if grouping == "region" and key == queries.OTHER_REGIONS:
            return _("other regions")
        return key or "—"

    shown = [{"label": label(r.key), "row": r} for r in rows]
    return render(request, "evaluation/public.html", {"rows": shown, "grouping": grouping})
