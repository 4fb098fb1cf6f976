"""Writes to a case's network. Each checks permission with the case file's rules, changes state in one
transaction, keeps the field history (django-simple-history), logs the access, and records a ``NetworkEdit``
(what the record was before and after) so the user's last change can be undone.

Views and API endpoints call these and nothing else to change the network.
"""

import math
from collections import defaultdict
from datetime import date
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field, JSONField, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kring.audit.services import Access, Action, log_access, person_access
from kring.cases import services as case_services
from kring.cases.editing import check_can_edit, lock_case, logs_refusal, refuse_if_stale
from kring.cases.models import Person
from kring.core.errors import NotFound, StaleEdit
from kring.core.history import set_history_user

from .core.graph import DIRECTED_EMOTIONAL_KINDS
from .models import (
    NetworkEdit,
    NetworkMember,
    Relationship,
    RelationshipKind,
    SystemTie,
)
from .queries import (
    EXPORT_FORMAT,
    EXPORT_PERSON_FIELDS,
    EXPORT_VERSION,
    MAP_KINDS,
    MEMBER_FIELDS,
    RELATIONSHIP_FIELDS,
    SYSTEM_TIE_FIELDS,
)

# The largest coordinate a dragged person may get; keeps nonsense out of the stored positions.
MAX_COORDINATE = 1_000_000
# How many problems an invalid import lists at most.
MAX_IMPORT_ERRORS = 20

RECORD_MODELS: dict[str, type[NetworkMember] | type[Relationship] | type[SystemTie]] = {
    "member": NetworkMember,
    "relationship": Relationship,
    "system_tie": SystemTie,
}
# The record types of the access log.
ACCESS_TYPES = {"member": "network_member", "relationship": "relationship", "system_tie": "system_tie"}


# --- helpers --------------------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    return value


def _snapshot(instance) -> dict:
    """The stored fields of a record as JSON-ready values (what a NetworkEdit keeps)."""
    return {f.attname: _plain(f.value_from_object(instance)) for f in instance._meta.concrete_fields}


def _from_snapshot(model, data: dict):
    """An unsaved record rebuilt from a snapshot."""
    values = {}
    for f in model._meta.concrete_fields:
        if f.attname in data:
            values[f.attname] = _value(f, data[f.attname])
    return model(**values)


def _value(field, raw):
    if raw is None or isinstance(field, JSONField):
        return raw
    return field.to_python(raw)


def _access(case, record_type, record_id) -> Access:
    return Access(ACCESS_TYPES.get(record_type, record_type), record_id, case.pk, case.organisation_id)


def _record_edit(case, user, record_type, record_id, before, after) -> NetworkEdit:
    return NetworkEdit.objects.create(
        case=case, user=user, record_type=record_type, record_id=str(record_id), before=before, after=after
    )


def _clean(instance, exclude=None, errors=None):
    """Run the model's validation and merge in ``errors`` found by the service; raise them together."""
    errors = {k: list(v) for k, v in (errors or {}).items()}
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(m for m in messages if m not in errors.get(field, []))
    if errors:
        raise ValidationError(errors)


def _case_person(case, value):
    """A person of this case, from an id or a Person; None if it is not one."""
    if isinstance(value, Person):
        value = value.pk
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return case.persons.filter(pk=value).first()


def _get_person(case, person_id):
    person = _case_person(case, person_id)
    if person is None:
        raise NotFound()
    return person


def _member_for_update(case, person):
    member = NetworkMember.objects.select_for_update().filter(pk=person.pk).first()
    if member is None:
        member = NetworkMember(person=person, case=case, organisation=case.organisation)
    return member


