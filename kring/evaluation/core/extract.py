"""Read an evaluation extract made elsewhere (CSV or Parquet) and turn it into validated numeric columns.

What is accepted, and how:

* **Source**: a path, raw bytes, or a binary file object (an upload). The format is ``format`` if given, else
  Parquet when the bytes start with the Parquet magic ``PAR1`` or the name ends in ``.parquet``/``.pq``,
  else CSV (``.csv``, ``.tsv``, ``.txt`` or no name). Spreadsheets and other binary formats are refused
  with ``unsupported_format``.
* **CSV**: UTF-8 (a byte-order mark is fine), falling back to Windows-1252, which Dutch and Flemish Excel
  installations still write. The delimiter is sniffed among comma, semicolon and tab: the one that splits
  the first lines into the same number (> 1) of fields, the most fields winning. With a semicolon, a decimal
  comma is accepted (``1,5``), as Excel writes it in nl/be locales; thousands separators are not.
  Missing: empty cells and the usual tokens (NA, N/A, NaN, null, ., -).
* **Treatment** and binary outcomes: 0/1, or true/false in any case, or booleans.
* **Covariates**: numeric columns as they are; a text column becomes dummy columns ``name=level`` for every
  level but the first in sorted order (the reference level), at most ``max_levels`` levels. A text column
  that is also a moderator and has two levels is coded 0/1 under its own name instead.
* **Moderators**: numeric, or text with exactly two levels, coded 0 for the first in sorted order and 1 for
  the other.
* **Missing values** in any used column (also non-finite numbers) drop the row, listwise over all used
  columns, with a ``rows_dropped_missing`` warning that gives the count.

Every refusal is an ``EvaluationInputError`` with a code and parameters.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import EvaluationInputError, warning

NA_TOKENS = ["", "NA", "N/A", "n/a", "na", "NaN", "nan", "NULL", "null", "None", ".", "-", "#N/A"]
TRUE_FALSE = {"true": 1.0, "false": 0.0}
PARQUET_SUFFIXES = {".parquet", ".pq"}
CSV_SUFFIXES = {".csv", ".tsv", ".txt", ""}
DELIMITERS = (";", ",", "\t")  # on a tie in field counts, the semicolon wins: it is the nl/be Excel default
SNIFF_LINES = 50
MIN_ROWS_PER_GROUP = 2
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")


@dataclass(frozen=True)
class Extract:
    """The validated extract: ``frame`` holds float64 columns only, complete rows only."""

    frame: pd.DataFrame
    treatment: str
    outcomes: tuple[str, ...]
    binary: tuple[str, ...]
    covariates: tuple[str, ...]  # after dummy coding
    moderators: tuple[str, ...]
    categories: dict[str, list[str]] = field(default_factory=dict)  # text covariate -> its dummy columns
    coding: dict[str, dict[str, str]] = field(default_factory=dict)  # two-level text column -> {"0": a, "1": b}
    n_rows_read: int = 0
    n_rows_dropped: int = 0
    source_format: str = "csv"
    delimiter: str | None = None
    warnings: tuple[dict[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Everything but the data itself."""
        return {
            "treatment": self.treatment,
            "outcomes": list(self.outcomes),
            "binary": list(self.binary),
            "covariates": list(self.covariates),
            "moderators": list(self.moderators),
            "categories": {k: list(v) for k, v in self.categories.items()},
            "coding": {k: dict(v) for k, v in self.coding.items()},
            "n_rows_read": self.n_rows_read,
            "n_rows_dropped": self.n_rows_dropped,
            "n_rows": len(self.frame),
            "source_format": self.source_format,
            "delimiter": self.delimiter,
            "warnings": [dict(w) for w in self.warnings],
        }


# --- reading ----------------------------------------------------------------------------------------------


def _read_source(source: Any) -> tuple[bytes, str | None]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), None
    if hasattr(source, "read"):
        data = source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        return bytes(data), getattr(source, "name", None)
    if isinstance(source, (str, os.PathLike)):
        try:
            return Path(source).read_bytes(), os.fspath(source)
        except OSError as error:
            raise EvaluationInputError("unreadable_file", reason=error.strerror or type(error).__name__) from None
    raise EvaluationInputError("invalid_argument", argument="source", value=type(source).__name__)


