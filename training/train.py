"""Train the planner, fine-tune it (SFT, LoRA) or train the refiner, with Hugging Face Accelerate.

    python -m training.train --config small --set data.path=data/dataset --set run.out=runs/small
    python -m training.train --config refiner_small --set run.init_from=runs/small/model
    python -m training.train --config small --resume latest          # continue run.out's last checkpoint
    accelerate launch --multi_gpu --num_processes 2 --main_process_ip 127.0.0.1 \
        -m training.train --config small                                 # 2 CPU processes (gloo)

Stages (``run.stage``): ``planner`` pretrains on all training rows (or, with ``run.init_from``, goes on
training that pipeline's planner on them, as the ``hand_small`` experiment does with one acting hand);
``sft`` continues a pipeline (``run.init_from``) on the high-quality subset (``data.min_quality`` /
``data.keep_sources``); ``lora`` trains PEFT LoRA adapters on a frozen planner (load with
``pipe.load_lora(run.out + "/model")``); ``refiner`` trains a fresh diffusion refiner (``model.preset``
with ``model.refiner`` overrides) on the output of the frozen planner of ``run.init_from``.

``run.out`` receives ``metrics.csv`` (step, split, metric, value, elapsed_s), TensorBoard logs under
``tensorboard/``, ``checkpoints/step_N`` (model, optimizer, scheduler, RNG via ``accelerator.save_state``
plus ``trainer_state.json`` with the data position) and ``model/``: the pipeline folder (or LoRA
adapter) with the best validation loss, with ``training_config.yaml`` and ``training_summary.json``.
A global batch is ``micro_batch_size * grad_accum * processes`` clips; batch ``s`` is always the
same clips (see :mod:`training.data`), whatever the process count or interruptions.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from stickgen.features import FeatureStats
from stickgen.pipeline import StickGenPipeline

from . import config as config_module
from .config import TrainingConfig
from .data import WindowSource, load_dataset_dict, select_rows, stream_indices, text_table
from .losses import PLANNER_TERMS, planner_losses

STATE_FILE = "trainer_state.json"
CONFIG_FILE = "training_config.yaml"
SUMMARY_FILE = "training_summary.json"
METRICS_FILE = "metrics.csv"
#: settings that only decide when a run stops or how it reports; a resumed run may change them
RESUME_MAY_CHANGE = ("run/max_minutes", "run/log_every", "run/tensorboard", "run/keep_checkpoints")


def lr_factor(step: int, warmup_steps: int, max_steps: int, min_ratio: float) -> float:
    """Linear warm-up to 1 over ``warmup_steps``, then cosine decay to ``min_ratio`` at ``max_steps``."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, max_steps - warmup_steps))
    return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))


def _mixed_precision(setting: str) -> str:
    if setting != "auto":
        return setting
    return "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "no"


def with_control_input(planner: torch.nn.Module, control_dim: int) -> torch.nn.Module:
    """``planner`` with a control input of ``control_dim`` channels: the same weights, the channels it had
    keeping their projection and the new ones a zero one, so it plans exactly as before until training
    teaches it the new controls."""
    from stickgen.models.modeling_stickgen import StickGenPlanner

    old_dim = planner.config.control_dim
    if control_dim <= old_dim:
        raise ValueError(f"control_dim {control_dim}: the planner already has {old_dim} control channels")
    upgraded = StickGenPlanner(type(planner.config)(**{**planner.config.to_dict(), "control_dim": control_dim}))
    state = {k: v for k, v in planner.state_dict().items() if not k.startswith("control_proj.")}
    missing, unexpected = upgraded.load_state_dict(state, strict=False)
    if unexpected or any(not name.startswith("control_proj.") for name in missing):
        raise ValueError(f"cannot add a control input: unexpected {unexpected}, missing {missing}")
    if old_dim:  # its input is [values, mask]: each half keeps its old columns first
        with torch.no_grad():
            weight = upgraded.control_proj.weight
            weight[:, :old_dim] = planner.control_proj.weight[:, :old_dim]
            weight[:, control_dim:control_dim + old_dim] = planner.control_proj.weight[:, old_dim:]
            upgraded.control_proj.bias.copy_(planner.control_proj.bias)
    return upgraded


