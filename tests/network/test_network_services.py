"""Writes to a case's network: permissions, validation, the access log, stale saves, undo, JSON export and import."""

import copy
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kring.audit.models import AccessLogEntry, Action
from kring.cases.models import Consent, Person
from kring.core.errors import NotFound, StaleEdit
from kring.network import importing, queries, services
from kring.network.models import NetworkEdit, NetworkMember, Relationship, SystemTie
from tests.factories import actor, make_case

D = datetime.date


@pytest.fixture
def w(world):
    case = world.a.case
    world.a.child = case.persons.get(is_central=True)
    world.a.sibling = case.persons.get(is_central=False)
    world.a.mother = Person.objects.create(
        case=case, organisation=world.a.org, first_name="Mama", gender="female", birth_date=D(1985, 5, 5)
    )
    world.a.father = Person.objects.create(
        case=case, organisation=world.a.org, first_name="Papa", gender="male", birth_date=D(1983, 1, 1)
    )
    world.a.me = actor(world.a.case_worker)
    return world


def _rel(w, kind="parent", subtype="biological", a=None, b=None, **extra):
    return {
        "kind": kind,
        "subtype": subtype,
        "person_a": (a or w.a.mother).pk,
        "person_b": (b or w.a.child).pk,
        **extra,
    }


def _other_case(w):
    """A second case of the same case worker (their cached need-to-know scope is renewed)."""
    other = make_case(w.a.team, case_worker=w.a.case_worker, persons=0)
    w.a.case_worker.__dict__.pop("_kring_scope", None)
    return other


def _last_log():
    return AccessLogEntry.objects.order_by("-id").first()


# --- reads ------------------------------------------------------------------------------------------------


def test_network_for_case_maps_records_and_logs_every_person_in_one_go(w, django_assert_max_num_queries):
    services.save_member(
        w.a.me, w.a.case.pk, w.a.mother.pk, {"domain": "family", "ring": 1, "practical_support": True, "safety": "safe"}
    )
    services.add_relationship(w.a.me, w.a.case.pk, _rel(w))
    services.add_relationship(w.a.me, w.a.case.pk, _rel(w, "partner", "married", w.a.mother, w.a.father))
    services.add_system_tie(w.a.me, w.a.case.pk, {"system": "School", "system_kind": "school", "strength": "strong"})
    before = AccessLogEntry.objects.count()
    fresh = actor(w.a.case_worker.__class__.objects.get(pk=w.a.case_worker.pk))
    with django_assert_max_num_queries(8):
        case, network = queries.network_for_case(fresh, w.a.case.pk)
    assert case == w.a.case
    assert len(network.members) == 4
    mother = network.member(str(w.a.mother.pk))
    assert (mother.sex, mother.domain, mother.ring, mother.support, mother.safety) == (
        "female",
        "family",
        1,
        frozenset({"practical"}),
        "safe",
    )
    child = network.member(str(w.a.child.pk))
    assert child.central and child.domain is None and child.sex == "unknown"
    assert network.parents[0].parent == str(w.a.mother.pk) and network.parents[0].kind == "biological"
    assert network.partners[0].kind == "married"
    assert network.systems[0].member is None and network.systems[0].kind == "school"
    entries = AccessLogEntry.objects.filter(pk__gt=0).order_by("-id")[: AccessLogEntry.objects.count() - before]
    assert sorted(e.record_type for e in entries) == ["case"] + ["person"] * 4
    assert {e.action for e in entries} == {Action.VIEW}


def test_network_at_a_moment_leaves_out_later_ties(w):
    services.add_relationship(
        w.a.me,
        w.a.case.pk,
        _rel(w, "partner", "married", w.a.mother, w.a.father, start=D(2010, 1, 1), end=D(2018, 1, 1)),
    )
    _case, network = queries.network_for_case(w.a.me, w.a.case.pk, moment=D(2020, 1, 1))
    assert network.partners == ()
    _case, network = queries.network_for_case(w.a.me, w.a.case.pk, moment=D(2012, 1, 1))
    assert len(network.partners) == 1


