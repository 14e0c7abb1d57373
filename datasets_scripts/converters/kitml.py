"""KIT-ML (the processed release of Guo et al., distributed with HumanML3D) -> canonical ``smpl22`` clips.

Layout (as the HumanML3D repository documents it): ``new_joints/<id>.npy`` holds ``[T, 21, 3]`` joint
positions at 12.5 fps (the rate text-to-motion and MDM use for KIT), y up (the heading at frame 0 is
measured here from the hips and shoulders, not assumed); ``texts/<id>.txt`` one description per line as
``sentence#tagged tokens#start#end`` (the HumanML3D format, read with :func:`.humanml3d.parse_texts`);
``train.txt``/``val.txt``/``test.txt`` (and ``train_val.txt``, ``all.txt``) the ids of each split.

The 21 joints are the MMM model's, in the order of HumanML3D's ``paramUtil.kit_kinematic_chain``
(``[0, 11..15]``, ``[0, 16..20]``, ``[0..4]``, ``[3, 5, 6, 7]``, ``[3, 8, 9, 10]``) with the names the
MMM files give them (TEMOS's ``mmm_joints``, confirmed by the MDM and TEMOS maintainers): see
:data:`KIT_JOINTS`. Left is the body's own left (the MMM names); ``kit_raw_offsets`` put ``LS``/``LH`` at
+x with the feet toward +z, a right-handed y-up frame, so no mirroring is needed.

Units: the release does not state them. MDM's plot script scales KIT by 0.003 where it scales
HumanML3D's metres by 1.3, and TEMOS converts MMM positions at 480 units per 0.75 m: millimetres,
possibly of MMM's height-normalised body (not verified without the data). :func:`convert_joints` detects
the unit from the body's size (a standing adult is ~1.7 m, so a size in the thousands is millimetres)
and divides millimetres by 1000.

SMPL-22 from KIT-21 (each smpl22 joint is the mean of the KIT joints in :data:`SMPL_FROM_KIT`): pelvis
= root, spine1 = BP (lumbar joint), spine3 = BT (thoracic joint), neck = BLN (lower neck), head = BUN
(upper neck), as TEMOS pairs them; hips, knees, ankles, shoulders, elbows, wrists are the KIT joints of
the same name; derived: spine2 = midpoint of BP and BT, each collar = midpoint of BLN and that
shoulder, each foot = LF/RF (the toe joint, TEMOS's SMPL-H ``foot``). LMrot/RMrot (mid-foot) are unused.

Public: :data:`KIT_JOINTS`, :data:`SMPL_FROM_KIT`, :func:`kit_to_smpl22`, :func:`body_size`,
:func:`metres_per_unit`, :func:`convert_joints`, :func:`load_clip`, :func:`clip_ids`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from stickgen import skeleton

from .humanml3d import parse_texts

KIT_FPS = 12.5
FPS = 25

KIT_JOINTS: tuple[str, ...] = (
    "root", "BP", "BT", "BLN", "BUN", "LS", "LE", "LW", "RS", "RE", "RW",
    "LH", "LK", "LA", "LMrot", "LF", "RH", "RK", "RA", "RMrot", "RF",
)
KIT_INDEX: dict[str, int] = {name: i for i, name in enumerate(KIT_JOINTS)}

#: smpl22 joint -> the KIT joints whose mean it is
SMPL_FROM_KIT: dict[str, tuple[str, ...]] = {
    "pelvis": ("root",), "left_hip": ("LH",), "right_hip": ("RH",), "spine1": ("BP",),
    "left_knee": ("LK",), "right_knee": ("RK",), "spine2": ("BP", "BT"), "left_ankle": ("LA",),
    "right_ankle": ("RA",), "spine3": ("BT",), "left_foot": ("LF",), "right_foot": ("RF",), "neck": ("BLN",),
    "left_collar": ("BLN", "LS"), "right_collar": ("BLN", "RS"), "head": ("BUN",), "left_shoulder": ("LS",),
    "right_shoulder": ("RS",), "left_elbow": ("LE",), "right_elbow": ("RE",), "left_wrist": ("LW",),
    "right_wrist": ("RW",),
}
_SOURCES = [[KIT_INDEX[k] for k in SMPL_FROM_KIT[name]] for name in skeleton.JOINT_NAMES]

#: pose-independent size of the body: root -> BUN up the spine plus root -> LA down the left leg
_SIZE_CHAINS = (("root", "BP", "BT", "BLN", "BUN"), ("root", "LH", "LK", "LA"))


def kit_to_smpl22(joints_kit: np.ndarray) -> np.ndarray:
    """KIT-21 positions ``[..., 21, 3]`` -> smpl22 positions ``[..., 22, 3]`` in the same units and axes."""
    joints_kit = np.asarray(joints_kit, dtype=np.float64)
    return np.stack([joints_kit[..., idx, :].mean(axis=-2) for idx in _SOURCES], axis=-2)


def body_size(joints_kit: np.ndarray) -> float:
    """Median length of the spine (root..BUN) plus the left leg (root..LA) over the clip, in file units.

    ``joints_kit: [T, 21, 3]``. About 1.5 for a 1.7 m adult in metres, 1500 in millimetres.
    """
    total = 0.0
    for chain in _SIZE_CHAINS:
        idx = [KIT_INDEX[name] for name in chain]
        total += float(np.median(np.linalg.norm(np.diff(joints_kit[:, idx], axis=1), axis=-1), axis=0).sum())
    return total


def metres_per_unit(joints_kit: np.ndarray) -> float:
    """1.0 when ``joints_kit [T, 21, 3]`` is in metres, 0.001 in millimetres; ``ValueError`` otherwise."""
    size = body_size(joints_kit)
    if 0.5 <= size <= 3.0:
        return 1.0
    if 500.0 <= size <= 3000.0:
        return 0.001
    raise ValueError(f"body size {size:.3g} (spine + leg) is neither metres (0.5-3) nor millimetres (500-3000)")


def convert_joints(joints_kit: np.ndarray, src_fps: float = KIT_FPS) -> np.ndarray:
    """``[T, 21, 3]`` KIT-ML positions (metres or millimetres, y up) -> canonical clip ``[T', 22, 3]``
    at 25 fps: metres, rigid bones, facing +z at frame 0 with the pelvis above the origin, on the ground."""
    joints_kit = np.asarray(joints_kit, dtype=np.float64)
    if joints_kit.ndim != 3 or joints_kit.shape[1:] != (21, 3) or len(joints_kit) < 2:
        raise ValueError(f"expected KIT-ML joints [T >= 2, 21, 3], got {list(joints_kit.shape)}")
    if not np.all(np.isfinite(joints_kit)):
        raise ValueError("joints contain non-finite values")
    joints = kit_to_smpl22(joints_kit) * metres_per_unit(joints_kit)
    joints = skeleton.resample(skeleton.make_rigid(joints), src_fps, FPS)
    return skeleton.put_on_ground(skeleton.normalize_heading(joints))


def _file(root: Path, relative: str) -> Path:
    path = root / relative
    if not path.is_file():
        raise ValueError(f"expected {relative} under {root}")
    return path


def load_clip(root: str | Path, clip_id: str) -> tuple[np.ndarray, list[str]]:
    """One clip of a KIT-ML folder: canonical joints ``[T, 22, 3]`` and its whole-clip sentences.

    Sentences tied to a sub-range (start/end not 0) are left out. ``ValueError`` naming the missing
    file (``expected new_joints/<id>.npy under ROOT``) or the file whose contents are wrong.
    """
    root = Path(root)
    path = _file(root, f"new_joints/{clip_id}.npy")
    try:
        joints = convert_joints(np.load(path))
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    lines = parse_texts(_file(root, f"texts/{clip_id}.txt").read_text())
    return joints, [sentence for sentence, start, end in lines if start == end == 0.0]


def clip_ids(root: str | Path, split: str) -> list[str]:
    """The ids listed in ``<split>.txt`` (``train``, ``val``, ``test``, ``train_val``, ``all``), in file order."""
    path = _file(Path(root), f"{split}.txt")
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]
