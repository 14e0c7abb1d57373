"""Generic humanoid BVH (Mixamo, CMU's BVH release, LaFAN1, 100STYLE, BEAT, Blender exports, this project's
own ``smpl22`` export) -> canonical ``smpl22`` clips with captions.

Layout: a folder of ``.bvh`` files, optionally with a caption sidecar: ``captions.csv`` (columns ``file,text``,
one row per caption) or ``captions.json`` (``{"file name": "text" or ["text", ...]}``); a file the sidecar does
not caption is captioned from its name (``Walking_Backwards_02.bvh`` -> "walking backwards").

A BVH file is a ``HIERARCHY`` of joints (rest ``OFFSET`` from the parent, Euler ``CHANNELS`` in degrees) and a
``MOTION`` block: ``Frames:``, ``Frame Time:`` (seconds per frame) and one row of channel values per frame.
Parsing and forward kinematics are :func:`stickgen.export.bvh.read_bvh`'s (which drops ``End Site`` tips and
ignores position channels on joints other than the root, the usual layout). Joints are matched by name
(:data:`JOINT_ALIASES`, case-insensitive, namespaces such as ``mixamorig:`` dropped, sides written ``Left*``,
``L*``, ``l_*`` or ``*_l``); fingers, toes' ends, twist and helper joints are left out; spine, neck and collar
joints a file lacks are placed between their neighbours where the rest pose has them (:data:`CHAINS`).

Units: BVH states none, so they are told from the body's size: the stature implied by the leg and
pelvis-to-head lengths, in file units, is read as whichever of :data:`UNITS` makes it closest to 1.7 m.
Axes: BVH is +y up by convention; a file whose rest pose stands along +z (Blender's exporter writes its z-up
world) is turned to +y up, and the log says so. Frame rate: ``1 / Frame Time``, resampled to 25 fps.

Public: :data:`JOINT_ALIASES`, :data:`CHAINS`, :data:`UNITS`, :class:`BvhBody`, :func:`normalize_name`,
:func:`map_to_smpl22`, :func:`read_smpl22`, :func:`to_canonical`, :func:`convert_file`,
:func:`caption_from_name`, :func:`captions_for`, :func:`convert_folder`.
"""
from __future__ import annotations

import csv
import json
import logging
import math
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from stickgen import skeleton
from stickgen.export.bvh import BvhClip, read_bvh

from .amass import Z_UP_TO_Y_UP

FPS = 25
J = skeleton.JOINT_INDEX
LOG = logging.getLogger(__name__)

#: per side: smpl22 joint -> normalised file names. ``LeftArm`` (Mixamo, CMU, LaFAN1, BEAT) is the shoulder and
#: ``LeftShoulder`` the collar there; without an ``*Arm`` joint ``LeftShoulder`` is the shoulder (100STYLE, beside
#: ``LeftCollar``). The shoulder is resolved before its collar so that a rig with neither ``*Arm`` nor a collar
#: joint keeps ``LeftShoulder`` as its shoulder and gets a derived collar.
_SIDED: dict[str, tuple[str, ...]] = {
    "hip": ("upleg", "upperleg", "thigh", "hip"), "knee": ("leg", "lowerleg", "knee", "calf", "shin"),
    "ankle": ("foot", "ankle"), "foot": ("toebase", "toe", "toes", "ball"),
    "shoulder": ("arm", "upperarm", "shoulder"), "elbow": ("forearm", "lowerarm", "elbow"),
    "wrist": ("hand", "wrist"), "collar": ("collar", "clavicle", "shoulder"),
}
#: smpl22 joint -> file joint names (as :func:`normalize_name` writes them) in order of preference, in the order
#: joints are resolved: each file joint serves one smpl22 joint, the first to claim it
JOINT_ALIASES: dict[str, tuple[str, ...]] = {
    "pelvis": ("hips", "pelvis", "hip"), "spine1": ("spine", "spine01", "chest"),
    "spine2": ("spine1", "spine02", "chest2"), "spine3": ("spine2", "spine03", "chest3"),
    "neck": ("neck", "neck01"), "head": ("head",),
    **{f"{side}_{joint}": tuple(side + alias for alias in aliases)
       for side in ("left", "right") for joint, aliases in _SIDED.items()},
}
#: chains whose inner joints a file may lack: each is placed between its nearest present neighbours on the chain
CHAINS: tuple[tuple[str, ...], ...] = (
    ("pelvis", "spine1", "spine2", "spine3", "neck", "head"),
    ("spine3", "left_collar", "left_shoulder"), ("spine3", "right_collar", "right_shoulder"),
)
DERIVABLE = frozenset(name for chain in CHAINS for name in chain[1:-1])
#: candidate file units, metres per unit (CMU's BVH release keeps the ASF unit, 1/0.45 inch)
UNITS: dict[str, float] = {"m": 1.0, "cm": 0.01, "mm": 0.001, "inch": 0.0254, "cmu": 0.0254 / 0.45}
STATURE = 1.7          # metres: the stature units are chosen to come closest to
STATURE_RANGE = (1.0, 2.5)


