"""The parallax dataset: rendered stick-figure frames with their camera and camera-space joints.

    python -m datasets_scripts.parallax --dataset data/dataset --views-per-clip V --frames-per-view F
        --out DIR [--max-clips N | --max-clips train=N validation=N test=N] [--size 128] [--seed 0]
        [--workers 2]

For each chosen clip of each split of the motion dataset (``--max-clips`` picks a seeded subset), each of
``V`` views draws a look (``parallax_camera.sample_look``: one of the four render styles or the ``drawn`` look of a
pen sketch on paper, random limb width, actor and background colours) and a camera that follows the
actor (``datasets_scripts.parallax_camera``), and renders ``F`` random frames of the clip with
``stickgen.render``, one dataset row each (:data:`COLUMNS`). The rendered scene is just those frames with one
camera keyframe per frame, so frame ``k`` is seen exactly through keyframe ``k``. Every clip has its own
generator seeded by ``(seed, split, row)``, so the result does not depend on ``--workers``. Writes a
``DatasetDict`` (``save_to_disk``) with the source's splits, ``README.md`` (the card) and ``build.json``.
"""
from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import shlex
import sys
import time
import zlib
from pathlib import Path

import numpy as np
from datasets import Array2D, Dataset, DatasetDict, Features, List, Value, load_from_disk
from datasets import Image as ImageFeature
from PIL import Image
from tqdm import tqdm

from stickgen.render import render_frames

from .parallax_camera import (
    BACKGROUND_JITTER,
    LOOK_WEIGHTS,
    camera_space,
    sample_look,
    sample_view,
    view_angles,
    view_scene,
)

_F32, _VEC3 = Value("float32"), List(Value("float32"), length=3)
COLUMNS = (
    ("image", ImageFeature(), "PNG, `size` x `size` RGB"),
    ("clip_id", Value("string"), "the source row's `id`"),
    ("frame", Value("int32"), "frame index into the source clip"),
    ("view", Value("int32"), "view index within the clip (one camera and look per view)"),
    ("style", Value("string"), "`normal`, `sketch`, `ink`, `neon` or `drawn` (pen on paper, no floor, no face)"),
    ("line_width", _F32, "limb stroke width, metres (for a 1.75 m figure)"),
    ("faces", Value("bool"), "whether the face (eyes, brows, mouth) is drawn"),
    ("camera_position", _VEC3, "camera position, world metres (+y up)"),
    ("camera_target", _VEC3, "the point the camera looks at, world metres"),
    ("fov", _F32, "vertical field of view, degrees (square image; the camera never rolls)"),
    ("joints_camera", Array2D((22, 3), "float32"),
     "SMPL-22 joints in camera space (x right, y up, z forward, away from the camera), pelvis subtracted, metres"),
    ("root_camera", _VEC3, "the pelvis in camera space; pixel = size/2 + f * (x, -y) / z, f = size / (2 tan(fov/2))"),
    ("azimuth", _F32, "degrees in (-180, 180]: target -> camera horizontally, relative to the body's facing "
                      "(0 in front, +90 on the body's left)"),
    ("elevation", _F32, "degrees: the view axis's downward pitch (positive: looking down)"),
    ("distance", _F32, "metres, camera to target"),
)
FEATURES = Features({name: feature for name, feature, _ in COLUMNS})


# ----------------------------------------------------------------------------- rendering


def _png(frame: np.ndarray) -> dict:
    buffer = io.BytesIO()
    Image.fromarray(frame).save(buffer, format="PNG")
    return {"bytes": buffer.getvalue(), "path": None}


