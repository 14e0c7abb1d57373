"""Draw training curves from ``metrics.csv`` files with Pillow (no plotting library needed).

    python -m training.plot runs/small/metrics.csv runs/refiner_small/metrics.csv \
        --out models/stickgen-small/training_curve.png

One panel per file: the training loss (logged means) and the validation loss against the step, with
the wall-clock minutes of the last point in the panel title.
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

PANEL_W, PANEL_H, MARGIN = 640, 360, 56
COLORS = {"train": (31, 119, 180), "validation": (214, 39, 40)}


def read_curves(path: str | Path, metric: str = "loss") -> dict[str, list[tuple[int, float, float]]]:
    """``{split: [(step, value, elapsed_s), ...]}`` of one metric from a training ``metrics.csv``."""
    curves: dict[str, list[tuple[int, float, float]]] = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["metric"] == metric:
                curves.setdefault(row["split"], []).append((int(row["step"]), float(row["value"]),
                                                            float(row["elapsed_s"])))
    if not curves:
        raise ValueError(f"{path}: no rows for metric {metric!r}")
    return curves


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    return [low + (high - low) * k / (count - 1) for k in range(count)]


def draw_panel(curves: dict[str, list[tuple[int, float, float]]], title: str) -> Image.Image:
    """One ``PANEL_W x PANEL_H`` chart of every split's curve."""
    image = Image.new("RGB", (PANEL_W, PANEL_H), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    points = [p for curve in curves.values() for p in curve]
    x_max = max(p[0] for p in points) or 1
    y_low, y_high = min(p[1] for p in points), max(p[1] for p in points)
    y_high = y_high if y_high > y_low else y_low + 1.0
    left, top, right, bottom = MARGIN, 30, PANEL_W - 16, PANEL_H - 40

    def to_xy(step: float, value: float) -> tuple[float, float]:
        return (left + (right - left) * step / x_max, bottom - (bottom - top) * (value - y_low) / (y_high - y_low))

    draw.rectangle([left, top, right, bottom], outline="black")
    for value in _ticks(y_low, y_high):
        y = to_xy(0, value)[1]
        draw.line([left - 4, y, left, y], fill="black")
        draw.text((4, y - 6), f"{value:.3g}", fill="black", font=font)
    for step in _ticks(0, x_max):
        x = to_xy(step, y_low)[0]
        draw.line([x, bottom, x, bottom + 4], fill="black")
        draw.text((x - 10, bottom + 6), f"{int(step)}", fill="black", font=font)
    draw.text(((left + right) // 2 - 12, PANEL_H - 18), "step", fill="black", font=font)
    minutes = max(p[2] for p in points) / 60
    draw.text((left, 8), f"{title} ({minutes:.1f} min)", fill="black", font=font)
    for k, (split, curve) in enumerate(sorted(curves.items(), key=lambda kv: kv[0] != "train")):
        color = COLORS.get(split, (44, 160, 44))
        xy = [to_xy(step, value) for step, value, _ in curve]
        if len(xy) > 1:
            draw.line(xy, fill=color, width=2)
        for x, y in xy:
            draw.ellipse([x - 2, y - 2, x + 2, y + 2], fill=color)
        draw.text((right - 110, top + 6 + 14 * k), f"{split} loss", fill=color, font=font)
    return image


def plot(paths: list[str | Path], out: str | Path, titles: list[str] | None = None) -> Path:
    """Stack one panel per ``metrics.csv`` vertically and save a PNG to ``out``."""
    titles = titles or [Path(p).parent.name for p in paths]
    panels = [draw_panel(read_curves(p), t) for p, t in zip(paths, titles)]
    sheet = Image.new("RGB", (PANEL_W, PANEL_H * len(panels)), "white")
    for k, panel in enumerate(panels):
        sheet.paste(panel, (0, PANEL_H * k))
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out)
    return Path(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("metrics", nargs="+", help="metrics.csv files written by training.train")
    parser.add_argument("--out", required=True, help="PNG path")
    parser.add_argument("--titles", nargs="*", help="one title per file (default: the run folder name)")
    args = parser.parse_args(argv)
    print(plot(args.metrics, args.out, args.titles))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
