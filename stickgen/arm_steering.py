"""The arms of a plan placed as the limb controls ask (:mod:`stickgen.limb_steering` calls these): a clap's
hands gap, a wave's raised hand, a punch's reach; joints ``[T, 22, 3]`` local to the body (facing +z, its
left +x).

A clap puts the wrists the asked gap apart, level, in front of the chest (a gap over :data:`APART` only
keeps them :data:`CLAP_APART` apart). A wave (``WRIST_RISE`` given, the hand named by ``HAND``: 1 left, -1
right, 0 both; free: right) raises the named arm the way the data's waves do (the elbow out at about
shoulder height, the forearm up and swinging side to side at :data:`WAVE_HZ`; a wrist asked :data:`HELD_UP`
or higher is held up, still) and lowers the other arm if it is up. A punch (``WRIST_REACH``: the reach of
the left wrist if positive, the right if negative) drives that fist straight out in front of its shoulder,
a little in toward the midline and down, the other fist in a guard (:data:`stickgen.control.GUARD_REACH`),
elbows down. Arms are placed by two-bone IK (:func:`stickgen.ik.two_bone`) with at least the rest
skeleton's lengths (:func:`arm_lengths`).
"""
from __future__ import annotations

import numpy as np

from .control import GUARD_REACH
from .ik import two_bone
from .placement import smoothstep
from .skeleton import JOINT_INDEX, bone_lengths, rest_pose

J = JOINT_INDEX
_REST_LENGTHS = bone_lengths(rest_pose())  # [21]
CLAP_FORWARD = 0.3  # a clap meets this far in front of the chest (m)
CLAP_BELOW_CHEST = 0.05  # and this far below it
APART = 0.45  # a hands gap asked above this (m) only keeps the hands at least CLAP_APART apart, the arms free
CLAP_APART = 0.4
WAVE_HZ = 2.0  # the data's waves swing 1.7-2.3 times a second
WAVE_SWING_DEG = 18.0  # the forearm swings this far either side (the data's wrists: +-0.08 m about the elbow)
#: the raised arm as the data's waves hold it (their medians in the body frame): the forearm leaning this
#: far out from vertical (negative: in, over the head) ...
WAVE_LEAN_DEG = -10.0
FOREARM_FORWARD = 0.28  # ... and tilted forward (share of its length, before normalising) ...
UPPER_ARM_OUT = (0.98, 0.19)  # ... the upper arm's horizontal direction (to the side, forward)
HELD_UP = 0.35  # a wrist asked this far above its shoulder (m) or more is held up, not waved
HANG_BELOW = 0.35  # the other wrist is lowered where it is less than this far below its shoulder (m)
HANG_EASE = 0.15  # fully lowered where it is less than HANG_BELOW - HANG_EASE below
#: a fist at reach r (m) is this share of r in toward the body's midline and below its shoulder, and
#: PUNCH_AHEAD further forward (a straight punch lands in front of the chin, a guard covers it)
PUNCH_INWARD, PUNCH_DROP, PUNCH_AHEAD = 0.25, 0.2, 0.03
GUARD_INWARD = 0.08  # the guard's fist this much further in (m)
PUNCH_ELBOW = (0.1, -0.25, 0.0)  # a punching or guarding elbow bends toward this from its shoulder (out, down)


def arm_lengths(joints: np.ndarray, side: str) -> tuple[float, float]:
    """``side``'s upper arm and forearm lengths: the plan's own, but at least the rest skeleton's scaled to
    this body by its legs. A plan's arm can be too short, never too long: the planner averages a moving arm
    toward its mean and draws a waving forearm 0.09 m long."""
    lengths = np.median(bone_lengths(joints), axis=0)
    legs = [J[f"{s}_{name}"] - 1 for s in ("left", "right") for name in ("knee", "ankle")]
    scale = lengths[legs].sum() / _REST_LENGTHS[legs].sum()
    return tuple(float(max(lengths[J[f"{side}_{name}"] - 1], scale * _REST_LENGTHS[J[f"{side}_{name}"] - 1]))
                 for name in ("elbow", "wrist"))


def _arm(side: str) -> tuple[int, int, int]:
    """Joint indices of ``side``'s shoulder, elbow and wrist."""
    return J[f"{side}_shoulder"], J[f"{side}_elbow"], J[f"{side}_wrist"]


