"""Physics, artifact and realism measurements on one clip ``joints: [T, 22, 3]`` (metres, +y up, y = 0
ground) at ``fps`` frames per second. Pure numpy; every function returns plain floats.

Thresholds are module constants so docs/EVALUATION.md can quote them and tests can reason about them.
"""
from __future__ import annotations

import numpy as np

from ..features import LOCAL_POSITIONS, encode
from ..skeleton import JOINT_INDEX, NUM_JOINTS, bone_lengths, facing_directions, rest_pose

#: toe joints (``left_foot``, ``right_foot``) closer to the ground than this are in contact (m), as in GMD
TOE_JOINTS = (JOINT_INDEX["left_foot"], JOINT_INDEX["right_foot"])
TOE_CONTACT_HEIGHT = 0.05
#: a foot in contact that moves faster than this horizontally is skating (m/s; 2.5 cm per frame at 20 fps)
SKATE_SPEED = 0.5
#: the lowest joint higher than this above the ground counts as floating (m)
FLOAT_TOLERANCE = 0.05
#: every joint slower than this is still; a clip still on most frames is frozen (m/s)
FREEZE_SPEED = 0.01
#: accelerations below this are ignored when counting direction reversals (m/s^2)
JITTER_MIN_ACCELERATION = 2.0
#: a joint further than this many body heights from the pelvis, or faster than EXPLOSION_SPEED, explodes
EXPLOSION_REACH = 1.0
EXPLOSION_SPEED = 30.0
#: windows (s) compared by the repetition measure and their match tolerance (m, worst joint, mean over frames)
REPETITION_WINDOW = 1.0
REPETITION_TOLERANCE = 0.02
SMOOTH_BAND_HZ = 4.0

_REST_BONE_TOTAL = float(bone_lengths(rest_pose()).sum())


def _as_clip(joints: np.ndarray) -> np.ndarray:
    joints = np.asarray(joints, dtype=np.float64)
    if joints.ndim != 3 or joints.shape[1:] != (NUM_JOINTS, 3) or len(joints) == 0:
        raise ValueError(f"joints: expected a non-empty [T, 22, 3] array, got shape {list(joints.shape)}")
    return joints


def _velocity(joints: np.ndarray, fps: float) -> np.ndarray:
    """Forward differences in m/s: ``[T, ...] -> [T-1, ...]``."""
    return np.diff(joints, axis=0) * fps


def body_height(joints: np.ndarray) -> float:
    """Standing height (m) estimated from the median bone lengths against the 1.75 m rest skeleton."""
    lengths = np.median(bone_lengths(_as_clip(joints)), axis=0)
    return 1.75 * float(lengths.sum()) / _REST_BONE_TOTAL


# ----------------------------------------------------------------------------- physics


def foot_skating(joints: np.ndarray, fps: float) -> dict[str, float]:
    """Foot skating: ``ratio`` is the share of frame steps in which a toe is in contact (below
    ``TOE_CONTACT_HEIGHT`` at both ends of the step) yet moves faster than ``SKATE_SPEED`` horizontally;
    ``speed`` is the mean horizontal toe speed (m/s) while in contact (0 for a planted foot)."""
    joints = _as_clip(joints)
    if len(joints) < 2:
        return {"ratio": 0.0, "speed": 0.0}
    toes = joints[:, list(TOE_JOINTS)]  # [T, 2, 3]
    contact = toes[..., 1] < TOE_CONTACT_HEIGHT
    held = contact[1:] & contact[:-1]  # [T-1, 2]
    speed = np.linalg.norm(_velocity(toes[..., [0, 2]], fps), axis=-1)
    skating = (held & (speed > SKATE_SPEED)).any(axis=1)
    return {"ratio": float(skating.mean()), "speed": float(speed[held].mean()) if held.any() else 0.0}


def ground_penetration(joints: np.ndarray) -> float:
    """Mean depth (m) of the lowest joint below the ground, over frames (0 when nothing goes under)."""
    lowest = _as_clip(joints)[..., 1].min(axis=1)
    return float(np.maximum(-lowest, 0.0).mean())


def floating(joints: np.ndarray) -> float:
    """Mean height (m) of the lowest joint above ``FLOAT_TOLERANCE``, over frames (jumps count too)."""
    lowest = _as_clip(joints)[..., 1].min(axis=1)
    return float(np.maximum(lowest - FLOAT_TOLERANCE, 0.0).mean())


def jerk(joints: np.ndarray, fps: float) -> float:
    """Mean magnitude of the third time derivative of joint positions (m/s^3)."""
    joints = _as_clip(joints)
    if len(joints) < 4:
        return 0.0
    return float(np.linalg.norm(np.diff(joints, n=3, axis=0) * fps ** 3, axis=-1).mean())


def bone_length_deviations(joints: np.ndarray) -> np.ndarray:
    """Per bone, the mean absolute deviation (m) of its length from its median over the clip: ``[21]``."""
    lengths = bone_lengths(_as_clip(joints))
    return np.abs(lengths - np.median(lengths, axis=0)).mean(axis=0)


def bone_length_deviation(joints: np.ndarray) -> float:
    """Mean over bones of :func:`bone_length_deviations` (m)."""
    return float(bone_length_deviations(joints).mean())


# ----------------------------------------------------------------------------- artifacts


def freeze_ratio(joints: np.ndarray, fps: float) -> float:
    """Share of frame steps in which every joint moves slower than ``FREEZE_SPEED``."""
    joints = _as_clip(joints)
    if len(joints) < 2:
        return 1.0
    return float((np.linalg.norm(_velocity(joints, fps), axis=-1).max(axis=1) < FREEZE_SPEED).mean())


