"""``python -m stickgen.eval --model models/stickgen-small --out reports/small``: the evaluation report.

Loads the pipeline, the evaluator (models/stickgen-evaluator) and the dataset's test and train splits,
runs the real motions, the full pipeline, the planner alone and the two baselines on the same test
cases, runs the prompt suites, and writes report.json, report.md and PNG plots into ``--out``.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from ..sampling import SamplingSettings

DEFAULT_DATA = os.environ.get("STICKGEN_DATA", "data/dataset")
DEFAULT_EVALUATOR = "models/stickgen-evaluator"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m stickgen.eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="a StickGenPipeline folder (or Hub id)")
    parser.add_argument("--out", required=True, help="folder for report.json, report.md and the plots")
    parser.add_argument("--data", default=DEFAULT_DATA, help=f"DatasetDict folder (default {DEFAULT_DATA}, "
                        "or $STICKGEN_DATA)")
    parser.add_argument("--evaluator", default=DEFAULT_EVALUATOR)
    parser.add_argument("--num-cases", type=int, default=256, help="test rows every system generates for")
    parser.add_argument("--mm-texts", type=int, default=10, help="texts for MultiModality (0 skips it)")
    parser.add_argument("--mm-generations", type=int, default=30)
    parser.add_argument("--reference-rows", type=int, default=1000, help="held-out test clips for FID")
    parser.add_argument("--retrieval-rows", type=int, default=6000, help="train rows indexed by the retrieval baseline")
    parser.add_argument("--cache-dir", default="runs/evaluator",
                        help="sentence-embedding cache shared with training/train_evaluator.py")
    SamplingSettings.add_arguments(parser)  # the full pipeline's settings
    parser.add_argument("--split", default="test", help="dataset split to evaluate on (tune on 'validation')")
    parser.add_argument("--conditioning", choices=("text", "plan"), default="text",
                        help="text: the pipeline reads the sentence (story engine included); plan: it gets the "
                             "test row's own per-frame actions")
    parser.add_argument("--suites", default="all", help="'all', 'none' or comma-separated suite names")
    parser.add_argument("--notes", type=Path, help="a Markdown file of notes to include in the report")
    parser.add_argument("--seed", type=int, default=0)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    for flag, path in (("--data", args.data), ("--evaluator", args.evaluator)):
        if not Path(path).is_dir():
            print(f"error: {flag} {path} does not exist (build the dataset with `python -m datasets_scripts.build`, "
                  "train the evaluator with `python -m training.train_evaluator`)", file=sys.stderr)
            return 2
    from datasets import load_from_disk

    from .. import __version__
    from ..pipeline import StickGenPipeline
    from . import report, safety
    from .evaluator import MotionTextEvaluator
    from .report_files import write_report
    from .systems import MeanMotionBaseline, PipelineSystem, RetrievalBaseline, real_motions

    started = time.perf_counter()
    log = lambda message: print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr)  # noqa: E731
    dataset = load_from_disk(args.data)
    evaluator = MotionTextEvaluator.from_pretrained(args.evaluator)
    pipe = StickGenPipeline.from_pretrained(args.model)
    sampling = pipe.resolve_sampling(**SamplingSettings.from_arguments(args))
    if sampling.num_inference_steps < 1:  # a checkpoint that recommends the planner alone: the full row still refines
        sampling = sampling.replace(num_inference_steps=10)
    settings = report.EvalSettings(num_cases=args.num_cases, mm_texts=args.mm_texts,
                                   mm_generations=args.mm_generations, reference_rows=args.reference_rows,
                                   seed=args.seed, sampling=sampling.to_dict(), conditioning=args.conditioning,
                                   split=args.split)
    log("indexing the training split for the baselines")
    train = dataset["train"].with_format("numpy")
    systems = {
        report.REAL: real_motions,
        report.PIPELINE: PipelineSystem(pipe, args.conditioning, **sampling.to_dict()),
        report.PLANNER: PipelineSystem(pipe, args.conditioning, **sampling.planner_only().to_dict()),
        report.RETRIEVAL: RetrievalBaseline(train, evaluator.sentence_encoder, args.retrieval_rows, args.seed,
                                            args.cache_dir),
        report.MEAN_MOTION: MeanMotionBaseline(train, seed=args.seed),
    }
    suites = None
    if args.suites != "none":
        names = None if args.suites == "all" else args.suites.split(",")
        chosen = safety.load_suites(names)

        def generate(prompt, duration, seed):
            return pipe(prompt, duration=duration, seed=seed, sampling=sampling).scenes[0]

        suites = lambda: [safety.run_suite(s, generate, evaluator) for s in chosen]  # noqa: E731
    result = report.evaluate(dataset, evaluator, systems, settings, suites=suites, log=log)
    result["meta"] = {"model": args.model, "data": args.data, "evaluator": args.evaluator,
                      "stickgen": __version__, "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    notes = args.notes.read_text() if args.notes else None
    paths = write_report(result, args.out, notes)
    log(f"wrote {', '.join(str(p) for p in paths.values())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
