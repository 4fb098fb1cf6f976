import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.core.actor import Actor

from . import retention
from .forms import AccessLogFilterForm, RetentionForm
from .models import AccessLogArchive, Action
from .queries import Cursor, LogPage, access_log, access_log_page, default_period, officer_organisation_ids
from .services import Access, log_access


class _Echo:
    def write(self, value):
        return value


@login_required
def log(request):
    organisation_ids = officer_organisation_ids(request.user)
    form = AccessLogFilterForm(request.GET or None, organisation_ids=organisation_ids)
    filters = {"user_id": None, "case_id": None, "date_from": None, "date_until": None}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "user_id": data["user"].pk if data["user"] else None,
            "case_id": data["case"],
            "date_from": data["date_from"],
            "date_until": data["date_until"],
        }
    # Without a start the period is the last 30 days, so the log's older months are not read (decision 168).
    filters["date_from"], filters["date_until"] = default_period(filters["date_from"], filters["date_until"])
    invalid = form.is_bound and not form.is_valid()
    if request.GET.get("format") == "csv" and not invalid:
        entries = access_log(request.user, **filters)
        log_access(
            Actor.from_request(request),
            Action.EXPORT,
            [Access("access_log", "")],
            detail=request.GET.urlencode()[:300],
        )
        return _csv(entries)
    if invalid:
        # A filter that cannot be applied shows no entries (and exports none) rather than the whole log.
        access_log(request.user, **filters)  # refuses whoever is not a privacy officer
        page = LogPage([], older=None, newer=None, is_newest=True)
    else:
        page = access_log_page(
            request.user,
            before=Cursor.decode(request.GET.get("before")),
            after=Cursor.decode(request.GET.get("after")),
            **filters,
        )
    query = request.GET.copy()
    for key in ("before", "after", "format"):
        query.pop(key, None)
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "query": query.urlencode(), "period_from": filters["date_from"]},
    )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """A cell a spreadsheet shows as text: a leading =, +, -, @ would make it a formula (CSV injection), and
    search texts and paths in the log are typed by users."""
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv(entries):
    writer = csv.writer(_Echo())
    header = [
        "when",
        "user",
        "organisation_id",
        "case_id",
        "record_type",
        "record_id",
        "action",
        "ip_address",
        "path",
        "detail",
    ]

    def rows():
        yield writer.writerow(header)
        for e in entries.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    _cell(value)
                    for value in (
                        e.at.isoformat(),
                        e.user_label,
                        e.organisation_id or "",
                        e.case_id or "",
                        e.record_type,
                        e.record_id,
                        e.action,
                        e.ip_address or "",
                        e.path,
                        e.detail,
                    )
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="kring-access-log-{stamp}.csv"'
    return response


@login_required
def retention_settings(request):
    """How long each of the user's organisations keeps its access log (privacy officer or administrator)."""
    organisations = retention.settings_organisations(request.user)
    if not organisations:
        raise PermissionDenied(_("Only privacy officers and functional administrators set how long the log is kept."))
    try:
        chosen_id = int(request.POST.get("organisation") or request.GET.get("organisation") or organisations[0].pk)
    except ValueError:
        chosen_id = organisations[0].pk
    chosen = next((o for o in organisations if o.pk == chosen_id), organisations[0])
    if request.method == "POST":
        form = RetentionForm(request.POST, organisations=organisations)
        if form.is_valid():
            data = form.cleaned_data
            try:
                retention.save_retention(Actor.from_request(request), data["organisation"], data["retention_months"])
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("The retention of the access log was saved."))
                return redirect(f"{request.path}?organisation={data['organisation']}")
    else:
        form = RetentionForm(
            initial={"organisation": chosen.pk, "retention_months": retention.retention_months(chosen.pk)},
            organisations=organisations,
        )
    return render(
        request,
        "audit/retention.html",
        {
            "form": form,
            "organisations": organisations,
            "chosen": chosen,
            "minimum": retention.minimum_months(),
            "maximum": retention.maximum_months(),
            "default": retention.default_months(),
            "archives": AccessLogArchive.objects.all()[:24],
        },
    )
