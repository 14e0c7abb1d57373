"""The systems the report compares, each turning evaluation cases into clips.

A case is one test row with one of its descriptions (:class:`EvalCase`). A system is a callable
``system(cases, seed) -> list of joints [T_i, 22, 3]`` (world space, 25 fps). A system that plans its
own timing also fills ``planned``: per case, the per-frame action labels it meant (the report judges
actions against them when their sequence is the row's; see :func:`stickgen.eval.metrics.scoring_labels`).

- :func:`real_motions`: the test clips themselves (the ceiling);
- :class:`PipelineSystem`: a ``StickGenPipeline``, full (planner + refiner) or planner alone (0 steps);
- :class:`RetrievalBaseline`: the training clip whose description is nearest the case's text (MiniLM);
- :class:`MeanMotionBaseline`: per frame, the training set's mean local pose and root velocity of the
  case's action.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .. import features, vocab


@dataclass
class EvalCase:
    """One test row with one chosen description. ``joints: [T, 22, 3]``, ``action_ids: [T]``."""

    id: str
    text: str
    joints: np.ndarray
    action_ids: np.ndarray
    fps: int
    source: str

    @property
    def duration(self) -> float:
        return len(self.joints) / self.fps


def cases_from_split(split: Any, indices: Sequence[int], seed: int) -> list[EvalCase]:
    """:class:`EvalCase` for the given rows of a dataset split, one description per row chosen by ``seed``."""
    rng = np.random.default_rng(seed)
    cases = []
    for i in indices:
        row = split[int(i)]
        texts = list(row["texts"])
        cases.append(EvalCase(row["id"], texts[rng.integers(len(texts))], np.asarray(row["joints"], np.float64),
                              np.asarray(row["action_ids"], np.int64), int(row["fps"]), row["source"]))
    return cases


def sample_rows(count: int, max_rows: int | None, seed: int) -> np.ndarray:
    """Sorted row indices: all ``count`` rows, or ``max_rows`` of them drawn without replacement by
    ``seed`` (the evaluator's training and the retrieval baseline draw the same rows)."""
    if max_rows is None or count <= max_rows:
        return np.arange(count)
    return np.sort(np.random.default_rng(seed).choice(count, max_rows, replace=False))


def real_motions(cases: list[EvalCase], seed: int = 0) -> list[np.ndarray]:
    return [c.joints for c in cases]


class PipelineSystem:
    """A StickGenPipeline as a system. ``sampling``: keyword settings of the pipeline call
    (:mod:`stickgen.sampling`; ``num_inference_steps=0`` runs the planner alone); a setting not named, or
    ``None``, uses the pipeline's recommendation (``pipe.sampling``).

    ``conditioning="text"`` gives the pipeline the case's sentence (story engine included);
    ``"plan"`` gives it a one-actor ScenePlan with the row's own per-frame actions and sentence.
    """

    def __init__(self, pipe, conditioning: str = "text", batch_size: int = 16, **sampling: float | None):
        if conditioning not in ("text", "plan"):
            raise ValueError(f"conditioning must be 'text' or 'plan', got {conditioning!r}")
        self.pipe, self.sampling = pipe, sampling
        self.conditioning, self.batch_size = conditioning, batch_size
        self.failures: list[str] = []
        self.planned: list[np.ndarray | None] = []

    def _inputs(self, cases: list[EvalCase]) -> list[Any]:
        if self.conditioning == "text":
            return [c.text for c in cases]
        from ..conditioning import ActorPlan, ScenePlan

        return [ScenePlan([ActorPlan(id="a0", text=c.text, action_ids=c.action_ids)], fps=c.fps,
                          meta={"prompt": c.text}) for c in cases]

    def __call__(self, cases: list[EvalCase], seed: int = 0) -> list[np.ndarray]:
        out: list[tuple[np.ndarray, np.ndarray | None] | None] = [None] * len(cases)
        by_length: dict[tuple[int, int], list[int]] = {}
        for i, case in enumerate(cases):
            by_length.setdefault((len(case.joints), case.fps), []).append(i)
        for (frames, fps), members in sorted(by_length.items()):
            for start in range(0, len(members), self.batch_size):
                chunk = members[start:start + self.batch_size]
                for i, result in zip(chunk, self._generate([cases[i] for i in chunk], frames / fps, fps, seed)):
                    out[i] = result
        self.planned = [planned for _, planned in out]
        return [joints for joints, _ in out]

    def _generate(self, cases: list[EvalCase], duration: float, fps: int,
                  seed: int) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """One batch of ``(joints, planned labels)``; if the pipeline refuses it (ValueError), case by
        case, and a case it refuses becomes a motionless rest pose (scored as the failure it is, against
        the row's labels) and is logged in ``failures``."""
        call = dict(duration=duration, seed=seed, fps=fps, **self.sampling)
        try:
            actors = [scene.actors[0] for scene in self.pipe(self._inputs(cases), **call).scenes]
            return [(actor.joints, _segment_labels(actor.actions, len(actor.joints))) for actor in actors]
        except ValueError:
            if len(cases) == 1:
                from ..skeleton import rest_pose

                self.failures.append(cases[0].id)
                return [(np.repeat(rest_pose()[None], int(round(duration * fps)), axis=0), None)]
            return [result for case in cases for result in self._generate([case], duration, fps, seed)]


def _segment_labels(segments, frames: int) -> np.ndarray | None:
    """Per-frame action ids ``[frames]`` from a Motion's action segments (None if they leave a gap)."""
    labels = np.full(frames, -1)
    for segment in segments or ():
        labels[segment.start:segment.end] = vocab.action_id(segment.label)
    return None if (labels < 0).any() else labels


class RetrievalBaseline:
    """Nearest neighbour by text: the training clip whose description is most similar (cosine of the
    sentence embeddings) to the case's text. ``train`` is the training split; ``max_rows`` caps how
    many of its rows (all their descriptions) are indexed; ``cache_dir`` keeps their embeddings
    (stickgen.eval.text_cache)."""

    def __init__(self, train: Any, encoder, max_rows: int | None = 6000, seed: int = 0,
                 cache_dir: str | None = None):
        from .text_cache import cached_sentence_vectors

        rows = sample_rows(len(train), max_rows, seed)
        texts, owners = [], []
        for i, row_texts in zip(rows, train.select(rows)["texts"]):
            texts += list(row_texts)
            owners += [int(i)] * len(row_texts)
        self.train, self.encoder, self.owners = train, encoder, np.array(owners)
        self.vectors = cached_sentence_vectors(encoder, texts, cache_dir)

    def __call__(self, cases: list[EvalCase], seed: int = 0) -> list[np.ndarray]:
        queries = self.encoder.encode([c.text for c in cases])
        rows = [self.train[int(i)] for i in self.owners[(queries @ self.vectors.T).argmax(axis=1)]]
        self.planned = [np.asarray(row["action_ids"], np.int64) for row in rows]
        return [np.asarray(row["joints"], np.float64) for row in rows]


class MeanMotionBaseline:
    """Per action, the mean local pose, pelvis height and pelvis velocity over the training frames with
    that label; a case's clip strings them together along its per-frame actions."""

    def __init__(self, train: Any, max_rows: int | None = 2000, seed: int = 0):
        rows = sample_rows(len(train), max_rows, seed)
        sums = np.zeros((len(vocab.ACTIONS), features.FEATURE_DIM))
        counts = np.zeros(len(vocab.ACTIONS))
        for i in rows:
            row = train[int(i)]
            feats = features.encode(np.asarray(row["joints"], np.float64), row["fps"])
            labels = np.asarray(row["action_ids"], np.int64)[: len(feats)]
            np.add.at(sums, labels, feats[: len(labels)])
            counts += np.bincount(labels, minlength=len(counts))
        overall = sums.sum(0) / max(counts.sum(), 1)
        self.means = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], overall)
        self.means[:, features.HEADING_VELOCITY] = 0.0

    def __call__(self, cases: list[EvalCase], seed: int = 0) -> list[np.ndarray]:
        from ..skeleton import make_rigid, put_on_ground

        return [put_on_ground(make_rigid(features.decode(self.means[c.action_ids], c.fps))) for c in cases]
