"""The ``smpl22`` skeleton and pure geometry on joint arrays.

Conventions (DESIGN.md section 1): metres, +y up, ground is y = 0, an actor at rest faces +z with its
left side toward +x. Every function takes ``joints: [..., T, 22, 3]`` (or ``[T, 22, 3]`` where
stated), returns new arrays and keeps no state.
"""
from __future__ import annotations

import numpy as np

# ----------------------------------------------------------------------------- topology

SKELETON_NAME = "smpl22"

JOINT_NAMES: tuple[str, ...] = (
    "pelvis", "left_hip", "right_hip", "spine1", "left_knee", "right_knee", "spine2", "left_ankle",
    "right_ankle", "spine3", "left_foot", "right_foot", "neck", "left_collar", "right_collar", "head",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
)
PARENTS: tuple[int, ...] = (-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19)
NUM_JOINTS = 22
JOINT_INDEX: dict[str, int] = {name: i for i, name in enumerate(JOINT_NAMES)}

#: joint i of a mirrored clip is joint MIRROR_INDEX[i] of the original
MIRROR_INDEX: tuple[int, ...] = tuple(
    JOINT_INDEX[n.replace("left_", "@").replace("right_", "left_").replace("@", "right_")] for n in JOINT_NAMES
)

#: ankles and toes, the joints that touch the ground when standing
FOOT_JOINTS: tuple[int, ...] = tuple(JOINT_INDEX[n] for n in ("left_ankle", "right_ankle", "left_foot", "right_foot"))
#: foot contact column i of a mirrored clip is column MIRRORED_FOOT_CONTACTS[i] of the original
MIRRORED_FOOT_CONTACTS: tuple[int, ...] = tuple(FOOT_JOINTS.index(MIRROR_INDEX[j]) for j in FOOT_JOINTS)

REST_HEIGHT = 1.75
# World positions of a 1.75 m adult standing at rest, arms down, toes on the ground, facing +z.
_REST_POSITIONS_175 = np.array([
    [0.000, 0.950, 0.000],   # pelvis
    [0.090, 0.870, 0.000],   # left_hip
    [-0.090, 0.870, 0.000],  # right_hip
    [0.000, 1.060, -0.010],  # spine1
    [0.095, 0.480, 0.005],   # left_knee
    [-0.095, 0.480, 0.005],  # right_knee
    [0.000, 1.190, 0.000],   # spine2
    [0.100, 0.080, -0.030],  # left_ankle
    [-0.100, 0.080, -0.030],  # right_ankle
    [0.000, 1.250, 0.010],   # spine3
    [0.110, 0.000, 0.100],   # left_foot
    [-0.110, 0.000, 0.100],  # right_foot
    [0.000, 1.470, -0.010],  # neck
    [0.070, 1.390, 0.000],   # left_collar
    [-0.070, 1.390, 0.000],  # right_collar
    [0.000, 1.570, 0.030],   # head
    [0.180, 1.400, -0.010],  # left_shoulder
    [-0.180, 1.400, -0.010],  # right_shoulder
    [0.200, 1.130, -0.020],  # left_elbow
    [-0.200, 1.130, -0.020],  # right_elbow
    [0.210, 0.880, 0.000],   # left_wrist
    [-0.210, 0.880, 0.000],  # right_wrist
])


def rest_pose(height: float = REST_HEIGHT) -> np.ndarray:
    """Rest pose of an adult ``height`` metres tall (proportions of a 1.75 m adult): ``[22, 3]``."""
    if not 0.3 <= height <= 3.0:
        raise ValueError(f"height must be between 0.3 and 3.0 m, got {height}")
    return _REST_POSITIONS_175 * (height / REST_HEIGHT)


def rest_offsets(height: float = REST_HEIGHT) -> np.ndarray:
    """Offset of each joint from its parent at rest (the root's is its position): ``[22, 3]``."""
    pose = rest_pose(height)
    offsets = pose.copy()
    offsets[1:] -= pose[list(PARENTS[1:])]
    return offsets


