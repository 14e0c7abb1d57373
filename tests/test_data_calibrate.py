"""Calibration statistics on constructed motion with known answers, and the report."""
import numpy as np
import pytest

from datasets_scripts import calibrate
from stickgen import skeleton

FPS = 25
J = skeleton.JOINT_INDEX


def stepping(frames=101, cadence=120.0, speed=1.2) -> np.ndarray:
    """Rest pose gliding forward at ``speed`` while the ankles swap lead ``cadence`` times a minute."""
    t = np.arange(frames) / FPS
    joints = np.repeat(skeleton.rest_pose()[None], frames, axis=0)
    joints[..., 2] += speed * t[:, None]
    swing = 0.15 * np.sin(np.pi * cadence / 60.0 * t)  # one sign change per step
    for name, sign in (("left_ankle", 1), ("left_foot", 1), ("right_ankle", -1), ("right_foot", -1)):
        joints[:, J[name], 2] += sign * swing
    return joints


def test_cadence_speed_and_stride_of_a_known_gait():
    stats = calibrate.statistics(stepping())
    assert stats["speed"] == pytest.approx(1.2, rel=1e-6)
    assert stats["cadence"] == pytest.approx(120.0, rel=0.06)
    assert stats["stride"] == pytest.approx(2 * 1.2 * 60 / 120, rel=0.06)


def test_jump_height_and_airtime_of_a_ballistic_body():
    t = np.arange(40) / FPS
    lift = np.maximum(2.0 * t - 0.5 * 9.81 * t ** 2, 0.0)  # 0.41 s of flight, 0.204 m apex
    joints = np.repeat(skeleton.rest_pose()[None], 40, axis=0) + lift[:, None, None] * np.array([0, 1.0, 0])
    stats = calibrate.statistics(joints)
    assert stats["jump_height"] == pytest.approx(0.204, abs=0.01)
    assert stats["airtime"] == pytest.approx(0.41, abs=0.09)  # contact detection keeps a low foot down
    assert stats["hip_over_leg"] == pytest.approx(skeleton.rest_pose()[J["left_hip"], 1] / calibrate.leg_length(joints),
                                                  rel=0.05)


def test_real_statistics_refuse_held_out_clips(monkeypatch):
    monkeypatch.setitem(calibrate.ACTIONS, "walk", (("deepmimic_walker_turn_left0",), calibrate.GAIT, 5.0, {}))
    with pytest.raises(ValueError, match="held-out"):
        calibrate.real_clips()


def test_compare_and_markdown():
    real = {"walk": [{"speed": 1.0, "cadence": 100.0}]}
    synthetic = {"walk": [{"speed": 1.1, "cadence": 130.0}, {"speed": 1.3, "cadence": 130.0}]}
    for name in calibrate.GAIT:
        real["walk"][0].setdefault(name, 1.0)
        for s in synthetic["walk"]:
            s.setdefault(name, 1.0)
    rows = {r["statistic"]: r for r in calibrate.compare(real, synthetic)}
    assert rows["speed"]["relative_difference"] == pytest.approx(0.2) and not rows["speed"]["agrees"]
    assert rows["stride"]["agrees"] and rows["cadence"]["synthetic_clips"] == 2
    text = calibrate.to_markdown(list(rows.values()))
    assert "| walk | speed | 1.000 | 1.200 | +20.0% | **no** | 1/2 |" in text
