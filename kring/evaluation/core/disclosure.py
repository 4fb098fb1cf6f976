"""What may leave Kring: pseudonyms for a research extract, and small-cell suppression for public dashboards.

Pure: plain data in, plain data out, no Django.

Pseudonyms
----------
``pseudonym(key, kind, id)`` is HMAC-SHA256 under a per-project key, so the same record keeps the same pseudonym
inside one research project, gets an unrelated one in another project, and nobody without the key can compute or
reverse it. Record ids are small integers, so a plain hash would be reversed by hashing 1, 2, 3, ... — the key is
what makes that impossible, and it must therefore stay with Kring, never travel with the extract.

Small cells
-----------
``suppress_counts`` blanks the counts of a table that a dashboard may show; ``suppress_rates`` blanks what was
computed from them. The decisions:

- **Every count below the threshold is suppressed, zero included.** A zero is not harmless: "0 of 12 families had
  a plan" tells everyone who knows one of those families that it had none. Counts, row totals and column totals
  follow the same rule, so an empty group shows as suppressed rather than as 0.
- **The categories of a row are exhaustive** (their counts add up to the row total). A category left out is still
  published as "total minus the others", so it has to be a cell like the rest; a table that does not add up is
  refused.
- **The table is protected as published with its margins**: the row totals, and a totals row of column totals and
  the grand total (returned as ``SuppressedTable.totals``). A reader is assumed to see all of these, whether or not
  the page shows the totals row.
- **Complementary suppression, per line** (a row with its total, a column with its total): a line with suppressed
  cells needs at least two of them, and when its total is shown the suppressed cells together must reach the
  threshold too, because their sum (total minus what is shown) is published as one merged count; two suppressed
  zeros would otherwise be recovered as zeros. An unsafe line gets one more cell suppressed: the smallest shown
  one, preferring a cell whose crossing line then needs nothing more (two small cells in a square close each
  other's gaps instead of spreading over the table). Repeat until every line is safe.
- **Then across lines**: in a two-way table, rows and columns combined can still pin down a cell that each line on
  its own protects (a "bridge" between two blocks of suppressed cells). After the lines are safe, the linear
  system of all published totals is solved exactly; any suppressed cell it determines gets a neighbour
  suppressed, and the line rules run again.
- **Parts** (issue 12, item 9, nested populations): a row may carry, under ``PARTS``, its counts split into parts
  (per organisation, in a view over several organisations). A cell is then also suppressed when any part's own
  count in it is from 1 to threshold - 1, and a line's suppressed cells must also add up, per part, to 0 or at
  least the threshold. The same cell published over fewer parts (one organisation's own view) then differs from
  this one by counts that are each 0 or at least the threshold.
- Not covered: bounds a reader can derive from non-negativity across several lines (protection intervals, which
  tools like tau-ARGUS solve as linear programs), and differencing between two tables published separately
  (for example this month and last month). Publish one table per question and keep the threshold the same.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import numbers
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .errors import EvaluationInputError

__all__ = [
    "KEY_BYTES",
    "PARTS",
    "PSEUDONYM_LENGTH",
    "SUPPRESSED",
    "SuppressedTable",
    "new_project_key",
    "pseudonym",
    "protected_event_times",
    "protected_incidence",
    "suppress_counts",
    "suppress_linked",
    "suppress_rates",
]

KEY_BYTES = 32
# 16 base32 characters carry 80 bits (the first 10 bytes of the HMAC). The chance that two of n records of one
# kind share a pseudonym is at most n(n-1)/2 / 2**80: for a million records about 4e-13, for a hundred million
# about 4e-9. Guessing needs the key (256 bits), not the pseudonym's length, so 80 bits is plenty and stays short
# enough to read aloud over the phone when a researcher asks about one record.
PSEUDONYM_LENGTH = 16
_PSEUDONYM_BYTES = PSEUDONYM_LENGTH * 5 // 8
# A fixed label in front of the message, so these HMACs cannot be confused with any other use of the same key.
_DOMAIN = b"kring.evaluation.pseudonym.v1\x00"

SUPPRESSED = "suppressed"  # the key that lists, per returned row, which fields were blanked
PARTS = "parts"  # the optional key of a row's counts per part (organisation): part -> {count key: count}


# -- pseudonyms ------------------------------------------------------------------------------------------------


def new_project_key() -> bytes:
    """A fresh random key for one research project (32 bytes from the operating system's CSPRNG)."""
    return secrets.token_bytes(KEY_BYTES)


def _field(value: str) -> bytes:
    # Length-prefixed, so ("case", "12") and ("case1", "2") cannot encode to the same bytes.
    data = value.encode("utf-8")
    return len(data).to_bytes(4, "big") + data


def _canonical(kind: str, record_id: int | str) -> bytes:
    if not isinstance(kind, str) or not kind:
        raise EvaluationInputError("invalid_argument", argument="kind", value=repr(kind))
    if isinstance(record_id, bool) or not isinstance(record_id, (numbers.Integral, str)):
        raise TypeError("record_id must be an integer or a text")
    # An integer id and its decimal text are the same record (an id read back from a CSV file is text).
    text = str(int(record_id)) if isinstance(record_id, numbers.Integral) else record_id
    if not text:
        raise EvaluationInputError("invalid_argument", argument="record_id", value="an empty text")
    return _DOMAIN + _field(kind) + _field(text)


def pseudonym(project_key: bytes, kind: str, record_id: int | str) -> str:
    """The pseudonym of one record (``kind`` such as "case" or "person", and its id) in one research project.

    Stable for the same key, kind and id; different under another key or for another kind with the same id.
    Refuses (``EvaluationInputError``, a ``ValueError``) a key shorter than 32 bytes: use ``new_project_key``.
    """
    if not isinstance(project_key, (bytes, bytearray)):
        raise TypeError("project_key must be bytes")
    if len(project_key) < KEY_BYTES:
        # Never the key itself in a message: only its length.
        raise EvaluationInputError(
            "invalid_argument", argument="project_key", value=f"{len(project_key)} bytes (at least {KEY_BYTES} needed)"
        )
    digest = hmac.new(bytes(project_key), _canonical(kind, record_id), hashlib.sha256).digest()
    return base64.b32encode(digest[:_PSEUDONYM_BYTES]).decode("ascii")  # 10 bytes: exactly 16 characters, no "="


# -- small cells -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuppressedTable:
    """The result of ``suppress_counts``: the rows in their order, and the totals row.

    Suppressed counts are ``None``, and every row (and ``totals``) names them in ``row["suppressed"]``.
    """

    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    threshold: int


def _count(row: Mapping[str, Any], key: str, position: int) -> int:
    if key not in row:
        raise EvaluationInputError("missing_column", column=key)
    value = row[key]
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise EvaluationInputError(
            "invalid_argument",
            argument=f"row {position} {key}",
            value=f"{value!r} (a whole number of at least 0 needed)",
        )
    return int(value)


Cell = tuple[int, int]  # (row, column) in the grid of a table with its totals row
Line = tuple[tuple[Cell, ...], Cell]  # the cells of a row or column, and the cell of its total


def _check_threshold(threshold: object) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Integral) or threshold < 1:
        raise EvaluationInputError("invalid_argument", argument="threshold", value=repr(threshold))
    return int(threshold)


