"""The meeting rules as plain Python, without Django: which parts a meeting has, who counts as a professional,
and whether private family time stayed private.

Codes only; the Django side (``choices.py``) puts labels on them and a test keeps the two lists equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

MEETING_KINDS = (
    "conference",
    "network_meeting",
    "round_table_start",
    "round_table_interim",
    "round_table_closing",
    "hergo_circle",
    "path_session",
    "maps_session",
    "review",
)

# Part kinds that are private: the family and its network only, no professional and not the coordinator.
PRIVATE_PARTS = frozenset({"private_family_time", "statement_of_intent"})

PART_KINDS = (
    "information",
    "private_family_time",
    "plan_presentation",
    # round tables
    "opening",
    "conversation",
    "agreements",
    # HERGO: first the conversation (facts, consequences, meaning), then repair; in youth justice the young
    # person drafts a statement of intent with their supporters, privately.
    "repair",
    "statement_of_intent",
    # PATH (O'Brien, Forest, Pearpoint): eight steps
    "path_north_star",
    "path_goal",
    "path_now",
    "path_enrol",
    "path_get_stronger",
    "path_next_steps",
    "path_next_month",
    "path_first_steps",
    # MAPS: its questions
    "maps_history",
    "maps_dreams",
    "maps_nightmares",
    "maps_who",
    "maps_gifts",
    "maps_needs",
    "maps_action_plan",
    # review of a plan
    "review",
    "other",
)

DEFAULT_PARTS = {
    "conference": ("information", "private_family_time", "plan_presentation"),
    "network_meeting": ("information", "private_family_time", "plan_presentation"),
    "round_table_start": ("opening", "conversation", "agreements"),
    "round_table_interim": ("conversation", "agreements"),
    "round_table_closing": ("conversation", "agreements"),
    "hergo_circle": ("conversation", "repair", "agreements"),
    "path_session": (
        "path_north_star",
        "path_goal",
        "path_now",
        "path_enrol",
        "path_get_stronger",
        "path_next_steps",
        "path_next_month",
        "path_first_steps",
    ),
    "maps_session": (
        "maps_history",
        "maps_dreams",
        "maps_nightmares",
        "maps_who",
        "maps_gifts",
        "maps_needs",
        "maps_action_plan",
    ),
    "review": ("review",),
}

# The meeting kind a method's trajectory usually holds first (the form proposes it).
METHOD_MEETING = {
    "ekc": "conference",
    "fnb": "network_meeting",
    "signs_of_safety": "network_meeting",
    "columbus": "round_table_start",
    "hergo": "hergo_circle",
    "ptp": "path_session",
    "netwerk_leerrecht": "round_table_start",
    "family_finding": "network_meeting",
    "nvr": "network_meeting",
    "regular_care": "review",
}

INVITATION_ROLES = (
    "parent",
    "child",
    "family",
    "network_member",
    "child_advocate",
    "trusted_person",
    "information_giver",
    "referrer",
    "other",
)
# Roles that make an invitee a professional: present in the information part, never in private time.
PROFESSIONAL_ROLES = frozenset({"information_giver", "referrer"})
ANSWERS = ("none", "yes", "no", "maybe")
MODES = ("in_person", "phone", "letter", "represented")
PRESENCES = ("in_person", "video", "phone")


def default_parts(meeting_kind: str, method_code: str = "", variant_code: str = "") -> list[tuple[str, bool]]:
    """(part kind, private) in order, for a new meeting of this kind in this method."""
    if meeting_kind not in DEFAULT_PARTS:
        raise ValueError(f"unknown meeting kind: {meeting_kind}")
    kinds = list(DEFAULT_PARTS[meeting_kind])
    if meeting_kind == "hergo_circle" and method_code == "hergo" and variant_code == "justice":
        # Youth-justice HERGO: the statement of intent is drafted privately before the agreements.
        kinds.insert(kinds.index("agreements"), "statement_of_intent")
    return [(kind, kind in PRIVATE_PARTS) for kind in kinds]


def suggested_kind(method_code: str) -> str:
    return METHOD_MEETING.get(method_code, "network_meeting")


@dataclass(frozen=True)
class Attendee:
    """One row of the attendance grid: an invitee (with their role) or a professional user."""

    key: str  # "i<invitation id>" or "u<user id>"
    name: str
    professional: bool
    coordinator: bool = False


def refused_in_private(attendee: Attendee) -> bool:
    return attendee.professional or attendee.coordinator


@dataclass
class PrivatePartCheck:
    part_id: object
    recorded: bool  # attendance was recorded for this part
    present: list[str] = field(default_factory=list)  # names of everyone present
    intruders: list[str] = field(default_factory=list)  # professionals or the coordinator present

    @property
    def holds(self) -> bool:
        return self.recorded and not self.intruders


def check_private_time(
    private_part_ids: Iterable[str], attendees: dict[str, Attendee], present: dict[str, Any]
) -> list[PrivatePartCheck]:
    """For each private part: was attendance recorded, and was nobody present who must not be.

    ``present`` maps a part id to the attendee keys marked present, or to None when nothing was recorded.
    """
    checks = []
    for part_id in private_part_ids:
        keys = present.get(part_id)
        check = PrivatePartCheck(part_id=part_id, recorded=keys is not None)
        for key in keys or ():
            attendee = attendees.get(key)
            if attendee is None:
                continue
            check.present.append(attendee.name)
            if refused_in_private(attendee):
                check.intruders.append(attendee.name)
        checks.append(check)
    return checks


# ---- the preparation (decisions 230-239) ----------------------------------------------------------------------


def question_agreed(family_on: object, case_worker_on: object, coordinator_on: object) -> bool:
    """A question of the meeting counts as agreed once the family, the case worker and the coordinator have each
    agreed to its present text."""
    return None not in (family_on, case_worker_on, coordinator_on)


@dataclass(frozen=True)
class Budget:
    """The costs of a meeting against its budget. ``over``: by how much the costs exceed it (0 when they do not,
    or when there is no budget)."""

    total: Decimal
    budget: Decimal | None

    @property
    def over(self) -> Decimal:
        if self.budget is None or self.total <= self.budget:
            return Decimal("0")
        return self.total - self.budget


def budget_of(amounts: Iterable[Decimal], budget: Decimal | None) -> Budget:
    return Budget(total=sum(amounts, Decimal("0")), budget=budget)


def parts_lacking_interpreter(
    part_ids: Iterable[Any], languages_needed: Iterable[str], booked: Mapping[Any, Iterable[str]]
) -> list[Any]:
    """The parts where invitees need an interpreter and none is booked for a language they need.
    ``languages_needed``: one entry per invitee who needs an interpreter ("" when the language is not known: any
    booking then counts). ``booked`` maps a part id to the languages booked for it (compared without case and
    surrounding spaces)."""
    wanted = [language.strip().casefold() for language in languages_needed]
    if not wanted:
        return []
    needed = {language for language in wanted if language}
    lacking = []
    for part_id in part_ids:
        have = {language.strip().casefold() for language in booked.get(part_id, ())}
        if not have or needed - have:
            lacking.append(part_id)
    return lacking