@pytest.mark.parametrize("who", ["other_worker", "researcher", "administrator"])
def test_outsiders_cannot_read_the_network(w, who):
    with pytest.raises(NotFound):
        queries.network_for_case(actor(getattr(w.a, who)), w.a.case.pk)
    assert _last_log().action == Action.DENIED


def test_network_settings_default_and_stored(w):
    assert queries.network_settings(w.a.org).small_network_threshold == 5
    from kring.network.models import NetworkSettings

    NetworkSettings.objects.create(organisation=w.a.org, small_network_threshold=3)
    assert queries.network_settings(w.a.org).small_network_threshold == 3


# --- permissions ------------------------------------------------------------------------------------------


def test_outsider_gets_not_found_and_co_worker_is_refused(w, world):
    with pytest.raises(NotFound):
        services.save_member(actor(world.b.case_worker), w.a.case.pk, w.a.mother.pk, {"ring": 1})
    with pytest.raises(NotFound):
        services.add_relationship(actor(world.b.lead), w.a.case.pk, _rel(w))
    # A co-worker on the case team may read but not change.
    from kring.cases.models import CaseTeamMember

    CaseTeamMember.objects.create(case=w.a.case, organisation=w.a.org, user=w.a.other_worker, role="co_worker")
    queries.network_for_case(actor(w.a.other_worker), w.a.case.pk)
    with pytest.raises(PermissionDenied):
        services.save_member(actor(w.a.other_worker), w.a.case.pk, w.a.mother.pk, {"ring": 1})
    assert _last_log().action == Action.DENIED
    assert not NetworkMember.objects.exists()


def test_team_lead_may_edit(w):
    services.save_member(actor(w.a.lead), w.a.case.pk, w.a.mother.pk, {"ring": 2})
    assert NetworkMember.objects.get(pk=w.a.mother.pk).ring == 2


# --- members ----------------------------------------------------------------------------------------------


def test_save_member_creates_then_updates_logs_and_keeps_history(w):
    member = services.save_member(w.a.me, w.a.case.pk, w.a.mother.pk, {"domain": "family", "ring": 1})
    assert member.version == 1
    entry = _last_log()
    assert (entry.record_type, entry.record_id, entry.action, entry.case_id) == (
        "network_member",
        str(w.a.mother.pk),
        Action.CREATE,
        w.a.case.pk,
    )
    member = services.save_member(w.a.me, w.a.case.pk, w.a.mother.pk, {"ring": 2}, expected_version=1)
    assert member.version == 2 and member.domain == "family"
    assert _last_log().action == Action.UPDATE
    assert member.history.first().history_user == w.a.case_worker
    assert NetworkEdit.objects.filter(case=w.a.case, record_type="member").count() == 2


def test_stale_member_save_is_refused(w):
    services.save_member(w.a.me, w.a.case.pk, w.a.mother.pk, {"ring": 1})
    services.save_member(actor(w.a.lead), w.a.case.pk, w.a.mother.pk, {"ring": 2}, expected_version=1)
    with pytest.raises(StaleEdit) as error:
        services.save_member(w.a.me, w.a.case.pk, w.a.mother.pk, {"ring": 3}, expected_version=1)
    ring_label = str(NetworkMember._meta.get_field("ring").verbose_name)
    assert any(str(change[0]) == ring_label for change in error.value.changes)
    assert NetworkMember.objects.get(pk=w.a.mother.pk).ring == 2


def test_member_validation(w):
    with pytest.raises(ValidationError) as error:
        services.save_member(w.a.me, w.a.case.pk, w.a.mother.pk, {"death_date": D(1980, 1, 1), "domain": "moon"})
    assert {"death_date", "domain"} <= set(error.value.message_dict)
    with pytest.raises(NotFound):
        services.save_member(w.a.me, w.a.case.pk, make_case(w.a.team, persons=1).persons.get().pk, {"ring": 1})