def _checked_count_keys(count_keys: Sequence[str], total_key: str | None) -> tuple[str, ...]:
    """The count keys as a tuple (one text is one key); refuses none, doubles, and the total key among them."""
    keys = (count_keys,) if isinstance(count_keys, str) else tuple(count_keys)
    if not keys or len(set(keys)) != len(keys):
        raise EvaluationInputError("invalid_argument", argument="count_keys", value=repr(keys))
    if total_key is not None and total_key in keys:
        raise EvaluationInputError("invalid_argument", argument="total_key", value=f"{total_key!r} is also a count key")
    return keys


@dataclass
class _Grid:
    """A table as published with its margins: one line of cells per row, then the totals row; cell (i, j) holds
    row i's value of ``columns[j]``. ``hidden`` is the set of suppressed cells, growing as the rules run."""

    values: dict[Cell, int]
    part_values: dict[Cell, dict[Any, int]]  # each cell's counts per part, where rows carry parts
    lines: list[Line]
    lines_of: dict[Cell, list[int]]  # cell -> the lines it is in (as a cell or as their total)
    threshold: int
    hidden: set[Cell]

    def small(self, value: int) -> bool:
        return 0 < value < self.threshold

    def small_part(self, cells: Iterable[Cell]) -> bool:
        """Some part's own count over these cells is from 1 to threshold - 1."""
        sums: dict[Any, int] = {}
        for cell in cells:
            for part, value in self.part_values.get(cell, {}).items():
                sums[part] = sums.get(part, 0) + value
        return any(self.small(value) for value in sums.values())

    def unsafe(self, index: int, hide: set[Cell]) -> bool:
        """Whether a line with these cells suppressed gives one of them away."""
        cells, margin = self.lines[index]
        inner = [c for c in cells if c in hide]
        if margin in hide:
            return not inner  # a hidden total with all its cells shown is their sum
        if not inner:
            return False
        return len(inner) == 1 or sum(self.values[c] for c in inner) < self.threshold or self.small_part(inner)

    def best(self, candidates: Iterable[Cell]) -> Cell | None:
        """The cell to suppress next: the smallest shown one, preferring one that leaves its other lines no worse
        off."""

        def cost(cell: Cell) -> tuple[int, int, Cell]:
            with_it = self.hidden | {cell}
            worse = sum(self.unsafe(k, with_it) - self.unsafe(k, self.hidden) for k in self.lines_of[cell])
            return worse, self.values[cell], cell

        shown = [c for c in candidates if c not in self.hidden]
        return min(shown, key=cost) if shown else None

    def protect_lines(self) -> None:
        """Complementary suppression per line, until every line is safe."""
        changed = True
        while changed:
            changed = False
            for index, (cells, _margin) in enumerate(self.lines):
                while self.unsafe(index, self.hidden):
                    cell = self.best(cells)
                    if cell is None:
                        break
                    self.hidden.add(cell)
                    changed = True

    def protect(self) -> None:
        """Line rules, then across lines: a cell the published totals still determine gets a neighbour suppressed,
        and the line rules run again."""
        while True:
            self.protect_lines()
            found = _determined_cell(self.lines, self.hidden)
            if found is None:
                break
            neighbours = [c for k in self.lines_of[found] for c in self.lines[k][0]]
            cell = self.best(neighbours) or self.best(self.values)
            if cell is None:
                break  # everything is suppressed already
            self.hidden.add(cell)


