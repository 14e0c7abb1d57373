"""Per-frame control signals: what the plan fixes about the motion, in numbers the planner is conditioned on.

``control: [T, 10]`` per actor, NaN where the plan leaves a channel free:

====================  =====  ==========================================================================
channel               unit   meaning
====================  =====  ==========================================================================
``forward``           m/s    pelvis velocity along the body's own facing (negative: walking backwards)
``sideways``          m/s    pelvis velocity toward the body's own left (negative: to its right)
``heading_rate``      rad/s  turning speed (positive toward the left)
``pelvis_rise``       m      pelvis height above the body's own standing height (a jump's arc, a sit)
``hand``              -1..1  the acting hand of a one-arm action: 1 left, -1 right, 0 both or neither
``foot_rise``         m      how far one ankle is above the other (a kick's height; a walk's steps)
``hands_gap``         m      distance between the wrists (each clap closes it)
``wrist_rise``        m      the higher wrist's height above its own shoulder (a wave, a raised hand)
``wrist_reach``       m      how far the more forward wrist is in front of its shoulder along the body's
                             facing, positive for the left wrist, negative for the right (a punch)
``knee_height``       m      the lower knee's height above the lowest joint (a kneel: about 0.05)
====================  =====  ==========================================================================

Training measures them on every clip (:func:`measure`); generation takes them from the story
(:func:`stickgen.story.controls.plan_controls`) or from a caller's own root path (:func:`from_trajectory`).
The model sees ``normalize``d values and a 0/1 mask per channel, so text alone still works where a channel
is free. A planner trained with fewer channels (``config.control_dim`` 5, before the limb channels) takes the
first ``control_dim`` of them.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .skeleton import JOINT_INDEX, bone_lengths, facing_directions, heading_angles, mirror, rest_pose, rotate_y

CHANNELS = ("forward", "sideways", "heading_rate", "pelvis_rise", "hand", "foot_rise", "hands_gap", "wrist_rise",
            "wrist_reach", "knee_height")
CONTROL_DIM = len(CHANNELS)
(FORWARD, SIDEWAYS, HEADING_RATE, PELVIS_RISE, HAND, FOOT_RISE, HANDS_GAP, WRIST_RISE, WRIST_REACH,
 KNEE_HEIGHT) = range(CONTROL_DIM)
#: typical magnitude of each channel; the model sees ``control / SCALE``
SCALE = np.array([2.0, 1.0, 2.0, 0.3, 1.0, 0.5, 0.4, 0.3, 0.4, 0.5])
ROOT_CONTROLS = (FORWARD, SIDEWAYS, HEADING_RATE)
LIMB_CONTROLS = (FOOT_RISE, HANDS_GAP, WRIST_RISE, WRIST_REACH, KNEE_HEIGHT)
#: channel groups that are given or dropped together in training (root motion, height, hand, each limb channel)
GROUPS = (ROOT_CONTROLS, (PELVIS_RISE,), (HAND,), *((channel,) for channel in LIMB_CONTROLS))
VELOCITY_WINDOW_S = 1.0  # velocities averaged over about two steps: a plan's speed has no gait ripple
HEADING_WINDOW_S = 0.4
HAND_WINDOW_S = 1.0
ONE_HANDED = 1.5  # a hand is the acting one when its wrist travels this many times as far as the other's
ACTIVE_WRIST_SPEED = 0.25  # m/s relative to the pelvis: below it neither hand is doing anything
#: a fist's reach in front of its shoulder in a boxing guard (m; the data's punches start from 0.04)
GUARD_REACH = 0.05
ONE_ARM_ACTIONS = frozenset({"wave", "point", "eating", "drinking", "throwing", "pitching", "punch"})
_REST = rest_pose()
#: standing pelvis height over (thigh + shin) length, from the rest pose
STANDING_RATIO = _REST[0, 1] / (bone_lengths(_REST)[JOINT_INDEX["left_knee"] - 1]
                                + bone_lengths(_REST)[JOINT_INDEX["left_ankle"] - 1])


def moving_average(x: np.ndarray, frames: int) -> np.ndarray:
    """Centred moving average along axis 0 with edge padding: ``[T, ...] -> [T, ...]``."""
    if frames < 2 or len(x) < 2:
        return x
    pad = [(frames // 2, frames - 1 - frames // 2)] + [(0, 0)] * (x.ndim - 1)
    padded = np.pad(x, pad, mode="edge")
    kernel = np.ones(frames) / frames
    return np.apply_along_axis(lambda v: np.convolve(v, kernel, mode="valid"), 0, padded)


def standing_height(joints: np.ndarray) -> float:
    """The pelvis height (m) of this skeleton standing straight: ``joints [T, 22, 3]``."""
    lengths = np.median(bone_lengths(joints), axis=0)
    legs = [lengths[JOINT_INDEX[f"{side}_{j}"] - 1] for side in ("left", "right") for j in ("knee", "ankle")]
    return float(STANDING_RATIO * np.mean(legs) * 2)


# ----------------------------------------------------------------------------- measured on a clip


def measure(joints: np.ndarray, fps: float) -> np.ndarray:
    """The controls a world clip ``joints [T, 22, 3]`` obeys: ``[T, 10]`` (every channel set)."""
    joints = np.asarray(joints, dtype=np.float64)
    frames = len(joints)
    heading = np.unwrap(heading_angles(joints))
    step = np.zeros((frames, 2))
    step[1:] = np.diff(joints[:, 0, [0, 2]], axis=0) * fps
    velocity = moving_average(step, int(round(VELOCITY_WINDOW_S * fps)))
    # world x/z velocity in the body frame: forward along (sin h, cos h), left along (cos h, -sin h)
    forward = velocity[:, 0] * np.sin(heading) + velocity[:, 1] * np.cos(heading)
    left = velocity[:, 0] * np.cos(heading) - velocity[:, 1] * np.sin(heading)
    turning = np.zeros(frames)
    turning[1:] = np.diff(heading) * fps
    turning = moving_average(turning, int(round(HEADING_WINDOW_S * fps)))
    rise = moving_average(joints[:, 0, 1] - standing_height(joints), 3)
    return np.concatenate([np.stack([forward, left, turning, rise, _acting_hand(joints, fps)], axis=-1),
                           limb_measures(joints)], axis=-1)


def limb_measures(joints: np.ndarray) -> np.ndarray:
    """``[T, 5]``: foot rise, hands gap, wrist rise, signed wrist reach and knee height (m; see the channels)
    of ``joints [T, 22, 3]``, over 3 frames."""
    ankles = joints[:, [JOINT_INDEX["left_ankle"], JOINT_INDEX["right_ankle"]], 1]
    wrists = joints[:, [JOINT_INDEX["left_wrist"], JOINT_INDEX["right_wrist"]]]
    shoulders = joints[:, [JOINT_INDEX["left_shoulder"], JOINT_INDEX["right_shoulder"]]]
    reach = ((wrists - shoulders) * facing_directions(joints)[:, None]).sum(-1)  # [T, 2] left, right
    signed = np.where(reach[:, 0] >= reach[:, 1], reach[:, 0], -reach[:, 1])
    knees = joints[:, [JOINT_INDEX["left_knee"], JOINT_INDEX["right_knee"]], 1].min(axis=1)
    return moving_average(np.stack([np.abs(ankles[:, 0] - ankles[:, 1]),
                                    np.linalg.norm(wrists[:, 0] - wrists[:, 1], axis=-1),
                                    (wrists[..., 1] - shoulders[..., 1]).max(axis=1), signed,
                                    knees - joints[..., 1].min(axis=1)], axis=-1), 3)


def _acting_hand(joints: np.ndarray, fps: float) -> np.ndarray:
    """Per frame 1 (left hand busy), -1 (right), 0 (both or neither), over a one-second window: ``[T]``."""
    wrists = joints[:, [JOINT_INDEX["left_wrist"], JOINT_INDEX["right_wrist"]]] - joints[:, None, 0]
    speed = np.zeros((len(joints), 2))
    speed[1:] = np.linalg.norm(np.diff(wrists, axis=0), axis=-1) * fps
    speed = moving_average(speed, int(round(HAND_WINDOW_S * fps)))
    left, right = speed[:, 0], speed[:, 1]
    busy = np.maximum(left, right) > ACTIVE_WRIST_SPEED
    return np.where(busy & (left > ONE_HANDED * right), 1.0, np.where(busy & (right > ONE_HANDED * left), -1.0, 0.0))


def fill_gaps(given: np.ndarray, max_gap: int) -> np.ndarray:
    """``given [..., T]`` bool with the frames between two given frames at most ``max_gap`` apart set too:
    the stretch a sparse control (a jump's apexes and the standing between) governs."""
    given = np.asarray(given, bool)
    out = given.copy()
    for index in np.ndindex(given.shape[:-1]):
        frames = np.flatnonzero(given[index])
        for a, b in zip(frames[:-1], frames[1:]):
            if b - a <= max_gap:
                out[index][a:b] = True
    return out


def mirror_pose(joints: np.ndarray) -> np.ndarray:
    """``joints [T, 22, 3]`` with each frame's pose mirrored about the body's own midplane (left and right
    limbs swapped) while the pelvis path and facing stay: a wave with the right hand becomes one with the left."""
    joints = np.asarray(joints, dtype=np.float64)
    heading = heading_angles(joints)[:, None]
    ground = joints[:, :1] * np.array([1.0, 0.0, 1.0])
    local = rotate_y(joints - ground, -heading)
    return rotate_y(mirror(local), heading) + ground


def hand_agreement(joints: np.ndarray, fps: float, wanted: np.ndarray) -> float:
    """How well world ``joints [T, 22, 3]`` use the hand ``wanted [T]`` asks for (1 left, -1 right, NaN or 0
    free): the share of asked frames whose busy hand is the asked one minus the share where it is the
    other; 0 when no frame asks for one hand."""
    wanted = np.asarray(wanted, dtype=np.float64)
    asked = np.isfinite(wanted) & (np.abs(wanted) > 0.5)
    if not asked.any():
        return 0.0
    busy = _acting_hand(np.asarray(joints, dtype=np.float64), fps)[asked]
    return float(np.mean(busy == wanted[asked]) - np.mean(busy == -wanted[asked]))


# ----------------------------------------------------------------------------- model input


def normalize(control: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``control [..., 10]`` (NaN: free) -> ``(values, mask)``, both float32 ``[..., 10]``: values scaled
    by :data:`SCALE` and zero where free, mask 1 where given."""
    control = np.asarray(control, dtype=np.float64)
    if control.shape[-1] != CONTROL_DIM:
        raise ValueError(f"control: expected last dimension {CONTROL_DIM} ({', '.join(CHANNELS)}), "
                         f"got {control.shape[-1]}")
    given = np.isfinite(control)
    values = np.where(given, control, 0.0) / SCALE
    return values.astype(np.float32), given.astype(np.float32)


def denormalize(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The inverse of :func:`normalize`: ``control [..., C]`` in its units, NaN where ``mask`` is 0 (``C``: the
    first channels a planner takes, all ten or fewer)."""
    values = np.asarray(values, dtype=np.float64)
    values = values * SCALE[:values.shape[-1]]
    return np.where(np.asarray(mask) > 0.5, values, np.nan)


def training_mask(control: np.ndarray, rng: np.random.Generator, free_prob: float = 0.3,
                  sparse_prob: float = 0.2) -> np.ndarray:
    """``control [T, 10]`` with channel groups dropped (NaN) at random, as a plan gives some and not others.

    Each group (root motion, pelvis height, hand, each limb channel) is free with ``free_prob``, kept at a few random
    frames (5-20 %) with ``sparse_prob`` (a plan that fixes only a jump's apex), else kept whole.
    """
    out = np.array(control, dtype=np.float64)
    for group in GROUPS:
        draw = rng.random()
        if draw < free_prob:
            out[:, group] = np.nan
        elif draw < free_prob + sparse_prob:
            dropped = rng.random(len(out)) > rng.uniform(0.05, 0.2)
            out[np.ix_(dropped, group)] = np.nan
    return out


# ----------------------------------------------------------------------------- from a root path


def path_headings(positions: np.ndarray, fps: float) -> np.ndarray:
    """Headings ``[T]`` (radians, 0 faces +z, positive toward +x) along ``positions [T, 2]`` (world x/z):
    the way the path goes, held while it stands still (the first way it goes before it starts)."""
    velocity = np.gradient(np.asarray(positions, dtype=np.float64), axis=0) * fps
    moving = np.linalg.norm(velocity, axis=1) > 0.05
    if not moving.any():
        return np.zeros(len(velocity))
    along = np.arctan2(velocity[:, 0], velocity[:, 1])
    index = np.maximum.accumulate(np.where(moving, np.arange(len(along)), np.argmax(moving)))
    return np.unwrap(along[index])


def from_trajectory(positions: np.ndarray, fps: float, headings: np.ndarray | None = None) -> np.ndarray:
    """Controls that make the pelvis follow ``positions [T, 2]`` (world x/z, m) facing ``headings [T]``
    (radians, 0 faces +z, positive toward +x; default :func:`path_headings`).
    Returns ``[T, 10]`` with the root channels set and the others free."""
    positions = np.asarray(positions, dtype=np.float64)
    if positions.ndim != 2 or positions.shape[1] != 2 or len(positions) < 2:
        raise ValueError(f"trajectory: expected world x/z positions [T, 2] with T >= 2, got {list(positions.shape)}")
    if not np.all(np.isfinite(positions)):
        raise ValueError("trajectory: positions must be finite numbers")
    headings = path_headings(positions, fps) if headings is None else np.asarray(headings, dtype=np.float64)
    if headings.shape != (len(positions),) or not np.all(np.isfinite(headings)):
        raise ValueError(f"headings: expected [{len(positions)}] finite radians like the positions, "
                         f"got shape {list(headings.shape)}")
    headings = np.unwrap(headings)
    velocity = np.diff(positions, axis=0, prepend=positions[:1]) * fps  # [T, 2] backward differences
    velocity[0] = velocity[1]
    out = np.full((len(positions), CONTROL_DIM), np.nan)
    out[:, FORWARD] = velocity[:, 0] * np.sin(headings) + velocity[:, 1] * np.cos(headings)
    out[:, SIDEWAYS] = velocity[:, 0] * np.cos(headings) - velocity[:, 1] * np.sin(headings)
    out[:, HEADING_RATE] = np.diff(headings, prepend=headings[0]) * fps
    return out


def integrate(control: np.ndarray, fps: float, start: Sequence[float] = (0.0, 0.0),
              facing: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """The root path that ``control [T, 10]``'s root channels describe (NaN counts as 0; frame ``t``'s
    rates are the change from frame ``t - 1``, as :func:`measure` and :func:`from_trajectory` give them):
    ``(positions [T, 2] world x/z, headings [T])`` from ``start`` facing ``facing``."""
    control = np.nan_to_num(np.asarray(control, dtype=np.float64))
    headings = facing + np.concatenate([[0.0], np.cumsum(control[1:, HEADING_RATE]) / fps])
    vx = control[:, FORWARD] * np.sin(headings) + control[:, SIDEWAYS] * np.cos(headings)
    vz = control[:, FORWARD] * np.cos(headings) - control[:, SIDEWAYS] * np.sin(headings)
    steps = np.stack([vx, vz], axis=1) / fps
    steps[0] = 0.0
    return np.asarray(start, dtype=np.float64) + np.cumsum(steps, axis=0), headings
