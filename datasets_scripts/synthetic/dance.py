"""Dance in six styles on a beat of params "tempo" beats/s (about 96-132 bpm):
bounce (knee bounce, pumping arms), twist (hips against chest), disco (pointing up and down across),
sway (arms overhead), spin (turning in place on small steps) and step_touch (side steps)."""
from __future__ import annotations

import numpy as np

from stickgen.skeleton import rotate_y

from .context import StepContext, StepResult, side_hands
from .footsteps import apply_steps, smoothstep
from .idle import hold
from .track import Track, blend_hands
from .turn import time_needed, turn_in_place, turn_length

#: seconds per 90 degrees of a dance spin (a whole turn in about 1.3 s)
SPIN_TIME = 0.3



def _arms(ctx: StepContext, track: Track, main: np.ndarray, other: np.ndarray) -> None:
    track.hands = blend_hands(track.hands, side_hands(ctx.main, main, other) * ctx.body.scale, smoothstep(ctx.t / 0.6))
    track.elbow_poles[:] = [[1.0, -0.6, -0.2], [-1.0, -0.6, -0.2]]


def _left(track: Track) -> np.ndarray:
    return np.stack([np.cos(track.heading), np.zeros(len(track)), -np.sin(track.heading)], -1)


def bounce(ctx: StepContext, track: Track, beat: np.ndarray) -> None:
    s = ctx.body.scale
    track.root[:, 1] -= s * (0.02 + 0.03 * ctx.energy) * (0.5 + 0.5 * np.cos(2 * np.pi * beat))
    pump = (0.2 + 0.2 * ctx.energy) * np.sin(2 * np.pi * beat)  # fists pumped on every beat
    _arms(ctx, track, np.stack([-0.25 + 0 * pump, -0.1 + pump, 0.25 + 0 * pump], -1),
          np.stack([0.25 + 0 * pump, -0.1 - pump, 0.25 + 0 * pump], -1))
    track.head[:, 0] += 0.12 * np.sin(2 * np.pi * beat)


def twist(ctx: StepContext, track: Track, beat: np.ndarray) -> None:
    s, turn = ctx.body.scale, (0.25 + 0.25 * ctx.energy) * np.sin(np.pi * beat)
    track.heading += turn
    track.torso[:, 2] -= 1.3 * turn
    track.root[:, 1] -= s * (0.07 + 0.02 * np.cos(2 * np.pi * beat))
    swing = (0.15 + 0.15 * ctx.energy) * np.sin(2 * np.pi * beat)
    _arms(ctx, track, np.stack([-0.25 + 0 * swing, -0.25 + 0 * swing, 0.15 + swing], -1),
          np.stack([0.25 + 0 * swing, -0.25 + 0 * swing, 0.15 - swing], -1))


def disco(ctx: StepContext, track: Track, beat: np.ndarray) -> None:
    s = ctx.body.scale
    up = 0.5 + 0.5 * np.cos(2 * np.pi * beat)  # up on the beat, down across in between
    main = np.stack([-0.35 + 0.5 * (1 - up), -0.45 + 0.9 * up, 0.22 + 0 * up], -1)
    _arms(ctx, track, main, np.repeat([[0.24, -0.33, -0.06]], len(beat), 0))
    hip = 0.05 * s * np.sin(np.pi * beat)
    track.root += hip[:, None] * _left(track)
    track.torso[:, 1] += 2.0 * hip
    track.head[:, 0] += -0.3 * (up - 0.5)


def sway(ctx: StepContext, track: Track, beat: np.ndarray) -> None:
    s, side = ctx.body.scale, np.sin(np.pi * beat / 2)
    track.root += (0.05 * s * side)[:, None] * _left(track)
    track.torso[:, 1] += -0.12 * side
    wave = 0.08 * np.sin(2 * np.pi * beat)  # hands flick on the beat
    _arms(ctx, track, np.stack([-0.15 + 0.15 * side, 0.45 + wave, 0.05 + 0 * side], -1),
          np.stack([0.15 + 0.15 * side, 0.45 - wave, 0.05 + 0 * side], -1))


def spin(ctx: StepContext, track: Track, beat: np.ndarray) -> None:
    """Params "count" whole turns (1-3, fewer if they do not fit), "direction" +1 left / -1 right, on
    quick small steps about the pelvis with the arms pulled in, like a pirouette; then bounce."""
    bounce(ctx, track, beat)
    count = max(1, int(ctx.params.get("count", 1)))
    while count > 1 and time_needed(2 * np.pi * count, SPIN_TIME, 0.3) > ctx.duration - 0.3:
        count -= 1
    direction = 1.0 if float(ctx.params.get("direction", 1.0)) >= 0 else -1.0
    ctx.params["count"], ctx.params["direction"] = count, int(direction)
    angle = 2 * np.pi * count * direction
    length = turn_length(angle, SPIN_TIME)
    turn_in_place(ctx, track, angle, length, interval=0.3, swing=0.24, lift=0.04)
    inward = smoothstep(ctx.t / 0.3) * (1 - smoothstep((ctx.t - length) / 0.4))  # arms in while turning
    held = np.array([[0.08, -0.12, 0.25], [-0.08, -0.12, 0.25]]) * ctx.body.scale
    track.hands = blend_hands(track.hands, np.broadcast_to(held, track.hands.shape), inward)


def step_touch(ctx: StepContext, track: Track, beat: np.ndarray) -> None:
    """Step out to one side on a beat, bring the other foot beside it on the next; then the other way."""
    s, t, f = ctx.body.scale, ctx.t, float(ctx.params.get("tempo", 2.0))
    out = rotate_y(np.array([0.30 * s, 0.0, 0.0]), float(ctx.state.heading[0]))
    moves, shift = [], np.zeros(len(t))
    for k, land in enumerate(np.arange(1.0 / f, ctx.duration - 0.1, 1.0 / f)):
        direction = 1.0 if (k // 2) % 2 == 0 else -1.0
        lead = 0 if direction > 0 else 1
        foot = lead if k % 2 == 0 else 1 - lead
        moves.append((foot, land - 0.3 / f - 0.1, land, out * direction, 0.06))
        shift += 0.5 * direction * smoothstep((t - land + 0.4 / f) / (0.4 / f))
    apply_steps(track, ctx.body, t, moves)
    track.root += np.outer(shift * 0.30 * s, rotate_y(np.array([1.0, 0.0, 0.0]), float(ctx.state.heading[0])))
    track.root[:, 1] -= 0.03 * s * (0.5 + 0.5 * np.cos(2 * np.pi * beat))
    clap = 0.5 + 0.5 * np.cos(2 * np.pi * beat)
    _arms(ctx, track, np.stack([-0.05 - 0.2 * clap, -0.1 + 0 * clap, 0.3 + 0 * clap], -1),
          np.stack([0.05 + 0.2 * clap, -0.1 + 0 * clap, 0.3 + 0 * clap], -1))


MOVES = {"bounce": bounce, "twist": twist, "disco": disco, "sway": sway, "spin": spin, "step_touch": step_touch}


def dance(ctx: StepContext) -> StepResult:
    track = hold(ctx, sway=0.0)
    beat = ctx.t * float(ctx.params.get("tempo", 2.0))
    MOVES[ctx.params.get("style", "bounce")](ctx, track, beat)
    return StepResult(track, "stand")
