"""Does a trained pipeline perform every action of the vocabulary? Per-action recognition by the evaluator.

For each of the 46 actions, ``--seeds`` clips of ``--duration`` seconds are generated from a one-action
plan (text: "a person <description>"; an interaction gets a partner, see :func:`action_plans`) by
the full pipeline and by the planner alone; the evaluator (models/stickgen-evaluator) labels every frame,
and an action counts as recognised in a clip when the majority label is the intended one (the labels read
instead are listed too). The "data generator" column judges the procedural generator's own clips of each
action (the training data's source, seeds 0..``--seeds``-1) the same way: the ceiling the evaluator
allows. Prints a table, writes benchmarks/results/bench_actions_<model>.json and, with ``--sheet``, a PNG
with one row of frames per action (for looking at the motion).

    .venv/bin/python benchmarks/bench_actions.py --model models/stickgen-small [--seeds 3] [--sheet out.png]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # datasets_scripts is not installed

from stickgen.sampling import SamplingSettings  # noqa: E402


def majority_labels(evaluator, clips: list[np.ndarray], intended: list[np.ndarray], fps: float) -> list[str]:
    """The evaluator's majority label of each one-action clip (``clips[i]: [T, 22, 3]``, ``intended[i]: [T]``)."""
    from stickgen.eval.metrics import segment_majority
    from stickgen.vocab import ACTION_NAMES

    labels = []
    for ids, predicted in zip(intended, evaluator.predict_actions(clips, fps)):
        _, recognised = segment_majority(ids, predicted)
        labels.append("+".join(ACTION_NAMES[i] for i in recognised))
    return labels


def tally(labels_per_seed: list[list[str]]) -> tuple[dict[str, float], dict[str, list[str]]]:
    """``labels_per_seed[s][a]``: the label read for action ``a`` in seed ``s`` -> (share of seeds that read
    each action as itself, the other labels read for each action)."""
    from stickgen import vocab

    shares, misread = {}, {}
    for i, action in enumerate(vocab.ACTIONS):
        read = [labels[i] for labels in labels_per_seed]
        shares[action.name] = sum(label == action.name for label in read) / len(read)
        misread[action.name] = [label for label in read if label != action.name]
    return shares, misread


def action_plans(duration: float) -> list:
    """One ``duration``-second plan per vocabulary action, text "a person <description>". An interaction
    (``Action.actors == 2``) gets a partner doing the same, ``stickgen.staging.contact_distance`` apart and
    facing it, as the story engine lays out "two people hug"; actor 0 is the one judged."""
    from dataclasses import replace

    from stickgen import vocab
    from stickgen.conditioning import ScenePlan, plan_from_actions
    from stickgen.staging import contact_distance

    plans = []
    for action in vocab.ACTIONS:
        plan = plan_from_actions([action.name], f"a person {action.description}", duration=duration)
        if action.actors == 2:
            half_gap = contact_distance(action.name) / 2
            first = replace(plan.actors[0], start_position=(-half_gap, 0.0), facing=np.pi / 2, partner=1)
            second = replace(first, id="a1", start_position=(half_gap, 0.0), facing=-np.pi / 2, partner=0)
            plan = ScenePlan([first, second], fps=plan.fps, meta=plan.meta)
        plans.append(plan)
    return plans


def recognition(pipe, evaluator, sampling: SamplingSettings, seeds: int,
                duration: float) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Share of ``seeds`` clips per action whose majority evaluator label is the intended action, and the
    labels read instead, with the pipeline's ``sampling`` settings."""
    plans = action_plans(duration)
    labels_per_seed = []
    for seed in range(seeds):
        scenes = pipe(plans, seed=seed, sampling=sampling).scenes
        labels_per_seed.append(majority_labels(evaluator, [scene.actors[0].joints for scene in scenes],
                                               [plan.actors[0].action_ids for plan in plans], plans[0].fps))
    return tally(labels_per_seed)


