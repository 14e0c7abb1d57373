"""Toy clips and a tiny row-contract dataset for the evaluation tests (helpers plus their own checks).

Each toy action moves the body in its own way (walking legs and travel, a waving arm, a ballistic
jump, a lowered pelvis, a slight sway), so a small evaluator can learn to tell them apart in seconds.
"""
import atexit
import functools
import shutil
import tempfile
from pathlib import Path

import numpy as np

from stickgen import vocab
from stickgen.skeleton import JOINT_INDEX, PARENTS, bone_vectors, joints_from_bones, put_on_ground, rest_pose

FPS = 25
TOY_ACTIONS = ("walk", "wave", "jump", "sit", "idle")
_PHRASES = {
    "walk": ("a person walks forward", "someone strolls ahead", "a man takes a walk"),
    "wave": ("a person waves hello", "someone waves a hand", "a woman greets with a wave"),
    "jump": ("a person jumps up", "someone leaps into the air", "a child hops in place"),
    "sit": ("a person sits down low", "someone crouches down", "a man squats"),
    "idle": ("a person stands still", "someone waits quietly", "a woman rests standing"),
}


def _rotate_x(v: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """Rotate ``v: [T, 3]`` about +x by ``angle: [T]``."""
    c, s = np.cos(angle), np.sin(angle)
    return np.stack([v[:, 0], c * v[:, 1] - s * v[:, 2], s * v[:, 1] + c * v[:, 2]], axis=-1)


def _descendants(joint: int) -> list[int]:
    out = [joint]
    for child, parent in enumerate(PARENTS):
        if parent in out and child not in out:
            out.append(child)
    return out


def toy_clip(action: str, frames: int = 75, seed: int = 0, height: float = 1.75) -> np.ndarray:
    """A rigid, grounded toy clip of one of ``TOY_ACTIONS``: ``[frames, 22, 3]``."""
    rng = np.random.default_rng(seed)
    t = np.arange(frames) / FPS
    pose = np.repeat(rest_pose(height)[None], frames, axis=0)
    bones = bone_vectors(pose)  # [T, 21, 3]
    lengths = np.linalg.norm(bones[0], axis=-1)
    root = pose[:, 0].copy()
    freq, amp = rng.uniform(0.8, 1.2), rng.uniform(0.8, 1.2)
    if action == "walk":
        swing = 0.45 * amp * np.sin(2 * np.pi * freq * t)
        for hip, sign in (("left_hip", 1.0), ("right_hip", -1.0)):
            for joint in _descendants(JOINT_INDEX[hip])[1:]:
                bones[:, joint - 1] = _rotate_x(bones[:, joint - 1], sign * swing)
        root[:, 2] += 1.3 * amp * t
    elif action == "wave":
        lift = np.pi * 0.8 + 0.3 * amp * np.sin(2 * np.pi * 2 * freq * t)
        for joint in (JOINT_INDEX["right_elbow"], JOINT_INDEX["right_wrist"]):
            b = bones[:, joint - 1]
            c, s = np.cos(lift), np.sin(lift)
            bones[:, joint - 1] = np.stack([c * b[:, 0] - s * b[:, 1], s * b[:, 0] + c * b[:, 1], b[:, 2]], -1)
    elif action == "jump":
        phase = (t * freq) % 1.0
        root[:, 1] += np.maximum(0.0, 0.4 * amp * np.sin(2 * np.pi * phase))
    elif action == "sit":
        depth = 0.35 * amp * np.clip(t / 1.0, 0, 1)
        root[:, 1] -= depth
        for knee in ("left_knee", "right_knee"):
            bones[:, JOINT_INDEX[knee] - 1] = _rotate_x(bones[:, JOINT_INDEX[knee] - 1], -1.2 * depth / 0.35)
    elif action == "idle":
        root[:, 0] += 0.01 * amp * np.sin(2 * np.pi * 0.3 * freq * t)
    else:
        raise ValueError(f"no toy clip for {action!r}")
    return put_on_ground(joints_from_bones(root, bones, lengths))


def toy_rows(count: int, seed: int = 0, frames: int = 75, real: int = 0) -> list[dict]:
    """Row-contract dicts of toy clips, cycling through ``TOY_ACTIONS``; the last ``real`` rows are
    labelled as real ("cmu") clips."""
    from stickgen.skeleton import foot_contacts

    rows = []
    for i in range(count):
        action = TOY_ACTIONS[i % len(TOY_ACTIONS)]
        joints = toy_clip(action, frames=frames, seed=seed * 10_000 + i).astype(np.float32)
        velocity = np.gradient(joints[:, 0], axis=0) * FPS
        rows.append({
            "id": f"toy-{seed}-{i}", "group": f"toy-{seed}-{i}", "augmentation": "none",
            "source": "cmu" if i >= count - real else "synthetic",
            "texts": list(_PHRASES[action]), "fps": FPS, "num_frames": frames, "joints": joints,
            "partner_joints": np.zeros_like(joints), "has_partner": False,
            "action_ids": [vocab.action_id(action)] * frames, "expression_ids": [0] * frames,
            "speech_ids": [-1] * frames, "contacts": foot_contacts(joints, FPS).astype(np.float32),
            "root_velocity": velocity.astype(np.float32), "height": 1.75,
            "speed": float(np.linalg.norm(velocity[:, [0, 2]], axis=-1).mean()), "quality": 1.0,
        })
    return rows


def toy_dataset(train: int = 100, validation: int = 20, test: int = 40, frames: int = 75, real: int = 5):
    """A ``datasets.DatasetDict`` with the row contract's features and three splits of toy clips
    (the last ``real`` test rows labelled as real clips)."""
    from datasets import Array2D, Array3D, Dataset, DatasetDict, Features, Sequence, Value

    schema = Features({
        "id": Value("string"), "group": Value("string"), "source": Value("string"),
        "augmentation": Value("string"), "texts": Sequence(Value("string")), "fps": Value("int32"),
        "num_frames": Value("int32"), "joints": Array3D(shape=(None, 22, 3), dtype="float32"),
        "partner_joints": Array3D(shape=(None, 22, 3), dtype="float32"), "has_partner": Value("bool"),
        "action_ids": Sequence(Value("int16")), "expression_ids": Sequence(Value("int8")),
        "speech_ids": Sequence(Value("int8")), "contacts": Array2D(shape=(None, 4), dtype="float32"),
        "root_velocity": Array2D(shape=(None, 3), dtype="float32"), "height": Value("float32"),
        "speed": Value("float32"), "quality": Value("float32"),
    })
    splits = {"train": (train, 1, 0), "validation": (validation, 2, 0), "test": (test, 3, real)}
    return DatasetDict({name: Dataset.from_list(toy_rows(n, seed, frames, n_real), features=schema)
                        for name, (n, seed, n_real) in splits.items()})


# ----------------------------------------------------------------------------- checks of the helpers


def test_toy_clips_are_rigid_grounded_and_distinct():
    from stickgen.skeleton import bone_lengths

    clips = {a: toy_clip(a, seed=1) for a in TOY_ACTIONS}
    for action, clip in clips.items():
        lengths = bone_lengths(clip)
        assert np.abs(lengths - lengths[0]).max() < 1e-9, action
        assert abs(clip[..., 1].min()) < 1e-9, action
    walk_travel = clips["walk"][-1, 0, 2] - clips["walk"][0, 0, 2]
    assert walk_travel > 2.0
    assert clips["wave"][:, JOINT_INDEX["right_wrist"], 1].max() > clips["wave"][0, JOINT_INDEX["head"], 1]
    assert clips["jump"][:, :, 1].min(axis=1).max() > 0.2
    assert clips["sit"][-1, 0, 1] < clips["idle"][-1, 0, 1] - 0.2


def test_toy_clip_rejects_unknown_action():
    import pytest

    with pytest.raises(ValueError, match="no toy clip"):
        toy_clip("swimming")


def evaluator_trainer():
    """``training.train_evaluator.train`` (the repository root, which holds training/, joins sys.path)."""
    import sys

    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    from training.train_evaluator import train

    return train


@functools.lru_cache(maxsize=1)
def trained_toy_evaluator() -> tuple[str, str, dict]:
    """(evaluator folder, dataset folder, training log) of an evaluator trained on a toy dataset, built
    once per test session in a temporary folder (about 10 s)."""
    from stickgen.eval.evaluator import EvaluatorConfig

    train = evaluator_trainer()
    folder = Path(tempfile.mkdtemp(prefix="stickgen-eval-test-"))
    atexit.register(shutil.rmtree, folder, True)
    dataset = toy_dataset(train=100, validation=40, test=80, frames=60)
    dataset.save_to_disk(str(folder / "data"))
    log = train(dataset, folder / "evaluator", EvaluatorConfig(hidden=64, embed_dim=64), epochs=10, batch_size=25,
                seed=0, log=lambda message: None)
    return str(folder / "evaluator"), str(folder / "data"), log
