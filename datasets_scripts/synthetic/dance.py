"""Dance in six styles on a beat of params "tempo" beats/s (about 96-132 bpm):
bounce (knee bounce, pumping arms), twist (hips against chest), disco (pointing up and down across),
sway (arms overhead), spin (turning in place on small steps) and step_touch (side steps)."""
from __future__ import annotations

import numpy as np

from stickgen.skeleton import rotate_y

from .context import StepContext, StepResult, side_hands
from .footsteps import apply_steps, minimum_jerk, smoothstep
from .idle import hold
from .track import Track, blend_hands



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
    """Turn once (twice if there is time) on small steps around the pelvis, arms out, then bounce."""
    bounce(ctx, track, beat)
    s, t, h0 = ctx.body.scale, ctx.t, float(ctx.state.heading[0])
    turns = 2 if ctx.duration > 4.5 else 1
    length = min(1.6 * turns, 0.8 * ctx.duration)
    ctx.params["turns"] = turns * (1 if ctx.rng.random() < 0.5 else -1)
    angle = 2 * np.pi * ctx.params["turns"]
    track.heading = h0 + angle * minimum_jerk(t / length)
    centre = ctx.state.root[0] * [1.0, 0.0, 1.0]
    last = ctx.state.feet[0].copy()
    moves = []
    for i, land in enumerate(np.arange(0.3, length + 0.2, 0.3)):
        foot = i % 2
        heading = h0 + angle * minimum_jerk(min(land / length, 1.0))
        spot = centre + rotate_y(ctx.body.stance_feet[foot], heading)
        moves.append((foot, land - 0.22, land, spot - last[foot], 0.05, heading))
        last[foot] = spot
    apply_steps(track, ctx.body, t, moves)
    ahead = rotate_y(np.tile([0.0, 0.0, 0.03 * s], (len(t), 1)), track.heading)
    track.root[:, [0, 2]] = centre[[0, 2]] + ahead[:, [0, 2]]
    out = smoothstep(t / 0.3) * (1 - smoothstep((t - length) / 0.4))  # arms out while turning
    wide = np.array([[0.45, -0.05, 0.05], [-0.45, -0.05, 0.05]]) * s
    track.hands = blend_hands(track.hands, np.broadcast_to(wide, track.hands.shape), out)


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
