"""Train the evaluator (stickgen.eval.evaluator) on the dataset's TRAIN split only.

    python -m training.train_evaluator --dataset data/dataset --out models/stickgen-evaluator

Contrastive (symmetric InfoNCE between a clip and one of its descriptions, negatives that share a
near-identical description masked out) plus per-step action cross-entropy. The validation split is
used only to report R-precision and action accuracy after training; the test split is never read.
Measured on 2 shared, heavily loaded CPU cores with 6000 rows: encoding 16k descriptions ~8 min (once;
cached in ``--cache-dir``), then ~2-3 min per epoch (``--max-minutes`` bounds the run).
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from stickgen import features
from stickgen.eval import metrics
from stickgen.eval.evaluator import DOWNSAMPLE, EvaluatorConfig, MotionTextEvaluator, clip_features, motion_batch
from stickgen.eval.systems import sample_rows
from stickgen.eval.text_cache import cached_sentence_vectors

#: two different rows whose descriptions are at least this similar are not used as each other's negatives
SAME_TEXT_COSINE = 0.9


def _load_split(dataset: Any, split: str, max_rows: int | None, seed: int,
                keep_joints: bool = False) -> list[dict[str, Any]]:
    """Rows of ``split`` as dicts with float32 evaluator features, step action labels and texts (and the
    joints themselves when ``keep_joints``)."""
    table = dataset[split].with_format("numpy")
    rows = []
    for i in sample_rows(len(table), max_rows, seed):
        row = table[int(i)]
        feats = clip_features(np.asarray(row["joints"]), int(row["fps"]))
        actions = np.asarray(row["action_ids"], dtype=np.int64)
        if len(actions) != len(feats):  # another frame rate: nearest frame
            actions = actions[np.minimum(np.arange(len(feats)) * len(actions) // len(feats), len(actions) - 1)]
        centres = np.minimum(np.arange(0, len(feats), DOWNSAMPLE) + DOWNSAMPLE // 2, len(feats) - 1)
        rows.append({"features": feats.astype(np.float32), "step_actions": actions[centres], "actions": actions,
                     "texts": [str(t) for t in row["texts"]], "fps": int(row["fps"]),
                     "joints": np.asarray(row["joints"]) if keep_joints else None})
    return rows


def _batch_loss(model: MotionTextEvaluator, rows: list[dict], text_vectors: torch.Tensor,
                action_weight: float) -> tuple[torch.Tensor, dict[str, float]]:
    motion, lengths = motion_batch([r["features"] for r in rows], model.stats)
    out = model(motion, lengths)
    motion_emb, logits = out.motion_embeds, out.action_logits
    text_emb = model.embed_text(text_vectors)
    scale = model.logit_scale.exp().clamp(max=100.0)
    similarity = scale * motion_emb @ text_emb.T  # [B, B]
    same_text = (text_vectors @ text_vectors.T) > SAME_TEXT_COSINE
    similarity = similarity.masked_fill(same_text & ~torch.eye(len(rows), dtype=torch.bool), float("-inf"))
    target = torch.arange(len(rows))
    contrastive = (nn.functional.cross_entropy(similarity, target)
                   + nn.functional.cross_entropy(similarity.T, target)) / 2
    labels = torch.full(logits.shape[:2], -100, dtype=torch.long)
    for i, r in enumerate(rows):
        labels[i, : len(r["step_actions"])] = torch.from_numpy(r["step_actions"])
    action = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)
    return contrastive + action_weight * action, {"contrastive": contrastive.item(), "action": action.item()}


def validate(model: MotionTextEvaluator, rows: list[dict], seed: int = 0) -> dict[str, float]:
    """R-precision (first description of each row) and action accuracy on held-out rows."""
    clips = [r["joints"] for r in rows]
    fps = rows[0]["fps"]
    out: dict[str, float] = {"rows": len(rows)}
    out["action_accuracy"] = metrics.action_accuracy([r["actions"] for r in rows], model.predict_actions(clips, fps))
    if len(rows) >= 32:
        top = metrics.r_precision(model.encode_text([r["texts"][0] for r in rows]), model.encode_motion(clips, fps),
                                  seed=seed)
        out.update({f"r_precision_top{k + 1}": t.mean for k, t in enumerate(top)})
    return out


def train(dataset: Any, out: str | Path, config: EvaluatorConfig | None = None, epochs: int = 30,
          batch_size: int = 64, lr: float = 1e-3, max_rows: int | None = None, max_minutes: float = 10.0,
          action_weight: float = 0.5, seed: int = 0, cache_dir: str | Path | None = None,
          log=print) -> dict[str, Any]:
    """Train on ``dataset["train"]`` (a DatasetDict or a folder saved with save_to_disk), save the
    evaluator to ``out`` and return the training log (also written to ``out/training_log.json``).
    ``cache_dir`` keeps the sentence embeddings between runs (text encoding dominates on a CPU)."""
    if isinstance(dataset, (str, Path)):
        from datasets import load_from_disk

        dataset = load_from_disk(str(dataset))
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    started = time.time()
    rows = _load_split(dataset, "train", max_rows, seed)
    if len(rows) < 2:
        raise ValueError(f"the train split needs at least 2 rows, got {len(rows)}")
    stats = features.FeatureStats.from_features(r["features"] for r in rows)
    model = MotionTextEvaluator(config or EvaluatorConfig(), stats)
    texts = sorted({t for r in rows for t in r["texts"]})
    log(f"train rows {len(rows)}, distinct texts {len(texts)}; encoding texts ...")
    vectors = torch.from_numpy(cached_sentence_vectors(model.sentence_encoder, texts, cache_dir)).float()
    text_index = {t: i for i, t in enumerate(texts)}
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    history = []
    for epoch in range(epochs):
        model.train()
        order = rng.permutation(len(rows))
        totals = np.zeros(3)
        for start in range(0, len(order) - 1, batch_size):
            batch = [rows[i] for i in order[start:start + batch_size]]
            if len(batch) < 2:
                continue
            choice = [text_index[r["texts"][rng.integers(len(r["texts"]))]] for r in batch]
            loss, parts = _batch_loss(model, batch, vectors[choice], action_weight)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            totals += [loss.item(), parts["contrastive"], parts["action"]]
        steps = max(1, int(np.ceil((len(order) - 1) / batch_size)))
        history.append({"epoch": epoch + 1, "loss": totals[0] / steps, "contrastive": totals[1] / steps,
                        "action": totals[2] / steps, "minutes": (time.time() - started) / 60})
        log(f"epoch {epoch + 1}: loss {history[-1]['loss']:.3f} (contrastive {history[-1]['contrastive']:.3f}, "
            f"action {history[-1]['action']:.3f}), {history[-1]['minutes']:.1f} min")
        if history[-1]["minutes"] > max_minutes:
            log(f"stopping: past --max-minutes {max_minutes}")
            break
    model.eval()
    result = {"config": model.config.sizes(), "train_rows": len(rows), "history": history,
              "settings": {"epochs": epochs, "batch_size": batch_size, "lr": lr, "max_rows": max_rows,
                           "action_weight": action_weight, "seed": seed}}
    if "validation" in dataset and len(dataset["validation"]):
        result["validation"] = validate(model, _load_split(dataset, "validation", 2000, seed, keep_joints=True), seed)
        log(f"validation: {result['validation']}")
    model.save_pretrained(out)
    Path(out, "training_log.json").write_text(json.dumps(result, indent=1))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True, help="folder of a DatasetDict saved with save_to_disk")
    parser.add_argument("--out", default="models/stickgen-evaluator")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--max-rows", type=int, default=None, help="train on a random subset of this many rows")
    parser.add_argument("--max-minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache-dir", default="runs/evaluator", help="where sentence embeddings are cached")
    args = parser.parse_args(argv)
    train(args.dataset, args.out, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
          max_rows=args.max_rows, max_minutes=args.max_minutes, seed=args.seed, cache_dir=args.cache_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
