"""Curation checks and report; augmentations keep clips physically valid."""
import numpy as np
import pytest

from datasets_scripts import augment, curate
from datasets_scripts.rows import DataClip, estimate_height, to_row
from datasets_scripts.text.describe import Step
from stickgen import skeleton, vocab

FPS = 25


def standing(frames=50) -> np.ndarray:
    return np.repeat(skeleton.rest_pose()[None], frames, axis=0)


def clip_of(joints, contacts=None, texts=("a man jumps.", "someone hops with the left foot.", "a person leaps.")):
    frames = len(joints)
    contacts = np.ones((frames, 4), bool) if contacts is None else contacts
    return DataClip(id="c", group="c", source="synthetic", joints=joints, action_ids=np.full(frames, 4),
                    expression_ids=np.zeros(frames, int), speech_ids=np.full(frames, -1), contacts=contacts,
                    height=1.75, texts=list(texts), steps=[Step("jump", 0, frames)])


def ballistic(frames=40, v0=2.5) -> tuple[np.ndarray, np.ndarray]:
    """A body thrown straight up at ``v0`` m/s from standing, landing again: joints and contacts."""
    t = np.arange(frames) / FPS
    lift = np.maximum(v0 * t - 0.5 * 9.81 * t ** 2, 0.0)
    joints = standing(frames) + lift[:, None, None] * np.array([0.0, 1.0, 0.0])
    contacts = np.repeat((lift < 1e-9)[:, None], 4, axis=1)
    return joints, contacts


# ----------------------------------------------------------------------------- curation


def test_clean_clip_passes_with_quality_one():
    metrics = curate.clip_metrics(standing(), np.ones((50, 4)), FPS)
    assert curate.check_clip(metrics) == [] and curate.quality_score(metrics) == pytest.approx(1.0)


@pytest.mark.parametrize("damage,reason", [
    (lambda j: j.__setitem__((10, 5, 0), np.nan), "nan"),
    (lambda j: j.__setitem__((slice(20, 30), 20), j[20:30, 20] + [0.05, 0.0, 0.0]), "bone_stretch"),
    (lambda j: j.__setitem__((slice(None), slice(None), 1), j[..., 1] - 0.03), "ground_penetration"),
    (lambda j: j.__setitem__((slice(None), slice(None), 2), j[..., 2] + np.linspace(0, 2, 50)[:, None]), "foot_skate"),
    (lambda j: j.__setitem__(slice(25, None), j[25:] + [0.4, 0.0, 0.0]), "jerk"),
])
def test_each_check_catches_its_defect(damage, reason):
    joints = standing()
    damage(joints)
    metrics = curate.clip_metrics(joints, np.ones((50, 4)), FPS)
    assert reason in curate.check_clip(metrics)
    assert curate.quality_score(metrics) == 0.0


def test_quality_falls_toward_threshold():
    joints = standing()
    joints[..., 1] -= 0.015  # 1.5 cm into the ground: kept, but worse than clean
    metrics = curate.clip_metrics(joints, np.ones((50, 4)), FPS)
    assert curate.check_clip(metrics) == [] and 0.5 < curate.quality_score(metrics) < 0.8


def test_config_from_yaml(tmp_path):
    (tmp_path / "c.yaml").write_text("max_penetration: 0.05\n")
    assert curate.CurationConfig.from_yaml(tmp_path / "c.yaml").max_penetration == 0.05
    (tmp_path / "bad.yaml").write_text("max_penetraton: 0.05\n")
    with pytest.raises(ValueError, match="max_penetraton"):
        curate.CurationConfig.from_yaml(tmp_path / "bad.yaml")


def test_report_counts_per_action_source_and_reason():
    report = curate.CurationReport()
    walk, wave = vocab.action_id("walk"), vocab.action_id("wave")
    report.add("synthetic", np.array([walk, walk, wave]), [])
    report.add("synthetic", np.array([walk]), ["jerk", "nan"])
    report.add("deepmimic", np.array([walk]), ["foot_skate"], keep_anyway=True)
    assert report.kept == {"synthetic/walk": 1, "synthetic/wave": 1, "deepmimic/walk": 1}
    assert report.dropped == {"synthetic/walk": 1}
    assert report.reasons == {"synthetic/jerk": 1, "synthetic/nan": 1}
    assert report.flagged == {"deepmimic/foot_skate": 1}
    assert report.rejection_rate("synthetic") == pytest.approx(1 / 2)
    assert report.clips == {"synthetic/kept": 1, "synthetic/dropped": 1, "deepmimic/kept": 1}
    again = curate.CurationReport.from_dict(report.to_dict())
    again.merge(report)
    assert again.dropped["synthetic/walk"] == 2 and "| synthetic/walk | 1 | 1 |" in report.to_markdown()


