"""Kinematic predicates for the control benchmark (``benchmarks/bench_control.py``): did the motion do what
the text asked, measured on the joints alone, without the learned evaluator.

Every check takes one actor's world joints ``joints: [T, 22, 3]`` (metres, +y up, ground y = 0) at ``fps``
frames per second and returns ``(passed: bool, measured: dict[str, float | int | list])``; the ordering
checks take one such array per prompt. Directions are the actor's own at the start: heading 0 faces +z,
positive headings turn toward +x, which is the actor's LEFT (:func:`stickgen.skeleton.heading_angles`), so
a left turn is a positive heading change. Pure numpy. Thresholds are module constants with their reason.

This module holds the travel, turn, spin, hand, count, ordering and path checks and :data:`CHECKS`, the
table the benchmark dispatches on; the measurements they share are in :mod:`stickgen.eval.joint_measures`,
the one-action signatures (:func:`~stickgen.eval.action_checks.check_single`) in
:mod:`stickgen.eval.action_checks`.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from . import physics_metrics
from .action_checks import check_single
from .joint_measures import (
    Result,
    as_clip,
    count_claps,
    count_rises,
    displacement,
    edge_frames,
    facing_deviation,
    hand_up_shares,
    heading_change,
    mean_speed,
    peak_rise,
    pelvis_path,
    round3,
    standing_level,
)

# ----------------------------------------------------------------------------- thresholds

#: a backward walk must cover at least this much against the initial facing (m): about two steps
BACKWARD_DISTANCE = 1.0
#: a sideways move must cover at least this much toward the named side (m): a few side steps
SIDEWAYS_DISTANCE = 0.6
#: while walking backward or sideways the body keeps facing roughly the initial way (degrees)
KEEP_FACING_DEG = 45.0
#: a turn passes within this many degrees of the asked angle
TURN_TOLERANCE_DEG = 35.0
#: a turn on the spot keeps the pelvis within this distance of where it started (m)
TURN_MAX_TRAVEL = 1.0
#: a spin of N turns must rotate at least this share of N full turns
SPIN_FRACTION = 0.75
#: a raised hand is above its shoulder on at least this share of frames
HAND_MIN_SHARE = 0.15
#: "clearly more than the other": the other wrist is up at most this share of the named one's frames
HAND_OTHER_RATIO = 0.5
#: claps counted may differ from the asked count by this much (a clap is short and easily merged)
CLAP_COUNT_TOLERANCE = 1
#: ordering groups: each value must exceed the next by this share (below it, a tie is noise, not control)
ORDER_MARGIN = 0.05
#: a circle's walking direction turns at least this much in total (degrees): nearly a full loop
CIRCLE_TURN_DEG = 300.0
#: a circle closes: it ends within this share of the path's extent from its start
CIRCLE_CLOSE_SHARE = 0.35
#: "there and back": goes at least this far (m) and ends within CIRCLE_CLOSE_SHARE of it from the start
RETURN_DISTANCE = 1.5
#: a foot sliding on more than this share of frame steps fails (physics_metrics.foot_skating's ratio)
SKATING_LIMIT = 0.15


# ----------------------------------------------------------------------------- direction


def check_backward(joints: np.ndarray, fps: float, distance: float = BACKWARD_DISTANCE) -> Result:
    """The pelvis ends >= ``distance`` m behind where it started (against the initial facing) while the body
    keeps facing the initial way (``facing_deviation`` < ``KEEP_FACING_DEG``)."""
    forward, left = displacement(joints, fps)
    deviation = facing_deviation(joints, fps)
    passed = bool(-forward >= distance and deviation < KEEP_FACING_DEG)
    return passed, {"backward_m": round3(-forward), "left_m": round3(left), "facing_deviation_deg": round3(deviation)}


def check_sideways(joints: np.ndarray, fps: float, side: str, distance: float = SIDEWAYS_DISTANCE) -> Result:
    """The pelvis ends >= ``distance`` m toward ``side`` ("left"/"right", the actor's own at the start),
    with less forward/backward than sideways travel and the body facing the initial way."""
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    forward, left = displacement(joints, fps)
    toward = left if side == "left" else -left
    deviation = facing_deviation(joints, fps)
    passed = bool(toward >= distance and abs(forward) < toward and deviation < KEEP_FACING_DEG)
    return passed, {"toward_side_m": round3(toward), "forward_m": round3(forward),
                    "facing_deviation_deg": round3(deviation)}


def check_turn(joints: np.ndarray, fps: float, turn_deg: float, tolerance: float = TURN_TOLERANCE_DEG,
               max_travel: float = TURN_MAX_TRAVEL) -> Result:
    """The heading at the end minus the heading at the start (unwrapped, degrees) is within ``tolerance``
    of ``turn_deg`` (+90 left, -90 right; +-180 "around" accepts either direction) and the pelvis never
    gets ``max_travel`` m or further from its start."""
    joints = as_clip(joints)
    change = heading_change(joints, fps)
    final = float(change[-edge_frames(fps):].mean())
    error = abs(abs(final) - 180.0) if abs(turn_deg) == 180 else abs(final - turn_deg)
    pelvis = joints[:, 0, [0, 2]]
    travel = float(np.linalg.norm(pelvis - pelvis[0], axis=-1).max())
    passed = bool(error <= tolerance and travel < max_travel)
    return passed, {"turn_deg": round3(final), "error_deg": round3(error), "travel_m": round3(travel)}


def check_spin(joints: np.ndarray, fps: float, turns: float, fraction: float = SPIN_FRACTION) -> Result:
    """The unwrapped heading rotates, end minus start, at least ``fraction * 360 * turns`` degrees in
    either direction."""
    change = heading_change(joints, fps)
    total = float(change[-edge_frames(fps):].mean())
    passed = bool(abs(total) >= fraction * 360.0 * turns)
    return passed, {"rotation_deg": round3(total), "turns": round3(total / 360.0),
                    "max_abs_deg": round3(np.abs(change).max())}


def check_hand(joints: np.ndarray, fps: float, hand: str, min_share: float = HAND_MIN_SHARE,
               other_ratio: float = HAND_OTHER_RATIO) -> Result:
    """``hand`` ("left", "right" or "both"): the named wrist is above its shoulder on >= ``min_share`` of
    the frames and the other on at most ``other_ratio`` times as many; "both": each on >= ``min_share``."""
    shares = hand_up_shares(joints)
    measured = {"left_up_share": round3(shares["left"]), "right_up_share": round3(shares["right"])}
    if hand == "both":
        return bool(min(shares.values()) >= min_share), measured
    if hand not in ("left", "right"):
        raise ValueError(f"hand must be 'left', 'right' or 'both', got {hand!r}")
    other = shares["right" if hand == "left" else "left"]
    return bool(shares[hand] >= min_share and other <= other_ratio * shares[hand]), measured


# ----------------------------------------------------------------------------- counts and magnitudes


def check_count(joints: np.ndarray, fps: float, count: int, what: str = "jump") -> Result:
    """``what`` "jump" (jumps or hops): the pelvis rises ``RISE_HEIGHT`` above the standing level exactly
    ``count`` separate times. "clap": the wrists meet ``count`` +- ``CLAP_COUNT_TOLERANCE`` times."""
    joints = as_clip(joints)
    if what == "clap":
        found = count_claps(joints)
        return bool(abs(found - count) <= CLAP_COUNT_TOLERANCE), {"count": found}
    if what != "jump":
        raise ValueError(f"what must be 'jump' or 'clap', got {what!r}")
    found = count_rises(joints[:, 0, 1], standing_level(joints))
    return bool(found == count), {"count": found, "peak_rise_m": round3(peak_rise(joints))}


def check_order(values: list[float], margin: float = ORDER_MARGIN) -> bool:
    """``values`` (listed from the one that should be largest) strictly decrease, each by more than
    ``margin`` of the next one's magnitude."""
    return bool(all(a > b + margin * abs(b) for a, b in zip(values, values[1:])))


#: the per-clip quantity an ordering group compares
ORDER_MEASURES: dict[str, Callable[[np.ndarray, float], float]] = {
    "rise": lambda joints, fps: peak_rise(joints),
    "speed": mean_speed,
}


def check_ordering(clips: list[np.ndarray], fps: float, measure: str) -> Result:
    """One joints array per prompt of an ordering group, listed from the one that should measure largest
    (``measure``: "rise" = peak pelvis rise, "speed" = mean horizontal pelvis speed): the values decrease."""
    values = [ORDER_MEASURES[measure](joints, fps) for joints in clips]
    return check_order(values), {measure: [round3(v) for v in values]}


# ----------------------------------------------------------------------------- paths


def check_path(joints: np.ndarray, fps: float, shape: str = "circle", direction: str | None = None) -> Result:
    """``shape`` "circle": the walking direction of the smoothed pelvis path turns >= ``CIRCLE_TURN_DEG``
    in total (toward ``direction`` "left"/"right" if given; left = positive) and the path ends within
    ``CIRCLE_CLOSE_SHARE`` of its extent (largest x or z span) from its start. "return" (there and back):
    the pelvis gets >= ``RETURN_DISTANCE`` m from the start and ends within ``CIRCLE_CLOSE_SHARE`` of that."""
    path = pelvis_path(joints, fps)
    gap = float(np.linalg.norm(path[-1] - path[0]))
    if shape == "return":
        furthest = float(np.linalg.norm(path - path[0], axis=-1).max())
        passed = bool(furthest >= RETURN_DISTANCE and gap <= CIRCLE_CLOSE_SHARE * furthest)
        return passed, {"furthest_m": round3(furthest), "end_gap_m": round3(gap)}
    if shape != "circle":
        raise ValueError(f"shape must be 'circle' or 'return', got {shape!r}")
    steps = np.diff(path, axis=0)
    moving = np.linalg.norm(steps, axis=-1) > 0.05 / fps  # ignore standing still (< 5 cm/s)
    angles = np.unwrap(np.arctan2(steps[moving, 0], steps[moving, 1])) if moving.sum() > 1 else np.zeros(1)
    turned = float(np.degrees(angles[-1] - angles[0]))
    extent = float(np.ptp(path, axis=0).max())
    sign = {"left": 1.0, "right": -1.0, None: np.sign(turned) or 1.0}[direction]
    passed = bool(sign * turned >= CIRCLE_TURN_DEG and gap <= CIRCLE_CLOSE_SHARE * max(extent, 1e-9) and extent > 0.5)
    return passed, {"path_turn_deg": round3(turned), "extent_m": round3(extent), "end_gap_m": round3(gap)}


def check_skating(joints: np.ndarray, fps: float, limit: float = SKATING_LIMIT) -> Result:
    """Foot skating ratio (:func:`physics_metrics.foot_skating`) below ``limit``; speed is reported too."""
    skating = physics_metrics.foot_skating(as_clip(joints), fps)
    return bool(skating["ratio"] < limit), {"skating_ratio": round3(skating["ratio"]),
                                            "speed": round3(mean_speed(joints, fps))}


# ----------------------------------------------------------------------------- dispatch

#: category -> check for one clip; its keyword arguments are the item's predicate parameters
CHECKS: dict[str, Callable[..., Result]] = {
    "backward": check_backward, "sideways": check_sideways, "turn": check_turn, "spin": check_spin,
    "hand": check_hand, "count": check_count, "path": check_path, "skating": check_skating,
    "single": check_single,
}
#: categories judged on a group of prompts compared with each other, and the measure each compares
ORDERING_CATEGORIES: dict[str, str] = {"height": "rise", "speed": "speed"}
CATEGORIES: tuple[str, ...] = (*CHECKS, *ORDERING_CATEGORIES)
