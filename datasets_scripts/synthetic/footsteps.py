"""Foot plants and swings: where each foot stands and when, turned into per-frame ankle trajectories.

A foot is either planted (world position fixed, both its foot joints in contact) or swinging from one
plant to the next on an eased arc (it starts and ends at rest), so a stance foot never moves by construction.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Plant:
    """A foot standing at ``position`` (ankle ``[3]``, foot flat) with yaw ``yaw`` from ``start`` to ``end`` (s).

    ``lift``: peak height gained by the swing that arrives here (reached before mid-swing); ``kick``:
    how much that swing's travel lags its lift (the heel kicking up behind). ``heel_off``: seconds
    before ``end`` during which the heel rises and the
    foot rolls about its planted toe up to ``toe_off`` rad; ``heel_strike``: seconds after ``start``
    during which the foot, landing toe-up by ``strike`` rad, flattens about its planted ankle.
    """

    start: float
    end: float
    position: np.ndarray
    yaw: float
    lift: float = 0.08
    kick: float = 0.0
    heel_off: float = 0.0
    toe_off: float = 0.5
    heel_strike: float = 0.0
    strike: float = 0.25


def minimum_jerk(u: np.ndarray) -> np.ndarray:
    """0 -> 1 with zero velocity and acceleration at both ends."""
    u = np.clip(u, 0.0, 1.0)
    return u ** 3 * (10.0 - 15.0 * u + 6.0 * u * u)


def smoothstep(u: np.ndarray) -> np.ndarray:
    u = np.clip(u, 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def rotated_foot(yaw: np.ndarray, pitch: np.ndarray, foot_vector: np.ndarray) -> np.ndarray:
    """Ankle-to-toe vectors ``[T, 3]`` of a foot turned by yaw and pitched (+ toe down)."""
    local = np.stack([np.full_like(pitch, foot_vector[0]),
                      foot_vector[1] * np.cos(pitch) - foot_vector[2] * np.sin(pitch),
                      foot_vector[1] * np.sin(pitch) + foot_vector[2] * np.cos(pitch)], -1)
    c, s = np.cos(yaw), np.sin(yaw)
    return np.stack([c * local[:, 0] + s * local[:, 2], local[:, 1], -s * local[:, 0] + c * local[:, 2]], -1)


def foot_trajectory(times: np.ndarray, plants: list[Plant], foot_vector: np.ndarray) -> tuple[np.ndarray, ...]:
    """One foot over ``times [T]``: (ankle ``[T, 3]``, yaw ``[T]``, pitch ``[T]``, contacts ``[T, 2]``).

    ``foot_vector [3]``: the foot's rest ankle-to-toe vector. Contacts are (ankle, toe): the ankle is
    planted while the heel is down, the toe while the forefoot is down; neither moves while planted.
    Plants must be in time order and not overlap. Before the first plant the foot holds it. A swing
    eases out of and into its plants: travel follows a smoothstep (lagged by ``kick``), the lift a
    sin^2 bump peaking early; both start and end at rest.
    """
    starts = np.array([p.start for p in plants])
    ends = np.array([p.end for p in plants])
    if np.any(ends < starts) or np.any(starts[1:] < ends[:-1] - 1e-9):
        raise ValueError("foot plants must be ordered and must not overlap")

    def attr(name):
        return np.array([getattr(p, name) for p in plants], dtype=np.float64)

    positions, yaws = np.array([p.position for p in plants], dtype=np.float64), attr("yaw")
    k = np.clip(np.searchsorted(starts, times, side="right") - 1, 0, len(plants) - 1)
    nxt = np.minimum(k + 1, len(plants) - 1)
    swinging = (times > ends[k]) & (k < len(plants) - 1)
    # stance: heel strike at the start, heel-off roll about the toe at the end
    heel_off, toe_off = attr("heel_off"), attr("toe_off")
    strike_time, strike = attr("heel_strike"), attr("strike")
    rolls = (heel_off[k] > 0) & (k < len(plants) - 1)  # the last plant stays flat: no step follows it
    roll = np.where(rolls, smoothstep((times - (ends[k] - heel_off[k])) / np.maximum(heel_off[k], 1e-6)), 0.0)
    flat = np.where(strike_time[k] > 0, smoothstep((times - starts[k]) / np.maximum(strike_time[k], 1e-6)), 1.0)
    stance_pitch = toe_off[k] * roll - strike[k] * (1.0 - flat) * (strike_time[k] > 0)
    toe_planted = positions[k] + rotated_foot(yaws[k], np.zeros_like(times), foot_vector)
    stance_ankle = np.where((roll > 0)[:, None],
                            toe_planted - rotated_foot(yaws[k], stance_pitch, foot_vector), positions[k])
    # swing: from the rolled-off foot to the next plant's toe-up landing, on a minimum-jerk arc
    gap = np.where(swinging, starts[nxt] - ends[k], 1.0)
    u = np.where(swinging, np.clip((times - np.where(swinging, ends[k], 0.0)) / np.maximum(gap, 1e-6), 0, 1), 0.0)
    lift, kick = attr("lift")[nxt], attr("kick")[nxt]
    w = smoothstep(u ** (1.0 + 2.0 * kick))
    lift_pitch = toe_off[k] * (heel_off[k] > 0)
    land_pitch = -strike[nxt] * (strike_time[nxt] > 0)
    off_ankle = toe_planted - rotated_foot(yaws[k], lift_pitch, foot_vector)
    swing_ankle = off_ankle + (positions[nxt] - off_ankle) * w[:, None]
    swing_ankle[:, 1] += lift * np.sin(np.pi * u ** 0.8) ** 2  # highest early: the heel comes up behind
    swing_pitch = lift_pitch * (1.0 - w) + land_pitch * w + np.minimum(0.4, 2.0 * lift) * np.sin(np.pi * u) * (1 - u)
    ankle = np.where(swinging[:, None], swing_ankle, stance_ankle)
    pitch = np.where(swinging, swing_pitch, stance_pitch)
    yaw = yaws[k] + (yaws[nxt] - yaws[k]) * np.where(swinging, w, 0.0)
    contacts = np.stack([~swinging & (roll <= 0.0), ~swinging & (flat >= 1.0)], -1)
    return ankle, yaw, pitch, contacts


def feet_from_plants(times: np.ndarray, left: list[Plant], right: list[Plant],
                     foot_vectors: np.ndarray) -> tuple[np.ndarray, ...]:
    """Both feet: (feet ``[T, 2, 3]``, foot_yaw ``[T, 2]``, foot_pitch ``[T, 2]``, contacts ``[T, 4]``).

    ``foot_vectors [2, 3]``: ``Body.foot_vectors``.
    """
    la, ly, lp, lc = foot_trajectory(times, left, foot_vectors[0])
    ra, ry, rp, rc = foot_trajectory(times, right, foot_vectors[1])
    contacts = np.stack([lc[:, 0], rc[:, 0], lc[:, 1], rc[:, 1]], axis=1)
    return np.stack([la, ra], 1), np.stack([ly, ry], 1), np.stack([lp, rp], 1), contacts


def step_to(plants: list[Plant], lift_time: float, land_time: float, position: np.ndarray, yaw: float,
            lift: float = 0.08) -> None:
    """Append a step to a foot's plant list: the current plant ends at ``lift_time``, a new one begins."""
    plants[-1].end = lift_time
    plants.append(Plant(land_time, np.inf, np.asarray(position, dtype=np.float64), yaw, lift))


