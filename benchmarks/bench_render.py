"""Renderer speed: a 10 s, 250-frame scene at 512x512, one actor and five actors, every style.

    python benchmarks/bench_render.py [--repeat 5] [--web]

Reports, per case, draw ms/frame (frames only; wall and CPU), MP4 encode seconds (from drawn frames),
end-to-end MP4 seconds (``render(scene, "x.mp4")``, drawing and encoding together; wall and CPU of all
threads), and end-to-end GIF seconds for the normal style; ``--web`` adds the browser player's draw
time per frame in headless Chromium. Medians of ``--repeat`` runs. Prints a table and writes
``benchmarks/results/render.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from stickgen import vocab
from stickgen.motion import Motion, Scene
from stickgen.render import render, render_frames
from stickgen.render.outputs import write_mp4

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "render.json"
SIZE = (512, 512)


def scenes() -> dict[str, Scene]:
    wave = Scene.load(ROOT / "examples" / "wave.motion")
    joints = wave.actors[0].joints
    crowd = [Motion(np.roll(joints, 37 * k, axis=0) + np.array([1.1 * (k - 2), 0.0, -0.8 * abs(k - 2)]),
                    id=f"a{k}", expressions=wave.actors[0].expressions, speech=wave.actors[0].speech)
             for k in range(5)]
    return {"1 actor": wave, "5 actors": Scene(crowd, fps=wave.fps)}


def median_of(repeat: int, run) -> tuple[float, float]:
    """Median wall-clock seconds and median CPU seconds (this process, all threads) over ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def web_frame_ms(scene: Scene) -> float:
    from playwright.sync_api import sync_playwright

    from stickgen.render.web import launch_chromium, player_html

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 512, "height": 560})
        page.set_content(player_html(scene))
        page.wait_for_timeout(3000)
        mean = page.evaluate("stickgenPlayer.stats.meanMs")
        browser.close()
    return mean


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--web", action="store_true", help="also time the browser player (needs chromium)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, scene in scenes().items():
            for style in vocab.RENDER_STYLES:
                frames: list = []
                draw, draw_cpu = median_of(args.repeat, lambda: frames.__setitem__(
                    slice(None), render_frames(scene, style, SIZE)))
                encode, _ = median_of(args.repeat, lambda: write_mp4(iter(frames), Path(tmp) / "e.mp4", scene.fps))
                mp4, mp4_cpu = median_of(args.repeat,
                                         lambda: render(scene, Path(tmp) / "x.mp4", style=style, size=SIZE))
                gif = (median_of(args.repeat, lambda: render(scene, Path(tmp) / "x.gif", style=style, size=SIZE))[0]
                       if style == "normal" else None)
                row = {"scene": name, "style": style, "frames": scene.num_frames,
                       "draw_ms_per_frame": 1000 * draw / scene.num_frames,
                       "draw_cpu_ms_per_frame": 1000 * draw_cpu / scene.num_frames, "mp4_encode_s": encode,
                       "mp4_total_s": mp4, "mp4_total_cpu_s": mp4_cpu, "gif_total_s": gif,
                       "mp4_bytes": os.path.getsize(Path(tmp) / "x.mp4")}
                if gif is not None:
                    row["gif_bytes"] = os.path.getsize(Path(tmp) / "x.gif")
                if args.web and style == "normal":
                    row["web_draw_ms_per_frame"] = web_frame_ms(scene)
                rows.append(row)
                print(f"{name:9s} {style:7s} draw {row['draw_ms_per_frame']:5.2f} ms/frame  encode "
                      f"{encode:5.2f} s  mp4 {mp4:5.2f} s" + (f"  gif {gif:5.2f} s" if gif else ""), flush=True)
    info = {"machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "size": list(SIZE), "repeat": args.repeat, "load_average": os.getloadavg(),
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"info": info, "rows": rows}, indent=2) + "\n")
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall times suffer; CPU times less)")
    print("| scene | style | draw ms/frame | draw CPU ms/frame | MP4 encode s | MP4 total s | MP4 total CPU s "
          "| GIF total s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        gif = f"{r['gif_total_s']:.2f}" if r["gif_total_s"] is not None else ""
        print(f"| {r['scene']} | {r['style']} | {r['draw_ms_per_frame']:.2f} | {r['draw_cpu_ms_per_frame']:.2f} | "
              f"{r['mp4_encode_s']:.2f} | {r['mp4_total_s']:.2f} | {r['mp4_total_cpu_s']:.2f} | {gif} |")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
