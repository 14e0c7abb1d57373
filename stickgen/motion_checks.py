"""Reading and checking a ``.motion`` v1 document within limits that bound the work (DESIGN.md section 2).

:func:`read_bounded` reads at most ``MAX_FILE_BYTES + 1`` bytes (a pipe or /dev/zero stops there);
:func:`parse_json` runs a linear pre-scan that refuses deep nesting and text too dense in arrays/objects
before ``json.loads``, and leaves over-long integers unconverted; :func:`validate_document` caps list
lengths before the JSON Schema walks them, then checks what a schema cannot express (array shapes,
finite numbers everywhere, frame ranges, vocabulary names). So a hostile file costs time linear in its
size and memory a small multiple of it, and every failure is one :class:`MotionFormatError` line that
starts with the offending field. :mod:`stickgen.motion` builds the in-memory scene from what passes.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from . import vocab
from .skeleton import JOINT_NAMES, NUM_JOINTS, PARENTS

FORMAT = "stickgen.motion"
VERSION = 1
SCHEMA_PATH = Path(__file__).parent / "schemas" / "motion-v1.schema.json"
#: per track: the key naming a segment's label, and the names allowed
TRACKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "actions": ("action", vocab.ACTION_NAMES),
    "expressions": ("expression", vocab.EXPRESSION_NAMES),
    "speech": ("type", vocab.SPEECH_NAMES),
}

# ----------------------------------------------------------------------------- limits
# Each one bounds the work a hostile file can cause; the schema states the same numbers where it can.

MAX_FILE_BYTES = 256 * 1024 * 1024  # an hour of one actor at 60 fps with 4 decimals is ~110 MB
MAX_FRAMES = 60 * 60 * 60  # one hour at 60 fps
MAX_ACTORS = 64  # a crowd; every actor is drawn on every frame
MAX_SEGMENTS = 10_000  # all actors' action/expression/speech segments together: a new label every
#                        second for an hour is 3600, and the schema check spends ~0.1 ms on each
MAX_CAMERA_KEYFRAMES = 4096  # a keyframe every second for over an hour (the schema costs ~0.15 ms each)
MAX_CAMERA_MOVES = 4096  # likewise
MAX_OBJECTS = 4096  # props are drawn on every frame
MAX_DEPTH = 64  # JSON nesting; the format itself needs 6 (document > actors > actor > joints > frame >
#                 point), and json.loads recurses once per level until RecursionError near 1000
MAX_INT_DIGITS = 100  # no field needs more than 20 (a 64-bit seed); Python's int() is quadratic in the
#                       digits and refuses more than 4300
MIN_FPS, MAX_FPS = 1, 240  # below 1 fps the GIF/MP4 writers get frame durations they cannot store;
#                            240 fps is a high-speed camera
MIN_BYTES_PER_ARRAY = 6  # Python spends ~64 bytes on each parsed array and ~190 on each object; valid
MIN_BYTES_PER_OBJECT = 24  # text spends at least 7.7 bytes per array (an all-integer joint frame) and
#                            36 per object (a segment), so `[[],[],...]` or `[{"a":0},...]` is refused
#                            before it can cost 20-25x its size; parsing stays within ~12x
DENSITY_ALLOWANCE = 4096  # bytes of budget every file gets, so tiny hand-written documents never hit it
#: JSON objects in a whole file: every segment, keyframe, move, object and actor at its limit, plus room for
#: the skeleton, camera and ``meta``; counted by the pre-scan, so a file of a million segments is refused
#: before ``json.loads`` builds them (it spends ~190 bytes on each)
MAX_JSON_OBJECTS = MAX_SEGMENTS + MAX_CAMERA_KEYFRAMES + MAX_CAMERA_MOVES + MAX_OBJECTS + MAX_ACTORS + 10_000


class MotionFormatError(ValueError):
    """A ``.motion`` document breaks the v1 contract; the message starts with the offending field."""


# ----------------------------------------------------------------------------- reading within the limits

_SCAN_CHUNK = 1 << 18  # bytes per numpy step of the pre-scan: its temporary arrays stay near 2 MB
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(b'"[]{}')))  # what the pre-scan drops first
_NESTING_STEP = np.zeros(256, dtype=np.int8)  # per byte value: +1 opens a level, -1 closes one
_NESTING_STEP[[ord("["), ord("{")]] = 1
_NESTING_STEP[[ord("]"), ord("}")]] = -1


def read_bounded(path: Path) -> bytes:
    """The file's bytes; at most ``MAX_FILE_BYTES + 1`` are read, so /dev/zero or a pipe stops there."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size  # 0 for pipes and devices; then the read decides
        data = b"" if size > MAX_FILE_BYTES else handle.read(MAX_FILE_BYTES + 1)
    if max(size, len(data)) > MAX_FILE_BYTES:
        raise MotionFormatError(f"file: {path} is over the {MAX_FILE_BYTES:,}-byte limit")
    return data


