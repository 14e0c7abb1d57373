"""Two-actor actions: handshake, hug, high_five, fight. The partner is placed facing the actor at the
distance the action needs, both are timed together, and contact points are shared world points that
each actor's hands are driven to (so the hands really meet)."""
from __future__ import annotations

import numpy as np

from stickgen.skeleton import rotate_y

from .body import Body
from .combat import punch_pulses, stance_track, throw_punches
from .context import StepContext, StepResult, keyed
from .idle import hold
from .kinematics import world_to_chest
from .track import Track, blend_hands, standing

DISTANCE = {"handshake": 0.62, "hug": 0.40, "high_five": 0.65, "fight": 0.85}


def _partner_context(ctx: StepContext, action: str) -> StepContext:
    """The partner standing ``DISTANCE[action]`` m in front of the actor, facing it."""
    body = Body(float(ctx.params.get("partner_height", 1.7)))
    heading = float(ctx.state.heading[0])
    distance = float(ctx.params.setdefault("distance", DISTANCE[action] * 0.5 * (ctx.body.scale + body.scale)))
    ground = ctx.state.root[0] * [1.0, 0.0, 1.0] + rotate_y(np.array([0.0, 0.0, distance]), heading)
    state = standing(body, 1, float(ground[0]), float(ground[2]), heading + np.pi)
    params = {"handedness": "right", "energy": ctx.energy, "tempo": ctx.params.get("tempo", 1.0)}
    return StepContext(body, state, "stand", ctx.frames, ctx.fps, params, ctx.rng)


def _reach(ctx: StepContext, track: Track, hand: int, points: np.ndarray, weight: np.ndarray) -> None:
    """Blend hand ``hand`` of ``track`` toward world ``points [T, 3]`` by ``weight [T]`` (0 rest, 1 there)."""
    target = world_to_chest(track, ctx.body, points)
    track.hands[:, hand] = blend_hands(track.hands[:, hand], target, weight)


