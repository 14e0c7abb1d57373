"""Walking and running along a path: planted feet, alternating steps, flight phases, arm swing, lean.

One call covers a run of consecutive locomotion pieces ("walks, then runs"), so the gait never stops
between them. Speed ramps up from rest (``start``) and down to a stop (``stop``); steps are timed by a
cadence that follows speed (walk 95-125 steps/min over 0.8-1.8 m/s, run 150-200), each foot lands at
the point of the path where the pelvis will be at its mid-stance and stays there until it lifts.
Running pelvis height between take-off and landing is a ballistic parabola (g = 9.81 m/s^2).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .body import Body
from .footsteps import Plant, feet_from_plants, smoothstep
from .paths import SAMPLE, Path, direction, from_curvature, piece_curvature
from .track import Track

G = 9.81
STOP_HOLD = 0.6  # seconds at rest at the end of a gait that stops
BODY_OFFSETS = {"backwards": np.pi, "sideways_left": -np.pi / 2, "sideways_right": np.pi / 2}


@dataclass
class GaitPiece:
    """``frames`` frames of gait ``kind`` ("walk" or "run") at ``speed`` m/s; ``params`` as in ActionStep."""

    frames: int
    kind: str
    speed: float
    params: dict


def cadence(kind: str, speed: np.ndarray) -> np.ndarray:
    """Steps per minute for a gait at ``speed [N]`` m/s."""
    if kind == "walk":
        return np.clip(90.0 + (speed - 0.8) * 32.0, 70.0, 135.0)
    return np.clip(135.0 + (speed - 2.5) * 12.0, 125.0, 205.0)


def stance_time(kind: str, speed: float, step_time: float) -> float:
    """How long a foot stays planted per step (s): a duty factor for walking, a contact time for running."""
    if kind == "walk":
        duty = 0.64 - 0.03 * (speed - 0.8)
        return 2.0 * duty * step_time
    return float(np.clip(0.35 - 0.04 * speed, 0.11, 0.30))


def _moving_average(x: np.ndarray, frames: int) -> np.ndarray:
    if frames < 2:
        return x
    padded = np.pad(x, (frames // 2, frames - 1 - frames // 2), mode="edge")
    return np.convolve(padded, np.ones(frames) / frames, mode="valid")


def _body_offset(params: dict) -> float:
    path = params.get("path", "straight")
    if path == "sideways":
        return BODY_OFFSETS["sideways_" + params.get("direction", "left")]
    return BODY_OFFSETS.get(path, 0.0)


def _profiles(pieces: list[GaitPiece], fps: int, start: bool, stop: bool) -> dict[str, np.ndarray]:
    """Per-frame speed, gait (1 = run), cadence scale and body offset, smoothed across piece seams."""
    t = np.arange(sum(p.frames for p in pieces)) / fps

    def each(f):
        return np.concatenate([np.full(p.frames, f(p), dtype=np.float64) for p in pieces])

    window = int(0.6 * fps)
    speed = _moving_average(each(lambda p: p.speed), window)
    if start:
        speed *= smoothstep(t / (0.5 + 0.15 * pieces[0].speed))
    if stop:  # at rest for the last STOP_HOLD s, leaving time to bring the feet together
        speed *= smoothstep((t[-1] - STOP_HOLD - t) / (0.5 + 0.15 * pieces[-1].speed))
    run = _moving_average(each(lambda p: float(p.kind == "run")), window)
    scale = each(lambda p: p.params["cadence"] / float(cadence(p.kind, np.array(p.speed))))
    return {"t": t, "speed": speed, "run": run, "cadence_scale": _moving_average(scale, window),
            "offset": _moving_average(each(lambda p: _body_offset(p.params)), window),
            "piece": np.concatenate([np.full(p.frames, i) for i, p in enumerate(pieces)])}


def _path(pieces: list[GaitPiece], arc: np.ndarray, start_xz: np.ndarray, start_theta: float) -> Path:
    """The ground path of all pieces, each piece's curvature over its own stretch of arc length."""
    bounds = np.concatenate([[0], np.cumsum([p.frames for p in pieces])])
    s_edges = arc[np.minimum(bounds, len(arc) - 1)]
    s = np.arange(0.0, arc[-1] + 4.0 * SAMPLE, SAMPLE)
    kappa = np.zeros_like(s)
    for i, piece in enumerate(pieces):
        inside = (s >= s_edges[i]) & ((s < s_edges[i + 1]) | (i == len(pieces) - 1))
        if inside.any():
            local = s[inside] - s_edges[i]
            kappa[inside] = piece_curvature(piece.params, np.append(local, max(local[-1], SAMPLE)))[:-1]
    return from_curvature(start_xz, start_theta, kappa)


