"""The one rule for confidential contact details and "no contact" marks (decisions 185-190).

A person's address, or all their contact details, can be marked confidential (a shelter, a secret address): they
stay within the case team. A ``NoContact`` mark keeps everything that locates one person (address, phone,
e-mail, a meeting at their home) from another person of the case; the name may still reach them.

Every output that leaves the team asks this module: ``contact_details_for`` (what of a person's contact details
an audience gets), ``kept_from`` (whose details must not reach a recipient), ``safe_place`` (a meeting place that
is a protected person's address is not shown) and ``no_contact_names`` (for the warning before something goes to
a person under a no-contact mark).
"""

from __future__ import annotations

import enum
import re

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from .choices import ContactConfidentiality
from .models import NoContact, Person

CONTACT_FIELDS = ("address", "phone", "email")


class Audience(enum.Enum):
    TEAM = "team"  # the case team, on the case's own pages and API
    OUTSIDER = "outsider"  # a letter's reader, a calendar file, a plan PDF, an export, a link page, another API


def hidden_fields(person) -> tuple[str, ...]:
    """The contact fields of ``person`` that leave the team for nobody."""
    mark = getattr(person, "contact_confidentiality", ContactConfidentiality.NONE)
    if mark == ContactConfidentiality.ALL:
        return CONTACT_FIELDS
    if mark == ContactConfidentiality.ADDRESS:
        return ("address",)
    return ()


def contact_details_for(person, audience: Audience, protected_ids: set[int] | frozenset = frozenset()) -> dict:
    """The person's address, phone and e-mail as ``audience`` may see them: everything for the team; for anyone
    else the confidential fields are empty, and all three are empty for a person in ``protected_ids`` (the
    persons the recipient is kept from: ``kept_from``)."""
    details = {name: getattr(person, name, "") or "" for name in CONTACT_FIELDS}
    if audience is Audience.TEAM:
        return details
    hidden = CONTACT_FIELDS if person.pk in protected_ids else hidden_fields(person)
    return {name: ("" if name in hidden else value) for name, value in details.items()}


def shown_address(person, audience: Audience, protected_ids: set[int] | frozenset = frozenset()) -> str:
    return contact_details_for(person, audience, protected_ids)["address"]


def kept_from(case, recipient=None) -> set[int]:
    """The persons of the case whose contact details must not reach ``recipient`` (a Person, or None for an
    unnamed outsider) beyond what ``hidden_fields`` already hides: those a no-contact mark keeps from them."""
    if recipient is None or getattr(recipient, "pk", None) is None:
        return set()
    return set(NoContact.objects.filter(case=case, kept_from=recipient).values_list("person_id", flat=True))


def _normal(text: str) -> str:
    return " ".join((text or "").casefold().replace(",", " ").split())


def _digits(text: str) -> str:
    return "".join(ch for ch in (text or "") if ch.isdigit())


def is_protected_value(case, value: str, field: str, recipient=None) -> bool:
    """Whether ``value`` (free text somewhere else: a meeting place, a plan's emergency phone) is the ``field``
    ("address" or "phone") of a person of the case that an outsider, or this recipient, may not get."""
    key = _digits if field == "phone" else _normal
    wanted = key(value)
    if not wanted:
        return False
    if recipient is None:
        # A file for any reader (a calendar file): nobody's no-contact protection may be broken by it.
        protected = set(NoContact.objects.filter(case=case).values_list("person_id", flat=True))
    else:
        protected = kept_from(case, recipient)
    for person in Person.objects.filter(case=case).exclude(**{field: ""}):
        if key(getattr(person, field)) == wanted and (field in hidden_fields(person) or person.pk in protected):
            return True
    return False


def safe_place(case, place: str, recipient=None) -> str:
    """The meeting place as an outsider may read it: empty when it is the confidential address of a person of
    the case, or the address of a person the recipient is kept from (for no named recipient: of anyone a
    no-contact mark protects) (decision 187)."""
    if is_protected_value(case, place, "address", recipient):
        return ""
    # A place that mentions the address (its street and number, or its postcode) gives it away as well.
    return "" if protected_addresses_in(case, place, recipient=recipient) else place


def safe_phone(case, phone: str, recipient=None) -> str:
    """A phone number written elsewhere (the plan's emergency contact) as an outsider may read it."""
    return "" if is_protected_value(case, phone, "phone", recipient) else phone


def kept_from_ids(case, recipient_ids) -> set[int]:
    """Which of these persons are under a no-contact mark in the case (kept from someone)."""
    wanted = {int(getattr(p, "pk", p)) for p in recipient_ids if p not in (None, "")}
    if not wanted:
        return set()
    return set(NoContact.objects.filter(case=case, kept_from_id__in=wanted).values_list("kept_from_id", flat=True))


def marks_between(case, person_ids) -> dict[int, list[str]]:
    """Among these persons (e.g. everyone invited to one meeting): each one kept from another of them -> the
    names of those they are kept from."""
    wanted = {int(getattr(p, "pk", p)) for p in person_ids if p not in (None, "")}
    found: dict[int, list[str]] = {}
    if len(wanted) < 2:
        return found
    marks = NoContact.objects.filter(case=case, kept_from_id__in=wanted, person_id__in=wanted).select_related("person")
    for mark in marks:
        found.setdefault(mark.kept_from_id, []).append(mark.person.full_name)
    return found


