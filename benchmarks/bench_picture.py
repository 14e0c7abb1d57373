"""Animating from a picture: does the clip start in the picture's pose, seen from its side, and then do what
the text says?

For ``--frames`` frames of the parallax dataset's test split (held-out clips seen from new cameras; half in
the rendered looks, half in the hand-drawn look) and each prompt of :data:`PROMPTS`, the pipeline makes a
``--duration`` s clip (seed 0) that starts from the frame (``pipe(prompt, image=frame, image_time=0)``).
Per clip:

- **kept**: the first frame's pose against the pose the encoder read from the picture, per joint after the
  best rotation, scale and translation (cm; max and mean over the joints): what the fusion keeps;
- **true**: the same against the frame's true pose (levelled as the encoder's reading is: camera space is
  left-handed, the world right-handed): the encoder and the fusion together;
- **text**: the prompt's kinematic check of the control suite (``stickgen.eval.control_checks``) passes;
- **camera**: the angle between the true pelvis-to-camera direction in the body's frame and that of the
  scene's camera at the first frame (degrees).

Prints a table (medians, and the share of clips within 5 cm on every joint) and writes
benchmarks/results/bench_picture.json. ``--sheets DIR`` also draws, for the example drawing and the first
two test frames, the picture followed by seven frames of the clip it starts (docs/images/picture/).

    .venv/bin/python benchmarks/bench_picture.py [--model models/stickgen-small] [--data data/parallax]
        [--frames 16] [--duration 6] [--sheets docs/images/picture]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stickgen.eval import control_checks  # noqa: E402
from stickgen.eval.image_pose import DRAWN_STYLE, camera_direction, load_frames, procrustes_align  # noqa: E402

RESULTS = Path(__file__).parent / "results"
#: (prompt, control-suite category, its check's parameters)
PROMPTS = (("A person walks forward.", "single", {"action": "walk"}),
           ("A man waves with his right hand.", "hand", {"hand": "right"}),
           ("A little boy hops three times on the spot.", "count", {"count": 3, "what": "jump"}),
           ("Someone sidesteps to their left.", "sideways", {"side": "left"}))
WITHIN_CM = 5.0


def aligned_error_cm(pose: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Per-joint distance (cm) of ``pose [22, 3]`` moved onto ``reference [22, 3]`` by the best similarity."""
    return 100 * np.linalg.norm(procrustes_align(pose[None], reference[None])[0] - reference, axis=-1)


def camera_error_deg(scene, truth_azimuth: float, truth_elevation: float) -> float:
    """The angle between the true direction to the camera (body frame) and the scene camera's at frame 0."""
    from stickgen.render.camera import camera_path
    from stickgen.skeleton import heading_angles

    path, body = camera_path(scene), scene.actors[0].joints[0]
    toward = path.positions[0] - path.targets[0]
    azimuth = np.degrees(np.arctan2(toward[0], toward[2]) - heading_angles(body))
    elevation = np.degrees(np.arcsin(toward[1] / np.linalg.norm(toward)))
    shown, true = camera_direction(np.array([azimuth]), np.array([elevation])), \
        camera_direction(np.array([truth_azimuth]), np.array([truth_elevation]))
    return float(np.degrees(np.arccos(np.clip((shown * true).sum(), -1.0, 1.0))))


def picture_sheet(picture: np.ndarray, scene, path: Path, tile: int = 192) -> Path:
    """One row: ``picture`` (fitted into a square) and seven evenly spaced frames of ``scene``, as seen
    from the scene's own camera (the picture's), written to ``path``."""
    from PIL import Image, ImageOps

    from stickgen.render import render_frames

    picks = np.linspace(0, scene.num_frames - 1, 7).round().astype(int).tolist()
    tiles = [ImageOps.pad(Image.fromarray(picture), (tile, tile), color=(255, 255, 255))]
    tiles += [Image.fromarray(frame) for frame in render_frames(scene, "normal", (tile, tile), frames=picks)]
    sheet = Image.new("RGB", (tile * len(tiles), tile), (255, 255, 255))
    for k, image in enumerate(tiles):
        sheet.paste(image, (k * tile, 0))
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    return path


