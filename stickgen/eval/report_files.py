"""Write an evaluation report (the dict of stickgen.eval.report.evaluate) as JSON, Markdown and PNG plots."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from .plots import bar_chart
from .report import PIPELINE, REAL


def _fmt(value: Any, scale: float = 1.0, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, dict) and "mean" in value:
        return f"{value['mean'] * scale:.{digits}f} ± {value['ci95'] * scale:.{digits}f}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_fmt(v, scale, digits)}" for k, v in value.items())
    if isinstance(value, float | int | np.floating):
        return f"{value * scale:.{digits}f}"
    return str(value)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]


def markdown(report: dict[str, Any], notes: str | None = None) -> str:
    """The report as a Markdown document."""
    rows, meta = report["rows"], report.get("meta", {})
    lines = ["# Stick-Gen evaluation report", ""]
    lines += [f"- {k}: `{v}`" for k, v in meta.items()]
    lines += [f"- cases: {report['counts']['cases']} test rows ({report['counts']['real_clips']} real clips), "
              f"FID reference: {report['counts']['reference']} held-out test clips; settings: "
              f"`{json.dumps(report['settings'])}`", ""]
    lines += ["## Text-motion metrics", "",
              "R-precision: batches of 32, 20 repeats, mean ± 95% interval (chance: 0.031 / 0.062 / 0.094). "
              "FID against the reference half of the test split.", ""]
    lines += _table(["system", "R@1", "R@2", "R@3", "MM-Dist", "FID", "Diversity", "MultiModality", "action acc.",
                     "action acc. (real clips' texts)"],
                    [[name, *(_fmt(r.get(f"r_precision_top{k}")) for k in (1, 2, 3)), _fmt(r["mm_dist"]),
                      _fmt(r["fid"]), _fmt(r["diversity"]), _fmt(r.get("multimodality")),
                      _fmt(r["action_accuracy"]), _fmt(r.get("action_accuracy_real_texts"))]
                     for name, r in rows.items()])
    lines += ["", "## Physics and artifacts (mean over clips)", ""]
    lines += _table(["system", "foot skating", "penetration mm", "floating mm", "jerk m/s³", "bone dev. mm",
                     "freeze", "jitter", "explosion", "repetition", "smoothness", "critic flags"],
                    [[name, _fmt(r["foot_skating_ratio"]), _fmt(r["penetration"], 1000, 1),
                      _fmt(r["floating"], 1000, 1), _fmt(r["jerk"], 1, 1), _fmt(r["bone_length_deviation"], 1000, 2),
                      _fmt(r["freeze"]), _fmt(r["jitter"]), _fmt(r["explosion"]), _fmt(r["repetition"]),
                      _fmt(r["smoothness"]), _fmt(r["critic_flag_rate"])] for name, r in rows.items()])
    if report.get("realism"):
        lines += ["", "## Realism against the real clips (generated from each real clip's description)", ""]
        lines += _table(["system", "evaluator distance", "speed error m/s", "cadence error steps/min"],
                        [[name, _fmt(r["evaluator_distance"]), _fmt(r["speed_error"]), _fmt(r["cadence_error"], 1, 1)]
                         for name, r in report["realism"].items()])
    lines += ["", "## Quality bar (full pipeline)", ""]
    verdict = {True: "**pass**", False: "**FAIL**", None: "not measured"}
    lines += _table(["check", "value", "target", "verdict"],
                    [[c["check"], _fmt(c["value"]), _fmt(c["target"]), verdict[c["passed"]]]
                     for c in report["quality_bar"]])
    lines += _missed_actions(rows.get(PIPELINE, {}).get("action_confusion"))
    if report.get("suites"):
        lines += ["", "## Prompt suites (full pipeline)", ""]
        lines += _table(["suite", "pass rate", "passed", "failed items"],
                        [[s["suite"], _fmt(s["pass_rate"], 100, 0) + "%", f"{s['passed']}/{s['total']}",
                          "; ".join(f"{i['id']} ({'; '.join(i['failures'])[:90]})" for i in s["items"]
                                    if not i["passed"]) or "-"] for s in report["suites"]])
    lines += ["", "## Notes", ""]
    failed = [c["check"] for c in report["quality_bar"] if c["passed"] is False]
    lines.append("Quality bar checks failed: " + ("; ".join(failed) if failed else "none") + ".")
    if notes:
        lines += ["", notes.strip()]
    lines += ["", "## Timings (s)", ""] + [f"- {k}: {v:.1f}" for k, v in report["timings"].items()]
    return "\n".join(lines) + "\n"


def _missed_actions(confusion: dict[str, dict[str, int]] | None) -> list[str]:
    """Markdown lines: the actions whose segments the full pipeline's clips are not all recognised as,
    fewest recognised first, with what the evaluator reads instead (``confusion``: see
    :func:`stickgen.eval.metrics.action_confusion`)."""
    share = {name: row.get(name, 0) / sum(row.values()) for name, row in (confusion or {}).items()}
    missed = sorted((name for name in share if share[name] < 1), key=lambda name: (share[name], name))
    if not missed:
        return []
    rows = []
    for name in missed:
        instead = sorted(((n, k) for n, k in confusion[name].items() if n != name), key=lambda item: -item[1])
        rows.append([name, str(sum(confusion[name].values())), _fmt(share[name], 1, 2),
                     ", ".join(f"{n} ({k})" for n, k in instead[:3])])
    return ["", "## Actions the full pipeline's clips miss (action segments of the test cases)", "",
            *_table(["action", "segments", "recognised", "read instead as (segments)"], rows)]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def plots(report: dict[str, Any], out: Path) -> list[Path]:
    """PNG bar charts: R-precision top-3, FID, foot skating, jerk, suite pass rates."""
    rows = report["rows"]
    names = list(rows)
    real = rows.get(REAL, {})
    top3 = [rows[n].get("r_precision_top3") for n in names]
    paths = [
        bar_chart("R-precision top-3 (mean, 95% interval; dashed: chance 3/32)", names,
                  [t["mean"] if t else None for t in top3], out / "r_precision_top3.png",
                  errors=[t["ci95"] if t else 0.0 for t in top3], reference=3 / 32, reference_label="chance"),
        bar_chart("FID against held-out real test clips (lower is better)", names, [rows[n]["fid"] for n in names],
                  out / "fid.png"),
        bar_chart("Foot-skating ratio (dashed: real + 0.02)", names, [rows[n]["foot_skating_ratio"] for n in names],
                  out / "foot_skating.png",
                  reference=real["foot_skating_ratio"] + 0.02 if real else None, reference_label="real + 0.02"),
        bar_chart("Mean jerk (m/s^3)", names, [rows[n]["jerk"] for n in names], out / "jerk.png"),
    ]
    if report.get("suites"):
        paths.append(bar_chart("Prompt-suite pass rate (full pipeline)", [s["suite"] for s in report["suites"]],
                               [s["pass_rate"] for s in report["suites"]], out / "suites.png"))
    return paths


def write_report(report: dict[str, Any], out: str | Path, notes: str | None = None) -> dict[str, Path]:
    """Write ``report.json``, ``report.md`` and the plots into ``out``; returns the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / "report.json"
    json_path.write_text(json.dumps(_jsonable(report), indent=1))
    md_path = out / "report.md"
    md_path.write_text(markdown(report, notes))
    return {"json": json_path, "markdown": md_path, **{p.stem: p for p in plots(report, out)}}


