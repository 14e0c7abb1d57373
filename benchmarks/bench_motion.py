"""Save/load speed and file size of .motion files.

Usage: python benchmarks/bench_motion.py [--repeats N]
Prints a table and writes benchmarks/results/bench_motion.json. Targets: a 10 s single-actor file loads in
under 20 ms and is under 400 KB on disk.
"""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
from timing import median_ms

from stickgen import skeleton as sk
from stickgen.motion import Motion, Scene, Segment

RESULTS = Path(__file__).parent / "results" / "bench_motion.json"


def make_scene(actors: int, frames: int = 250, seed: int = 0) -> Scene:
    """A scene of ``actors`` swaying figures, ``frames`` long, with action and expression tracks."""
    rng = np.random.default_rng(seed)
    t = np.arange(frames)[:, None, None] / 25.0
    motions = []
    for i in range(actors):
        joints = sk.rest_pose(rng.uniform(1.5, 1.9))[None] + 0.05 * np.sin(2 * np.pi * 0.7 * t
                                                                           + rng.uniform(0, 6, (1, 22, 3)))
        joints = joints + np.array([1.5 * i, 0.0, 0.0])
        motions.append(Motion(sk.make_rigid(joints), id=f"a{i}", name=f"Actor {i}",
                              actions=[Segment(0, frames // 2, "walk"), Segment(frames // 2, frames, "wave")],
                              expressions=[Segment(0, frames, "happy")]))
    return Scene(motions, meta={"prompt": "benchmark", "seed": seed})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    Scene.from_dict(make_scene(1, 2).to_dict())  # warm the schema validator
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for actors in (1, 5):
            scene = make_scene(actors)
            path = Path(tmp) / f"scene{actors}.motion"
            save_ms = median_ms(lambda: scene.save(path, decimals=4), args.repeats)
            load_ms = median_ms(lambda: Scene.load(path), args.repeats)
            rows.append({"actors": actors, "frames": scene.num_frames, "save_ms": round(save_ms, 2),
                         "load_ms": round(load_ms, 2), "size_kb": round(path.stat().st_size / 1024, 1)})
    print(f"{'actors':>6} {'frames':>6} {'save ms':>8} {'load ms':>8} {'size KB':>8}")
    for r in rows:
        print(f"{r['actors']:>6} {r['frames']:>6} {r['save_ms']:>8} {r['load_ms']:>8} {r['size_kb']:>8}")
    single = rows[0]
    print(f"targets: single-actor load < 20 ms ({'met' if single['load_ms'] < 20 else 'MISSED'}), "
          f"size < 400 KB ({'met' if single['size_kb'] < 400 else 'MISSED'})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"repeats": args.repeats, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
