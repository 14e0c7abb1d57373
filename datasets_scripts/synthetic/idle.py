"""Holding the current posture alive: breathing, weight shifts and small head movements.

``hold`` is the base every upper-body action draws on (so "sits and reads" keeps sitting);
``idle`` is the action of the same name.
"""
from __future__ import annotations

import numpy as np

from .context import StepContext, StepResult, smooth_noise
from .footsteps import rotated_foot, smoothstep
from .track import Track
from .turn import time_needed, turn_in_place, turn_length


def hold(ctx: StepContext, sway: float = 1.0) -> Track:
    """The state's frame held for the step, breathing (0.25 Hz) and drifting a little. Feet stay planted."""
    track = ctx.state.repeat(ctx.frames)
    t, s = ctx.t, ctx.body.scale
    breath = np.sin(2 * np.pi * 0.25 * t + ctx.rng.uniform(0, 2 * np.pi))
    track.root[:, 1] += 0.004 * s * breath
    track.torso[:, 0] += 0.012 * breath
    track.head += 0.05 * smooth_noise(ctx.rng, t, 0.3, (2,))
    if ctx.posture == "stand":
        settle_feet(ctx, track)
        shift = sway * 0.025 * s * smooth_noise(ctx.rng, t, 0.15)
        left = np.stack([np.cos(track.heading), np.zeros(len(t)), -np.sin(track.heading)], -1)
        forward = np.array([np.sin(ctx.state.heading[0]), 0.0, np.cos(ctx.state.heading[0])])
        ground = track.feet[0].mean(axis=0) + forward * 0.03 * s  # the ankles sit a little behind the pelvis
        track.root[:, [0, 2]] = ground[[0, 2]] + (left * shift[:, None])[:, [0, 2]] + \
            (ctx.state.root[0] - ground)[[0, 2]] * np.exp(-3.0 * t)[:, None]
        track.pelvis_tilt[:, 1] += -0.6 * shift / s
    return track


def settle_feet(ctx: StepContext, track: Track) -> None:
    """Put both feet flat within 0.15 s: a heel still up comes down about the planted toe, a toe still
    up comes down about the planted heel; each joint counts as in contact from when it is still."""
    flat = 1.0 - smoothstep(ctx.t / 0.15)
    settled = flat <= 0.0
    for foot in (0, 1):
        pitch0 = float(ctx.state.foot_pitch[0, foot])
        pitch = pitch0 * flat
        yaw = track.foot_yaw[:, foot]
        if pitch0 > 0.0:  # on the toes: keep the toe where it is
            toe = ctx.state.feet[0, foot] + rotated_foot(yaw[:1], np.array([pitch0]), ctx.body.foot_vectors[foot])[0]
            track.feet[:, foot] = toe - rotated_foot(yaw, pitch, ctx.body.foot_vectors[foot])
        track.foot_pitch[:, foot] = pitch
        track.contacts[:, foot] = settled | (pitch0 <= 0.0)
        track.contacts[:, foot + 2] = settled | (pitch0 >= 0.0)


def idle(ctx: StepContext) -> StepResult:
    """Stand (or sit, lie...) still; standing, params "turn" (rad, + = left) first turns on the spot.
    A turn that does not fit the step is cut to what fits (the params record what was done)."""
    track = hold(ctx, sway=0.0 if ctx.params.get("turn") else 1.0)
    angle = float(ctx.params.get("turn", 0.0)) if ctx.posture == "stand" else 0.0
    if angle:
        while abs(angle) > np.pi / 8 and time_needed(angle) > ctx.duration - 0.2:
            angle *= 0.9
        angle = angle if abs(angle) > np.pi / 8 else 0.0
        if angle:
            turn_in_place(ctx, track, angle, turn_length(angle))
    ctx.params["turn"] = angle
    track.hands += 0.015 * ctx.body.scale * smooth_noise(ctx.rng, ctx.t, 0.2, (2, 3))
    return StepResult(track, ctx.posture)
