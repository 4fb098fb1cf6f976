"""Demo documents, added through the services so they pass every check a user's upload passes.

The first demo case of each organisation gets a report from the child's school as a PDF (written here with
WeasyPrint, as the plan PDFs are) and a letter received as plain text, so a new user sees the documents page with
something on it. Deterministic and idempotent: a case that has documents is left alone.
"""

from django.utils.html import escape

from kring.cases.choices import CaseRole
from kring.cases.models import Case, CaseTeamMember
from kring.core.actor import Actor

from . import services
from .models import Document


def school_report_pdf(child_name: str, school: str) -> bytes:
    from weasyprint import HTML

    html = f"""<html lang="nl"><head><meta charset="utf-8"><title>Verslag</title></head><body>
<h1>Verslag van {escape(school)}</h1>
<p>Over: {escape(child_name)}</p>
<p>{escape(child_name)} komt de laatste weken vaak te laat en is moe in de klas. Met vriendjes gaat het goed; de
juf ziet dat {escape(child_name)} opknapt van de middagen bij oma.</p>
<p>Wij denken graag mee over wat de school kan doen.</p>
</body></html>"""
    return HTML(string=html).write_pdf()


def ensure(organisations: dict, users: dict) -> int:
    created = 0
    for organisation in organisations.values():
        case = Case.objects.filter(organisation=organisation).order_by("number").first()
        if case is None or Document.objects.filter(case=case).exists():
            continue
        created += _build(case)
    return created


def _build(case) -> int:
    worker = CaseTeamMember.objects.filter(case=case, role=CaseRole.CASE_WORKER).select_related("user").first()
    child = case.persons.filter(is_central=True).order_by("pk").first() or case.persons.order_by("pk").first()
    if worker is None or child is None:
        return 0
    actor = Actor(worker.user, path="demo")
    school = "basisschool De Regenboog"
    services.add_document(
        actor,
        case.pk,
        {
            "title": f"Verslag van {school}",
            "kind": "report",
            "description": "Op verzoek van de hulpverlener, met toestemming van de ouders.",
            "person": child.pk,
        },
        "verslag-school.pdf",
        school_report_pdf(child.first_name, school),
    )
    letter = (
        f"Beste hulpverlener,\n\nWij willen graag dat {child.first_name} in de vakantie bij ons logeert. "
        "Kunnen we dat op de bijeenkomst bespreken?\n\nMet vriendelijke groet,\nde grootouders\n"
    )
    services.add_document(
        actor,
        case.pk,
        {"title": "Brief van de grootouders", "kind": "letter_received", "person": child.pk},
        "brief-grootouders.txt",
        letter.encode(),
    )
    return 2
