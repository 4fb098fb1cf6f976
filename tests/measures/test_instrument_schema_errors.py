"""Broken instrument files are refused with a message that names the file and the dotted field path."""

from pathlib import Path

import pytest

from kring.measures.instrument_catalogue import SHIPPED_DIR, InstrumentDefinitionError, check_definitions, load_all

# A small open instrument to break: two items on a 1-4 scale, one reverse-scored, a summed total with a norm.
BASE = """
code = "demo"
version = "1.0"
name = { nl = "Demo", en = "Demo" }
description = { nl = "Twee vragen.", en = "Two questions." }
measures = { nl = "Niets.", en = "Nothing." }
source = "Kring tests"
respondents = ["parent"]
rated_by_professional = false
entry_modes = ["items", "totals", "link"]

[licence]
kind = "open"
holder = "Kring"
note = { nl = "Vrij.", en = "Free." }

[response_scales.four]
min = 1
max = 4

[response_scales.count]
min = 0

[[items]]
code = "a"
scale = "four"
text = { nl = "Vraag a", en = "Question a" }
subscales = ["total"]

[[items]]
code = "b"
scale = "four"
reverse = true
text = { nl = "Vraag b", en = "Question b" }
subscales = ["total"]

[[scores]]
code = "total"
name = { nl = "Totaal", en = "Total" }
method = "sum"
missing = { max_missing = 1, impute = "prorate" }
norms = [
  { from = 2, to = 5, label = { nl = "laag", en = "low" }, source = "test" },
  { from = 6, to = 8, label = { nl = "hoog", en = "high" }, source = "test" },
]
"""


def _write(tmp_path: Path, text: str, name: str = "demo.toml") -> Path:
    directory = tmp_path / "defs"
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(text, encoding="utf-8")
    return directory


def _refused(directory: Path) -> str:
    with pytest.raises(InstrumentDefinitionError) as caught:
        load_all(directory)
    problems = check_definitions(directory)
    assert problems and problems[0] == str(caught.value)
    return str(caught.value)