def render_clip(clip_id: str, joints: np.ndarray, rng: np.random.Generator, views: int, frames: int,
                size: int, fps: float = 25) -> list[dict]:
    """The rows (:data:`COLUMNS`) of ``views`` views of ``frames`` frames each of a clip ``joints: [T, 22, 3]``;
    a view whose camera cannot keep the figure in the image is skipped."""
    rows = []
    for view_index in range(views):
        style, color = sample_look(rng)
        picked = np.sort(rng.choice(len(joints), size=min(frames, len(joints)), replace=False))
        clip = np.asarray(joints[picked], dtype=np.float64)                            # [F, 22, 3]
        view = sample_view(rng, clip, size, style.limb_width)
        if view is None:
            continue
        images = render_frames(view_scene(clip, view, color, fps), style, (size, size),
                               seed=int(rng.integers(2 ** 31)))
        cam = camera_space(clip, view.path())                                          # [F, 22, 3]
        angles = zip(*view_angles(view, clip))
        for k, (image, (azimuth, elevation, distance)) in enumerate(zip(images, angles)):
            rows.append({"image": _png(image), "clip_id": clip_id, "frame": int(picked[k]), "view": view_index,
                         "style": style.name, "line_width": style.limb_width, "faces": style.faces,
                         "camera_position": view.positions[k].tolist(), "camera_target": view.targets[k].tolist(),
                         "fov": view.fov, "joints_camera": cam[k] - cam[k, :1], "root_camera": cam[k, 0].tolist(),
                         "azimuth": azimuth, "elevation": elevation, "distance": distance})
    return rows


_SOURCE: dict = {}


def _open(path: str) -> None:
    """Pool initializer: every worker opens the source dataset itself."""
    source = load_from_disk(path)
    _SOURCE.update({split: ds.select_columns(["id", "joints", "fps"]).with_format("numpy")
                    for split, ds in source.items()})


def _render_job(job: tuple) -> list[dict]:
    split, index, seed, views, frames, size = job
    row = _SOURCE[split][int(index)]
    rng = np.random.default_rng([seed, zlib.crc32(split.encode()), int(index)])
    return render_clip(str(row["id"]), row["joints"], rng, views, frames, size, float(row["fps"]))


def choose_clips(count: int, limit: int | None, seed: int, split: str) -> list[int]:
    """Row indices of a split of ``count`` rows: all, or a seeded subset of ``limit``, in order."""
    if limit is None or limit >= count:
        return list(range(count))
    rng = np.random.default_rng([seed, zlib.crc32(split.encode())])
    return sorted(int(i) for i in rng.choice(count, size=limit, replace=False))


# ----------------------------------------------------------------------------- command line


def parse_max_clips(specs: list[str] | None, splits: list[str]) -> dict[str, int]:
    """``["N"]`` (every split) or ``["split=N", ...]`` -> ``{split: N}``; ``ValueError`` naming the problem."""
    limits = {}
    for spec in specs or []:
        split, _, number = spec.rpartition("=")
        if not number.isdigit() or int(number) < 1:
            raise ValueError(f"--max-clips {spec!r}: expected N or split=N with N >= 1")
        if split and split not in splits:
            raise ValueError(f"--max-clips {spec!r}: unknown split {split!r} (splits: {', '.join(splits)})")
        limits.update({s: int(number) for s in ([split] if split else splits)})
    return limits


CARD = """---
license: {license}
task_categories:
- image-to-3d
- keypoint-detection
tags:
- stick-figure
- pose-estimation
- camera-pose
- smpl
pretty_name: Stick-Gen parallax
configs:
- config_name: default
  data_files:
{files}
---

# Stick-Gen parallax: rendered stick figures with their cameras

Stick-figure drawings of SMPL-22 motion clips ({source}) seen from random cameras, rendered with Stick-Gen's own
renderer, each with its camera and its joints in camera space: for learning to lift a drawing to a 3D pose
and a camera. One row is one {size} x {size} frame.

Built with `{command}` in {seconds:.0f} s ({fps:.1f} rendered frames/s, PNG encoding included).

| split | clips | frames |
|---|---|---|
{counts}

## How it was made

Per clip, {views} views; per view a look and a camera, and {frames} random frames of the clip. Looks (weights):
{looks}; limb widths 0.5-2x the style's, random actor colour, background colours shifted by up to
{jitter} per channel; `drawn` is a dark pen on near-white paper, no floor, shadow, head fill or face, with a
sketchy wobble. Cameras: azimuth 0-360 degrees around the body's facing at the frame, elevation -5..40 degrees,
distance 2.5-7 m, vertical fov 25-60 degrees; the camera follows the actor, aiming at the frame's pelvis plus up
to 0.3 m along each axis, and is drawn again until the whole figure (strokes and head) is inside the image.

## Columns

| column | meaning |
|---|---|
{columns}
"""


