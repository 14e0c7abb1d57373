"""Ball sports: batting, pitching and throwing (one overhand throw, with or without the pitcher's knee
lift), catching, fielding a ground ball and kicking a ball. Each motion is key-framed in the actor's
frame; steps are real foot plants, so the standing foot never slides."""
from __future__ import annotations

import numpy as np

from stickgen.skeleton import rotate_y

from .context import StepContext, StepResult, keyed, repeated, side_hands
from .footsteps import apply_steps, smoothstep
from .idle import hold
from .kinematics import world_to_chest
from .track import blend_hands


def _local(ctx: StepContext, delta) -> np.ndarray:
    return rotate_y(np.asarray(delta, dtype=np.float64) * ctx.body.scale, float(ctx.state.heading[0]))


def _sign(ctx: StepContext) -> float:
    """+1 for a right-handed action (lead side is the left, +x), -1 for a left-handed one."""
    return 1.0 if ctx.main == 1 else -1.0


def _stance_width(ctx: StepContext) -> float:
    """Ground distance between the state's ankles (m)."""
    return float(np.linalg.norm((ctx.state.feet[0, 0] - ctx.state.feet[0, 1])[[0, 2]]))


def _hands(ctx: StepContext, track, main: np.ndarray, other: np.ndarray, ease: float = 0.3) -> None:
    track.hands = blend_hands(track.hands, side_hands(ctx.main, main, other) * ctx.body.scale, smoothstep(ctx.t / ease))


def overhand(ctx: StepContext, stride: float, knee_lift: bool) -> StepResult:
    """Wind up, stride toward the target with the lead foot, whip the arm over and follow through."""
    track = hold(ctx, sway=0.0)
    t, s, sign = ctx.t, ctx.body.scale, _sign(ctx)
    k = 1.0 / float(ctx.params.get("tempo", 1.0))
    lead, rear = 1 - ctx.main, ctx.main
    # timeline (s): set, lift, land, release, follow-through, rear foot comes up
    set_, lift, land, release = 0.3 * k, 0.55 * k, 1.05 * k, 1.2 * k
    follow = release + 0.35 * k
    moves = [(lead, lift, land, _local(ctx, [0.05 * sign, 0.0, stride]), 0.35 if knee_lift else 0.08)]
    if follow + 0.4 * k < ctx.duration:
        moves.append((rear, follow, follow + 0.4 * k, _local(ctx, [-0.05 * sign, 0.0, stride + 0.05]), 0.1))
    apply_steps(track, ctx.body, t, moves)
    shift = keyed(t, [lift, land, follow, follow + 0.4 * k], [0.0, 0.6, 0.75, 1.0 if len(moves) > 1 else 0.75])
    track.root += np.outer(shift * stride, _local(ctx, [0.0, 0.0, 1.0]))
    track.root[:, 1] -= 0.05 * s * keyed(t, [lift, land, follow, follow + 0.5 * k], [0.0, 1.0, 1.0, 0.0])
    main = keyed(t, [0, set_, lift, land, release, follow],
                 [[-0.21, -0.5, 0.04], [-0.05, -0.1, 0.25], [-0.05, -0.08, 0.22],
                  [-0.40, 0.20, -0.30], [-0.15, 0.20, 0.45], [0.15, -0.40, 0.30]])
    other = keyed(t, [0, set_, lift, land, release, follow],
                  [[0.21, -0.5, 0.04], [0.05, -0.1, 0.25], [0.05, -0.08, 0.22],
                   [0.25, 0.05, 0.35], [0.20, -0.30, 0.05], [0.20, -0.40, 0.0]])
    _hands(ctx, track, main, other)
    track.elbow_poles[:] = side_hands(ctx.main, np.array([[-1.0, -0.3, -0.2]]), np.array([[1.0, -0.5, 0.0]]))
    turn = keyed(t, [lift, land, release, follow], [0.0, -0.45, 0.35, 0.5])
    track.torso[:, 2] += sign * turn
    track.torso[:, 0] += keyed(t, [land, release, follow], [0.0, 0.45, 0.35])
    return StepResult(track, "stand")


def pitching(ctx: StepContext) -> StepResult:
    return overhand(ctx, stride=0.70, knee_lift=True)


def throwing(ctx: StepContext) -> StepResult:
    return overhand(ctx, stride=0.40, knee_lift=False)


