"""The evaluator: a motion encoder and a text encoder sharing one embedding space, plus an action classifier.

In the manner of the HumanML3D evaluator (Guo et al. 2022): the motion encoder is a temporal
convolution network (4x downsampling, then dilated residual convolutions; convolutions rather than the
original GRU because they train several times faster on a 2-core CPU) over the clip features of
:func:`stickgen.features.encode` (contacts always re-detected from the joints, so real and generated
clips are featurised alike); the text encoder is a small MLP over the frozen MiniLM sentence
embedding. Both end in unit-norm ``embed_dim`` vectors trained contrastively
(training/train_evaluator.py). The action classifier is a per-step linear head on the encoder states
(one step = 4 frames), so it labels every frame.

Public: :class:`EvaluatorConfig`, :class:`MotionTextEvaluator` (``encode_motion``, ``encode_text``,
``predict_actions``, ``save_pretrained``, ``from_pretrained``), :func:`motion_batch`.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch import nn

from .. import features, vocab
from ..skeleton import resample
from ..text import MINILM

CONFIG_FILE = "evaluator_config.json"
WEIGHTS_FILE = "evaluator.safetensors"
EVALUATOR_FPS = 25
DOWNSAMPLE = 4


@dataclass
class EvaluatorConfig:
    """Sizes of the evaluator; ``text_encoder`` names the frozen sentence encoder (stickgen.text)."""

    feature_dim: int = features.FEATURE_DIM
    hidden: int = 256
    embed_dim: int = 128
    text_dim: int = 384
    num_actions: int = len(vocab.ACTIONS)
    text_encoder: str = MINILM

    def __post_init__(self) -> None:
        for name in ("feature_dim", "hidden", "embed_dim", "text_dim", "num_actions"):
            if getattr(self, name) <= 0:
                raise ValueError(f"EvaluatorConfig.{name} must be positive, got {getattr(self, name)}")


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


class MotionEncoder(nn.Module):
    """``[B, T, F]`` -> per-step states ``[B, ceil(T/4), hidden]`` and a clip embedding ``[B, embed_dim]``.

    Two stride-2 convolutions (4x downsampling) then three residual dilated convolutions, so each step
    sees about 2.5 s of motion; the embedding is an MLP over the masked mean and max of the states.
    """

    def __init__(self, config: EvaluatorConfig):
        super().__init__()
        h = config.hidden
        self.down = nn.Sequential(
            nn.Conv1d(config.feature_dim, h, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv1d(h, h, 4, stride=2, padding=1), nn.LeakyReLU(0.2))
        self.context = nn.ModuleList([nn.Conv1d(h, h, 5, padding=2 * d, dilation=d) for d in (1, 2, 4)])
        self.project = nn.Sequential(nn.Linear(2 * h, h), nn.LeakyReLU(0.2), nn.Linear(h, config.embed_dim))

    def forward(self, motion: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.down(motion.transpose(1, 2))  # [B, h, S]
        steps = torch.clamp((lengths + DOWNSAMPLE - 1) // DOWNSAMPLE, 1, x.shape[-1])
        mask = (torch.arange(x.shape[-1])[None] < steps[:, None]).float()[:, None]  # [B, 1, S]
        for conv in self.context:
            x = x + nn.functional.leaky_relu(conv(x * mask), 0.2)
        states = x.transpose(1, 2)  # [B, S, h]
        mean = (x * mask).sum(-1) / mask.sum(-1)
        peak = x.masked_fill(mask == 0, float("-inf")).amax(-1)
        return states, nn.functional.normalize(self.project(torch.cat([mean, peak], -1)), dim=-1)


class MotionTextEvaluator(nn.Module):
    """Motion encoder + text head + per-step action classifier, with the feature statistics it was
    trained with (``stats``)."""

    def __init__(self, config: EvaluatorConfig, stats: features.FeatureStats | None = None):
        super().__init__()
        self.config = config
        self.stats = stats or features.FeatureStats.identity()
        self.motion_encoder = MotionEncoder(config)
        self.text_head = nn.Sequential(nn.Linear(config.text_dim, config.hidden), nn.LeakyReLU(0.2),
                                       nn.Linear(config.hidden, config.embed_dim))
        self.action_head = nn.Linear(config.hidden, config.num_actions)
        self.logit_scale = nn.Parameter(torch.tensor(np.log(1 / 0.07), dtype=torch.float32))
        self._sentence_encoder = None

    # ------------------------------------------------------------------ torch forward (training)

    def embed_text(self, sentence_embeddings: torch.Tensor) -> torch.Tensor:
        """``[B, text_dim]`` sentence embeddings -> ``[B, embed_dim]`` unit vectors."""
        return nn.functional.normalize(self.text_head(sentence_embeddings), dim=-1)

    def forward(self, motion: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """-> (clip embeddings ``[B, embed_dim]``, action logits per step ``[B, S, num_actions]``)."""
        states, embedding = self.motion_encoder(motion, lengths)
        return embedding, self.action_head(states)

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
            embedding, logits = self.eval()(motion, lengths)
            yield chunk, embedding, logits

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
        from safetensors.torch import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / CONFIG_FILE).write_text(json.dumps(asdict(self.config), indent=1))
        self.stats.save(folder)
        save_file({k: v.contiguous() for k, v in self.state_dict().items()}, str(folder / WEIGHTS_FILE))
        return folder

    @classmethod
    def from_pretrained(cls, folder: str | Path, **hub_kwargs) -> MotionTextEvaluator:
        """Load a saved folder, or download a Hub repository id (``owner/name``, as ``stickgen.hub.push_evaluator``
        uploads it; honours ``HF_HUB_OFFLINE``)."""
        from safetensors.torch import load_file

        folder = Path(folder)
        if not folder.exists() and _is_hub_id(str(folder)):
            from huggingface_hub import snapshot_download

            folder = Path(snapshot_download(str(folder), **hub_kwargs))
        if not (folder / CONFIG_FILE).is_file():
            raise FileNotFoundError(f"no evaluator in {folder} (expected {CONFIG_FILE}); train one with "
                                    "`python -m training.train_evaluator --dataset DATA --out FOLDER`")
        config = EvaluatorConfig(**json.loads((folder / CONFIG_FILE).read_text()))
        model = cls(config, features.FeatureStats.load(folder))
        model.load_state_dict(load_file(str(folder / WEIGHTS_FILE)))
        return model.eval()


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
