"""Limb steering: a plan's kick, claps, wave and punches placed by two-bone IK, and kept by the refiner."""
import numpy as np
import pytest
import torch

from datasets_scripts.synthetic import ActionStep, ClipSpec, generate
from stickgen import control as C
from stickgen import features as F
from stickgen.arm_steering import WAVE_HZ
from stickgen.eval.joint_measures import count_claps, hand_up_shares
from stickgen.ik import ease_weight, two_bone
from stickgen.limb_steering import ARM_COLUMNS, KICK_COLUMNS, held_limb_features, steer_limbs
from stickgen.pipeline import StickGenPipeline
from stickgen.skeleton import JOINT_INDEX as J
from stickgen.skeleton import bone_lengths
from stickgen.story import plan_from_prompt
from stickgen.text import TextEncoder

FPS = 25


@pytest.fixture(scope="module")
def standing():
    """A 3 s idle clip as features ``[75, 137]`` and its joints."""
    joints = generate(ClipSpec([ActionStep("idle", 3.0, {})], seed=3)).joints
    return F.encode(joints, FPS), joints


def test_two_bone_reaches_the_target_with_the_given_lengths():
    root, mid, end = np.array([[0.0, 1.0, 0.0]]), np.array([[0.0, 0.6, 0.05]]), np.array([[0.0, 0.2, 0.0]])
    target = np.array([[0.0, 0.7, 0.6]])
    new_mid, new_end = two_bone(root, mid, end, target, (0.4, 0.4))
    np.testing.assert_allclose(new_end, target, atol=1e-9)
    assert np.linalg.norm(new_mid - root) == pytest.approx(0.4)
    assert np.linalg.norm(new_end - new_mid) == pytest.approx(0.4)
    far = two_bone(root, mid, end, np.array([[0.0, 1.0, 5.0]]), (0.4, 0.4))[1]  # out of reach: as far as it goes
    assert np.linalg.norm(far - root) == pytest.approx(0.8, abs=1e-5)


def test_steered_limbs_meet_the_controls_with_rigid_bones_and_consistent_velocities(standing):
    features, joints = standing
    control = np.full((len(features), C.CONTROL_DIM), np.nan)
    control[10:40, C.FOOT_RISE] = 0.7
    control[40:60, C.HANDS_GAP] = 0.05
    control[60:, C.HANDS_GAP] = 0.5  # apart: the wrists only kept 0.4 m apart
    steered = steer_limbs(features, control, FPS, np.ones(len(features), bool))
    moved = F.decode(steered, FPS)
    measured = C.limb_measures(moved)
    np.testing.assert_allclose(measured[15:35, 0], 0.7, atol=0.01)
    np.testing.assert_allclose(measured[43:57, 1], 0.05, atol=0.01)
    assert measured[62:, 1].min() >= 0.4 - 0.01
    lengths = bone_lengths(moved)
    np.testing.assert_allclose(lengths, np.broadcast_to(lengths[:1], lengths.shape), atol=1e-6)  # rigid
    np.testing.assert_allclose(F.encode(moved, FPS)[1:, F.LOCAL_VELOCITIES], steered[1:, F.LOCAL_VELOCITIES], atol=1e-6)
    kicked = "left" if moved[25, J["left_ankle"], 1] > moved[25, J["right_ankle"], 1] else "right"
    assert moved[25, J[f"{kicked}_ankle"], 2] > moved[25, J[f"{kicked}_hip"], 2]  # swung forward, not back
    assert not np.any(steered[15:35, F.CONTACTS][:, [0, 1]].all(axis=1))  # the kicking foot is not planted


def test_nothing_moves_without_limb_controls_or_for_a_five_channel_planner(standing):
    features, _ = standing
    free = np.full((len(features), C.CONTROL_DIM), np.nan)
    np.testing.assert_array_equal(steer_limbs(features, free, FPS, np.ones(len(features), bool)), features)
    asked = free.copy()
    asked[:, C.FOOT_RISE] = 0.7
    np.testing.assert_array_equal(steer_limbs(features, asked[:, :5], FPS, np.ones(len(features), bool)), features)
    np.testing.assert_array_equal(steer_limbs(features, asked, FPS, np.zeros(len(features), bool)), features)


def _waving(features: np.ndarray, hand: float, rise: float, frames: slice = slice(None),
            first_frame: int = 0) -> np.ndarray:
    """Joints ``[T, 22, 3]`` of ``features`` steered to wave ``hand`` (1 left, -1 right, 0 both) over ``frames``."""
    control = np.full((len(features), C.CONTROL_DIM), np.nan)
    control[frames, C.HAND], control[frames, C.WRIST_RISE] = hand, rise
    return F.decode(steer_limbs(features, control, FPS, np.ones(len(features), bool), first_frame), FPS)


