"""Post-processing that makes a generated clip physically plausible, and the numbers that show it.

:func:`postprocess` runs, in order: a rigid skeleton (bone lengths by
:func:`stickgen.skeleton.make_rigid`, then the hip and collar triangles by
:func:`stickgen.export.kinematics.fit_to_skeleton`, so BVH/glTF hold the clip exactly), the clip onto the
ground (:func:`stickgen.skeleton.put_on_ground`), for bodies not meant to stay in the air a settle onto
the ground once a second (:func:`settle`) and airborne stretches lowered to a free-fall arc
(:func:`free_fall`), then foot planting (:func:`stickgen.footwork.plant_feet`: standing feet held still,
swinging feet clear of the ground, legs re-solved with two-bone IK so bones keep their lengths) and
removal of any remaining ground penetration (a smooth per-frame lift). The last two steps keep the
skeleton rigid: IK only turns leg bones below the hip and the lift moves whole frames. :func:`quality_metrics`
measures bone-length drift, penetration, foot skating and floating, so each step's effect is measured rather
than assumed.
"""
from __future__ import annotations

import numpy as np
from scipy.ndimage import maximum_filter1d, minimum_filter1d, uniform_filter1d

from .export.kinematics import fit_to_skeleton
from .footwork import plant_feet, runs
from .skeleton import FOOT_JOINTS, bone_lengths, foot_contacts, make_rigid, put_on_ground

#: a given (predicted) contact is only trusted where the foot joint is at most this high (m: ankle, toe)
#: above the frame's lowest joint and its horizontal speed, measured over ``2 * PLAUSIBLE_CONTACT_SPAN``
#: frames so that frame-to-frame noise cancels, is under PLAUSIBLE_CONTACT_SPEED (m/s): a swinging foot
#: is higher or faster, a planted one that slides (what foot planting is for) is neither
PLAUSIBLE_CONTACT_HEIGHT = (0.18, 0.10)
PLAUSIBLE_CONTACT_SPEED = 1.0
PLAUSIBLE_CONTACT_SPAN = 2
#: free-fall acceleration (m/s^2) that bounds how long a jump can stay up (:func:`free_fall`)
GRAVITY = 9.81
#: a body whose lowest joint is at most this high (m) is on the ground for :func:`free_fall`
GROUND_CLEARANCE = 0.03
def remove_penetration(joints: np.ndarray, window: int = 5) -> np.ndarray:
    """Lift frames whose lowest joint is below y = 0, smoothly: ``[T, 22, 3] -> [T, 22, 3]``.

    The per-frame lift is a running maximum then a running mean over ``window`` frames, which is never
    less than the lift a frame needs, so no joint ends below the ground.
    """
    joints = np.asarray(joints, dtype=np.float64)
    need = np.maximum(-joints[..., 1].min(axis=1), 0.0)
    lift = uniform_filter1d(maximum_filter1d(need, window, mode="nearest"), window, mode="nearest")
    lift = np.maximum(lift, need)  # guards the float rounding of the running mean
    out = joints.copy()
    out[..., 1] += lift[:, None]
    return out


def settle(joints: np.ndarray, fps: float, window: float = 1.0) -> np.ndarray:
    """Lower frames so the body touches the ground at least once in every ``window`` seconds:
    ``[T, 22, 3] -> [T, 22, 3]``.

    A generated clip put on the ground by its single lowest frame floats wherever the model let the
    body drift up. The per-frame drop is a running minimum of the lowest joint's height over ``window``
    then a running mean over the same span, which is never more than a frame's own height, so nothing
    goes below the ground; a jump shorter than half the window keeps its flight.
    """
    joints = np.asarray(joints, dtype=np.float64)
    span = max(1, int(round(window * fps)) | 1)  # odd, so the window is centred
    lowest = np.maximum(joints[..., 1].min(axis=1), 0.0)
    drop = uniform_filter1d(minimum_filter1d(lowest, span, mode="nearest"), span, mode="nearest")
    out = joints.copy()
    out[..., 1] -= np.minimum(drop, lowest)[:, None]  # min guards the float rounding of the running mean
    return out


def free_fall(joints: np.ndarray, fps: float, clearance: float = GROUND_CLEARANCE, ease: int = 5) -> np.ndarray:
    """Bring airborne stretches down along a free-fall arc: ``[T, 22, 3] -> [T, 22, 3]``.

    A stretch is a run of frames whose lowest joint is above ``clearance``. Its body may be no higher
    than a jump that peaks at the stretch's highest frame allows: ``clearance + h - g/2 (t - t_peak)^2``
    (``h`` the peak's height above the clearance). Frames above that arc are lowered; the drop is eased
    like :func:`remove_penetration`'s lift (a running maximum then a running mean over ``ease`` frames),
    never less than the arc needs and never more than the frame's own height. A generated hover of a
    second comes down to a hop; a jump that follows the arc keeps its flight.
    """
    joints = np.asarray(joints, dtype=np.float64)
    lowest = joints[..., 1].min(axis=1)
    seconds = np.arange(len(joints)) / fps
    need = np.zeros(len(joints))
    for start, end in runs(lowest > clearance):
        peak = start + int(np.argmax(lowest[start:end]))
        rise = np.maximum(lowest[peak] - clearance - 0.5 * GRAVITY * (seconds[start:end] - seconds[peak]) ** 2, 0.0)
        need[start:end] = np.maximum(lowest[start:end] - clearance - rise, 0.0)
    drop = uniform_filter1d(maximum_filter1d(need, ease, mode="nearest"), ease, mode="nearest")
    drop = np.minimum(np.maximum(drop, need), np.maximum(lowest, 0.0))
    out = joints.copy()
    out[..., 1] -= drop[:, None]
    return out


