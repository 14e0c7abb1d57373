"""Random views of one actor for the parallax dataset: a camera that follows it, a look, what they see.

A *view* is one random camera placement relative to the body: azimuth, elevation, distance and vertical
fov (:data:`AZIMUTH`, :data:`ELEVATION`, :data:`DISTANCE`, :data:`FOV`). It follows the actor: at each
rendered frame the camera aims at that frame's pelvis plus a small random offset (:data:`AIM_OFFSET`, so the
figure is not always centred) from the view's direction relative to that frame's facing.

Angles (degrees), as stored with every frame by :func:`view_angles`:

- ``azimuth`` in (-180, 180]: the horizontal direction of the view axis reversed (target -> camera)
  relative to the body's facing, in ``stickgen.skeleton.heading_angles``' convention: 0 = the camera in
  front of the body, +90 = on the body's left (+x for a body facing +z), 180 = behind it.
- ``elevation``: the view axis's downward pitch (positive: the camera above the target, looking down).

Camera space: x right, y up, z forward (along the view axis, away from the camera), metres.

A *look* (:func:`sample_look`) is one of the four render styles with its limb width scaled and its
background shifted, or ``drawn``: a dark pen on near-white paper, no floor, shadow, head fill or face.
"""
from __future__ import annotations

import colorsys
from dataclasses import dataclass, replace

import numpy as np

from stickgen.motion import Motion, Scene
from stickgen.render import STYLES, CameraPath
from stickgen.render.geometry import actor_geometry
from stickgen.render.styles import StrokePass, Style
from stickgen.skeleton import heading_angles

AZIMUTH = (-180.0, 180.0)
ELEVATION = (-5.0, 40.0)
DISTANCE = (2.5, 7.0)
FOV = (25.0, 60.0)
AIM_OFFSET = 0.3        # metres: the aim point is the pelvis plus up to this much along each world axis
MIN_CAMERA_HEIGHT = 0.1  # metres above the ground
EDGE_PIXELS = 1.0       # the figure keeps this far from the image edge
LOOK_WEIGHTS = {"normal": 0.25, "sketch": 0.15, "ink": 0.15, "neon": 0.15, "drawn": 0.3}
LIMB_SCALE = (0.5, 2.0)  # limb width: the style's times this much
BACKGROUND_JITTER = 24   # each background channel moves by up to this much
DRAWN_LIMB_WIDTH = 0.03  # metres, before the random scale


@dataclass
class View:
    """One view's camera per rendered frame: ``positions: [F, 3]``, ``targets: [F, 3]``, ``fov`` degrees."""

    positions: np.ndarray
    targets: np.ndarray
    fov: float

    def path(self) -> CameraPath:
        return CameraPath(self.positions, self.targets, np.full(len(self.positions), self.fov))


def draw_view(rng: np.random.Generator, joints: np.ndarray) -> View:
    """A random view of ``joints: [F, 22, 3]`` (the rendered frames), following the pelvis."""
    azimuth, elevation = np.radians(rng.uniform(*AZIMUTH)), np.radians(rng.uniform(*ELEVATION))
    distance, fov = rng.uniform(*DISTANCE), rng.uniform(*FOV)
    yaw = heading_angles(joints) + azimuth                                       # [F]
    back = np.stack([np.cos(elevation) * np.sin(yaw), np.full_like(yaw, np.sin(elevation)),
                     np.cos(elevation) * np.cos(yaw)], axis=-1)                  # [F, 3] target -> camera
    targets = joints[:, 0] + rng.uniform(-AIM_OFFSET, AIM_OFFSET, (len(joints), 3))
    return View(targets + distance * back, targets, float(fov))


def fits(view: View, joints: np.ndarray, size: int, limb_width: float) -> bool:
    """Whether the camera is above the ground and the whole figure of ``joints: [F, 22, 3]`` (strokes
    ``limb_width`` metres wide, head circle included) is inside a ``size``-pixel square image at every frame."""
    if view.positions[:, 1].min() < MIN_CAMERA_HEIGHT:
        return False
    g = actor_geometry(joints, view.path(), (size, size), limb_width)
    pad = g.width[..., None] + EDGE_PIXELS                                       # [F, 22, 1]
    head = (g.head_radius + g.width[:, 15] + EDGE_PIXELS)[:, None]               # [F, 1]
    low = np.minimum((g.xy - pad).min(axis=1), g.head_xy - head)
    high = np.maximum((g.xy + pad).max(axis=1), g.head_xy + head)
    return bool(g.visible.all() and low.min() >= 0 and high.max() <= size)


