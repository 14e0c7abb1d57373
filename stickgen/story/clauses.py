"""Clause splitting and action matching for the default story parser.

``split_clauses`` cuts a prompt into :class:`Clause` s at punctuation, "and", sequence words ("then",
"after that") and simultaneity words ("while", "as"), after setting quoted speech aside and joining
phrases like "as fast as she can" or "back and forth" into single tokens; a sentence that opens with
"after/before" and a gerund ("After dodging, ...") marks that clause as leading its main clause.
``match_actions`` finds the vocabulary actions a clause names by synonym phrases, read through every
inflection of their words ("high-fiving", "passes the ball"); the longest phrase wins.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import vocab
from . import lexicon as lx
from .control_lexicon import AS_MUCH_AS, BACK_POSTURE, digits_for_degrees

#: extra phrases of the parser (vocab synonyms win a tie); phrase -> action
EXTRA_SYNONYMS = {
    "jog": "run", "skip": "jump", "tiptoe": "walk", "sneak": "walk", "limp": "walk", "stagger": "walk",
    "head toward": "walk", "head towards": "walk", "move": "walk", "stop": "idle", "halt": "idle", "freeze": "idle",
    "salute": "wave", "pick up": "fielding", "bend down": "fielding", "bend over": "fielding",
    "reach down": "fielding", "raise both arm": "celebrate", "raise both hand": "celebrate", "raise arm": "wave",
    "come": "walk", "approach": "walk", "leave": "walk", "cross": "walk",
    "enter": "walk", "exit": "walk", "arrive": "walk", "return": "walk", "chase": "run", "flee": "run",
    "run away": "run", "flip": "jump", "backflip": "jump", "somersault": "jump", "jumping jack": "jump",
    "cartwheel": "dance", "kiss": "hug", "swing": "batting", "crouch": "kneel", "squat": "kneel",
    "pray": "kneel", "sleep": "lie_down", "nap": "lie_down", "relax": "sit", "meditate": "sit",
    "play basketball": "dribbling", "play soccer": "kicking", "play football": "kicking",
    "play baseball": "batting", "score a goal": "kicking", "score": "shooting", "dunk": "shooting",
    "look": "looking_around", "watch": "idle", "stand there": "idle", "wait": "idle", "hike": "walk",
    "trudge": "walk", "shuffle": "walk", "skate": "walk", "roll": "crawling", "fist bump": "high_five",
    "face off": "fight_stance", "square off": "fight_stance",
    "punch the air": "celebrate", "jump for joy": "celebrate", "raise hand": "wave", "lift arm": "wave",
    "throw a punch": "punch", "throw a jab": "punch", "throw a hook": "punch", "throw an uppercut": "punch",
    "throw a kick": "kick", "give a high five": "high_five", "give a hug": "hug", "receive a throw": "catching",
    "receive a pass": "catching",
    "to the beat": "dance", "to the music": "dance", "sway": "dance", "do the twist": "dance",
    "step to the beat": "dance", "bounce to the beat": "dance", "move to the music": "dance",
    "step from side to side": "dance", "look right and left": "looking_around",
    "stumble": "walk", "wander": "walk", "amble": "walk", "saunter": "walk", "strut": "walk", "waddle": "walk",
    "trot": "run", "mosey": "walk", "meander": "walk", "dawdle": "walk", "plod": "walk", "sidle": "walk",
    "scuttle": "walk", "crab walk": "walk", "lope": "run",
    "put up hand": "wave", "hold up hand": "wave", "lift hand": "wave", "put up arm": "wave", "hold up arm": "wave",
    "lift both hand": "celebrate", "lift both arm": "celebrate", "put up both hand": "celebrate",
    "throw up both hand": "celebrate", "throw up both arm": "celebrate", "hold up both hand": "celebrate",
    "raise hand in the air": "wave",
}
IGNORED_FOR_MATCH = lx.DETERMINERS | {"with", "at", "on", "to"}
WHOLE_BODY_FAMILIES = {"locomotion", "jump", "dance"}
#: a one-word action right after one of these and "the" names a place ("a fan in the stands applauds")
PLACE_PREPOSITIONS = {"in", "on", "at", "into", "onto", "from", "across", "through", "over", "under", "near", "by",
                      "along", "around", "behind", "beside", "toward", "towards", "to"}
CLAUSE_BREAKS = {",", "and", "but", "so", "when", "until", "after"}
SENTENCE_BREAKS = {".", "!", "?", ";", ":"}


def _synonym_index() -> dict[str, list[tuple[tuple[str, ...], int, str]]]:
    """first lemma -> [(lemma phrase, words in the phrase, action)], longest first; a base form beats an
    inflected twin."""
    phrases: dict[tuple[str, ...], tuple[int, str]] = {}
    pairs = [(s, a.name) for a in vocab.ACTIONS for s in a.synonyms] + list(EXTRA_SYNONYMS.items())
    pairs.sort(key=lambda p: " ".join(lemma_tokens(p[0])) != p[0].replace("-", " "))
    for phrase, action in pairs:
        key = tuple(lemma_tokens(join_phrases(phrase)))
        if key:
            phrases.setdefault(key, (len(phrase.replace("-", " ").split()), action))
    index: dict[str, list[tuple[tuple[str, ...], int, str]]] = {}
    for key, (size, action) in phrases.items():
        index.setdefault(key[0], []).append((key, size, action))
    for options in index.values():
        options.sort(key=lambda o: (-len(o[0]), -o[1]))
    return index


def lemma_tokens(text: str) -> list[str]:
    """Lemmas of the content words of ``text`` ("Shakes her hand" -> ["shake", "hand"])."""
    words = re.findall(r"[a-z0-9_]+", text.lower().replace("-", " "))
    return [lx.lemma(w) for w in words if w not in IGNORED_FOR_MATCH]


def join_phrases(text: str) -> str:
    """``text`` with phrases whose inner "and" splits no clause joined ("back and forth" -> back_and_forth)."""
    for phrase, joined in lx.JOINED_PHRASES.items():
        text = re.sub(rf"\b{phrase}\b", joined, text, flags=re.I)
    return text


def _phrase_forms() -> dict[str, str]:
    """Every word of every synonym phrase, and each of its regular inflections -> the lemma the index uses
    ("fiving" -> "five", "scuffling" -> "scuffle"). A word that is itself a phrase word keeps its own lemma."""
    words = {w for phrase in [s for a in vocab.ACTIONS for s in a.synonyms] + list(EXTRA_SYNONYMS)
             for w in re.findall(r"[a-z0-9_]+", phrase.replace("-", " "))
             if w not in IGNORED_FOR_MATCH and len(w) > 2}
    forms = {form: w for w in sorted(words) if lx.lemma(w) == w for form in lx.inflections(w)}
    return forms | {w: lx.lemma(w) for w in words}


def base_form(word: str) -> str:
    """The index lemma of one lower-case word: through the phrase words' inflections, else :func:`lx.lemma`."""
    return _FORMS.get(word) or lx.lemma(word)


