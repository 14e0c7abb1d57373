"""Put a generated canonical-frame clip into the world for an :class:`~stickgen.conditioning.ActorPlan`.

A canonical clip starts with its pelvis above the origin facing +z (``stickgen.features.decode``).
Without a path it is turned by the plan's ``facing`` and moved to its ``start_position``. With a path
the clip's own travelled distance (the arc length of its pelvis on the ground) is laid along the
waypoints: at each frame the pelvis sits at that arc length on the polyline and the body is turned by
the angle between the path's (smoothed) tangent and the clip's own direction of travel there, so the
clip's trajectory bends onto the path while its heading keeps its offset from the travel direction
(a backwards walk keeps facing against the path, a sidestep across it). Until the pelvis is
``HOLD_DISTANCE`` away from its start the body keeps the plan's ``facing`` (an actor that high-fives and then
walks away faces the partner first), then it blends to the path over ``BLEND_DISTANCE``. Feet are
planted again afterwards by :func:`stickgen.physics.postprocess`, which the pipeline runs on the placed clip.
"""
from __future__ import annotations

import numpy as np

from . import vocab
from .skeleton import heading_angles, rotate_y

HOLD_DISTANCE = 0.1  # metres the pelvis must get from its start before the body leaves the plan's facing
BLEND_DISTANCE = 0.4  # metres over which it then turns (smoothstep) to the path-derived heading
LOCOMOTION_IDS = np.array([a.family == "locomotion" for a in vocab.ACTIONS])  # action id -> it travels


def smoothstep(u: np.ndarray) -> np.ndarray:
    """``3u^2 - 2u^3`` of ``u`` clipped to [0, 1]."""
    u = np.clip(u, 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


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


def _chord(polyline: np.ndarray, behind: np.ndarray, ahead: np.ndarray) -> np.ndarray:
    """Ground vectors ``[T, 2]`` along ``polyline: [K, 2]`` from arc length ``behind: [T]`` to ``ahead: [T]``."""
    return _point_at(polyline, ahead) - _point_at(polyline, behind)


def _heading(vectors: np.ndarray) -> np.ndarray:
    return np.arctan2(vectors[:, 0], vectors[:, 1])


def _reversals(polyline: np.ndarray, smoothing: float, step: float = 0.05) -> np.ndarray:
    """Arc lengths ``[R]`` where ``polyline: [K, 2]`` turns back: the chords ``smoothing`` metres before and
    after a point (each at least half that long, so not swaying on the spot) make more than 120 degrees;
    the middle of each such stretch."""
    total = float(np.linalg.norm(np.diff(polyline, axis=0), axis=1).sum())
    grid = np.arange(0.0, total, step)
    ahead = _chord(polyline, grid, np.minimum(grid + smoothing, total))
    behind = _chord(polyline, np.maximum(grid - smoothing, 0.0), grid)
    a, b = np.linalg.norm(ahead, axis=1), np.linalg.norm(behind, axis=1)
    turning = (np.sum(ahead * behind, axis=1) < -0.5 * a * b) & (np.minimum(a, b) > smoothing / 2)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], turning.astype(int), [0]])))
    return (grid[edges[::2]] + grid[edges[1::2] - 1]) / 2


def _match_reversals(s: np.ndarray, clip_turns: np.ndarray, path_turns: np.ndarray) -> np.ndarray:
    """Path arc lengths ``[T]`` for the clip's ``s: [T]``, stretched piecewise so the clip turns back where
    the path does; ``s`` itself unless both turn back equally often with legs within a factor of 2."""
    if len(clip_turns) != len(path_turns) or len(clip_turns) == 0:
        return s
    clip_knots, path_knots = np.concatenate([[0.0], clip_turns]), np.concatenate([[0.0], path_turns])
    ratio = np.diff(path_knots) / np.maximum(np.diff(clip_knots), 1e-9)
    if np.any(ratio < 0.5) or np.any(ratio > 2.0):
        return s
    return np.where(s <= clip_turns[-1], np.interp(s, clip_knots, path_knots), s - clip_turns[-1] + path_turns[-1])


def _path_turn(root: np.ndarray, s: np.ndarray, polyline: np.ndarray, smoothing: float
               ) -> tuple[np.ndarray, np.ndarray]:
    """Per frame, the path arc length ``[T]`` and the turn ``[T]`` (radians, unwrapped) that lays the clip's
    travel direction onto the path's; frames swaying on the spot take the turn of the frames around them
    (NaN everywhere when the clip never travels)."""
    travelled = _clean_polyline(root[0], root[1:])
    if len(travelled) < 2:
        return s, np.full(len(s), np.nan)
    on_path = _match_reversals(s, _reversals(travelled, smoothing), _reversals(polyline, smoothing))
    behind, ahead = np.maximum(s - smoothing, 0.0), np.minimum(s + smoothing, s[-1])
    chord = _chord(travelled, behind, ahead)
    moving = np.flatnonzero(np.linalg.norm(chord, axis=1) > (ahead - behind) / 2)
    if len(moving) == 0:
        return on_path, np.full(len(s), np.nan)
    along_path = _heading(_chord(polyline, on_path - smoothing, on_path + smoothing))
    turn = np.unwrap(along_path[moving] - _heading(chord[moving]))
    return on_path, np.interp(np.arange(len(s)), moving, turn)


