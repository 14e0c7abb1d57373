"""Crawling on hands and knees: trunk level, knees under the hips with the shins flat on the ground,
hands under the shoulders; diagonal pairs (left hand with right knee, then right hand with left knee)
step forward in turn while the trunk moves steadily. From standing the actor first gets down."""
from __future__ import annotations

import numpy as np

from stickgen.skeleton import rotate_y

from .context import StepContext, StepResult
from .footsteps import Plant, foot_trajectory
from .kinematics import world_to_chest
from .posture import change
from .track import concat

PELVIS_PITCH = 1.35
FOOT_PITCH = 2.2  # toes pointing back, the top of the foot on the ground


def _homes(ctx: StepContext) -> tuple[np.ndarray, np.ndarray, float]:
    """Knee and hand ground points in the body frame (``[2, 3]`` each) and the pelvis height."""
    s, body = ctx.body.scale, ctx.body
    hip_drop, hip_back = 0.08 * s * np.cos(PELVIS_PITCH), 0.08 * s * np.sin(PELVIS_PITCH)
    ahead = 0.30 * s  # knees a little ahead of the hips: thighs slant forward, the pelvis sits low
    knees = np.array([[0.09 * s, 0.05 * s, ahead - hip_back], [-0.09 * s, 0.05 * s, ahead - hip_back]])
    hands = np.array([[0.17 * s, 0.03 * s, 0.50 * s], [-0.17 * s, 0.03 * s, 0.50 * s]])
    return knees, hands, 0.05 * s + hip_drop + np.sqrt(body.thigh ** 2 - ahead ** 2)


def _ankle(ctx: StepContext, knee: np.ndarray, heading: float) -> np.ndarray:
    back = rotate_y(np.array([0.0, 0.0, -1.0]), heading)
    lift = 0.015 * ctx.body.scale
    return knee + back * np.sqrt(ctx.body.shin ** 2 - lift ** 2) + [0.0, lift, 0.0]


def crawling(ctx: StepContext) -> StepResult:
    s, body = ctx.body.scale, ctx.body
    heading = float(ctx.state.heading[0])
    forward = rotate_y(np.array([0.0, 0.0, 1.0]), heading)
    speed = float(ctx.params.get("speed", 0.35))
    period = float(np.clip(0.32 * s / speed, 0.6, 1.6))  # each limb advances about 0.32 m per cycle
    knees, hands, pelvis_y = _homes(ctx)
    get_down = 0 if ctx.first else min(int(1.4 * ctx.fps), ctx.frames // 2)
    frames = ctx.frames - get_down
    t = np.arange(frames) / ctx.fps
    start = ctx.state.root[0] * [1.0, 0.0, 1.0] + forward * 0.35 * s
    ground = start + np.outer(speed * t, forward)

    def place(local, time):
        return start + forward * speed * time + rotate_y(local, heading)

    limbs = {}
    for name, local, offset in (("left_hand", hands[0], 0.0), ("right_knee", knees[1], 0.0),
                                ("right_hand", hands[1], 0.5), ("left_knee", knees[0], 0.5)):
        plants = [Plant(-np.inf, np.inf, place(local, 0.0), heading)]
        for lift in np.arange(offset * period + 0.1, t[-1] + period, period):
            land = lift + 0.35 * period
            spot = place(local, land + 0.3 * period)
            plants[-1].end = lift
            plants.append(Plant(land, np.inf, spot, heading, lift=0.06 * s))
        limbs[name] = foot_trajectory(t, plants, np.zeros(3))
    track = ctx.state.repeat(frames)
    track.root = ground + [0.0, pelvis_y, 0.0]
    track.heading[:] = heading
    track.pelvis_tilt[:] = [PELVIS_PITCH, 0.0]
    track.torso[:] = [0.12, 0.0, 0.0]
    track.head[:] = [-1.0, 0.0]
    knee_points = np.stack([limbs["left_knee"][0], limbs["right_knee"][0]], 1)
    track.feet = np.stack([_ankle(ctx, knee_points[:, f], heading) for f in (0, 1)], 1)
    track.foot_yaw[:] = heading
    track.foot_pitch[:] = FOOT_PITCH
    track.knee_poles[:] = [[0.1, 0.0, 1.0], [-0.1, 0.0, 1.0]]
    planted = np.stack([limbs["left_knee"][3][:, 0], limbs["right_knee"][3][:, 0]], 1)
    track.contacts = np.concatenate([planted, planted], 1)
    wrists = np.stack([limbs["left_hand"][0], limbs["right_hand"][0]], 1)
    track.hands = world_to_chest(track, body, wrists)
    track.elbow_poles[:] = [[0.3, 0.0, -1.0], [-0.3, 0.0, -1.0]]
    if get_down:
        down = change(body, ctx.state, track.frame(0), get_down, 0.3)
        track = concat([down, track])
    ctx.params["period"] = period
    return StepResult(track, "all_fours")
