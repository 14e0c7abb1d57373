"""Word tables and patterns of the control words a clause may hold: turns and spins, backing away and
stepping sideways, the speeds verbs name, counts ("three times", "two full turns"), sizes, the acting hand
and raised hands, units of distance and time, and spelled numbers for degrees and counts.

Data plus two small number functions (:func:`spelled_number`, :func:`digits_for_degrees`); the readers in
:mod:`stickgen.story.control_words` apply these patterns to a clause.
"""
from __future__ import annotations

import re

# ----------------------------------------------------------------------------- spelled numbers

#: spelled cardinals for degrees and counts ("forty-five", "a hundred and eighty"); see :func:`spelled_number`
UNITS_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
               "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
               "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
TENS_WORDS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
              "ninety": 90}
_UNIT = "|".join(UNITS_WORDS)
_TENS = "|".join(TENS_WORDS)
_BELOW_100 = rf"(?:(?:{_TENS})(?:[- ](?:{_UNIT}))?|{_UNIT})"
#: a spelled whole number below a thousand: "ninety", "forty-five", "a hundred and eighty", "two hundred seventy"
SPELLED_NUMBER = rf"(?:(?:a|one|{_UNIT}) hundred(?:(?: and)? {_BELOW_100})?|{_BELOW_100})"
#: "one-eighty", "a three-sixty": turns named by their degrees
SPOKEN_DEGREES = {"one-eighty": 180, "one eighty": 180, "three-sixty": 360, "three sixty": 360,
                  "seven-twenty": 720, "seven twenty": 720, "two-seventy": 270, "ninety": 90}


def spelled_number(text: str) -> int | None:
    """The value of a spelled number matching :data:`SPELLED_NUMBER` ("a hundred and eighty" -> 180)."""
    total, value = 0, None
    for word in re.split(r"[- ]+", text.lower().strip()):
        if word in ("and",):
            continue
        if word == "a":
            value = 1
        elif word == "hundred":
            total += (value or 1) * 100
            value = None
        elif word in TENS_WORDS:
            value = (value or 0) + TENS_WORDS[word]
        elif word in UNITS_WORDS:
            value = (value or 0) + UNITS_WORDS[word]
        else:
            return None
    return total + (value or 0)


def digits_for_degrees(text: str) -> str:
    """``text`` with spelled numbers of degrees as digits ("turns ninety degrees" -> "turns 90 degrees",
    "a hundred and eighty degrees" -> "180 degrees", "does a one-eighty" -> "does a 180"); other numbers
    are left as they are (the cast reads "two men")."""
    text = re.sub(rf"\b({SPELLED_NUMBER})(?=[ -]degrees?\b)", lambda m: str(spelled_number(m.group(1))), text,
                  flags=re.I)
    return re.sub(r"\b(an?|the|full|whole|quick) (one[- ]eighty|three[- ]sixty|seven[- ]twenty|two[- ]seventy)\b",
                  lambda m: f"{m.group(1)} {SPOKEN_DEGREES[m.group(2).lower()]}", text, flags=re.I)


# ----------------------------------------------------------------------------- turns, steps, counts, sizes, hands

TURN_PHRASES = {"turn around": 180.0, "turn back": 180.0, "turn left": 90.0, "turn right": -90.0,
                "turn to the left": 90.0, "turn to the right": -90.0, "spin around": 360.0,
                "rotate": 90.0, "pivot": 90.0, "swivel": 90.0, "wheel": 90.0}
#: turning on the spot: (pattern on the clause text, degrees toward the side named after it; right is negative)
_TURN = (r"(?:turn|turns|turned|turning|pivots?|pivoted|pivoting|swivels?|swivell?ed|swivell?ing|rotat(?:e|es|ed|ing)"
         r"|wheels|wheeled|wheeling)")
