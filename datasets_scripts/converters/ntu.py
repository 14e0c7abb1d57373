"""NTU RGB+D 60/120 Kinect v2 ``.skeleton`` files -> canonical ``smpl22`` clips, one per tracked body.

Layout (the dataset's ``read_skeleton_file.m``): whitespace-separated text; the first line is the frame
count; per frame a body count, then per body a line of 10 values (bodyID, clippedEdges,
handLeftConfidence, handLeftState, handRightConfidence, handRightState, isRestricted, leanX, leanY,
trackingState), the joint count (25), and 25 lines of 12 values (x, y, z in camera space, depthX,
depthY, colorX, colorY, orientationW/X/Y/Z, trackingState). Captured at 30 fps. The file name is
``SsssCcccPpppRrrrAaaa.skeleton`` (setup, camera, performer, replication, action class A001..A120).

Camera space (Kinect v2 SDK, ``CameraSpacePoint``): metres, origin at the IR sensor, x toward the
sensor's left, y up (tilted with the sensor), z away from the sensor: a right-handed frame, and the
joint names are the body's own sides, so a rotation about y brings any clip to the canonical frame.
The floor is not stored: the lowest foot joint over the clip is put at y = 0; a tilted sensor's tilt
stays in the clip.

Bodies are tracked by bodyID. A body's clip runs from the first to the last frame it appears in;
frames inside that span where it is missing are linearly interpolated. A body seen in fewer than
``max(MIN_FRAMES, half the file's frames)`` frames (a noise skeleton or a lost track) is skipped with
a warning that says why. Joint tracking states are not used.

SMPL-22 from the 25 Kinect joints (each smpl22 joint is the mean of the joints in
:data:`SMPL_FROM_KINECT`): pelvis = SpineBase, spine2 = SpineMid, neck = Neck, head = Head, the limbs
are the joints of the same name and each foot is Foot; derived: spine1 = midpoint of SpineBase and
SpineMid, spine3 = midpoint of SpineMid and SpineShoulder, each collar = midpoint of SpineShoulder and
that shoulder. Hands, hand tips and thumbs are unused.

Public: :data:`KINECT_JOINTS`, :data:`SMPL_FROM_KINECT`, :data:`ACTION_CLASSES`, :data:`TO_VOCAB`,
:func:`kinect_to_smpl22`, :func:`parse_skeleton`, :func:`action_of`, :func:`convert_file`.
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from stickgen import skeleton

NTU_FPS = 30.0
FPS = 25
MIN_FRAMES = 15

KINECT_JOINTS: tuple[str, ...] = (
    "SpineBase", "SpineMid", "Neck", "Head", "ShoulderLeft", "ElbowLeft", "WristLeft", "HandLeft",
    "ShoulderRight", "ElbowRight", "WristRight", "HandRight", "HipLeft", "KneeLeft", "AnkleLeft", "FootLeft",
    "HipRight", "KneeRight", "AnkleRight", "FootRight", "SpineShoulder", "HandTipLeft", "ThumbLeft",
    "HandTipRight", "ThumbRight",
)
KINECT_INDEX: dict[str, int] = {name: i for i, name in enumerate(KINECT_JOINTS)}

#: smpl22 joint -> the Kinect joints whose mean it is
SMPL_FROM_KINECT: dict[str, tuple[str, ...]] = {
    "pelvis": ("SpineBase",), "left_hip": ("HipLeft",), "right_hip": ("HipRight",),
    "spine1": ("SpineBase", "SpineMid"), "left_knee": ("KneeLeft",), "right_knee": ("KneeRight",),
    "spine2": ("SpineMid",), "left_ankle": ("AnkleLeft",), "right_ankle": ("AnkleRight",),
    "spine3": ("SpineMid", "SpineShoulder"), "left_foot": ("FootLeft",), "right_foot": ("FootRight",),
    "neck": ("Neck",), "left_collar": ("SpineShoulder", "ShoulderLeft"),
    "right_collar": ("SpineShoulder", "ShoulderRight"), "head": ("Head",), "left_shoulder": ("ShoulderLeft",),
    "right_shoulder": ("ShoulderRight",), "left_elbow": ("ElbowLeft",), "right_elbow": ("ElbowRight",),
    "left_wrist": ("WristLeft",), "right_wrist": ("WristRight",),
}
_SOURCES = [[KINECT_INDEX[k] for k in SMPL_FROM_KINECT[name]] for name in skeleton.JOINT_NAMES]

#: the published class names (NTU RGB+D 120 README), A001 first; A050-A060 and A106-A120 involve two people
ACTION_CLASSES: tuple[str, ...] = (
    "drink water", "eat meal/snack", "brushing teeth", "brushing hair", "drop", "pickup", "throw",
    "sitting down", "standing up (from sitting position)", "clapping", "reading", "writing", "tear up paper",
    "wear jacket", "take off jacket", "wear a shoe", "take off a shoe", "wear on glasses", "take off glasses",
    "put on a hat/cap", "take off a hat/cap", "cheer up", "hand waving", "kicking something",
    "put something inside pocket / take out something from pocket", "hopping (one foot jumping)", "jump up",
    "make a phone call/answer phone", "playing with phone/tablet", "typing on a keyboard",
    "pointing to something with finger", "taking a selfie", "check time (from watch)",
    "rub two hands together", "nod head/bow", "shake head", "wipe face", "salute", "put the palms together",
    "cross hands in front (say stop)", "sneeze/cough", "staggering", "falling", "touch head (headache)",
    "touch chest (stomachache/heart pain)", "touch back (backache)", "touch neck (neckache)",
    "nausea or vomiting condition", "use a fan (with hand or paper)/feeling warm",
    "punching/slapping other person", "kicking other person", "pushing other person",
    "pat on back of other person", "point finger at the other person", "hugging other person",
    "giving something to other person", "touch other person's pocket", "handshaking",
    "walking towards each other", "walking apart from each other",
    "put on headphone", "take off headphone", "shoot at the basket", "bounce ball", "tennis bat swing",
    "juggling table tennis balls", "hush (quite)", "flick hair", "thumb up", "thumb down", "make ok sign",
    "make victory sign", "staple book", "counting money", "cutting nails", "cutting paper (using scissors)",
    "snapping fingers", "open bottle", "sniff (smell)", "squat down", "toss a coin", "fold paper",
    "ball up paper", "play magic cube", "apply cream on face", "apply cream on hand back", "put on bag",
    "take off bag", "put something into a bag", "take something out of a bag", "open a box",
    "move heavy objects", "shake fist", "throw up cap/hat", "hands up (both hands)", "cross arms",
    "arm circles", "arm swings", "running on the spot", "butt kicks (kick backward)", "cross toe touch",
    "side kick", "yawn", "stretch oneself", "blow nose", "hit other person with something",
    "wield knife towards other person", "knock over other person (hit with body)",
    "grab other person's stuff", "shoot at other person with a gun", "step on foot", "high-five",
    "cheers and drink", "carry something with other person", "take a photo of other person",
    "follow other person", "whisper in other person's ear", "exchange things with other person",
    "support somebody with one's hand (someone is sick, help him to walk)",
    "finger-guessing game (playing rock-paper-scissors)",
)

#: class number -> our action (stickgen.vocab.ACTION_NAMES), only where the class clearly is that action
TO_VOCAB: dict[int, str] = {
    1: "drinking", 2: "eating", 7: "throwing", 8: "sit", 9: "stand", 10: "clap", 11: "reading", 22: "celebrate",
    23: "wave", 24: "kick", 26: "jump", 27: "jump", 30: "typing", 31: "point", 43: "lie_down", 50: "punch",
    51: "kick", 54: "point", 55: "hug", 58: "handshake", 59: "walk", 60: "walk", 63: "shooting", 64: "dribbling",
    102: "kick", 112: "high_five", 113: "drinking", 116: "walk", 117: "whisper",
}

_NAME = re.compile(r"S(\d{3})C(\d{3})P(\d{3})R(\d{3})A(\d{3})")
Rows = Iterator[tuple[int, list[str]]]  # (line number, words) of the non-blank lines


def kinect_to_smpl22(joints_kinect: np.ndarray) -> np.ndarray:
    """Kinect v2 positions ``[..., 25, 3]`` -> smpl22 positions ``[..., 22, 3]`` in the same axes."""
    joints_kinect = np.asarray(joints_kinect, dtype=np.float64)
    return np.stack([joints_kinect[..., idx, :].mean(axis=-2) for idx in _SOURCES], axis=-2)


def action_of(filename: str | Path) -> tuple[int, str, str | None]:
    """``(class number, published name, our action or None)`` from a ``SsssCcccPpppRrrrAaaa`` file name."""
    match = _NAME.search(Path(filename).name)
    if match is None or not 1 <= int(match.group(5)) <= len(ACTION_CLASSES):
        raise ValueError(f"expected a file named like S001C002P003R002A013.skeleton (A001..A120), got {filename}")
    number = int(match.group(5))
    return number, ACTION_CLASSES[number - 1], TO_VOCAB.get(number)


# ----------------------------------------------------------------------------- parsing


def _rows(text: str) -> Rows:
    """``(line number, words)`` of every non-blank line."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            yield number, line.split()


