"""Speed of the evaluation building blocks: metrics, per-clip measures, the critic and the evaluator.

Usage: python benchmarks/bench_eval.py [--evaluator models/stickgen-evaluator] [--repeats N]
Prints a table and writes benchmarks/results/bench_eval.json. The full report's own timings are in
its report.json ("timings"); this file shows where that time can and cannot go.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
from pathlib import Path

import numpy as np
from timing import median_ms

from stickgen.eval import metrics, physics_metrics, safety
from stickgen.skeleton import make_rigid, rest_pose

RESULTS = Path(__file__).parent / "results" / "bench_eval.json"


def swaying_clip(frames: int = 250, seed: int = 0) -> np.ndarray:
    """A rigid ``[frames, 22, 3]`` clip of a gently swaying figure."""
    rng = np.random.default_rng(seed)
    t = np.arange(frames)[:, None, None] / 25.0
    return make_rigid(rest_pose()[None] + 0.05 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6, (1, 22, 3))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--evaluator", default="models/stickgen-evaluator")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    text, motion = rng.normal(size=(1000, 128)), rng.normal(size=(1000, 128))
    clip = swaying_clip()
    rows = {
        "R-precision, 1000 pairs x 20 repeats": median_ms(lambda: metrics.r_precision(text, motion), args.repeats),
        "FID, 1000 vs 1000 x 128-d (full sqrtm)": median_ms(lambda: metrics.frechet_distance(text, motion),
                                                            args.repeats),
        "diversity (300 pairs)": median_ms(lambda: metrics.diversity(motion), args.repeats),
        "all per-clip measures, 10 s clip": median_ms(lambda: physics_metrics.clip_measures(clip, 25), args.repeats),
        "safety critic, 10 s clip": median_ms(lambda: safety.critique(clip, 25), args.repeats),
    }
    if Path(args.evaluator).is_dir():
        from stickgen.eval.evaluator import MotionTextEvaluator

        evaluator = MotionTextEvaluator.from_pretrained(args.evaluator)
        clips = [swaying_clip(seed=i) for i in range(64)]
        rows["evaluator: embed 64 clips of 10 s"] = median_ms(lambda: evaluator.encode_motion(clips), args.repeats)
        rows["evaluator: action labels, 64 clips"] = median_ms(lambda: evaluator.predict_actions(clips), args.repeats)
    width = max(len(k) for k in rows)
    print(f"{'operation'.ljust(width)}  median ms")
    for name, ms in rows.items():
        print(f"{name.ljust(width)}  {ms:9.1f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"median_ms": rows, "repeats": args.repeats, "cpus": os.cpu_count(),
                                   "machine": platform.machine(), "python": platform.python_version()}, indent=1))
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
