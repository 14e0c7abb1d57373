"""Pacing: the pelvis travels at the speed the plan asks for.

The planner regresses to one average gait: a walk crosses the ground at about 0.8 m/s whether the text
says "slowly" or "briskly" (the training walks named no speed go a median 1.2 m/s, the slow ones 0.5,
the brisk ones 1.6: ``benchmarks/bench_pacing.py``). The story engine knows the speed it laid the scene
out for (``ActorPlan.target_speed``: the action's base speed times its manner, or a given distance over
its time). With the ``pace`` sampling setting, before the refiner runs each stretch of frames with one
target has the plan's pelvis velocity scaled by one factor so that its mean ground speed is the target
(the plan's rise from standstill, direction and stride rhythm are kept), and the refiner, given that
plan, draws legs that cover the ground (:meth:`stickgen.window_sampler.WindowSampler.plan_and_refine`;
the planner alone is never paced). A refiner learns to trust a paced plan in training, where a share of the windows
(``loss.pace_prob``) has its plan paced to the true speed of each locomotion stretch
(:func:`stretch_speeds`); one trained without it keeps its legs and slides.
"""
from __future__ import annotations

import numpy as np

from .features import ROOT_VELOCITY
from .placement import LOCOMOTION_IDS

#: the plan must already move at least this fast (m/s) over a stretch to be scaled (a direction is needed)
MIN_PLANNED_SPEED = 0.05
#: the most the plan's speed is scaled by, either way
MAX_FACTOR = 3.0


def stretches(target: np.ndarray) -> list[tuple[int, int]]:
    """Half-open frame ranges of ``target [T]`` with one finite value each (NaN frames are in none)."""
    finite = np.isfinite(target)
    values = np.where(finite, target, np.inf)
    cuts = np.flatnonzero(values[1:] != values[:-1]) + 1
    bounds = [0, *cuts, len(target)]
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]) if finite[a]]


def pace(features: np.ndarray, target: np.ndarray, free: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale the pelvis velocity of ``features [B, T, 137]`` (denormalised) to ``target [B, T]`` (m/s, NaN:
    free) over each stretch of one target, measured and changed on the ``free [B, T]`` frames only
    (known frames keep what they are). Returns the paced features (a copy) and the frames held ``[B, T]``
    bool: the scaled ones, whose root velocity the refiner should keep. A stretch the plan does not move
    in (below ``MIN_PLANNED_SPEED``) is left free; the factor is clipped to ``1/MAX_FACTOR..MAX_FACTOR``."""
    features = np.array(features, dtype=np.float64)
    target, free = np.asarray(target, dtype=np.float64), np.asarray(free, bool)
    held = np.zeros(target.shape, bool)
    for row in range(len(features)):
        for start, end in stretches(np.where(free[row], target[row], np.nan)):
            velocity = features[row, start:end, ROOT_VELOCITY]
            planned = float(np.linalg.norm(velocity, axis=-1).mean())
            if planned < MIN_PLANNED_SPEED:
                continue
            factor = np.clip(target[row, start] / planned, 1.0 / MAX_FACTOR, MAX_FACTOR)
            features[row, start:end, ROOT_VELOCITY] = velocity * factor
            held[row, start:end] = True
    return features, held


def pace_normalized(pose: np.ndarray, stats, target: np.ndarray, free: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`pace` on normalised features ``pose [B, T, 137]`` (``stats``: their
    :class:`~stickgen.features.FeatureStats`): the same array type and values except the held frames' root
    velocity, and the held frames ``[B, T]``."""
    paced, held = pace(stats.denormalize(np.asarray(pose, dtype=np.float64)), target, free)
    out = np.array(pose, copy=True)
    out[held, ROOT_VELOCITY] = stats.normalize(paced)[held][:, ROOT_VELOCITY]
    return out, held


def stretch_speeds(features: np.ndarray, action_ids: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """``[B, T]`` mean ground speed (m/s) of ``features [B, T, 137]`` (denormalised) over each run of one
    locomotion action of ``action_ids [B, T]`` within the ``valid [B, T]`` frames; NaN elsewhere: the
    targets :func:`pace` would be given to reproduce the clip's own speeds."""
    speed = np.linalg.norm(np.asarray(features)[..., ROOT_VELOCITY], axis=-1)
    ids = np.asarray(action_ids)
    travels = LOCOMOTION_IDS[ids] & np.asarray(valid, bool)
    out = np.full(ids.shape, np.nan)
    for row in range(len(ids)):
        for start, end in stretches(np.where(travels[row], ids[row], np.nan)):
            out[row, start:end] = speed[row, start:end].mean()
    return out
