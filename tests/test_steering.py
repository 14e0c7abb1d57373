"""Steering a plan onto its controls: root averages replaced (ripple kept), jump apexes scaled."""
import numpy as np
import pytest

from datasets_scripts.synthetic import ActionStep, ClipSpec, generate
from stickgen import control
from stickgen.features import ROOT_VELOCITY, decode, encode
from stickgen.steering import MAX_LIFT, lift_jumps, steer_root

FPS = 25


def _features(action: str, seconds: float, **params) -> np.ndarray:
    clip = generate(ClipSpec([ActionStep(action, seconds, params)], seed=5))
    return encode(clip.joints, FPS, clip.contacts)


def test_a_forward_walk_steered_backwards_and_turning_measures_what_was_asked():
    features = _features("walk", 6.0, speed=1.2, path="straight", start=False, stop=False)
    wanted = np.full((len(features), control.CONTROL_DIM), np.nan)
    wanted[:, control.FORWARD], wanted[:, control.SIDEWAYS], wanted[:, control.HEADING_RATE] = -0.7, 0.0, 0.3
    free = np.ones(len(features), bool)
    free[:10] = False  # the overlap with a window before: kept as it is
    steered = steer_root(features, wanted, FPS, free)
    np.testing.assert_array_equal(steered[:10], features[:10])
    measured = control.measure(decode(steered, FPS), FPS)[FPS:-FPS]
    assert np.median(measured[:, control.FORWARD]) == pytest.approx(-0.7, abs=0.05)
    assert np.median(measured[:, control.HEADING_RATE]) == pytest.approx(0.3, abs=0.03)
    ripple = lambda f: np.std(f[FPS:-FPS, ROOT_VELOCITY.start + 1])  # noqa: E731  the gait's surge
    assert ripple(steered) == pytest.approx(ripple(features), rel=0.3)


def test_frames_without_every_root_channel_are_left_alone():
    features = _features("walk", 3.0, speed=1.2, path="straight")
    wanted = np.full((len(features), control.CONTROL_DIM), np.nan)
    wanted[:, control.FORWARD] = -1.0  # sideways and heading free: not a root the plan fixes
    np.testing.assert_array_equal(steer_root(features, wanted, FPS, np.ones(len(features), bool)), features)


@pytest.mark.parametrize("asked", [0.25, 0.45])
def test_a_jump_is_lifted_or_lowered_to_the_asked_apex(asked):
    features = _features("jump", 2.5, count=1, jump_height=0.3, distance=0.0)
    before = control.measure(decode(features, FPS), FPS)[:, control.PELVIS_RISE]
    wanted = np.full((len(features), control.CONTROL_DIM), np.nan)
    wanted[int(np.argmax(before)), control.PELVIS_RISE] = asked
    lifted = lift_jumps(features, wanted, FPS, np.ones(len(features), bool))
    after = control.measure(decode(lifted, FPS), FPS)[:, control.PELVIS_RISE]
    assert after.max() == pytest.approx(asked, abs=0.03)
    assert after.min() == pytest.approx(before.min(), abs=0.01)  # the crouch stays as it was


def test_lifting_is_bounded_and_needs_a_stretch():
    features = _features("jump", 2.5, count=1, jump_height=0.3, distance=0.0)
    wanted = np.full((len(features), control.CONTROL_DIM), np.nan)
    wanted[30, control.PELVIS_RISE] = 5.0
    reached = control.measure(decode(features, FPS), FPS)[:, control.PELVIS_RISE].max()
    lifted = control.measure(decode(lift_jumps(features, wanted, FPS, np.ones(len(features), bool)), FPS), FPS)
    assert lifted[:, control.PELVIS_RISE].max() == pytest.approx(MAX_LIFT * reached, abs=0.05)
    np.testing.assert_array_equal(lift_jumps(features, wanted, FPS, np.zeros(len(features), bool)), features)
