"""Jumps with a ballistic pelvis: crouch, push-off onto the toes, flight under g = 9.81 m/s^2 with the
legs tucked, toe-first landing and an absorbing knee bend, then recovery. Also ``celebrate`` (hops with
fists raised) and ``shooting`` (a jump shot, the ball released at the top)."""
from __future__ import annotations

import numpy as np

from .context import StepContext, StepResult, side_hands
from .footsteps import minimum_jerk, rotated_foot, smoothstep
from .idle import hold
from .track import Track, concat

G = 9.81
TOE_OFF = 0.6  # foot pitch (rad) on the toes at take-off and touch-down


def _heel_rise(body) -> float:
    """How far the ankle rises when the foot pitches onto its toes by ``TOE_OFF``."""
    flat = rotated_foot(np.zeros(1), np.zeros(1), body.foot_vectors[0])
    tip = rotated_foot(np.zeros(1), np.full(1, TOE_OFF), body.foot_vectors[0])
    return float((flat - tip)[0, 1])


def hop(ctx: StepContext, state: Track, height: float, distance: float, crouch: float, tempo: float) -> Track:
    """One two-footed jump from the standing 1-frame ``state``: ``height`` m of pelvis rise after take-off,
    ``distance`` m forward, ``crouch`` m of knee bend before it. Returns the frames of the whole hop."""
    body, fps, s = ctx.body, ctx.fps, ctx.body.scale
    heading = float(state.heading[0])
    forward = np.array([np.sin(heading), 0.0, np.cos(heading)])
    y_stand = float(state.root[0, 1])
    rise = _heel_rise(body)
    y_takeoff = y_stand + 0.85 * rise - 0.01
    v0 = np.sqrt(2 * G * height)
    t_crouch = 0.35 / tempo
    t_push = 2 * (y_takeoff - (y_stand - crouch)) / v0
    t_flight = 2 * v0 / G
    landing_dip = crouch * 0.8 + 0.05 * s
    t_absorb = 2 * (y_takeoff - (y_stand - landing_dip)) / v0
    t_recover = 0.4 / tempo
    edges = np.cumsum([0.0, t_crouch, t_push, t_flight, t_absorb, t_recover])
    t = np.arange(int(np.ceil(edges[-1] * fps)) + 1) / fps
    phase = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, 4)
    tau = t - edges[phase]
    vx = distance / (t_push / 2 + t_flight + t_absorb / 2)
    y = np.select([phase == 0, phase == 1, phase == 2, phase == 3], [
        y_stand - crouch * minimum_jerk(tau / t_crouch),
        y_stand - crouch + 0.5 * (v0 / t_push) * tau ** 2,
        y_takeoff + v0 * tau - 0.5 * G * tau ** 2,
        y_takeoff - v0 * tau + 0.5 * (v0 / t_absorb) * tau ** 2],
        y_stand - landing_dip * (1 - minimum_jerk(tau / t_recover)))
    x = np.select([phase == 0, phase == 1, phase == 2, phase == 3], [
        np.zeros_like(t), 0.5 * (vx / t_push) * tau ** 2, vx * (t_push / 2 + tau),
        vx * (t_push / 2 + t_flight + tau) - 0.5 * (vx / t_absorb) * tau ** 2], np.full_like(t, distance))
    out = state.repeat(len(t))
    out.root = state.root[0] + forward * x[:, None]
    out.root[:, 1] = y
    # feet: heels up through the push, tucked in flight, toes first on landing, heels down
    toe_pitch = np.select([phase == 1, phase == 2, phase == 3], [
        TOE_OFF * smoothstep(tau / (0.7 * t_push)), np.full_like(t, TOE_OFF),
        TOE_OFF * (1 - smoothstep(tau / max(0.6 * t_absorb, 1e-3)))], 0.0)
    flight_u = np.where(phase == 2, tau / t_flight, 0.0)
    travel = np.where(phase >= 3, distance, np.where(phase == 2, distance * minimum_jerk(flight_u), 0.0))
    for foot in (0, 1):
        toe = state.feet[0, foot] + rotated_foot(state.foot_yaw[:1, foot], np.zeros(1), body.foot_vectors[foot])[0]
        toes = toe + forward * travel[:, None]
        ankle = toes - rotated_foot(np.full(len(t), state.foot_yaw[0, foot]), toe_pitch, body.foot_vectors[foot])
        ankle[:, 1] += np.where(phase == 2, (y - y_takeoff) + 0.25 * height * np.sin(np.pi * flight_u), 0.0)
        out.feet[:, foot] = ankle
    out.foot_pitch[:] = toe_pitch[:, None]
    airborne = phase == 2
    out.contacts = np.stack([~airborne & (toe_pitch <= 1e-6)] * 2 + [~airborne] * 2, axis=1)
    # body: lean into the crouch, arms back then forward and up
    bend = np.clip((y_stand - y) / max(crouch, 0.05), 0.0, 1.2)
    out.torso[:, 0] = 0.45 * bend
    out.pelvis_tilt[:, 0] = 0.25 * bend
    out.head[:, 0] = -0.3 * bend
    lowering = 1.2 * (1 - smoothstep((t - edges[3]) / (t_absorb + t_recover)))
    swing = np.select([phase == 0, phase == 1, phase == 2], [-smoothstep(tau / t_crouch),
                      -1 + 2.2 * smoothstep(tau / t_push), np.full_like(t, 1.2)], lowering)
    for side, sign in ((0, 1.0), (1, -1.0)):
        out.hands[:, side] = np.stack([np.full_like(t, sign * 0.2 * s), (-0.45 + 0.25 * np.maximum(swing, 0)) * s,
                                       0.04 * s + 0.3 * s * swing], -1)
    return out


