"""docs/architecture.md stays true to the code: its picture of the apps and its table of what each may import."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import app_graph  # noqa: E402

DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def allowed_by_table() -> dict[str, set[str]]:
    """The 'may import' column of the apps table, read as sets of apps."""
    allowed = {}
    for line in DOC.splitlines():
        match = re.match(r"\| `kring\.(\w+)` \|.*\| ([^|]+) \|$", line)
        if not match or match.group(1) not in app_graph.APPS:
            continue
        app, text = match.group(1), match.group(2).strip()
        earlier = app_graph.APPS[: app_graph.APPS.index(app)]
        if text == "nothing of Kring":
            allowed[app] = set()
        elif text.startswith("everything before it"):
            excepted = re.findall(r"\b(\w+)\b", text.partition("except")[2])
            allowed[app] = set(earlier) - set(excepted)
        else:
            allowed[app] = {name.strip() for name in text.split(",")}
    return allowed


def test_the_picture_of_the_apps_is_the_one_the_code_draws():
    documented = app_graph.documented_block(DOC)
    assert documented == app_graph.block(app_graph.imports_between_apps()), (
        "docs/architecture.md's app graph differs from the code: run python3 scripts/app_graph.py --write"
    )


def test_every_app_imports_only_what_the_table_allows():
    allowed = allowed_by_table()
    assert set(allowed) == set(app_graph.APPS), "every app has its row in the table"
    edges = app_graph.imports_between_apps()
    beyond = {app: sorted(edges[app] - allowed[app]) for app in app_graph.APPS if edges[app] - allowed[app]}
    assert beyond == {}


def test_the_table_allows_only_earlier_apps():
    for app, others in allowed_by_table().items():
        earlier = set(app_graph.APPS[: app_graph.APPS.index(app)])
        assert others <= earlier, f"{app} may import only apps before it in the journey"


def test_the_picture_is_drawn_from_imports_a_change_would_show(tmp_path):
    # The graph reader sees a lazy import inside a function too, so the test above would notice a new edge.
    module = tmp_path / "kring" / "cases" / "late.py"
    module.parent.mkdir(parents=True)
    module.write_text("def f():\n    from kring.plans import queries\n    return queries\n")
    assert app_graph.imports_between_apps(tmp_path)["cases"] == {"plans"}


def test_the_case_scoped_tables_without_an_organisation_are_the_two_the_document_names():
    import django
    from django.apps import apps

    django.setup()
    parents = {"Case", "Trajectory", "Plan", "Meeting", "Agreement", "Person", "Review"}
    without = set()
    for model in apps.get_models():
        if not model.__module__.startswith("kring.") or model.__name__.startswith("Historical"):
            continue
        fields = {field.name for field in model._meta.get_fields()}
        scoped = any(
            field.many_to_one and field.related_model.__name__ in parents for field in model._meta.get_fields()
        )
        if scoped and "organisation" not in fields:
            without.add(model.__name__)
    assert without == {"NetworkEdit", "ReviewItem"}
    for name in without:
        assert f"`{name}`" in DOC
