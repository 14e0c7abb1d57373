"""Posture cycles off the ground: climbing a ladder (hands and feet on rungs, alternating, the body
rising), swimming front crawl (body horizontal at the surface, arms windmilling, legs fluttering,
body roll and a breath every other stroke) and flying like a superhero (horizontal, arms forward,
banking into turns). A step that begins on the ground first blends into the pose over ``ENTER`` s."""
from __future__ import annotations

import numpy as np

from stickgen.skeleton import rotate_y

from .context import StepContext, StepResult
from .footsteps import Plant, foot_trajectory, minimum_jerk
from .kinematics import apply, rotation, world_to_chest
from .track import Track, blend_hands

ENTER = 1.0
RUNG = 0.30  # ladder rung spacing (m)


def enter(ctx: StepContext, track: Track) -> Track:
    """Blend every field (feet included, off the ground) from the previous frame over ``ENTER`` s."""
    if ctx.first:
        return track
    frames = min(len(track), int(ENTER * ctx.fps))
    w = minimum_jerk((np.arange(frames) + 1.0) / frames)
    for name in ("root", "heading", "pelvis_tilt", "torso", "head", "hands", "elbow_poles", "knee_poles",
                 "feet", "foot_yaw", "foot_pitch"):
        ours = getattr(track, name)
        if name == "hands":
            ours[:frames] = blend_hands(np.repeat(ctx.state.hands, frames, 0), ours[:frames], w)
            continue
        shape = (frames,) + (1,) * (ours.ndim - 1)
        ours[:frames] = getattr(ctx.state, name)[0] * (1 - w.reshape(shape)) + ours[:frames] * w.reshape(shape)
    track.contacts[:frames] = False
    return track


def _body_frame(ctx: StepContext, frames: int) -> Track:
    """The state's frame repeated, contacts off: the canvas the cycles paint on."""
    track = ctx.state.repeat(frames)
    track.contacts[:] = False
    return track


def _legs_from_pelvis(ctx: StepContext, track: Track, local: np.ndarray) -> None:
    """Ankle targets ``[T, 2, 3]`` given in the pelvis frame (metres), turned into world targets."""
    rot = rotation(track.heading, track.pelvis_tilt[:, 0], track.pelvis_tilt[:, 1])
    track.feet = track.root[:, None] + apply(rot, local)


def swimming(ctx: StepContext) -> StepResult:
    t, s, body = ctx.t, ctx.body.scale, ctx.body
    rate = (0.45 + 0.3 * ctx.energy) * float(ctx.params.get("tempo", 1.0))
    speed = ctx.params.setdefault("speed", float(0.6 + 0.6 * ctx.energy))
    track = _body_frame(ctx, ctx.frames)
    heading = float(ctx.state.heading[0])
    forward = rotate_y(np.array([0.0, 0.0, 1.0]), heading)
    start = ctx.state.root[0] * [1.0, 0.0, 1.0] + [0.0, 0.9 * s, 0.0]
    track.root = start + np.outer(speed * t, forward)
    phase = 2 * np.pi * rate * t
    track.pelvis_tilt[:, 0] = np.pi / 2 - 0.12
    track.pelvis_tilt[:, 1] = 0.45 * np.sin(phase)
    track.torso[:] = [0.05, 0.0, 0.0]
    breathe = np.maximum(np.sin(phase / 2), 0.0) ** 4
    track.head[:, 0] = -0.6
    track.head[:, 1] = 1.0 * breathe
    hands = np.empty((ctx.frames, 2, 3))
    for side, (sign, offset) in enumerate(((1.0, 0.0), (-1.0, np.pi))):
        arm = phase + offset
        depth = np.where(np.sin(arm) > 0, 0.38, 0.16) * np.sin(arm)
        hands[:, side] = np.stack([sign * (0.2 + 0.05 * np.cos(arm)), 0.42 * np.cos(arm), depth], -1) * s
    track.hands = hands
    track.elbow_poles[:] = [[1.0, 0.0, -1.0], [-1.0, 0.0, -1.0]]
    kick = 0.12 * s * np.sin(3 * phase)
    reach = -(0.08 * s + 0.96 * body.leg)
    _legs_from_pelvis(ctx, track, np.stack([
        np.stack([np.full_like(t, 0.09 * s), np.full_like(t, reach), kick], -1),
        np.stack([np.full_like(t, -0.09 * s), np.full_like(t, reach), -kick], -1)], 1))
    track.foot_yaw[:] = heading
    track.foot_pitch[:] = 2.0
    track.knee_poles[:] = [[0.1, 0.0, 1.0], [-0.1, 0.0, 1.0]]
    return StepResult(enter(ctx, track), "air")


