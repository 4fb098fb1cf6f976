"""Writes to a case's network. Each checks permission with the case file's rules, changes state in one
transaction, keeps the field history (django-simple-history), logs the access, and records a ``NetworkEdit``
(what the record was before and after) so the user's last change can be undone.

Views and API endpoints call these and nothing else to change the network.
"""

import math
from collections import defaultdict
from datetime import date
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field, JSONField, Q
from django.utils.translation import gettext as _

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
    MAP_KINDS,
    MEMBER_FIELDS,
    RELATIONSHIP_FIELDS,
    SYSTEM_TIE_FIELDS,
)

# The largest coordinate a dragged person may get; keeps nonsense out of the stored positions.
MAX_COORDINATE = 1_000_000

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


def network_access(case, record_type, record_id) -> Access:
    """The access-log entry for one network record (``record_type`` as in ``RECORD_MODELS``)."""
    return Access(ACCESS_TYPES.get(record_type, record_type), record_id, case.pk, case.organisation_id)


def record_edit(case, user, record_type, record_id, before, after) -> NetworkEdit:
    """Keep one change (the record before and after) so ``undo_last`` can take it back."""
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
    record_edit(case, actor.user, "member", person.pk, before, _snapshot(member))
    log_access(actor, Action.UPDATE if existed else Action.CREATE, [network_access(case, "member", person.pk)])
    return member


def check_position(map_kind, x, y):
    """The point (x, y) as floats for one of the maps; ValidationError for an unknown map or a nonsense point."""
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
    x, y = check_position(map_kind, x, y)
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    person = _get_person(case, person_id)
    member = _member_for_update(case, person)
    existed = not member._state.adding
    before = _snapshot(member) if existed else None
    member.positions = {**(member.positions or {}), map_kind: [x, y]}
    set_history_user(member, actor.user)
    member.save()
    record_edit(case, actor.user, "member", person.pk, before, _snapshot(member))
    log_access(actor, Action.UPDATE if existed else Action.CREATE, [network_access(case, "member", person.pk)])
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
    record_edit(case, actor.user, "positions", map_kind, before, after)
    log_access(actor, Action.UPDATE, [network_access(case, "member", m.pk) for m in members])
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
        position = (map_kind, *check_position(map_kind, x, y))
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
    # The links the person's relation implied (kring.network.intake) are part of this change: one undo takes them.
    derived = list(
        Relationship.objects.filter(case=case)
        .filter(Q(person_a_id=person.pk) | Q(person_b_id=person.pk))
        .values_list("pk", flat=True)
    )
    record_edit(
        case,
        actor.user,
        "person",
        person.pk,
        None,
        {"person": _snapshot(person), "member": _snapshot(member), "relationships": derived},
    )
    log_access(actor, Action.CREATE, [network_access(case, "member", person.pk)])
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
    accesses = [network_access(case, "relationship", r.pk) for r in relationships]
    accesses += [network_access(case, "system_tie", t.pk) for t in system_ties]
    for record in [*relationships, *system_ties] + ([member] if member else []):
        set_history_user(record, actor.user)
        record.delete()
    case_services.remove_person(actor, case_id, person.pk)
    record_edit(case, actor.user, "person", person_id, before, None)
    if member:
        accesses.append(network_access(case, "member", person.pk))
    log_access(actor, Action.DELETE, accesses)


# --- relationships ----------------------------------------------------------------------------------------


def relationship_errors(case, relationship) -> dict:
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
        errors = relationship_errors(case, relationship)
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
    record_edit(case, actor.user, record_type, instance.pk, before, _snapshot(instance))
    log_access(actor, Action.UPDATE, [network_access(case, record_type, instance.pk)])
    return instance


def _remove(actor, case_id, model, record_id, record_type):
    """Remove a relationship or system tie of the case, keeping what it was for undo."""
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    instance = model.objects.select_for_update().filter(case=case, pk=record_id).first()
    if instance is None:
        raise NotFound()
    record_edit(case, actor.user, record_type, instance.pk, _snapshot(instance), None)
    log_access(actor, Action.DELETE, [network_access(case, record_type, instance.pk)])
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
    record_edit(case, actor.user, "relationship", relationship.pk, None, _snapshot(relationship))
    log_access(actor, Action.CREATE, [network_access(case, "relationship", relationship.pk)])
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
    record_edit(case, actor.user, "system_tie", tie.pk, None, _snapshot(tie))
    log_access(actor, Action.CREATE, [network_access(case, "system_tie", tie.pk)])
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
    log_access(actor, action, [network_access(case, edit.record_type, edit.record_id)])
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
    log_access(actor, Action.UPDATE, [network_access(case, "member", pk) for pk in members])


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
    accesses = [person_access(p) for p in persons] + [network_access(case, "member", p.pk) for p in persons]
    accesses += [network_access(case, "relationship", r.pk) for r in relationships]
    accesses += [network_access(case, "system_tie", t.pk) for t in system_ties]
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
        _delete_persons(actor, case, [person.pk], edit.after.get("relationships", ()))
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
        accesses.append(network_access(case, "member", person.pk))
    present = set(case.persons.values_list("pk", flat=True))
    for kind, model in (("relationships", Relationship), ("system_ties", SystemTie)):
        for data in edit.before.get(kind, []):
            record = _from_snapshot(model, data)
            ends = [getattr(record, n) for n in ("person_a_id", "person_b_id", "person_id") if hasattr(record, n)]
            if any(e is not None and e not in present for e in ends) or model.objects.filter(pk=record.pk).exists():
                continue
            set_history_user(record, actor.user)
            record.save(force_insert=True)
            accesses.append(network_access(case, "relationship" if model is Relationship else "system_tie", record.pk))
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
