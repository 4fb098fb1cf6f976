"""The fixed lists of a transfer: its state, which way it goes, and the legal basis it rests on (decision 192)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TransferStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("transfer status", "proposed")
    ACCEPTED = "accepted", pgettext_lazy("transfer status", "accepted")
    REFUSED = "refused", pgettext_lazy("transfer status", "refused")
    WITHDRAWN = "withdrawn", pgettext_lazy("transfer status", "withdrawn")
    # Sent as a signed package to another installation: the sender's part is done when the package is made.
    EXPORTED = "exported", pgettext_lazy("transfer status", "sent as a package")


class Direction(models.TextChoices):
    INTERNAL = "internal", _("to an organisation in this installation")
    OUTGOING = "outgoing", _("to another installation (signed package)")
    INCOMING = "incoming", _("from another installation (signed package)")


class LegalBasis(models.TextChoices):
    """Why the file may go (decision 192). The Dutch and Flemish grounds are named apart: the receiver reads which
    law the sender relied on."""

    CONSENT = "consent", _("consent of the persons entitled to give it")
    NL_JEUGDWET_DUTY = "nl_jeugdwet", _("a legal duty under the Jeugdwet (e.g. art. 7.3.11 or 7.3.8)")
    NL_COURT_MEASURE = "nl_court_measure", _("a child protection measure ordered by the court")
    VL_DECREE = "vl_decree", _("the decree on the legal position of the minor in integral youth care")
    VL_JUDICIAL = "vl_judicial", _("a judicial youth care measure")
    VITAL_INTEREST = "vital_interest", _("the vital interest or safety of the child")


# Legal bases that rest on a recorded consent: at least one consent in force must be linked.
NEEDS_CONSENT = frozenset({LegalBasis.CONSENT})
