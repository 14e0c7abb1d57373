"""Make a plan meet its controls exactly: the root it travels and turns, and the height its jumps reach.

The planner follows the control signals (:mod:`stickgen.control`) closely but not exactly: a spin asked
for three turns may turn four, a backward walk asked at 0.7 m/s go at 0.9, and a jump asked higher rise
no higher. Before the refiner draws the body around the plan's root (``StickGenPipeline``), the root
channels of the plan's features are set to the controls where they are given, keeping the plan's own
step-by-step ripple (the gait's sway and bob), and the pelvis height of a jump stretch is set to the
asked rise where it is asked (each flight's arc, standing between); all on denormalised features
``[T, 137]`` (:mod:`stickgen.features`). After generation, a one-arm action done with the other hand than
the one named is mirrored (:func:`named_hands`).
"""
from __future__ import annotations

import numpy as np

from .control import (
    FORWARD,
    HAND,
    HEADING_RATE,
    HEADING_WINDOW_S,
    PELVIS_RISE,
    ROOT_CONTROLS,
    SIDEWAYS,
    VELOCITY_WINDOW_S,
    WRIST_REACH,
    WRIST_RISE,
    fill_gaps,
    hand_agreement,
    mirror_pose,
    moving_average,
    standing_height,
)
from .features import CONTACTS, HEADING_VELOCITY, ROOT_HEIGHT, ROOT_VELOCITY, FeatureStats, decode
from .limb_steering import steer_limbs
from .skeleton import MIRRORED_FOOT_CONTACTS

#: a pelvis asked this far above standing (m) is in flight: no foot touches the ground
AIRBORNE_RISE = 0.15
#: a jump's sparse height controls (apexes, standing between) govern the frames between them up to this apart (s)
HEIGHT_GAP_S = 1.5


def steered_frames(control: np.ndarray, fps: float) -> tuple[np.ndarray, np.ndarray]:
    """``(steered, lifted)``, both ``[..., T]`` bool, of ``control [..., T, 8]`` (NaN: free): the frames whose
    root the controls fix (every root channel given) and the frames a jump's height controls govern."""
    control = np.asarray(control, dtype=np.float64)
    steered = np.isfinite(control[..., list(ROOT_CONTROLS)]).all(axis=-1)
    lifted = fill_gaps(np.isfinite(control[..., PELVIS_RISE]), int(HEIGHT_GAP_S * fps))
    return steered, lifted


def steer_plan(pose: np.ndarray, stats: FeatureStats, control: np.ndarray, fps: float,
               free: np.ndarray, first_frame: int = 0) -> np.ndarray:
    """Normalised plans ``pose [B, T, 137]`` meeting ``control [B, T, 8]`` on the ``free [B, T]`` frames:
    :func:`steer_root`, then :func:`lift_jumps` over the :func:`steered_frames` a jump governs, then the
    limbs (:func:`stickgen.limb_steering.steer_limbs`; the window starts at the clip's ``first_frame``)."""
    features = stats.denormalize(np.asarray(pose, dtype=np.float64))
    _, lifted = steered_frames(control, fps)
    out = [steer_limbs(lift_jumps(steer_root(f, c, fps, keep), c, fps, up & keep), c, fps, keep, first_frame)
           for f, c, up, keep in zip(features, control, lifted, np.asarray(free, bool))]
    return stats.normalize(np.stack(out)).astype(np.float32)


def steer_root(features: np.ndarray, control: np.ndarray, fps: float, free: np.ndarray) -> np.ndarray:
    """``features [T, 137]`` with the root velocity (x left, z forward, m/s) and heading velocity (rad/s)
    averaged as :func:`stickgen.control.measure` averages them replaced by ``control [T, 8]``'s, on the
    frames where every root channel is given and ``free [T]`` is set (known frames stay as they are)."""
    out = np.array(features, dtype=np.float64)
    given = np.isfinite(control[:, list(ROOT_CONTROLS)]).all(axis=1) & np.asarray(free, bool)
    if not given.any():
        return out
    velocity = out[:, ROOT_VELOCITY]  # [T, 2]: x (left), z (forward)
    ripple = velocity - moving_average(velocity, int(round(VELOCITY_WINDOW_S * fps)))
    wanted = np.stack([control[:, SIDEWAYS], control[:, FORWARD]], axis=1)
    out[given, ROOT_VELOCITY] = (ripple + np.nan_to_num(wanted))[given]
    turning = out[:, HEADING_VELOCITY]
    ripple = turning - moving_average(turning, int(round(HEADING_WINDOW_S * fps)))
    out[given, HEADING_VELOCITY] = (ripple[:, 0] + np.nan_to_num(control[:, HEADING_RATE]))[given, None]
    return out


def lift_jumps(features: np.ndarray, control: np.ndarray, fps: float, stretches: np.ndarray) -> np.ndarray:
    """``features [T, 137]`` whose pelvis height is the plan's standing level (its median where the rise
    asked is 0; else the skeleton's standing height) plus the pelvis rise ``control [T, 8]`` asks for, on
    the frames of ``stretches [T]`` where it asks (a jump's flights and the standing between them; the
    crouches before and after a flight, left free, stay the plan's), and whose foot contacts are off
    where the rise is a flight's (:data:`AIRBORNE_RISE`)."""
    out = np.array(features, dtype=np.float64)
    asked = np.isfinite(control[:, PELVIS_RISE]) & np.asarray(stretches, bool)
    if asked.any():
        standing = asked & (np.abs(np.nan_to_num(control[:, PELVIS_RISE], nan=1.0)) < 1e-6)
        level = (float(np.median(out[standing, ROOT_HEIGHT.start])) if standing.any()  # where the plan stands
                 else standing_height(decode(out, fps)))
        out[asked, ROOT_HEIGHT.start] = level + control[asked, PELVIS_RISE]
        flying = asked & (np.nan_to_num(control[:, PELVIS_RISE]) > AIRBORNE_RISE)
        out[np.ix_(flying, np.arange(CONTACTS.start, CONTACTS.stop))] = 0.0  # no foot is planted in flight
    return out


def named_hands(joints: list[np.ndarray], contacts: list[np.ndarray], control: np.ndarray,
                fps: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Each actor's ``joints [T, 22, 3]`` and ``contacts [T, 4]``, the pose mirrored about the body's
    midplane (:func:`stickgen.control.mirror_pose`: the path and facing stay) when its one-arm action is
    done with the other hand than ``control [B, T, 10]`` names. The planner does not yet follow the hand
    channel and the refiner picks a hand itself; a mirrored point is a point with the other hand. Frames
    whose arms limb steering placed (a wave, a raised hand, a punch) are not judged: a hand held up still
    travels less than the free one."""
    out_joints, out_contacts = [], []
    placed = np.isfinite(control[..., [c for c in (WRIST_RISE, WRIST_REACH) if c < control.shape[-1]]]).any(-1)
    for clip, touch, wanted, arms_placed in zip(joints, contacts, control[..., HAND], placed):
        wanted = np.where(arms_placed, np.nan, wanted)  # limb steering put the named arm where it is
        if hand_agreement(clip, fps, wanted) < 0:
            clip, touch = mirror_pose(clip), touch[:, list(MIRRORED_FOOT_CONTACTS)]
        out_joints.append(clip)
        out_contacts.append(touch)
    return out_joints, out_contacts
