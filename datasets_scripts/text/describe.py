"""Describe a clip in several different English sentences.

The words come from what the clip actually does: speed, turning and travel direction are measured on
the joints of each action segment, handedness/energy/style come from the generator's realised step
parameters, mood from the expression track and speech from the speech track. A seeded generator picks
the subject, the synonym, the modifiers and the sentence shape, so one clip gets varied descriptions.

Public: :class:`Step`, :func:`steps_from_labels`, :func:`describe_clip`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from stickgen import skeleton, vocab

from .grammar import OPPONENTS, PARTNERS, Subject, gerund, subjects_for_height, verb_phrases


@dataclass
class Step:
    """One action segment ``[start, end)`` with the generator's realised parameters (may be empty)."""

    action: str
    start: int
    end: int
    params: dict = field(default_factory=dict)


def steps_from_labels(action_ids: np.ndarray, params: list[dict] | None = None) -> list[Step]:
    """Runs of equal per-frame action ids ``[T]`` as steps; ``params[i]`` goes to the i-th run if given."""
    action_ids = np.asarray(action_ids)
    cuts = [0] + list(np.flatnonzero(np.diff(action_ids)) + 1) + [len(action_ids)]
    steps = []
    for i, (start, end) in enumerate(zip(cuts[:-1], cuts[1:])):
        extra = params[i] if params is not None and i < len(params) else {}
        steps.append(Step(vocab.ACTION_NAMES[int(action_ids[start])], int(start), int(end), dict(extra)))
    return steps


# ----------------------------------------------------------------------------- modifiers

HAND_ACTIONS = {"wave": "hand", "point": "arm", "eating": "hand", "drinking": "hand", "dribbling": "hand",
                "throwing": "arm", "pitching": "arm", "punch": "fist", "kick": "leg", "kicking": "foot",
                "shooting": "hand", "high_five": "hand", "handshake": "hand"}
TRAVELS = {"locomotion", "jump"}
SPEED_WORDS = {  # action -> (slow below, fast above, slow words, fast words)
    "walk": (0.95, 1.5, ("slowly", "leisurely", "at a slow pace", "unhurriedly"),
             ("briskly", "quickly", "at a brisk pace", "fast")),
    "run": (3.0, 4.3, ("at an easy pace", "lightly", "gently"), ("fast", "hard", "quickly", "at a good clip")),
    "sprint": (4.5, 9.0, ("hard",), ("flat out", "at full speed", "at top speed")),
    "dribbling": (1.2, 2.8, ("slowly", "carefully"), ("quickly", "at speed")),
}
ENERGY_WORDS = (("gently", "softly", "calmly", "lazily", "half-heartedly"),
                ("energetically", "vigorously", "enthusiastically", "with gusto", "with lots of energy"))
POSTURE_ENERGY_WORDS = (("slowly", "carefully", "wearily"), ("quickly", "swiftly", "abruptly"))
ACTION_ENERGY_WORDS = {  # actions whose low/high energy reads as volume rather than vigour
    "talk": (("quietly", "softly"), ("loudly", "animatedly")), "shout": ((), ("loudly", "at the top of {pos} lungs")),
    "whisper": ((), ()), "sing": (("softly", "quietly"), ("loudly", "with feeling")),
    "cry": (("quietly", "softly"), ("loudly", "uncontrollably")),
    "laugh": (("quietly", "softly"), ("loudly", "heartily")),
}
DANCE_STYLES = {  # style -> verb phrases that replace the generic dance synonyms
    "bounce": ("bounce to the beat", "dance with bouncy knees"), "twist": ("do the twist", "dance the twist"),
    "disco": ("dance disco style", "do a disco dance"),
    "sway": ("sway with {pos} arms overhead", "dance with {pos} arms raised"),
    "spin": ("spin in place", "turn around on the spot to the music"),
    "step_touch": ("dance from side to side", "step from side to side to the beat"),
}
TURNING_DANCE = ("spin around", "twirl around")
COUNTS = {1: "once", 2: "twice", 3: "three times", 4: "four times"}
NUMBERS = {1: "a", 2: "two", 3: "three", 4: "four"}