def locomotion(body: Body, state: Track, pieces: list[GaitPiece], fps: int, start: bool, stop: bool,
               rng: np.random.Generator) -> tuple[Track, np.ndarray]:
    """Gait over consecutive pieces from the 1-frame ``state``: (track, step phase ``[T]``).

    ``start``: begin from standing on the state's feet (else the clip opens mid-stride). ``stop``: end
    standing with the feet side by side. Phase counts steps; its integer part changes at each landing.
    """
    prof = _profiles(pieces, fps, start, stop)
    t, speed = prof["t"], prof["speed"]
    arc = np.concatenate([[0.0], np.cumsum(0.5 * (speed[1:] + speed[:-1]) / fps)])
    kinds = np.where(prof["run"] > 0.5, "run", "walk")
    steps_per_s = np.where(kinds == "run", cadence("run", speed), cadence("walk", speed)) * prof["cadence_scale"] / 60
    prof["arc"], prof["steps_per_s"] = arc, steps_per_s
    lead = int(pieces[0].params.get("lead", 0))
    phase0 = -(2.0 - 2.0 * 0.64) if start else float(rng.uniform(0.0, 1.0))
    phase = phase0 + np.concatenate([[0.0], np.cumsum(0.5 * (steps_per_s[1:] + steps_per_s[:-1]) / fps)])
    path = _path(pieces, arc, state.root[0, [0, 2]], float(state.heading[0] - prof["offset"][0]))

    # ---- step events: landing times beyond the clip are extrapolated with the last cadence
    first = int(np.ceil(phase[0])) - (1 if start else 2)
    last = int(np.floor(phase[-1])) + 2
    index = np.arange(first, last + 1)
    rate_end, rate_start = steps_per_s[-1], steps_per_s[0]
    land = np.where(index < phase[0], t[0] + (index - phase[0]) / rate_start,
                    np.where(index > phase[-1], t[-1] + (index - phase[-1]) / rate_end,
                             np.interp(index, phase, t)))

    def at(arr, times):
        return np.interp(times, t, arr)

    step_time = np.diff(np.append(land, land[-1] + 1.0 / rate_end))
    step_kind = np.where(at(prof["run"], land) > 0.5, "run", "walk")
    stance = np.array([stance_time(k, float(at(speed, ti)), st) for k, ti, st in zip(step_kind, land, step_time)])
    lift_time = np.minimum(land + stance, np.append(land[2:], [np.inf, np.inf]) - 0.12)
    mid = land + 0.5 * stance
    arc_mid = np.interp(mid, t, arc, left=np.nan, right=np.nan)
    arc_mid = np.where(mid < t[0], arc[0] + (mid - t[0]) * speed[0], arc_mid)
    arc_mid = np.where(mid > t[-1], arc[-1] + (mid - t[-1]) * speed[-1], arc_mid)
    if stop:
        arc_mid = np.minimum(arc_mid, arc[-1])
    xz, theta = path.at(arc_mid)
    heading = theta + at(prof["offset"], mid)
    width = np.array([p.params.get("step_width", 0.12) for p in pieces])[at(prof["piece"], mid).astype(int)]
    swing = 2.0 * step_time - stance
    feet = {0: [], 1: []}
    for foot in (0, 1):
        side = 1.0 if foot == 0 else -1.0
        if start:
            feet[foot].append(Plant(-np.inf, np.inf, state.feet[0, foot].copy(), float(state.foot_yaw[0, foot])))
        for i in np.nonzero((index - first + lead) % 2 == foot)[0]:
            if start and land[i] < t[0]:  # a step taken before the clip: the state's plant stands for it
                feet[foot][0].end = max(lift_time[i], t[0])
                continue
            if stop and land[i] > t[-1] - STOP_HOLD - 0.2:
                break
            left = np.array([np.cos(heading[i]), -np.sin(heading[i])])
            ground = xz[i] + left * side * width[i] / 2 - direction(heading[i]) * 0.03 * body.scale
            run = step_kind[i] == "run"
            plant = Plant(land[i], lift_time[i], np.array([ground[0], body.ankle_height, ground[1]]),
                          float(heading[i] + side * 0.06),
                          lift=0.16 + 0.05 * speed.max() if run else 0.07 + 0.03 * speed.max(),
                          kick=0.35 if run else 0.0, heel_off=(0.5 if run else 0.4) * stance[i],
                          toe_off=0.6 if run else 0.45, heel_strike=0.0 if run else min(0.1, 0.25 * stance[i]),
                          strike=0.0 if run else 0.25)  # runners land on the forefoot, walkers on the heel
            if feet[foot]:
                previous = feet[foot][-1]
                previous.end = float(np.clip(land[i] - swing[i], previous.start, min(previous.end, land[i] - 0.1)))
                if previous.start == -np.inf:  # the state's plant: no lifting before the clip starts
                    previous.end = max(previous.end, t[0])
            feet[foot].append(plant)
    if start:  # the trailing foot waits for the first step to land: no flight from a standstill
        first_step = next(i for i in range(len(index)) if land[i] >= t[0])
        trailing = (index[first_step] - first + lead + 1) % 2
        feet[trailing][0].end = max(feet[trailing][0].end, land[first_step] + 0.05)
    if stop:
        end_xz, end_theta = path.at(np.array([arc[-1]]))
        _close_feet(feet, end_xz[0], float(end_theta[0] + prof["offset"][-1]), body, t[-1],
                    pieces[-1].params.get("step_width", 0.12))
    ankles, foot_yaw, foot_pitch, contacts = feet_from_plants(t, feet[0], feet[1], body.foot_vectors)
    body_xz, body_theta = path.at(arc)
    right_lands = first + (1 - lead) % 2  # a phase at which the right foot lands
    track = _upper_body(body, prof, phase - right_lands, body_xz, body_theta, ankles, feet)
    track.feet, track.foot_yaw, track.foot_pitch, track.contacts = ankles, foot_yaw, foot_pitch, contacts
    return track, phase


