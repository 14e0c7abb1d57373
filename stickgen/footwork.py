"""Foot planting: a foot that stands on the ground stays where it stands, a foot that swings clears it.

A generated clip's feet slide whenever its legs do not cover the ground its root covers (a sprint
steered to 5 m/s, a walk the model strides too short for) and scrape along the floor when the swing
lifts them too little. :func:`plant_feet` fixes both on the joints, for each leg:

1. **plants**: frames where the leg stands (the model's contacts, or the toe low and the foot slow for
   the body's pace: under :data:`PLANT_SPEED`, or :data:`PLANT_SPEED_SHARE` of the pelvis's ground
   speed) in runs, each run split into steps where the hip could not reach one spot all through it or
   the foot would twist (a body that glides or turns without stepping gets steps), so a planted foot
   never has to slide;
2. **the ankle's path**: held at the plant's spot (its mean, at its lowest height) during a plant;
   between two plants the correction moves from the one to the other along a smoothstep, so the
   swing carries the foot to its next plant instead of snapping there; before the first and after the
   last plant it fades over :data:`FADE_FRAMES`;
3. **clearance**: a swinging toe is raised to at least :data:`SWING_CLEARANCE` over the ground (the
   lift eased over its neighbouring frames, never below what a frame needs);
4. the knee and ankle are re-solved by :func:`two_bone_ik` (the hip stays, bone lengths are kept) and
   the foot (ankle to toe) turned to its mean direction during a plant.
"""
from __future__ import annotations

import numpy as np
from scipy.ndimage import maximum_filter1d, uniform_filter1d

from .placement import smoothstep
from .skeleton import JOINT_INDEX

#: (hip, knee, ankle, toe) joints per leg, and that leg's (ankle, toe) columns in FOOT_JOINTS order
LEGS = (
    (tuple(JOINT_INDEX[n] for n in ("left_hip", "left_knee", "left_ankle", "left_foot")), (0, 2)),
    (tuple(JOINT_INDEX[n] for n in ("right_hip", "right_knee", "right_ankle", "right_foot")), (1, 3)),
)
LEFT_HIP, RIGHT_HIP = JOINT_INDEX["left_hip"], JOINT_INDEX["right_hip"]
Leg = tuple[int, int, int, int]  # (hip, knee, ankle, toe) joint indices
Plant = tuple[int, int, np.ndarray]  # frames [start, end) and the ankle's position [3] during them
#: a toe below this height (m) over the ground is low enough to stand on
PLANT_TOE_HEIGHT = 0.06
#: a low foot slower than this (m/s) or than this share of the pelvis's ground speed stands
PLANT_SPEED = 1.0
PLANT_SPEED_SHARE = 1.0
#: a swinging toe is kept at least this high (m): above the 5 cm at which the skating measure counts
#: a toe as touching the ground (stickgen.eval.physics_metrics.TOE_CONTACT_HEIGHT)
SWING_CLEARANCE = 0.06
#: a plant lasts while a leg (hip to knee to ankle) too short to reach it would stop its ankle at most
#: this far (m) from it across the ground: a straight standing leg whose pelvis bobs, or a body that
#: sinks for a moment, keeps its plant (the foot hangs a little), a body that walks away does not
REACH_SLACK = 0.03
#: the hips turn at most this much (degrees) about the vertical over a plant before the foot steps
PLANT_TWIST_DEG = 30.0
#: the swing of a step (s) that a foot the body leaves behind (or turns on) takes to its next plant
STEP_SECONDS = 0.3
#: frames over which a correction fades in before a leg's first plant and out after its last
FADE_FRAMES = 5
#: frames of the speed measure's central difference on each side (noise cancels over the span)
SPEED_SPAN = 2


def runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Half-open ``[start, end)`` runs of True in a ``[T]`` bool array."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], np.asarray(flags).astype(np.int8), [0]])))
    return list(zip(edges[::2], edges[1::2]))


