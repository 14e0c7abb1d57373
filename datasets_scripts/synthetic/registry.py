"""Which function makes each action, and which postures it may start from.

Gait actions are not in ``IMPLEMENTATIONS``: the sequencer joins consecutive ones into one gait and
``finish_gait_piece`` adds what is particular to each (the dribbling hand).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from . import arms, combat, cycles, interactions, sports
from .body import Body
from .context import StepContext, StepResult
from .crawl import crawling
from .dance import dance
from .idle import idle
from .jump import celebrate, jump, shooting
from .posture import kneel, lie_down, sit, stand
from .spec import ActionStep
from .track import Track

GAIT_ACTIONS = frozenset({"walk", "run", "sprint", "dribbling", "running_bases"})
SEATED = ("stand", "sit_chair", "sit_ground", "kneel")
ANY = ("stand", "crouch", "sit_chair", "sit_ground", "kneel", "lie", "air", "all_fours")

IMPLEMENTATIONS: dict[str, Callable[[StepContext], StepResult]] = {"idle": idle}
ALLOWED_POSTURES: dict[str, tuple[str, ...]] = {"idle": ANY}


def register(name: str, function: Callable[[StepContext], StepResult], postures: tuple[str, ...] = ("stand",)) -> None:
    IMPLEMENTATIONS[name] = function
    ALLOWED_POSTURES[name] = postures


register("sit", sit, ANY)
register("stand", stand, ANY)
register("kneel", kneel, ANY)
register("lie_down", lie_down, ANY)
for _name, _function in arms.ACTIONS.items():
    register(_name, _function, SEATED)
for _name, _function in {**combat.ACTIONS, **sports.ACTIONS, **interactions.ACTIONS, **cycles.ACTIONS}.items():
    register(_name, _function)
register("dance", dance)
register("crawling", crawling)
register("jump", jump)
register("celebrate", celebrate)
register("shooting", shooting)


def finish_gait_piece(step: ActionStep, track: Track, phase: np.ndarray, body: Body) -> Track:
    """Per-action touches on a slice of gait: a bouncing ball hand for dribbling."""
    if step.action != "dribbling":
        return track
    main = 0 if step.params.get("handedness") == "left" else 1
    sign = 1.0 if main == 0 else -1.0
    s = body.scale
    bounce = 0.5 - 0.5 * np.cos(np.pi * phase)  # one bounce per stride, hand low on each push
    track.hands[:, main] = np.stack([np.full_like(phase, sign * 0.26 * s), (-0.38 - 0.2 * bounce) * s,
                                     np.full_like(phase, 0.28 * s)], -1)
    track.elbow_poles[:, main] = [sign * 1.0, -0.3, -0.6]
    return track
