"""Posture changes that reach the ground: sit (chair or ground), stand up, kneel, lie down, crouch.

Each posture is a key pose around an anchor on the ground (the midpoint of the ankles, or for a kneel
the front foot). A change interpolates from the current frame to the key pose with minimum-jerk
timing and a forward lean on the way down or up; feet that stay keep their exact spot, a foot that
moves (the kneeling leg) steps on an arc and is out of contact while it travels. Lying down and
getting up pass through sitting on the ground.
"""
from __future__ import annotations

import numpy as np

from stickgen.skeleton import rotate_y

from .body import Body
from .context import StepContext, StepResult
from .footsteps import minimum_jerk
from .idle import hold
from .track import Track, concat

#: (pelvis local (x, y, z) at 1.75 m with y None = computed, pelvis pitch, torso pitch, hands local)
KEYS = {
    "stand": ((0.0, None, 0.03), 0.0, 0.0, ((0.21, -0.50, 0.04), (-0.21, -0.50, 0.04))),
    "crouch": ((0.0, 0.50, -0.10), 0.50, 0.30, ((0.15, -0.40, 0.32), (-0.15, -0.40, 0.32))),
    "sit_chair": ((0.0, None, -0.40), 0.05, 0.0, ((0.15, -0.36, 0.28), (-0.15, -0.36, 0.28))),
    "sit_ground": ((0.0, 0.12, -0.50), -0.35, 0.42, ((0.15, -0.30, 0.38), (-0.15, -0.30, 0.38))),
    "lie": ((0.0, 0.10, None), -np.pi / 2 + 0.05, 0.0, ((0.22, -0.48, 0.02), (-0.22, -0.48, 0.02))),
}
#: forward lean (rad) added mid-way through a change into / out of each posture
LEAN = {"stand": 0.0, "crouch": 0.2, "sit_chair": 0.45, "sit_ground": 0.5, "kneel": 0.25, "lie": 0.2, "all_fours": 0.0,
        "air": 0.0}
#: seconds each change takes at tempo 1
CHANGE_TIME = {"crouch": 0.8, "sit_chair": 1.3, "sit_ground": 1.6, "kneel": 1.3, "lie": 1.2, "stand": 1.4}
SEAT_HEIGHT = 0.45
#: params "from" of "stand" -> the posture it rises from
START_POSTURES = {"ground": "sit_ground", "chair": "sit_chair", "crouch": "crouch", "kneel": "kneel"}


def _anchor(state: Track, posture: str, kneel_side: int, scale: float) -> np.ndarray:
    """Ground point ``[3]`` the key poses hang from: the ankle midpoint, or for a kneel the front foot."""
    if posture == "kneel":
        front = 1 - kneel_side
        lateral = np.array([0.10 if front == 0 else -0.10, 0.0, 0.0]) * scale
        point = state.feet[0, front] - rotate_y(lateral, float(state.heading[0]))
    else:
        point = state.feet[0].mean(axis=0)
    return point * np.array([1.0, 0.0, 1.0])


