"""The automatic director: a camera for a scene that has none of its own, written as ordinary keyframes.

:func:`direct` reads the actors (``joints: [T, 22, 3]``, metres, +y up) and their action segments and
returns a ``.motion`` camera object, ``{"keyframes": [...]}``, that :func:`~stickgen.render.camera.camera_path`
and the web player interpolate alike; :func:`directed` gives the scene with that camera when the scene has
no camera of its own (one with keyframes or moves keeps exactly its camera). The MP4/GIF/PNG renderer
(through :func:`render_camera_path`) and the web player's HTML (``stickgen.render.web``) both direct a
scene this way before they show it.

How it shoots:

- **Subjects.** At each frame, the actors whose action there is not ``idle`` (an actor without an action
  track always acts); when nobody acts, everybody. Each subject is its joints, the top of its drawn head,
  and, when it travels across the view, a lead point ahead of it (:data:`LEAD_HEIGHTS` body heights, full from
  :data:`LEAD_SPEED`), so a walker gets room in the direction it goes.
- **Beats.** Action segment boundaries (of every actor) cut the clip into beats. A beat in which no
  subject's pelvis travels more than :data:`TRAVEL_M` is held: one still shot of everything the subjects do
  in it, so the camera never moves mid-gesture (neighbouring held beats share a shot when a new one would
  change little, :data:`MERGE_GROWTH`); otherwise the camera tracks the subjects frame by frame.
- **Framing.** The subjects' box fills :data:`HEIGHT_FILL` of the frame height (a lone standing actor: about
  that much, head room above) or, when they spread wider, the frame is :data:`WIDTH_MARGIN` times their
  width: interacting actors are both in frame, as large as they fit. A held shot is sized for their median
  pose and keeps all they do in it, the top of a jump too, :data:`EDGE_MARGIN` inside the frame. The camera
  looks from one direction for the whole clip (:func:`~stickgen.render.camera.view_azimuth`, slightly
  above), so it stays on one side of the line between two actors (the 180-degree rule).
- **Moves.** The aim point and the distance are smoothed over time (Gaussian, :data:`SMOOTHING_S`), so steps
  and sway cause no jitter and shots ease into each other around each beat; the distance is never less
  than the running maximum of what nearby frames need to keep the subjects whole around the smoothed aim,
  so they stay whole while it eases. The director never cuts. The path is stored as keyframes: one per
  frame while the camera moves, two per held shot.

Turn it off with an explicit camera: the ``static`` move (``render(..., camera_move="static")``,
``--camera static``) gives the fixed wide shot of the whole clip.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..motion_checks import MAX_CAMERA_KEYFRAMES
from ..skeleton import JOINT_INDEX, rotate_y
from .camera import DEFAULT_FOV, ELEVATION_DEG, CameraPath, camera_path, fit_distance, smooth_path, view_azimuth
from .geometry import HEAD_LIFT, HEAD_RADIUS, body_scale

HEIGHT_FILL = 0.75     # the subjects' box (feet to head top) fills this fraction of the frame height
WIDTH_MARGIN = 1.15    # ... or the frame is this many times wider than their box, whichever is wider
EDGE_MARGIN = 1.08     # everything a held shot shows, its highest jump too, keeps 4 % of the frame to each edge
SMOOTHING_S = 0.3      # Gaussian sigma of the aim point and distance, seconds
TRAVEL_M = 0.5         # a beat in which a subject's pelvis goes farther than this is tracked, else held
MERGE_GROWTH = 0.1     # neighbouring held beats share one shot while it is at most 10 % wider than each's
LEAD_HEIGHTS = 0.4     # lead room: a point this many body heights ahead of a travelling subject is kept in frame
LEAD_SPEED = 1.0       # m/s from which the lead room is full (slower: in proportion)
STILL_M = 0.0002       # keyframes: a camera that stays this close to where it was is held still
DECIMALS = 5           # keyframe coordinates are rounded to 0.01 mm (coarser adds jerk)
MIN_HALF = 0.25        # metres: the smallest half-extent a shot frames


def render_camera_path(scene, size: tuple[int, int] = (512, 512), camera_move=None) -> CameraPath:
    """The camera the renderer shows ``scene`` through on ``size = (W, H)`` frames: the scene's camera with
    ``camera_move`` applied when one is given (``"static"``: the fixed wide shot), else the scene's own camera,
    or the director's when it has none (see :func:`~stickgen.render.camera.camera_path`)."""
    if camera_move is None:
        scene = directed(scene, size[0] / size[1])
    return camera_path(scene, size, camera_move)


