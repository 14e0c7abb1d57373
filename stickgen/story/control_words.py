"""Readers of a clause's control words, the ones that fix a step's numbers rather than its action: the
degrees of a turn (:func:`read_turn`), how many times (:func:`read_count`), how big, with which hand, a raised
hand, backing away, stepping sideways and spinning (:func:`read_controls`). The clause reader in
:mod:`stickgen.story.parser` calls them; the words and patterns are in :mod:`stickgen.story.control_lexicon`.
"""
from __future__ import annotations

import re

from . import control_lexicon as clx
from . import lexicon as lx
from .clauses import match_actions
from .state import Step


def read_turn(text: str) -> tuple[float | None, tuple[int, int]]:
    """Degrees turned on the spot by "turns to his right" (-90), "about-face" (180), "turns 45 degrees left",
    "turns ninety degrees to his right" (-90), "a full turn" (360); and where the words are in ``text``.
    A number of degrees takes the side named after it; a named half turn or whole turn to the right is
    negative only when it is no about-face (180 stays 180)."""
    for pattern, degrees in clx.TURN_PATTERNS:
        found = re.search(pattern, text)
        if found:
            explicit = degrees is None
            degrees = float(next(g for g in found.groups() if g)) if explicit else degrees
            side = re.search(r"\b(left|right)\b", text[found.start():])
            right = side is not None and side.group(1) == "right"
            return (-degrees if right and (explicit or degrees < 180 or degrees >= 360) else degrees), found.span()
    return None, (0, 0)


def read_controls(words: list[str], free: list[str], matches: list[tuple[int, int, str]], step: Step) -> list[str]:
    """Read how many times, how big, with which hand, backing away, stepping sideways and spinning into
    ``step``; returns the actions these words make of the clause ("backs away" walks, "spins" dances), or
    an empty list to keep the matched ones."""
    text, actions = " ".join(words), [a for _, _, a in matches]
    step.count = read_count(text)
    for k, word in enumerate(free):
        if word in clx.SIZES and any(a - clx.SIZE_REACH <= k < b + clx.SIZE_REACH for a, b, _ in matches):
            step.size = clx.SIZES[word]
            if word.startswith("as_"):
                step.manner.append(word.replace("_", " "))
    for match in re.finditer(lx.LIMB_PATTERN, text):
        if match.group(1) and match.group(2) in clx.HAND_LIMBS:
            step.hand = step.hand or match.group(1)
    handed = re.search(clx.HANDED, text)
    if handed:
        step.hand = "both" if handed.group(1) in ("two", "both") else handed.group(1)
    raised = read_raised_hand(text, actions, step)
    if raised:
        return raised
    right = "right" in words and ("left" not in words or words.index("right") < words.index("left"))
    if re.search(clx.BACKING, text) or (step.direction == "backward" and re.search(clx.NO_TURN, text)):
        step.direction = "backward"
        step.manner = [m for m in step.manner if m not in ("away", "back", "backward", "backwards")] + ["backward"]
        step.speed *= clx.BACKING_SPEED / lx.ACTION_SPEED["walk"]
        if step.turn == 180.0 and not re.search(clx.FACE_BACK, text):  # "retreats without turning round"
            step.turn = None
        walks = clx.SIDEWAYS_ACTIONS | ({"flying"} if re.search(clx.GLIDING, text) else set())
        return ["walk"] if set(actions) <= walks else []
    if re.search(clx.SIDEWAYS, text) and set(actions) <= clx.SIDEWAYS_ACTIONS:
        step.direction = "right" if right or "left" not in words else "left"
        step.manner += [] if "sideways" in step.manner else ["sideways"]
        step.speed *= clx.SIDEWAYS_SPEED / lx.ACTION_SPEED["walk"]
        return ["walk"]
    spin = re.search(clx.SPIN, text)
    if spin and re.search(clx.FACE_BACK, text):  # "spins on his heel to face the other way": an about-face
        step.turn, step.direction = 180.0, None
        return ["idle"] if set(actions) <= {"dance", "idle"} else []
    if spin or (re.search(clx.TURN_AGAIN, text) and step.count and step.count > 1
                and (step.turn is None or abs(step.turn) in (180.0, 360.0))) and set(actions) <= {"idle", "dance"}:
        spun = bool(spin)  # "rotates in place two times", "turns around three times": whole turns, standing
        if step.direction in ("circle", "circle_right", "left", "right", "in_place"):
            step.direction = None
        sign = -1.0 if right or "clockwise" in words else 1.0
        if "kick" in actions:
            step.turn = sign * 360.0
            return ["kick"]
        step.count = step.count or 1.0
        step.turn = sign * 360.0 * step.count
        return (["dance"] if spun else ["idle"]) + [a for a in actions if a not in ("dance", "idle")]
    if step.turn is not None and abs(step.turn) == 360.0 and step.count and step.count > 1:  # "two full turns"
        step.turn *= step.count
    return []