# --- members --------------------------------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def save_member(actor, case_id, person_id, data: dict, expected_version=None) -> NetworkMember:
    """Create or change what the map knows of a person (life domain, closeness, support, safety, ...)."""
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    person = _get_person(case, person_id)
    member = _member_for_update(case, person)
    existed = not member._state.adding
    if existed:
        refuse_if_stale(member, expected_version, MEMBER_FIELDS)
    before = _snapshot(member) if existed else None
    for name, value in data.items():
        if name in MEMBER_FIELDS:
            setattr(member, name, value)
    member.person = person
    _clean(member)
    if existed:
        member.version += 1
    set_history_user(member, actor.user)
    member.save()
    _record_edit(case, actor.user, "member", person.pk, before, _snapshot(member))
    log_access(actor, Action.UPDATE if existed else Action.CREATE, [_access(case, "member", person.pk)])
    return member


def _check_position(map_kind, x, y):
    if map_kind not in MAP_KINDS:
        raise ValidationError({"map_kind": [_("Choose the genogram, the eco-map or the network circle.")]})
    try:
        x, y = float(x), float(y)
    except (TypeError, ValueError):
        x = y = math.nan
    if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > MAX_COORDINATE:
        raise ValidationError({"position": [_("A position needs two ordinary numbers.")]})
    return x, y


@logs_refusal
@transaction.atomic
def move_member(actor, case_id, person_id, map_kind, x, y) -> NetworkMember:
    """Keep where the user dragged a person on one map. Not a change of content: the version stays."""
    x, y = _check_position(map_kind, x, y)
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    person = _get_person(case, person_id)
    member = _member_for_update(case, person)
    existed = not member._state.adding
    before = _snapshot(member) if existed else None
    member.positions = {**(member.positions or {}), map_kind: [x, y]}
    set_history_user(member, actor.user)
    member.save()
    _record_edit(case, actor.user, "member", person.pk, before, _snapshot(member))
    log_access(actor, Action.UPDATE if existed else Action.CREATE, [_access(case, "member", person.pk)])
    return member


@logs_refusal
@transaction.atomic
def reset_positions(actor, case_id, map_kind) -> int:
    """Forget where persons were dragged on one map, so the layout places them again. Returns how many."""
    if map_kind not in MAP_KINDS:
        raise ValidationError({"map_kind": [_("Choose the genogram, the eco-map or the network circle.")]})
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    members = [
        m for m in NetworkMember.objects.select_for_update().filter(case=case) if map_kind in (m.positions or {})
    ]
    if not members:
        return 0
    before, after = {}, {}
    for member in members:
        before[str(member.pk)] = dict(member.positions)
        member.positions = {k: v for k, v in member.positions.items() if k != map_kind}
        after[str(member.pk)] = dict(member.positions)
        set_history_user(member, actor.user)
        member.save(update_fields=["positions"])
    _record_edit(case, actor.user, "positions", map_kind, before, after)
    log_access(actor, Action.UPDATE, [_access(case, "member", m.pk) for m in members])
    return len(members)


# --- persons --------------------------------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def add_network_person(
    actor, case_id, person_data: dict, member_data: dict | None = None, position: tuple | None = None
) -> Person:
    """Add a person to the case (through the case file's service) together with what the map knows of them.

    ``position`` (map kind, x, y) pins the person where they were placed on the map, in the same change, so one
    undo takes the whole addition back.
    """
    if position:
        map_kind, x, y = position
        position = (map_kind, *_check_position(map_kind, x, y))
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    member = NetworkMember(case=case, organisation=case.organisation)
    for name, value in (member_data or {}).items():
        if name in MEMBER_FIELDS:
            setattr(member, name, value)
    # The map data is checked before the person is saved, so all problems are reported at once.
    member_errors = {}
    try:
        member.full_clean(exclude=["person"])
    except ValidationError as error:
        member_errors = error.message_dict
    if member_errors:
        probe = Person(
            case=case,
            organisation=case.organisation,
            **{k: v for k, v in person_data.items() if k in case_services.PERSON_FIELDS},
        )
        _clean(probe, errors=member_errors)
    person = case_services.add_person(actor, case_id, person_data)
    member.person = person
    if position:
        member.positions = {position[0]: [position[1], position[2]]}
    _clean(member)
    set_history_user(member, actor.user)
    member.save()
    _record_edit(
        case, actor.user, "person", person.pk, None, {"person": _snapshot(person), "member": _snapshot(member)}
    )
    log_access(actor, Action.CREATE, [_access(case, "member", person.pk)])
    return person


