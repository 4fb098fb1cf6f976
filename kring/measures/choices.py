"""Value lists of the registration: the uniform minimum dataset every trajectory gets, whatever its method.

Codes are stable (they end up in research extracts and their data dictionary); the labels are for people."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class YesNoUnknown(models.TextChoices):
    YES = "yes", _("yes")
    NO = "no", _("no")
    UNKNOWN = "unknown", _("unknown")


class Moment(models.TextChoices):
    """When outcomes are measured, counted from the offer of the trajectory (the start of the registration).

    The source study measured three months after the plan, the Amsterdam trial at 1, 3, 6 and 12 months; Kring
    keeps a baseline and three follow-ups, and the month offsets below say when each one is due."""

    T0 = "t0", _("T0: start")
    T1 = "t1", _("T1: after 3 months")
    T2 = "t2", _("T2: after 6 months")
    T3 = "t3", _("T3: after 12 months")


MOMENT_MONTHS = {Moment.T0: 0, Moment.T1: 3, Moment.T2: 6, Moment.T3: 12}


class ProblemArea(models.TextChoices):
    PARENTING = "parenting", _("parenting")
    CHILD_BEHAVIOUR = "child_behaviour", _("behaviour of the child")
    CHILD_DEVELOPMENT = "child_development", _("development of the child")
    SCHOOL = "school", _("school and learning")
    PARENT_MENTAL_HEALTH = "parent_mental_health", _("mental health of a parent")
    ADDICTION = "addiction", _("addiction")
    DOMESTIC_VIOLENCE = "domestic_violence", _("violence at home")
    MALTREATMENT = "maltreatment", _("child maltreatment or neglect")
    DIVORCE = "divorce", _("separation or divorce")
    FINANCES = "finances", _("money and debts")
    HOUSING = "housing", _("housing")
    DISABILITY = "disability", _("disability")
    JUSTICE = "justice", _("police or justice")
    OTHER = "other", _("other")


class Household(models.TextChoices):
    TWO_PARENTS = "two_parents", _("both parents")
    SINGLE_PARENT = "single_parent", _("one parent")
    BLENDED = "blended", _("parent with a new partner")
    KIN = "kin", _("with family or friends")
    FOSTER = "foster", _("foster family")
    RESIDENTIAL = "residential", _("residential care")
    OTHER = "other", _("other")


class Informant(models.TextChoices):
    PROFESSIONAL = "professional", _("professional")
    PARENT = "parent", _("parent")
    YOUTH = "youth", _("youth")


class RiskLevel(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")
    UNKNOWN = "unknown", _("unknown")


class Placement(models.TextChoices):
    AT_HOME = "at_home", _("lives at home")
    IN_NETWORK = "in_network", _("placed within the network (family or friends)")
    OUTSIDE_NETWORK = "outside_network", _("placed outside the network (foster care, residential)")
    UNKNOWN = "unknown", _("unknown")


class Ending(models.TextChoices):
    """How the help ended, after the Dutch iJw code list JZ588 (code in the comment), so registrations line up
    with what providers already report to CBS; the harmonised drop-out indicator counts the early endings."""

    AS_PLANNED = "as_planned", _("ended as planned")  # 31
    EARLY_CLIENT = "early_client", _("ended early, by the family")  # 32
    EARLY_PROVIDER = "early_provider", _("ended early, by the provider")  # 33
    EARLY_AGREED = "early_agreed", _("ended early, by agreement")  # 34
    EARLY_EXTERNAL = "early_external", _("ended early, for an outside reason")  # 35
    OTHER_PROVIDER = "other_provider", _("moved on to another provider")  # 38
    DEATH = "death", _("death")  # 02


EARLY_ENDINGS = (Ending.EARLY_CLIENT, Ending.EARLY_PROVIDER, Ending.EARLY_AGREED, Ending.EARLY_EXTERNAL)


class Respondent(models.TextChoices):
    # Mirrors the respondents of the instrument schema; a test keeps them equal.
    PARENT = "parent", _("parent")
    CHILD = "child", _("child")
    YOUTH = "youth", _("youth")
    NETWORK_MEMBER = "network_member", _("network member")
    PROFESSIONAL = "professional", _("professional")


class EntryMode(models.TextChoices):
    ITEMS = "items", _("item scores from paper")
    TOTALS = "totals", _("totals only")
    LINK = "link", _("filled in through a personal link")
