"""What every step generator receives (``StepContext``) and returns (``StepResult``), plus small signals."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .body import Body
from .track import Track, concat


@dataclass
class StepContext:
    """Inputs of one step: the body, the previous step's last frame (``state``, 1 frame) and posture,
    the number of frames, the realised params and the clip's random generator; ``first``: the step
    opens the clip (nothing before it to continue from)."""

    body: Body
    state: Track
    posture: str
    frames: int
    fps: int
    params: dict
    rng: np.random.Generator
    first: bool = False

    @property
    def t(self) -> np.ndarray:
        """Seconds since the step began ``[T]``."""
        return np.arange(self.frames) / self.fps

    @property
    def duration(self) -> float:
        return self.frames / self.fps

    @property
    def main(self) -> int:
        """Index of the acting hand (0 left, 1 right)."""
        return 0 if self.params.get("handedness", "right") == "left" else 1

    @property
    def energy(self) -> float:
        return float(self.params.get("energy", 0.6))


@dataclass
class StepResult:
    """A step's motion: its track, the posture it ends in, optional speech ids ``[T]`` (-1 silent),
    and for two-actor steps the partner's track and body."""

    track: Track
    posture: str
    speech: np.ndarray | None = None
    partner: Track | None = None
    partner_body: Body | None = None


def smooth_noise(rng: np.random.Generator, t: np.ndarray, hz: float, shape: tuple = ()) -> np.ndarray:
    """Band-limited noise ``[T, *shape]`` about 0 with unit-ish amplitude, made of 3 random sinusoids."""
    freqs = hz * rng.uniform(0.5, 1.5, size=(3,) + shape)
    phases = rng.uniform(0, 2 * np.pi, size=(3,) + shape)
    waves = np.sin(2 * np.pi * freqs[None] * t.reshape((-1, 1) + (1,) * len(shape)) + phases[None])
    return waves.sum(axis=1) / np.sqrt(1.5 * 3)


def mirror_x(points: np.ndarray) -> np.ndarray:
    """Reflect chest-frame points ``[..., 3]`` to the other side (negate x)."""
    return points * np.array([-1.0, 1.0, 1.0])


def side_hands(main: int, main_hand: np.ndarray, other_hand: np.ndarray) -> np.ndarray:
    """Hand targets ``[T, 2, 3]`` from targets written for a right main hand (x < 0 is the right side).

    With a left main hand both targets are reflected, so the gesture is the mirror image.
    """
    if main == 1:
        return np.stack([other_hand, main_hand], axis=1)
    return np.stack([mirror_x(main_hand), mirror_x(other_hand)], axis=1)


def keyed(t: np.ndarray, times: list[float], values: list) -> np.ndarray:
    """Key-framed motion: ``values[i]`` (arrays of one shape) at ``times[i]`` s, minimum-jerk in between,
    held before the first and after the last key. Returns ``[T, *shape]``."""
    from .footsteps import minimum_jerk

    times_arr = np.asarray(times, dtype=np.float64)
    vals = np.asarray(values, dtype=np.float64)
    k = np.clip(np.searchsorted(times_arr, t, side="right") - 1, 0, len(times_arr) - 1)
    nxt = np.minimum(k + 1, len(times_arr) - 1)
    span = np.maximum(times_arr[nxt] - times_arr[k], 1e-9)
    w = minimum_jerk(np.where(nxt > k, (t - times_arr[k]) / span, 0.0))
    w = w.reshape((-1,) + (1,) * (vals.ndim - 1))
    return vals[k] + (vals[nxt] - vals[k]) * w


def speech_ids(rng: np.random.Generator, t: np.ndarray, kind: str) -> np.ndarray:
    """Speech type id per frame ``[T]``: phrases of 0.8-3 s separated by 0.2-0.8 s pauses (-1)."""
    from stickgen import vocab

    out = np.full(len(t), -1, dtype=np.int64)
    clock = float(rng.uniform(0.0, 0.3))
    steady = kind == "sing"
    while clock < t[-1] if len(t) else False:
        length = float(rng.uniform(2.0, 5.0) if steady else rng.uniform(0.8, 3.0))
        out[(t >= clock) & (t < clock + length)] = vocab.speech_id(kind)
        clock += length + float(rng.uniform(0.2, 0.8))
    return out


def repeated(once: Callable[[StepContext], StepResult], cycle: float) -> Callable[[StepContext], StepResult]:
    """An action done again and again while the step lasts: each take is ``cycle`` s (the last one takes
    what is left) and starts from where the previous one ended; params "count" records the takes."""
    def run(ctx: StepContext) -> StepResult:
        frames = int(cycle / float(ctx.params.get("tempo", 1.0)) * ctx.fps)
        parts, state, used = [], ctx.state, 0
        while used < ctx.frames:
            left = ctx.frames - used
            take = left if left < frames + ctx.fps else frames
            sub = StepContext(ctx.body, state, "stand", take, ctx.fps, ctx.params, ctx.rng,
                              first=ctx.first and not used)
            parts.append(once(sub).track)
            state, used = parts[-1].frame(take - 1), used + take
        ctx.params["count"] = len(parts)
        return StepResult(concat(parts), "stand")

    run.__doc__ = once.__doc__
    return run
