"""From a ``Track`` of pose parameters to world joints ``[T, 22, 3]``: rotations, two-bone IK, assembly.

Spine, head and collar bones are rest offsets rotated per frame; arms and legs are placed by analytic
two-bone IK toward the track's wrist and ankle targets. Every bone therefore keeps its rest length
exactly. Before the legs are solved, the pelvis is lowered wherever a planted foot would be out of
reach, so a stance foot never slides.
"""
from __future__ import annotations

import numpy as np

from stickgen.skeleton import JOINT_INDEX as J

from .body import Body
from .track import Track

REACH = 0.997  # fraction of a fully straight limb an IK target may ask for
SOFT_KNEE = 0.992  # legs ease into full extension beyond this fraction; planted feet stay within it
SOFT_ELBOW = 0.95  # arms likewise (a hand target is never a hard constraint)


def rotation(yaw: np.ndarray, pitch: np.ndarray, roll: np.ndarray) -> np.ndarray:
    """``Ry(yaw) @ Rx(pitch) @ Rz(roll)`` for arrays of angles ``[...]`` -> ``[..., 3, 3]``.

    Pitch + tips the local +y toward +z (leaning forward); roll + tips +y toward -x (to the right).
    """
    yaw, pitch, roll = np.broadcast_arrays(yaw, pitch, roll)
    cy, sy = np.cos(yaw), np.sin(yaw)
    cp, sp = np.cos(pitch), np.sin(pitch)
    cr, sr = np.cos(roll), np.sin(roll)
    out = np.empty(yaw.shape + (3, 3))
    sp_sr, sp_cr = sp * sr, sp * cr
    out[..., 0, 0] = cy * cr + sy * sp_sr
    out[..., 0, 1] = -cy * sr + sy * sp_cr
    out[..., 0, 2] = sy * cp
    out[..., 1, 0] = cp * sr
    out[..., 1, 1] = cp * cr
    out[..., 1, 2] = -sp
    out[..., 2, 0] = -sy * cr + cy * sp_sr
    out[..., 2, 1] = sy * sr + cy * sp_cr
    out[..., 2, 2] = cy * cp
    return out