_SIDE = r"(?:to (?:the |his |her |their |its |one's )?)?(?:left|right)\b"
#: whole turns by name: "a full turn", "in a complete circle", "all the way around", "a 360"
_WHOLE = r"(?:full|whole|complete|entire)"
FULL_TURN = (rf"\b{_WHOLE} (?:360 )?(?:turn|rotation|revolution|spin|pirouette|twirl)s?\b"
             rf"|\b{_TURN}\b(?: \S+){{0,4}}? (?:in )?an? {_WHOLE} circle\b"
             rf"|\ball the way (?:a)?round\b|\b(?:an?|full) 360\b")
#: facing the way one came from: "to face the opposite direction", "faces the other way", "behind him"
FACE_BACK = (r"\b(?:to )?fac(?:e|es|ed|ing) (?:the )?(?:other|opposite) (?:way|direction|side)\b"
             r"|\b(?:to )?fac(?:e|es|ed|ing) (?:backwards?|behind|the rear)\b|\bto face\b(?: \S+){0,3}? behind\b"
             rf"|\b(?:{_TURN[3:-1]}|spins?|spun|spinning) on (?:his|her|their|its|one's|a|the) heels?\b")
TURN_PATTERNS = (
    (FULL_TURN, 360.0), (FACE_BACK, 180.0),
    (rf"\b{_TURN}\b(?: \S+){{0,4}}? (\d+)[ -]degrees?", None),
    (r"\b(?:do|does|did|doing|make|makes|made|making|pull|pulls|pulled|pulling|execut\w+|perform\w*) (?:an?|the) "
     r"(?:(?:quick|full|sharp|fast|swift|neat|sudden|slow) )?(90|180|270|540|720|1080)\b"
     r"(?![ -]?(?:degree|met|m\b|second|yard|feet|foot|step|percent))", None),
    (r"\babout[- ](?:face|turn)(?:s|ed|d|ing)?\b|\bu[- ]?turns?\b", 180.0), (r"\b(?:half|180)[- ]turn\b", 180.0),
    (r"\bquarter[- ]turn\b", 90.0),
    (rf"\b{_TURN} (?:a)?round\b|\b{_TURN} (?:(?:his|her|their|its|one's) )?back\b"
     rf"|\b{_TURN} (?:to face |to look )?the other way\b", 180.0),
    (rf"\b{_TURN} {_SIDE}", 90.0),
    (r"\ban? (?:(?:quick|sharp|hard|swift|sudden|slow|neat|tight) )?(?:left|right)(?:[- ]hand(?:ed)?)?[- ]turn\b",
     90.0),
)
#: a back that rests on something says where the body is, not which way it goes: "with his back to the wall",
#: "her back against a tree", "edges along the ledge, back to the wall" (a turning verb before it turns: "turns
#: his back to the crowd" is kept)
BACK_POSTURE = re.compile(r"(?<!\bturn )(?<!\bturns )(?<!\bturned )(?:\bwith )?"
                          r"\b(?:(?:his|her|their|its|one's|my|your|our) )?backs? (?:pressed |flat |leaning )?"
                          r"(?:against (?:the |a |an )?\w+|to (?:the |a )?walls?\b)", re.I)
#: "without turning around", "not turning": no turn (a retreat "without turning around" walks backward)
NO_TURN = rf"\b(?:without|not|never|no|instead of) {_TURN}(?: (?:a)?round| back)?\b"
#: turning again and again: a turn verb counted ("rotates in place two times", "turns around three times")
TURN_AGAIN = rf"\b{_TURN}\b"
#: spinning on the spot: one whole turn a time ("twirls three times": 1080 degrees)
SPIN = r"\b(?:spin|spins|spun|spinning|twirl\w*|pirouett\w*|whirl\w*)\b"
#: backing away: a slow walk backward, facing the way it came from
_GOES = (r"(?:walk|move|step|glide|slide|slid|shuffle|drift|inch|edge|creep|crept|tiptoe|stumble|stagger|moonwalk"
         r"|scoot|go|went|head|wander|stroll|pace)\w*")
