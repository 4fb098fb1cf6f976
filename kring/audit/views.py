import csv

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from kring.core.actor import Actor

from .forms import AccessLogFilterForm
from .models import Action
from .queries import access_log, officer_organisation_ids
from .services import Access, log_access


class _Echo:
    def write(self, value):
        return value


@login_required
def log(request):
    organisation_ids = officer_organisation_ids(request.user)
    form = AccessLogFilterForm(request.GET or None, organisation_ids=organisation_ids)
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "user_id": data["user"].pk if data["user"] else None,
            "case_id": data["case"],
            "date_from": data["date_from"],
            "date_until": data["date_until"],
        }
    entries = access_log(request.user, **filters)
    if form.is_bound and not form.is_valid():
        # A filter that cannot be applied shows no entries (and exports none) rather than the whole log.
        entries = entries.none()
    if request.GET.get("format") == "csv" and (not form.is_bound or form.is_valid()):
        log_access(
            Actor.from_request(request),
            Action.EXPORT,
            [Access("access_log", "")],
            detail=request.GET.urlencode()[:300],
        )
        return _csv(entries)
    page = Paginator(entries.select_related("user"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(request, "audit/log.html", {"form": form, "page": page, "query": query.urlencode()})


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
