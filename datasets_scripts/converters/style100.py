"""100STYLE (Mason, Starke and Komura 2022) -> canonical ``smpl22`` locomotion clips labelled with style,
action and direction.

Layout (as the dataset's page and the authors' exporter read it): ``100STYLE/<Style>/<Style>_<Type>.bvh``, one
folder per style (``Angry``, ``ArmsAboveHead``, ...) and one take per locomotion type (:data:`TYPES`), and
``100STYLE/Frame_Cuts.csv``: the header ``STYLE_NAME,BR_START,BR_STOP,BW_START,BW_STOP,FR_START,FR_STOP,FW_START,
FW_STOP,ID_START,ID_STOP,SR_START,SR_STOP,SW_START,SW_STOP,TR1_START,TR1_STOP,TR2_START,TR2_STOP,TR3_START,TR3_STOP``
and one row per style giving the first and last frame of each take's stylised motion (outside them the actor
walks on and off and holds a T-pose); a take the style lacks reads ``N/A``. Frame numbers count from 1 and both
ends are kept, as the authors' Unity exporter reads them (AI4Animation numbers frames from 1).

The takes are Xsens captures written as BVH at 60 fps in centimetres, +y up, joints ``Hips``, ``Chest`` to
``Chest4``, ``Neck``, ``Head`` and per side ``*Collar``, ``*Shoulder`` (the upper arm), ``*Elbow``, ``*Wrist``,
``*Hip``, ``*Knee``, ``*Ankle``, ``*Toe``; :mod:`.bvh` maps them and reads units and frame rate from each file.
A clip's text says how the person moves and in which style ("a person walks backward in an angry style"), its
``actions`` give the vocabulary action over every frame (none for transitions) and ``direction`` is
``"forward"``, ``"backward"``, ``"sideways"`` or None.

Public: :data:`TYPES`, :class:`StyleClip`, :func:`read_frame_cuts`, :func:`style_text`, :func:`convert_style`.
"""
from __future__ import annotations

import csv
import os
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np

from stickgen.motion import Segment

from . import bvh


class LocomotionType(NamedTuple):
    """What a take type shows: the vocabulary ``action`` (None: several), travel ``direction`` (None: none or
    several) and the ``phrase`` that describes it after "a person"."""

    action: str | None
    direction: str | None
    phrase: str


TYPES: dict[str, LocomotionType] = {
    "BR": LocomotionType("run", "backward", "runs backward"),
    "BW": LocomotionType("walk", "backward", "walks backward"),
    "FR": LocomotionType("run", "forward", "runs forward"),
    "FW": LocomotionType("walk", "forward", "walks forward"),
    "ID": LocomotionType("idle", None, "stands idle"),
    "SR": LocomotionType("run", "sideways", "sidesteps at a run"),
    "SW": LocomotionType("walk", "sideways", "sidesteps at a walk"),
    **{f"TR{k}": LocomotionType(None, None, "moves, changing between standing, walking and running")
       for k in (1, 2, 3)},
}
NOT_AVAILABLE = ("", "N/A")


class StyleClip(NamedTuple):
    """One cut take: ``name`` (``<Style>_<Type>``), ``style``, ``type`` (a key of :data:`TYPES`), canonical
    ``joints [T, 22, 3]`` at 25 fps, ``text``, ``actions`` (segments over the clip) and ``direction``."""

    name: str
    style: str
    type: str
    joints: np.ndarray
    text: str
    actions: list[Segment]
    direction: str | None


def _row_cuts(cells: dict[str, str], path: Path) -> dict[str, tuple[int, int]]:
    """One ``Frame_Cuts.csv`` row -> ``{type: (first, last)}`` for the takes it cuts."""
    cuts = {}
    for kind in TYPES:
        start, stop = (cells.get(f"{kind}_{end}", "").strip() for end in ("START", "STOP"))
        if start.upper() in NOT_AVAILABLE or stop.upper() in NOT_AVAILABLE:
            continue
        try:
            first, last = int(start), int(stop)
        except ValueError:
            raise ValueError(f"{path}: {cells['STYLE_NAME']} {kind}: expected frame numbers or N/A, "
                             f"got {start!r}, {stop!r}") from None
        if not 0 <= first <= last:
            raise ValueError(f"{path}: {cells['STYLE_NAME']} {kind}: expected 0 <= START <= STOP, got {first}, {last}")
        cuts[kind] = (first, last)
    return cuts


def read_frame_cuts(path: str | os.PathLike) -> dict[str, dict[str, tuple[int, int]]]:
    """``Frame_Cuts.csv`` -> ``{style: {type: (first frame, last frame)}}`` as written (from 1, both kept)."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [[cell.strip() for cell in row] for row in csv.reader(handle)]
    header = rows[0] if rows else []
    if not header or header[0] != "STYLE_NAME" or not any(f"{kind}_START" in header for kind in TYPES):
        raise ValueError(f"{path}: expected the header STYLE_NAME,BR_START,BR_STOP,BW_START,..., "
                         f"got {','.join(header)[:80]!r}")
    return {row[0]: _row_cuts(dict(zip(header, row)), path) for row in rows[1:] if row and row[0]}


def style_text(style: str, kind: str) -> str:
    """``("ArmsAboveHead", "FW")`` -> ``"a person walks forward in an arms above head style"``."""
    words = " ".join(re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", style)).lower()
    article = "an" if words[:1] in tuple("aeiou") else "a"
    return f"a person {TYPES[kind].phrase} in {article} {words} style"


def _clip(path: Path, style: str, kind: str, first: int, last: int) -> StyleClip:
    if not path.is_file():
        raise ValueError(f"expected {path.name} under {path.parent} (Frame_Cuts.csv cuts a {kind} take for {style})")
    body = bvh.read_smpl22(path)
    piece = body.joints[max(first, 1) - 1:last]  # frames count from 1 (a 0 reads as the first frame)
    if len(piece) < 2:
        raise ValueError(f"{path}: the cut {first}-{last} keeps {len(piece)} of the file's {len(body.joints)} frames")
    joints = bvh.to_canonical(piece, body.fps)
    action = TYPES[kind].action
    actions = [Segment(0, len(joints), action)] if action else []
    return StyleClip(f"{style}_{kind}", style, kind, joints, style_text(style, kind), actions, TYPES[kind].direction)


def convert_style(root: str | os.PathLike, style: str) -> list[StyleClip]:
    """Every take of ``style`` that ``root/Frame_Cuts.csv`` cuts, in :data:`TYPES` order, as :class:`StyleClip`.

    ``ValueError`` when ``root`` lacks ``Frame_Cuts.csv`` or the style's folder, the cuts name no such style, or
    a cut take's file is missing (each message names what it expected where).
    """
    root = Path(root)
    cuts_path = root / "Frame_Cuts.csv"
    if not cuts_path.is_file():
        raise ValueError(f"expected Frame_Cuts.csv under {root} (the 100STYLE folder)")
    cuts = read_frame_cuts(cuts_path)
    if style not in cuts:
        raise ValueError(f"{cuts_path}: no row for the style {style!r} (first styles: {', '.join(list(cuts)[:5])})")
    if not (root / style).is_dir():
        raise ValueError(f"expected the folder {style}/ with {style}_<type>.bvh files under {root}")
    return [_clip(root / style / f"{style}_{kind}.bvh", style, kind, first, last)
            for kind, (first, last) in cuts[style].items()]


__all__ = ["TYPES", "LocomotionType", "StyleClip", "read_frame_cuts", "style_text", "convert_style"]