class BvhBody(NamedTuple):
    """A BVH file's body: ``joints [T, 22, 3]`` in metres, +y up (not yet canonical), ``fps``, the file's
    ``unit`` (a key of :data:`UNITS`) and ``up`` axis (``"y"`` or ``"z"``)."""

    joints: np.ndarray
    fps: float
    unit: str
    up: str


# ----------------------------------------------------------------------------- joint names


def normalize_name(name: str) -> str:
    """A joint name as :data:`JOINT_ALIASES` lists it: ``"mixamorig:LeftUpLeg"`` -> ``"leftupleg"``,
    ``"LHipJoint"`` -> ``"lefthipjoint"``, ``"thigh_l"`` -> ``"leftthigh"``, ``"Spine1"`` -> ``"spine1"``."""
    bare = re.split(r"[:|]", name)[-1]
    side, rest = "", bare
    if match := re.match(r"(?i)(left|right)(.+)", bare):
        side, rest = match[1].lower(), match[2]
    elif match := re.match(r"([LRlr])(?:[\s_.-]|(?=[A-Z]))(.+)", bare):
        side, rest = ("left" if match[1] in "Ll" else "right"), match[2]
    elif match := re.match(r"(.+?)[\s_.-]([LRlr])$", bare):
        side, rest = ("left" if match[2] in "Ll" else "right"), match[1]
    return side + re.sub(r"[^a-z0-9]", "", rest.lower())


def map_to_smpl22(names: Sequence[str]) -> dict[str, str]:
    """smpl22 joint -> the file joint standing for it, for every joint :data:`JOINT_ALIASES` finds.

    A file whose joints carry the smpl22 names themselves (this project's export) maps one to one.
    """
    lowered = {name.lower(): name for name in names}
    if all(joint in lowered for joint in skeleton.JOINT_NAMES):
        return {joint: lowered[joint] for joint in skeleton.JOINT_NAMES}
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(normalize_name(name), name)
    out: dict[str, str] = {}
    for joint, aliases in JOINT_ALIASES.items():
        found = next((by_key[a] for a in aliases if a in by_key and by_key[a] not in out.values()), None)
        if found is not None:
            out[joint] = found
    return out


# ----------------------------------------------------------------------------- geometry


def _gather(positions: np.ndarray, names: Sequence[str], mapping: dict[str, str]) -> np.ndarray:
    """File joint positions ``[T, J, 3]`` -> smpl22 ``[T, 22, 3]``, the missing chain joints filled in."""
    index = {name: i for i, name in enumerate(names)}
    out = np.full(positions.shape[:1] + (skeleton.NUM_JOINTS, 3), np.nan)
    for joint, name in mapping.items():
        out[:, J[joint]] = positions[:, index[name]]
    for chain in CHAINS:
        _fill_chain(out, [J[name] for name in chain])
    return out