def _detect_format(data: bytes, name: str | None, requested: str | None) -> str:
    if requested is not None:
        if requested not in ("csv", "parquet"):
            raise EvaluationInputError("unsupported_format", format=str(requested))
        return requested
    suffix = Path(name).suffix.lower() if name else ""
    if data[:4] == b"PAR1" or suffix in PARQUET_SUFFIXES:
        return "parquet"
    if data[:4] == b"PK\x03\x04":
        raise EvaluationInputError("unsupported_format", format=suffix.lstrip(".") or "zip/xlsx")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise EvaluationInputError("unsupported_format", format=suffix.lstrip(".") or "xls")
    if suffix not in CSV_SUFFIXES:
        raise EvaluationInputError("unsupported_format", format=suffix.lstrip("."))
    return "csv"


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise EvaluationInputError("unsupported_format", format="binary")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """The delimiter among ; , tab that splits the first lines into equal field counts, most fields winning."""
    lines = text.splitlines()[:SNIFF_LINES]
    sample = [line for line in lines if line.strip()]
    best, best_fields, fallback, fallback_fields = None, 1, ",", 1
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(sample, delimiter=delimiter)]
        if not counts:
            continue
        if counts[0] > fallback_fields:
            fallback, fallback_fields = delimiter, counts[0]
        if len(set(counts)) == 1 and counts[0] > best_fields:
            best, best_fields = delimiter, counts[0]
    return best or fallback