# ----------------------------------------------------------------------------- bones


def bone_vectors(joints: np.ndarray) -> np.ndarray:
    """Child minus parent for joints 1..21: ``[..., 22, 3] -> [..., 21, 3]``."""
    return joints[..., 1:, :] - joints[..., list(PARENTS[1:]), :]


def bone_lengths(joints: np.ndarray) -> np.ndarray:
    """Length of the bone ending at each joint 1..21: ``[..., 22, 3] -> [..., 21]``."""
    return np.linalg.norm(bone_vectors(joints), axis=-1)


def size_ratio(joints: np.ndarray) -> np.ndarray:
    """Each pose's size relative to the 1.75 m rest pose, its summed bone lengths over the rest pose's:
    ``[..., 22, 3] -> [...]``."""
    return bone_lengths(joints).sum(axis=-1) / bone_lengths(_REST_POSITIONS_175).sum()


def _unit(v: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.where(norm > 1e-9, v / np.maximum(norm, 1e-12), fallback)


def joints_from_bones(root: np.ndarray, directions: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Forward kinematics from bone directions.

    root: ``[..., 3]``, directions: ``[..., 21, 3]`` (normalised here), lengths: ``[21]`` or ``[..., 21]``
    -> joints ``[..., 22, 3]`` with every bone exactly ``lengths`` long.
    """
    fallback = np.array([0.0, 1.0, 0.0])
    bones = _unit(directions, fallback) * np.asarray(lengths)[..., None]
    joints = np.empty(root.shape[:-1] + (NUM_JOINTS, 3), dtype=np.float64)
    joints[..., 0, :] = root
    for child in range(1, NUM_JOINTS):  # parents always precede children
        joints[..., child, :] = joints[..., PARENTS[child], :] + bones[..., child - 1, :]
    return joints


def make_rigid(joints: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
    """Give every bone a fixed length, keeping its direction and the root position.

    joints: ``[T, 22, 3]``; lengths: ``[21]`` (default: the median length of each bone over the clip).
    Walks the tree from the root and places each child on the ray from its parent along the original
    bone, so the result is rigid and ``make_rigid(make_rigid(x)) == make_rigid(x)``.
    """
    joints = np.asarray(joints, dtype=np.float64)
    if lengths is None:
        lengths = np.median(bone_lengths(joints).reshape(-1, NUM_JOINTS - 1), axis=0)
    return joints_from_bones(joints[..., 0, :], bone_vectors(joints), lengths)


def mirror(joints: np.ndarray) -> np.ndarray:
    """Mirror left and right: reflect x and swap ``left_*``/``right_*`` joints. ``[..., 22, 3]``."""
    out = np.asarray(joints, dtype=np.float64)[..., list(MIRROR_INDEX), :].copy()
    out[..., 0] *= -1.0
    return out


# ----------------------------------------------------------------------------- placement


def put_on_ground(joints: np.ndarray) -> np.ndarray:
    """Shift a clip vertically so its lowest foot joint over the whole clip is at y = 0. ``[T, 22, 3]``."""
    joints = np.asarray(joints, dtype=np.float64)
    lowest = joints[..., list(FOOT_JOINTS), 1].min()
    return joints - np.array([0.0, lowest, 0.0])


def facing_directions(joints: np.ndarray) -> np.ndarray:
    """Unit forward vector in the ground plane for every frame: ``[..., 22, 3] -> [..., 3]`` (y = 0).

    Forward is perpendicular to the line across the hips and shoulders (left minus right), so a body
    whose left points to +x faces +z.
    """
    j = JOINT_INDEX
    across = (joints[..., j["left_hip"], :] - joints[..., j["right_hip"], :]
              + joints[..., j["left_shoulder"], :] - joints[..., j["right_shoulder"], :])
    forward = np.stack([-across[..., 2], np.zeros_like(across[..., 0]), across[..., 0]], axis=-1)
    return _unit(forward, np.array([0.0, 0.0, 1.0]))


def heading_angles(joints: np.ndarray) -> np.ndarray:
    """Heading per frame in radians, 0 facing +z, positive turning toward +x: ``[..., 22, 3] -> [...]``."""
    forward = facing_directions(joints)
    return np.arctan2(forward[..., 0], forward[..., 2])


def rotate_y(points: np.ndarray, angle: float | np.ndarray) -> np.ndarray:
    """Rotate points ``[..., 3]`` about the +y axis by ``angle`` radians (+z turns toward +x).

    ``angle`` is a scalar or an array that broadcasts against ``points[..., 0]``.
    """
    c, s = np.cos(angle), np.sin(angle)
    x, y, z = points[..., 0], points[..., 1], points[..., 2]
    return np.stack([c * x + s * z, y, -s * x + c * z], axis=-1)


def normalize_heading(joints: np.ndarray) -> np.ndarray:
    """Rotate and shift a clip so frame 0 faces +z with its pelvis above the origin. ``[T, 22, 3]``."""
    joints = np.asarray(joints, dtype=np.float64)
    start = joints[0, 0] * np.array([1.0, 0.0, 1.0])
    return rotate_y(joints - start, -float(heading_angles(joints[0])))


# ----------------------------------------------------------------------------- time


def resample(joints: np.ndarray, src_fps: float, dst_fps: float) -> np.ndarray:
    """Resample a clip to another frame rate without stretching bones.

    joints: ``[T, 22, 3]`` -> ``[T', 22, 3]`` with ``T' = round((T - 1) * dst / src) + 1``. The root is
    interpolated linearly and each bone's direction is interpolated and renormalised, then the clip is
    rebuilt with its original (median) bone lengths.
    """
    joints = np.asarray(joints, dtype=np.float64)
    if src_fps <= 0 or dst_fps <= 0:
        raise ValueError(f"frame rates must be positive, got {src_fps} -> {dst_fps}")
    frames = joints.shape[0]
    lengths = np.median(bone_lengths(joints), axis=0)
    if frames == 1:
        return joints.copy()
    new_frames = int(round((frames - 1) * dst_fps / src_fps)) + 1
    t = np.linspace(0.0, frames - 1, new_frames)
    lo = np.clip(np.floor(t).astype(int), 0, frames - 2)
    w = (t - lo)[:, None]
    root = joints[lo, 0] * (1 - w) + joints[lo + 1, 0] * w
    bones = bone_vectors(joints)
    bones = _unit(bones, np.array([0.0, 1.0, 0.0]))
    directions = bones[lo] * (1 - w[:, :, None]) + bones[lo + 1] * w[:, :, None]
    return joints_from_bones(root, directions, lengths)


# ----------------------------------------------------------------------------- contact


def foot_contacts(joints: np.ndarray, fps: float, height: float = 0.06, speed: float = 0.3,
                  ankle_height: float = 0.12) -> np.ndarray:
    """Which foot joints touch the ground: ``[T, 22, 3] -> [T, 4]`` bool, columns as ``FOOT_JOINTS``.

    A toe (``*_foot``) is in contact when it is below ``height`` metres and moves slower than ``speed``
    m/s horizontally; an ankle likewise with ``ankle_height``. Speed is the central difference.
    """
    feet = np.asarray(joints, dtype=np.float64)[:, list(FOOT_JOINTS)]
    if feet.shape[0] > 1:
        velocity = np.gradient(feet, axis=0) * fps
    else:
        velocity = np.zeros_like(feet)
    horizontal_speed = np.linalg.norm(velocity[..., [0, 2]], axis=-1)
    limits = np.array([ankle_height, ankle_height, height, height])
    return (feet[..., 1] < limits) & (horizontal_speed < speed)