def key_pose(body: Body, state: Track, posture: str, params: dict, kneel_side: int = 1) -> Track:
    """The 1-frame key pose of ``posture`` around the state's anchor and heading; feet stay put except
    the kneeling leg (and the back leg of a kneel coming up to stand)."""
    s, heading = body.scale, float(state.heading[0])
    anchor = _anchor(state, posture, kneel_side, s)
    out = state.copy()
    out.head[:] = 0.0
    out.torso[:] = 0.0
    out.pelvis_tilt[:] = 0.0
    out.foot_pitch[:] = 0.0
    out.contacts[:] = True
    out.elbow_poles[0] = [[0.3, 0.0, -1.0], [-0.3, 0.0, -1.0]]
    out.knee_poles[0] = [[0.1, 0.0, 1.0], [-0.1, 0.0, 1.0]]
    if posture == "kneel":
        return _kneel_pose(body, out, anchor, heading, kneel_side)
    (x, y, z), pitch, torso, hands = KEYS[posture]
    if posture == "stand":
        y = body.pelvis_height / s - 0.005
    elif posture == "sit_chair":
        y = params.get("seat_height", SEAT_HEIGHT) / s + 0.09
    out.root[0] = anchor + rotate_y(np.array([x, y, z if z is not None else -(0.08 + 0.92 * body.leg / s)]) * s,
                                    heading)
    out.feet[0, :, 1] = body.ankle_height
    if posture == "lie":  # legs straight out from the hips, heels on the ground, toes up
        for foot, side in ((0, 1.0), (1, -1.0)):
            out.feet[0, foot] = out.root[0] + rotate_y(np.array([0.10 * side * s, 0.0, 0.08 * s + 0.92 * body.leg]),
                                                       heading)
            out.feet[0, foot, 1] = body.ankle_height
        out.foot_yaw[0] = heading
        out.foot_pitch[:] = -1.1
        out.contacts[0] = [True, True, False, False]
    out.pelvis_tilt[0, 0], out.torso[0, 0] = pitch, torso
    out.hands[0] = np.array(hands) * s
    raised = state.feet[0, :, 1] > body.ankle_height + 0.01
    if posture == "stand" and raised.any():  # the back foot of a kneel steps up beside the front one
        back = int(np.argmax(state.feet[0, :, 1]))
        anchor = _anchor(state, "kneel", back, s)
        lateral = np.array([0.10 if back == 0 else -0.10, 0.0, 0.0]) * s
        out.feet[0, back] = anchor + rotate_y(lateral, heading) + np.array([0.0, body.ankle_height, 0.0])
        out.root[0] = anchor + rotate_y(np.array([x, y, z]) * s, heading)
    return out


def _kneel_pose(body: Body, out: Track, anchor: np.ndarray, heading: float, knee: int) -> Track:
    """One knee on the ground under the hip, its foot behind on the toes; the front shin upright."""
    s = body.scale
    back_x = 0.09 * s if knee == 0 else -0.09 * s
    hip_z = -0.92 * body.thigh
    knee_point = np.array([back_x, 0.05 * s, hip_z - 0.04 * s])
    hip_y = knee_point[1] + np.sqrt(body.thigh ** 2 - (0.04 * s) ** 2)
    ankle_y = 0.1325 * s
    reach = np.sqrt(body.shin ** 2 - (ankle_y - knee_point[1]) ** 2)
    back_ankle = knee_point + np.array([0.0, ankle_y - knee_point[1], -reach])
    out.root[0] = anchor + rotate_y(np.array([0.0, hip_y + 0.08 * s, hip_z]), heading)
    out.feet[0, knee] = anchor + rotate_y(back_ankle, heading)
    out.foot_yaw[0] = heading
    out.foot_pitch[0, knee] = 0.5
    out.contacts[0, knee] = False  # the ankle is up; the toe (column knee + 2) stays down
    out.torso[0, 0] = 0.1
    out.hands[0] = np.array([[0.16, -0.42, 0.20], [-0.16, -0.42, 0.20]]) * s
    return out


def change(body: Body, start: Track, end: Track, frames: int, lean: float) -> Track:
    """``frames`` frames from the 1-frame ``start`` to the 1-frame ``end`` (minimum jerk, lean bump)."""
    u = (np.arange(frames) + 1.0) / frames
    w = minimum_jerk(u)
    out = start.repeat(frames)
    for name in ("root", "heading", "pelvis_tilt", "torso", "head", "hands", "elbow_poles", "knee_poles", "foot_yaw"):
        a, b = getattr(start, name)[0], getattr(end, name)[0]
        getattr(out, name)[:] = a + (b - a) * w.reshape((-1,) + (1,) * np.ndim(a))
    bump = np.sin(np.pi * u)
    out.torso[:, 0] += lean * bump
    out.hands[:, :, 2] += 0.15 * body.scale * lean * bump[:, None]
    planted = np.repeat(start.contacts, frames, 0)
    for foot in (0, 1):
        a, b = start.feet[0, foot], end.feet[0, foot]
        pitch_a, pitch_b = start.foot_pitch[0, foot], end.foot_pitch[0, foot]
        if np.linalg.norm(a - b) < 1e-3 and abs(pitch_a - pitch_b) < 1e-3:
            continue
        v = np.clip((u - 0.1) / 0.5, 0.0, 1.0)  # the foot travels during the first part of the change
        wv = minimum_jerk(v)
        out.feet[:, foot] = a + (b - a) * wv[:, None]
        out.feet[:, foot, 1] += min(0.08, np.linalg.norm(a - b)) * np.sin(np.pi * v) ** 2
        out.foot_pitch[:, foot] = pitch_a + (pitch_b - pitch_a) * wv
        moving = (v > 0) & (v < 1)
        planted[:, [foot, foot + 2]] = np.where((v >= 1)[:, None], end.contacts[0, [foot, foot + 2]],
                                                start.contacts[0, [foot, foot + 2]]) & ~moving[:, None]
    out.contacts = planted
    return out


