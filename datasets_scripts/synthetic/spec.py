"""The generator's public records: ``ActionStep``, ``ClipSpec`` (what to make) and ``SyntheticClip`` (what came out)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from stickgen import vocab

MIN_HEIGHT, MAX_HEIGHT = 1.4, 1.95


@dataclass
class ActionStep:
    """One action of a clip: a ``stickgen.vocab`` action name, its duration (s) and its manner.

    ``params`` keys (all optional on input; ``generate`` fills in what it realised): "speed" m/s,
    "path" ("straight", "curve", "circle", "waypoints", "backwards", "sideways"), "turn" rad, "radius" m,
    "direction" ("left"/"right" for sideways), "start"/"stop" (bool: a gait begins/ends at rest),
    "cadence" steps/min, "handedness" ("left"/"right"), "energy" 0..1, "tempo" Hz, "style" (dance),
    "height_target" ("ground"/"chair" for sit), "seat_height" m, "from" (the posture "stand" rises
    from), "jump_height" m, "distance" m, "count", "knee" ("left"/"right"), "partner_height" m,
    "expression" (a vocab expression), "speech" (a vocab speech type), "target" [azimuth, elevation] rad.
    """

    action: str
    duration: float
    params: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        vocab.action_id(self.action)  # KeyError naming the valid actions
        if not (np.isfinite(self.duration) and 0.2 <= self.duration <= 60.0):
            raise ValueError(f"step {self.action!r}: duration must be 0.2-60 s, got {self.duration}")


@dataclass
class ClipSpec:
    """A clip to generate: its steps in order, body height (1.4-1.95 m), seed, mirror, frame rate.

    ``mirror`` mirrors the finished clip left-right (joints, contacts and the partner); ``params`` in
    the steps describe the motion before mirroring, so a mirrored "right hand" wave is shown left.
    """

    steps: list[ActionStep]
    height: float = 1.75
    seed: int = 0
    mirror: bool = False
    fps: int = 25

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("a clip needs at least one step")
        if not MIN_HEIGHT <= self.height <= MAX_HEIGHT:
            raise ValueError(f"height must be {MIN_HEIGHT}-{MAX_HEIGHT} m, got {self.height}")
        if not 10 <= self.fps <= 120:
            raise ValueError(f"fps must be 10-120, got {self.fps}")
        pairs = [s.action for s in self.steps if vocab.action_info(s.action).actors == 2]
        if len(pairs) > 1:
            raise ValueError(f"at most one two-actor step per clip, got {pairs}")

    @property
    def duration(self) -> float:
        return float(sum(s.duration for s in self.steps))

    def frame_counts(self) -> list[int]:
        """Frames of each step; rounding is carried so they add up to round(duration * fps)."""
        edges = np.round(np.cumsum([0.0] + [s.duration for s in self.steps]) * self.fps).astype(int)
        return [int(n) for n in np.diff(edges)]


@dataclass
class SyntheticClip:
    """A generated clip in world space (metres, +y up, ground y = 0).

    joints: ``[T, 22, 3]``; partner_joints: ``[T, 22, 3]`` or None (the second actor of a two-actor
    step, same world frame); action_ids, expression_ids, speech_ids: ``[T]`` int64 vocab ids (speech
    -1 = silent); contacts: ``[T, 4]`` bool in ``skeleton.FOOT_JOINTS`` order: the joint is planted by
    the generator's own stance phase (not re-detected) and at rest there (under 0.09 m/s into and out of
    the frame, so a foot pushing off fast loses its last contact frame); spec: the input spec with
    every realised parameter filled in (params describe the motion before ``mirror``).
    """

    spec: ClipSpec
    joints: np.ndarray
    partner_joints: np.ndarray | None
    action_ids: np.ndarray
    expression_ids: np.ndarray
    speech_ids: np.ndarray
    contacts: np.ndarray
    fps: int

    @property
    def num_frames(self) -> int:
        return int(self.joints.shape[0])
