"""The family app's fixed lists."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# How a link is sent is shared with the network members' links.
from kring.core.link_sending import SendChannel as SendChannel


class LinkRole(models.TextChoices):
    PARENT = "parent", _("parent")
    YOUNG_PERSON = "young_person", _("young person")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")


class SignedHow(models.TextChoices):
    LINK = "link", _("on their personal link")
    PAPER = "paper", _("on paper")


class DeliveryChannel(models.TextChoices):
    LINK = "link", _("on their personal link")
    EMAIL = "email", _("by e-mail")
    POST = "post", _("by post")
    HANDED = "handed", _("handed over")
