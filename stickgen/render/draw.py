"""Pillow drawing primitives: strokes with per-end widths, the head and the face glyphs.

All coordinates are pixels on the (supersampled) canvas; widths are full widths in pixels.
"""
from __future__ import annotations

import math

import numpy as np
from PIL import ImageDraw

from .. import vocab
from .styles import RGB

EYE_SIZE = 0.13       # glyph sizes relative to the head radius
BROW_LENGTH = 0.24
BROW_LIFT = 0.32
BROW_RAISE = 0.5   # how much of the inner end's rise lifts the whole brow
MOUTH_WIDTH = 0.52
MOUTH_HEIGHT = 0.5


def stroke(draw: ImageDraw.ImageDraw, a: tuple[float, float], b: tuple[float, float], width_a: float,
           width_b: float, color: RGB) -> None:
    """A limb from ``a`` to ``b`` (pixels) whose width goes from ``width_a`` to ``width_b``, with round
    ends. Plain floats: this runs ~20 times per actor and frame."""
    (ax, ay), (bx, by) = a, b
    ra, rb = 0.5 * width_a, 0.5 * width_b
    dx, dy = bx - ax, by - ay
    length = math.hypot(dx, dy)
    if length > 1e-6:
        nx, ny = -dy / length, dx / length
        draw.polygon([(ax + nx * ra, ay + ny * ra), (bx + nx * rb, by + ny * rb), (bx - nx * rb, by - ny * rb),
                      (ax - nx * ra, ay - ny * ra)], fill=color)
    for x, y, r in ((ax, ay, ra), (bx, by, rb)):
        if r >= 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=color)


def head(draw: ImageDraw.ImageDraw, center: np.ndarray, radius: float, width: float, color: RGB,
         fill: RGB | None) -> None:
    """A ring of ``radius`` pixels (measured to the middle of the line) ``width`` pixels thick in
    ``color``, filled with ``fill`` (None: hollow)."""
    x, y = center
    outer = radius + 0.5 * width
    draw.ellipse((x - outer, y - outer, x + outer, y + outer), fill=fill, outline=color,
                 width=max(int(round(width)), 1))


def _box(center: np.ndarray, half_w: float, half_h: float) -> tuple[float, float, float, float]:
    x, y = center
    return (x - half_w, y - half_h, x + half_w, y + max(half_h, 0.0))


def eye(draw: ImageDraw.ImageDraw, center: np.ndarray, radius: float, eye_type: int, color: RGB,
        fill: RGB, line: float) -> None:
    """One eye of type ``vocab.EYE_TYPES[eye_type]`` for a head of ``radius`` pixels."""
    s = EYE_SIZE * radius
    kind = vocab.EYE_TYPES[eye_type]
    w = max(int(round(line)), 1)
    if kind == "dot":
        draw.ellipse(_box(center, s, s), fill=color)
    elif kind == "arc":
        draw.arc(_box(center + (0, 0.6 * s), 1.4 * s, 1.4 * s), 200, 340, fill=color, width=w)
    elif kind == "wide":
        draw.ellipse(_box(center, 1.6 * s, 1.6 * s), fill=fill, outline=color, width=w)
        draw.ellipse(_box(center, 0.75 * s, 0.75 * s), fill=color)
    elif kind == "narrow":
        draw.line([tuple(center - (1.4 * s, 0)), tuple(center + (1.4 * s, 0))], fill=color, width=max(w, int(s)))
    else:  # closed
        draw.arc(_box(center - (0, 0.6 * s), 1.4 * s, 1.4 * s), 20, 160, fill=color, width=w)


def brow(draw: ImageDraw.ImageDraw, eye_center: np.ndarray, radius: float, angle_deg: float, outward: float,
         color: RGB, line: float) -> None:
    """A brow above ``eye_center``: a positive ``angle_deg`` lifts it with the inner end up (surprise,
    worry), a negative one knits it down toward the nose (anger); ``outward`` = +-1 is the screen
    direction of the outer end."""
    half = 0.5 * BROW_LENGTH * radius
    rise = half * np.tan(np.radians(angle_deg))
    center = eye_center - (0, BROW_LIFT * radius + BROW_RAISE * rise)
    inner = center + (-outward * half, -rise)
    outer = center + (outward * half, rise)
    draw.line([tuple(inner), tuple(outer)], fill=color, width=max(int(round(line)), 1))


def mouth(draw: ImageDraw.ImageDraw, center: np.ndarray, radius: float, shape: int, openness: float,
          facing: float, color: RGB, line: float) -> None:
    """The mouth of ``vocab.MOUTH_SHAPES[shape]`` opened ``openness`` (0..1); ``facing`` (0..1) narrows it
    as the head turns to profile."""
    kind = vocab.MOUTH_SHAPES[shape]
    half_w = 0.5 * MOUTH_WIDTH * radius * max(facing, 0.35)
    half_h = 0.5 * MOUTH_HEIGHT * radius * openness
    w = max(int(round(line)), 1)
    if kind in ("smile", "frown"):
        bulge = max(0.45 * half_w, half_h)
        if kind == "smile":
            box, start, end = _box(center - (0, 0.5 * bulge), half_w, bulge), 10, 170
        else:
            box, start, end = _box(center + (0, 0.5 * bulge), half_w, bulge), 190, 350
        if openness > 0.15:
            draw.chord(box, start, end, fill=color)
        else:
            draw.arc(box, start, end, fill=color, width=w)
        return
    if kind == "closed" or half_h < 0.5 * line:
        draw.line([tuple(center - (half_w * 0.8, 0)), tuple(center + (half_w * 0.8, 0))], fill=color, width=w)
        return
    if kind == "small_o":
        r = half_w * (0.3 + 0.6 * openness)
        draw.ellipse(_box(center, r, r * 1.2), fill=color)
    else:
        widths = {"open": 0.75, "wide_open": 1.0, "singing": 0.55}
        heights = {"open": 1.0, "wide_open": 1.25, "singing": 1.35}
        draw.ellipse(_box(center, half_w * widths[kind], half_h * heights[kind]), fill=color)