def turn_phrases(turn: float) -> tuple[str, ...]:
    """Verb phrases for a turn on the spot of ``turn`` degrees (+ = left), its size rounded."""
    side = "left" if turn > 0 else "right"
    size = abs(turn)
    if size > 315:
        return (f"turn all the way around to the {side}", f"do a full turn to the {side}",
                f"turn a full circle to the {side}", "turn 360 degrees on the spot")
    if size > 225:
        return (f"do a three-quarter turn to the {side}", f"turn 270 degrees to the {side}")
    if size > 150:
        return ("turn around", f"turn around to the {side}", f"turn to face the other way, turning {side}",
                f"do a half turn to the {side}", f"turn 180 degrees to the {side}")
    if size > 112:
        return (f"turn to the {side}", f"turn 135 degrees to the {side}", f"turn {side} on the spot")
    if size > 67:
        return (f"turn to the {side}", f"turn {side}", f"do a quarter turn to the {side}",
                f"turn 90 degrees to the {side}", f"turn to face {pos_side(side)}")
    return (f"turn slightly to the {side}", f"turn a little {side}", f"turn 45 degrees to the {side}")


def pos_side(side: str) -> str:
    return "{pos} " + side


def spin_phrases(turn: float) -> tuple[str, ...]:
    """Verb phrases for ``turn`` degrees of spinning: whole turns counted."""
    count, side = max(1, int(round(abs(turn) / 360))), "left" if turn > 0 else "right"
    times = COUNTS.get(count, f"{count} times")
    phrases = [f"spin around {times}", f"twirl {times}", f"spin {times} to the {side}",
               f"turn around {times} on the spot"]
    phrases += ["do a pirouette", "spin around once", f"twirl around to the {side}"] if count == 1 else \
        [f"do {NUMBERS[count]} pirouettes" if count in NUMBERS else f"do {count} pirouettes", f"spin {times} in a row"]
    return tuple(phrases)


def jump_phrases(step: Step, facts: dict) -> tuple[str, ...] | None:
    """Counted or sized jumps ("jump three times", "do a small hop"); None for the generic synonyms."""
    count = int(step.params.get("count", 0) or 0)
    height = float(step.params.get("jump_height", facts["rise"]))
    times = COUNTS.get(count)
    small, high = height < 0.2, height > 0.32
    if count == 1 and small:
        return ("do a small hop", "hop lightly", "do a little jump")
    if times is None or count == 1:
        return ("jump high", "leap high into the air", "jump up high") if high else None
    if small:
        return (f"hop {times}", f"do {NUMBERS[count]} small hops", f"hop {times} lightly")
    if high:
        return (f"jump high {times}", f"jump {times}, high", f"do {NUMBERS[count]} high jumps")
    return (f"jump {times}", f"hop {times}", f"do {NUMBERS[count]} jumps", f"leap {times}")
SPEECH_GESTURES = {  # what the body does while speaking, as the vocabulary describes each speech action
    "talk": ("while gesturing with {pos} hands", "with small hand gestures", "while moving {pos} hands"),
    "shout": ("while waving {pos} arms", "while leaning forward", "with wide arm gestures"),
    "whisper": ("with a hand near {pos} mouth", "while leaning in", "behind {pos} hand"),
    "sing": ("while sweeping {pos} arms", "with open arms", "while swaying {pos} arms"),
}
MOODS = {  # expression -> (adjectives for the subject, adverbs, trailing phrases)
    "happy": (("happy", "cheerful", "smiling"), ("happily", "cheerfully"), ("with a smile", "looking pleased")),
    "sad": (("sad", "gloomy", "downcast"), ("sadly", "glumly"), ("looking sad", "with a heavy heart")),
    "angry": (("angry", "furious", "annoyed"), ("angrily", "furiously"), ("looking angry", "in a rage")),
    "surprised": (("surprised", "startled", "astonished"), ("suddenly", "abruptly"),
                  ("looking surprised", "wide-eyed")),
    "excited": (("excited", "thrilled", "eager"), ("excitedly", "eagerly"), ("full of excitement", "looking thrilled")),
}


def _pick(rng: np.random.Generator, options):
    return options[int(rng.integers(len(options)))]


