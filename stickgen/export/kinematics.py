"""Joint rotations for the ``smpl22`` tree: forward kinematics, rotations solved from positions, and
conversions between rotation matrices, Euler angles and quaternions. Pure numpy.

Convention (as BVH and glTF): joint ``j`` sits at ``world[parent] + R_world[parent] @ offset[j]`` and
``R_world[j] = R_world[parent] @ local[j]``; the root's world rotation is its local one.
"""
from __future__ import annotations

import numpy as np

from ..skeleton import JOINT_INDEX, NUM_JOINTS, PARENTS, bone_lengths, rest_offsets

CHILDREN: tuple[tuple[int, ...], ...] = tuple(tuple(c for c in range(NUM_JOINTS) if PARENTS[c] == j)
                                              for j in range(NUM_JOINTS))
#: where a joint has several children, the spine child is matched exactly (it carries the torso and head,
#: so a tilt there would move them by a long lever); the hips and collars take the best turn about it
SPINE_CHILDREN = frozenset(JOINT_INDEX[name] for name in ("spine1", "neck"))


# ----------------------------------------------------------------------------- forward kinematics


def forward_kinematics(root: np.ndarray, local: np.ndarray, offsets: np.ndarray,
                       parents: tuple[int, ...] = PARENTS) -> np.ndarray:
    """World joint positions ``[T, J, 3]`` from ``root: [T, 3]``, ``local: [T, J, 3, 3]`` and
    ``offsets: [J, 3]`` (parents must precede children)."""
    num = len(parents)
    world_rot = np.empty_like(local)
    joints = np.empty(local.shape[:-2] + (3,))
    for j, parent in enumerate(parents[:num]):
        if parent < 0:
            world_rot[:, j] = local[:, j]
            joints[:, j] = root + offsets[j]
        else:
            world_rot[:, j] = world_rot[:, parent] @ local[:, j]
            joints[:, j] = joints[:, parent] + np.einsum("tij,j->ti", world_rot[:, parent], offsets[j])
    return joints


# ----------------------------------------------------------------------------- solving rotations


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


def _cross_matrix(v: np.ndarray) -> np.ndarray:
    """``K`` with ``K @ w == cross(v, w)``: ``[..., 3] -> [..., 3, 3]``."""
    k = np.zeros(v.shape[:-1] + (3, 3))
    k[..., 0, 1], k[..., 0, 2], k[..., 1, 2] = -v[..., 2], v[..., 1], -v[..., 0]
    k[..., 1, 0], k[..., 2, 0], k[..., 2, 1] = v[..., 2], -v[..., 1], v[..., 0]
    return k


def align_rotation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Smallest rotation turning direction ``a`` onto ``b``: ``[..., 3], [..., 3] -> [..., 3, 3]``."""
    a, b = _unit(a), _unit(b)
    axis = np.cross(a, b)
    cos = np.sum(a * b, axis=-1)
    # a half-turn (cos = -1) needs any axis perpendicular to a
    fallback = np.cross(a, np.where(np.abs(a[..., :1]) < 0.9, [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]))
    opposite = cos < -1 + 1e-9
    k = _cross_matrix(np.where(opposite[..., None], _unit(fallback), axis))
    scale = np.where(opposite, 2.0, 1.0 / np.maximum(1.0 + cos, 1e-12))[..., None, None]
    return np.eye(3) + k + k @ k * scale


def fit_rotation(rest: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Rotation ``R`` minimising ``|R @ rest_i - target_i|`` (Kabsch): ``[N, 3], [..., N, 3] -> [..., 3, 3]``."""
    h = np.einsum("ni,...nj->...ij", rest, target)
    u, _, vt = np.linalg.svd(h)
    d = np.sign(np.linalg.det(np.swapaxes(vt, -1, -2) @ np.swapaxes(u, -1, -2)))
    fix = np.ones(d.shape + (3,))
    fix[..., 2] = d
    return np.swapaxes(vt, -1, -2) @ (fix[..., :, None] * np.swapaxes(u, -1, -2))


