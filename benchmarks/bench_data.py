"""Data throughput: generated 10 s clips per second, the curation rejection rate, and dataset rows per second.

Usage: python benchmarks/bench_data.py [--clips 400] [--workers 2] [--rows 2000]
Prints a table and writes benchmarks/results/bench_data.json. Targets (issue #4): at least 200 clips per
second on 2 cores with under 5% rejected by curation.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # datasets_scripts is not installed

from datasets_scripts import build, curate, synthetic  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "bench_data.json"


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the generation workers), user + system."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def generation(clips: int, workers: int, seed: int = 0) -> dict:
    """Generate ``clips`` 10 s clips, then curate them exactly as the build does.

    Besides wall-clock throughput it records the CPU seconds spent, so a run on a busy machine (see
    the load average) still tells what 2 free cores would do: ``workers / cpu_s_per_clip``.
    """
    load = os.getloadavg()[0]
    cpu, start = cpu_seconds(), time.perf_counter()
    made = list(synthetic.generate_many(clips, seed=seed, workers=workers, max_duration=10.0, min_duration=10.0))
    seconds = time.perf_counter() - start
    cpu = cpu_seconds() - cpu
    report = curate.CurationReport()
    dropped = 0
    start = time.perf_counter()
    for i, clip in enumerate(made):
        data = build.from_synthetic(clip, f"bench-{i}")
        _, clip_report = build.process_motions([data], np.random.default_rng(i), curate.CurationConfig())
        dropped += clip_report.clips["synthetic/dropped"]
        report.merge(clip_report)
    curation_seconds = time.perf_counter() - start
    frames = sum(c.num_frames for c in made)
    return {"clips": clips, "workers": workers, "frames": frames, "generate_s": seconds,
            "clips_per_s": clips / seconds, "cpu_s": cpu, "cpu_ms_per_clip": 1e3 * cpu / clips,
            "clips_per_s_cpu_bound": workers * clips / cpu, "load_average_before": load, "rejected": dropped,
            "rejection_rate": dropped / clips,
            "curate_describe_augment_s": curation_seconds, "reasons": dict(report.reasons)}


def dataset_build(rows: int, workers: int) -> dict:
    """Time the whole build (generate, curate, describe, augment x4, write shards, assemble)."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        dataset = build.build(rows, Path(out) / "ds", workers=workers, seed=0)
        seconds = time.perf_counter() - start
        total = sum(len(split) for split in dataset.values())
    return {"rows_requested": rows, "rows": total, "build_s": seconds, "rows_per_s": total / seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rows", type=int, default=2000, help="synthetic rows for the end-to-end build (0: skip)")
    args = parser.parse_args(argv)
    gen = generation(args.clips, args.workers)
    result = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()}, "generation": gen}
    print(f"| measure | value |\n|---|---:|\n| 10 s clips generated | {gen['clips']} ({gen['workers']} workers) |")
    print(f"| clips per second | {gen['clips_per_s']:.1f} (target >= 200) |")
    print(f"| CPU per clip | {gen['cpu_ms_per_clip']:.2f} ms = {gen['clips_per_s_cpu_bound']:.0f} clips/s on "
          f"{gen['workers']} free cores (load average was {gen['load_average_before']:.1f}) |")
    print(f"| rejected by curation | {gen['rejected']} ({100 * gen['rejection_rate']:.2f}%, target < 5%) |")
    print(f"| curate + describe + augment, 1 process | {gen['curate_describe_augment_s']:.1f} s |")
    if args.rows:
        built = dataset_build(args.rows, args.workers)
        result["build"] = built
        print(f"| end-to-end build | {built['rows']} rows in {built['build_s']:.1f} s "
              f"= {built['rows_per_s']:.0f} rows/s |")
    if gen["reasons"]:
        print("rejection reasons:", gen["reasons"])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
