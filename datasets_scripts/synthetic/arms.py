"""Arm and upper-body actions over the held posture (standing, sitting or kneeling alike):
wave, point, clap, eating, drinking, reading, typing, looking_around, cry, laugh and the speech
gestures (talk, shout, whisper, sing, which also set speech segments).

Hand targets are written for a right acting hand in the chest frame, 1.75 m units (x < 0 is the
right side, y up, z forward) and mirrored for a left hand; amplitude follows "energy", rate "tempo".
"""
from __future__ import annotations

import numpy as np

from .context import StepContext, StepResult, side_hands, smooth_noise, speech_ids
from .footsteps import smoothstep
from .idle import hold
from .track import blend_hands

REST_MAIN = np.array([-0.21, -0.50, 0.04])
REST_OTHER = np.array([0.21, -0.50, 0.04])
MOUTH = np.array([-0.03, 0.10, 0.13])


def _overlay(ctx: StepContext, main: np.ndarray, other: np.ndarray, main_pole=(-1.0, -0.4, -0.3),
             other_pole=(1.0, -0.4, -0.3)) -> object:
    """The held posture with both hands driven to ``main``/``other`` ``[T, 3]`` (1.75 m units),
    eased in from the state's hands over 0.5 s."""
    track = hold(ctx, sway=0.5)
    ease = smoothstep(ctx.t / 0.5)
    target = side_hands(ctx.main, main, other) * ctx.body.scale
    track.hands = blend_hands(track.hands, target, ease)
    poles = side_hands(ctx.main, np.array(main_pole)[None], np.array(other_pole)[None])
    track.elbow_poles = track.elbow_poles * (1 - ease[:, None, None]) + poles * ease[:, None, None]
    return track


def _const(ctx: StepContext, point) -> np.ndarray:
    return np.repeat(np.asarray(point, dtype=np.float64)[None], ctx.frames, 0)


def _rate(ctx: StepContext, hz: float) -> float:
    return hz * float(ctx.params.get("tempo", 1.0))


WAVE_X, WAVE_Y = -0.40, 0.26  # the waving wrist (right hand, chest frame): out past the shoulder, above it


def wave(ctx: StepContext) -> StepResult:
    """The hand raised above the shoulder, forearm up, swung side to side at 2 Hz x tempo; params
    "size" (about 0.6-1.4) scales the swing."""
    t, e = ctx.t, ctx.energy
    swing = float(ctx.params.get("size", 1.0)) * (0.05 + 0.06 * e) * np.sin(2 * np.pi * _rate(ctx, 2.0) * t)
    main = np.stack([WAVE_X + swing, WAVE_Y + 0.02 * np.cos(4 * np.pi * _rate(ctx, 2.0) * t), 0.10 + 0 * t], -1)
    track = _overlay(ctx, main, _const(ctx, REST_OTHER), main_pole=(-1.0, -0.6, 0.0))
    track.torso[:, 1] += (0.04 * e) * (1 if ctx.main == 1 else -1)
    return StepResult(track, ctx.posture)


def pointing_direction(azimuth: float, elevation: float) -> np.ndarray:
    """Unit direction ``[3]`` in the body frame: azimuth + toward the actor's left, elevation + up."""
    return np.array([np.sin(azimuth) * np.cos(elevation), np.sin(elevation), np.cos(azimuth) * np.cos(elevation)])


def point(ctx: StepContext) -> StepResult:
    """Arm straight toward params "target" = [azimuth, elevation] (body frame), chest and head turned to it."""
    azimuth, elevation = ctx.params.get("target", [0.0, 0.1])
    if ctx.main == 0:  # targets are written for the right hand; a left hand points at the mirror image
        azimuth = -azimuth
    twist = 0.3 * azimuth
    s = ctx.body.scale
    arm = ctx.body.arm / s
    reach = pointing_direction(azimuth - twist, elevation) * arm * 0.99
    main = np.array([-0.18, 0.0, 0.0]) + reach
    track = _overlay(ctx, _const(ctx, main), _const(ctx, REST_OTHER), main_pole=(-0.5, -1.0, 0.0))
    ease = smoothstep(ctx.t / 0.4)
    track.torso[:, 2] += (twist if ctx.main == 1 else -twist) * ease
    track.head[:, 1] += 0.6 * (azimuth - twist) * (1 if ctx.main == 1 else -1) * ease
    track.head[:, 0] += -0.5 * elevation * ease
    return StepResult(track, ctx.posture)


def clap(ctx: StepContext) -> StepResult:
    t = ctx.t
    gap = 0.05 + (0.12 + 0.12 * ctx.energy) * (0.5 + 0.5 * np.cos(2 * np.pi * _rate(ctx, 2.5) * t))
    height = -0.15 + 0.05 * ctx.energy
    main = np.stack([-gap / 2, height + 0 * t, 0.30 + 0 * t], -1)
    return StepResult(_overlay(ctx, main, main * np.array([-1.0, 1.0, 1.0])), ctx.posture)


