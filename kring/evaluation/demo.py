"""A demo research project per organisation, set up by its functional administrator with its researcher, so the
researcher can make a pseudonymised extract. Idempotent: an organisation with a project is left alone."""

from kring.accounts.models import Membership, Role
from kring.core.actor import Actor

from . import services
from .models import ResearchProject

NAMES = {"NL": "Effect van het familiegroepsplan", "VL": "Netwerkberaad en veiligheid"}


def ensure(organisations: dict, users: dict) -> int:
    created = 0
    for organisation in organisations.values():
        if ResearchProject.objects.filter(organisations=organisation).exists():
            continue
        admin = (
            Membership.objects.filter(organisation=organisation, role=Role.ADMINISTRATOR, active=True)
            .select_related("user")
            .first()
        )
        researchers = [
            m.user
            for m in Membership.objects.filter(
                organisation=organisation, role=Role.RESEARCHER, active=True
            ).select_related("user")
        ]
        if admin is None or not researchers:
            continue
        services.create_project(
            Actor(admin.user, path="demo"),
            {
                "name": NAMES.get(organisation.jurisdiction, "Onderzoek"),
                "organisations": [organisation],
                "members": researchers,
                "description": "Demo: vergelijkt trajecten met een netwerkmethodiek met reguliere hulp.",
            },
        )
        created += 1
    return created