def fit_rotation_about(rest: np.ndarray, target: np.ndarray, pivot: int) -> np.ndarray:
    """Rotation ``R`` turning ``rest[pivot]`` exactly along ``target[..., pivot, :]``, then about that
    axis to minimise ``|R @ rest_i - target_i|`` for the other rows: ``[N, 3], [..., N, 3] -> [..., 3, 3]``."""
    axis = _unit(target[..., pivot, :])                                            # [..., 3]
    first = align_rotation(np.broadcast_to(rest[pivot], axis.shape), axis)
    turned = np.einsum("...ij,nj->...ni", first, rest)                             # [..., N, 3]
    sin = np.einsum("...i,...ni->...", axis, np.cross(turned, target))
    cos = (np.einsum("...ni,...ni->...", turned, target)
           - np.einsum("...ni,...i,...nj,...j->...", turned, axis, target, axis))
    angle = np.arctan2(sin, cos)[..., None, None]
    k = _cross_matrix(axis)
    return (np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k) @ first


def _fit_children(offsets: np.ndarray, joints: np.ndarray, j: int) -> np.ndarray:
    """World rotation ``[T, 3, 3]`` of joint ``j`` (several children) carrying its children's
    ``offsets: [22, 3]`` onto ``joints: [T, 22, 3]``, the spine child exactly (:data:`SPINE_CHILDREN`)."""
    kids = list(CHILDREN[j])
    pivot = next(i for i, child in enumerate(kids) if child in SPINE_CHILDREN)
    return fit_rotation_about(offsets[kids], joints[:, kids] - joints[:, j:j + 1], pivot)


def actor_offsets(joints: np.ndarray) -> np.ndarray:
    """Rest offsets ``[22, 3]`` for an actor's clip ``joints: [T, 22, 3]``.

    Single bones keep the standard rest direction (``skeleton.rest_offsets``) at the actor's median
    length. Bones that share a parent (hips and spine from the pelvis; neck and collars from spine3)
    keep the actor's own median shape, turned to best match the rest pose, so that a rigid body
    reproduces exactly.
    """
    lengths = np.median(bone_lengths(joints), axis=0)
    standard = rest_offsets()
    offsets = np.zeros((NUM_JOINTS, 3))
    offsets[1:] = _unit(standard[1:]) * lengths[:, None]
    for j, children in enumerate(CHILDREN):
        if len(children) < 2:
            continue
        kids = list(children)
        actual = joints[:, kids] - joints[:, j:j + 1]                            # [T, C, 3]
        fitted = _fit_children(offsets, joints, j)                               # [T, 3, 3]
        shape = np.median(np.einsum("tji,tcj->tci", fitted, actual), axis=0)     # back in rest frame
        shape = fit_rotation(shape, offsets[kids]) @ shape.T
        offsets[kids] = _unit(shape.T) * lengths[np.array(kids) - 1, None]
    return offsets


