"""Motion features: exact inversion, channel layout, statistics, training examples and head targets."""
import numpy as np
import pytest
import torch

from stickgen import features as F
from stickgen import skeleton as S
from stickgen.models import StickGenConfig, StickGenPlanner


def wandering_clip(frames=80, seed=0):
    """A rest pose that turns and travels on a random walk, with per-joint jitter: [T, 22, 3]."""
    rng = np.random.default_rng(seed)
    heading = np.cumsum(rng.normal(0, 0.08, frames)) + rng.uniform(-3, 3)
    joints = S.rotate_y(np.broadcast_to(S.rest_pose(), (frames, 22, 3)), heading[:, None])
    joints = joints + rng.normal(0, 0.02, joints.shape)
    return joints + np.cumsum(rng.normal(0, 0.04, (frames, 1, 3)), 0) * [1, 0, 1] + [2.0, 0.0, -1.5]


def test_decode_inverts_encode_to_the_canonical_clip():
    joints = wandering_clip()
    feats = F.encode(joints, fps=25)
    assert feats.shape == (80, F.FEATURE_DIM)
    np.testing.assert_allclose(F.decode(feats, 25), S.normalize_heading(joints), atol=1e-9)


def test_decode_batches_and_frame_zero_is_canonical():
    clips = np.stack([F.encode(wandering_clip(seed=s), 30) for s in range(3)])
    joints = F.decode(clips, 30)
    assert joints.shape == (3, 80, 22, 3)
    np.testing.assert_allclose(joints[:, 0, 0, [0, 2]], 0.0, atol=1e-9)
    np.testing.assert_allclose(S.heading_angles(joints[:, 0]), 0.0, atol=1e-9)


def test_channels_hold_what_the_layout_says():
    joints = S.normalize_heading(wandering_clip())
    feats = F.encode(joints, 25)
    np.testing.assert_allclose(feats[:, 0], joints[:, 0, 1])
    assert np.all(feats[0, F.ROOT_VELOCITY] == 0) and feats[0, F.HEADING_VELOCITY.start] == 0
    speed = np.linalg.norm(np.diff(joints[:, 0, [0, 2]], axis=0), axis=1) * 25
    np.testing.assert_allclose(np.linalg.norm(feats[1:, F.ROOT_VELOCITY], axis=1), speed, atol=1e-9)
    assert set(np.unique(feats[:, F.CONTACTS])) <= {0.0, 1.0}


def test_joint_channels_select_position_and_velocity_of_a_joint():
    channels = F.joint_channels([S.JOINT_INDEX["left_wrist"]])
    joints = wandering_clip()
    moved = joints.copy()
    moved[:, S.JOINT_INDEX["left_wrist"], 1] += np.linspace(0, 0.3, len(joints))
    changed = np.flatnonzero(np.any(F.encode(joints, 25) != F.encode(moved, 25), axis=0))
    assert set(changed) - set(range(133, 137)) <= set(channels)
    with pytest.raises(ValueError, match="outside"):
        F.joint_channels([22])


def test_encode_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"\[T, 22, 3\]"):
        F.encode(np.zeros((10, 21, 3)), 25)
    with pytest.raises(ValueError, match="last dimension"):
        F.decode(np.zeros((10, 100)), 25)


def test_stats_normalise_round_trip_and_save(tmp_path):
    clips = [F.encode(wandering_clip(seed=s), 25) for s in range(4)]
    stats = F.FeatureStats.from_features(clips)
    normalized = np.concatenate([stats.normalize(c) for c in clips])
    wide = stats.std > 0.011
    np.testing.assert_allclose(normalized.mean(0)[wide][:-4], 0.0, atol=1e-9)
    np.testing.assert_allclose(stats.denormalize(stats.normalize(clips[0])), clips[0], atol=1e-12)
    assert np.all(stats.mean[F.CONTACTS] == 0) and np.all(stats.std[F.CONTACTS] == 1)
    stats.save(tmp_path)
    loaded = F.FeatureStats.load(tmp_path)
    np.testing.assert_array_equal(loaded.mean, stats.mean)
    np.testing.assert_array_equal(loaded.std, stats.std)