def generator_recognition(evaluator, seeds: int, duration: float) -> tuple[dict[str, float], dict[str, list[str]]]:
    """The same for the procedural data generator's own one-action clips (the evaluator's ceiling)."""
    from datasets_scripts.synthetic import ActionStep, ClipSpec, generate
    from stickgen import vocab

    labels_per_seed = []
    for seed in range(seeds):
        clips = [generate(ClipSpec([ActionStep(a.name, duration)], seed=seed)) for a in vocab.ACTIONS]
        labels_per_seed.append(majority_labels(evaluator, [clip.joints for clip in clips],
                                               [clip.action_ids for clip in clips], 25))
    return tally(labels_per_seed)


def action_sheet(pipe, path: Path, duration: float, frames: int = 6, size: int = 128) -> Path:
    """One row of ``frames`` evenly spaced frames per action (seed 0, full pipeline), labelled."""
    from PIL import Image, ImageDraw

    from stickgen import vocab
    from stickgen.render import render_frames

    scenes = pipe(action_plans(duration), seed=0).scenes
    sheet = Image.new("RGB", (120 + frames * size, len(scenes) * size), "white")
    pen = ImageDraw.Draw(sheet)
    for row, (action, scene) in enumerate(zip(vocab.ACTIONS, scenes)):
        picks = np.linspace(0, scene.num_frames - 1, frames).round().astype(int).tolist()
        for col, tile in enumerate(render_frames(scene, "normal", (size, size), None, frames=picks)):
            sheet.paste(Image.fromarray(tile), (120 + col * size, row * size))
        pen.text((4, row * size + size // 2), action.name, fill="black")
    sheet.save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="models/stickgen-small")
    parser.add_argument("--evaluator", default="models/stickgen-evaluator")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0)
    SamplingSettings.add_arguments(parser)  # the full pipeline's settings
    parser.add_argument("--sheet", type=Path, help="also write a per-action contact sheet PNG here")
    args = parser.parse_args(argv)

    from stickgen.eval.evaluator import MotionTextEvaluator
    from stickgen.pipeline import StickGenPipeline

    started = time.perf_counter()
    pipe = StickGenPipeline.from_pretrained(args.model)
    evaluator = MotionTextEvaluator.from_pretrained(args.evaluator)
    sampling = pipe.resolve_sampling(**SamplingSettings.from_arguments(args))
    if sampling.num_inference_steps < 1:  # a planner-only recommendation: the full-pipeline column still refines
        sampling = sampling.replace(num_inference_steps=10)
    full, full_misread = recognition(pipe, evaluator, sampling, args.seeds, args.duration)
    planner, planner_misread = recognition(pipe, evaluator, sampling.planner_only(), args.seeds, args.duration)
    reference, reference_misread = generator_recognition(evaluator, args.seeds, args.duration)
    print(f"{'action':<16}{'full pipeline':>15}{'planner alone':>15}{'data generator':>16}  full pipeline read as")
    for name in full:
        print(f"{name:<16}{full[name]:>15.2f}{planner[name]:>15.2f}{reference[name]:>16.2f}  "
              f"{', '.join(full_misread[name])}")
    summary = {"full_pipeline_mean": float(np.mean(list(full.values()))),
               "planner_alone_mean": float(np.mean(list(planner.values()))),
               "data_generator_mean": float(np.mean(list(reference.values()))),
               "actions_never_recognised_full": [n for n, v in full.items() if v == 0]}
    print(json.dumps(summary))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench_actions_{Path(args.model).name}.json"
    out.write_text(json.dumps({"model": args.model, "evaluator": args.evaluator, "seeds": args.seeds,
                               "duration_s": args.duration, "sampling": sampling.to_dict(), "summary": summary,
                               "full_pipeline": full, "planner_alone": planner, "data_generator": reference,
                               "misread": {"full_pipeline": full_misread, "planner_alone": planner_misread,
                                           "data_generator": reference_misread},
                               "wall_s": round(time.perf_counter() - started, 1)}, indent=1) + "\n")
    print(f"wrote {out}")
    if args.sheet:
        print(f"wrote {action_sheet(pipe, args.sheet, args.duration)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
