"""The .motion reader under hostile input: random mutants of examples/wave.motion, then large hostile files.

Usage: python benchmarks/bench_loader_fuzz.py [--mutants N] [--seed S] [--hostile-mb MB]
Prints two tables and writes benchmarks/results/bench_loader_fuzz.json. Targets (issue #27): every mutant
is accepted (and then saves, reloads and yields its per-frame labels) or raises MotionFormatError, none takes more
than a second; each hostile file is refused in time linear in its size, with peak memory a small multiple
of it. Hostile files are written to a temporary folder and each is loaded in a fresh process, so that its
peak RSS is its own (VmHWM from /proc/self/status: after fork and exec, resource.getrusage's ru_maxrss still
counts the parent's memory); "extra" is that peak less the RSS just before loading. Linux only.
Use --hostile-mb 250 to probe near the 256 MiB limit.
"""
from __future__ import annotations

import argparse
import copy
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from stickgen.motion import TRACKS, MotionFormatError, Scene

ROOT = Path(__file__).resolve().parents[1]
WAVE = ROOT / "examples" / "wave.motion"
RESULTS = Path(__file__).parent / "results" / "bench_loader_fuzz.json"

#: marker strings put into a mutant, and the raw JSON text that replaces each after json.dumps
RAW = {"<huge-int>": "9" * 5000, "<long-int>": "-" + "1" * 101, "<overflow>": "1e400", "<nan>": "NaN",
       "<inf>": "-Infinity", "<deep-list>": "[" * 5000 + "]" * 5000, "<deep-object>": '{"a":' * 1500 + "0" + "}" * 1500}
VALUES = [*RAW, None, True, False, 0, 1, -1, 125, 250, 251, 1.5, 125.0, 1e-300, 1e300, 241, 2**63, "", "walk",
          "#1f77b4", [], {}, [0, 0, 0], [True, 0, 0]]
KEYS = ["fps", "num_frames", "start", "end", "frame", "joints", "id", "meta", "text", "x"]

# ----------------------------------------------------------------------------- mutants


def paths(value, path=()):
    """Key/index paths into ``value``; inside joint arrays only the first frame's (they are all alike)."""
    yield path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if path[-1:] == ("joints",) and key > 0:
            break
        yield from paths(item, path + (key,))


def mutant(base: dict, all_paths: list, rng: random.Random) -> str:
    """JSON text of ``base`` after one to three random drops, replacements or additions."""
    doc = copy.deepcopy(base)
    for _ in range(rng.randint(1, 3)):
        path, value = rng.choice(all_paths), copy.deepcopy(rng.choice(VALUES))
        op = rng.choice(["replace", "drop", "add"])
        if not path:
            doc = value if op == "replace" else doc
            continue
        try:
            parent = doc
            for key in path[:-1]:
                parent = parent[key]
            if op == "replace":
                parent[path[-1]] = value
            elif op == "drop":
                del parent[path[-1]]
            elif isinstance(parent[path[-1]], dict):
                parent[path[-1]][rng.choice(KEYS)] = value
            else:
                parent[path[-1]].append(value)
        except (KeyError, IndexError, TypeError, AttributeError):
            pass  # an earlier change removed the path
    text = json.dumps(doc, separators=(",", ":"))
    for token, raw in RAW.items():
        text = text.replace(json.dumps(token), raw)
    return text


def load_and_use(text: str) -> None:
    """Load, then what a renderer would do, then save and reload (raises whatever goes wrong)."""
    scene = Scene.from_json(text)
    for actor in scene.actors:
        for track in TRACKS:
            actor.frame_labels(track)
    assert scene.duration > 0 and isinstance(scene.camera_keyframes, list)
    Scene.from_json(scene.to_json())


def run_mutants(count: int, seed: int) -> dict:
    base = json.loads(WAVE.read_text())
    all_paths = list(paths(base))
    rng = random.Random(seed)
    outcomes, others, worst = Counter(), Counter(), 0.0
    for _ in range(count):
        text = mutant(base, all_paths, rng)
        start = time.perf_counter()
        try:
            load_and_use(text)
            outcomes["accepted"] += 1
        except MotionFormatError:
            outcomes["MotionFormatError"] += 1
        except Exception as exc:  # the count this benchmark exists to keep at zero
            outcomes["other exceptions"] += 1
            others[type(exc).__name__] += 1
        worst = max(worst, time.perf_counter() - start)
    return {"mutants": count, "seed": seed, **{k: outcomes[k] for k in ("accepted", "MotionFormatError",
            "other exceptions")}, "other_types": dict(others), "max_seconds_per_file": round(worst, 4)}


# ----------------------------------------------------------------------------- hostile files


def header(num_frames: int = 1) -> dict:
    return {"format": "stickgen.motion", "version": 1, "fps": 25, "num_frames": num_frames,
            "skeleton": {"name": "smpl22"}}


