"""The regions an organisation can offer a method in: the twelve Dutch provinces, the five Flemish provinces
and Brussels. A fixed list, so that the public overview can be filtered and grouped reliably.

Each region belongs to one jurisdiction (``Organisation.jurisdiction``): a Dutch organisation offers in Dutch
provinces, a Flemish one in Flemish provinces and Brussels (where Flemish youth care works too).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Region:
    code: str
    jurisdiction: str  # "NL" or "VL", as Organisation.jurisdiction
    label: object  # lazy translation, English msgid
    local_name: str  # the name in Dutch as written locally; used to recognise Organisation.region


REGIONS: tuple[Region, ...] = (
    Region("nl_groningen", "NL", _("Groningen"), "Groningen"),
    Region("nl_friesland", "NL", _("Friesland"), "Fryslân"),
    Region("nl_drenthe", "NL", _("Drenthe"), "Drenthe"),
    Region("nl_overijssel", "NL", _("Overijssel"), "Overijssel"),
    Region("nl_flevoland", "NL", _("Flevoland"), "Flevoland"),
    Region("nl_gelderland", "NL", _("Gelderland"), "Gelderland"),
    Region("nl_utrecht", "NL", _("Utrecht"), "Utrecht"),
    Region("nl_noord_holland", "NL", _("North Holland"), "Noord-Holland"),
    Region("nl_zuid_holland", "NL", _("South Holland"), "Zuid-Holland"),
    Region("nl_zeeland", "NL", _("Zeeland"), "Zeeland"),
    Region("nl_noord_brabant", "NL", _("North Brabant"), "Noord-Brabant"),
    Region("nl_limburg", "NL", _("Limburg (Netherlands)"), "Limburg"),
    Region("vl_antwerpen", "VL", _("Antwerp"), "Antwerpen"),
    Region("vl_limburg", "VL", _("Limburg (Belgium)"), "Limburg"),
    Region("vl_oost_vlaanderen", "VL", _("East Flanders"), "Oost-Vlaanderen"),
    Region("vl_vlaams_brabant", "VL", _("Flemish Brabant"), "Vlaams-Brabant"),
    Region("vl_west_vlaanderen", "VL", _("West Flanders"), "West-Vlaanderen"),
    Region("vl_brussel", "VL", _("Brussels"), "Brussel"),
)
BY_CODE: dict[str, Region] = {region.code: region for region in REGIONS}
ORDER: dict[str, int] = {region.code: index for index, region in enumerate(REGIONS)}


def region_choices(jurisdiction: str | None = None) -> list[tuple[str, object]]:
    """(code, label) in the fixed order; only one jurisdiction's when given."""
    return [(r.code, r.label) for r in REGIONS if jurisdiction is None or r.jurisdiction == jurisdiction]


def region_label(code: str):
    region = BY_CODE.get(code)
    return region.label if region else code


def guess_region(jurisdiction: str, text: str) -> str | None:
    """The region code an organisation's free-text region names, if it names one exactly (e.g. 'Gelderland')."""
    wanted = (text or "").strip().casefold()
    for region in REGIONS:
        if region.jurisdiction == jurisdiction and wanted in (
            region.local_name.casefold(),
            str(region.label).casefold(),
        ):
            return region.code
    return None
