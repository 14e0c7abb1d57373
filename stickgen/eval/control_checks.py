"""Kinematic predicates for the control benchmark (``benchmarks/bench_control.py``): did the motion do what
the text asked, measured on the joints alone, without the learned evaluator.

Every check takes one actor's world joints ``joints: [T, 22, 3]`` (metres, +y up, ground y = 0) at ``fps``
frames per second and returns ``(passed: bool, measured: dict[str, float | int | list])``; the ordering
checks take one such array per prompt. Directions are the actor's own at the start: heading 0 faces +z,
positive headings turn toward +x, which is the actor's LEFT (:func:`stickgen.skeleton.heading_angles`), so
a left turn is a positive heading change. Pure numpy. Thresholds are module constants with their reason.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..skeleton import FOOT_JOINTS, JOINT_INDEX, NUM_JOINTS, facing_directions, heading_angles
from . import physics_metrics

Result = tuple[bool, dict[str, Any]]

# ----------------------------------------------------------------------------- thresholds

#: seconds at the start (end) averaged for the initial (final) heading and levels: steadier than one frame
EDGE_SECONDS = 0.2
#: seconds of the moving average applied to the pelvis path: removes the side-to-side sway of each step
PATH_SMOOTH_SECONDS = 0.5
#: a backward walk must cover at least this much against the initial facing (m): about two steps
BACKWARD_DISTANCE = 1.0
#: a sideways move must cover at least this much toward the named side (m): a few side steps
SIDEWAYS_DISTANCE = 0.6
#: while walking backward or sideways the body keeps facing roughly the initial way (degrees)
KEEP_FACING_DEG = 45.0
#: share of frames allowed to exceed KEEP_FACING_DEG (hip/shoulder headings are noisy on single frames)
KEEP_FACING_QUANTILE = 0.9
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
#: a jump or hop lifts the pelvis at least this far above the standing level (m)
RISE_HEIGHT = 0.10
#: the pelvis is back near standing below this height above the standing level (m): separates two rises
RISE_RETURN = 0.05
#: wrists closer than this have met (m): palms together put the wrist joints 5-10 cm apart
CLAP_CLOSE = 0.12
#: wrists further apart than this are open again (m): a new clap may start. Not 0.30: quick applause
#: (the data generator's own "clap" clips) parts the wrists only 0.2-0.3 m, and 0.30 counted 1 of 12-16 claps
CLAP_OPEN = 0.20
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
#: a single jump lifts the pelvis at least this much above the standing level (m)
JUMP_RISE = 0.15
#: a foot joint this far above the clip's usual contact height is off the ground (m; toe contact is 5 cm)
AIRBORNE_CLEARANCE = 0.05
#: sitting down / crouching lowers the pelvis at least this much from its starting height (m)
SIT_DROP = 0.25
#: lying down ends with the pelvis below this height above the floor (m)
LIE_PELVIS_HEIGHT = 0.35
#: kneeling puts a knee within this distance of the floor (m)
KNEEL_KNEE_HEIGHT = 0.15
#: a kick lifts an ankle at least this far above its starting height (m)
KICK_RISE = 0.4
#: a wave changes the wrist's sideways direction at least this many times while the hand is up
WAVE_DIRECTION_CHANGES = 2
#: sideways wrist speeds below this are ignored when counting direction changes (m/s): tremor, not waving
WAVE_MIN_SPEED = 0.1
#: claps counted for the single-action "clap"
CLAP_MIN = 2
#: a walk covers at least this path length (m)
WALK_DISTANCE = 2.0
#: a run's mean horizontal pelvis speed is at least this (m/s): faster than any walk
RUN_SPEED = 2.0

J = JOINT_INDEX


# ----------------------------------------------------------------------------- helpers


def _clip(joints: np.ndarray) -> np.ndarray:
    joints = np.asarray(joints, dtype=np.float64)
    if joints.ndim != 3 or joints.shape[1:] != (NUM_JOINTS, 3) or len(joints) < 2:
        raise ValueError(f"joints: expected a [T, 22, 3] array with T >= 2, got shape {list(joints.shape)}")
    return joints


def _edge(fps: float) -> int:
    return max(int(round(EDGE_SECONDS * fps)), 1)


def _smooth(values: np.ndarray, frames: int) -> np.ndarray:
    """Centred moving average over ``frames`` along axis 0 (edges padded by repetition): same shape."""
    if frames <= 1 or len(values) < 2:
        return values
    pad = frames // 2
    padded = np.concatenate([np.repeat(values[:1], pad, 0), values, np.repeat(values[-1:], frames - 1 - pad, 0)])
    kernel = np.ones(frames) / frames
    flat = padded.reshape(len(padded), -1)
    out = np.stack([np.convolve(flat[:, i], kernel, mode="valid") for i in range(flat.shape[1])], axis=1)
    return out.reshape(values.shape)


def heading_track(joints: np.ndarray) -> np.ndarray:
    """Unwrapped body heading per frame (radians, positive toward the actor's initial left): ``[T]``."""
    return np.unwrap(heading_angles(_clip(joints)))


def initial_heading(joints: np.ndarray, fps: float) -> float:
    """The body's heading over the first ``EDGE_SECONDS`` (radians): circular mean of the frames."""
    forward = facing_directions(_clip(joints)[:_edge(fps)]).mean(axis=0)
    return float(np.arctan2(forward[0], forward[2]))


def heading_change(joints: np.ndarray, fps: float) -> np.ndarray:
    """Heading relative to the start, unwrapped, per frame (degrees): ``[T]``."""
    track = heading_track(joints)
    start = track[:_edge(fps)].mean()
    return np.degrees(track - start)


def start_axes(joints: np.ndarray, fps: float) -> tuple[np.ndarray, np.ndarray]:
    """The actor's ground-plane ``(forward, left)`` unit vectors ``[2]`` (x, z) at the start."""
    h = initial_heading(joints, fps)
    return np.array([np.sin(h), np.cos(h)]), np.array([np.cos(h), -np.sin(h)])


def pelvis_path(joints: np.ndarray, fps: float) -> np.ndarray:
    """The pelvis on the ground (x, z), smoothed over ``PATH_SMOOTH_SECONDS``: ``[T, 2]``."""
    return _smooth(_clip(joints)[:, 0, [0, 2]], int(round(PATH_SMOOTH_SECONDS * fps)))


def displacement(joints: np.ndarray, fps: float) -> tuple[float, float]:
    """Net pelvis travel from the start to the end in the actor's initial frame: ``(forward, left)`` (m),
    each end averaged over ``EDGE_SECONDS``."""
    pelvis = _clip(joints)[:, 0, [0, 2]]
    k = _edge(fps)
    moved = pelvis[-k:].mean(0) - pelvis[:k].mean(0)
    forward, left = start_axes(joints, fps)
    return float(moved @ forward), float(moved @ left)


def facing_deviation(joints: np.ndarray, fps: float) -> float:
    """The ``KEEP_FACING_QUANTILE`` quantile over frames of |heading - initial heading| (degrees)."""
    return float(np.quantile(np.abs(heading_change(joints, fps)), KEEP_FACING_QUANTILE))


def standing_level(joints: np.ndarray) -> float:
    """The pelvis height most of the clip stays at: its median over frames (m)."""
    return float(np.median(_clip(joints)[:, 0, 1]))


def count_rises(height: np.ndarray, base: float, rise: float = RISE_HEIGHT, back: float = RISE_RETURN) -> int:
    """Number of separate excursions of ``height [T]`` above ``base + rise``, each ended by a return below
    ``base + back`` (hysteresis, so one bumpy rise is one)."""
    count, up = 0, False
    for value in np.asarray(height, dtype=np.float64):
        if not up and value > base + rise:
            count, up = count + 1, True
        elif up and value < base + back:
            up = False
    return count


def count_claps(joints: np.ndarray) -> int:
    """Times the wrists come within ``CLAP_CLOSE`` after having been more than ``CLAP_OPEN`` apart."""
    joints = _clip(joints)
    gap = np.linalg.norm(joints[:, J["left_wrist"]] - joints[:, J["right_wrist"]], axis=-1)
    count, armed = 0, False
    for value in gap:
        if value > CLAP_OPEN:
            armed = True
        elif armed and value < CLAP_CLOSE:
            count, armed = count + 1, False
    return count


def peak_rise(joints: np.ndarray) -> float:
    """Highest pelvis height above the standing level (m)."""
    joints = _clip(joints)
    return float(joints[:, 0, 1].max() - standing_level(joints))


def mean_speed(joints: np.ndarray, fps: float) -> float:
    """Mean horizontal pelvis speed (m/s), as :func:`physics_metrics.mean_speed`."""
    return physics_metrics.mean_speed(_clip(joints), fps)


def hand_up_shares(joints: np.ndarray) -> dict[str, float]:
    """Share of frames on which each wrist is above its shoulder: ``{"left": s, "right": s}``."""
    joints = _clip(joints)
    return {side: float((joints[:, J[f"{side}_wrist"], 1] > joints[:, J[f"{side}_shoulder"], 1]).mean())
            for side in ("left", "right")}


def _r(value: float) -> float:
    return round(float(value), 3)


# ----------------------------------------------------------------------------- direction


def check_backward(joints: np.ndarray, fps: float, distance: float = BACKWARD_DISTANCE) -> Result:
    """The pelvis ends >= ``distance`` m behind where it started (against the initial facing) while the body
    keeps facing the initial way (``facing_deviation`` < ``KEEP_FACING_DEG``)."""
    forward, left = displacement(joints, fps)
    deviation = facing_deviation(joints, fps)
    passed = bool(-forward >= distance and deviation < KEEP_FACING_DEG)
    return passed, {"backward_m": _r(-forward), "left_m": _r(left), "facing_deviation_deg": _r(deviation)}


def check_sideways(joints: np.ndarray, fps: float, side: str, distance: float = SIDEWAYS_DISTANCE) -> Result:
    """The pelvis ends >= ``distance`` m toward ``side`` ("left"/"right", the actor's own at the start),
    with less forward/backward than sideways travel and the body facing the initial way."""
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    forward, left = displacement(joints, fps)
    toward = left if side == "left" else -left
    deviation = facing_deviation(joints, fps)
    passed = bool(toward >= distance and abs(forward) < toward and deviation < KEEP_FACING_DEG)
    return passed, {"toward_side_m": _r(toward), "forward_m": _r(forward), "facing_deviation_deg": _r(deviation)}


def check_turn(joints: np.ndarray, fps: float, turn_deg: float, tolerance: float = TURN_TOLERANCE_DEG,
               max_travel: float = TURN_MAX_TRAVEL) -> Result:
    """The heading at the end minus the heading at the start (unwrapped, degrees) is within ``tolerance``
    of ``turn_deg`` (+90 left, -90 right; +-180 "around" accepts either direction) and the pelvis never
    gets ``max_travel`` m or further from its start."""
    joints = _clip(joints)
    change = heading_change(joints, fps)
    final = float(change[-_edge(fps):].mean())
    error = abs(abs(final) - 180.0) if abs(turn_deg) == 180 else abs(final - turn_deg)
    pelvis = joints[:, 0, [0, 2]]
    travel = float(np.linalg.norm(pelvis - pelvis[0], axis=-1).max())
    passed = bool(error <= tolerance and travel < max_travel)
    return passed, {"turn_deg": _r(final), "error_deg": _r(error), "travel_m": _r(travel)}


def check_spin(joints: np.ndarray, fps: float, turns: float, fraction: float = SPIN_FRACTION) -> Result:
    """The unwrapped heading rotates, end minus start, at least ``fraction * 360 * turns`` degrees in
    either direction."""
    change = heading_change(joints, fps)
    total = float(change[-_edge(fps):].mean())
    passed = bool(abs(total) >= fraction * 360.0 * turns)
    return passed, {"rotation_deg": _r(total), "turns": _r(total / 360.0), "max_abs_deg": _r(np.abs(change).max())}


def check_hand(joints: np.ndarray, fps: float, hand: str, min_share: float = HAND_MIN_SHARE,
               other_ratio: float = HAND_OTHER_RATIO) -> Result:
    """``hand`` ("left", "right" or "both"): the named wrist is above its shoulder on >= ``min_share`` of
    the frames and the other on at most ``other_ratio`` times as many; "both": each on >= ``min_share``."""
    shares = hand_up_shares(joints)
    measured = {"left_up_share": _r(shares["left"]), "right_up_share": _r(shares["right"])}
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
    joints = _clip(joints)
    if what == "clap":
        found = count_claps(joints)
        return bool(abs(found - count) <= CLAP_COUNT_TOLERANCE), {"count": found}
    if what != "jump":
        raise ValueError(f"what must be 'jump' or 'clap', got {what!r}")
    found = count_rises(joints[:, 0, 1], standing_level(joints))
    return bool(found == count), {"count": found, "peak_rise_m": _r(peak_rise(joints))}


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
    return check_order(values), {measure: [_r(v) for v in values]}


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
        return passed, {"furthest_m": _r(furthest), "end_gap_m": _r(gap)}
    if shape != "circle":
        raise ValueError(f"shape must be 'circle' or 'return', got {shape!r}")
    steps = np.diff(path, axis=0)
    moving = np.linalg.norm(steps, axis=-1) > 0.05 / fps  # ignore standing still (< 5 cm/s)
    angles = np.unwrap(np.arctan2(steps[moving, 0], steps[moving, 1])) if moving.sum() > 1 else np.zeros(1)
    turned = float(np.degrees(angles[-1] - angles[0]))
    extent = float(np.ptp(path, axis=0).max())
    sign = {"left": 1.0, "right": -1.0, None: np.sign(turned) or 1.0}[direction]
    passed = bool(sign * turned >= CIRCLE_TURN_DEG and gap <= CIRCLE_CLOSE_SHARE * max(extent, 1e-9) and extent > 0.5)
    return passed, {"path_turn_deg": _r(turned), "extent_m": _r(extent), "end_gap_m": _r(gap)}


def check_skating(joints: np.ndarray, fps: float, limit: float = SKATING_LIMIT) -> Result:
    """Foot skating ratio (:func:`physics_metrics.foot_skating`) below ``limit``; speed is reported too."""
    skating = physics_metrics.foot_skating(_clip(joints), fps)
    return bool(skating["ratio"] < limit), {"skating_ratio": _r(skating["ratio"]), "speed": _r(mean_speed(joints, fps))}


# ----------------------------------------------------------------------------- single actions


def _feet_off(joints: np.ndarray) -> np.ndarray:
    """Per frame, whether every foot joint is ``AIRBORNE_CLEARANCE`` above the clip's usual contact height
    (the median over frames of the lowest foot joint): ``[T]`` bool."""
    feet = joints[:, list(FOOT_JOINTS), 1]
    contact = float(np.median(feet.min(axis=1)))
    return (feet > contact + AIRBORNE_CLEARANCE).all(axis=1)


def _wave_changes(joints: np.ndarray, fps: float, side: str) -> int:
    """Direction changes of the ``side`` wrist's sideways velocity (across the body, relative to the
    shoulder) while it is above the shoulder, counted within each raised stretch."""
    wrist, shoulder = joints[:, J[f"{side}_wrist"]], joints[:, J[f"{side}_shoulder"]]
    forward = facing_directions(joints)
    left = np.stack([forward[:, 2], np.zeros(len(forward)), -forward[:, 0]], axis=-1)
    lateral = _smooth(((wrist - shoulder) * left).sum(-1), 3)
    velocity = np.gradient(lateral) * fps
    up = wrist[:, 1] > shoulder[:, 1]
    changes, last = 0, 0.0
    for frame in range(len(joints)):
        if not up[frame]:
            last = 0.0
            continue
        if abs(velocity[frame]) < WAVE_MIN_SPEED:
            continue
        sign = float(np.sign(velocity[frame]))
        changes += last != 0.0 and sign != last
        last = sign
    return changes


def check_single(joints: np.ndarray, fps: float, action: str) -> Result:
    """The kinematic signature of one action (see the constants): jump, sit, crouch, lie, kneel, kick,
    wave, clap, walk or run."""
    joints = _clip(joints)
    pelvis_y = joints[:, 0, 1]
    start = float(pelvis_y[:_edge(fps)].mean())
    floor = float(joints[..., 1].min())
    if action == "jump":
        rise = peak_rise(joints)
        airborne = int(_feet_off(joints).sum())
        return bool(rise > JUMP_RISE and airborne > 0), {"peak_rise_m": _r(rise), "airborne_frames": airborne}
    if action in ("sit", "crouch"):
        drop = start - float(pelvis_y.min())
        return bool(drop >= SIT_DROP), {"pelvis_drop_m": _r(drop)}
    if action == "lie":
        end = float(pelvis_y[-int(round(0.5 * fps)):].mean()) - floor
        return bool(end < LIE_PELVIS_HEIGHT), {"end_pelvis_height_m": _r(end)}
    if action == "kneel":
        knee = float(joints[:, [J["left_knee"], J["right_knee"]], 1].min()) - floor
        return bool(knee <= KNEEL_KNEE_HEIGHT), {"lowest_knee_m": _r(knee)}
    if action == "kick":
        ankles = joints[:, [J["left_ankle"], J["right_ankle"]], 1]
        rise = float((ankles - ankles[:_edge(fps)].mean(0)).max())
        return bool(rise >= KICK_RISE), {"ankle_rise_m": _r(rise)}
    if action == "wave":
        changes = {side: _wave_changes(joints, fps, side) for side in ("left", "right")}
        return bool(max(changes.values()) >= WAVE_DIRECTION_CHANGES), {f"{s}_changes": c for s, c in changes.items()}
    if action == "clap":
        found = count_claps(joints)
        return bool(found >= CLAP_MIN), {"claps": found}
    if action == "walk":
        length = float(np.linalg.norm(np.diff(pelvis_path(joints, fps), axis=0), axis=-1).sum())
        return bool(length >= WALK_DISTANCE), {"path_m": _r(length)}
    if action == "run":
        speed = mean_speed(joints, fps)
        return bool(speed >= RUN_SPEED), {"speed": _r(speed)}
    raise ValueError(f"unknown single action {action!r}")


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