def _read_cells(
    rows: list[dict[str, Any]], count_keys: tuple[str, ...], total_key: str | None
) -> tuple[dict[Cell, int], dict[Cell, dict[Any, int]]]:
    """The counts (and counts per part) of the rows' cells; refuses a row whose counts do not add up to its total."""
    values: dict[Cell, int] = {}
    part_values: dict[Cell, dict[Any, int]] = {}
    for i, row in enumerate(rows):
        if SUPPRESSED in row:
            raise EvaluationInputError(
                "invalid_argument", argument=f"row {i}", value=f"already has a {SUPPRESSED!r} key"
            )
        for part, counts in (row.pop(PARTS, None) or {}).items():
            for j, key in enumerate(count_keys):
                part_values.setdefault((i, j), {})[part] = _count(counts, key, i)
            if total_key is not None:
                part_values.setdefault((i, len(count_keys)), {})[part] = sum(
                    part_values[i, j][part] for j in range(len(count_keys))
                )
        for j, key in enumerate(count_keys):
            values[i, j] = _count(row, key, i)
        if total_key is not None:
            values[i, len(count_keys)] = total = _count(row, total_key, i)
            if total != sum(values[i, j] for j in range(len(count_keys))):
                # A category left out is published anyway, as the total minus the others: make it a count.
                raise EvaluationInputError(
                    "invalid_argument",
                    argument=f"row {i} {total_key}",
                    value=f"{total} is not the sum of {', '.join(count_keys)}",
                )
    return values, part_values


def _add_totals_row(
    values: dict[Cell, int], part_values: dict[Cell, dict[Any, int]], n: int, columns: tuple[str, ...]
) -> None:
    """Row ``n``: the column totals (per part too); refuses a cell whose parts do not add up to it."""
    for j in range(len(columns)):
        values[n, j] = sum(values[i, j] for i in range(n))
    for (i, j), parts in list(part_values.items()):
        if sum(parts.values()) != values[i, j]:
            raise EvaluationInputError(
                "invalid_argument",
                argument=f"row {i} {columns[j]}",
                value=f"{values[i, j]} is not the sum of its parts",
            )
        for part, value in parts.items():
            totals_parts = part_values.setdefault((n, j), {})
            totals_parts[part] = totals_parts.get(part, 0) + value


