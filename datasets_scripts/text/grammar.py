"""English bits for clip descriptions: verb inflection, subjects, and one verb phrase per vocabulary synonym.

Verb phrases are stored in the base form (``"walk"``, ``"shake hands with {partner}"``) and
inflected for the subject with :func:`third_person` or turned into a gerund with :func:`gerund`.
Placeholders: ``{pos}`` the subject's possessive (his/her/their), ``{partner}`` the other actor.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from stickgen import vocab

# ----------------------------------------------------------------------------- inflection

_IRREGULAR_3RD = {"be": "is", "have": "has", "do": "does", "go": "goes"}
_NO_DOUBLE = {"open", "visit", "wander", "enter", "shiver", "travel"}
_DOUBLE = {"sidestep"}


def third_person(phrase: str) -> str:
    """``"walk forward"`` -> ``"walks forward"``: inflect the phrase's first word for he/she/it."""
    verb, _, rest = phrase.partition(" ")
    if verb in _IRREGULAR_3RD:
        verb = _IRREGULAR_3RD[verb]
    elif re.search(r"[^aeiou]y$", verb):
        verb = verb[:-1] + "ies"
    elif re.search(r"(s|x|z|ch|sh)$", verb):
        verb += "es"
    else:
        verb += "s"
    return f"{verb} {rest}".strip()


