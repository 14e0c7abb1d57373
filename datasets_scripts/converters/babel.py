"""BABEL (Punnakkal et al. 2021) action labels on AMASS sequences -> labelled canonical ``smpl22`` clips.

Layout (``babel_v1.0_release``): ``train.json`` and ``val.json`` (``test.json`` holds no labels), each a JSON
object keyed by ``babel_sid`` whose entries hold ``feat_p`` (the AMASS file: BABEL's short name of the AMASS
sub-dataset, then the path as the AMASS archive unpacks, e.g. ``CMU/CMU/01/01_01_poses.npz`` or
``BMLrub/BioMotionLab_NTroje/rub055/0020_lifting_heavy2_poses.npz``), ``dur`` (seconds), ``seq_ann`` (``labels``:
``[{raw_label, proc_label, seg_id, act_cat: [category, ...] or null}]`` describing the whole sequence) and
``frame_ann`` (the same labels with ``start_t`` and ``end_t`` in seconds from the sequence's first frame, which
may overlap; null when the sequence only has sequence labels). The AMASS file is looked for under the AMASS
root at ``feat_p`` and at ``feat_p`` without its first folder (the archive unpacked as it comes); the motion
is :func:`.amass.convert`'s (25 fps, metres, +y up, facing +z at frame 0, on the ground).

Labels become action segments at 25 fps where a category or the processed label clearly names a vocabulary
action (:data:`ACTION_MAP`); the frame labels are used, or the sequence labels over the whole clip when there
are none. Every label (mapped or not, ``transition`` segments left out) is kept in the clip's text, in time
order: "walk and wave right hand, then turn around".

Public: :data:`ACTION_MAP`, :class:`BabelClip`, :class:`Skipped`, :func:`load_annotations`, :func:`action_of`,
:func:`segments_of`, :func:`text_of`, :func:`convert`.
"""
from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from stickgen.motion import Segment

from . import amass

FPS = amass.FPS
#: BABEL action category (``act_cat``) or processed label (whole, or its first word) -> vocabulary action
ACTION_MAP: dict[str, str] = {
    "walk": "walk", "march": "walk", "run": "run", "jog": "run", "sprint": "sprint", "jump": "jump",
    "hop": "jump", "leap": "jump", "sit": "sit", "stand up": "stand", "stand": "idle", "wait": "idle",
    "kneel": "kneel", "lie": "lie_down", "wave": "wave", "point": "point", "clap": "clap", "kick": "kick",
    "punch": "punch", "throw": "throwing", "catch": "catching", "dribble": "dribbling", "dance": "dance",
    "crawl": "crawling", "climb": "climbing", "swim": "swimming", "drink": "drinking", "eat": "eating",
    "duck": "dodge", "evade": "dodge", "celebrate": "celebrate",
}
TRANSITION = "transition"


class BabelClip(NamedTuple):
    """One sequence: ``sid`` (``babel_sid``), ``feat_p``, canonical ``joints [T, 22, 3]`` at 25 fps, action
    segments (``text`` holds the label) and the labels' ``text``."""

    sid: str
    feat_p: str
    joints: np.ndarray
    actions: list[Segment]
    text: str


@dataclass
class Skipped:
    """Sequences :func:`convert` left out, filled in as its clips are read: ``missing`` lists the ``feat_p`` of
    every AMASS file not found under the root."""

    missing: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{len(self.missing)} sequences skipped: their AMASS file is not under the AMASS root"