def planted_at(track_feet: np.ndarray, track_yaw: np.ndarray) -> tuple[list[Plant], list[Plant]]:
    """Open-ended plants at the feet of a 1-frame track (``feet [1, 2, 3]``, ``yaw [1, 2]``)."""
    return ([Plant(-np.inf, np.inf, track_feet[0, 0].copy(), float(track_yaw[0, 0]))],
            [Plant(-np.inf, np.inf, track_feet[0, 1].copy(), float(track_yaw[0, 1]))])


def apply_steps(track, body, times: np.ndarray, moves: list[tuple]) -> None:
    """Re-plan a held track's feet with steps ``(foot, lift_time, land_time, world_delta [3], lift[, yaw])``:
    each foot starts where ``track`` has it at frame 0 and moves by ``world_delta`` per step (turning to
    ``yaw`` when given). Until a foot first lifts, the track's own foot (e.g. settling flat) is kept.
    Writes ``track.feet``, ``foot_yaw``, ``foot_pitch`` and ``contacts`` in place."""
    plants = planted_at(track.feet[:1], track.foot_yaw[:1])
    for move in sorted(moves, key=lambda m: m[1]):
        foot, lift_time, land_time, delta, lift = move[:5]
        yaw = move[5] if len(move) > 5 else plants[foot][-1].yaw
        step_to(plants[foot], lift_time, land_time, plants[foot][-1].position + np.asarray(delta), yaw, lift)
    feet, yaw, pitch, contacts = feet_from_plants(times, plants[0], plants[1], body.foot_vectors)
    for foot in (0, 1):
        moved = times >= plants[foot][0].end - 1e-9
        track.feet[moved, foot], track.foot_yaw[moved, foot], track.foot_pitch[moved, foot] = \
            feet[moved, foot], yaw[moved, foot], pitch[moved, foot]
        for column in (foot, foot + 2):
            track.contacts[moved, column] = contacts[moved, column]
