"""Two-bone inverse kinematics and the easing of a placed limb, shared by limb and arm steering
(:mod:`stickgen.limb_steering`, :mod:`stickgen.arm_steering`); joints ``[T, 22, 3]`` in metres."""
from __future__ import annotations

import numpy as np

from .footwork import runs
from .placement import smoothstep

EASE_S = 0.5  # a placed limb (a raised arm, a punch) eases in and out over this long


def two_bone(root: np.ndarray, mid: np.ndarray, end: np.ndarray, target: np.ndarray,
             lengths: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """New ``(mid, end)`` ``[T, 3]`` of the chain root-mid-end with ``end`` at ``target`` (pulled in to reach),
    its bones ``lengths`` (upper, lower) long and ``mid`` bent toward the side it was bent to."""
    upper, lower = lengths
    reach = target - root
    distance = np.clip(np.linalg.norm(reach, axis=-1, keepdims=True), np.abs(upper - lower) + 1e-6,
                       upper + lower - 1e-6)
    axis = reach / np.maximum(np.linalg.norm(reach, axis=-1, keepdims=True), 1e-9)
    bend = (mid - root) - np.sum((mid - root) * axis, axis=-1, keepdims=True) * axis  # the old bend, off the axis
    fallback = np.cross(axis, np.array([1.0, 0.0, 0.0]))
    bend = np.where(np.linalg.norm(bend, axis=-1, keepdims=True) > 1e-6, bend, fallback)
    bend /= np.maximum(np.linalg.norm(bend, axis=-1, keepdims=True), 1e-9)
    along = (upper ** 2 - lower ** 2 + distance ** 2) / (2 * distance)
    across = np.sqrt(np.maximum(upper ** 2 - along ** 2, 0.0))
    new_mid = root + axis * along + bend * across
    return new_mid, root + axis * distance


def chain_lengths(joints: np.ndarray, root: int, mid: int, end: int) -> tuple[float, float]:
    """The clip's median lengths of the bones root-mid and mid-end: those post-processing makes rigid."""
    return (float(np.median(np.linalg.norm(joints[:, mid] - joints[:, root], axis=-1))),
            float(np.median(np.linalg.norm(joints[:, end] - joints[:, mid], axis=-1))))


def ease_weight(asked: np.ndarray, fps: float) -> np.ndarray:
    """``[T]`` 0..1: how far into its wave or punch each frame's arm is, for the frames of a window where one
    is ``asked [T]``: eased over :data:`EASE_S` where it starts or ends, not where it runs on past the
    window's first or last frame (the window before or after eases it)."""
    weight = np.zeros(len(asked))
    ease = max(int(round(EASE_S * fps)), 1)
    for a, b in runs(asked):
        frames = np.arange(a, b)
        rising = np.ones(b - a) if a == 0 else smoothstep((frames - a + 1) / ease)
        falling = np.ones(b - a) if b == len(asked) else smoothstep((b - frames) / ease)
        weight[a:b] = np.minimum(rising, falling)
    return weight
