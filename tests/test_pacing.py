"""Pacing: plans' pelvis speeds scaled to the story's targets; targets read from the story and the data."""
import numpy as np
import pytest

from stickgen import vocab
from stickgen.conditioning import ActorPlan
from stickgen.features import FEATURE_DIM, ROOT_VELOCITY, FeatureStats
from stickgen.pacing import MAX_FACTOR, pace, pace_normalized, stretch_speeds, stretches
from stickgen.story import plan_from_prompt
from stickgen.story.lexicon import ACTION_SPEED, MANNER

NAN = np.nan


def features_moving(velocities):
    """``[1, T, 137]`` features whose root velocity is ``velocities [T, 2]`` and other channels 0.5."""
    out = np.full((1, len(velocities), FEATURE_DIM), 0.5)
    out[0, :, ROOT_VELOCITY] = velocities
    return out


def ground_speed(features, start, end):
    return np.linalg.norm(features[0, start:end, ROOT_VELOCITY], axis=-1).mean()


def test_stretches_are_runs_of_one_finite_target():
    assert stretches(np.array([NAN, 1.0, 1.0, 2.0, 2.0, NAN, 1.0])) == [(1, 3), (3, 5), (6, 7)]
    assert stretches(np.array([NAN, NAN])) == []


def test_pace_scales_each_stretch_to_its_target_and_nothing_else():
    velocities = np.tile([0.3, 0.4], (10, 1))  # 0.5 m/s, slightly sideways
    velocities[::2] *= 1.2  # a stride rhythm the scaling keeps
    features = features_moving(velocities)
    target = np.array([[NAN, NAN, 1.0, 1.0, 1.0, 1.5, 1.5, 1.5, NAN, NAN]])
    paced, held = pace(features, target, np.ones_like(target, bool))
    assert held.tolist() == [[False, False, True, True, True, True, True, True, False, False]]
    assert ground_speed(paced, 2, 5) == pytest.approx(1.0) and ground_speed(paced, 5, 8) == pytest.approx(1.5)
    ratio = paced[0, 2:5, ROOT_VELOCITY] / features[0, 2:5, ROOT_VELOCITY]
    assert np.allclose(ratio, ratio[0, 0])  # one factor per stretch: direction and rhythm kept
    untouched = np.ones(paced.shape, bool)
    untouched[0, 2:8, ROOT_VELOCITY] = False
    assert np.array_equal(paced[untouched], features[untouched])
    assert np.array_equal(features[0, :, ROOT_VELOCITY], velocities)  # the input is not changed


def test_known_frames_are_neither_measured_nor_changed():
    velocities = np.tile([0.0, 0.5], (6, 1))
    velocities[:2] = [0.0, 3.0]  # fast known frames must not count in the plan's speed
    features = features_moving(velocities)
    free = np.array([[False, False, True, True, True, True]])
    paced, held = pace(features, np.full((1, 6), 1.0), free)
    assert held.tolist() == [[False, False, True, True, True, True]]
    assert np.array_equal(paced[0, :2], features[0, :2])
    assert ground_speed(paced, 2, 6) == pytest.approx(1.0)


def test_a_plan_that_stands_still_is_left_free_and_the_factor_is_bounded():
    still = features_moving(np.zeros((5, 2)))
    paced, held = pace(still, np.full((1, 5), 1.2), np.ones((1, 5), bool))
    assert not held.any() and np.array_equal(paced, still)
    slow = features_moving(np.tile([0.0, 0.2], (5, 1)))
    paced, held = pace(slow, np.full((1, 5), 5.0), np.ones((1, 5), bool))
    assert held.all() and ground_speed(paced, 0, 5) == pytest.approx(0.2 * MAX_FACTOR)


def test_pace_normalized_changes_only_the_held_root_velocity():
    rng = np.random.default_rng(0)
    stats = FeatureStats(rng.normal(size=FEATURE_DIM), rng.uniform(0.5, 2.0, FEATURE_DIM))
    features = features_moving(np.tile([0.1, 0.6], (8, 1)))
    pose = stats.normalize(features).astype(np.float32)
    target = np.array([[NAN, 1.5, 1.5, 1.5, 1.5, NAN, NAN, NAN]])
    paced, held = pace_normalized(pose, stats, target, np.ones((1, 8), bool))
    assert paced.dtype == np.float32 and held[0].tolist() == [False] + [True] * 4 + [False] * 3
    changed = paced != pose
    assert changed[0, 1:5, ROOT_VELOCITY].all() and changed.sum() == 8
    assert ground_speed(stats.denormalize(paced.astype(np.float64)), 1, 5) == pytest.approx(1.5, rel=1e-5)


def test_stretch_speeds_reproduce_a_clip_own_speeds():
    walk, run, wave = (vocab.action_id(a) for a in ("walk", "run", "wave"))
    velocities = np.concatenate([np.tile([0.0, 1.0], (4, 1)), np.tile([0.0, 3.0], (3, 1)), np.tile([0.2, 0.0], (3, 1))])
    velocities[1] = [0.0, 1.4]
    truth = features_moving(velocities)
    ids = np.array([[walk] * 4 + [run] * 3 + [wave] * 3])
    valid = np.ones((1, 10), bool)
    valid[0, 6] = False  # a padded frame is in no stretch
    speeds = stretch_speeds(truth, ids, valid)
    assert speeds[0, :4] == pytest.approx([1.1] * 4) and speeds[0, 4:6] == pytest.approx([3.0, 3.0])
    assert np.isnan(speeds[0, 6:]).all()  # the padded frame and the wave (no locomotion)
    plan = features_moving(np.tile([0.0, 1.2], (10, 1)))
    paced, _ = pace(plan, speeds, valid)
    assert ground_speed(paced, 0, 4) == pytest.approx(1.1) and ground_speed(paced, 4, 6) == pytest.approx(3.0)


def test_actor_plan_checks_its_target_speed():
    ids = np.zeros(5, np.int64)
    with pytest.raises(ValueError, match=r"target_speed: expected shape \[5\]"):
        ActorPlan(id="a0", text="x", action_ids=ids, target_speed=np.ones(4))
    with pytest.raises(ValueError, match="must be >= 0"):
        ActorPlan(id="a0", text="x", action_ids=ids, target_speed=np.array([NAN, -1.0, NAN, NAN, NAN]))


def test_the_story_sets_target_speeds_on_locomotion_frames():
    actor = plan_from_prompt("A man walks slowly forward, then waves.", duration=10.0, matcher=None).actors[0]
    walking = actor.action_ids == vocab.action_id("walk")
    assert walking.any() and not walking.all()
    assert actor.target_speed[walking] == pytest.approx(ACTION_SPEED["walk"] * MANNER["slowly"][0])
    assert np.isnan(actor.target_speed[~walking]).all()
    given = plan_from_prompt("a man walks 5 meters forward for 3 seconds, then sits", duration=10.0,
                             matcher=None).actors[0]
    assert np.nanmax(given.target_speed) == pytest.approx(5.0 / 3.0)
    assert plan_from_prompt("a man walks in place", duration=4.0, matcher=None).actors[0].target_speed is None
    assert plan_from_prompt("a woman waves", duration=4.0, matcher=None).actors[0].target_speed is None