def make_row(frames, seed, partner=False):
    joints = wandering_clip(frames, seed)
    other = wandering_clip(frames, seed + 100) if partner else np.zeros_like(joints)
    root_velocity = np.gradient(joints[:, 0], axis=0) * 25
    return {"joints": joints, "fps": 25, "contacts": S.foot_contacts(joints, 25).astype(np.float32),
            "partner_joints": other, "has_partner": partner, "action_ids": np.full(frames, 1, np.int16),
            "root_velocity": root_velocity}


def test_example_targets_are_consistent_with_the_clip():
    row = make_row(60, 1, partner=True)
    stats = F.FeatureStats.identity()
    ex = F.example_from_row(row, stats)
    canon = S.normalize_heading(row["joints"])
    np.testing.assert_allclose(ex["root_position"], canon[:, 0], atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(ex["root_velocity"], axis=1),
                               np.linalg.norm(row["root_velocity"], axis=1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ex["contact"][:, 4:], canon[:, list(S.FOOT_JOINTS), 1], atol=1e-5)
    com_velocity = np.diff(canon.mean(1), axis=0) * 25
    np.testing.assert_allclose(ex["physics"][1:, :3], com_velocity, atol=1e-4)
    # the partner keeps its distance to the actor in the actor's canonical frame
    dist_world = np.linalg.norm(row["partner_joints"][:, 0] - row["joints"][:, 0], axis=1)
    dist_canon = np.linalg.norm(ex["partner_joints"][:, :3] - ex["root_position"], axis=1)
    np.testing.assert_allclose(dist_canon, dist_world, atol=1e-4)


def test_collate_pads_and_masks_and_feeds_the_planner():
    stats = F.FeatureStats.identity()
    batch = F.collate([F.example_from_row(make_row(n, n), stats) for n in (30, 45)])
    assert batch["features"].shape == (2, 45, 137)
    assert batch["attention_mask"].sum(1).tolist() == [30, 45]
    assert torch.all(batch["features"][0, 30:] == 0)
    targets = F.head_targets(batch)
    config = StickGenConfig(d_model=32, num_layers=1, num_heads=2, ffn_dim=64)
    out = StickGenPlanner(config)(text_embeds=torch.zeros(2, 384), action_ids=batch["action_ids"],
                                  attention_mask=batch["attention_mask"])
    for head, target in targets.items():
        prediction = getattr(out, head)
        assert prediction.shape[:2] == target.shape[:2]
        if head != "action_logits":
            assert prediction.shape == target.shape, head



def contract_dataset(lengths=(30, 45)):
    """A datasets.Dataset with the row contract's column types."""
    import datasets

    features = datasets.Features({
        "id": datasets.Value("string"), "fps": datasets.Value("int32"), "has_partner": datasets.Value("bool"),
        "joints": datasets.Array3D(shape=(None, 22, 3), dtype="float32"),
        "partner_joints": datasets.Array3D(shape=(None, 22, 3), dtype="float32"),
        "contacts": datasets.Array2D(shape=(None, 4), dtype="float32"),
        "root_velocity": datasets.Array2D(shape=(None, 3), dtype="float32"),
        "action_ids": datasets.Sequence(datasets.Value("int16")),
    })
    rows = [dict(make_row(n, n), id=f"c{n}") for n in lengths]
    return datasets.Dataset.from_list([{k: r[k] for k in features} for r in rows], features=features)


def test_stats_and_examples_from_a_contract_dataset():
    ds = contract_dataset()
    stats = F.FeatureStats.from_dataset(ds)
    direct = F.FeatureStats.from_features(F.encode(np.asarray(ds[i]["joints"]), 25, np.asarray(ds[i]["contacts"]))
                                          for i in range(2))
    np.testing.assert_allclose(stats.mean, direct.mean)
    example = F.example_from_row(ds[1], stats)
    assert example["features"].shape == (45, 137) and example["action_ids"].dtype == np.int64
    assert not example["has_partner"] and np.all(example["partner_joints"] == 0)