def _measure(joints: np.ndarray, step: Step, fps: float) -> dict:
    """Speed (m/s), turn (deg, + = left), body-frame travel, final pelvis height and pelvis rise of a step."""
    seg = joints[step.start:max(step.end, step.start + 2)]
    pelvis = seg[:, 0]
    flat = pelvis[-1] - pelvis[0]
    seconds = max(len(seg) - 1, 1) / fps
    heading = np.unwrap(skeleton.heading_angles(seg))
    local = skeleton.rotate_y(flat * np.array([1.0, 0.0, 1.0]), -heading[0])  # x: left, z: forward
    distance = float(np.hypot(local[0], local[2]))
    travel = None
    if distance > 0.3:
        travel = ("forward" if local[2] > 0 else "backwards") if abs(local[2]) >= abs(local[0]) else (
            "left" if local[0] > 0 else "right")
    return {"speed": float(np.linalg.norm(np.diff(pelvis[:, [0, 2]], axis=0), axis=1).sum() / seconds),
            "turn": float(np.degrees(heading[-1] - heading[0])), "travel": travel,
            "pelvis_end": float(pelvis[-1, 1]), "rise": float(pelvis[:, 1].max() - pelvis[0, 1])}


def _path_phrase(rng, facts: dict) -> str:
    turn, travel = facts["turn"], facts["travel"]
    side = "left" if turn > 0 else "right"
    if abs(turn) > 300:
        return _pick(rng, (f"in a circle to the {side}", f"around in a full circle, turning {side}",
                           f"in a loop to the {side}"))
    if abs(turn) > 150:
        return _pick(rng, (f"in a U-turn to the {side}", f"around to the {side} and back",
                           f"in a half circle to the {side}"))
    if abs(turn) > 40:
        return _pick(rng, (f"along a curve to the {side}", f"in an arc to the {side}", f"curving {side}",
                           f"bearing to the {side}"))
    if travel == "backwards":
        return _pick(rng, ("backwards", "in reverse", "backward"))
    if travel in ("left", "right"):
        return _pick(rng, (f"sideways to the {travel}", f"to the {travel}, sideways", f"sideways toward the {travel}"))
    if travel is None:
        return _pick(rng, ("in place", "on the spot"))
    return _pick(rng, ("forward", "straight ahead", "in a straight line", "ahead", ""))


def _energy_word(rng, params: dict, action: str) -> str:
    energy = params.get("energy")
    family = vocab.action_info(action).family
    if family == "idle":
        return ""
    if isinstance(energy, str):
        energy = {"low": 0.2, "calm": 0.2, "high": 0.9, "energetic": 0.9}.get(energy, 0.5)
    if energy is None or 0.35 <= float(energy) <= 0.7:
        return ""
    words = ACTION_ENERGY_WORDS.get(action, POSTURE_ENERGY_WORDS if family == "posture" else ENERGY_WORDS)
    options = words[int(float(energy) > 0.7)]
    return _pick(rng, options) if options else ""


def _hand_phrase(rng, action: str, params: dict, subject: Subject) -> str:
    side = params.get("handedness")
    if action not in HAND_ACTIONS or side not in ("left", "right"):
        return ""
    limb = HAND_ACTIONS[action]
    options = [f"with {subject.possessive} {side} {limb}", f"using {subject.possessive} {side} {limb}"]
    if action in ("throwing", "pitching", "shooting"):
        options.append(f"{side}-handed")
    return _pick(rng, options)


def _manner(rng, step: Step, facts: dict) -> str:
    """A speed or energy adverb for the step (empty for average)."""
    if step.action in SPEED_WORDS:
        slow, fast, slow_words, fast_words = SPEED_WORDS[step.action]
        if facts["speed"] < slow:
            return _pick(rng, slow_words)
        if facts["speed"] > fast:
            return _pick(rng, fast_words)
        return ""
    return _energy_word(rng, step.params, step.action)


def _complement(rng, step: Step, facts: dict, subject: Subject) -> str:
    """Where or how: path for locomotion, surface for postures, style for dances, hand for arm actions."""
    info = vocab.action_info(step.action)
    if info.family == "locomotion":
        return _path_phrase(rng, facts)
    if info.family == "jump":
        if facts["rise"] > 0.35:
            return _pick(rng, ("high into the air", "up high"))
        return {"forward": "forward", "backwards": "backwards"}.get(facts["travel"], _pick(rng, ("in place", "")))
    if step.action == "sit":
        return _pick(rng, ("on the ground", "on the floor") if facts["pelvis_end"] < 0.3
                     else ("on a chair", "on a seat"))
    if step.action == "lie_down":
        return _pick(rng, ("on the ground", "flat on the floor", ""))
    if step.action in SPEECH_GESTURES and rng.random() < 0.6:
        return _pick(rng, SPEECH_GESTURES[step.action])
    return _hand_phrase(rng, step.action, step.params, subject)


