"""BVH export and import for the ``smpl22`` skeleton.

The writer emits the SMPL-22 hierarchy with rest offsets from the actor's own bone lengths
(:func:`~stickgen.export.kinematics.actor_offsets`), a 6-channel root (position, then ``Zrotation
Xrotation Yrotation``) and 3 rotation channels per joint solved from the joint positions, in metres,
so Blender, MotionBuilder and retargeting tools import it. The reader parses any BVH (any channel
order) and runs forward kinematics.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..motion import Motion, atomic_write
from ..skeleton import JOINT_NAMES, PARENTS
from .kinematics import (
    CHILDREN,
    actor_offsets,
    euler_to_matrix,
    forward_kinematics,
    matrix_to_euler_zxy,
    solve_rotations,
)

END_SITE = 0.08      # metres past a leaf joint, along its bone
ROTATION_CHANNELS = "Zrotation Xrotation Yrotation"


# ----------------------------------------------------------------------------- writing


def _hierarchy(offsets: np.ndarray, joint: int, depth: int) -> list[str]:
    pad = "  " * depth
    tag = "ROOT" if PARENTS[joint] < 0 else "JOINT"
    channels = f"6 Xposition Yposition Zposition {ROTATION_CHANNELS}" if joint == 0 else f"3 {ROTATION_CHANNELS}"
    lines = [f"{pad}{tag} {JOINT_NAMES[joint]}", f"{pad}{{",
             f"{pad}  OFFSET {' '.join(f'{v:.6f}' for v in (offsets[joint] if joint else np.zeros(3)))}",
             f"{pad}  CHANNELS {channels}"]
    for child in CHILDREN[joint]:
        lines += _hierarchy(offsets, child, depth + 1)
    if not CHILDREN[joint]:
        tip = offsets[joint] / max(np.linalg.norm(offsets[joint]), 1e-9) * END_SITE
        lines += [f"{pad}  End Site", f"{pad}  {{", f"{pad}    OFFSET {' '.join(f'{v:.6f}' for v in tip)}",
                  f"{pad}  }}"]
    return lines + [f"{pad}}}"]


def _dfs_order(joint: int = 0) -> list[int]:
    return [joint] + [j for child in CHILDREN[joint] for j in _dfs_order(child)]


def bvh_text(motion: Motion, fps: float) -> str:
    """The BVH document of one actor."""
    offsets = actor_offsets(motion.joints)
    local = solve_rotations(motion.joints, offsets)
    angles = matrix_to_euler_zxy(local)                                    # [T, 22, 3]
    order = _dfs_order()
    values = np.concatenate([motion.joints[:, 0], angles[:, order].reshape(len(angles), -1)], axis=1)
    rows = [" ".join(f"{v:.6f}" for v in row) for row in values]
    return "\n".join(["HIERARCHY", *_hierarchy(offsets, 0, 0), "MOTION", f"Frames: {len(values)}",
                      f"Frame Time: {1.0 / fps:.8f}", *rows]) + "\n"


def write_bvh(motion: Motion, path: str | os.PathLike, fps: float) -> Path:
    """Write one actor as BVH (atomically)."""
    return atomic_write(path, bvh_text(motion, fps))


# ----------------------------------------------------------------------------- reading


@dataclass
class BvhClip:
    """A parsed BVH: joint ``names``, ``parents``, ``offsets: [J, 3]``, ``joints: [T, J, 3]`` world positions
    (forward kinematics, file units) and ``fps``."""

    names: list[str]
    parents: list[int]
    offsets: np.ndarray
    joints: np.ndarray
    fps: float

    def smpl22(self) -> np.ndarray:
        """Positions of the ``smpl22`` joints by name: ``[T, 22, 3]`` (``KeyError`` if one is missing)."""
        index = {name: i for i, name in enumerate(self.names)}
        missing = [n for n in JOINT_NAMES if n not in index]
        if missing:
            raise KeyError(f"BVH lacks smpl22 joints: {', '.join(missing)}")
        return self.joints[:, [index[n] for n in JOINT_NAMES]]


def read_bvh(path: str | os.PathLike) -> BvhClip:
    """Parse a BVH file and compute world joint positions; ``ValueError`` on a malformed file."""
    tokens = Path(path).read_text().split()
    names, parents, offsets, channels, stack = [], [], [], [], []
    i = 0
    try:
        while tokens[i] != "MOTION":
            word = tokens[i]
            if word in ("ROOT", "JOINT"):
                names.append(tokens[i + 1])
                parents.append(stack[-1] if stack else -1)
                i += 2
            elif word == "End":
                names.append(None)
                parents.append(stack[-1])
                i += 2
            elif word == "{":
                stack.append(len(names) - 1)
                i += 1
            elif word == "}":
                stack.pop()
                i += 1
            elif word == "OFFSET":
                offsets.append([float(v) for v in tokens[i + 1:i + 4]])
                channels.append([])
                i += 4
            elif word == "CHANNELS":
                count = int(tokens[i + 1])
                channels[-1] = tokens[i + 2:i + 2 + count]
                i += 2 + count
            else:
                i += 1
        frames = int(tokens[i + 2])
        frame_time = float(tokens[i + 5])
        data = np.array(tokens[i + 6:], dtype=np.float64)
    except (IndexError, ValueError) as exc:
        raise ValueError(f"{path}: not a valid BVH file ({exc})") from None
    width = sum(len(c) for c in channels)
    if data.size != frames * width or frame_time <= 0:
        raise ValueError(f"{path}: expected {frames} frames of {width} values, got {data.size} values")
    data = data.reshape(frames, width)
    keep = [j for j, n in enumerate(names) if n is not None]
    remap = {old: new for new, old in enumerate(keep)}
    local = np.broadcast_to(np.eye(3), (frames, len(keep), 3, 3)).copy()
    root = np.zeros((frames, 3))
    column = 0
    for j, chans in enumerate(channels):
        block = data[:, column:column + len(chans)]
        column += len(chans)
        rotations = [c for c in chans if c.endswith("rotation")]
        if rotations:
            order = "".join(c[0].upper() for c in rotations)
            cols = [chans.index(c) for c in rotations]
            local[:, remap[j]] = euler_to_matrix(block[:, cols], order)
        if parents[j] < 0:
            root = np.stack([block[:, chans.index(f"{a}position")] if f"{a}position" in chans
                             else np.zeros(frames) for a in "XYZ"], axis=1)
    kept_parents = [remap[parents[j]] if parents[j] >= 0 else -1 for j in keep]
    kept_offsets = np.array(offsets)[keep]
    joints = forward_kinematics(root, local, kept_offsets, tuple(kept_parents))
    return BvhClip([names[j] for j in keep], kept_parents, kept_offsets, joints, 1.0 / frame_time)