def eating(ctx: StepContext) -> StepResult:
    """Bites from a plate held low: hand to the mouth and back every ~3 s, chewing nods."""
    period = 3.0 / float(ctx.params.get("tempo", 1.0))
    cycle = (ctx.t % period) / period
    up = smoothstep(cycle / 0.25) * (1 - smoothstep((cycle - 0.45) / 0.25))
    plate = np.array([-0.10, -0.33, 0.30])
    main = plate + (MOUTH - plate) * up[:, None]
    track = _overlay(ctx, main, _const(ctx, [0.10, -0.33, 0.30]), main_pole=(-1.0, -1.0, 0.0))
    track.head[:, 0] += 0.25 - 0.15 * up + 0.04 * np.sin(2 * np.pi * 1.6 * ctx.t)
    return StepResult(track, ctx.posture)


def drinking(ctx: StepContext) -> StepResult:
    """A cup raised to the mouth, tipped with the head back, lowered; repeated while time allows."""
    period = 4.0 / float(ctx.params.get("tempo", 1.0))
    cycle = (ctx.t % period) / period
    up = smoothstep(cycle / 0.2) * (1 - smoothstep((cycle - 0.6) / 0.2))
    cup = np.array([-0.14, -0.22, 0.28])
    main = cup + (MOUTH + [0.0, 0.0, 0.02] - cup) * up[:, None]
    track = _overlay(ctx, main, _const(ctx, REST_OTHER), main_pole=(-1.0, -1.0, 0.0))
    track.head[:, 0] += -0.35 * up
    return StepResult(track, ctx.posture)


def reading(ctx: StepContext) -> StepResult:
    """A book held in both hands, head down; now and then the acting hand turns a page."""
    t = ctx.t
    turns = np.arange(float(ctx.rng.uniform(1.5, 3.0)), ctx.duration, float(ctx.rng.uniform(3.0, 5.0)))
    across = sum(smoothstep((t - start) / 0.35) * (1 - smoothstep((t - start - 0.45) / 0.35)) for start in turns)
    across = np.asarray(across) + 0 * t
    main = np.stack([-0.12 + 0.20 * across, -0.18 + 0.04 * across, 0.32 + 0.03 * across], -1)
    track = _overlay(ctx, main, _const(ctx, [0.12, -0.18, 0.32]), (-1.0, -1.0, 0.0), (1.0, -1.0, 0.0))
    track.head[:, 0] += 0.45
    track.torso[:, 0] += 0.08
    return StepResult(track, ctx.posture)


def typing(ctx: StepContext) -> StepResult:
    taps = 0.012 * smooth_noise(ctx.rng, ctx.t, 6.0 * float(ctx.params.get("tempo", 1.0)), (2, 3))
    main = np.array([-0.12, -0.38, 0.36]) + taps[:, 0]
    other = np.array([0.12, -0.38, 0.36]) + taps[:, 1]
    track = _overlay(ctx, main, other, (-1.0, -1.0, -0.2), (1.0, -1.0, -0.2))
    track.head[:, 0] += 0.3
    track.torso[:, 0] += 0.1
    return StepResult(track, ctx.posture)


def looking_around(ctx: StepContext) -> StepResult:
    """Head and chest turn left and right (up to ~100 degrees together), pausing at each side; with
    params "shade" a hand shades the eyes."""
    t, rate = ctx.t, float(ctx.params.get("tempo", 0.3))
    sweep = np.clip(1.4 * np.sin(2 * np.pi * rate * t + ctx.rng.uniform(0, np.pi)), -1.0, 1.0)
    turn = (0.8 + 0.4 * ctx.energy) * sweep * smoothstep(t / 0.5)
    shade = ctx.params.setdefault("shade", bool(ctx.rng.random() < 0.5))
    main = _const(ctx, [-0.05, 0.14, 0.16] if shade else REST_MAIN + [0.0, 0.02, 0.02])
    track = _overlay(ctx, main, _const(ctx, REST_OTHER + [0.0, 0.02, 0.02]), main_pole=(-1.0, -0.3, 0.0))
    track.torso[:, 2] += 0.45 * turn
    track.head[:, 1] += 0.6 * turn
    track.head[:, 0] += -0.1 + 0.1 * smooth_noise(ctx.rng, t, 0.2)
    return StepResult(track, ctx.posture)


