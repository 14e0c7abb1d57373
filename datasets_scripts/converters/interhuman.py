"""InterHuman (Liang et al. 2023, the InterGen dataset) -> two-actor ``smpl22`` rows in one shared world.

Layout (the InterGen README and its loader ``datasets/interhuman.py``):
``motions_processed/person1/<id>.npy`` and ``motions_processed/person2/<id>.npy``, one ``[T, 492]``
array per person and clip (per frame 62 joint positions x, y, z, the first 22 of them SMPL-22 in
``stickgen.skeleton.JOINT_NAMES`` order, then 6D joint rotations, of which the loader reads the 21 body
ones from column 186); ``annots/<id>.txt`` one description per line; ``split/`` the train/val/test ids
and ``ignore_list.txt`` the clips the authors leave out. ``motions/`` holds the raw SMPL parameters and
is not read here (a ``motions/person1/<id>.npy`` layout, which some descriptions give, is not what the
README or the loader use, so it is not supported).

Units and axes: metres, 30 fps (``utils/preprocess.py``), and the world is z-up: InterGen's
``process_motion_np`` turns it y-up with the rotation (x, y, z) -> (x, z, -y), which is applied here too.

The two people stay in one world frame: each is made rigid and resampled to 25 fps on its own, then
the pair is moved together: turned about +y so that person 1 faces +z at frame 0, shifted so that
person 1's pelvis starts above the origin, and lifted so that the lowest foot joint of either person
over the clip is at y = 0. Their distance and relative facing are kept.

Public: :func:`load_person`, :func:`place_pair`, :func:`load_pair`, :func:`clip_ids`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from stickgen import skeleton

INTERHUMAN_FPS = 30.0
FPS = 25
MOTIONS = "motions_processed"
#: row vectors (x, y, z) of the z-up world -> (x, z, -y): a proper rotation putting +z up as +y
Z_UP_TO_Y_UP = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])


def _file(root: Path, relative: str) -> Path:
    path = root / relative
    if not path.is_file():
        raise ValueError(f"expected {relative} under {root}")
    return path


def load_person(path: str | Path) -> np.ndarray:
    """One person's ``.npy`` (``[T, >= 66]``, z-up) -> rigid y-up joints ``[T', 22, 3]`` at 25 fps, world frame kept."""
    motion = np.asarray(np.load(path), dtype=np.float64)
    if motion.ndim != 2 or motion.shape[1] < 66 or len(motion) < 2:
        raise ValueError(f"{path}: expected InterHuman motion [T >= 2, >= 66] (22 joint positions first), "
                         f"got {list(motion.shape)}")
    if not np.all(np.isfinite(motion[:, :66])):
        raise ValueError(f"{path}: joint positions contain non-finite values")
    joints = motion[:, :66].reshape(len(motion), 22, 3) @ Z_UP_TO_Y_UP
    return skeleton.resample(skeleton.make_rigid(joints), INTERHUMAN_FPS, FPS)


def place_pair(joints_a: np.ndarray, joints_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move two people ``[T, 22, 3]`` together: ``a`` faces +z at frame 0 with its pelvis above the origin,
    the lowest foot joint of either is at y = 0. The same rotation and shift apply to both."""
    start = joints_a[0, 0] * np.array([1.0, 0.0, 1.0])
    angle = -float(skeleton.heading_angles(joints_a[0]))
    joints_a, joints_b = (skeleton.rotate_y(j - start, angle) for j in (joints_a, joints_b))
    lowest = min(j[:, list(skeleton.FOOT_JOINTS), 1].min() for j in (joints_a, joints_b))
    shift = np.array([0.0, lowest, 0.0])
    return joints_a - shift, joints_b - shift


def load_pair(root: str | Path, clip_id: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """One InterHuman clip: ``(joints_a [T, 22, 3], joints_b [T, 22, 3], texts)`` in one world frame
    (see the module docstring). ``ValueError`` naming the missing file or the one with the wrong shape."""
    root = Path(root)
    joints_a = load_person(_file(root, f"{MOTIONS}/person1/{clip_id}.npy"))
    joints_b = load_person(_file(root, f"{MOTIONS}/person2/{clip_id}.npy"))
    if len(joints_a) != len(joints_b):
        raise ValueError(f"clip {clip_id} under {root}: person1 has {len(joints_a)} frames at 25 fps, "
                         f"person2 {len(joints_b)}")
    texts = [line.strip() for line in _file(root, f"annots/{clip_id}.txt").read_text().splitlines()]
    return (*place_pair(joints_a, joints_b), [t for t in texts if t])


def clip_ids(root: str | Path) -> list[str]:
    """Ids with both ``person1`` and ``person2`` files, less those in ``ignore_list.txt``, in numeric order."""
    root = Path(root)
    folders = [root / MOTIONS / person for person in ("person1", "person2")]
    if not all(folder.is_dir() for folder in folders):
        raise ValueError(f"expected {MOTIONS}/person1/*.npy and {MOTIONS}/person2/*.npy under {root}")
    ids = set.intersection(*({p.stem for p in folder.glob("*.npy")} for folder in folders))
    ignore = root / "ignore_list.txt"
    if ignore.is_file():
        ids -= {line.strip() for line in ignore.read_text().splitlines()}
    return sorted(ids, key=lambda i: (len(i), i))