def load_annotations(path: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """A BABEL ``train.json``/``val.json`` -> ``{babel_sid: entry}``; ``ValueError`` naming the file when it is not
    JSON or not laid out as BABEL's labelled splits are."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON ({exc})") from None
    entries = doc.values() if isinstance(doc, dict) else ()
    if not entries or not all(isinstance(e, dict) and isinstance(e.get("feat_p"), str)
                              and isinstance((e.get("seq_ann") or {}).get("labels"), list) for e in entries):
        raise ValueError(f"{path}: expected BABEL annotations: an object keyed by babel_sid whose entries hold "
                         f"feat_p, dur, seq_ann {{labels: [...]}} and frame_ann")
    return doc


def _label_text(label: dict[str, Any]) -> str:
    return (label.get("proc_label") or label.get("raw_label") or "").strip()


def action_of(label: dict[str, Any]) -> str | None:
    """The vocabulary action a BABEL label names: its first ``act_cat`` in :data:`ACTION_MAP`, else its
    processed label, whole or by its first word (``"sit down"`` -> sit); None when nothing clearly matches."""
    for category in label.get("act_cat") or ():
        if category in ACTION_MAP:
            return ACTION_MAP[category]
    words = _label_text(label).lower()
    return ACTION_MAP.get(words) or ACTION_MAP.get(words.split()[0] if words else "")


def _timed_labels(entry: dict[str, Any]) -> list[tuple[float, float, dict[str, Any]]]:
    """``[(start s, end s, label)]`` sorted by time: the frame labels, else the sequence labels over all time."""
    frame_labels = (entry.get("frame_ann") or {}).get("labels")
    if frame_labels:
        return sorted(((float(label["start_t"]), float(label["end_t"]), label) for label in frame_labels),
                      key=lambda item: item[:2])
    return [(0.0, math.inf, label) for label in entry["seq_ann"]["labels"]]


def _frame(seconds: float, fps: float, frames: int) -> int:
    """The frame at ``seconds`` (halves round up), within ``[0, frames]``."""
    return int(np.clip(np.floor(seconds * fps + 0.5), 0, frames))


def segments_of(entry: dict[str, Any], fps: float, frames: int) -> list[Segment]:
    """Action segments of a BABEL ``entry`` over a clip ``frames`` long at ``fps``, one per label
    :func:`action_of` maps (a label shorter than a frame still gets one), in time order; overlapping labels
    give overlapping segments."""
    segments = []
    for start, end, label in _timed_labels(entry):
        action = action_of(label)
        first = _frame(start, fps, frames)
        last = min(max(_frame(end, fps, frames), first + 1), frames)
        if action is not None and first < last:
            segments.append(Segment(first, last, action, {"text": _label_text(label)}))
    return segments


def text_of(entry: dict[str, Any]) -> str:
    """The entry's labels in time order: ``", then "`` before a label that starts once the earlier ones have
    ended, ``" and "`` before one that overlaps them; ``transition`` labels are left out."""
    text, ended = "", -math.inf
    for start, end, label in _timed_labels(entry):
        words = _label_text(label)
        if not words or words == TRANSITION or TRANSITION in (label.get("act_cat") or ()):
            continue
        text += words if not text else (", then " if start >= ended - 1e-6 else " and ") + words
        ended = max(ended, end)
    return text


def _amass_path(root: Path, feat_p: str) -> Path | None:
    """Where ``feat_p`` is under the AMASS ``root``: as written, or without BABEL's leading dataset folder."""
    parts = Path(feat_p).parts
    return next((p for p in (root / feat_p, root.joinpath(*parts[1:])) if p.is_file()), None)


def _load(path: Path) -> np.ndarray:
    with np.load(path) as npz:
        try:
            return amass.convert(npz)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None


def _clips(annotations: dict[str, dict[str, Any]], root: Path, skipped: Skipped) -> Iterator[BabelClip]:
    for sid, entry in annotations.items():
        path = _amass_path(root, entry["feat_p"])
        if path is None:
            skipped.missing.append(entry["feat_p"])
            continue
        joints = _load(path)
        yield BabelClip(str(sid), entry["feat_p"], joints, segments_of(entry, FPS, len(joints)), text_of(entry))
    if len(skipped.missing) == len(annotations):
        raise ValueError(f"expected AMASS files such as {skipped.missing[0]} under {root}; none of the "
                         f"{len(annotations)} sequences was found")


def convert(annotations_path: str | os.PathLike, amass_root: str | os.PathLike) -> tuple[Iterator[BabelClip], Skipped]:
    """The labelled clips of a BABEL split whose AMASS files are under ``amass_root``, and the :class:`Skipped`
    summary that fills in as the iterator runs (complete once it is exhausted).

    ``ValueError`` at once for bad annotations or a missing root; from the iterator when a file is unreadable,
    or at the end when no sequence at all was found (most likely the wrong folder).
    """
    annotations = load_annotations(annotations_path)
    root = Path(amass_root)
    if not root.is_dir():
        raise ValueError(f"expected the AMASS sub-dataset folders (CMU/, BMLrub/, ...) under {root}: no such folder")
    skipped = Skipped()
    return _clips(annotations, root, skipped), skipped


__all__ = ["ACTION_MAP", "BabelClip", "Skipped", "load_annotations", "action_of", "segments_of", "text_of",
           "convert"]
