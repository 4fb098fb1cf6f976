"""The one rule for a person marked unsafe on the network map, wherever a stage involves a person.

Someone marked unsafe is invited to a meeting, carries or checks an agreement, gets a personal link or a letter,
or is named in a part of the plan shared with others only after an explicit confirmation with a reason. The
stages call ``require_reason`` (with ``unsafe_ids`` to find who is marked); the reason they get back is what they
record with the record they write.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import NetworkMember, Safety

REASON_LENGTH = 500


def unsafe_ids(person_ids: Iterable) -> set[int]:
    """Which of these persons are marked unsafe on the network map: one query, none for an empty list."""
    wanted = {int(getattr(p, "pk", p)) for p in person_ids if p not in (None, "")}
    if not wanted:
        return set()
    return set(
        NetworkMember.objects.filter(person_id__in=wanted, safety=Safety.UNSAFE).values_list("person_id", flat=True)
    )


def case_marks(case, persons=None) -> dict:
    """The case page's mark beside each person marked unsafe (registered in ``apps.py``): one query."""
    words = _("marked unsafe on the network map")
    ids = NetworkMember.objects.filter(case=case, safety=Safety.UNSAFE).values_list("person_id", flat=True)
    return {person_id: words for person_id in ids}


def require_reason(names: Iterable[str], reason, field: str, message: str = "") -> str:
    """The rule. ``names``: the persons marked unsafe that this write involves. None: nothing is needed and ""
    comes back. Some: the reason given (stripped, at most REASON_LENGTH characters), or a ValidationError on
    ``field`` that names them and says a reason is needed (``message``, with ``%(name)s``, says it for the
    stage)."""
    names = sorted({str(n) for n in names})
    if not names:
        return ""
    reason = str(reason or "").strip()
    if reason:
        return reason[:REASON_LENGTH]
    text = message or _(
        "%(name)s is marked unsafe on the network map. Confirm with a reason why you go ahead nonetheless."
    )
    raise ValidationError({field: [text % {"name": ", ".join(names)}]})