def jitter(joints: np.ndarray, fps: float) -> float:
    """Share of (joint, frame) accelerations that reverse direction on the very next frame while both are
    above ``JITTER_MIN_ACCELERATION``: near 0 for smooth motion, large for frame-to-frame noise."""
    joints = _as_clip(joints)
    if len(joints) < 4:
        return 0.0
    accel = np.diff(joints, n=2, axis=0) * fps ** 2  # [T-2, 22, 3]
    magnitude = np.linalg.norm(accel, axis=-1)
    strong = (magnitude[1:] > JITTER_MIN_ACCELERATION) & (magnitude[:-1] > JITTER_MIN_ACCELERATION)
    reversing = (accel[1:] * accel[:-1]).sum(-1) < 0
    return float((strong & reversing).mean())


def explosion_ratio(joints: np.ndarray, fps: float) -> float:
    """Share of frames on which the body comes apart: a joint further than ``EXPLOSION_REACH`` body
    heights from the pelvis, a joint faster than ``EXPLOSION_SPEED``, or a non-finite value."""
    joints = np.asarray(joints, dtype=np.float64)
    if not np.isfinite(joints).all():
        bad = ~np.isfinite(joints).reshape(len(joints), -1).all(axis=1)
        return float(bad.mean())
    joints = _as_clip(joints)
    reach = np.linalg.norm(joints - joints[:, :1], axis=-1).max(axis=1)
    exploded = reach > EXPLOSION_REACH * body_height(joints)
    if len(joints) > 1:
        fast = np.linalg.norm(_velocity(joints, fps), axis=-1).max(axis=1) > EXPLOSION_SPEED
        exploded[1:] |= fast
    return float(exploded.mean())


def repetition(joints: np.ndarray, fps: float) -> float:
    """Share of ``REPETITION_WINDOW``-long windows whose local pose sequence repeats a window that ended
    at least one window earlier, within ``REPETITION_TOLERANCE`` (the worst joint's error averaged over
    the window). Cyclic actions (walking) repeat naturally: compare against the real clips, not zero."""
    joints = _as_clip(joints)
    window = max(int(round(REPETITION_WINDOW * fps)), 2)
    count = len(joints) - window + 1
    if count <= window:
        return 0.0
    local = encode(joints, fps)[:, LOCAL_POSITIONS]  # pelvis-relative, each frame facing +z
    stride = max(window // 5, 1)
    starts = np.arange(0, count, stride)
    windows = np.stack([local[s:s + window] for s in starts])  # [W, window, 63]
    repeated = 0
    for i, start in enumerate(starts):
        earlier = windows[starts + window <= start]
        if len(earlier):
            diff = (earlier - windows[i]).reshape(len(earlier), window, -1, 3)
            error = np.linalg.norm(diff, axis=-1).max(axis=2).mean(axis=1)
            repeated += bool(error.min() < REPETITION_TOLERANCE)
    return repeated / len(starts)


def smoothness(joints: np.ndarray, fps: float) -> float:
    """Share of joint-velocity power below ``SMOOTH_BAND_HZ`` (1 = perfectly smooth; still clips give 1)."""
    joints = _as_clip(joints)
    if len(joints) < 4:
        return 1.0
    velocity = _velocity(joints, fps).reshape(len(joints) - 1, -1)
    power = np.abs(np.fft.rfft(velocity - velocity.mean(0), axis=0)) ** 2
    freqs = np.fft.rfftfreq(len(velocity), d=1.0 / fps)
    total = power.sum()
    return float(power[freqs <= SMOOTH_BAND_HZ].sum() / total) if total > 1e-12 else 1.0


# ----------------------------------------------------------------------------- realism


def mean_speed(joints: np.ndarray, fps: float) -> float:
    """Mean horizontal pelvis speed (m/s)."""
    joints = _as_clip(joints)
    if len(joints) < 2:
        return 0.0
    return float(np.linalg.norm(_velocity(joints[:, 0, [0, 2]], fps), axis=-1).mean())


def cadence(joints: np.ndarray, fps: float) -> float:
    """Steps per minute: how often the feet swap which one is ahead along the facing direction."""
    joints = _as_clip(joints)
    j = JOINT_INDEX
    ahead = ((joints[:, j["left_ankle"]] - joints[:, j["right_ankle"]]) * facing_directions(joints)).sum(-1)
    ahead = ahead[np.abs(ahead) > 0.02]  # ignore feet side by side
    swaps = int((np.sign(ahead[1:]) != np.sign(ahead[:-1])).sum())
    return 60.0 * swaps * fps / max(len(joints) - 1, 1)


def clip_measures(joints: np.ndarray, fps: float) -> dict[str, float]:
    """Every per-clip measure of this module in one flat dict (the report's per-clip row)."""
    skating = foot_skating(joints, fps)
    return {
        "foot_skating_ratio": skating["ratio"], "foot_skating_speed": skating["speed"],
        "penetration": ground_penetration(joints), "floating": floating(joints), "jerk": jerk(joints, fps),
        "bone_length_deviation": bone_length_deviation(joints), "freeze": freeze_ratio(joints, fps),
        "jitter": jitter(joints, fps), "explosion": explosion_ratio(joints, fps),
        "repetition": repetition(joints, fps), "smoothness": smoothness(joints, fps),
        "speed": mean_speed(joints, fps), "cadence": cadence(joints, fps),
    }
