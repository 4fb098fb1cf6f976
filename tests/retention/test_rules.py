"""Retention rules as data: loaded and validated (a broken file is refused naming the field), and the retention of a
closed case computed per jurisdiction and legal context."""

import datetime

import pytest

from kring.cases.choices import LEGAL_CONTEXTS_BY_JURISDICTION, CaseStatus
from kring.cases.models import Case, Person
from kring.retention import rules
from kring.retention.closing import record_period
from kring.retention.models import RetentionPeriod
from kring.retention.rules import RULES_FILE, check_rules

from ..factories import make_case

CONTEXTS = {str(j): [c.value for c in cs] for j, cs in LEGAL_CONTEXTS_BY_JURISDICTION.items()}


def test_the_rules_cover_every_legal_context_and_name_their_source():
    assert check_rules(CONTEXTS) == []
    loaded = rules.load()
    assert loaded.netherlands.request_answer_months == 3
    for jurisdiction in ("NL", "VL"):
        for rule in loaded.for_jurisdiction(jurisdiction).rules.values():
            assert "checked 2026-12-07" in rule.source


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("years_after_end = 20\nsource", "years_after_end = -1\nsource", 1),
            "netherlands.rules.nl_voluntary.years_after_end",
        ),
        (("request_answer_months = 3", "request_answer_month = 3", 1), "netherlands.request_answer_months"),
        (("[flanders.rules.vl_judicial]", "[flanders.rules.vl_judicail]", 1), "flanders.rules.vl_judicail"),
    ],
)
def test_a_broken_file_is_refused_naming_the_field(tmp_path, change, message):
    old, new, count = change
    text = RULES_FILE.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "rules.toml"
    broken.write_text(text.replace(old, new, count), encoding="utf-8")
    problems = check_rules(CONTEXTS, broken)
    assert problems and any(message in p for p in problems), problems


def test_a_missing_legal_context_is_refused(tmp_path):
    text = RULES_FILE.read_text(encoding="utf-8")
    start = text.index("[netherlands.rules.nl_closed_care]")
    end = text.index("[netherlands.rules.nl_juvenile_probation]")
    broken = tmp_path / "rules.toml"
    broken.write_text(text[:start] + text[end:], encoding="utf-8")
    assert check_rules(CONTEXTS, broken) == ["rules.toml: netherlands.rules.nl_closed_care: required field is missing"]


def test_retention_per_jurisdiction_and_legal_context():
    loaded = rules.load()
    end = datetime.date(2026, 6, 30)
    born = datetime.date(2012, 2, 29)
    # The Netherlands, voluntary help: 20 years after the end of care.
    assert rules.retain_until(loaded.rule("NL", "nl_voluntary"), end, born) == datetime.date(2046, 6, 30)
    # A supervision order: until 30 years after majority (48), when that is later.
    assert rules.retain_until(loaded.rule("NL", "nl_supervision"), end, born) == datetime.date(
        2060, 2, 29
    )  # a leap year
    # Flanders: until the young person is 35.
    assert rules.retain_until(loaded.rule("VL", "vl_voluntary"), end, born) == datetime.date(2047, 2, 28)
    # Without a birth date the years after the end of care count alone.
    assert rules.retain_until(loaded.rule("VL", "vl_voluntary"), end, None) == end
    assert rules.add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)


@pytest.mark.django_db
def test_closing_a_case_records_its_retention_and_reopening_removes_it(world):
    case = make_case(world.a.team, world.a.case_worker, legal_context="nl_guardianship")
    assert not RetentionPeriod.objects.filter(case=case).exists()
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closure_reason="goals_reached")
    case.refresh_from_db()
    case.closed_on = datetime.date(2026, 5, 1)
    case.save()
    period = RetentionPeriod.objects.get(case=case)
    born = Person.objects.get(case=case, is_central=True).birth_date
    assert period.end_of_care == datetime.date(2026, 5, 1)
    assert period.rule == "NL:nl_guardianship"
    assert period.retain_until == max(datetime.date(2046, 5, 1), rules.add_years(born, 48))
    case.status, case.closure_reason, case.closed_on = CaseStatus.ACTIVE, "", None
    case.save()
    assert record_period(case) is None
    assert not RetentionPeriod.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_the_case_page_shows_until_when_a_closed_case_is_kept(world, client):
    case = make_case(world.a.team, world.a.case_worker)
    client.force_login(world.a.case_worker)
    assert "Bewaard tot" not in client.get(f"/cases/{case.pk}/").content.decode()
    case.status, case.closure_reason, case.closed_on = CaseStatus.CLOSED, "goals_reached", datetime.date(2026, 5, 1)
    case.save()
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Bewaard tot 1 mei 2046" in page