def directed(scene, aspect: float = 1.0):
    """``scene`` itself when its camera has keyframes or moves, else a copy with :func:`direct`'s camera."""
    camera = scene.camera or {}
    if camera.get("keyframes") or camera.get("moves"):
        return scene
    return replace(scene, camera={**camera, **direct(scene, aspect)})


def direct(scene, aspect: float = 1.0) -> dict:
    """The directed camera of ``scene`` for frames ``aspect`` (width / height) wide: ``{"keyframes": [...]}``
    with ``frame``, ``position``, ``target`` and ``fov`` per key (see :func:`keyframes`)."""
    azimuth = view_azimuth(np.concatenate([a.joints.reshape(-1, 3) for a in scene.actors]))
    points = subject_points(scene, azimuth)                                   # [A, T, 24, 3]
    acting = acting_mask(scene)                                               # [A, T]
    inside = acting[:, :, None, None]
    low = np.where(inside, points, np.inf).min(axis=(0, 2))                   # [T, 3]
    high = np.where(inside, points, -np.inf).max(axis=(0, 2))
    shot_low, shot_high, typical = low.copy(), high.copy(), high - low        # [T, 3] each
    for start, end in held_shots(scene, acting, low, high, aspect):          # each framed whole, still
        typical[start:end] = np.median(typical[start:end], axis=0)
        shot_low[start:end], shot_high[start:end] = low[start:end].min(axis=0), high[start:end].max(axis=0)
    sigma = SMOOTHING_S * scene.fps
    aim = smooth_path(0.5 * (shot_low + shot_high), sigma)
    framing = np.maximum(   # each shot as composed: the typical pose filling, everything inside the edges
        fit_distance(np.maximum(0.5 * typical, MIN_HALF), aspect, DEFAULT_FOV, (WIDTH_MARGIN, 1 / HEIGHT_FILL)),
        fit_distance(np.maximum(0.5 * (shot_high - shot_low), MIN_HALF), aspect, DEFAULT_FOV, (EDGE_MARGIN,) * 2))
    reach = np.maximum(high - aim, aim - low)                                 # the subjects, around the aim
    whole = fit_distance(np.maximum(reach, MIN_HALF), aspect, DEFAULT_FOV, (EDGE_MARGIN,) * 2)
    distance = smooth_path(np.maximum(framing, running_max(whole, int(3 * sigma) + 1))[:, None], sigma)
    elevation = np.radians(ELEVATION_DEG)
    position = aim + distance * np.array([0.0, np.sin(elevation), np.cos(elevation)])
    return {"keyframes": keyframes(rotate_y(position, azimuth), rotate_y(aim, azimuth), DEFAULT_FOV)}


# ----------------------------------------------------------------------------- subjects and beats


def acting_mask(scene) -> np.ndarray:
    """``[A, T]`` bool: who is a subject at each frame (not idle; everybody where nobody acts)."""
    acting = np.ones((len(scene.actors), scene.num_frames), dtype=bool)
    for row, actor in zip(acting, scene.actors):
        if actor.track("actions"):
            row[:] = False
            for segment in actor.track("actions"):
                row[segment.start:segment.end] = segment.label != "idle"
    acting[:, ~acting.any(axis=0)] = True
    return acting


def beats(scene) -> list[tuple[int, int]]:
    """Half-open frame ranges between consecutive action segment boundaries of any actor."""
    cuts = {0, scene.num_frames}
    for actor in scene.actors:
        cuts.update(b for s in actor.track("actions") for b in (s.start, s.end))
    cuts = sorted(cuts)
    return list(zip(cuts[:-1], cuts[1:]))


