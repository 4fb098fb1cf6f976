"""Imports into a case's network: a Kring network document (JSON) and the part of a GEDCOM family tree around one
person. Each checks the whole file before writing, adds everything as new persons in one transaction, logs the
access, and records one ``NetworkEdit`` so the import can be undone (``services.undo_last``) as one change.

Views and API endpoints call these to import; the exports are reads (``queries.export_json``, ``export_gedcom``).
"""

from collections import defaultdict
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kring.audit.services import Action, log_access, person_access
from kring.cases.editing import check_can_edit, lock_case, logs_refusal
from kring.cases.models import Person
from kring.core.errors import NotFound
from kring.core.history import set_history_user

from .models import (
    NetworkMember,
    Relationship,
    RelationshipKind,
    SystemTie,
)
from .queries import (
    EXPORT_FORMAT,
    EXPORT_PERSON_FIELDS,
    EXPORT_VERSION,
    MEMBER_FIELDS,
)
from .services import check_position, network_access, record_edit

# How many problems an invalid import lists at most.
MAX_IMPORT_ERRORS = 20


# --- import -----------------------------------------------------------------------------------------------


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            (" ".join(messages) if field == "__all__" else f"{field}: {' '.join(messages)}")
            for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _document_lists(payload):
    if not isinstance(payload, dict) or payload.get("format") != EXPORT_FORMAT:
        raise ValidationError({"document": [_("This is not a Kring network document.")]})
    if payload.get("version") != EXPORT_VERSION:
        raise ValidationError(
            {
                "document": [
                    _("This network document has version %(version)s; Kring reads version %(supported)s.")
                    % {"version": str(payload.get("version"))[:20], "supported": EXPORT_VERSION}
                ]
            }
        )
    lists = []
    for key in ("persons", "relationships", "system_ties"):
        items = payload.get(key)
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise ValidationError({"document": [_("The document needs a list '%(name)s' of records.") % {"name": key}]})
        lists.append(items)
    return lists


def _build_document(case, payload):
    """Check the whole document and build the unsaved records; raise ValidationError listing what is wrong."""
    persons_data, relationships_data, ties_data = _document_lists(payload)
    errors: list[str] = []
    persons, refs = _document_persons(case, persons_data, errors)
    relationships = _document_relationships(case, relationships_data, refs, errors)
    errors += _document_family_errors(relationships)
    ties = _document_ties(case, ties_data, refs, errors)
    if errors:
        raise ValidationError({"document": errors[:MAX_IMPORT_ERRORS]})
    return persons, relationships, ties


def _document_persons(case, items, errors):
    """The document's persons, each with its map data, and their places by reference; problems go to ``errors``."""
    persons: list[tuple[Person, NetworkMember]] = []
    refs: dict[str, int] = {}
    for n, item in enumerate(items, 1):
        ref = item.get("ref")
        try:
            if not isinstance(ref, str | int) or str(ref) == "" or str(ref) in refs:
                raise ValidationError(_("Each person needs its own reference ('ref')."))
            person, member = _document_person(case, item)
        except ValidationError as error:
            errors.append(_("Person %(n)s: %(problem)s") % {"n": n, "problem": _messages(error)})
            continue
        except (TypeError, ValueError):
            errors.append(_("Person %(n)s: %(problem)s") % {"n": n, "problem": _("a value has the wrong type.")})
            continue
        refs[str(ref)] = len(persons)
        persons.append((person, member))
    return persons, refs


def _document_person(case, item):
    """One person of the document and what the map knows of them, checked; unsaved."""
    if not item.get("first_name"):
        raise ValidationError({"first_name": [forms.Field.default_error_messages["required"]]})
    person = Person(
        case=case,
        organisation=case.organisation,
        **{k: item[k] for k in EXPORT_PERSON_FIELDS if k in item and item[k] is not None},
    )
    person.full_clean(exclude=["case", "organisation"])
    network = item.get("network") or {}
    if not isinstance(network, dict):
        raise ValidationError(_("'network' must be an object."))
    member = NetworkMember(
        case=case,
        organisation=case.organisation,
        **{k: network[k] for k in MEMBER_FIELDS if k in network and network[k] is not None},
    )
    positions = network.get("positions") or {}
    if not isinstance(positions, dict):
        raise ValidationError(_("'positions' must be an object."))
    member.positions = {}
    for map_kind, point in positions.items():
        if not isinstance(point, list | tuple) or len(point) != 2:
            raise ValidationError({"position": [_("A position needs two ordinary numbers.")]})
        member.positions[map_kind] = list(check_position(map_kind, *point))
    member.full_clean(exclude=["person", "case", "organisation"])
    return person, member


