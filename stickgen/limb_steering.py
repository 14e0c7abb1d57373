"""Make a plan's limbs meet the limb controls: a kick's height and a counted clap's closings.

The planner averages a kick or a clap away (one deterministic pass over many training examples), so before
the refiner draws the body the plan's local joint positions are moved where the controls
(:data:`stickgen.control.FOOT_RISE`, :data:`~stickgen.control.HANDS_GAP`) ask, each limb by two-bone
inverse kinematics (:func:`two_bone`: bone lengths kept, the knee or elbow bent in the plane it was bent
in), on denormalised features ``[T, 137]`` (:mod:`stickgen.features`). The joint
velocities follow the moved positions; a kicking foot's contacts are off while it is lifted. The refiner
then keeps the legs of a kick and the arms of a counted clap as placed (:func:`held_limb_features`, held as
the root is), so the count and the height survive it. A wave's wrist height (``WRIST_RISE``) is a
training signal only: raising the named arm in the plan fought the refiner's own choice of arm (both arms
ended up raised).
"""
from __future__ import annotations

import numpy as np

from .control import FOOT_RISE, HANDS_GAP
from .features import CONTACTS, FEATURE_DIM, LOCAL_POSITIONS, LOCAL_VELOCITIES
from .skeleton import FOOT_JOINTS, JOINT_INDEX, NUM_JOINTS, make_rigid

J = JOINT_INDEX
LEG_REACH = 0.95  # a kicking leg reaches this share of thigh + shin from the hip (the knee not locked)
CLAP_FORWARD = 0.3  # a clap meets this far in front of the chest (m)
CLAP_BELOW_CHEST = 0.05  # and this far below it
KICK_MIN = 0.05  # a foot rise under this (m) is standing: nothing to lift
APART = 0.45  # a hands gap asked above this (m) only keeps the hands at least CLAP_APART apart, the arms free
CLAP_APART = 0.4


def _joints(features: np.ndarray) -> np.ndarray:
    """``[T, 22, 3]`` local positions (the pelvis at x = z = 0, facing +z) of ``features [T, 137]``."""
    local = features[:, LOCAL_POSITIONS].reshape(len(features), NUM_JOINTS - 1, 3)
    pelvis = np.zeros((len(features), 1, 3))
    pelvis[:, 0, 1] = features[:, 0]
    return np.concatenate([pelvis, local], axis=1)


