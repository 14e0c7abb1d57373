"""The evaluator as the evaluation uses it: the network (:class:`StickGenEvaluator`, a transformers model in
``modeling_evaluator.py``) with the feature statistics it was trained with, and a numpy API.

Clips are featurised with :func:`stickgen.features.encode` at 25 fps (contacts always re-detected from the
joints, so real and generated clips are featurised alike) and normalised with those statistics; the text
head takes the frozen MiniLM sentence embedding. Training: training/train_evaluator.py.

Saved folder (``save_pretrained``): ``config.json`` (``model_type`` ``stickgen_evaluator``, ``auto_map``),
``model.safetensors``, the two remote-code files and ``feature_stats.json``, so
``AutoModel.from_pretrained(folder, trust_remote_code=True)`` loads the network without ``stickgen``.
Folders saved before (``evaluator_config.json`` + ``evaluator.safetensors``) still load;
:func:`stickgen.remote_code.upgrade_evaluator_folder` converts one in place.

Public: :class:`EvaluatorConfig`, :class:`MotionTextEvaluator` (``encode_motion``, ``encode_text``,
``predict_actions``, ``save_pretrained``, ``from_pretrained``), :func:`motion_batch`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch import nn
from transformers import AutoConfig, AutoModel

from .. import features
from ..skeleton import resample
from .configuration_evaluator import EvaluatorConfig
from .modeling_evaluator import DOWNSAMPLE, StickGenEvaluator, StickGenEvaluatorOutput

#: the file names of folders saved before the evaluator became a transformers model
LEGACY_CONFIG_FILE = "evaluator_config.json"
LEGACY_WEIGHTS_FILE = "evaluator.safetensors"
EVALUATOR_FPS = 25

AutoConfig.register(EvaluatorConfig.model_type, EvaluatorConfig, exist_ok=True)
AutoModel.register(EvaluatorConfig, StickGenEvaluator, exist_ok=True)
EvaluatorConfig.register_for_auto_class()
StickGenEvaluator.register_for_auto_class("AutoModel")

def clip_features(joints: np.ndarray, fps: float) -> np.ndarray:
    """``joints: [T, 22, 3]`` at ``fps`` -> evaluator features ``[T', 137]`` at 25 fps."""
    joints = np.asarray(joints, dtype=np.float64)
    if fps != EVALUATOR_FPS:
        joints = resample(joints, fps, EVALUATOR_FPS)
    return features.encode(joints, EVALUATOR_FPS)


def motion_batch(clips: Sequence[np.ndarray], stats: features.FeatureStats) -> tuple[torch.Tensor, torch.Tensor]:
    """Normalised features zero-padded to ``[B, T, 137]`` float32 (T a multiple of 4) and ``lengths: [B]``."""
    if not clips:
        raise ValueError("motion_batch needs at least one clip")
    lengths = torch.tensor([len(c) for c in clips])
    padded = -(-int(lengths.max()) // DOWNSAMPLE) * DOWNSAMPLE
    batch = torch.zeros(len(clips), padded, clips[0].shape[-1])
    for i, clip in enumerate(clips):
        batch[i, : len(clip)] = torch.from_numpy(stats.normalize(clip)).float()
    return batch, lengths


class MotionTextEvaluator(nn.Module):
    """The network (``network``, a :class:`StickGenEvaluator`) with the feature statistics it was trained
    with (``stats``); ``network`` defaults to a fresh one of ``config``."""

    def __init__(self, config: EvaluatorConfig, stats: features.FeatureStats | None = None,
                 network: StickGenEvaluator | None = None):
        super().__init__()
        self.network = network if network is not None else StickGenEvaluator(config)
        self.stats = stats or features.FeatureStats.identity()
        self._sentence_encoder = None

    @property
    def config(self) -> EvaluatorConfig:
        return self.network.config

    # ------------------------------------------------------------------ torch forward (training)

    @property
    def logit_scale(self) -> nn.Parameter:
        return self.network.logit_scale

    def embed_text(self, sentence_embeddings: torch.Tensor) -> torch.Tensor:
        """``[B, text_dim]`` sentence embeddings -> ``[B, embed_dim]`` unit vectors."""
        return self.network.embed_text(sentence_embeddings)

    def forward(self, motion: torch.Tensor, lengths: torch.Tensor) -> StickGenEvaluatorOutput:
        """``motion [B, T, 137]`` normalised, ``lengths [B]`` -> clip embeddings and per-step action logits."""
        return self.network(motion, lengths)

    # ------------------------------------------------------------------ numpy API (evaluation)

    @property
    def sentence_encoder(self):
        """The frozen text encoder (stickgen.text.TextEncoder), loaded on first use."""
        if self._sentence_encoder is None:
            from ..text import TextEncoder

            self._sentence_encoder = TextEncoder(self.config.text_encoder)
            self._sentence_encoder.check(self.config.text_encoder, self.config.text_dim)
        return self._sentence_encoder

    @torch.no_grad()
    def encode_text(self, texts: Sequence[str]) -> np.ndarray:
        """``N`` sentences -> ``[N, embed_dim]`` float64 unit vectors."""
        sentences = torch.from_numpy(self.sentence_encoder.encode(list(texts))).float()
        return self.eval().embed_text(sentences).double().numpy()

    @torch.no_grad()
    def _run(self, clips: Sequence[np.ndarray], fps: float, batch_size: int):
        feats = [clip_features(c, fps) for c in clips]
        for start in range(0, len(feats), batch_size):
            chunk = feats[start:start + batch_size]
            motion, lengths = motion_batch(chunk, self.stats)
            out = self.eval()(motion, lengths)
            yield chunk, out.motion_embeds, out.action_logits

    def encode_motion(self, clips: Sequence[np.ndarray], fps: float = 25, batch_size: int = 64) -> np.ndarray:
        """``N`` world clips ``[T_i, 22, 3]`` -> ``[N, embed_dim]`` float64 unit vectors."""
        return np.concatenate([e.double().numpy() for _, e, _ in self._run(clips, fps, batch_size)])

    def predict_actions(self, clips: Sequence[np.ndarray], fps: float = 25, batch_size: int = 64) -> list[np.ndarray]:
        """Per-frame action ids ``[T_i]`` (at ``fps``) for each clip."""
        out = []
        for chunk, _, logits in self._run(clips, fps, batch_size):
            steps = logits.argmax(-1).numpy()
            for clip, step_ids in zip(chunk, steps):
                out.append(np.repeat(step_ids, DOWNSAMPLE)[: len(clip)])
        frames = [len(c) for c in clips]
        return [_stretch(ids, n) for ids, n in zip(out, frames)]

    # ------------------------------------------------------------------ persistence

    def save_pretrained(self, folder: str | Path) -> Path:
        """Write the network (transformers files with remote code) and ``feature_stats.json`` into ``folder``."""
        folder = Path(folder)
        self.network.save_pretrained(folder)
        self.stats.save(folder)
        return folder

    @classmethod
    def from_pretrained(cls, folder: str | Path, **hub_kwargs) -> MotionTextEvaluator:
        """Load a saved folder (either layout), or download a Hub repository id (``owner/name``, as
        ``stickgen.hub.push_evaluator`` uploads it; honours ``HF_HUB_OFFLINE``)."""
        folder = Path(folder)
        if not folder.exists() and _is_hub_id(str(folder)):
            from huggingface_hub import snapshot_download

            folder = Path(snapshot_download(str(folder), **hub_kwargs))
        if (folder / "config.json").is_file():
            network = StickGenEvaluator.from_pretrained(folder)
        elif (folder / LEGACY_CONFIG_FILE).is_file():
            network = load_legacy_network(folder)
        else:
            raise FileNotFoundError(f"no evaluator in {folder} (expected config.json); train one with "
                                    "`python -m training.train_evaluator --dataset DATA --out FOLDER`")
        return cls(network.config, features.FeatureStats.load(folder), network).eval()


def load_legacy_network(folder: Path) -> StickGenEvaluator:
    """The network of a folder saved before the evaluator became a transformers model."""
    from safetensors.torch import load_file

    network = StickGenEvaluator(EvaluatorConfig(**json.loads((folder / LEGACY_CONFIG_FILE).read_text())))
    network.load_state_dict(load_file(str(folder / LEGACY_WEIGHTS_FILE)))
    return network.eval()


def _is_hub_id(value: str) -> bool:
    from ..hub import check_hub_id

    try:
        check_hub_id(value)
    except ValueError:
        return False
    return True


def _stretch(ids: np.ndarray, frames: int) -> np.ndarray:
    """Per-frame ids at 25 fps -> ``[frames]`` by nearest-frame lookup (clips at another fps)."""
    if len(ids) == frames:
        return ids
    return ids[np.minimum((np.arange(frames) * len(ids) / frames).astype(int), len(ids) - 1)]
