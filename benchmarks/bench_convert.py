"""Conversion speed: clips per second of ``datasets_scripts.convert`` for every format.

Usage: python benchmarks/bench_convert.py [--clips 20] [--formats amass,bvh,...]
Each format converts a fixture folder in its dataset's layout, built by the converter tests' helpers
(tests/test_convert_cli.py) with about ``--clips`` source files (BABEL has its fixed three sequences, 100STYLE
one style of five takes, DeepMimic and NTU one clip more than asked); ``motion`` converts the 21 real clips
of data/real. Prints a table and writes benchmarks/results/bench_convert.json. Clips/s depends on clip length
(the fixtures are 1-4 s; so are most HumanML3D clips), so motion seconds converted per second are given too;
CPU seconds per clip tell what a free core would do on a busy machine.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # datasets_scripts is not installed
sys.path.insert(0, str(ROOT / "tests"))  # the fixture builders

from test_convert_cli import FIXTURES  # noqa: E402

from datasets_scripts import convert  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "bench_convert.json"
REAL = ROOT / "data" / "real"


def measure(fmt: str, clips: int, tmp: Path) -> dict:
    """Build the fixture, convert it once (timed, wall and CPU); the numbers."""
    builder, extra = FIXTURES[fmt]
    source = REAL if fmt == "motion" else builder(tmp / fmt, count=clips)
    options = convert.Options(amass_root=Path(extra(tmp / fmt)[1])) if fmt == "babel" else convert.Options()
    cpu, start = time.process_time(), time.perf_counter()
    summary = convert.convert(fmt, source, tmp / f"{fmt}-out", options=options, progress=False)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    motion_s = summary.frames / convert.FPS
    return {"clips": summary.clips, "frames": summary.frames, "skipped": sum(summary.skipped.values()),
            "seconds": seconds, "clips_per_s": summary.clips / seconds, "motion_s_per_s": motion_s / seconds,
            "cpu_ms_per_clip": 1e3 * cpu / summary.clips}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=int, default=20, help="source files per fixture folder")
    parser.add_argument("--formats", default=",".join(FIXTURES), help="comma-separated formats")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-convert-"))
    load = os.getloadavg()[0]
    try:
        rows = {fmt: measure(fmt, args.clips, tmp) for fmt in args.formats.split(",")}
    finally:
        shutil.rmtree(tmp)
    print("| format | clips | skipped | seconds | clips/s | motion s/s | CPU ms/clip |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for fmt, r in rows.items():
        print(f"| {fmt} | {r['clips']} | {r['skipped']} | {r['seconds']:.2f} | {r['clips_per_s']:.1f} | "
              f"{r['motion_s_per_s']:.0f} | {r['cpu_ms_per_clip']:.1f} |")
    result = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average_before": load},
              "clips_per_fixture": args.clips, "formats": rows}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
