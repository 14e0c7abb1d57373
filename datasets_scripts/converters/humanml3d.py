"""HumanML3D -> canonical ``smpl22`` clips with their texts.

Layout (as the HumanML3D repository documents it): ``new_joints/<id>.npy`` holds ``[T, 22, 3]``
SMPL-22 joint positions at 20 fps (y up, metres, first frame facing +z, mirrored clips named
``M<id>``), ``texts/<id>.txt`` one description per line as ``sentence#tagged tokens#start#end`` (start
and end in seconds, 0 for the whole clip), and ``train.txt``/``val.txt``/``test.txt`` the ids of each split.

Public: :func:`parse_texts`, :func:`convert_joints`, :func:`load_clip`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from stickgen import skeleton

HUMANML3D_FPS = 20.0
FPS = 25


def parse_texts(text: str) -> list[tuple[str, float, float]]:
    """``[(sentence, start s, end s)]`` from a HumanML3D text file (0/0 or NaN: the whole clip)."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("#")
        if len(parts) < 4:
            raise ValueError(f"line {number}: expected 'sentence#tokens#start#end', got {line[:60]!r}")
        start, end = (float(v) if v.strip() else 0.0 for v in parts[2:4])
        out.append((parts[0].strip(), 0.0 if np.isnan(start) else start, 0.0 if np.isnan(end) else end))
    return out


def convert_joints(joints: np.ndarray, src_fps: float = HUMANML3D_FPS) -> np.ndarray:
    """``[T, 22, 3]`` HumanML3D positions -> canonical clip at 25 fps (rigid, on the ground, facing +z)."""
    joints = np.asarray(joints, dtype=np.float64)
    if joints.ndim != 3 or joints.shape[1:] != (22, 3) or len(joints) < 2:
        raise ValueError(f"expected joints [T >= 2, 22, 3], got {list(joints.shape)}")
    if not np.all(np.isfinite(joints)):
        raise ValueError("joints contain non-finite values")
    joints = skeleton.resample(skeleton.make_rigid(joints), src_fps, FPS)
    return skeleton.put_on_ground(skeleton.normalize_heading(joints))


def load_clip(root: str | Path, clip_id: str) -> tuple[np.ndarray, list[str]]:
    """One clip of a HumanML3D folder: canonical joints ``[T, 22, 3]`` and its whole-clip sentences.

    Sentences tied to a sub-range (start/end not 0) are left out: they describe part of the clip only.
    """
    root = Path(root)
    joints = convert_joints(np.load(root / "new_joints" / f"{clip_id}.npy"))
    texts = [s for s, start, end in parse_texts((root / "texts" / f"{clip_id}.txt").read_text()) if start == end == 0.0]
    return joints, texts
