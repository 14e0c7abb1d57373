"""One-action signatures for the control benchmark: whether a clip's joints show a jump, a sit or crouch,
lying down, kneeling, a kick, a wave, claps, a walk or a run (:func:`check_single`). Conventions are those
of :mod:`stickgen.eval.control_checks`; each threshold is a module constant with its reason.
"""
from __future__ import annotations

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

J = JOINT_INDEX


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


def check_single(joints: np.ndarray, fps: float, action: str) -> Result:
    """The kinematic signature of one action (see the constants): jump, sit, crouch, lie, kneel, kick,
    wave, clap, walk or run."""
    joints = as_clip(joints)
    pelvis_y = joints[:, 0, 1]
    start = float(pelvis_y[:edge_frames(fps)].mean())
    floor = float(joints[..., 1].min())
    if action == "jump":
        rise = peak_rise(joints)
        airborne = int(_feet_off(joints).sum())
        return bool(rise > JUMP_RISE and airborne > 0), {"peak_rise_m": round3(rise), "airborne_frames": airborne}
    if action in ("sit", "crouch"):
        drop = start - float(pelvis_y.min())
        return bool(drop >= SIT_DROP), {"pelvis_drop_m": round3(drop)}
    if action == "lie":
        end = float(pelvis_y[-int(round(0.5 * fps)):].mean()) - floor
        return bool(end < LIE_PELVIS_HEIGHT), {"end_pelvis_height_m": round3(end)}
    if action == "kneel":
        knee = float(joints[:, [J["left_knee"], J["right_knee"]], 1].min()) - floor
        return bool(knee <= KNEEL_KNEE_HEIGHT), {"lowest_knee_m": round3(knee)}
    if action == "kick":
        ankles = joints[:, [J["left_ankle"], J["right_ankle"]], 1]
        rise = float((ankles - ankles[:edge_frames(fps)].mean(0)).max())
        return bool(rise >= KICK_RISE), {"ankle_rise_m": round3(rise)}
    if action == "wave":
        changes = {side: _wave_changes(joints, fps, side) for side in ("left", "right")}
        return bool(max(changes.values()) >= WAVE_DIRECTION_CHANGES), {f"{s}_changes": c for s, c in changes.items()}
    if action == "clap":
        found = count_claps(joints)
        return bool(found >= CLAP_MIN), {"claps": found}
    if action == "walk":
        length = float(np.linalg.norm(np.diff(pelvis_path(joints, fps), axis=0), axis=-1).sum())
        return bool(length >= WALK_DISTANCE), {"path_m": round3(length)}
    if action == "run":
        speed = mean_speed(joints, fps)
        return bool(speed >= RUN_SPEED), {"speed": round3(speed)}
    raise ValueError(f"unknown single action {action!r}")
