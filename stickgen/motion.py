"""``Motion`` and ``Scene``: the in-memory form of a ``.motion`` v1 file (DESIGN.md section 2).

A :class:`Scene` holds one or more :class:`Motion` actors sharing a frame rate and length, plus camera,
objects and free-form metadata. ``Scene.load`` validates every file it reads against the shipped JSON
Schema and the checks a schema cannot express (array shapes, finite numbers, frame ranges, vocabulary
names, size limits); anything wrong raises :class:`MotionFormatError` naming the field. Optional fields
that a file leaves out stay absent (``None``) so that ``save(load(x))`` reproduces ``x``.

Reading is bounded (:mod:`stickgen.motion_checks`): a hostile file costs time linear in its size and
memory a small multiple of it.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .motion_checks import FORMAT, TRACKS, VERSION, MotionFormatError, parse_json, read_bounded, validate_document
from .skeleton import JOINT_NAMES, NUM_JOINTS, PARENTS, SKELETON_NAME

DEFAULT_SKELETON: dict[str, Any] = {
    "name": SKELETON_NAME, "joints": list(JOINT_NAMES), "parents": list(PARENTS),
    "units": "m", "up": "+y", "forward": "+z",
}
#: actor colours used when a file gives none (matplotlib's tab10)
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")


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
        """Parse and validate ``.motion`` text (str, or bytes in UTF-8/16/32)."""
        return cls.from_dict(parse_json(text))

    # ------------------------------------------------------------------ files

    @classmethod
    def load(cls, path: str | os.PathLike) -> Scene:
        """Read and validate a ``.motion`` file (or pipe, or device: reading stops at the size limit)."""
        return cls.from_json(read_bounded(Path(path)))

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