def solve_rotations(joints: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Local rotations ``[T, 22, 3, 3]`` that carry ``offsets: [22, 3]`` onto ``joints: [T, 22, 3]``.

    A joint with one child turns by the smallest rotation from where its parent's rotation already
    points the bone (so twist is inherited, never invented); a joint with several children points its
    spine child exactly and turns about it to fit the others best (:func:`fit_rotation_about`); a leaf
    keeps its parent's rotation.
    """
    frames = joints.shape[0]
    world = np.empty((frames, NUM_JOINTS, 3, 3))
    local = np.empty_like(world)
    for j in range(NUM_JOINTS):
        parent = PARENTS[j]
        parent_rot = world[:, parent] if parent >= 0 else np.broadcast_to(np.eye(3), (frames, 3, 3))
        kids = list(CHILDREN[j])
        if not kids:
            world[:, j] = parent_rot
        elif len(kids) == 1:
            current = np.einsum("tij,j->ti", parent_rot, offsets[kids[0]])
            world[:, j] = align_rotation(current, joints[:, kids[0]] - joints[:, j]) @ parent_rot
        else:
            world[:, j] = _fit_children(offsets, joints, j)
        local[:, j] = np.swapaxes(parent_rot, -1, -2) @ world[:, j]
    return local


def fit_to_skeleton(joints: np.ndarray) -> np.ndarray:
    """The closest clip a joint-rotation file (BVH, glTF) can hold exactly: ``[T, 22, 3] -> [T, 22, 3]``.

    Rebuilds the clip by forward kinematics from :func:`solve_rotations` on :func:`actor_offsets`: bone
    lengths and the hip and collar triangles become constant. A clip that already has rigid bones and
    triangles comes back unchanged (to float precision); exporting the result round-trips exactly.
    """
    joints = np.asarray(joints, dtype=np.float64)
    offsets = actor_offsets(joints)
    return forward_kinematics(joints[:, 0] - offsets[0], solve_rotations(joints, offsets), offsets)


# ----------------------------------------------------------------------------- conversions


def _axis_rotation(axis: str, radians: np.ndarray) -> np.ndarray:
    c, s = np.cos(radians), np.sin(radians)
    one, zero = np.ones_like(c), np.zeros_like(c)
    rows = {"X": [[one, zero, zero], [zero, c, -s], [zero, s, c]],
            "Y": [[c, zero, s], [zero, one, zero], [-s, zero, c]],
            "Z": [[c, -s, zero], [s, c, zero], [zero, zero, one]]}[axis]
    return np.stack([np.stack(r, axis=-1) for r in rows], axis=-2)


def euler_to_matrix(degrees: np.ndarray, order: str) -> np.ndarray:
    """Intrinsic Euler angles (BVH channel order, e.g. ``"ZXY"``): ``[..., 3] -> [..., 3, 3]``."""
    radians = np.radians(degrees)
    out = _axis_rotation(order[0], radians[..., 0])
    for k in (1, 2):
        out = out @ _axis_rotation(order[k], radians[..., k])
    return out


def matrix_to_euler_zxy(matrix: np.ndarray) -> np.ndarray:
    """``R = Rz @ Rx @ Ry`` -> degrees ``[..., 3]`` in the order (z, x, y)."""
    x = np.arcsin(np.clip(matrix[..., 2, 1], -1.0, 1.0))
    y = np.arctan2(-matrix[..., 2, 0], matrix[..., 2, 2])
    z = np.arctan2(-matrix[..., 0, 1], matrix[..., 1, 1])
    return np.degrees(np.stack([z, x, y], axis=-1))


def matrix_to_quaternion(matrix: np.ndarray) -> np.ndarray:
    """Rotation matrices ``[..., 3, 3]`` -> unit quaternions ``[..., 4]`` as (x, y, z, w), w >= 0."""
    m = matrix
    w = np.sqrt(np.maximum(0.0, 1 + m[..., 0, 0] + m[..., 1, 1] + m[..., 2, 2])) / 2
    x = np.sqrt(np.maximum(0.0, 1 + m[..., 0, 0] - m[..., 1, 1] - m[..., 2, 2])) / 2
    y = np.sqrt(np.maximum(0.0, 1 - m[..., 0, 0] + m[..., 1, 1] - m[..., 2, 2])) / 2
    z = np.sqrt(np.maximum(0.0, 1 - m[..., 0, 0] - m[..., 1, 1] + m[..., 2, 2])) / 2
    x = np.copysign(x, m[..., 2, 1] - m[..., 1, 2])
    y = np.copysign(y, m[..., 0, 2] - m[..., 2, 0])
    z = np.copysign(z, m[..., 1, 0] - m[..., 0, 1])
    return _unit(np.stack([x, y, z, w], axis=-1))


def quaternion_to_matrix(q: np.ndarray) -> np.ndarray:
    """Quaternions ``[..., 4]`` (x, y, z, w) -> rotation matrices ``[..., 3, 3]``."""
    x, y, z, w = np.moveaxis(_unit(q), -1, 0)
    return np.stack([
        np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
        np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
        np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
    ], -2)
