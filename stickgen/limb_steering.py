"""Make a plan's limbs meet the limb controls: a kick's height, a counted clap's closings, a wave's hand,
a punch's reach.

The planner averages a kick or a clap away (one deterministic pass over many training examples), so before
the refiner draws the body the plan's local joint positions are moved where the controls
(:data:`stickgen.control.FOOT_RISE`, :data:`~stickgen.control.HANDS_GAP`) ask, each limb by two-bone
inverse kinematics (:func:`two_bone`: bone lengths kept, the knee or elbow bent in the plane it was bent
in), on denormalised features ``[T, 137]`` (:mod:`stickgen.features`). The joint
velocities follow the moved positions; a kicking foot's contacts are off while it is lifted. The refiner
then keeps the legs of a kick and the arms of a clap or a wave as placed (:func:`held_limb_features`, held as
the root is), so the count, the height and the hand survive it. A wave (``WRIST_RISE`` given, the hand named
by ``HAND``: 1 left, -1 right, 0 both; free: right) raises the named arm the way the data's waves do (the
elbow out at about shoulder height, the forearm up and swinging side to side at :data:`WAVE_HZ`; a wrist
asked :data:`HELD_UP` or higher is held up, still) and lowers the other arm if it is up. A punch
(``WRIST_REACH``: the reach of the left wrist if positive, the right if negative) drives that fist straight
out in front of its shoulder, a little in toward the midline and down, the other fist in a guard
(:data:`stickgen.control.GUARD_REACH`), elbows down. The arms ease into and out of a wave or a punch over
:data:`ARM_EASE_S`.
"""
from __future__ import annotations

import numpy as np

from .control import FOOT_RISE, GUARD_REACH, HAND, HANDS_GAP, KNEE_HEIGHT, WRIST_REACH, WRIST_RISE
from .features import CONTACTS, FEATURE_DIM, LOCAL_POSITIONS, LOCAL_VELOCITIES, ROOT_HEIGHT
from .footwork import runs
from .placement import smoothstep
from .skeleton import FOOT_JOINTS, JOINT_INDEX, NUM_JOINTS, bone_lengths, make_rigid, rest_pose

J = JOINT_INDEX
_REST_LENGTHS = bone_lengths(rest_pose())  # [21]
LEG_REACH = 0.95  # a kicking leg reaches this share of thigh + shin from the hip (the knee not locked)
CLAP_FORWARD = 0.3  # a clap meets this far in front of the chest (m)
CLAP_BELOW_CHEST = 0.05  # and this far below it
KICK_MIN = 0.05  # a foot rise under this (m) is standing: nothing to lift
APART = 0.45  # a hands gap asked above this (m) only keeps the hands at least CLAP_APART apart, the arms free
CLAP_APART = 0.4
WAVE_HZ = 2.0  # the data's waves swing 1.7-2.3 times a second
WAVE_SWING_DEG = 18.0  # the forearm swings this far either side (the data's wrists: +-0.08 m about the elbow)
#: the raised arm as the data's waves hold it (their medians in the body frame): the forearm leaning this
#: far out from vertical (negative: in, over the head) ...
WAVE_LEAN_DEG = -10.0
FOREARM_FORWARD = 0.28  # ... and tilted forward (share of its length, before normalising) ...
UPPER_ARM_OUT = (0.98, 0.19)  # ... the upper arm's horizontal direction (to the side, forward)
HELD_UP = 0.35  # a wrist asked this far above its shoulder (m) or more is held up, not waved
ARM_EASE_S = 0.5  # an arm rises into a wave (and comes down from it) over this long
HANG_BELOW = 0.35  # the other wrist is lowered where it is less than this far below its shoulder (m)
HANG_EASE = 0.15  # fully lowered where it is less than HANG_BELOW - HANG_EASE below
#: a fist at reach r (m) is this share of r in toward the body's midline and below its shoulder, and
#: PUNCH_AHEAD further forward (a straight punch lands in front of the chin, a guard covers it)
PUNCH_INWARD, PUNCH_DROP, PUNCH_AHEAD = 0.25, 0.2, 0.03
GUARD_INWARD = 0.08  # the guard's fist this much further in (m)
PUNCH_ELBOW = (0.1, -0.25, 0.0)  # a punching or guarding elbow bends toward this from its shoulder (out, down)


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


