"""The dataset row contract: :class:`DataClip` (one actor's clip in memory), its ``datasets.Features``
and the conversion to a row.

Row fields (one row = one actor's clip): id, group (source motion; a clip, its augmentations and its
mirror share it), source ("synthetic" | "deepmimic" | "cmu" | that of clips added with ``build --add``),
augmentation ("none" or "+"-joined "speed", "mirror", "scale", "heading"), texts (>= 3), fps, num_frames,
joints ``[T, 22, 3]``, partner_joints ``[T, 22, 3]`` (zeros without a partner), has_partner, action_ids ``[T]``,
expression_ids ``[T]``, speech_ids ``[T]`` (-1 silent), contacts ``[T, 4]`` 0/1, root_velocity
``[T, 3]`` m/s, height (m), speed (mean horizontal pelvis speed, m/s), quality in [0, 1].
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from stickgen import skeleton

from .text.describe import Step

MIN_TEXTS = 3


@dataclass
class DataClip:
    """One actor's clip with its labels. Arrays: joints/partner_joints ``[T, 22, 3]``, action_ids,
    expression_ids, speech_ids ``[T]``, contacts ``[T, 4]`` bool; ``steps`` feed the text generator."""

    id: str
    group: str
    source: str
    joints: np.ndarray
    action_ids: np.ndarray
    expression_ids: np.ndarray
    speech_ids: np.ndarray
    contacts: np.ndarray
    height: float
    partner_joints: np.ndarray | None = None
    texts: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    augmentation: str = "none"
    quality: float = 1.0
    fps: int = 25

    @property
    def num_frames(self) -> int:
        return int(self.joints.shape[0])

    def with_(self, **changes: Any) -> DataClip:
        return replace(self, **changes)


def dataset_features():
    """The ``datasets.Features`` of a row (imports ``datasets`` lazily)."""
    from datasets import Array2D, Array3D, Features, Sequence, Value

    return Features({
        "id": Value("string"), "group": Value("string"), "source": Value("string"),
        "augmentation": Value("string"), "texts": Sequence(Value("string")),
        "fps": Value("int32"), "num_frames": Value("int32"),
        "joints": Array3D(shape=(None, 22, 3), dtype="float32"),
        "partner_joints": Array3D(shape=(None, 22, 3), dtype="float32"), "has_partner": Value("bool"),
        "action_ids": Sequence(Value("int16")), "expression_ids": Sequence(Value("int8")),
        "speech_ids": Sequence(Value("int8")), "contacts": Array2D(shape=(None, 4), dtype="float32"),
        "root_velocity": Array2D(shape=(None, 3), dtype="float32"),
        "height": Value("float32"), "speed": Value("float32"), "quality": Value("float32"),
    })


def _nested_list(arrays: list[np.ndarray], dtype: str):
    """Arrays ``[T_i, *inner]`` -> one Arrow list-of-lists array (a row per array), zero-copy offsets."""
    import pyarrow as pa

    flat = np.concatenate([np.asarray(a, dtype=dtype).reshape(-1) for a in arrays]) if arrays else np.zeros(0, dtype)
    values = pa.array(flat)
    for size in reversed(np.asarray(arrays[0]).shape[1:] if arrays else ()):
        values = pa.ListArray.from_arrays(pa.array(np.arange(len(values) // size + 1, dtype=np.int32) * size), values)
    offsets = np.concatenate([[0], np.cumsum([len(a) for a in arrays])]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def rows_to_table(rows: list[dict[str, Any]]):
    """Rows (from :func:`to_row`) -> a ``pyarrow.Table`` with the contract's schema, built from the
    numpy buffers directly (``Dataset.from_dict`` walks every nested value in Python)."""
    import pyarrow as pa

    features = dataset_features()
    schema = features.arrow_schema
    columns = []
    for name in features:
        values = [r[name] for r in rows]
        kind = schema.field(name).type
        if isinstance(kind, pa.ExtensionType):
            storage = _nested_list(values, "float32")
            columns.append(pa.ExtensionArray.from_storage(kind, storage.cast(kind.storage_type)))
        elif pa.types.is_list(kind) and not pa.types.is_string(kind.value_type):
            columns.append(_nested_list(values, kind.value_type.to_pandas_dtype()).cast(kind))
        else:
            columns.append(pa.array(values, type=kind))
    return pa.Table.from_arrays(columns, schema=schema)


def root_velocity(joints: np.ndarray, fps: float) -> np.ndarray:
    """Pelvis velocity (central differences, m/s): ``[T, 22, 3] -> [T, 3]`` (zeros for one frame)."""
    pelvis = np.asarray(joints, dtype=np.float64)[:, 0]
    return np.gradient(pelvis, axis=0) * fps if len(pelvis) > 1 else np.zeros_like(pelvis)


def to_row(clip: DataClip) -> dict[str, Any]:
    """The contract row of a clip; ``ValueError`` when it breaks the contract (shapes, texts, NaN)."""
    frames = clip.num_frames
    arrays = {"action_ids": clip.action_ids, "expression_ids": clip.expression_ids,
              "speech_ids": clip.speech_ids, "contacts": clip.contacts}
    for name, array in arrays.items():
        if len(array) != frames:
            raise ValueError(f"{clip.id}: {name} has {len(array)} frames, joints have {frames}")
    if clip.joints.shape[1:] != (22, 3) or not np.all(np.isfinite(clip.joints)):
        raise ValueError(f"{clip.id}: joints must be finite [T, 22, 3], got {list(clip.joints.shape)}")
    if len(set(clip.texts)) < MIN_TEXTS:
        raise ValueError(f"{clip.id}: needs at least {MIN_TEXTS} different texts, got {clip.texts}")
    partner = clip.partner_joints
    velocity = root_velocity(clip.joints, clip.fps)
    return {
        "id": clip.id, "group": clip.group, "source": clip.source, "augmentation": clip.augmentation,
        "texts": list(clip.texts), "fps": int(clip.fps), "num_frames": frames,
        "joints": clip.joints.astype(np.float32),
        "partner_joints": (np.zeros_like(clip.joints) if partner is None else partner).astype(np.float32),
        "has_partner": partner is not None, "action_ids": np.asarray(clip.action_ids, dtype=np.int16),
        "expression_ids": np.asarray(clip.expression_ids, dtype=np.int8),
        "speech_ids": np.asarray(clip.speech_ids, dtype=np.int8),
        "contacts": np.asarray(clip.contacts, dtype=np.float32), "root_velocity": velocity.astype(np.float32),
        "height": float(clip.height), "speed": float(np.linalg.norm(velocity[:, [0, 2]], axis=1).mean()),
        "quality": float(clip.quality),
    }


def estimate_height(joints: np.ndarray) -> float:
    """Body height of a clip from its bone lengths, relative to the 1.75 m rest pose: ``[T, 22, 3] -> m``."""
    return float(skeleton.REST_HEIGHT * np.median(skeleton.size_ratio(joints)))