def _ties_of(case, person_ids):
    relationships = list(
        Relationship.objects.select_for_update()
        .filter(case=case)
        .filter(Q(person_a_id__in=person_ids) | Q(person_b_id__in=person_ids))
        .order_by("id")
    )
    system_ties = list(SystemTie.objects.select_for_update().filter(case=case, person_id__in=person_ids).order_by("id"))
    return relationships, system_ties


@logs_refusal
@transaction.atomic
def remove_network_person(actor, case_id, person_id) -> None:
    """Remove a person from the case with their ties (through the case file's service, with its rules: the last
    central person and a person who gave consent stay)."""
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    person = _get_person(case, person_id)
    member = NetworkMember.objects.filter(pk=person.pk).first()
    relationships, system_ties = _ties_of(case, [person.pk])
    before = {
        "person": _snapshot(person),
        "member": _snapshot(member) if member else None,
        "relationships": [_snapshot(r) for r in relationships],
        "system_ties": [_snapshot(t) for t in system_ties],
    }
    accesses = [_access(case, "relationship", r.pk) for r in relationships]
    accesses += [_access(case, "system_tie", t.pk) for t in system_ties]
    for record in [*relationships, *system_ties] + ([member] if member else []):
        set_history_user(record, actor.user)
        record.delete()
    case_services.remove_person(actor, case_id, person.pk)
    _record_edit(case, actor.user, "person", person_id, before, None)
    if member:
        accesses.append(_access(case, "member", person.pk))
    log_access(actor, Action.DELETE, accesses)


# --- relationships ----------------------------------------------------------------------------------------


def _relationship_errors(case, relationship) -> dict:
    """The rules that need the rest of the network: no duplicates, no one their own ancestor, at most two
    biological parents."""
    errors: dict[str, list[str]] = {}
    a, b = relationship.person_a_id, relationship.person_b_id
    if not (a and b) or a == b:
        return errors
    others = Relationship.objects.filter(case=case, kind=relationship.kind)
    if relationship.pk:
        others = others.exclude(pk=relationship.pk)
    if relationship.kind == RelationshipKind.PARENT:
        if others.filter(person_a_id=a, person_b_id=b).exists():
            errors["__all__"] = [_("This parent link is already recorded.")]
            return errors
        children = defaultdict(set)
        links = list(others.values_list("person_a_id", "person_b_id", "subtype"))
        for parent, child, _subtype in links:
            children[parent].add(child)
        # a becomes a parent of b: refused if a already descends from b.
        seen, stack = set(), [b]
        while stack:
            current = stack.pop()
            if current == a:
                errors["person_a"] = [_("A person cannot be their own ancestor.")]
                break
            if current not in seen:
                seen.add(current)
                stack.extend(children.get(current, ()))
        if relationship.subtype == "biological":
            biological = sum(1 for _p, child, subtype in links if child == b and subtype == "biological")
            if biological >= 2:
                errors["person_b"] = [_("A child has at most two biological parents.")]
        return errors
    same = others.filter(subtype=relationship.subtype, start=relationship.start, end=relationship.end)
    if relationship.kind == RelationshipKind.EMOTIONAL and relationship.subtype in DIRECTED_EMOTIONAL_KINDS:
        same = same.filter(person_a_id=a, person_b_id=b)
    else:
        same = same.filter(Q(person_a_id=a, person_b_id=b) | Q(person_a_id=b, person_b_id=a))
    if same.exists():
        errors["__all__"] = [_("This relationship is already recorded.")]
    return errors


def _apply_relationship(case, relationship, data):
    errors = {}
    for name, value in data.items():
        if name not in RELATIONSHIP_FIELDS:
            continue
        if name in ("person_a", "person_b"):
            person = _case_person(case, value)
            if person is None:
                errors[name] = [_("Choose a person of this case.")]
            else:
                setattr(relationship, name, person)
        else:
            setattr(relationship, name, value if value is not None or name in ("start", "end") else "")
    return errors


