"""Steering a plan onto its controls: root averages replaced (ripple kept), a jump's pelvis rise set."""
import numpy as np
import pytest

from datasets_scripts.synthetic import ActionStep, ClipSpec, generate
from stickgen import control
from stickgen.features import CONTACTS, ROOT_VELOCITY, decode, encode
from stickgen.steering import lift_jumps, steer_root

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


def test_a_jump_stretch_takes_the_asked_pelvis_rise_and_lifts_its_feet_in_flight():
    features = _features("jump", 2.5, count=1, jump_height=0.3, distance=0.0)
    before = control.measure(decode(features, FPS), FPS)[:, control.PELVIS_RISE]
    wanted = np.full((len(features), control.CONTROL_DIM), np.nan)
    apex = int(np.argmax(before))
    wanted[apex - 3:apex + 4, control.PELVIS_RISE] = 0.45  # a higher flight ...
    wanted[:5, control.PELVIS_RISE] = 0.0  # ... from standing; the frames between stay the plan's
    lifted = lift_jumps(features, wanted, FPS, np.ones(len(features), bool))
    after = control.measure(decode(lifted, FPS), FPS)[:, control.PELVIS_RISE]
    assert after[apex] == pytest.approx(0.45, abs=0.03) and np.abs(after[1:4]).max() < 0.03
    np.testing.assert_array_equal(lifted[6:apex - 5], features[6:apex - 5])
    assert not lifted[apex, CONTACTS].any()  # no foot planted at the apex
    np.testing.assert_array_equal(lift_jumps(features, wanted, FPS, np.zeros(len(features), bool)), features)