def cry(ctx: StepContext) -> StepResult:
    """Hands over the face, head bowed, shoulders shaking with sobs."""
    sob = np.maximum(np.sin(2 * np.pi * _rate(ctx, 0.8) * ctx.t), 0.0) * np.sin(2 * np.pi * 4.0 * ctx.t)
    main = np.array([-0.06, 0.10, 0.17]) + np.outer(sob, [0.0, 0.01, 0.0])
    track = _overlay(ctx, main, main * np.array([-1.0, 1.0, 1.0]), (-1.0, -1.0, 0.0), (1.0, -1.0, 0.0))
    track.head[:, 0] += 0.45
    track.torso[:, 0] += 0.2 + 0.04 * ctx.energy * sob
    return StepResult(track, ctx.posture)


def laugh(ctx: StepContext) -> StepResult:
    """Bursts of laughter: head thrown back, then doubling over with the hands on the belly, the chest
    shaking at ~4.5 Hz throughout."""
    t = ctx.t
    cycle = np.sin(2 * np.pi * _rate(ctx, 0.3) * t)
    shake = (0.6 + 0.4 * np.abs(cycle)) * np.sin(2 * np.pi * 4.5 * t)
    bend = np.clip(cycle, 0.0, 1.0) * (0.35 + 0.35 * ctx.energy)
    main = np.array([-0.10, -0.36, 0.20]) + np.outer(shake, [0.0, 0.02, 0.0]) + np.outer(bend, [0.0, -0.1, 0.05])
    track = _overlay(ctx, main, main * np.array([-1.0, 1.0, 1.0]))
    track.torso[:, 0] += -0.15 * np.clip(-cycle, 0.0, 1.0) + bend + 0.05 * shake
    track.head[:, 0] += -0.35 * np.clip(-cycle, 0.0, 1.0)
    return StepResult(track, ctx.posture)


def _speech(ctx: StepContext, track) -> StepResult:
    return StepResult(track, ctx.posture, speech=speech_ids(ctx.rng, ctx.t, ctx.params.get("speech", "talk")))


def talk(ctx: StepContext) -> StepResult:
    """Beat gestures of one or both hands in front of the body, small nods."""
    t, e = ctx.t, ctx.energy
    beat = smooth_noise(ctx.rng, t, _rate(ctx, 1.2), (2, 3)) * (0.03 + 0.05 * e)
    main = np.array([-0.20, -0.25, 0.25]) + beat[:, 0]
    other = np.array([0.20, -0.38, 0.18]) + 0.5 * beat[:, 1]
    track = _overlay(ctx, main, other)
    track.head[:, 0] += 0.05 * smooth_noise(ctx.rng, t, 1.5)
    return _speech(ctx, track)


def shout(ctx: StepContext) -> StepResult:
    """Leaning forward with hands cupped round the mouth, straining on each call."""
    t = ctx.t
    call = 0.5 + 0.5 * np.sin(2 * np.pi * _rate(ctx, 0.5) * t)
    main = np.array([-0.07, 0.09, 0.16]) + np.outer(call, [-0.02, 0.0, 0.02])
    track = _overlay(ctx, main, main * np.array([-1.0, 1.0, 1.0]), (-1.0, -0.5, 0.0), (1.0, -0.5, 0.0))
    track.torso[:, 0] += (0.1 + 0.1 * ctx.energy) * call
    track.head[:, 0] += -0.15 * call
    return _speech(ctx, track)


def whisper(ctx: StepContext) -> StepResult:
    """Leaning to one side with a hand shielding the mouth."""
    main = _const(ctx, [-0.12, 0.10, 0.14])
    track = _overlay(ctx, main, _const(ctx, REST_OTHER), main_pole=(-1.0, -1.0, 0.0))
    lean = 0.15 * smoothstep(ctx.t / 0.5)
    track.torso[:, 1] += lean if ctx.main == 1 else -lean
    track.torso[:, 0] += 0.1 * smoothstep(ctx.t / 0.5)
    track.head[:, 1] += (0.3 if ctx.main == 1 else -0.3) * smoothstep(ctx.t / 0.5)
    return _speech(ctx, track)


def sing(ctx: StepContext) -> StepResult:
    """Chest up, both arms opening and closing in slow sweeps, a gentle sway."""
    t = ctx.t
    sweep = np.sin(2 * np.pi * _rate(ctx, 0.35) * t)
    spread = 0.25 + (0.08 + 0.1 * ctx.energy) * (1 + sweep)
    main = np.stack([-spread, -0.12 + 0.12 * sweep, 0.28 - 0.05 * sweep], -1)
    track = _overlay(ctx, main, main * np.array([-1.0, 1.0, 1.0]))
    track.torso[:, 0] += -0.06
    track.torso[:, 1] += 0.05 * np.sin(2 * np.pi * _rate(ctx, 0.25) * t)
    track.head[:, 0] += -0.12
    return _speech(ctx, track)


ACTIONS = {"wave": wave, "point": point, "clap": clap, "eating": eating, "drinking": drinking, "reading": reading,
           "typing": typing, "looking_around": looking_around, "cry": cry, "laugh": laugh, "talk": talk,
           "shout": shout, "whisper": whisper, "sing": sing}