def _take(rows: Rows, what: str) -> tuple[int, list[str]]:
    """The next row; ``ValueError`` when the file has ended."""
    try:
        return next(rows)
    except StopIteration:
        raise ValueError(f"the file ends where {what} was expected") from None


def _next(rows: Rows, width: int, what: str) -> tuple[int, list[str]]:
    """The next row, which must hold ``width`` values."""
    number, words = _take(rows, what)
    if len(words) != width:
        raise ValueError(f"line {number}: expected {what} ({width} values), got {' '.join(words)[:60]!r}")
    return number, words


def _count(rows: Rows, what: str) -> int:
    """The next row as one non-negative integer."""
    number, words = _take(rows, what)
    if len(words) != 1 or not words[0].isdigit():
        raise ValueError(f"line {number}: expected {what} (one integer), got {' '.join(words)[:60]!r}")
    return int(words[0])


def _body(rows: Rows) -> tuple[int, np.ndarray]:
    """One body block: ``(bodyID, camera-space joints [25, 3])``."""
    number, words = _next(rows, 10, "a body line (bodyID ... trackingState)")
    joint_count = _count(rows, "the joint count")
    if joint_count != len(KINECT_JOINTS):
        raise ValueError(f"line {number + 1}: expected {len(KINECT_JOINTS)} Kinect v2 joints, got {joint_count}")
    joints = [_next(rows, 12, "a joint line (x y z depthX ... trackingState)")[1][:3] for _ in KINECT_JOINTS]
    try:
        return int(words[0]), np.array(joints, dtype=np.float64)
    except ValueError:
        raise ValueError(f"line {number}: this body's ID or a joint position is not a number") from None


