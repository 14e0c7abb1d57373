"""Ground paths for locomotion, built from curvature along arc length so every path is smooth.

Positive curvature turns left (toward the actor's +x side at heading 0). A path is sampled densely
and queried by arc length; beyond its ends it continues straight along the end tangents.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLE = 0.02  # metres between path samples


@dataclass
class Path:
    """Arc length ``s [S]``, ground points ``xz [S, 2]`` and direction of travel ``theta [S]`` (rad)."""

    s: np.ndarray
    xz: np.ndarray
    theta: np.ndarray

    def at(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Points ``[N, 2]`` and directions ``[N]`` at arc lengths ``s [N]``, extrapolated straight."""
        s = np.asarray(s, dtype=np.float64)
        theta = np.interp(s, self.s, self.theta)
        xz = np.stack([np.interp(s, self.s, self.xz[:, 0]), np.interp(s, self.s, self.xz[:, 1])], axis=-1)
        for end, beyond in ((0, s < self.s[0]), (-1, s > self.s[-1])):
            if beyond.any():
                extra = (s[beyond] - self.s[end])[:, None]
                xz[beyond] = self.xz[end] + extra * direction(self.theta[end])
        return xz, theta


def direction(theta: np.ndarray | float) -> np.ndarray:
    """Unit ground vector ``[..., 2]`` (x, z) of travel direction ``theta``."""
    return np.stack([np.sin(theta), np.cos(theta)], axis=-1)


def from_curvature(start_xz: np.ndarray, start_theta: float, curvature: np.ndarray) -> Path:
    """Integrate ``curvature [S]`` (1/m, sampled every ``SAMPLE`` m) from a start point and direction."""
    s = np.arange(len(curvature)) * SAMPLE
    theta = start_theta + np.concatenate([[0.0], np.cumsum(0.5 * (curvature[1:] + curvature[:-1]) * SAMPLE)])
    steps = direction(0.5 * (theta[1:] + theta[:-1])) * SAMPLE
    xz = np.asarray(start_xz, dtype=np.float64) + np.concatenate([np.zeros((1, 2)), np.cumsum(steps, 0)])
    return Path(s, xz, theta)


def turn_bumps(s: np.ndarray, centres: list[float], angles: list[float], width: float) -> np.ndarray:
    """Curvature ``[S]`` turning by ``angles[i]`` rad around arc length ``centres[i]`` (Gaussian bumps)."""
    kappa = np.zeros_like(s)
    for centre, angle in zip(centres, angles):
        kappa += angle / (width * np.sqrt(2 * np.pi)) * np.exp(-0.5 * ((s - centre) / width) ** 2)
    return kappa


def piece_curvature(params: dict, s: np.ndarray) -> np.ndarray:
    """Curvature along one locomotion piece with local arc length ``s [S]`` from 0 to its length."""
    kind = params.get("path", "straight")
    length = max(float(s[-1]), SAMPLE)
    if kind == "curve":
        return np.full_like(s, params["turn"] / length)
    if kind == "circle":
        return np.full_like(s, np.sign(params["turn"] or 1.0) / params["radius"])
    if kind in ("waypoints", "bases"):
        count = len(params["turns"])
        centres = [length * (i + 1) / (count + 1) for i in range(count)]
        return turn_bumps(s, centres, list(params["turns"]), params.get("turn_width", 0.6))
    return np.zeros_like(s)
