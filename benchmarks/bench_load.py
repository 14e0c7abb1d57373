"""The app under load: N concurrent ``gradio_client`` users against a local launch of the real app.

Starts ``python -m stickgen.app`` on a free loopback port with the shipped model, waits until it
answers, records the server's resident memory, then lets ``--users`` threads each ask ``--requests``
generations of a ``--duration`` s clip (prompts cycle through a fixed list, seeds differ) through the
public ``/generate`` endpoint. Prints latency p50/p95, errors, the server's memory before, at the peak
and after, and the disk its run folders take, and writes benchmarks/results/bench_load.json.

    .venv/bin/python benchmarks/bench_load.py [--users 8] [--requests 3] [--duration 10] [--model PATH]
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results" / "bench_load.json"
ROOT = Path(__file__).resolve().parent.parent
PROMPTS = ["a man walks forward, then waves", "two friends walk toward each other and shake hands",
           "a woman runs in a circle", "a boy jumps three times", "a girl sits down, then stands up"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def resident_mb(pid: int) -> float:
    """Resident memory of process ``pid`` and its children (MB), from /proc."""
    total = 0.0
    for child in [pid, *children(pid)]:
        try:
            status = Path(f"/proc/{child}/status").read_text()
        except OSError:
            continue
        total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")) / 1024
    return total


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def folder_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6 if folder.exists() else 0.0


def start_app(model: str | None, port: int, output_root: Path) -> subprocess.Popen:
    """The app in a child process (its own temp root, so the disk it uses is measurable)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "TMPDIR": str(output_root)}
    command = [sys.executable, "-m", "stickgen.app", "--port", str(port)] + (["--model", model] if model else [])
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 180.0):
    from gradio_client import Client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the app exited: {server.stderr.read().decode()[-2000:]}")
        try:
            return Client(url, verbose=False)
        except Exception:  # not listening yet
            time.sleep(1.0)
    raise TimeoutError(f"the app did not answer at {url} within {timeout:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--requests", type=int, default=3, help="generations per user")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each clip")
    parser.add_argument("--model", default=None, help="model folder (default: the app's default)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    from gradio_client import Client

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryDirectory(prefix="bench-load-") as temp:
        output_root = Path(temp)
        server = start_app(args.model, port, output_root)
        try:
            first = wait_until_up(url, server)
            settings = defaults(first)
            first.predict(PROMPTS[0], 2, 0, *settings, api_name="/generate")  # warm: the model is loaded
            before = resident_mb(server.pid)
            latencies, errors, peak = [], [], [before]
            lock = threading.Lock()

            def user(k: int) -> None:
                client = Client(url, verbose=False)
                for r in range(args.requests):
                    started = time.perf_counter()
                    try:
                        client.predict(PROMPTS[(k + r) % len(PROMPTS)], args.duration, 100 * k + r,
                                       *settings, api_name="/generate")
                        with lock:
                            latencies.append(time.perf_counter() - started)
                    except Exception as exc:  # counted, the run goes on
                        with lock:
                            errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")

            def watch(stop: threading.Event) -> None:
                while not stop.is_set():
                    peak.append(resident_mb(server.pid))
                    stop.wait(0.5)

            stop = threading.Event()
            watcher = threading.Thread(target=watch, args=(stop,))
            watcher.start()
            started = time.perf_counter()
            threads = [threading.Thread(target=user, args=(k,)) for k in range(args.users)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
            stop.set()
            watcher.join()
            time.sleep(2.0)
            after = resident_mb(server.pid)
            disk = folder_mb(output_root)
        finally:
            server.terminate()
            server.wait(timeout=30)
    result = {"users": args.users, "requests_per_user": args.requests, "clip_seconds": args.duration,
              "completed": len(latencies), "errors": len(errors), "error_messages": errors[:5],
              "p50_s": float(np.median(latencies)) if latencies else None,
              "p95_s": float(np.percentile(latencies, 95)) if latencies else None,
              "wall_s": wall, "rss_before_mb": before, "rss_peak_mb": max(peak), "rss_after_mb": after,
              "disk_mb": disk}
    print(f"{'users':>5} {'x req':>5} {'clip s':>6} {'done':>5} {'errors':>6} {'p50 s':>7} {'p95 s':>7} "
          f"{'RSS before':>10} {'peak':>7} {'after':>7} {'disk MB':>8}")
    print(f"{args.users:>5} {args.requests:>5} {args.duration:>6g} {len(latencies):>5} {len(errors):>6} "
          f"{result['p50_s'] or 0:>7.2f} {result['p95_s'] or 0:>7.2f} {before:>10.0f} {max(peak):>7.0f} "
          f"{after:>7.0f} {disk:>8.1f}")
    for message in errors[:5]:
        print("error:", message)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if not errors else 1


def defaults(client) -> tuple:
    """The endpoint's inputs after prompt, duration and seed: the offered default model, the normal
    style, the script's camera, no LLM."""
    info = client.view_api(print_info=False, return_format="dict")
    parameters = info["named_endpoints"]["/generate"]["parameters"]
    model = next(p for p in parameters if p["label"] == "Model")["parameter_default"]
    return model, "normal", "from the script", "none"


if __name__ == "__main__":
    sys.exit(main())