def _fill_chain(out: np.ndarray, chain: list[int]) -> None:
    """Place the absent (NaN) inner joints of ``chain`` on the segment between their nearest present
    neighbours, at the fraction where the rest pose projects them. ``out: [T, 22, 3]`` in place."""
    rest = skeleton.rest_pose()
    present = [k for k, j in enumerate(chain) if not np.isnan(out[0, j, 0])]
    for k, j in enumerate(chain):
        if k in present:
            continue
        a, b = chain[max(p for p in present if p < k)], chain[min(p for p in present if p > k)]
        segment = rest[b] - rest[a]
        t = float(np.dot(rest[j] - rest[a], segment) / np.dot(segment, segment))
        out[:, j] = out[:, a] + t * (out[:, b] - out[:, a])


def _rest_positions(clip: BvhClip) -> np.ndarray:
    """World positions ``[J, 3]`` of the file's joints with every rotation zero (file units and axes)."""
    rest = np.zeros((len(clip.names), 3))
    for j, parent in enumerate(clip.parents):
        rest[j] = clip.offsets[j] + (rest[parent] if parent >= 0 else 0.0)
    return rest


def _stature(pose: np.ndarray) -> float:
    """Leg lengths (mean of both sides) plus pelvis-to-head distance of a smpl22 pose ``[22, 3]``: a measure of
    body size that does not depend on the pose."""
    legs = [np.linalg.norm(pose[J[f"{s}_hip"]] - pose[J[f"{s}_knee"]])
            + np.linalg.norm(pose[J[f"{s}_knee"]] - pose[J[f"{s}_ankle"]]) for s in ("left", "right")]
    return float(np.mean(legs) + np.linalg.norm(pose[J["head"]] - pose[J["pelvis"]]))


def _units(rest: np.ndarray, path: os.PathLike) -> str:
    """The key of :data:`UNITS` whose scale makes the rest pose ``[22, 3]`` closest to :data:`STATURE` tall."""
    height = _stature(rest) * skeleton.REST_HEIGHT / _stature(skeleton.rest_pose())
    unit = min(UNITS, key=lambda u: abs(math.log(height * UNITS[u] / STATURE))) if height > 0 else "m"
    metres = height * UNITS[unit]
    if not STATURE_RANGE[0] <= metres <= STATURE_RANGE[1]:
        raise ValueError(f"{path}: the body is {height:.4g} file units tall, which is no human height in any of "
                         f"{', '.join(UNITS)} (expected {STATURE_RANGE[0]}-{STATURE_RANGE[1]} m)")
    return unit


def _up_axis(rest: np.ndarray, path: os.PathLike) -> str:
    """``"y"`` or ``"z"``: the axis from the ankles to the head of the rest pose ``[22, 3]``."""
    up = rest[J["head"]] - rest[[J["left_ankle"], J["right_ankle"]]].mean(axis=0)
    axis = int(np.argmax(np.abs(up)))
    if axis in (1, 2) and up[axis] > 0:
        return "yz"[axis - 1]
    direction = np.round(up / max(np.linalg.norm(up), 1e-12), 2).tolist()
    raise ValueError(f"{path}: the rest pose's ankles-to-head direction is {direction}; expected +y (or +z) up")


# ----------------------------------------------------------------------------- files


def read_smpl22(path: str | os.PathLike) -> BvhBody:
    """A BVH file's smpl22 body in metres, +y up, at the file's frame rate: see :class:`BvhBody`.

    ``ValueError`` naming the file when it is not BVH, lacks a leg, arm or head joint (the message lists the
    smpl22 joints it could not find), has under 2 frames, or is no human size.
    """
    clip = read_bvh(path)
    mapping = map_to_smpl22(clip.names)
    missing = [j for j in skeleton.JOINT_NAMES if j not in mapping and j not in DERIVABLE]
    if missing:
        shown = ", ".join(clip.names[:12]) + (", ..." if len(clip.names) > 12 else "")
        raise ValueError(f"{path}: not a humanoid skeleton smpl22 maps onto: no joint for {', '.join(missing)} "
                         f"(the file's joints: {shown})")
    if len(clip.joints) < 2:
        raise ValueError(f"{path}: expected at least 2 frames, got {len(clip.joints)}")
    rest = _gather(_rest_positions(clip)[None], clip.names, mapping)[0]
    up, unit = _up_axis(rest, path), _units(rest, path)
    joints = _gather(clip.joints, clip.names, mapping) * UNITS[unit]
    if up == "z":
        joints = joints @ Z_UP_TO_Y_UP
    if (unit, up) != ("m", "y"):
        LOG.info("%s: read as %s, %s up%s", path, unit, up, " (turned to +y up)" if up == "z" else "")
    fps = round(clip.fps) if abs(clip.fps - round(clip.fps)) < 1e-3 else clip.fps
    return BvhBody(joints, fps, unit, up)


