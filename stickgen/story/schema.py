"""The Script: what a story says happens, before any motion exists.

A :class:`Script` has a title, a description, a duration (seconds), the characters, the scenes (each with
per-character timed actions, expressions, speech lines, camera moves and objects) and the layout (where each
character starts, which way it faces, the path it follows). Times are absolute seconds on the clip's clock;
positions are world x/z metres; facings are degrees (0 faces +z, 90 faces +x), because that is what a person
or an LLM writes by hand.

``Script.from_dict`` validates everything and raises :class:`ScriptError` naming the field;
``Script.to_dict`` / ``from_dict`` and ``to_json`` / ``from_json`` round-trip exactly.
"""
from __future__ import annotations

import json
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from .. import vocab
from .strict_json import loads_strict

CHARACTER_TYPES = ("human", "robot", "child", "animal")
DIRECTIONS = ("forward", "backward", "left", "right", "across", "camera", "away", "circle", "circle_right",
              "bases", "back_and_forth", "zigzag", "in_place", "converge", "diverge", "toward")
HANDS = ("left", "right", "both")
MAX_DURATION = 600.0
MAX_CHARACTERS = 16
#: timed events (actions, expressions, speech, camera moves) over all scenes: ten a second for 600 s
MAX_EVENTS = 6000
MAX_SCENES = 100
#: waypoints in one layout path, and how far from the origin (m) a position may be
MAX_PATH_POINTS = 1000
MAX_COORDINATE_M = 1000.0
#: characters in any one text field (a name, a description, a line of speech)
MAX_TEXT_CHARS = 2000


class ScriptError(ValueError):
    """A script breaks the schema; the message starts with the offending field."""


# ----------------------------------------------------------------------------- records


@dataclass
class Character:
    name: str
    role: str = "person"
    type: str = "human"
    color: str | None = None


@dataclass
class TimedAction:
    """``character`` does ``action`` over ``[start, end)`` seconds.

    ``manner`` is the adverbial text ("quickly forward"); ``speed`` (m/s) and ``energy`` (0..1) are
    optional hints; ``partner`` names the other character of an interaction; ``direction`` is where a
    moving action goes (one of ``DIRECTIONS``), ``target`` the character it goes toward, ``distance`` its
    length in metres, ``turn`` degrees turned (positive toward the left) before it starts, or during it
    for an action in place (turning on the spot, a spin of several whole turns); ``count`` how many
    times it is done ("jumps three times"); ``size`` how big it is against a plain one (1; 1.5 for "as
    high as they can", 0.6 for "a little hop"); ``hand`` the acting hand of a one-arm action
    ("left", "right" or "both").
    """

    character: str
    action: str
    start: float
    end: float
    manner: str = ""
    speed: float | None = None
    energy: float | None = None
    partner: str | None = None
    direction: str | None = None
    target: str | None = None
    distance: float | None = None
    turn: float | None = None
    count: float | None = None
    size: float | None = None
    hand: str | None = None


@dataclass
class TimedExpression:
    character: str
    expression: str
    start: float
    end: float


@dataclass
class SpeechLine:
    character: str
    type: str
    start: float
    end: float
    text: str = ""


@dataclass
class CameraMove:
    """A camera move from ``vocab.CAMERA_MOVES`` over ``[start, end)`` seconds; ``direction`` is
    "in"/"out"/"left"/"right"/"up"/"down" where it applies; ``target`` names a character."""

    move: str
    start: float
    end: float
    target: str | None = None
    direction: str | None = None


@dataclass
class SceneObject:
    """A prop; ``near`` names the character it belongs to (placed in front of them when ``position`` is
    None)."""

    type: str
    position: tuple[float, float, float] | None = None
    size: tuple[float, float, float] | None = None
    near: str | None = None


@dataclass
class Layout:
    """Where ``character`` starts (x, z), its facing (degrees) and optional path waypoints [[x, z], ...]
    (the generated walk follows their shape, scaled about the start to the distance it covers:
    :func:`stickgen.placement.follow_path`)."""

    character: str
    start: tuple[float, float] = (0.0, 0.0)
    facing: float = 0.0
    path: list[tuple[float, float]] | None = None


@dataclass
class ScriptScene:
    start: float
    end: float
    description: str = ""
    actions: list[TimedAction] = field(default_factory=list)
    expressions: list[TimedExpression] = field(default_factory=list)
    speech: list[SpeechLine] = field(default_factory=list)
    camera: list[CameraMove] = field(default_factory=list)
    objects: list[SceneObject] = field(default_factory=list)


