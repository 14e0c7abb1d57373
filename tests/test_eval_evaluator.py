"""The evaluator model and its training script, on toy clips (stickgen.eval.evaluator, training/train_evaluator)."""
import json
from pathlib import Path

import numpy as np
import pytest

from stickgen import vocab
from stickgen.eval import metrics
from stickgen.eval.evaluator import EvaluatorConfig, MotionTextEvaluator
from test_eval_toy import TOY_ACTIONS, toy_clip, toy_rows, trained_toy_evaluator


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
