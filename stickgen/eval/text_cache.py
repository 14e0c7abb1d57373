"""Sentence embeddings kept on disk between runs: on a 2-core CPU, encoding tens of thousands of
descriptions with MiniLM takes minutes, and the evaluator's training and the retrieval baseline
encode the same training sentences."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

CACHE_FILE = "text_cache.npz"


def cached_sentence_vectors(encoder, texts: Sequence[str], cache_dir: str | Path | None = None) -> np.ndarray:
    """``[N, encoder.dim]`` float32 embeddings of ``texts`` by ``encoder`` (a stickgen.text.TextEncoder),
    reusing and extending ``cache_dir/text_cache.npz`` when ``cache_dir`` is given. The cache records the
    encoder's name and is ignored for another encoder."""
    texts = list(texts)
    cached: dict[str, np.ndarray] = {}
    path = Path(cache_dir, CACHE_FILE) if cache_dir is not None else None
    if path is not None and path.is_file():
        with np.load(path) as archive:
            if str(archive["encoder"]) == encoder.name:
                cached = dict(zip(archive["texts"].tolist(), archive["vectors"]))
    missing = list(dict.fromkeys(t for t in texts if t not in cached))
    if missing:
        cached.update(zip(missing, encoder.encode(missing, batch_size=128)))
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            names = sorted(cached)
            np.savez(path, encoder=encoder.name, texts=np.array(names),
                     vectors=np.stack([cached[t] for t in names]).astype(np.float32))
    if not texts:
        return np.zeros((0, encoder.dim), np.float32)
    return np.stack([cached[t] for t in texts]).astype(np.float32)