def _grid_lines(
    n: int, columns: tuple[str, ...], count_keys: tuple[str, ...], total_key: str | None, cells: Iterable[Cell]
) -> tuple[list[Line], dict[Cell, list[int]]]:
    """The lines: every column including the total column and, when rows have totals, every row including the
    totals row; and per cell the lines it is in."""
    lines: list[Line] = [(tuple((i, j) for i in range(n)), (n, j)) for j in range(len(columns))]
    if total_key is not None:
        last = len(count_keys)
        lines += [(tuple((i, j) for j in range(last)), (i, last)) for i in range(n + 1)]
    lines_of: dict[Cell, list[int]] = {cell: [] for cell in cells}
    for index, (line_cells, margin) in enumerate(lines):
        for cell in (*line_cells, margin):
            lines_of[cell].append(index)
    return lines, lines_of


def suppress_counts(
    table: Iterable[Mapping[str, Any]],
    threshold: int = 5,
    *,
    count_keys: Sequence[str],
    total_key: str | None = "total",
    totals_label: Mapping[str, Any] | None = None,
    hidden_totals: Iterable[str] = (),
) -> SuppressedTable:
    """Blank the counts of ``table`` that are below ``threshold``, and the further counts that would give them away.

    ``table``: one mapping per row with the group keys (copied as they are), one count per category in
    ``count_keys``, and the row total under ``total_key`` (``None`` when the table publishes no row totals).
    The counts of a row must add up to its total. ``totals_label`` gives the group keys of the returned totals row
    (for example ``{"method": "All methods"}``). ``hidden_totals`` names columns whose cell in the totals row is
    suppressed from the start (``suppress_linked`` uses it). A row's optional ``PARTS`` splits its counts per part
    (they must add up to the row's); it is not returned. The input is not changed. See the module docstring.
    """
    threshold = _check_threshold(threshold)
    keys = _checked_count_keys(count_keys, total_key)
    rows = [dict(row) for row in table]
    columns = keys + ((total_key,) if total_key is not None else ())
    values, part_values = _read_cells(rows, keys, total_key)
    n = len(rows)
    _add_totals_row(values, part_values, n, columns)
    lines, lines_of = _grid_lines(n, columns, keys, total_key, values)
    grid = _Grid(values, part_values, lines, lines_of, threshold, set())

    # Primary suppression: every count under the threshold, zeros too, and every cell with a small part.
    grid.hidden = {cell for cell, value in values.items() if value < threshold or grid.small_part((cell,))}
    unknown = set(hidden_totals) - set(columns)
    if unknown:
        raise EvaluationInputError("invalid_argument", argument="hidden_totals", value=repr(sorted(unknown)))
    grid.hidden |= {(n, j) for j, key in enumerate(columns) if key in set(hidden_totals)}
    grid.protect()

    result = []
    for i, row in enumerate(rows):
        blanked = {columns[j] for j in range(len(columns)) if (i, j) in grid.hidden}
        for key in blanked:
            row[key] = None
        row[SUPPRESSED] = frozenset(blanked)
        result.append(row)
    totals = dict(totals_label or {})
    blanked = {columns[j] for j in range(len(columns)) if (n, j) in grid.hidden}
    for j, key in enumerate(columns):
        totals[key] = None if key in blanked else values[n, j]
    totals[SUPPRESSED] = frozenset(blanked)
    return SuppressedTable(rows=result, totals=totals, threshold=threshold)


def suppress_linked(
    tables: Mapping[str, Iterable[Mapping[str, Any]]],
    threshold: int = 5,
    *,
    count_keys: Sequence[str],
    total_key: str | None = "total",
) -> dict[str, SuppressedTable]:
    """Suppress several tables that break down the same population in different ways (per method, per team, per
    year, and the one-row table of everything), so that together they give nothing away.

    Each table's totals row is the same population's total, so a reader holding two of the tables compares them
    through it. The rule: the totals row is suppressed in the same cells in every table. Start with no totals
    cell forced; suppress every table; force, in every table, the union of the totals cells any table suppressed;
    repeat until no table adds one (at most once per column). Each table is then protected with the totals row
    as every table publishes it, and the one-row table of everything shows exactly that totals row.
    """
    tables = {name: [dict(row) for row in rows] for name, rows in tables.items()}
    forced: frozenset[str] = frozenset()
    while True:
        results = {
            name: suppress_counts(rows, threshold, count_keys=count_keys, total_key=total_key, hidden_totals=forced)
            for name, rows in tables.items()
        }
        union = frozenset().union(*(r.totals[SUPPRESSED] for r in results.values())) if results else forced
        if union == forced:
            return results
        forced = union