def _document_relationships(case, items, refs, errors):
    """(relationship, index of person a, index of person b) for the document's relationships; problems go to
    ``errors``."""
    relationships = []
    for n, item in enumerate(items, 1):
        try:
            a, b = str(item.get("person_a")), str(item.get("person_b"))
            if a not in refs or b not in refs:
                raise ValidationError(_("It refers to a person who is not in the document."))
            if a == b:
                raise ValidationError(_("A relationship needs two different persons."))
            relationship = Relationship(
                case=case,
                organisation=case.organisation,
                **{
                    k: item[k] for k in ("kind", "subtype", "start", "end", "note") if k in item and item[k] is not None
                },
            )
            relationship.full_clean(exclude=["case", "organisation", "person_a", "person_b"])
        except ValidationError as error:
            errors.append(_("Relationship %(n)s: %(problem)s") % {"n": n, "problem": _messages(error)})
            continue
        except (TypeError, ValueError):
            errors.append(_("Relationship %(n)s: %(problem)s") % {"n": n, "problem": _("a value has the wrong type.")})
            continue
        relationships.append((relationship, refs[a], refs[b]))
    return relationships


def _document_ties(case, items, refs, errors):
    """(tie, index of its person or None for the household) for the document's ties to systems; problems go to
    ``errors``."""
    ties = []
    for n, item in enumerate(items, 1):
        try:
            ref = item.get("person")
            if ref is not None and str(ref) not in refs:
                raise ValidationError(_("It refers to a person who is not in the document."))
            tie = SystemTie(
                case=case,
                organisation=case.organisation,
                **{
                    k: item[k]
                    for k in ("system", "system_kind", "strength", "energy", "start", "end", "note")
                    if k in item and item[k] is not None
                },
            )
            tie.full_clean(exclude=["case", "organisation", "person"])
        except ValidationError as error:
            errors.append(_("Tie to a system %(n)s: %(problem)s") % {"n": n, "problem": _messages(error)})
            continue
        except (TypeError, ValueError):
            errors.append(
                _("Tie to a system %(n)s: %(problem)s") % {"n": n, "problem": _("a value has the wrong type.")}
            )
            continue
        ties.append((tie, refs[str(ref)] if ref is not None else None))
    return ties


def _document_family_errors(relationships) -> list:
    """The parent rules within an imported document: no one their own ancestor, at most two biological parents."""
    errors: list[str] = []
    children: defaultdict[int, set[int]] = defaultdict(set)  # by the persons' places in the document
    biological: defaultdict[int, int] = defaultdict(int)
    for relationship, a, b in relationships:
        if relationship.kind == RelationshipKind.PARENT:
            children[a].add(b)
            if relationship.subtype == "biological":
                biological[b] += 1
    if any(count > 2 for count in biological.values()):
        errors.append(_("A child has at most two biological parents."))
    state = {}

    def has_cycle(node):
        state[node] = 1
        for child in children.get(node, ()):
            if state.get(child) == 1 or (state.get(child) is None and has_cycle(child)):
                return True
        state[node] = 2
        return False

    if any(state.get(node) is None and has_cycle(node) for node in list(children)):
        errors.append(_("A person cannot be their own ancestor."))
    return errors


def _save_imported(actor, case, persons, relationships, ties):
    saved_persons = []
    for person, member in persons:
        set_history_user(person, actor.user)
        person.save()
        member.person = person
        set_history_user(member, actor.user)
        member.save()
        saved_persons.append(person)
    saved_relationships = []
    for relationship, a, b in relationships:
        relationship.person_a = saved_persons[a]
        relationship.person_b = saved_persons[b]
        set_history_user(relationship, actor.user)
        relationship.save()
        saved_relationships.append(relationship)
    saved_ties = []
    for tie, ref in ties:
        tie.person = saved_persons[ref] if ref is not None else None
        set_history_user(tie, actor.user)
        tie.save()
        saved_ties.append(tie)
    record_edit(
        case,
        actor.user,
        "import",
        saved_persons[0].pk if saved_persons else "",
        None,
        {
            "persons": [p.pk for p in saved_persons],
            "relationships": [r.pk for r in saved_relationships],
            "system_ties": [t.pk for t in saved_ties],
        },
    )
    accesses = [person_access(p) for p in saved_persons] + [network_access(case, "member", p.pk) for p in saved_persons]
    accesses += [network_access(case, "relationship", r.pk) for r in saved_relationships]
    accesses += [network_access(case, "system_tie", t.pk) for t in saved_ties]
    log_access(actor, Action.CREATE, accesses)
    return {"persons": len(saved_persons), "relationships": len(saved_relationships), "system_ties": len(saved_ties)}