def _read_csv(data: bytes) -> tuple[pd.DataFrame, str]:
    text = _decode(data)
    if not text.strip():
        raise EvaluationInputError("unreadable_file", reason="empty")
    delimiter = sniff_delimiter(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_values=NA_TOKENS,
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
        raise EvaluationInputError("unreadable_file", reason=str(error).splitlines()[0][:200]) from None
    return frame, delimiter


def _read_parquet(data: bytes) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        frame: pd.DataFrame = pq.read_table(pa.BufferReader(data)).to_pandas()
        return frame
    except (pa.ArrowException, OSError, ValueError) as error:
        raise EvaluationInputError("unreadable_file", reason=str(error).splitlines()[0][:200]) from None


def _parquet_shape(data: bytes) -> tuple[int, int]:
    """Rows and columns from the footer's metadata: nothing of the data is read or decompressed."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        metadata = pq.ParquetFile(pa.BufferReader(data)).metadata
    except (pa.ArrowException, OSError, ValueError) as error:
        raise EvaluationInputError("unreadable_file", reason=str(error).splitlines()[0][:200]) from None
    rows = max(metadata.num_rows, sum(metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)))
    return rows, metadata.num_columns


def _csv_shape(data: bytes) -> tuple[int, int]:
    """At most this many rows (lines after the header; a quoted line break only overcounts) and the header's
    columns, without decoding or splitting the file."""
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    header = data[: data.find(b"\n")] if b"\n" in data else data
    text = _decode(header).strip("\r")
    columns = max((len(next(csv.reader([text], delimiter=d), [])) for d in DELIMITERS), default=0)
    return max(lines - 1, 0), columns


def extract_shape(source: Any, *, format: str | None = None, name: str | None = None) -> dict[str, Any]:
    """``{"format", "rows", "columns"}`` of an extract, read from its header only (see ``check_shape``)."""
    data, source_name = _read_source(source)
    kind = _detect_format(data, name or source_name, format)
    rows, columns = _parquet_shape(data) if kind == "parquet" else _csv_shape(data)
    return {"format": kind, "rows": rows, "columns": columns}


def check_shape(
    source: Any, *, max_rows: int | None, max_columns: int | None, format: str | None = None, name: str | None = None
) -> dict[str, Any]:
    """Refuse an extract with more rows or columns than allowed before reading its data: a Parquet file of a few
    hundred kilobytes can hold twenty million rows of one repeated value, which would take gigabytes once read.
    Refusals: ``too_many_rows`` and ``too_many_columns`` with the count and the limit. Returns its shape."""
    shape = extract_shape(source, format=format, name=name)
    if max_rows is not None and shape["rows"] > max_rows:
        raise EvaluationInputError("too_many_rows", rows=shape["rows"], limit=max_rows)
    if max_columns is not None and shape["columns"] > max_columns:
        raise EvaluationInputError("too_many_columns", columns=shape["columns"], limit=max_columns)
    return shape


# --- converting ---------------------------------------------------------------------------------------------


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip()


def _numbers(series: pd.Series, decimal_comma: bool) -> tuple[pd.Series, pd.Series]:
    """Float values, and a mask of present values that are not numbers."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("float64"), pd.Series(False, index=series.index)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.astype("float64"), pd.Series(False, index=series.index)
    text = _text(series)
    if decimal_comma:
        commas = text.str.match(_DECIMAL_COMMA).fillna(False).astype(bool)
        text = text.where(~commas, text.str.replace(",", ".", regex=False))
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    bad = values.isna() & text.notna() & (text != "")
    return values, bad


def _binary_column(series: pd.Series, column: str, code: str, decimal_comma: bool) -> pd.Series:
    if not pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        text = _text(series)
        lowered = text.str.lower()
        mapped = lowered.map(TRUE_FALSE)
        series = text.where(mapped.isna(), mapped.astype("string"))
    values, bad = _numbers(series, decimal_comma)
    present = values.dropna()
    invalid = present[(present != 0) & (present != 1)]
    if bad.any() or len(invalid):
        texts = [str(v) for v in series[bad].unique()[:5]]
        found = list(dict.fromkeys(texts + [f"{v:g}" for v in invalid.unique()[:5]]))
        raise EvaluationInputError(code, column=column, values=found[:5])
    return values


def _numeric_column(series: pd.Series, column: str, decimal_comma: bool) -> pd.Series:
    values, bad = _numbers(series, decimal_comma)
    if bad.any():
        raise EvaluationInputError("not_numeric", column=column, examples=[str(v) for v in series[bad].unique()[:3]])
    return values


def _levels(series: pd.Series) -> list[str]:
    return sorted(str(v) for v in _text(series).dropna().unique() if str(v) != "")


def _read_raw(
    source: Any, format: str | None, max_rows: int | None, max_columns: int | None
) -> tuple[pd.DataFrame, str, str | None]:
    """The file as a frame of its own columns (names stripped), its format and the CSV delimiter (None for
    Parquet); a file larger than allowed is refused from its header."""
    data, name = _read_source(source)
    kind = _detect_format(data, name, format)
    if max_rows is not None or max_columns is not None:
        check_shape(data, max_rows=max_rows, max_columns=max_columns, format=kind)
    raw: pd.DataFrame
    delimiter: str | None
    if kind == "parquet":
        raw, delimiter = _read_parquet(data), None
    else:
        raw, delimiter = _read_csv(data)
    raw.columns = [str(c).strip() for c in raw.columns]
    return raw, kind, delimiter


def _moderator_columns(
    raw: pd.DataFrame, moderators: Sequence[str], columns: dict[str, pd.Series], decimal_comma: bool
) -> dict[str, dict[str, str]]:
    """Adds each moderator as a number; a two-level text moderator is coded 0/1 (returned: the coding)."""
    coding: dict[str, dict[str, str]] = {}
    for moderator in moderators:
        if moderator in columns:
            continue
        values, bad = _numbers(raw[moderator], decimal_comma)
        if bad.any():
            levels = _levels(raw[moderator])
            if len(levels) != 2:
                raise EvaluationInputError("moderator_not_binary", column=moderator, levels=len(levels))
            text = _text(raw[moderator])
            values = text.map({levels[0]: 0.0, levels[1]: 1.0}).astype("float64")
            coding[moderator] = {"0": levels[0], "1": levels[1]}
        columns[moderator] = values
    return coding


def _covariate_columns(
    raw: pd.DataFrame,
    covariates: Sequence[str],
    columns: dict[str, pd.Series],
    not_covariates: Sequence[str],
    decimal_comma: bool,
    max_levels: int,
) -> tuple[list[str], dict[str, list[str]]]:
    """Adds each covariate: a number as it is, a text as one 0/1 dummy per level after the first (missing stays
    missing). Returns the covariates the model uses and the dummies per categorical covariate."""
    expanded: list[str] = []
    categories: dict[str, list[str]] = {}
    for covariate in covariates:
        if covariate in columns:  # also the treatment, an outcome or a moderator: use that column
            if covariate not in not_covariates:
                expanded.append(covariate)
            continue
        values, bad = _numbers(raw[covariate], decimal_comma)
        if not bad.any():
            columns[covariate] = values
            expanded.append(covariate)
            continue
        levels = _levels(raw[covariate])
        if len(levels) > max_levels:
            raise EvaluationInputError("too_many_levels", column=covariate, levels=len(levels))
        text = _text(raw[covariate])
        missing = text.isna() | (text == "")
        names = []
        for level in levels[1:]:
            dummy = f"{covariate}={level}"
            columns[dummy] = (text == level).astype("float64").where(~missing)
            names.append(dummy)
        categories[covariate] = names
        expanded.extend(names)
    return expanded, categories


def _complete_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, int, int, list[dict[str, Any]]]:
    """Only the rows with every used value present and finite (a warning says how many went), renumbered."""
    finite = np.isfinite(frame.to_numpy(dtype="float64", na_value=np.nan)).all(axis=1)
    n_read, n_dropped = len(frame), int((~finite).sum())
    warnings = []
    if n_dropped:
        warnings.append(warning("rows_dropped_missing", count=n_dropped, n_rows=n_read))
        frame = frame.loc[finite]
    return frame.reset_index(drop=True), n_read, n_dropped, warnings