def _place_wrists(joints: np.ndarray, frames: np.ndarray, targets: dict[str, np.ndarray],
                  elbows: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """``joints`` with each side's wrist at ``targets[side] [N, 3]`` on the ``N`` ``frames [T]`` (two-bone IK
    from its shoulder, bones as long as :func:`arm_lengths`), the elbow bent toward ``elbows[side] [N, 3]`` where
    given (otherwise toward where it was)."""
    out = joints.copy()
    for side, target in targets.items():
        shoulder, elbow, wrist = _arm(side)
        hint = (elbows or {}).get(side, joints[frames, elbow])
        out[frames, elbow], out[frames, wrist] = two_bone(joints[frames, shoulder], hint, joints[frames, wrist],
                                                          target, arm_lengths(joints, side))
    return out


def clap(joints: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """``joints`` with the wrists ``gap [T]`` apart, level, in front of the chest where asked (a clap), and
    pushed apart to :data:`CLAP_APART` where a gap over :data:`APART` is asked and they are closer."""
    out = _apart(joints, np.isfinite(gap) & (np.nan_to_num(gap) > APART))
    asked = np.isfinite(gap) & (np.nan_to_num(gap) <= APART)
    if not asked.any():
        return out
    middle = out[asked, J["spine3"]] + np.array([0.0, -CLAP_BELOW_CHEST, CLAP_FORWARD])
    half = np.array([1.0, 0.0, 0.0]) * gap[asked, None] / 2  # the body's left is +x
    return _place_wrists(out, asked, {"left": middle + half, "right": middle - half})


def _apart(joints: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """``joints`` whose wrists are at least :data:`CLAP_APART` apart on ``frames [T]`` (each pushed out from
    their midpoint along the body's left-right axis)."""
    wrists = joints[:, [J["left_wrist"], J["right_wrist"]]]
    close = frames & (np.linalg.norm(wrists[:, 0] - wrists[:, 1], axis=-1) < CLAP_APART)
    if not close.any():
        return joints.copy()
    middle = wrists[close, :, 0].mean(axis=1)
    targets = {side: wrists[close, k].copy() for k, side in enumerate(("left", "right"))}
    targets["left"][:, 0], targets["right"][:, 0] = middle + CLAP_APART / 2, middle - CLAP_APART / 2
    return _place_wrists(joints, close, targets)


def _raised_arm(shoulder: np.ndarray, lengths: tuple[float, float], side: float, rise: np.ndarray,
                seconds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(elbow, wrist)`` ``[N, 3]`` of an arm raised from ``shoulder [N, 3]`` (``side`` +1 left, -1 right)
    with its wrist ``rise [N]`` above the shoulder at times ``seconds [N]``: the forearm leaning
    :data:`WAVE_LEAN_DEG` and swinging :data:`WAVE_SWING_DEG` either side at :data:`WAVE_HZ` (still where
    held up), the elbow as high as that leaves it."""
    upper, lower = lengths
    swing = np.where(rise < HELD_UP, np.radians(WAVE_SWING_DEG) * np.sin(2 * np.pi * WAVE_HZ * seconds), 0.0)
    lean = np.radians(WAVE_LEAN_DEG) + swing
    forearm = np.stack([side * np.sin(lean), np.cos(lean), np.full_like(lean, FOREARM_FORWARD)], axis=-1)
    forearm /= np.linalg.norm(forearm, axis=-1, keepdims=True)
    up = np.clip((rise - lower * forearm[:, 1]) / upper, -0.9, 0.95)
    out = np.sqrt(1.0 - up ** 2)
    elbow = shoulder + upper * np.stack([side * UPPER_ARM_OUT[0] * out, up, UPPER_ARM_OUT[1] * out], axis=-1)
    return elbow, elbow + lower * forearm


def wave(joints: np.ndarray, hand: np.ndarray, rise: np.ndarray, weight: np.ndarray,
          seconds: np.ndarray) -> np.ndarray:
    """``joints`` with the arm ``hand [T]`` names raised ``rise [T]`` (:func:`_raised_arm`) and the other
    lowered where it is up, each moved ``weight [T]`` (0..1) of the way from where it was."""
    out = joints.copy()
    hand = np.nan_to_num(hand, nan=-1.0)  # a wave's hand is the right one unless named
    for side, sign, raising in (("left", 1.0, hand > -0.5), ("right", -1.0, hand < 0.5)):
        shoulder, elbow, wrist = _arm(side)
        lengths = arm_lengths(joints, side)
        waving = raising & (weight > 0)
        lowering = ~raising & (weight > 0)
        if waving.any():
            raised_elbow, raised_wrist = _raised_arm(joints[waving, shoulder], lengths, sign, rise[waving],
                                                     seconds[waving])
            w = weight[waving, None]
            raised = joints[waving, wrist] + w * (raised_wrist - joints[waving, wrist])
            out = _place_wrists(out, waving, {side: raised},
                                {side: joints[waving, elbow] + w * (raised_elbow - joints[waving, elbow])})
        if lowering.any():
            height = joints[lowering, wrist, 1] - joints[lowering, shoulder, 1]
            w = (weight[lowering] * smoothstep((height + HANG_BELOW) / HANG_EASE))[:, None]
            hanging = joints[lowering, shoulder] + np.array([sign * 0.05, -0.97 * sum(lengths), 0.05])
            lowered = joints[lowering, wrist] + w * (hanging - joints[lowering, wrist])
            out = _place_wrists(out, lowering, {side: lowered})
    return out


def punch(joints: np.ndarray, reach: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``joints`` with the fist ``reach [T]`` names (positive: left) that far in front of its shoulder and
    the other in a guard, each moved ``weight [T]`` (0..1) of the way from where it was."""
    out = joints.copy()
    frames = weight > 0
    if not frames.any():
        return out
    w = weight[frames, None]
    for side, sign in (("left", 1.0), ("right", -1.0)):
        shoulder, elbow, wrist = _arm(side)
        ahead = np.where(np.sign(reach[frames]) == sign, np.abs(reach[frames]), GUARD_REACH)
        inward = PUNCH_INWARD * ahead + np.where(ahead > GUARD_REACH, 0.0, GUARD_INWARD)
        fist = joints[frames, shoulder] + np.stack([-sign * inward, -PUNCH_DROP * ahead, ahead + PUNCH_AHEAD], -1)
        bend = joints[frames, shoulder] + np.array([sign * PUNCH_ELBOW[0], PUNCH_ELBOW[1], PUNCH_ELBOW[2]])
        out = _place_wrists(out, frames, {side: joints[frames, wrist] + w * (fist - joints[frames, wrist])},
                            {side: joints[frames, elbow] + w * (bend - joints[frames, elbow])})
    return out
