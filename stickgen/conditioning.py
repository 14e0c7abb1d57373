"""What the story engine hands the generator: a per-actor, per-frame plan of the scene.

The story engine (``stickgen.story``) turns a prompt or a script into a :class:`ScenePlan`; the pipeline
(``stickgen.pipeline``) turns a plan into a :class:`~stickgen.motion.Scene`. Neither needs the other's
internals, only these two classes.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Sequence

import numpy as np

from . import vocab
from .control import CHANNELS, CONTROL_DIM, from_trajectory, path_headings
from .motion import Segment


@dataclass
class ActorPlan:
    """One actor's plan.

    ``action_ids: [T]`` int64 vocabulary ids per frame; ``text`` is the sentence the text encoder sees
    for this actor; ``path: [K, 2]`` optional world x/z waypoints (metres) the root should follow;
    ``start_position`` is the world x/z of the pelvis at frame 0 and ``facing`` the heading at frame 0
    (radians, 0 faces +z, positive turns toward +x); ``speed`` (m/s) and ``energy`` (0..1) are manner
    hints; ``target_speed: [T]`` optional ground speed (m/s) of the pelvis per frame, NaN where free, that
    the pipeline paces the generated motion to (:mod:`stickgen.pacing`); ``partner`` is the index of the actor
    this one interacts with, if any; ``meets`` lists ``(frame, other actor index, metres)`` where the layout
    has this actor come up to another without touching it ("walks toward her", "walk toward each other"),
    which :mod:`stickgen.staging` makes true.
    ``control: [T, 8]`` optional per-frame control signals the planner follows (:mod:`stickgen.control`:
    body-frame velocity, heading rate, pelvis rise, acting hand), NaN where free.
    """

    id: str
    text: str
    action_ids: np.ndarray
    name: str | None = None
    color: str | None = None
    start_position: tuple[float, float] = (0.0, 0.0)
    facing: float = 0.0
    path: np.ndarray | None = None
    speed: float | None = None
    target_speed: np.ndarray | None = None
    control: np.ndarray | None = None
    energy: float = 0.5
    partner: int | None = None
    meets: list[tuple[int, int, float]] = field(default_factory=list)
    expressions: list[Segment] = field(default_factory=list)
    speech: list[Segment] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.action_ids = np.asarray(self.action_ids, dtype=np.int64)
        if self.action_ids.ndim != 1 or len(self.action_ids) == 0:
            raise ValueError(f"action_ids: expected a non-empty [T] array, got shape {self.action_ids.shape}")
        if self.action_ids.min() < 0 or self.action_ids.max() >= len(vocab.ACTIONS):
            raise ValueError("action_ids: ids must index stickgen.vocab.ACTIONS")
        if self.path is not None:
            self.path = np.asarray(self.path, dtype=np.float64).reshape(-1, 2)
        if self.target_speed is not None:
            self.target_speed = np.asarray(self.target_speed, dtype=np.float64)
            if self.target_speed.shape != self.action_ids.shape:
                raise ValueError(f"target_speed: expected shape [{len(self.action_ids)}] like action_ids, "
                                 f"got {list(self.target_speed.shape)}")
            if np.any(self.target_speed < 0):
                raise ValueError("target_speed: speeds must be >= 0 m/s (NaN where free)")
        if self.control is not None:
            self.control = np.asarray(self.control, dtype=np.float64)
            if self.control.shape != (len(self.action_ids), CONTROL_DIM):
                raise ValueError(f"control: expected shape [{len(self.action_ids)}, {CONTROL_DIM}] "
                                 f"({', '.join(CHANNELS)}), got {list(self.control.shape)}")
            if np.any(np.isinf(self.control)):
                raise ValueError("control: values must be finite numbers (NaN where free)")

    @property
    def num_frames(self) -> int:
        return len(self.action_ids)

    def action_segments(self) -> list[Segment]:
        """Runs of equal action ids as half-open frame segments."""
        ids = self.action_ids
        cuts = [0, *np.flatnonzero(np.diff(ids)) + 1, len(ids)]
        return [Segment(int(a), int(b), vocab.ACTION_NAMES[ids[a]]) for a, b in zip(cuts[:-1], cuts[1:])]


@dataclass
class ScenePlan:
    """All actors' plans on one clock, plus the camera object and metadata for the resulting Scene."""

    actors: list[ActorPlan]
    fps: float = 25
    camera: dict[str, Any] | None = None
    objects: list[dict[str, Any]] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.actors:
            raise ValueError("a scene plan needs at least one actor")
        if len({a.num_frames for a in self.actors}) != 1:
            raise ValueError("all actor plans must cover the same number of frames")

    @property
    def num_frames(self) -> int:
        return self.actors[0].num_frames


def with_trajectory(plan: ScenePlan, trajectory: np.ndarray, headings: np.ndarray | None = None) -> ScenePlan:
    """``plan`` with its first actor following the caller's root path: ``trajectory [T, 2]`` world x/z
    (metres) per frame of the plan's clock, ``headings [T]`` radians (default: along the path). The
    actor starts at the path's first point, facing its first heading, with the root channels of its
    controls taken from the path (:func:`stickgen.control.from_trajectory`) and no layout path."""
    trajectory = np.asarray(trajectory, dtype=np.float64)
    if trajectory.ndim != 2 or len(trajectory) != plan.num_frames:
        raise ValueError(f"trajectory: expected [{plan.num_frames}, 2] world x/z positions (one per frame at "
                         f"{plan.fps:g} fps), got {list(trajectory.shape)}")
    headings = path_headings(trajectory, plan.fps) if headings is None else np.asarray(headings, dtype=np.float64)
    wanted = from_trajectory(trajectory, plan.fps, headings)
    actor = plan.actors[0]
    control = np.full_like(wanted, np.nan) if actor.control is None else actor.control.copy()
    control[:, :3] = wanted[:, :3]
    moved = replace(actor, start_position=(float(trajectory[0, 0]), float(trajectory[0, 1])),
                    facing=float(headings[0]), path=None, target_speed=None, control=control)
    return replace(plan, actors=[moved, *plan.actors[1:]])


def plan_from_actions(actions: Sequence[str | tuple[str, float]], text: str, fps: float = 25,
                      duration: float | None = None, **actor_fields) -> ScenePlan:
    """A one-actor :class:`ScenePlan` from action names (equal shares) or ``(name, seconds)`` pairs.

    A convenience for tests, benchmarks and scripted use without the story engine.
    """
    pairs = [(a, None) if isinstance(a, str) else a for a in actions]
    if not pairs:
        raise ValueError("actions: give at least one action")
    if duration is None and any(sec is None for _, sec in pairs):
        raise ValueError("give a duration or a length for every action")
    ids: list[int] = []
    for name, seconds in pairs:
        share = seconds if seconds is not None else duration / len(pairs)
        ids += [vocab.action_id(name)] * max(1, int(round(share * fps)))
    actor = ActorPlan(id="a0", text=text, action_ids=np.array(ids), **actor_fields)
    return ScenePlan([actor], fps=fps, meta={"prompt": text})