def _close_feet(feet: dict, end_xz: np.ndarray, end_heading: float, body: Body, t_end: float, width: float) -> None:
    """Bring both feet side by side at the end point with one last short step each where needed."""
    left = np.array([np.cos(end_heading), -np.sin(end_heading)])
    order = sorted((0, 1), key=lambda f: feet[f][-1].start)
    busy_until = max(feet[0][-1].start, feet[1][-1].start, 0.0)
    for foot in order:
        side = 1.0 if foot == 0 else -1.0
        ground = end_xz + left * side * width / 2 - direction(end_heading) * 0.03 * body.scale
        target = np.array([ground[0], body.ankle_height, ground[1]])
        last = feet[foot][-1]
        if np.linalg.norm(last.position - target) < 0.04:
            continue
        # a foot already due to lift goes then; one standing still waits for the other to land
        lift = last.end if np.isfinite(last.end) else max(busy_until + 0.02, last.start + 0.1, 0.05)
        land = min(max(lift + 0.25, busy_until + 0.1), t_end - 0.25)
        lift = min(lift, land - 0.15)
        last.end = lift
        feet[foot].append(Plant(land, np.inf, target, end_heading + side * 0.06, lift=0.06))
        busy_until = land


def _upper_body(body: Body, prof: dict, phase: np.ndarray, xz: np.ndarray, theta: np.ndarray,
                ankles: np.ndarray, feet: dict) -> Track:
    """Pelvis (sway, bob, ballistic flight), lean, counter-rotation and arm swing.

    ``phase [T]`` counts steps with the right foot landing at even values, the left at odd ones.
    """
    s = body.scale
    t, speed, run = prof["t"], prof["speed"], prof["run"]
    frames = len(t)
    heading = theta + prof["offset"]
    left = np.stack([np.cos(heading), -np.sin(heading)], -1)
    step = np.floor(phase).astype(int)
    stance_side = np.where(step % 2 == 0, -1.0, 1.0)  # +1 while the left foot bears the weight
    moving = np.clip(speed / 0.5, 0.0, 1.0)  # no sway or bob once the gait has come to rest
    sway = 0.025 * s * moving * np.clip(1.0 - speed / 3.0, 0.0, 1.0) * stance_side * np.sin(np.pi * (phase - step))
    root = np.zeros((frames, 3))
    root[:, [0, 2]] = xz + left * sway[:, None]
    bob = (0.01 + 0.012 * np.minimum(speed, 2.0)) * s * moving * np.cos(2 * np.pi * (phase - 0.64))
    walk_y = body.pelvis_height - (0.015 + 0.012 * speed) * s + bob
    ceiling = _ceiling(body, root[:, [0, 2]], heading, ankles)
    root[:, 1] = walk_y * (1 - run) + _running_pelvis(body, t, feet, ceiling) * run
    # arm swing opposite the legs (left arm forward as the right foot lands), counter-rotation
    q = np.cos(np.pi * phase) * moving
    amp = (0.10 + 0.06 * np.minimum(speed, 2.0)) * s * (1 - run) + (0.18 + 0.03 * speed) * s * run
    hands = np.empty((frames, 2, 3))
    for side, sign in ((0, 1.0), (1, -1.0)):
        swing = sign * q * amp
        hands[:, side, 0] = sign * s * (0.21 - 0.05 * run)
        hands[:, side, 1] = s * (-0.50 + 0.22 * run) + np.abs(swing) * 0.3 + run * swing * 0.4
        hands[:, side, 2] = s * (0.03 + 0.10 * run) + swing
    accel = np.gradient(speed, t) if frames > 1 else np.zeros(frames)
    backwards = np.cos(prof["offset"])  # 1 forward, -1 backwards, 0 sideways
    curvature = np.gradient(theta) / np.maximum(np.gradient(prof["arc"]), 1e-4)
    bank = -0.6 * np.arctan(np.clip(speed ** 2 * curvature / G, -1.0, 1.0))
    lean = ((0.03 + 0.02 * speed) * (1 - run) + (0.05 + 0.03 * speed) * run) * backwards + 0.03 * np.clip(accel, -2, 2)
    yaw_swing = 0.08 * q * np.clip(speed, 0.0, 2.0) / 2.0
    return Track(
        root=root, heading=heading - yaw_swing, pelvis_tilt=np.stack([0.3 * lean, 0.5 * bank], -1),
        torso=np.stack([0.7 * lean, 0.5 * bank, 2.0 * yaw_swing], -1),
        head=np.stack([-0.6 * lean, np.zeros(frames)], -1), feet=np.zeros((frames, 2, 3)),
        foot_yaw=np.zeros((frames, 2)), foot_pitch=np.zeros((frames, 2)), hands=hands,
        elbow_poles=np.repeat(np.array([[[0.3, -0.2, -1.0], [-0.3, -0.2, -1.0]]]), frames, 0),
        knee_poles=np.repeat(np.array([[[0.1, 0.0, 1.0], [-0.1, 0.0, 1.0]]]), frames, 0),
        contacts=np.ones((frames, 4), dtype=bool))


