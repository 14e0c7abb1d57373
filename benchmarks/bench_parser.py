"""How well does the rule-based story parser read the dataset's own descriptions?

For ``--rows`` random rows of a split (default validation), every description is parsed with
``plan_from_prompt(text, duration=frames / fps, fps)`` and the first actor's per-frame action ids are
compared with the row's ``action_ids``:

- sequence match: the runs of equal ids (the action sequence, lengths ignored) are the same;
- frame agreement: share of frames with the same id.

Prints a table (overall, by number of actions in the row), the most common failure patterns
(expected sequence -> parsed sequence, with one example text), and writes
``benchmarks/results/bench_parser.json``.

    .venv/bin/python benchmarks/bench_parser.py [--split validation] [--rows 500] [--seed 0]
"""
from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"
DATASET = Path(__file__).resolve().parents[1] / "data" / "dataset"
FAILURES_SHOWN = 20


def runs(action_ids) -> tuple[str, ...]:
    """Action names of the runs of equal ids ``[T]``: ``[1, 1, 2, 2, 1]`` -> ``("walk", "run", "walk")``."""
    from stickgen import vocab

    ids = np.asarray(action_ids)
    if ids.size == 0:
        return ()
    starts = np.concatenate([[0], np.flatnonzero(np.diff(ids)) + 1])
    return tuple(vocab.ACTION_NAMES[int(ids[s])] for s in starts)


def without_lead_in(action_ids: np.ndarray, fps: float) -> np.ndarray:
    """``action_ids [T]`` with the standing lead-in the story puts before an opening sit, kneel or lie-down
    (``timeline_tables.LEAD_IN_SECONDS``, staging rather than reading) given to that action, as the data labels it."""
    from stickgen import vocab
    from stickgen.story import timeline_tables

    lead = int(round(timeline_tables.LEAD_IN_SECONDS * fps))
    if len(action_ids) > lead and (action_ids[:lead] == vocab.action_id("idle")).all() and \
            vocab.ACTIONS[action_ids[lead]].name in timeline_tables.LEAD_IN_ACTIONS:
        action_ids = action_ids.copy()
        action_ids[:lead] = action_ids[lead]
    return action_ids


def score_text(text: str, action_ids, fps: float) -> tuple[bool, float, tuple[str, ...]]:
    """(sequence match, frame agreement, parsed sequence) of one description against ``action_ids [T]``."""
    from stickgen.story import plan_from_prompt

    expected = np.asarray(action_ids)
    plan = plan_from_prompt(text, duration=len(expected) / fps, fps=fps)
    parsed = without_lead_in(np.asarray(plan.actors[0].action_ids)[:len(expected)], fps)
    if len(parsed) < len(expected):
        parsed = np.concatenate([parsed, np.full(len(expected) - len(parsed), parsed[-1])])
    return runs(parsed) == runs(expected), float(np.mean(parsed == expected)), runs(parsed)


def evaluate(split: str, rows: int, seed: int, dataset: Path = DATASET) -> dict:
    """Scores over ``rows`` random rows of ``split`` (every description of each row)."""
    import datasets

    if not 0 < rows:
        raise ValueError(f"--rows must be positive, got {rows}")
    data = datasets.load_from_disk(str(dataset))[split].select_columns(["texts", "action_ids", "fps"])
    picks = np.random.default_rng(seed).permutation(len(data))[:rows]
    matches, agreements = [], []
    by_length: dict[int, list[bool]] = defaultdict(list)
    failures: Counter = Counter()
    examples: dict[tuple, str] = {}
    for row in data.select(sorted(picks.tolist())):
        expected = runs(row["action_ids"])
        for text in row["texts"]:
            match, agreement, parsed = score_text(text, row["action_ids"], row["fps"])
            matches.append(match)
            agreements.append(agreement)
            by_length[len(expected)].append(match)
            if not match:
                pattern = (" > ".join(expected), " > ".join(parsed))
                failures[pattern] += 1
                examples.setdefault(pattern, text)
    return {
        "split": split, "rows": len(picks), "seed": seed, "descriptions": len(matches),
        "sequence_match": float(np.mean(matches)), "frame_agreement": float(np.mean(agreements)),
        "by_actions": {str(k): {"descriptions": len(v), "sequence_match": float(np.mean(v))}
                       for k, v in sorted(by_length.items())},
        "failures": [{"expected": e, "parsed": p, "count": n, "example": examples[(e, p)]}
                     for (e, p), n in failures.most_common(FAILURES_SHOWN)],
    }


def print_report(result: dict) -> None:
    print(f"split {result['split']}: {result['rows']} rows, {result['descriptions']} descriptions "
          f"(seed {result['seed']}, {result['seconds']:.1f} s)")
    print(f"{'actions':>8} {'descriptions':>13} {'sequence match':>15}")
    for k, v in result["by_actions"].items():
        print(f"{k:>8} {v['descriptions']:>13} {v['sequence_match']:>15.3f}")
    print(f"{'all':>8} {result['descriptions']:>13} {result['sequence_match']:>15.3f}"
          f"   frame agreement {result['frame_agreement']:.3f}")
    print(f"\n{FAILURES_SHOWN} most common failures (count: expected -> parsed | example):")
    for f in result["failures"]:
        print(f"{f['count']:>4}: {f['expected']}  ->  {f['parsed']}  | {f['example']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="validation", choices=("train", "validation", "test"))
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_parser.json")
    args = parser.parse_args()
    began = time.perf_counter()
    result = evaluate(args.split, args.rows, args.seed)
    result["seconds"] = time.perf_counter() - began
    print_report(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
