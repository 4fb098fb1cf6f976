"""Effect evaluation on Kring's own registration: the frame holds what was registered, the raw difference on a
binary outcome is the difference in shares counted by hand, the adjusted estimates come with p-values corrected
across outcomes, and an outcome the data cannot answer says why instead of failing the whole comparison."""

import datetime
import random

import pytest

from kring.evaluation import comparison
from kring.measures.models import OutcomeMeasurement, Registration
from kring.trajectories.models import Trajectory
from tests.factories import make_case

from .conftest import OFFERED, TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(small_world):
    """60 more trajectories (30 FNB, 30 regular care) with T0 and T1 outcomes drawn with a fixed seed."""
    rng = random.Random(7)
    counts = {"fnb": [0, 0], "regular_care": [0, 0]}  # out of home at T1: [yes, measured]
    for i in range(60):
        method = "fnb" if i % 2 else "regular_care"
        case = make_case(
            small_world.team, case_worker=small_world.worker, safety_concern=rng.choice(["some", "serious"])
        )
        t = Trajectory.objects.create(
            case=case,
            organisation=small_world.org,
            team=small_world.team,
            method_code=method,
            method_version="1.0",
            offered_on=OFFERED,
            offered_by=small_world.worker,
            status="plan_made",
            accepted_on=OFFERED,
            plan_made_on=OFFERED + datetime.timedelta(weeks=rng.randint(0, 12)),
        )
        Registration.objects.create(
            case=case,
            organisation=small_world.org,
            trajectory=t,
            children_ages=[rng.randint(2, 16)],
            informal_network_size=rng.randint(1, 12),
            high_conflict_divorce=rng.choice(["yes", "no"]),
            updated_by=small_world.worker,
        )
        for moment, weeks in (("t0", 0), ("t1", 13)):
            out = rng.random() < (0.25 if method == "fnb" else 0.4)
            placement = "in_network" if out else "at_home"
            OutcomeMeasurement.objects.create(
                case=case,
                organisation=small_world.org,
                trajectory=t,
                moment=moment,
                measured_on=OFFERED + datetime.timedelta(weeks=weeks),
                placement=placement,
                risk_level=rng.choice(["low", "medium", "high"]),
                recorded_by=small_world.worker,
            )
            if moment == "t1":
                counts[method][0] += out
                counts[method][1] += 1
    # The small world's own trajectories have no T0, so the analysis (adjusted for T0) leaves them out.
    return counts


def test_the_raw_difference_is_the_difference_in_shares_counted_by_hand(small_world, registered):
    result = comparison.compare([small_world.org.pk], method="fnb", today=TODAY)
    assert (result["n_treated"], result["n_control"]) == (35, 31)
    entry = next(e for e in result["outcomes"] if e["stem"] == "out_of_home")
    (k1, n1), (k0, n0) = registered["fnb"], registered["regular_care"]
    assert (entry["n_treated"], entry["n_control"]) == (n1, n0) == (30, 30)
    assert entry["n_rows_dropped"] == 6
    assert entry["raw"]["classical"]["estimate"] == pytest.approx(k1 / n1 - k0 / n0, abs=1e-9)
    assert entry["regression"]["risk_difference"]["p_adjusted"] >= entry["regression"]["risk_difference"]["p_value"]
    assert "t0_out_of_home" in entry["covariates"]
    assert entry["balance"], "the balance table is there"


def test_outcomes_without_data_say_why(small_world, registered):
    result = comparison.compare([small_world.org.pk], method="fnb", today=TODAY)
    satisfaction = next(e for e in result["outcomes"] if e["stem"] == "satisfaction")
    assert satisfaction["error"]["code"] == "not_registered"  # no satisfaction questionnaire was entered


def test_a_method_against_itself_is_refused(small_world):
    from kring.evaluation.core.errors import EvaluationInputError

    with pytest.raises(EvaluationInputError):
        comparison.compare([small_world.org.pk], method="fnb", comparison="fnb", today=TODAY)