def pick_frames(frames, count: int, seed: int = 0) -> np.ndarray:
    """``count`` frame indices, half of the drawn look and half of the others, drawn by ``seed``."""
    rng = np.random.default_rng(seed)
    drawn = np.flatnonzero(frames.styles == DRAWN_STYLE)
    rendered = np.flatnonzero(frames.styles != DRAWN_STYLE)
    half = count // 2
    return np.concatenate([rng.choice(rendered, count - half, replace=False), rng.choice(drawn, half, replace=False)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="models/stickgen-small")
    parser.add_argument("--data", default="data/parallax")
    parser.add_argument("--frames", type=int, default=16)
    parser.add_argument("--duration", type=float, default=6.0)
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_picture.json")
    parser.add_argument("--sheets", type=Path, help="folder for contact sheets of pictures and their clips")
    args = parser.parse_args(argv)
    from datasets import load_from_disk

    from stickgen.image_pose import PoseEstimate, estimate_poses, level_pose
    from stickgen.key_poses import body_frame
    from stickgen.pipeline import StickGenPipeline

    pipe = StickGenPipeline.from_pretrained(args.model)
    pipe.set_progress_bar_config(disable=True)
    frames = load_frames(load_from_disk(args.data)["test"], progress=False)
    started, rows = time.perf_counter(), []
    for index in pick_frames(frames, args.frames):
        picture = frames.images[index]
        read = estimate_poses(pipe.image_encoder, [picture], [frames.boxes[index]])
        truth = level_pose(PoseEstimate(frames.joints[index:index + 1], frames.azimuth_deg[index:index + 1],
                                        frames.elevation_deg[index:index + 1], read.box, read.image_size))[0]
        read = level_pose(read)[0]
        for prompt, category, params in PROMPTS:
            scene = pipe(prompt, duration=args.duration, seed=0, image=picture).scenes[0]
            joints = scene.actors[0].joints
            first = body_frame(joints[0])
            kept, true = aligned_error_cm(first, read), aligned_error_cm(first, truth)
            passed, _ = control_checks.CHECKS[category](joints, scene.fps, **params)
            rows.append({"frame": int(index), "style": str(frames.styles[index]), "prompt": prompt,
                         "kept_max_cm": round(float(kept.max()), 2), "true_max_cm": round(float(true.max()), 2),
                         "true_mean_cm": round(float(true.mean()), 2), "text_passed": bool(passed),
                         "camera_error_deg": round(camera_error_deg(scene, frames.azimuth_deg[index],
                                                                    frames.elevation_deg[index]), 1)})
    summary = {}
    for name, keep in (("rendered looks", lambda r: r["style"] != DRAWN_STYLE),
                       ("drawn look", lambda r: r["style"] == DRAWN_STYLE), ("all", lambda r: True)):
        chosen = [r for r in rows if keep(r)]
        column = lambda key: np.array([r[key] for r in chosen], dtype=np.float64)  # noqa: E731
        summary[name] = {"clips": len(chosen), "kept_max_cm_median": round(float(np.median(column("kept_max_cm"))), 2),
                         "kept_within_5cm": round(float(np.mean(column("kept_max_cm") <= WITHIN_CM)), 3),
                         "true_max_cm_median": round(float(np.median(column("true_max_cm"))), 1),
                         "true_mean_cm_median": round(float(np.median(column("true_mean_cm"))), 1),
                         "true_within_5cm": round(float(np.mean(column("true_max_cm") <= WITHIN_CM)), 3),
                         "text_pass_rate": round(float(np.mean(column("text_passed"))), 3),
                         "camera_error_deg_median": round(float(np.median(column("camera_error_deg"))), 1)}
    by_prompt = {prompt: round(float(np.mean([r["text_passed"] for r in rows if r["prompt"] == prompt])), 3)
                 for prompt, *_ in PROMPTS}
    print(f"{'frames':16}{'clips':>6}{'kept max cm':>13}{'kept <=5cm':>11}{'true max cm':>13}{'true mean cm':>14}"
          f"{'text pass':>11}{'camera deg':>12}   (medians)")
    for name, s in summary.items():
        print(f"{name:16}{s['clips']:>6}{s['kept_max_cm_median']:>13.2f}{s['kept_within_5cm']:>11.2f}"
              f"{s['true_max_cm_median']:>13.1f}{s['true_mean_cm_median']:>14.1f}{s['text_pass_rate']:>11.2f}"
              f"{s['camera_error_deg_median']:>12.1f}")
    for prompt, rate in by_prompt.items():
        print(f"  text check passed {rate:.2f}: {prompt}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"model": args.model, "data": args.data, "frames": args.frames,
                                    "duration_s": args.duration, "seconds": round(time.perf_counter() - started, 1),
                                    "summary": summary, "text_pass_by_prompt": by_prompt, "rows": rows},
                                   indent=1) + "\n")
    print(f"wrote {args.out}")
    if args.sheets:
        from PIL import Image

        drawing = np.asarray(Image.open(Path(__file__).parent.parent / "examples" / "pose_drawing.png").convert("RGB"))
        shown = [("drawing", drawing, PROMPTS[0][0]), ("drawing", drawing, PROMPTS[1][0])]
        shown += [(f"test_{frames.styles[k]}", frames.images[k], PROMPTS[0][0]) for k in pick_frames(frames, 2)]
        for name, picture, prompt in shown:
            scene = pipe(prompt, duration=args.duration, seed=0, image=picture).scenes[0]
            slug = "_".join(prompt.lower().rstrip(".").split()[:3])
            print(f"wrote {picture_sheet(picture, scene, args.sheets / f'{name}_{slug}.png')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