def _running_pelvis(body: Body, t: np.ndarray, feet: dict, ceiling: np.ndarray) -> np.ndarray:
    """Pelvis height ``[T]`` of a run: exact ballistic arcs (g) between take-off and touch-down, joined
    through each stance by a cubic that matches both velocities (the knee bend). Touch-down and
    take-off heights are capped by ``ceiling [T, 2]`` (the highest pelvis each foot can reach)."""
    base = body.pelvis_height - 0.05 * body.scale
    stances = sorted((p.start, min(p.end, t[-1] + 1.0), foot) for foot in (0, 1) for p in feet[foot]
                     if np.isfinite(p.start))
    if not stances:
        return np.full_like(t, base)
    start = np.array([s[0] for s in stances])
    end = np.array([s[1] for s in stances])
    foot = np.array([s[2] for s in stances])

    def cap(times):
        return np.array([np.interp(x, t, ceiling[:, f]) for x, f in zip(times, foot)])

    y_land = np.minimum(base, cap(start) - 0.03)
    y_lift = np.minimum(base, cap(end) - 0.03)
    nxt_start = np.append(start[1:], np.inf)
    gap = np.where(np.isfinite(nxt_start), np.maximum(nxt_start - end, 0.0), 0.0)  # flight after each stance
    y_next = np.append(y_land[1:], y_lift[-1])
    v_off = np.where(gap > 0, (y_next - y_lift) / np.maximum(gap, 1e-6) + 0.5 * G * gap, 0.0)
    v_on = np.concatenate([[0.0], np.where(gap[:-1] > 0, v_off[:-1] - G * gap[:-1], 0.0)])
    stance_end = np.minimum(end, nxt_start)
    y_end = np.where(gap > 0, y_lift, y_next)
    k = np.clip(np.searchsorted(start, t, side="right") - 1, 0, len(start) - 1)
    span = np.maximum(stance_end[k] - start[k], 1e-6)
    u = np.clip((t - start[k]) / span, 0.0, 1.0)
    h00, h10, h01, h11 = 2 * u ** 3 - 3 * u ** 2 + 1, u ** 3 - 2 * u ** 2 + u, -2 * u ** 3 + 3 * u ** 2, u ** 3 - u ** 2
    stance = h00 * y_land[k] + h10 * span * v_on[k] + h01 * y_end[k] + h11 * span * v_off[k] * (gap[k] > 0)
    tau = t - end[k]
    flight = y_lift[k] + v_off[k] * tau - 0.5 * G * tau ** 2
    out = np.where((t > end[k]) & (gap[k] > 0), flight, stance)
    return np.where(t < start[0], y_land[0], out)


def _ceiling(body: Body, root_xz: np.ndarray, heading: np.ndarray, ankles: np.ndarray) -> np.ndarray:
    """Highest pelvis ``[T, 2]`` at which each hip still reaches its ankle (pelvis upright)."""
    s = body.scale
    left = np.stack([np.cos(heading), -np.sin(heading)], -1)
    out = np.empty(ankles.shape[:2])
    for foot, side in ((0, 1.0), (1, -1.0)):
        hip = root_xz + left * side * body.hip_half_width
        horizontal = np.linalg.norm(hip - ankles[:, foot, [0, 2]], axis=-1)
        out[:, foot] = (ankles[:, foot, 1] + 0.08 * s
                        + np.sqrt(np.maximum((0.97 * body.leg) ** 2 - horizontal ** 2, 0.0)))
    return out
