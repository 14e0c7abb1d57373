"""Screen-space geometry of a scene, computed for all frames at once (pure numpy).

:func:`actor_geometry` projects one actor's joints, head, face features and contact shadow through a
:class:`~stickgen.render.camera.CameraPath`; :func:`ground_grid` projects the ground grid lines, clipped
at the near plane. Pixel units are those of the (supersampled) drawing canvas.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..skeleton import JOINT_INDEX, PARENTS, bone_lengths, facing_directions, rest_pose
from .camera import NEAR, CameraPath

HEAD_RADIUS = 0.12          # metres, for a 1.75 m figure
HEAD_LIFT = 0.06            # head circle centre above the head joint, along the neck
SHADOW_RADIUS = 0.32
SHADOW_RINGS = (1.0, 0.72, 0.45)
EYE_SPREAD_DEG = 28.0
EYE_LIFT = 0.18
MOUTH_DROP = 0.42
#: (parent, child) joint pairs, one per drawn limb segment
BONES: tuple[tuple[int, int], ...] = tuple((PARENTS[j], j) for j in range(1, len(PARENTS)))
_CHAIN = [JOINT_INDEX[n] for n in ("left_hip", "left_knee", "left_ankle", "spine1", "spine2", "spine3",
                                     "neck", "head")]


@dataclass
class ActorGeometry:
    """Projected drawing geometry of one actor, all ``[T, ...]``.

    ``xy: [T, 22, 2]`` joint pixels, ``depth: [T, 22]`` metres, ``width: [T, 22]`` limb width in pixels at
    each joint; ``head_xy: [T, 2]``, ``head_radius: [T]`` pixels, ``head_depth: [T]``; ``eyes_xy:
    [T, 2, 2]`` (actor's left, right), ``eyes_visible: [T, 2]``, ``brow_outward: [T, 2]`` (+1 when the
    eye's outer side is toward screen +x), ``mouth_xy: [T, 2]``, ``mouth_facing: [T]`` (1 facing the
    camera, 0 edge-on, < 0 turned away); ``shadow: [T, R, K, 2]`` ground rings, ``shadow_strength: [T]``
    (0..1, fades as the body leaves the ground), ``visible: [T]`` (in front of the camera).
    """

    xy: np.ndarray
    depth: np.ndarray
    width: np.ndarray
    head_xy: np.ndarray
    head_radius: np.ndarray
    head_depth: np.ndarray
    eyes_xy: np.ndarray
    eyes_visible: np.ndarray
    brow_outward: np.ndarray
    mouth_xy: np.ndarray
    mouth_facing: np.ndarray
    shadow: np.ndarray
    shadow_strength: np.ndarray
    visible: np.ndarray


def body_scale(joints: np.ndarray) -> float:
    """Size of a figure relative to the 1.75 m rest pose, from its median bone lengths (``[T, 22, 3]``)."""
    lengths = np.median(bone_lengths(joints), axis=0)
    rest = bone_lengths(rest_pose())
    chain = [j - 1 for j in _CHAIN if j > 0]
    return float(lengths[chain].sum() / rest[chain].sum())


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def actor_geometry(joints: np.ndarray, path: CameraPath, size: tuple[int, int], limb_width: float
                   ) -> ActorGeometry:
    """Geometry of an actor with ``joints: [T, 22, 3]`` on a canvas of ``size = (W, H)`` pixels."""
    scale = body_scale(joints)
    focal = path.focal_lengths(size[1])[:, None]
    xy, depth = path.project(joints, size)
    width = focal * limb_width * scale / np.maximum(depth, NEAR)

    head, neck = joints[:, JOINT_INDEX["head"]], joints[:, JOINT_INDEX["neck"]]
    head_up = _unit(head - neck)
    center = head + head_up * HEAD_LIFT * scale
    radius = HEAD_RADIUS * scale
    forward = facing_directions(joints)
    forward = _unit(forward - np.sum(forward * head_up, axis=-1, keepdims=True) * head_up)
    left = np.cross(head_up, forward)
    to_camera = _unit(path.positions - center)
    spread = np.radians(EYE_SPREAD_DEG)
    eye_dirs = np.stack([_unit(forward * np.cos(spread) + side * left * np.sin(spread) + EYE_LIFT * head_up)
                         for side in (1.0, -1.0)], axis=1)                       # [T, 2, 3]
    mouth_dir = _unit(forward - MOUTH_DROP * head_up)
    features = np.concatenate([center[:, None], center[:, None] + radius * eye_dirs,
                               (center + radius * mouth_dir)[:, None], (center + radius * forward)[:, None]], 1)
    features_xy, features_depth = path.project(features, size)
    head_depth = features_depth[:, 0]
    head_radius = focal[:, 0] * radius / np.maximum(head_depth, NEAR)
    eyes_visible = np.einsum("tek,tk->te", eye_dirs, to_camera) > 0.12
    brow_outward = np.sign(features_xy[:, 1:3, 0] - features_xy[:, 4:5, 0] + 1e-9)

    root = joints[:, 0] * np.array([1.0, 0.0, 1.0])
    angles = np.linspace(0.0, 2 * np.pi, 20, endpoint=False)
    circle = np.stack([np.cos(angles), np.zeros_like(angles), np.sin(angles)], axis=-1)
    rings = root[:, None, None] + SHADOW_RADIUS * scale * np.array(SHADOW_RINGS)[None, :, None, None] * circle
    shadow_xy, shadow_depth = path.project(rings, size)
    lowest = joints[:, :, 1].min(axis=1)
    strength = np.clip(1.0 - lowest / (0.8 * scale), 0.0, 1.0) * (shadow_depth.min(axis=(1, 2)) > NEAR)

    return ActorGeometry(xy=xy, depth=depth, width=width, head_xy=features_xy[:, 0], head_radius=head_radius,
                         head_depth=head_depth, eyes_xy=features_xy[:, 1:3], eyes_visible=eyes_visible,
                         brow_outward=brow_outward, mouth_xy=features_xy[:, 3],
                         mouth_facing=np.sum(mouth_dir * to_camera, axis=-1), shadow=shadow_xy,
                         shadow_strength=strength, visible=depth.min(axis=1) > NEAR)


def ground_grid(path: CameraPath, size: tuple[int, int], center: np.ndarray, extent: float = 8.0,
                spacing: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Ground grid lines around ``center`` (world x, z), clipped at the near plane.

    Returns ``segments: [T, N, 2, 2]`` pixel end points and ``valid: [T, N]`` (False: behind the camera).
    """
    ticks = np.arange(-extent, extent + 1e-9, spacing)
    cx, cz = np.round(np.asarray(center) / spacing) * spacing
    ends = [[(cx + k, 0, cz - extent), (cx + k, 0, cz + extent)] for k in ticks]
    ends += [[(cx - extent, 0, cz + k), (cx + extent, 0, cz + k)] for k in ticks]
    ends = np.array(ends, dtype=np.float64)                                       # [N, 2, 3]
    _, _, forward = path.basis()
    depth = np.einsum("nek,tk->tne", ends, forward) - np.einsum("tk,tk->t", path.positions, forward)[:, None, None]
    near = 2 * NEAR
    d0, d1 = depth[..., 0], depth[..., 1]
    valid = (d0 > near) | (d1 > near)
    u = np.clip((near - d0) / np.where(np.abs(d1 - d0) > 1e-9, d1 - d0, 1e-9), 0.0, 1.0)
    a = ends[None, :, 0] + (ends[None, :, 1] - ends[None, :, 0]) * np.where(d0 < near, u, 0.0)[..., None]
    b = ends[None, :, 1] + (ends[None, :, 0] - ends[None, :, 1]) * np.where(d1 < near, 1.0 - u, 0.0)[..., None]
    xy, _ = path.project(np.stack([a, b], axis=2), size)
    xy, inside = clip_to_rect(xy, size)
    return xy, valid & inside


def clip_to_rect(segments: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Clip 2D segments ``[..., 2, 2]`` to the rectangle ``[0, W] x [0, H]`` (Liang-Barsky).

    Returns the clipped segments and ``inside: [...]`` (False where nothing of a segment is left).
    """
    a, d = segments[..., 0, :], segments[..., 1, :] - segments[..., 0, :]
    low, high = np.zeros(a.shape[:-1]), np.ones(a.shape[:-1])
    for axis, limit in ((0, size[0]), (1, size[1])):
        for p, q in ((-d[..., axis], a[..., axis]), (d[..., axis], limit - a[..., axis])):
            parallel = np.abs(p) < 1e-12
            r = q / np.where(parallel, 1.0, p)
            entering = ~parallel & (p < 0)
            leaving = ~parallel & (p > 0)
            low = np.where(entering, np.maximum(low, r), low)
            high = np.where(leaving, np.minimum(high, r), high)
            high = np.where(parallel & (q < 0), -1.0, high)
    clipped = np.stack([a + d * low[..., None], a + d * high[..., None]], axis=-2)
    return clipped, low <= high