def _validate_relationship(case, relationship, errors):
    if not errors:
        errors = _relationship_errors(case, relationship)
    _clean(
        relationship,
        exclude=["person_a", "person_b"] if not (relationship.person_a_id and relationship.person_b_id) else None,
        errors=errors,
    )


def _save_change(actor, case, instance, record_type, before):
    """Save a changed relationship or system tie: new version, history, undo record and access log."""
    instance.version += 1
    set_history_user(instance, actor.user)
    instance.save()
    _record_edit(case, actor.user, record_type, instance.pk, before, _snapshot(instance))
    log_access(actor, Action.UPDATE, [_access(case, record_type, instance.pk)])
    return instance


def _remove(actor, case_id, model, record_id, record_type):
    """Remove a relationship or system tie of the case, keeping what it was for undo."""
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    instance = model.objects.select_for_update().filter(case=case, pk=record_id).first()
    if instance is None:
        raise NotFound()
    _record_edit(case, actor.user, record_type, instance.pk, _snapshot(instance), None)
    log_access(actor, Action.DELETE, [_access(case, record_type, instance.pk)])
    set_history_user(instance, actor.user)
    instance.delete()


@logs_refusal
@transaction.atomic
def add_relationship(actor, case_id, data: dict) -> Relationship:
    """Record a tie between two persons of the case: parent and child (person_a the parent), partners, twins
    or an emotional tie (for abuse, person_a the one who harms)."""
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    relationship = Relationship(case=case, organisation=case.organisation)
    data = {"person_a": None, "person_b": None, **data}
    errors = _apply_relationship(case, relationship, data)
    _validate_relationship(case, relationship, errors)
    set_history_user(relationship, actor.user)
    relationship.save()
    _record_edit(case, actor.user, "relationship", relationship.pk, None, _snapshot(relationship))
    log_access(actor, Action.CREATE, [_access(case, "relationship", relationship.pk)])
    return relationship


@logs_refusal
@transaction.atomic
def update_relationship(actor, case_id, relationship_id, data: dict, expected_version=None) -> Relationship:
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    relationship = Relationship.objects.select_for_update().filter(case=case, pk=relationship_id).first()
    if relationship is None:
        raise NotFound()
    refuse_if_stale(relationship, expected_version, RELATIONSHIP_FIELDS)
    before = _snapshot(relationship)
    errors = _apply_relationship(case, relationship, data)
    _validate_relationship(case, relationship, errors)
    return _save_change(actor, case, relationship, "relationship", before)


@logs_refusal
@transaction.atomic
def remove_relationship(actor, case_id, relationship_id) -> None:
    _remove(actor, case_id, Relationship, relationship_id, "relationship")


# --- ties to systems ------------------------------------------------------------------------------------


def _apply_system_tie(case, tie, data):
    errors = {}
    for name, value in data.items():
        if name not in SYSTEM_TIE_FIELDS:
            continue
        if name == "person":
            if value in (None, ""):
                tie.person = None
                continue
            person = _case_person(case, value)
            if person is None:
                errors["person"] = [_("Choose a person of this case.")]
            else:
                tie.person = person
        else:
            setattr(tie, name, value if value is not None or name in ("start", "end") else "")
    return errors


@logs_refusal
@transaction.atomic
def add_system_tie(actor, case_id, data: dict) -> SystemTie:
    """Record an eco-map tie from the household (no person) or one person to a system such as a school."""
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    tie = SystemTie(case=case, organisation=case.organisation)
    errors = _apply_system_tie(case, tie, data)
    _clean(tie, errors=errors)
    set_history_user(tie, actor.user)
    tie.save()
    _record_edit(case, actor.user, "system_tie", tie.pk, None, _snapshot(tie))
    log_access(actor, Action.CREATE, [_access(case, "system_tie", tie.pk)])
    return tie


