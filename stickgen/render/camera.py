"""Perspective camera: a scene's own camera (keyframes, the seven camera moves), the wide shot, projection.

Everything is world space (metres, +y up). A camera is a ``position``, a ``target`` it looks at and a
vertical field of view ``fov`` in degrees; the camera never rolls. :func:`camera_path` turns a scene's
``camera`` object (keyframes and moves, see ``stickgen.motion``) into one camera per frame, a
:class:`CameraPath`. Without keyframes it starts from the wide shot: every actor over the whole clip,
from the front (+z), or from the side when the scene stretches along the line of sight
(:func:`view_azimuth`). The renderer and the web player give a scene without any camera the automatic
director's keyframes first (``stickgen.render.director``; :func:`~stickgen.render.director.render_camera_path`
is the camera the renderer uses), so the wide shot alone is what the ``static`` move asks for.

Moves act on the camera of the frames they cover, eased with smoothstep from ``start`` to ``end`` and
held after ``end``; they compose in file order. Optional parameters per move:

- ``static``: none (on a scene without keyframes: the fixed wide shot, the director turned off).
- ``pan``: ``angle`` degrees (default 30), the camera turns in place (positive: toward screen left).
  Without keyframes the default shot starts turned by ``-angle / 2``, so the pan sweeps across it.
- ``zoom``: ``factor`` (default 1.6), the focal length grows by this factor (fov narrows).
- ``track``: ``target_actor`` (default the first actor), camera and target follow the actor's smoothed
  ground path (Gaussian, ``smoothing`` seconds, default 0.5), so steps and sway cause no jitter.
- ``dolly``: ``distance`` metres toward the target (default 40 % of the way; negative moves back).
- ``crane``: ``height`` metres the camera rises while still looking at the target (default 35 % of
  its distance to the target).
- ``orbit``: ``angle`` degrees around the vertical axis through the target (default 360).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import vocab
from ..placement import smoothstep
from ..skeleton import rotate_y

DEFAULT_FOV = 40.0
ELEVATION_DEG = 8.0
FRAMING_MARGIN = 1.15
SIDE_VIEW_ELONGATION = 1.8  # points this many times longer along the line of sight than across: shot from the side
NEAR = 0.05
UP = np.array([0.0, 1.0, 0.0])


@dataclass
class CameraPath:
    """One camera per frame: ``positions: [T, 3]``, ``targets: [T, 3]``, ``fovs: [T]`` (degrees)."""

    positions: np.ndarray
    targets: np.ndarray
    fovs: np.ndarray

    def __len__(self) -> int:
        return len(self.fovs)

    def basis(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Camera axes per frame, each ``[T, 3]``: right, up and forward (unit vectors)."""
        forward = _unit(self.targets - self.positions, np.array([0.0, 0.0, -1.0]))
        right = _unit(np.cross(forward, UP), np.array([1.0, 0.0, 0.0]))
        up = np.cross(right, forward)
        return right, up, forward

    def focal_lengths(self, height: int) -> np.ndarray:
        """Focal length in pixels per frame for an image ``height`` pixels tall: ``[T]``."""
        return 0.5 * height / np.tan(np.radians(self.fovs) * 0.5)

    def project(self, points: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """Project world points ``[T, ..., 3]`` onto a ``size = (W, H)`` image.

        Returns ``xy: [T, ..., 2]`` pixel coordinates (x right, y down) and ``depth: [T, ...]`` metres along
        the view axis (points at depth <= 0 are behind the camera; their ``xy`` is meaningless).
        """
        width, height = size
        right, up, forward = self.basis()
        extra = (1,) * (points.ndim - 2)
        rel = points - self.positions.reshape(-1, *extra, 3)
        cam_x = np.einsum("t...k,tk->t...", rel, right)
        cam_y = np.einsum("t...k,tk->t...", rel, up)
        depth = np.einsum("t...k,tk->t...", rel, forward)
        focal = self.focal_lengths(height).reshape(-1, *extra)
        safe = np.maximum(depth, NEAR)
        xy = np.stack([0.5 * width + focal * cam_x / safe, 0.5 * height - focal * cam_y / safe], axis=-1)
        return xy, depth

    def horizon_y(self, size: tuple[int, int]) -> np.ndarray:
        """Screen row of the ground plane's horizon per frame: ``[T]`` (the camera never rolls)."""
        _, up, forward = self.basis()
        flat = _unit(forward * np.array([1.0, 0.0, 1.0]), np.array([0.0, 0.0, -1.0]))
        along = np.maximum(np.einsum("tk,tk->t", flat, forward), 1e-6)
        return 0.5 * size[1] - self.focal_lengths(size[1]) * np.einsum("tk,tk->t", flat, up) / along


# ----------------------------------------------------------------------------- helpers


def _unit(v: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.where(norm > 1e-9, v / np.maximum(norm, 1e-12), fallback)


def smooth_path(points: np.ndarray, sigma_frames: float) -> np.ndarray:
    """Gaussian smoothing along time with edge padding: ``[T, D] -> [T, D]``."""
    if sigma_frames <= 0 or len(points) < 2:
        return points.copy()
    radius = int(3 * sigma_frames) + 1
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma_frames) ** 2)
    kernel /= kernel.sum()
    padded = np.pad(points, ((radius, radius), (0, 0)), mode="edge")
    return np.stack([np.convolve(padded[:, d], kernel, mode="valid") for d in range(points.shape[1])], axis=1)


