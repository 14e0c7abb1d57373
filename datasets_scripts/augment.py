"""Augmentations of a :class:`~datasets_scripts.rows.DataClip` that keep it physically valid.

- ``mirror``: left and right swapped (joints, partner, contacts, the words in the texts).
- ``speed``: time-warped by a factor in [0.8, 1.2]; skipped for clips with airborne frames, because
  a warped flight would no longer fall at g.
- ``scale``: body and path scaled by s with time stretched by sqrt(s) (dynamic similarity, so a jump
  still falls at g); the new height stays within 1.4-1.95 m.
- warped and scaled clips stay 1-10 s long. Resampling fast motion can dip a swinging foot below the
  ground, so the build curates every variant again.
- ``heading``: rotated about +y and shifted on the ground.

:func:`augment_four` makes the four variants of a clip (none, mirror, speed or heading, scale).
"""
from __future__ import annotations

import math

import numpy as np

from stickgen import skeleton

from .rows import DataClip
from .text.describe import Step
from .text.grammar import swap_left_right

SPEED_RANGE = (0.8, 1.2)
HEIGHT_RANGE = (1.4, 1.95)
DURATION_RANGE = (1.0, 10.0)  # seconds; warped and scaled clips stay as long as generated ones may be
SCALE_RANGE = (0.85, 1.15)
SHIFT = 2.0  # metres, heading augmentation moves the clip up to this far


def _joined(clip: DataClip, name: str) -> str:
    return name if clip.augmentation == "none" else f"{clip.augmentation}+{name}"


def mirror(clip: DataClip) -> DataClip:
    """Left-right mirror image; texts swap "left" and "right"."""
    partner = None if clip.partner_joints is None else skeleton.mirror(clip.partner_joints)
    return clip.with_(joints=skeleton.mirror(clip.joints), partner_joints=partner,
                      contacts=np.asarray(clip.contacts)[:, list(skeleton.MIRRORED_FOOT_CONTACTS)],
                      texts=[swap_left_right(t) for t in clip.texts], augmentation=_joined(clip, "mirror"))


def _retime(clip: DataClip, src_fps: float, joints_scale: float = 1.0) -> DataClip:
    """Resample every track as if the clip had been recorded at ``src_fps``; positions scaled about the
    frame-0 pelvis ground point. Steps keep their share of the clip."""
    origin = clip.joints[0, 0] * np.array([1.0, 0.0, 1.0])

    def move(joints):
        scaled = (joints - origin) * joints_scale + origin
        return skeleton.resample(scaled, src_fps, clip.fps)

    joints = move(clip.joints)
    frames = len(joints)
    index = np.round(np.linspace(0, clip.num_frames - 1, frames)).astype(int)
    ratio = frames / clip.num_frames
    steps = [Step(s.action, int(round(s.start * ratio)), int(round(s.end * ratio)), s.params) for s in clip.steps]
    return clip.with_(joints=joints, partner_joints=None if clip.partner_joints is None else move(clip.partner_joints),
                      action_ids=clip.action_ids[index], expression_ids=clip.expression_ids[index],
                      speech_ids=clip.speech_ids[index], contacts=np.asarray(clip.contacts)[index], steps=steps)


def has_flight(clip: DataClip) -> bool:
    """Whether any frame has no foot in contact (running, jumping)."""
    return bool(np.any(~np.asarray(clip.contacts, dtype=bool).any(axis=1)))


def speed(clip: DataClip, factor: float) -> DataClip:
    """Play ``factor`` times faster (``factor`` > 1 shortens the clip). Refuses clips with flight."""
    if has_flight(clip):
        raise ValueError(f"{clip.id}: a clip with airborne frames cannot be time-warped without breaking gravity")
    return _retime(clip, clip.fps * factor).with_(augmentation=_joined(clip, "speed"))


def scale(clip: DataClip, factor: float) -> DataClip:
    """Scale body and path by ``factor``, time by ``sqrt(factor)`` (g is preserved)."""
    out = _retime(clip, clip.fps / math.sqrt(factor), joints_scale=factor)
    return out.with_(height=clip.height * factor, augmentation=_joined(clip, "scale"))


def heading(clip: DataClip, angle: float, shift: tuple[float, float]) -> DataClip:
    """Rotate by ``angle`` radians about +y through the origin, then move by ``shift`` (x, z) metres."""
    offset = np.array([shift[0], 0.0, shift[1]])

    def move(joints):
        return skeleton.rotate_y(joints, angle) + offset

    partner = None if clip.partner_joints is None else move(clip.partner_joints)
    return clip.with_(joints=move(clip.joints), partner_joints=partner, augmentation=_joined(clip, "heading"))


def _random_heading(clip: DataClip, rng: np.random.Generator) -> DataClip:
    return heading(clip, float(rng.uniform(-math.pi, math.pi)), tuple(rng.uniform(-SHIFT, SHIFT, 2)))


def _bounded_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(rng.uniform(low, high)) if low < high else 1.0


def speed_factor(clip: DataClip, rng: np.random.Generator) -> float:
    """A random factor in SPEED_RANGE that keeps the warped clip within DURATION_RANGE seconds."""
    seconds = (clip.num_frames - 1) / clip.fps
    return _bounded_uniform(rng, max(SPEED_RANGE[0], seconds / DURATION_RANGE[1]),
                            min(SPEED_RANGE[1], seconds / DURATION_RANGE[0]))


def scale_factor(clip: DataClip, rng: np.random.Generator) -> float:
    """A random scale in SCALE_RANGE that keeps the height inside HEIGHT_RANGE and, with time
    stretched by sqrt(scale), the length inside DURATION_RANGE."""
    seconds = max((clip.num_frames - 1) / clip.fps, 1e-6)
    low = max(SCALE_RANGE[0], HEIGHT_RANGE[0] / clip.height, (DURATION_RANGE[0] / seconds) ** 2)
    high = min(SCALE_RANGE[1], HEIGHT_RANGE[1] / clip.height, (DURATION_RANGE[1] / seconds) ** 2)
    return _bounded_uniform(rng, low, high)


def augment_four(clip: DataClip, rng: np.random.Generator) -> list[DataClip]:
    """The clip and three variants: mirror; speed+heading (heading alone with flight); scale+heading.
    Ids get the suffixes -0..-3; the texts of warped and scaled variants are to be re-described."""
    warped = (_random_heading(clip, rng) if has_flight(clip)
              else _random_heading(speed(clip, speed_factor(clip, rng)), rng))
    scaled = _random_heading(scale(clip, scale_factor(clip, rng)), rng)
    variants = [clip, mirror(clip), warped, scaled]
    return [v.with_(id=f"{clip.id}-{i}") for i, v in enumerate(variants)]