BACKING = (r"\b(?:back(?:s|ed|ing)? (?:away|up|off)|(?:step|steps|stepped|stepping) back(?:wards?)?"
           r"|retreat\w*|backpedal\w*|back-pedal\w*|revers(?:e|es|ed|ing)"
           rf"|{_GOES}(?: \S+){{0,2}}? backwards?)\b")
BACKING_SPEED = 0.7  # m/s
#: how fast a verb goes, m/s, where it says more than its action ("strolls" is a slow walk, "jogs" a slow run):
#: stroll < walk (1.2) < jog < run (3.3) < sprint (4.9)
VERB_SPEED = {"stroll": 0.8, "amble": 0.8, "saunter": 0.8, "mosey": 0.8, "meander": 0.8, "dawdle": 0.7,
              "wander": 0.9, "trudge": 0.8, "plod": 0.8, "tiptoe": 0.7, "sneak": 0.8, "limp": 0.7, "shuffle": 0.7,
              "waddle": 0.7, "stagger": 0.8, "stumble": 0.8, "stride": 1.5, "march": 1.4,
              "jog": 2.4, "lope": 2.6}
#: a backward glide or slide is a walk backward, not flight
GLIDING = r"\b(?:glid|slid|drift)\w*"
#: stepping sideways, still facing forward ("sidesteps to the right" with no side word is a dodge); the
#: verbs that only mean a sideways step with a side named ("shuffles to her right", "sidles left")
_SIDE_NAMED = r"(?=.*\b(?:left|right)\b)"
SIDEWAYS = (r"\bsideways\b|\bsidewise\b|\blaterally\b|\bcrab[- ]?(?:walk|wise)\w*|\bto (?:the|one) side\b"
            rf"|\bside[- ]?step\w*{_SIDE_NAMED}|\bside steps?\b{_SIDE_NAMED}"
            rf"|\b(?:shuffl|sidl|scuttl|scurr)\w*{_SIDE_NAMED}"
            rf"|\bedg(?:es|ed|ing) (?:along|over|across|\w+ ?ward)\b{_SIDE_NAMED}"
            rf"|\bedg(?:es|ed|ing) {_SIDE}")
SIDEWAYS_SPEED = 0.4  # m/s
SIDEWAYS_ACTIONS = {"walk", "dodge", "idle"}
#: how many times: "twice", "three times", "a couple of times" (whole numbers 1..20; "several times" says none)
COUNT = r"\b(?:(once|twice|thrice)|(\d+|[a-z]+(?:-[a-z]+)?) times|a couple (?:of )?times)\b"
COUNT_WORDS = {"once": 1, "twice": 2, "thrice": 3, "few": 3, "couple": 2}
#: number words that give no count ("several times", "many times")
VAGUE_COUNTS = {"several", "many", "some", "multiple", "numerous", "countless", "more", "both"}
#: counted nouns: "four jumps in a row", "two full pirouettes", "three whole turns", "a couple of claps"
COUNT_ADJECTIVES = (r"(?: (?:full|whole|complete|quick|more|big|small|little|high|tiny|short|fast|rapid|loud|sharp"
                    r"|graceful|perfect|consecutive|straight|successive|separate|single))*")
COUNTED = (r"(\d+|a couple of|a few|couple of|[a-z]+(?:-[a-z]+)?)" + COUNT_ADJECTIVES +
           r" (?:turns|spins|rotations|revolutions|circles|pirouettes|twirls|whirls|jumps|hops|leaps|bounces|claps"
           r"|kicks|punches|jabs|waves|star jumps|jumping jacks)\b")
