"""Combat: fight_stance (a bouncing guard), punch (jabs and crosses), kick (a front kick from the rear
leg), dodge (a sidestep or a duck). ``stance_track`` is shared with the two-actor "fight"."""
from __future__ import annotations

import numpy as np

from stickgen.skeleton import rotate_y

from .context import StepContext, StepResult, keyed, repeated, side_hands
from .footsteps import apply_steps, smoothstep
from .idle import hold
from .track import Track, blend_hands

GUARD_MAIN = np.array([-0.10, 0.02, 0.22])
GUARD_LEAD = np.array([0.10, 0.05, 0.30])


def _local(ctx: StepContext, delta) -> np.ndarray:
    """A ``[3]`` offset in the actor's frame (x left, z forward; 1.75 m units) turned into world metres."""
    return rotate_y(np.asarray(delta, dtype=np.float64) * ctx.body.scale, float(ctx.state.heading[0]))


def stance_track(ctx: StepContext, bounce: float = 1.0) -> Track:
    """Step the rear (acting-side) foot back into a staggered stance, guard up, bounce on the knees."""
    track = hold(ctx, sway=0.0)
    t, s = ctx.t, ctx.body.scale
    sign = -1.0 if ctx.main == 1 else 1.0  # the rear foot is on the acting side
    rear = ctx.main
    apply_steps(track, ctx.body, t, [(rear, 0.05, 0.35, _local(ctx, [0.04 * sign, 0.0, -0.30]), 0.05)])
    settle = smoothstep(t / 0.4)
    track.root += _local(ctx, [0.0, 0.0, -0.13]) * settle[:, None]
    track.root[:, 1] += (-0.05 * s + bounce * 0.015 * s * np.sin(2 * np.pi * 2.2 * t)) * settle
    track.heading += sign * -0.35 * settle
    track.torso[:, 2] += sign * 0.15 * settle
    track.torso[:, 0] += 0.1 * settle
    track.head[:, 0] += -0.1 * settle
    track.knee_poles[:] = [[0.4, 0.0, 1.0], [-0.4, 0.0, 1.0]]
    guard = side_hands(ctx.main, GUARD_MAIN[None], GUARD_LEAD[None]) * s
    track.hands = blend_hands(track.hands, np.broadcast_to(guard, track.hands.shape), settle)
    track.elbow_poles[:] = [[0.4, -1.0, 0.0], [-0.4, -1.0, 0.0]]
    return track


def fight_stance(ctx: StepContext) -> StepResult:
    return StepResult(stance_track(ctx, bounce=0.5 + ctx.energy), "stand")


def punch_pulses(t: np.ndarray, starts: list[float]) -> np.ndarray:
    """Extension 0..1 ``[T]`` of a fist thrown at each start time: out in 0.12 s, back in 0.2 s."""
    out = np.zeros_like(t)
    for start in starts:
        tau = t - start
        out = np.maximum(out, smoothstep(tau / 0.12) * (1 - smoothstep((tau - 0.17) / 0.2)))
    return out


def throw_punches(ctx: StepContext, track: Track, main_starts: list[float], lead_starts: list[float],
                  target_height: float = 0.05) -> None:
    """Drive the fists of a guard ``track`` out and back: crosses with the acting hand, jabs with the other."""
    s = ctx.body.scale
    cross, jab = punch_pulses(ctx.t, main_starts), punch_pulses(ctx.t, lead_starts)
    main = GUARD_MAIN + np.outer(cross, [0.08, target_height - GUARD_MAIN[1], 0.58 - GUARD_MAIN[2]])
    lead = GUARD_LEAD + np.outer(jab, [-0.08, target_height - GUARD_LEAD[1], 0.56 - GUARD_LEAD[2]])
    track.hands = blend_hands(track.hands, side_hands(ctx.main, main, lead) * s, smoothstep(ctx.t / 0.4))
    turn = 0.35 * cross - 0.12 * jab
    track.torso[:, 2] += turn if ctx.main == 1 else -turn


def punch(ctx: StepContext) -> StepResult:
    track = stance_track(ctx)
    rate = (1.5 + 1.5 * ctx.energy) * float(ctx.params.get("tempo", 1.0))
    starts = np.arange(0.5, ctx.duration - 0.35, 1.0 / rate)
    hands = ctx.rng.random(len(starts)) < 0.55
    throw_punches(ctx, track, list(starts[hands]), list(starts[~hands]))
    ctx.params["count"] = int(len(starts))
    return StepResult(track, "stand")


