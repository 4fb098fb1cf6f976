"""The answer as a PDF a family can read (WeasyPrint), in plain Dutch with "u" (decision 176).

Like the plan and the meeting letters, a document for a family is read as a whole, so its wording lives in one
template (``privacy/answer_nl.html``); this module turns the export's sections into what the template shows,
dates written out as people write them.
"""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string
from django.utils import timezone

from kring.meetings.documents import MONTHS


def _day(value: str | None) -> str:
    if not value:
        return ""
    day = datetime.date.fromisoformat(value[:10])
    text = f"{day.day} {MONTHS['nl'][day.month - 1]} {day.year}"
    if len(value) > 10:
        text += f", {value[11:16]}"
    return text


DATE_KEYS = (
    "birth_date",
    "referral_date",
    "closed_on",
    "date",
    "from",
    "until",
    "given_on",
    "withdrawn_on",
    "when",
    "offered_on",
    "invited_on",
    "preparation_contact_on",
    "judged_on",
)


def _readable(rows: list[dict]) -> list[dict]:
    """Dates written out, also in the rows nested in a row (a trajectory's history)."""
    return [
        {
            k: (
                _day(v)
                if k in DATE_KEYS
                else _readable(v)
                if isinstance(v, list) and v and isinstance(v[0], dict)
                else v
            )
            for k, v in row.items()
        }
        for row in rows
    ]


def answer_html(export) -> str:
    sections = {name: _readable(rows) for name, rows in export.sections.items()}
    record = export.request
    context = {
        "lang": "nl",
        "organisation": sections["case"][0]["organisation"],
        "today": _day(timezone.localdate().isoformat()),
        "requested_on": _day(record.requested_on.isoformat()),
        "person": sections["person"][0],
        "case": sections["case"][0],
        "s": sections,
        "withheld_count": len(sections["withheld"]),
        # How many records are held back and why, never which (decision 206).
        "withheld_by_reason": export.withheld_by_reason(),
    }
    return render_to_string("privacy/answer_nl.html", context)


def render_pdf(export) -> bytes:
    from weasyprint import HTML

    return HTML(string=answer_html(export)).write_pdf()
