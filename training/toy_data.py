"""A tiny procedural dataset in the row contract, for tests and smoke runs of the trainer.

    python -m training.toy_data --out /tmp/toy --train 24 --validation 8

Four easy, clearly different actions (idle, walk, wave, jump) on the rest skeleton with per-clip
height, speed and phase; each row carries all contract columns. It is no substitute for the real
dataset (``python -m datasets_scripts.build``); it only gives the trainer something learnable.
"""
from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from stickgen import vocab
from stickgen.skeleton import JOINT_INDEX, foot_contacts, put_on_ground, rest_pose, rotate_y

TOY_ACTIONS = ("idle", "walk", "wave", "jump")
FPS = 25


def _swing(joints: np.ndarray, pivot: int, children: list[int], angle: np.ndarray) -> None:
    """Rotate ``children`` of ``joints [T, 22, 3]`` about the x axis through joint ``pivot``, in place."""
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    rel = joints[:, children] - joints[:, pivot:pivot + 1]
    y, z = rel[..., 1].copy(), rel[..., 2].copy()
    rel[..., 1], rel[..., 2] = c * y - s * z, s * y + c * z
    joints[:, children] = joints[:, pivot:pivot + 1] + rel


def toy_clip(action: str, frames: int, rng: np.random.Generator) -> np.ndarray:
    """World ``joints: [frames, 22, 3]`` of one toy action, on the ground, heading chosen by ``rng``."""
    j = JOINT_INDEX
    height, phase = rng.uniform(1.55, 1.9), rng.uniform(0, 2 * np.pi)
    t = np.arange(frames) / FPS
    joints = np.repeat(rest_pose(height)[None], frames, axis=0)
    if action == "walk":
        speed = rng.uniform(0.9, 1.5)
        swing = 0.45 * np.sin(2 * np.pi * 0.9 * speed * t + phase)
        for side, sign in (("left", 1), ("right", -1)):
            leg = [j[f"{side}_knee"], j[f"{side}_ankle"], j[f"{side}_foot"]]
            _swing(joints, j[f"{side}_hip"], leg, sign * swing)
            arm = [j[f"{side}_elbow"], j[f"{side}_wrist"]]
            _swing(joints, j[f"{side}_shoulder"], arm, -sign * 0.6 * swing)
        joints[..., 2] += speed * t[:, None]
    elif action == "wave":
        arm = [j["right_elbow"], j["right_wrist"]]
        _swing(joints, j["right_shoulder"], arm, np.full(frames, -2.6))
        _swing(joints, j["right_elbow"], [j["right_wrist"]], 0.5 * np.sin(2 * np.pi * 2.0 * t + phase))
    elif action == "jump":
        period = rng.uniform(0.9, 1.2)
        airtime = 0.5
        cycle = (t + phase / (2 * np.pi) * period) % period
        flying = np.clip(cycle, 0, airtime)
        joints[..., 1] += (0.5 * 9.81 * flying * (airtime - flying))[:, None]
    else:  # idle: breathing sway
        joints[..., 0] += 0.01 * np.sin(2 * np.pi * 0.3 * t + phase)[:, None]
    return rotate_y(put_on_ground(joints), rng.uniform(-np.pi, np.pi))


def toy_rows(count: int, seed: int, frames: tuple[int, int] = (50, 90), prefix: str = "toy") -> list[dict[str, Any]]:
    """``count`` rows of the dataset row contract (one actor each, no partner)."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(count):
        action = TOY_ACTIONS[k % len(TOY_ACTIONS)]
        length = int(rng.integers(frames[0], frames[1] + 1))
        joints = toy_clip(action, length, rng).astype(np.float32)
        velocity = np.zeros((length, 3), np.float32)
        velocity[1:] = np.diff(joints[:, 0], axis=0) * FPS
        rows.append({
            "id": f"{prefix}-{seed}-{k}", "group": f"{prefix}-{seed}-{k}", "source": "synthetic",
            "augmentation": "none",
            "texts": [f"a person does a {action}", f"someone performs {action}", f"the figure: {action}"],
            "fps": FPS, "num_frames": length, "joints": joints, "partner_joints": np.zeros_like(joints),
            "has_partner": False, "action_ids": np.full(length, vocab.action_id(action), np.int16),
            "expression_ids": np.zeros(length, np.int8), "speech_ids": np.full(length, -1, np.int8),
            "contacts": foot_contacts(joints, FPS).astype(np.float32), "root_velocity": velocity,
            "height": float(joints[0, :, 1].max()), "speed": float(np.linalg.norm(velocity[:, [0, 2]], axis=1).mean()),
            "quality": float(rng.uniform(0.3, 1.0)),
        })
    return rows


def toy_dataset(train: int = 24, validation: int = 8, seed: int = 0, frames: tuple[int, int] = (50, 90)) -> Any:
    """A ``datasets.DatasetDict`` with ``train`` and ``validation`` splits of toy rows."""
    from datasets import Dataset, DatasetDict

    from datasets_scripts.rows import dataset_features

    features = dataset_features()

    def split(count: int, split_seed: int, prefix: str) -> Any:
        return Dataset.from_list(toy_rows(count, split_seed, frames, prefix), features=features)

    return DatasetDict({"train": split(train, seed, "train"), "validation": split(validation, seed + 1, "val")})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--train", type=int, default=24)
    parser.add_argument("--validation", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    toy_dataset(args.train, args.validation, args.seed).save_to_disk(args.out)
    print(f"wrote {args.train} + {args.validation} toy rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