def kick(ctx: StepContext) -> StepResult:
    """Front kicks from the rear leg: chamber, extend to chest height, re-chamber, land back."""
    track = stance_track(ctx, bounce=0.3)
    s, t, foot = ctx.body.scale, ctx.t, ctx.main
    height = 0.55 + 0.4 * ctx.energy
    period = (0.85 - 0.2 * ctx.energy) / float(ctx.params.get("tempo", 1.0))
    starts = np.arange(0.55, ctx.duration - period + 0.1, period + 0.3)[:3]
    ctx.params["count"] = int(len(starts))
    base = track.feet[:, foot].copy()
    forward = _local(ctx, [0.0, 0.0, 1.0]) / s
    lifted = np.zeros(len(t), dtype=bool)
    for start in starts:
        keys = [start, start + 0.3 * period, start + 0.42 * period, start + 0.6 * period, start + period]
        reach = keyed(t, keys, [[0, 0, 0], [0, 0.40, 0.35], [0, height, 0.95], [0, 0.40, 0.35], [0, 0, 0]])
        inside = (t > keys[0]) & (t < keys[-1])
        world = reach[:, 2:3] * forward * s + np.outer(reach[:, 1], [0.0, s, 0.0])
        track.feet[inside, foot] = base[inside] + world[inside]
        track.foot_pitch[inside, foot] = -0.3 * reach[inside, 2]
        lean = keyed(t, keys, [0.0, 0.1, -0.3, 0.0, 0.0])
        track.torso[:, 0] += np.where(inside, lean, 0.0)
        lifted |= inside
    track.contacts[:, [foot, foot + 2]] &= ~lifted[:, None]
    track.contacts[1:, [foot, foot + 2]] &= ~lifted[:-1, None]
    track.contacts[:-1, [foot, foot + 2]] &= ~lifted[1:, None]
    return StepResult(track, "stand")


def dodge(ctx: StepContext) -> StepResult:
    """A sidestep (foot out, body over it, head off the line) or a duck (deep knee bend), then recover."""
    track = hold(ctx, sway=0.0)
    t, s = ctx.t, ctx.body.scale
    side = ctx.params.setdefault("direction", "left" if ctx.rng.random() < 0.5 else "right")
    style = ctx.params.setdefault("style", "sidestep" if ctx.rng.random() < 0.6 else "duck")
    sign = 1.0 if side == "left" else -1.0
    back = max(0.6 * ctx.duration, ctx.duration - 0.7)  # when the body comes back
    moves = []
    if style == "sidestep":
        foot = 0 if side == "left" else 1
        moves = [(foot, 0.1, 0.35, _local(ctx, [0.35 * sign, 0.0, 0.0]), 0.06)]
        if back + 0.35 <= ctx.duration:  # time to step back in
            moves.append((foot, back, back + 0.3, _local(ctx, [-0.35 * sign, 0.0, 0.0]), 0.06))
        apply_steps(track, ctx.body, t, moves)
        settled = 0.0 if len(moves) > 1 else 0.22 * sign  # stepped back, or still out to the side
        shift = keyed(t, [0.1, 0.4, back, back + 0.35], [0.0, 0.22 * sign, 0.22 * sign, settled])
        track.root += np.outer(shift, _local(ctx, [1.0, 0.0, 0.0]))
        track.torso[:, 1] += -0.35 * shift / 0.22
    drop = keyed(t, [0.05, 0.35, back, back + 0.4], [0.0, 1.0, 1.0, 0.0])
    depth = 0.12 if style == "sidestep" else 0.30
    track.root[:, 1] -= depth * s * drop
    track.torso[:, 0] += (0.2 if style == "sidestep" else 0.5) * drop
    guard = side_hands(ctx.main, GUARD_MAIN[None], GUARD_LEAD[None]) * s
    track.hands = blend_hands(track.hands, np.broadcast_to(guard, track.hands.shape), smoothstep(t / 0.3))
    track.elbow_poles[:] = [[0.4, -1.0, 0.0], [-0.4, -1.0, 0.0]]
    return StepResult(track, "stand")


ACTIONS = {"fight_stance": fight_stance, "punch": punch, "kick": kick, "dodge": repeated(dodge, 1.8)}
