"""Contact sheets of every action for ``docs/images/actions/``: one generated clip per action, drawn
by ``stickgen.render.contact_sheet``.

    python -m datasets_scripts.synthetic.sheets --out docs/images/actions [--frames 8] [--seed 0]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from stickgen import vocab
from stickgen.skeleton import rotate_y

from . import ActionStep, ClipSpec, generate
from .scene import to_scene

#: steps shown for an action: most alone; some after what they need before them
GAIT = {"path": "straight", "start": False, "stop": False}
SHOWN = {"stand": [ActionStep("stand", 3.0, {"from": "ground"})],
         "walk": [ActionStep("walk", 3.0, {**GAIT, "speed": 1.4})],
         "run": [ActionStep("run", 2.0, {**GAIT, "speed": 3.5})],
         "sprint": [ActionStep("sprint", 2.0, {**GAIT, "speed": 6.0})],
         "dribbling": [ActionStep("dribbling", 2.5, {**GAIT, "speed": 2.5})],
         "typing": [ActionStep("sit", 2.0, {"height_target": "chair"}), ActionStep("typing", 3.0)],
         "running_bases": [ActionStep("running_bases", 8.0, {"base_spacing": 6.0})],
         "dance": [ActionStep("dance", 4.0, {"style": "spin"})]}
#: how far each family is turned toward the camera: gestures three-quarter, the rest side-on
FACING = {"arms": 0.6, "speech": 0.6, "idle": 0.6, "interaction": np.pi / 2, "dance": 0.6}
DURATION = {"walk": 5.0, "run": 4.0, "sprint": 4.0, "lie_down": 4.0, "climbing": 5.0, "crawling": 5.0}


def render_action(action: str, out: Path, frames: int, seed: int) -> Path:
    steps = SHOWN.get(action, [ActionStep(action, DURATION.get(action, 3.5))])
    clip = generate(ClipSpec(steps, height=1.75, seed=seed))
    from stickgen.render.outputs import contact_sheet

    scene = to_scene(clip)
    turn = FACING.get(vocab.action_info(action).family, np.pi / 2)
    for actor in scene.actors:  # turn the clip so the default front camera sees it side-on or three-quarter
        actor.joints = rotate_y(actor.joints, turn)
    pair = len(scene.actors) > 1  # two actors: a fixed shot that frames both
    return contact_sheet(scene, out / f"{action}.png", num_frames=frames, size=(260, 240) if pair else (200, 240),
                         camera_move=None if pair else "track")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="contact sheets of every generated action")
    parser.add_argument("--out", type=Path, default=Path("docs/images/actions"))
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--actions", nargs="*", default=list(vocab.ACTION_NAMES))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for action in args.actions:
        vocab.action_id(action)
        print(render_action(action, args.out, args.frames, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
