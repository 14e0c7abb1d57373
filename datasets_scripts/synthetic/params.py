"""Realised manner of each step: fill in every parameter a step leaves out, from the clip's generator.

``realize(step, rng, first, last)`` returns the completed params dict; values already given win, so a
spec that names "speed": 1.2 gets exactly that. Ranges follow issue #4 (walk 0.8-1.8 m/s, run 2.5-6).
"""
from __future__ import annotations

import numpy as np

from stickgen import vocab

from .gait import cadence

LOCOMOTION_SPEED = {"walk": (0.8, 1.8), "run": (2.8, 5.0), "sprint": (5.0, 6.5), "dribbling": (1.8, 3.0),
                    "running_bases": (3.5, 6.0), "crawling": (0.25, 0.5)}
GAIT_KIND = {"walk": "walk", "run": "run", "sprint": "run", "dribbling": "run", "running_bases": "run"}
WALK_PATHS = ("straight", "straight", "curve", "circle", "waypoints", "backwards", "sideways")
RUN_PATHS = ("straight", "straight", "curve", "circle", "waypoints")
DANCE_STYLES = ("bounce", "twist", "disco", "sway", "spin", "step_touch")
SPEECH_EXPRESSIONS = {"talk": ("neutral", "happy", "neutral"), "shout": ("angry", "excited", "surprised"),
                      "whisper": ("neutral", "surprised"), "sing": ("happy", "excited")}
EXPRESSIONS = {"cry": ("sad",), "laugh": ("happy", "excited"), "celebrate": ("excited", "happy"),
               "dance": ("happy", "excited", "neutral"), "fight": ("angry",), "fight_stance": ("angry", "neutral"),
               "punch": ("angry", "neutral"), "hug": ("happy", "sad"), "high_five": ("excited", "happy"),
               "handshake": ("happy", "neutral"), "wave": ("happy", "neutral"), "dodge": ("surprised", "neutral"),
               "catching": ("neutral", "surprised"), "looking_around": ("neutral", "surprised"),
               "eating": ("neutral", "happy"), "lie_down": ("neutral", "sad")}


#: share of idle steps that turn on the spot first
IDLE_TURN_SHARE = 0.25


def turn_angle(rng: np.random.Generator) -> float:
    """A turn on the spot (rad, + = left): often a quarter or half turn, else 45-270 degrees, sometimes 360."""
    u = rng.random()
    degrees = _choice(rng, (90.0, 180.0)) if u < 0.4 else 360.0 if u < 0.5 else float(rng.uniform(45.0, 270.0))
    return float(np.radians(degrees) * rng.choice([-1, 1]))


def _choice(rng: np.random.Generator, options) -> object:
    return options[int(rng.integers(len(options)))]


