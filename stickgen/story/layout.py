"""Ground paths of a story: where each character walks, in world x/z metres.

Pure numpy. A heading is radians about +y (0 faces +z, positive turns toward +x, so +pi/2 faces the
character's own left side at rest). :func:`segment` turns one moving action ("walk 4 m in a circle") into
waypoints; :func:`is_straight_ray` tells whether a trajectory needs a path at all or just a facing.
"""
from __future__ import annotations

import numpy as np

MAX_CIRCLE_RADIUS = 4.0
MIN_CIRCLE_RADIUS = 0.6
BASE_SIDE = (3.0, 27.4)  # metres between bases: smallest drawn, regulation
ZIGZAG_WIDTH, ZIGZAG_STEP = 0.8, 1.5
ABSOLUTE_HEADINGS = {"camera": 0.0, "away": np.pi, "across": np.pi / 2}
TURNS = {"left": np.pi / 2, "right": -np.pi / 2}


def unit(heading: float) -> np.ndarray:
    """Ground direction ``[2]`` (x, z) of a heading."""
    return np.array([np.sin(heading), np.cos(heading)])


def heading_of(vector: np.ndarray) -> float:
    """Heading of a ground vector ``[2]`` (x, z)."""
    return float(np.arctan2(vector[0], vector[1]))


def start_heading(heading: float, direction: str | None) -> float:
    """The heading a character takes before moving in ``direction`` ("left" turns it a quarter left)."""
    if direction in TURNS:
        return heading + TURNS[direction]
    return ABSOLUTE_HEADINGS.get(direction, heading)


def segment(position: np.ndarray, heading: float, direction: str | None, length: float
            ) -> tuple[np.ndarray, float]:
    """Waypoints ``[K, 2]`` of moving ``length`` metres from ``position`` in ``direction``, and the
    heading at the end. ``direction`` is a :data:`stickgen.story.schema.DIRECTIONS` keyword (None is
    forward); "toward"/"converge" are resolved by the caller into a heading and "forward"."""
    position = np.asarray(position, dtype=float)
    heading = start_heading(heading, direction)
    if length <= 1e-6 or direction == "in_place":
        return np.zeros((0, 2)), heading
    if direction == "backward":
        return (position - length * unit(heading))[None], heading
    if direction in ("circle", "circle_right"):
        return _arc(position, heading, length, 1.0 if direction == "circle" else -1.0)
    if direction == "bases":
        return _diamond(position, heading, length), heading
    if direction == "back_and_forth":
        return _shuttle(position, heading, length)
    if direction == "zigzag":
        return _zigzag(position, heading, length), heading
    return (position + length * unit(heading))[None], heading


def _arc(position: np.ndarray, heading: float, length: float, side: float) -> tuple[np.ndarray, float]:
    """A circle starting along ``heading``, turning left (``side`` 1: counter-clockwise seen from above) or
    right (-1: clockwise): whole laps (as many as a radius of at most MAX_CIRCLE_RADIUS needs, so a
    long way ends where it began), or part of one lap of MIN_CIRCLE_RADIUS for a short way."""
    laps = max(1, round(length / (2 * np.pi * MAX_CIRCLE_RADIUS)))
    radius = float(max(length / (2 * np.pi * laps), MIN_CIRCLE_RADIUS))
    center = position + radius * unit(heading + side * np.pi / 2)
    sweep = side * length / radius
    angles = np.linspace(0.0, sweep, max(2, int(np.ceil(abs(sweep) / 0.25)) + 1))[1:]
    start_angle = heading - side * np.pi / 2  # direction from the centre to the start, as a heading
    points = center + radius * np.stack([np.sin(start_angle + angles), np.cos(start_angle + angles)], axis=1)
    return points, heading + sweep


def _diamond(position: np.ndarray, heading: float, length: float) -> np.ndarray:
    """Home -> first -> second -> third -> home, counter-clockwise seen from above the batter."""
    side = float(np.clip(length / 4, *BASE_SIDE))
    corners, point = [], position
    for turn in (-np.pi / 4, np.pi / 4, 3 * np.pi / 4, -3 * np.pi / 4):
        point = point + side * unit(heading + turn)
        corners.append(point)
    return np.array(corners)


def _shuttle(position: np.ndarray, heading: float, length: float) -> tuple[np.ndarray, float]:
    """Out and back, in legs of about 4 m."""
    legs = max(2, 2 * int(round(length / 8.0)))
    leg = length / legs
    ends = [position + leg * unit(heading) if k % 2 == 0 else position for k in range(legs)]
    return np.array(ends), heading + np.pi * (legs % 2)


def _zigzag(position: np.ndarray, heading: float, length: float) -> np.ndarray:
    count = max(2, int(length / ZIGZAG_STEP))
    side = unit(heading + np.pi / 2)
    ahead = np.arange(1, count + 1)[:, None] * (length / count) * unit(heading)
    sway = np.where(np.arange(count) % 2 == 0, ZIGZAG_WIDTH / 2, -ZIGZAG_WIDTH / 2)[:, None] * side
    return position + ahead + sway


def is_straight_ray(start: np.ndarray, points: np.ndarray, tolerance: float = 1e-3) -> bool:
    """Whether every point ``[K, 2]`` lies on one ray from ``start``, each farther than the last."""
    if len(points) == 0:
        return True
    offsets = np.asarray(points, dtype=float) - np.asarray(start, dtype=float)
    farthest = offsets[np.argmax(np.linalg.norm(offsets, axis=1))]
    if np.linalg.norm(farthest) < tolerance:
        return True
    direction = farthest / np.linalg.norm(farthest)
    along = offsets @ direction
    across = np.abs(offsets[:, 0] * direction[1] - offsets[:, 1] * direction[0])
    return bool(np.all(across < tolerance) and np.all(np.diff(np.concatenate([[0.0], along])) > -tolerance))