def _action_phrases(rng, step: Step, facts: dict) -> tuple[str, ...]:
    """Verb phrases for a step: a turn on the spot, a spin, counted jumps and a known dance style have
    their own, otherwise the vocabulary's synonyms."""
    if step.action == "idle" and abs(facts["turn"]) > 30:
        return turn_phrases(facts["turn"])
    if step.action == "dance" and abs(facts["turn"]) > 300:
        return spin_phrases(facts["turn"])
    if step.action == "jump" and (counted := jump_phrases(step, facts)) and rng.random() < 0.8:
        return counted
    if (step.action == "walk" and facts["travel"] in ("left", "right") and abs(facts["turn"]) < 40
            and rng.random() < 0.4):
        return (f"step sideways to the {facts['travel']}", f"sidestep to the {facts['travel']}")
    style = step.params.get("style") if step.action == "dance" else None
    if style in DANCE_STYLES and rng.random() < 0.7:
        return DANCE_STYLES[style]
    phrases = verb_phrases(step.action)
    if style is not None and style != "spin":
        phrases = tuple(p for p in phrases if p not in TURNING_DANCE)
    return phrases


def _verb_phrase(rng, step: Step, facts: dict, subject: Subject, partner: str) -> tuple[str, str]:
    """``(adverb before the verb, base-form verb phrase)`` for a step, modifiers in a random order."""
    phrase = _pick(rng, _action_phrases(rng, step, facts)).format(pos=subject.possessive, partner=partner)
    complement = _complement(rng, step, facts, subject).format(pos=subject.possessive)
    manner = (_manner(rng, step, facts).format(pos=subject.possessive)
              if "fast" not in phrase and rng.random() < 0.7 else "")
    places = ("ground", "floor")
    if complement and ("high" in phrase and "high" in complement or complement.split()[-1] in phrase
                       or " up" in phrase or "around" in phrase or "allow" in phrase
                       or (any(p in phrase for p in places) and any(p in complement for p in places))):
        complement = ""  # "lies on the ground on the ground", "spins around in place"
    if re.match(r"with \w+ (left|right) ", complement) and manner.startswith("with "):
        complement = "using" + complement[4:]
    if manner.endswith("ly") and " " not in manner and rng.random() < 0.4:
        return manner, " ".join(p for p in (phrase, complement) if p)
    if rng.random() < 0.6:
        return "", " ".join(p for p in (phrase, manner, complement) if p)
    return "", " ".join(p for p in (phrase, complement, manner) if p)


# ----------------------------------------------------------------------------- sentences


def _says(subject: Subject, vp: tuple[str, str], as_pronoun: bool = False) -> str:
    """The verb phrase inflected for the subject (or its pronoun)."""
    return " ".join(p for p in (vp[0], subject.verb(vp[1], as_pronoun)) if p)


def _ing(vp: tuple[str, str]) -> str:
    return " ".join(p for p in (vp[0], gerund(vp[1])) if p)


def _with_mood(rng, noun: str, vps: list[tuple[str, str]], mood: tuple | None) -> tuple[str, list]:
    """Put the mood in one place: an adjective on the subject, an adverb on the first verb, or a
    trailing phrase after the last one."""
    if mood is None:
        return noun, vps
    places = [p for p, fits in (("adjective", noun.startswith(("a ", "an "))),
                                ("adverb", not vps[0][0] and not re.search(r"ly\b", vps[0][1])),
                                ("trailing", "while " not in vps[-1][1])) if fits]
    place = _pick(rng, places) if places else None
    if place == "adjective":
        adjective = _pick(rng, mood[0])
        return f"{'an' if adjective[0] in 'aeiou' else 'a'} {adjective} {noun.split(' ', 1)[1]}", vps
    if place == "adverb":
        return noun, [(_pick(rng, mood[1]), vps[0][1])] + vps[1:]
    if place == "trailing":
        trailing = [m for m in mood[2] if not (m.startswith("with ") and " with " in vps[-1][1])] or mood[2][-1:]
        return noun, vps[:-1] + [(vps[-1][0], f"{vps[-1][1]} {_pick(rng, trailing)}")]
    return noun, vps


