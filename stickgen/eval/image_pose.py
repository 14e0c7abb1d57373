"""How well the image encoder reads poses from rendered frames (a split of the parallax dataset).

    python -m stickgen.eval.image_pose --model models/stickgen-image-encoder --data data/parallax \\
        --split test --out reports/image_encoder.json

Per frame, with the conventions of :mod:`stickgen.image_pose` (the truth is taken to the figure view
of the box :func:`~stickgen.image_pose.figure_box` finds, as the encoder sees it):

- **MPJPE** (mm): mean distance between predicted and true root-relative joints;
- **PA-MPJPE** (mm): the same after the best similarity transform (rotation, scale, translation,
  Procrustes) of the prediction onto the truth, so only the pose's shape counts;
- **camera angle** (deg): the angle between the predicted and true pelvis-to-camera directions in the
  body's frame, made from azimuth and elevation.

Reported as means over all frames, over the rendered styles (``RENDERED_STYLES``) together, over the
hand-sketch imitation ``drawn``, and per style; printed as a table and written as JSON.
"""
from __future__ import annotations

import argparse
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
from PIL import Image

from ..image_pose import PoseEstimate, estimate_poses, figure_box, figure_view, to_rgb
from .systems import sample_rows

RENDERED_STYLES = ("normal", "sketch", "ink", "neon")
DRAWN_STYLE = "drawn"
#: the dataset columns the frames need besides ``image``
COLUMNS = ("joints_camera", "azimuth", "elevation", "fov", "style")


@dataclass
class PoseFrames:
    """Frames of a split decoded once: ``images`` (``[H, W, 3]`` uint8 each), ``boxes [N, 4]``,
    figure-view truth ``joints [N, 22, 3]``, ``azimuth_deg [N]``, ``elevation_deg [N]`` and ``styles [N]``;
    ``skipped`` counts frames where no figure was found (out of the picture)."""

    images: list[np.ndarray]
    boxes: np.ndarray
    joints: np.ndarray
    azimuth_deg: np.ndarray
    elevation_deg: np.ndarray
    styles: np.ndarray
    skipped: int = 0

    def __len__(self) -> int:
        return len(self.images)


def load_frames(split: Any, max_rows: int | None = None, seed: int = 0, progress: bool = True) -> PoseFrames:
    """Decode the PNGs of a ``datasets.Dataset`` split (all rows, or ``max_rows`` drawn by ``seed``), find
    each figure's box and take the truth to its figure view."""
    from datasets import Image as ImageFeature
    from tqdm.auto import tqdm

    rows = sample_rows(len(split), max_rows, seed)
    split = split.select(rows) if len(rows) < len(split) else split
    columns = split.select_columns(list(COLUMNS)).with_format("numpy")[:]
    encoded = split.cast_column("image", ImageFeature(decode=False))["image"]
    images, boxes, keep = [], [], []
    for k, item in enumerate(tqdm(encoded, desc="decoding frames", disable=not progress)):
        image = to_rgb(Image.open(io.BytesIO(item["bytes"]) if item["bytes"] else item["path"]))
        try:
            boxes.append(figure_box(image))
        except ValueError:
            continue
        images.append(image)
        keep.append(k)
    keep = np.array(keep, dtype=np.int64)
    sizes = np.array([[image.shape[1], image.shape[0]] for image in images]).reshape(-1, 2)
    joints, elevation = figure_view(np.asarray(columns["joints_camera"], np.float64)[keep],
                                    np.asarray(columns["elevation"], np.float64)[keep],
                                    np.asarray(columns["fov"], np.float64)[keep], np.array(boxes).reshape(-1, 4),
                                    sizes)
    return PoseFrames(images, np.array(boxes, dtype=np.float64).reshape(-1, 4), joints,
                      np.asarray(columns["azimuth"], np.float64)[keep], elevation,
                      np.asarray(columns["style"]).astype(str)[keep], skipped=len(rows) - len(keep))


# ----------------------------------------------------------------------------- metrics


def mpjpe(predicted: np.ndarray, true: np.ndarray) -> np.ndarray:
    """Mean per-joint position error of each frame: ``[N, J, 3]`` twice -> ``[N]`` (their units)."""
    return np.linalg.norm(np.asarray(predicted) - np.asarray(true), axis=-1).mean(axis=-1)


def procrustes_align(predicted: np.ndarray, true: np.ndarray) -> np.ndarray:
    """``predicted [N, J, 3]`` moved onto ``true [N, J, 3]`` by the best rotation, scale and translation
    of each frame (Umeyama 1991; no reflection): ``[N, J, 3]``."""
    predicted, true = np.asarray(predicted, np.float64), np.asarray(true, np.float64)
    p = predicted - predicted.mean(axis=1, keepdims=True)
    t = true - true.mean(axis=1, keepdims=True)
    u, s, vt = np.linalg.svd(np.einsum("nji,njk->nik", p, t))
    signs = np.ones_like(s)
    signs[:, -1] = np.sign(np.linalg.det(u @ vt))
    rotation = u @ (signs[:, :, None] * vt)  # p @ rotation ~ t
    scale = (s * signs).sum(axis=1) / np.maximum((p ** 2).sum(axis=(1, 2)), 1e-12)
    return scale[:, None, None] * p @ rotation + true.mean(axis=1, keepdims=True)


