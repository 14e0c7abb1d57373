"""Procedural SMPL-22 motion for every action of ``stickgen.vocab`` (issue #4, item 1).

Public API::

    spec = sample_spec(np.random.default_rng(0))      # ClipSpec: 1-4 ActionSteps, body height, seed, mirror
    clip = generate(spec)                              # SyntheticClip: joints [T, 22, 3], labels, contacts
    for clip in generate_many(1000, seed=0, workers=2): ...

``generate`` is deterministic for a given spec; ``generate_many(n, seed)`` yields the same clips in
the same order whatever the number of workers.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from .sampling import sample_spec
from .sequence import generate
from .spec import ActionStep, ClipSpec, SyntheticClip

__all__ = ["ActionStep", "ClipSpec", "SyntheticClip", "sample_spec", "generate", "generate_many", "spec_for"]


def spec_for(index: int, seed: int, max_duration: float = 10.0, min_duration: float = 1.0) -> ClipSpec:
    """The ``index``-th spec of the stream ``generate_many(..., seed)`` draws."""
    return sample_spec(np.random.default_rng([seed, index]), max_duration, min_duration)


def _make(args: tuple) -> SyntheticClip:
    return generate(spec_for(*args))


def generate_many(n: int, seed: int = 0, workers: int = 1, max_duration: float = 10.0,
                  min_duration: float = 1.0) -> Iterator[SyntheticClip]:
    """``n`` clips from random specs; ``workers > 1`` spreads them over processes, order kept."""
    if n < 0 or workers < 1:
        raise ValueError(f"need n >= 0 and workers >= 1, got n={n}, workers={workers}")
    jobs = ((i, seed, max_duration, min_duration) for i in range(n))
    if workers == 1:
        yield from map(_make, jobs)
        return
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_make, jobs, chunksize=16)