# ----------------------------------------------------------------------------- clauses


@dataclass
class Clause:
    words: list[str]  # lower case
    cased: list[str]  # as typed
    relation: str  # "start" | "seq" | "sim" | "and"
    new_sentence: bool = False
    leads: str | None = None  # "after"/"before": a subject-less clause that opens the sentence ("After dodging,")


_QUOTE = re.compile(r"\"([^\"]*)\"|“([^”]*)”|'([^']{2,})'(?=[\s,.!?;:]|$)")
_FULL_SPEED = re.compile(r"\bas (?:fast|quickly|quick|hard) as "
                         r"(?:(?:he|she|they|it|i|you|we|possible)(?: (?:can|could))?"
                         r"|(?:his|her|their|its|my|your|our) legs (?:allow|(?:can|could|will|would) carry \w+))"
                         r"|\b(?:at )?(?:full|top) speed\b|\bflat out\b|\ball out\b", re.I)
_TOKEN = re.compile(r"QUOTE\d+|\d+(?:\.\d+)?|[A-Za-z][A-Za-z_'\-]*|[.,;:!?]")


def split_clauses(prompt: str) -> tuple[list[Clause], list[str]]:
    """Split a prompt into clauses; returns the clauses and the quoted lines (``QUOTEn`` tokens)."""
    quotes: list[str] = []

    def keep(match: re.Match) -> str:
        quotes.append(next(g for g in match.groups() if g is not None).strip())
        return f" QUOTE{len(quotes) - 1} "

    text = BACK_POSTURE.sub(" ", _QUOTE.sub(keep, prompt))
    text = join_phrases(_FULL_SPEED.sub(" fullspeed ", digits_for_degrees(text)))
    text = AS_MUCH_AS.sub(lambda m: f" as_{m.group(1).lower()}_as_possible ", text)
    tokens = [t[:-2] if t.endswith("'s") else t for t in _TOKEN.findall(text)]
    clauses: list[Clause] = []
    current: list[str] = []
    relation, new_sentence, leads, i = "start", True, None, 0

    def flush(next_relation: str, sentence_end: bool = False) -> None:
        nonlocal current, relation, new_sentence, leads
        if not current and relation == "sim" and sentence_end and clauses:  # "... and waves at the same time."
            clauses[-1].relation = "sim"
        if current:
            clauses.append(Clause([w.lower() for w in current], current, relation, new_sentence, leads))
            relation, new_sentence, leads = next_relation, sentence_end, None
        elif next_relation in ("seq", "sim") or relation == "start":
            relation = next_relation if relation != "start" or next_relation != "and" else relation
        new_sentence = new_sentence or sentence_end
        current = []

    while i < len(tokens):
        low = [t.lower() for t in tokens[i:i + 4]]
        connector = _connector(low, current)
        if connector is not None and leads and connector[0] == "sim":  # "After singing while swaying, ..."
            current += tokens[i:i + connector[1]]
            i += connector[1]
            continue
        if connector is not None:
            kind, size = connector
            flush(kind)
            if not current and new_sentence and size == 1 and low[0] in ("after", "before") and \
                    _opens_with_gerund(low[1:]):
                leads = low[0]
            i += size
            continue
        if tokens[i] in SENTENCE_BREAKS:
            flush("and", sentence_end=True)
        else:
            current.append(tokens[i])
        i += 1
    flush("and", sentence_end=True)
    return _participles_after_subjects(_merge_compound_subjects(clauses)), quotes


