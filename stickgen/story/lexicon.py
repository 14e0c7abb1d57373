"""Word tables of the default story parser: lemmas, actor nouns, number words, manner, direction, emotion, film
words and props.

Everything here is data plus small word functions (:func:`lemma`, :func:`inflections`, :func:`third_person`,
:func:`gerund`); the parser in :mod:`stickgen.story.parser` reads these tables, so adding a word never needs
a code change. The control words (turns, counts, sizes, hands, units) are in :mod:`stickgen.story.control_lexicon`,
the tables the timeline stages actions with in :mod:`stickgen.story.timeline_tables`.
"""
from __future__ import annotations

import re

from .. import vocab

# ----------------------------------------------------------------------------- inflection

IRREGULAR = {
    "ran": "run", "runs": "run", "running": "run", "sat": "sit", "sitting": "sit", "stood": "stand",
    "threw": "throw", "thrown": "throw", "swam": "swim", "swimming": "swim", "flew": "fly", "flies": "fly",
    "rose": "rise", "risen": "rise", "fell": "fall", "fallen": "fall", "shook": "shake", "shaking": "shake",
    "knelt": "kneel", "lay": "lie", "lying": "lie", "lies": "lie", "laid": "lay", "ate": "eat", "eaten": "eat",
    "drank": "drink", "sang": "sing", "fought": "fight", "went": "go", "goes": "go", "gone": "go",
    "caught": "catch", "hit": "hit", "hitting": "hit", "said": "say", "says": "say", "told": "tell",
    "swung": "swing", "got": "get", "getting": "get", "began": "begin", "took": "take", "spun": "spin",
    "spinning": "spin", "slid": "slide", "hid": "hide", "cries": "cry", "cried": "cry", "dodges": "dodge",
    "dances": "dance", "danced": "dance", "dancing": "dance", "waves": "wave", "waved": "wave",
    "waving": "wave", "hugging": "hug", "hugged": "hug", "jogging": "jog", "jogged": "jog",
    "hopping": "hop", "hopped": "hop", "clapping": "clap", "clapped": "clap", "stepping": "step",
    "stepped": "step", "chatting": "chat", "chatted": "chat", "sprinting": "sprint", "shopping": "shop",
    "dribbling": "dribble", "dribbled": "dribble", "hands": "hand", "feet": "foot", "men": "man",
    "women": "woman", "children": "child", "people": "person", "leaves": "leave", "boxes": "box",
    "punches": "punch", "catches": "catch", "pitches": "pitch", "reaches": "reach", "watches": "watch",
    "bases": "base", "crouches": "crouch", "rushes": "rush", "dashes": "dash", "kisses": "kiss",
    "passes": "pass", "tosses": "toss", "wrestles": "wrestle", "types": "type", "typed": "type",
    "typing": "type", "rises": "rise", "rising": "rise", "dives": "dive", "diving": "dive",
    "giggles": "giggle", "chuckles": "chuckle", "strides": "stride", "glides": "glide",
    "gliding": "glide", "bounces": "bounce", "bouncing": "bounce", "races": "race", "racing": "race",
    "paces": "pace", "pacing": "pace", "wanders": "wander", "marches": "march",
    "flying": "fly", "using": "use", "uses": "use", "served": "serve", "scores": "score", "scoring": "score",
    "does": "do", "doing": "do", "did": "do", "done": "do", "has": "have", "had": "have",
}


