"""Choose a checkpoint's recommended refiner settings on the validation split (never on test).

    python -m training.tune_sampling --model runs/refiner_small/model --steps 10 20 --guidance-scale 1 1.5 2 \\
        --root-guidance-scale 2.5 3.5 --strength 1 --lowpass-hz 1.5 2 2.5 3 3.5 \\
        --out runs/refiner_small/sampling.json --write

Every combination of ``--steps``, ``--guidance-scale``, ``--root-guidance-scale`` (left out: the root
follows the guidance scale), ``--guided-fraction``, ``--strength``, ``--lowpass-hz`` and ``--pace`` (the
settings of :mod:`stickgen.sampling`)
generates the same validation cases as the planner alone (the evaluation protocol of :mod:`stickgen.eval.report`, on
``--split validation``); each is scored with the evaluator (FID, R-precision, action accuracy, jerk,
jitter). A setting qualifies when it beats the planner alone in FID without moving more roughly than
the split's own motions (the dataset's clips of the same cases) allow: jerk at most :data:`JERK_LIMIT`
and jitter at most :data:`JITTER_LIMIT` times theirs. The bound on jerk is one-sided and loose because
the validation split holds no real mocap (all real clips are in test): its procedural motion is smoother
than people move (62 m/s³ against 110 for the test split's real clips), so jerk close to it is no sign of
realism; jitter (acceleration reversing frame to frame) is the sign of sampling noise. Of those, the
chosen one performs the intended actions best: the highest action accuracy, and among settings within
:data:`ACCURACY_TIE` of it the lowest FID. When none qualifies, the planner alone (0 steps) is chosen.
``--write`` stores it in the model's ``model_index.json`` ``"sampling"``, which is what calls that
name no setting use. Prints a table and saves all rows as JSON.
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

from stickgen.eval.__main__ import DEFAULT_DATA, DEFAULT_EVALUATOR

PLANNER = "planner alone"
JERK_LIMIT = 2.0  # jerk / the data's jerk
JITTER_LIMIT = 2.0  # jitter / the data's jitter
ACCURACY_TIE = 0.01  # action accuracies this close count as equal (FID decides)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m training.tune_sampling", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="a StickGenPipeline folder")
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--evaluator", default=DEFAULT_EVALUATOR)
    parser.add_argument("--split", default="validation")
    parser.add_argument("--steps", type=int, nargs="+", default=[10, 20])
    parser.add_argument("--guidance-scale", type=float, nargs="+", default=[1.0, 1.5, 2.0])
    parser.add_argument("--root-guidance-scale", type=float, nargs="+", default=[None],
                        help="guidance on the root velocity (default: the same as --guidance-scale)")
    parser.add_argument("--guided-fraction", type=float, nargs="+", default=[1.0],
                        help="share of the steps, from the first, that are guided")
    parser.add_argument("--strength", type=float, nargs="+", default=[1.0])
    parser.add_argument("--lowpass-hz", type=float, nargs="+", default=[1.5, 2.0, 2.5, 3.0, 3.5],
                        help="cutoff (Hz) of the low-pass on the refiner's correction (0 = off)")
    parser.add_argument("--pace", type=int, nargs="+", choices=(0, 1), default=[0],
                        help="pace the plan to the story's speeds (1) or not (0)")
    parser.add_argument("--conditioning", choices=("text", "plan"), default="text")
    parser.add_argument("--num-cases", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="JSON file for every row and the choice")
    parser.add_argument("--write", action="store_true", help="store the choice in the model's model_index.json")
    return parser


def jerk_ratio(row: dict[str, Any], real: dict[str, Any]) -> float:
    """A system's mean jerk over the reference motions' (1 = the same)."""
    return row["jerk"] / real["jerk"]


def row_label(name: str, split: str) -> str:
    """A result row's name in tables: the report's reference row holds the split's own motions (on
    validation all procedural), not "real test motions"."""
    from stickgen.eval.report import REAL

    return f"{split} motions (the data)" if name == REAL else name


def setting_name(steps: int, guidance: float, root_guidance: float | None, strength: float, lowpass_hz: float,
                 pace: bool = False, guided_fraction: float = 1.0) -> str:
    """A grid row's name, e.g. "steps 20, guidance 1.5, root 2.5, guided 0.5, strength 1, lowpass 3.5 Hz, paced"
    (no root part when the root follows the guidance scale, no "guided" part when every step is guided, no
    "paced" without pacing)."""
    root = "" if root_guidance is None else f", root {root_guidance:g}"
    guided = "" if guided_fraction == 1 else f", guided {guided_fraction:g}"
    paced = ", paced" if pace else ""
    return (f"steps {steps}, guidance {guidance:g}{root}{guided}, strength {strength:g}, lowpass {lowpass_hz:g} Hz"
            f"{paced}")


def choose(rows: dict[str, dict[str, Any]], real: dict[str, Any]) -> str:
    """Of the settings that beat the planner alone in FID and move no more roughly than the data (jerk
    and jitter within the limits), the one with the highest action accuracy (FID breaks near-ties); the planner
    alone when none qualifies."""
    planner = rows[PLANNER]
    better = [name for name, row in rows.items() if name != PLANNER and row["fid"] < planner["fid"]
              and jerk_ratio(row, real) <= JERK_LIMIT and row["jitter"] <= JITTER_LIMIT * real["jitter"]]
    if not better:
        return PLANNER
    best = max(rows[name]["action_accuracy"] for name in better)
    return min((name for name in better if rows[name]["action_accuracy"] >= best - ACCURACY_TIE),
               key=lambda name: rows[name]["fid"])


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from datasets import load_from_disk

    from stickgen.eval import report
    from stickgen.eval.evaluator import MotionTextEvaluator
    from stickgen.eval.systems import PipelineSystem, real_motions
    from stickgen.pipeline import MODEL_INDEX, StickGenPipeline

    started = time.perf_counter()
    pipe = StickGenPipeline.from_pretrained(args.model)
    settings = {PLANNER: dict(num_inference_steps=0, guidance_scale=1.0, root_guidance_scale=None, strength=1.0,
                              lowpass_hz=0.0, pace=False, guided_fraction=1.0)}
    for combo in itertools.product(args.steps, args.guidance_scale, args.root_guidance_scale, args.strength,
                                   args.lowpass_hz, [bool(p) for p in args.pace], args.guided_fraction):
        settings[setting_name(*combo)] = dict(zip(("num_inference_steps", "guidance_scale", "root_guidance_scale",
                                                   "strength", "lowpass_hz", "pace", "guided_fraction"), combo))
    systems = {report.REAL: real_motions}
    systems.update({name: PipelineSystem(pipe, args.conditioning, **setting) for name, setting in settings.items()})
    eval_settings = report.EvalSettings(num_cases=args.num_cases, mm_texts=0, seed=args.seed,
                                        conditioning=args.conditioning, split=args.split)
    log = lambda message: print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr)  # noqa: E731
    result = report.evaluate(load_from_disk(args.data), MotionTextEvaluator.from_pretrained(args.evaluator), systems,
                             eval_settings, stochastic=(), log=log)
    rows, real = result["rows"], result["rows"][report.REAL]
    chosen = choose({name: rows[name] for name in settings}, real)
    print("| system | FID | R@3 | action acc. | jerk m/s³ | jerk / data | jitter |\n|---|---|---|---|---|---|---|")
    for name, row in rows.items():
        mark = " (chosen)" if name == chosen else ""
        print(f"| {row_label(name, args.split)}{mark} | {row['fid']:.3f} | {row['r_precision_top3']['mean']:.3f} | "
              f"{row['action_accuracy']:.3f} | {row['jerk']:.1f} | {jerk_ratio(row, real):.2f} | "
              f"{row['jitter']:.3f} |")
    choice = settings[chosen]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"model": args.model, "split": args.split, "conditioning": args.conditioning,
                                    "num_cases": args.num_cases, "rows": rows, "chosen": chosen,
                                    "sampling": choice}, indent=2) + "\n")
    print(f"chosen: {chosen} -> {choice}; rows in {args.out}")
    if args.write:
        index_path = Path(args.model) / MODEL_INDEX
        index = json.loads(index_path.read_text())
        index["sampling"] = choice
        index_path.write_text(json.dumps(index, indent=2) + "\n")
        print(f"wrote sampling into {index_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