# ----------------------------------------------------------------------------- framing


def view_azimuth(points: np.ndarray) -> float:
    """Direction of the default shot of ``points: [N, 3]``, radians about +y (0: the camera at +z looking
    toward -z, the front; positive: toward +x). The front, unless the points stretch along the line of
    sight at least :data:`SIDE_VIEW_ELONGATION` times as far as across it (a body lying toward the camera
    looks like one sitting, a walk straight at the camera hides its stride): then square to their long
    axis, on the side nearer the front."""
    across = points[:, [0, 2]] - points[:, [0, 2]].mean(axis=0)
    spread, axes = np.linalg.eigh(across.T @ across / max(len(across), 1))
    long_axis = axes[:, 1]  # (x, z) of the larger spread
    if spread[1] < SIDE_VIEW_ELONGATION ** 2 * spread[0] or abs(long_axis[1]) < np.cos(np.pi / 4):
        return 0.0
    side = np.array([long_axis[1], -long_axis[0]])
    side = side if side[1] > 0 or (side[1] == 0 and side[0] > 0) else -side
    return float(np.arctan2(side[0], side[1]))


def fit_distance(half: np.ndarray, aspect: float, fov: float = DEFAULT_FOV,
                 margins: tuple[float, float] = (FRAMING_MARGIN, FRAMING_MARGIN)) -> np.ndarray:
    """How far from the centre of a box with half-extents ``half: [..., 3]`` (in the camera's own frame:
    x across, y up, z toward the camera) a camera must stand to see the box whole, ``margins = (across,
    up)`` times larger than it: ``[...]`` metres."""
    tan_half = np.tan(np.radians(fov) * 0.5)
    return np.maximum(margins[1] * half[..., 1] / tan_half,
                      margins[0] * half[..., 0] / (tan_half * aspect)) + half[..., 2]


