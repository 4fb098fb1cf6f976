"""The command line: a readable table, JSON, and a one-line refusal with a non-zero exit code."""

import json
import subprocess
import sys
from pathlib import Path

import causaldata
import pandas as pd
import pytest

from kring.evaluation.core import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    frame = pd.read_stata(Path(causaldata.__file__).parent / "nsw_mixtape" / "nsw_mixtape.dta")
    frame = frame.drop(columns="data_id").astype("float64")
    frame["employed78"] = (frame.re78 > 0).astype(int)
    frame["origin"] = frame.hisp.map({1.0: "hispanic", 0.0: "other"})
    path = tmp_path_factory.mktemp("cli") / "nsw.csv"
    frame.to_csv(path, sep=";", decimal=",", index=False)
    return path


ARGS = [
    "--treatment",
    "treat",
    "--outcome",
    "re78",
    "--outcome",
    "employed78",
    "--binary",
    "employed78",
    "--covariates",
    "age,educ,black,origin,marr,nodegree,re74,re75",
    "--moderators",
    "origin",
]


def test_table(extract, capsys):
    assert cli.main([str(extract), *ARGS]) == 0
    out = capsys.readouterr().out
    assert "treatment treat: 185 treated, 260 control" in out
    assert "re78 (continuous)" in out and "employed78 (binary)" in out
    assert "1,794.342" in out  # the raw difference
    assert "matching on PS, ATT" in out and "logistic: odds ratio" in out
    assert "moderator origin on re78" in out and "at origin = hispanic" in out


def test_json(extract, capsys):
    assert cli.main([str(extract), *ARGS, "--correction", "fdr_bh", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["correction"] == "fdr_bh"
    assert [o["outcome"] for o in result["outcomes"]] == ["re78", "employed78"]
    assert result["outcomes"][0]["raw"]["classical"]["estimate"] == pytest.approx(1794.3, abs=0.05)
    assert "p_adjusted" in result["outcomes"][0]["ipw"]["ATT"]
    assert result["extract"]["coding"] == {"origin": {"0": "hispanic", "1": "other"}}


def test_bad_input_is_one_line_and_exit_code_2(extract, capsys):
    assert cli.main([str(extract), "--treatment", "treat", "--outcome", "nope"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == "error: column 'nope' is not in the data"
    assert len(captured.err.strip().splitlines()) == 1
    assert cli.main([str(extract), "--treatment", "age", "--outcome", "re78"]) == 2
    assert capsys.readouterr().err.startswith("error: treatment column 'age' must hold only 0/1")


def test_runs_as_a_module(extract):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kring.evaluation.core.cli",
            str(extract),
            "--treatment",
            "treat",
            "--outcome",
            "re78",
            "--covariates",
            "age,educ",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["n"] == 445
    missing = subprocess.run(
        [sys.executable, "-m", "kring.evaluation.core.cli", "/nonexistent.csv", "--treatment", "t", "--outcome", "y"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert missing.returncode == 2 and missing.stderr.startswith("error: the file could not be read")
