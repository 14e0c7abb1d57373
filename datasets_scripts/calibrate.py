"""Calibration report: the same statistics measured on real clips and on generated ones, side by side.

    python -m datasets_scripts.calibrate [--clips 24] [--out reports/calibration]

For each action present in both the real clips (``data/real``, held-out clips excluded: they judge
realism and must not be tuned against) and the procedural generator, it measures speed, cadence,
stride, pelvis height (absolute and over leg length), jump height and airtime, foot-skate ratio and
jerk with one set of functions, applied identically to both (contacts from the joints by
``skeleton.foot_contacts``, never from the generator's labels), and writes a Markdown table and JSON.
A statistic "agrees" when the synthetic mean is within 15% of the real one.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from stickgen import skeleton
from stickgen.motion import Scene, atomic_write

from .curate import skate_ratio

FPS = 25
TOLERANCE = 0.15
REAL_DIR = Path(__file__).resolve().parent.parent / "data" / "real"
#: statistics where less than real is no defect (real reference motion slides its feet too)
ONE_SIDED = ("skate_ratio",)
GAIT = ("speed", "cadence", "stride", "pelvis_height", "hip_over_leg", "skate_ratio", "jerk")
POSE = ("hip_over_leg", "skate_ratio", "jerk")
#: action -> (real clips it is compared with, statistics, synthetic step duration s, synthetic params);
#: the real jump is a standing long jump of about 1 m, so the generated one is asked for the same
ACTIONS = {
    "walk": (("deepmimic_walk", "deepmimic_walker_forward"), GAIT, 5.0, {}),
    "run": (("deepmimic_run",), GAIT, 4.0, {}),
    "jump": (("deepmimic_jump",), ("jump_height", "airtime", "hip_over_leg", "skate_ratio", "jerk"), 2.0,
             {"distance": 1.0}),
    "crawling": (("deepmimic_crawl",), ("speed", "pelvis_height", "hip_over_leg", "jerk"), 4.0, {}),
    "punch": (("deepmimic_punch",), POSE, 2.0, {}),
    "kick": (("deepmimic_kick",), POSE, 2.0, {}),
    "dance": (("deepmimic_dance_a", "deepmimic_dance_b"), POSE, 3.0, {}),
}


# ----------------------------------------------------------------------------- statistics


def foot_down(joints: np.ndarray) -> np.ndarray:
    """Per frame, whether each foot (left, right) touches the ground: ``[T, 22, 3] -> [T, 2]`` bool
    (its ankle or toe in contact by ``skeleton.foot_contacts``)."""
    contacts = skeleton.foot_contacts(joints, FPS)
    return contacts[:, [0, 1]] | contacts[:, [2, 3]]


def lead_changes(joints: np.ndarray, hysteresis: float = 0.04) -> np.ndarray:
    """Frames where a step lands: sign changes (with ``hysteresis`` metres) of the left-minus-right
    ankle distance along the body's facing direction. ``[T, 22, 3] -> [steps]`` frame indices."""
    j = skeleton.JOINT_INDEX
    forward = skeleton.facing_directions(joints)
    lead = np.sum((joints[:, j["left_ankle"]] - joints[:, j["right_ankle"]]) * forward, axis=-1)
    frames, side = [], 0
    for frame, value in enumerate(lead):
        if abs(value) > hysteresis and np.sign(value) != side:
            if side != 0:
                frames.append(frame)
            side = np.sign(value)
    return np.array(frames, dtype=int)


def cadence(joints: np.ndarray) -> float:
    """Steps per minute between the first and last step that lands (0 with fewer than two)."""
    steps = lead_changes(joints)
    return (len(steps) - 1) / ((steps[-1] - steps[0]) / FPS) * 60.0 if len(steps) >= 2 else 0.0


def leg_length(joints: np.ndarray) -> float:
    """Thigh plus shin, averaged over both legs (m)."""
    j = skeleton.JOINT_INDEX
    lengths = np.median(skeleton.bone_lengths(joints), axis=0)
    return float(np.mean([lengths[j[k] - 1] + lengths[j[a] - 1] for k, a in
                          (("left_knee", "left_ankle"), ("right_knee", "right_ankle"))]))


def statistics(joints: np.ndarray) -> dict[str, float]:
    """Every calibration statistic of one clip ``[T, 22, 3]`` (NaN where it does not apply)."""
    joints = np.asarray(joints, dtype=np.float64)
    j = skeleton.JOINT_INDEX
    seconds = (len(joints) - 1) / FPS
    pelvis = joints[:, 0]
    speed = float(np.linalg.norm(np.diff(pelvis[:, [0, 2]], axis=0), axis=1).sum() / seconds)
    steps_per_minute = cadence(joints)
    down = foot_down(joints).any(axis=1)
    airborne = ~down
    longest, current = 0, 0
    for flag in airborne:
        current = current + 1 if flag else 0
        longest = max(longest, current)
    standing = pelvis[down, 1]
    contacts = skeleton.foot_contacts(joints, FPS)
    third = np.diff(joints, n=3, axis=0) * FPS ** 3
    return {
        "speed": speed, "cadence": steps_per_minute,
        "stride": 2.0 * speed * 60.0 / steps_per_minute if steps_per_minute > 0 else float("nan"),
        "pelvis_height": float(pelvis[:, 1].mean()),
        "hip_over_leg": float(joints[:, [j["left_hip"], j["right_hip"]], 1].mean() / leg_length(joints)),
        "jump_height": float(pelvis[:, 1].max() - np.median(standing)) if len(standing) else float("nan"),
        "airtime": longest / FPS, "skate_ratio": skate_ratio(joints, contacts, FPS),
        "jerk": float(np.median(np.linalg.norm(third, axis=-1).mean(axis=1))),
    }


