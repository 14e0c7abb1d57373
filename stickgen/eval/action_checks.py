"""One-action signatures for the control benchmark: whether a clip's joints show a jump, a sit or crouch,
lying down, kneeling, a kick, a wave, claps, a walk or a run, a point, a punch, crawling, a cheer, a dance
or a climb (:func:`check_single`, :data:`SIGNATURES`). Conventions are those of
:mod:`stickgen.eval.control_checks`; each threshold is a module constant with its reason (the data's
figures: the procedural clips of that action, 5th to 95th percentile).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..skeleton import FOOT_JOINTS, JOINT_INDEX, facing_directions
from .joint_measures import (
    Result,
    as_clip,
    count_claps,
    edge_frames,
    mean_speed,
    moving_average,
    peak_rise,
    pelvis_path,
    round3,
)

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
#: an arm out straight: the wrist at least this share of the arm's length from the shoulder ...
ARM_OUT = 0.85
#: ... and within this height of it (m)
SHOULDER_LEVEL = 0.2
#: pointing holds an arm out at shoulder height on at least this share of frames (the data's points:
#: 0.75-0.97; punches 0.2-0.4; waves under 0.06)
POINT_SHARE = 0.4
#: a punch drives a wrist forward at least this fast (m/s; the data's punches 3.1-4.2, its waves 2.0-2.7)
PUNCH_SPEED = 2.8
#: and has the arm out straight at shoulder height on at least this many frames (at 25 fps: one punch;
#: the data's punches 20-40 % of their frames, a celebration's fists none)
PUNCH_OUT_FRAMES = 3
#: crawling: the pelvis's median height above the floor under this (m; the data's crawls 0.31-0.40,
#: standing about 0.9) ...
CRAWL_PELVIS = 0.5
#: ... the lower wrist's median height under this (m; hands on the floor: 0.07-0.09) ...
CRAWL_HANDS = 0.2
#: ... and the pelvis travelling at least this fast (m/s; 0.27-0.48)
CRAWL_SPEED = 0.15
#: a cheer holds both wrists above their shoulders on at least this share of frames (the data's: all)
CHEER_SHARE = 0.5
#: a dance moves the feet about the pelvis at least this fast on average (m/s; the data's dances 0.12-0.33,
#: standing idle 0.01-0.14) ...
DANCE_FEET = 0.1
#: ... and the arms: a wrist at least this fast at some moment (m/s about its shoulder; dances 1.6-3.3,
#: standing idle under 0.04)
DANCE_WRIST = 1.0
#: a climb lifts the pelvis at least this far above where it started (m)
CLIMB_RISE = 0.4

J = JOINT_INDEX
SIDES = ("left", "right")


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
    lateral = moving_average(((wrist - shoulder) * left).sum(-1), 3)
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


def _arm_out_share(joints: np.ndarray) -> float:
    """The larger share, over the two arms, of frames on which the arm is out straight at shoulder height."""
    return float(_arms_out(joints).mean(axis=1).max())


def _arms_out(joints: np.ndarray) -> np.ndarray:
    """``[2, T]`` bool: on which frames the left and the right arm are out straight at shoulder height."""
    out_straight = []
    for side in SIDES:
        shoulder, elbow, wrist = (joints[:, J[f"{side}_{name}"]] for name in ("shoulder", "elbow", "wrist"))
        length = np.median(np.linalg.norm(elbow - shoulder, axis=-1) + np.linalg.norm(wrist - elbow, axis=-1))
        out = np.linalg.norm(wrist - shoulder, axis=-1) >= ARM_OUT * length
        out_straight.append(out & (np.abs(wrist[:, 1] - shoulder[:, 1]) <= SHOULDER_LEVEL))
    return np.array(out_straight)


def _wrist_speeds(joints: np.ndarray, fps: float) -> tuple[np.ndarray, np.ndarray]:
    """``(forward, total)`` ``[2, T]``: each wrist's speed about its shoulder along the body's facing (signed)
    and in all (m/s)."""
    forward = facing_directions(joints)
    along, total = [], []
    for side in SIDES:
        reach = joints[:, J[f"{side}_wrist"]] - joints[:, J[f"{side}_shoulder"]]
        velocity = np.gradient(reach, axis=0) * fps
        along.append((velocity * forward).sum(-1))
        total.append(np.linalg.norm(velocity, axis=-1))
    return np.array(along), np.array(total)


def _jump(joints: np.ndarray, fps: float) -> Result:
    rise = peak_rise(joints)
    airborne = int(_feet_off(joints).sum())
    return bool(rise > JUMP_RISE and airborne > 0), {"peak_rise_m": round3(rise), "airborne_frames": airborne}


def _sit(joints: np.ndarray, fps: float) -> Result:
    pelvis_y = joints[:, 0, 1]
    drop = float(pelvis_y[:edge_frames(fps)].mean()) - float(pelvis_y.min())
    return bool(drop >= SIT_DROP), {"pelvis_drop_m": round3(drop)}


def _lie(joints: np.ndarray, fps: float) -> Result:
    end = float(joints[-int(round(0.5 * fps)):, 0, 1].mean()) - float(joints[..., 1].min())
    return bool(end < LIE_PELVIS_HEIGHT), {"end_pelvis_height_m": round3(end)}


def _kneel(joints: np.ndarray, fps: float) -> Result:
    knee = float(joints[:, [J["left_knee"], J["right_knee"]], 1].min()) - float(joints[..., 1].min())
    return bool(knee <= KNEEL_KNEE_HEIGHT), {"lowest_knee_m": round3(knee)}


def _kick(joints: np.ndarray, fps: float) -> Result:
    ankles = joints[:, [J["left_ankle"], J["right_ankle"]], 1]
    rise = float((ankles - ankles[:edge_frames(fps)].mean(0)).max())
    return bool(rise >= KICK_RISE), {"ankle_rise_m": round3(rise)}


def _wave(joints: np.ndarray, fps: float) -> Result:
    changes = {side: _wave_changes(joints, fps, side) for side in SIDES}
    return bool(max(changes.values()) >= WAVE_DIRECTION_CHANGES), {f"{s}_changes": c for s, c in changes.items()}


def _clap(joints: np.ndarray, fps: float) -> Result:
    found = count_claps(joints)
    return bool(found >= CLAP_MIN), {"claps": found}


def _walk(joints: np.ndarray, fps: float) -> Result:
    length = float(np.linalg.norm(np.diff(pelvis_path(joints, fps), axis=0), axis=-1).sum())
    return bool(length >= WALK_DISTANCE), {"path_m": round3(length)}


def _run(joints: np.ndarray, fps: float) -> Result:
    speed = mean_speed(joints, fps)
    return bool(speed >= RUN_SPEED), {"speed": round3(speed)}


def _point(joints: np.ndarray, fps: float) -> Result:
    share = _arm_out_share(joints)
    return bool(share >= POINT_SHARE), {"arm_out_share": round3(share)}


def _punch(joints: np.ndarray, fps: float) -> Result:
    out, speed = int(_arms_out(joints).sum(axis=1).max()), float(_wrist_speeds(joints, fps)[0].max())
    return bool(speed >= PUNCH_SPEED and out >= PUNCH_OUT_FRAMES), {"forward_wrist_speed": round3(speed),
                                                                     "arm_out_frames": out}


def _crawl(joints: np.ndarray, fps: float) -> Result:
    floor = float(joints[..., 1].min())
    pelvis = float(np.median(joints[:, 0, 1])) - floor
    hands = float(np.median(joints[:, [J["left_wrist"], J["right_wrist"]], 1].min(axis=1))) - floor
    speed = mean_speed(joints, fps)
    return bool(pelvis < CRAWL_PELVIS and hands < CRAWL_HANDS and speed >= CRAWL_SPEED), {
        "pelvis_height_m": round3(pelvis), "hands_height_m": round3(hands), "speed": round3(speed)}


def _cheer(joints: np.ndarray, fps: float) -> Result:
    share = float(np.all([joints[:, J[f"{s}_wrist"], 1] > joints[:, J[f"{s}_shoulder"], 1] for s in SIDES],
                         axis=0).mean())
    return bool(share >= CHEER_SHARE), {"both_up_share": round3(share)}


def _dance(joints: np.ndarray, fps: float) -> Result:
    feet = joints[:, [J["left_ankle"], J["right_ankle"]]] - joints[:, :1]
    feet_speed = float(np.linalg.norm(np.diff(feet, axis=0), axis=-1).mean() * fps)
    wrist = float(_wrist_speeds(joints, fps)[1].max())
    return bool(feet_speed >= DANCE_FEET and wrist >= DANCE_WRIST), {"feet_speed": round3(feet_speed),
                                                                     "wrist_speed": round3(wrist)}


def _climb(joints: np.ndarray, fps: float) -> Result:
    rise = float(joints[:, 0, 1].max() - joints[:edge_frames(fps), 0, 1].mean())
    return bool(rise >= CLIMB_RISE), {"pelvis_rise_m": round3(rise)}


#: action -> its signature on a clip ``(joints [T, 22, 3], fps) -> (passed, measured)``
SIGNATURES: dict[str, Callable[[np.ndarray, float], Result]] = {
    "jump": _jump, "sit": _sit, "crouch": _sit, "lie": _lie, "kneel": _kneel, "kick": _kick, "wave": _wave,
    "clap": _clap, "walk": _walk, "run": _run, "point": _point, "punch": _punch, "crawl": _crawl,
    "celebrate": _cheer, "dance": _dance, "climb": _climb,
}


def check_single(joints: np.ndarray, fps: float, action: str) -> Result:
    """The kinematic signature of one ``action`` (a key of :data:`SIGNATURES`; see the constants)."""
    if action not in SIGNATURES:
        raise ValueError(f"unknown single action {action!r}; known: {', '.join(SIGNATURES)}")
    return SIGNATURES[action](as_clip(joints), fps)
