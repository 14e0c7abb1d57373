"""Turning the body in place: the heading eases to a new value while the feet step around the pelvis.

Used by ``idle`` with params "turn" (radians, + = toward the actor's left) and by the "spin" dance.
Each foot lifts and re-plants rotated about the pelvis's ground point, the feet alternating, and a
planted foot never moves (``footsteps.apply_steps``).
"""
from __future__ import annotations

import numpy as np

from stickgen.skeleton import rotate_y

from .context import StepContext
from .footsteps import apply_steps, minimum_jerk
from .track import Track

#: seconds per 90 degrees of an ordinary turn on the spot
TURN_TIME = 0.6


def turn_length(angle: float, per_quarter: float = TURN_TIME) -> float:
    """Seconds the heading takes to turn ``angle`` rad (big turns a little slower per degree)."""
    quarters = abs(angle) / (np.pi / 2)
    return max(0.8, per_quarter * quarters * (1.0 + 0.1 * min(3.0, max(0.0, quarters - 1.0))))


def step_plan(length: float, interval: float, start: float = 0.3) -> np.ndarray:
    """Landing times (s) of the alternating steps of a turn lasting ``length`` s: the last two land
    after the turn ends, so both feet finish squared to the final heading."""
    count = int(np.ceil(max(length - start, 0.0) / interval)) + 2
    return start + interval * np.arange(count)


def time_needed(angle: float, per_quarter: float = TURN_TIME, interval: float = 0.4) -> float:
    """Seconds from the start of a turn to its last foot landing."""
    return float(step_plan(turn_length(angle, per_quarter), interval)[-1])


def turn_in_place(ctx: StepContext, track: Track, angle: float, length: float, interval: float = 0.4,
                  swing: float = 0.34, lift: float = 0.06, lead: int | None = None) -> None:
    """Turn ``track`` (a held track starting at ``ctx.state``) by ``angle`` rad over ``length`` s, in place.

    The heading follows a minimum-jerk ease; a foot lands every ``interval`` s (each swing ``swing`` s,
    ``lift`` m high) at the spot the stance puts it at the heading ``interval/2`` s later, so the feet
    lead the turn a little. The pelvis stays over the feet's centre. ``lead``: the first foot to step
    (default: the foot on the side turned toward). Writes the track in place.
    """
    t, s = ctx.t, ctx.body.scale
    h0 = float(ctx.state.heading[0])

    def heading(time):
        return h0 + angle * minimum_jerk(np.asarray(time) / length)

    def ahead(h):
        return rotate_y(np.array([0.0, 0.0, 0.03 * s]), float(h))

    centre = ctx.state.root[0] * np.array([1.0, 0.0, 1.0]) - ahead(h0)
    track.heading = heading(t) + (track.heading - h0)  # keeps whatever sway the track had
    first = (0 if angle > 0 else 1) if lead is None else lead
    last = ctx.state.feet[0].copy()
    moves = []
    for i, land in enumerate(step_plan(length, interval)):
        foot = (first + i) % 2
        h = float(heading(min(land + interval / 2, length)))
        spot = centre + rotate_y(ctx.body.stance_feet[foot] * np.array([1.0, 0.0, 1.0]), h)
        spot[1] = last[foot][1]
        moves.append((foot, land - swing, land, spot - last[foot], lift, h))
        last[foot] = spot
    apply_steps(track, ctx.body, t, moves)
    forward = np.stack([np.sin(track.heading), np.zeros(len(t)), np.cos(track.heading)], -1) * 0.03 * s
    track.root[:, [0, 2]] = centre[[0, 2]] + forward[:, [0, 2]]
