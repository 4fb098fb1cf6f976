"""The schema every method definition file must satisfy (pydantic v2).

Django-free on purpose: the files are checked at start-up and in tests without settings.
The value lists for referral routes and legal contexts mirror the cases app's choices;
a test keeps them equal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from kring.core.definitions import Strict, Text

DEFAULT_DURATION = "default"  # duration_source value: no source confirms it; the organisation sets it

RequestKind = Literal[
    "parenting",
    "safety",
    "school",
    "placement",
    "transition_adulthood",
    "crisis",
    "disability",
    "restoration",
    "future_planning",
    "lost_contacts",
    "violence_at_home",
    "justice",
]
Setting = Literal[
    "family",
    "foster_care",
    "residential",
    "school",
    "disability",
    "transition_adulthood",
    "crisis",
    "justice",
]
ReferralRouteCode = Literal["professional", "family", "school", "hospital", "gp", "police", "other"]
LegalContextCode = Literal[
    "nl_voluntary",
    "nl_preventive",
    "nl_supervision",
    "nl_provisional_supervision",
    "nl_juvenile_probation",
    "nl_guardianship",
    "nl_closed_care",
    "vl_voluntary",
    "vl_socially_urgent",
    "vl_judicial",
]
Leader = Literal["independent_coordinator", "own_case_worker", "facilitator", "therapist"]
SafetyLevel = Literal["none", "some", "serious", "acute"]
SAFETY_ORDER: tuple[str, ...] = ("none", "some", "serious", "acute")
ContraIndicationCode = Literal[
    "fighting_divorce",
    "loyalty_conflict",
    "no_motivation",
    "unsafe_network",
    "network_is_source_of_conflict",
    "acute_danger",
    "no_network",
]
Severity = Literal["warning", "exclude"]
# The kind of plan a method produces; the plans app names and shapes its page after it.
PlanType = Literal[
    "family_group_plan",
    "safety_plan",
    "restoration_plan",
    "future_plan",
    "round_table_agreements",
    "action_plan",
    "care_plan",
]
ReviewBy = Literal["coordinator", "case_worker", "facilitator", "family"]
# The purposes of a consent; mirrors kring.cases.choices.ConsentPurpose (a test keeps them equal).
ConsentPurposeCode = Literal[
    "contact_network", "share_with_network", "share_with_professionals", "share_plan", "research"
]

# The trajectory's statuses, the events the stages report and the closure reasons; they mirror
# kring.trajectories.core (states, flow), which this app may not import (a test keeps them equal).
TrajectoryStatus = Literal[
    "offered", "accepted", "declined", "preparing", "meeting_held", "plan_made", "abandoned", "follow_up", "closed"
]
FlowEvent = Literal[
    "offer_accepted",
    "coordinator_allocated",
    "meeting_scheduled",
    "meeting_held",
    "plan_accepted",
    "review_held",
    "plan_closed",
    "abandoned",
    "declined",
]
ClosureReasonCode = Literal[
    "plan_carried_out", "plan_in_place", "declined", "abandoned", "new_trajectory", "case_closed", "other"
]

Code = Field(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=60)
NonEmpty = Field(min_length=1)


class Variant(Strict):
    code: str = Code
    name: Text
    description: Text


class Continua(Strict):
    """Place on the two continua of the Flemish comparative study (seed 003, section 4.1.4)."""

    family_lead: float = Field(ge=0, le=1)  # 1 = the family leads; 0 = shared with the worker
    network_breadth: float = Field(ge=0, le=1)  # 1 = wide community; 0 = nuclear family
    source: str | None = None  # source id; absent = an estimate by the Kring team, not a sourced fact


class ContraIndication(Strict):
    code: ContraIndicationCode
    severity: Severity
    text: Text
    source: str = NonEmpty


class Conditions(Strict):
    participants: Text
    service: Text


class Phase(Strict):
    code: str = Code
    name: Text
    # max_weeks is declared before default_weeks so the check on default_weeks can see it.
    max_weeks: float | None = Field(default=None, gt=0)
    default_weeks: float = Field(gt=0)
    duration_source: str = NonEmpty
    roles: list[str] = Field(default_factory=list)
    artefacts: list[str] = Field(default_factory=list)
    description: Text

    @field_validator("default_weeks")
    @classmethod
    def _default_within_max(cls, value: float, info: ValidationInfo) -> float:
        maximum = info.data.get("max_weeks")
        if maximum is not None and value > maximum:
            raise PydanticCustomError(
                "default_above_max", "must be at most max_weeks ({maximum})", {"maximum": maximum}
            )
        return value


class ReviewMoment(Strict):
    """A follow-up moment the method schedules, counted from the day the plan is accepted."""

    code: str = Code
    name: Text
    after_weeks: float = Field(gt=0, le=104)
    by: ReviewBy
    source: str = NonEmpty  # a source id, or "default" when the organisation's own practice sets it


class FlowStep(Strict):
    """One row of the method's table of events: when ``on`` happens, the trajectory reaches ``status``, the phase
    ``phase`` becomes current and the case reaches ``case_status`` (each optional). ``reason``: the closure reason a
    closing row gives."""

    on: FlowEvent
    status: TrajectoryStatus | None = None
    phase: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    case_status: Literal["active"] | None = None
    reason: ClosureReasonCode | None = None


class Flow(Strict):
    """Which event moves what, for this method (applied by kring.trajectories.core.flow)."""

    steps: list[FlowStep] = Field(min_length=1)


class Jeugdwet(Strict):
    """Whether an accepted plan of this method fulfils the family group plan of Jeugdwet art. 4.1.2 (Dutch cases):
    every accepted plan, or only one the family presented with its network (the plan's "presented on" date)."""

    family_plan: Literal["accepted_plan", "presented_with_network"]


class FamilyAgreement(Strict):
    """Whose agreement makes a plan of this method "agreed by the family" (kring.family, decision 255): every adult
    present at the meeting where it was made and every young person old enough, the parents (holders of authority,
    else by relation) and those young persons, the parents alone, or nobody (the method has no family agreement)."""

    who: Literal["adults_present_and_young_persons", "parents_and_young_persons", "parents", "none"]


class Source(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    citation: str = NonEmpty


class MethodDefinition(Strict):
    code: str = Code
    version: str = Field(pattern=r"^\d{4}\.\d+$")
    name: Text
    variants: list[Variant] = Field(default_factory=list)
    origin: Text
    vision: Text
    target_group: Text
    request_kinds: list[RequestKind]
    settings: list[Setting]
    referral_routes: list[ReferralRouteCode]
    leader: Leader
    volunteer_allowed: bool
    continua: Continua
    max_safety_concern: SafetyLevel
    legal_contexts: list[LegalContextCode] = Field(default_factory=list)  # empty = any
    contra_indications: list[ContraIndication] = Field(default_factory=list)
    conditions: Conditions
    phases: list[Phase] = Field(min_length=1)
    plan_type: PlanType
    # The consents the method needs before the first invitation goes out (the case page and the invitation page
    # show which are missing; the first invitation without them needs a reason). Empty: the method invites no one.
    consents: list[ConsentPurposeCode] = Field(default_factory=list)
    reviews: list[ReviewMoment] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    flow: Flow
    jeugdwet: Jeugdwet | None = None  # absent: the method's plan is not a family group plan in law
    family_agreement: FamilyAgreement = FamilyAgreement(who="none")

    @field_validator("code")
    @classmethod
    def _code_matches_file(cls, value: str, info: ValidationInfo) -> str:
        stem = (info.context or {}).get("file_stem")
        if stem is not None and value != stem:
            raise PydanticCustomError("code_mismatch", "must equal the file name '{stem}'", {"stem": stem})
        return value

    @model_validator(mode="after")
    def _cross_references(self) -> MethodDefinition:
        def fail(path: str, message: str) -> None:
            # The path travels in ctx so the catalogue can name the exact field.
            raise PydanticCustomError("reference", "{path}: {message}", {"path": path, "message": message})

        for label, items in (
            ("variants", self.variants),
            ("phases", self.phases),
            ("reviews", self.reviews),
            ("sources", self.sources),
        ):
            seen: set[str] = set()
            for index, item in enumerate(items):
                key: str = getattr(item, "id" if label == "sources" else "code")  # sources have ids, the rest codes
                if key in seen:
                    fail(f"{label}.{index}.{'id' if label == 'sources' else 'code'}", f"duplicate '{key}'")
                seen.add(key)
        ids = {source.id for source in self.sources}
        for index, phase in enumerate(self.phases):
            if phase.duration_source != DEFAULT_DURATION and phase.duration_source not in ids:
                fail(f"phases.{index}.duration_source", f"unknown source id '{phase.duration_source}'")
        for index, item in enumerate(self.contra_indications):
            if item.source not in ids:
                fail(f"contra_indications.{index}.source", f"unknown source id '{item.source}'")
        for index, review in enumerate(self.reviews):
            if review.source != DEFAULT_DURATION and review.source not in ids:
                fail(f"reviews.{index}.source", f"unknown source id '{review.source}'")
        self._check_flow(fail)
        if self.continua.source is not None and self.continua.source not in ids:
            fail("continua.source", f"unknown source id '{self.continua.source}'")
        for label in ("request_kinds", "settings", "referral_routes", "legal_contexts", "consents"):
            values = getattr(self, label)
            if len(set(values)) != len(values):
                fail(label, "contains a value twice")
        return self

    def _check_flow(self, fail: Callable[[str, str], None]) -> None:
        phases = {phase.code for phase in self.phases}
        seen: set[str] = set()
        for index, step in enumerate(self.flow.steps):
            if step.on in seen:
                fail(f"flow.steps.{index}.on", f"duplicate '{step.on}'")
            seen.add(step.on)
            if step.phase is not None and step.phase not in phases:
                fail(f"flow.steps.{index}.phase", f"unknown phase '{step.phase}'")
            if step.status == "closed" and step.reason is None:
                fail(f"flow.steps.{index}.reason", "a closing step needs a reason")

    # Convenience for callers (selector, trajectories).
    def phase(self, code: str) -> Phase:
        for phase in self.phases:
            if phase.code == code:
                return phase
        raise KeyError(code)

    @property
    def safety_rank(self) -> int:
        return SAFETY_ORDER.index(self.max_safety_concern)