@logs_refusal
@transaction.atomic
def update_system_tie(actor, case_id, tie_id, data: dict, expected_version=None) -> SystemTie:
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    tie = SystemTie.objects.select_for_update().filter(case=case, pk=tie_id).first()
    if tie is None:
        raise NotFound()
    refuse_if_stale(tie, expected_version, SYSTEM_TIE_FIELDS)
    before = _snapshot(tie)
    errors = _apply_system_tie(case, tie, data)
    _clean(tie, errors=errors)
    return _save_change(actor, case, tie, "system_tie", before)


@logs_refusal
@transaction.atomic
def remove_system_tie(actor, case_id, tie_id) -> None:
    _remove(actor, case_id, SystemTie, tie_id, "system_tie")


# --- undo -----------------------------------------------------------------------------------------------


def _stale(changes=()):
    return StaleEdit(list(changes) or [(_("network"), "", "", _("someone else"))])


def _differences(current: dict | None, expected: dict | None, fields) -> list:
    """Fields whose stored value is no longer what the edit left (the version number aside)."""
    if current is None or expected is None:
        return []
    return [f for f in fields if f != "version" and current.get(f) != expected.get(f)]


def _undo_record(actor, case, edit):
    model = RECORD_MODELS[edit.record_type]
    current = model.objects.select_for_update().filter(case=case, pk=edit.record_id).first()
    current_data = _snapshot(current) if current is not None else None
    if edit.before and edit.after:
        fields = [f for f in edit.after if f != "version" and edit.before.get(f) != edit.after.get(f)]
    else:
        fields = [f for f in (edit.after or {}) if f != "version"]
    if (edit.after is None) != (current is None) or _differences(current_data, edit.after, fields):
        changed = _differences(current_data, edit.after, fields)
        raise _stale(
            [
                # Only fields of both snapshots differ (``changed`` is empty without them), each a concrete field.
                (
                    cast(Field, model._meta.get_field(f)).verbose_name,
                    edit.after.get(f),
                    (current_data or {}).get(f),
                    _("someone else"),
                )
                for f in changed
            ]
        )
    action = Action.UPDATE
    if edit.before is None:
        assert current is not None  # the edit made the record: its after is set, so the check above found it
        set_history_user(current, actor.user)
        current.delete()
        action = Action.DELETE
    elif current is None:
        restored = _from_snapshot(model, edit.before)
        set_history_user(restored, actor.user)
        restored.save(force_insert=True)
        action = Action.CREATE
    else:
        for f in fields:
            setattr(current, f, _value(model._meta.get_field(f), edit.before.get(f)))
        if any(f != "positions" for f in fields):
            current.version += 1
        set_history_user(current, actor.user)
        current.save()
    log_access(actor, action, [_access(case, edit.record_type, edit.record_id)])
    return action


def _undo_positions(actor, case, edit):
    members = {str(m.pk): m for m in NetworkMember.objects.select_for_update().filter(pk__in=list(edit.before))}
    for person_id, positions in edit.after.items():
        member = members.get(person_id)
        if member is None or (member.positions or {}) != positions:
            raise _stale()
    for person_id, positions in edit.before.items():
        member = members[person_id]
        member.positions = positions
        set_history_user(member, actor.user)
        member.save(update_fields=["positions"])
    log_access(actor, Action.UPDATE, [_access(case, "member", pk) for pk in members])


