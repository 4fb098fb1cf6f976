"""The meeting lists with their labels. The codes come from ``core``; a test keeps them equal."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    CONFERENCE = "conference", _("family group conference")
    NETWORK_MEETING = "network_meeting", _("network meeting")
    ROUND_TABLE_START = "round_table_start", _("round table: start")
    ROUND_TABLE_INTERIM = "round_table_interim", _("round table: interim")
    ROUND_TABLE_CLOSING = "round_table_closing", _("round table: closing")
    HERGO_CIRCLE = "hergo_circle", _("HERGO group meeting")
    PATH_SESSION = "path_session", _("PATH session")
    MAPS_SESSION = "maps_session", _("MAPS session")
    REVIEW = "review", _("review meeting")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class PartKind(models.TextChoices):
    INFORMATION = "information", _("information")
    PRIVATE_FAMILY_TIME = "private_family_time", _("private family time")
    PLAN_PRESENTATION = "plan_presentation", _("presentation of the plan")
    OPENING = "opening", _("opening")
    CONVERSATION = "conversation", _("conversation")
    AGREEMENTS = "agreements", _("agreements")
    REPAIR = "repair", _("repair")
    STATEMENT_OF_INTENT = "statement_of_intent", _("statement of intent (private, with supporters)")
    PATH_NORTH_STAR = "path_north_star", _("PATH: the dream (north star)")
    PATH_GOAL = "path_goal", _("PATH: the goal")
    PATH_NOW = "path_now", _("PATH: the now")
    PATH_ENROL = "path_enrol", _("PATH: who joins")
    PATH_GET_STRONGER = "path_get_stronger", _("PATH: getting stronger")
    PATH_NEXT_STEPS = "path_next_steps", _("PATH: next steps")
    PATH_NEXT_MONTH = "path_next_month", _("PATH: next month")
    PATH_FIRST_STEPS = "path_first_steps", _("PATH: first steps")
    MAPS_HISTORY = "maps_history", _("MAPS: history")
    MAPS_DREAMS = "maps_dreams", _("MAPS: dreams")
    MAPS_NIGHTMARES = "maps_nightmares", _("MAPS: nightmares")
    MAPS_WHO = "maps_who", _("MAPS: who is the person")
    MAPS_GIFTS = "maps_gifts", _("MAPS: gifts and strengths")
    MAPS_NEEDS = "maps_needs", _("MAPS: needs")
    MAPS_ACTION_PLAN = "maps_action_plan", _("MAPS: plan of action")
    REVIEW = "review", _("review")
    OTHER = "other", _("other")


class Answer(models.TextChoices):
    NONE = "none", _("no answer yet")
    YES = "yes", _("yes")
    NO = "no", _("no")
    MAYBE = "maybe", _("maybe")


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    PHONE = "phone", _("by phone")
    LETTER = "letter", _("by letter")
    REPRESENTED = "represented", _("represented by someone")


class Presence(models.TextChoices):
    """How someone takes part in a part of the meeting, or how a preparation visit or an interpreter is held."""

    IN_PERSON = "in_person", _("in person")
    VIDEO = "video", _("by video")
    PHONE = "phone", _("by phone")


class AgreedBy(models.TextChoices):
    """The three who agree the conference's question."""

    FAMILY = "family", _("the family")
    CASE_WORKER = "case_worker", _("the case worker")
    COORDINATOR = "coordinator", _("the coordinator")


class InvitationRole(models.TextChoices):
    PARENT = "parent", _("parent")
    CHILD = "child", _("child")
    FAMILY = "family", _("family member")
    NETWORK_MEMBER = "network_member", _("network member")
    CHILD_ADVOCATE = "child_advocate", _("child advocate")
    TRUSTED_PERSON = "trusted_person", _("trusted person")
    INFORMATION_GIVER = "information_giver", _("information giver (professional)")
    REFERRER = "referrer", _("referrer (professional)")
    OTHER = "other", _("other")
