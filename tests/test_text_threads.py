"""Text encoder under concurrent first use: one load per encoder, no two loads at once, same vectors."""
import os
import threading
import time

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from stickgen.text import TextEncoder  # noqa: E402


def run_together(functions):
    """Call every function at the same moment from its own thread; their results in order."""
    barrier = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), []

    def call(k):
        barrier.wait()
        try:
            results[k] = functions[k]()
        except Exception as exc:  # noqa: BLE001  collected and reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(k,)) for k in range(len(functions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


class SlowModel:
    """Stands in for SentenceTransformer: a slow constructor that records overlapping loads."""

    built, active, most_active = 0, 0, 0
    guard = threading.Lock()

    def __init__(self, folder, device):
        with SlowModel.guard:
            SlowModel.built += 1
            SlowModel.active += 1
            SlowModel.most_active = max(SlowModel.most_active, SlowModel.active)
        time.sleep(0.1)
        with SlowModel.guard:
            SlowModel.active -= 1

    def get_embedding_dimension(self):
        return 384


def test_concurrent_first_use_loads_each_encoder_once_and_never_two_at_a_time(monkeypatch):
    import sentence_transformers

    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", SlowModel)
    first, second = TextEncoder(), TextEncoder()
    models = run_together([lambda e=e: e.model for e in (first, second) for _ in range(4)])
    assert SlowModel.built == 2 and SlowModel.most_active == 1
    assert all(m is first.model for m in models[:4]) and all(m is second.model for m in models[4:])


def test_concurrent_first_encodes_of_the_real_encoder_agree_with_one_thread():
    texts = [[f"a person walks {k} steps", "a person waves"] for k in range(4)]
    fresh = TextEncoder(cache_size=3)  # small cache: threads evict each other's entries too
    together = run_together([lambda t=t: fresh.encode(t) for t in texts])
    alone = TextEncoder()
    for batch, out in zip(texts, together):
        assert out.shape == (2, 384)
        np.testing.assert_allclose(out, alone.encode(batch), atol=1e-5)
    assert len(fresh._cache) == 3