def _participles_after_subjects(clauses: list[Clause]) -> list[Clause]:
    """"Standing still, a man raises his fist" -> "a man raises his fist" while "standing still": a
    sentence that opens with a subject-less "-ing" clause and goes on with a person and a verb is one
    person doing both at once (not a second, unnamed person). An opener that names no action ("Turning
    left,", "Smiling,") is left to the parser, which gives its turn or mood to that person."""
    out = list(clauses)
    for k in range(len(out) - 1):
        opener, main = out[k], out[k + 1]
        if (opener.new_sentence and opener.leads is None and not main.new_sentence
                and _opens_with_gerund(opener.words) and _person_then_verb(main.words) and match_actions(opener.words)):
            out[k] = Clause(main.words, main.cased, opener.relation, True)
            out[k + 1] = Clause(opener.words, opener.cased, "sim", False)
    return out


def _opens_with_gerund(low: list[str]) -> bool:
    """"dodging ...", "gently reading ...": a clause with no subject of its own."""
    if low and (low[0] in lx.MANNER or low[0].endswith("ly")):
        low = low[1:]
    return bool(low) and low[0].endswith("ing")


def _connector(low: list[str], current: list[str]) -> tuple[str, int] | None:
    """(relation, tokens used) if a clause boundary starts at ``low[0]``."""
    for words, kind in ((lx.SEQUENCE_WORDS, "seq"), (lx.SIMULTANEOUS_WORDS, "sim")):
        for phrase in words:
            parts = phrase.split()
            if low[:len(parts)] == parts:
                if phrase == "as" and not _as_opens_clause(low, current):
                    return None
                return kind, len(parts)
    if low[0] in CLAUSE_BREAKS:
        return ("seq" if low[0] in ("when", "until", "after") else "and"), 1
    return None


#: "dressed as a pirate": the noun after "as" is a costume, not a second person
COSTUMED = {"dressed", "disguised", "costumed", "masquerading", "posing", "acting", "playing"}


def _as_opens_clause(low: list[str], current: list[str]) -> bool:
    """Whether "as" at ``low[0]`` joins a simultaneous clause: not "as well"/"as if"; "as a(n) ..." and a
    sentence-opening "As ..." only when a person and a verb follow ("as a man reads", "As she walks, ...";
    not "dressed as a pirate dances")."""
    if len(low) < 2 or low[1] in ("well", "if") or (current and current[-1].lower() in COSTUMED):
        return False
    if low[1] in ("a", "an") or not current:
        return _person_then_verb(low[1:])
    return True


def _person_then_verb(low: list[str]) -> bool:
    """"a man reads", "the girl runs", "she walks": a person (article and noun, or a pronoun), then a verb."""
    if low and low[0] in lx.PRONOUNS:
        return len(low) > 1 and is_verb(low[1])
    return len(low) > 2 and low[0] in ("a", "an", "the") and lx.lemma(low[1]) in lx.ACTOR_NOUNS and is_verb(low[2])