@dataclass
class Script:
    title: str
    description: str
    duration: float
    characters: list[Character]
    scenes: list[ScriptScene]
    layout: list[Layout] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ conversions

    def to_dict(self) -> dict[str, Any]:
        return _encode(self)

    @classmethod
    def from_dict(cls, doc: Any) -> Script:
        """Validate a parsed document and build the script; :class:`ScriptError` if invalid."""
        script = _decode(cls, doc, "script")
        validate(script)
        return script

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> Script:
        try:
            doc = loads_strict(text)
        except ValueError as exc:  # JSONDecodeError, NaN, huge numbers, deep nesting
            raise ScriptError(f"script: not valid JSON ({exc})") from None
        return cls.from_dict(doc)

    def character_index(self, name: str) -> int:
        for i, character in enumerate(self.characters):
            if character.name == name:
                return i
        raise ScriptError(f"no character named {name!r}; characters are: "
                          f"{', '.join(c.name for c in self.characters)}")


# ----------------------------------------------------------------------------- (de)serialisation

_LIST_TYPES: dict[tuple[type, str], type] = {
    (Script, "characters"): Character, (Script, "scenes"): ScriptScene, (Script, "layout"): Layout,
    (ScriptScene, "actions"): TimedAction, (ScriptScene, "expressions"): TimedExpression,
    (ScriptScene, "speech"): SpeechLine, (ScriptScene, "camera"): CameraMove,
    (ScriptScene, "objects"): SceneObject,
}
_NUMBER_FIELDS = {"start", "end", "duration", "speed", "energy", "facing", "distance", "turn", "count", "size"}
_VECTOR_FIELDS = {"position": 3, "size": 3}


def _encode(record: Any) -> Any:
    if hasattr(record, "__dataclass_fields__"):
        return {f.name: _encode(getattr(record, f.name)) for f in fields(record)}
    if isinstance(record, (list, tuple)):
        return [_encode(item) for item in record]
    return record


def _decode(cls: type, doc: Any, where: str) -> Any:
    if not isinstance(doc, dict):
        raise ScriptError(f"{where}: expected an object, got {type(doc).__name__}")
    names = {f.name: f for f in fields(cls)}
    unknown = sorted(set(doc) - set(names))
    if unknown:
        raise ScriptError(f"{where}: unknown field(s) {', '.join(unknown)}")
    kwargs = {}
    for name, spec in names.items():
        if name not in doc:
            if spec.default is MISSING and spec.default_factory is MISSING:
                raise ScriptError(f"{where}.{name}: required field missing")
            continue
        kwargs[name] = _decode_value(cls, name, doc[name], f"{where}.{name}")
    return cls(**kwargs)


def _decode_value(cls: type, name: str, value: Any, where: str) -> Any:
    item_type = _LIST_TYPES.get((cls, name))
    if item_type is not None:
        if not isinstance(value, list):
            raise ScriptError(f"{where}: expected a list, got {type(value).__name__}")
        if len(value) > MAX_EVENTS:  # checked before decoding: no list of a million records is built
            raise ScriptError(f"{where}: {len(value)} items; at most {MAX_EVENTS}")
        return [_decode(item_type, item, f"{where}[{i}]") for i, item in enumerate(value)]
    if value is None:
        return None
    if cls is Layout and name == "start":
        return _vector(value, 2, where)
    if cls is Layout and name == "path":
        if not isinstance(value, list):
            raise ScriptError(f"{where}: expected a list of [x, z] points")
        if len(value) > MAX_PATH_POINTS:
            raise ScriptError(f"{where}: {len(value)} points; at most {MAX_PATH_POINTS}")
        return [_vector(p, 2, f"{where}[{i}]") for i, p in enumerate(value)]
    if name in _NUMBER_FIELDS:
        return _number(value, where)
    if name in _VECTOR_FIELDS:
        return _vector(value, _VECTOR_FIELDS[name], where)
    if name == "warnings":
        if not isinstance(value, list):
            raise ScriptError(f"{where}: expected a list of strings")
        return [str(w) for w in value]
    if not isinstance(value, str):
        raise ScriptError(f"{where}: expected a string, got {type(value).__name__}")
    if len(value) > MAX_TEXT_CHARS:
        raise ScriptError(f"{where}: {len(value)} characters; at most {MAX_TEXT_CHARS}")
    return value


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not -1e300 < value < 1e300:
        raise ScriptError(f"{where}: expected a finite number, got {str(value)[:40]}")
    return float(value)


def _vector(value: Any, size: int, where: str) -> tuple[float, ...]:
    if not isinstance(value, (list, tuple)) or len(value) != size:
        raise ScriptError(f"{where}: expected {size} numbers, got {str(value)[:80]}")
    numbers = tuple(_number(v, f"{where}[{i}]") for i, v in enumerate(value))
    if max(abs(v) for v in numbers) > MAX_COORDINATE_M:
        raise ScriptError(f"{where}: {numbers} is more than {MAX_COORDINATE_M:g} m from the origin")
    return numbers


# ----------------------------------------------------------------------------- validation


