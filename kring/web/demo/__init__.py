"""The demo world: two fictitious organisations, their staff in every role, and about forty families.

Built by ``manage.py demo_world`` so that a newcomer, a tester or a reviewer can log in and find realistic
cases in every legal context, status and closure reason of both jurisdictions.

The world is deterministic and idempotent:
- every date is derived from ``REFERENCE_DATE`` (never from today), and every random choice comes from a
  ``random.Random`` seeded per case, so two builds on two machines produce the same data;
- records are keyed by what identifies them (organisation code, team name, e-mail, case number); what exists
  is left alone, so a second run changes nothing.

Cases are written through the case services (``kring.cases.services``) by the case worker of the case, so
the change history and the access log look like those of real work.

The package: ``world`` (fixed points, organisations and staff), ``specs`` with ``families_vl`` and ``families_nl``
(the families as declared), ``names`` (for the network members added at random), ``plan`` (a case worked out in
full), ``network`` (its genogram and circle), ``ecomap`` (its ties to systems) and ``build`` (writing it all,
counting it, the logins table).
"""

from .build import (
    BuildResult,
    build_world,
    demo_emails,
    demo_organisation_codes,
    format_logins,
    login_rows,
    world_counts,
)
from .network import NetworkPlan, RelationshipPlan, plan_network
from .plan import CASES, CasePlan, ConsentPlan, plan_world
from .specs import CaseSpec, PersonSpec
from .world import (
    ACCESS_PATH,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    ORGANISATIONS,
    REFERENCE_DATE,
    SEED,
    TWO_FACTOR_ROLES,
    USERS,
)

__all__ = [
    "ACCESS_PATH",
    "CASES",
    "DEMO_PASSWORD",
    "DEMO_TOTP_SECRET",
    "ORGANISATIONS",
    "REFERENCE_DATE",
    "SEED",
    "TWO_FACTOR_ROLES",
    "USERS",
    "BuildResult",
    "CasePlan",
    "CaseSpec",
    "ConsentPlan",
    "NetworkPlan",
    "PersonSpec",
    "RelationshipPlan",
    "build_world",
    "demo_emails",
    "demo_organisation_codes",
    "format_logins",
    "login_rows",
    "plan_network",
    "plan_world",
    "world_counts",
]
