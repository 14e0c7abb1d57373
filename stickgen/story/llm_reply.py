"""An LLM's reply made into a validated :class:`~stickgen.story.schema.Script`, or refused.

:func:`extract_json` finds the one JSON object in the reply (code fences and text around it dropped, trailing
commas removed); :func:`repair` fixes what can be fixed (numbers written as strings, synonyms for action
names, times past the end, missing characters) and :func:`script_from_reply` validates the result. The
backends that ask for the reply are in :mod:`stickgen.story.llm`.
"""
from __future__ import annotations

import re
from typing import Any

from .. import vocab
from .clauses import match_actions
from .schema import DIRECTIONS, Script, ScriptError
from .strict_json import loads_strict


def extract_json(reply: str) -> Any:
    """The JSON object in ``reply``: code fences and text around it are dropped, trailing commas removed."""
    if not isinstance(reply, str):
        raise ScriptError(f"script: the LLM reply is not text ({type(reply).__name__})")
    start, end = reply.find("{"), reply.rfind("}")
    if start < 0 or end <= start:
        raise ScriptError("script: the LLM reply has no JSON object")
    text = reply[start:end + 1]
    for attempt in (text, re.sub(r",\s*([}\]])", r"\1", text)):
        try:
            return loads_strict(attempt)
        except ValueError as exc:
            error = exc
    raise ScriptError(f"script: the LLM reply is not valid JSON ({error})")


def _is_number(value: Any) -> bool:
    """A finite int or float in a sane range; bools, NaN and Infinity are not numbers here."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 1e300


def _as_number(value: Any) -> Any:
    """``value`` with numbers written as strings ("3", "2.5s") turned into floats."""
    if isinstance(value, str):
        try:
            number = float(value.strip().rstrip("s"))
        except ValueError:
            return value
        return number if _is_number(number) else value
    return value


def _items(value: Any) -> list[Any]:
    """``value`` if it is a list, else no items."""
    return value if isinstance(value, list) else []


def _action_name(name: Any) -> str | None:
    if not isinstance(name, str):
        return None
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    if key in vocab.ACTION_NAMES:
        return key
    found = match_actions(name.lower().replace("_", " ").split())
    return found[0][2] if found else None


def repair(doc: Any, prompt: str, duration: float) -> dict[str, Any]:
    """A best-effort fix of an LLM's script document (see the module docstring); validation comes after."""
    if not isinstance(doc, dict):
        raise ScriptError(f"script: expected a JSON object, got {type(doc).__name__}")
    doc = {k: v for k, v in doc.items() if k in ("title", "description", "characters", "scenes", "layout")}
    doc["duration"] = float(duration)
    doc.setdefault("title", prompt[:60])
    doc.setdefault("description", prompt)
    scenes = doc.get("scenes")
    if not isinstance(scenes, list) or not scenes:
        raise ScriptError("script.scenes: the LLM gave no scenes")
    ends = [_as_number(e.get("end")) for s in scenes if isinstance(s, dict)
            for e in _items(s.get("actions")) if isinstance(e, dict)]
    latest = max([e for e in ends if _is_number(e)] or [duration])
    scale = duration / latest if latest > duration * 1.05 else 1.0
    for scene in scenes:
        if not isinstance(scene, dict):
            raise ScriptError("script.scenes: every scene must be an object")
        scene["start"], scene["end"] = 0.0, float(duration)
        for key in ("actions", "expressions", "speech", "camera"):
            scene[key] = [e for e in (_repair_event(e, key, scale, duration) for e in _items(scene.get(key)))
                          if e is not None]
    if not any(scene["actions"] for scene in scenes):
        raise ScriptError("script.scenes: the LLM gave no usable actions")
    named = {e["character"] for s in scenes for e in s["actions"] if isinstance(e.get("character"), str)}
    characters = [c for c in _items(doc.get("characters")) if isinstance(c, dict) and isinstance(c.get("name"), str)]
    for c in characters:
        if c.get("color") is not None and not re.fullmatch(r"#[0-9a-fA-F]{6}", str(c["color"])):
            c["color"] = None
        if c.get("type") not in ("human", "robot", "child", "animal", None):
            c["type"] = "human"
    known = {c["name"] for c in characters}
    characters += [{"name": n} for n in sorted(named - known)]
    doc["characters"] = characters
    return doc


def _repair_event(event: Any, key: str, scale: float, duration: float) -> dict[str, Any] | None:
    if not isinstance(event, dict):
        return None
    event = {k: (_as_number(v) if k in ("start", "end", "speed", "energy", "distance", "turn") else v)
             for k, v in event.items()}
    if not all(_is_number(event.get(k)) for k in ("start", "end")):
        return None
    event["start"] = min(max(float(event["start"]) * scale, 0.0), duration)
    event["end"] = min(max(float(event["end"]) * scale, 0.0), duration)
    if event["end"] <= event["start"]:
        return None
    if key == "actions":
        event["action"] = _action_name(event.get("action"))
        if event["action"] is None:
            return None
        if event.get("direction") not in (None, *DIRECTIONS):
            event["direction"] = None
        if _is_number(event.get("energy")):
            event["energy"] = min(max(float(event["energy"]), 0.0), 1.0)
    elif key == "expressions" and event.get("expression") not in vocab.EXPRESSION_NAMES:
        return None
    elif key == "speech" and event.get("type") not in vocab.SPEECH_NAMES:
        event["type"] = "talk"
    elif key == "camera" and event.get("move") not in vocab.CAMERA_MOVES:
        return None
    return event


def script_from_reply(reply: str, prompt: str, duration: float) -> Script:
    """Validated :class:`Script` from an LLM reply; :class:`ScriptError` when it cannot be repaired."""
    return Script.from_dict(repair(extract_json(reply), prompt, duration))
