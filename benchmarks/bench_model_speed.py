"""Text to Scene with a trained model on real prompts, PyTorch against ONNX, and where the time goes.

For each prompt (10 s clips; one actor, and a two-actor one whose partner pass doubles the model work) and
each backend, the whole call ``pipe(prompt, duration=10, seed=0)`` is timed, then its three stages apart:
the story engine (``pipe.plan``), the window sampler (``pipe.sample_clips``: planner, steering and refiner)
and the world stage (``pipe.to_scene``: placement, staging, foot planting). Medians of ``--repeats`` runs
after one warm-up, torch and onnxruntime limited to ``--threads`` threads. The ONNX models come from
:func:`stickgen.onnx_export.cached_onnx` (exported once). Prints a table and writes
benchmarks/results/bench_model_speed.json.

    .venv/bin/python benchmarks/bench_model_speed.py [--model models/stickgen-small] [--repeats 7] [--threads 2]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import median_ms  # noqa: E402

RESULTS = Path(__file__).parent / "results"
PROMPTS = ("a person waves", "a man walks forward, then sits down", "A boy hops three times.",
           "She backs away from the barking dog.", "two friends walk toward each other and hug")
STAGES = ("whole call", "story", "window sampler", "world stage")


def stage_times(pipe, prompt: str, repeats: int) -> dict[str, float]:
    """Median ms of the whole call and of each stage for one prompt (seed 0, the model's sampling)."""
    import torch

    sampling = pipe.resolve_sampling()
    plan = pipe.plan(prompt, 10.0)
    clip = pipe.sample_clips([plan], torch.Generator().manual_seed(0), sampling)[0]
    calls = {
        "whole call": lambda: pipe(prompt, duration=10.0, seed=0),
        "story": lambda: pipe.plan(prompt, 10.0),
        "window sampler": lambda: pipe.sample_clips([plan], torch.Generator().manual_seed(0), sampling),
        "world stage": lambda: pipe.to_scene(plan, prompt, clip, 0, sampling),
    }
    out = {}
    for stage, call in calls.items():
        call()  # warm-up
        out[stage] = round(median_ms(call, repeats), 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="models/stickgen-small")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_model_speed.json")
    args = parser.parse_args(argv)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import torch

    from stickgen.onnx_export import cached_onnx
    from stickgen.pipeline import StickGenPipeline

    torch.set_num_threads(args.threads)
    pipes = {"pytorch": StickGenPipeline.from_pretrained(args.model)}
    pipes["onnx"] = StickGenPipeline.from_pretrained(args.model, backend="onnx", onnx_folder=cached_onnx(args.model),
                                                     text_encoder=pipes["pytorch"].text_encoder)
    for pipe in pipes.values():
        pipe.set_progress_bar_config(disable=True)
    results = {backend: {prompt: stage_times(pipe, prompt, args.repeats) for prompt in PROMPTS}
               for backend, pipe in pipes.items()}
    print(f"{'prompt':45} {'backend':8} " + " ".join(f"{s:>15}" for s in STAGES) + "   (median ms)")
    for prompt in PROMPTS:
        for backend in pipes:
            print(f"{prompt[:45]:45} {backend:8} " + " ".join(f"{results[backend][prompt][s]:15.1f}" for s in STAGES))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "model": args.model, "threads": args.threads, "repeats": args.repeats, "duration_s": 10.0,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average": os.getloadavg()},
        "results": results}, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
