"""Text-to-motion metrics on evaluator embeddings, with the standard (HumanML3D / T2M) definitions.

All functions are pure numpy (FID uses ``scipy.linalg.sqrtm``); every random choice takes a seed.
Embeddings are ``[N, D]`` float arrays; row i of ``text_emb`` describes row i of ``motion_emb``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import vocab


@dataclass(frozen=True)
class Interval:
    """A mean with the half-width of its 95% confidence interval (``mean ± ci95``)."""

    mean: float
    ci95: float

    def to_dict(self) -> dict[str, float]:
        return {"mean": self.mean, "ci95": self.ci95}


def mean_interval(values: np.ndarray) -> Interval:
    """Mean and 95% interval half-width ``1.96 * std / sqrt(n)`` of repeated measurements ``[n]``."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        raise ValueError("mean_interval needs at least one value")
    return Interval(float(values.mean()), float(1.96 * values.std() / np.sqrt(values.size)))


def _check_pairs(text_emb: np.ndarray, motion_emb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    text_emb, motion_emb = np.asarray(text_emb, np.float64), np.asarray(motion_emb, np.float64)
    if text_emb.ndim != 2 or text_emb.shape != motion_emb.shape:
        raise ValueError(f"expected paired [N, D] embeddings, got {text_emb.shape} and {motion_emb.shape}")
    return text_emb, motion_emb


def pairwise_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distances ``[N, D] x [M, D] -> [N, M]``."""
    squared = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.sqrt(np.maximum(squared, 0.0))


# ----------------------------------------------------------------------------- text-motion matching


def r_precision(text_emb: np.ndarray, motion_emb: np.ndarray, top_k: int = 3, batch_size: int = 32,
                repeats: int = 20, seed: int = 0) -> list[Interval]:
    """R-precision top-1..``top_k``: in shuffled batches of ``batch_size`` pairs, how often a text's own
    motion is among its ``k`` nearest motions; repeated ``repeats`` times with different shuffles.

    Returns one :class:`Interval` per k (chance level is ``k / batch_size``). Leftover pairs that do
    not fill a batch are dropped, as in the reference implementation. Motions at exactly the same
    distance as the true one (duplicates, e.g. a baseline returning one clip for two texts) count as
    a random tie-break, so copies cannot inflate the score.
    """
    text_emb, motion_emb = _check_pairs(text_emb, motion_emb)
    n = len(text_emb)
    if n < batch_size:
        raise ValueError(f"R-precision needs at least batch_size={batch_size} pairs, got {n}")
    rng = np.random.default_rng(seed)
    scores = np.zeros((repeats, top_k))
    for r in range(repeats):
        order = rng.permutation(n)[: n - n % batch_size].reshape(-1, batch_size)
        hits = np.zeros(top_k)
        for batch in order:
            dist = pairwise_distances(text_emb[batch], motion_emb[batch])
            own = np.diag(dist)[:, None]
            closer = (dist < own).sum(1)
            tied = (dist == own).sum(1)  # itself included; ties are broken at random (in expectation)
            hits += [np.clip((k - closer) / tied, 0.0, 1.0).sum() for k in range(1, top_k + 1)]
        scores[r] = hits / order.size
    return [mean_interval(scores[:, k]) for k in range(top_k)]


def matching_distance(text_emb: np.ndarray, motion_emb: np.ndarray) -> float:
    """MM-Dist: mean Euclidean distance between each text and its own motion."""
    text_emb, motion_emb = _check_pairs(text_emb, motion_emb)
    return float(np.linalg.norm(text_emb - motion_emb, axis=1).mean())


# ----------------------------------------------------------------------------- distributions


def frechet_distance(a: np.ndarray, b: np.ndarray, eps: float = 1e-6) -> float:
    """FID between two embedding sets ``[N, D]`` and ``[M, D]``: the Fréchet distance of the Gaussians
    fitted to them, ``|mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2))``, with the full matrix square
    root. A small ``eps`` is added to the diagonals when the product is singular (few samples).
    """
    from scipy import linalg

    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or len(a) < 2 or len(b) < 2:
        raise ValueError(f"FID needs two [N>=2, D] sets of the same D, got {a.shape} and {b.shape}")
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    root = linalg.sqrtm(cov_a @ cov_b)
    if not np.isfinite(root).all():
        offset = np.eye(len(cov_a)) * eps
        root = linalg.sqrtm((cov_a + offset) @ (cov_b + offset))
    root = root.real
    value = ((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2.0 * np.trace(root)
    return float(max(value, 0.0))


def diversity(motion_emb: np.ndarray, num_pairs: int = 300, seed: int = 0) -> float:
    """Diversity: mean distance between ``num_pairs`` randomly drawn pairs of motions ``[N, D]``
    (two independent draws of ``num_pairs`` indices, as in the reference implementation)."""
    motion_emb = np.asarray(motion_emb, np.float64)
    if len(motion_emb) < 2:
        raise ValueError("diversity needs at least two motions")
    rng = np.random.default_rng(seed)
    first = rng.choice(len(motion_emb), num_pairs, replace=len(motion_emb) < num_pairs)
    second = rng.choice(len(motion_emb), num_pairs, replace=len(motion_emb) < num_pairs)
    return float(np.linalg.norm(motion_emb[first] - motion_emb[second], axis=1).mean())


def multimodality(motion_emb: np.ndarray, num_pairs: int = 10, seed: int = 0) -> float:
    """MultiModality: ``motion_emb: [num_texts, num_generations, D]`` (30 generations per text in the
    standard protocol); for every text the mean distance between ``num_pairs`` random pairs of its own
    generations, averaged over texts."""
    motion_emb = np.asarray(motion_emb, np.float64)
    if motion_emb.ndim != 3 or motion_emb.shape[1] < 2:
        raise ValueError(f"expected [num_texts, num_generations>=2, D], got {motion_emb.shape}")
    rng = np.random.default_rng(seed)
    generations = motion_emb.shape[1]
    first = rng.choice(generations, num_pairs, replace=generations < num_pairs)
    second = rng.choice(generations, num_pairs, replace=generations < num_pairs)
    return float(np.linalg.norm(motion_emb[:, first] - motion_emb[:, second], axis=-1).mean())


# ----------------------------------------------------------------------------- actions


def segment_majority(labels: np.ndarray, predicted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each run of equal ``labels: [T]``, the intended label and the most frequent ``predicted: [T]``
    label inside it: ``(intended [S], recognised [S])``."""
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    if labels.shape != predicted.shape or labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"expected two equal non-empty [T] label arrays, got {labels.shape}, {predicted.shape}")
    cuts = [0, *(np.flatnonzero(np.diff(labels)) + 1), len(labels)]
    intended = np.array([labels[a] for a in cuts[:-1]])
    recognised = np.array([np.bincount(predicted[a:b]).argmax() for a, b in zip(cuts[:-1], cuts[1:])])
    return intended, recognised