def to_canonical(joints: np.ndarray, fps: float) -> np.ndarray:
    """``[T >= 2, 22, 3]`` metres, +y up at ``fps`` -> canonical clip at 25 fps: rigid bones (median lengths),
    facing +z at frame 0 with the pelvis above the origin, lowest foot joint on the ground."""
    joints = skeleton.resample(skeleton.make_rigid(joints), fps, FPS)
    return skeleton.put_on_ground(skeleton.normalize_heading(joints))


def convert_file(path: str | os.PathLike) -> np.ndarray:
    """One BVH file -> canonical clip ``[T, 22, 3]`` at 25 fps (see :func:`read_smpl22` for the errors)."""
    body = read_smpl22(path)
    return to_canonical(body.joints, body.fps)


# ----------------------------------------------------------------------------- captions and folders


def caption_from_name(stem: str) -> str:
    """``"Walking_Backwards_02"`` -> ``"walking backwards"``: the name's words, lower case, numbers dropped."""
    return " ".join(re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", stem)).lower()


def _stem(name: str) -> str:
    return re.sub(r"(?i)\.bvh$", "", Path(name).name)


def _csv_captions(path: Path) -> dict[str, list[str]]:
    """``captions.csv`` (columns ``file,text``) -> ``{file stem: [texts]}``."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not {"file", "text"} <= set(reader.fieldnames or ()):
            raise ValueError(f"{path}: expected the columns file,text, got {reader.fieldnames}")
        out: dict[str, list[str]] = {}
        for row in reader:
            out.setdefault(_stem(row["file"]), []).append(row["text"].strip())
    return out


def _json_captions(path: Path) -> dict[str, list[str]]:
    """``captions.json`` (``{"file": "text" or ["text", ...]}``) -> ``{file stem: [texts]}``."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON ({exc})") from None
    if not isinstance(doc, dict) or not all(isinstance(v, (str, list)) for v in doc.values()):
        raise ValueError(f'{path}: expected an object {{"file name": "text" or ["text", ...]}}')
    return {_stem(name): [value] if isinstance(value, str) else [str(v) for v in value] for name, value in doc.items()}


def _bvh_files(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.glob("*") if p.suffix.lower() == ".bvh") if folder.is_dir() else []
    if not files:
        raise ValueError(f"expected .bvh files under {folder}")
    return files


def captions_for(folder: str | os.PathLike) -> dict[str, list[str]]:
    """``{file stem: [texts]}`` for every ``.bvh`` file of ``folder``: the sidecar's captions (``captions.csv``
    and ``captions.json`` together), else the one :func:`caption_from_name` makes (none for a name without
    words)."""
    folder = Path(folder)
    sidecar: dict[str, list[str]] = {}
    for name, read in (("captions.csv", _csv_captions), ("captions.json", _json_captions)):
        if (folder / name).is_file():
            for stem, texts in read(folder / name).items():
                sidecar.setdefault(stem, []).extend(texts)
    out = {}
    for path in _bvh_files(folder):
        fallback = caption_from_name(path.stem)
        out[path.stem] = sidecar.get(path.stem) or ([fallback] if fallback else [])
    return out


def convert_folder(folder: str | os.PathLike) -> Iterator[tuple[str, np.ndarray, list[str]]]:
    """``(file stem, canonical joints [T, 22, 3], captions)`` for every ``.bvh`` file of ``folder``, by name."""
    captions = captions_for(folder)
    for path in _bvh_files(Path(folder)):
        yield path.stem, convert_file(path), captions[path.stem]


__all__ = ["JOINT_ALIASES", "CHAINS", "UNITS", "BvhBody", "normalize_name", "map_to_smpl22", "read_smpl22",
           "to_canonical", "convert_file", "caption_from_name", "captions_for", "convert_folder"]