def _check_span(start: float, end: float, duration: float, where: str) -> None:
    if not 0.0 <= start < end <= duration + 1e-6:
        raise ScriptError(f"{where}: time range [{start}, {end}) must satisfy 0 <= start < end <= "
                          f"duration ({duration})")


def _check_name(value: str, names: tuple[str, ...], where: str) -> None:
    if value not in names:
        raise ScriptError(f"{where}: unknown name {value!r}; expected one of: {', '.join(names)}")


def event_count(script: Script) -> int:
    """Timed events (actions, expressions, speech lines, camera moves) over all of ``script``'s scenes."""
    return sum(len(s.actions) + len(s.expressions) + len(s.speech) + len(s.camera) for s in script.scenes)


def validate(script: Script) -> None:
    """Check the cross-field rules of a script (names exist, times inside the clip, vocabulary names)."""
    if not 0.0 < script.duration <= MAX_DURATION:
        raise ScriptError(f"script.duration: must be in (0, {MAX_DURATION}] seconds, got {script.duration}")
    if not 1 <= len(script.characters) <= MAX_CHARACTERS:
        raise ScriptError(f"script.characters: need 1 to {MAX_CHARACTERS} characters, "
                          f"got {len(script.characters)}")
    if len(script.scenes) > MAX_SCENES:
        raise ScriptError(f"script.scenes: {len(script.scenes)} scenes; at most {MAX_SCENES}")
    events = event_count(script)
    if events > MAX_EVENTS:
        raise ScriptError(f"script.scenes: {events} timed events in all; at most {MAX_EVENTS}")
    names = tuple(c.name for c in script.characters)
    if len(set(names)) != len(names):
        raise ScriptError("script.characters: character names must be unique")
    for i, character in enumerate(script.characters):
        _check_name(character.type, CHARACTER_TYPES, f"script.characters[{i}].type")
        if character.color is not None and not _is_hex_color(character.color):
            raise ScriptError(f"script.characters[{i}].color: expected '#rrggbb', got {character.color!r}")
    for s, scene in enumerate(script.scenes):
        where = f"script.scenes[{s}]"
        _check_span(scene.start, scene.end, script.duration, where)
        for track, label, allowed in (("actions", "action", vocab.ACTION_NAMES),
                                      ("expressions", "expression", vocab.EXPRESSION_NAMES),
                                      ("speech", "type", vocab.SPEECH_NAMES)):
            for k, event in enumerate(getattr(scene, track)):
                _check_name(event.character, names, f"{where}.{track}[{k}].character")
                _check_name(getattr(event, label), allowed, f"{where}.{track}[{k}].{label}")
                _check_span(event.start, event.end, script.duration, f"{where}.{track}[{k}]")
        for k, action in enumerate(scene.actions):
            if action.partner is not None:
                _check_name(action.partner, names, f"{where}.actions[{k}].partner")
            if action.energy is not None and not 0.0 <= action.energy <= 1.0:
                raise ScriptError(f"{where}.actions[{k}].energy: must be in [0, 1], got {action.energy}")
            if action.speed is not None and not 0.0 <= action.speed <= 15.0:
                raise ScriptError(f"{where}.actions[{k}].speed: must be in [0, 15] m/s, got {action.speed}")
            if action.direction is not None:
                _check_name(action.direction, DIRECTIONS, f"{where}.actions[{k}].direction")
            if action.target is not None:
                _check_name(action.target, names, f"{where}.actions[{k}].target")
            if action.distance is not None and not 0.0 <= action.distance <= 500.0:
                raise ScriptError(f"{where}.actions[{k}].distance: must be in [0, 500] m, got {action.distance}")
            if action.count is not None and not (action.count == int(action.count) and 1 <= action.count <= 20):
                raise ScriptError(f"{where}.actions[{k}].count: must be a whole number 1-20, got {action.count}")
            if action.size is not None and not 0.25 <= action.size <= 3.0:
                raise ScriptError(f"{where}.actions[{k}].size: must be in [0.25, 3] (1 = plain), got {action.size}")
            if action.hand is not None:
                _check_name(action.hand, HANDS, f"{where}.actions[{k}].hand")
        for k, prop in enumerate(scene.objects):
            if prop.near is not None:
                _check_name(prop.near, names, f"{where}.objects[{k}].near")
        for k, move in enumerate(scene.camera):
            _check_name(move.move, vocab.CAMERA_MOVES, f"{where}.camera[{k}].move")
            _check_span(move.start, move.end, script.duration, f"{where}.camera[{k}]")
            if move.target is not None:
                _check_name(move.target, names, f"{where}.camera[{k}].target")
    for k, layout in enumerate(script.layout):
        _check_name(layout.character, names, f"script.layout[{k}].character")


def _is_hex_color(value: str) -> bool:
    return len(value) == 7 and value[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in value[1:])