def gerund(phrase: str) -> str:
    """``"sit down"`` -> ``"sitting down"``, ``"wave"`` -> ``"waving"``, ``"lie"`` -> ``"lying"``."""
    verb, _, rest = phrase.partition(" ")
    if verb.endswith("ie"):
        verb = verb[:-2] + "ying"
    elif verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")) and verb != "be":
        verb = verb[:-1] + "ing"
    elif verb in _DOUBLE or (re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", verb) and verb not in _NO_DOUBLE):
        verb = verb + verb[-1] + "ing"
    else:
        verb += "ing"
    return f"{verb} {rest}".strip()


def swap_left_right(text: str) -> str:
    """Swap the words left and right (any case), as mirroring a clip does."""
    def swap(match: re.Match) -> str:
        word = match.group(0)
        other = {"left": "right", "right": "left"}[word.lower()]
        return other.capitalize() if word[0].isupper() else other
    return re.sub(r"\b(left|right)\b", swap, text, flags=re.IGNORECASE)


# ----------------------------------------------------------------------------- subjects


@dataclass(frozen=True)
class Subject:
    """A way to name the actor: ``noun`` phrase, ``possessive`` (his/her/their), ``plural_verbs`` for they."""

    noun: str
    pronoun: str
    possessive: str

    @property
    def plural_verbs(self) -> bool:
        return self.pronoun == "they"

    def verb(self, phrase: str, as_pronoun: bool = False) -> str:
        """The phrase inflected for this subject (or for its pronoun when ``as_pronoun``)."""
        return phrase if as_pronoun and self.plural_verbs else third_person(phrase)


def _subjects(nouns: str, pronoun: str, possessive: str) -> tuple[Subject, ...]:
    return tuple(Subject(n.strip(), pronoun, possessive) for n in nouns.split(","))


SUBJECTS = {
    "adult": (_subjects("a man, the man, a guy, a young man, an older man", "he", "his")
              + _subjects("a woman, the woman, a lady, a young woman, an older woman", "she", "her")
              + _subjects("a person, someone, the person, a figure, the stick figure, somebody", "they", "their")),
    "tall": (_subjects("a tall man, a tall guy", "he", "his") + _subjects("a tall woman", "she", "her")
             + _subjects("a tall person, a tall figure, someone tall", "they", "their")),
    "short": (_subjects("a child, a kid, a small child", "they", "their")
              + _subjects("a boy, a little boy", "he", "his")
              + _subjects("a girl, a little girl", "she", "her") + _subjects("a short person", "they", "their")),
}
PARTNERS = ("another person", "a friend", "someone else", "a partner", "the other person", "a companion")
OPPONENTS = ("an opponent", "another person", "a rival", "the other fighter")


def subjects_for_height(height: float) -> tuple[Subject, ...]:
    """Subject phrases that fit a body ``height`` in metres."""
    if height < 1.55:
        return SUBJECTS["short"]
    if height > 1.86:
        return SUBJECTS["tall"] + SUBJECTS["adult"][:6]
    return SUBJECTS["adult"]


# ----------------------------------------------------------------------------- verb phrases

#: vocab synonyms rewritten into complete base-form verb phrases; ``None`` drops a synonym that is a
#: noun or gerund rather than a verb. Synonyms absent here are used as they are.
REWRITES: dict[str, str | None] = {
    "stay": "stay put", "go": None, "run as fast as": "run as fast as {pos} legs allow",
    "spring": None, "greet": "greet someone", "say": "say something", "explain": "explain something",
    "tell": "tell a story", "serenade": "serenade someone", "indicate": "indicate something",
    "gesture toward": "gesture toward something", "show": "show the way", "bat": "take a swing",
    "batting": None, "pitch": "pitch a ball", "pitching": None, "catch": "catch a ball", "catching": None,
    "receive": "receive a throw", "running bases": None, "field": "field the ball", "fielding": None,
    "throw": "throw a ball", "toss": "toss a ball", "hurl": "hurl a ball", "fling": "fling a ball",
    "lob": "lob a ball", "kicking": None, "dribble": "dribble a basketball", "dribbling": None,
    "shoot": "shoot a basketball", "shooting": None, "fight": "fight {partner}", "brawl": "brawl with {partner}",
    "spar": "spar with {partner}", "battle": "battle {partner}", "box": "box with {partner}",
    "wrestle": "wrestle with {partner}", "scuffle": "scuffle with {partner}", "hit": "hit out",
    "hook": "throw a hook", "uppercut": "throw an uppercut", "roundhouse": "throw a roundhouse kick",
    "karate kick": "do a karate kick", "front kick": "do a front kick", "be seated": None,
    "get to her feet": "get to {pos} feet", "get to his feet": None, "lay down": None, "fall": "fall down",
    "eat": "eat something", "eating": None, "drink": "drink from a cup", "drinking": None,
    "sip": "sip a drink", "gulp": "gulp down a drink", "reading": None, "study": "study a book",
    "typing": None, "looking around": None, "search": "search around", "climbing": None,
    "climb": "climb a ladder", "scale": "scale a wall", "clamber": "clamber upward", "crawling": None,
    "swimming": None, "flying": None, "dancing": None, "handshake": None,
    "shake hands": "shake hands with {partner}", "shake her hand": "shake {partner}'s hand",
    "shake his hand": None, "greet with a handshake": "greet {partner} with a handshake",
    "hug": "hug {partner}", "embrace": "embrace {partner}", "cuddle": "cuddle {partner}",
    "hold each other": "hold {partner} in a hug", "high five": "give {partner} a high five",
    "high-five": "high-five {partner}", "high_five": None, "slap hands": "slap hands with {partner}",
    "fight stance": "take a fight stance", "fighting stance": "take a fighting stance",
    "put up fists": "put up {pos} fists", "raise fists": "raise {pos} fists", "guard": "keep {pos} guard up",
    "spin": "spin around", "twirl": "twirl around", "do nothing": "do nothing in particular",
    "stand": "stand up", "clap hands": "clap {pos} hands", "raise arms in victory": "raise {pos} arms in victory",
}


def verb_phrases(action: str) -> tuple[str, ...]:
    """Base-form verb phrases for an action, from its vocabulary synonyms (at least one for every action)."""
    phrases = []
    for synonym in vocab.action_info(action).synonyms:
        phrase = REWRITES.get(synonym, synonym)
        if phrase is not None and phrase not in phrases:
            phrases.append(phrase)
    return tuple(phrases)