def read_count(text: str) -> float | None:
    """How many times: "twice", "three times", "a few times", "four jumps in a row", "two full pirouettes"
    (a counted noun says a count from two up), "a small hop" (one); none for "several times", nor a
    sentence-opening "Once"."""
    counted = re.search(clx.COUNT, text)
    value = None
    if counted and not (counted.group(1) == "once" and counted.start() == 0):
        word = counted.group(1) or counted.group(2) or "couple"
        value = count_value(word)
    else:
        for found in re.finditer(clx.COUNTED, text):
            value = count_value(found.group(1))
            if value and value >= 2:
                break
            value = None
        if value is None and re.search(clx.COUNTED_ONE, text):
            value = 1.0
    return float(min(max(round(value), 1), clx.MAX_COUNT)) if value else None


def count_value(word: str) -> float | None:
    """A count's value: digits, "twice", "two", "a few", "a couple of", "twenty-one"; None if vague."""
    word = re.sub(r"^(?:a )?(couple|few)(?: of)?$", r"\1", word)
    if word.isdigit():
        return float(word)
    if word in clx.VAGUE_COUNTS:
        return None
    if word in clx.COUNT_WORDS:
        return float(clx.COUNT_WORDS[word])
    if re.fullmatch(clx.SPELLED_NUMBER, word):
        return float(clx.spelled_number(word))
    value = lx.NUMBER_WORDS.get(word)
    return float(value) if value and word not in ("a", "an", "one", "single", "lone") else None


def read_raised_hand(text: str, actions: list[str], step: Step) -> list[str]:
    """A raised hand, arm or fist ("raises her right hand", "puts up his left hand", "both arms go up"):
    one hand raised is a wave with that hand (the vocabulary's one-arm raise above the shoulder; "held up"
    joins the manner unless the clause also waves), both
    (or "hands", "arms") a celebration with both fists up; a pair of fists raised with no "in the air"
    stays a fighting guard. Returns the action, or an empty list when the clause names no raise or its
    action says more (a raised arm that points keeps pointing, with that hand)."""
    found = re.search(clx.RAISE, text)
    if found is None:
        return []
    groups = found.groups()
    side = next((g for g in groups[0::2] if g), None)
    limb = next(g for g in groups[1::2] if g)
    both = side in ("both", "two") or (side is None and limb.endswith("s"))
    step.hand = "both" if both else side or step.hand
    if not set(actions) <= clx.RAISE_REPLACES:  # "raises his arm to point": the point, with no wave beside it
        return [a for a in actions if a not in clx.RAISE_REPLACES] + [a for a in actions if a not in ("wave", "idle")
                                                                     and a in clx.RAISE_REPLACES]
    if both and limb == "fists" and not re.search(clx.RAISED_HIGH, text) and side is None:
        return ["fight_stance"]
    if both:
        return ["celebrate"]
    if not re.search(clx.WAVING, text):  # a hand held up, not waved
        step.manner.append(clx.HELD_UP)
    return ["wave"]


def only_modifiers(words: list[str]) -> bool:
    """Whether a clause is only direction and manner words and adverbs, naming no action ("sideways")."""
    return all(w in lx.MODIFIER_WORDS or w.endswith("ly") for w in words) and not match_actions(words)


def is_number(word: str) -> bool:
    return bool(word) and (word.replace(".", "", 1).isdigit() or (word in lx.NUMBER_WORDS and word not in ("a", "an")))