def pa_mpjpe(predicted: np.ndarray, true: np.ndarray) -> np.ndarray:
    """MPJPE after :func:`procrustes_align`: ``[N, J, 3]`` twice -> ``[N]``."""
    return mpjpe(procrustes_align(predicted, true), true)


def camera_direction(azimuth_deg: np.ndarray, elevation_deg: np.ndarray) -> np.ndarray:
    """Unit pelvis-to-camera directions in the body's frame (facing +z, y up): ``[N]`` twice -> ``[N, 3]``."""
    az, el = np.radians(azimuth_deg), np.radians(elevation_deg)
    return np.stack([np.sin(az) * np.cos(el), np.sin(el), np.cos(az) * np.cos(el)], axis=-1)


def camera_angle_error(estimate: PoseEstimate, azimuth_deg: np.ndarray, elevation_deg: np.ndarray) -> np.ndarray:
    """Degrees between the estimated and the true camera directions of each frame: ``[N]``."""
    cosine = (camera_direction(estimate.azimuth_deg, estimate.elevation_deg)
              * camera_direction(azimuth_deg, elevation_deg)).sum(axis=-1)
    return np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))


# ----------------------------------------------------------------------------- report


def style_groups(styles: np.ndarray) -> dict[str, np.ndarray]:
    """Group name -> boolean mask over frames: ``all``, ``rendered``, ``drawn`` and every style present."""
    groups = {"all": np.ones(len(styles), bool), "rendered": np.isin(styles, RENDERED_STYLES),
              DRAWN_STYLE: styles == DRAWN_STYLE}
    groups.update({f"style={name}": styles == name for name in sorted(set(styles.tolist()))})
    return groups


def evaluate(encoder: Any, frames: PoseFrames, batch_size: int = 64, flip: bool = True) -> dict[str, dict[str, float]]:
    """Group name (:func:`style_groups`, empty groups left out) -> ``frames``, ``mpjpe_mm``,
    ``pa_mpjpe_mm`` and ``camera_angle_deg`` means; ``flip``: each frame also read mirrored
    (:func:`~stickgen.image_pose.estimate_poses`)."""
    estimate = estimate_poses(encoder, frames.images, frames.boxes, batch_size, flip)
    errors = {"mpjpe_mm": 1000 * mpjpe(estimate.joints, frames.joints),
              "pa_mpjpe_mm": 1000 * pa_mpjpe(estimate.joints, frames.joints),
              "camera_angle_deg": camera_angle_error(estimate, frames.azimuth_deg, frames.elevation_deg)}
    return {name: {"frames": int(mask.sum()), **{k: round(float(v[mask].mean()), 2) for k, v in errors.items()}}
            for name, mask in style_groups(frames.styles).items() if mask.any()}


def table(groups: dict[str, dict[str, float]]) -> str:
    """The :func:`evaluate` result as a fixed-width text table."""
    lines = [f"{'group':<16}{'frames':>8}{'MPJPE mm':>11}{'PA-MPJPE mm':>13}{'camera deg':>12}"]
    lines += [f"{name:<16}{g['frames']:>8}{g['mpjpe_mm']:>11.1f}{g['pa_mpjpe_mm']:>13.1f}{g['camera_angle_deg']:>12.1f}"
              for name, g in groups.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None, log: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(prog="python -m stickgen.eval.image_pose", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="a saved StickGenImageEncoder folder")
    parser.add_argument("--data", required=True, help="parallax DatasetDict folder (save_to_disk) or Hub id")
    parser.add_argument("--split", default="test")
    parser.add_argument("--out", help="JSON report path")
    parser.add_argument("--max-rows", type=int, help="evaluate on this many frames drawn by --seed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--no-flip", action="store_true", help="read each frame once, not also mirrored")
    args = parser.parse_args(argv)
    import datasets

    from ..models.modeling_image_encoder import StickGenImageEncoder

    encoder = StickGenImageEncoder.from_pretrained(args.model)
    data = datasets.load_from_disk(args.data) if Path(args.data).is_dir() else datasets.load_dataset(args.data)
    frames = load_frames(data[args.split], args.max_rows, args.seed)
    groups = evaluate(encoder, frames, args.batch_size, flip=not args.no_flip)
    log(table(groups))
    if args.out:
        report = {"model": args.model, "data": args.data, "split": args.split, "max_rows": args.max_rows,
                  "seed": args.seed, "flip": not args.no_flip, "skipped_frames": frames.skipped, "groups": groups}
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
        log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