def real_clips(real_dir: Path = REAL_DIR) -> dict[str, list[np.ndarray]]:
    """``{action: [joints of each real clip chosen for it]}``; held-out clips are refused."""
    index = {c["id"]: c for c in json.loads((Path(real_dir) / "index.json").read_text())["clips"]}
    out: dict[str, list[np.ndarray]] = {}
    for action, (clip_ids, *_) in ACTIONS.items():
        if any(index[c]["holdout"] for c in clip_ids):
            raise ValueError(f"{action}: held-out clips judge realism and cannot calibrate the generator")
        out[action] = [Scene.load(Path(real_dir) / index[c]["file"]).actors[0].joints for c in clip_ids]
    return out


def leg_height(joints: np.ndarray) -> float:
    """The body height whose rest-pose legs are as long as this clip's (m): gait scales with legs."""
    return float(skeleton.REST_HEIGHT * leg_length(joints) / leg_length(skeleton.rest_pose()[None]))


def synthetic_statistics(clips: int, heights: dict[str, float], seed: int = 0) -> dict[str, list[dict]]:
    """``{action: [statistics of each generated clip]}`` for the actions the generator implements,
    bodies within 3 cm of ``heights[action]`` (the real clips' size, so speeds and strides compare)."""
    from .synthetic import ActionStep, ClipSpec, generate

    rng = np.random.default_rng(seed)
    out: dict[str, list[dict]] = {}
    for action, (_, _, duration, params) in ACTIONS.items():
        made = [generate(ClipSpec([ActionStep(action, duration, dict(params))],
                                  height=float(np.clip(heights[action] + rng.uniform(-0.03, 0.03), 1.4, 1.95)),
                                  seed=int(rng.integers(2 ** 31)))) for _ in range(clips)]
        out[action] = [statistics(c.joints) for c in made]
    return out


# ----------------------------------------------------------------------------- report


def compare(real: dict[str, list[dict]], synthetic: dict[str, list[dict]]) -> list[dict]:
    """One row per (action, statistic) present in both: means, relative difference, agreement."""
    rows = []
    for action, (_, names, _, _) in ACTIONS.items():
        if not real.get(action) or not synthetic.get(action):
            continue
        for name in names:
            r = float(np.nanmean([s[name] for s in real[action]]))
            s = float(np.nanmean([s[name] for s in synthetic[action]]))
            diff = (s - r) / abs(r) if abs(r) > 1e-9 else float("nan")
            agrees = diff <= TOLERANCE if name in ONE_SIDED else abs(diff) <= TOLERANCE
            rows.append({"action": action, "statistic": name, "real": r, "synthetic": s, "relative_difference": diff,
                         "agrees": bool(agrees), "real_clips": len(real[action]),
                         "synthetic_clips": len(synthetic[action])})
    return rows


def to_markdown(rows: list[dict]) -> str:
    agree = sum(r["agrees"] for r in rows)
    sources = "; ".join(f"{a}: {', '.join(c)}" for a, (c, *_) in ACTIONS.items())
    lines = ["# Calibration: synthetic vs real motion statistics", "",
             "Generated by `python -m datasets_scripts.calibrate`. Real clips per action (the walker turns and",
             f"CMU 01_01 judge realism and are never used here): {sources}. Contacts for both come from",
             "`skeleton.foot_contacts` on the joints; generated bodies have the real clips' leg length",
             "(DeepMimic's humanoid has the legs of a 1.84 m smpl22 body). A statistic agrees when the synthetic mean "
             "is within",
             f"{TOLERANCE:.0%} of the real mean (for the skate ratio: at most {TOLERANCE:.0%} above it, since less",
             f"sliding than the real reference is no defect): {agree} of {len(rows)} agree.", "",
             "| action | statistic | real | synthetic | difference | agrees | clips (real/syn) |",
             "|---|---|---:|---:|---:|:---:|---:|"]
    for r in rows:
        lines.append(f"| {r['action']} | {r['statistic']} | {r['real']:.3f} | {r['synthetic']:.3f} | "
                     f"{100 * r['relative_difference']:+.1f}% | {'yes' if r['agrees'] else '**no**'} | "
                     f"{r['real_clips']}/{r['synthetic_clips']} |")
    missing = sorted(set(ACTIONS) - {r["action"] for r in rows})
    if missing:
        lines += ["", f"Not compared (no generated or no real clip): {', '.join(missing)}."]
    lines += ["", "Units: speed m/s, cadence steps/min (lead-foot changes), stride m (two steps), pelvis height m, "
                  "hip_over_leg (mean hip",
              "joint height over thigh + shin: how bent the legs are, free of where a skeleton puts its pelvis), "
              "jump height m",
              "(pelvis rise over its standing height), airtime s (longest run with no foot down), skate ratio",
              "(share of contact frames whose foot moves faster than 0.1 m/s), jerk m/s^3 (median frame of the",
              "body's mean jerk)."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=int, default=24, help="generated clips per action")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("reports/calibration"), help="writes OUT.md and OUT.json")
    args = parser.parse_args(argv)
    real = real_clips()
    heights = {action: float(np.mean([leg_height(j) for j in clips])) for action, clips in real.items()}
    rows = compare({a: [statistics(j) for j in clips] for a, clips in real.items()},
                   synthetic_statistics(args.clips, heights, args.seed))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(args.out.with_suffix(".json"), json.dumps({"tolerance": TOLERANCE, "rows": rows}, indent=1) + "\n")
    text = to_markdown(rows)
    atomic_write(args.out.with_suffix(".md"), text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