def test_the_base_file_is_valid(tmp_path):
    assert set(load_all(_write(tmp_path, BASE))) == {"demo"}


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ('version = "1.0"\n', "", "demo.toml: version: required field is missing"),
        ('version = "1.0"', 'version = "one"', "demo.toml: version:"),
        ('code = "demo"', 'code = "other"', "demo.toml: code: must equal the file name 'demo'"),
        ('source = "Kring tests"', 'source = "Kring tests"\ncolour = "red"', "demo.toml: colour: unknown field"),
        ('respondents = ["parent"]', 'respondents = ["neighbour"]', "demo.toml: respondents.0:"),
        (
            'respondents = ["parent"]',
            'respondents = ["parent", "parent"]',
            "demo.toml: respondents: contains a value twice",
        ),
        ('entry_modes = ["items", "totals", "link"]', 'entry_modes = ["items", "fax"]', "demo.toml: entry_modes.1:"),
        (
            "rated_by_professional = false",
            "rated_by_professional = true",
            "demo.toml: respondents: an instrument rated by a professional has the professional as its only respondent",
        ),
        (
            'code = "b"\nscale = "four"',
            'code = "b"\nscale = "five"',
            "demo.toml: items.1.scale: unknown response scale 'five'",
        ),
        ('code = "b"', 'code = "a"', "demo.toml: items.1.code: duplicate 'a'"),
        (
            'code = "b"\nscale = "four"\nreverse = true\ntext = { nl = "Vraag b", en = "Question b" }\nsubscales = ["total"]',
            'code = "b"\nscale = "count"\nreverse = true\ntext = { nl = "Vraag b", en = "Question b" }\nsubscales = []',
            "demo.toml: items.1.reverse: scale 'count' has no max, so the item cannot be reverse-scored",
        ),
        (
            'subscales = ["total"]\n\n[[items]]',
            'subscales = ["totaal"]\n\n[[items]]',
            "demo.toml: items.0.subscales.0: unknown subscale 'totaal' (no score has that code)",
        ),
        (
            'text = { nl = "Vraag a", en = "Question a" }\n',
            "",
            "demo.toml: items.0.text: required: the licence is 'open', so the question is shown",
        ),
        ("max = 4", "max = 1", "demo.toml: response_scales.four.max: must be above min (1)"),
        (
            "[response_scales.count]\nmin = 0",
            "[response_scales.count]\nmin = 0\nmax = 10\nstep = 3",
            "demo.toml: response_scales.count.max: must be min plus a whole number of steps of 3",
        ),
        (
            "[response_scales.count]\nmin = 0",
            '[response_scales.count]\nmin = 0\nlabels = [{ value = -1, label = { nl = "x", en = "x" } }]',
            "demo.toml: response_scales.count.labels.0.value: -1 is not a value of this scale",
        ),
        (
            'missing = { max_missing = 1, impute = "prorate" }',
            'missing = { max_missing = 2, impute = "prorate" }',
            "demo.toml: scores.0.missing.max_missing: must be below the number of items (2)",
        ),
        (
            'missing = { max_missing = 1, impute = "prorate" }',
            'missing = { max_missing = 1, impute = "none" }',
            "demo.toml: scores.0.missing.impute: a sum without prorating would count a missing item as 0",
        ),
        (
            'missing = { max_missing = 1, impute = "prorate" }',
            'missing = { impute = "prorate" }',
            "demo.toml: scores.0.missing.max_missing: give exactly one of max_missing and max_missing_share",
        ),
        (
            'missing = { max_missing = 1, impute = "prorate" }',
            'missing = { max_missing = 1, max_missing_share = 0.5, impute = "prorate" }',
            "demo.toml: scores.0.missing.max_missing: give exactly one of max_missing and max_missing_share",
        ),
        (
            'missing = { max_missing = 1, impute = "prorate" }\n',
            "",
            "demo.toml: scores.0.missing: required field is missing",
        ),
        (
            'method = "sum"\nmissing = { max_missing = 1, impute = "prorate" }',
            'method = "share"\nmissing = { max_missing = 1, impute = "none" }',
            "demo.toml: scores.0.threshold: required for method 'share'",
        ),
        (
            'method = "sum"\nmissing = { max_missing = 1, impute = "prorate" }',
            'method = "share"\nthreshold = 2\nmissing = { max_missing = 1, impute = "prorate" }',
            "demo.toml: scores.0.missing.impute: a share is taken over the answered items: use 'none'",
        ),
        (
            'method = "sum"\nmissing = { max_missing = 1, impute = "prorate" }',
            'method = "share"\nthreshold = 7\nmissing = { max_missing = 1, impute = "none" }',
            "demo.toml: scores.0.threshold: 7 is not a value of scale 'four'",
        ),
        (
            'method = "sum"\nmissing = { max_missing = 1, impute = "prorate" }',
            'method = "mean"\nmissing = { max_missing = 1, impute = "none" }',
            "demo.toml: scores.0.missing.impute: a mean of the answered items fills in the missing ones",
        ),
        (
            'method = "sum"',
            'method = "sum"\nthreshold = 3',
            "demo.toml: scores.0.threshold: only a 'share' score has a threshold",
        ),
        (
            'method = "sum"',
            'method = "sum"\nrange = { min = 2, max = 9 }',
            "demo.toml: scores.0.range: the items give 2-8, not 2-9",
        ),
        ("{ from = 6, to = 8,", "{ from = 5, to = 8,", "demo.toml: scores.0.norms.1: band 5-8 overlaps band 2-5"),
        (
            "{ from = 6, to = 8,",
            "{ from = 6, to = 9,",
            "demo.toml: scores.0.norms.1: band 6-9 lies outside the possible range 2-8",
        ),
        (
            "{ from = 2, to = 5,",
            "{ from = 1, to = 5,",
            "demo.toml: scores.0.norms.0: band 1-5 lies outside the possible range 2-8",
        ),
        ("{ from = 6, to = 8,", "{ from = 8, to = 6,", "demo.toml: scores.0.norms.1.to: must not be below from (8"),
        (
            ', source = "test" },\n  { from = 6',
            " },\n  { from = 6",
            "demo.toml: scores.0.norms.0.source: required field is missing",
        ),
        ('code = "demo"', 'code = "demo', "demo.toml: (syntax): not valid TOML"),
    ],
)
def test_a_broken_file_names_file_and_field(tmp_path, old, new, expected):
    assert old in BASE, old
    message = _refused(_write(tmp_path, BASE.replace(old, new, 1)))
    assert message.startswith(expected), message


def test_duplicate_score_code(tmp_path):
    extra = (
        '\n[[scores]]\ncode = "total"\nname = { nl = "X", en = "X" }\nitems = "all"\nmethod = "mean"\n'
        'missing = { max_missing = 0, impute = "none" }\n'
    )
    assert _refused(_write(tmp_path, BASE + extra)) == "demo.toml: scores.1.code: duplicate 'total'"


