"""The model-side representation of a clip, its exact inverse, normalisation, and training targets.

A clip ``joints: [T, 22, 3]`` (world space) becomes ``features: [T, 137]`` in its *canonical frame*
(frame 0's pelvis above the origin, frame 0 facing +z; see :func:`stickgen.skeleton.normalize_heading`):

====================  =======  =================================================================
slice                 width    meaning
====================  =======  =================================================================
``ROOT_HEIGHT``       1        pelvis height y (m)
``ROOT_VELOCITY``     2        pelvis x/z velocity (m/s) in the frame's own heading frame
``HEADING_VELOCITY``  1        change of heading (rad/s), wrapped to [-pi, pi) per frame
``LOCAL_POSITIONS``   63       joints 1..21 minus the pelvis x/z, rotated to face +z (m)
``LOCAL_VELOCITIES``  66       joints 0..21 velocity (m/s) rotated to the frame's heading frame
``CONTACTS``          4        0/1 foot contacts, ``skeleton.FOOT_JOINTS`` order
====================  =======  =================================================================

Velocities are backward differences (frame 0 has zero velocity; decoding ignores frame 0's), so :func:`decode`
rebuilds the canonical clip exactly from the first three groups: heading = cumulative heading velocity,
pelvis x/z = cumulative velocity turned by that heading, joints = local positions turned back and shifted.
``decode(encode(j)) == normalize_heading(j)`` to float precision. Joint velocities and contacts are
redundant helpers the model predicts and post-processing uses.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from .skeleton import FOOT_JOINTS, NUM_JOINTS, foot_contacts, heading_angles, normalize_heading, rotate_y

ROOT_HEIGHT = slice(0, 1)
ROOT_VELOCITY = slice(1, 3)
HEADING_VELOCITY = slice(3, 4)
LOCAL_POSITIONS = slice(4, 67)
LOCAL_VELOCITIES = slice(67, 133)
CONTACTS = slice(133, 137)
FEATURE_DIM = 137
PARTNER_DIM = NUM_JOINTS * 3
PHYSICS_DIM = 9
CONTACT_HEAD_DIM = 8
STATS_FILE = "feature_stats.json"


def _wrap(angle: np.ndarray) -> np.ndarray:
    return (angle + np.pi) % (2 * np.pi) - np.pi


def _backward_diff(x: np.ndarray) -> np.ndarray:
    """``x[t] - x[t-1]`` along axis 0, zero at frame 0."""
    out = np.zeros_like(x)
    out[1:] = x[1:] - x[:-1]
    return out


# ----------------------------------------------------------------------------- encode / decode


def encode(joints: np.ndarray, fps: float, contacts: np.ndarray | None = None) -> np.ndarray:
    """World clip ``joints: [T, 22, 3]`` -> ``features: [T, 137]`` (float64) in its canonical frame.

    ``contacts: [T, 4]`` (0/1) defaults to :func:`stickgen.skeleton.foot_contacts`.
    """
    joints = np.asarray(joints, dtype=np.float64)
    if joints.ndim != 3 or joints.shape[1:] != (NUM_JOINTS, 3) or len(joints) == 0:
        raise ValueError(f"joints: expected shape [T, 22, 3] with T >= 1, got {list(joints.shape)}")
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    canon = normalize_heading(joints)
    heading = heading_angles(canon)  # [T]
    root_xz = canon[:, 0] * np.array([1.0, 0.0, 1.0])  # [T, 3]
    local = rotate_y(canon - root_xz[:, None], -heading[:, None])  # [T, 22, 3]
    root_velocity = rotate_y(_backward_diff(root_xz), -heading) * fps  # [T, 3]
    joint_velocity = rotate_y(_backward_diff(canon), -heading[:, None]) * fps  # [T, 22, 3]
    heading_velocity = _wrap(_backward_diff(heading)) * fps
    if contacts is None:
        contacts = foot_contacts(joints, fps)
    contacts = np.asarray(contacts, dtype=np.float64).reshape(len(joints), len(FOOT_JOINTS))
    return np.concatenate([
        canon[:, 0, 1:2], root_velocity[:, [0, 2]], heading_velocity[:, None],
        local[:, 1:].reshape(len(joints), -1), joint_velocity.reshape(len(joints), -1), contacts,
    ], axis=1)


def root_trajectory(features: np.ndarray, fps: float) -> tuple[np.ndarray, np.ndarray]:
    """Integrate ``features: [..., T, 137]`` -> (pelvis x/z ``[..., T, 3]`` with y = 0, heading ``[..., T]``)."""
    features = np.asarray(features, dtype=np.float64).copy()
    features[..., 0, ROOT_VELOCITY.start:HEADING_VELOCITY.stop] = 0.0  # frame 0 is the origin by definition
    heading = np.cumsum(features[..., HEADING_VELOCITY.start], axis=-1) / fps
    velocity = features[..., ROOT_VELOCITY]
    velocity = np.stack([velocity[..., 0], np.zeros_like(velocity[..., 0]), velocity[..., 1]], axis=-1)
    root = np.cumsum(rotate_y(velocity, heading), axis=-2) / fps
    return root, heading


def decode(features: np.ndarray, fps: float) -> np.ndarray:
    """``features: [..., T, 137]`` -> canonical-frame ``joints: [..., T, 22, 3]`` (float64)."""
    features = np.asarray(features, dtype=np.float64)
    if features.shape[-1] != FEATURE_DIM:
        raise ValueError(f"features: expected last dimension {FEATURE_DIM}, got {features.shape[-1]}")
    root, heading = root_trajectory(features, fps)
    local = np.concatenate([np.zeros(features.shape[:-1] + (1, 3)),
                            features[..., LOCAL_POSITIONS].reshape(features.shape[:-1] + (NUM_JOINTS - 1, 3))],
                           axis=-2)
    joints = rotate_y(local, heading[..., None]) + root[..., None, :]
    joints[..., 0, 1] = features[..., ROOT_HEIGHT.start]
    return joints


def joint_channels(joint_indices: Iterable[int]) -> np.ndarray:
    """Feature channels describing the given joints (local position and velocity): ``[K]`` int64.

    Used by editing to pin joints; pelvis (0) maps to the root height, root velocity and heading channels.
    """
    channels: list[int] = []
    for j in joint_indices:
        if not 0 <= j < NUM_JOINTS:
            raise ValueError(f"joint index {j} is outside 0..{NUM_JOINTS - 1}")
        if j == 0:
            channels += [0, 1, 2, 3]
        else:
            channels += [LOCAL_POSITIONS.start + 3 * (j - 1) + k for k in range(3)]
        channels += [LOCAL_VELOCITIES.start + 3 * j + k for k in range(3)]
    return np.array(sorted(set(channels)), dtype=np.int64)


# ----------------------------------------------------------------------------- normalisation


@dataclass
class FeatureStats:
    """Per-channel ``mean: [137]`` and ``std: [137]``; contact channels stay 0/1 (mean 0, std 1)."""

    mean: np.ndarray
    std: np.ndarray

    def normalize(self, features: np.ndarray) -> np.ndarray:
        return (features - self.mean) / self.std

    def denormalize(self, normalized: np.ndarray) -> np.ndarray:
        return normalized * self.std + self.mean

    @classmethod
    def identity(cls) -> FeatureStats:
        return cls(np.zeros(FEATURE_DIM), np.ones(FEATURE_DIM))

    @classmethod
    def from_features(cls, clips: Iterable[np.ndarray], min_std: float = 1e-2) -> FeatureStats:
        """Statistics over every frame of ``clips`` (each ``[T, 137]``); ``std`` is floored at ``min_std``."""
        total, total_sq, count = np.zeros(FEATURE_DIM), np.zeros(FEATURE_DIM), 0
        for clip in clips:
            clip = np.asarray(clip, dtype=np.float64)
            total += clip.sum(0)
            total_sq += (clip ** 2).sum(0)
            count += len(clip)
        if count == 0:
            raise ValueError("cannot compute feature statistics from no frames")
        mean = total / count
        std = np.sqrt(np.maximum(total_sq / count - mean ** 2, 0.0))
        mean[CONTACTS], std[CONTACTS] = 0.0, 1.0
        return cls(mean, np.maximum(std, min_std))

    @classmethod
    def from_dataset(cls, dataset: Any, max_rows: int | None = None) -> FeatureStats:
        """Statistics of the encoded ``joints`` (with the ``contacts`` column) of a datasets.Dataset."""
        rows = range(len(dataset) if max_rows is None else min(max_rows, len(dataset)))
        return cls.from_features(encode(np.asarray(dataset[i]["joints"]), dataset[i]["fps"],
                                        dataset[i]["contacts"]) for i in rows)

    def save(self, folder: str | Path) -> Path:
        path = Path(folder) / STATS_FILE
        path.write_text(json.dumps({"feature_dim": FEATURE_DIM, "mean": self.mean.tolist(),
                                    "std": self.std.tolist()}, indent=1))
        return path

    @classmethod
    def load(cls, folder: str | Path) -> FeatureStats:
        doc = json.loads((Path(folder) / STATS_FILE).read_text())
        if doc.get("feature_dim") != FEATURE_DIM:
            raise ValueError(f"{STATS_FILE}: feature_dim {doc.get('feature_dim')} != {FEATURE_DIM}")
        return cls(np.asarray(doc["mean"], dtype=np.float64), np.asarray(doc["std"], dtype=np.float64))


# ----------------------------------------------------------------------------- training examples


def physics_state(joints: np.ndarray, fps: float) -> np.ndarray:
    """Centre-of-mass velocity, acceleration and angular momentum per kg: ``[T, 22, 3] -> [T, 9]``.

    Joints carry equal mass; velocity and acceleration are backward differences (zero at frame 0);
    angular momentum is ``mean_j (r_j - c) x (v_j - v_c)`` about the centre of mass ``c``.
    """
    joints = np.asarray(joints, dtype=np.float64)
    com = joints.mean(axis=1)
    com_velocity = _backward_diff(com) * fps
    com_acceleration = _backward_diff(com_velocity) * fps
    joint_velocity = _backward_diff(joints) * fps
    momentum = np.cross(joints - com[:, None], joint_velocity - com_velocity[:, None]).mean(axis=1)
    return np.concatenate([com_velocity, com_acceleration, momentum], axis=1)


def canonical_transform(joints: np.ndarray) -> tuple[np.ndarray, float]:
    """(pelvis x/z of frame 0 ``[3]`` with y = 0, heading of frame 0) that :func:`encode` removes."""
    joints = np.asarray(joints, dtype=np.float64)
    return joints[0, 0] * np.array([1.0, 0.0, 1.0]), float(heading_angles(joints[0]))


def to_canonical(points: np.ndarray, origin: np.ndarray, heading: float) -> np.ndarray:
    """World ``points: [..., 3]`` into the canonical frame given by :func:`canonical_transform`."""
    return rotate_y(np.asarray(points, dtype=np.float64) - origin, -heading)


def example_from_row(row: dict[str, Any], stats: FeatureStats) -> dict[str, np.ndarray]:
    """Model inputs and every head's target for one dataset row (see the row contract in DESIGN/issue #5).

    Returns float32/int64 arrays: ``features [T, 137]`` (normalised, also the pose target),
    ``action_ids [T]``, ``root_position [T, 3]`` (canonical pelvis), ``root_velocity [T, 3]`` (the
    row's ``root_velocity`` column turned into the canonical frame), ``physics [T, 9]``
    (:func:`physics_state`), ``contact [T, 8]`` (the ``contacts`` column, then the four foot joints'
    heights above the ground), ``partner_joints [T, 66]`` (the partner in this actor's canonical frame,
    zeros when none) and ``has_partner`` (scalar bool).
    """
    joints = np.asarray(row["joints"], dtype=np.float64)
    fps = float(row["fps"])
    contacts = np.asarray(row["contacts"], dtype=np.float64)
    origin, heading = canonical_transform(joints)
    canon = to_canonical(joints, origin, heading)
    partner = np.asarray(row["partner_joints"], dtype=np.float64)
    has_partner = bool(row["has_partner"])
    partner = to_canonical(partner, origin, heading) if has_partner else np.zeros_like(joints)
    return {
        "features": stats.normalize(encode(joints, fps, contacts)).astype(np.float32),
        "action_ids": np.asarray(row["action_ids"], dtype=np.int64),
        "root_position": canon[:, 0].astype(np.float32),
        "root_velocity": rotate_y(np.asarray(row["root_velocity"], dtype=np.float64), -heading).astype(np.float32),
        "physics": physics_state(canon, fps).astype(np.float32),
        "contact": np.concatenate([contacts, canon[:, list(FOOT_JOINTS), 1]], axis=1).astype(np.float32),
        "partner_joints": partner.reshape(len(joints), -1).astype(np.float32),
        "has_partner": np.array(has_partner),
    }


def collate(examples: list[dict[str, np.ndarray]]) -> dict[str, Any]:
    """Pad examples of different lengths into a torch batch with ``attention_mask: [B, T]`` (True = frame).

    Padded frames are zeros (action id 0); every per-frame array becomes ``[B, T_max, ...]``.
    """
    import torch

    lengths = [len(e["features"]) for e in examples]
    longest = max(lengths)
    batch: dict[str, Any] = {}
    for key in examples[0]:
        if examples[0][key].ndim == 0:
            batch[key] = torch.as_tensor(np.stack([e[key] for e in examples]))
            continue
        padded = np.zeros((len(examples), longest) + examples[0][key].shape[1:], dtype=examples[0][key].dtype)
        for i, e in enumerate(examples):
            padded[i, :len(e[key])] = e[key]
        batch[key] = torch.as_tensor(padded)
    batch["attention_mask"] = torch.as_tensor(np.arange(longest)[None] < np.array(lengths)[:, None])
    return batch


HEAD_TARGETS = {
    "pose": "features", "root_position": "root_position", "root_velocity": "root_velocity",
    "action_logits": "action_ids", "physics": "physics", "contact": "contact",
}


def head_targets(batch: dict[str, Any]) -> dict[str, Any]:
    """The target of each planner head (keys of :class:`StickGenPlannerOutput`) from a :func:`collate` batch.

    Losses should ignore frames where ``batch["attention_mask"]`` is False.
    """
    return {head: batch[key] for head, key in HEAD_TARGETS.items()}
