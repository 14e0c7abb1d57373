"""A character's timeline to per-frame controls (:mod:`stickgen.control`): what the sentence fixes.

- Gaits (walk, run, sprint, dribbling, crawling) set the body-frame velocity: forward at the asked speed (or
  distance over time; none in place), backwards for ``direction="backward"``, to the side for a
  sideways step ("sideways" in the manner and ``direction`` left/right); a straight way also fixes the
  heading rate (0, or the ``turn`` it starts with; a curved way's turns are the layout path's, which
  placement bends the straight clip along).
- Standing actions (idle, arm gestures, speech), jumps, kicks and punches that go nowhere and any action in
  place with a ``turn`` (a spin, a guard turning) stand still: velocity 0. The ``turn`` is turned during the
  action (0.6 s per quarter turn, or a second and a half per whole spin), otherwise the heading rate is 0.
- Jumps fix the pelvis over each flight (``count`` jumps, higher or lower by ``size``) and standing between.
- One-arm actions fix the acting hand (``hand``, the right one by default).
- Limbs: a kick (or a kick of a ball) lifts one foot :data:`KICK_RISE` (times its ``size``) above the other
  at the middle of each of its ``count`` kicks; a clap closes the hands ``count`` times (without a count,
  one clap per ``timeline_tables.CYCLE_SECONDS``), evenly spaced, and a counted one keeps them apart after,
  through the standing that follows it; a wave raises the acting hand's wrist :data:`WAVE_RISE` (times its
  ``size``) above its shoulder, a raised hand (``"held up"`` in the manner: "raises her left hand")
  :data:`RAISE_RISE`; a punch drives one wrist :data:`PUNCH_REACH` (times its ``size``) in front of its
  shoulder ``count`` times (without a count, one punch per :data:`PUNCH_PERIOD_S`), the named hand or, with
  none named, left and right in turn (a jab first), back to a guard between; a kneel, once down, puts a knee
  on the floor (:data:`KNEEL_KNEE`).
Everything else is left free (NaN).
"""
from __future__ import annotations

import numpy as np

from .. import vocab
from ..control import (
    CONTROL_DIM,
    FOOT_RISE,
    FORWARD,
    GUARD_REACH,
    HAND,
    HANDS_GAP,
    HEADING_RATE,
    KNEE_HEIGHT,
    ONE_ARM_ACTIONS,
    PELVIS_RISE,
    SIDEWAYS,
    WRIST_REACH,
    WRIST_RISE,
)
from . import control_lexicon as clx
from . import lexicon as lx
from .schema import TimedAction
from .timeline_tables import CYCLE_SECONDS

GAITS = frozenset({"walk", "run", "sprint", "dribbling", "crawling"})
STILL_FAMILIES = frozenset({"idle", "arms", "speech"})
CURVED = frozenset({"circle", "circle_right", "zigzag", "back_and_forth", "bases"})
QUARTER_TURN_S = 0.6
SPIN_TURN_S = 1.5
SPIN_DEGREES = 300.0  # a turn this large or larger is a spin
#: standing still (no travel, no turning) unless told otherwise
ON_THE_SPOT = frozenset({"jump", "kick", "kicking", "punch", "kneel"})
#: a plain jump's pelvis apex above standing (m): the data's jump heights (0.18-0.38 m after take-off)
#: plus the rise onto the toes before it
JUMP_APEX = 0.37
JUMP_APEX_RANGE = (0.22, 0.47)  # the data's jumps: a bigger or smaller ask stays within what the model saw
JUMP_PERIOD_S = 2.0  # one jump every two seconds when the sentence gives no count
#: a kneel puts a knee this high above the floor (m; the data's kneels: 0.04-0.06) from KNEEL_DOWN_S into
#: it (the data's are down 0.8-1.1 s after they start; the going down is left to the model)
KNEEL_KNEE, KNEEL_DOWN_S = 0.05, 1.1
G = 9.81
FLIGHT_FLOOR = 0.1  # the arc is given while the pelvis is this far above standing (m): the flight
STAND_AWAY_S = 0.6  # seconds from every apex at which the jumper stands
SETTLE_S = 0.3  # a turn starts this long into its action
MAX_CATCH_UP = 1.5  # a walk that first turns on the spot goes at most this much faster to cover its way
#: one ankle above the other at a kick's height (m): the data's kicks (median 0.73 m) and kicks of a ball
#: (``kicking``, median 0.44 m), held within their range
KICK_RISE = {"kick": 0.7, "kicking": 0.45}
KICK_RISE_RANGE = (0.3, 0.9)
KICK_S = 0.6  # the lift of one kick, from the foot leaving the ground to its return
KICK_PERIOD_S = 2.0  # one kick every two seconds when the sentence gives no count (as jumps)
#: the wrists' distance (m) apart and closed in the data's claps (medians 0.40 and 0.05 m)
CLAP_OPEN, CLAP_CLOSED = 0.4, 0.05
#: the gap asked of the idle after a counted clap: hands apart, arms free (``arm_steering.APART``); the
#: model would otherwise clap on through it
CLAP_REST = 0.5
#: a waving wrist's height above its shoulder (m): the data's waves (median 0.20 m); a bigger or smaller
#: wave within WAVE_RISE_RANGE; a hand held up (not waved) is higher, the arm near straight up
WAVE_RISE = 0.2
WAVE_RISE_RANGE = (0.12, 0.3)
RAISE_RISE = 0.45
#: a punching wrist's reach in front of its shoulder (m): the data's punches reach 0.41-0.54 (median 0.46)
#: from a guard at 0.04, out in PUNCH_OUT_S and back in PUNCH_BACK_S (the data's timing), one every
#: PUNCH_PERIOD_S uncounted (the data's: 1.5-3 a second, either hand)
PUNCH_REACH = 0.48
PUNCH_REACH_RANGE = (0.3, 0.52)
PUNCH_OUT_S, PUNCH_BACK_S = 0.12, 0.2
PUNCH_PERIOD_S = 0.45


