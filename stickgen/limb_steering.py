"""Make a plan's limbs meet the limb controls: a kick's height, a clap's closings, a wave's hand, a punch's
reach, a kneeling knee.

The planner averages a kick or a clap away (one deterministic pass over many training examples), so before
the refiner draws the body the plan's local joint positions are moved where the limb channels of
:mod:`stickgen.control` ask, on denormalised features ``[T, 137]`` (:mod:`stickgen.features`): a kick lifts
a leg, a kneel lowers the body onto one knee (here), and the arms are placed by :mod:`stickgen.arm_steering`,
each limb by two-bone inverse kinematics (:func:`stickgen.ik.two_bone`: bone lengths kept, the knee or elbow
bent in the plane it was bent in). The joint velocities follow the moved positions; a kicking foot's
contacts are off while it is lifted. The refiner then keeps what was placed (:func:`held_limb_features`,
held as the root is), so the count, the height and the hand survive it.
"""
from __future__ import annotations

import numpy as np

from .arm_steering import clap, punch, wave
from .control import FOOT_RISE, HAND, HANDS_GAP, KNEE_HEIGHT, WRIST_REACH, WRIST_RISE
from .features import CONTACTS, FEATURE_DIM, LOCAL_POSITIONS, LOCAL_VELOCITIES, ROOT_HEIGHT
from .ik import chain_lengths, ease_weight, two_bone
from .skeleton import FOOT_JOINTS, JOINT_INDEX, NUM_JOINTS, bone_lengths, make_rigid

J = JOINT_INDEX
LEG_REACH = 0.95  # a kicking leg reaches this share of thigh + shin from the hip (the knee not locked)
KICK_MIN = 0.05  # a foot rise under this (m) is standing: nothing to lift


def _joints(features: np.ndarray) -> np.ndarray:
    """``[T, 22, 3]`` local positions (the pelvis at x = z = 0, facing +z) of ``features [T, 137]``."""
    local = features[:, LOCAL_POSITIONS].reshape(len(features), NUM_JOINTS - 1, 3)
    pelvis = np.zeros((len(features), 1, 3))
    pelvis[:, 0, 1] = features[:, 0]
    return np.concatenate([pelvis, local], axis=1)


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
    lengths = chain_lengths(joints, hip, knee, ankle)
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


LEGS = frozenset(J[f"{side}_{name}"] for side in ("left", "right") for name in ("knee", "ankle", "foot"))
KNEEL_THIGH_BACK_DEG = 10.0  # the kneeling thigh leans this far back from vertical
KNEEL_FOOT_DROP = 0.5  # the kneeling foot's toe points back and down (its drop per unit of its length back)
#: a kneeling plan's bones are made this percentile of their lengths over the window, not the median: the
#: planner draws a kneeling leg short, and the median would shorten the standing legs around it too
KNEEL_LENGTH_PERCENTILE = 90


