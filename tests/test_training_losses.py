"""Training losses: the torch decode matches the numpy one, each physics term measures what it says."""
import numpy as np
import pytest
import torch

from stickgen import features
from stickgen.models import StickGenPlannerOutput
from stickgen.skeleton import rest_pose, rotate_y
from training import losses
from training.toy_data import toy_clip

FPS = 25


def _walk(frames=30, speed=1.2, turn=0.4):
    t = np.arange(frames) / FPS
    joints = np.repeat(rest_pose()[None], frames, axis=0)
    joints[..., 2] += speed * t[:, None]
    return rotate_y(joints, turn * t[:, None])


def test_decode_matches_numpy_decode():
    clip = toy_clip("walk", 40, np.random.default_rng(1))
    feats = features.encode(clip, FPS)
    feats[0, 1:4] += 0.3  # a predicted frame 0 may carry root motion; both decoders must ignore it
    joints, heading = losses.decode(torch.as_tensor(feats[None]), FPS)
    np.testing.assert_allclose(joints[0].numpy(), features.decode(feats, FPS), atol=1e-9)
    np.testing.assert_allclose(heading[0].numpy(), features.root_trajectory(feats, FPS)[1], atol=1e-12)


def test_clip_mean_weights_clips_equally_and_ignores_padding():
    values = torch.tensor([[1.0, 1.0, 1.0, 99.0], [4.0, 0.0, 0.0, 0.0]])
    mask = torch.tensor([[True, True, True, False], [True, False, False, False]])
    assert losses.clip_mean(values, mask).item() == pytest.approx((1.0 + 4.0) / 2)
    halves = [losses.clip_mean(values[i:i + 1], mask[i:i + 1]) for i in range(2)]
    assert losses.clip_mean(values, mask).item() == pytest.approx(float(sum(halves)) / 2)


def _output_from_truth(batch):
    """A planner output equal to every target (what a perfect model predicts)."""
    contact_logits = (batch["contact"][..., :4] * 2 - 1) * 30
    action_logits = torch.nn.functional.one_hot(batch["action_ids"], 46).float() * 50
    return StickGenPlannerOutput(pose=batch["features"], root_position=batch["root_position"],
                                 root_velocity=batch["root_velocity"], action_logits=action_logits,
                                 physics=batch["physics"],
                                 contact=torch.cat([contact_logits, batch["contact"][..., 4:]], -1))


def _batch(clips):
    stats = features.FeatureStats.identity()
    rows = []
    for clip in clips:
        contacts = features.foot_contacts(clip, FPS).astype(np.float32)
        velocity = np.zeros((len(clip), 3))
        velocity[1:] = np.diff(clip[:, 0], axis=0) * FPS
        rows.append(features.example_from_row({
            "joints": clip, "fps": FPS, "contacts": contacts, "partner_joints": np.zeros_like(clip),
            "has_partner": False, "action_ids": np.ones(len(clip), np.int64), "root_velocity": velocity}, stats))
    return features.collate(rows), stats


def test_perfect_prediction_has_near_zero_supervised_losses():
    rng = np.random.default_rng(0)
    batch, stats = _batch([toy_clip("walk", 40, rng), toy_clip("wave", 30, rng)])
    mean, std = torch.zeros(137), torch.ones(137)
    weights = {name: 1.0 for name in losses.PLANNER_TERMS}
    total, parts = losses.planner_losses(_output_from_truth(batch), batch, mean, std, FPS, weights)
    for name in ("feature", "root_position", "root_velocity", "physics_head", "penetration"):
        assert parts[name].item() == pytest.approx(0.0, abs=1e-6), name
    assert parts["action"].item() < 1e-6 and parts["contact"].item() < 1e-6
    assert parts["velocity_consistency"].item() < 1e-6  # encoded velocities are the decoded differences
    assert parts["acceleration_consistency"].item() < 1e-6
    assert total.item() == pytest.approx(sum(v.item() for v in parts.values()), rel=1e-5)


def test_physics_terms_measure_what_they_say():
    clip = _walk()
    batch, _ = _batch([clip])
    mean, std = torch.zeros(137), torch.ones(137)
    out = _output_from_truth(batch)
    base = losses.physics_consistency(out, batch, mean, std, FPS)
    assert base["bone_length"].item() < 1e-10 and base["penetration"].item() == 0.0
    # stretch the right forearm every other frame -> bone length variance
    stretched = clip.copy()
    stretched[::2, 21] += np.array([0.0, -0.1, 0.0])
    out_stretch = _output_from_truth(_batch([stretched])[0])
    assert losses.physics_consistency(out_stretch, batch, mean, std, FPS)["bone_length"].item() > 1e-4
    # sink the whole body 5 cm: mean depth below ground is 5 cm times the share of joints below
    sunk = clip.copy()
    sunk[..., 1] -= 0.05
    below = (sunk[..., 1] < 0).mean()
    depth = losses.physics_consistency(_output_from_truth(_batch([sunk])[0]), batch, mean, std, FPS)["penetration"]
    expected = np.maximum(-sunk[..., 1], 0).mean()
    assert below > 0 and depth.item() == pytest.approx(expected, rel=1e-5)


def test_foot_slide_counts_only_contact_frames():
    batch, _ = _batch([_walk(turn=0.0)])
    mean, std = torch.zeros(137), torch.ones(137)
    out = _output_from_truth(batch)
    batch["contact"][..., :4] = 0.0
    assert losses.physics_consistency(out, batch, mean, std, FPS)["foot_slide"].item() == 0.0
    batch["contact"][..., :4] = 1.0  # claims contact while the whole body glides at 1.2 m/s
    slide = losses.physics_consistency(out, batch, mean, std, FPS)["foot_slide"].item()
    assert slide == pytest.approx(1.2 ** 2 * 29 / 29, rel=1e-3)


def test_ballistic_is_zero_for_free_fall_and_positive_for_hovering():
    frames = 12
    t = np.arange(frames) / FPS
    fall = np.repeat(rest_pose()[None], frames, axis=0)
    fall[..., 1] += (2.0 + 1.0 * t - 0.5 * 9.81 * t ** 2)[:, None]
    batch, _ = _batch([fall])
    batch["contact"][..., :4] = 0.0
    mean, std = torch.zeros(137), torch.ones(137)
    assert losses.physics_consistency(_output_from_truth(batch), batch, mean, std, FPS)["ballistic"].item() < 1e-8
    hover = np.repeat(rest_pose()[None], frames, axis=0) + np.array([0.0, 1.0, 0.0])
    hover_batch, _ = _batch([hover])
    hover_batch["contact"][..., :4] = 0.0
    value = losses.physics_consistency(_output_from_truth(hover_batch), hover_batch, mean, std, FPS)["ballistic"]
    assert value.item() == pytest.approx(0.5, rel=1e-5)  # Huber of (0 - (-1)) = 0.5