def plan_controls(timeline: list[TimedAction], num_frames: int, fps: float) -> np.ndarray:
    """``[num_frames, 8]`` controls of one character's ``timeline`` (NaN where free)."""
    control = np.full((num_frames, CONTROL_DIM), np.nan)
    for before, action in zip([None, *timeline], timeline):
        a = int(min(max(round(action.start * fps), 0), num_frames))
        b = int(min(max(round(action.end * fps), a), num_frames))
        if b > a:
            _root(control[a:b], action, fps)
            _height(control[a:b], action, fps)
            _hand(control[a:b], action)
            _limbs(control[a:b], action, fps)
            if action.action == "idle" and before is not None and before.action == "clap" and before.count:
                control[a:b, HANDS_GAP] = CLAP_REST
    return control


def _root(span: np.ndarray, action: TimedAction, fps: float) -> None:
    family = vocab.action_info(action.action).family
    degrees = action.turn or 0.0
    if action.action in GAITS:
        seconds = action.end - action.start
        speed = action.distance / seconds if action.distance is not None and seconds > 0 else action.speed
        speed = 0.0 if action.direction == "in_place" else speed or lx.ACTION_SPEED[action.action]
        sideways = stepping_sideways(action)
        span[:, FORWARD] = -speed if action.direction == "backward" else 0.0 if sideways else speed
        span[:, SIDEWAYS] = (speed if action.direction == "left" else -speed) if sideways else 0.0
        span[:, HEADING_RATE] = 0.0  # a curved way's turns come from the layout's path (placement.follow_path)
        if action.direction not in CURVED:
            turning = _turn(span, degrees, fps, 1)
            if turning < len(span) - 1:  # turn on the spot first, then cover the laid-out distance
                span[:, [FORWARD, SIDEWAYS]] *= min(len(span) / (len(span) - turning), MAX_CATCH_UP)
                span[:turning, [FORWARD, SIDEWAYS]] = 0.0
        return
    on_the_spot = (action.action in ON_THE_SPOT and action.direction in (None, "in_place")  # a jump, kick or
                   and not action.distance)                                                 # punch going nowhere
    if family not in STILL_FAMILIES and not degrees and not on_the_spot:
        return
    span[:, [FORWARD, SIDEWAYS]] = 0.0
    span[:, HEADING_RATE] = 0.0
    _turn(span, degrees, fps, int(round(SETTLE_S * fps)))


def stepping_sideways(action: TimedAction) -> bool:
    """A sideways step: a walk to the left or right whose manner says "sideways" (the body keeps facing
    the way it did; without "sideways", "walks to the left" turns left and walks)."""
    return action.direction in ("left", "right") and "sideways" in action.manner


def _turn(span: np.ndarray, degrees: float, fps: float, start: int) -> int:
    """Turn ``degrees`` (positive: left) from frame ``start`` of ``span``: a quarter turn in
    :data:`QUARTER_TURN_S`, a spin (:data:`SPIN_DEGREES` or more) in :data:`SPIN_TURN_S` per whole turn.
    Returns the frame the turn ends at (0 without a turn)."""
    if not degrees or len(span) < 2:
        return 0
    spin = abs(degrees) >= SPIN_DEGREES
    seconds = abs(degrees) / 360.0 * SPIN_TURN_S if spin else abs(degrees) / 90.0 * QUARTER_TURN_S
    start = min(max(start, 1), len(span) - 1)  # a rate is the change from the frame before (none at 0)
    frames = int(np.clip(round(seconds * fps), 1, len(span) - start))
    span[start:start + frames, HEADING_RATE] = np.radians(degrees) * fps / frames
    return start + frames