def follow_path(joints: np.ndarray, start: np.ndarray, path: np.ndarray, facing: float = 0.0,
                smoothing: float = 0.25, travelling: np.ndarray | None = None) -> np.ndarray:
    """Lay a canonical clip ``[T, 22, 3]`` along ``[start, *path]`` (x/z metres) by arc length.

    With ``travelling [T]`` (bool: the frames whose pelvis travel the path stands for, such as the
    plan's locomotion frames) the path is first scaled about ``start`` to the distance the clip covers
    in them, so a walk that covers less (or more) ground than the path was laid out for still walks
    its whole shape: the circle closes, the turn comes half way.

    Each frame turns about its pelvis by the path's tangent heading minus the clip's own travel
    heading at the same arc length (both measured between the points ``smoothing`` metres behind and
    ahead, so the body turns over about half a metre at a corner instead of snapping). Until the pelvis
    is ``HOLD_DISTANCE`` from where it started the turn is ``facing`` (as without a path); it then
    blends to the path's turn over ``BLEND_DISTANCE``. Where clip and path turn back (a walk there and
    back) equally often, the clip's legs are stretched to the path's so that both turn at one place.
    """
    joints = np.asarray(joints, dtype=np.float64)
    polyline = _clean_polyline(np.asarray(start, dtype=np.float64), path)
    if len(polyline) < 2:
        raise ValueError("path: needs at least one waypoint away from the start position")
    root = joints[:, 0, [0, 2]]
    steps = np.linalg.norm(np.diff(root, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(steps)])
    if travelling is not None:
        covered = steps[np.asarray(travelling, bool)[1:]].sum()
        if covered > 1e-6:
            length = np.linalg.norm(np.diff(polyline, axis=0), axis=1).sum()
            polyline = polyline[0] + (polyline - polyline[0]) * covered / length
    on_path, turn = _path_turn(root, s, polyline, smoothing)
    reach = np.maximum.accumulate(np.linalg.norm(root - root[0], axis=1))
    weight = np.clip((reach - HOLD_DISTANCE) / BLEND_DISTANCE, 0.0, 1.0)
    if np.isnan(turn[0]):
        turn, weight = np.full(len(s), facing), np.zeros(len(s))
    leaving = min(int(np.searchsorted(reach, HOLD_DISTANCE)), len(s) - 1)
    turn += 2 * np.pi * np.round((facing - turn[leaving]) / (2 * np.pi))  # the short way round from facing
    turn = facing + smoothstep(weight) * (turn - facing)
    body = joints.copy()
    body[..., [0, 2]] -= root[:, None]
    body = rotate_y(body, turn[:, None])
    body[..., [0, 2]] += _point_at(polyline, on_path)[:, None]
    return body


def place(joints: np.ndarray, start_position=(0.0, 0.0), facing: float = 0.0,
          path: np.ndarray | None = None, travelling: np.ndarray | None = None) -> np.ndarray:
    """Canonical clip ``[T, 22, 3]`` -> world clip ``[T, 22, 3]``: start at ``start_position`` (x, z).

    The clip is turned by ``facing`` (radians, 0 = +z, positive toward +x); with ``path: [K, 2]``
    it follows the waypoints once it has moved (:func:`follow_path`, which ``travelling [T]`` lets
    scale the path to the clip), heading as its own motion does relative to its direction of travel.
    """
    joints = np.asarray(joints, dtype=np.float64)
    start = np.asarray(start_position, dtype=np.float64).reshape(2)
    if path is not None and len(path):
        return follow_path(joints, start, path, facing, travelling=travelling)
    world = rotate_y(joints, facing)
    world[..., 0] += start[0]
    world[..., 2] += start[1]
    return world


def place_actor(joints: np.ndarray, plan) -> np.ndarray:
    """:func:`place` with an ``ActorPlan``'s ``start_position``, ``facing`` and ``path``, the path scaled
    to the distance the clip covers in the plan's ``locomotion`` frames (``joints`` on the plan's clock)."""
    travelling = LOCOMOTION_IDS[plan.action_ids] if len(plan.action_ids) == len(joints) else None
    return place(joints, plan.start_position, plan.facing, plan.path, travelling)


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
