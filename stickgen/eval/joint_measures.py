"""Measurements on one actor's world joints ``[T, 22, 3]`` that the control checks share: headings and
their change from the start, the smoothed pelvis path and net travel in the actor's starting frame, the
standing level and rises above it, claps, speed and raised hands. Conventions are those of
:mod:`stickgen.eval.control_checks`; thresholds that shape a measurement are module constants with their reason.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..skeleton import JOINT_INDEX, NUM_JOINTS, facing_directions, heading_angles
from . import physics_metrics

#: what every check returns: whether it passed, and the measurements it judged
Result = tuple[bool, dict[str, Any]]

#: seconds at the start (end) averaged for the initial (final) heading and levels: steadier than one frame
EDGE_SECONDS = 0.2
#: seconds of the moving average applied to the pelvis path: removes the side-to-side sway of each step
PATH_SMOOTH_SECONDS = 0.5
#: share of frames allowed to exceed control_checks.KEEP_FACING_DEG (hip/shoulder headings are noisy on single frames)
KEEP_FACING_QUANTILE = 0.9
#: a jump or hop lifts the pelvis at least this far above the standing level (m)
RISE_HEIGHT = 0.10
#: the pelvis is back near standing below this height above the standing level (m): separates two rises
RISE_RETURN = 0.05
#: wrists closer than this have met (m): palms together put the wrist joints 5-10 cm apart
CLAP_CLOSE = 0.12
#: wrists further apart than this are open again (m): a new clap may start. Not 0.30: quick applause
#: (the data generator's own "clap" clips) parts the wrists only 0.2-0.3 m, and 0.30 counted 1 of 12-16 claps
CLAP_OPEN = 0.20

J = JOINT_INDEX


def as_clip(joints: np.ndarray) -> np.ndarray:
    """``joints`` as a float64 ``[T, 22, 3]`` array; ValueError for any other shape or fewer than 2 frames."""
    joints = np.asarray(joints, dtype=np.float64)
    if joints.ndim != 3 or joints.shape[1:] != (NUM_JOINTS, 3) or len(joints) < 2:
        raise ValueError(f"joints: expected a [T, 22, 3] array with T >= 2, got shape {list(joints.shape)}")
    return joints


def edge_frames(fps: float) -> int:
    """Frames in ``EDGE_SECONDS`` at ``fps``, at least one."""
    return max(int(round(EDGE_SECONDS * fps)), 1)


def moving_average(values: np.ndarray, frames: int) -> np.ndarray:
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
    return np.unwrap(heading_angles(as_clip(joints)))


def initial_heading(joints: np.ndarray, fps: float) -> float:
    """The body's heading over the first ``EDGE_SECONDS`` (radians): circular mean of the frames."""
    forward = facing_directions(as_clip(joints)[:edge_frames(fps)]).mean(axis=0)
    return float(np.arctan2(forward[0], forward[2]))


def heading_change(joints: np.ndarray, fps: float) -> np.ndarray:
    """Heading relative to the start, unwrapped, per frame (degrees): ``[T]``."""
    track = heading_track(joints)
    start = track[:edge_frames(fps)].mean()
    return np.degrees(track - start)


def start_axes(joints: np.ndarray, fps: float) -> tuple[np.ndarray, np.ndarray]:
    """The actor's ground-plane ``(forward, left)`` unit vectors ``[2]`` (x, z) at the start."""
    h = initial_heading(joints, fps)
    return np.array([np.sin(h), np.cos(h)]), np.array([np.cos(h), -np.sin(h)])


def pelvis_path(joints: np.ndarray, fps: float) -> np.ndarray:
    """The pelvis on the ground (x, z), smoothed over ``PATH_SMOOTH_SECONDS``: ``[T, 2]``."""
    return moving_average(as_clip(joints)[:, 0, [0, 2]], int(round(PATH_SMOOTH_SECONDS * fps)))


def displacement(joints: np.ndarray, fps: float) -> tuple[float, float]:
    """Net pelvis travel from the start to the end in the actor's initial frame: ``(forward, left)`` (m),
    each end averaged over ``EDGE_SECONDS``."""
    pelvis = as_clip(joints)[:, 0, [0, 2]]
    k = edge_frames(fps)
    moved = pelvis[-k:].mean(0) - pelvis[:k].mean(0)
    forward, left = start_axes(joints, fps)
    return float(moved @ forward), float(moved @ left)


def facing_deviation(joints: np.ndarray, fps: float) -> float:
    """The ``KEEP_FACING_QUANTILE`` quantile over frames of |heading - initial heading| (degrees)."""
    return float(np.quantile(np.abs(heading_change(joints, fps)), KEEP_FACING_QUANTILE))


def standing_level(joints: np.ndarray) -> float:
    """The pelvis height most of the clip stays at: its median over frames (m)."""
    return float(np.median(as_clip(joints)[:, 0, 1]))


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
    joints = as_clip(joints)
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
    joints = as_clip(joints)
    return float(joints[:, 0, 1].max() - standing_level(joints))


def mean_speed(joints: np.ndarray, fps: float) -> float:
    """Mean horizontal pelvis speed (m/s), as :func:`physics_metrics.mean_speed`."""
    return physics_metrics.mean_speed(as_clip(joints), fps)


def hand_up_shares(joints: np.ndarray) -> dict[str, float]:
    """Share of frames on which each wrist is above its shoulder: ``{"left": s, "right": s}``."""
    joints = as_clip(joints)
    return {side: float((joints[:, J[f"{side}_wrist"], 1] > joints[:, J[f"{side}_shoulder"], 1]).mean())
            for side in ("left", "right")}


def round3(value: float) -> float:
    """``value`` as a float rounded to 3 decimals, for the measured values a check reports."""
    return round(float(value), 3)
