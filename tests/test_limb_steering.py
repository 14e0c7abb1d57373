"""Limb steering: a plan's kick and counted claps placed by two-bone IK, and kept by the refiner."""
import numpy as np
import pytest
import torch

from datasets_scripts.synthetic import ActionStep, ClipSpec, generate
from stickgen import control as C
from stickgen import features as F
from stickgen.eval.joint_measures import count_claps
from stickgen.limb_steering import CLAP_COLUMNS, KICK_COLUMNS, held_limb_features, steer_limbs, two_bone
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


def test_the_refiner_holds_the_legs_of_a_kick_and_the_arms_of_a_clap():
    control = np.full((30, C.CONTROL_DIM), np.nan)
    control[5:10, C.FOOT_RISE] = 0.6
    control[12:20, C.HANDS_GAP] = 0.2
    control[20:, C.WRIST_RISE] = 0.25  # a training signal only
    held = held_limb_features(control, np.ones(30, bool))
    assert held[5:10, KICK_COLUMNS].all() and not held[5:10, CLAP_COLUMNS].any()
    assert held[12:20, CLAP_COLUMNS].all() and not held[12:20, KICK_COLUMNS].any()
    assert not held[20:].any() and not held[:5].any()
    assert not held_limb_features(control[:, :5], np.ones(30, bool)).any()


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