def _swing(joints: np.ndarray, side: str) -> np.ndarray:
    """``[T]`` the wrist's sideways offset from its elbow (m; the body faces +z, its left is +x)."""
    return joints[:, J[f"{side}_wrist"], 0] - joints[:, J[f"{side}_elbow"], 0]


@pytest.mark.parametrize("hand, side", [(1.0, "left"), (-1.0, "right")])
def test_a_wave_raises_the_named_hand_swings_it_and_keeps_the_other_down(standing, hand, side):
    features, _ = standing
    other = "right" if side == "left" else "left"
    moved = _waving(features, hand, 0.2)
    rise = moved[:, J[f"{side}_wrist"], 1] - moved[:, J[f"{side}_shoulder"], 1]
    np.testing.assert_allclose(rise.mean(), 0.2, atol=0.03)
    assert hand_up_shares(moved)[side] == 1.0 and hand_up_shares(moved)[other] == 0.0
    assert (moved[:, J[f"{other}_shoulder"], 1] - moved[:, J[f"{other}_wrist"], 1]).min() > 0.35
    swing = _swing(moved, side)
    spectrum = np.abs(np.fft.rfft(swing - swing.mean()))
    assert np.fft.rfftfreq(len(swing), 1 / FPS)[np.argmax(spectrum)] == pytest.approx(WAVE_HZ, abs=0.35)
    assert 0.1 < np.ptp(swing) < 0.25  # the data's waves: 0.10-0.23 m side to side
    forearm = moved[:, J[f"{side}_wrist"]] - moved[:, J[f"{side}_elbow"]]
    assert np.degrees(np.arccos(forearm[:, 1] / np.linalg.norm(forearm, axis=-1))).max() < 35  # near vertical
    lengths = bone_lengths(moved)
    np.testing.assert_allclose(lengths, np.broadcast_to(lengths[:1], lengths.shape), atol=1e-6)


def test_a_plans_shrunken_forearm_is_drawn_full_length(standing):
    """The planner averages a waving forearm toward its mean (0.09 m long): the raised arm gets the body's."""
    _, joints = standing
    shrunk = joints.copy()
    shrunk[:, J["right_wrist"]] = joints[:, J["right_elbow"]] + 0.35 * (joints[:, J["right_wrist"]]
                                                                         - joints[:, J["right_elbow"]])
    moved = _waving(F.encode(shrunk, FPS), -1.0, 0.2)
    forearm = np.linalg.norm(moved[:, J["right_wrist"]] - moved[:, J["right_elbow"]], axis=-1)
    full = np.median(np.linalg.norm(joints[:, J["right_wrist"]] - joints[:, J["right_elbow"]], axis=-1))
    np.testing.assert_allclose(forearm, full, rtol=0.05)


def test_a_raised_hand_is_held_high_and_still_and_both_hands_wave_together(standing):
    features, _ = standing
    held = _waving(features, -1.0, 0.45)
    assert (held[:, J["right_wrist"], 1] - held[:, J["right_shoulder"], 1]).min() > 0.4
    assert np.ptp(_swing(held, "right")) < 0.02
    both = _waving(features, 0.0, 0.2)
    assert hand_up_shares(both) == {"left": 1.0, "right": 1.0}


def test_a_wave_eases_in_and_out_inside_a_window_and_keeps_the_clips_clock_across_windows(standing):
    features, _ = standing
    weight = ease_weight(np.r_[np.zeros(20), np.ones(35), np.zeros(20)] > 0, FPS)
    assert weight[:20].max() == 0 and weight[20] < 0.2 and weight[33:42].min() == 1 and weight[54] < 0.2
    np.testing.assert_array_equal(ease_weight(np.ones(10, bool), FPS), np.ones(10))  # runs on past both edges
    moved = _waving(features, 1.0, 0.2, slice(20, 55))
    step = np.linalg.norm(np.diff(moved[:, J["left_wrist"]], axis=0), axis=-1)
    assert step.max() < 0.12  # no jump where the arm goes up or comes down: at most 3 m/s, a brisk raise
    later = _waving(features, 1.0, 0.2, first_frame=25)
    np.testing.assert_allclose(_swing(later, "left")[:50], _swing(_waving(features, 1.0, 0.2), "left")[25:], atol=0.02)


