"""Contact sheets for the README, from the example files (run ``examples/make_examples.py`` first).

    python examples/make_docs_images.py          # writes docs/images/*.png

- ``style_<style>.png``: the wave example in each render style, six frames.
- ``expressions.png``: the six expressions in close-up, labelled.
- ``speech.png``: one talk cycle (8 Hz) frame by frame, close-up.
- ``camera_moves.png``: one row per camera move over the two-actor example.
- ``two_actors.png``: the two-actor example with its own camera (dolly, then orbit).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from stickgen import vocab
from stickgen.motion import Motion, Scene, Segment
from stickgen.render import contact_sheet, render_frames
from stickgen.skeleton import JOINT_INDEX

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images"


def _labelled_row(tiles: list[np.ndarray], labels: list[str]) -> Image.Image:
    h, w = tiles[0].shape[:2]
    sheet = Image.new("RGB", (w * len(tiles), h), (255, 255, 255))
    pen = ImageDraw.Draw(sheet)
    for i, (tile, label) in enumerate(zip(tiles, labels)):
        sheet.paste(Image.fromarray(tile), (i * w, 0))
        pen.text((i * w + 6, 4), label, fill=(60, 60, 60))
    return sheet


def _close_up(actor: Motion, frames: int) -> Scene:
    head = actor.joints[0, JOINT_INDEX["head"]] + np.array([0.0, 0.06, 0.0])
    camera = {"keyframes": [{"frame": 0, "position": [float(head[0]), float(head[1]) - 0.05, float(head[2]) + 1.1],
                             "target": head.tolist(), "fov": 30.0}]}
    return Scene([actor], fps=25, camera=camera)


def faces(wave: Scene) -> None:
    still = np.repeat(wave.actors[0].joints[:1], 20 * len(vocab.EXPRESSION_NAMES), axis=0)
    names = vocab.EXPRESSION_NAMES
    actor = Motion(still, color="#1f77b4", expressions=[Segment(20 * i, 20 * i + 20, n) for i, n in enumerate(names)])
    tiles = list(render_frames(_close_up(actor, len(still)), size=(200, 200), frames=[20 * i + 15 for i in range(6)]))
    _labelled_row(tiles, list(names)).save(OUT / "expressions.png")
    talk = Motion(still[:12], color="#1f77b4", speech=[Segment(0, 12, "talk")])
    tiles = list(render_frames(_close_up(talk, 12), size=(160, 160), frames=range(8)))
    _labelled_row(tiles, [f"talk {t * 40} ms" for t in range(8)]).save(OUT / "speech.png")


def camera_moves(scene: Scene) -> None:
    rows = []
    picks = np.linspace(0, scene.num_frames - 1, 5).round().astype(int)
    for move in vocab.CAMERA_MOVES:
        tiles = list(render_frames(scene, size=(180, 135), camera_move=move, frames=picks))
        rows.append(_labelled_row(tiles, [move] + [""] * (len(tiles) - 1)))
    sheet = Image.new("RGB", (rows[0].width, sum(r.height for r in rows)))
    for i, row in enumerate(rows):
        sheet.paste(row, (0, i * row.height))
    sheet.save(OUT / "camera_moves.png")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    wave = Scene.load(ROOT / "examples" / "wave.motion")
    two = Scene.load(ROOT / "examples" / "two_actors.motion")
    for style in vocab.RENDER_STYLES:
        contact_sheet(wave, OUT / f"style_{style}.png", num_frames=6, style=style, size=(220, 220))
    faces(wave)
    camera_moves(two)
    contact_sheet(two, OUT / "two_actors.png", num_frames=6, size=(220, 220))
    for path in sorted(OUT.glob("*.png")):
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