@logs_refusal
def import_json(actor, case_id, payload: dict) -> dict:
    """Add the persons, relationships and ties of a Kring network document to the case, as new persons.

    The whole document is checked first; if anything is wrong nothing is imported and the ValidationError
    (under "document") lists the problems. Returns how many persons, relationships and system ties were added.
    The import is one change for undo. The document is checked before the transaction begins, so the write
    lock is held only while saving; inside it the case is read again, locked, and the permission checked again.
    """
    case = _visible_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    persons, relationships, ties = _build_document(case, payload)
    with transaction.atomic():
        case = lock_case(case_id, actor.user)
        check_can_edit(actor.user, case)
        return _save_imported(actor, case, persons, relationships, ties)


def _visible_case(case_id, user):
    """The case, if the user may see it, read without a lock (outside a transaction)."""
    from kring.cases.queries import visible_cases

    case = visible_cases(user).select_related("organisation", "team").filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


# Messages for the GEDCOM core's error codes, in the user's language; its own (English) text is the fallback.
GEDCOM_MESSAGES = {
    "empty": gettext_lazy("The file is empty."),
    "encoding": gettext_lazy(
        "Line %(line)s cannot be read as %(encoding)s text, the character set the file says it uses."
    ),
    "binary": gettext_lazy("Line %(line)s contains binary data; this is not a GEDCOM text file."),
    "no_head": gettext_lazy(
        "Line %(line)s should be '0 HEAD': this is not a GEDCOM file, or it is damaged at the start."
    ),
    "after_trlr": gettext_lazy("Line %(line)s comes after the closing TRLR line."),
    "missing_level": gettext_lazy("Line %(line)s does not start with a level number."),
    "missing_tag": gettext_lazy("Line %(line)s has no tag."),
    "syntax": gettext_lazy("Line %(line)s is not a valid GEDCOM line."),
    "level_jump": gettext_lazy("Line %(line)s jumps from level %(previous)s to level %(level)s."),
    "invalid_age": gettext_lazy("Line %(line)s has an age the GEDCOM standard does not allow: '%(value)s'."),
    "invalid_dual_year": gettext_lazy(
        "Line %(line)s has the dual year %(value)s, but after the slash must come the "
        "year after the first one (as in 1699/00)."
    ),
    "duplicate_xref": gettext_lazy("The identifier %(xref)s on line %(line)s is already used on line %(first_line)s."),
    "no_trlr": gettext_lazy("The file ends on line %(line)s without the closing '0 TRLR' line; it may be cut off."),
    "dangling_pointer": gettext_lazy("Line %(line)s points to %(xref)s, which is not in the file."),
}


def _gedcom_error(error) -> ValidationError:
    """A GedcomError as a message for the file field, in the user's language, naming the line."""
    template = GEDCOM_MESSAGES.get(getattr(error, "code", ""))
    params = dict(getattr(error, "params", {}) or {})
    params.setdefault("line", getattr(error, "line", "?"))
    try:
        message = str(template) % params if template is not None else None
    except (KeyError, TypeError, ValueError):
        message = None
    if message is None:
        message = _("Line %(line)s of the GEDCOM file: %(problem)s") % {"line": params["line"], "problem": str(error)}
    return ValidationError({"file": [message]})


def _as_bytes(data) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _read_gedcom(data, center_xref=None, **selection):
    from .core.gedcom import GedcomError, parse_gedcom, select

    try:
        gedcom = parse_gedcom(_as_bytes(data))
    except GedcomError as error:
        raise _gedcom_error(error) from None
    if center_xref:
        try:
            gedcom = select(gedcom, center_xref, **selection)
        except KeyError:
            raise ValidationError({"center": [_("This person is not in the file.")]}) from None
    return gedcom


def preview_gedcom(data, center_xref=None, generations_up: int = 1, generations_down: int = 1, **options) -> dict:
    """What a GEDCOM file holds (or the part around ``center_xref``), for the preview before importing.

    The dict of ``kring.network.core.gedcom.preview``: counts, ``people`` (id, name, generation, ...), parent
    link kinds. A file that cannot be read raises ValidationError on "file" naming the line.
    """
    from .core.gedcom import preview

    gedcom = _read_gedcom(
        data, center_xref, generations_up=generations_up, generations_down=generations_down, **options
    )
    return preview(gedcom)


GEDCOM_SEXES = {"female": "female", "male": "male"}
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