def test_move_member_validates_and_keeps_the_version(w):
    member = services.move_member(w.a.me, w.a.case.pk, w.a.mother.pk, "genogram", 10, 20.5)
    assert member.positions == {"genogram": [10.0, 20.5]} and member.version == 1
    for kind, x in (("sketch", 1), ("circle", float("nan")), ("circle", "abc"), ("circle", 1e12)):
        with pytest.raises(ValidationError):
            services.move_member(w.a.me, w.a.case.pk, w.a.mother.pk, kind, x, 1)


def test_reset_positions_and_undo(w):
    services.move_member(w.a.me, w.a.case.pk, w.a.mother.pk, "genogram", 1, 2)
    services.move_member(w.a.me, w.a.case.pk, w.a.mother.pk, "circle", 3, 4)
    services.move_member(w.a.me, w.a.case.pk, w.a.father.pk, "genogram", 5, 6)
    assert services.reset_positions(w.a.me, w.a.case.pk, "genogram") == 2
    assert NetworkMember.objects.get(pk=w.a.mother.pk).positions == {"circle": [3.0, 4.0]}
    services.undo_last(w.a.me, w.a.case.pk)
    assert NetworkMember.objects.get(pk=w.a.mother.pk).positions == {"genogram": [1.0, 2.0], "circle": [3.0, 4.0]}
    assert NetworkMember.objects.get(pk=w.a.father.pk).positions == {"genogram": [5.0, 6.0]}


# --- persons ----------------------------------------------------------------------------------------------


def test_add_network_person_and_undo_removes_them(w):
    person = services.add_network_person(
        w.a.me, w.a.case.pk, {"first_name": "Oma", "gender": "female"}, {"domain": "family", "ring": 1}
    )
    assert person.network.domain == "family"
    edit = services.undo_last(w.a.me, w.a.case.pk)
    assert edit.record_type == "person" and edit.undone
    assert not Person.objects.filter(pk=person.pk).exists()
    assert _last_log().action == Action.DELETE


def test_add_network_person_validates_person_and_member_together(w):
    count = Person.objects.count()
    with pytest.raises(ValidationError) as error:
        services.add_network_person(
            w.a.me, w.a.case.pk, {"first_name": "Oma", "birth_date": D(2999, 1, 1)}, {"ring": 9}
        )
    assert {"birth_date", "ring"} <= set(error.value.message_dict)
    assert Person.objects.count() == count


def test_remove_network_person_removes_ties_and_undo_brings_all_back(w):
    services.save_member(w.a.me, w.a.case.pk, w.a.mother.pk, {"domain": "family"})
    services.add_relationship(w.a.me, w.a.case.pk, _rel(w))
    services.add_system_tie(
        w.a.me, w.a.case.pk, {"system": "Work", "system_kind": "work", "strength": "tenuous", "person": w.a.mother.pk}
    )
    services.remove_network_person(w.a.me, w.a.case.pk, w.a.mother.pk)
    assert not Person.objects.filter(pk=w.a.mother.pk).exists()
    assert not Relationship.objects.exists() and not SystemTie.objects.exists()
    services.undo_last(w.a.me, w.a.case.pk)
    mother = Person.objects.get(pk=w.a.mother.pk)
    assert mother.first_name == "Mama" and mother.network.domain == "family"
    assert Relationship.objects.get().person_a_id == mother.pk
    assert SystemTie.objects.get().person_id == mother.pk


