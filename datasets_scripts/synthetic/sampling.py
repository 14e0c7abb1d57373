"""``sample_spec``: random clip specs that cover every action, alone or in plausible sequences of 2-4."""
from __future__ import annotations

import numpy as np

from stickgen import vocab

from .params import turn_angle
from .registry import GAIT_ACTIONS, IMPLEMENTATIONS
from .spec import MAX_HEIGHT, MIN_HEIGHT, ActionStep, ClipSpec

#: shortest sensible duration (s) of a step, by action
MIN_STEP = {"sit": 1.8, "lie_down": 2.6, "kneel": 1.4, "stand": 2.6, "jump": 1.2, "pitching": 1.6, "batting": 1.6,
            "throwing": 1.4, "kicking": 1.4, "shooting": 1.4, "celebrate": 1.4, "handshake": 2.0, "hug": 2.0,
            "high_five": 1.6, "fight": 2.0, "climbing": 2.0, "swimming": 2.0, "flying": 2.0, "dance": 2.0,
            "running_bases": 2.5, "crawling": 2.0, "fielding": 1.6, "catching": 1.2}
#: actions that end off the ground or in water: only the last step of a clip
FINAL_ONLY = frozenset({"climbing", "swimming", "flying"})
#: what may follow a posture that leaves the actor low
AFTER_LOW = {"sit": ("stand", "idle", "talk", "eating", "drinking", "reading", "typing", "laugh", "cry", "wave",
                     "looking_around", "whisper", "sing", "clap", "point"),
             "kneel": ("stand", "idle", "talk", "looking_around", "cry", "wave", "point"),
             "lie_down": ("stand", "idle", "cry", "laugh", "talk")}
#: after a two-actor action the partner still stands in front: nothing that travels or strides forward
AFTER_PAIR = ("idle", "talk", "wave", "laugh", "cry", "clap", "point", "looking_around", "sing", "shout", "whisper",
              "celebrate", "sit", "kneel", "drinking", "eating", "reading")
STEP_WEIGHTS = (0.45, 0.3, 0.15, 0.1)  # one, two, three or four actions
#: clips that open with a control family whatever the pool draws: (share, action, params; callables draw)
OPENERS = ((0.04, "idle", {"turn": turn_angle}), (0.025, "dance", {"style": "spin"}),
           (0.02, "walk", {"path": lambda rng: ("backwards", "sideways")[int(rng.integers(2))]}))


def _available() -> list[str]:
    return [a for a in vocab.ACTION_NAMES if a in IMPLEMENTATIONS or a in GAIT_ACTIONS]


def _next_action(rng: np.random.Generator, previous: str, pool: list[str], has_pair: bool, last: bool) -> str:
    options = [a for a in AFTER_LOW.get(previous, pool) if a in pool and a != previous]
    if has_pair:
        options = [a for a in options if a in AFTER_PAIR]
    if not last:
        options = [a for a in options if a not in FINAL_ONLY]
    return options[int(rng.integers(len(options)))] if options else "idle"


def sample_spec(rng: np.random.Generator, max_duration: float = 10.0, min_duration: float = 1.0) -> ClipSpec:
    """A random clip: 1-4 actions (every implemented action can open a clip), 1-10 s, random body.

    Sequences follow what a body can do next (after "sit" comes standing up or something done seated;
    climbing, swimming and flying only end a clip; at most one two-actor action, and after it nothing
    that would carry the actor through the partner standing in front).
    """
    if not 0.5 <= min_duration <= max_duration:
        raise ValueError(f"need 0.5 <= min_duration <= max_duration, got {min_duration}, {max_duration}")
    pool = _available()
    duration = float(rng.uniform(min_duration, max_duration)) if rng.random() < 0.4 else \
        float(rng.uniform(min_duration + 0.6 * (max_duration - min_duration), max_duration))
    count = int(rng.choice(len(STEP_WEIGHTS), p=STEP_WEIGHTS)) + 1
    actions = [pool[int(rng.integers(len(pool)))]]
    opener, u = {}, rng.random()
    for share, action, params in OPENERS:
        if u < share:
            actions, opener = [action], {k: (v(rng) if callable(v) else v) for k, v in params.items()}
            break
        u -= share
    low = actions[0] if actions[0] in AFTER_LOW else None  # the posture lasts until a "stand"
    while len(actions) < count and actions[-1] not in FINAL_ONLY:
        has_pair = any(vocab.action_info(a).actors == 2 for a in actions)
        actions.append(_next_action(rng, low or actions[-1], pool, has_pair, len(actions) == count - 1))
        low = actions[-1] if actions[-1] in AFTER_LOW else (None if actions[-1] == "stand" else low)
    pairs = [i for i, a in enumerate(actions) if vocab.action_info(a).actors == 2]
    if pairs and any(a not in AFTER_PAIR and a != "walk" for a in actions[:pairs[0]]):
        actions, opener = actions[pairs[0]:], {}  # the partner stands there from the start: nothing may cross its spot
    minimum = [MIN_STEP.get(a, 1.0) for a in actions]
    if opener and actions[0] != "walk":  # room for the turn or the spins
        minimum[0] = max(minimum[0], 2.5)
    while len(actions) > 1 and sum(minimum) > duration:
        actions.pop(), minimum.pop()
    duration = max(duration, min(sum(minimum), max_duration))
    share = rng.dirichlet(np.full(len(actions), 3.0)) * (duration - sum(minimum))
    approach = {"path": "straight"} if pairs else {}  # a walk up to a partner comes straight at it
    steps = [ActionStep(a, round(float(m + x), 2), dict(approach) if a == "walk" else {})
             for a, m, x in zip(actions, minimum, share)]
    if opener:  # an approach to a partner stays straight
        steps[0].params = {**opener, **steps[0].params}
    return ClipSpec(steps=steps, height=float(rng.uniform(MIN_HEIGHT, MAX_HEIGHT)), seed=int(rng.integers(2 ** 31)),
                    mirror=bool(rng.random() < 0.5))
