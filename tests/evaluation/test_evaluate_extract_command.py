"""``manage.py evaluate_extract`` runs the estimators on a file and reproduces the NSW experimental estimate."""

import pytest
from django.core.management import ManagementUtility

from .nsw import nsw


def test_the_command_reproduces_the_experimental_estimate(tmp_path, capsys):
    path = tmp_path / "nsw.csv"
    nsw().to_csv(path, index=False)
    ManagementUtility(
        [
            "manage.py",
            "evaluate_extract",
            str(path),
            "--treatment",
            "treat",
            "--outcome",
            "re78",
            "--covariates",
            "age,educ,black,hisp,marr,nodegree,re74,re75",
        ]
    ).execute()
    out = capsys.readouterr().out
    assert "1,794.342" in out and "185 treated, 260 control" in out


def test_a_missing_column_exits_with_2_and_one_line(tmp_path, capsys):
    path = tmp_path / "nsw.csv"
    nsw().to_csv(path, index=False)
    with pytest.raises(SystemExit) as stopped:
        ManagementUtility(
            ["manage.py", "evaluate_extract", str(path), "--treatment", "treat", "--outcome", "income"]
        ).execute()
    assert stopped.value.code == 2
    assert "income" in capsys.readouterr().err