def batting(ctx: StepContext) -> StepResult:
    """From a side-on stance: load, stride with the lead foot, swing the hands through the zone, follow through."""
    track = hold(ctx, sway=0.0)
    t, s, sign = ctx.t, ctx.body.scale, _sign(ctx)
    k = 1.0 / float(ctx.params.get("tempo", 1.0))
    lead = 1 - ctx.main
    load, stride, swing, finish = 0.5 * k, 0.8 * k, 1.0 * k, 1.35 * k
    if _stance_width(ctx) < 0.3 * ctx.body.scale:  # the first swing strides out; later ones keep the stance
        apply_steps(track, ctx.body, t, [(lead, load, stride, _local(ctx, [0.25 * sign, 0.0, 0.02]), 0.07)])
    track.root += np.outer(keyed(t, [load, stride, finish], [0.0, 0.08, 0.1]) * sign, _local(ctx, [1.0, 0.0, 0.0]))
    track.root[:, 1] -= 0.06 * s * smoothstep(t / 0.4)
    grip = keyed(t, [0, 0.35 * k, load, stride, swing, finish],
                 [[-0.21, -0.5, 0.04], [-0.18, 0.02, 0.08], [-0.26, 0.08, -0.02], [-0.22, 0.05, 0.0],
                  [0.05, -0.18, 0.45], [0.28, 0.10, 0.02]])
    _hands(ctx, track, grip, grip + [0.0, -0.07, 0.0])
    track.elbow_poles[:] = [[0.2, -1.0, 0.0], [-0.2, -1.0, 0.0]]
    track.torso[:, 2] += sign * keyed(t, [load, stride, swing, finish], [-0.3, -0.35, 0.5, 0.9])
    track.heading += sign * keyed(t, [stride, swing, finish], [0.0, 0.4, 0.6])
    track.torso[:, 0] += 0.2 * smoothstep(t / 0.4)
    track.head[:, 1] += sign * 0.6 * smoothstep(t / 0.4) - sign * keyed(t, [stride, finish], [0.0, 0.9])
    return StepResult(track, "stand")


def catching(ctx: StepContext) -> StepResult:
    """Hands up ready, reach together to meet the ball (high, chest or low), pull it in to the chest."""
    track = hold(ctx, sway=0.0)
    t = ctx.t
    height = ctx.params.setdefault("catch_height", ["high", "chest", "low"][int(ctx.rng.integers(3))])
    y = {"high": 0.35, "chest": -0.05, "low": -0.45}[height]
    catch_at = min(0.9, 0.5 * ctx.duration)
    main = keyed(t, [0, 0.4, catch_at, catch_at + 0.15, catch_at + 0.5],
                 [[-0.21, -0.5, 0.04], [-0.12, -0.1, 0.30], [-0.05, y, 0.50], [-0.05, y, 0.42], [-0.06, -0.15, 0.22]])
    _hands(ctx, track, main, main * np.array([-1.0, 1.0, 1.0]))
    track.elbow_poles[:] = [[0.6, -1.0, 0.0], [-0.6, -1.0, 0.0]]
    track.torso[:, 0] += keyed(t, [0.4, catch_at, catch_at + 0.5], [0.05, 0.15 + 0.2 * (y < 0), 0.05])
    track.root[:, 1] -= ctx.body.scale * keyed(t, [0.4, catch_at, catch_at + 0.5], [0.0, 0.08 * (y < 0), 0.02])
    return StepResult(track, "stand")