def control_section(doc: dict[str, Any]) -> list[str]:
    """Markdown lines: pass rates per category of ``benchmarks/bench_control.py``'s JSON ``doc``, main and
    held-out sets, with what the suite judges."""
    sets = [name for name in ("main", "heldout") if name in doc["summary"]]
    categories = sorted({c for name in sets for c in doc["summary"][name]["categories"]},
                        key=lambda c: min(i for i, item in enumerate(doc["items"]) if item["category"] == c))
    cell = lambda name, c: (f"{doc['summary'][name]['categories'][c]['rate']:.2f}"  # noqa: E731
                            if c in doc["summary"][name]["categories"] else "-")
    lines = ["## Does the motion do what the sentence says", "",
             f"`python benchmarks/bench_control.py --model {doc['model']} --seeds {doc['seeds']}` "
             "generates hand-written "
             "sentences (not the data's templates) and judges each on the generated joints, not by the evaluator: "
             "backward and sideways travel, turn angle and side, spins, the named hand above the shoulder, the "
             "number of jumps or claps, jump height and speed orderings, path shapes, foot skating at every speed "
             "and one-action signatures (`stickgen/eval/control_checks.py`). The held-out quarter "
             "(`benchmarks/control/heldout.json`) is used by no training or sampling tuning and reported apart. "
             "Pass rate per category:", "",
             "| category | " + " | ".join(f"{name} (items)" for name in sets) + " |",
             "|---|" + "---|" * len(sets)]
    for c in categories:
        lines.append(f"| {c} | " + " | ".join(
            f"{cell(name, c)} ({doc['summary'][name]['categories'].get(c, {}).get('items', 0)})"
            for name in sets) + " |")
    lines.append("| **overall** | " + " | ".join(f"**{doc['summary'][name]['overall']:.2f}** "
                                                 f"({doc['summary'][name]['items']})" for name in sets) + " |")
    return lines + [""]
