"""DeepMimic humanoid3d motion files -> canonical ``smpl22`` clips.

A DeepMimic file is JSON ``{"Loop": "wrap"|"none", "Frames": [[44 floats], ...]}``. Per frame: ``[0]``
seconds to the next frame, ``[1:4]`` root position, ``[4:8]`` root rotation quaternion (w, x, y, z),
then local rotations of chest, neck, right hip (quaternions), right knee (one angle about local z),
right ankle, right shoulder (quaternions), right elbow (angle), left hip, left knee, left ankle, left
shoulder, left elbow. Metres, +y up, the rest pose faces +x with its right side toward +z. Joint
offsets come from ``pybullet_data/humanoid/humanoid.urdf``, which is in 4x metre units.

Public: :func:`parse_urdf_offsets`, :func:`convert`.
"""
from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

import numpy as np

from stickgen import skeleton

from .rotations import axis_angle_matrix, nlerp, quat_to_matrix

URDF_SCALE = 0.25  # pybullet loads the humanoid with globalScaling=0.25
FPS = 25

#: (name, parent, kind, first column in the frame) in frame order; "ball" = quaternion, "hinge" = angle
JOINTS: tuple[tuple[str, str | None, str, int], ...] = (
    ("root", None, "ball", 4), ("chest", "root", "ball", 8), ("neck", "chest", "ball", 12),
    ("right_hip", "root", "ball", 16), ("right_knee", "right_hip", "hinge", 20),
    ("right_ankle", "right_knee", "ball", 21), ("right_shoulder", "chest", "ball", 25),
    ("right_elbow", "right_shoulder", "hinge", 29), ("left_hip", "root", "ball", 30),
    ("left_knee", "left_hip", "hinge", 34), ("left_ankle", "left_knee", "ball", 35),
    ("left_shoulder", "chest", "ball", 39), ("left_elbow", "left_shoulder", "hinge", 43),
)
FRAME_WIDTH = 44

#: each smpl22 joint as (DeepMimic link, point in that link's frame in URDF units); the URDF's joint
#: origins give the points at (0, 0, 0); the others are placed on the collision shapes' axes. The
#: DeepMimic root sits on the line between the hips, smpl22's pelvis above it: the root body's centre.
SMPL_POINTS: dict[str, tuple[str, tuple[float, float, float]]] = {
    "pelvis": ("root", (0.0, 0.28, 0.0)), "left_hip": ("left_hip", (0.0, 0.0, 0.0)),
    "right_hip": ("right_hip", (0.0, 0.0, 0.0)), "spine1": ("root", (0.0, 0.60, 0.0)),
    "left_knee": ("left_knee", (0.0, 0.0, 0.0)), "right_knee": ("right_knee", (0.0, 0.0, 0.0)),
    "spine2": ("chest", (0.0, 0.0, 0.0)), "left_ankle": ("left_ankle", (0.0, 0.0, 0.0)),
    "right_ankle": ("right_ankle", (0.0, 0.0, 0.0)), "spine3": ("chest", (0.0, 0.28, 0.0)),
    "left_foot": ("left_ankle", (0.44, -0.18, 0.0)), "right_foot": ("right_ankle", (0.44, -0.18, 0.0)),
    "neck": ("neck", (0.0, 0.0, 0.0)), "left_collar": ("chest", (-0.05, 0.88, -0.30)),
    "right_collar": ("chest", (-0.05, 0.88, 0.30)), "head": ("neck", (0.0, 0.48, 0.0)),
    "left_shoulder": ("left_shoulder", (0.0, 0.0, 0.0)), "right_shoulder": ("right_shoulder", (0.0, 0.0, 0.0)),
    "left_elbow": ("left_elbow", (0.0, 0.0, 0.0)), "right_elbow": ("right_elbow", (0.0, 0.0, 0.0)),
    "left_wrist": ("left_elbow", "wrist"), "right_wrist": ("right_elbow", "wrist"),
}


def parse_urdf_offsets(urdf_text: str) -> dict[str, np.ndarray]:
    """Joint origins of the humanoid URDF, in metres (scaled by 0.25): ``{child link: [3]}``.

    Includes ``right_wrist``/``left_wrist`` (fixed joints). Raises ``ValueError`` when a joint the
    converter needs is missing.
    """
    root = ET.fromstring(urdf_text.replace("\x00", ""))
    offsets = {}
    for joint in root.iter("joint"):
        child, origin = joint.find("child"), joint.find("origin")
        if child is None or origin is None:
            continue
        offsets[child.get("link")] = np.array([float(v) for v in origin.get("xyz").split()]) * URDF_SCALE
    needed = [name for name, *_ in JOINTS[1:]] + ["right_wrist", "left_wrist"]
    missing = [name for name in needed if name not in offsets]
    if missing:
        raise ValueError(f"URDF lacks joints {missing}")
    return offsets


# ----------------------------------------------------------------------------- sampling