def postprocess(joints: np.ndarray, fps: float, contacts: np.ndarray | None = None,
                lengths: np.ndarray | None = None, settle_window: float | None = None,
                fall: bool = True) -> np.ndarray:
    """Rigid skeleton, grounded, feet planted while they stand, no penetration: ``[T, 22, 3] -> [T, 22, 3]``.

    The result is exactly a joint-rotation skeleton (constant bone lengths and hip/collar triangles), so
    its BVH/glTF export round-trips. ``contacts: [T, 4]`` (for example the model's predicted contact
    channels) are kept only where the foot could be planted (:func:`plausible_contacts`; a model that
    marks a swinging foot as planted would otherwise pin it for the whole clip); without them,
    :func:`stickgen.skeleton.foot_contacts` of the grounded clip.
    ``lengths: [21]`` fixes bone lengths (default: each bone's median). ``settle_window`` (seconds), if
    given, also brings the body down to the ground once per window (:func:`settle`) and then airborne
    stretches down to a free-fall arc (:func:`free_fall`), both before the feet are planted (a plant
    holds the foot at its stance's lowest point, so it never lifts the body, and a swinging foot's
    clearance is not undone by a later drop); neither is for actions that are meant to stay in the air.
    ``fall=False`` leaves out the free fall (a clip whose jumps were steered onto ballistic pelvis arcs:
    the arc the free fall would derive from its lowest joint can cut them).
    """
    joints = put_on_ground(fit_to_skeleton(make_rigid(joints, lengths)))
    if settle_window is not None:
        joints = settle(joints, fps, settle_window)
        if fall:
            joints = free_fall(joints, fps)
    if contacts is None:
        contacts = foot_contacts(joints, fps)
    else:
        contacts = plausible_contacts(joints, fps, contacts)
    joints = plant_feet(joints, fps, contacts)
    return remove_penetration(joints)


def plausible_contacts(joints: np.ndarray, fps: float, contacts: np.ndarray) -> np.ndarray:
    """``contacts [T, 4]`` (FOOT_JOINTS order) where that foot joint is low and slow enough to be planted
    (:data:`PLAUSIBLE_CONTACT_HEIGHT`, :data:`PLAUSIBLE_CONTACT_SPEED`); ``joints [T, 22, 3]``."""
    ankle_height, toe_height = PLAUSIBLE_CONTACT_HEIGHT
    feet = joints[:, list(FOOT_JOINTS)]
    height = feet[..., 1] - joints[..., 1].min(axis=1, keepdims=True)
    span = PLAUSIBLE_CONTACT_SPAN
    ahead = feet[np.minimum(np.arange(len(feet)) + span, len(feet) - 1)]
    behind = feet[np.maximum(np.arange(len(feet)) - span, 0)]
    speed = np.linalg.norm((ahead - behind)[..., [0, 2]], axis=-1) * fps / (2 * span)
    low = height <= np.array([ankle_height, ankle_height, toe_height, toe_height])
    return np.asarray(contacts, bool) & low & (speed < PLAUSIBLE_CONTACT_SPEED)


def quality_metrics(joints: np.ndarray, fps: float, contacts: np.ndarray | None = None) -> dict[str, float]:
    """Plausibility figures of a clip ``[T, 22, 3]`` (all in metres or m/s; lower is better).

    ``bone_length_std``: largest standard deviation of a bone's length over time; ``penetration``:
    deepest point below the ground; ``foot_skate``: mean horizontal speed of foot joints while in
    contact (``contacts [T, 4]``, default detected); ``float``: mean height of the lowest foot joint.
    """
    joints = np.asarray(joints, dtype=np.float64)
    if contacts is None:
        contacts = foot_contacts(joints, fps)
    contacts = np.asarray(contacts, dtype=bool)
    feet = joints[:, list(FOOT_JOINTS)]
    speed = np.zeros(feet.shape[:2])
    if len(joints) > 1:
        speed[1:] = np.linalg.norm(np.diff(feet[..., [0, 2]], axis=0), axis=-1) * fps
    return {
        "bone_length_std": float(bone_lengths(joints).std(axis=0).max()),
        "penetration": float(max(0.0, -joints[..., 1].min())),
        "foot_skate": float(speed[contacts].mean()) if contacts.any() else 0.0,
        "float": float(feet[..., 1].min(axis=1).mean()),
    }