def parse_skeleton(text: str) -> list[dict[int, np.ndarray]]:
    """An NTU ``.skeleton`` file's text -> per frame ``{bodyID: joints [25, 3]}`` (camera space, metres).

    ``ValueError`` naming the line when the text does not follow the layout.
    """
    rows = _rows(text)
    frames = []
    for _ in range(_count(rows, "the frame count")):
        frames.append(dict(_body(rows) for _ in range(_count(rows, "a body count"))))
    return frames


# ----------------------------------------------------------------------------- conversion


def _track(frames: list[dict[int, np.ndarray]], body_id: int) -> np.ndarray:
    """One body's joints ``[T, 25, 3]`` from its first to last frame, gaps linearly interpolated."""
    present = np.array([i for i, bodies in enumerate(frames) if body_id in bodies])
    seen = np.stack([frames[i][body_id] for i in present])
    span = np.arange(present[0], present[-1] + 1)
    flat = seen.reshape(len(present), -1)
    filled = np.stack([np.interp(span, present, flat[:, k]) for k in range(flat.shape[1])], axis=-1)
    return filled.reshape(len(span), len(KINECT_JOINTS), 3)


def _canonical(joints_kinect: np.ndarray) -> np.ndarray:
    """Camera-space ``[T, 25, 3]`` at 30 fps -> canonical ``[T', 22, 3]`` at 25 fps."""
    joints = skeleton.resample(skeleton.make_rigid(kinect_to_smpl22(joints_kinect)), NTU_FPS, FPS)
    return skeleton.put_on_ground(skeleton.normalize_heading(joints))


def convert_file(path: str | Path) -> list[tuple[np.ndarray, str, str | None]]:
    """One ``.skeleton`` file -> ``[(joints [T, 22, 3], text, action)]``, one entry per kept body in order
    of first appearance. ``text`` is the class's published name, ``action`` our action or None.
    Every clip is canonical on its own: 25 fps, rigid, facing +z at frame 0, pelvis above the origin,
    lowest foot on the ground."""
    path = Path(path)
    _, name, action = action_of(path)
    try:
        frames = parse_skeleton(path.read_text())
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    needed = max(MIN_FRAMES, (len(frames) + 1) // 2)
    out = []
    for body_id in dict.fromkeys(b for bodies in frames for b in bodies):
        seen = sum(body_id in bodies for bodies in frames)
        if seen < needed:
            warnings.warn(f"{path.name}: body {body_id} skipped: in {seen} of {len(frames)} frames, "
                          f"fewer than {needed}", stacklevel=2)
            continue
        out.append((_canonical(_track(frames, body_id)), name, action))
    return out