def _keyframes(doc: dict) -> tuple[np.ndarray, np.ndarray]:
    """``(times [N], frames [N, 44])`` of a parsed DeepMimic document, validated."""
    frames = np.asarray(doc.get("Frames", []), dtype=np.float64)
    if frames.ndim != 2 or frames.shape[1] != FRAME_WIDTH or len(frames) < 2:
        raise ValueError(f"Frames: expected [N >= 2, {FRAME_WIDTH}] numbers, got shape {list(frames.shape)}")
    if not np.all(np.isfinite(frames)) or np.any(frames[:-1, 0] <= 0):
        raise ValueError("Frames: non-finite values or a non-positive frame duration")
    times = np.concatenate([[0.0], np.cumsum(frames[:-1, 0])])
    return times, frames


def _sample(times: np.ndarray, frames: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Frames ``[len(t), 44]`` at times ``t`` (inside the keyframe range): lerp positions and
    angles, nlerp quaternions."""
    hi = np.clip(np.searchsorted(times, t, side="right"), 1, len(times) - 1)
    lo = hi - 1
    w = np.clip((t - times[lo]) / (times[hi] - times[lo]), 0.0, 1.0)
    out = frames[lo] * (1 - w[:, None]) + frames[hi] * w[:, None]
    for _, _, kind, col in JOINTS:
        if kind == "ball":
            out[:, col:col + 4] = nlerp(frames[lo, col:col + 4], frames[hi, col:col + 4], w)
    return out


def _forward_kinematics(frames: np.ndarray, offsets: dict[str, np.ndarray]) -> np.ndarray:
    """World ``smpl22`` positions in the DeepMimic frame (+x forward, +z right): ``[T, 44] -> [T, 22, 3]``."""
    rotation, position = {}, {}
    for name, parent, kind, col in JOINTS:
        if kind == "ball":
            local = quat_to_matrix(frames[:, col:col + 4])
        else:
            local = axis_angle_matrix("z", frames[:, col])
        if parent is None:
            rotation[name], position[name] = local, frames[:, 1:4]
        else:
            rotation[name] = rotation[parent] @ local
            position[name] = position[parent] + rotation[parent] @ offsets[name]
    joints = np.empty((len(frames), skeleton.NUM_JOINTS, 3))
    for joint_name, (link, point) in SMPL_POINTS.items():
        local = offsets[link.replace("elbow", "wrist")] if point == "wrist" else np.array(point) * URDF_SCALE
        joints[:, skeleton.JOINT_INDEX[joint_name]] = position[link] + rotation[link] @ local
    return joints


def _heading(root_quats: np.ndarray) -> np.ndarray:
    """Yaw (about +y) of the root's forward (+x) axis: ``[..., 4] -> [...]`` radians."""
    forward = quat_to_matrix(root_quats)[..., :, 0]
    return np.arctan2(-forward[..., 2], forward[..., 0])


def _loop_transform(frames: np.ndarray, cycles: np.ndarray, joints: np.ndarray) -> np.ndarray:
    """Place cycle ``k`` of a wrapping clip after cycle ``k-1``: each cycle is moved by the yaw and
    horizontal root displacement between the first and last keyframe, applied ``k`` times.
    ``joints [T, 22, 3]``, ``cycles [T]`` int -> ``[T, 22, 3]``."""
    start, end = frames[0, 1:4] * [1, 0, 1], frames[-1, 1:4] * [1, 0, 1]
    turn = float(_heading(frames[-1, 4:8]) - _heading(frames[0, 4:8]))
    out = joints.copy()
    for k in range(1, int(cycles.max()) + 1):
        mask = cycles >= k
        # rotate about +y by `turn` (x toward -z for positive yaw in this frame) around `start`, then move
        rel = out[mask] - start
        c, s = math.cos(turn), math.sin(turn)
        out[mask] = np.stack([c * rel[..., 0] + s * rel[..., 2], rel[..., 1],
                              -s * rel[..., 0] + c * rel[..., 2]], axis=-1) + end
    return out


# ----------------------------------------------------------------------------- public


def convert(doc: dict | str, offsets: dict[str, np.ndarray], min_seconds: float = 0.0) -> np.ndarray:
    """Convert a DeepMimic motion (parsed JSON or its text) to a canonical clip ``[T, 22, 3]`` at 25 fps.

    A ``"Loop": "wrap"`` clip shorter than ``min_seconds`` is repeated whole cycles, each continuing
    from where the last ended (as DeepMimic itself plays cycles). The result faces +z at frame 0 with
    its pelvis above the origin, stands on the ground (lowest foot joint at y = 0, no joint below it)
    and has rigid bones.
    """
    if isinstance(doc, str):
        doc = json.loads(doc)
    times, frames = _keyframes(doc)
    period = float(times[-1])
    cycles_needed = 1
    if doc.get("Loop") == "wrap" and period < min_seconds:
        cycles_needed = math.ceil(min_seconds / period - 1e-6)
    t = np.arange(0.0, cycles_needed * period + 1e-9, 1.0 / FPS)
    cycle = np.minimum((t // period).astype(int), cycles_needed - 1)
    joints = _forward_kinematics(_sample(times, frames, t - cycle * period), offsets)
    if cycles_needed > 1:
        joints = _loop_transform(frames, cycle, joints)
    joints = skeleton.rotate_y(joints, -math.pi / 2)  # +x forward, +z right -> +z forward, +x left
    joints = skeleton.put_on_ground(skeleton.normalize_heading(joints))
    joints[..., 1] -= min(0.0, joints[..., 1].min())  # knees and hands of crawls and rolls stay above ground
    return skeleton.make_rigid(joints)