def frame_points(points: np.ndarray, aspect: float, fov: float = DEFAULT_FOV, all_around: bool = False,
                 azimuth: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Camera ``(position, target)`` slightly above that keeps ``points: [N, 3]`` in view, looking from
    ``azimuth`` (radians about +y, 0: from the front, +z; see :func:`view_azimuth`).

    ``all_around`` sizes the shot for any viewing direction (for orbits).
    """
    points = rotate_y(points, -azimuth)  # the camera's own frame: it looks along -z
    low, high = points.min(axis=0), points.max(axis=0)
    target = 0.5 * (low + high)
    half = 0.5 * (high - low)
    if all_around:
        radius = np.linalg.norm((points - target)[:, [0, 2]], axis=1).max()
        half = np.array([radius, half[1], radius])
    distance = fit_distance(np.maximum(half, 0.25), aspect, fov)
    elevation = np.radians(ELEVATION_DEG)
    position = target + distance * np.array([0.0, np.sin(elevation), np.cos(elevation)])
    return rotate_y(position, azimuth), rotate_y(target, azimuth)


def _keyframe_path(keys: list, num_frames: int) -> CameraPath:
    frames = np.array([k.frame for k in keys], dtype=np.float64)
    positions = np.array([k.position for k in keys], dtype=np.float64)
    targets = np.array([k.target for k in keys], dtype=np.float64)
    fovs = np.array([k.fov for k in keys], dtype=np.float64)
    t = np.arange(num_frames, dtype=np.float64)
    segment = np.clip(np.searchsorted(frames, t, side="right") - 1, 0, max(len(keys) - 2, 0))
    nxt = np.minimum(segment + 1, len(keys) - 1)
    span = np.maximum(frames[nxt] - frames[segment], 1e-9)
    u = np.clip((t - frames[segment]) / span, 0.0, 1.0)
    smooth = np.array([keys[s].interpolation == "smooth" for s in segment])
    u = np.where(smooth, smoothstep(u), u)[:, None]
    return CameraPath(positions[segment] * (1 - u) + positions[nxt] * u,
                      targets[segment] * (1 - u) + targets[nxt] * u,
                      fovs[segment] * (1 - u[:, 0]) + fovs[nxt] * u[:, 0])


# ----------------------------------------------------------------------------- moves


def _actor_index(scene, move: dict[str, Any]) -> int:
    ids = [a.id for a in scene.actors]
    actor = move.get("target_actor", ids[0])
    if actor not in ids:
        raise ValueError(f"camera move {move['move']!r}: no actor with id {actor!r} (actors: {', '.join(ids)})")
    return ids.index(actor)


def _tracked_offsets(scene, move: dict[str, Any]) -> np.ndarray:
    """How far a track move has carried the camera at each frame: ``[T, 3]`` (y = 0)."""
    root = scene.actors[_actor_index(scene, move)].joints[:, 0] * np.array([1.0, 0.0, 1.0])
    smooth = smooth_path(root, float(move.get("smoothing", 0.5)) * scene.fps)
    frames = np.clip(np.arange(scene.num_frames), move["start"], move["end"] - 1)
    return smooth[frames] - smooth[move["start"]]


def _apply_move(path: CameraPath, move: dict[str, Any], scene) -> None:
    name, start, end = move["move"], move["start"], move["end"]
    ease = smoothstep((np.arange(len(path)) - start) / max(end - start, 1))[:, None]
    if name == "pan":
        angle = np.radians(float(move.get("angle", 30.0))) * ease[:, 0]
        path.targets = path.positions + rotate_y(path.targets - path.positions, angle)
    elif name == "orbit":
        angle = np.radians(float(move.get("angle", 360.0))) * ease[:, 0]
        path.positions = path.targets + rotate_y(path.positions - path.targets, angle)
    elif name == "zoom":
        factor = 1.0 + (float(move.get("factor", 1.6)) - 1.0) * ease[:, 0]
        path.fovs = np.degrees(2.0 * np.arctan(np.tan(np.radians(path.fovs) * 0.5) / factor))
    elif name == "dolly":
        toward = path.targets - path.positions
        distance = np.linalg.norm(toward, axis=1, keepdims=True)
        step = float(move["distance"]) if "distance" in move else 0.4 * distance
        path.positions = path.positions + toward / np.maximum(distance, 1e-9) * step * ease
    elif name == "crane":
        distance = np.linalg.norm(path.targets - path.positions, axis=1, keepdims=True)
        height = float(move["height"]) if "height" in move else 0.35 * distance
        path.positions = path.positions + UP * height * ease
    elif name == "track":
        offsets = _tracked_offsets(scene, move)
        path.positions = path.positions + offsets
        path.targets = path.targets + offsets


def _normalize_moves(scene, camera_move: str | dict | list | None) -> list[dict[str, Any]]:
    if camera_move is None:
        moves = list((scene.camera or {}).get("moves", []))
    else:
        moves = camera_move if isinstance(camera_move, list) else [camera_move]
        moves = [{"move": m} if isinstance(m, str) else dict(m) for m in moves]
        for m in moves:
            m.setdefault("start", 0)
            m.setdefault("end", scene.num_frames)
    for m in moves:
        if m.get("move") not in vocab.CAMERA_MOVES:
            raise ValueError(f"unknown camera move {m.get('move')!r}; expected one of: "
                             f"{', '.join(vocab.CAMERA_MOVES)}")
        if not 0 <= m["start"] < m["end"] <= scene.num_frames:
            raise ValueError(f"camera move {m['move']!r}: frames [{m['start']}, {m['end']}) are outside the "
                             f"clip of {scene.num_frames} frames")
    return moves


def camera_path(scene, size: tuple[int, int] = (512, 512), camera_move: str | dict | list | None = None
                ) -> CameraPath:
    """The camera of every frame of ``scene`` for an image of ``size = (W, H)``.

    Starts from the scene's keyframes, or else a camera that frames all actors over the whole clip
    (with a ``track`` move: the tracked actor as seen from the moving camera) from the front, or from the
    side when they (the tracked actor's whole way) stretch along the line of sight (:func:`view_azimuth`;
    not for orbits). Then applies the scene's
    ``camera.moves``, or ``camera_move`` instead when given (a move name, a move dict or a list of them;
    missing ``start``/``end`` cover the whole clip).
    """
    moves = _normalize_moves(scene, camera_move)
    num_frames = scene.num_frames
    keys = scene.camera_keyframes
    if keys:
        path = _keyframe_path(keys, num_frames)
    else:
        track = next((m for m in moves if m["move"] == "track"), None)
        if track is None:
            points = seen = np.concatenate([a.joints.reshape(-1, 3) for a in scene.actors])
        else:  # framed as the moving camera sees it, looking across the way it goes
            actor = scene.actors[_actor_index(scene, track)].joints
            points, seen = (actor - _tracked_offsets(scene, track)[:, None]).reshape(-1, 3), actor.reshape(-1, 3)
        orbit = any(m["move"] == "orbit" for m in moves)
        position, target = frame_points(points, size[0] / size[1], all_around=orbit,
                                        azimuth=0.0 if orbit else view_azimuth(seen))
        path = CameraPath(np.tile(position, (num_frames, 1)), np.tile(target, (num_frames, 1)),
                          np.full(num_frames, DEFAULT_FOV))
        for pan in (m for m in moves if m["move"] == "pan"):
            path.targets = path.positions + rotate_y(path.targets - path.positions,
                                                     -0.5 * np.radians(float(pan.get("angle", 30.0))))
    for move in moves:
        _apply_move(path, move, scene)
    return path
