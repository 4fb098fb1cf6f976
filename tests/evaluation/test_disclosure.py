"""Pseudonyms and small-cell suppression; every expected table below is worked out by hand in its comment."""

import base64
import copy
import hashlib
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kring.evaluation.core.disclosure import (
    PSEUDONYM_LENGTH,
    SUPPRESSED,
    new_project_key,
    pseudonym,
    suppress_counts,
    suppress_rates,
)
from kring.evaluation.core.errors import EvaluationInputError

KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))
OUTCOMES = ("plan", "abandoned", "open")


# -- pseudonyms ------------------------------------------------------------------------------------------------


def test_stable_within_a_project_and_different_across_projects():
    first = pseudonym(KEY_A, "case", 42)
    assert first == pseudonym(KEY_A, "case", 42)
    assert len(first) == PSEUDONYM_LENGTH
    assert set(first) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert pseudonym(KEY_B, "case", 42) != first


def test_an_integer_id_and_its_text_are_the_same_record():
    assert pseudonym(KEY_A, "case", 42) == pseudonym(KEY_A, "case", "42")


def test_different_kinds_with_the_same_id_differ():
    assert pseudonym(KEY_A, "case", 7) != pseudonym(KEY_A, "person", 7)
    # The encoding is length-prefixed: moving a character from the kind to the id changes the pseudonym.
    assert pseudonym(KEY_A, "case1", "2") != pseudonym(KEY_A, "case", "12")


def test_not_a_plain_hash_of_the_id():
    value = pseudonym(KEY_A, "case", 42)
    for text in ("42", "case42", "case:42"):
        for algorithm in (hashlib.sha256, hashlib.md5, hashlib.sha1):
            digest = algorithm(text.encode()).digest()
            plain = {
                digest.hex()[:PSEUDONYM_LENGTH],
                digest.hex()[:PSEUDONYM_LENGTH].upper(),
                base64.b32encode(digest).decode()[:PSEUDONYM_LENGTH],
            }
            assert value not in plain


def test_a_wrong_key_finds_no_id():
    """Someone with the extract but another key tries every id up to 100,000: no match."""
    target = pseudonym(KEY_A, "case", 31337)
    wrong = new_project_key()
    assert all(pseudonym(wrong, "case", i) != target for i in range(1, 100_001))


def test_new_project_keys_are_long_and_random():
    keys = {new_project_key() for _ in range(20)}
    assert len(keys) == 20
    assert all(len(key) == 32 for key in keys)


@pytest.mark.parametrize("key", [b"", b"short", bytes(31)])
def test_short_keys_are_refused(key):
    with pytest.raises(ValueError) as error:
        pseudonym(key, "case", 1)
    assert error.value.code == "invalid_argument"
    assert "at least 32" in str(error.value)


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError):
        pseudonym("a text key of more than thirty-two characters", "case", 1)
    with pytest.raises(TypeError):
        pseudonym(KEY_A, "case", True)
    with pytest.raises(TypeError):
        pseudonym(KEY_A, "case", 1.5)
    with pytest.raises(EvaluationInputError):
        pseudonym(KEY_A, "", 1)
    with pytest.raises(EvaluationInputError):
        pseudonym(KEY_A, "case", "")


# -- small cells -----------------------------------------------------------------------------------------------


def _row(method, plan, abandoned, open_):
    return {"method": method, "plan": plan, "abandoned": abandoned, "open": open_, "total": plan + abandoned + open_}


def _suppress(rows, **options):
    options.setdefault("count_keys", OUTCOMES)
    return suppress_counts(rows, **options)


def test_a_table_without_small_cells_is_unchanged():
    rows = [_row("EKC", 12, 8, 20), _row("FNB", 9, 15, 11)]
    result = _suppress(rows)
    assert [{k: v for k, v in row.items() if k != SUPPRESSED} for row in result.rows] == rows
    assert all(row[SUPPRESSED] == frozenset() for row in result.rows)
    assert result.totals == {"plan": 21, "abandoned": 23, "open": 31, "total": 75, SUPPRESSED: frozenset()}


def test_a_single_small_cell_gets_complementary_suppressions():
    """EKC's 3 plans alone would come back as 25 - 10 - 12 from its row, and as 17 - 8 - 6 from the column.

    method  plan abandoned open total           the smallest cells that close the gaps:
    EKC       3     10      12    25            EKC plan (primary), EKC abandoned (row EKC),
    FNB       8      9       7    24            PTP plan (column plan: 6 < 8), then column abandoned
    PTP       6     12       9    27            takes PTP abandoned (12) over FNB (9): it closes row PTP
    totals   17     31      28    76            as well, so four cells in a square, not six.
    """
    rows = [_row("EKC", 3, 10, 12), _row("FNB", 8, 9, 7), _row("PTP", 6, 12, 9)]
    result = _suppress(rows, totals_label={"method": "All"})
    assert [row[SUPPRESSED] for row in result.rows] == [
        {"plan", "abandoned"},
        set(),
        {"plan", "abandoned"},
    ]
    assert result.rows[0] == {
        "method": "EKC",
        "plan": None,
        "abandoned": None,
        "open": 12,
        "total": 25,
        SUPPRESSED: frozenset({"plan", "abandoned"}),
    }
    assert result.totals == {
        "method": "All",
        "plan": 17,
        "abandoned": 31,
        "open": 28,
        "total": 76,
        SUPPRESSED: frozenset(),
    }
    _assert_protected(rows, result, 5)


