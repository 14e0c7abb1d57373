"""Put a generated canonical-frame clip into the world for an :class:`~stickgen.conditioning.ActorPlan`.

A canonical clip starts with its pelvis above the origin facing +z (``stickgen.features.decode``).
Without a path it is turned by the plan's ``facing`` and moved to its ``start_position``. With a path
the clip's own travelled distance (the arc length of its pelvis on the ground) is laid along the
waypoints: at each frame the pelvis sits at that arc length on the polyline and the body is turned by
the angle between the path's (smoothed) tangent and the clip's own direction of travel there, so the
clip's trajectory bends onto the path while its heading keeps its offset from the travel direction
(a backwards walk keeps facing against the path, a sidestep across it). Until the pelvis has travelled
``HOLD_DISTANCE`` along the path the body keeps the plan's ``facing`` (an actor that high-fives and then
walks away faces the partner first), then it blends to the path over ``BLEND_DISTANCE``. Feet are
planted again afterwards by :func:`stickgen.physics.postprocess`, which the pipeline runs on the placed clip.
"""
from __future__ import annotations

import numpy as np

from .skeleton import heading_angles, rotate_y

HOLD_DISTANCE = 0.1  # metres travelled along a path before the body leaves the plan's facing
BLEND_DISTANCE = 0.4  # metres over which it then turns (smoothstep) to the path-derived heading


def _point_at(polyline: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Points at arc lengths ``s: [T]`` along ``polyline: [K, 2]`` (extended straight past both ends) -> ``[T, 2]``."""
    segments = np.diff(polyline, axis=0)
    lengths = np.linalg.norm(segments, axis=1)
    cumulative = np.concatenate([[0.0], np.cumsum(lengths)])
    index = np.clip(np.searchsorted(cumulative, s, side="right") - 1, 0, len(segments) - 1)
    along = (s - cumulative[index]) / lengths[index]
    return polyline[index] + along[:, None] * segments[index]


def _clean_polyline(start: np.ndarray, path: np.ndarray) -> np.ndarray:
    """``[start, *path]`` without zero-length steps: ``[K, 2]``, K >= 1."""
    points = [start]
    for p in np.asarray(path, dtype=np.float64).reshape(-1, 2):
        if np.linalg.norm(p - points[-1]) > 1e-6:
            points.append(p)
    return np.array(points)


def _heading_between(polyline: np.ndarray, behind: np.ndarray, ahead: np.ndarray) -> np.ndarray:
    """Headings ``[T]`` along ``polyline: [K, 2]`` from arc length ``behind: [T]`` to ``ahead: [T]``."""
    tangent = _point_at(polyline, ahead) - _point_at(polyline, behind)
    return np.arctan2(tangent[:, 0], tangent[:, 1])


def follow_path(joints: np.ndarray, start: np.ndarray, path: np.ndarray, facing: float = 0.0,
                smoothing: float = 0.25) -> np.ndarray:
    """Lay a canonical clip ``[T, 22, 3]`` along ``[start, *path]`` (x/z metres) by arc length.

    Each frame turns about its pelvis by the path's tangent heading minus the clip's own travel
    heading at the same arc length (both measured between the points ``smoothing`` metres behind and
    ahead, the clip's within its own ends, so the body turns over about half a metre at a corner
    instead of snapping). Before
    ``HOLD_DISTANCE`` of travel the turn is ``facing`` (as without a path); it then blends to the
    path's turn over ``BLEND_DISTANCE``.
    """
    joints = np.asarray(joints, dtype=np.float64)
    polyline = _clean_polyline(np.asarray(start, dtype=np.float64), path)
    if len(polyline) < 2:
        raise ValueError("path: needs at least one waypoint away from the start position")
    root = joints[:, 0, [0, 2]]
    s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(root, axis=0), axis=1))])
    travelled = _clean_polyline(root[0], root[1:])
    if len(travelled) < 2:  # a clip that never moves: any travel direction (it keeps ``facing``)
        travelled = np.array([root[0], root[0] + [0.0, 1.0]])
    along_path = _heading_between(polyline, s - smoothing, s + smoothing)
    along_clip = _heading_between(travelled, np.maximum(s - smoothing, 0.0), np.minimum(s + smoothing, s[-1]))
    turn = np.unwrap(along_path - along_clip)
    weight = np.clip((s - HOLD_DISTANCE) / BLEND_DISTANCE, 0.0, 1.0)
    weight = weight * weight * (3 - 2 * weight)
    leaving = min(int(np.searchsorted(s, HOLD_DISTANCE)), len(s) - 1)
    turn += 2 * np.pi * np.round((facing - turn[leaving]) / (2 * np.pi))  # the short way round from facing
    turn = facing + weight * (turn - facing)
    body = joints.copy()
    body[..., [0, 2]] -= root[:, None]
    body = rotate_y(body, turn[:, None])
    body[..., [0, 2]] += _point_at(polyline, s)[:, None]
    return body


def place(joints: np.ndarray, start_position=(0.0, 0.0), facing: float = 0.0,
          path: np.ndarray | None = None) -> np.ndarray:
    """Canonical clip ``[T, 22, 3]`` -> world clip ``[T, 22, 3]``: start at ``start_position`` (x, z).

    The clip is turned by ``facing`` (radians, 0 = +z, positive toward +x); with ``path: [K, 2]``
    it follows the waypoints once it has moved (:func:`follow_path`), heading as its own motion does
    relative to its direction of travel.
    """
    joints = np.asarray(joints, dtype=np.float64)
    start = np.asarray(start_position, dtype=np.float64).reshape(2)
    if path is not None and len(path):
        return follow_path(joints, start, path, facing)
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