def sample_view(rng: np.random.Generator, joints: np.ndarray, size: int, limb_width: float,
                tries: int = 30) -> View | None:
    """The first of up to ``tries`` random views of ``joints: [F, 22, 3]`` that :func:`fits`, else None."""
    for _ in range(tries):
        view = draw_view(rng, joints)
        if fits(view, joints, size, limb_width):
            return view
    return None


def camera_space(points: np.ndarray, path: CameraPath) -> np.ndarray:
    """World points ``[F, ..., 3]`` in each frame's camera space (x right, y up, z forward): same shape."""
    right, up, forward = path.basis()
    rel = points - path.positions.reshape(-1, *(1,) * (points.ndim - 2), 3)
    return np.stack([np.einsum("t...k,tk->t...", rel, axis) for axis in (right, up, forward)], axis=-1)


def view_angles(view: View, joints: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(azimuth, elevation, distance)``, each ``[F]``, of a view of ``joints: [F, 22, 3]`` (degrees, metres;
    see the module docstring)."""
    back = view.positions - view.targets
    distance = np.linalg.norm(back, axis=-1)
    yaw = np.arctan2(back[:, 0], back[:, 2]) - heading_angles(joints)
    azimuth = np.degrees(np.angle(np.exp(1j * yaw)))  # wrapped into (-180, 180]
    elevation = np.degrees(np.arcsin(np.clip(back[:, 1] / np.maximum(distance, 1e-9), -1.0, 1.0)))
    return azimuth, elevation, distance


def view_scene(joints: np.ndarray, view: View, color: str, fps: float = 25) -> Scene:
    """One actor, ``joints: [F, 22, 3]``, seen at frame ``k`` exactly through the view's camera ``k`` (one
    keyframe per frame: the renderer interpolates between neighbours with weights 0 and 1)."""
    keys = [{"frame": k, "position": p.tolist(), "target": t.tolist(), "fov": view.fov, "interpolation": "linear"}
            for k, (p, t) in enumerate(zip(view.positions, view.targets))]
    return Scene([Motion(joints, color=color)], fps=fps, camera={"keyframes": keys})


# ----------------------------------------------------------------------------- looks


def _color(rng: np.random.Generator, value: tuple[float, float]) -> tuple[int, int, int]:
    rgb = colorsys.hsv_to_rgb(rng.uniform(), rng.uniform(0.4, 1.0), rng.uniform(*value))
    return tuple(int(round(255 * c)) for c in rgb)


def sample_look(rng: np.random.Generator) -> tuple[Style, str]:
    """A random :class:`Style` (``name`` one of :data:`LOOK_WEIGHTS`) and actor colour ``"#rrggbb"``."""
    name = str(rng.choice(list(LOOK_WEIGHTS), p=list(LOOK_WEIGHTS.values())))
    width = float(rng.uniform(*LIMB_SCALE))
    if name == "drawn":  # a pen sketch on paper: no floor, grid, shadow, head fill or face
        paper = tuple(int(v) for v in rng.integers(238, 256, 3))
        pen = tuple(int(v) for v in rng.integers(0, 70, 3))
        style = Style("drawn", paper, paper, paper, paper, paper, (StrokePass(1.0, jitter=0.12),),
                      limb_width=DRAWN_LIMB_WIDTH * width, head_fill=None, face=None, far_shade=0.0, faces=False)
        return style, "#%02x%02x%02x" % pen
    base = STYLES[name]
    shift = rng.integers(-BACKGROUND_JITTER, BACKGROUND_JITTER + 1, 3)
    jitter = {key: tuple(int(v) for v in np.clip(np.add(getattr(base, key), shift), 0, 255))
              for key in ("sky_top", "sky_bottom", "ground", "grid", "shadow")}
    style = replace(base, limb_width=base.limb_width * width, **jitter)
    return style, "#%02x%02x%02x" % _color(rng, (0.75, 1.0) if name == "neon" else (0.2, 0.75))
