"""Text encoder: offline MiniLM, unit-norm batch embeddings, cache, dataset column, mismatch error."""
import os

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from stickgen.text import BGE_LARGE, MINILM, TextEncoder, TextEncoderMismatchError, add_embedding_column  # noqa: E402


@pytest.fixture(scope="module")
def encoder():
    return TextEncoder()


def test_minilm_embeddings_are_unit_384d_and_semantic(encoder):
    vectors = encoder.encode(["a man walks forward", "a person strolls ahead", "a dog barks loudly"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similar, different = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert similar > different + 0.2


def test_cache_returns_identical_vectors_and_is_bounded():
    small = TextEncoder(cache_size=2)
    first = small.encode("jump high")
    small.encode(["wave", "clap", "jump high"])
    assert len(small._cache) == 2
    np.testing.assert_array_equal(small.encode("jump high")[0], first[0])


def test_single_and_batch_encoding_agree(encoder):
    batch = encoder.encode(["sit down", "stand up"])
    np.testing.assert_allclose(TextEncoder().encode("stand up")[0], batch[1], atol=1e-5)


def test_mismatch_and_unknown_encoder_errors(encoder):
    encoder.check(MINILM, 384)
    with pytest.raises(TextEncoderMismatchError, match="bge-large-en-v1.5.*1024-d.*all-MiniLM-L6-v2"):
        encoder.check(BGE_LARGE, 1024)
    with pytest.raises(ValueError, match="unknown text encoder"):
        TextEncoder("not/a-model")
    with pytest.raises(TypeError):
        encoder.encode([1, 2])


def test_embedding_column_matches_direct_encoding(encoder):
    import datasets

    ds = datasets.Dataset.from_dict({"id": ["a", "b"],
                                     "texts": [["walk", "stroll", "go"], ["run", "jog", "dash", "sprint"]]})
    out = add_embedding_column(ds, encoder)
    second = np.asarray(out[1]["text_embeddings"])
    assert second.shape == (4, 384)
    np.testing.assert_allclose(second, encoder.encode(["run", "jog", "dash", "sprint"]), atol=1e-6)