def lemma(word: str) -> str:
    """Base form of an English word by a table of irregulars plus suffix rules ("walks" -> "walk")."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        stem = word[:-3]
        return stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "lsz" else stem
    if len(word) > 4 and word.endswith("ed"):
        stem = word[:-2]
        if stem[-1] == stem[-2] and stem[-1] not in "ls":
            return stem[:-1]
        return stem + "e" if stem.endswith(("at", "iz", "ov", "ac", "ur", "us", "ar", "ib", "dg")) else stem
    if len(word) > 3 and word.endswith(("shes", "ches", "sses", "xes")):
        return word[:-2]
    if len(word) > 2 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def inflections(word: str) -> set[str]:
    """Regular inflected forms of a base-form word: -s/-es/-ies, -ing and -ed, with e-drop and consonant
    doubling ("five" -> fives, fiving, fived; "hop" -> hops, hopping, hopped; "boogie" -> boogying).

    A one-syllable word ending consonant-vowel-consonant only doubles ("hopping", never "hoping"); a longer
    one may go either way ("sidestepping", "visiting"), so both forms are given.
    """
    if word.endswith("ie"):
        ing = word[:-2] + "ying"
    elif word.endswith("e") and not word.endswith(("ee", "ye", "oe")):
        ing = word[:-1] + "ing"
    else:
        ing = word + "ing"
    past = word + "d" if word.endswith("e") else word[:-1] + "ied" if re.search(r"[^aeiou]y$", word) else word + "ed"
    forms = {third_person(word), ing, past}
    if re.search(r"[^aeiou][aeiou][^aeiouwxy]$", word):
        if re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", word):
            forms -= {ing, past}
        forms |= {word + word[-1] + "ing", word + word[-1] + "ed"}
    return forms


def third_person(verb_phrase: str) -> str:
    """"walk quickly" -> "walks quickly": inflect the first word for he/she/it."""
    head, _, rest = verb_phrase.partition(" ")
    if head.endswith(("s", "sh", "ch", "x", "z", "o")):
        head += "es"
    elif head.endswith("y") and head[-2:-1] not in "aeiou":
        head = head[:-1] + "ies"
    else:
        head += "s"
    return f"{head} {rest}".strip()


# ----------------------------------------------------------------------------- actors

#: noun lemma -> (role, character type, gender "m"/"f"/"")
ACTOR_NOUNS: dict[str, tuple[str, str, str]] = {
    "person": ("person", "human", ""), "man": ("man", "human", "m"), "woman": ("woman", "human", "f"),
    "boy": ("boy", "child", "m"), "girl": ("girl", "child", "f"), "kid": ("kid", "child", ""),
    "child": ("child", "child", ""), "friend": ("friend", "human", ""), "guy": ("guy", "human", "m"),
    "lady": ("lady", "human", "f"), "gentleman": ("gentleman", "human", "m"), "player": ("player", "human", ""),
    "athlete": ("athlete", "human", ""), "dancer": ("dancer", "human", ""), "boxer": ("boxer", "human", ""),
    "fighter": ("fighter", "human", ""), "runner": ("runner", "human", ""), "jogger": ("jogger", "human", ""),
    "robot": ("robot", "robot", ""), "ninja": ("ninja", "human", ""), "soldier": ("soldier", "human", ""),
    "student": ("student", "human", ""), "teacher": ("teacher", "human", ""), "batter": ("batter", "human", ""),
    "pitcher": ("pitcher", "human", ""), "catcher": ("catcher", "human", ""), "fielder": ("fielder", "human", ""),
    "figure": ("figure", "human", ""), "character": ("character", "human", ""), "stickman": ("stickman", "human", "m"),
    "superhero": ("superhero", "human", ""), "hero": ("hero", "human", ""), "knight": ("knight", "human", ""),
    "zombie": ("zombie", "human", ""), "clown": ("clown", "human", ""), "chef": ("chef", "human", ""),
    "swimmer": ("swimmer", "human", ""), "singer": ("singer", "human", ""), "baby": ("baby", "child", ""),
    "dog": ("dog", "animal", ""), "cat": ("cat", "animal", ""), "monkey": ("monkey", "animal", ""),
    "couple": ("partner", "human", ""), "pair": ("partner", "human", ""), "team": ("teammate", "human", ""),
    "crowd": ("person", "human", ""), "group": ("person", "human", ""), "family": ("family member", "human", ""),
    "mother": ("mother", "human", "f"), "father": ("father", "human", "m"), "mom": ("mom", "human", "f"),
    "dad": ("dad", "human", "m"), "grandma": ("grandma", "human", "f"), "grandpa": ("grandpa", "human", "m"),
    "brother": ("brother", "human", "m"), "sister": ("sister", "human", "f"), "wrestler": ("wrestler", "human", ""),
    "stranger": ("stranger", "human", ""), "opponent": ("opponent", "human", ""), "rival": ("rival", "human", ""),
    "enemy": ("enemy", "human", ""), "partner": ("partner", "human", ""), "teammate": ("teammate", "human", ""),
    "neighbor": ("neighbour", "human", ""), "neighbour": ("neighbour", "human", ""),
    "officer": ("officer", "human", ""),
    "wife": ("wife", "human", "f"), "husband": ("husband", "human", "m"), "son": ("son", "child", "m"),
    "daughter": ("daughter", "child", "f"), "king": ("king", "human", "m"), "queen": ("queen", "human", "f"),
    "worker": ("worker", "human", ""), "climber": ("climber", "human", ""),
    "ballerina": ("ballerina", "human", "f"), "gymnast": ("gymnast", "human", ""), "skater": ("skater", "human", ""),
    "doctor": ("doctor", "human", ""), "nurse": ("nurse", "human", ""), "farmer": ("farmer", "human", ""),
    "referee": ("referee", "human", ""), "coach": ("coach", "human", ""), "goalkeeper": ("goalkeeper", "human", ""),
    "astronaut": ("astronaut", "human", ""), "wizard": ("wizard", "human", ""), "alien": ("alien", "human", ""),
    "guard": ("guard", "human", ""), "sentry": ("sentry", "human", ""), "sentinel": ("sentinel", "human", ""),
    "waiter": ("waiter", "human", ""), "driver": ("driver", "human", ""), "cop": ("cop", "human", ""),
    "firefighter": ("firefighter", "human", ""), "captain": ("captain", "human", ""),
    "sailor": ("sailor", "human", ""), "pirate": ("pirate", "human", ""), "cowboy": ("cowboy", "human", ""),
    "priest": ("priest", "human", ""), "mime": ("mime", "human", ""), "actor": ("actor", "human", ""),
    "fan": ("fan", "human", ""), "spectator": ("spectator", "human", ""), "tourist": ("tourist", "human", ""),
    "visitor": ("visitor", "human", ""), "passenger": ("passenger", "human", ""),
    "customer": ("customer", "human", ""), "shopper": ("shopper", "human", ""), "hiker": ("hiker", "human", ""),
    "cyclist": ("cyclist", "human", ""), "skier": ("skier", "human", ""), "surfer": ("surfer", "human", ""),
    "boss": ("boss", "human", ""), "manager": ("manager", "human", ""), "butler": ("butler", "human", ""),
    "guest": ("guest", "human", ""), "toddler": ("toddler", "child", ""), "teenager": ("teenager", "human", ""),
    "teen": ("teen", "human", ""), "professor": ("professor", "human", ""), "scientist": ("scientist", "human", ""),
    "artist": ("artist", "human", ""), "musician": ("musician", "human", ""), "drummer": ("drummer", "human", ""),
    "guitarist": ("guitarist", "human", ""), "magician": ("magician", "human", ""),
    "juggler": ("juggler", "human", ""), "acrobat": ("acrobat", "human", ""), "monk": ("monk", "human", ""),
    "warrior": ("warrior", "human", ""), "samurai": ("samurai", "human", ""), "villain": ("villain", "human", ""),
    "thief": ("thief", "human", ""), "burglar": ("burglar", "human", ""), "detective": ("detective", "human", ""),
    "postman": ("postman", "human", "m"), "mailman": ("mailman", "human", "m"), "janitor": ("janitor", "human", ""),
    "cheerleader": ("cheerleader", "human", ""), "lifeguard": ("lifeguard", "human", ""),
    "waitress": ("waitress", "human", "f"), "policewoman": ("policewoman", "human", "f"),
    "policeman": ("policeman", "human", "m"), "actress": ("actress", "human", "f"), "bride": ("bride", "human", "f"),
    "groom": ("groom", "human", "m"), "grandmother": ("grandmother", "human", "f"),
    "grandfather": ("grandfather", "human", "m"), "uncle": ("uncle", "human", "m"), "aunt": ("aunt", "human", "f"),
    "prince": ("prince", "human", "m"), "princess": ("princess", "human", "f"),
}
#: first names whose pronoun is clear enough to resolve "he"/"she"
NAME_GENDERS = {**dict.fromkeys(("alice", "anna", "ana", "emma", "mary", "sarah", "lisa", "julia", "maria", "sofia",
                                 "olivia", "mia", "lucy", "kate", "jane", "amy", "eve", "zoe", "lily", "grace",
                                 "chloe", "sophie", "laura", "nina", "rose", "ella", "hannah", "leah"), "f"),
                **dict.fromkeys(("bob", "tom", "john", "jack", "mike", "max", "sam", "ben", "paul", "peter",
                                 "james", "david", "leo", "alex", "luke", "mark", "adam", "noah", "liam", "oscar",
                                 "harry", "joe", "dan", "tim", "carl", "eric", "fred", "hugo"), "m")}
#: collective nouns: how many members by default ("a couple" is 2)
COLLECTIVE_SIZE = {"couple": 2, "pair": 2, "team": 3, "crowd": 6, "group": 4, "family": 4}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "lone": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "twenty": 20, "thirty": 30, "dozen": 12, "hundred": 100, "both": 2, "several": 3,
    "few": 3, "many": 5, "some": 3,
}
MAX_ACTORS = 12
DETERMINERS = {"a", "an", "the", "this", "that", "another", "some", "one", "his", "her", "their", "its"}
PRONOUNS = {"he": "m", "she": "f", "it": "", "him": "m", "her": "f", "they": "*", "them": "*",
            "everyone": "all", "everybody": "all", "all": "*", "both": "*", "each": "*"}
ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "other": -1, "last": -1}

# ----------------------------------------------------------------------------- clause structure

#: sequence words: the next clause starts after the previous one ends
SEQUENCE_WORDS = ("and then", "after that", "afterwards", "after which", "then", "next", "finally", "later",
                  "eventually", "once done", "before", "and finally")
#: simultaneity words: the next clause happens during the previous one
SIMULTANEOUS_WORDS = ("at the same time", "simultaneously", "meanwhile", "while", "whilst", "as", "during")
#: linking verbs that carry an emotion or manner but no action ("she is happy")
COPULAS = {"be", "is", "are", "look", "seem", "feel", "become", "get", "appear", "start", "begin", "keep",
           "continue", "try", "stop"}
#: words that make "stand" getting up ("stands up", "rises", "gets to her feet"), not standing still
STAND_UP_WORDS = {"up", "rise", "rises", "rising", "rose", "risen", "feet"}

# ----------------------------------------------------------------------------- manner

#: word -> (speed multiplier, energy)
MANNER = {
    "slowly": (0.6, 0.25), "slow": (0.6, 0.25), "leisurely": (0.6, 0.25), "carefully": (0.6, 0.3),
    "gently": (0.7, 0.25), "calmly": (0.8, 0.2), "lazily": (0.6, 0.15), "tiredly": (0.6, 0.15),
    "sluggishly": (0.5, 0.15), "casually": (0.85, 0.35), "cautiously": (0.6, 0.3), "sadly": (0.7, 0.2),
    "quickly": (1.45, 0.8), "fast": (1.45, 0.8), "rapidly": (1.45, 0.8), "briskly": (1.3, 0.7),
    "hurriedly": (1.4, 0.8), "swiftly": (1.45, 0.8), "energetically": (1.2, 0.95), "excitedly": (1.2, 0.9),
    "wildly": (1.2, 1.0), "vigorously": (1.2, 0.95), "happily": (1.1, 0.7), "angrily": (1.15, 0.85),
    "proudly": (1.0, 0.7), "quietly": (0.8, 0.3), "loudly": (1.0, 0.85), "furiously": (1.3, 1.0),
    # the data generator's other adverbs (datasets_scripts/text/describe.py), so the encoder sees them too
    "softly": (0.8, 0.25), "unhurriedly": (0.7, 0.25), "wearily": (0.6, 0.15), "lightly": (0.9, 0.35),
    "abruptly": (1.3, 0.8), "enthusiastically": (1.2, 0.9), "heartily": (1.1, 0.8), "animatedly": (1.1, 0.8),
    "uncontrollably": (1.1, 0.9), "half-heartedly": (0.7, 0.2),
    # common in prompts: how an interaction or gesture is done
    "firmly": (1.0, 0.7), "tightly": (1.0, 0.6), "warmly": (1.0, 0.6), "gracefully": (0.9, 0.5),
    "nervously": (1.0, 0.6), "confidently": (1.05, 0.7), "awkwardly": (0.9, 0.4), "eagerly": (1.2, 0.85),
    "playfully": (1.1, 0.7), "silently": (0.8, 0.3),
}
FULL_SPEED = (1.9, 1.0)  # "as fast as she can", "at full speed", "flat out"
FULL_SPEED_PHRASES = ("as fast as", "full speed", "flat out", "top speed", "at full tilt", "all out")

#: base speed of moving actions, m/s: for locomotion the training clips' median ground speed when their
#: text names no speed (``benchmarks/bench_pacing.py``), which generation paces the pelvis to
ACTION_SPEED = {"walk": 1.2, "run": 3.3, "sprint": 4.9, "running_bases": 3.9, "dribbling": 2.2,
                "crawling": 0.4, "flying": 3.0, "swimming": 0.8, "jump": 0.8}

#: verb phrases for the text encoder where ``third_person(synonyms[0])`` reads badly
TEXT_PHRASES = {"batting": "swings a bat", "stand": "stands up", "high_five": "gives a high five",
                "fight_stance": "raises fists in a fighting stance", "sit": "sits down",
                "idle": "stands still", "fielding": "crouches to field the ball"}

# ----------------------------------------------------------------------------- direction

#: phrase -> direction keyword understood by :mod:`stickgen.story.layout`
DIRECTIONS = (
    ("toward each other", "converge"), ("towards each other", "converge"), ("to each other", "converge"),
    ("away from each other", "diverge"), ("apart", "diverge"),
    ("toward the camera", "camera"), ("towards the camera", "camera"), ("toward us", "camera"),
    ("towards us", "camera"), ("toward the viewer", "camera"), ("away from the camera", "away"),
    ("away from us", "away"), ("into the distance", "away"),
    ("around the bases", "bases"), ("round the bases", "bases"), ("the bases", "bases"),
    ("counterclockwise", "circle"), ("counter-clockwise", "circle"), ("anticlockwise", "circle"),
    ("anti-clockwise", "circle"), ("clockwise", "circle_right"), ("in a circle", "circle"), ("in circles", "circle"),
    ("in a loop", "circle"), ("around in a circle", "circle"),
    ("circle", "circle"), ("around", "circle"),
    ("back_and_forth", "back_and_forth"), ("to_and_fro", "back_and_forth"), ("up_and_down", "in_place"),
    ("in place", "in_place"), ("on the spot", "in_place"), ("zigzag", "zigzag"), ("zig zag", "zigzag"),
    ("backwards", "backward"), ("backward", "backward"), ("back", "backward"),
    ("to the left", "left"), ("to the right", "right"), ("left", "left"), ("right", "right"),
    ("across", "across"), ("forward", "forward"), ("forwards", "forward"), ("ahead", "forward"),
    ("straight", "forward"), ("away", "away"),
)
#: words of a clause that only says more about the action before it ("..., turning right", "... and back",
#: "to the right, sideways"): with no action of its own it joins that action instead of making a beat
MODIFIER_WORDS = ({w for phrase, _ in DIRECTIONS for w in phrase.split()} | set(MANNER)
                  | {"sideways", "turning", "curving", "bearing", "in", "on", "to", "the", "a", "spot", "place",
                     "again"})
#: phrases whose inner "and" must not split a clause, and their joined token
JOINED_PHRASES = {"back and forth": "back_and_forth", "to and fro": "to_and_fro", "up and down": "up_and_down",
                  "left and right": "left_and_right", "right and left": "right_and_left",
                  "hand in hand": "hand_in_hand", "rock and roll": "rock_and_roll"}
#: "with her left hand", "right leg": which limb an action uses, kept for the text encoder
LIMB_PATTERN = (r"(?:with )?(?:his |her |their |the |a |one )?(?:(left|right|both) )?"
                r"(hand|hands|arm|arms|leg|legs|foot|feet|fist|fists|knee|knees)\b")
#: body parts by lemma: a whole-body verb whose object is one moves only that part ("moves his hands")
LIMBS = {"hand", "arm", "leg", "foot", "fist", "knee", "hip", "shoulder", "head", "finger"}

# ----------------------------------------------------------------------------- emotion, speech, film

EMOTIONS = {
    "happy": "happy", "happily": "happy", "joyful": "happy", "joyfully": "happy", "cheerful": "happy",
    "cheerfully": "happy", "smile": "happy", "smiling": "happy", "glad": "happy", "delighted": "happy",
    "pleased": "happy", "downcast": "sad", "glum": "sad", "glumly": "sad",
    "sad": "sad", "sadly": "sad", "unhappy": "sad", "upset": "sad", "crying": "sad", "gloomy": "sad",
    "depressed": "sad", "tearful": "sad", "miserable": "sad", "sorrowful": "sad",
    "surprised": "surprised", "shocked": "surprised", "amazed": "surprised", "astonished": "surprised",
    "startled": "surprised", "surprise": "surprised",
    "angry": "angry", "angrily": "angry", "furious": "angry", "furiously": "angry", "mad": "angry",
    "annoyed": "angry", "frustrated": "angry", "rage": "angry",
    "excited": "excited", "excitedly": "excited", "thrilled": "excited", "enthusiastic": "excited",
    "enthusiastically": "excited", "ecstatic": "excited", "eager": "excited", "eagerly": "excited",
    "calm": "neutral", "calmly": "neutral", "neutral": "neutral", "bored": "neutral",
}
SPEECH_VERBS = {"say": "talk", "talk": "talk", "speak": "talk", "tell": "talk", "ask": "talk", "reply": "talk",
                "chat": "talk", "explain": "talk", "answer": "talk", "shout": "shout", "yell": "shout",
                "scream": "shout", "holler": "shout", "cheer": "shout", "whisper": "whisper",
                "murmur": "whisper", "mutter": "whisper", "sing": "sing", "hum": "sing"}

#: film phrase -> (camera move, direction)
CAMERA_PHRASES = (
    ("close-up", "zoom", "in"), ("close up", "zoom", "in"), ("closeup", "zoom", "in"),
    ("zoom in", "zoom", "in"), ("zooms in", "zoom", "in"), ("zoom out", "zoom", "out"),
    ("zooms out", "zoom", "out"), ("zoom", "zoom", "in"), ("dolly in", "dolly", "in"),
    ("dolly out", "dolly", "out"), ("dolly", "dolly", "in"), ("push in", "dolly", "in"),
    ("pull back", "dolly", "out"), ("pulls back", "dolly", "out"), ("orbit", "orbit", None),
    ("circles around", "orbit", None), ("360", "orbit", None), ("rotates around", "orbit", None),
    ("tracking shot", "track", None), ("tracks", "track", None), ("track", "track", None),
    ("follows", "track", None), ("follow", "track", None), ("pans left", "pan", "left"),
    ("pans right", "pan", "right"), ("pan left", "pan", "left"), ("pan right", "pan", "right"),
    ("pans across", "pan", "right"), ("pan across", "pan", "right"), ("pan", "pan", "right"),
    ("crane shot", "crane", "up"), ("crane", "crane", "up"),
    ("rises", "crane", "up"), ("from above", "crane", "up"), ("bird's eye", "crane", "up"),
    ("static", "static", None), ("wide shot", "static", None), ("still camera", "static", None),
)
#: film phrases that mean a shot wherever they appear (the others need "the camera" as the subject)
FILM_PHRASES = {"close-up", "close up", "closeup", "zoom in", "zoom out", "dolly in", "dolly out", "push in",
                "tracking shot", "crane shot", "wide shot", "bird's eye", "pan left", "pan right", "pan across"}
#: words before "camera" that make it a place ("walks toward the camera"), not the subject of a shot
TARGET_PREPOSITIONS = {"toward", "towards", "to", "at", "from", "into", "facing", "past", "behind"}

#: prop nouns -> (object type, size x/y/z metres)
OBJECTS = {"ball": ("ball", (0.22, 0.22, 0.22)), "bench": ("bench", (1.5, 0.45, 0.4)),
           "chair": ("chair", (0.5, 0.9, 0.5)), "ladder": ("ladder", (0.5, 3.0, 0.1)),
           "table": ("table", (1.2, 0.75, 0.8)), "book": ("book", (0.2, 0.03, 0.15)),
           "cup": ("cup", (0.08, 0.1, 0.08)), "bat": ("bat", (0.07, 0.85, 0.07)),
           "hoop": ("hoop", (0.5, 3.05, 0.5)), "basket": ("hoop", (0.5, 3.05, 0.5)),
           "laptop": ("laptop", (0.35, 0.02, 0.25)), "computer": ("laptop", (0.35, 0.02, 0.25)),
           "tree": ("tree", (1.5, 4.0, 1.5)), "box": ("box", (0.5, 0.5, 0.5)), "wall": ("wall", (4.0, 2.5, 0.2))}

#: words that are never a character's name, even capitalised at the start of a sentence
KNOWN_WORDS = (set(DETERMINERS) | set(NUMBER_WORDS) | set(PRONOUNS) | set(ORDINALS) | set(MANNER) | set(EMOTIONS)
               | {w for phrase in SEQUENCE_WORDS + SIMULTANEOUS_WORDS for w in phrase.split()}
               | {"in", "on", "at", "with", "from", "to", "into", "of", "for", "by", "is", "are", "was", "camera",
                  "now", "here", "there", "someone", "somebody", "i", "we", "you", "suddenly", "and", "but",
                  "when", "after", "until", "so", "also", "then", "together", "close-up", "closeup", "zoom",
                  "wide", "slow", "fullspeed", "scene", "shot", "meanwhile", "once", "again", "not", "no",
                  "what", "how", "why", "please", "make", "show", "create", "generate", "animation", "video",
                  # sentence openers that are no names ("Outside, two kids ...", "Turning left, a man ...")
                  "outside", "inside", "indoors", "outdoors", "without", "within", "every", "each", "during",
                  "before", "later", "today", "tonight", "yesterday", "tomorrow", "finally", "eventually",
                  "afterwards", "afterward", "nearby", "upstairs", "downstairs", "across", "behind", "under",
                  "over", "near", "beside", "around", "through", "along", "while", "as", "if", "because",
                  "since", "though", "although", "despite", "like", "turning", "spinning", "onstage", "offstage"})
#: words skipped before a clause's subject ("suddenly the man ...")
FILLER_WORDS = {"suddenly", "also", "now", "together", "immediately", "so", "soon", "first", "just", "again",
                "here", "there"}
OBJECTS_SIZE = {kind: size for kind, size in OBJECTS.values()}


def gerund(action: str) -> str:
    """"-ing" phrase of an action for the text encoder: "wave" -> "waving", "clap" -> "clapping"."""
    head, _, rest = (TEXT_PHRASES.get(action) or third_person(vocab.action_info(action).synonyms[0])).partition(" ")
    verb = lemma(head)
    if verb.endswith("ie"):
        verb = verb[:-2] + "y"
    elif verb.endswith("e") and not verb.endswith("ee"):
        verb = verb[:-1]
    elif len(verb) <= 4 and verb[-1] not in "aeiouwxy" and verb[-2] in "aeiou" and verb[-3:-2] not in "aeiou":
        verb += verb[-1]
    return f"{verb}ing {rest}".strip()
