"""Writing the access log. Every service and query that touches case or person data calls these."""
from collections.abc import Iterable
from dataclasses import dataclass

from .models import AccessLogEntry, Action


@dataclass(frozen=True)
class Access:
    """One record touched: its type, id, and the case and organisation it belongs to."""

    record_type: str
    record_id: object
    case_id: int | None = None
    organisation_id: int | None = None


def log_access(actor, action: str, accesses: Iterable[Access], path: str = "", detail: str = "") -> None:
    """Write one entry per record, in one query."""
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    entries = [
        AccessLogEntry(
            user=user,
            user_label=(user.email if user else "")[:254],
            organisation_id=access.organisation_id,
            case_id=access.case_id,
            record_type=access.record_type,
            record_id=str(access.record_id or "")[:64],
            action=action,
            ip_address=actor.ip_address,
            path=path[:300],
            detail=detail[:300],
        )
        for access in accesses
    ]
    if entries:
        AccessLogEntry.objects.bulk_create(entries)


def case_access(case) -> Access:
    return Access("case", case.pk, case.pk, case.organisation_id)


def person_access(person) -> Access:
    return Access("person", person.pk, person.case_id, person.organisation_id)


__all__ = ["Access", "Action", "log_access", "case_access", "person_access"]
