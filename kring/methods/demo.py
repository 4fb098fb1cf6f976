"""Demo data of this stage, built through its services; called by kring.web.demo.build_world (idempotent)."""


def ensure(organisations: dict, users: dict) -> int:
    """Create what is missing; return how many records were created."""
    return 0
