"""Public holidays of the two jurisdictions Kring works in, from the maintained ``holidays`` library, without
Django. Dutch organisations follow the Dutch calendar; Flemish ones the Belgian public holidays (the Flemish
community's own day, 11 July, is not a public holiday and is left out)."""

from collections.abc import Iterable
from datetime import date

import holidays

# A case's jurisdiction (accounts.Jurisdiction) -> the country whose public holidays apply.
COUNTRY_OF_JURISDICTION: dict[str, str] = {"NL": "NL", "VL": "BE"}


def public_holidays(jurisdiction: str, years: Iterable[int]) -> frozenset[date]:
    """The public holidays of a jurisdiction in the given years; none for a jurisdiction Kring does not know."""
    country = COUNTRY_OF_JURISDICTION.get(jurisdiction)
    if country is None:
        return frozenset()
    return frozenset(holidays.country_holidays(country, years=sorted(set(years))).keys())
