"""The share of the agreements kept counts "partly" as half (kring.plans.core.Keeping), so a published share would
tell a hidden count of partly kept agreements: a reader who gets small cells suppressed sees the share only beside
that count. The suppression of the agreements' counts is run on rows made here, so each case is exact."""

from kring.evaluation import indicators, queries
from kring.plans import core as plans_core


def row(key, kept, partly, not_kept):
    keeping = plans_core.Keeping(kept, partly, not_kept)
    agreements = {
        "judged": keeping.judged,
        "kept": kept,
        "partly": partly,
        "not_kept": not_kept,
        "kept_rate": indicators.kept_rate(keeping),
    }
    return indicators.GroupIndicators(key, 0, 0, 0, 0, 0, {}, {}, agreements=agreements)


def published(kept, partly, not_kept):
    rows = {"all": [row("all", kept, partly, not_kept)]}
    queries._protect_agreements(rows)
    return rows["all"][0].agreements


def test_the_share_is_hidden_with_a_hidden_partly():
    shown = published(kept=9, partly=2, not_kept=7)
    assert shown["kept"] == 9 and shown["judged"] == 18
    assert shown["partly"] is None  # 2: suppressed (and not_kept with it, or it would tell)
    # The old share, kept of judged, told nothing new; half a partly in it would tell the hidden 2.
    assert shown["kept_rate"] is None


def test_the_share_is_published_beside_its_counts():
    shown = published(kept=6, partly=8, not_kept=7)
    assert (shown["kept"], shown["partly"], shown["not_kept"], shown["judged"]) == (6, 8, 7, 21)
    assert shown["kept_rate"]["estimate"] == plans_core.Keeping(6, 8, 7).share == 10 / 21
