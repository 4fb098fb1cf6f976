"""Every URL pattern of Kring, read from Django's resolver, so the sweeps of the security tests cover new routes
without being edited."""

import re
from dataclasses import dataclass

from django.urls import URLResolver, get_resolver, reverse

PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class Route:
    pattern: str  # the whole pattern, e.g. "cases/<int:pk>/network/relations/"
    name: str  # with its namespaces, e.g. "network:relations"
    callback: object
    parameters: tuple

    @property
    def case_parameter(self) -> str | None:
        """The parameter that carries a case id: ``case_id``, or ``pk`` of the pages under /cases/<pk>/."""
        if "case_id" in self.parameters:
            return "case_id"
        if self.pattern.startswith("cases/<int:pk>/"):
            return "pk"
        return None

    @property
    def record_parameters(self) -> tuple:
        """The parameters besides the case id."""
        return tuple(p for p in self.parameters if p != self.case_parameter)

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    def allows_get(self) -> bool:
        """False for an API view without a GET handler (a page's GET is simply tried: POST-only ones answer 405)."""
        view_class = getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)
        return view_class is None or hasattr(view_class, "get")

    def url(self, values: dict) -> str:
        return reverse(self.name, kwargs={p: values[p] for p in self.parameters})


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif entry.name:
            pattern = prefix + str(entry.pattern)
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Route(pattern, name, entry.callback, tuple(PARAMETER.findall(pattern)))


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def case_routes() -> list[Route]:
    """Every route that takes a case id."""
    return [route for route in all_routes() if route.case_parameter]