def action_confusion(labels: list[np.ndarray], predicted: list[np.ndarray]) -> dict[str, dict[str, int]]:
    """``{intended action: {recognised action: segments}}`` over every action segment of every clip
    (``labels[i]: [T_i]`` the intended per-frame action ids; a segment is recognised as its majority
    predicted label)."""
    if not labels or len(labels) != len(predicted):
        raise ValueError("action scoring needs equally many (non-zero) label and prediction arrays")
    table: dict[str, dict[str, int]] = {}
    for clip_labels, clip_predicted in zip(labels, predicted):
        for intended, recognised in zip(*segment_majority(clip_labels, clip_predicted)):
            row, read = table.setdefault(vocab.ACTION_NAMES[intended], {}), vocab.ACTION_NAMES[recognised]
            row[read] = row.get(read, 0) + 1
    return table


def action_accuracy(labels: list[np.ndarray], predicted: list[np.ndarray]) -> float:
    """Action-recognition accuracy: over every action segment of every clip (``labels[i]: [T_i]`` the
    intended per-frame actions), the share whose majority predicted label equals the intended one."""
    table = action_confusion(labels, predicted)
    return sum(row.get(name, 0) for name, row in table.items()) / sum(sum(row.values()) for row in table.values())


def action_sequence(labels: np.ndarray) -> list[int]:
    """The actions of ``labels: [T]`` in order, one entry per run of equal labels."""
    labels = np.asarray(labels)
    return [int(labels[0]), *(int(labels[i]) for i in np.flatnonzero(np.diff(labels)) + 1)] if labels.size else []


def scoring_labels(row_labels: np.ndarray, planned: np.ndarray | None) -> np.ndarray:
    """The per-frame labels a generated clip is judged against: ``planned: [T_clip]`` (the labels the
    system planned for that clip) when its action sequence is the row's (descriptions give the order of
    the actions, not their timing), otherwise the row's own labels ``[T_row]``."""
    if planned is not None and action_sequence(planned) == action_sequence(row_labels):
        return np.asarray(planned)
    return np.asarray(row_labels)
