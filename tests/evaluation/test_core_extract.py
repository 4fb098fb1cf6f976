"""Reading extracts: CSV in its local dialects and Parquet, written from the NSW data; every refusal code."""

import io
from pathlib import Path

import causaldata
import numpy as np
import pandas as pd
import pytest

from kring.evaluation.core import effects
from kring.evaluation.core.errors import EvaluationInputError
from kring.evaluation.core.extract import read_extract, sniff_delimiter

COVARIATES = ["age", "educ", "black", "hisp", "marr", "nodegree", "re74", "re75"]


@pytest.fixture(scope="module")
def nsw():
    path = Path(causaldata.__file__).parent / "nsw_mixtape" / "nsw_mixtape.dta"
    frame = pd.read_stata(path).drop(columns="data_id").astype("float64")
    frame["employed78"] = (frame.re78 > 0).astype(int)
    return frame


def _check_nsw(extract, nsw, tolerance=1e-6):
    assert len(extract.frame) == 445
    assert all(dtype == np.float64 for dtype in extract.frame.dtypes)
    raw = effects.difference_in_means(extract.frame, extract.treatment, "re78")
    expected = effects.difference_in_means(nsw, "treat", "re78")
    assert raw.estimate == pytest.approx(expected.estimate, abs=tolerance)
    assert abs(raw.estimate - 1794.3) < 0.05


@pytest.mark.parametrize(
    ("sep", "decimal", "suffix"),
    [(",", ".", ".csv"), (";", ",", ".csv"), (";", ".", ".csv"), ("\t", ".", ".tsv"), ("\t", ".", ".txt")],
)
def test_csv_dialects(tmp_path, nsw, sep, decimal, suffix):
    path = tmp_path / f"nsw{suffix}"
    nsw.to_csv(path, sep=sep, decimal=decimal, index=False, float_format="%.6f")
    extract = read_extract(
        path, treatment="treat", outcomes=["re78", "employed78"], covariates=COVARIATES, binary=["employed78"]
    )
    assert extract.delimiter == sep and extract.source_format == "csv"
    assert extract.covariates == tuple(COVARIATES) and extract.binary == ("employed78",)
    _check_nsw(extract, nsw)
    np.testing.assert_allclose(extract.frame["re74"], nsw["re74"], atol=1e-6)


def test_parquet_from_a_path_bytes_and_a_file_object(tmp_path, nsw):
    path = tmp_path / "nsw.parquet"
    nsw.to_parquet(path)
    for source in (path, str(path), path.read_bytes(), io.BytesIO(path.read_bytes())):
        extract = read_extract(source, treatment="treat", outcomes="re78", covariates=COVARIATES)
        assert extract.source_format == "parquet" and extract.delimiter is None
        _check_nsw(extract, nsw, tolerance=1e-9)
    # a Parquet file with a misleading name is still recognised by its magic bytes
    renamed = tmp_path / "nsw.csv"
    renamed.write_bytes(path.read_bytes())
    assert read_extract(renamed, treatment="treat", outcomes="re78").source_format == "parquet"


def test_excel_style_csv_with_bom_cp1252_text_true_false_and_categories(tmp_path):
    text = (
        "\ufeffgezin;behandeld;score;plan;regio;vorm\n"
        "1;WAAR;3,5;true;Noord;FGC\n"
        "2;true;4,25;false;Zuid;EK-c\n"
        "3;False;2,0;TRUE;Oost;FGC\n"
        "4;false;1;FALSE;Noord;EK-c\n"
    )
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EvaluationInputError) as caught:
        # "gezin" is found: the byte-order mark is not part of the first column's name
        read_extract(path, treatment="behandeld", outcomes="score", covariates=["gezin"])
    assert caught.value.code == "treatment_not_binary" and caught.value.params["values"] == ["WAAR"]

    # the same export from an older Excel: Windows-1252, no byte-order mark
    fixed = text.replace("WAAR", "True").replace("Zuid", "Zuidwest-Vlaanderen é").lstrip("\ufeff")
    path.write_text(fixed, encoding="cp1252")
    extract = read_extract(
        path,
        treatment="behandeld",
        outcomes=["score", "plan"],
        binary=["plan"],
        covariates=["regio", "vorm"],
        moderators=["vorm"],
    )
    frame = extract.frame
    assert frame["behandeld"].tolist() == [1, 1, 0, 0]
    assert frame["score"].tolist() == [3.5, 4.25, 2.0, 1.0]
    assert frame["plan"].tolist() == [1, 0, 1, 0]
    # regio: Noord is the reference (first in sorted order); vorm, also a moderator, is one 0/1 column
    assert extract.categories == {"regio": ["regio=Oost", "regio=Zuidwest-Vlaanderen é"]}
    assert extract.covariates == ("regio=Oost", "regio=Zuidwest-Vlaanderen é", "vorm")
    assert extract.coding == {"vorm": {"0": "EK-c", "1": "FGC"}}
    assert frame["vorm"].tolist() == [1, 0, 1, 0]
    assert frame["regio=Oost"].tolist() == [0, 0, 1, 0]