def _gedcom_records(case, gedcom, network):
    """Unsaved persons, members and relationships from a GEDCOM selection; raise ValidationError if unusable."""
    persons, index, problems, dropped_dates = _gedcom_persons(case, gedcom, network)
    relationships = _gedcom_relationships(case, network, index)
    problems += _document_family_errors(relationships)
    if problems:
        raise ValidationError({"file": problems[:MAX_IMPORT_ERRORS]})
    return persons, relationships, dropped_dates


def _gedcom_persons(case, gedcom, network):
    """(person, member) per usable person of the selection, each one's place by GEDCOM id, the problems, and how
    many dates were left out."""
    from django.utils import timezone

    today = timezone.localdate()
    persons: list[tuple[Person, NetworkMember]] = []
    index: dict[str, int] = {}
    problems: list[str] = []
    dropped_dates = 0
    for member in network.members:
        birth, death, dropped = _gedcom_kept_dates(member, today)
        dropped_dates += dropped
        individual = gedcom.individuals.get(member.id)
        name = individual.names[0] if individual and individual.names else None
        first = (name.given if name and (name.given or name.surname) else member.name) or member.id
        last = name.surname if name and (name.given or name.surname) else ""
        person = Person(
            case=case,
            organisation=case.organisation,
            first_name=first.strip()[:100],
            last_name=last.strip()[:100],
            birth_date=birth,
            gender=GEDCOM_SEXES.get(member.sex, "unknown"),
        )
        network_member = NetworkMember(
            case=case,
            organisation=case.organisation,
            kind="person",
            deceased=member.deceased or bool(member.death_date),
            death_date=death,
            domain=member.domain or "",
        )
        try:
            person.full_clean(exclude=["case", "organisation"])
            network_member.full_clean(exclude=["person", "case", "organisation"])
        except ValidationError as error:
            problems.append(
                _("Person %(n)s: %(problem)s") % {"n": member.name or member.id, "problem": _messages(error)}
            )
            continue
        index[member.id] = len(persons)
        persons.append((person, network_member))
    return persons, index, problems, dropped_dates


def _gedcom_kept_dates(member, today):
    """(birth date, death date, how many were left out). The case file keeps birth dates from 1900 to today;
    older or odd ones, and deaths before the birth or in the future, stay out rather than block the import."""
    birth, death, dropped = member.birth_date, member.death_date, 0
    if birth and not (EARLIEST_BIRTH_DATE <= birth <= today):
        birth, dropped = None, dropped + 1
    if death and ((birth and death < birth) or death > today):
        death, dropped = None, dropped + 1
    return birth, death, dropped


def _gedcom_relationships(case, network, index):
    """(relationship, index of a, index of b) for the parent links and partnerships between imported persons."""
    relationships = []
    for link in network.parents:
        if link.parent in index and link.child in index and link.parent != link.child:
            parent_link = Relationship(
                case=case,
                organisation=case.organisation,
                kind="parent",
                subtype=link.kind,
                start=link.start,
                end=link.end,
            )
            relationships.append((parent_link, index[link.parent], index[link.child]))
    for partnership in network.partners:
        if partnership.a in index and partnership.b in index and partnership.a != partnership.b:
            start, end = partnership.start, partnership.end
            if start and end and end < start:
                start = end = None
            partners = Relationship(
                case=case,
                organisation=case.organisation,
                kind="partner",
                subtype=partnership.kind,
                start=start,
                end=end,
            )
            relationships.append((partners, index[partnership.a], index[partnership.b]))
    return relationships


@logs_refusal
def import_gedcom(
    actor,
    case_id,
    data,
    center_xref,
    generations_up: int = 1,
    generations_down: int = 1,
    include_partners: bool = True,
    include_siblings: bool = True,
    include_associations: bool = True,
) -> dict:
    """Add the part of a family tree around ``center_xref`` to the case, as new (not central) persons.

    All or nothing, in one transaction; one change for undo. Birth dates before 1900 (which the case file does
    not keep) are left out and counted in ``dates_left_out``. Returns the counts of what was added.
    The file is read before the transaction begins, so the write lock is held only while writing.
    """
    from .core.gedcom import to_network

    gedcom = _read_gedcom(
        data,
        center_xref,
        generations_up=generations_up,
        generations_down=generations_down,
        include_partners=include_partners,
        include_siblings=include_siblings,
        include_associations=include_associations,
    )
    imported = to_network(gedcom)
    with transaction.atomic():
        case = lock_case(case_id, actor.user)
        check_can_edit(actor.user, case)
        persons, relationships, dropped = _gedcom_records(case, gedcom, imported.network)
        counts = _save_imported(actor, case, persons, relationships, [])
    counts["dates_left_out"] = dropped
    return counts
