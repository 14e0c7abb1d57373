"""Does the motion do what the words ask? A kinematic control suite, judged on the joints, not by the evaluator.

Hand-written prompts (benchmarks/control/prompts.json, and the held-out quarter heldout.json that no tuning
may look at) ask for a direction (walk backward, step sideways), a turn or spin, a raised hand, a number
of jumps or claps, a jump height or speed relative to other prompts, a path (circle, there and back),
skating-free feet at each speed, or one plain action. Each item names a predicate of
``stickgen.eval.control_checks`` that reads the generated actor's world joints; ordering groups (height,
speed) pass on a seed when their prompts measure in the listed order. Every item runs on seeds
0..``--seeds``-1; prompts of the same duration go through the pipeline as one batch per seed (in chunks of
``--batch``), so a prompt's sample depends on the batch it is in (the same selection gives the same
numbers). Prints the pass rate per category, main set and held-out set apart, and writes
benchmarks/results/bench_control.json (``--out``) with per-item pass counts and measured values.

    .venv/bin/python benchmarks/bench_control.py --model models/stickgen-small [--seeds 5] [--limit 6]
        [--categories turn,spin] [--main-only | --heldout-only] [--out path.json]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

RESULTS = Path(__file__).parent / "results"
CONTROL = Path(__file__).parent / "control"
SETS = {"main": "prompts.json", "heldout": "heldout.json"}
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stickgen.eval import control_checks  # noqa: E402
from stickgen.sampling import SamplingSettings  # noqa: E402


def load_items(folder: Path = CONTROL, sets: tuple[str, ...] = tuple(SETS)) -> list[dict[str, Any]]:
    """The items of the named sets ("main", "heldout"), each with ``set``, ``duration`` (the file's default
    if absent) and ``params`` filled in; a ValueError names an unknown category or a malformed item."""
    items = []
    for name in sets:
        doc = json.loads((Path(folder) / SETS[name]).read_text())
        for index, raw in enumerate(doc["items"]):
            item = {"set": name, "duration": float(doc.get("default_duration", 6.0)), "params": {}, **raw}
            category = item.get("category")
            if category not in control_checks.CATEGORIES:
                raise ValueError(f"{SETS[name]} item {index}: unknown category {category!r}")
            grouped = category in control_checks.ORDERING_CATEGORIES
            if grouped != ("prompts" in item) or grouped == ("prompt" in item):
                raise ValueError(f"{SETS[name]} item {index}: {category!r} needs "
                                 f"{'prompts (a list)' if grouped else 'prompt (a string)'}")
            items.append(item)
    return items


def item_prompts(item: dict[str, Any]) -> list[str]:
    return list(item["prompts"]) if "prompts" in item else [item["prompt"]]


def select(items: list[dict[str, Any]], categories: list[str] | None = None,
           limit: int | None = None) -> list[dict[str, Any]]:
    """Items of ``categories`` (all if None); with ``limit``, at most that many, taken in turn from each
    (set, category) so a short run still touches every category."""
    if categories:
        unknown = set(categories) - set(control_checks.CATEGORIES)
        if unknown:
            raise ValueError(f"unknown categories {sorted(unknown)}; known: {list(control_checks.CATEGORIES)}")
        items = [item for item in items if item["category"] in categories]
    if limit is None or limit >= len(items):
        return items
    queues: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in items:
        queues.setdefault((item["set"], item["category"]), []).append(item)
    picked: list[dict[str, Any]] = []
    while len(picked) < limit:
        for queue in queues.values():
            if queue and len(picked) < limit:
                picked.append(queue.pop(0))
    return picked


def generate(pipe, items: list[dict[str, Any]], seed: int, batch: int,
             sampling: dict[str, Any]) -> dict[tuple[str, float], tuple[np.ndarray, float]]:
    """``{(prompt, duration): (actor 0's joints [T, 22, 3], fps)}`` for every prompt of ``items`` on ``seed``,
    prompts of one duration generated together ``batch`` at a time."""
    by_duration: dict[float, list[str]] = {}
    for item in items:
        for prompt in item_prompts(item):
            wanted = by_duration.setdefault(item["duration"], [])
            if prompt not in wanted:
                wanted.append(prompt)
    clips = {}
    for duration, prompts in sorted(by_duration.items()):
        for start in range(0, len(prompts), batch):
            chunk = prompts[start:start + batch]
            scenes = pipe(chunk, duration=duration, seed=seed, **sampling).scenes
            for prompt, scene in zip(chunk, scenes):
                clips[(prompt, duration)] = (np.asarray(scene.actors[0].joints, dtype=np.float64), float(scene.fps))
    return clips


def judge(item: dict[str, Any], clips: dict[tuple[str, float], tuple[np.ndarray, float]]) -> tuple[bool, dict]:
    """One item on one seed's clips: ``(passed, measured)``."""
    pairs = [clips[(prompt, item["duration"])] for prompt in item_prompts(item)]
    if item["category"] in control_checks.ORDERING_CATEGORIES:
        return control_checks.check_ordering([joints for joints, _ in pairs], pairs[0][1],
                                             control_checks.ORDERING_CATEGORIES[item["category"]])
    joints, fps = pairs[0]
    return control_checks.CHECKS[item["category"]](joints, fps, **item["params"])


def run(pipe, items: list[dict[str, Any]], seeds: int, batch: int = 32,
        sampling: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every item on seeds 0..``seeds``-1: the items with ``passed`` (count), ``trials`` and per-seed
    ``measured`` (each with its ``seed`` and ``passed``) added."""
    results = [{**item, "passed": 0, "trials": 0, "measured": []} for item in items]
    for seed in range(seeds):
        clips = generate(pipe, items, seed, batch, sampling or {})
        for result in results:
            passed, measured = judge(result, clips)
            result["passed"] += int(passed)
            result["trials"] += 1
            result["measured"].append({"seed": seed, "passed": bool(passed), **measured})
    for result in results:
        result["rate"] = result["passed"] / max(result["trials"], 1)
    return results


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Per set: per category ``{items, trials, passed, rate}``, the pooled ``overall`` rate (all item-seed
    trials) and ``category_mean`` (mean of the category rates)."""
    summary: dict[str, Any] = {}
    for name in SETS:
        rows = [r for r in results if r["set"] == name]
        if not rows:
            continue
        categories = {}
        for category in control_checks.CATEGORIES:
            mine = [r for r in rows if r["category"] == category]
            if mine:
                passed, trials = sum(r["passed"] for r in mine), sum(r["trials"] for r in mine)
                categories[category] = {"items": len(mine), "trials": trials, "passed": passed,
                                        "rate": passed / max(trials, 1)}
        passed, trials = sum(r["passed"] for r in rows), sum(r["trials"] for r in rows)
        summary[name] = {"categories": categories, "items": len(rows), "trials": trials, "passed": passed,
                         "overall": passed / max(trials, 1),
                         "category_mean": float(np.mean([c["rate"] for c in categories.values()]))}
    return summary


def print_table(summary: dict[str, Any]) -> None:
    names = [n for n in SETS if n in summary]
    print(f"{'category':<10}" + "".join(f"{n + ' items':>15}{n + ' pass':>14}" for n in names))
    for category in control_checks.CATEGORIES:
        cells = []
        for name in names:
            entry = summary[name]["categories"].get(category)
            cells.append(f"{entry['items']:>15}{entry['rate']:>14.2f}" if entry else f"{'-':>15}{'-':>14}")
        if any(category in summary[n]["categories"] for n in names):
            print(f"{category:<10}" + "".join(cells))
    print(f"{'overall':<10}" + "".join(f"{summary[n]['items']:>15}{summary[n]['overall']:>14.2f}" for n in names))
    print(f"{'cat. mean':<10}" + "".join(f"{'':>15}{summary[n]['category_mean']:>14.2f}" for n in names))


def main(argv: list[str] | None = None, pipe=None) -> int:
    """Run the benchmark; ``pipe`` replaces the pipeline ``--model`` would load (tests pass a stub)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="models/stickgen-small")
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 per item (default 5)")
    parser.add_argument("--categories", help=f"comma-separated subset of {','.join(control_checks.CATEGORIES)}")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--main-only", action="store_true", help="skip the held-out set")
    which.add_argument("--heldout-only", action="store_true", help="only the held-out set")
    parser.add_argument("--limit", type=int, help="at most N items, taken in turn from each category (quick runs)")
    parser.add_argument("--batch", type=int, default=32, help="prompts per pipeline call")
    parser.add_argument("--prompts-dir", type=Path, default=CONTROL, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_control.json")
    parser.add_argument("--report", type=Path, help="also write the pass-rate table as REPORT/control.md "
                                                    "(e.g. reports/small, beside stickgen.eval's report)")
    SamplingSettings.add_arguments(parser)  # the pipeline's sampling settings (default: the model's recommendation)
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.batch < 1:
        parser.error("--seeds and --batch must be >= 1")

    started = time.perf_counter()
    sets = ("main",) if args.main_only else ("heldout",) if args.heldout_only else tuple(SETS)
    categories = [c.strip() for c in args.categories.split(",") if c.strip()] if args.categories else None
    items = select(load_items(args.prompts_dir, sets), categories, args.limit)
    if pipe is None:
        from stickgen.pipeline import StickGenPipeline

        pipe = StickGenPipeline.from_pretrained(args.model)
    sampling = {k: v for k, v in SamplingSettings.from_arguments(args).items() if v is not None}
    resolved = pipe.resolve_sampling(**sampling).to_dict() if hasattr(pipe, "resolve_sampling") else sampling
    results = run(pipe, items, args.seeds, args.batch, sampling)
    summary = summarise(results)
    print_table(summary)
    doc = {"model": args.model, "seeds": args.seeds, "sets": list(sets), "categories": categories, "limit": args.limit,
           "sampling": resolved, "summary": summary, "items": results,
           "wall_s": round(time.perf_counter() - started, 1)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1) + "\n")
    if args.report is not None:
        from stickgen.eval.report_files import control_section

        args.report.mkdir(parents=True, exist_ok=True)
        (args.report / "control.md").write_text("\n".join(["# Stick-Gen control suite", "",
                                                           *control_section(doc)[2:]]))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
