"""The legal term of a subject access request, without Django (decision 171).

GDPR art. 12(3): the controller answers "without undue delay and in any event within one month of receipt of the
request"; the period "may be extended by two further months where necessary", and the person is told of the
extension and its reasons within the first month. A month is counted as a calendar month: from 31 January the
term ends on the last day of February.
"""

from __future__ import annotations

import calendar
import datetime

TERM_MONTHS = 1
MAX_EXTENDED_MONTHS = 3  # one month, extended by at most two further months


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months later; the month's last day where that day does not exist."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_on(requested_on: datetime.date, extended_months: int = 0) -> datetime.date:
    """The last day to answer: one month after receipt, plus the extension."""
    return add_months(requested_on, TERM_MONTHS + extended_months)


def extension_problems(extended_months: int, reason: str) -> dict[str, str]:
    """Why an extension cannot be recorded (field -> message key), empty when it can."""
    problems = {}
    if extended_months < 0 or TERM_MONTHS + extended_months > MAX_EXTENDED_MONTHS:
        problems["extended_months"] = "too_long"
    if extended_months and not (reason or "").strip():
        problems["extension_reason"] = "reason_needed"
    return problems