def test_remove_network_person_follows_the_case_rules(w):
    other = make_case(w.a.team, case_worker=w.a.case_worker, persons=1)
    with pytest.raises(ValidationError) as error:
        services.remove_network_person(w.a.me, other.pk, other.persons.get().pk)
    assert "is_central" in error.value.message_dict
    Consent.objects.create(
        case=w.a.case,
        organisation=w.a.org,
        person=w.a.mother,
        purpose="contact_network",
        given_on=D(2026, 1, 20),
        recorded_by=w.a.case_worker,
    )
    services.add_relationship(w.a.me, w.a.case.pk, _rel(w))
    with pytest.raises(ValidationError):
        services.remove_network_person(w.a.me, w.a.case.pk, w.a.mother.pk)
    assert Relationship.objects.count() == 1


# --- relationships ----------------------------------------------------------------------------------------


def test_add_update_remove_relationship_with_log_and_stale(w):
    relationship = services.add_relationship(w.a.me, w.a.case.pk, _rel(w, note="x"))
    assert _last_log().record_type == "relationship" and _last_log().action == Action.CREATE
    relationship = services.update_relationship(w.a.me, w.a.case.pk, relationship.pk, {"subtype": "adoptive"}, 1)
    assert relationship.version == 2 and relationship.subtype == "adoptive"
    with pytest.raises(StaleEdit):
        services.update_relationship(actor(w.a.lead), w.a.case.pk, relationship.pk, {"note": "y"}, 1)
    services.remove_relationship(w.a.me, w.a.case.pk, relationship.pk)
    assert _last_log().action == Action.DELETE and not Relationship.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"subtype": "married"}, "subtype"),
        ({"person_b": "mother"}, "person_b"),
        ({"person_b": "stranger"}, "person_b"),
        ({"start": D(2020, 1, 1), "end": D(2019, 1, 1)}, "end"),
    ],
)
def test_relationship_rules(w, change, field):
    change = dict(change)
    if change.get("person_b") == "mother":
        change["person_b"] = w.a.mother.pk
    elif change.get("person_b") == "stranger":
        change["person_b"] = make_case(w.a.team).persons.get().pk
    with pytest.raises(ValidationError) as error:
        services.add_relationship(w.a.me, w.a.case.pk, {**_rel(w), **change})
    assert field in error.value.message_dict
    assert not Relationship.objects.exists()


def test_no_duplicate_ties(w):
    services.add_relationship(w.a.me, w.a.case.pk, _rel(w))
    with pytest.raises(ValidationError):
        services.add_relationship(w.a.me, w.a.case.pk, _rel(w, subtype="adoptive"))
    services.add_relationship(w.a.me, w.a.case.pk, _rel(w, "partner", "married", w.a.mother, w.a.father))
    with pytest.raises(ValidationError):  # the same partnership written the other way round
        services.add_relationship(w.a.me, w.a.case.pk, _rel(w, "partner", "married", w.a.father, w.a.mother))
    # Divorced after being married: a different tie.
    services.add_relationship(w.a.me, w.a.case.pk, _rel(w, "partner", "divorced", w.a.father, w.a.mother))
    services.add_relationship(w.a.me, w.a.case.pk, _rel(w, "emotional", "physical_abuse", w.a.father, w.a.child))
    services.add_relationship(w.a.me, w.a.case.pk, _rel(w, "emotional", "physical_abuse", w.a.child, w.a.father))
    assert Relationship.objects.count() == 5


def test_no_one_is_their_own_ancestor(w):
    services.add_relationship(w.a.me, w.a.case.pk, _rel(w, a=w.a.mother, b=w.a.child))
    services.add_relationship(w.a.me, w.a.case.pk, _rel(w, a=w.a.child, b=w.a.sibling))
    with pytest.raises(ValidationError) as error:
        services.add_relationship(w.a.me, w.a.case.pk, _rel(w, a=w.a.sibling, b=w.a.mother))
    assert "person_a" in error.value.message_dict
    # Also when an existing link is changed into a loop.
    link = Relationship.objects.get(person_a=w.a.child)
    with pytest.raises(ValidationError):
        services.update_relationship(
            w.a.me, w.a.case.pk, link.pk, {"person_a": w.a.child.pk, "person_b": w.a.mother.pk}, link.version
        )


