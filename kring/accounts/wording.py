"""Words that differ between the Netherlands and Flanders.

The same role or notion has a different name on each side of the border (a Dutch 'jeugdprofessional' is a
Flemish 'hulpverlener'). The message context names the jurisdiction so translators can tell them apart.
"""

from django.utils.translation import pgettext_lazy

from .models import Jurisdiction

WORDS = {
    "case_worker": {
        Jurisdiction.NETHERLANDS: pgettext_lazy("the Netherlands", "case worker"),
        Jurisdiction.FLANDERS: pgettext_lazy("Flanders", "case worker"),
    },
    "coordinator": {
        Jurisdiction.NETHERLANDS: pgettext_lazy("the Netherlands", "coordinator"),
        Jurisdiction.FLANDERS: pgettext_lazy("Flanders", "coordinator"),
    },
    "legal_context": {
        Jurisdiction.NETHERLANDS: pgettext_lazy("the Netherlands", "legal context"),
        Jurisdiction.FLANDERS: pgettext_lazy("Flanders", "legal context"),
    },
}


def word(key: str, jurisdiction: str, default: str = ""):
    """The jurisdiction's word for ``key``; ``default`` when the notion has no local variant."""
    return WORDS.get(key, {}).get(jurisdiction, default)
