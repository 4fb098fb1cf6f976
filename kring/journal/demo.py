"""Demo journal entries, written through the services by each demo case's case worker.

Every demo case gets a few entries in its first weeks: the first phone call, a home visit, an observation for the
case team only and a decision. Where the father lives elsewhere, one entry that may be shared with the family is
hidden from him by name; in every third case the first entry is corrected (a wrong date taken from the diary), so a
newcomer sees a correction and the version it replaced. Dates follow the case's referral date, never later than
the case's closure nor than now. Idempotent: a case that has journal entries is left alone.
"""

import datetime

from django.utils import timezone

from kring.cases.choices import CaseRole
from kring.cases.models import Case, CaseTeamMember
from kring.core.actor import Actor

from . import services
from .models import JournalEntry

DEMO_PATH = "demo"


def ensure(organisations: dict, users: dict) -> int:
    created = 0
    cases = Case.objects.filter(organisation__in=organisations.values()).order_by("number")
    for index, case in enumerate(cases):
        if JournalEntry.objects.filter(case=case).exists():
            continue
        created += _build(case, index)
    return created


def _moment(case, days: int, hour: int, minute: int = 0) -> datetime.datetime:
    day = case.referral_date + datetime.timedelta(days=days)
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
    latest = timezone.now() - datetime.timedelta(hours=1)
    if case.closed_on:
        latest = min(latest, timezone.make_aware(datetime.datetime.combine(case.closed_on, datetime.time(12, 0))))
    return min(moment, latest)


def _build(case, index: int) -> int:
    member = CaseTeamMember.objects.filter(case=case, role=CaseRole.CASE_WORKER).select_related("user").first()
    if member is None:
        return 0
    actor = Actor(member.user, path=DEMO_PATH)
    persons = list(case.persons.order_by("pk"))
    central = next((p for p in persons if p.is_central), persons[0])
    mother = next((p for p in persons if p.relation == "moeder"), None)
    father = next((p for p in persons if p.relation == "vader"), None)
    household = [p for p in persons if p.in_household]
    parent = mother or father
    written = []

    def write(**data):
        written.append(services.write_entry(actor, case.pk, data))

    first_contact = f"met {parent.first_name}" if parent else "met het gezin"
    write(
        occurred_at=_moment(case, 2, 10, 30),
        category="phone_call",
        text=(
            f"Eerste telefonisch contact {first_contact}. Uitgelegd hoe wij werken en dat het netwerk van het gezin "
            "een grote rol krijgt. Afspraak gemaakt voor een huisbezoek volgende week."
        ),
        persons=[parent.pk] if parent else [],
        visibility="family",
    )
    write(
        occurred_at=_moment(case, 9, 15),
        category="home_visit",
        text=(
            f"Huisbezoek. Kennisgemaakt met {', '.join(p.first_name for p in household) or 'het gezin'}. "
            "Samen de hulpvraag doorgenomen en een eerste netwerkkaart gemaakt: wie staat dicht bij het gezin, wie "
            "kan meedenken? Afgesproken dat de ouders zelf twee mensen uit hun omgeving benaderen."
        ),
        persons=[p.pk for p in household],
        visibility="family",
    )
    if mother and father and not father.in_household:
        write(
            occurred_at=_moment(case, 12, 11),
            category="phone_call",
            text=(
                f"{mother.first_name} belt: zij heeft een nieuwe baan en een nieuw telefoonnummer. Zij wil niet dat "
                f"{father.first_name} dit nummer of haar werktijden krijgt; contact over de kinderen loopt voorlopig "
                "via de hulpverlener."
            ),
            persons=[mother.pk],
            visibility="family",
            hidden_from=[father.pk],
        )
    write(
        occurred_at=_moment(case, 16, 9, 15),
        category="observation",
        text=(
            f"Op school gesproken met de intern begeleider. {central.first_name} is de laatste weken stiller en "
            "komt soms zonder ontbijt. Nog niet met de ouders besproken; eerst navragen hoe het thuis gaat."
        ),
        persons=[central.pk],
        visibility="team_only",
    )
    write(
        occurred_at=_moment(case, 23, 14),
        category="decision",
        text=(
            "Na overleg met de teamverantwoordelijke besloten: het gezin krijgt een netwerkberaad aangeboden. "
            "De ouders stemmen in; de voorbereiding start deze week."
        ),
        persons=[p.pk for p in household] or [central.pk],
        visibility="family",
    )
    if index % 3 == 0:
        first = written[0]
        written.append(
            services.correct_entry(
                actor,
                case.pk,
                first.pk,
                {
                    "occurred_at": min(first.occurred_at + datetime.timedelta(days=1), _moment(case, 3, 10, 30)),
                    "category": first.category,
                    "text": first.text,
                    "persons": [p.pk for p in first.persons.all()],
                    "visibility": first.visibility,
                    "correction_reason": "Verkeerde datum overgenomen uit de agenda: het gesprek was een dag later.",
                },
            )
        )
    return len(written)