def test_at_most_two_biological_parents(w):
    grandma = Person.objects.create(case=w.a.case, organisation=w.a.org, first_name="Oma")
    services.add_relationship(w.a.me, w.a.case.pk, _rel(w, a=w.a.mother))
    services.add_relationship(w.a.me, w.a.case.pk, _rel(w, a=w.a.father))
    with pytest.raises(ValidationError) as error:
        services.add_relationship(w.a.me, w.a.case.pk, _rel(w, a=grandma))
    assert "person_b" in error.value.message_dict
    services.add_relationship(w.a.me, w.a.case.pk, _rel(w, subtype="foster", a=grandma))


# --- system ties ------------------------------------------------------------------------------------------


def test_system_ties_add_update_remove_and_rules(w):
    tie = services.add_system_tie(w.a.me, w.a.case.pk, {"system": "GP", "system_kind": "gp", "strength": "strong"})
    assert _last_log().record_type == "system_tie"
    tie = services.update_system_tie(w.a.me, w.a.case.pk, tie.pk, {"strength": "stressful", "person": w.a.mother.pk}, 1)
    assert (tie.strength, tie.person_id, tie.version) == ("stressful", w.a.mother.pk, 2)
    with pytest.raises(StaleEdit):
        services.update_system_tie(w.a.me, w.a.case.pk, tie.pk, {"strength": "strong"}, 1)
    with pytest.raises(ValidationError) as error:
        services.add_system_tie(
            w.a.me,
            w.a.case.pk,
            {
                "system": "",
                "system_kind": "moon",
                "strength": "strong",
                "start": D(2020, 1, 2),
                "end": D(2020, 1, 1),
                "person": make_case(w.a.team).persons.get().pk,
            },
        )
    assert {"system", "system_kind", "end", "person"} <= set(error.value.message_dict)
    services.remove_system_tie(w.a.me, w.a.case.pk, tie.pk)
    assert not SystemTie.objects.exists()


# --- undo -------------------------------------------------------------------------------------------------


def test_undo_each_kind_of_change(w):
    case_id = w.a.case.pk
    services.save_member(w.a.me, case_id, w.a.mother.pk, {"ring": 1})
    services.save_member(w.a.me, case_id, w.a.mother.pk, {"ring": 2}, 1)
    relationship = services.add_relationship(w.a.me, case_id, _rel(w))
    services.update_relationship(w.a.me, case_id, relationship.pk, {"note": "changed"}, 1)
    tie = services.add_system_tie(w.a.me, case_id, {"system": "GP", "system_kind": "gp", "strength": "strong"})
    services.remove_system_tie(w.a.me, case_id, tie.pk)
    services.move_member(w.a.me, case_id, w.a.mother.pk, "circle", 1, 1)

    services.undo_last(w.a.me, case_id)  # the drag
    assert NetworkMember.objects.get(pk=w.a.mother.pk).positions == {}
    services.undo_last(w.a.me, case_id)  # the removed tie is back
    assert SystemTie.objects.get().pk == tie.pk
    services.undo_last(w.a.me, case_id)  # the added tie is gone
    assert not SystemTie.objects.exists()
    services.undo_last(w.a.me, case_id)  # the note
    assert Relationship.objects.get().note == ""
    services.undo_last(w.a.me, case_id)  # the relationship
    assert not Relationship.objects.exists()
    services.undo_last(w.a.me, case_id)  # ring 2 -> 1
    member = NetworkMember.objects.get(pk=w.a.mother.pk)
    assert member.ring == 1 and member.version == 3
    services.undo_last(w.a.me, case_id)  # the member did not exist
    assert not NetworkMember.objects.exists()
    assert services.undo_last(w.a.me, case_id) is None