def flying(ctx: StepContext) -> StepResult:
    t, s, body = ctx.t, ctx.body.scale, ctx.body
    speed = ctx.params.setdefault("speed", float(3.0 + 3.0 * ctx.energy))
    altitude = ctx.params.setdefault("altitude", float(1.3 + ctx.rng.uniform(0.0, 1.2)))
    turn = ctx.params.setdefault("turn", float(ctx.rng.uniform(-1.0, 1.0)))
    track = _body_frame(ctx, ctx.frames)
    heading = float(ctx.state.heading[0]) + turn * minimum_jerk(t / max(ctx.duration, 1e-6))
    dt = 1.0 / ctx.fps
    step = np.stack([np.sin(heading), np.zeros_like(t), np.cos(heading)], -1) * speed * dt
    if not ctx.first:  # take off from standing: speed builds up over 1.5 s
        step *= minimum_jerk(t / 1.5)[:, None]
    climb = 1.0 if ctx.first else minimum_jerk(t / 1.5)
    track.root = ctx.state.root[0] * [1.0, 0.0, 1.0] + np.cumsum(step, 0) - step[0]
    track.root[:, 1] = (ctx.state.root[0, 1] + (altitude - ctx.state.root[0, 1]) * climb
                        + 0.08 * np.sin(2 * np.pi * 0.4 * t))
    track.heading = heading
    bank = -np.arctan(speed * np.gradient(heading, dt) / 9.81)
    track.pelvis_tilt[:, 0] = 1.35
    track.pelvis_tilt[:, 1] = bank
    track.torso[:] = [0.0, 0.0, 0.0]
    track.head[:, 0] = -0.9
    one_arm = ctx.params.setdefault("arms", "one" if ctx.rng.random() < 0.5 else "both")
    fist = np.array([-0.10, 0.58, 0.05]) * s
    other = fist * [-1, 1, 1] if one_arm == "both" else np.array([0.24, -0.45, 0.06]) * s
    track.hands[:] = np.stack([other, fist]) if ctx.main == 1 else np.stack([fist * [-1, 1, 1], other * [-1, 1, 1]])
    track.elbow_poles[:] = [[1.0, 0.0, -1.0], [-1.0, 0.0, -1.0]]
    reach = -(0.08 * s + 0.97 * body.leg)
    legs = np.array([[0.07 * s, reach, 0.0], [-0.07 * s, reach * 0.92, -0.1 * s]])
    _legs_from_pelvis(ctx, track, np.repeat(legs[None], ctx.frames, 0))
    track.foot_yaw = np.repeat(heading[:, None], 2, 1)
    track.foot_pitch[:] = 2.0
    return StepResult(enter(ctx, track), "air")


def climbing(ctx: StepContext) -> StepResult:
    """A ladder 0.4 m ahead: right hand, left foot, left hand, right foot each move up two rungs in turn."""
    t, s, body = ctx.t, ctx.body.scale, ctx.body
    speed = ctx.params.setdefault("speed", float(0.2 + 0.2 * ctx.energy))
    period = 2 * RUNG / speed
    heading = float(ctx.state.heading[0])
    forward, left = rotate_y(np.array([0.0, 0.0, 1.0]), heading), rotate_y(np.array([1.0, 0.0, 0.0]), heading)
    ground = ctx.state.root[0] * [1.0, 0.0, 1.0]
    ladder = ground + forward * 0.40 * s
    shoulder = body.rest[16, 1]
    limbs = {}  # name -> plants of world points
    for name, side, offset, height in (("right_hand", -1, 0.0, shoulder + 0.15), ("left_foot", 1, 0.25, 0.0),
                                       ("left_hand", 1, 0.5, shoulder + 0.15 - RUNG), ("right_foot", -1, 0.75, -RUNG)):
        hand = name.endswith("hand")
        rung = np.ceil(height / RUNG) * RUNG
        if hand:
            point = ladder + left * side * 0.18 * s + [0.0, rung, 0.0]
        else:
            point = ctx.state.feet[0, 0 if side > 0 else 1].copy()
        plants = [Plant(-np.inf, np.inf, point, heading)]
        for k, lift in enumerate(np.arange(offset * period + 0.2, ctx.duration, period)):
            rung = rung + 2 * RUNG if (hand or k > 0 or height < 0) else RUNG
            if not hand and k == 0:
                rung = RUNG if height == 0.0 else 2 * RUNG
            spot = ladder + left * side * 0.12 * s + [0.0, rung, 0.0] - forward * 0.07 * s
            if not hand:
                spot = spot + [0.0, body.ankle_height, 0.0] - forward * 0.05 * s
            plants[-1].end = lift
            plants.append(Plant(lift + 0.3 * period, np.inf, spot, heading, lift=0.05))
        limbs[name] = foot_trajectory(t, plants, np.zeros(3))
    track = _body_frame(ctx, ctx.frames)
    track.feet = np.stack([limbs["left_foot"][0], limbs["right_foot"][0]], 1)
    on_ground = np.stack([limbs["left_foot"][0][:, 1], limbs["right_foot"][0][:, 1]], 1) < body.ankle_height + 0.01
    planted = np.stack([limbs["left_foot"][3][:, 0], limbs["right_foot"][3][:, 0]], 1) & on_ground
    track.contacts = np.concatenate([planted, planted], 1)
    window = ctx.fps  # the body rises smoothly: a one-second average of the feet's height
    feet_y = np.convolve(np.pad(track.feet[:, :, 1].mean(1), (window // 2, window - 1 - window // 2), mode="edge"),
                         np.ones(window) / window, "valid")
    track.root = np.repeat((ground + forward * 0.02 * s)[None], ctx.frames, 0)
    track.root[:, 1] = feet_y - body.ankle_height + body.pelvis_height - 0.10 * s
    track.heading[:] = heading
    track.foot_yaw[:] = heading
    track.foot_pitch = np.where(on_ground, 0.0, 0.1)
    track.torso[:] = [0.12, 0.0, 0.0]
    track.head[:, 0] = -0.25
    track.pelvis_tilt[:] = 0.0
    hands_world = np.stack([limbs["left_hand"][0], limbs["right_hand"][0]], 1)
    track.hands = world_to_chest(track, body, hands_world)
    track.elbow_poles[:] = [[1.0, -1.0, -0.5], [-1.0, -1.0, -0.5]]
    track.knee_poles[:] = [[0.3, 0.0, 1.0], [-0.3, 0.0, 1.0]]
    return StepResult(track, "air")


ACTIONS = {"swimming": swimming, "flying": flying, "climbing": climbing}