def _determined_cell(lines: list[Line], hidden: set[Cell]) -> Cell | None:
    """A suppressed cell that the published totals fix exactly, or None.

    Every line says: sum of its cells - its total = 0. Keep only the suppressed cells as unknowns; a cell is fixed
    exactly when its unit vector lies in the row space of that system, which in reduced row echelon form means a
    row with a single non-zero entry. Exact fractions: the tables are small and rounding must not decide this.
    """
    unknowns = sorted(hidden)
    column = {cell: k for k, cell in enumerate(unknowns)}
    matrix: list[list[Fraction]] = []
    for cells, margin in lines:
        row = [Fraction(0)] * len(unknowns)
        for cell in cells:
            if cell in column:
                row[column[cell]] += 1
        if margin in column:
            row[column[margin]] -= 1
        if any(row):
            matrix.append(row)
    pivot_row = 0
    pivots = []
    for col in range(len(unknowns)):
        found = next((r for r in range(pivot_row, len(matrix)) if matrix[r][col] != 0), None)
        if found is None:
            continue
        matrix[pivot_row], matrix[found] = matrix[found], matrix[pivot_row]
        lead = matrix[pivot_row][col]
        matrix[pivot_row] = [v / lead for v in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[pivot_row])]
        pivots.append(col)
        pivot_row += 1
    for r, col in enumerate(pivots):
        if sum(1 for v in matrix[r] if v != 0) == 1:
            return unknowns[col]
    return None


