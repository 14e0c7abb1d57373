"""Clause splitting and action matching for the default story parser.

``split_clauses`` cuts a prompt into :class:`Clause` s at punctuation, "and", sequence words ("then",
"after that") and simultaneity words ("while", "as"), after setting quoted speech aside and joining
phrases like "as fast as she can" or "back and forth" into single tokens. ``match_actions`` finds the
vocabulary actions a clause names by lemmatised synonym phrases, longest first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import vocab
from . import lexicon as lx

#: extra phrases of the parser (vocab synonyms win a tie); phrase -> action
EXTRA_SYNONYMS = {
    "jog": "run", "skip": "jump", "tiptoe": "walk", "sneak": "walk", "limp": "walk", "stagger": "walk",
    "head toward": "walk", "head towards": "walk", "move": "walk", "stop": "idle", "halt": "idle", "freeze": "idle",
    "salute": "wave", "pick up": "fielding", "bend down": "fielding", "bend over": "fielding",
    "reach down": "fielding", "raise both arm": "celebrate", "raise both hand": "celebrate", "raise arm": "wave", "come": "walk", "approach": "walk", "leave": "walk", "cross": "walk",
    "enter": "walk", "exit": "walk", "arrive": "walk", "return": "walk", "chase": "run", "flee": "run",
    "run away": "run", "flip": "jump", "backflip": "jump", "somersault": "jump", "jumping jack": "jump",
    "cartwheel": "dance", "kiss": "hug", "swing": "batting", "crouch": "kneel", "squat": "kneel",
    "pray": "kneel", "sleep": "lie_down", "nap": "lie_down", "relax": "sit", "meditate": "sit",
    "play basketball": "dribbling", "play soccer": "kicking", "play football": "kicking",
    "play baseball": "batting", "score a goal": "kicking", "score": "shooting", "dunk": "shooting",
    "look": "looking_around", "watch": "idle", "stand there": "idle", "wait": "idle", "hike": "walk",
    "trudge": "walk", "shuffle": "walk", "skate": "walk", "roll": "crawling", "fist bump": "high_five", "face off": "fight_stance", "square off": "fight_stance",
    "punch the air": "celebrate", "jump for joy": "celebrate", "raise hand": "wave", "lift arm": "wave",
}
IGNORED_FOR_MATCH = lx.DETERMINERS | {"with", "at", "on", "to"}
CLAUSE_BREAKS = {",", "and", "but", "so", "when", "until", "after"}
SENTENCE_BREAKS = {".", "!", "?", ";", ":"}


def _synonym_index() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """first lemma -> [(lemma phrase, action)], longest first; a base form beats an inflected twin."""
    phrases: dict[tuple[str, ...], str] = {}
    pairs = [(s, a.name) for a in vocab.ACTIONS for s in a.synonyms] + list(EXTRA_SYNONYMS.items())
    pairs.sort(key=lambda p: " ".join(lemma_tokens(p[0])) != p[0].replace("-", " "))
    for phrase, action in pairs:
        key = tuple(lemma_tokens(phrase))
        if key:
            phrases.setdefault(key, action)
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for key, action in phrases.items():
        index.setdefault(key[0], []).append((key, action))
    for options in index.values():
        options.sort(key=lambda o: -len(o[0]))
    return index


def lemma_tokens(text: str) -> list[str]:
    """Lemmas of the content words of ``text`` ("Shakes her hand" -> ["shake", "hand"])."""
    words = re.findall(r"[a-z0-9_]+", text.lower().replace("-", " "))
    return [lx.lemma(w) for w in words if w not in IGNORED_FOR_MATCH]


# ----------------------------------------------------------------------------- clauses


@dataclass
class Clause:
    words: list[str]  # lower case
    cased: list[str]  # as typed
    relation: str  # "start" | "seq" | "sim" | "and"
    new_sentence: bool = False


_QUOTE = re.compile(r"\"([^\"]*)\"|“([^”]*)”|'([^']{2,})'(?=[\s,.!?;:]|$)")
_FULL_SPEED = re.compile(r"\bas (?:fast|quickly|quick|hard) as (?:he|she|they|it|i|you|we|possible)"
                         r"(?: (?:can|could))?|\b(?:at )?(?:full|top) speed\b|\bflat out\b|\ball out\b", re.I)
_TOKEN = re.compile(r"QUOTE\d+|\d+(?:\.\d+)?|[A-Za-z][A-Za-z_'\-]*|[.,;:!?]")


def split_clauses(prompt: str) -> tuple[list[Clause], list[str]]:
    """Split a prompt into clauses; returns the clauses and the quoted lines (``QUOTEn`` tokens)."""
    quotes: list[str] = []

    def keep(match: re.Match) -> str:
        quotes.append(next(g for g in match.groups() if g is not None).strip())
        return f" QUOTE{len(quotes) - 1} "

    text = _FULL_SPEED.sub(" fullspeed ", _QUOTE.sub(keep, prompt))
    for phrase, joined in lx.JOINED_PHRASES.items():
        text = re.sub(rf"\b{phrase}\b", joined, text, flags=re.I)
    tokens = [t[:-2] if t.endswith("'s") else t for t in _TOKEN.findall(text)]
    clauses: list[Clause] = []
    current: list[str] = []
    relation, new_sentence, i = "start", True, 0

    def flush(next_relation: str, sentence_end: bool = False) -> None:
        nonlocal current, relation, new_sentence
        if not current and relation == "sim" and sentence_end and clauses:  # "... and waves at the same time."
            clauses[-1].relation = "sim"
        if current:
            clauses.append(Clause([w.lower() for w in current], current, relation, new_sentence))
            relation, new_sentence = next_relation, sentence_end
        elif next_relation in ("seq", "sim") or relation == "start":
            relation = next_relation if relation != "start" or next_relation != "and" else relation
        new_sentence = new_sentence or sentence_end
        current = []

    while i < len(tokens):
        low = [t.lower() for t in tokens[i:i + 4]]
        connector = _connector(low, current)
        if connector is not None:
            kind, size = connector
            flush(kind)
            i += size
            continue
        if tokens[i] in SENTENCE_BREAKS:
            flush("and", sentence_end=True)
        else:
            current.append(tokens[i])
        i += 1
    flush("and", sentence_end=True)
    return _merge_compound_subjects(clauses), quotes


def _connector(low: list[str], current: list[str]) -> tuple[str, int] | None:
    """(relation, tokens used) if a clause boundary starts at ``low[0]``."""
    for words, kind in ((lx.SEQUENCE_WORDS, "seq"), (lx.SIMULTANEOUS_WORDS, "sim")):
        for phrase in words:
            parts = phrase.split()
            if low[:len(parts)] == parts:
                if phrase == "as" and (not current or len(low) < 2 or low[1] in ("well", "if", "a", "an")):
                    return None
                return kind, len(parts)
    if low[0] in CLAUSE_BREAKS:
        return ("seq" if low[0] in ("when", "until", "after") else "and"), 1
    return None


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
            and lx.lemma(low) not in _INDEX and lx.lemma(low) not in lx.ACTOR_NOUNS
            and not cased.startswith("QUOTE"))


def is_verb(word: str) -> bool:
    """Whether ``word`` starts some action phrase."""
    return lx.lemma(word) in _INDEX


def match_actions(words: list[str]) -> list[tuple[int, int, str]]:
    """Actions named in ``words`` as (first word, one past last word, action), left to right.

    Phrases are matched on lemmas, skipping articles and small prepositions, longest first; the words of
    a multi-word phrase may have up to two other words between them ("kicks the red ball").
    """
    lemmas = [lx.lemma(w) if w not in IGNORED_FOR_MATCH else None for w in words]
    found, k = [], 0
    while k < len(words):
        hit = None
        for phrase, action in _INDEX.get(lemmas[k], ()) if lemmas[k] else ():
            end = _match_from(lemmas, k, phrase)
            if end is not None:
                hit = (k, end, action)
                break
        if hit:
            found.append(hit)
            k = hit[1]
        else:
            k += 1
    return found


def _match_from(lemmas: list[str | None], k: int, phrase: tuple[str, ...]) -> int | None:
    position = k + 1
    for part in phrase[1:]:
        for gap in range(3):
            if position + gap < len(lemmas) and lemmas[position + gap] == part:
                position += gap + 1
                break
        else:
            return None
    return position


_INDEX = _synonym_index()