def _hops(ctx: StepContext, height: float, distance: float, crouch: float, count: int,
          tempo: float) -> tuple[Track, int]:
    """As many of ``count`` hops as fit in the step, then the rest held; returns (track, hops made)."""
    parts, used, state, made = [], 0, ctx.state, 0
    while height > 0.05 and len(hop(ctx, state, height, distance, crouch, tempo)) > ctx.frames:
        height, distance, crouch = 0.8 * height, 0.8 * distance, 0.8 * crouch  # a short step: a smaller jump
    ctx.params["jump_height"], ctx.params["distance"] = height, distance
    for _ in range(count):
        part = hop(ctx, state, height, distance, crouch, tempo)
        if used + len(part) > ctx.frames:  # never end a step in the air
            break
        parts.append(part)
        used += len(part)
        state, made = part.frame(len(part) - 1), made + 1
    if used < ctx.frames:
        parts.append(hold(StepContext(ctx.body, state, "stand", ctx.frames - used, ctx.fps, ctx.params, ctx.rng)))
    return concat(parts), made


def jump(ctx: StepContext) -> StepResult:
    height = float(ctx.params.get("jump_height", 0.3))
    track, made = _hops(ctx, height, float(ctx.params.get("distance", 0.0)), 0.1 + 0.4 * height,
                        int(ctx.params.get("count", 1)), float(ctx.params.get("tempo", 1.0)))
    ctx.params["count"] = made
    return StepResult(track, "stand")


def celebrate(ctx: StepContext) -> StepResult:
    """Small hops with both fists pumping overhead."""
    track, made = _hops(ctx, float(ctx.params.get("jump_height", 0.15)), 0.0, 0.12 * ctx.body.scale,
                        int(ctx.params.get("count", 2)), 1.2 * float(ctx.params.get("tempo", 1.0)))
    ctx.params["count"] = made
    s, t = ctx.body.scale, ctx.t
    pump = 0.08 * s * np.sin(2 * np.pi * 2.0 * float(ctx.params.get("tempo", 1.0)) * t)
    fist = np.stack([np.full_like(t, -0.22 * s), 0.42 * s + pump, 0.08 * s + 0.3 * pump], -1)
    track.hands = side_hands(1, fist, fist * np.array([-1.0, 1.0, 1.0]))
    track.elbow_poles[:] = [[1.0, -0.2, 0.0], [-1.0, -0.2, 0.0]]
    return StepResult(track, "stand")


def shooting(ctx: StepContext) -> StepResult:
    """A jump shot: ball held at the chest, raised overhead through the jump, released at the top."""
    height = float(ctx.params.get("jump_height", 0.2))
    track, made = _hops(ctx, height, 0.0, 0.1 + 0.3 * height, int(ctx.params.get("count", 1)),
                        float(ctx.params.get("tempo", 1.0)))
    ctx.params["count"] = made
    s = ctx.body.scale
    rise = np.clip((track.root[:, 1] - track.root[0, 1]) / max(height, 0.05) + 0.5, 0.0, 1.0)
    release = smoothstep((rise - 0.7) / 0.3)
    main = np.stack([-0.08 * s + 0 * rise, (-0.15 + 0.6 * rise) * s, (0.30 + 0.15 * release) * s], -1)
    guide = np.stack([0.12 * s + 0 * rise, (-0.15 + 0.55 * rise) * s, 0.28 * s + 0 * rise], -1)
    track.hands = side_hands(ctx.main, main, guide)
    track.elbow_poles[:] = [[0.3, -1.0, 0.0], [-0.3, -1.0, 0.0]]
    track.head[:, 0] = -0.2
    return StepResult(track, "stand")