def protected_event_times(
    times: Sequence[Any], events: Sequence[int], published_n: int | None, threshold: int = 5
) -> dict[str, Any]:
    """What may be said of the times to an event (weeks) when counts are suppressed.

    Never the minimum or the maximum: they are one family's value, however large the group. The mean only when
    the number of events is published (``published_n``, at least the threshold; a mean with its count gives the
    sum, and a sum over at least ``threshold`` families is no one family's value). The median only over at least
    twice the threshold, and only when at least ``threshold`` families share the week it falls on (when it is the
    mean of two middle weeks, each of them), so it is never a single family's value either.
    """
    threshold = _check_threshold(threshold)
    pairs = [(float(t), int(e)) for t, e in zip(times, events) if int(e) > 0]
    n = sum(e for _t, e in pairs)
    empty = {"n": None, "median": None, "mean": None, "min": None, "max": None}
    if published_n is None or published_n != n or n < threshold:
        return empty
    result = dict(empty, n=n, mean=sum(t * e for t, e in pairs) / n)
    if n >= 2 * threshold:
        middle = {(n - 1) // 2 + 1, n // 2 + 1}  # the ranks of the middle order statistic(s), from 1
        seen, weeks = 0, []
        for t, e in pairs:
            if any(seen < rank <= seen + e for rank in middle):
                weeks.append((t, e))
            seen += e
        if all(e >= threshold for _t, e in weeks):
            median = sum(t for t, _e in weeks) / len(weeks) if len(weeks) > 1 else weeks[0][0]
            result["median"] = int(median) if float(median).is_integer() else median
    return result


def _shown_horizons(
    rows: list[dict[str, Any]],
    times: list[Any],
    events: Sequence[int],
    name: str,
    count: int | None,
    n: int,
    parts: Mapping[Any, Any] | None,
    threshold: int,
) -> list[dict[str, Any]]:
    """One cause's readings at the horizons, each shown only where the events by then, those without the event,
    and the events since the previous horizon shown are each at least the threshold (per part: 0 or at least)."""
    shown_rows, previous = [], 0
    previous_parts = dict.fromkeys(parts or (), 0)
    for row in rows:
        by_then = sum(e for t, e in zip(times, events) if t <= row["horizon"])
        ok = (
            count is not None
            and row.get("cif") is not None
            and by_then >= threshold
            and n - by_then >= threshold
            and by_then - previous >= threshold
        )
        parts_by_then = {}
        for part, counts in (parts or {}).items():
            part_events = (counts["causes"].get(name) or {}).get("events") or []
            parts_by_then[part] = sum(e for t, e in zip(counts["times"], part_events) if t <= row["horizon"])
            ok = ok and all(
                _fine(value, threshold)
                for value in (
                    parts_by_then[part],
                    int(counts["n"]) - parts_by_then[part],
                    parts_by_then[part] - previous_parts[part],
                )
            )
        if ok:
            previous = by_then
            previous_parts.update(parts_by_then)
        shown_rows.append(
            {
                "horizon": row["horizon"],
                "cif": row["cif"] if ok else None,
                "se": None,
                "low": row.get("low") if ok else None,
                "high": row.get("high") if ok else None,
            }
        )
    return shown_rows


def protected_incidence(
    incidence: Mapping[str, Any] | None,
    published: Mapping[str, int | None],
    threshold: int = 5,
    *,
    parts: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    """A cumulative incidence (``competing_risks.CumulativeIncidence.as_dict()``) cut down to what may be shown
    when counts are suppressed: per cause only its values at the horizons, and only where the events counted by
    then, those still without the event, and the events since the previous horizon shown are each at least the
    threshold (a step of a curve over known numbers is a count). No numbers at risk, censored or events per week;
    the times summarised by ``protected_event_times``. ``published``: the published count of each cause (None
    where suppressed, which hides its curve). The shape stays that of ``as_dict`` with the horizons as the times.

    ``parts`` (part -> ``{"n", "times", "causes": {name: {"events"}}}``, per organisation in a view over several):
    a horizon is then also shown only where each part's events by then, its families without the event, and its
    events since the previous horizon shown are each 0 or at least the threshold, as for ``PARTS`` in
    ``suppress_counts``: the share times the published count, minus the same over fewer parts, is no small count.
    """
    if not incidence:
        return None
    threshold = _check_threshold(threshold)
    times = list(incidence["times"])
    n = int(incidence["n"])
    causes = {}
    horizons = None
    for name, cause in incidence["causes"].items():
        rows = cause.get("at_horizons") or []
        if horizons is None:
            horizons = [row["horizon"] for row in rows]
        count = published.get(name)
        shown_rows = _shown_horizons(rows, times, cause["events"], name, count, n, parts, threshold)
        causes[name] = {
            "cause": name,
            "n_events": count,
            "events": [],
            "se": [],
            "cif": [r["cif"] for r in shown_rows],
            "ci_low": [r["low"] for r in shown_rows],
            "ci_high": [r["high"] for r in shown_rows],
            "at_horizons": shown_rows,
            "time_to_half": None,
            "event_times": protected_event_times(times, cause["events"], count, threshold),
        }
    return {
        "n": None,
        "n_censored": None,
        "times": horizons or [],
        "n_at_risk": [],
        "censored": [],
        "event_free": [],
        "causes": causes,
        "level": incidence.get("level"),
        "warnings": [],
    }


def _fine(value: int, threshold: int) -> bool:
    """A count that may stand beside others of the same population: none, or at least the threshold."""
    return value == 0 or value >= threshold


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    value = float(value)
    return None if math.isnan(value) else value


def suppress_rates(
    rows: Iterable[Mapping[str, Any]],
    count_key: str,
    denominator_key: str,
    value_keys: Sequence[str] | str,
    threshold: int = 5,
) -> list[dict[str, Any]]:
    """Blank the values computed from a count (a rate, its interval, a mean) where that count may not be shown.

    A row's ``value_keys`` become ``None`` when its numerator (``count_key``) or denominator is suppressed (``None``
    or listed in the row's ``"suppressed"``), or either is below ``threshold``: a rate with its denominator gives the
    numerator back, and with its numerator gives the denominator. For a mean, pass the group size as both keys.
    The blanked keys are added to ``"suppressed"``. Returns new rows; the input is not changed.
    """
    threshold = _check_threshold(threshold)
    if isinstance(value_keys, str):
        value_keys = (value_keys,)
    value_keys = tuple(value_keys)
    result = []
    for row in rows:
        row = dict(row)
        marked = frozenset(row.get(SUPPRESSED) or ())
        numerator, denominator = _number(row.get(count_key)), _number(row.get(denominator_key))
        blank = (
            count_key in marked
            or denominator_key in marked
            or numerator is None
            or denominator is None
            or numerator < threshold
            or denominator < threshold
        )
        if blank:
            for key in value_keys:
                row[key] = None
            marked |= set(value_keys)
        row[SUPPRESSED] = marked
        result.append(row)
    return result
