"""Horizontal bar charts drawn with Pillow (no matplotlib needed), for the report's PNG plots."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from PIL import Image, ImageDraw, ImageFont

COLORS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c")
WIDTH, ROW, TOP, LEFT, RIGHT = 760, 34, 46, 230, 90


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float | None], path: str | Path,
              errors: Sequence[float] | None = None, reference: float | None = None,
              reference_label: str = "") -> Path:
    """One bar per label (``None`` values are drawn as "n/a"), optional ± error whiskers and a dashed
    vertical reference line. Writes and returns ``path`` (PNG)."""
    if len(labels) != len(values):
        raise ValueError("labels and values must have the same length")
    font = ImageFont.load_default()
    height = TOP + ROW * len(labels) + 30
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((10, 12), title, fill="black", font=font)
    known = [v for v in values if v is not None]
    extent = max([abs(v) + (max(errors) if errors else 0) for v in known] + [reference or 0, 1e-12])
    scale = (WIDTH - LEFT - RIGHT) / extent
    for i, (label, value) in enumerate(zip(labels, values)):
        y = TOP + i * ROW
        draw.text((10, y + 8), label[:34], fill="black", font=font)
        if value is None:
            draw.text((LEFT + 4, y + 8), "n/a", fill="gray", font=font)
            continue
        end = LEFT + max(abs(value) * scale, 1)
        draw.rectangle([LEFT, y + 4, end, y + ROW - 6], fill=COLORS[i % len(COLORS)])
        if errors:
            half = errors[i] * scale
            draw.line([end - half, y + ROW // 2 - 1, end + half, y + ROW // 2 - 1], fill="black", width=2)
        draw.text((end + 6, y + 8), f"{value:.4g}", fill="black", font=font)
    if reference is not None:
        x = LEFT + reference * scale
        for y in range(TOP - 4, TOP + ROW * len(labels), 8):
            draw.line([x, y, x, y + 4], fill="#c44e52", width=2)
        draw.text((min(x, WIDTH - 150), TOP + ROW * len(labels) + 6), reference_label, fill="#c44e52", font=font)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path