def _kneel(joints: np.ndarray, knee_height: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``joints`` kneeling on one knee ``knee_height [T]`` above the floor (the window's lowest foot joint):
    the body comes down until the knee the plan holds lower, under the hip and a little behind it, reaches
    that height, its shin flat behind; the other foot stays where it was, its knee bent forward over it.
    Each moved ``weight [T]`` (0..1) of the way from where it was."""
    frames = weight > 0
    if not frames.any():
        return joints
    out, w = joints.copy(), weight[frames, None]
    floor = float(joints[:, list(FOOT_JOINTS), 1].min())
    knees = joints[frames][:, [J["left_knee"], J["right_knee"]], 1].mean(axis=0)
    side, other = ("left", "right") if knees[0] <= knees[1] else ("right", "left")
    hip, knee, ankle, foot = (J[f"{side}_{name}"] for name in ("hip", "knee", "ankle", "foot"))
    thigh, shin = chain_lengths(joints, hip, knee, ankle)
    lean = np.radians(KNEEL_THIGH_BACK_DEG)
    height = floor + knee_height[frames]
    drop = np.maximum(joints[frames, hip, 1] - height - thigh * np.cos(lean), 0.0) * w[:, 0]
    body = [j for j in range(NUM_JOINTS) if j not in LEGS]
    out[np.ix_(np.flatnonzero(frames), body, [1])] -= drop[:, None, None]
    new_knee = out[frames, hip] + np.array([0.0, -thigh * np.cos(lean), -thigh * np.sin(lean)])
    new_ankle = new_knee + np.array([0.0, 0.0, -shin])
    length = float(np.median(np.linalg.norm(joints[:, foot] - joints[:, ankle], axis=-1)))
    toe = np.array([0.0, -KNEEL_FOOT_DROP, -1.0]) / np.hypot(KNEEL_FOOT_DROP, 1.0) * length
    for joint, target in ((knee, new_knee), (ankle, new_ankle), (foot, new_ankle + toe)):
        out[frames, joint] = joints[frames, joint] + w * (target - joints[frames, joint])
    o_hip, o_knee, o_ankle = (J[f"{other}_{name}"] for name in ("hip", "knee", "ankle"))
    forward = out[frames, o_knee] + np.array([0.0, 0.0, 0.2])  # bend the standing knee forward
    bent, _ = two_bone(out[frames, o_hip], forward, joints[frames, o_ankle], joints[frames, o_ankle],
                       chain_lengths(joints, o_hip, o_knee, o_ankle))
    out[frames, o_knee] = bent
    return out


def steer_limbs(features: np.ndarray, control: np.ndarray, fps: float, free: np.ndarray,
                first_frame: int = 0) -> np.ndarray:
    """``features [T, 137]`` whose limbs meet ``control [T, 10]``'s limb channels on the ``free [T]`` frames;
    ``first_frame``: the clip's frame the window starts at (a wave's swing keeps the clip's clock)."""
    if control.shape[-1] <= HANDS_GAP:
        return np.array(features, dtype=np.float64)
    free = np.asarray(free, bool)
    given = np.where(free[:, None], control, np.nan)
    before = _joints(np.asarray(features, dtype=np.float64))
    kneeling = control.shape[-1] > KNEE_HEIGHT and bool(np.isfinite(given[:, KNEE_HEIGHT]).any())
    lengths = np.percentile(bone_lengths(before), KNEEL_LENGTH_PERCENTILE, axis=0) if kneeling else None
    rigid = make_rigid(before, lengths)  # the lengths post-processing gives the bones: limbs land where asked
    after = clap(_kick(rigid, given[:, FOOT_RISE]), given[:, HANDS_GAP])
    if control.shape[-1] > WRIST_RISE:
        seconds = (first_frame + np.arange(len(after))) / fps
        weight = ease_weight(np.isfinite(control[:, WRIST_RISE]), fps) * free
        after = wave(after, control[:, HAND], np.nan_to_num(control[:, WRIST_RISE]), weight, seconds)
    if control.shape[-1] > WRIST_REACH:
        weight = ease_weight(np.isfinite(control[:, WRIST_REACH]), fps) * free
        after = punch(after, np.nan_to_num(control[:, WRIST_REACH]), weight)
    if kneeling:
        weight = ease_weight(np.isfinite(control[:, KNEE_HEIGHT]), fps) * free
        after = _kneel(after, np.nan_to_num(control[:, KNEE_HEIGHT]), weight)
    if np.array_equal(after, rigid):
        return np.array(features, dtype=np.float64)
    out = np.array(features, dtype=np.float64)
    out[:, ROOT_HEIGHT.start] = after[:, 0, 1]
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
ARM_COLUMNS = _columns(tuple(f"{s}_{n}" for s in ("left", "right") for n in ("elbow", "wrist")))


def held_limb_features(control: np.ndarray, free: np.ndarray) -> np.ndarray:
    """``[T, 137]`` 1 on the features the refiner keeps as :func:`steer_limbs` placed them: both legs on the
    frames of a kick's lift, both arms on the frames of a clap, a wave or a punch (``free [T]`` frames only)."""
    held = np.zeros((len(control), FEATURE_DIM))
    if control.shape[-1] <= HANDS_GAP:
        return held
    free = np.asarray(free, bool)
    kicking = free & (np.nan_to_num(control[:, FOOT_RISE]) > KICK_MIN)
    arms = np.isfinite(control[:, [channel for channel in (HANDS_GAP, WRIST_RISE, WRIST_REACH)
                                   if channel < control.shape[-1]]]).any(axis=1)
    held[np.ix_(kicking, KICK_COLUMNS)] = 1.0
    held[np.ix_(free & arms, ARM_COLUMNS)] = 1.0
    if control.shape[-1] > KNEE_HEIGHT:  # a kneel: the legs and the pelvis height
        kneeling = free & np.isfinite(control[:, KNEE_HEIGHT])
        held[np.ix_(kneeling, [ROOT_HEIGHT.start, *KICK_COLUMNS])] = 1.0
    return held
