"""What-if changes on a network, checked on the tables they produce."""

from __future__ import annotations

import pytest

from workbench.clinker import read_network, scenarios


def test_a_penalty_change_overrides_per_row_penalties_in_the_data(tiny, tiny_folder):
    for i, row in enumerate(tiny["demand_forecast"]):
        row["unmet_penalty_inr_per_t"] = 5_000 + i  # the data's own penalties, all different
    network = read_network(tiny_folder(tiny))
    changed = scenarios.apply(network, [scenarios.penalty(20_000)])
    assert changed.settings.unmet_penalty_inr_per_t == 20_000
    assert (changed.demand["unmet_penalty_inr_per_t"] == 20_000).all()
    # the input network is left as it was
    assert network.demand["unmet_penalty_inr_per_t"].tolist() == [5_000 + i for i in range(6)]


def test_a_demand_multiplier_limited_to_a_region_and_period(tiny, tiny_folder):
    network = read_network(tiny_folder(tiny))
    changed = scenarios.apply(network, [scenarios.demand_multiplier(2.0, region="North",
                                                                    periods=[2])])
    before = network.demand.set_index(["node_id", "period"])["demand_t"]
    after = changed.demand.set_index(["node_id", "period"])["demand_t"]
    doubled = {k for k in before.index if after[k] == 2 * before[k] and before[k] > 0}
    assert doubled == {("GU_X", 2), ("IU_A", 2)}  # North's demand in period 2, nothing else
    assert ((after == before) | after.index.isin(list(doubled))).all()


@pytest.mark.parametrize("make, says", [
    (lambda: scenarios.capacity("IU_A", -1), "the factor must be zero or more"),
    (lambda: scenarios.demand_multiplier(-0.5), "must be zero or more"),
    (lambda: scenarios.penalty(-1), "must be zero or more"),
])
def test_negative_factors_are_refused_with_their_own_message(make, says):
    with pytest.raises(scenarios.ChangeError, match=says):
        make()


def test_a_version_shows_what_it_inherits_and_which_penalty_applies():
    changes = [scenarios.demand_multiplier(1.3), scenarios.penalty(15_000),
               scenarios.capacity("IU_A", 0.5), scenarios.penalty(20_000)]
    split = scenarios.describe_version(changes, inherited=2)
    assert split["inherits"] == ["demand × 1.3 (all nodes)",
                                 "unmet-demand penalty ₹15,000 per t (replaced by a later "
                                 "penalty)"]
    assert split["adds"] == ["capacity at IU_A × 0.5", "unmet-demand penalty ₹20,000 per t"]