def test_undo_only_own_changes_and_refuses_when_someone_changed_it_since(w):
    services.save_member(w.a.me, w.a.case.pk, w.a.mother.pk, {"ring": 1})
    assert services.undo_last(actor(w.a.lead), w.a.case.pk) is None
    services.save_member(actor(w.a.lead), w.a.case.pk, w.a.mother.pk, {"ring": 3}, 1)
    with pytest.raises(StaleEdit):
        services.undo_last(w.a.me, w.a.case.pk)
    assert NetworkMember.objects.get(pk=w.a.mother.pk).ring == 3
    relationship = services.add_relationship(w.a.me, w.a.case.pk, _rel(w))
    services.remove_relationship(actor(w.a.lead), w.a.case.pk, relationship.pk)
    with pytest.raises(StaleEdit):
        services.undo_last(w.a.me, w.a.case.pk)


def test_undo_of_an_added_person_refused_when_someone_tied_them_in(w):
    person = services.add_network_person(w.a.me, w.a.case.pk, {"first_name": "Oom"})
    services.add_relationship(actor(w.a.lead), w.a.case.pk, _rel(w, "emotional", "close", person, w.a.child))
    with pytest.raises(StaleEdit):
        services.undo_last(w.a.me, w.a.case.pk)
    assert Person.objects.filter(pk=person.pk).exists()


# --- export and import ------------------------------------------------------------------------------------


def _build_network(w):
    case_id = w.a.case.pk
    services.save_member(
        w.a.me,
        case_id,
        w.a.mother.pk,
        {"domain": "household", "ring": 1, "safety": "safe", "may_invite": True, "emotional_support": True},
    )
    services.save_member(w.a.me, case_id, w.a.father.pk, {"deceased": True, "death_date": D(2020, 2, 2)})
    services.move_member(w.a.me, case_id, w.a.father.pk, "genogram", 3, 4)
    services.add_relationship(w.a.me, case_id, _rel(w, a=w.a.mother))
    services.add_relationship(w.a.me, case_id, _rel(w, a=w.a.father, start=D(2015, 3, 1)))
    services.add_relationship(
        w.a.me, case_id, _rel(w, "partner", "divorced", w.a.mother, w.a.father, end=D(2019, 1, 1))
    )
    services.add_relationship(w.a.me, case_id, _rel(w, "twin", "identical", w.a.child, w.a.sibling))
    services.add_relationship(w.a.me, case_id, _rel(w, "emotional", "conflict", w.a.mother, w.a.sibling, note="n"))
    services.add_system_tie(
        w.a.me,
        case_id,
        {
            "system": "School",
            "system_kind": "school",
            "strength": "tenuous",
            "energy": "from_system",
            "person": w.a.child.pk,
        },
    )
    services.add_system_tie(
        w.a.me, case_id, {"system": "Wijkteam", "system_kind": "social_services", "strength": "stressful"}
    )


def _shape(network):
    names = {m.id: m.name for m in network.members}
    members = sorted(
        (
            m.name,
            m.sex,
            m.kind,
            m.birth_date,
            m.death_date,
            m.deceased,
            m.central,
            m.household,
            m.domain,
            m.ring,
            tuple(sorted(m.support)),
            m.safety,
            m.may_invite,
            m.reachable,
            tuple(sorted(m.pinned.items())),
        )
        for m in network.members
    )
    ties = sorted(
        [("parent", names[t.parent], names[t.child], t.kind, t.start, t.end) for t in network.parents]
        + [("partner", names[t.a], names[t.b], t.kind, t.start, t.end) for t in network.partners]
        + [("twin", names[t.a], names[t.b], t.kind, None, None) for t in network.twins]
        + [("emotional", names[t.a], names[t.b], t.kind, t.start, t.end) for t in network.emotional],
        key=str,
    )
    systems = sorted((t.system, t.kind, names.get(t.member), t.strength, t.energy) for t in network.systems)
    return members, ties, systems


