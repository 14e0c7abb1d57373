"""Train the image pose encoder (stickgen/models/modeling_image_encoder.py) on a parallax dataset.

    python -m training.train_image_encoder --data data/parallax --out models/stickgen-image-encoder \\
        [--max-minutes 55] [--batch-size 64] [--lr 2e-3] [--seed 0]

Frames are decoded and boxed once (:func:`stickgen.eval.image_pose.load_frames`, before the clock
starts). A training crop is the crop of :mod:`stickgen.image_pose` around a box jittered in centre and
size, flipped left-right half of the time (the skeleton mirrored, the azimuth negated), with its
brightness, contrast and colour jittered, sometimes made grey, plus a little noise. Loss: the mean
per-joint distance (metres) of the encoder's ``shape`` from the true pose brought to the standard size,
plus ``--scale-weight`` times the absolute error of the log of its ``scale`` (the true one: the body's
bone lengths over the standard skeleton's), plus ``--camera-weight`` times the camera error (squared
error of sin/cos azimuth, absolute error of the elevation in radians). Size and shape are learned apart:
a crop hides the body's size, and its guess would otherwise swamp the shape's error.

The learning rate warms up and then decays on a cosine (:func:`training.train.lr_factor`) over the run's
progress, the larger of ``step / --max-steps`` and ``elapsed / --max-minutes``, so a run on busy shared
cores still finishes its decay on time. Every ``--eval-every`` steps the encoder is measured on (up to
``--max-validation-rows`` frames of) the validation split and saved to ``--out`` (``save_pretrained``)
when its MPJPE is the best so far; ``--out`` also gets ``metrics.csv`` (step, split, metric, value,
elapsed_s) and ``training_summary.json``.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from stickgen.eval.image_pose import PoseFrames, evaluate, load_frames
from stickgen.image_pose import crop_square, pixel_values
from stickgen.models.configuration_image_encoder import StickGenImageEncoderConfig
from stickgen.models.modeling_image_encoder import StickGenImageEncoder, StickGenImageEncoderOutput
from stickgen.skeleton import mirror, size_ratio

from .data import load_dataset_dict
from .train import METRICS_FILE, SUMMARY_FILE, lr_factor

#: the box's centre moves up to this share of its longer side, its size by up to this factor either way
CENTRE_JITTER, SIZE_JITTER = 0.08, 1.15
GREY_PROB, FLIP_PROB = 0.2, 0.5
WARMUP_SHARE, MIN_LR_RATIO = 0.03, 0.05
#: progress is counted in this many ticks for lr_factor
TICKS = 10_000


# ----------------------------------------------------------------------------- batches and loss


def jitter_boxes(boxes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``boxes [B, 4]`` with centres moved and sizes scaled at random: ``[B, 4]``."""
    centre, half = 0.5 * (boxes[:, :2] + boxes[:, 2:]), 0.5 * (boxes[:, 2:] - boxes[:, :2])
    side = 2 * half.max(axis=1, keepdims=True)
    centre = centre + rng.uniform(-CENTRE_JITTER, CENTRE_JITTER, centre.shape) * side
    half = half * np.exp(rng.uniform(-np.log(SIZE_JITTER), np.log(SIZE_JITTER), (len(boxes), 1)))
    return np.concatenate([centre - half, centre + half], axis=1)


