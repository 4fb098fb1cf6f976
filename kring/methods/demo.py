"""Demo data of this stage, built through its services; called by kring.web.demo.build_world (idempotent).

Each demo organisation records a realistic method offer: the Flemish Kompas Jeugdhulp offers FNB (with
SoNeStra), Signs of Safety, Hergo and PTP; the Dutch Jeugdbescherming Rivierenland offers FNB, Signs of Safety
and Family Finding. EKC is deliberately absent: the Eigen Kracht Centrale offers it itself.
"""

from kring.core.actor import Actor

from .models import MethodOffer
from .services import save_offer

# organisation code -> (e-mail of the maintainer who records it, offers)
OFFERS = {
    "kom": (
        "teamleider@kompas.demo",
        [
            {
                "method_code": "fnb",
                "variants": ["sonestra"],
                "regions": ["vl_oost_vlaanderen", "vl_west_vlaanderen"],
                "municipalities": "Gent, Eeklo, Sint-Niklaas en omliggende gemeenten; West-Vlaanderen: Brugge en Tielt",
                "referrers": ["family", "professional", "school"],
                "waiting_weeks": 3,
                "contact_email": "netwerk@kompas.demo",
                "contact_phone": "09 000 12 34",
                "contact_url": "https://kompas.demo/familienetwerkberaad",
                "notes": "Aanmelden kan telefonisch of per e-mail; een netwerkcoach belt binnen een week terug.",
            },
            {
                "method_code": "signs_of_safety",
                "variants": [],
                "regions": ["vl_oost_vlaanderen"],
                "referrers": ["professional", "court"],
                "waiting_weeks": 6,
                "contact_email": "aanmelding@kompas.demo",
                "contact_phone": "09 000 12 30",
            },
            {
                "method_code": "hergo",
                "variants": ["school"],
                "regions": ["vl_oost_vlaanderen"],
                "municipalities": "Gent en Meetjesland",
                "referrers": ["school", "professional"],
                "waiting_weeks": 4,
                "contact_email": "hergo@kompas.demo",
            },
            {
                "method_code": "ptp",
                "variants": ["path", "maps"],
                "regions": ["vl_oost_vlaanderen"],
                "referrers": ["family", "professional"],
                "waiting_weeks": None,
                "contact_email": "toekomstplan@kompas.demo",
                "contact_url": "https://kompas.demo/ptp",
            },
        ],
    ),
    "jbr": (
        "beheerder@rivierenland.demo",
        [
            {
                "method_code": "fnb",
                "variants": [],
                "regions": ["nl_gelderland"],
                "municipalities": "Tiel, Culemborg, Zaltbommel, West Betuwe, Buren, Neder-Betuwe, Maasdriel",
                "referrers": ["professional", "court"],
                "waiting_weeks": 4,
                "contact_email": "netwerkberaad@rivierenland.demo",
                "contact_phone": "0344 000 100",
            },
            {
                "method_code": "signs_of_safety",
                "variants": [],
                "regions": ["nl_gelderland"],
                "referrers": ["professional", "court"],
                "waiting_weeks": 2,
                "contact_email": "aanmelden@rivierenland.demo",
                "contact_phone": "0344 000 100",
                "contact_url": "https://rivierenland.demo/signs-of-safety",
            },
            {
                "method_code": "family_finding",
                "variants": [],
                "regions": ["nl_gelderland", "nl_utrecht"],
                "referrers": ["professional"],
                "waiting_weeks": 8,
                "contact_email": "familyfinding@rivierenland.demo",
                "notes": "Voor kinderen in pleegzorg of residentiële zorg met een klein of verloren netwerk.",
            },
        ],
    ),
}


def ensure(organisations: dict, users: dict) -> int:
    """Create what is missing; return how many records were created. Existing offers are left as they are."""
    created = 0
    for code, (email, offers) in OFFERS.items():
        organisation = organisations.get(code)
        user = users.get(email)
        if organisation is None or user is None:
            continue
        existing = set(MethodOffer.objects.filter(organisation=organisation).values_list("method_code", flat=True))
        actor = Actor(user=user, ip_address=None, path="demo_world")
        for data in offers:
            if data["method_code"] in existing:
                continue
            save_offer(actor, organisation.pk, {"active": True, **data})
            created += 1
    return created
