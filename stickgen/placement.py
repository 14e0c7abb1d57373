"""Put a generated canonical-frame clip into the world for an :class:`~stickgen.conditioning.ActorPlan`.

A canonical clip starts with its pelvis above the origin facing +z (``stickgen.features.decode``).
Without a path it is turned by the plan's ``facing`` and moved to its ``start_position``. With a path
the clip's own travelled distance (the arc length of its pelvis on the ground) is laid along the
waypoints: at each frame the pelvis sits at that arc length on the polyline and the body, taken in its
own heading frame, is turned to the path's (smoothed) tangent. Feet are planted again afterwards by
:func:`stickgen.physics.postprocess`, which the pipeline runs on the placed clip.
"""
from __future__ import annotations

import numpy as np

from .skeleton import heading_angles, rotate_y


def _point_at(polyline: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Points at arc lengths ``s: [T]`` along ``polyline: [K, 2]`` (extended straight past both ends) -> ``[T, 2]``."""
    segments = np.diff(polyline, axis=0)
    lengths = np.linalg.norm(segments, axis=1)
    cumulative = np.concatenate([[0.0], np.cumsum(lengths)])
    index = np.clip(np.searchsorted(cumulative, s, side="right") - 1, 0, len(segments) - 1)
    along = (s - cumulative[index]) / lengths[index]
    return polyline[index] + along[:, None] * segments[index]


def _clean_polyline(start: np.ndarray, path: np.ndarray) -> np.ndarray:
    """``[start, *path]`` without zero-length steps: ``[K, 2]``, K >= 2 (a point straight ahead if needed)."""
    points = [start]
    for p in np.asarray(path, dtype=np.float64).reshape(-1, 2):
        if np.linalg.norm(p - points[-1]) > 1e-6:
            points.append(p)
    return np.array(points)


def follow_path(joints: np.ndarray, start: np.ndarray, path: np.ndarray, smoothing: float = 0.25) -> np.ndarray:
    """Lay a canonical clip ``[T, 22, 3]`` along ``[start, *path]`` (x/z metres) by arc length.

    The tangent is the direction between the path points ``smoothing`` metres behind and ahead, so the
    body turns over about half a metre at a corner instead of snapping.
    """
    joints = np.asarray(joints, dtype=np.float64)
    polyline = _clean_polyline(np.asarray(start, dtype=np.float64), path)
    if len(polyline) < 2:
        raise ValueError("path: needs at least one waypoint away from the start position")
    root = joints[:, 0, [0, 2]]
    s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(root, axis=0), axis=1))])
    tangent = _point_at(polyline, s + smoothing) - _point_at(polyline, s - smoothing)
    tangent_heading = np.arctan2(tangent[:, 0], tangent[:, 1])[:, None]
    body = joints.copy()
    body[..., [0, 2]] -= root[:, None]
    body = rotate_y(body, tangent_heading - heading_angles(joints)[:, None])
    body[..., [0, 2]] += _point_at(polyline, s)[:, None]
    return body


def place(joints: np.ndarray, start_position=(0.0, 0.0), facing: float = 0.0,
          path: np.ndarray | None = None) -> np.ndarray:
    """Canonical clip ``[T, 22, 3]`` -> world clip ``[T, 22, 3]``: start at ``start_position`` (x, z).

    Without ``path: [K, 2]`` the clip is turned by ``facing`` (radians, 0 = +z, positive toward +x);
    with it, the clip follows the waypoints (:func:`follow_path`) and faces along them.
    """
    joints = np.asarray(joints, dtype=np.float64)
    start = np.asarray(start_position, dtype=np.float64).reshape(2)
    if path is not None and len(path):
        return follow_path(joints, start, path)
    world = rotate_y(joints, facing)
    world[..., 0] += start[0]
    world[..., 2] += start[1]
    return world


def place_actor(joints: np.ndarray, plan) -> np.ndarray:
    """:func:`place` with an ``ActorPlan``'s ``start_position``, ``facing`` and ``path``."""
    return place(joints, plan.start_position, plan.facing, plan.path)


def align_to_keyframes(joints: np.ndarray, reference: np.ndarray, keyframes: np.ndarray) -> np.ndarray:
    """Bend a clip's root path so that it meets ``reference`` at ``keyframes``: all ``[T, 22, 3]``, ``[T]`` bool.

    Generated in-betweens integrate their own velocities, so the frames after a gap drift from the
    given ones; the heading and pelvis x/z errors at the keyframes are interpolated linearly over the
    frames between them (held constant outside) and removed, each frame turning about its own pelvis.
    """
    joints = np.asarray(joints, dtype=np.float64)
    keys = np.flatnonzero(keyframes)
    if len(keys) == 0:
        return joints.copy()
    frames = np.arange(len(joints))
    turn = np.unwrap(np.angle(np.exp(1j * (heading_angles(reference[keys]) - heading_angles(joints[keys])))))
    pelvis = joints[:, 0] * np.array([1.0, 0.0, 1.0])
    out = rotate_y(joints - pelvis[:, None], np.interp(frames, keys, turn)[:, None]) + pelvis[:, None]
    for axis in (0, 2):
        error = reference[keys, 0, axis] - out[keys, 0, axis]
        out[..., axis] += np.interp(frames, keys, error)[:, None]
    return out
