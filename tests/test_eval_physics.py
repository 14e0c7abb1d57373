"""Hand-made cases for the physics, artifact and realism measures (stickgen.eval.physics_metrics)."""
import numpy as np
import pytest
from test_eval_toy import toy_clip

from stickgen.eval import physics_metrics as pm
from stickgen.skeleton import JOINT_INDEX, rest_pose

FPS = 25


def _still(frames=50):
    return np.repeat(rest_pose()[None], frames, axis=0)


def test_planted_feet_do_not_skate_and_a_sliding_foot_is_measured():
    assert pm.foot_skating(_still(), FPS) == {"ratio": 0.0, "speed": 0.0}
    slide = _still()
    slide[:, :, 2] += np.arange(50)[:, None] / FPS * 1.0  # the whole body glides at 1 m/s, feet on the floor
    measured = pm.foot_skating(slide, FPS)
    assert measured["ratio"] == pytest.approx(1.0)
    assert measured["speed"] == pytest.approx(1.0)
    # only the left toe slides at 1 m/s, for the first 24 of 49 steps; the right toe stays planted
    half = _still()
    half[:25, JOINT_INDEX["left_foot"], 2] += np.arange(25) / FPS
    half[25:, JOINT_INDEX["left_foot"], 2] += 24 / FPS
    measured = pm.foot_skating(half, FPS)
    assert measured["ratio"] == pytest.approx(24 / 49)
    assert measured["speed"] == pytest.approx(24 / 98)


def test_walking_toy_has_no_skating_on_the_swing_foot_high_in_the_air():
    lifted = _still()
    lifted[:, JOINT_INDEX["left_foot"], 1] += 0.2
    lifted[:, JOINT_INDEX["left_foot"], 2] += np.arange(50) / FPS * 3.0
    assert pm.foot_skating(lifted, FPS)["ratio"] == 0.0


def test_penetration_and_floating_by_hand():
    clip = _still(10)
    assert pm.ground_penetration(clip) == 0.0 and pm.floating(clip) == 0.0
    sunk = clip - np.array([0, 0.1, 0])
    assert pm.ground_penetration(sunk) == pytest.approx(0.1)
    raised = clip + np.array([0, 0.25, 0])
    assert pm.floating(raised) == pytest.approx(0.25 - pm.FLOAT_TOLERANCE)


def test_jerk_of_a_cubic_trajectory_is_its_third_derivative():
    t = np.arange(40) / FPS
    clip = _still(40)
    clip[:, :, 0] += (2.0 * t ** 3)[:, None]  # x''' = 12 m/s^3
    assert pm.jerk(clip, FPS) == pytest.approx(12.0, rel=1e-6)
    assert pm.jerk(_still(), FPS) == 0.0


def test_bone_length_deviation_is_zero_for_rigid_and_measured_for_stretch():
    assert pm.bone_length_deviation(toy_clip("walk")) < 1e-9
    clip = _still(2)
    clip[1, JOINT_INDEX["left_wrist"], 1] -= 0.02  # one of 21 bones 2 cm longer in one of two frames
    assert pm.bone_length_deviation(clip) == pytest.approx(0.02 / 2 / 21, rel=0.01)


def test_a_frozen_clip_is_frozen_and_a_moving_one_is_not():
    assert pm.freeze_ratio(_still(), FPS) == 1.0
    assert pm.freeze_ratio(toy_clip("walk"), FPS) == 0.0


def test_jitter_separates_noise_from_smooth_motion():
    smooth = toy_clip("wave", frames=100)
    noisy = smooth + np.random.default_rng(0).normal(scale=0.01, size=smooth.shape)
    assert pm.jitter(smooth, FPS) < 0.1
    assert pm.jitter(noisy, FPS) > 0.5
    assert pm.smoothness(smooth, FPS) > 0.95 > pm.smoothness(noisy, FPS)


def test_explosion_flags_scattered_or_non_finite_joints():
    assert pm.explosion_ratio(toy_clip("jump"), FPS) == 0.0
    clip = _still(10)
    clip[5:, JOINT_INDEX["head"]] += 3.0  # the head flies 5 m away from frame 5 on
    assert pm.explosion_ratio(clip, FPS) == pytest.approx(0.5)
    clip = _still(4)
    clip[1, 3, 0] = np.nan
    assert pm.explosion_ratio(clip, FPS) == pytest.approx(0.25)


def test_repetition_of_a_looped_clip_versus_a_one_off_motion():
    t = np.arange(150) / FPS
    loop = _still(150)
    loop[:, JOINT_INDEX["right_wrist"], 1] += 0.3 * np.sin(2 * np.pi * 0.5 * t)  # exactly periodic, 2 s
    one_off = _still(150)
    one_off[:, JOINT_INDEX["right_wrist"], 1] += 0.5 * t / t[-1]  # a slow raise, never the same pose twice
    assert pm.repetition(loop, FPS) > 0.4
    assert pm.repetition(one_off, FPS) == 0.0


def test_speed_and_cadence_of_a_toy_walk():
    walk = toy_clip("walk", frames=150, seed=3)
    assert pm.mean_speed(walk, FPS) == pytest.approx((walk[-1, 0, 2] - walk[0, 0, 2]) / (149 / FPS), rel=1e-6)
    # the toy swings its legs at f Hz: two steps (two swaps of the leading foot) per cycle
    assert 70 < pm.cadence(walk, FPS) < 170
    assert pm.cadence(_still(), FPS) == 0.0


def test_body_height_and_clip_measures():
    assert pm.body_height(np.repeat(rest_pose(1.5)[None], 3, axis=0)) == pytest.approx(1.5)
    measures = pm.clip_measures(toy_clip("walk"), FPS)
    assert set(measures) >= {"foot_skating_ratio", "penetration", "jerk", "bone_length_deviation", "freeze"}
    assert all(np.isfinite(v) for v in measures.values())


def test_bad_shapes_raise():
    with pytest.raises(ValueError, match=r"\[T, 22, 3\]"):
        pm.jerk(np.zeros((10, 21, 3)), FPS)
