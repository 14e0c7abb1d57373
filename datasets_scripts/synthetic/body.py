"""Body proportions of one actor, derived from ``skeleton.rest_pose(height)``.

Every length a generator needs (leg, arm, shoulder width, standing pelvis height) comes from here, so a
1.4 m child and a 1.95 m adult differ only through ``Body``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from stickgen.skeleton import JOINT_INDEX, REST_HEIGHT, rest_offsets, rest_pose

J = JOINT_INDEX


@dataclass(frozen=True)
class Body:
    """Proportions of an actor ``height`` metres tall (1.4-1.95 m in the generator)."""

    height: float

    @cached_property
    def rest(self) -> np.ndarray:
        """Rest pose ``[22, 3]``, facing +z, toes on the ground."""
        return rest_pose(self.height)

    @cached_property
    def offsets(self) -> np.ndarray:
        """Offset of each joint from its parent at rest ``[22, 3]``."""
        return rest_offsets(self.height)

    @property
    def scale(self) -> float:
        """Ratio to the 1.75 m reference body; poses are written for 1.75 m and multiplied by this."""
        return self.height / REST_HEIGHT

    def _length(self, joint: str) -> float:
        return float(np.linalg.norm(self.offsets[J[joint]]))

    @property
    def thigh(self) -> float:
        return self._length("left_knee")

    @property
    def shin(self) -> float:
        return self._length("left_ankle")

    @property
    def leg(self) -> float:
        """Hip-to-ankle length with the knee straight."""
        return self.thigh + self.shin

    @property
    def upper_arm(self) -> float:
        return self._length("left_elbow")

    @property
    def forearm(self) -> float:
        return self._length("left_wrist")

    @property
    def arm(self) -> float:
        """Shoulder-to-wrist length with the elbow straight."""
        return self.upper_arm + self.forearm

    @property
    def ankle_height(self) -> float:
        """Ankle height above the ground with the foot flat."""
        return float(self.rest[J["left_ankle"], 1])

    @property
    def pelvis_height(self) -> float:
        """Pelvis height standing at rest (legs almost straight)."""
        return float(self.rest[J["pelvis"], 1])

    @property
    def hip_half_width(self) -> float:
        return float(self.rest[J["left_hip"], 0])

    @cached_property
    def foot_vectors(self) -> np.ndarray:
        """Ankle-to-toe vector of each foot at rest ``[2, 3]`` (left, right)."""
        return self.offsets[[J["left_foot"], J["right_foot"]]]

    @cached_property
    def stance_feet(self) -> np.ndarray:
        """Ankle positions relative to the pelvis's ground point when standing at rest ``[2, 3]``."""
        feet = self.rest[[J["left_ankle"], J["right_ankle"]]].copy()
        feet[:, [0, 2]] -= self.rest[J["pelvis"], [0, 2]]
        return feet

    @cached_property
    def rest_hands(self) -> np.ndarray:
        """Relaxed wrist targets in the chest frame (origin between the shoulders) ``[2, 3]``."""
        s = self.scale
        return np.array([[0.21, -0.50, 0.04], [-0.21, -0.50, 0.04]]) * s
