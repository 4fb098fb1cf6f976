from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DocumentKind(models.TextChoices):
    COURT_DECISION = "court_decision", _("court decision")
    REPORT = "report", pgettext_lazy("document kind", "report")
    SIGNED_PLAN = "signed_plan", _("signed plan")
    LETTER_RECEIVED = "letter_received", _("letter received")
    LETTER_SENT = "letter_sent", _("letter sent")
    CONSENT_FORM = "consent_form", _("consent form")
    OTHER = "other", pgettext_lazy("document kind", "other")