def fielding(ctx: StepContext) -> StepResult:
    """Feet wide, crouch low with both hands on the ground ahead, scoop the ball up to the chest, rise."""
    track = hold(ctx, sway=0.0)
    t, s = ctx.t, ctx.body.scale
    if _stance_width(ctx) < 0.3 * s:  # not yet wide
        apply_steps(track, ctx.body, t, [(0, 0.05, 0.3, _local(ctx, [0.12, 0.0, 0.0]), 0.05),
                                         (1, 0.3, 0.55, _local(ctx, [-0.12, 0.0, 0.0]), 0.05)])
    down, scoop = 0.8, max(1.2, ctx.duration - 0.9)
    depth = keyed(t, [0.2, down, scoop, scoop + 0.6], [0.0, 1.0, 1.0, 0.0])
    track.root[:, 1] -= 0.42 * s * depth
    track.root -= np.outer(depth, _local(ctx, [0.0, 0.0, 0.12]))
    track.pelvis_tilt[:, 0] += 0.6 * depth
    track.torso[:, 0] += 0.45 * depth
    track.head[:, 0] -= 0.6 * depth
    track.knee_poles[:] = [[0.5, 0.0, 1.0], [-0.5, 0.0, 1.0]]
    ground = ctx.state.root[0] * [1.0, 0.0, 1.0] + _local(ctx, [0.0, 0.06, 0.50])
    glove = world_to_chest(track, ctx.body, np.repeat(ground[None], ctx.frames, 0)) / s
    reach = keyed(t, [0.2, down, scoop, scoop + 0.5], [0.0, 1.0, 1.0, 0.0])[:, None]
    chest = np.array([-0.05, -0.15, 0.22])
    main = chest + (glove + [-0.06, 0.0, 0.0] - chest) * reach
    other = chest * [-1, 1, 1] + (glove + [0.06, 0.0, 0.0] - chest * [-1, 1, 1]) * reach
    if ctx.main == 0:  # side_hands mirrors for a left hand; the glove target is already in world terms
        main, other = main * [-1, 1, 1], other * [-1, 1, 1]
    _hands(ctx, track, main, other)
    track.elbow_poles[:] = [[0.6, -0.5, -0.5], [-0.6, -0.5, -0.5]]
    return StepResult(track, "stand")


def kicking(ctx: StepContext) -> StepResult:
    """Plant the support foot beside the ball, swing the kicking leg back and through it, follow through."""
    track = hold(ctx, sway=0.0)
    t, s, sign = ctx.t, ctx.body.scale, _sign(ctx)
    k = 1.0 / float(ctx.params.get("tempo", 1.0))
    support, kicker = 1 - ctx.main, ctx.main
    plant, back, strike, follow, down = 0.45 * k, 0.7 * k, 0.9 * k, 1.1 * k, 1.4 * k
    apply_steps(track, ctx.body, t, [(support, 0.15 * k, plant, _local(ctx, [0.02 * sign, 0.0, 0.35]), 0.06),
                                     (kicker, down - 0.05, down, _local(ctx, [0.02 * sign, 0.0, 0.40]), 0.02)])
    start = track.feet[0, kicker]
    keys = [plant - 0.15 * k, back, strike, follow, down - 0.05]
    offsets = [[0, 0, 0], [0, 0.35, -0.25], [0.02 * sign, 0.02, 0.55], [0.02 * sign, 0.45, 0.85],
               [0.02 * sign, 0.05, 0.40]]
    path = keyed(t, keys, offsets)
    swing = (t > keys[0]) & (t < keys[-1])
    heading = float(ctx.state.heading[0])
    world = rotate_y(path * s, heading)
    track.feet[swing, kicker] = start + world[swing]
    track.foot_pitch[swing, kicker] = keyed(t, keys, [0.0, 0.6, 0.5, -0.2, 0.0])[swing]
    track.contacts[swing][:, [kicker, kicker + 2]] = False
    near = swing.copy()
    near[1:] |= swing[:-1]
    near[:-1] |= swing[1:]
    track.contacts[near, kicker] = False
    track.contacts[near, kicker + 2] = False
    advance = keyed(t, [0.15 * k, plant, down, down + 0.4 * k], [0.0, 0.3, 0.35, 0.4])
    track.root += np.outer(advance, _local(ctx, [0.0, 0.0, 1.0]))
    track.torso[:, 0] += keyed(t, [plant, strike, follow, down], [0.15, 0.0, -0.2, 0.0])
    track.head[:, 0] += 0.35 * keyed(t, [0.1, plant, follow, down], [0.0, 1.0, 0.5, 0.0])
    arm_out = keyed(t, [0.1, plant, follow, down + 0.3], [0.0, 1.0, 1.0, 0.0])[:, None]
    _hands(ctx, track, np.array([-0.21, -0.5, 0.04]) + arm_out * [-0.15, 0.15, -0.1],
           np.array([0.21, -0.5, 0.04]) + arm_out * [0.2, 0.25, 0.1])
    return StepResult(track, "stand")


ACTIONS = {"pitching": repeated(pitching, 2.4), "throwing": repeated(throwing, 2.2), "batting": repeated(batting, 2.2),
           "catching": repeated(catching, 1.9), "fielding": repeated(fielding, 2.8), "kicking": repeated(kicking, 2.0)}