#: one counted noun after a light verb: "does a small hop", "makes one quick spin", "gives a single clap"
COUNTED_ONE = (r"\b(?:do|does|did|doing|make|makes|made|making|take|takes|took|taking|give|gives|gave|giving"
               r"|perform\w*|attempt\w*|tr(?:y|ies|ied|ying)|manage\w*|execute\w*|land\w*) (?:a|an|one)"
               + COUNT_ADJECTIVES + r" (?:turn|spin|rotation|revolution|pirouette|twirl|whirl|jump"
               r"|hop|leap|bounce|clap|kick|punch|jab|star jump|jumping jack)\b(?! (?:rope|shot|suit))")
MAX_COUNT = 20
#: how big an action is against a plain one, by a word next to it ("a big wave", "jumps high", "a little hop")
SIZES = {"as_high_as_possible": 1.6, "as_far_as_possible": 1.6, "as_big_as_possible": 1.6,
         "as_wide_as_possible": 1.6, "big": 1.5, "huge": 1.5, "large": 1.5, "wide": 1.5, "widely": 1.5,
         "high": 1.4, "higher": 1.4, "hard": 1.4, "powerful": 1.4, "powerfully": 1.4,
         "small": 0.6, "little": 0.6, "tiny": 0.6, "slight": 0.6, "slightly": 0.6, "lightly": 0.6, "barely": 0.6,
         "gently": 0.6, "softly": 0.6, "low": 0.6}
SIZE_REACH = 2  # words between a size word and its action
#: "as high as she can" -> one token, so "as" does not split the clause (sizes read it)
AS_MUCH_AS = re.compile(r"\bas (high|far|big|wide) as (?:(?:he|she|they|it|i|you|we)(?: (?:can|could))?|possible)\b",
                        re.I)
#: the acting hand: "with his left hand", "right arm", "both hands", "left-handed"
HAND_LIMBS = {"hand", "hands", "arm", "arms", "fist", "fists"}
HANDED = r"\b(left|right|two|both)-handed\b"
#: a raised hand or arm: (verb, up-word) -> ``RAISE`` groups side and limb; "puts up her left hand", "lifts both
#: hands above the head", "both arms go up", "raises his left fist in the air"
_RAISE_LIMB = (r"(?:(?:his|her|their|its|the|a|one|my|your) )?(?:(left|right|both|two) )?"
               r"(hand|hands|arm|arms|fist|fists)\b")
RAISE = (rf"\b(?:rais|lift|hoist)\w*(?: up)? {_RAISE_LIMB}"
         rf"|\b(?:put|puts|putting|hold|holds|held|holding|throw|throws|threw|thrown|throwing|stick|sticks|stuck|sticking"
         rf"|shoot|shoots|shot|shooting|thrust|thrusts|fling|flings|flung)(?: up {_RAISE_LIMB}| {_RAISE_LIMB}"
         r" (?:up|in the air|into the air|above|over|overhead|high|skyward))"
         r"|\b(?:(left|right|both|two) )?(hand|hands|arm|arms|fist|fists) (?:go|goes|went|gone|going|shoot|shoots|shot"
         r"|fly|flies|flew|rise|rises|rose|come|comes|came) up\b")
#: the manner words a raised, not waved, hand gets ("raises her left hand"); the story's controls hold it up
HELD_UP = "held up"
#: a clause that waves as well as raising the hand ("raises her hand and waves")
WAVING = r"\bwav(?:e|es|ed|ing)\b"
#: where a pair of raised fists are in the air (a cheer), not a boxing guard
RAISED_HIGH = r"\b(?:in the air|into the air|above|over (?:his|her|their|the) head|overhead|to the sky|skyward|high)\b"
#: actions a raised hand stands for: it replaces these (a raise that also points keeps pointing)
RAISE_REPLACES = {"wave", "celebrate", "fight_stance", "idle", "walk", "throwing", "shooting", "talk"}
UNITS = {"meter": 1.0, "metre": 1.0, "m": 1.0, "step": 0.7, "pace": 0.7, "yard": 0.91, "foot": 0.3,
         "feet": 0.3}
SECONDS = {"second": 1.0, "sec": 1.0, "s": 1.0, "minute": 60.0}