def parse_json(text: str | bytes) -> Any:
    """``json.loads`` after a linear pre-scan for the limits it cannot enforce itself (see :func:`_prescan`).

    Integers over ``MAX_INT_DIGITS`` digits stay unconverted (:class:`_LongInteger`) so that the document
    checks can name their field.
    """
    if len(text) > MAX_FILE_BYTES:
        raise MotionFormatError(f"file: over the {MAX_FILE_BYTES:,}-byte limit")
    try:
        _prescan(_utf8(text))
        return json.loads(text, parse_int=_parse_int)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MotionFormatError(f"file: not valid JSON ({exc})") from None


def _utf8(text: str | bytes) -> bytes:
    """JSON text as UTF-8 bytes (``json.loads`` also takes UTF-16 and UTF-32 bytes)."""
    if isinstance(text, bytes):
        encoding = json.detect_encoding(text)
        if encoding.startswith("utf-8"):
            return text
        text = text.decode(encoding, "surrogatepass")
    return text.encode("utf-8", "surrogatepass")


def _prescan(data: bytes) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH``, more than ``MAX_JSON_OBJECTS`` objects and text too dense
    in arrays/objects, in linear time.

    ``data``: UTF-8 JSON text. Brackets inside strings do not count. Runs at C/numpy speed, chunk by chunk,
    before ``json.loads`` recurses into the nesting or allocates the containers.
    """
    size = len(data)
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")  # now each '"' opens or closes a string
    marks = data.translate(None, _NOT_STRUCTURE)  # only the bytes '"', '[', ']', '{' and '}' (C speed)
    depth = in_string = arrays = objects = 0
    for start in range(0, len(marks), _SCAN_CHUNK):
        chunk = np.frombuffer(marks, np.uint8, min(_SCAN_CHUNK, len(marks) - start), start)  # [n] marks
        inside = np.bitwise_xor.accumulate((chunk == ord('"')).view(np.uint8)) ^ in_string  # [n] 1 in a string
        step = _NESTING_STEP[chunk]  # [n] +1 opens, -1 closes a level
        step[inside.view(bool)] = 0
        levels = depth + np.cumsum(step, dtype=np.int32)  # [n] nesting after each mark
        if levels.max() > MAX_DEPTH:
            raise MotionFormatError(f"file: nested deeper than {MAX_DEPTH} levels")
        depth, in_string = int(levels[-1]), int(inside[-1])
        opened = chunk[step == 1]  # the '[' and '{' outside strings
        opened_arrays = int(np.count_nonzero(opened == ord("[")))
        arrays, objects = arrays + opened_arrays, objects + len(opened) - opened_arrays
    if objects > MAX_JSON_OBJECTS:
        raise MotionFormatError(f"file: {objects} JSON objects; a valid file has at most {MAX_JSON_OBJECTS} "
                                f"(segments, keyframes, moves, objects and actors at their limits)")
    if arrays * MIN_BYTES_PER_ARRAY + objects * MIN_BYTES_PER_OBJECT > size + DENSITY_ALLOWANCE:
        raise MotionFormatError(f"file: {arrays} arrays and {objects} objects in {size} bytes, denser than "
                                f"a valid file ({MIN_BYTES_PER_ARRAY} bytes per array, {MIN_BYTES_PER_OBJECT} "
                                f"per object)")


@dataclass(frozen=True)
class _LongInteger:
    """A JSON integer with more than ``MAX_INT_DIGITS`` digits, left unconverted."""

    digits: int

    def __repr__(self) -> str:
        return f"<integer of {self.digits} digits>"


def _parse_int(text: str) -> int | _LongInteger:
    """``parse_int`` hook: converts only integers within ``MAX_INT_DIGITS`` (``int()`` is quadratic)."""
    digits = len(text) - text.startswith("-")
    return int(text) if digits <= MAX_INT_DIGITS else _LongInteger(digits)


# ----------------------------------------------------------------------------- validation


@lru_cache(maxsize=1)
def _validator():
    """The schema's validator, stricter than JSON Schema: an integer is an ``int`` (not 2.0, not True),
    and ``items`` is not walked for an array over its ``maxItems`` (that keyword reports it)."""
    import jsonschema

    base = jsonschema.Draft202012Validator
    strict_types = base.TYPE_CHECKER.redefine("integer", lambda _, value: type(value) is int)
    validator = jsonschema.validators.extend(base, validators={"items": _items_within_max(base.VALIDATORS["items"])},
                                             type_checker=strict_types)
    return validator(json.loads(SCHEMA_PATH.read_text()))


def _items_within_max(items):
    """Wrap the ``items`` keyword so that it skips arrays over their ``maxItems``."""
    def check(validator, value, instance, schema):
        if not (isinstance(instance, list) and len(instance) > schema.get("maxItems", len(instance))):
            yield from items(validator, value, instance, schema)
    return check


def _field(path) -> str:
    """``actors[0].actions[3].start`` for a path of keys and indices; odd or long keys are quoted and cut."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part.isidentifier() and len(part) <= 60:
            out += f".{part}" if out else part
        else:
            out += f"[{_one_line(repr(part), 60)}]"
    return out or "document"