def no_contact_names(case, recipient_ids) -> list[str]:
    """For the warning before something goes to these persons: "X (no contact with Y)" for each recipient under a
    no-contact mark."""
    wanted = {int(getattr(p, "pk", p)) for p in recipient_ids if p not in (None, "")}
    if not wanted:
        return []
    marks = NoContact.objects.filter(case=case, kept_from_id__in=wanted).select_related("person", "kept_from")
    return sorted(
        _("%(recipient)s (no contact with %(person)s)") % {"recipient": m.kept_from, "person": m.person} for m in marks
    )


def case_marks(case, persons=None) -> dict:
    """The case page's marks (registered in ``apps.py``): "address confidential", "no contact with …".

    With the persons the page read already (``queries.case_detail`` marks each one that is kept from somebody), this
    costs no query unless the case has a no-contact mark."""
    marks: dict[int, list[str]] = {}
    if persons is None:
        persons = list(Person.objects.filter(case=case).annotate(kept_from_somebody=kept_from_somebody()))
    for person in persons:
        if person.contact_confidentiality != ContactConfidentiality.NONE:
            marks.setdefault(person.pk, []).append(
                _("address confidential")
                if person.contact_confidentiality == ContactConfidentiality.ADDRESS
                else _("contact details confidential")
            )
    if any(getattr(person, "kept_from_somebody", True) for person in persons):
        for mark in NoContact.objects.filter(case=case).select_related("person"):
            marks.setdefault(mark.kept_from_id, []).append(_("no contact with %(name)s") % {"name": mark.person})
    return {person_id: "; ".join(words) for person_id, words in marks.items()}


def kept_from_somebody():
    """An annotation for a query of persons: whether a no-contact mark keeps the person from somebody."""
    return Exists(NoContact.objects.filter(kept_from=OuterRef("pk")))


# ---- the warning before a document goes to someone a mark keeps something from (decision 201) ----------------


def kept_from_among(case, recipient, person_ids) -> list:
    """The persons among ``person_ids`` (those a document names, or brings the recipient together with) whom a
    no-contact mark keeps from ``recipient``: the document would tell the recipient where, or with whom, they
    are. Empty when no mark concerns the recipient (one query)."""
    if recipient is None or getattr(recipient, "pk", None) is None:
        return []
    wanted = {int(getattr(p, "pk", p)) for p in person_ids if p not in (None, "")} - {recipient.pk}
    if not wanted:
        return []
    marks = NoContact.objects.filter(case=case, kept_from=recipient, person_id__in=wanted).select_related("person")
    return sorted({mark.person for mark in marks}, key=lambda person: (person.full_name, person.pk))


# ---- a confidential address written in free text (decision 202) ------------------------------------------------

_POSTCODE = re.compile(r"(?<![0-9a-z])([1-9][0-9]{3})\s?([a-z]{2})(?![0-9a-z])")
_STREET_NUMBER = re.compile(r"([^\W\d_][^\W\d_' .-]*(?:[ '.-]+[^\W\d_]+)*)\s+([0-9]+)(?![0-9])")


def _fold(text: str) -> str:
    """Case folded, every run of characters that is not a letter or digit one space."""
    return " ".join(re.sub(r"[\W_]+", " ", (text or "").casefold()).split())


def address_keys(address: str) -> list[str]:
    """What identifies a stored address in somebody's writing: its street with house number ("geheimstraat 7")
    and a Dutch postcode ("3511 ab"), folded. A Belgian postcode (four digits) alone says too little to count."""
    keys = []
    folded_first_line = _fold((address or "").split(",")[0])
    street = _STREET_NUMBER.search(folded_first_line)
    if street:
        keys.append(f"{street.group(1)} {street.group(2)}")
    postcode = _POSTCODE.search((address or "").casefold())
    if postcode:
        keys.append(f"{postcode.group(1)} {postcode.group(2)}")
    return keys


def _contains(folded_text: str, key: str) -> bool:
    if re.fullmatch(r"[0-9]{4} [a-z]{2}", key):
        number, letters = key.split()
        pattern = rf"(?<![0-9a-z]){number} ?{letters}(?![0-9a-z])"
    else:
        pattern = rf"(?<![0-9a-z]){re.escape(key)}(?![0-9])"
    return re.search(pattern, folded_text) is not None


def protected_addresses_in(case, *texts: str, recipient=None) -> list[str]:
    """The names of the persons of the case whose protected address a text mentions (street and number, or
    postcode, however it is written): a confidential address, or the address of anyone a no-contact mark
    protects (from ``recipient`` only, when one is given). For the warning to a writer and before a document
    goes out; it does not change the text."""
    folded = _fold(" ".join(t for t in texts if t))
    if not folded:
        return []
    protected = (
        kept_from(case, recipient)
        if recipient is not None
        else set(NoContact.objects.filter(case=case).values_list("person_id", flat=True))
    )
    names = set()
    for person in Person.objects.filter(case=case).exclude(address=""):
        if "address" not in hidden_fields(person) and person.pk not in protected:
            continue
        if any(_contains(folded, key) for key in address_keys(person.address)):
            names.add(person.full_name)
    return sorted(names)


def address_warning(names) -> str:
    """The writer's warning (not a refusal) for ``protected_addresses_in``."""
    if not names:
        return ""
    return _(
        "This text contains the confidential address of %(names)s. Check that it may be written here: whoever "
        "reads this text can learn where they live."
    ) % {"names": ", ".join(names)}


def address_warning_for(case, *texts: str) -> str:
    """The writer's warning for texts just saved (a journal entry, an agreement, a meeting place): "" when they
    mention no protected address."""
    return address_warning(protected_addresses_in(case, *texts))
