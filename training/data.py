"""Dataset access for training: load, select, embed texts, cut windows, and order batches reproducibly.

Every random choice (which rows form a batch, where a window starts, which description is used, whether
the first frames are given) is a pure function of ``(seed, position in the sample stream)``, so a
resumed run sees exactly the batches an uninterrupted one would, and N processes that split a global
batch see together what one process sees.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from datasets_scripts.text.grammar import swap_left_right
from stickgen import control, vocab
from stickgen.features import FeatureStats, collate, example_from_row
from stickgen.skeleton import JOINT_INDEX, MIRRORED_FOOT_CONTACTS, mirror

#: row columns that hold one value per frame (cut together when a window is taken)
FRAME_COLUMNS = ("joints", "partner_joints", "action_ids", "expression_ids", "speech_ids", "contacts",
                 "root_velocity")


def load_dataset_dict(path: str | Path) -> Any:
    """A ``datasets.DatasetDict`` from a ``save_to_disk`` folder or a Hub dataset id."""
    import datasets

    if Path(path).is_dir():
        return datasets.load_from_disk(str(path))
    if Path(path).exists() or str(path).startswith((".", "/")):
        raise FileNotFoundError(f"data.path {str(path)!r} is not a dataset folder")
    return datasets.load_dataset(str(path))


def select_rows(split: Any, min_quality: float | None = None, keep_sources: Sequence[str] = (),
                max_rows: int | None = None) -> Any:
    """Rows with ``quality >= min_quality`` or a source in ``keep_sources`` (all rows when neither is
    given), then the first ``max_rows`` of them."""
    if min_quality is not None or keep_sources:
        quality = np.asarray(split["quality"], dtype=np.float64)
        source = np.asarray(split["source"])
        keep = np.isin(source, list(keep_sources))
        if min_quality is not None:
            keep |= quality >= min_quality
        split = split.select(np.flatnonzero(keep))
    if max_rows is not None and len(split) > max_rows:
        split = split.select(range(max_rows))
    if len(split) == 0:
        raise ValueError("no rows left after selection (data.min_quality / data.keep_sources / max rows)")
    return split


def text_table(splits: Sequence[Any], encoder: Any, cache_dir: str | Path | None = None,
               batch_size: int = 256) -> dict[str, np.ndarray]:
    """Embedding ``[dim]`` of every distinct description in ``splits`` (the ``texts`` column).

    With ``cache_dir``, embeddings are kept in ``texts-<encoder hash>.npz`` there; only descriptions
    not yet in it are encoded, so later runs (another stage, a resume) skip the encoding.
    """
    texts = sorted({t for split in splits for row in split["texts"] for t in row})
    known: dict[str, np.ndarray] = {}
    cache = None
    if cache_dir is not None:
        cache = Path(cache_dir) / f"texts-{hashlib.sha1(encoder.name.encode()).hexdigest()[:12]}.npz"
        if cache.exists():
            with np.load(cache) as stored:
                known = dict(zip(stored["texts"].tolist(), stored["vectors"]))
    missing = [t for t in texts if t not in known]
    if missing:
        known.update(zip(missing, encoder.encode(missing, batch_size=batch_size).astype(np.float32)))
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            partial = cache.with_name(cache.stem + f".{os.getpid()}.tmp.npz")
            names = sorted(known)
            np.savez(partial, texts=np.array(names), vectors=np.stack([known[t] for t in names]))
            partial.replace(cache)
    return {t: known[t] for t in texts}


def crop_row(row: dict[str, Any], start: int, length: int) -> dict[str, Any]:
    """The frames ``[start, start + length)`` of a row (per-frame columns cut, the rest kept)."""
    out = dict(row)
    for column in FRAME_COLUMNS:
        if column in row:
            out[column] = np.asarray(row[column])[start:start + length]
    out["num_frames"] = len(out["joints"])
    return out


ONE_HANDED = 1.5  # a window is one-handed when one wrist travels this many times as far as the other


def right_handed(row: dict[str, Any], text: str,
                 action_ids: Sequence[int] | None = None) -> tuple[dict[str, Any], str]:
    """``(window, description)``: a one-handed window whose busier hand is the left one mirrored left-right
    (joints, partner, contacts, root velocity) with left and right swapped in ``text``; any other
    window unchanged, and with ``action_ids`` given any window none of whose frames does one of those
    actions. "Busier": the wrist's path length relative to the pelvis, :data:`ONE_HANDED` times the other's.

    The generator and the augmentation mirror half the clips, and the text encoder barely tells the
    sides apart ("waves with the left hand" and "... right hand" are at cosine 0.98 in MiniLM), so
    without this a deterministic planner learns the average of both: a wave with both arms half raised.
    """
    if action_ids is not None and not np.isin(np.asarray(row["action_ids"]), list(action_ids)).any():
        return row, text
    joints = np.asarray(row["joints"], dtype=np.float64)
    relative = joints[:, [JOINT_INDEX["left_wrist"], JOINT_INDEX["right_wrist"]]] - joints[:, None, 0]
    left, right = np.linalg.norm(np.diff(relative, axis=0), axis=-1).sum(axis=0)
    if left <= ONE_HANDED * right:
        return row, text
    velocity = np.asarray(row["root_velocity"], dtype=np.float64) * np.array([-1.0, 1.0, 1.0])
    partner = mirror(np.asarray(row["partner_joints"], dtype=np.float64))
    mirrored = dict(row, joints=mirror(joints), partner_joints=partner,
                    contacts=np.asarray(row["contacts"])[:, list(MIRRORED_FOOT_CONTACTS)], root_velocity=velocity)
    return mirrored, swap_left_right(text)


def stream_indices(num_rows: int, seed: int, start: int, count: int) -> np.ndarray:
    """Positions ``start .. start+count-1`` of an endless stream of epochs, each a fresh permutation.

    Returns ``[count]`` row indices; epoch ``e`` is ``default_rng([seed, e]).permutation(num_rows)``.
    """
    out = np.empty(count, dtype=np.int64)
    for k, position in enumerate(range(start, start + count)):
        epoch, offset = divmod(position, num_rows)
        if k == 0 or offset == 0:
            order = np.random.default_rng([seed, epoch]).permutation(num_rows)
        out[k] = order[offset]
    return out


class WindowSource:
    """Turns dataset rows into training examples (see :func:`stickgen.features.example_from_row`).

    ``split`` a ``datasets.Dataset`` (row contract), ``texts`` description -> embedding, ``stats`` the
    feature normalisation, ``crop_frames`` the window length, ``known_frames`` how many leading frames
    are given to the planner in a ``known_prefix_prob`` share of training windows; ``canonical_hand``
    mirrors windows to :func:`right_handed` ones (only those with a frame of ``hand_actions``, names of
    the vocabulary, when any are named). ``controls`` (the planner's ``control_dim``; 0: none) adds each
    window's first ``controls`` measured control signals (:func:`stickgen.control.measure`) with channel groups
    dropped at random (:func:`stickgen.control.training_mask`; evaluation windows give every channel).
    """

    def __init__(self, split: Any, texts: dict[str, np.ndarray], stats: FeatureStats, crop_frames: int,
                 known_frames: int, known_prefix_prob: float, seed: int, canonical_hand: bool = False,
                 hand_actions: Sequence[str] = (), controls: int = 0):
        self.split = split.with_format("numpy")
        self.texts, self.stats = texts, stats
        self.crop_frames, self.known_frames, self.known_prefix_prob = crop_frames, known_frames, known_prefix_prob
        self.seed, self.canonical_hand, self.controls = seed, canonical_hand, controls
        self.hand_action_ids = [vocab.action_id(name) for name in hand_actions] or None

    def __len__(self) -> int:
        return len(self.split)

    def example(self, index: int, position: int | None) -> dict[str, np.ndarray]:
        """Example of row ``index``; ``position`` in the sample stream seeds its random choices, and
        ``None`` means evaluation (window at frame 0, first description, nothing given)."""
        row = self.split[int(index)]
        length = min(self.crop_frames, int(row["num_frames"]))
        texts = list(row["texts"])
        if position is None:
            start, text, given = 0, texts[0], 0
        else:
            rng = np.random.default_rng([self.seed, 1, position])
            start = int(rng.integers(0, int(row["num_frames"]) - length + 1))
            text = texts[int(rng.integers(len(texts)))]
            given = self.known_frames if rng.random() < self.known_prefix_prob else 0
        window, text = crop_row(row, start, length), str(text)
        if self.canonical_hand:
            window, swapped = right_handed(window, text, self.hand_action_ids)
            text = swapped if swapped in self.texts else text  # a sentence never embedded keeps its sides
        example = example_from_row(window, self.stats)
        example["known_mask"] = np.arange(length) < min(given, length - 1)
        example["text_embeds"] = self.texts[text]
        if self.controls:
            measured = control.measure(window["joints"], float(row["fps"]))
            if position is not None:
                measured = control.training_mask(measured, np.random.default_rng([self.seed, 4, position]))
            values, given = control.normalize(measured)
            example["control"], example["control_mask"] = values[:, :self.controls], given[:, :self.controls]
        return example

    def batch(self, indices: Sequence[int], positions: Sequence[int] | None) -> dict[str, Any]:
        """A padded torch batch (:func:`stickgen.features.collate`) plus ``text_embeds [B, dim]``."""
        import torch

        examples = [self.example(i, None if positions is None else p)
                    for i, p in zip(indices, positions if positions is not None else indices)]
        text = np.stack([e.pop("text_embeds") for e in examples])
        batch = collate(examples)
        batch["text_embeds"] = torch.as_tensor(text)
        return batch