# ----------------------------------------------------------------------------- augmentation


def test_mirror_swaps_sides_and_is_an_involution():
    joints, contacts = ballistic()
    contacts[:, 0] = False
    clip = clip_of(joints, contacts)
    mirrored = augment.mirror(clip)
    assert mirrored.texts[1] == "someone hops with the right foot." and mirrored.augmentation == "mirror"
    assert not mirrored.contacts[:, 1].any() and mirrored.contacts[:, 0].any() == contacts[:, 1].any()
    back = augment.mirror(mirrored)
    assert np.allclose(back.joints, joints) and back.texts == clip.texts and back.augmentation == "mirror+mirror"


def test_speed_warps_time_and_refuses_flight():
    joints = standing(51) + np.linspace(0, 2, 51)[:, None, None] * np.array([0.0, 0.0, 1.0])
    fast = augment.speed(clip_of(joints), 1.25)
    assert fast.num_frames == 41 and len(fast.action_ids) == len(fast.contacts) == 41
    assert fast.joints[-1, 0, 2] == pytest.approx(2.0) and fast.steps[0].end == 41
    with pytest.raises(ValueError, match="airborne"):
        augment.speed(clip_of(*ballistic()), 1.1)


def test_scale_keeps_gravity_and_height_limits():
    joints, contacts = ballistic(v0=2.5)
    scaled = augment.scale(clip_of(joints, contacts), 1.12)
    pelvis_y = scaled.joints[:, 0, 1]
    airborne = np.flatnonzero(~scaled.contacts.any(axis=1))[2:-2]
    g = -np.polyfit(airborne / FPS, pelvis_y[airborne], 2)[0] * 2
    assert g == pytest.approx(9.81, rel=0.03)
    assert scaled.height == pytest.approx(1.75 * 1.12)
    lengths = skeleton.bone_lengths(scaled.joints)
    assert np.allclose(lengths, skeleton.bone_lengths(skeleton.rest_pose()) * 1.12, atol=1e-6)
    rng = np.random.default_rng(0)
    tall = clip_of(standing(226)).with_(height=1.9)  # 9 s: sqrt(scale) may stretch it to 10 s at most
    for _ in range(50):
        factor = augment.scale_factor(tall, rng)
        assert 1.4 <= 1.9 * factor <= 1.95 and 9.0 * np.sqrt(factor) <= 10.0 + 1e-9
        assert 1.0 <= 9.0 / augment.speed_factor(tall, rng) <= 10.0 + 1e-9


def test_heading_and_augment_four():
    joints, contacts = ballistic()
    clip = clip_of(joints, contacts)
    turned = augment.heading(clip, np.pi / 2, (1.0, -1.0))
    assert np.allclose(skeleton.bone_lengths(turned.joints), skeleton.bone_lengths(joints))
    assert turned.joints[0, 0] == pytest.approx([1.0, joints[0, 0, 1], -1.0])
    variants = augment.augment_four(clip, np.random.default_rng(1))
    assert [v.augmentation for v in variants] == ["none", "mirror", "heading", "scale+heading"]  # flight: no speed
    assert [v.id for v in variants] == ["c-0", "c-1", "c-2", "c-3"] and {v.group for v in variants} == {"c"}
    for v in variants:
        assert v.joints[..., 1].min() > -1e-9


def test_row_contract_and_errors():
    joints, contacts = ballistic()
    row = to_row(clip_of(joints, contacts))
    assert row["joints"].dtype == np.float32 and row["partner_joints"].shape == joints.shape
    assert not row["has_partner"] and not row["partner_joints"].any()
    assert row["root_velocity"][5, 1] == pytest.approx(2.5 - 9.81 * 5 / FPS, abs=0.05)
    assert estimate_height(joints) == pytest.approx(1.75)
    with pytest.raises(ValueError, match="texts"):
        to_row(clip_of(joints, contacts, texts=("a", "a", "b")))
    bad = clip_of(joints, contacts)
    bad.action_ids = bad.action_ids[:-1]
    with pytest.raises(ValueError, match="action_ids"):
        to_row(bad)


def test_actors_walking_through_each_other_are_dropped():
    joints = standing()
    partner = skeleton.rotate_y(joints, np.pi) + np.array([0.0, 0.0, 0.6])  # facing each other, 0.6 m apart
    assert curate.actor_gap(joints, partner) == pytest.approx(0.58, abs=0.03)
    crossing = partner - np.linspace(0, 1.2, 50)[:, None, None] * np.array([0.0, 0.0, 1.0])
    metrics = curate.clip_metrics(joints, np.ones((50, 4)), FPS)
    metrics["actor_gap"] = curate.actor_gap(joints, crossing)
    assert metrics["actor_gap"] < 0.05 and curate.check_clip(metrics) == ["actors_overlap"]