def held_shots(scene, acting: np.ndarray, low: np.ndarray, high: np.ndarray, aspect: float
               ) -> list[tuple[int, int]]:
    """The frame ranges shot still: the beats in which no subject travels, neighbours merged into one shot
    while framing them together takes at most :data:`MERGE_GROWTH` more distance than framing either alone.
    ``acting: [A, T]``; ``low, high: [T, 3]`` the subjects' box per frame in the camera's frame."""
    def need(start: int, end: int) -> float:
        half = 0.5 * (high[start:end].max(axis=0) - low[start:end].min(axis=0))
        return float(fit_distance(np.maximum(half, MIN_HALF), aspect, DEFAULT_FOV, (WIDTH_MARGIN, 1 / HEIGHT_FILL)))

    pelvis = np.stack([a.joints[:, 0] for a in scene.actors])                # [A, T, 3]
    shots: list[tuple[int, int]] = []
    for start, end in beats(scene):
        if travels(pelvis[:, start:end], acting[:, start:end]):
            continue
        if shots and shots[-1][1] == start and (need(shots[-1][0], end) <= (1 + MERGE_GROWTH) *
                                                 min(need(*shots[-1]), need(start, end))):
            shots[-1] = (shots[-1][0], end)
        else:
            shots.append((start, end))
    return shots


def travels(pelvis: np.ndarray, acting: np.ndarray) -> bool:
    """Whether an acting actor's pelvis (``pelvis: [A, T, 3]``, ``acting: [A, T]``) leaves its first
    place in the range by more than :data:`TRAVEL_M` over the ground."""
    ground = pelvis[..., [0, 2]] - pelvis[:, :1, [0, 2]]
    return bool((np.linalg.norm(ground, axis=-1)[acting] > TRAVEL_M).any())


def subject_points(scene, azimuth: float) -> np.ndarray:
    """What a shot from ``azimuth`` must show of each actor, in the camera's frame (rotated by
    ``-azimuth``: x across, z toward the camera): ``[A, T, 24, 3]``, its 22 joints, the top of its drawn
    head and its lead point (beside its pelvis, on the side its smoothed path goes across the view)."""
    out = []
    for actor in scene.actors:
        joints, scale = rotate_y(actor.joints, -azimuth), body_scale(actor.joints)
        head, neck = joints[:, JOINT_INDEX["head"]], joints[:, JOINT_INDEX["neck"]]
        up = (head - neck) / np.maximum(np.linalg.norm(head - neck, axis=-1, keepdims=True), 1e-9)
        head_top = head + up * (HEAD_LIFT + HEAD_RADIUS) * scale
        across = smooth_path(joints[:, :1, 0], SMOOTHING_S * scene.fps)[:, 0]        # [T]
        velocity = np.gradient(across) * scene.fps if len(across) > 1 else np.zeros_like(across)
        reach = LEAD_HEIGHTS * 1.75 * scale * np.clip(velocity / LEAD_SPEED, -1.0, 1.0)
        lead = joints[:, 0] + reach[:, None] * np.array([1.0, 0.0, 0.0])
        out.append(np.concatenate([joints, head_top[:, None], lead[:, None]], axis=1))
    return np.stack(out)


# ----------------------------------------------------------------------------- path helpers


def running_max(values: np.ndarray, radius: int) -> np.ndarray:
    """Largest of ``values: [T]`` within ``radius`` frames of each frame: ``[T]``."""
    padded = np.pad(values, radius, mode="edge")
    return np.lib.stride_tricks.sliding_window_view(padded, 2 * radius + 1).max(axis=-1)


def keyframes(positions: np.ndarray, targets: np.ndarray, fov: float) -> list[dict]:
    """Keyframes of the path ``positions, targets: [T, 3]``: one on every frame where the camera moves, and
    only the first and last frame of a stretch where it stays within :data:`STILL_M` of where the stretch
    began (a held shot is two equal keys). Every frame is then exact, whatever the interpolation. A path
    that would need more than the format allows (``MAX_CAMERA_KEYFRAMES``) gets evenly spaced linear keys."""
    path = np.round(np.concatenate([positions, targets], axis=1), DECIMALS)  # [T, 6]
    keys, start = [], 0
    while start < len(path):
        end = start
        while end + 1 < len(path) and np.abs(path[end + 1] - path[start]).max() <= STILL_M:
            end += 1
        keys += [(start, path[start])] + ([(end, path[start])] if end > start else [])
        start = end + 1
    extra = {}
    if len(keys) > MAX_CAMERA_KEYFRAMES:  # over the format's limit (minutes of moving camera): evenly spaced
        step = -(-len(path) // (MAX_CAMERA_KEYFRAMES - 1))
        keys = [(frame, path[frame]) for frame in (*range(0, len(path) - 1, step), len(path) - 1)]
        extra = {"interpolation": "linear"}
    return [{"frame": frame, "position": key[:3].tolist(), "target": key[3:].tolist(), "fov": fov, **extra}
            for frame, key in keys]