def test_zero_is_suppressed_like_any_small_count():
    """0 plans of 12 would tell that none of those families had a plan: the zero is hidden, and so is the next
    smallest cell of its row (5) so that 12 - 7 is a sum of two cells, and so on through the columns."""
    rows = [_row("EKC", 0, 7, 5), _row("FNB", 10, 6, 9)]
    result = _suppress(rows)
    assert result.rows[0]["plan"] is None
    assert result.rows[0]["open"] is None
    assert "plan" in result.rows[0][SUPPRESSED]
    _assert_protected(rows, result, 5)


def test_two_suppressed_zeros_in_a_row_are_not_enough():
    """0 and 0 hidden beside a shown 9 of 9 would both come back as zeros (counts are not negative)."""
    rows = [_row("EKC", 0, 0, 9), _row("FNB", 11, 8, 6)]
    result = _suppress(rows)
    assert result.rows[0][SUPPRESSED] == {"plan", "abandoned", "open"}
    _assert_protected(rows, result, 5)


def test_a_small_group_is_hidden_with_its_total():
    """Hergo has 3 families: its total and its counts are small; the total column needs a second hidden total."""
    rows = [_row("EKC", 12, 8, 20), _row("Hergo", 1, 2, 0), _row("FNB", 9, 15, 11)]
    result = _suppress(rows)
    assert result.rows[1][SUPPRESSED] == {"plan", "abandoned", "open", "total"}
    hidden_totals = [row for row in result.rows if row["total"] is None]
    assert len(hidden_totals) == 2
    _assert_protected(rows, result, 5)


def test_a_bridge_between_two_blocks_is_found():
    """Every row and column below holds at least two small cells adding up to 5 or more, so no line alone gives a
    cell away. But rows 1 and 2 together minus columns a and b leave only the 1 in row 1, column c: the exact
    check must hide one more cell."""
    keys = ("a", "b", "c", "d")
    grid = [
        [3, 2, 1, 20],
        [2, 3, 30, 40],
        [50, 60, 3, 2],
        [70, 80, 2, 3],
    ]
    rows = [{"g": i, **dict(zip(keys, values)), "total": sum(values)} for i, values in enumerate(grid)]
    result = suppress_counts(rows, count_keys=keys)
    primary = {(i, k) for i, values in enumerate(grid) for k, v in zip(keys, values) if v < 5}
    hidden = {(i, k) for i, row in enumerate(result.rows) for k in row[SUPPRESSED]}
    assert primary < hidden
    _assert_protected(rows, result, 5, keys=keys)


def test_the_threshold_is_configurable():
    rows = [_row("EKC", 7, 10, 12), _row("FNB", 8, 9, 7)]
    assert all(not row[SUPPRESSED] for row in _suppress(rows).rows)
    stricter = _suppress(rows, threshold=10)
    assert stricter.threshold == 10
    assert stricter.rows[0]["plan"] is None and stricter.rows[1]["open"] is None
    _assert_protected(rows, stricter, 10)


def test_rows_without_totals():
    """No row totals published: only the columns with their totals are lines."""
    rows = [
        {"m": "EKC", "plan": 3, "abandoned": 12},
        {"m": "FNB", "plan": 9, "abandoned": 7},
        {"m": "PTP", "plan": 11, "abandoned": 8},
    ]
    result = suppress_counts(rows, count_keys=("plan", "abandoned"), total_key=None)
    assert [row[SUPPRESSED] for row in result.rows] == [{"plan"}, {"plan"}, set()]
    assert "total" not in result.totals


def test_the_input_is_not_changed():
    rows = [_row("EKC", 3, 10, 12), _row("FNB", 8, 9, 7)]
    before = copy.deepcopy(rows)
    result = _suppress(rows)
    assert rows == before
    assert result.rows[0] is not rows[0]


def test_an_empty_table_has_suppressed_totals():
    result = _suppress([])
    assert result.rows == []
    assert result.totals["total"] is None


@pytest.mark.parametrize(
    "rows, message",
    [
        ([{"method": "EKC", "plan": 3, "abandoned": 4, "open": 5, "total": 13}], "not the sum"),
        ([{"method": "EKC", "plan": 3, "abandoned": 4, "total": 7}], "'open'"),
        ([{"method": "EKC", "plan": -1, "abandoned": 4, "open": 5, "total": 8}], "at least 0"),
        ([{"method": "EKC", "plan": 1.5, "abandoned": 4, "open": 5, "total": 10.5}], "at least 0"),
        ([{**_row("EKC", 6, 6, 6), SUPPRESSED: set()}], "already has"),
    ],
)
def test_bad_tables_are_refused(rows, message):
    with pytest.raises(EvaluationInputError, match=message):
        _suppress(rows)


