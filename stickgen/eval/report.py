"""The evaluation report: every system on the same test cases, metrics, realism, quality bar, suites.

:func:`evaluate` computes the report as a plain dict; :func:`write_report` writes ``report.json``,
``report.md`` and PNG plots (stickgen.eval.plots). ``python -m stickgen.eval`` drives both.

Protocol (docs/EVALUATION.md): the test split's groups are cut in two halves by a seeded shuffle; the
*reference* half gives the real embedding distribution for FID, the *evaluation* half gives the cases
(one description per row) every system generates for. Real clips (source other than "synthetic") are
always evaluation cases and also get the realism comparison.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

import numpy as np

from .. import vocab
from . import metrics, physics_metrics
from .safety import critique
from .systems import EvalCase, cases_from_split

REAL = "real test motions"
PIPELINE = "full pipeline"
PLANNER = "planner alone"
RETRIEVAL = "nearest-neighbour retrieval"
MEAN_MOTION = "mean motion per action"
SUMMARY_MEASURES = ("foot_skating_ratio", "penetration", "floating", "jerk", "bone_length_deviation", "freeze",
                    "jitter", "explosion", "repetition", "smoothness")


@dataclass
class EvalSettings:
    """Sizes and seeds of one evaluation run (recorded in the report)."""

    num_cases: int = 256
    mm_texts: int = 10
    mm_generations: int = 30
    reference_rows: int = 1000
    seed: int = 0
    sampling: dict[str, Any] = field(default_factory=dict)  # the full pipeline's settings (stickgen.sampling)
    conditioning: str = "text"
    split: str = "test"


def split_test(test: Any, settings: EvalSettings) -> tuple[list[int], list[int], list[int]]:
    """(reference rows, evaluation rows, real-clip rows) of the test split, split by group."""
    groups = np.array(test["group"])
    sources = np.array(test["source"])
    unique = np.unique(groups[sources == "synthetic"])
    shuffled = np.random.default_rng(settings.seed).permutation(unique)
    reference_groups = set(shuffled[: len(unique) // 2])
    real_rows = [int(i) for i in np.flatnonzero(sources != "synthetic")]
    rows = np.arange(len(groups))
    reference = [int(i) for i in rows if groups[i] in reference_groups and sources[i] == "synthetic"]
    evaluation = [int(i) for i in rows if groups[i] not in reference_groups and sources[i] == "synthetic"]
    rng = np.random.default_rng(settings.seed + 1)
    if len(reference) > settings.reference_rows:
        reference = sorted(rng.choice(reference, settings.reference_rows, replace=False).tolist())
    budget = max(settings.num_cases - len(real_rows), 0)
    if len(evaluation) > budget:
        evaluation = sorted(rng.choice(evaluation, budget, replace=False).tolist())
    return reference, evaluation + real_rows, real_rows


def _stretch_labels(labels: np.ndarray, frames: int) -> np.ndarray:
    return labels[np.minimum(np.arange(frames) * len(labels) // max(frames, 1), len(labels) - 1)]


def score_system(clips: list[np.ndarray], cases: list[EvalCase], text_emb: np.ndarray, reference_emb: np.ndarray,
                 evaluator, settings: EvalSettings, planned: list[np.ndarray | None] | None = None) -> dict[str, Any]:
    """Every metric of one system's clips (aligned with ``cases``). ``planned``: per clip, the labels
    the system planned (or None); actions are judged by :func:`metrics.scoring_labels`."""
    fps = cases[0].fps
    motion_emb = evaluator.encode_motion(clips, fps)
    predicted = evaluator.predict_actions(clips, fps)
    planned = planned if planned is not None else [None] * len(cases)
    labels = [_stretch_labels(metrics.scoring_labels(c.action_ids, plan), len(p))
              for c, p, plan in zip(cases, predicted, planned)]
    out: dict[str, Any] = {"clips": len(clips)}
    if len(cases) >= 32:
        top = metrics.r_precision(text_emb, motion_emb, seed=settings.seed)
        out.update({f"r_precision_top{k + 1}": t.to_dict() for k, t in enumerate(top)})
    out["mm_dist"] = metrics.matching_distance(text_emb, motion_emb)
    out["fid"] = metrics.frechet_distance(motion_emb, reference_emb)
    out["diversity"] = metrics.diversity(motion_emb, seed=settings.seed)
    out["action_accuracy"] = metrics.action_accuracy(labels, predicted)
    out["action_confusion"] = metrics.action_confusion(labels, predicted)
    real = [i for i, c in enumerate(cases) if c.source != "synthetic"]
    if real:
        out["action_accuracy_real_texts"] = metrics.action_accuracy([labels[i] for i in real],
                                                                    [predicted[i] for i in real])
    measures = [physics_metrics.clip_measures(c, fps) for c in clips]
    out.update({name: float(np.mean([m[name] for m in measures])) for name in SUMMARY_MEASURES})
    out["critic_flag_rate"] = critic_flag_rate(clips, cases)
    out["_embeddings"] = motion_emb
    return out


def critic_flag_rate(clips: list[np.ndarray], cases: list[EvalCase]) -> float:
    """Share of clips (``[T, 22, 3]`` each) the safety critic flags, each judged against its case's own
    actions (a flying, swimming or climbing case may stay off the ground)."""
    return float(np.mean([bool(critique(clip, case.fps, {vocab.ACTION_NAMES[i] for i in np.unique(case.action_ids)}))
                          for clip, case in zip(clips, cases)]))


def realism(clips: list[np.ndarray], real_cases: list[EvalCase], real_emb: np.ndarray, evaluator) -> dict[str, Any]:
    """Generated clips for the real clips' texts against the real clips: evaluator distance, speed and
    cadence errors (mean over clips, and per clip)."""
    if not real_cases:
        return {}
    fps = real_cases[0].fps
    emb = evaluator.encode_motion(clips, fps)
    per_clip = []
    for case, clip, e, r in zip(real_cases, clips, emb, real_emb):
        per_clip.append({
            "id": case.id, "text": case.text, "evaluator_distance": float(np.linalg.norm(e - r)),
            "speed_error": abs(physics_metrics.mean_speed(clip, fps) - physics_metrics.mean_speed(case.joints, fps)),
            "cadence_error": abs(physics_metrics.cadence(clip, fps) - physics_metrics.cadence(case.joints, fps)),
        })
    summary = {k: float(np.mean([p[k] for p in per_clip])) for k in ("evaluator_distance", "speed_error",
                                                                      "cadence_error")}
    return {**summary, "per_clip": per_clip}


def evaluate(dataset: Any, evaluator, systems: dict[str, Callable], settings: EvalSettings,
             stochastic: tuple[str, ...] = (PIPELINE,), suites: Callable[[], list] | None = None,
             log: Callable[[str], None] = print) -> dict[str, Any]:
    """Run every system of ``systems`` (name -> callable, see stickgen.eval.systems) on the test cases.

    ``stochastic`` systems also get MultiModality (the planner alone is deterministic: its MultiModality
    is 0 by construction, so by default only the full pipeline pays for the extra generations). ``suites``, if
    given, returns the suite results to include. Returns the report dict (numbers only; see
    :func:`write_report`).
    """
    started = time.perf_counter()
    if settings.split not in dataset:
        raise ValueError(f"split {settings.split!r} not in the dataset (has {sorted(dataset)})")
    test = dataset[settings.split].with_format("numpy")  # rows as arrays: several times faster than lists
    reference_rows, eval_rows, real_rows = split_test(test, settings)
    cases = cases_from_split(test, eval_rows, settings.seed)
    real_cases = [c for c in cases if c.source != "synthetic"]
    reference = [np.asarray(test[i]["joints"], np.float64) for i in reference_rows]
    fps = cases[0].fps
    reference_emb = evaluator.encode_motion(reference, fps)
    text_emb = evaluator.encode_text([c.text for c in cases])
    log(f"cases: {len(cases)} ({len(real_cases)} real clips), reference clips: {len(reference)}")
    report: dict[str, Any] = {"settings": asdict(settings), "rows": {}, "realism": {}, "timings": {},
                              "counts": {"cases": len(cases), "real_clips": len(real_cases),
                                         "reference": len(reference), "test_rows": len(test)}}
    real_emb = None
    for name, system in systems.items():
        tick = time.perf_counter()
        clips = system(cases, settings.seed)
        row = score_system(clips, cases, text_emb, reference_emb, evaluator, settings,
                           getattr(system, "planned", None))
        if hasattr(system, "failures"):
            row["refused_cases"] = list(system.failures)
        embeddings = row.pop("_embeddings")
        if name == REAL:
            real_emb = embeddings[[i for i, c in enumerate(cases) if c.source != "synthetic"]]
        elif real_cases and real_emb is not None:
            real_clips = [clip for clip, c in zip(clips, cases) if c.source != "synthetic"]
            report["realism"][name] = realism(real_clips, real_cases, real_emb, evaluator)
        if name in stochastic and settings.mm_texts and settings.mm_generations > 1:
            mm_cases = cases[: settings.mm_texts]
            runs = [evaluator.encode_motion(system(mm_cases, settings.seed + 1 + g), fps)
                    for g in range(settings.mm_generations)]
            row["multimodality"] = metrics.multimodality(np.stack(runs, axis=1), seed=settings.seed)
        report["rows"][name] = row
        report["timings"][name] = time.perf_counter() - tick
        log(f"{name}: FID {row['fid']:.3f}, top-3 {row.get('r_precision_top3', {}).get('mean', float('nan')):.3f}, "
            f"{report['timings'][name]:.1f} s")
    if suites is not None:
        tick = time.perf_counter()
        report["suites"] = suites()
        report["timings"]["suites"] = time.perf_counter() - tick
    report["quality_bar"] = quality_bar(report["rows"])
    report["timings"]["total"] = time.perf_counter() - started
    return report


# ----------------------------------------------------------------------------- quality bar


def _value(rows: dict, name: str, key: str) -> float | None:
    value = rows.get(name, {}).get(key)
    return value["mean"] if isinstance(value, dict) else value


def quality_bar(rows: dict[str, dict]) -> list[dict[str, Any]]:
    """The issue's quality bar for the full pipeline, each check with its numbers and a verdict."""
    get = lambda name, key: _value(rows, name, key)  # noqa: E731
    checks = []

    def check(what: str, value, target, passed: bool | None, detail: str) -> None:
        checks.append({"check": what, "value": value, "target": target,
                       "passed": passed, "detail": detail})

    top3, real_top3 = get(PIPELINE, "r_precision_top3"), get(REAL, "r_precision_top3")
    check("R-precision top-3 within 5 points of the real motions'", top3,
          None if real_top3 is None else real_top3 - 0.05,
          None if top3 is None or real_top3 is None else top3 >= real_top3 - 0.05,
          f"pipeline {top3} vs real {real_top3}")
    fid = get(PIPELINE, "fid")
    baselines = [get(b, "fid") for b in (RETRIEVAL, MEAN_MOTION) if get(b, "fid") is not None]
    best = min(baselines) if baselines else None
    check("FID clearly (>= 20%) below both baselines", fid, None if best is None else 0.8 * best,
          None if fid is None or best is None else fid <= 0.8 * best, f"baselines {baselines}")
    planner_fid, planner_jerk, jerk = get(PLANNER, "fid"), get(PLANNER, "jerk"), get(PIPELINE, "jerk")
    real_jerk = get(REAL, "jerk")
    known = None not in (fid, planner_fid, jerk, planner_jerk, real_jerk)
    # jerk improves when it moves toward the real motions' (lower is not better in itself: a still clip has
    # none, and a regression planner that averages motion is smoother than real motion)
    off = (lambda value: abs(value - real_jerk) / real_jerk) if known else None
    check("the refiner improves FID and jerk over the planner alone", {"fid": fid, "jerk": jerk},
          {"fid": planner_fid, "jerk": planner_jerk},
          fid < planner_fid and off(jerk) < off(planner_jerk) if known else None,
          f"FID {fid} vs {planner_fid}; jerk {jerk} vs {planner_jerk}, real {real_jerk} "
          "(better = closer to the real motions' jerk)")
    skate, real_skate = get(PIPELINE, "foot_skating_ratio"), get(REAL, "foot_skating_ratio")
    check("foot-skating ratio no worse than the real motions' + 0.02", skate,
          None if real_skate is None else real_skate + 0.02,
          None if None in (skate, real_skate) else skate <= real_skate + 0.02, f"real {real_skate}")
    bones = get(PIPELINE, "bone_length_deviation")
    check("bone-length deviation under 1 mm", bones, 0.001, None if bones is None else bones < 0.001, "metres")
    accuracy = get(PIPELINE, "action_accuracy")
    check("action-recognition accuracy of generated clips at least 90%", accuracy, 0.9,
          None if accuracy is None else accuracy >= 0.9, "segment majority vote of the evaluator's classifier")
    return checks
