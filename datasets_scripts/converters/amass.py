"""AMASS (SMPL / SMPL-H parameter files) -> canonical ``smpl22`` clips, without the SMPL body model.

An AMASS ``.npz`` holds ``poses`` ``[T, 3 * J]`` axis-angle rotations (joint 0 is the global root
orientation, joints 1..21 the body in SMPL's tree, then hands), ``trans`` ``[T, 3]`` metres,
``mocap_framerate`` and ``betas``; the world is z-up. The SMPL model (and so the exact per-subject
skeleton from ``betas``) cannot be shipped here, so the rotations are applied to a fixed T-pose
skeleton built from :func:`stickgen.skeleton.rest_pose` with the arms raised sideways, which is
SMPL's rest pose. Body shape is therefore approximate; the motion (rotations, root path) is exact.

Public: :func:`t_pose`, :func:`axis_angle_to_matrix`, :func:`forward_kinematics`, :func:`convert`.
"""
from __future__ import annotations

import numpy as np

from stickgen import skeleton

from .rotations import quat_to_matrix

FPS = 25
J = skeleton.JOINT_INDEX
#: row vectors (x, y, z) of AMASS's z-up world -> (x, z, -y): a proper rotation putting +z up as +y
Z_UP_TO_Y_UP = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])


def t_pose(height: float = skeleton.REST_HEIGHT) -> np.ndarray:
    """SMPL's rest pose (arms straight out to the sides) for a ``height`` m adult: ``[22, 3]``, y up, facing +z."""
    pose = skeleton.rest_pose(height).copy()
    for side, sign in (("left", 1.0), ("right", -1.0)):
        shoulder = pose[J[f"{side}_shoulder"]]
        upper = np.linalg.norm(pose[J[f"{side}_elbow"]] - shoulder)
        lower = np.linalg.norm(pose[J[f"{side}_wrist"]] - pose[J[f"{side}_elbow"]])
        pose[J[f"{side}_elbow"]] = shoulder + [sign * upper, 0.0, 0.0]
        pose[J[f"{side}_wrist"]] = shoulder + [sign * (upper + lower), 0.0, 0.0]
    return pose


def axis_angle_to_matrix(rotvec: np.ndarray) -> np.ndarray:
    """Axis-angle vectors ``[..., 3]`` (radians) -> rotation matrices ``[..., 3, 3]``."""
    angle = np.linalg.norm(rotvec, axis=-1, keepdims=True)
    half = 0.5 * angle
    axis = np.divide(rotvec, angle, out=np.zeros_like(rotvec), where=angle > 1e-12)
    return quat_to_matrix(np.concatenate([np.cos(half), axis * np.sin(half)], axis=-1))


def forward_kinematics(poses: np.ndarray, trans: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """SMPL body FK: ``poses [T, >= 66]`` axis-angle, ``trans [T, 3]``, ``rest [22, 3]`` -> ``[T, 22, 3]``
    in the file's world frame (the root joint placed at ``rest[0] + trans``)."""
    local = axis_angle_to_matrix(poses[:, :66].reshape(len(poses), 22, 3))
    offsets = rest - rest[[0] + list(skeleton.PARENTS[1:])]  # parent-relative (the root's is unused)
    world = np.empty_like(local)
    joints = np.empty((len(poses), 22, 3))
    world[:, 0] = local[:, 0]
    joints[:, 0] = rest[0] + trans
    for child in range(1, 22):
        parent = skeleton.PARENTS[child]
        world[:, child] = world[:, parent] @ local[:, child]
        joints[:, child] = joints[:, parent] + world[:, parent] @ offsets[child]
    return joints


def convert(npz: dict, height: float = skeleton.REST_HEIGHT) -> np.ndarray:
    """An AMASS file's arrays (``np.load(path)``) -> canonical clip ``[T, 22, 3]`` at 25 fps, y up,
    facing +z at frame 0, on the ground, rigid bones. ``ValueError`` naming a missing or bad key."""
    for key in ("poses", "trans", "mocap_framerate"):
        if key not in npz:
            raise ValueError(f"AMASS file lacks {key!r}")
    poses, trans = np.asarray(npz["poses"], dtype=np.float64), np.asarray(npz["trans"], dtype=np.float64)
    if poses.ndim != 2 or poses.shape[1] < 66 or trans.shape != (len(poses), 3) or len(poses) < 2:
        raise ValueError(f"poses must be [T >= 2, >= 66] and trans [T, 3], "
                         f"got {list(poses.shape)}, {list(trans.shape)}")
    joints = forward_kinematics(poses, trans, t_pose(height))
    joints = joints @ Z_UP_TO_Y_UP
    joints = skeleton.resample(joints, float(npz["mocap_framerate"]), FPS)
    return skeleton.put_on_ground(skeleton.normalize_heading(joints))

