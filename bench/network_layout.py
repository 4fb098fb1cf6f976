"""Genogram layout + SVG (kring.network.core.svg) against Graphviz ``dot -Tsvg`` on the same families.

Run from the project root:  .venv/bin/python bench/network_layout.py [--tiny] [--strict] [--runs N]

Families: seeded synthetic ones of 100, 1,000, 2,000 and 5,000 persons (the generator of the reference §5:
founder couples, 0–4 children weighted 1,2,4,2,1, 75 % marry an in-law, 10 % of those a second partner) and
each GEDCOM file in /work/shared/testdata/gedcom/real (read by the tiny reader below: INDI with SEX/NAME, FAM
with HUSB/WIFE/CHIL). Graphviz gets the marriage-node DOT of the same family (couple = point node,
parent -> couple -> child, one rank=same per generation for the synthetic families). Both are timed in the same
run as medians, and the verdict is the ratio ours/dot. Goals: faster than dot at every size, and under 1 s for
2,000 persons. ``--tiny`` (CI): only 100 persons, basic.ged and bronte.ged. ``--strict``: exit 1 if a goal fails.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kring.network.core.graph import Member, Network, ParentLink, Partnership  # noqa: E402
from kring.network.core.svg import RenderOptions, render_map  # noqa: E402

GEDCOM_DIR = Path("/work/shared/testdata/gedcom/real")
TINY_GEDCOMS = ("basic.ged", "bronte.ged")
TWO_THOUSAND_GOAL_S = 1.0


# --- families ---------------------------------------------------------------------------------------------


def synthetic_family(size: int, seed: int = 7) -> tuple[Network, dict[str, int]]:
    """A 'wide' family as in the reference §5: one founder couple per 60 persons, up to 6 generations."""
    rnd = random.Random(seed)
    members: list[Member] = []
    parents: list[ParentLink] = []
    partners: list[Partnership] = []
    generation: dict[str, int] = {}

    def person(gen: int, sex: str | None = None) -> str:
        i = f"I{len(members)}"
        members.append(Member(i, f"Person {len(members)}", sex or rnd.choice(("male", "female"))))
        generation[i] = gen
        return i

    founders = max(size // 60, 1)
    couples = []
    for _ in range(founders):
        a, b = person(0, "male"), person(0, "female")
        partners.append(Partnership(a, b, "married"))
        couples.append((a, b, 0))
    while len(members) < size and couples:
        nxt = []
        for a, b, gen in couples:
            if gen >= 5:
                continue
            for _ in range(rnd.choices(range(5), weights=(1, 2, 4, 2, 1))[0]):
                if len(members) >= size:
                    break
                child = person(gen + 1)
                parents += [ParentLink(a, child), ParentLink(b, child)]
                if rnd.random() < 0.75 and len(members) < size:
                    spouse = person(gen + 1)
                    partners.append(Partnership(child, spouse, "married"))
                    nxt.append((child, spouse, gen + 1))
                    if rnd.random() < 0.10 and len(members) < size:
                        second = person(gen + 1)
                        partners.append(Partnership(child, second, "married"))
                        nxt.append((child, second, gen + 1))
        if not nxt:  # the tree died out: start another founder couple
            a, b = person(0, "male"), person(0, "female")
            partners.append(Partnership(a, b, "married"))
            nxt = [(a, b, 0)]
        couples = nxt
    return Network(tuple(members), tuple(parents), tuple(partners)), generation


def read_gedcom(path: Path) -> Network:
    """Just enough GEDCOM: INDI (NAME, SEX) and FAM (HUSB, WIFE, CHIL)."""
    people: dict[str, dict] = {}
    families: list[dict] = []
    current = None
    for raw in path.read_text(encoding="utf-8-sig", errors="replace").splitlines():
        parts = raw.strip().split(" ", 2)
        if len(parts) < 2:
            continue
        level = parts[0]
        if level == "0":
            current = None
            if len(parts) == 3 and parts[2].strip() == "INDI":
                current = people.setdefault(parts[1], {"name": parts[1], "sex": "unknown"})
            elif len(parts) == 3 and parts[2].strip() == "FAM":
                current = {"husb": None, "wife": None, "chil": []}
                families.append(current)
            continue
        if current is None or level != "1":
            continue
        tag, value = parts[1], (parts[2].strip() if len(parts) > 2 else "")
        if tag == "NAME" and "chil" not in current:
            current["name"] = value.replace("/", "").strip() or current["name"]
        elif tag == "SEX" and "chil" not in current:
            current["sex"] = {"M": "male", "F": "female"}.get(value[:1].upper(), "unknown")
        elif tag in ("HUSB", "WIFE") and "chil" in current:
            current[tag.lower()] = value
        elif tag == "CHIL" and "chil" in current:
            current["chil"].append(value)
    members = tuple(Member(i, p["name"], p["sex"]) for i, p in people.items())
    links, couples = [], []
    seen_links = set()
    for fam in families:
        spouses = [s for s in (fam["husb"], fam["wife"]) if s in people]
        if len(spouses) == 2 and spouses[0] != spouses[1]:
            couples.append(Partnership(spouses[0], spouses[1], "married"))
        for child in fam["chil"]:
            for s in spouses:
                if child in people and (s, child) not in seen_links and s != child:
                    seen_links.add((s, child))
                    links.append(ParentLink(s, child))
    return Network(members, tuple(links), tuple(couples))


def marriage_node_dot(net: Network, generation: dict[str, int] | None = None) -> str:
    """The §5 'marriage node' DOT: couple = point, parent -> couple -> child; ranks per generation if known."""
    lines = ["digraph family {", 'node [shape=box, width=0.5, height=0.5, fixedsize=true, label=""];']
    for m in net.members:
        shape = "circle" if m.sex == "female" else "box"
        lines.append(f'"{m.id}" [shape={shape}];')
    unit_of: dict[frozenset, str] = {}
    for n, p in enumerate(net.partners):
        key = frozenset((p.a, p.b))
        if key in unit_of:
            continue
        u = f"u{n}"
        unit_of[key] = u
        lines.append(f'"{u}" [shape=point, width=0.05];')
        lines.append(f'"{p.a}" -> "{u}" [dir=none]; "{p.b}" -> "{u}" [dir=none];')
    parents_of: dict[str, list[str]] = {}
    for link in net.parents:
        parents_of.setdefault(link.child, []).append(link.parent)
    for child, ps in parents_of.items():
        key = frozenset(ps[:2])
        if len(ps) >= 2 and key in unit_of:
            lines.append(f'"{unit_of[key]}" -> "{child}";')
        else:
            for p in ps:
                lines.append(f'"{p}" -> "{child}";')
    if generation:
        by_gen: dict[int, list[str]] = {}
        for i, g in generation.items():
            by_gen.setdefault(g, []).append(i)
        for ids in by_gen.values():
            lines.append("{rank=same; " + " ".join(f'"{i}"' for i in ids) + "}")
    lines.append("}")
    return "\n".join(lines)


# --- timing -----------------------------------------------------------------------------------------------


def time_ours(net: Network, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        render_map(net, "genogram", options=RenderOptions(legend=False))
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def time_dot(dot_source: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            ["dot", "-Tsvg"],
            input=dot_source.encode(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="CI size: 100 persons, basic.ged and bronte.ged")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal fails")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case (median reported)")
    args = parser.parse_args(argv)

    have_dot = shutil.which("dot") is not None
    if not have_dot:
        print("Graphviz 'dot' is not installed: timing our layout only, no ratios (install graphviz to compare).")
    cases: list[tuple[str, Network, dict | None]] = []
    for size in (100,) if args.tiny else (100, 1000, 2000, 5000):
        net, gens = synthetic_family(size)
        cases.append((f"synthetic {size}", net, gens))
    for path in sorted(GEDCOM_DIR.glob("*.ged")):
        if args.tiny and path.name not in TINY_GEDCOMS:
            continue
        cases.append((path.name, read_gedcom(path), None))

    failures = []
    print(f"{'family':<28}{'persons':>8}{'ours s':>10}{'dot s':>10}{'ours/dot':>10}  verdict")
    for name, net, gens in cases:
        runs = args.runs if len(net.members) < 3000 else max(3, args.runs // 2)
        ours = time_ours(net, runs)
        dot = time_dot(marriage_node_dot(net, gens), runs) if have_dot else None
        verdict = "ok"
        ratio = ours / dot if dot else None
        if ratio is not None and ratio >= 1:
            verdict = "SLOWER than dot"
            failures.append(f"{name}: ours/dot = {ratio:.2f}")
        if name == "synthetic 2000" and ours >= TWO_THOUSAND_GOAL_S:
            verdict = "over 1 s"
            failures.append(f"{name}: {ours:.2f} s >= {TWO_THOUSAND_GOAL_S} s")
        print(
            f"{name:<28}{len(net.members):>8}{ours:>10.3f}"
            f"{(f'{dot:.3f}' if dot is not None else '—'):>10}{(f'{ratio:.2f}' if ratio is not None else '—'):>10}"
            f"  {verdict}"
        )
    if failures:
        print("\nGoals failed:\n  " + "\n  ".join(failures))
    else:
        print("\nAll goals met" + ("" if have_dot else " (dot comparison skipped)") + ".")
    return 1 if (failures and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
