"""The evaluator model and its training script, on toy clips (stickgen.eval.evaluator, training/train_evaluator)."""
import json
from pathlib import Path

import numpy as np
import pytest
from test_eval_toy import TOY_ACTIONS, toy_clip, toy_rows, trained_toy_evaluator

from stickgen import vocab
from stickgen.eval import metrics
from stickgen.eval.evaluator import EvaluatorConfig, MotionTextEvaluator


@pytest.fixture(scope="module")
def evaluator():
    folder, _, _ = trained_toy_evaluator()
    return MotionTextEvaluator.from_pretrained(folder)


def test_training_writes_a_loadable_checkpoint_and_log():
    folder, _, log = trained_toy_evaluator()
    saved = json.loads(Path(folder, "training_log.json").read_text())
    assert saved["train_rows"] == 100 and len(saved["history"]) == 10
    assert saved["history"][-1]["loss"] < saved["history"][0]["loss"]
    assert log["validation"]["action_accuracy"] > 0.9


def test_evaluator_separates_texts_well_above_chance(evaluator):
    rows = toy_rows(96, seed=7)
    clips = [r["joints"] for r in rows]
    texts = [r["texts"][2] for r in rows]
    text_emb, motion_emb = evaluator.encode_text(texts), evaluator.encode_motion(clips)
    assert text_emb.shape == motion_emb.shape == (96, 64)
    assert np.allclose(np.linalg.norm(motion_emb, axis=1), 1.0)
    top3 = metrics.r_precision(text_emb, motion_emb)[2].mean
    # five toy actions: about 32/5 clips in a batch match any text, so the ceiling is about 3/6.4
    assert top3 > 0.3 > 3 / 32
    shuffled = motion_emb[np.random.default_rng(0).permutation(96)]
    assert metrics.r_precision(text_emb, shuffled)[2].mean < 0.2


def test_action_classifier_labels_every_frame(evaluator):
    clips = [toy_clip(a, frames=90, seed=100 + i) for i, a in enumerate(TOY_ACTIONS)]
    predicted = evaluator.predict_actions(clips)
    assert [len(p) for p in predicted] == [90] * len(TOY_ACTIONS)
    labels = [np.full(90, vocab.action_id(a)) for a in TOY_ACTIONS]
    assert metrics.action_accuracy(labels, predicted) == 1.0
    # a 50 fps clip is resampled to 25 fps and its labels stretched back to 50 fps frames
    fast = toy_clip("wave", frames=100)
    assert len(evaluator.predict_actions([fast], fps=50)[0]) == 100


def test_save_and_load_round_trip(evaluator, tmp_path):
    evaluator.save_pretrained(tmp_path)
    again = MotionTextEvaluator.from_pretrained(tmp_path)
    clip = [toy_clip("jump", 60)]
    assert np.allclose(again.encode_motion(clip), evaluator.encode_motion(clip))
    with pytest.raises(FileNotFoundError, match="train_evaluator"):
        MotionTextEvaluator.from_pretrained(tmp_path / "missing")


def test_config_validation():
    with pytest.raises(ValueError, match="embed_dim"):
        EvaluatorConfig(embed_dim=0)


class _NoTestSplit(dict):
    """A split mapping that fails the test if anything reads the test split."""

    def __getitem__(self, split):
        assert split != "test", "the evaluator must never read the test split"
        return super().__getitem__(split)


def test_training_reads_only_train_and_validation(tmp_path):
    from test_eval_toy import evaluator_trainer, toy_dataset

    train = evaluator_trainer()
    dataset = toy_dataset(train=30, validation=10, test=10, frames=40)
    guarded = _NoTestSplit(train=dataset["train"], validation=dataset["validation"], test=dataset["test"])
    log = train(guarded, tmp_path / "ev", EvaluatorConfig(hidden=32, embed_dim=16), epochs=1, batch_size=10,
                cache_dir=tmp_path / "cache", log=lambda message: None)
    assert log["train_rows"] == 30 and log["validation"]["rows"] == 10
    assert (tmp_path / "cache" / "text_cache.npz").is_file()
    # a second run reuses the cached sentence embeddings and gives the same model
    again = train(guarded, tmp_path / "ev2", EvaluatorConfig(hidden=32, embed_dim=16), epochs=1, batch_size=10,
                  cache_dir=tmp_path / "cache", log=lambda message: None)
    assert again["history"][0]["loss"] == pytest.approx(log["history"][0]["loss"], rel=1e-5)
