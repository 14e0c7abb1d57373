"""benchmarks/bench_actions.py: the per-action plans it judges and how it tallies the evaluator's labels."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from stickgen import vocab
from stickgen.staging import contact_distance

SPEC = importlib.util.spec_from_file_location(
    "bench_actions", Path(__file__).resolve().parents[1] / "benchmarks" / "bench_actions.py")
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)


def test_every_action_gets_one_plan_and_interactions_get_a_facing_partner():
    plans = bench.action_plans(duration=2.0)
    assert len(plans) == len(vocab.ACTIONS)
    for action, plan in zip(vocab.ACTIONS, plans):
        assert plan.num_frames == 50
        assert all(set(actor.action_ids.tolist()) == {vocab.action_id(action.name)} for actor in plan.actors)
        assert plan.actors[0].text == f"a person {action.description}"
        if action.actors == 1:
            assert len(plan.actors) == 1 and plan.actors[0].partner is None
            continue
        first, second = plan.actors
        assert (first.partner, second.partner) == (1, 0)
        gap = np.subtract(second.start_position, first.start_position)
        assert np.linalg.norm(gap) == pytest.approx(contact_distance(action.name))
        # heading 0 faces +z and positive turns toward +x: each faces the other
        for actor, toward in ((first, gap), (second, -gap)):
            heading = [np.sin(actor.facing), np.cos(actor.facing)]
            assert np.dot(heading, toward / np.linalg.norm(toward)) == pytest.approx(1.0)
    assert sum(len(plan.actors) == 2 for plan in plans) == sum(a.actors == 2 for a in vocab.ACTIONS) == 4


def test_tally_shares_and_misreads():
    names = vocab.ACTION_NAMES
    seed0 = list(names)
    seed1 = list(names)
    seed1[vocab.action_id("run")] = "sprint"
    shares, misread = bench.tally([seed0, seed1])
    assert shares["run"] == 0.5 and misread["run"] == ["sprint"]
    assert shares["walk"] == 1.0 and misread["walk"] == []