def _flat(doc: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested config -> ``{"optim/lr": 0.0003, ...}`` with scalars only (for TensorBoard hparams)."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}/"))
        else:
            out[prefix + key] = value if isinstance(value, (int, float, str, bool)) else str(value)
    return out


class Trainer:
    """One training run of one stage (see the module docstring); :meth:`fit` runs it."""

    def __init__(self, config: TrainingConfig):
        from accelerate import Accelerator

        self.config, self.out = config, Path(config.run.out)
        self.accelerator = Accelerator(cpu=not torch.cuda.is_available(),
                                       mixed_precision=_mixed_precision(config.run.mixed_precision),
                                       log_with="tensorboard" if config.run.tensorboard else None,
                                       project_dir=str(self.out))
        self.started = time.time()
        self.state: dict[str, Any] = {"step": 0, "best": None, "evals_without_improvement": 0,
                                      "elapsed_s": 0.0, "stopped_early": False}
        self._load_data_and_models()

    # ------------------------------------------------------------------ setup

    def _load_data_and_models(self) -> None:
        from stickgen.models.modeling_refiner import make_scheduler
        from stickgen.text import TextEncoder

        cfg, acc = self.config, self.accelerator
        dataset = load_dataset_dict(cfg.data.path)
        train = select_rows(dataset[cfg.data.train_split], cfg.data.min_quality, cfg.data.keep_sources,
                            cfg.data.max_train_rows)
        validation = None
        if cfg.data.validation_split in dataset and cfg.data.max_validation_rows > 0:
            validation = select_rows(dataset[cfg.data.validation_split], max_rows=cfg.data.max_validation_rows)
        encoder = TextEncoder(cfg.model.text_encoder)
        if cfg.run.init_from:
            pipe = StickGenPipeline.from_pretrained(cfg.run.init_from, text_encoder=encoder)
            control_dim = int(cfg.model.planner.get("control_dim", 0))
            if cfg.run.stage == "planner" and control_dim > pipe.planner.config.control_dim:
                pipe.planner = with_control_input(pipe.planner, control_dim)
        else:
            stats = FeatureStats.from_dataset(train, max_rows=cfg.data.stats_rows)
            pipe = StickGenPipeline.from_preset(cfg.model.preset, text_encoder=encoder, feature_stats=stats,
                                                planner_overrides=cfg.model.planner,
                                                refiner_overrides=cfg.model.refiner, seed=cfg.run.seed)
        planner_config = pipe.planner.config
        if cfg.data.crop_frames > planner_config.max_frames:
            raise config_module.ConfigError(f"data.crop_frames: must be <= the planner window "
                                            f"({planner_config.max_frames}), got {cfg.data.crop_frames}")
        self.pipe, self.fps = pipe, float(planner_config.fps)
        texts = text_table([train] + ([validation] if validation is not None else []), encoder, cfg.data.text_cache)
        window = dict(stats=pipe.feature_stats, crop_frames=cfg.data.crop_frames,
                      known_frames=planner_config.window_overlap, seed=cfg.run.seed,
                      canonical_hand=cfg.data.canonical_hand, hand_actions=cfg.data.canonical_hand_actions,
                      controls=planner_config.control_dim)
        self.train_rows = WindowSource(train, texts, known_prefix_prob=cfg.data.known_prefix_prob, **window)
        self.validation_rows = None if validation is None else WindowSource(validation, texts, known_prefix_prob=0.0,
                                                                             **window)
        self.mean = torch.as_tensor(pipe.feature_stats.mean, dtype=torch.float32)
        self.std = torch.as_tensor(pipe.feature_stats.std, dtype=torch.float32)
        self.ddpm = make_scheduler("ddpm")
        model = self._trainable_model()
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(params, lr=cfg.optim.lr, betas=tuple(cfg.optim.betas),
                                      weight_decay=cfg.optim.weight_decay)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(
            s, cfg.optim.warmup_steps, cfg.optim.max_steps, cfg.optim.min_lr_ratio))
        self.model, self.optimizer = acc.prepare(model, optimizer)
        acc.register_for_checkpointing(self.scheduler)  # stepped once per optimizer step, not per process
        self.pipe.planner.to(acc.device)
        self.mean, self.std = self.mean.to(acc.device), self.std.to(acc.device)
        self.num_trainable = sum(p.numel() for p in params)

    def _trainable_model(self) -> torch.nn.Module:
        cfg, pipe = self.config, self.pipe
        stage = cfg.run.stage
        if stage == "refiner":  # a fresh refiner (or init_from's) on the init_from planner's output
            from stickgen.models.modeling_refiner import StickGenRefiner

            torch.manual_seed(cfg.run.seed)
            if not cfg.run.refiner_from_init:
                pipe.refiner = StickGenRefiner.from_preset(cfg.model.preset, text_dim=pipe.planner.config.text_dim,
                                                           **cfg.model.refiner)
            pipe.planner.requires_grad_(False)
            return pipe.refiner.train()
        pipe.refiner.requires_grad_(False)
        if stage == "lora":
            from peft import LoraConfig, get_peft_model

            lora = LoraConfig(r=cfg.lora.r, lora_alpha=cfg.lora.alpha, lora_dropout=cfg.lora.dropout,
                              target_modules=list(cfg.lora.target_modules))
            pipe.planner = get_peft_model(pipe.planner, lora, adapter_name=cfg.lora.adapter_name)
        return pipe.planner.train()

    # ------------------------------------------------------------------ batches and losses

    def _positions(self, step: int, micro: int) -> np.ndarray:
        """Stream positions of this process's share of micro-batch ``micro`` of optimizer step ``step``."""
        o, acc = self.config.optim, self.accelerator
        size = o.micro_batch_size
        start = (step * o.grad_accum + micro) * size * acc.num_processes + acc.process_index * size
        return np.arange(start, start + size)

    def _to_device(self, batch: dict[str, Any]) -> dict[str, Any]:
        return {k: v.to(self.accelerator.device) for k, v in batch.items()}

    def _planner_inputs(self, batch: dict[str, Any]) -> dict[str, Any]:
        return dict(text_embeds=batch["text_embeds"], action_ids=batch["action_ids"],
                    attention_mask=batch["attention_mask"], known_features=batch["features"],
                    known_mask=batch["known_mask"], partner_joints=batch["partner_joints"],
                    has_partner=batch["has_partner"], control=batch.get("control"),
                    control_mask=batch.get("control_mask"))

    def _loss(self, model: torch.nn.Module, batch: dict[str, Any],
              seed: list[int]) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Total loss and its parts of ``model`` on one batch; ``seed`` seeds the refiner's noise."""
        cfg = self.config
        with self.accelerator.autocast():
            if cfg.run.stage != "refiner":
                output = model(**self._planner_inputs(batch))
                total, parts = planner_losses(output, batch, self.mean, self.std, self.fps, vars(cfg.loss))
                correct = (output.action_logits.argmax(-1) == batch["action_ids"]) & batch["attention_mask"]
                parts["action_accuracy"] = correct.sum() / batch["attention_mask"].sum()
                return total, parts
            from training.losses import refiner_loss

            with torch.no_grad():
                condition = self.pipe.planner(**self._planner_inputs(batch)).pose
                if "control" in batch:
                    condition = self._steered(condition, batch)
                if cfg.loss.pace_prob > 0:
                    condition = self._paced(condition, batch, np.random.default_rng([*seed, 3]))
            generator = torch.Generator(device=self.accelerator.device).manual_seed(
                int(np.random.SeedSequence(seed).generate_state(1)[0]))
            total, parts = refiner_loss(model, self.ddpm, batch["features"], condition, batch["text_embeds"],
                                        batch["attention_mask"], cfg.loss.condition_dropout, generator,
                                        cfg.loss.denoise_velocity, batch["action_ids"])
            return total, parts

    def _steered(self, condition: torch.Tensor, batch: dict[str, Any]) -> torch.Tensor:
        """The planner's ``condition [B, T, 137]`` steered onto the window's (partly dropped) controls, as
        generation steers a plan (:func:`stickgen.steering.steer_plan`), on the frames not given."""
        from stickgen.control import denormalize
        from stickgen.steering import steer_plan

        wanted = denormalize(batch["control"].cpu().numpy(), batch["control_mask"].cpu().numpy())
        free = ~batch["known_mask"].cpu().numpy().astype(bool)
        steered = steer_plan(condition.float().cpu().numpy(), self.pipe.feature_stats, wanted, self.fps, free)
        return torch.as_tensor(steered, dtype=condition.dtype, device=condition.device)

    def _paced(self, condition: torch.Tensor, batch: dict[str, Any], rng: np.random.Generator) -> torch.Tensor:
        """The planner's ``condition [B, T, 137]`` with a ``loss.pace_prob`` share of its windows paced to
        the true speed of each locomotion stretch (:mod:`stickgen.pacing`), as generation paces a plan
        to the speeds the story asks for."""
        from stickgen.pacing import pace_normalized, stretch_speeds

        chosen = rng.random(len(condition)) < self.config.loss.pace_prob
        if not chosen.any():
            return condition
        stats = self.pipe.feature_stats
        valid = batch["attention_mask"].cpu().numpy() & chosen[:, None]
        targets = stretch_speeds(stats.denormalize(batch["features"].cpu().numpy().astype(np.float64)),
                                 batch["action_ids"].cpu().numpy(), valid)
        paced, _ = pace_normalized(condition.float().cpu().numpy(), stats, targets, valid)
        return torch.as_tensor(paced, dtype=condition.dtype, device=condition.device)

    def train_step(self) -> dict[str, float]:
        """One optimizer step over a global batch; returns this process's loss parts."""
        cfg, acc, step = self.config, self.accelerator, self.state["step"]
        sums: dict[str, float] = {}
        for micro in range(cfg.optim.grad_accum):
            positions = self._positions(step, micro)
            indices = stream_indices(len(self.train_rows), cfg.run.seed, int(positions[0]), len(positions))
            batch = self._to_device(self.train_rows.batch(indices, positions))
            last = micro == cfg.optim.grad_accum - 1
            with acc.no_sync(self.model) if not last else contextlib.nullcontext():
                total, parts = self._loss(self.model, batch, [cfg.run.seed, 2, int(positions[0])])
                acc.backward(total / cfg.optim.grad_accum)
            for name, value in {"loss": total.detach(), **parts}.items():
                sums[name] = sums.get(name, 0.0) + float(value) / cfg.optim.grad_accum
        sums["grad_norm"] = float(acc.clip_grad_norm_(self.model.parameters(), cfg.optim.grad_clip))
        sums["lr"] = self.scheduler.get_last_lr()[0]
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.state["step"] = step + 1
        return sums

    @torch.no_grad()
    def evaluate(self) -> dict[str, float]:
        """Mean loss parts over the validation rows (window at frame 0, first description)."""
        acc, rows = self.accelerator, self.validation_rows
        model = acc.unwrap_model(self.model).eval()
        size = self.config.optim.micro_batch_size
        mine = np.arange(acc.process_index, len(rows), acc.num_processes)
        sums: dict[str, torch.Tensor] = {}
        for start in range(0, len(rows), size * acc.num_processes):
            indices = mine[start // acc.num_processes:start // acc.num_processes + size]
            if len(indices):
                batch = self._to_device(rows.batch(indices, None))
                total, parts = self._loss(model, batch, [self.config.run.seed, 3, start])
                for name, value in {"loss": total, **parts}.items():
                    sums[name] = sums.get(name, 0.0) + value.float() * len(indices)
        model.train()
        names = ["loss"] + (list(PLANNER_TERMS) + ["action_accuracy"] if self.config.run.stage != "refiner"
                            else ["denoise", "denoise_velocity"])
        totals = torch.stack([torch.as_tensor(sums.get(n, 0.0), device=acc.device).float() for n in names])
        totals = acc.reduce(totals, reduction="sum") / len(rows)
        return dict(zip(names, totals.tolist()))

    # ------------------------------------------------------------------ logging and saving

    def _elapsed(self) -> float:
        return self.state["elapsed_s"] + time.time() - self.started

    def log(self, split: str, metrics: dict[str, float]) -> None:
        acc = self.accelerator
        if acc.is_main_process:
            path = self.out / METRICS_FILE
            new = not path.exists()
            with path.open("a", newline="") as handle:
                writer = csv.writer(handle)
                if new:
                    writer.writerow(["step", "split", "metric", "value", "elapsed_s"])
                for name, value in metrics.items():
                    writer.writerow([self.state["step"], split, name, f"{value:.6g}", f"{self._elapsed():.1f}"])
        acc.log({f"{split}/{k}": v for k, v in metrics.items()}, step=self.state["step"])

    def save_checkpoint(self) -> Path:
        acc = self.accelerator
        folder = self.out / "checkpoints" / f"step_{self.state['step']}"
        acc.save_state(str(folder))
        if acc.is_main_process:
            state = {**self.state, "elapsed_s": self._elapsed()}
            (folder / STATE_FILE).write_text(json.dumps(state, indent=1))
            (folder / CONFIG_FILE).write_text(self.config.to_yaml())
            old = sorted((self.out / "checkpoints").glob("step_*"), key=lambda p: int(p.name.split("_")[1]))
            for stale in old[:-self.config.run.keep_checkpoints]:
                shutil.rmtree(stale)
        acc.wait_for_everyone()
        return folder

    def load_checkpoint(self, folder: Path) -> None:
        saved, current = _flat(config_module.load_config(folder / CONFIG_FILE).to_dict()), _flat(self.config.to_dict())
        differing = sorted(k for k, v in current.items() if saved.get(k) != v and k not in RESUME_MAY_CHANGE)
        if differing:
            raise config_module.ConfigError(f"--resume: the checkpoint was made with another config "
                                            f"(differs in {', '.join(differing)})")
        self.accelerator.load_state(str(folder))
        self.state = json.loads((folder / STATE_FILE).read_text())
        if self.accelerator.is_main_process and (self.out / METRICS_FILE).exists():
            _truncate_metrics(self.out / METRICS_FILE, self.state["step"])

    def save_model(self, metrics: dict[str, float] | None) -> Path:
        """Write ``run.out/model``: the pipeline folder (LoRA stage: the adapter) with config and summary."""
        acc = self.accelerator
        folder = self.out / "model"
        if acc.is_main_process:
            model = acc.unwrap_model(self.model)
            if self.config.run.stage == "lora":
                model.save_pretrained(str(folder))
            else:
                self.pipe.save_pretrained(folder)
            summary = {"stage": self.config.run.stage, "step": self.state["step"],
                       "elapsed_s": round(self._elapsed(), 1), "validation": metrics,
                       "train_rows": len(self.train_rows), "trainable_parameters": self.num_trainable,
                       "processes": acc.num_processes, "device": str(acc.device),
                       "mixed_precision": acc.mixed_precision, "torch": torch.__version__,
                       "command": " ".join(["python -m training.train", *sys.argv[1:]])}
            (folder / CONFIG_FILE).write_text(self.config.to_yaml())
            (folder / SUMMARY_FILE).write_text(json.dumps(summary, indent=1) + "\n")
        acc.wait_for_everyone()
        return folder

    def _validate_and_keep_best(self) -> bool:
        """Evaluate, save the model if it improved; returns True when early stopping triggers."""
        metrics = self.evaluate()
        self.log("validation", metrics)
        best = self.state["best"]
        if best is None or metrics["loss"] < best:
            self.state["best"], self.state["evals_without_improvement"] = metrics["loss"], 0
            self.save_model(metrics)
            return False
        self.state["evals_without_improvement"] += 1
        patience = self.config.run.patience
        return patience > 0 and self.state["evals_without_improvement"] >= patience

    # ------------------------------------------------------------------ loop

    def fit(self, resume: Path | None = None, stop_after: int | None = None) -> dict[str, Any]:
        """Train until ``optim.max_steps``, early stopping, ``run.max_minutes`` or ``stop_after`` steps
        of this invocation (a checkpoint is written whenever it stops)."""
        from tqdm.auto import tqdm

        cfg, acc = self.config, self.accelerator
        self.out.mkdir(parents=True, exist_ok=True)
        if resume is not None:
            self.load_checkpoint(resume)
        if cfg.run.tensorboard:
            acc.init_trackers("tensorboard", config=_flat(cfg.to_dict()))
        first = self.state["step"]
        bar = tqdm(total=cfg.optim.max_steps, initial=first, disable=not acc.is_main_process, desc=cfg.run.stage)
        window: dict[str, float] = {}
        reason = "max_steps"
        while self.state["step"] < cfg.optim.max_steps and not self.state["stopped_early"]:
            parts = self.train_step()
            step = self.state["step"]
            for name, value in parts.items():
                window[name] = window.get(name, 0.0) + value
            bar.update(1)
            if step % cfg.run.log_every == 0:
                count = cfg.run.log_every
                names = sorted(window)
                means = acc.reduce(torch.tensor([window[n] / count for n in names], device=acc.device), "mean")
                self.log("train", dict(zip(names, means.tolist())))
                bar.set_postfix(loss=f"{window['loss'] / count:.4f}")
                window = {}
            if self.validation_rows is not None and step % cfg.run.eval_every == 0:
                self.state["stopped_early"] = self._validate_and_keep_best()
                reason = "early_stopping" if self.state["stopped_early"] else reason
            out_of_time = cfg.run.max_minutes is not None and self._elapsed() > 60 * cfg.run.max_minutes
            out_of_time = bool(acc.reduce(torch.tensor(float(out_of_time), device=acc.device), "max"))
            interrupted = stop_after is not None and step - first >= stop_after
            if step % cfg.run.checkpoint_every == 0 or out_of_time or interrupted:
                self.save_checkpoint()
            if out_of_time or interrupted:
                reason = "max_minutes" if out_of_time else "stop_after"
                break
        bar.close()
        finished = reason != "stop_after"
        if finished and self.validation_rows is None:
            self.save_model(None)
        elif finished and self.state["step"] % cfg.run.eval_every:
            self._validate_and_keep_best()
        # release the DDP wrapper while its process group still exists: destroyed after end_training, its
        # gloo reducer could block one process at exit (2 CPU processes, torch 2.13)
        acc.wait_for_everyone()
        self.model = acc.unwrap_model(self.model)
        acc.free_memory()
        acc.end_training()
        return {"step": self.state["step"], "stopped": reason, "best_validation_loss": self.state["best"],
                "elapsed_s": self._elapsed()}


def _truncate_metrics(path: Path, step: int) -> None:
    """Drop logged rows after ``step`` (written by the interrupted run after its last checkpoint)."""
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    keep = [rows[0]] + [r for r in rows[1:] if int(r[0]) <= step]
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(keep)


def latest_checkpoint(out: Path) -> Path:
    found = sorted((out / "checkpoints").glob("step_*"), key=lambda p: int(p.name.split("_")[1]))
    if not found:
        raise FileNotFoundError(f"--resume latest: no checkpoints under {out / 'checkpoints'}")
    return found[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="small", help="bundled config name (small, sft_small, ...) or YAML path")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value, e.g. --set optim.lr=3e-4 (repeatable)")
    parser.add_argument("--resume", help="a checkpoint folder, or 'latest' for run.out's newest")
    parser.add_argument("--stop-after", type=int, help="stop (with a checkpoint) after this many steps of this call")
    parser.add_argument("--print-config", action="store_true", help="print the resolved config and exit")
    args = parser.parse_args(argv)
    try:
        config = config_module.load_config(args.config, args.set)
    except config_module.ConfigError as error:
        parser.error(str(error))
    if args.print_config:
        print(config.to_yaml())
        return 0
    resume = None
    if args.resume:
        resume = latest_checkpoint(Path(config.run.out)) if args.resume == "latest" else Path(args.resume)
    result = Trainer(config).fit(resume, args.stop_after)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
