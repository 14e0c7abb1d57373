"""``Motion`` and ``Scene``: the in-memory form of a ``.motion`` v1 file (DESIGN.md section 2).

A :class:`Scene` holds one or more :class:`Motion` actors sharing a frame rate and length, plus camera,
objects and free-form metadata. ``Scene.load`` validates every file it reads against the shipped JSON
Schema and the checks a schema cannot express (array shapes, finite numbers, frame ranges, vocabulary
names, size limits); anything wrong raises :class:`MotionFormatError` naming the field. Optional fields
that a file leaves out stay absent (``None``) so that ``save(load(x))`` reproduces ``x``.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from . import vocab
from .skeleton import JOINT_NAMES, NUM_JOINTS, PARENTS, SKELETON_NAME

FORMAT = "stickgen.motion"
VERSION = 1
MAX_ACTORS = 64
MAX_FRAMES = 60 * 60 * 60  # one hour at 60 fps
MAX_FILE_BYTES = 256 * 1024 * 1024
SCHEMA_PATH = Path(__file__).parent / "schemas" / "motion-v1.schema.json"

DEFAULT_SKELETON: dict[str, Any] = {
    "name": SKELETON_NAME, "joints": list(JOINT_NAMES), "parents": list(PARENTS),
    "units": "m", "up": "+y", "forward": "+z",
}
#: actor colours used when a file gives none (matplotlib's tab10)
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")
#: per track: the key naming a segment's label, and the names allowed
TRACKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "actions": ("action", vocab.ACTION_NAMES),
    "expressions": ("expression", vocab.EXPRESSION_NAMES),
    "speech": ("type", vocab.SPEECH_NAMES),
}


class MotionFormatError(ValueError):
    """A ``.motion`` document breaks the v1 contract; the message starts with the offending field."""


# ----------------------------------------------------------------------------- data classes


@dataclass
class Segment:
    """A half-open frame range ``[start, end)`` with a label (an action, expression or speech type).

    ``extra`` keeps any other keys of the segment (for example a speech line's ``text``).
    """

    start: int
    end: int
    label: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, label_key: str) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, label_key: self.label, **self.extra}


@dataclass
class Motion:
    """One actor. ``joints: [T, 22, 3]`` world-space positions in metres (float64)."""

    joints: np.ndarray
    id: str = "a0"
    name: str | None = None
    color: str | None = None
    actions: list[Segment] | None = None
    expressions: list[Segment] | None = None
    speech: list[Segment] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.joints = np.asarray(self.joints, dtype=np.float64)
        if self.joints.ndim != 3 or self.joints.shape[1:] != (NUM_JOINTS, 3):
            raise MotionFormatError(f"joints: expected shape [T, 22, 3], got {list(self.joints.shape)}")

    @property
    def num_frames(self) -> int:
        return int(self.joints.shape[0])

    def track(self, name: str) -> list[Segment]:
        """Segments of ``actions``, ``expressions`` or ``speech`` (empty when absent)."""
        return getattr(self, name) or []

    def label_at(self, track: str, frame: int) -> str | None:
        """Label of the segment of ``track`` covering ``frame``, or None."""
        for segment in self.track(track):
            if segment.start <= frame < segment.end:
                return segment.label
        return None

    def frame_labels(self, track: str, default: int = -1) -> np.ndarray:
        """Per-frame vocabulary ids of a track: ``[T]`` int64, ``default`` where no segment covers."""
        names = TRACKS[track][1]
        labels = np.full(self.num_frames, default, dtype=np.int64)
        for segment in self.track(track):
            labels[segment.start:segment.end] = names.index(segment.label)
        return labels

    def to_dict(self, decimals: int | None = None) -> dict[str, Any]:
        joints = self.joints if decimals is None else np.round(self.joints, decimals)
        out: dict[str, Any] = {"id": self.id}
        if self.name is not None:
            out["name"] = self.name
        if self.color is not None:
            out["color"] = self.color
        out["joints"] = joints.tolist()
        for track, (label_key, _) in TRACKS.items():
            segments = getattr(self, track)
            if segments is not None:
                out[track] = [s.to_dict(label_key) for s in segments]
        out.update(self.extra)
        return out

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Motion:
        """Build from a validated actor dictionary (see :func:`validate_document`)."""
        known = {"id", "name", "color", "joints", *TRACKS}
        tracks = {}
        for track, (label_key, _) in TRACKS.items():
            if track in doc:
                tracks[track] = [Segment(s["start"], s["end"], s[label_key],
                                         {k: v for k, v in s.items() if k not in ("start", "end", label_key)})
                                 for s in doc[track]]
        return cls(joints=doc["joints"], id=doc["id"], name=doc.get("name"), color=doc.get("color"),
                   extra={k: v for k, v in doc.items() if k not in known}, **tracks)


@dataclass
class CameraKeyframe:
    """Camera state at ``frame``: ``position`` and ``target`` in world metres, vertical ``fov`` degrees."""

    frame: int
    position: tuple[float, float, float]
    target: tuple[float, float, float]
    fov: float = 45.0
    interpolation: str = "smooth"

    def to_dict(self) -> dict[str, Any]:
        return {"frame": self.frame, "position": list(self.position), "target": list(self.target),
                "fov": self.fov, "interpolation": self.interpolation}


@dataclass
class Scene:
    """Actors sharing a clock, plus camera, objects and metadata. ``camera`` is the raw camera object."""

    actors: list[Motion]
    fps: float = 25
    camera: dict[str, Any] | None = None
    objects: list[dict[str, Any]] | None = None
    meta: dict[str, Any] | None = None
    skeleton: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_SKELETON))
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.actors:
            raise MotionFormatError("actors: a scene needs at least one actor")
        lengths = {a.num_frames for a in self.actors}
        if len(lengths) != 1:
            raise MotionFormatError(f"actors: all actors must have the same number of frames, got {sorted(lengths)}")

    @property
    def num_frames(self) -> int:
        return self.actors[0].num_frames

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.num_frames / self.fps

    def actor_color(self, index: int) -> str:
        """The actor's colour, or the palette's default for its position."""
        return self.actors[index].color or PALETTE[index % len(PALETTE)]

    @property
    def camera_keyframes(self) -> list[CameraKeyframe]:
        """The file's camera keyframes, sorted by frame (empty when it has none)."""
        keys = (self.camera or {}).get("keyframes", [])
        return sorted((CameraKeyframe(k["frame"], tuple(k["position"]), tuple(k["target"]),
                                      k.get("fov", 45.0), k.get("interpolation", "smooth")) for k in keys),
                      key=lambda k: k.frame)

    # ------------------------------------------------------------------ dict / JSON

    def to_dict(self, decimals: int | None = None) -> dict[str, Any]:
        """The ``.motion`` v1 document. ``decimals`` rounds joint coordinates (4 = 0.1 mm)."""
        doc: dict[str, Any] = {"format": FORMAT, "version": VERSION, "fps": self.fps,
                               "num_frames": self.num_frames, "skeleton": self.skeleton,
                               "actors": [a.to_dict(decimals) for a in self.actors]}
        for key in ("camera", "objects", "meta"):
            value = getattr(self, key)
            if value is not None:
                doc[key] = value
        doc.update(self.extra)
        return doc

    @classmethod
    def from_dict(cls, doc: Any) -> Scene:
        """Validate a parsed ``.motion`` document and build the scene; ``MotionFormatError`` if invalid."""
        validate_document(doc)
        known = {"format", "version", "fps", "num_frames", "skeleton", "actors", "camera", "objects", "meta"}
        return cls(actors=[Motion.from_dict(a) for a in doc["actors"]], fps=doc["fps"],
                   camera=doc.get("camera"), objects=doc.get("objects"), meta=doc.get("meta"),
                   skeleton=doc["skeleton"], extra={k: v for k, v in doc.items() if k not in known})

    def to_json(self, decimals: int | None = None) -> str:
        """Compact JSON text of the validated document (one line, trailing newline)."""
        doc = self.to_dict(decimals)
        validate_document(doc)
        return json.dumps(doc, separators=(",", ":"), allow_nan=False) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> Scene:
        if len(text) > MAX_FILE_BYTES:
            raise MotionFormatError(f"file: larger than the {MAX_FILE_BYTES // 2**20} MB limit")
        try:
            doc = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise MotionFormatError(f"file: not valid JSON ({exc})") from None
        return cls.from_dict(doc)

    # ------------------------------------------------------------------ files

    @classmethod
    def load(cls, path: str | os.PathLike) -> Scene:
        """Read and validate a ``.motion`` file."""
        path = Path(path)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise MotionFormatError(f"file: {path} is {size} bytes, over the {MAX_FILE_BYTES // 2**20} MB limit")
        return cls.from_json(path.read_bytes())

    def save(self, path: str | os.PathLike, decimals: int | None = None) -> Path:
        """Validate, then write atomically (temp file + rename): a crash never leaves a partial file."""
        return atomic_write(path, self.to_json(decimals))


def atomic_write(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode() if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600 files; give the usual permissions
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ----------------------------------------------------------------------------- validation


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text())
    return jsonschema.Draft202012Validator(schema)


def _field(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "document"


def validate_document(doc: Any) -> None:
    """Check a parsed ``.motion`` document; raise :class:`MotionFormatError` naming the first bad field."""
    if not isinstance(doc, dict):
        raise MotionFormatError(f"document: expected a JSON object, got {type(doc).__name__}")
    if doc.get("format") != FORMAT:
        raise MotionFormatError(f"format: expected {FORMAT!r}, got {doc.get('format')!r}")
    if doc.get("version") != VERSION or isinstance(doc.get("version"), bool):
        raise MotionFormatError(f"version: unsupported version {doc.get('version')!r} (this reader knows {VERSION})")
    actors = doc.get("actors")
    # the schema checks structure; joint arrays are checked below with numpy (faster, exact locations)
    shallow = dict(doc)
    if isinstance(actors, list):
        shallow["actors"] = [{**a, "joints": []} if isinstance(a, dict) and "joints" in a else a for a in actors]
    error = next(iter(sorted(_validator().iter_errors(shallow), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        raise MotionFormatError(f"{_field(error.absolute_path)}: {error.message}")
    _check_finite({k: v for k, v in doc.items() if k not in ("actors", "meta")}, [])
    skeleton = doc["skeleton"]
    if skeleton.get("joints", list(JOINT_NAMES)) != list(JOINT_NAMES):
        raise MotionFormatError("skeleton.joints: joint names must be the smpl22 order")
    if skeleton.get("parents", list(PARENTS)) != list(PARENTS):
        raise MotionFormatError("skeleton.parents: parents must be the smpl22 tree")
    num_frames = doc["num_frames"]
    ids = set()
    for i, actor in enumerate(actors):
        where = f"actors[{i}]"
        if actor["id"] in ids:
            raise MotionFormatError(f"{where}.id: duplicate actor id {actor['id']!r}")
        ids.add(actor["id"])
        _check_joints(actor["joints"], num_frames, f"{where}.joints")
        for track, (label_key, names) in TRACKS.items():
            for k, segment in enumerate(actor.get(track, [])):
                _check_range(segment["start"], segment["end"], num_frames, f"{where}.{track}[{k}]")
                if segment[label_key] not in names:
                    raise MotionFormatError(f"{where}.{track}[{k}].{label_key}: unknown name "
                                            f"{segment[label_key]!r}; expected one of: {', '.join(names)}")
    camera = doc.get("camera", {})
    for k, key in enumerate(camera.get("keyframes", [])):
        if key["frame"] >= num_frames:
            raise MotionFormatError(f"camera.keyframes[{k}].frame: {key['frame']} is outside the clip "
                                    f"(num_frames {num_frames})")
    for k, move in enumerate(camera.get("moves", [])):
        _check_range(move["start"], move["end"], num_frames, f"camera.moves[{k}]")
        if "target_actor" in move and move["target_actor"] not in ids:
            raise MotionFormatError(f"camera.moves[{k}].target_actor: no actor with id {move['target_actor']!r}")


def _check_range(start: int, end: int, num_frames: int, where: str) -> None:
    if not 0 <= start < end <= num_frames:
        raise MotionFormatError(f"{where}: frame range [{start}, {end}) must satisfy 0 <= start < end <= "
                                f"num_frames ({num_frames})")


def _check_finite(value: Any, path: list) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise MotionFormatError(f"{_field(path)}: not a finite number")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_finite(item, path + [key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_finite(item, path + [index])


def _check_joints(joints: Any, num_frames: int, where: str) -> None:
    if not isinstance(joints, list):
        raise MotionFormatError(f"{where}: expected an array of frames, got {type(joints).__name__}")
    if len(joints) != num_frames:
        raise MotionFormatError(f"{where}: has {len(joints)} frames but num_frames is {num_frames}")
    try:
        array = np.asarray(joints, dtype=np.float64)
        ok = array.shape == (num_frames, NUM_JOINTS, 3)
    except (ValueError, TypeError):
        ok = False
    if not ok:
        _locate_bad_joint(joints, where)
    bad = np.argwhere(~np.isfinite(array))
    if len(bad):
        frame, joint, _ = bad[0]
        raise MotionFormatError(f"{where}[{frame}][{joint}]: not a finite number")


def _locate_bad_joint(joints: list, where: str) -> None:
    for f, frame in enumerate(joints):
        if not isinstance(frame, list) or len(frame) != NUM_JOINTS:
            raise MotionFormatError(f"{where}[{f}]: expected 22 joints, got "
                                    f"{len(frame) if isinstance(frame, list) else type(frame).__name__}")
        for j, point in enumerate(frame):
            if not isinstance(point, list) or len(point) != 3:
                raise MotionFormatError(f"{where}[{f}][{j}]: expected [x, y, z]")
            for value in point:
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise MotionFormatError(f"{where}[{f}][{j}]: not a number: {value!r}")
    raise MotionFormatError(f"{where}: expected shape [num_frames, 22, 3]")
