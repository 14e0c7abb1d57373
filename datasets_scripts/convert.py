"""Convert a motion dataset's folder into ``.motion`` clips and the ``index.json`` that ``build --add`` reads.

    python -m datasets_scripts.convert --format FORMAT --input DIR --out DIR [--source NAME] [--licence TEXT]
        [--max-seconds S] [--amass-root DIR] [--urdf FILE]

FORMAT is a key of :data:`FORMATS`: amass, humanml3d, kitml, babel, beat, ntu, 100style, interhuman, bvh (any
humanoid BVH: Mixamo, CMU, LaFAN1 names; captions from ``captions.csv``/``captions.json`` or the file name),
deepmimic and cmu (the formats of the real clips in ``data/real``) or motion (existing ``.motion`` files, such
as ``data/real`` or clips exported by ``stick-gen``, copied after validation). The input folder is read in the
layout its converter module (:mod:`datasets_scripts.converters`) documents; ``--format babel`` looks for the
AMASS files under ``--amass-root`` (default: the input folder), ``--format deepmimic`` for the humanoid URDF at
``--urdf`` (default: ``pybullet_data/humanoid/humanoid.urdf`` two folders above ``pybullet_data/data/motions``).

Every clip is canonical (25 fps, metres, +y up, facing +z at frame 0, on the ground; a two-person clip (InterHuman,
an NTU two-person class) keeps both actors in one world) and is written as ``OUT/<id>.motion`` (validated by
:meth:`stickgen.motion.Scene.save`, joints rounded to 0.1 mm, ``meta``: source, original_file, texts, holdout,
license and format-specific labels). ``OUT/index.json`` lists them as ``data/real/index.json`` does (id, source,
file, num_frames, texts, holdout, original_file) plus ``licence``, ``group`` (the motion group ``build`` splits by:
the original sequence, take or style, so that mirrored copies, other camera views and cut pieces of one recording
stay in one split) and ``actors``. ``--max-seconds S`` cuts longer clips into equal pieces of at most S seconds
(each made canonical again, sharing the clip's group and texts). A file that fails to convert is skipped and
counted; the summary (items read, clips written, skipped per reason with examples, hours of motion, clips/s) is
printed and saved as ``OUT/summary.json``. Exit status 2, with a message saying what was expected where, when
the input is not in the format's layout or not one clip converts. Nothing is downloaded.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from stickgen import skeleton
from stickgen.motion import Motion, MotionFormatError, Scene, Segment, atomic_write

from .converters import interhuman
from .formats import DECIMALS, FORMATS, FPS, MAX_EXAMPLES, TRACK_NAMES, Clip, Loader, Options, Skip, slug

# ----------------------------------------------------------------------------- cutting and writing


def _piece_segments(segments: list[Segment] | None, start: int, end: int) -> list[Segment] | None:
    """The segments overlapping ``[start, end)``, clipped to it and shifted to start at 0."""
    if segments is None:
        return None
    return [Segment(max(s.start, start) - start, min(s.end, end) - start, s.label, dict(s.extra))
            for s in segments if s.start < end and s.end > start]


def cut(clip: Clip, max_frames: int) -> list[Clip]:
    """``clip`` in ``ceil(T / max_frames)`` equal consecutive pieces (ids ``<id>_p00``...), each canonical again
    (one actor on its own; two actors moved together); the clip itself when it is short enough."""
    frames = clip.num_frames
    if frames <= max_frames:
        return [clip]
    edges = np.linspace(0, frames, math.ceil(frames / max_frames) + 1).round().astype(int)
    pieces = []
    for k, (start, end) in enumerate(zip(edges[:-1].tolist(), edges[1:].tolist())):
        joints = [a.joints[start:end] for a in clip.actors]
        placed = (interhuman.place_pair(*joints) if len(joints) == 2
                  else [skeleton.put_on_ground(skeleton.normalize_heading(joints[0]))])
        actors = [Motion(j, id=a.id, name=f"{clip.id}_p{k:02d}", color=a.color,
                         **{t: _piece_segments(getattr(a, t), start, end) for t in TRACK_NAMES})
                  for a, j in zip(clip.actors, placed)]
        pieces.append(Clip(f"{clip.id}_p{k:02d}", actors, clip.texts, clip.group, clip.original_file, clip.holdout,
                           clip.source, clip.licence, {**clip.meta, "piece": [start, end]}))
    return pieces


def write_clip(clip: Clip, out: Path, source: str, licence: str) -> dict[str, Any]:
    """Save ``OUT/<id>.motion`` (validated, 0.1 mm) and return its ``index.json`` entry."""
    meta = {"source": source, "original_file": clip.original_file, "texts": clip.texts, "holdout": clip.holdout,
            "license": licence, **clip.meta}
    Scene(clip.actors, fps=FPS, meta=meta).save(out / f"{clip.id}.motion", decimals=DECIMALS)
    return {"id": clip.id, "source": source, "file": f"{clip.id}.motion", "num_frames": clip.num_frames,
            "texts": clip.texts, "holdout": clip.holdout, "original_file": clip.original_file, "licence": licence,
            "group": clip.group, "actors": len(clip.actors)}


@dataclass
class Summary:
    """What a conversion did; ``to_dict`` is ``summary.json``."""

    format: str
    input: str
    items: int = 0  # files, clip ids or styles read
    clips: int = 0
    actors: int = 0
    frames: int = 0
    skipped: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    def skip(self, item: Skip) -> None:
        self.skipped[item.reason] += 1
        examples = self.examples.setdefault(item.reason, [])
        if len(examples) < MAX_EXAMPLES:
            examples.append(item.detail)

    @property
    def hours(self) -> float:
        return self.frames / FPS / 3600

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.format, "input": self.input, "items": self.items, "clips": self.clips,
                "actors": self.actors,
                "frames": self.frames, "hours": round(self.hours, 6), "skipped": dict(self.skipped),
                "skipped_examples": self.examples, "seconds": round(self.seconds, 3),
                "clips_per_second": round(self.clips / max(self.seconds, 1e-9), 3)}

    def text(self) -> str:
        lines = [f"{self.items} items read, {self.clips} clips written ({self.actors} actors, {self.frames} frames, "
                 f"{self.hours:.3f} hours of motion) in {self.seconds:.1f} s "
                 f"({self.clips / max(self.seconds, 1e-9):.1f} clips/s)"]
        lines += [f"skipped {count}: {reason} (e.g. {self.examples[reason][0]})"
                  for reason, count in self.skipped.most_common()]
        return "\n".join(lines)


def _load(load: Loader, key: str) -> list:
    """``load(key)``, or one :class:`Skip` carrying the error when the item does not convert."""
    try:
        return load(key)
    except (ValueError, OSError, MotionFormatError, KeyError) as exc:
        detail = str(exc) if key in str(exc) else f"{key}: {exc}"
        return [Skip("conversion failed", detail)]


def convert(fmt: str, input_dir: str | Path, out: str | Path, *, source: str | None = None,
            licence: str | None = None, max_seconds: float = 0.0, options: Options = Options(),
            progress: bool = True) -> Summary:
    """Convert ``input_dir`` in format ``fmt`` into ``out`` (see the module docstring); the summary.

    ``ValueError`` when the folder is not in the format's layout or no clip at all converts.
    """
    from tqdm import tqdm

    spec, root, out = FORMATS[fmt], Path(input_dir), Path(out)
    started = time.perf_counter()
    if not root.is_dir():
        raise ValueError(f"--input {root}: no such folder")
    keys, load = spec.open(root, options)
    summary, index, ids = Summary(fmt, str(root), len(keys)), [], set()
    out.mkdir(parents=True, exist_ok=True)
    max_frames = int(round(max_seconds * FPS)) if max_seconds > 0 else 0
    for key in tqdm(keys, unit="item", desc=f"converting {fmt}", disable=not progress, file=sys.stderr):
        for item in _load(load, key):
            if isinstance(item, Skip):
                summary.skip(item)
                continue
            for clip in cut(item, max_frames) if max_frames else [item]:
                clip.id = slug(clip.id)
                if clip.id in ids:
                    summary.skip(Skip("duplicate id", f"{key}: a clip {clip.id} was already written"))
                    continue
                try:
                    index.append(write_clip(clip, out, source or clip.source or spec.source,
                                            licence or clip.licence or spec.licence))
                except MotionFormatError as exc:
                    summary.skip(Skip("invalid .motion", f"{key}: {exc}"))
                    continue
                ids.add(clip.id)
                summary.clips += 1
                summary.actors += len(clip.actors)
                summary.frames += clip.num_frames
    summary.seconds = time.perf_counter() - started
    if not index:
        first = next(iter(summary.examples.values()), ["no items"])[0]
        raise ValueError(f"no clip converted from {root} as {fmt} ({sum(summary.skipped.values())} skipped): {first}")
    atomic_write(out / "index.json", json.dumps({"clips": index}, indent=1) + "\n")
    atomic_write(out / "summary.json", json.dumps(summary.to_dict(), indent=1) + "\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", required=True, choices=list(FORMATS))
    parser.add_argument("--input", type=Path, required=True, help="the dataset's folder, in its documented layout")
    parser.add_argument("--out", type=Path, required=True, help="folder for <id>.motion, index.json, summary.json")
    parser.add_argument("--source", help="source name in index.json and the dataset (default: the format's name; "
                                         "with --format motion each clip's own)")
    parser.add_argument("--licence", help="licence note of these clips (default: the format's; with --format motion "
                                          "each clip's own)")
    parser.add_argument("--max-seconds", type=float, default=0.0,
                        help="cut longer clips into equal pieces of at most this length (default: keep whole)")
    parser.add_argument("--amass-root", type=Path, help="babel: the AMASS folder (default: --input)")
    parser.add_argument("--urdf", type=Path, help="deepmimic: pybullet_data/humanoid/humanoid.urdf")
    args = parser.parse_args(argv)
    try:
        summary = convert(args.format, args.input, args.out, source=args.source, licence=args.licence,
                          max_seconds=args.max_seconds, options=Options(args.amass_root, args.urdf))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(summary.text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