def route(start: str, goal: str) -> list[str]:
    """Postures passed through from ``start`` to ``goal`` (lying goes by sitting on the ground)."""
    if start == goal:
        return []
    if start == "lie":
        return ["sit_ground"] + route("sit_ground", goal)
    if goal == "lie":
        return route(start, "sit_ground") + ["lie"]
    if start != "stand" and goal != "stand":
        return ["stand", goal]
    return [goal]


def move_to(ctx: StepContext, goal: str, speed_up: float = 1.0) -> tuple[Track, str]:
    """The step's frames: change posture (via the route, ``speed_up`` times the params' tempo) then hold
    the goal pose breathing."""
    tempo = float(ctx.params.get("tempo", 1.0)) * speed_up
    knee = 0 if ctx.params.get("knee") == "left" else 1
    state, posture, parts, used = ctx.state, ctx.posture, [], 0
    legs = route(posture, goal)
    total = sum(CHANGE_TIME[p] for p in legs) / tempo
    squeeze = min(1.0, 0.85 * ctx.duration / max(total, 1e-6))
    for nxt in legs:
        frames = max(2, int(CHANGE_TIME[nxt] / tempo * squeeze * ctx.fps))
        key = key_pose(ctx.body, state, nxt, ctx.params, knee)
        part = change(ctx.body, state, key, frames, max(LEAN[nxt], LEAN[posture]))
        parts.append(part)
        used += frames
        state, posture = part.frame(frames - 1), nxt
    if ctx.frames > used:
        rest = StepContext(ctx.body, state, posture, ctx.frames - used, ctx.fps, ctx.params, ctx.rng)
        parts.append(hold(rest, sway=0.3))
    return concat(parts).slice(0, ctx.frames), posture


def sit(ctx: StepContext) -> StepResult:
    goal = "sit_ground" if ctx.params.get("height_target") == "ground" else "sit_chair"
    return StepResult(*move_to(ctx, goal))


def kneel(ctx: StepContext) -> StepResult:
    return StepResult(*move_to(ctx, "kneel"))


def lie_down(ctx: StepContext) -> StepResult:
    """Down to the ground and onto the back; params "style" "collapse" goes down twice as fast."""
    return StepResult(*move_to(ctx, "lie", 2.0 if ctx.params.get("style") == "collapse" else 1.0))


def crouch(ctx: StepContext) -> StepResult:
    return StepResult(*move_to(ctx, "crouch"))


def stand(ctx: StepContext) -> StepResult:
    """Stand up. Already standing (a clip that opens with "stand"), the actor starts in the posture
    named by params "from" (held briefly) and rises from it."""
    if ctx.posture != "stand":
        return StepResult(*move_to(ctx, "stand"))
    low = START_POSTURES[ctx.params.get("from", "crouch")]
    if not ctx.first:  # mid-clip and on its feet: get down first, then rise
        down = int(0.45 * ctx.frames)
        first, posture = move_to(StepContext(ctx.body, ctx.state, "stand", down, ctx.fps, ctx.params, ctx.rng), low)
        rest = StepContext(ctx.body, first.frame(down - 1), posture, ctx.frames - down, ctx.fps, ctx.params, ctx.rng)
        second, posture = move_to(rest, "stand")
        return StepResult(concat([first, second]), posture)
    knee = 0 if ctx.params.get("knee") == "left" else 1
    start = key_pose(ctx.body, ctx.state, low, ctx.params, knee)
    if low == "kneel":  # begin kneeling: the state's feet are replaced by the kneeling stance
        start.contacts[0] = [knee != 0, knee != 1, True, True]
    wait = min(int(0.4 * ctx.fps), ctx.frames // 4)
    rest = StepContext(ctx.body, start, low, ctx.frames - wait, ctx.fps, ctx.params, ctx.rng)
    track, posture = move_to(rest, "stand")
    return StepResult(concat([start.repeat(wait), track]) if wait else track, posture)
