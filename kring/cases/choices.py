"""The fixed lists of the case file. Legal contexts differ between the Netherlands and Flanders."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kring.accounts.models import Jurisdiction


class LegalContext(models.TextChoices):
    # The Netherlands (Jeugdwet, Burgerlijk Wetboek boek 1)
    NL_VOLUNTARY = "nl_voluntary", _("voluntary help")
    NL_PREVENTIVE = "nl_preventive", _("preventive youth protection")
    NL_SUPERVISION = "nl_supervision", _("supervision order (OTS)")
    NL_PROVISIONAL_SUPERVISION = "nl_provisional_supervision", _("provisional supervision order")
    NL_JUVENILE_PROBATION = "nl_juvenile_probation", _("juvenile probation")
    NL_GUARDIANSHIP = "nl_guardianship", _("guardianship")
    NL_CLOSED_CARE = "nl_closed_care", _("closed youth care")
    # Flanders (decreet integrale jeugdhulp, decreet jeugddelinquentierecht)
    VL_VOLUNTARY = "vl_voluntary", _("voluntary youth care")
    VL_SOCIALLY_URGENT = "vl_socially_urgent", _("socially urgent situation")
    VL_JUDICIAL = "vl_judicial", _("judicial youth care")


LEGAL_CONTEXTS_BY_JURISDICTION = {
    Jurisdiction.NETHERLANDS: [c for c in LegalContext if c.value.startswith("nl_")],
    Jurisdiction.FLANDERS: [c for c in LegalContext if c.value.startswith("vl_")],
}


def legal_context_choices(jurisdiction):
    return [(c.value, c.label) for c in LEGAL_CONTEXTS_BY_JURISDICTION[jurisdiction]]


class ReferralRoute(models.TextChoices):
    PROFESSIONAL = "professional", _("a professional")
    FAMILY = "family", _("the family itself")
    SCHOOL = "school", _("school")
    HOSPITAL = "hospital", _("hospital")
    GP = "gp", _("general practitioner")
    POLICE = "police", _("police")
    OTHER = "other", _("other")


class SafetyConcern(models.TextChoices):
    NONE = "none", _("none")
    SOME = "some", _("some")
    SERIOUS = "serious", _("serious")
    ACUTE = "acute", _("acute")


class CaseStatus(models.TextChoices):
    REFERRED = "referred", _("referred")
    ACTIVE = "active", _("active")
    CLOSED = "closed", _("closed")


class ClosureReason(models.TextChoices):
    GOALS_REACHED = "goals_reached", _("goals reached")
    PLAN_IN_PLACE = "plan_in_place", _("plan in place, network carries on")
    FAMILY_WITHDREW = "family_withdrew", _("family withdrew")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("referred elsewhere")
    MOVED = "moved", _("family moved away")
    SAFETY_ESCALATED = "safety_escalated", _("safety: escalated to child protection")
    NOT_ELIGIBLE = "not_eligible", _("not eligible")
    OTHER = "other", _("other")


class Gender(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    NON_BINARY = "non_binary", _("non-binary")
    OTHER = "other", _("self-described")
    UNKNOWN = "unknown", _("not stated")


class CaseRole(models.TextChoices):
    CASE_WORKER = "case_worker", _("case worker")
    COORDINATOR = "coordinator", _("coordinator")
    TEAM_LEAD = "team_lead", _("team lead")
    CO_WORKER = "co_worker", _("co-worker")


class ConsentPurpose(models.TextChoices):
    CONTACT_NETWORK = "contact_network", _("contact and invite the network")
    SHARE_WITH_NETWORK = "share_with_network", _("share information with the network")
    SHARE_WITH_PROFESSIONALS = "share_with_professionals", _("exchange information with other professionals")
    SHARE_PLAN = "share_plan", _("share the plan with those involved")
    RESEARCH = "research", _("pseudonymised registration for research")


class AuthorityKind(models.TextChoices):
    """Who holds parental authority over a child (decision 156): a parent ("ouderlijk gezag", BW art. 1:245; in
    Flanders "ouderlijk gezag", oud BW art. 373), a guardian (voogd, a natural person) or an institution that holds
    the guardianship (in the Netherlands a gecertificeerde instelling, BW art. 1:302 lid 2)."""

    PARENT = "parent", _("parent with parental authority")
    GUARDIAN = "guardian", _("guardian")
    INSTITUTION = "institution", _("institution holding guardianship")


class AuthoritySource(models.TextChoices):
    """Where the authority comes from."""

    BY_LAW = "by_law", _("by law (birth, marriage, registered partnership or recognition)")
    REGISTER = "register", _("entry in the custody register")
    COURT = "court", _("court decision")
    OTHER = "other", _("other (explain in the notes)")


class ContactConfidentiality(models.TextChoices):
    """How much of a person's contact details stays within the case team (decision 185)."""

    NONE = "none", _("not confidential")
    ADDRESS = "address", _("address confidential")
    ALL = "all", _("all contact details confidential")