def two_bone_ik(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray,
                target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move the ankle toward ``target`` keeping the hip and both bone lengths: all ``[T, 3]``.

    The knee bends in the plane of the original knee. Returns ``(knee, ankle)``; the ankle reaches the
    target when the leg is long enough, otherwise it stops on the line to it.
    """
    upper = np.linalg.norm(knee - hip, axis=-1, keepdims=True)
    lower = np.linalg.norm(ankle - knee, axis=-1, keepdims=True)
    reach = target - hip
    distance = np.linalg.norm(reach, axis=-1, keepdims=True)
    axis = reach / np.maximum(distance, 1e-9)
    distance = np.clip(distance, np.abs(upper - lower) + 1e-6, upper + lower - 1e-6)
    pole = (knee - hip) - np.sum((knee - hip) * axis, axis=-1, keepdims=True) * axis
    pole_norm = np.linalg.norm(pole, axis=-1, keepdims=True)
    pole = np.where(pole_norm > 1e-9, pole / np.maximum(pole_norm, 1e-12), np.array([0.0, 0.0, 1.0]))
    along = (upper ** 2 - lower ** 2 + distance ** 2) / (2 * distance)
    across = np.sqrt(np.maximum(upper ** 2 - along ** 2, 0.0))
    return hip + along * axis + across * pole, hip + distance * axis


def ground_speed(points: np.ndarray, fps: float, span: int = SPEED_SPAN) -> np.ndarray:
    """Horizontal speed (m/s) of ``points [T, 3]`` by a central difference over ``span`` frames a side: ``[T]``."""
    frames = np.arange(len(points))
    ahead = points[np.minimum(frames + span, len(points) - 1)]
    behind = points[np.maximum(frames - span, 0)]
    steps = np.maximum(np.minimum(frames + span, len(points) - 1) - np.maximum(frames - span, 0), 1)
    return np.linalg.norm((ahead - behind)[:, [0, 2]], axis=-1) * fps / steps


def standing(joints: np.ndarray, fps: float, leg: Leg, given: np.ndarray) -> np.ndarray:
    """Frames where the leg stands on the ground: ``given [T]`` contacts or a low, slow toe: ``[T]`` bool."""
    _, _, ankle, toe = leg
    limit = np.maximum(PLANT_SPEED, PLANT_SPEED_SHARE * ground_speed(joints[:, 0], fps))
    return given | ((joints[:, toe, 1] < PLANT_TOE_HEIGHT) & (ground_speed(joints[:, ankle], fps) < limit))


def reach_shortfall(hip: np.ndarray, spot: np.ndarray, length: np.ndarray) -> np.ndarray:
    """How far (m, across the ground) from ``spot [3]`` a leg of ``length [T]`` reaching from ``hip [T, 3]``
    toward it stops (:func:`two_bone_ik` stops on the line to the target): ``[T]``, 0 within reach."""
    toward = spot - hip
    distance = np.linalg.norm(toward, axis=-1)
    short = np.maximum(1.0 - length / np.maximum(distance, 1e-9), 0.0)
    return np.linalg.norm(toward[:, [0, 2]], axis=-1) * short


def plant_fits(joints: np.ndarray, leg: Leg, start: int, end: int) -> np.ndarray | None:
    """The ankle position ``[3]`` of a plant over frames ``[start, end)`` (the stance's mean, its height the
    lowest), or None where a leg that cannot reach it would leave the ankle more than
    :data:`REACH_SLACK` from it across the ground on some frame, or the hips turn more than
    :data:`PLANT_TWIST_DEG` from their mean direction over the frames (the foot would twist)."""
    hip, knee, ankle, _ = leg
    spot = joints[start:end, ankle].mean(axis=0)
    spot[1] = joints[start:end, ankle, 1].min()  # down on the ground, where the stance was lowest
    length = (np.linalg.norm(joints[start:end, knee] - joints[start:end, hip], axis=-1)
              + np.linalg.norm(joints[start:end, ankle] - joints[start:end, knee], axis=-1))
    if (reach_shortfall(joints[start:end, hip], spot, length) > REACH_SLACK).any():
        return None
    across = joints[start:end, LEFT_HIP, ::2] - joints[start:end, RIGHT_HIP, ::2]  # turns with the body
    across /= np.maximum(np.linalg.norm(across, axis=-1, keepdims=True), 1e-9)
    mean = across.mean(axis=0)
    mean /= max(float(np.linalg.norm(mean)), 1e-9)
    return spot if (across @ mean >= np.cos(np.radians(PLANT_TWIST_DEG))).all() else None


def longest_fit(joints: np.ndarray, leg: Leg, start: int, end: int) -> int:
    """The end of the longest plant from ``start`` (at most ``end``) that :func:`plant_fits`, found by
    doubling its length and then halving the step back (a fit that fails and fits again further on is
    not searched for); at least ``start + 1``."""
    fits, step = start + 1, 1
    while fits < end and plant_fits(joints, leg, start, min(fits + step, end)) is not None:
        fits, step = min(fits + step, end), step * 2
    while step > 1 and fits < end:
        step //= 2
        if plant_fits(joints, leg, start, min(fits + step, end)) is not None:
            fits = min(fits + step, end)
    return fits


def plants(joints: np.ndarray, fps: float, leg: Leg, stands: np.ndarray) -> list[Plant]:
    """Where the leg plants its foot: ``(start, end, ankle position [3])`` in time order, from the runs of
    ``stands [T]``. A run the foot cannot stay put for (the body walks out of the leg's reach, or turns
    the foot) becomes steps: each plant is the longest from its first frame that :func:`plant_fits`
    (:func:`longest_fit`), and the next starts :data:`STEP_SECONDS` later, the foot swinging between them."""
    kept = []
    swing = max(1, int(round(STEP_SECONDS * fps)))
    for start, end in runs(stands):
        while start < end:
            stop = longest_fit(joints, leg, start, end)
            spot = plant_fits(joints, leg, start, stop)
            if spot is not None:  # a one-frame plant always fits but for its twist (a foot that is not flat)
                kept.append((start, stop, spot))
            start = stop + swing if stop < end else end
    return kept


def fade_weights(total: int, start: int, end: int, fade: int = FADE_FRAMES) -> np.ndarray:
    """``[total]`` weights: 1 on ``[start, end)``, easing to 0 over ``fade`` frames on either side."""
    frames = np.arange(total)
    return smoothstep(1.0 - np.maximum(np.maximum(start - frames, frames - (end - 1)), 0) / (fade + 1))


def ankle_correction(ankle: np.ndarray, steps: list[Plant], fade: int = FADE_FRAMES) -> np.ndarray:
    """Offset ``[T, 3]`` that takes the ankle path ``ankle [T, 3]`` onto the plants ``steps`` (non-empty, in
    time order): the plant's position during it, a smoothstep from one plant's offset to the next's
    between them, fading over ``fade`` frames before the first and after the last."""
    offset = np.zeros((len(ankle), 3))
    for start, end, spot in steps:
        offset[start:end] = spot - ankle[start:end]
    for (_, end, _), (start, _, _) in zip(steps, steps[1:]):  # the swing carries one correction to the next
        progress = smoothstep((np.arange(end, start) - end + 1) / (start - end + 1))[:, None]
        offset[end:start] = (1 - progress) * offset[end - 1] + progress * offset[start]
    first, last = steps[0][0], steps[-1][1]
    outside = fade_weights(len(ankle), first, last, fade)[:, None]
    offset[:first] = offset[first] * outside[:first]
    offset[last:] = offset[last - 1] * outside[last:]
    return offset


def foot_directions(foot: np.ndarray, steps: list[Plant], fade: int = FADE_FRAMES) -> np.ndarray:
    """Unit ankle-to-toe directions ``[T, 3]`` from ``foot [T, 3]``: each plant's mean direction during it,
    blended back to the clip's own over ``fade`` frames around it."""
    direction, weight = foot.copy(), np.zeros(len(foot))
    for start, end, _ in steps:
        w = fade_weights(len(foot), start, end, fade)
        take = w > weight
        direction[take] = foot[take] * (1 - w[take, None]) + foot[start:end].mean(axis=0) * w[take, None]
        weight = np.maximum(weight, w)
    return direction / np.maximum(np.linalg.norm(direction, axis=-1, keepdims=True), 1e-9)


def plant_feet(joints: np.ndarray, fps: float, contacts: np.ndarray) -> np.ndarray:
    """Feet planted while they stand and clear of the ground while they swing: ``joints [T, 22, 3]``
    (on the ground, y = 0), ``contacts [T, 4]`` (FOOT_JOINTS order; any of a leg's two marks it standing)
    -> ``[T, 22, 3]`` with only knees, ankles and toes moved and every bone length kept."""
    joints = np.asarray(joints, dtype=np.float64).copy()
    contacts = np.asarray(contacts, dtype=bool)
    for leg, columns in LEGS:
        hip, knee, ankle, toe = leg
        steps = plants(joints, fps, leg, standing(joints, fps, leg, contacts[:, list(columns)].any(axis=1)))
        if not steps:
            continue
        foot = joints[:, toe] - joints[:, ankle]
        length = np.linalg.norm(foot, axis=-1)
        direction = foot_directions(foot, steps)
        target = joints[:, ankle] + ankle_correction(joints[:, ankle], steps)
        toe_height = target[:, 1] + direction[:, 1] * length
        planted = np.zeros(len(joints), bool)
        for start, end, _ in steps:
            planted[start:end] = True
        need = np.where(planted, 0.0, np.maximum(SWING_CLEARANCE - toe_height, 0.0))
        eased = uniform_filter1d(maximum_filter1d(need, 3, mode="nearest"), 3, mode="nearest")  # never below need
        target[:, 1] += np.where(planted, 0.0, np.maximum(eased, need))
        joints[:, knee], joints[:, ankle] = two_bone_ik(joints[:, hip], joints[:, knee], joints[:, ankle], target)
        joints[:, toe] = joints[:, ankle] + direction * length[:, None]
    return joints