def _ground(ctx: StepContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Actor's ground point, forward and left unit vectors ``[3]`` each."""
    heading = float(ctx.state.heading[0])
    return (ctx.state.root[0] * [1.0, 0.0, 1.0], rotate_y(np.array([0.0, 0.0, 1.0]), heading),
            rotate_y(np.array([1.0, 0.0, 0.0]), heading))


def handshake(ctx: StepContext) -> StepResult:
    """Right hands meet half-way at waist height and pump up and down together."""
    other = _partner_context(ctx, "handshake")
    ours, theirs = hold(ctx, sway=0.2), hold(other, sway=0.2)
    ground, forward, left = _ground(ctx)
    d = ctx.params["distance"]
    height = 0.62 * min(ctx.body.height, other.body.height)
    shaking = keyed(ctx.t, [0.8, 1.0, ctx.duration - 0.8, ctx.duration - 0.6], [0, 1, 1, 0])
    pump = 0.04 * np.sin(2 * np.pi * 2.5 * ctx.t) * shaking
    meet = ground + forward * d / 2 - left * 0.03 + np.outer(height + pump, [0.0, 1.0, 0.0])
    grip = keyed(ctx.t, [0.1, 0.8, ctx.duration - 0.6, ctx.duration - 0.05], [0.0, 1.0, 1.0, 0.0])
    for track in (ours, theirs):
        track.elbow_poles[:, 1] = [-1.0, -1.0, 0.0]
        track.head[:, 0] += 0.1
        track.torso[:, 0] += 0.1 * grip
    _reach(ctx, ours, 1, meet - forward * 0.04, grip)
    _reach(other, theirs, 1, meet + forward * 0.04, grip)
    return StepResult(ours, "stand", partner=theirs, partner_body=other.body)


def high_five(ctx: StepContext) -> StepResult:
    """Hands raised, slapped together above head height between the two, then dropped."""
    other = _partner_context(ctx, "high_five")
    ours, theirs = hold(ctx, sway=0.2), hold(other, sway=0.2)
    ground, forward, left = _ground(ctx)
    d, side = ctx.params["distance"], -1.0 if ctx.main == 1 else 1.0
    height = min(ctx.body.rest[16, 1], other.body.rest[16, 1]) + 0.2
    hit = min(1.0, 0.5 * ctx.duration)
    bounce = keyed(ctx.t, [hit, hit + 0.15, hit + 0.5], [0.0, 0.08, 0.1])
    meet = ground + forward * d / 2 + left * side * 0.12 + [0.0, height, 0.0]
    raise_ = keyed(ctx.t, [0.0, hit - 0.1, hit + 0.4, hit + 0.9], [0.0, 1.0, 1.0, 0.0])
    _reach(ctx, ours, ctx.main, meet - np.outer(0.03 + bounce, forward), raise_)
    _reach(other, theirs, 1 - ctx.main, meet + np.outer(0.03 + bounce, forward), raise_)
    ours.elbow_poles[:, ctx.main] = [side, -1.0, 0.0]
    theirs.elbow_poles[:, 1 - ctx.main] = [-side, -1.0, 0.0]
    ctx.params["hit_time"] = hit
    return StepResult(ours, "stand", partner=theirs, partner_body=other.body)


def hug(ctx: StepContext) -> StepResult:
    """Arms round each other's back (one high, one low), leaning in, swaying gently."""
    other = _partner_context(ctx, "hug")
    ours, theirs = hold(ctx, sway=0.0), hold(other, sway=0.0)
    hold_w = keyed(ctx.t, [0.1, 0.9, ctx.duration - 0.7, ctx.duration - 0.05], [0.0, 1.0, 1.0, 0.0])
    sway = 0.03 * np.sin(2 * np.pi * 0.5 * ctx.t) * hold_w
    for me, track, them in ((ctx, ours, other), (other, theirs, ctx)):
        ground, forward, left = _ground(me)
        track.torso[:, 0] += 0.15 * hold_w
        track.head[:, 1] += 0.5 * hold_w
        track.root += np.outer(sway, left)
        chest = (them.state.root[0] * [1.0, 0.0, 1.0]) + [0.0, them.body.rest[9, 1], 0.0]
        back = chest + forward * 0.10 * them.body.scale
        for hand, sign, dy in ((0, 1.0, 0.10), (1, -1.0, -0.15)):
            target = back + left * sign * 0.12 * them.body.scale + [0.0, dy * them.body.scale, 0.0]
            _reach(me, track, hand, np.repeat(target[None], ctx.frames, 0) + np.outer(sway, left), hold_w)
        track.elbow_poles[:] = [[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]]
    return StepResult(ours, "stand", partner=theirs, partner_body=other.body)


def fight(ctx: StepContext) -> StepResult:
    """Both in guard; they trade flurries, the defender covering up and leaning away from each."""
    other = _partner_context(ctx, "fight")
    ours, theirs = stance_track(ctx), stance_track(other)
    starts = {0: ([], []), 1: ([], [])}
    clock, attacker = 0.6, 0 if ctx.rng.random() < 0.6 else 1
    while clock < ctx.duration - 0.5:
        for _ in range(int(ctx.rng.integers(1, 4))):
            if clock >= ctx.duration - 0.5:
                break
            starts[attacker][int(ctx.rng.random() < 0.5)].append(clock)
            clock += float(ctx.rng.uniform(0.3, 0.5))
        attacker, clock = 1 - attacker, clock + float(ctx.rng.uniform(0.3, 0.7))
    for me, track, mine, theirs_punches in ((ctx, ours, starts[0], starts[1]), (other, theirs, starts[1], starts[0])):
        throw_punches(me, track, mine[0], mine[1])
        cover = punch_pulses(me.t, theirs_punches[0] + theirs_punches[1])
        track.torso[:, 0] += -0.15 * cover
        track.hands[:, :, 1] += 0.06 * me.body.scale * cover[:, None]
    ctx.params["exchanges"] = len(starts[0][0] + starts[0][1] + starts[1][0] + starts[1][1])
    return StepResult(ours, "stand", partner=theirs, partner_body=other.body)


ACTIONS = {"handshake": handshake, "hug": hug, "high_five": high_five, "fight": fight}