def _height(span: np.ndarray, action: TimedAction, fps: float) -> None:
    """A jump's pelvis rise: ``count`` flights (an arc under g about each apex), standing from
    :data:`STAND_AWAY_S` away from every apex, free in between (the crouch before and after a flight)."""
    if action.action != "jump":
        return
    seconds = len(span) / fps
    count = int(action.count or max(1, min(6, round(seconds / JUMP_PERIOD_S))))
    apex = float(np.clip(JUMP_APEX * (action.size or 1.0), *JUMP_APEX_RANGE))
    t = np.arange(len(span)) / fps
    apexes = (np.arange(count) + 0.5) * seconds / count
    nearest = np.abs(t[:, None] - apexes[None]).min(axis=1)
    arc = apex - 0.5 * G * nearest ** 2
    span[:, PELVIS_RISE] = np.where(arc > FLIGHT_FLOOR, arc, np.where(nearest >= STAND_AWAY_S, 0.0, np.nan))


def _hand(span: np.ndarray, action: TimedAction) -> None:
    if action.action not in ONE_ARM_ACTIONS and action.hand is None:
        return
    default = "both" if action.action == "punch" else "right"  # unnamed punches: the arms in turn
    span[:, HAND] = {"left": 1.0, "right": -1.0, "both": 0.0}[action.hand or default]


def _limbs(span: np.ndarray, action: TimedAction, fps: float) -> None:
    """A kick's foot rise, a clap's hands gap, a wave's wrist rise, a punch's reach and a kneel's knee height
    on ``span`` (see the module)."""
    t = (np.arange(len(span)) + 0.5) / fps
    seconds = len(span) / fps
    if action.action == "punch":
        span[:, WRIST_REACH] = _punches(t, seconds, action)
        return
    if action.action in KICK_RISE:
        count = int(action.count or max(1, min(6, round(seconds / KICK_PERIOD_S))))
        peaks = (np.arange(count) + 0.5) * seconds / count
        height = float(np.clip(KICK_RISE[action.action] * (action.size or 1.0), *KICK_RISE_RANGE))
        away = np.abs(t[:, None] - peaks[None]).min(axis=1) / (KICK_S / 2)  # 0 at a peak, 1 where it starts
        span[:, FOOT_RISE] = np.where(away < 1, height * 0.5 * (1 + np.cos(np.pi * np.minimum(away, 1))), 0.0)
    elif action.action == "clap":
        count = action.count or max(1, round(seconds / CYCLE_SECONDS["clap"]))  # uncounted: the usual rate
        phase = t * (count + 0.5) / seconds  # a clap at each phase k + 0.5, then half a cycle open
        closing = np.where(phase < count, 0.5 * (1 - np.cos(2 * np.pi * phase)), 0.0)  # 1 at a clap
        span[:, HANDS_GAP] = CLAP_OPEN - (CLAP_OPEN - CLAP_CLOSED) * closing
    elif action.action == "kneel":
        span[int(round(KNEEL_DOWN_S * fps)):, KNEE_HEIGHT] = KNEEL_KNEE
    elif action.action == "wave":
        held_up = clx.HELD_UP in action.manner
        span[:, WRIST_RISE] = RAISE_RISE if held_up else np.clip(WAVE_RISE * (action.size or 1.0), *WAVE_RISE_RANGE)


def _punches(t: np.ndarray, seconds: float, action: TimedAction) -> np.ndarray:
    """The signed wrist reach ``[len(t)]`` of a punch ``action`` over ``seconds`` at times ``t`` (see the
    module): each punch a half raised-cosine from the guard out to its reach in :data:`PUNCH_OUT_S` and
    another back in :data:`PUNCH_BACK_S`."""
    count = int(action.count or max(1, round(seconds / PUNCH_PERIOD_S)))
    peaks = (np.arange(count) + 0.5) * seconds / count
    nearest = np.abs(t[:, None] - peaks[None]).argmin(axis=1)
    late = t - peaks[nearest]
    away = np.where(late < 0, -late / PUNCH_OUT_S, late / PUNCH_BACK_S)  # 0 at a punch's reach, 1 at the guard
    reach = float(np.clip(PUNCH_REACH * (action.size or 1.0), *PUNCH_REACH_RANGE))
    extent = GUARD_REACH + (reach - GUARD_REACH) * 0.5 * (1 + np.cos(np.pi * np.minimum(away, 1.0)))
    named = {"left": 1.0, "right": -1.0}.get(action.hand or "")
    side = np.full(len(t), named) if named else np.where(nearest % 2 == 0, 1.0, -1.0)  # a left jab first
    return extent * side