def test_a_punch_drives_the_named_fist_out_fast_and_the_other_keeps_guard(standing):
    features, _ = standing
    t = np.arange(len(features)) / FPS
    reach = C.GUARD_REACH + 0.43 * np.exp(-((t - 1.5) / 0.08) ** 2)  # one punch at 1.5 s
    control = np.full((len(features), C.CONTROL_DIM), np.nan)
    control[:, C.WRIST_REACH] = -reach  # the right fist
    moved = F.decode(steer_limbs(features, control, FPS, np.ones(len(features), bool)), FPS)
    ahead = {side: moved[:, J[f"{side}_wrist"], 2] - moved[:, J[f"{side}_shoulder"], 2] for side in ("left", "right")}
    assert ahead["right"].max() > 0.4 and ahead["left"].max() < 0.15
    assert np.abs(ahead["left"] - (C.GUARD_REACH + 0.03)).max() < 0.02  # a guard, all along
    assert (np.diff(ahead["right"]) * FPS).max() > 2.8  # fast: the data's punches
    level = moved[37, J["right_wrist"], 1] - moved[37, J["right_shoulder"], 1]
    assert -0.2 < level < 0.0
    lengths = bone_lengths(moved)
    np.testing.assert_allclose(lengths, np.broadcast_to(lengths[:1], lengths.shape), atol=1e-6)


def test_a_kneel_puts_one_knee_on_the_floor_with_rigid_legs_and_the_other_foot_kept(standing):
    features, joints = standing
    control = np.full((len(features), C.CONTROL_DIM), np.nan)
    control[30:, C.KNEE_HEIGHT] = 0.05
    steered = steer_limbs(features, control, FPS, np.ones(len(features), bool))
    moved = F.decode(steered, FPS)
    floor = joints[..., 1].min()
    knees = moved[:, [J["left_knee"], J["right_knee"]], 1].min(axis=1) - floor
    assert knees[:25].min() > 0.35 and np.abs(knees[45:] - 0.05).max() < 0.02  # standing, then on a knee
    assert moved[45:, 0, 1].mean() < joints[45:, 0, 1].mean() - 0.3  # the body came down
    lengths = bone_lengths(moved[45:])
    np.testing.assert_allclose(lengths, np.broadcast_to(lengths[:1], lengths.shape), atol=1e-6)
    kneeling = "left" if moved[60, J["left_knee"], 1] < moved[60, J["right_knee"], 1] else "right"
    other = "right" if kneeling == "left" else "left"
    np.testing.assert_allclose(moved[45:, J[f"{other}_ankle"]], joints[45:, J[f"{other}_ankle"]], atol=0.03)
    np.testing.assert_allclose(steered[:, F.ROOT_HEIGHT][:, 0], moved[:, 0, 1], atol=1e-9)


def test_the_refiner_holds_the_legs_of_a_kick_and_the_arms_of_a_clap_or_wave():
    control = np.full((40, C.CONTROL_DIM), np.nan)
    control[5:10, C.FOOT_RISE] = 0.6
    control[12:20, C.HANDS_GAP] = 0.2
    control[20:25, C.WRIST_RISE] = 0.25
    control[25:30, C.WRIST_REACH] = 0.3
    held = held_limb_features(control, np.ones(40, bool))
    assert held[5:10, KICK_COLUMNS].all() and not held[5:10, ARM_COLUMNS].any()
    assert held[12:30, ARM_COLUMNS].all() and not held[12:30, KICK_COLUMNS].any()
    assert not held[30:].any() and not held[:5].any()
    assert not held_limb_features(control[:, :5], np.ones(40, bool)).any()
    assert not held_limb_features(control, np.zeros(40, bool)).any()
    control[30:, C.KNEE_HEIGHT] = 0.05  # a kneel: the legs and the pelvis height
    held = held_limb_features(control, np.ones(40, bool))
    assert held[30:, KICK_COLUMNS].all() and held[30:, F.ROOT_HEIGHT].all() and not held[30:, ARM_COLUMNS].any()


def test_a_pipeline_claps_the_counted_times_and_its_refiner_keeps_the_kick():
    """Even a random tiny model: the plan's limbs are steered and the refiner keeps them."""
    pipe = StickGenPipeline.from_preset("small", TextEncoder(), seed=0, planner_overrides=dict(
        d_model=32, num_layers=1, num_heads=2, ffn_dim=64, max_frames=100, window_overlap=20, control_dim=5),
        refiner_overrides=dict(d_model=32, num_layers=1, num_heads=2, ffn_dim=64))
    pipe.set_progress_bar_config(disable=True)

    def sampled(prompt, seconds, **settings):
        plan = plan_from_prompt(prompt, duration=seconds)
        return pipe.sample_clips([plan], torch.Generator().manual_seed(0), pipe.resolve_sampling(**settings))[0][0][0]

    assert count_claps(sampled("A person claps three times.", 6.0)) == 3
    assert count_claps(sampled("He clapped his hands twice.", 6.0)) == 2
    planned = C.limb_measures(sampled("A kid kicks high.", 4.0, num_inference_steps=0))[:, 0].max()
    assert planned > 0.2 and C.limb_measures(sampled("A kid kicks high.", 4.0))[:, 0].max() == pytest.approx(
        planned, abs=0.03)
