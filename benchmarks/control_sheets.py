"""Contact sheets of the control sentences, drawn from a model: docs/images/control/*.png.

Each sheet is one sentence (seed 0 unless ``--seed``) as 8 evenly spaced frames, captioned with the
sentence and what the joints measure (travel along and across the start facing, heading change, highest
pelvis rise, which wrist rose above its shoulder, highest foot rise, claps, farthest fist ahead of its
shoulder), so a reader can check the caption against the picture. A kick is shown at its top and a punch
at its reach; the punches and the kneel are seen from the side.

    .venv/bin/python benchmarks/control_sheets.py --model models/stickgen-small [--out docs/images/control]
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stickgen.control import limb_measures  # noqa: E402
from stickgen.eval.joint_measures import count_claps  # noqa: E402
from stickgen.skeleton import JOINT_INDEX, heading_angles, rotate_y  # noqa: E402

SHEETS = {
    "backward": "She backs away from the barking dog.",
    "sideways": "A man steps sideways to his left.",
    "turn_left": "The soldier turns to his left.",
    "turn_right": "The soldier turns to his right.",
    "spin": "A figure skater twirls three times.",
    "three_jumps": "A boy hops three times.",
    "jump_high": "A person jumps as high as they can.",
    "jump_low": "A person does a small hop.",
    "wave_left": "A man waves with his left hand.",
    "wave_right": "A man waves with his right hand.",
    "kick": "A kid kicks.",
    "claps_three": "A person claps three times.",
    "punches": "A boxer throws a few punches.",
    "kneel": "Someone kneels down.",
}
DURATION = 6.0
NOTABLE = 0.3  # a foot this high above the other or a fist this far ahead of its shoulder (m) gets a frame
#: drawn turned a quarter left: a punch or a kneel toward the camera would hide its reach or its knee
SIDE_VIEW = frozenset({"punches", "kneel"})


def measured(joints: np.ndarray) -> str:
    """A one-line summary of world ``joints [T, 22, 3]`` in the actor's start frame."""
    heading = np.unwrap(heading_angles(joints))
    facing = np.array([np.sin(heading[0]), np.cos(heading[0])])
    left = np.array([facing[1], -facing[0]])
    travel = joints[-1, 0, [0, 2]] - joints[0, 0, [0, 2]]
    rise = joints[:, 0, 1].max() - np.median(joints[:, 0, 1])
    above = {side: joints[:, JOINT_INDEX[f"{side}_wrist"], 1] > joints[:, JOINT_INDEX[f"{side}_shoulder"], 1]
             for side in ("left", "right")}
    raised = [side for side, up in above.items() if np.mean(up) > 0.15]
    limbs = limb_measures(joints)
    return (f"forward {travel @ facing:+.1f} m, to the left {travel @ left:+.1f} m, "
            f"turned {np.degrees(heading[-1] - heading[0]):+.0f} deg, pelvis up to {rise:.2f} m, "
            f"raised wrist: {', '.join(raised) or 'none'}, foot up to {limbs[:, 0].max():.2f} m, "
            f"claps {count_claps(joints)}, fist ahead up to {np.abs(limbs[:, 3]).max():.2f} m")


def sheet(scene, sentence: str, path: Path, frames: int = 8, size: int = 200) -> Path:
    from PIL import Image, ImageDraw

    from stickgen.render import render_frames

    picks = np.linspace(0, scene.num_frames - 1, frames).round().astype(int)
    limbs = np.abs(limb_measures(scene.actors[0].joints))
    for column in (0, 3):  # show a kick at its top, a punch at its reach
        if limbs[:, column].max() > NOTABLE:
            frame = int(np.argmax(limbs[:, column]))
            picks[np.argmin(np.abs(picks - frame))] = frame
    picks = picks.tolist()
    image = Image.new("RGB", (frames * size, size + 40), "white")
    pen = ImageDraw.Draw(image)
    for col, tile in enumerate(render_frames(scene, "normal", (size, size), None, frames=picks)):
        image.paste(Image.fromarray(tile), (col * size, 40))
        pen.text((col * size + 6, 44), f"{picks[col] / scene.fps:.1f} s", fill=(90, 90, 90))
    pen.text((6, 4), f'"{sentence}"', fill="black")
    pen.text((6, 20), measured(scene.actors[0].joints), fill=(60, 60, 160))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="models/stickgen-small")
    parser.add_argument("--out", type=Path, default=Path("docs/images/control"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from stickgen.pipeline import StickGenPipeline

    pipe = StickGenPipeline.from_pretrained(args.model)
    for name, sentence in SHEETS.items():
        scene = pipe(sentence, duration=DURATION, seed=args.seed).scenes[0]
        print(f"{name:12s} {measured(scene.actors[0].joints)}")
        if name in SIDE_VIEW:
            scene = dataclasses.replace(scene, actors=[dataclasses.replace(a, joints=rotate_y(a.joints, np.pi / 2))
                                                       for a in scene.actors])
        sheet(scene, sentence, args.out / f"{name}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
