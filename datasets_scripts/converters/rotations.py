"""Rotation helpers shared by the converters (pure numpy, no state)."""
from __future__ import annotations

import numpy as np


def quat_to_matrix(quat: np.ndarray) -> np.ndarray:
    """Quaternions ``(w, x, y, z)`` ``[..., 4]`` (normalised here) -> rotation matrices ``[..., 3, 3]``."""
    quat = np.asarray(quat, dtype=np.float64)
    norm = np.linalg.norm(quat, axis=-1, keepdims=True)
    if np.any(norm < 1e-8):
        raise ValueError("a quaternion has (near) zero length")
    w, x, y, z = np.moveaxis(quat / norm, -1, 0)
    return np.stack([
        np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], axis=-1),
        np.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], axis=-1),
        np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], axis=-1),
    ], axis=-2)


def axis_angle_matrix(axis: str, angle: np.ndarray) -> np.ndarray:
    """Rotation by ``angle`` radians ``[...]`` about the ``"x"``, ``"y"`` or ``"z"`` axis: ``[..., 3, 3]``."""
    angle = np.asarray(angle, dtype=np.float64)
    c, s = np.cos(angle), np.sin(angle)
    one, zero = np.ones_like(angle), np.zeros_like(angle)
    rows = {
        "x": ((one, zero, zero), (zero, c, -s), (zero, s, c)),
        "y": ((c, zero, s), (zero, one, zero), (-s, zero, c)),
        "z": ((c, -s, zero), (s, c, zero), (zero, zero, one)),
    }[axis]
    return np.stack([np.stack(row, axis=-1) for row in rows], axis=-2)


def euler_to_matrix(angles: np.ndarray, order: str = "xyz") -> np.ndarray:
    """Euler angles ``[..., len(order)]`` radians, applied in ``order`` about fixed axes -> ``[..., 3, 3]``.

    ``order="xyz"`` gives ``Rz @ Ry @ Rx`` (rotate about x first), the Acclaim ASF/AMC convention.
    """
    angles = np.asarray(angles, dtype=np.float64)
    out = np.broadcast_to(np.eye(3), angles.shape[:-1] + (3, 3)).copy()
    for i, axis in enumerate(order):
        out = axis_angle_matrix(axis, angles[..., i]) @ out
    return out


def nlerp(q0: np.ndarray, q1: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Normalised linear interpolation of quaternions ``[..., 4]`` by weights ``w`` ``[...]`` (shortest arc)."""
    q0 = q0 / np.linalg.norm(q0, axis=-1, keepdims=True)
    q1 = q1 / np.linalg.norm(q1, axis=-1, keepdims=True)
    q1 = np.where(np.sum(q0 * q1, axis=-1, keepdims=True) < 0, -q1, q1)
    q = q0 * (1 - w[..., None]) + q1 * w[..., None]
    return q / np.linalg.norm(q, axis=-1, keepdims=True)