def two_bone(root: np.ndarray, mid: np.ndarray, end: np.ndarray, target: np.ndarray,
             lengths: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """New ``(mid, end)`` ``[T, 3]`` of the chain root-mid-end with ``end`` at ``target`` (pulled in to reach),
    its bones ``lengths`` (upper, lower) long and ``mid`` bent toward the side it was bent to."""
    upper, lower = lengths
    reach = target - root
    distance = np.clip(np.linalg.norm(reach, axis=-1, keepdims=True), np.abs(upper - lower) + 1e-6,
                       upper + lower - 1e-6)
    axis = reach / np.maximum(np.linalg.norm(reach, axis=-1, keepdims=True), 1e-9)
    bend = (mid - root) - np.sum((mid - root) * axis, axis=-1, keepdims=True) * axis  # the old bend, off the axis
    fallback = np.cross(axis, np.array([1.0, 0.0, 0.0]))
    bend = np.where(np.linalg.norm(bend, axis=-1, keepdims=True) > 1e-6, bend, fallback)
    bend /= np.maximum(np.linalg.norm(bend, axis=-1, keepdims=True), 1e-9)
    along = (upper ** 2 - lower ** 2 + distance ** 2) / (2 * distance)
    across = np.sqrt(np.maximum(upper ** 2 - along ** 2, 0.0))
    new_mid = root + axis * along + bend * across
    return new_mid, root + axis * distance


def _lengths(joints: np.ndarray, root: int, mid: int, end: int) -> tuple[float, float]:
    """The clip's median lengths of the bones root-mid and mid-end: those post-processing makes rigid."""
    return (float(np.median(np.linalg.norm(joints[:, mid] - joints[:, root], axis=-1))),
            float(np.median(np.linalg.norm(joints[:, end] - joints[:, mid], axis=-1))))


def _kick(joints: np.ndarray, rise: np.ndarray) -> np.ndarray:
    """``joints`` with one ankle (the one the plan lifts more) ``rise [T]`` above the other where asked."""
    asked = np.isfinite(rise) & (np.nan_to_num(rise) > KICK_MIN)
    if not asked.any():
        return joints
    sides = ("left", "right")
    higher = joints[asked][:, [J["left_ankle"], J["right_ankle"]], 1].mean(axis=0)
    side, other = (sides[0], sides[1]) if higher[0] > higher[1] + 0.02 else (sides[1], sides[0])
    hip, knee, ankle, foot = (J[f"{side}_{name}"] for name in ("hip", "knee", "ankle", "foot"))
    legs = joints[asked]
    lift = legs[:, J[f"{other}_ankle"], 1] + rise[asked] - legs[:, ankle, 1]
    keep = lift > 0  # the plan's foot is already that high: leave it
    target = legs[:, ankle].copy()
    target[:, 1] += np.maximum(lift, 0.0)
    lengths = _lengths(joints, hip, knee, ankle)
    reach = LEG_REACH * sum(lengths)
    height = target[:, 1] - legs[:, hip, 1]
    sideways = target[:, 0] - legs[:, hip, 0]
    forward = np.sqrt(np.maximum(reach ** 2 - height ** 2 - sideways ** 2, 0.0))
    target[:, 2] = legs[:, hip, 2] + np.maximum(forward, target[:, 2] - legs[:, hip, 2])  # swung forward
    new_knee, new_ankle = two_bone(legs[:, hip], legs[:, knee], legs[:, ankle], target, lengths)
    moved = legs.copy()
    moved[:, foot] += new_ankle - legs[:, ankle]
    moved[:, knee], moved[:, ankle] = new_knee, new_ankle
    out = joints.copy()
    out[np.flatnonzero(asked)[keep]] = moved[keep]
    return out


def _place_wrists(joints: np.ndarray, frames: np.ndarray, targets: dict[str, np.ndarray]) -> np.ndarray:
    """``joints`` with each side's wrist at ``targets[side] [N, 3]`` on the ``N`` ``frames [T]`` (two-bone IK
    from its shoulder, bones as long as the clip's)."""
    out = joints.copy()
    for side, target in targets.items():
        shoulder, elbow, wrist = (J[f"{side}_{name}"] for name in ("shoulder", "elbow", "wrist"))
        out[frames, elbow], out[frames, wrist] = two_bone(joints[frames, shoulder], joints[frames, elbow],
                                                          joints[frames, wrist], target,
                                                          _lengths(joints, shoulder, elbow, wrist))
    return out


def _clap(joints: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """``joints`` with the wrists ``gap [T]`` apart, level, in front of the chest where asked (a clap), and
    pushed apart to :data:`CLAP_APART` where a gap over :data:`APART` is asked and they are closer."""
    out = _apart(joints, np.isfinite(gap) & (np.nan_to_num(gap) > APART))
    asked = np.isfinite(gap) & (np.nan_to_num(gap) <= APART)
    if not asked.any():
        return out
    middle = out[asked, J["spine3"]] + np.array([0.0, -CLAP_BELOW_CHEST, CLAP_FORWARD])
    half = np.array([1.0, 0.0, 0.0]) * gap[asked, None] / 2  # the body's left is +x
    return _place_wrists(out, asked, {"left": middle + half, "right": middle - half})


def _apart(joints: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """``joints`` whose wrists are at least :data:`CLAP_APART` apart on ``frames [T]`` (each pushed out from
    their midpoint along the body's left-right axis)."""
    wrists = joints[:, [J["left_wrist"], J["right_wrist"]]]
    close = frames & (np.linalg.norm(wrists[:, 0] - wrists[:, 1], axis=-1) < CLAP_APART)
    if not close.any():
        return joints.copy()
    middle = wrists[close, :, 0].mean(axis=1)
    targets = {side: wrists[close, k].copy() for k, side in enumerate(("left", "right"))}
    targets["left"][:, 0], targets["right"][:, 0] = middle + CLAP_APART / 2, middle - CLAP_APART / 2
    return _place_wrists(joints, close, targets)


def steer_limbs(features: np.ndarray, control: np.ndarray, fps: float, free: np.ndarray) -> np.ndarray:
    """``features [T, 137]`` whose limbs meet ``control [T, 8]``'s limb channels on the ``free [T]`` frames."""
    if control.shape[-1] <= HANDS_GAP:
        return np.array(features, dtype=np.float64)
    given = np.where(np.asarray(free, bool)[:, None], control, np.nan)
    before = _joints(np.asarray(features, dtype=np.float64))
    rigid = make_rigid(before)  # the lengths post-processing gives the bones, so the limbs land where asked
    after = _clap(_kick(rigid, given[:, FOOT_RISE]), given[:, HANDS_GAP])
    if np.array_equal(after, rigid):
        return np.array(features, dtype=np.float64)
    out = np.array(features, dtype=np.float64)
    out[:, LOCAL_POSITIONS] = after[:, 1:].reshape(len(out), -1)
    shift = np.zeros_like(after)
    shift[1:] = np.diff(after - before, axis=0) * fps  # velocities are backward differences, in the same frame
    out[:, LOCAL_VELOCITIES] += shift.reshape(len(out), -1)
    lifted = after[:, list(FOOT_JOINTS), 1] - before[:, list(FOOT_JOINTS), 1] > KICK_MIN
    out[:, CONTACTS] = np.where(lifted, 0.0, out[:, CONTACTS])
    return out


def _columns(joints: tuple[str, ...]) -> list[int]:
    """Feature columns of the local positions and velocities of ``joints`` (names)."""
    out = []
    for name in joints:
        j = J[name]
        out += [LOCAL_POSITIONS.start + 3 * (j - 1) + k for k in range(3)]
        out += [LOCAL_VELOCITIES.start + 3 * j + k for k in range(3)]
    return out


KICK_COLUMNS = _columns(tuple(f"{s}_{n}" for s in ("left", "right") for n in ("knee", "ankle", "foot")))
CLAP_COLUMNS = _columns(tuple(f"{s}_{n}" for s in ("left", "right") for n in ("elbow", "wrist")))


def held_limb_features(control: np.ndarray, free: np.ndarray) -> np.ndarray:
    """``[T, 137]`` 1 on the features the refiner keeps as :func:`steer_limbs` placed them: both legs on the
    frames of a kick's lift, both arms on the frames of a counted clap (``free [T]`` frames only)."""
    held = np.zeros((len(control), FEATURE_DIM))
    if control.shape[-1] <= HANDS_GAP:
        return held
    free = np.asarray(free, bool)
    kicking = free & (np.nan_to_num(control[:, FOOT_RISE]) > KICK_MIN)
    clapping = free & np.isfinite(control[:, HANDS_GAP])
    held[np.ix_(kicking, KICK_COLUMNS)] = 1.0
    held[np.ix_(clapping, CLAP_COLUMNS)] = 1.0
    return held
