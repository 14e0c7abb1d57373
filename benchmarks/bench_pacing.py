"""Does a walk go as fast as the text says? Ground speed of the data and of the pipeline, paced and not.

Part 1, the data: the median ground speed (pelvis path length over time) of the ``--split`` clips that
are one locomotion action for at least 80% of their frames, by the speed word their text uses (the data
generator's ``SPEED_WORDS``: slow, none, fast), beside the speed the story engine plans for the same
words (``lexicon.ACTION_SPEED`` times the manner's multiplier). Part 2, the pipeline: for a few prompts,
the planned target speed, the speed generated over the locomotion frames, the foot-skating ratio and the
cadence, each the median over ``--seeds`` seeds, with the model's recommended settings paced
(``pace=True``) and not. Prints both tables and writes benchmarks/results/bench_pacing_<model>.json.

    .venv/bin/python benchmarks/bench_pacing.py --model models/stickgen-small [--seeds 3] [--max-rows 6000]
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

PROMPTS = ("A person walks slowly forward.", "A person walks forward.", "A person walks quickly forward.",
           "A person jogs slowly forward.", "A person runs forward.", "A person sprints forward.",
           "A person crawls forward.")
PLANNED_WORD = {"slow": "slowly", "none": None, "fast": "quickly"}  # the manner the story engine is given


def speed_class(action: str, text: str) -> str:
    """"slow", "fast" or "none": the data generator's speed word for ``action`` in ``text``, if any."""
    from datasets_scripts.text.describe import SPEED_WORDS

    if action not in SPEED_WORDS:
        return "none"
    _, _, slow, fast = SPEED_WORDS[action]
    lower = text.lower()
    for name, words in (("slow", slow), ("fast", fast)):
        if any(f" {word}" in lower for word in words):
            return name
    return "none"


def ground_speed(joints: np.ndarray, frames: np.ndarray, fps: float) -> float:
    """Pelvis path length over ``frames`` (indices, ascending) of ``joints [T, 22, 3]`` per second."""
    pelvis = joints[frames, 0][:, [0, 2]]
    return float(np.linalg.norm(np.diff(pelvis, axis=0), axis=1).sum() * fps / max(len(frames) - 1, 1))


def data_speeds(split, max_rows: int) -> dict[str, dict[str, dict[str, float]]]:
    """``{action: {class: {"median": m/s, "clips": n}}}`` over the first ``max_rows`` rows of ``split``."""
    from stickgen import vocab
    from stickgen.placement import LOCOMOTION_IDS

    found: dict[tuple[str, str], list[float]] = {}
    rows = split.select(range(min(max_rows, len(split))))
    for index, ids in enumerate(rows["action_ids"]):
        ids = np.asarray(ids)
        values, counts = np.unique(ids, return_counts=True)
        main = int(values[counts.argmax()])
        if not LOCOMOTION_IDS[main] or counts.max() < 0.8 * len(ids):
            continue
        row = rows[index]
        action = vocab.ACTION_NAMES[main]
        speed = ground_speed(np.asarray(row["joints"]), np.flatnonzero(ids == main), row["fps"])
        found.setdefault((action, speed_class(action, row["texts"][0])), []).append(speed)
    out: dict[str, dict[str, dict[str, float]]] = {}
    for (action, name), speeds in sorted(found.items()):
        out.setdefault(action, {})[name] = {"median": float(np.median(speeds)), "clips": len(speeds)}
    return out


def planned_speed(action: str, name: str) -> float:
    from stickgen.story import lexicon

    word = PLANNED_WORD[name]
    return lexicon.ACTION_SPEED[action] * (lexicon.MANNER[word][0] if word else 1.0)


def pipeline_speeds(pipe, seeds: int, duration: float) -> list[dict]:
    """Per prompt and pacing on/off: target and generated speed, skating ratio and cadence (medians)."""
    from stickgen import story
    from stickgen.eval import physics_metrics
    from stickgen.placement import LOCOMOTION_IDS

    rows = []
    for prompt in PROMPTS:
        plan = story.plan_from_prompt(prompt, duration=duration, matcher=pipe.story_matcher())
        actor = plan.actors[0]
        frames = np.flatnonzero(LOCOMOTION_IDS[actor.action_ids])
        target = float(np.nanmedian(actor.target_speed)) if actor.target_speed is not None else None
        for paced in (True, False):
            measured = []
            for seed in range(seeds):
                joints = pipe(plan, seed=seed, pace=paced).scenes[0].actors[0].joints
                measured.append((ground_speed(joints, frames, plan.fps),
                                 physics_metrics.foot_skating(joints, plan.fps)["ratio"],
                                 physics_metrics.cadence(joints, plan.fps)))
            speed, skating, cadence = np.median(measured, axis=0)
            rows.append({"prompt": prompt, "paced": paced, "target_speed": target, "speed": float(speed),
                         "foot_skating_ratio": float(skating), "cadence": float(cadence)})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="models/stickgen-small")
    parser.add_argument("--dataset", default="data/dataset")
    parser.add_argument("--split", default="train")
    parser.add_argument("--max-rows", type=int, default=6000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=6.0)
    args = parser.parse_args(argv)

    from datasets import load_from_disk

    from stickgen.pipeline import StickGenPipeline

    started = time.perf_counter()
    data = data_speeds(load_from_disk(args.dataset)[args.split], args.max_rows)
    print(f"{'action':<15}{'speed word':>11}{'clips':>7}{'data m/s':>10}{'planned m/s':>13}")
    for action, classes in data.items():
        for name, entry in classes.items():
            entry["planned"] = planned_speed(action, name)
            print(f"{action:<15}{name:>11}{entry['clips']:>7}{entry['median']:>10.2f}{entry['planned']:>13.2f}")
    rows = pipeline_speeds(StickGenPipeline.from_pretrained(args.model), args.seeds, args.duration)
    print(f"\n{'prompt':<34}{'paced':>6}{'target':>8}{'speed':>7}{'skating':>9}{'cadence':>9}")
    for r in rows:
        target = f"{r['target_speed']:.2f}" if r["target_speed"] is not None else "-"
        print(f"{r['prompt']:<34}{str(r['paced']):>6}{target:>8}{r['speed']:>7.2f}"
              f"{r['foot_skating_ratio']:>9.3f}{r['cadence']:>9.0f}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench_pacing_{Path(args.model).name}.json"
    out.write_text(json.dumps({"model": args.model, "split": args.split, "max_rows": args.max_rows,
                               "seeds": args.seeds, "duration_s": args.duration, "data": data, "pipeline": rows,
                               "wall_s": round(time.perf_counter() - started, 1)}, indent=1) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