def _delete_persons(actor, case, person_ids, relationship_ids=(), tie_ids=()):
    """Remove persons added by an edit being undone; refused if others have tied them in since."""
    persons = list(case.persons.filter(pk__in=person_ids))
    if len(persons) != len(set(person_ids)):
        raise _stale()
    relationships, system_ties = _ties_of(case, [p.pk for p in persons])
    if {r.pk for r in relationships} - set(relationship_ids) or {t.pk for t in system_ties} - set(tie_ids):
        raise _stale()
    # Ties of the household as a whole that came with them (an import) go too.
    system_ties += list(SystemTie.objects.select_for_update().filter(case=case, pk__in=tie_ids, person__isnull=True))
    if any(p.consents.exists() for p in persons):
        raise ValidationError({"person": [_("This person gave consent; the consent record must stay.")]})
    remaining = case.persons.exclude(pk__in=[p.pk for p in persons])
    if not remaining.filter(is_central=True).exists():
        raise ValidationError({"is_central": [_("A case needs at least one central person.")]})
    for record in [
        *relationships,
        *system_ties,
        *NetworkMember.objects.filter(pk__in=[p.pk for p in persons]),
        *persons,
    ]:
        set_history_user(record, actor.user)
        record.delete()
    accesses = [person_access(p) for p in persons] + [_access(case, "member", p.pk) for p in persons]
    accesses += [_access(case, "relationship", r.pk) for r in relationships]
    accesses += [_access(case, "system_tie", t.pk) for t in system_ties]
    log_access(actor, Action.DELETE, accesses)


def _undo_person(actor, case, edit):
    if edit.before is None:
        # Undo an added person: remove them again, if nobody changed or tied them in since.
        person = case.persons.filter(pk=edit.record_id).first()
        if person is None:
            raise _stale()
        changed = _differences(_snapshot(person), edit.after["person"], case_services.PERSON_FIELDS)
        if changed:
            raise _stale()
        _delete_persons(actor, case, [person.pk])
        return
    # Undo a removal: bring the person back with the same id, their map data and the ties still possible.
    if Person.objects.filter(pk=edit.record_id).exists():
        raise _stale()
    person = _from_snapshot(Person, edit.before["person"])
    set_history_user(person, actor.user)
    person.save(force_insert=True)
    accesses = [person_access(person)]
    if edit.before.get("member"):
        member = _from_snapshot(NetworkMember, edit.before["member"])
        set_history_user(member, actor.user)
        member.save(force_insert=True)
        accesses.append(_access(case, "member", person.pk))
    present = set(case.persons.values_list("pk", flat=True))
    for kind, model in (("relationships", Relationship), ("system_ties", SystemTie)):
        for data in edit.before.get(kind, []):
            record = _from_snapshot(model, data)
            ends = [getattr(record, n) for n in ("person_a_id", "person_b_id", "person_id") if hasattr(record, n)]
            if any(e is not None and e not in present for e in ends) or model.objects.filter(pk=record.pk).exists():
                continue
            set_history_user(record, actor.user)
            record.save(force_insert=True)
            accesses.append(_access(case, "relationship" if model is Relationship else "system_tie", record.pk))
    log_access(actor, Action.CREATE, accesses)


@logs_refusal
@transaction.atomic
def undo_last(actor, case_id) -> NetworkEdit | None:
    """Undo the user's latest change to this case's network that is not undone yet; None if there is none.

    Refused (StaleEdit) when someone changed the record since, so nobody's later work is lost silently.
    """
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    edit = (
        NetworkEdit.objects.select_for_update()
        .filter(case=case, user=actor.user, undone=False)
        .order_by("-at", "-id")
        .first()
    )
    if edit is None:
        return None
    if edit.record_type in RECORD_MODELS:
        _undo_record(actor, case, edit)
    elif edit.record_type == "positions":
        _undo_positions(actor, case, edit)
    elif edit.record_type == "person":
        _undo_person(actor, case, edit)
    elif edit.record_type == "import":
        imported = cast(dict, edit.after)  # an import always records what it added
        _delete_persons(actor, case, imported["persons"], imported["relationships"], imported["system_ties"])
    edit.undone = True
    edit.save(update_fields=["undone"])
    return edit


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
        member.positions[map_kind] = list(_check_position(map_kind, *point))
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
    _record_edit(
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
    accesses = [person_access(p) for p in saved_persons] + [_access(case, "member", p.pk) for p in saved_persons]
    accesses += [_access(case, "relationship", r.pk) for r in saved_relationships]
    accesses += [_access(case, "system_tie", t.pk) for t in saved_ties]
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
