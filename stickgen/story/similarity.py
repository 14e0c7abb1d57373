"""Sentence-embedding similarity between a clause and the action vocabulary (the parser's fallback).

Each action is represented by its description and each of its synonyms as short sentences ("a person
strolls"); a clause scores an action by its best sentence. Uses :class:`stickgen.text.TextEncoder`
(offline MiniLM by default), loaded on first use and shared by every matcher; pass the pipeline's own
encoder to avoid a second load.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import vocab
from .lexicon import third_person

THRESHOLD = 0.6  # best cosine similarity below which a clause names nothing we know
MARGIN = 0.03  # the best action must beat the runner-up by this much


@lru_cache(maxsize=1)
def _shared_encoder():
    from ..text import TextEncoder

    return TextEncoder()


def action_sentences() -> tuple[list[str], np.ndarray]:
    """Sentences describing the actions and, ``[S]``, the action id each one belongs to."""
    sentences, owners = [], []
    for index, action in enumerate(vocab.ACTIONS):
        for text in (action.description, *(third_person(s) for s in action.synonyms)):
            sentences.append(f"a person {text}")
            owners.append(index)
    return sentences, np.array(owners)


def embedding_matcher(encoder=None, threshold: float = THRESHOLD, margin: float = MARGIN):
    """A parser matcher: clause text -> the most similar action name, or None when nothing is close."""
    table: dict[str, np.ndarray] = {}

    def match(text: str) -> str | None:
        model = encoder if encoder is not None else _shared_encoder()
        if not table:
            sentences, table["owners"] = action_sentences()
            table["embeddings"] = np.asarray(model.encode(sentences), dtype=np.float32)
        query = np.asarray(model.encode([f"a person {text}"]), dtype=np.float32)[0]
        per_action = np.full(len(vocab.ACTIONS), -1.0)
        np.maximum.at(per_action, table["owners"], table["embeddings"] @ query)
        second, best = np.argsort(per_action)[-2:]
        if per_action[best] < threshold or per_action[best] - per_action[second] < margin:
            return None
        return vocab.ACTION_NAMES[best]

    return match