def _merge_compound_subjects(clauses: list[Clause]) -> list[Clause]:
    """"a man", "a woman walk" -> "a man and a woman walk" (a clause that is only a subject)."""
    merged: list[Clause] = []
    for clause in clauses:
        if merged and merged[-1].relation != "merged" and _only_subject(merged[-1]) and clause.relation == "and":
            previous = merged.pop()
            clause = Clause(previous.words + ["and"] + clause.words, previous.cased + ["and"] + clause.cased,
                            previous.relation, previous.new_sentence)
        merged.append(clause)
    return merged


def _only_subject(clause: Clause) -> bool:
    words = clause.words
    if not words:
        return False
    has_actor = any(lx.lemma(w) in lx.ACTOR_NOUNS for w in words) or is_name(clause.cased[0], words[0])
    return has_actor and not match_actions(words)


def is_name(cased: str, low: str) -> bool:
    """A capitalised word that is no known word, verb or noun: a character's name ("Alice")."""
    return (cased[:1].isupper() and low not in lx.KNOWN_WORDS and not low.endswith("ly")
            and base_form(low) not in _INDEX and lx.lemma(low) not in lx.ACTOR_NOUNS
            and not cased.startswith("QUOTE"))


def is_verb(word: str) -> bool:
    """Whether ``word`` starts some action phrase ("high-fives" too)."""
    return base_form(word.split("-")[0]) in _INDEX


def opens_with_verb(words: list[str]) -> bool:
    """Whether a clause starts with its verb, so has no subject of its own ("greets another person ...")."""
    k = next((k for k, w in enumerate(words) if w not in lx.MANNER and w not in lx.FILLER_WORDS), len(words))
    return k < len(words) and words[k] not in lx.KNOWN_WORDS and lx.lemma(words[k]) not in lx.ACTOR_NOUNS \
        and is_verb(words[k])


#: content words allowed between two words of a phrase ("kicks the red ball", "greets her friend with a handshake")
MAX_GAP = 2


def match_actions(words: list[str]) -> list[tuple[int, int, str]]:
    """Actions named in ``words`` as (first word, one past last word, action), left to right.

    Hyphenated words are read part by part ("high-fiving" -> high five). Phrases are matched on lemmas,
    skipping articles and small prepositions; the words of a multi-word phrase may have up to ``MAX_GAP``
    other content words between them. Where phrases overlap the one with more content words wins, then
    the one with more words, then the leftmost ("receives a throw" is catching, "throws a hook" is a
    punch, "steps to the beat" is dancing). A linking verb followed by a feeling names no action
    ("looking pleased"), nor does a whole-body verb whose object is a body part ("moving his hands"),
    nor one word after a preposition and "the" ("sits in the stands").
    """
    pieces = [(k, part) for k, word in enumerate(words) for part in word.split("-") if part]
    lemmas = [base_form(p) if p not in IGNORED_FOR_MATCH else None for _, p in pieces]
    candidates = []
    for start, key in enumerate(lemmas):
        if key is None or (key in lx.COPULAS and start + 1 < len(pieces) and pieces[start + 1][1] in lx.EMOTIONS):
            continue
        following = next((base_form(p) for _, p in pieces[start + 1:] if p not in lx.DETERMINERS), None)
        place = start > 1 and pieces[start - 1][1] == "the" and pieces[start - 2][1] in PLACE_PREPOSITIONS
        for phrase, size, action in _INDEX.get(key, ()):
            end = _match_from(lemmas, start, phrase)
            limb_object = following in lx.LIMBS and vocab.action_info(action).family in WHOLE_BODY_FAMILIES
            if end is not None and not (len(phrase) == 1 and (place or limb_object)):
                candidates.append((len(phrase), size, start, end, action))
    taken: set[int] = set()
    found = []
    for _, _, start, end, action in sorted(candidates, key=lambda c: (-c[0], -c[1], c[2])):
        if taken.isdisjoint(range(start, end)):
            taken.update(range(start, end))
            found.append((pieces[start][0], pieces[end - 1][0] + 1, action))
    return sorted(found)


def _match_from(lemmas: list[str | None], start: int, phrase: tuple[str, ...]) -> int | None:
    """One past the last piece of ``phrase`` matched from ``start``, or None."""
    position = start + 1
    for part in phrase[1:]:
        skipped = 0
        while position < len(lemmas) and lemmas[position] != part:
            skipped += lemmas[position] is not None
            if skipped > MAX_GAP:
                return None
            position += 1
        if position == len(lemmas):
            return None
        position += 1
    return position


_FORMS = _phrase_forms()
_INDEX = _synonym_index()