def hostile_files(folder: Path, size: int) -> dict[str, Path]:
    """Files of about ``size`` bytes: refused ones (nesting, density, counts, /dev/zero) and one valid."""
    frame = json.loads(WAVE.read_text())["actors"][0]["joints"][0]
    one_frame = json.dumps({**header(), "actors": [{"id": "a0", "joints": [frame], "actions": ["<items>"]}]})
    segment, keyframe = '{"start":0,"end":1,"action":"walk"},', '{"frame":0,"position":[0,1,6],"target":[0,1,0]},'
    keyframes = json.dumps({**header(), "actors": [{"id": "a0", "joints": [frame]}],
                            "camera": {"keyframes": ["<items>"]}})
    texts = {
        "nested empty lists": "[" * (size // 2) + "]" * (size // 2),
        "flat empty lists": "[" + "[]," * (size // 3) + "[]]",
        "segments": one_frame.replace('"<items>"', segment * (size // len(segment)) + segment[:-1]),
        "camera keyframes": keyframes.replace('"<items>"', keyframe * (size // len(keyframe)) + keyframe[:-1]),
    }
    wave = json.loads(WAVE.read_text())
    repeats = max(size // WAVE.stat().st_size, 1)
    wave["actors"][0]["joints"] *= repeats
    wave["num_frames"] *= repeats
    texts["valid, long clip"] = json.dumps(wave, separators=(",", ":"))
    files = {}
    for name, text in texts.items():
        files[name] = folder / (name.replace(" ", "_").replace(",", "") + ".motion")
        files[name].write_text(text)
    files["/dev/zero"] = Path("/dev/zero")
    return files


PROBE = """
import json, re, sys, time
from stickgen.motion import MotionFormatError, Scene
from stickgen.motion_checks import _validator


def status_mb(key):  # this process's memory, not the forking parent's (which getrusage's ru_maxrss includes)
    with open("/proc/self/status") as status:
        return int(re.search(key + r":\\s+(\\d+) kB", status.read()).group(1)) / 1024


_validator()
baseline = status_mb("VmRSS")
start = time.perf_counter()
try:
    Scene.load(sys.argv[1])
    outcome = "accepted"
except MotionFormatError as exc:
    outcome = "refused: " + str(exc)[:60]
except Exception as exc:
    outcome = "CRASH " + type(exc).__name__
seconds = time.perf_counter() - start
peak = status_mb("VmHWM")
print(json.dumps({"outcome": outcome, "seconds": seconds, "peak_rss_mb": peak, "extra_rss_mb": peak - baseline}))
"""


def probe(path: Path) -> dict:
    """Load ``path`` in a fresh interpreter; its outcome, seconds and peak RSS."""
    done = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)
    if done.returncode != 0:
        return {"outcome": f"process died ({done.returncode}): {done.stderr.strip()[-80:]}", "seconds": None,
                "peak_rss_mb": None, "extra_rss_mb": None}
    return json.loads(done.stdout)


def run_hostile(size_mb: float) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in hostile_files(Path(tmp), int(size_mb * 2**20)).items():
            size = path.stat().st_size if path.is_file() else None
            row = {"file": name, "size_mb": None if size is None else round(size / 2**20, 1), **probe(path)}
            read_mb = size / 2**20 if size else 256  # /dev/zero: read up to the limit
            row["extra_rss_per_mb"] = None if row["extra_rss_mb"] is None else round(row["extra_rss_mb"] / read_mb, 1)
            rows.append(row)
    return rows


# ----------------------------------------------------------------------------- report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hostile-mb", type=float, default=16, help="size of each hostile file (limit: 256)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS})")
    args = parser.parse_args()
    Scene.load(WAVE)  # warm the schema validator
    mutants = run_mutants(args.mutants, args.seed)
    print(f"{'mutants':>8} {'accepted':>9} {'MotionFormatError':>18} {'other exc.':>11} {'max s/file':>11}")
    print(f"{mutants['mutants']:>8} {mutants['accepted']:>9} {mutants['MotionFormatError']:>18} "
          f"{mutants['other exceptions']:>11} {mutants['max_seconds_per_file']:>11}")
    if mutants["other_types"]:
        print("other exceptions:", mutants["other_types"])
    hostile = run_hostile(args.hostile_mb)
    print(f"\n{'hostile file':<20} {'MB':>6} {'seconds':>8} {'peak RSS MB':>12} {'extra MB':>9} {'extra/MB':>9}"
          f"  outcome")
    for r in hostile:
        cells = [r["size_mb"] if r["size_mb"] is not None else "-"] + [
            "-" if r[k] is None else round(r[k], 2 if k == "seconds" else 0)
            for k in ("seconds", "peak_rss_mb", "extra_rss_mb")]
        print(f"{r['file']:<20} {cells[0]:>6} {cells[1]:>8} {cells[2]:>12} {cells[3]:>9} "
              f"{r['extra_rss_per_mb'] if r['extra_rss_per_mb'] is not None else '-':>9}  {r['outcome']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"mutants": mutants, "hostile_mb": args.hostile_mb, "hostile": hostile},
                                  indent=2) + "\n")


if __name__ == "__main__":
    main()
