"""The dataset card (Hub ``README.md``), generated from a built DatasetDict and its curation report."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from stickgen import vocab
from stickgen.motion import atomic_write

from .curate import CurationReport

FIELDS = (
    ("id", "string", "unique row id"),
    ("group", "string", "source motion id; a clip, its augmentations and its mirror share it (splits are by group)"),
    ("source", "string", "`synthetic`, `deepmimic` or `cmu`"),
    ("augmentation", "string", "`none`, or `+`-joined `speed`, `mirror`, `scale`, `heading`"),
    ("texts", "list of string", "at least 3 different English descriptions"),
    ("fps", "int32", "frames per second (25)"),
    ("num_frames", "int32", "T"),
    ("joints", "float32 [T, 22, 3]", "world-space SMPL-22 joint positions, metres, +y up, ground y = 0"),
    ("partner_joints", "float32 [T, 22, 3]", "the other actor of a two-actor interaction (zeros if none)"),
    ("has_partner", "bool", "whether partner_joints holds an actor"),
    ("action_ids", "int16 [T]", "per-frame `stickgen.vocab` action id"),
    ("expression_ids", "int8 [T]", "per-frame expression id (0 = neutral)"),
    ("speech_ids", "int8 [T]", "per-frame speech type id (-1 = silent)"),
    ("contacts", "float32 [T, 4]", "0/1 foot contacts: left_ankle, right_ankle, left_foot, right_foot"),
    ("root_velocity", "float32 [T, 3]", "pelvis velocity, m/s"),
    ("height", "float32", "body height, m"),
    ("speed", "float32", "mean horizontal pelvis speed, m/s"),
    ("quality", "float32", "curation score in [0, 1] (1 = best; real clips 1.0)"),
)


def _table(header: tuple[str, ...], rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def card_text(dataset, report: CurationReport, command: str = "") -> str:
    """Markdown card with YAML front matter, counts measured on ``dataset`` (a DatasetDict)."""
    splits = {name: len(ds) for name, ds in dataset.items()}
    sources: Counter = Counter()
    augmentations: Counter = Counter()
    seconds = 0.0
    action_frames = np.zeros(len(vocab.ACTION_NAMES), dtype=np.int64)
    for name, ds in dataset.items():
        for split_source in ds["source"]:
            sources[(name, split_source)] += 1
        augmentations.update(ds["augmentation"])
        frames = np.asarray(ds["num_frames"])
        seconds += float(frames.sum()) / 25.0
        for ids in ds.select_columns(["action_ids"]).with_format("numpy")["action_ids"]:
            action_frames += np.bincount(np.asarray(ids, dtype=np.int64), minlength=len(vocab.ACTION_NAMES))
    total = sum(splits.values())
    share = action_frames / max(action_frames.sum(), 1)
    action_rows = [(n, f"{100 * share[i]:.1f}%") for i, n in enumerate(vocab.ACTION_NAMES)]
    return f"""---
license: other
license_name: mixed-cc-by-4.0-zlib-cmu
task_categories:
- text-to-video
language:
- en
tags:
- motion
- text-to-motion
- smpl
- stick-figure
pretty_name: Stick-Gen motion
size_categories:
- {"n<1K" if total < 1000 else "1K<n<10K" if total < 10000 else "10K<n<100K" if total < 100000 else "100K<n<1M"}
---

# Stick-Gen motion dataset

Text-annotated human motion clips on the SMPL-22 skeleton (world space, metres, +y up, ground y = 0,
25 fps) for training Stick-Gen's planner and refiner. Mostly procedural (a physically constrained
generator: planted stance feet, ballistic jumps, rigid bones) plus real motion-capture clips held out
in the test split. One row is one actor's clip.

Built with `python -m datasets_scripts.build {command}`: {total} rows, {seconds / 3600:.2f} hours of motion.

## Splits and sources

{_table(("split", "rows"), splits.items())}

{_table(("split", "source", "rows"), [(s, src, n) for (s, src), n in sorted(sources.items())])}

Splits are by motion group, so a clip, its mirror and its augmentations are always in the same split.
The real clips (DeepMimic humanoid3d reference motions and CMU subject 1 trial 1) are only in `test`
and are never augmented.

## Augmentation

{_table(("augmentation", "rows"), sorted(augmentations.items()))}

Each kept synthetic motion gives four rows: itself, its mirror image (texts swap left and right), a
speed change of +-20% (only for clips without airborne frames, since time-warping a flight would break
gravity; those get a heading change instead) and a body scale with time stretched by sqrt(scale), which
keeps jumps falling at g; warped and scaled copies stay 1-10 s long, are curated again (resampling can
dip a fast foot through the floor) and get freshly generated descriptions. Both actors of a two-actor
motion are rows, each with the other as its partner.

## Fields

{_table(("field", "type", "meaning"), FIELDS)}

## Curation

Every generated motion is measured for non-finite values, bone stretch (> 1%), ground penetration
(> 2 cm), foot skating (share of contact frames whose foot moves faster than 0.1 m/s > 10%) and a
whole-body jerk spike; failures are dropped and counted below, nothing is dropped silently.
Rejection rate: {100 * report.rejection_rate("synthetic"):.2f}% of generated motions.

{report.to_markdown()}

## Actions (share of frames)

{_table(("action", "frames"), action_rows)}

## Licence and sources

- Synthetic clips: generated by `datasets_scripts.synthetic`, released with the project (CC-BY-4.0).
- DeepMimic clips: from `pybullet_data` (pybullet 3.2.7), zlib licence.
- CMU clip 01_01: "The data used in this project was obtained from mocap.cs.cmu.edu. The database was
  created with funding from NSF EIA-0196217." Free for all uses.

## Limitations

The procedural motion is physically constrained but not physically simulated; styles are those the
generator knows. Descriptions come from a grammar over the vocabulary's synonyms, not from people.
The real clips are few (21) and short.
"""


def write_card(dataset, report: CurationReport, path: str | Path, command: str = "") -> Path:
    """Write the card atomically; the path written."""
    return atomic_write(path, card_text(dataset, report, command))
