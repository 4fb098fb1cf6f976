"""Reads of method offers. The public overview shows active offers only; maintainers see all of their own.

Offers are public information about organisations, not case or person data, so reads are not written to the
access log; every change is (see ``services.py``).
"""

from dataclasses import dataclass, field

from kring.core.errors import NotFound

from .models import MethodOffer
from .regions import ORDER as REGION_ORDER
from .services import can_maintain


@dataclass
class RegionOffers:
    """One region of the overview with the offers that cover it, by organisation and method."""

    code: str
    offers: list = field(default_factory=list)


def public_offers(region: str | None = None, method: str | None = None) -> list[MethodOffer]:
    """Active offers, optionally only those covering a region and/or of one method; by organisation, method.

    Regions are a short list per offer (JSON), filtered here rather than in SQL: ``contains`` on JSON is not
    available on SQLite, and the whole public offer of a country is a few thousand rows at most.
    """
    offers = MethodOffer.objects.filter(active=True).select_related("organisation")
    if method:
        offers = offers.filter(method_code=method)
    offers = offers.order_by("organisation__name", "method_code")
    return [offer for offer in offers if not region or region in offer.regions]


def offers_by_region(offers, region: str | None = None) -> list[RegionOffers]:
    """The offers grouped per region they cover (an offer in three regions appears three times), in the fixed
    order of regions; only the one region when given."""
    groups: dict[str, RegionOffers] = {}
    for offer in offers:
        for code in offer.regions:
            if region and code != region:
                continue
            groups.setdefault(code, RegionOffers(code)).offers.append(offer)
    return [groups[code] for code in sorted(groups, key=lambda c: REGION_ORDER.get(c, len(REGION_ORDER)))]


def organisation_offers(user, organisation_id) -> list[MethodOffer]:
    """Every offer of the organisation, active or not, for one of its maintainers; NotFound for anyone else."""
    if not can_maintain(user, organisation_id):
        raise NotFound()
    return list(
        MethodOffer.objects.filter(organisation_id=organisation_id).select_related("updated_by").order_by("method_code")
    )


def get_offer(user, organisation_id, offer_id) -> MethodOffer:
    """One offer of the organisation for one of its maintainers; NotFound otherwise."""
    if not can_maintain(user, organisation_id):
        raise NotFound()
    offer = (
        MethodOffer.objects.filter(pk=offer_id, organisation_id=organisation_id).select_related("organisation").first()
    )
    if offer is None:
        raise NotFound()
    return offer