def test_export_then_import_into_another_case_gives_the_same_network(w):
    _build_network(w)
    document = queries.export_json(w.a.me, w.a.case.pk)
    assert _last_log().action == Action.EXPORT
    assert document["format"] == "kring-network" and document["version"] == 1
    assert "phone" not in document["persons"][0]
    other = _other_case(w)
    import json

    counts = importing.import_json(w.a.me, other.pk, json.loads(json.dumps(document)))
    assert counts == {"persons": 4, "relationships": 5, "system_ties": 2}
    _case, original = queries.network_for_case(w.a.me, w.a.case.pk)
    _case, copied = queries.network_for_case(w.a.me, other.pk)
    assert _shape(copied) == _shape(original)


def test_an_import_is_one_change_to_undo(w):
    document = _document(w)
    other = _other_case(w)
    Person.objects.create(case=other, organisation=w.a.org, first_name="Kind", is_central=True)
    importing.import_json(w.a.me, other.pk, document)
    assert other.persons.count() == 5
    services.undo_last(w.a.me, other.pk)
    assert list(other.persons.values_list("first_name", flat=True)) == ["Kind"]
    assert not Relationship.objects.filter(case=other).exists() and not SystemTie.objects.filter(case=other).exists()


def _document(w):
    _build_network(w)
    return queries.export_json(w.a.me, w.a.case.pk)


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d.update(format="gedcom"),
        lambda d: d.update(version=2),
        lambda d: d.pop("relationships"),
        lambda d: d.update(persons="everyone"),
        lambda d: d["persons"][0].pop("first_name"),
        lambda d: d["persons"][1].update(ref=d["persons"][0]["ref"]),
        lambda d: d["persons"][0].update(gender="robot"),
        lambda d: d["persons"][0].update(birth_date="yesterday"),
        lambda d: d["persons"][0]["network"].update(ring=7),
        lambda d: d["persons"][0]["network"].update(positions={"genogram": ["a", 1]}),
        lambda d: d["relationships"][0].update(person_a="nobody"),
        lambda d: d["relationships"][0].update(subtype="married"),
        lambda d: d["relationships"][0].update(person_b=d["relationships"][0]["person_a"]),
        lambda d: d["relationships"].append(
            {
                **d["relationships"][0],
                "person_a": d["relationships"][0]["person_b"],
                "person_b": d["relationships"][0]["person_a"],
            }
        ),
        lambda d: d["system_ties"][0].update(strength="mighty"),
        lambda d: d["system_ties"][0].update(person="nobody"),
    ],
    ids=[
        "format",
        "version",
        "missing list",
        "not a list",
        "missing name",
        "duplicate ref",
        "bad gender",
        "bad date",
        "bad ring",
        "bad position",
        "unknown person",
        "bad subtype",
        "same person",
        "ancestor loop",
        "bad strength",
        "tie to unknown person",
    ],
)
def test_invalid_documents_import_nothing(w, breakage):
    document = copy.deepcopy(_document(w))
    breakage(document)
    other = _other_case(w)
    with pytest.raises(ValidationError) as error:
        importing.import_json(w.a.me, other.pk, document)
    assert error.value.message_dict["document"]
    assert not other.persons.exists() and not NetworkEdit.objects.filter(case=other).exists()


def test_import_needs_edit_rights(w, world):
    document = _document(w)
    with pytest.raises(NotFound):
        importing.import_json(actor(world.b.case_worker), w.a.case.pk, document)
    with pytest.raises(PermissionDenied):
        importing.import_json(actor(w.a.other_worker), _with_co_worker(w), document)


def _with_co_worker(w):
    from kring.cases.models import CaseTeamMember

    CaseTeamMember.objects.create(case=w.a.case, organisation=w.a.org, user=w.a.other_worker, role="co_worker")
    return w.a.case.pk


def test_invitable_persons(w):
    _build_network(w)
    _case, network = queries.network_for_case(w.a.me, w.a.case.pk)
    assert [m.name for m in queries.invitable_persons(network)] == ["Mama"]


