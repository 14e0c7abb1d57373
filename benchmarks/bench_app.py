"""App speed: cold start, prompt -> MP4 for a 10 s clip, and latency under 4 concurrent gradio_client users.

Usage: python benchmarks/bench_app.py [--model PATH] [--users 4] [--requests 3] [--duration 10] [--runs 3]
Without a trained model (models/stickgen-small) it times a random-initialised pipeline of the same size,
which costs the same to run. Prints a table and writes benchmarks/results/bench_app.json.
Targets (issue #8): cold start under 15 s, prompt -> MP4 (10 s clip) under 3 s on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = Path(__file__).parent / "results" / "bench_app.json"
PROMPT = "two friends walk toward each other and shake hands"


def model_folder(requested: str | None) -> tuple[str, bool]:
    """(folder, made here): the requested/default model, else a random small pipeline in a temp folder."""
    from stickgen.generate_cli import default_model, shared_text_encoder

    folder = requested or default_model()
    if (Path(folder) / "model_index.json").exists():
        return folder, False
    from stickgen.pipeline import StickGenPipeline
    from stickgen.text import MINILM

    target = Path(tempfile.mkdtemp(prefix="bench-app-")) / "stickgen-small-random"
    StickGenPipeline.from_preset("small", shared_text_encoder(MINILM), seed=0).save_pretrained(target)
    return str(target), True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cold_start(model: str) -> dict:
    """Seconds from ``python app.py`` to the page answering, and to the first finished request."""
    from gradio_client import Client

    port = free_port()
    env = {**os.environ, "STICKGEN_MODEL": model, "GRADIO_SERVER_PORT": str(port)}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/"
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if process.poll() is not None or time.perf_counter() - started > 120:
                    raise RuntimeError("the app did not start") from None
                time.sleep(0.1)
        client = Client(url, verbose=False)
        up = time.perf_counter() - started
        client.predict(PROMPT, 10, 0, model, "normal", "from the script", "none", api_name="/generate")
        return {"server_up_s": up, "first_result_s": time.perf_counter() - started}
    finally:
        process.terminate()
        process.wait(timeout=30)


def prompt_to_mp4(model: str, runs: int, duration: float) -> dict:
    """Warm, in-process: parse + generate + render a 512x512 MP4 (median of ``runs``), by stage."""
    from stickgen.generate_cli import generate, load_pipeline, make_script, write_output

    pipe = load_pipeline(model)
    out = Path(tempfile.mkdtemp(prefix="bench-app-")) / "clip.mp4"
    stages = {"parse_s": [], "generate_s": [], "render_mp4_s": [], "total_s": []}
    for k in range(runs + 1):  # the first run warms caches and is not counted
        t0 = time.perf_counter()
        script = make_script(PROMPT, duration, text_encoder=pipe.text_encoder)
        t1 = time.perf_counter()
        scene = generate(pipe, script, seed=k)
        t2 = time.perf_counter()
        write_output(out, scene, script)
        t3 = time.perf_counter()
        if k:
            for key, value in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t3 - t0)):
                stages[key].append(value)
    return {key: float(np.median(values)) for key, values in stages.items()}


def concurrent_latency(model: str, users: int, requests: int, duration: float) -> dict:
    """p50/p95 seconds per /generate call with ``users`` gradio_client users at once."""
    from gradio_client import Client

    from stickgen.app import OUTPUT_ROOT, build_app

    app = build_app(model)
    OUTPUT_ROOT.mkdir(parents=True, exist_ok=True)
    _, url, _ = app.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True,
                           allowed_paths=[str(OUTPUT_ROOT)])
    latencies: list[float] = []
    lock = threading.Lock()

    def user(index: int) -> None:
        client = Client(url, verbose=False)
        for k in range(requests):
            started = time.perf_counter()
            client.predict(PROMPT, duration, index * 100 + k, model, "normal", "from the script", "none",
                           api_name="/generate")
            with lock:
                latencies.append(time.perf_counter() - started)

    try:
        Client(url, verbose=False).predict(PROMPT, duration, 0, model, "normal", "from the script", "none",
                                           api_name="/generate")  # load the model first
        started = time.perf_counter()
        threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    finally:
        app.close()
    return {"p50_s": float(np.percentile(latencies, 50)), "p95_s": float(np.percentile(latencies, 95)),
            "requests": len(latencies), "wall_s": wall, "requests_per_min": 60 * len(latencies) / wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--requests", type=int, default=3, help="requests per user")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    model, random_init = model_folder(args.model)
    results = {"cold_start": cold_start(model), "prompt_to_mp4": prompt_to_mp4(model, args.runs, args.duration),
               "concurrent": concurrent_latency(model, args.users, args.requests, args.duration)}
    results["setup"] = {"model": model, "random_init_here": random_init, "prompt": PROMPT, "duration_s": args.duration,
                        "users": args.users, "requests_per_user": args.requests, "cpus": os.cpu_count(),
                        "load_average_1min": os.getloadavg()[0], "python": platform.python_version(),
                        "machine": platform.machine()}
    print(f"{'measure':<34}{'seconds':>10}")
    rows = [("cold start: server up", results["cold_start"]["server_up_s"]),
            ("cold start: first result", results["cold_start"]["first_result_s"]),
            *((f"prompt->mp4 {k[:-2]} (median)", v) for k, v in results["prompt_to_mp4"].items()),
            (f"{args.users} users: p50", results["concurrent"]["p50_s"]),
            (f"{args.users} users: p95", results["concurrent"]["p95_s"])]
    for name, value in rows:
        print(f"{name:<34}{value:>10.2f}")
    print(f"(model {'random-initialised small (none found)' if random_init else model}; {os.cpu_count()} CPUs; "
          f"1-min load average {results['setup']['load_average_1min']:.1f})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