def write_card(out: Path, args: argparse.Namespace, argv: list[str], summary: dict) -> None:
    """``out/README.md``: YAML metadata (licence from the source card) and the description."""
    source_card = Path(args.dataset) / "README.md"
    license_line = "other"
    if source_card.is_file():
        from huggingface_hub import DatasetCard
        meta = DatasetCard.load(source_card).data
        license_line = meta.get("license", "other") + (f"\nlicense_name: {meta['license_name']}"
                                                       if meta.get("license_name") else "")
    counts = summary["splits"]
    text = CARD.format(
        license=license_line, size=args.size, views=args.views_per_clip, frames=args.frames_per_view,
        files="\n".join(f"  - split: {s}\n    path: {s}/*.arrow" for s in counts),
        source=f"`{Path(args.dataset).name}`", seconds=summary["seconds"], fps=summary["frames_per_second"],
        command="python -m datasets_scripts.parallax " + shlex.join(argv), jitter=BACKGROUND_JITTER,
        counts="\n".join(f"| {s} | {c['clips']} | {c['frames']} |" for s, c in counts.items()),
        looks=", ".join(f"`{k}` {v}" for k, v in LOOK_WEIGHTS.items()),
        columns="\n".join(f"| `{name}` | {meaning} |" for name, _, meaning in COLUMNS))
    (out / "README.md").write_text(text)


def build(args: argparse.Namespace, argv: list[str]) -> dict:
    """Render every split, write the dataset, card and ``build.json``; returns the summary."""
    source = load_from_disk(args.dataset)
    limits = parse_max_clips(args.max_clips, list(source))
    start, splits, rows = time.perf_counter(), {}, {}
    context = multiprocessing.get_context("fork")
    pool = context.Pool(args.workers, _open, (args.dataset,)) if args.workers > 1 else None
    if pool is None:
        _open(args.dataset)
    try:
        for split, ds in source.items():
            jobs = [(split, i, args.seed, args.views_per_clip, args.frames_per_view, args.size)
                    for i in choose_clips(len(ds), limits.get(split), args.seed, split)]
            results = pool.imap(_render_job, jobs, chunksize=4) if pool else map(_render_job, jobs)
            rows[split] = [r for result in tqdm(results, total=len(jobs), desc=split, unit="clip") for r in result]
            splits[split] = {"clips": len(jobs), "frames": len(rows[split])}
    finally:
        if pool is not None:
            pool.close()
    render_seconds = time.perf_counter() - start
    frames = sum(s["frames"] for s in splits.values())
    out = Path(args.out)
    DatasetDict({s: Dataset.from_list(r, features=FEATURES) for s, r in rows.items()}).save_to_disk(str(out))
    summary = {"arguments": vars(args), "splits": splits, "frames": frames, "seconds": time.perf_counter() - start,
               "render_seconds": render_seconds, "frames_per_second": frames / max(render_seconds, 1e-9)}
    write_card(out, args, argv, summary)
    (out / "build.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True, help="source DatasetDict folder (save_to_disk)")
    parser.add_argument("--views-per-clip", type=int, required=True)
    parser.add_argument("--frames-per-view", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--max-clips", nargs="+", help="N (every split) or split=N ...")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    if not (Path(args.dataset) / "dataset_dict.json").is_file():
        parser.error(f"--dataset {args.dataset}: no DatasetDict there (expected a save_to_disk folder)")
    for flag, value, low in (("--views-per-clip", args.views_per_clip, 1), ("--frames-per-view",
                             args.frames_per_view, 1), ("--size", args.size, 16), ("--workers", args.workers, 1)):
        if value < low:
            parser.error(f"{flag} must be at least {low}, got {value}")
    try:
        parse_max_clips(args.max_clips, json.loads((Path(args.dataset) / "dataset_dict.json").read_text())["splits"])
    except ValueError as exc:
        parser.error(str(exc))
    summary = build(args, argv)
    print(f"wrote {summary['frames']} frames to {args.out} ({summary['frames_per_second']:.1f} frames/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
