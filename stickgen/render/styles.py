"""The four render styles (``vocab.RENDER_STYLES``) as data: colours, stroke widths and stroke passes.

A limb is drawn as one or more *passes*; each pass is a stroke of ``width`` times the style's limb width
in a colour mixed from the actor's colour toward ``mix_to`` by ``mix``. Sketch strokes wobble by
``jitter`` limb widths (a pencil drawn twice); ink strokes taper to ``taper`` of their width at the
child end; neon's wide dim ``glow`` passes, drawn under every figure, and a thin bright core make the glow.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .. import vocab

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class StrokePass:
    width: float
    mix: float = 0.0
    mix_to: RGB = (255, 255, 255)
    jitter: float = 0.0
    glow: bool = False


@dataclass(frozen=True)
class Style:
    """How a frame looks. Widths are metres for a 1.75 m figure (scaled with the actor's size).

    ``faces=False`` draws heads without eyes, brows or mouth.
    """

    name: str
    sky_top: RGB
    sky_bottom: RGB
    ground: RGB
    grid: RGB
    shadow: RGB
    passes: tuple[StrokePass, ...]
    limb_width: float = 0.04
    taper: float = 1.0
    head_fill: RGB | None = (255, 255, 255)
    face: RGB | None = (35, 35, 40)
    face_width: float = 1.0
    far_shade: float = 0.18
    faces: bool = True


GRAPHITE = (60, 60, 70)
INK = (20, 18, 16)

STYLES: dict[str, Style] = {s.name: s for s in (
    Style("normal", sky_top=(206, 225, 242), sky_bottom=(246, 249, 252), ground=(226, 230, 222),
          grid=(205, 210, 200), shadow=(150, 155, 145), passes=(StrokePass(1.0),)),
    Style("sketch", sky_top=(247, 244, 235), sky_bottom=(247, 244, 235), ground=(240, 236, 224),
          grid=(222, 216, 200), shadow=(200, 194, 180),
          passes=(StrokePass(0.32, 0.55, GRAPHITE, jitter=0.22), StrokePass(0.26, 0.3, GRAPHITE, jitter=0.22)),
          head_fill=None, face=GRAPHITE, face_width=0.7),
    Style("ink", sky_top=(250, 246, 232), sky_bottom=(250, 246, 232), ground=(250, 246, 232),
          grid=(236, 228, 205), shadow=(205, 196, 172), passes=(StrokePass(1.0, 0.6, INK),),
          limb_width=0.06, taper=0.4, head_fill=(250, 246, 232), face=INK, face_width=1.3, far_shade=0.0),
    Style("neon", sky_top=(6, 6, 22), sky_bottom=(18, 14, 40), ground=(10, 10, 24), grid=(40, 30, 80),
          shadow=(4, 4, 10),
          passes=(StrokePass(3.2, 0.82, (10, 10, 24), glow=True), StrokePass(2.0, 0.6, (10, 10, 24), glow=True),
                  StrokePass(1.0, 0.0), StrokePass(0.35, 0.7)),
          head_fill=(10, 10, 24), face=None, far_shade=0.3),
)}


def get_style(name: str | Style) -> Style:
    """The :class:`Style` called ``name`` (``ValueError`` naming the choices if unknown)."""
    if isinstance(name, Style):
        return name
    try:
        vocab.style_id(name)
    except KeyError as exc:
        raise ValueError(exc.args[0]) from None
    return STYLES[name]


@lru_cache(maxsize=4096)
def mix(a: RGB, b: RGB, t: float) -> RGB:
    """``a`` moved toward ``b`` by ``t`` (0..1)."""
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))


def hex_to_rgb(color: str) -> RGB:
    """``"#1f77b4"`` (or ``"#17b"``) -> ``(31, 119, 180)``; ``ValueError`` otherwise."""
    text = color.lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    if len(text) != 6:
        raise ValueError(f"colour {color!r}: expected #rrggbb")
    return tuple(int(text[i:i + 2], 16) for i in (0, 2, 4))


def _hex(color: RGB) -> str:
    return "#%02x%02x%02x" % tuple(color)


def player_style(name: str | Style) -> dict:
    """The style as the browser player draws it (``web/player.js``, ``window.STICKGEN_STYLE``): the colours,
    the limb width and the stroke passes (glow passes under every figure first). The player leaves out the
    sketch's wobble and the ink's taper."""
    style = get_style(name)
    return {"name": style.name, "skyTop": _hex(style.sky_top), "skyBottom": _hex(style.sky_bottom),
            "ground": _hex(style.ground), "grid": _hex(style.grid),
            "shadow": "rgba(%d,%d,%d,0.45)" % tuple(style.shadow), "face": style.face and _hex(style.face),
            "headFill": style.head_fill and _hex(style.head_fill), "limbWidth": style.limb_width,
            "passes": [{"width": p.width, "mix": p.mix, "mixTo": _hex(p.mix_to), "glow": p.glow}
                       for p in style.passes]}