def _locomotion(action: str, rng: np.random.Generator, duration: float, given: dict) -> dict:
    lo, hi = LOCOMOTION_SPEED[action]
    out: dict = {"speed": float(rng.uniform(lo, hi))}
    if action == "crawling":
        out["path"] = _choice(rng, ("straight", "curve"))
    elif action == "running_bases":
        out["path"] = "bases"
        out["base_spacing"] = float(rng.uniform(6.0, 12.0))
    else:
        out["path"] = _choice(rng, WALK_PATHS if action == "walk" else RUN_PATHS)
    out["path"] = given.get("path", out["path"])
    if out["path"] == "backwards":
        out["speed"] = float(rng.uniform(0.5, 1.1))
    if out["path"] == "sideways":
        out["speed"], out["direction"] = float(rng.uniform(0.25, 0.45)), _choice(rng, ("left", "right"))
    out["speed"] = float(given.get("speed", out["speed"]))
    length = out["speed"] * duration
    if out["path"] == "curve":
        out["turn"] = float(rng.choice([-1, 1]) * rng.uniform(0.5, 2.0))
    elif out["path"] == "circle":
        out["radius"] = float(rng.uniform(1.5, 4.0) * max(1.0, out["speed"] / 2.0))
        out["turn"] = float(rng.choice([-1, 1]) * length / out["radius"])
    elif out["path"] == "waypoints":
        out["turns"] = [float(rng.choice([-1, 1]) * rng.uniform(0.5, 1.6)) for _ in range(int(rng.integers(1, 4)))]
    elif out["path"] == "bases":
        out["turns"] = [float(np.pi / 2)] * max(1, int(length // out["base_spacing"]))
    if action in GAIT_KIND:
        kind = GAIT_KIND[action]
        rate = float(cadence(kind, np.array(out["speed"])) * rng.uniform(0.95, 1.05))
        out["cadence"] = float(np.clip(rate, 95, 125) if kind == "walk" else np.clip(rate, 145, 200))
        out["step_width"] = float(rng.uniform(0.08, 0.16) if kind == "walk" else rng.uniform(0.03, 0.09))
        if out["path"] == "sideways":
            out["step_width"] = float(rng.uniform(0.25, 0.35))
        out["lead"] = int(rng.integers(2))
    return out


def _action_specific(action: str, rng: np.random.Generator, duration: float) -> dict:
    def u(lo, hi):
        return float(rng.uniform(lo, hi))

    if action == "sit":
        return {"height_target": _choice(rng, ("ground", "chair")), "seat_height": u(0.40, 0.50)}
    if action == "stand":
        return {"from": _choice(rng, ("ground", "chair", "crouch", "kneel"))}
    if action == "kneel":
        return {"knee": _choice(rng, ("left", "right"))}
    if action == "lie_down":  # "collapse": the same way down, twice as fast
        return {"style": _choice(rng, ("careful", "careful", "collapse"))}
    if action in ("jump", "celebrate", "shooting"):  # as many jumps as fit, with a breather between
        count = max(1, min(6, int(duration / rng.uniform(1.4, 2.6))))
        return {"jump_height": u(0.18, 0.38) if action == "jump" else u(0.08, 0.25),
                "distance": u(0.0, 1.2) if action == "jump" else 0.0, "count": count}
    if action == "dance":
        style = _choice(rng, DANCE_STYLES)
        spin = {"count": int(rng.integers(1, 4)), "direction": _choice(rng, (-1, 1))} if style == "spin" else {}
        return {"style": style, "tempo": u(1.6, 2.2), **spin}
    if action == "idle":
        return {"turn": turn_angle(rng) if rng.random() < IDLE_TURN_SHARE else 0.0}
    if action == "wave":
        return {"size": u(0.6, 1.4)}
    if action == "point":
        return {"target": [u(-0.9, 0.9), u(-0.3, 0.5)]}
    if action in ("handshake", "hug", "high_five", "fight"):
        return {"partner_height": u(1.45, 1.95)}
    if action == "looking_around":
        return {"tempo": u(0.2, 0.45)}
    return {}


def realize(action: str, params: dict, rng: np.random.Generator, duration: float, first: bool, last: bool) -> dict:
    """Complete ``params`` for one step (a new dict). ``first``/``last``: the step opens/ends the clip."""
    out: dict = {"energy": float(rng.uniform(0.2, 1.0)), "handedness": "right" if rng.random() < 0.8 else "left",
                 "tempo": float(rng.uniform(0.8, 1.25))}
    if action in LOCOMOTION_SPEED:
        out.update(_locomotion(action, rng, duration, params))
        out["start"] = bool(rng.random() < 0.5) if first else True
        out["stop"] = bool(rng.random() < 0.5) if last else True
    out.update(_action_specific(action, rng, duration))
    if action in vocab.SPEECH_NAMES:
        out["speech"] = action
        out["expression"] = _choice(rng, SPEECH_EXPRESSIONS[action])
    else:
        out["expression"] = _choice(rng, EXPRESSIONS.get(action, ("neutral",)))
    out.update(params)
    return out
