"""The kinds of notification, as data in one place: code -> title, text and whether e-mail is on by default.

Titles and texts are msgids (English) with ``%(name)s`` parameters; a notification stores its kind's code and the
parameters, and the text is rendered in the reader's language when it is shown or e-mailed, never stored
translated. The parameters name a case by its number and dates, never a person: the same text goes into the
e-mail, and an e-mail holds nothing personal beyond the case number.

Other apps refer to a kind by the constants below (``kinds.PLAN_SUBMITTED``); ``notify`` refuses an unknown code.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

TRAJECTORY_WITHOUT_COORDINATOR = "trajectory_without_coordinator"
COORDINATOR_ALLOCATED = "coordinator_allocated"
PLAN_SUBMITTED = "plan_submitted"
PLAN_SENT_BACK = "plan_sent_back"
MEETING_RESCHEDULED = "meeting_rescheduled"
REVIEW_DUE = "review_due"
CONSENT_LAPSING = "consent_lapsing"
SAFETY_ALERT = "safety_alert"
SAFETY_ALERT_ESCALATED = "safety_alert_escalated"


@dataclass(frozen=True)
class Kind:
    code: str
    title: Promise
    text: Promise
    email: bool  # e-mail on by default; each person may turn it on or off per kind


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            TRAJECTORY_WITHOUT_COORDINATOR,
            _("Trajectory without a coordinator"),
            _("Case %(case_number)s: a trajectory has no coordinator yet. Allocate one."),
            True,
        ),
        Kind(
            COORDINATOR_ALLOCATED,
            _("You were allocated as coordinator"),
            _("Case %(case_number)s: you were allocated as the coordinator of a trajectory."),
            True,
        ),
        Kind(
            PLAN_SUBMITTED,
            _("Plan submitted for decision"),
            _("Case %(case_number)s: a plan was submitted for your decision."),
            True,
        ),
        Kind(
            PLAN_SENT_BACK,
            _("Plan sent back"),
            _("Case %(case_number)s: the plan was sent back to be improved."),
            True,
        ),
        Kind(
            MEETING_RESCHEDULED,
            _("Meeting rescheduled"),
            _("Case %(case_number)s: a meeting was moved to %(date)s at %(time)s."),
            True,
        ),
        Kind(
            REVIEW_DUE,
            pgettext_lazy("of a plan", "Review due"),
            _("Case %(case_number)s: a review of the plan is planned on %(date)s."),
            False,
        ),
        Kind(
            CONSENT_LAPSING,
            _("Consent about to lapse"),
            _("Case %(case_number)s: a consent lapses on %(date)s. Ask for it again or record that it ends."),
            True,
        ),
        Kind(
            SAFETY_ALERT,
            _("Safety alert"),
            _("Case %(case_number)s: a safety alert was raised. Check the safety at once."),
            True,
        ),
        Kind(
            SAFETY_ALERT_ESCALATED,
            _("Safety alert not acknowledged"),
            _("Case %(case_number)s: a safety alert has not been acknowledged in time. Check the safety at once."),
            True,
        ),
    )
}
