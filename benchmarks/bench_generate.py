"""Stage-by-stage generation speed of random-initialised small/medium/large pipelines (10 s clip, batch 1),
with the control input the shipped planner has.

Each preset runs in its own process (so peak memory is per preset) with torch and onnxruntime limited to
``--threads`` (default 2) threads. Stages: text encoding (cache cleared), planner (one 250-frame window),
refiner with 1/4/10/20 DDIM steps (with guidance: two model calls per step), post-processing (decode,
place, rigid/ground/foot-lock), and the whole text-to-Scene call with the sampling settings of
``--sampling-from`` (default: the shipped models/stickgen-small's ``model_index.json``), for PyTorch and
ONNX. Median and minimum of ``--repeats`` runs (the minimum is the better guide on a shared machine). Prints a
table and writes benchmarks/results/bench_generate.json.

    .venv/bin/python benchmarks/bench_generate.py [--presets small medium large] [--repeats 10]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
STEPS = (1, 4, 10, 20)
SHIPPED = Path(__file__).resolve().parent.parent / "models" / "stickgen-small"


def timing_ms(fn, repeats: int) -> dict[str, float]:
    """Median and minimum wall time, and median process CPU time, of ``fn`` in ms (after one warm-up run).

    With one thread the CPU time is what the call costs on an idle core, whatever else shares the machine.
    """
    fn()
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {"median": 1000 * statistics.median(wall), "min": 1000 * min(wall), "cpu": 1000 * statistics.median(cpu)}


def run_preset(preset: str, repeats: int, threads: int, sampling: dict) -> dict:
    """Measure one preset in this process (called in a child process by main); ``sampling``: the keyword
    arguments (``num_inference_steps``, ``guidance_scale``, ...) of the whole call."""
    import numpy as np
    import torch

    torch.set_num_threads(threads)
    from stickgen import features
    from stickgen.backends import OnnxPlanner, OnnxRefiner
    from stickgen.conditioning import plan_from_actions
    from stickgen.control import CONTROL_DIM, normalize
    from stickgen.denoising import denoise
    from stickgen.onnx_export import export_pipeline
    from stickgen.physics import postprocess
    from stickgen.pipeline import StickGenPipeline
    from stickgen.placement import place_actor

    folder = Path(tempfile.mkdtemp(prefix=f"bench-{preset}-"))
    pipe = StickGenPipeline.from_preset(preset, planner_overrides={"control_dim": CONTROL_DIM})  # as shipped
    pipe.save_pretrained(folder)
    validation = export_pipeline(folder)
    onnx_pipe = StickGenPipeline.from_pretrained(folder, backend="onnx", text_encoder=pipe.text_encoder)
    prompt = "a man walks forward and then waves"
    plan = plan_from_actions([("walk", 5.0), ("wave", 5.0)], prompt, fps=25)
    try:  # the whole call starts from text when the story engine is installed, else from the plan
        import stickgen.story  # noqa: F401
        request = prompt
    except ImportError:
        request = plan
    counter = iter(range(10**9))
    out: dict = {"preset": preset, "onnx_validation": validation, "whole_call_input": type(request).__name__,
                 "whole_call_sampling": sampling,
                 "parameters": {"planner": sum(p.numel() for p in pipe.planner.parameters()),
                                "refiner": sum(p.numel() for p in pipe.refiner.parameters())}}
    out["parameters"]["total"] = out["parameters"]["planner"] + out["parameters"]["refiner"]

    text = torch.as_tensor(pipe.text_encoder.encode([plan.actors[0].text]))
    inputs = dict(text_embeds=text, action_ids=torch.as_tensor(plan.actors[0].action_ids[None]),
                  attention_mask=torch.ones(1, 250, dtype=torch.bool), camera_ids=torch.zeros(1, dtype=torch.long),
                  known_features=torch.zeros(1, 250, 137), known_mask=torch.zeros(1, 250),
                  partner_joints=torch.zeros(1, 250, 66), has_partner=torch.zeros(1))
    values, mask = normalize(plan.actors[0].control if plan.actors[0].control is not None
                             else np.full((250, CONTROL_DIM), np.nan))
    inputs.update(control=torch.as_tensor(values[None]), control_mask=torch.as_tensor(mask[None]))
    runners = {"pytorch": (lambda x: pipe.planner(**x).pose, lambda *a: pipe.refiner(*a).sample, pipe),
               "onnx": (OnnxPlanner(folder / "onnx" / "planner.onnx"),
                        OnnxRefiner(folder / "onnx" / "refiner.onnx"), onnx_pipe)}
    with torch.inference_mode():
        pose = pipe.planner(**inputs).pose
        contacts = pose[0, :, features.CONTACTS].numpy() > 0.5
        post_ms = timing_ms(lambda: postprocess(place_actor(features.decode(pose[0].numpy(), 25), plan.actors[0]),
                                                25, contacts), repeats)
        for backend, (plan_fn, denoise_fn, whole) in runners.items():
            stages = {"text_encoding": timing_ms(lambda: pipe.text_encoder.encode(f"a man walks {next(counter)}"),
                                                 repeats),
                      "planner": timing_ms(lambda: plan_fn(inputs), repeats)}
            for steps in STEPS:
                stages[f"refiner_{steps}_steps"] = timing_ms(
                    lambda: denoise(denoise_fn, pipe.scheduler, pose, text, steps, 2.5,
                                    torch.Generator().manual_seed(0), action_ids=inputs["action_ids"]),
                    repeats)
            stages["postprocess"] = post_ms

            def whole_call():
                whole.text_encoder.clear_cache()
                whole(request, duration=10.0, seed=0, **sampling)
            stages[f"text_to_scene_{sampling['num_inference_steps']}_steps"] = timing_ms(whole_call, repeats)
            out[backend] = stages
    out["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=["small", "medium", "large"])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sampling-from", type=Path, default=SHIPPED,
                        help="pipeline folder whose model_index.json sampling settings the whole call uses")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sampling = json.loads((args.sampling_from / "model_index.json").read_text())["sampling"]
    if args.child:
        print(json.dumps(run_preset(args.child, args.repeats, args.threads, sampling)))
        return 0
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": str(args.threads)}
    results = []
    print(f"load average before: {os.getloadavg()} (other work on these cores inflates every figure)")
    for preset in args.presets:
        child = subprocess.run([sys.executable, __file__, "--child", preset, "--repeats", str(args.repeats),
                                "--threads", str(args.threads), "--sampling-from", str(args.sampling_from)],
                               capture_output=True, text=True, env=env, check=True)
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    stages = [k for k in results[0]["pytorch"]]
    print("median (min) ms per stage")
    print(f"{'preset':8} {'backend':8} " + " ".join(f"{s[:16]:>16}" for s in stages) + f" {'peak MB':>8}")
    for r in results:
        for backend in ("pytorch", "onnx"):
            print(f"{r['preset']:8} {backend:8} "
                  + " ".join(f"{r[backend][s]['median']:8.1f} ({r[backend][s]['min']:5.1f})" for s in stages)
                  + f" {r['peak_memory_mb']:8.0f}")
    print("median process CPU ms per stage")
    for r in results:
        for backend in ("pytorch", "onnx"):
            print(f"{r['preset']:8} {backend:8} " + " ".join(f"{r[backend][s]['cpu']:16.1f}" for s in stages))
    for r in results:
        v = r["onnx_validation"]
        print(f"{r['preset']}: {r['parameters']['total']:,} parameters (planner {r['parameters']['planner']:,}, "
              f"refiner {r['parameters']['refiner']:,}); ONNX max abs diff planner {v['planner_max_abs_diff']:.2e}, "
              f"refiner {v['refiner_max_abs_diff']:.2e}")
    path = RESULTS / f"bench_generate_{args.threads}thread{'s' if args.threads > 1 else ''}.json"
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                                               "threads": args.threads, "python": platform.python_version(),
                                               "load_average_1_5_15": os.getloadavg()},
                                   "unit": "ms, median and min", "clip": "10 s, 250 frames, batch 1",
                                   "results": results},
                                  indent=2) + "\n")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