def _sentence(rng, subject: Subject, vps: list[tuple[str, str]], mood: tuple | None) -> str:
    """Join the steps' verb phrases behind a subject with a randomly chosen sequence shape."""
    noun, vps = _with_mood(rng, subject.noun, vps, mood)
    pron = subject.pronoun
    says = [_says(subject, vp) for vp in vps]
    then = [_says(subject, vp, as_pronoun=True) for vp in vps]  # after the pronoun
    if len(vps) == 1:
        shapes = [f"{noun} {says[0]}", f"{noun} {says[0]}", f"{noun} is {_ing(vps[0])}"]
        if noun.startswith(("a ", "an ")) and "while " not in vps[0][1]:
            shapes.append(f"{noun} {_ing(vps[0])}")
    elif len(vps) == 2:
        shapes = [f"{noun} {says[0]}, then {says[1]}", f"{noun} {says[0]} and then {says[1]}",
                  f"{noun} {says[0]}. After that, {pron} {then[1]}", f"{noun} {says[0]} before {_ing(vps[1])}",
                  f"after {_ing(vps[0])}, {noun} {says[1]}", f"first {noun} {says[0]}, and then {pron} {then[1]}",
                  f"{noun} starts by {_ing(vps[0])} and then {says[1]}",
                  f"{noun} {says[0]}; afterwards {pron} {then[1]}"]
    else:
        shapes = [f"{noun} {says[0]}, then {', then '.join(says[1:-1])}, and finally {says[-1]}",
                  f"first {noun} {says[0]}; after that {pron} {', then '.join(then[1:])}",
                  f"{noun} {', '.join(says[:-1])} and then {says[-1]}",
                  f"{noun} starts by {_ing(vps[0])}, then {', then '.join(says[1:])}"]
    text = _pick(rng, shapes)
    return text[0].upper() + text[1:] + "."


def _speech_clause(rng, speech_ids: np.ndarray | None, steps: list[Step]) -> tuple[int, str] | None:
    """``(step index, "while talking")`` for the step that overlaps speech most, unless it is a speech action."""
    if speech_ids is None or not np.any(np.asarray(speech_ids) >= 0):
        return None
    speech_ids = np.asarray(speech_ids)
    overlap = [int(np.sum(speech_ids[s.start:s.end] >= 0)) for s in steps]
    index = int(np.argmax(overlap))
    kind = vocab.SPEECH_NAMES[int(np.bincount(speech_ids[speech_ids >= 0]).argmax())]
    if vocab.action_info(steps[index].action).family == "speech":
        return None
    synonym = _pick(rng, [p for p in verb_phrases(kind) if "{" not in p])
    return index, f"while {gerund(synonym)}"


def _mood(expression_ids: np.ndarray | None) -> tuple | None:
    if expression_ids is None:
        return None
    ids = np.asarray(expression_ids)
    ids = ids[ids > 0]
    if len(ids) < 0.3 * max(len(np.asarray(expression_ids)), 1):
        return None
    return MOODS.get(vocab.EXPRESSION_NAMES[int(np.bincount(ids).argmax())])


def describe_clip(joints: np.ndarray, steps: list[Step], *, fps: float = 25.0, height: float = 1.75,
                  expression_ids: np.ndarray | None = None, speech_ids: np.ndarray | None = None,
                  seed: int = 0, count: int = 3) -> list[str]:
    """``count`` different descriptions of a clip ``joints: [T, 22, 3]`` made of ``steps``.

    ``expression_ids``/``speech_ids``: ``[T]`` per-frame vocab ids (0 = neutral, -1 = silent).
    Deterministic for a seed. Raises ``ValueError`` for an empty step list or an unknown action.
    """
    if not steps:
        raise ValueError("describe_clip needs at least one step")
    rng = np.random.default_rng(seed)
    facts = [_measure(np.asarray(joints, dtype=np.float64), s, fps) for s in steps]
    mood = _mood(expression_ids)
    speech = _speech_clause(rng, speech_ids, steps)
    gender = _pick(rng, ("he", "she"))  # one clip, one person: its texts never switch gender
    subjects = [s for s in subjects_for_height(height) if s.pronoun in (gender, "they")]
    texts: list[str] = []
    for _ in range(20 * count):
        subject = _pick(rng, subjects)
        partners = OPPONENTS if any(s.action == "fight" for s in steps) else PARTNERS
        partner = _pick(rng, partners)
        vps = [_verb_phrase(rng, s, f, subject, partner) for s, f in zip(steps, facts)]
        if speech is not None:
            pre, base = vps[speech[0]]
            vps[speech[0]] = (pre, f"{base} {speech[1]}")
        text = _sentence(rng, subject, vps, mood)
        if text not in texts:
            texts.append(text)
        if len(texts) == count:
            return texts
    raise RuntimeError(f"could only make {len(texts)} distinct descriptions for {[s.action for s in steps]}")