def _check_groups(treatment: pd.Series, column: str) -> None:
    """Refuses a treatment without variation and groups smaller than ``MIN_ROWS_PER_GROUP``."""
    n1, n0 = int((treatment == 1).sum()), int((treatment == 0).sum())
    if n1 + n0 > 0 and (n1 == 0 or n0 == 0):
        raise EvaluationInputError("no_variation", column=column)
    if n1 < MIN_ROWS_PER_GROUP or n0 < MIN_ROWS_PER_GROUP:
        raise EvaluationInputError("too_few_rows", n_treated=n1, n_control=n0, minimum=MIN_ROWS_PER_GROUP)


def read_extract(
    source: Any,
    *,
    treatment: str,
    outcomes: Sequence[str] | str,
    covariates: Sequence[str] = (),
    moderators: Sequence[str] = (),
    binary: Sequence[str] = (),
    format: str | None = None,
    max_levels: int = 50,
    max_rows: int | None = None,
    max_columns: int | None = None,
) -> Extract:
    """Read and validate an extract; see the module docstring for the rules. ``binary`` lists binary outcomes.
    ``max_rows`` and ``max_columns`` refuse a larger file from its header, before its data is read."""
    outcome_list = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    if not outcome_list:
        raise EvaluationInputError("invalid_argument", argument="outcomes", value=[])
    unknown_binary = [b for b in binary if b not in outcome_list]
    if unknown_binary:
        raise EvaluationInputError("invalid_argument", argument="binary", value=unknown_binary)
    raw, kind, delimiter = _read_raw(source, format, max_rows, max_columns)
    decimal_comma = delimiter == ";"

    used = list(dict.fromkeys([treatment, *outcome_list, *covariates, *moderators]))
    for column in used:
        if column not in raw.columns:
            raise EvaluationInputError("missing_column", column=column, available=list(raw.columns)[:50])

    columns: dict[str, pd.Series] = {
        treatment: _binary_column(raw[treatment], treatment, "treatment_not_binary", decimal_comma)
    }
    for outcome in outcome_list:
        if outcome in binary:
            columns[outcome] = _binary_column(raw[outcome], outcome, "outcome_not_binary", decimal_comma)
        else:
            columns[outcome] = _numeric_column(raw[outcome], outcome, decimal_comma)
    coding = _moderator_columns(raw, moderators, columns, decimal_comma)
    expanded, categories = _covariate_columns(
        raw, covariates, columns, [treatment, *outcome_list], decimal_comma, max_levels
    )

    frame, n_read, n_dropped, warnings = _complete_rows(pd.DataFrame(columns, index=raw.index))
    _check_groups(frame[treatment], treatment)

    return Extract(
        frame=frame,
        treatment=treatment,
        outcomes=tuple(outcome_list),
        binary=tuple(b for b in outcome_list if b in binary),
        covariates=tuple(dict.fromkeys(expanded)),
        moderators=tuple(moderators),
        categories=categories,
        coding=coding,
        n_rows_read=n_read,
        n_rows_dropped=n_dropped,
        source_format=kind,
        delimiter=delimiter,
        warnings=tuple(warnings),
    )