def jitter_colours(pixels: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """``pixels [B, 3, S, S]`` in [-1, 1] with random contrast, brightness, tint, greyscale and noise."""
    size = len(pixels)

    def draw(low: float, high: float, channels: int = 1) -> torch.Tensor:  # [B, channels, 1, 1]
        return torch.from_numpy(rng.uniform(low, high, (size, channels, 1, 1)).astype(np.float32))

    pixels = pixels * draw(0.6, 1.2) * draw(0.85, 1.15, channels=3) + draw(-0.25, 0.25)
    grey = torch.from_numpy(rng.random(size) < GREY_PROB)
    pixels[grey] = pixels[grey].mean(dim=1, keepdim=True).expand(-1, 3, -1, -1)
    noise = torch.randn(pixels.shape, generator=torch.Generator().manual_seed(int(rng.integers(2 ** 63))))
    return (pixels + draw(0.0, 0.04) * noise).clamp(-1.0, 1.0)


def camera_targets(azimuth_deg: np.ndarray, elevation_deg: np.ndarray) -> np.ndarray:
    """The encoder's camera output for true angles: ``[B]`` twice -> ``[B, 3]`` (sin az, cos az, el rad)."""
    az = np.radians(azimuth_deg)
    return np.stack([np.sin(az), np.cos(az), np.radians(elevation_deg)], axis=-1)


def training_batch(frames: PoseFrames, indices: np.ndarray, image_size: int,
                   rng: np.random.Generator) -> dict[str, torch.Tensor]:
    """Augmented ``pixel_values [B, 3, S, S]`` with their ``joints [B, 22, 3]``, ``camera [B, 3]`` and
    ``scale [B]`` (:func:`stickgen.skeleton.size_ratio`)."""
    boxes = jitter_boxes(frames.boxes[indices], rng)
    crops = np.stack([crop_square(frames.images[i], box, image_size) for i, box in zip(indices, boxes)])
    joints, azimuth = frames.joints[indices].copy(), frames.azimuth_deg[indices].copy()
    flip = rng.random(len(indices)) < FLIP_PROB
    crops[flip] = crops[flip, :, ::-1]
    joints[flip], azimuth[flip] = mirror(joints[flip]), -azimuth[flip]
    return {"pixel_values": jitter_colours(pixel_values(crops), rng),
            "joints": torch.from_numpy(joints).float(), "scale": torch.from_numpy(size_ratio(joints)).float(),
            "camera": torch.from_numpy(camera_targets(azimuth, frames.elevation_deg[indices])).float()}


def pose_loss(output: StickGenImageEncoderOutput, batch: dict[str, torch.Tensor], scale_weight: float,
              camera_weight: float) -> tuple[torch.Tensor, dict[str, float]]:
    """Total loss (module docstring) of an output on a :func:`training_batch` and its parts: ``shape`` and
    ``joints`` (the metres the encoder answers, not trained on directly) mean per-joint distances (m),
    ``scale`` and ``camera`` errors."""
    shape_error = (output.shape - batch["joints"] / batch["scale"][:, None, None]).norm(dim=-1).mean()
    scale_error = (output.scale.log() - batch["scale"].log()).abs().mean()
    camera, predicted = batch["camera"], output.camera
    camera_error = (((predicted[:, :2] - camera[:, :2]) ** 2).sum(-1).mean()
                    + (predicted[:, 2] - camera[:, 2]).abs().mean())
    total = shape_error + scale_weight * scale_error + camera_weight * camera_error
    joint_error = (output.joints.detach() - batch["joints"]).norm(dim=-1).mean()
    return total, {"loss": total.item(), "shape": shape_error.item(), "joints": joint_error.item(),
                   "scale": scale_error.item(), "camera": camera_error.item()}


# ----------------------------------------------------------------------------- the run


class MetricsLog:
    """Rows ``step, split, metric, value, elapsed_s`` appended to ``folder/metrics.csv``."""

    def __init__(self, folder: Path):
        self.path = folder / METRICS_FILE
        folder.mkdir(parents=True, exist_ok=True)
        with self.path.open("w", newline="") as handle:
            csv.writer(handle).writerow(["step", "split", "metric", "value", "elapsed_s"])

    def write(self, step: int, split: str, metrics: dict[str, float], elapsed: float) -> None:
        with self.path.open("a", newline="") as handle:
            csv.writer(handle).writerows([step, split, k, f"{v:.6g}", f"{elapsed:.1f}"] for k, v in metrics.items())


def train(data: Any, out: str | Path, config: StickGenImageEncoderConfig | None = None, max_minutes: float = 55.0,
          max_steps: int = 100_000, batch_size: int = 64, lr: float = 2e-3, weight_decay: float = 1e-4,
          scale_weight: float = 0.5, camera_weight: float = 0.25, eval_every: int = 250, log_every: int = 25,
          max_train_rows: int | None = None, max_validation_rows: int = 2000, seed: int = 0,
          log: Callable[[str], None] = print) -> dict[str, Any]:
    """Train on ``data["train"]`` (a DatasetDict, its folder or a Hub id), keep the best encoder on the
    validation split in ``out`` and return the summary (also ``out/training_summary.json``)."""
    from accelerate import Accelerator
    from tqdm.auto import tqdm

    out = Path(out)
    data = load_dataset_dict(data) if isinstance(data, (str, Path)) else data
    started = time.time()
    train_frames = load_frames(data["train"], max_train_rows, seed)
    has_validation = "validation" in data and len(data["validation"]) > 0
    validation = load_frames(data["validation"], max_validation_rows, seed) if has_validation else None
    log(f"train frames {len(train_frames)} (skipped {train_frames.skipped}), validation frames "
        f"{len(validation) if validation else 0}; loaded in {time.time() - started:.0f} s")
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    accelerator = Accelerator(cpu=not torch.cuda.is_available())
    encoder = StickGenImageEncoder(config or StickGenImageEncoderConfig())
    optimizer = torch.optim.AdamW(encoder.parameters(), lr=lr, weight_decay=weight_decay)
    model, optimizer = accelerator.prepare(encoder, optimizer)
    metrics = MetricsLog(out)
    best: dict[str, Any] = {"step": None, "validation": None}

    def validate(step: int, elapsed: float) -> None:
        groups = evaluate(accelerator.unwrap_model(model), validation, batch_size)
        model.train()
        metrics.write(step, "validation", {f"{g}/{k}": v for g, m in groups.items() for k, v in m.items()}, elapsed)
        log(f"step {step}: validation MPJPE {groups['all']['mpjpe_mm']:.1f} mm, PA-MPJPE "
            f"{groups['all']['pa_mpjpe_mm']:.1f} mm, camera {groups['all']['camera_angle_deg']:.1f} deg")
        if best["validation"] is None or groups["all"]["mpjpe_mm"] < best["validation"]["all"]["mpjpe_mm"]:
            best.update(step=step, validation=groups)
            accelerator.unwrap_model(model).save_pretrained(out)

    clock, step, window = time.time(), 0, []
    bar = tqdm(desc="image encoder", unit="step")
    model.train()
    while True:
        elapsed = time.time() - clock
        progress = max(step / max_steps, elapsed / (60 * max_minutes))
        if progress >= 1:
            break
        rate = lr * lr_factor(int(progress * TICKS), int(WARMUP_SHARE * TICKS), TICKS, MIN_LR_RATIO)
        for group in optimizer.param_groups:
            group["lr"] = rate
        batch = training_batch(train_frames, rng.integers(0, len(train_frames), batch_size),
                               encoder.config.image_size, rng)
        batch = {k: v.to(accelerator.device) for k, v in batch.items()}
        total, parts = pose_loss(model(batch["pixel_values"]), batch, scale_weight, camera_weight)
        optimizer.zero_grad(set_to_none=True)
        accelerator.backward(total)
        optimizer.step()
        step += 1
        window.append({**parts, "lr": rate})
        bar.update(1)
        if step % log_every == 0:
            means = {k: float(np.mean([w[k] for w in window])) for k in window[0]}
            metrics.write(step, "train", means, time.time() - clock)
            bar.set_postfix(loss=f"{means['loss']:.4f}", progress=f"{100 * progress:.0f}%")
            window = []
        if validation is not None and step % eval_every == 0:
            validate(step, time.time() - clock)
    bar.close()
    if validation is None:
        accelerator.unwrap_model(model).save_pretrained(out)
    elif step % eval_every:
        validate(step, time.time() - clock)
    summary = {"steps": step, "train_seconds": round(time.time() - clock, 1),
               "load_seconds": round(clock - started, 1), "seconds_per_step": round((time.time() - clock) / step, 3),
               "best_step": best["step"], "validation": best["validation"], "train_frames": len(train_frames),
               "validation_frames": len(validation) if validation else 0,
               "parameters": sum(p.numel() for p in encoder.parameters()), "device": str(accelerator.device),
               "threads": torch.get_num_threads(), "torch": torch.__version__,
               "settings": {"max_minutes": max_minutes, "max_steps": max_steps, "batch_size": batch_size, "lr": lr,
                            "weight_decay": weight_decay, "scale_weight": scale_weight,
                            "camera_weight": camera_weight, "seed": seed},
               "command": " ".join(["python -m training.train_image_encoder", *sys.argv[1:]])}
    (out / SUMMARY_FILE).write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="parallax DatasetDict folder (save_to_disk) or Hub id")
    parser.add_argument("--out", default="models/stickgen-image-encoder")
    parser.add_argument("--max-minutes", type=float, default=55.0, help="training time, loading not counted")
    parser.add_argument("--max-steps", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--scale-weight", type=float, default=0.5)
    parser.add_argument("--camera-weight", type=float, default=0.25)
    parser.add_argument("--image-size", type=int, default=StickGenImageEncoderConfig().image_size)
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument("--max-train-rows", type=int, help="train on this many frames drawn by --seed")
    parser.add_argument("--max-validation-rows", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)), help="torch CPU threads")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    summary = train(args.data, args.out, StickGenImageEncoderConfig(image_size=args.image_size), args.max_minutes,
                    args.max_steps, args.batch_size, args.lr, scale_weight=args.scale_weight,
                    camera_weight=args.camera_weight, eval_every=args.eval_every, max_train_rows=args.max_train_rows,
                    max_validation_rows=args.max_validation_rows, seed=args.seed)
    print(json.dumps({k: summary[k] for k in ("steps", "train_seconds", "best_step", "validation")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