def apply(rot: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Rotate ``vectors [..., 3]`` by ``rot [T, 3, 3]``; vectors may carry extra middle axes ``[T, k, 3]``."""
    if vectors.ndim == 1:
        return rot @ vectors
    if vectors.ndim == 2:
        return np.einsum("tij,tj->ti", rot, vectors)
    return np.einsum("tij,tkj->tki", rot, vectors)


def two_bone_ik(base: np.ndarray, target: np.ndarray, upper: float, lower: float,
                pole: np.ndarray, soft: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Place the middle joint and the end of a two-bone chain: ``base, target, pole [..., 3]``.

    Returns (middle, end); the end lies on the ray toward ``target`` at a reachable distance and the
    middle joint bends toward ``pole``. Both bones keep their lengths exactly. Beyond ``soft`` of the
    full reach the distance eases exponentially into the limit instead of stopping dead, so a limb
    straightening does not snap (targets closer than that are met exactly).
    """
    delta = target - base
    dist = np.linalg.norm(delta, axis=-1, keepdims=True)
    direction = delta / np.maximum(dist, 1e-9)
    full, start = (upper + lower) * REACH, (upper + lower) * soft
    if soft < REACH:
        excess = np.maximum(dist - start, 0.0)
        dist = np.where(dist > start, start + (full - start) * (1.0 - np.exp(-excess / (full - start))), dist)
    reach = np.clip(dist, abs(upper - lower) + 1e-4, full)
    cos_a = np.clip((upper ** 2 + reach ** 2 - lower ** 2) / (2.0 * upper * reach), -1.0, 1.0)
    sin_a = np.sqrt(1.0 - cos_a ** 2)
    side = pole - np.sum(pole * direction, axis=-1, keepdims=True) * direction
    side_norm = np.linalg.norm(side, axis=-1, keepdims=True)
    fallback = np.cross(direction, np.array([1.0, 0.0, 0.0]))
    side = np.where(side_norm > 1e-6, side / np.maximum(side_norm, 1e-9), fallback)
    middle = base + upper * (cos_a * direction + sin_a * side)
    return middle, base + reach * direction


def frames_of(track: Track) -> dict[str, np.ndarray]:
    """Per-frame rotations of the pelvis, the three spine levels and the head: name -> ``[T, 3, 3]``."""
    tilt, torso, head = track.pelvis_tilt, track.torso, track.head
    pelvis = rotation(track.heading, tilt[:, 0], tilt[:, 1])
    out = {"pelvis": pelvis}
    for name, share in (("spine2", 1 / 3), ("spine3", 2 / 3), ("chest", 1.0)):
        out[name] = pelvis @ rotation(share * torso[:, 2], share * torso[:, 0], share * torso[:, 1])
    out["head"] = out["chest"] @ rotation(head[:, 1], head[:, 0], np.zeros(len(track)))
    return out


def hip_positions(track: Track, body: Body, pelvis_rot: np.ndarray) -> np.ndarray:
    """World hip joints ``[T, 2, 3]``."""
    return track.root[:, None] + apply(pelvis_rot, np.repeat(body.offsets[None, [1, 2]], len(track), 0))


def lower_pelvis_to_reach(track: Track, body: Body, pelvis_rot: np.ndarray) -> np.ndarray:
    """Pelvis heights ``[T]`` lowered just enough that every planted foot is within reach."""
    hips = hip_positions(track, body, pelvis_rot)
    planted = track.contacts[:, :2] | track.contacts[:, 2:]
    delta = track.feet - hips
    horizontal_sq = delta[..., 0] ** 2 + delta[..., 2] ** 2
    limit = track.feet[..., 1] + np.sqrt(np.maximum((body.leg * SOFT_KNEE * 0.999) ** 2 - horizontal_sq, 0.0))
    drop = np.where(planted, np.maximum(hips[..., 1] - limit, 0.0), 0.0).max(axis=1)
    if drop.any():  # widen then average: the smoothed drop is never smaller than the needed one
        width = 3
        padded = np.pad(drop, width, mode="edge")
        widened = np.max(np.lib.stride_tricks.sliding_window_view(padded, 2 * width + 1), axis=1)
        padded = np.pad(widened, width, mode="edge")
        drop = np.convolve(padded, np.ones(2 * width + 1) / (2 * width + 1), mode="valid")
    return track.root[:, 1] - drop


def toe_positions(body: Body, feet: np.ndarray, foot_yaw: np.ndarray, foot_pitch: np.ndarray) -> np.ndarray:
    """Toe joints ``[T, 2, 3]`` of ankles ``feet [T, 2, 3]`` with the given foot yaw and pitch ``[T, 2]``."""
    rot = rotation(foot_yaw, foot_pitch, np.zeros_like(foot_yaw))  # [T, 2, 3, 3]
    return feet + np.einsum("tkij,kj->tki", rot, body.foot_vectors)


def assemble(track: Track, body: Body) -> np.ndarray:
    """World joints ``[T, 22, 3]`` of ``track`` on ``body``; bone lengths are exactly the rest lengths."""
    rots = frames_of(track)
    root = track.root.copy()
    root[:, 1] = lower_pelvis_to_reach(track, body, rots["pelvis"])
    off = body.offsets
    joints = np.empty((len(track), 22, 3))
    joints[:, J["pelvis"]] = root
    for name in ("left_hip", "right_hip", "spine1"):
        joints[:, J[name]] = root + rots["pelvis"] @ off[J[name]]
    joints[:, J["spine2"]] = joints[:, J["spine1"]] + rots["spine2"] @ off[J["spine2"]]
    joints[:, J["spine3"]] = joints[:, J["spine2"]] + rots["spine3"] @ off[J["spine3"]]
    chest = rots["chest"]
    for name in ("neck", "left_collar", "right_collar"):
        joints[:, J[name]] = joints[:, J["spine3"]] + chest @ off[J[name]]
    joints[:, J["head"]] = joints[:, J["neck"]] + rots["head"] @ off[J["head"]]
    for side in ("left", "right"):
        joints[:, J[f"{side}_shoulder"]] = joints[:, J[f"{side}_collar"]] + chest @ off[J[f"{side}_shoulder"]]
    shoulders = joints[:, [J["left_shoulder"], J["right_shoulder"]]]
    wrists_target = shoulders.mean(axis=1, keepdims=True) + apply(chest, track.hands)
    elbows, wrists = two_bone_ik(shoulders, wrists_target, body.upper_arm, body.forearm,
                                 apply(chest, track.elbow_poles), SOFT_ELBOW)
    joints[:, [J["left_elbow"], J["right_elbow"]]] = elbows
    joints[:, [J["left_wrist"], J["right_wrist"]]] = wrists
    hips = joints[:, [J["left_hip"], J["right_hip"]]]
    feet = lift_feet_above_ground(body, track)
    knees, ankles = two_bone_ik(hips, feet, body.thigh, body.shin, apply(rots["pelvis"], track.knee_poles), SOFT_KNEE)
    joints[:, [J["left_knee"], J["right_knee"]]] = knees
    joints[:, [J["left_ankle"], J["right_ankle"]]] = ankles
    joints[:, [J["left_foot"], J["right_foot"]]] = toe_positions(body, ankles, track.foot_yaw, track.foot_pitch)
    return joints


def lift_feet_above_ground(body: Body, track: Track) -> np.ndarray:
    """Ankle targets ``[T, 2, 3]`` raised where the ankle or toe would dip below the ground."""
    toes = toe_positions(body, track.feet, track.foot_yaw, track.foot_pitch)
    lowest = np.minimum(toes[..., 1], track.feet[..., 1])
    feet = track.feet.copy()
    feet[..., 1] += np.maximum(-lowest, 0.0)
    return feet


def chest_frame(track: Track, body: Body) -> tuple[np.ndarray, np.ndarray]:
    """Origin ``[T, 3]`` (between the shoulders) and rotation ``[T, 3, 3]`` of the chest frame, in which
    ``track.hands`` are written; ``world_to_chest`` turns world targets into hand targets with it."""
    rots = frames_of(track)
    off = body.offsets
    spine3 = (track.root + rots["pelvis"] @ off[J["spine1"]] + rots["spine2"] @ off[J["spine2"]]
              + rots["spine3"] @ off[J["spine3"]])
    mid = 0.5 * (off[J["left_collar"]] + off[J["left_shoulder"]] + off[J["right_collar"]] + off[J["right_shoulder"]])
    return spine3 + rots["chest"] @ mid, rots["chest"]


def world_to_chest(track: Track, body: Body, points: np.ndarray) -> np.ndarray:
    """World points ``[T, 3]`` or ``[T, k, 3]`` expressed in the track's chest frame (same shape)."""
    origin, rot = chest_frame(track, body)
    if points.ndim == 2:
        return np.einsum("tji,tj->ti", rot, points - origin)
    return np.einsum("tji,tkj->tki", rot, points - origin[:, None])


def assemble_above_ground(track: Track, body: Body, margin: float = 0.0) -> np.ndarray:
    """``assemble``, then where a knee, hand or any upper-body joint dips below the ground the pelvis is
    raised by the (smoothed) depth and the frame solved again. Feet never dip: their targets are lifted."""
    joints = assemble(track, body)
    upper = [j for j in range(22) if j not in (J["left_ankle"], J["right_ankle"], J["left_foot"], J["right_foot"])]
    depth = np.maximum(margin - joints[:, upper, 1].min(axis=1), 0.0)
    if not depth.any():
        return joints
    width = 4
    padded = np.pad(depth, width, mode="edge")
    widened = np.max(np.lib.stride_tricks.sliding_window_view(padded, 2 * width + 1), axis=1)
    padded = np.pad(widened, width, mode="edge")
    lift = np.convolve(padded, np.ones(2 * width + 1) / (2 * width + 1), mode="valid")
    raised = track.copy()
    raised.root[:, 1] += lift * 1.2
    return assemble(raised, body)
