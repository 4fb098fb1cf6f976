"""The family's agreement to its plan, without Django: the digest of one exact version of a plan and the method's
rule for "agreed by the family" (decisions 254-255).

The digest is SHA-256 over a canonical JSON text of the plan's content (keys sorted, no spaces, UTF-8, dates as ISO
text, agreements and bottom lines in their order): the same content gives the same digest on every machine and in
every Python version, and any change to a field that the family agreed to gives another."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ADULTS_PRESENT = "adults_present_and_young_persons"
PARENTS_AND_YOUNG = "parents_and_young_persons"
PARENTS = "parents"
NOBODY = "none"
RULES = (ADULTS_PRESENT, PARENTS_AND_YOUNG, PARENTS, NOBODY)


def canonical_text(content: Mapping[str, Any]) -> bytes:
    """The one byte string a plan's content is digested as."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")


def plan_digest(content: Mapping[str, Any]) -> str:
    """The SHA-256 digest (hex) of a plan version's content as ``plan_content`` gives it."""
    return hashlib.sha256(canonical_text(content)).hexdigest()


def _text(value: Any) -> str:
    return "" if value is None else str(value).replace("\r\n", "\n").strip()


def plan_content(
    plan: Mapping[str, Any], agreements: Iterable[Mapping[str, Any]], bottom_lines: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """What the family agrees to, in a fixed shape: the plan's own fields (not its status or dates of handling),
    its agreements that are not stopped (who does what, when, who stands in and who checks, which bottom lines
    they answer) and the bottom lines in force it must meet (with their versions)."""
    plan_fields = (
        "id",
        "edition",
        "plan_type",
        "concerns",
        "if_it_goes_wrong",
        "child_view",
        "emergency_contact_name",
        "emergency_contact_phone",
        "presented_on",
    )
    agreement_fields = (
        "id",
        "order",
        "what",
        "owner_person",
        "owner_professional",
        "starts_on",
        "ends_on",
        "frequency",
        "backup_person",
        "checker_person",
        "checker_user",
        "due_on",
        "is_safety",
    )
    line_fields = ("id", "version", "order", "text", "kind")

    def pick(row: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in names:
            value = row.get(name)
            out[name] = value if isinstance(value, bool | int) or value is None else _text(value)
        return out

    rows = []
    for agreement in agreements:
        row = pick(agreement, agreement_fields)
        row["bottom_lines"] = sorted(int(pk) for pk in agreement.get("bottom_lines", ()))
        rows.append(row)
    rows.sort(key=lambda row: (row["order"] or 0, row["id"] or 0))
    lines = sorted((pick(line, line_fields) for line in bottom_lines), key=lambda r: (r["order"] or 0, r["id"] or 0))
    return {"format": 1, "plan": pick(plan, plan_fields), "agreements": rows, "bottom_lines": lines}


@dataclass(frozen=True)
class Signed:
    person_id: int
    digest: str


@dataclass
class FamilyAgreementState:
    """Whether the method's rule is met for the current version: who must agree, who has (to this version), who
    agreed to an earlier version only."""

    rule: str
    required: frozenset[int]
    agreed: frozenset[int] = frozenset()
    outdated: frozenset[int] = frozenset()
    missing: frozenset[int] = field(default_factory=frozenset)

    @property
    def met(self) -> bool:
        return self.rule != NOBODY and bool(self.required) and not self.missing


def who_must_agree(
    rule: str, adults_present: Iterable[int], parents: Iterable[int], young_persons: Iterable[int]
) -> frozenset[int]:
    """The persons whose agreement the rule asks for."""
    if rule == ADULTS_PRESENT:
        return frozenset(adults_present) | frozenset(young_persons)
    if rule == PARENTS_AND_YOUNG:
        return frozenset(parents) | frozenset(young_persons)
    if rule == PARENTS:
        return frozenset(parents)
    return frozenset()


def who_may_agree(
    rule: str, adults_present: Iterable[int], parents: Iterable[int], young_persons: Iterable[int]
) -> frozenset[int]:
    """The persons who may give the family's agreement: those the rule asks, and under "parents" the young
    persons old enough as well (their agreement is kept, though the rule does not wait for it)."""
    if rule == NOBODY:
        return frozenset()
    return who_must_agree(rule, adults_present, parents, young_persons) | frozenset(young_persons)


def agreement_state(
    rule: str, required: Iterable[int], signatures: Iterable[Signed], current: str
) -> FamilyAgreementState:
    """The rule applied to the signatures kept, for the version whose digest is ``current``."""
    need = frozenset(required)
    agreed = frozenset(s.person_id for s in signatures if s.digest == current)
    outdated = frozenset(s.person_id for s in signatures if s.digest != current) - agreed
    return FamilyAgreementState(rule=rule, required=need, agreed=agreed, outdated=outdated, missing=need - agreed)