def test_items_of_one_score_share_a_scale(tmp_path):
    text = BASE.replace('code = "b"\nscale = "four"', 'code = "b"\nscale = "count"').replace("reverse = true\n", "")
    assert _refused(_write(tmp_path, text)).startswith(
        "demo.toml: scores.0.items: the items use different response scales (count, four)"
    )


def test_a_score_without_members_is_refused(tmp_path):
    text = BASE.replace('subscales = ["total"]', "subscales = []")
    assert _refused(_write(tmp_path, text)) == "demo.toml: scores.0.items: no item lists this score in its subscales"


def test_a_totals_only_score_needs_a_range_and_the_totals_mode(tmp_path):
    extra = '\n[[scores]]\ncode = "paper"\nname = { nl = "P", en = "P" }\nitems = "none"\nmethod = "sum"\n'
    assert (
        _refused(_write(tmp_path, BASE + extra))
        == "demo.toml: scores.1.range: required for a score entered only as a total"
    )
    with_range = BASE + extra + "range = { min = 0, max = 10 }\n"
    no_totals = with_range.replace('entry_modes = ["items", "totals", "link"]', 'entry_modes = ["items"]')
    assert _refused(_write(tmp_path, no_totals)).startswith(
        "demo.toml: scores.1.items: a score without items can only be entered as a total"
    )
    assert set(load_all(_write(tmp_path, with_range))) == {"demo"}


# ---- the licence rule -------------------------------------------------------------------------------------------
LICENSED = BASE.replace('kind = "open"', 'kind = "licence_required"').replace(
    'entry_modes = ["items", "totals", "link"]', 'entry_modes = ["items", "totals"]'
)


def test_a_licence_required_instrument_may_not_ship_item_text(tmp_path):
    assert _refused(_write(tmp_path, LICENSED)) == (
        "demo.toml: items.0.text: must be absent: the licence does not allow shipping the item wording"
    )


def test_a_licence_required_instrument_cannot_be_filled_in_through_a_link(tmp_path):
    text = LICENSED.replace('entry_modes = ["items", "totals"]', 'entry_modes = ["items", "link"]')
    assert _refused(_write(tmp_path, text)).startswith("demo.toml: entry_modes: 'link' needs the item texts")


def test_labels_of_a_licence_required_instrument_need_a_published_source(tmp_path):
    no_text = LICENSED.replace(
        'text = { nl = "Vraag a", en = "Question a" }\n', 'label = { nl = "A", en = "A" }\n'
    ).replace('text = { nl = "Vraag b", en = "Question b" }\n', "")
    assert _refused(_write(tmp_path, no_text)).startswith(
        "demo.toml: items.0.label: labels of a licence_required instrument need licence.labels_source"
    )
    published = no_text.replace('holder = "Kring"', 'holder = "Kring"\nlabels_source = "https://example.org/names"')
    assert set(load_all(_write(tmp_path, published))) == {"demo"}
    scale_labels = no_text.replace('label = { nl = "A", en = "A" }\n', "").replace(
        "max = 4", 'max = 4\nlabels = [{ value = 1, label = { nl = "nooit", en = "never" } }]'
    )
    assert _refused(_write(tmp_path, scale_labels)).startswith(
        "demo.toml: response_scales.four.labels: labels of a licence_required"
    )


def test_shipped_licensed_files_refuse_item_text(tmp_path):
    text = (SHIPPED_DIR / "fes.toml").read_text(encoding="utf-8")
    old = 'code = "item_04"\nscale = "five_point"\n'
    assert old in text
    broken = text.replace(old, old + 'text = { nl = "Een zin", en = "A sentence" }\n')
    assert _refused(_write(tmp_path, broken, "fes.toml")) == (
        "fes.toml: items.3.text: must be absent: the licence does not allow shipping the item wording"
    )


def test_check_definitions_reports_every_broken_file(tmp_path):
    directory = _write(tmp_path, BASE.replace('version = "1.0"\n', ""))
    (directory / "other.toml").write_text(
        BASE.replace('code = "demo"', 'code = "other"').replace("max = 4", "max = 0"), encoding="utf-8"
    )
    (directory / "fine.toml").write_text(BASE.replace('code = "demo"', 'code = "fine"'), encoding="utf-8")
    assert check_definitions(directory) == [
        "demo.toml: version: required field is missing",
        "other.toml: response_scales.four.max: must be above min (1)",
    ]