def test_missing_values_are_dropped_listwise_with_a_count(tmp_path):
    text = "t,y,x,unused\n1,1.5,2,\n1,2.5,NA,1\n0,,3,1\n0,0.5,1,1\n1,3,4,1\n0,1,2,\n0,1.2,inf,1\n"
    path = tmp_path / "gaps.csv"
    path.write_text(text)
    extract = read_extract(path, treatment="t", outcomes="y", covariates=["x"])
    assert extract.n_rows_read == 7 and extract.n_rows_dropped == 3 and len(extract.frame) == 4
    assert extract.warnings == ({"code": "rows_dropped_missing", "count": 3, "n_rows": 7},)
    assert extract.as_dict()["n_rows"] == 4


def test_parquet_nullable_and_categorical_columns():
    frame = pd.DataFrame(
        {
            "t": pd.array([True, False, True, False, None, True], dtype="boolean"),
            "y": pd.array([1, 2, None, 4, 5, 6], dtype="Int64"),
            "c": pd.Categorical(["a", "b", "a", "b", "a", "c"]),
        }
    )
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    extract = read_extract(buffer.getvalue(), treatment="t", outcomes="y", covariates=["c"])
    assert extract.frame["t"].tolist() == [1, 0, 0, 1] and extract.frame["y"].tolist() == [1, 2, 4, 6]
    assert extract.categories == {"c": ["c=b", "c=c"]} and extract.n_rows_dropped == 2


def test_sniffing():
    assert sniff_delimiter("a;b;c\n1,5;2;3\n") == ";"
    assert sniff_delimiter("a,b,c\n1,2,3\n") == ","
    assert sniff_delimiter("a\tb\n1\t2\n") == "\t"
    assert sniff_delimiter('a,b\n"1;2",3\n') == ","  # a quoted semicolon is not a delimiter


def _write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


GOOD = "t,y,x,c\n" + "".join(f"{i % 2},{i * 1.5},{i % 3},{'ab'[i % 2]}\n" for i in range(10))


@pytest.mark.parametrize(
    ("name", "content", "kwargs", "code"),
    [
        ("a.csv", GOOD, {"covariates": ["nope"]}, "missing_column"),
        ("a.csv", GOOD.replace("1.5,", "1.5 kg,", 1), {}, "not_numeric"),
        ("a.csv", GOOD.replace("\n1,", "\n2,", 1), {}, "treatment_not_binary"),
        ("a.csv", GOOD.replace("\n1,", "\nyes,", 1), {}, "treatment_not_binary"),
        ("a.csv", GOOD, {"outcomes": ["x"], "binary": ["x"]}, "outcome_not_binary"),
        ("a.csv", "t,y\n1,2\n0,3\n0,4\n", {}, "too_few_rows"),
        ("a.csv", "t,y\n1,2\n1,3\n1,4\n", {}, "no_variation"),
        ("a.csv", "", {}, "unreadable_file"),
        ("a.csv", "t,y\n1,2\n0,3,4,5\n", {}, "unreadable_file"),
        ("a.parquet", b"PAR1 not really parquet", {}, "unreadable_file"),
        ("a.xlsx", b"PK\x03\x04 zipped sheets", {}, "unsupported_format"),
        ("a.dta", b"<stata_dta>", {}, "unsupported_format"),
        ("a.csv", b"\x00\x01\x02binary", {}, "unsupported_format"),
        (
            "a.csv",
            "t,y,x,c\n" + "".join(f"{i % 2},{i},{i},level{i}\n" for i in range(60)),
            {"covariates": ["c"]},
            "too_many_levels",
        ),
        (
            "a.csv",
            "t,y,x,c\n" + "".join(f"{i % 2},{i},{i},{'abc'[i % 3]}\n" for i in range(12)),
            {"moderators": ["c"]},
            "moderator_not_binary",
        ),
        ("a.csv", GOOD, {"outcomes": []}, "invalid_argument"),
        ("a.csv", GOOD, {"binary": ["x"]}, "invalid_argument"),
    ],
)
def test_refusals(tmp_path, name, content, kwargs, code):
    path = _write(tmp_path, name, content)
    arguments = {"treatment": "t", "outcomes": ["y"], **kwargs}
    with pytest.raises(EvaluationInputError) as caught:
        read_extract(path, **arguments)
    assert caught.value.code == code
    assert caught.value.as_dict()["code"] == code


def test_missing_file_and_unknown_format():
    with pytest.raises(EvaluationInputError) as caught:
        read_extract("/nonexistent/extract.csv", treatment="t", outcomes="y")
    assert caught.value.code == "unreadable_file"
    with pytest.raises(EvaluationInputError) as caught:
        read_extract(b"t,y\n", treatment="t", outcomes="y", format="sav")
    assert caught.value.code == "unsupported_format"


def test_missing_column_lists_what_is_there(tmp_path):
    with pytest.raises(EvaluationInputError) as caught:
        read_extract(_write(tmp_path, "a.csv", GOOD), treatment="treated", outcomes="y")
    assert caught.value.params == {"column": "treated", "available": ["t", "y", "x", "c"]}