def _one_line(text: str, limit: int = 300) -> str:
    """``text`` cut to about ``limit`` characters, keeping its start and end (schema messages quote values)."""
    return text if len(text) <= limit else f"{text[:limit * 2 // 3]} ... {text[-limit // 4:]}"


def validate_document(doc: Any) -> None:
    """Check a parsed ``.motion`` document; raise :class:`MotionFormatError` naming the first bad field."""
    if not isinstance(doc, dict):
        raise MotionFormatError(f"document: expected a JSON object, got {type(doc).__name__}")
    if doc.get("format") != FORMAT:
        raise MotionFormatError(f"format: expected {FORMAT!r}, got {_one_line(repr(doc.get('format')))}")
    if doc.get("version") != VERSION or type(doc.get("version")) is not int:
        raise MotionFormatError(f"version: unsupported version {_one_line(repr(doc.get('version')))} "
                                f"(this reader knows {VERSION})")
    _check_counts(doc)
    actors = doc.get("actors")
    # the schema checks structure; joint arrays are checked below with numpy (faster, exact locations)
    shallow = dict(doc)
    if isinstance(actors, list):
        shallow["actors"] = [{**a, "joints": []} if isinstance(a, dict) and "joints" in a else a for a in actors]
    _check_values(shallow)
    error = next(iter(sorted(_validator().iter_errors(shallow), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        raise MotionFormatError(f"{_field(error.absolute_path)}: {_one_line(error.message)}")
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
                                            f"{_one_line(repr(segment[label_key]), 80)}; expected one of: "
                                            f"{', '.join(names)}")
    camera = doc.get("camera", {})
    for k, key in enumerate(camera.get("keyframes", [])):
        if key["frame"] >= num_frames:
            raise MotionFormatError(f"camera.keyframes[{k}].frame: {key['frame']} is outside the clip "
                                    f"(num_frames {num_frames})")
    for k, move in enumerate(camera.get("moves", [])):
        _check_range(move["start"], move["end"], num_frames, f"camera.moves[{k}]")
        if "target_actor" in move and move["target_actor"] not in ids:
            raise MotionFormatError(f"camera.moves[{k}].target_actor: no actor with id "
                                    f"{_one_line(repr(move['target_actor']), 80)}")


def _check_counts(doc: dict) -> None:
    """Refuse lists over their caps before the schema spends a tenth of a millisecond on each item."""
    actors = _list_at(doc, "actors")
    _check_count(actors, MAX_ACTORS, "actors")
    segments = 0
    for i, actor in enumerate(actors):
        for track in TRACKS:
            segments += len(_list_at(actor, track))
            if segments > MAX_SEGMENTS:
                raise MotionFormatError(f"actors[{i}].{track}: more than {MAX_SEGMENTS} segments in the scene "
                                        f"(the limit, all actors and tracks together)")
    camera = doc.get("camera")
    _check_count(_list_at(camera, "keyframes"), MAX_CAMERA_KEYFRAMES, "camera.keyframes")
    _check_count(_list_at(camera, "moves"), MAX_CAMERA_MOVES, "camera.moves")
    _check_count(_list_at(doc, "objects"), MAX_OBJECTS, "objects")


def _list_at(mapping: Any, key: str) -> list:
    """``mapping[key]`` when both are what the format expects (a dict holding a list), else ``[]``."""
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, list) else []


def _check_count(items: list, limit: int, where: str) -> None:
    if len(items) > limit:
        raise MotionFormatError(f"{where}: {len(items)} items, over the limit of {limit}")


def _check_values(doc: Any) -> None:
    """Every number finite and within ``MAX_INT_DIGITS``, nesting within ``MAX_DEPTH``: what ``json.dumps``
    needs to write the document back. An iterative walk in document order (deep input cannot recurse)."""
    stack = [(doc, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, (dict, list)):
            if len(path) >= MAX_DEPTH:
                raise MotionFormatError(f"{_field(path)}: nested deeper than {MAX_DEPTH} levels")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend(reversed([(item, path + (key,)) for key, item in items]))
        elif (problem := _number_problem(value)) is not None:
            raise MotionFormatError(f"{_field(path)}: {problem}")


_INT_BOUND = 10 ** MAX_INT_DIGITS  # the smallest integer with MAX_INT_DIGITS + 1 digits


def _number_problem(value: Any) -> str | None:
    """What makes ``value`` an unwritable number (not finite, too many digits), or None."""
    if isinstance(value, _LongInteger):
        return f"integer of {value.digits} digits, over the {MAX_INT_DIGITS}-digit limit"
    if isinstance(value, int) and not -_INT_BOUND < value < _INT_BOUND:
        return f"integer over the {MAX_INT_DIGITS}-digit limit"
    if isinstance(value, float) and not math.isfinite(value):
        return "not a finite number"
    return None


def _check_range(start: int, end: int, num_frames: int, where: str) -> None:
    if not 0 <= start < end <= num_frames:
        raise MotionFormatError(f"{where}: frame range [{start}, {end}) must satisfy 0 <= start < end <= "
                                f"num_frames ({num_frames})")


def _check_joints(joints: Any, num_frames: int, where: str) -> None:
    """``joints``: ``[num_frames][22][3]`` nested lists of finite ints/floats (not booleans, not strings)."""
    if not isinstance(joints, list):
        raise MotionFormatError(f"{where}: expected an array of frames, got {type(joints).__name__}")
    if len(joints) != num_frames:
        raise MotionFormatError(f"{where}: has {len(joints)} frames but num_frames is {num_frames}")
    try:
        array = np.asarray(joints, dtype=np.float64)  # [T, 22, 3] when well formed
        ok = array.shape == (num_frames, NUM_JOINTS, 3)
    except (ValueError, TypeError, OverflowError, RecursionError):
        ok = False
    # numpy also converts True and "1.5"; the JSON types are checked at C speed over the flat values
    if not ok or not set(map(type, chain.from_iterable(chain.from_iterable(joints)))) <= {int, float}:
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
                if (problem := _number_problem(value)) is not None:
                    raise MotionFormatError(f"{where}[{f}][{j}]: {problem}")
                if type(value) not in (int, float):
                    raise MotionFormatError(f"{where}[{f}][{j}]: not a number: {_one_line(repr(value), 80)}")
    raise MotionFormatError(f"{where}: expected shape [num_frames, 22, 3]")
