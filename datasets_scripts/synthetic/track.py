"""``Track``: a clip as per-frame pose parameters, the space generators write in and blends happen in.

Joint positions come only at the end (``kinematics.assemble``), so every bone stays rigid and every
foot lands exactly where a generator planted it. Axes of the local frames: x to the actor's left,
y up, z forward. Index 0 of every ``[T, 2, ...]`` field is the left limb, 1 the right.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .body import Body

#: fields cross-faded from the previous step's last frame at a seam (feet and contacts never are:
#: generators start from the previous feet, so a stance foot stays planted across the seam)
BLENDED = ("root", "heading", "pelvis_tilt", "torso", "head", "hands", "elbow_poles", "knee_poles")


@dataclass
class Track:
    """Pose parameters for T frames.

    root: ``[T, 3]`` pelvis world position. heading: ``[T]`` pelvis yaw (0 faces +z, + turns toward +x).
    pelvis_tilt: ``[T, 2]`` pelvis (pitch forward, roll toward the right). torso: ``[T, 3]`` chest
    relative to pelvis (pitch, roll, twist), spread over the spine. head: ``[T, 2]`` (pitch down, yaw).
    feet: ``[T, 2, 3]`` ankle world targets. foot_yaw / foot_pitch: ``[T, 2]`` (pitch + is toe down).
    hands: ``[T, 2, 3]`` wrist targets in the chest frame, origin between the shoulders.
    elbow_poles: ``[T, 2, 3]`` (chest frame) and knee_poles: ``[T, 2, 3]`` (pelvis frame): the side
    each elbow or knee bends toward. contacts: ``[T, 4]`` bool, ``skeleton.FOOT_JOINTS`` order.
    """

    root: np.ndarray
    heading: np.ndarray
    pelvis_tilt: np.ndarray
    torso: np.ndarray
    head: np.ndarray
    feet: np.ndarray
    foot_yaw: np.ndarray
    foot_pitch: np.ndarray
    hands: np.ndarray
    elbow_poles: np.ndarray
    knee_poles: np.ndarray
    contacts: np.ndarray

    def __len__(self) -> int:
        return self.root.shape[0]

    def copy(self) -> Track:
        return Track(**{f.name: getattr(self, f.name).copy() for f in fields(self)})

    def frame(self, index: int) -> Track:
        """One frame as a 1-frame track."""
        return Track(**{f.name: getattr(self, f.name)[index:index + 1].copy() for f in fields(self)})

    def repeat(self, frames: int) -> Track:
        """A 1-frame track held for ``frames`` frames."""
        return Track(**{f.name: np.repeat(getattr(self, f.name)[:1], frames, axis=0) for f in fields(self)})

    def slice(self, start: int, end: int) -> Track:
        return Track(**{f.name: getattr(self, f.name)[start:end].copy() for f in fields(self)})


def concat(tracks: list[Track]) -> Track:
    """Tracks one after another."""
    return Track(**{f.name: np.concatenate([getattr(t, f.name) for t in tracks]) for f in fields(Track)})


def standing(body: Body, frames: int = 1, x: float = 0.0, z: float = 0.0, heading: float = 0.0) -> Track:
    """An actor standing at rest at ground point (x, z), facing ``heading``: ``frames`` frames."""
    from stickgen.skeleton import rotate_y

    root = np.array([x, body.pelvis_height, z])
    feet = rotate_y(body.stance_feet, heading) + np.array([x, 0.0, z])
    one = Track(
        root=root[None], heading=np.array([heading]), pelvis_tilt=np.zeros((1, 2)), torso=np.zeros((1, 3)),
        head=np.zeros((1, 2)), feet=feet[None], foot_yaw=np.full((1, 2), heading), foot_pitch=np.zeros((1, 2)),
        hands=body.rest_hands[None].copy(), elbow_poles=np.array([[[0.3, 0.0, -1.0], [-0.3, 0.0, -1.0]]]),
        knee_poles=np.array([[[0.1, 0.0, 1.0], [-0.1, 0.0, 1.0]]]), contacts=np.ones((1, 4), dtype=bool),
    )
    return one.repeat(frames)


def crossfade(previous: Track, track: Track, frames: int) -> Track:
    """Blend the first ``frames`` frames of ``track`` from the 1-frame ``previous`` (smoothstep weights).

    Only the ``BLENDED`` fields change; heading and angles are assumed unwrapped (continuous).
    """
    frames = min(frames, len(track))
    if frames <= 0:
        return track
    u = (np.arange(frames) + 1.0) / (frames + 1.0)
    w = u * u * (3.0 - 2.0 * u)
    out = track.copy()
    for name in BLENDED:
        ours = getattr(out, name)
        if name == "hands":
            ours[:frames] = blend_hands(np.repeat(previous.hands, frames, 0), ours[:frames], w)
            continue
        shape = (frames,) + (1,) * (ours.ndim - 1)
        ours[:frames] = getattr(previous, name)[0] * (1.0 - w.reshape(shape)) + ours[:frames] * w.reshape(shape)
    return out


def blend_hands(start: np.ndarray, goal: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Hand targets ``[T, 2, 3]`` (or ``[T, 3]``) moving from ``start`` to ``goal`` by ``weight [T]``.

    The path bulges forward in proportion to the height travelled, so a hand going from the thigh to
    overhead swings in front of the body instead of through the shoulder (where the elbow would flip).
    """
    w = weight.reshape((-1,) + (1,) * (goal.ndim - 1))
    out = start * (1 - w) + goal * w
    rise = np.abs(goal[..., 1] - start[..., 1])
    out[..., 2] += 0.5 * rise * np.sin(np.pi * np.clip(w[..., 0], 0.0, 1.0))
    return out
