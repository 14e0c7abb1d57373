"""Window-by-window sampling helpers on feature arrays: where each planning window starts, how a window's
plan continues from its known (overlap) frames, how the refiner's correction fades in beside them, and
the zero-phase low-pass applied to that correction (:class:`stickgen.pipeline.StickGenPipeline`).
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

#: frames over which the refiner's correction fades in after known frames (a window's continued overlap)
SEAM_FRAMES = 10
#: order of the Butterworth low-pass on the refiner's correction (run forwards and backwards: zero phase)
LOWPASS_ORDER = 4


def window_starts(total: int, size: int, overlap: int) -> list[int]:
    """First frame of each planning window for a clip of ``total`` frames."""
    if total <= size:
        return [0]
    step = size - overlap
    return [k * step for k in range(1 + math.ceil((total - size) / step))]


def nearest_known(frame_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each frame of ``frame_mask [B, T]`` (bool, fully known frames): the nearest known frame's
    index and the distance to it in frames, both ``[B, T]`` (distance ``inf`` in a row with none)."""
    mask = np.asarray(frame_mask, bool)
    index = np.arange(mask.shape[1])
    nearest, distance = np.zeros(mask.shape, np.int64), np.full(mask.shape, np.inf)
    for b, row in enumerate(mask):
        if row.any():
            gaps = np.abs(index[:, None] - np.flatnonzero(row)[None])
            nearest[b], distance[b] = np.flatnonzero(row)[gaps.argmin(axis=1)], gaps.min(axis=1)
    return nearest, distance


def join_seams(plan: np.ndarray, known: np.ndarray, frame_mask: np.ndarray, frames: int = SEAM_FRAMES) -> np.ndarray:
    """The planner's ``plan [B, T, D]`` continued from the ``known [B, T, D]`` frames (``frame_mask [B, T]``)
    without a jump: the step between a known frame and the planned frame beside it is carried into the
    frames that follow (or precede) it and fades out linearly over ``frames`` frames, so motion leaves
    (and meets) the known frames where they are; known frames are the known values. (The planner's
    outputs on the known frames themselves are no guide: it is not trained to reproduce them.)"""
    nearest, distance = nearest_known(frame_mask)
    fade = np.clip(1.0 - distance / frames, 0.0, 1.0)[..., None]
    index = np.arange(plan.shape[1])
    beside = np.clip(nearest + np.sign(index - nearest), 0, plan.shape[1] - 1)
    rows = np.arange(len(plan))[:, None]
    joined = plan + fade * (known[rows, nearest] - plan[rows, beside])
    return np.where(np.asarray(frame_mask, bool)[..., None], known, joined).astype(plan.dtype)


def seam_taper(frame_mask: np.ndarray, frames: int = SEAM_FRAMES) -> np.ndarray:
    """Weight ``[B, T]`` of the refiner's correction per frame: 0 on known frames (``frame_mask [B, T]``),
    rising linearly to 1 over the ``frames`` frames beside them, 1 in a window with none. The refined
    motion then leaves the known frames along the (joined) plan and draws its correction in gradually."""
    return np.clip(nearest_known(frame_mask)[1] / frames, 0.0, 1.0).astype(np.float32)


def lowpass(signal: np.ndarray, cutoff_hz: float, fps: float) -> np.ndarray:
    """Zero-phase Butterworth low-pass (order :data:`LOWPASS_ORDER`) along time: ``[B, T, D] -> [B, T, D]``
    (same dtype). The ends are padded with their mirror image, so a clip's first and last frames keep
    their level; clips of any length work (shorter padding for short ones)."""
    from scipy.signal import sosfiltfilt

    sos = _butterworth(float(cutoff_hz), float(fps))
    padding = min(3 * 2 * len(sos), signal.shape[1] - 1)
    return sosfiltfilt(sos, signal, axis=1, padtype="even", padlen=padding).astype(signal.dtype)


@lru_cache(maxsize=16)
def _butterworth(cutoff_hz: float, fps: float) -> np.ndarray:
    """The second-order sections of :func:`lowpass`'s filter (designed once per cutoff and frame rate)."""
    from scipy.signal import butter

    return butter(LOWPASS_ORDER, cutoff_hz / (fps / 2), output="sos")
