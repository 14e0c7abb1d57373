"""Frame composition: background, ground, grid, contact shadows, then every actor's limbs and heads in
depth order (painter's algorithm: far strokes first, so near limbs cover far ones).

Actors are drawn ``SUPERSAMPLE`` times larger with Pillow and box-filtered down, which anti-aliases
every stroke; each frame redraws and filters only the box around the actors (:func:`_actor_regions`).
With a still camera the floor is drawn once, supersampled; with a moving one it is drawn every frame at
the output size (its grid lines at the shade a supersampled one-pixel line filters down to), and the box
around the actors starts from that floor scaled up.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from . import draw as glyphs
from .camera import CameraPath
from .director import render_camera_path
from .faces import FaceTrack, face_track
from .geometry import BONES, ActorGeometry, actor_geometry, ground_grid
from .styles import RGB, StrokePass, Style, get_style, hex_to_rgb, mix

SUPERSAMPLE = 2
SHADOW_SHADES = (0.3, 0.6, 1.0)
FAR_SHADE_DEPTH = 0.3      # metres behind the actor's middle where far limbs reach full shade
SKETCH_REDRAW_FRAMES = 3   # sketch strokes are "redrawn" (new wobble) every this many frames
SHADE_LEVELS = 32          # far-limb shading is quantized (and its colours cached)


@dataclass
class _Actor:
    geometry: ActorGeometry
    face: FaceTrack
    color: RGB

    def __post_init__(self) -> None:
        depth = self.geometry.depth
        parents, children = zip(*BONES)
        self.bone_depth = (0.5 * (depth[:, parents] + depth[:, children])).tolist()   # [T][21]
        self.middle = np.median(depth, axis=1).tolist()                                # [T]


@dataclass
class _Plan:
    style: Style
    size: tuple[int, int]
    canvas: tuple[int, int]
    path: CameraPath
    actors: list[_Actor]
    background: Image.Image
    horizon: np.ndarray
    grid: np.ndarray
    grid_valid: np.ndarray
    seed: int
    static_floor: bool
    regions: np.ndarray | None = None           # [T, 4] canvas boxes that hold everything drawn per frame
    small_background: Image.Image | None = None  # the output-size background (with the floor if it is still)
    work: Image.Image | None = None             # the canvas reused from frame to frame


def check_size(size: tuple[int, int]) -> tuple[int, int]:
    """``(W, H)`` as ints, ``ValueError`` unless both are within 16..8192."""
    try:
        width, height = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"size must be (width, height), got {size!r}") from None
    if not (16 <= width <= 8192 and 16 <= height <= 8192):
        raise ValueError(f"size must be between 16 and 8192 pixels a side, got {width}x{height}")
    return width, height


def _gradient(top: RGB, bottom: RGB, size: tuple[int, int]) -> Image.Image:
    t = np.linspace(0.0, 1.0, size[1])[:, None]
    column = (np.array(top) * (1 - t) + np.array(bottom) * t).astype(np.uint8)
    return Image.fromarray(np.repeat(column[:, None, :], size[0], axis=1), "RGB")


def plan_scene(scene, style: str | Style = "normal", size: tuple[int, int] = (512, 512),
               camera_move=None, seed: int = 0) -> _Plan:
    """Everything per-frame drawing needs, computed once for the whole clip."""
    style = get_style(style)
    size = check_size(size)
    canvas = (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE)
    path = render_camera_path(scene, size, camera_move)
    actors = [_Actor(actor_geometry(m.joints, path, canvas, style.limb_width), face_track(m, scene.fps),
                     hex_to_rgb(scene.actor_color(i))) for i, m in enumerate(scene.actors)]
    center = np.mean([m.joints[:, 0, [0, 2]].mean(axis=0) for m in scene.actors], axis=0)
    grid, grid_valid = ground_grid(path, canvas, center)
    plan = _Plan(style, size, canvas, path, actors, _gradient(style.sky_top, style.sky_bottom, canvas),
                 path.horizon_y(canvas), grid, grid_valid, seed, static_floor=False)
    if all(np.ptp(v, axis=0).max() == 0 for v in (path.positions, path.targets, path.fovs)):
        _draw_floor(ImageDraw.Draw(plan.background), plan, 0)   # a still camera: draw the floor once
        plan.static_floor = True
    plan.regions = _actor_regions(plan)
    plan.small_background = plan.background.reduce(SUPERSAMPLE)
    plan.work = plan.background.copy()
    return plan


def _actor_regions(plan: _Plan) -> np.ndarray:
    """Per frame, the canvas box ``[x0, y0, x1, y1]`` (multiples of ``SUPERSAMPLE``) that covers every
    stroke, head and shadow of every actor: ``[T, 4]`` int."""
    reach = 0.5 * max(p.width for p in plan.style.passes) + 3 * max(p.jitter for p in plan.style.passes)
    low, high = np.full((len(plan.path), 2), np.inf), np.full((len(plan.path), 2), -np.inf)
    for actor in plan.actors:
        g = actor.geometry
        pad = (g.width.max(axis=1) * reach + 2 * SUPERSAMPLE)[:, None]
        head = (g.head_radius[:, None] + pad)
        low = np.minimum.reduce([low, g.xy.min(axis=1) - pad, g.head_xy - head, g.shadow.min(axis=(1, 2))])
        high = np.maximum.reduce([high, g.xy.max(axis=1) + pad, g.head_xy + head, g.shadow.max(axis=(1, 2))])
    limit = np.array(plan.canvas)
    low = np.clip(np.floor(low / SUPERSAMPLE) * SUPERSAMPLE, 0, limit)
    high = np.clip(np.ceil(high / SUPERSAMPLE) * SUPERSAMPLE, low, limit)
    return np.concatenate([low, high], axis=1).astype(int)


# ----------------------------------------------------------------------------- per frame


def _draw_floor(canvas: ImageDraw.ImageDraw, plan: _Plan, t: int, scale: int = 1) -> None:
    """The ground and its grid at frame ``t`` on the supersampled canvas, or (``scale`` SUPERSAMPLE) on the
    output-size image, with the grid at the shade a supersampled line is filtered down to."""
    style, (width, height) = plan.style, plan.canvas
    horizon = float(np.clip(plan.horizon[t], -1, height + 1))
    if horizon < height:
        canvas.rectangle((0, horizon / scale, width / scale, height / scale), fill=style.ground)
    line = max(SUPERSAMPLE // 2, 1)
    grid = style.grid if scale == 1 else mix(style.ground, style.grid, line / SUPERSAMPLE)
    for (a, b), ok in zip(plan.grid[t], plan.grid_valid[t]):
        if ok:
            canvas.line([tuple(a / scale), tuple(b / scale)], fill=grid, width=1 if scale > 1 else line)


def _draw_shadows(canvas: ImageDraw.ImageDraw, plan: _Plan, t: int) -> None:
    style = plan.style
    for actor in plan.actors:
        strength = actor.geometry.shadow_strength[t]
        if strength > 0.02:
            for ring, shade in zip(actor.geometry.shadow[t], SHADOW_SHADES):
                canvas.polygon([tuple(p) for p in ring], fill=mix(style.ground, style.shadow, shade * strength))


def _limb(canvas: ImageDraw.ImageDraw, actor: _Actor, t: int, bone: tuple[int, int], color: RGB,
          passes: tuple[StrokePass, ...], taper: float, rng: np.random.Generator) -> None:
    g = actor.geometry
    parent, child = bone
    w_a, w_b = float(g.width[t, parent]), float(g.width[t, child])
    for p in passes:
        a, b = g.xy[t, parent], g.xy[t, child]
        if p.jitter:
            a = a + rng.normal(0.0, p.jitter * w_a, 2)
            b = b + rng.normal(0.0, p.jitter * w_b, 2)
        glyphs.stroke(canvas, a.tolist(), b.tolist(), w_a * p.width, w_b * p.width * taper,
                      mix(color, p.mix_to, p.mix))


def _head(canvas: ImageDraw.ImageDraw, actor: _Actor, t: int, color: RGB, passes: tuple[StrokePass, ...],
          fill: RGB | None) -> None:
    g = actor.geometry
    for k, p in enumerate(passes):
        glyphs.head(canvas, g.head_xy[t], g.head_radius[t], g.width[t, 15] * p.width, mix(color, p.mix_to, p.mix),
                    fill if k == 0 else None)


def _face(canvas: ImageDraw.ImageDraw, plan: _Plan, actor: _Actor, t: int, color: RGB) -> None:
    g, f, style = actor.geometry, actor.face, plan.style
    radius = g.head_radius[t]
    if not style.faces or radius < 3 or g.mouth_facing[t] < -0.3:
        return
    ink = style.face or mix(color, (255, 255, 255), 0.45)
    fill = style.head_fill or style.sky_bottom
    line = style.face_width * max(0.09 * radius, 1.0)
    for side in range(2):
        if g.eyes_visible[t, side]:
            glyphs.eye(canvas, g.eyes_xy[t, side], radius, int(f.eyes[t]), ink, fill, line)
            glyphs.brow(canvas, g.eyes_xy[t, side], radius, float(f.brows[t]), float(g.brow_outward[t, side]),
                        ink, line)
    if g.mouth_facing[t] > -0.05:
        glyphs.mouth(canvas, g.mouth_xy[t], radius, int(f.mouths[t]), float(f.openness[t]),
                     float(np.clip(g.mouth_facing[t] * 1.4, 0, 1)), ink, line)


def draw_frame(plan: _Plan, t: int) -> np.ndarray:
    """Frame ``t`` of a planned scene: ``[H, W, 3]`` uint8."""
    image, out = plan.work, plan.small_background.copy()
    region = tuple(int(v) for v in plan.regions[t])
    x0, y0, x1, y1 = region
    if plan.static_floor:
        image.paste(plan.background.crop(region), region[:2])
    else:  # the floor at the output size, and under the actors that floor scaled up
        _draw_floor(ImageDraw.Draw(out), plan, t, scale=SUPERSAMPLE)
        if x1 > x0 and y1 > y0:
            small = out.crop(tuple(v // SUPERSAMPLE for v in region))
            image.paste(small.resize((x1 - x0, y1 - y0), Image.Resampling.NEAREST), region[:2])
    canvas = ImageDraw.Draw(image)
    _draw_shadows(canvas, plan, t)
    rng = np.random.default_rng((plan.seed, t // SKETCH_REDRAW_FRAMES))
    items = []
    for k, actor in enumerate(plan.actors):
        g = actor.geometry
        if not g.visible[t]:
            continue
        middle = actor.middle[t]
        items += [(depth, middle, k, bone) for depth, bone in zip(actor.bone_depth[t], BONES)]
        items.append((float(g.head_depth[t]), middle, k, None))
    items.sort(key=lambda item: -item[0])
    style = plan.style
    glow = tuple(p for p in style.passes if p.glow)
    body = tuple(p for p in style.passes if not p.glow)
    for passes, final in ((glow, False), (body, True)):
        for depth, middle, k, bone in items if passes else ():
            actor = plan.actors[k]
            shade = style.far_shade * min(max((depth - middle) / FAR_SHADE_DEPTH, 0.0), 1.0)
            color = mix(actor.color, style.ground, round(shade * SHADE_LEVELS) / SHADE_LEVELS)
            if bone is not None:
                _limb(canvas, actor, t, bone, color, passes, style.taper, rng)
                continue
            _head(canvas, actor, t, color, passes, style.head_fill if final else None)
            if final:
                _face(canvas, plan, actor, t, color)
    if x1 > x0 and y1 > y0:
        out.paste(image.crop(region).reduce(SUPERSAMPLE), (x0 // SUPERSAMPLE, y0 // SUPERSAMPLE))
    return np.asarray(out)


def render_frames(scene, style: str | Style = "normal", size: tuple[int, int] = (512, 512), camera_move=None,
                  frames: Iterable[int] | None = None, seed: int = 0) -> Iterator[np.ndarray]:
    """Yield the frames of ``scene`` as ``[H, W, 3]`` uint8 arrays (``size = (W, H)``).

    ``frames`` picks frame indices (default: all). The camera is the scene's own, or else the automatic
    director's; ``camera_move`` overrides the scene's camera moves (``"static"``: the fixed wide shot of the
    whole clip, the director turned off; see :func:`stickgen.render.director.render_camera_path`);
    ``seed`` fixes the sketch style's wobble.
    """
    plan = plan_scene(scene, style, size, camera_move, seed)
    indices = range(scene.num_frames) if frames is None else list(frames)
    for t in indices:
        if not 0 <= t < scene.num_frames:
            raise ValueError(f"frame {t} is outside the clip (0..{scene.num_frames - 1})")
    for t in indices:
        yield draw_frame(plan, t)