# --- GEDCOM -----------------------------------------------------------------------------------------------

GEDCOM = b"""0 HEAD
1 SOUR Test
1 GEDC
2 VERS 5.5.1
2 FORM LINEAGE-LINKED
1 CHAR UTF-8
0 @I1@ INDI
1 NAME Jan /Peeters/
1 SEX M
1 BIRT
2 DATE 1 JAN 1850
0 @I2@ INDI
1 NAME Mia /Janssens/
1 SEX F
1 BIRT
2 DATE 3 MAR 1955
0 @I3@ INDI
1 NAME Lotte /Peeters/
1 SEX F
1 BIRT
2 DATE 5 MAY 1980
1 FAMC @F1@
0 @I4@ INDI
1 NAME Verre /Neef/
0 @F1@ FAM
1 HUSB @I1@
1 WIFE @I2@
1 CHIL @I3@
1 MARR
2 DATE 1975
0 TRLR
"""


def test_preview_and_import_gedcom(w):
    preview = importing.preview_gedcom(GEDCOM, "@I3@", generations_up=1, generations_down=0)
    assert preview["persons"] == 3
    counts = importing.import_gedcom(w.a.me, w.a.case.pk, GEDCOM, "@I3@", 1, 0)
    assert counts == {"persons": 3, "relationships": 3, "system_ties": 0, "dates_left_out": 1}
    lotte = w.a.case.persons.get(first_name="Lotte")
    assert (lotte.last_name, lotte.gender, lotte.birth_date, lotte.is_central) == (
        "Peeters",
        "female",
        D(1980, 5, 5),
        False,
    )
    jan = w.a.case.persons.get(first_name="Jan")
    assert jan.birth_date is None  # 1850: before what the case file keeps
    kinds = sorted(Relationship.objects.filter(case=w.a.case).values_list("kind", "subtype"))
    assert kinds == [("parent", "biological"), ("parent", "biological"), ("partner", "married")]
    services.undo_last(w.a.me, w.a.case.pk)
    assert not w.a.case.persons.filter(first_name__in=["Jan", "Mia", "Lotte"]).exists()


def test_broken_gedcom_imports_nothing_and_names_the_line(w):
    broken = GEDCOM.replace(b"1 SEX F\n1 BIRT\n2 DATE 3 MAR", b"1 SEX F\n3 BIRT\n2 DATE 3 MAR")
    count = Person.objects.count()
    with pytest.raises(ValidationError) as error:
        importing.import_gedcom(w.a.me, w.a.case.pk, broken, "@I3@", 1, 0)
    message = error.value.message_dict["file"][0]
    assert "15" in message  # the line of "3 BIRT"
    with pytest.raises(ValidationError) as error:
        importing.preview_gedcom(b"hello")
    assert "file" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        importing.import_gedcom(w.a.me, w.a.case.pk, GEDCOM, "@I99@", 1, 0)
    assert "center" in error.value.message_dict
    assert Person.objects.count() == count


def test_gedcom_import_needs_edit_rights(w):
    with pytest.raises(PermissionDenied):
        importing.import_gedcom(actor(w.a.other_worker), _with_co_worker(w), GEDCOM, "@I3@", 1, 0)


def test_network_settings_admin_shows_only_own_organisations(w, world, rf):
    from django.contrib import admin

    from kring.network.models import NetworkSettings

    model_admin = admin.site._registry[NetworkSettings]
    NetworkSettings.objects.create(organisation=w.a.org, small_network_threshold=4)
    NetworkSettings.objects.create(organisation=world.b.org)
    request = rf.get("/admin/")
    request.user = w.a.administrator
    assert list(model_admin.get_queryset(request).values_list("organisation", flat=True)) == [w.a.org.pk]
    request.user = w.a.case_worker
    assert not model_admin.has_view_permission(request)