def _arm_lengths(joints: np.ndarray, side: str) -> tuple[float, float]:
    """``side``'s upper arm and forearm lengths: the plan's own, but at least the rest skeleton's scaled to
    this body by its legs. A plan's arm can be too short, never too long: the planner averages a moving arm
    toward its mean and draws a waving forearm 0.09 m long."""
    lengths = np.median(bone_lengths(joints), axis=0)
    legs = [J[f"{s}_{name}"] - 1 for s in ("left", "right") for name in ("knee", "ankle")]
    scale = lengths[legs].sum() / _REST_LENGTHS[legs].sum()
    return tuple(float(max(lengths[J[f"{side}_{name}"] - 1], scale * _REST_LENGTHS[J[f"{side}_{name}"] - 1]))
                 for name in ("elbow", "wrist"))


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


def _arm(side: str) -> tuple[int, int, int]:
    """Joint indices of ``side``'s shoulder, elbow and wrist."""
    return J[f"{side}_shoulder"], J[f"{side}_elbow"], J[f"{side}_wrist"]


def _place_wrists(joints: np.ndarray, frames: np.ndarray, targets: dict[str, np.ndarray],
                  elbows: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """``joints`` with each side's wrist at ``targets[side] [N, 3]`` on the ``N`` ``frames [T]`` (two-bone IK
    from its shoulder, bones as long as :func:`_arm_lengths`), the elbow bent toward ``elbows[side] [N, 3]`` where
    given (otherwise toward where it was)."""
    out = joints.copy()
    for side, target in targets.items():
        shoulder, elbow, wrist = _arm(side)
        hint = (elbows or {}).get(side, joints[frames, elbow])
        out[frames, elbow], out[frames, wrist] = two_bone(joints[frames, shoulder], hint, joints[frames, wrist],
                                                          target, _arm_lengths(joints, side))
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


def ease_weight(asked: np.ndarray, fps: float) -> np.ndarray:
    """``[T]`` 0..1: how far into its wave or punch each frame's arm is, for the frames of a window where one
    is ``asked [T]``: eased over :data:`ARM_EASE_S` where it starts or ends, not where it runs on past the
    window's first or last frame (the window before or after eases it)."""
    weight = np.zeros(len(asked))
    ease = max(int(round(ARM_EASE_S * fps)), 1)
    for a, b in runs(asked):
        frames = np.arange(a, b)
        rising = np.ones(b - a) if a == 0 else smoothstep((frames - a + 1) / ease)
        falling = np.ones(b - a) if b == len(asked) else smoothstep((b - frames) / ease)
        weight[a:b] = np.minimum(rising, falling)
    return weight


def _raised_arm(shoulder: np.ndarray, lengths: tuple[float, float], side: float, rise: np.ndarray,
                seconds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(elbow, wrist)`` ``[N, 3]`` of an arm raised from ``shoulder [N, 3]`` (``side`` +1 left, -1 right)
    with its wrist ``rise [N]`` above the shoulder at times ``seconds [N]``: the forearm leaning
    :data:`WAVE_LEAN_DEG` and swinging :data:`WAVE_SWING_DEG` either side at :data:`WAVE_HZ` (still where
    held up), the elbow as high as that leaves it."""
    upper, lower = lengths
    swing = np.where(rise < HELD_UP, np.radians(WAVE_SWING_DEG) * np.sin(2 * np.pi * WAVE_HZ * seconds), 0.0)
    lean = np.radians(WAVE_LEAN_DEG) + swing
    forearm = np.stack([side * np.sin(lean), np.cos(lean), np.full_like(lean, FOREARM_FORWARD)], axis=-1)
    forearm /= np.linalg.norm(forearm, axis=-1, keepdims=True)
    up = np.clip((rise - lower * forearm[:, 1]) / upper, -0.9, 0.95)
    out = np.sqrt(1.0 - up ** 2)
    elbow = shoulder + upper * np.stack([side * UPPER_ARM_OUT[0] * out, up, UPPER_ARM_OUT[1] * out], axis=-1)
    return elbow, elbow + lower * forearm


def _wave(joints: np.ndarray, hand: np.ndarray, rise: np.ndarray, weight: np.ndarray,
          seconds: np.ndarray) -> np.ndarray:
    """``joints`` with the arm ``hand [T]`` names raised ``rise [T]`` (:func:`_raised_arm`) and the other
    lowered where it is up, each moved ``weight [T]`` (0..1) of the way from where it was."""
    out = joints.copy()
    hand = np.nan_to_num(hand, nan=-1.0)  # a wave's hand is the right one unless named
    for side, sign, raising in (("left", 1.0, hand > -0.5), ("right", -1.0, hand < 0.5)):
        shoulder, elbow, wrist = _arm(side)
        lengths = _arm_lengths(joints, side)
        waving = raising & (weight > 0)
        lowering = ~raising & (weight > 0)
        if waving.any():
            raised_elbow, raised_wrist = _raised_arm(joints[waving, shoulder], lengths, sign, rise[waving],
                                                     seconds[waving])
            w = weight[waving, None]
            raised = joints[waving, wrist] + w * (raised_wrist - joints[waving, wrist])
            out = _place_wrists(out, waving, {side: raised},
                                {side: joints[waving, elbow] + w * (raised_elbow - joints[waving, elbow])})
        if lowering.any():
            height = joints[lowering, wrist, 1] - joints[lowering, shoulder, 1]
            w = (weight[lowering] * smoothstep((height + HANG_BELOW) / HANG_EASE))[:, None]
            hanging = joints[lowering, shoulder] + np.array([sign * 0.05, -0.97 * sum(lengths), 0.05])
            lowered = joints[lowering, wrist] + w * (hanging - joints[lowering, wrist])
            out = _place_wrists(out, lowering, {side: lowered})
    return out


def _punch(joints: np.ndarray, reach: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``joints`` with the fist ``reach [T]`` names (positive: left) that far in front of its shoulder and
    the other in a guard, each moved ``weight [T]`` (0..1) of the way from where it was."""
    out = joints.copy()
    frames = weight > 0
    if not frames.any():
        return out
    w = weight[frames, None]
    for side, sign in (("left", 1.0), ("right", -1.0)):
        shoulder, elbow, wrist = _arm(side)
        ahead = np.where(np.sign(reach[frames]) == sign, np.abs(reach[frames]), GUARD_REACH)
        inward = PUNCH_INWARD * ahead + np.where(ahead > GUARD_REACH, 0.0, GUARD_INWARD)
        fist = joints[frames, shoulder] + np.stack([-sign * inward, -PUNCH_DROP * ahead, ahead + PUNCH_AHEAD], -1)
        bend = joints[frames, shoulder] + np.array([sign * PUNCH_ELBOW[0], PUNCH_ELBOW[1], PUNCH_ELBOW[2]])
        out = _place_wrists(out, frames, {side: joints[frames, wrist] + w * (fist - joints[frames, wrist])},
                            {side: joints[frames, elbow] + w * (bend - joints[frames, elbow])})
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
    thigh, shin = _lengths(joints, hip, knee, ankle)
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
                       _lengths(joints, o_hip, o_knee, o_ankle))
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
    after = _clap(_kick(rigid, given[:, FOOT_RISE]), given[:, HANDS_GAP])
    if control.shape[-1] > WRIST_RISE:
        seconds = (first_frame + np.arange(len(after))) / fps
        weight = ease_weight(np.isfinite(control[:, WRIST_RISE]), fps) * free
        after = _wave(after, control[:, HAND], np.nan_to_num(control[:, WRIST_RISE]), weight, seconds)
    if control.shape[-1] > WRIST_REACH:
        weight = ease_weight(np.isfinite(control[:, WRIST_REACH]), fps) * free
        after = _punch(after, np.nan_to_num(control[:, WRIST_REACH]), weight)
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