def test_numpy_integers_are_counts():
    rows = [{"method": "EKC", **{k: np.int64(v) for k, v in zip(OUTCOMES, (6, 7, 8))}, "total": np.int64(21)}]
    assert _suppress(rows).rows[0]["plan"] == 6


def _assert_protected(rows, result, threshold, keys=OUTCOMES):
    """What a reader of the published table can do: subtract along every row and column, and solve the whole
    system of published totals (checked here with numpy's rank, independently of the module's own check)."""
    columns = (*keys, "total")
    published = [*result.rows, result.totals]
    truth = [*rows, {k: sum(row[k] for row in rows) for k in columns}]
    cells = [(i, k) for i in range(len(published)) for k in columns]
    hidden = [cell for cell in cells if published[cell[0]][cell[1]] is None]
    for i, k in cells:
        shown = published[i][k]
        assert shown is None or (shown == truth[i][k] and shown >= threshold)
        assert (shown is None) == (k in published[i][SUPPRESSED])
    lines = [([(i, k) for k in keys], (i, "total")) for i in range(len(published))]
    lines += [([(i, k) for i in range(len(rows))], (len(rows), k)) for k in columns]
    for inner, margin in lines:
        count = sum(cell in hidden for cell in inner)
        if margin in hidden:
            assert count >= 1
        else:
            assert count != 1
            if count:
                assert sum(truth[i][k] for i, k in inner if (i, k) in hidden) >= threshold
    if not hidden:
        return
    index = {cell: n for n, cell in enumerate(hidden)}
    matrix = np.zeros((len(lines), len(hidden)))
    for r, (inner, margin) in enumerate(lines):
        for cell in inner:
            if cell in index:
                matrix[r, index[cell]] += 1
        if margin in index:
            matrix[r, index[margin]] -= 1
    rank = np.linalg.matrix_rank(matrix)
    for cell, n in index.items():
        assert np.linalg.matrix_rank(np.delete(matrix, n, axis=1)) == rank, f"{cell} can be solved for"


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda n: st.lists(
            st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30)), min_size=n, max_size=n
        )
    ),
    st.integers(1, 8),
)
def test_any_table_comes_out_protected(grid, threshold):
    rows = [_row(f"m{i}", *values) for i, values in enumerate(grid)]
    before = copy.deepcopy(rows)
    result = _suppress(rows, threshold=threshold)
    assert rows == before
    _assert_protected(rows, result, threshold)


# -- rates -----------------------------------------------------------------------------------------------------


def test_rates_follow_their_counts():
    rows = [
        {"method": "EKC", "plan": 12, "total": 40, "rate": 0.3, "low": 0.18, "high": 0.45, SUPPRESSED: frozenset()},
        {
            "method": "FNB",
            "plan": None,
            "total": 30,
            "rate": 0.1,
            "low": 0.03,
            "high": 0.26,
            SUPPRESSED: frozenset({"plan"}),
        },
        {
            "method": "PTP",
            "plan": 6,
            "total": None,
            "rate": 0.5,
            "low": 0.25,
            "high": 0.75,
            SUPPRESSED: frozenset({"total"}),
        },
        {"method": "Hergo", "plan": 3, "total": 4, "rate": 0.75, "low": 0.3, "high": 0.95},  # raw, never suppressed
    ]
    before = copy.deepcopy(rows)
    result = suppress_rates(rows, "plan", "total", ("rate", "low", "high"))
    assert rows == before
    assert (result[0]["rate"], result[0]["low"], result[0]["high"]) == (0.3, 0.18, 0.45)
    assert result[0][SUPPRESSED] == frozenset()
    for row in result[1:]:
        assert row["rate"] is None and row["low"] is None and row["high"] is None
        assert {"rate", "low", "high"} <= row[SUPPRESSED]
    assert result[1][SUPPRESSED] == {"plan", "rate", "low", "high"}


def test_rates_threshold_and_means():
    rows = [{"n": 6, "mean": 4.2}, {"n": 9, "mean": 3.1}]
    assert [row["mean"] for row in suppress_rates(rows, "n", "n", "mean")] == [4.2, 3.1]
    assert [row["mean"] for row in suppress_rates(rows, "n", "n", "mean", threshold=8)] == [None, 3.1]


def test_rates_on_a_suppressed_table():
    table = _suppress([_row("EKC", 3, 10, 12), _row("FNB", 8, 9, 7), _row("PTP", 6, 12, 9)])
    rows = [{**row, "rate": None if row["plan"] is None else row["plan"] / row["total"]} for row in table.rows]
    # Put the true rate back where the count is hidden, as a careless caller might: it must go again.
    rows[0]["rate"] = 3 / 25
    result = suppress_rates(rows, "plan", "total", "rate")
    assert [row["rate"] for row in result] == [None, 8 / 24, None]


def test_the_module_needs_no_django():
    code = "import sys; sys.modules['django'] = None; import kring.evaluation.core.disclosure"
    subprocess.run([sys.executable, "-c", code], check=True)
