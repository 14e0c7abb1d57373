"""The safety critic and the prompt suites.

:func:`critique` flags a clip that is frozen, jittery, exploding or physically impossible.
:func:`load_suites` reads ``stickgen/eval/suites/*.yaml``; each item is a prompt plus what a good answer
is (``expect``), and :func:`run_suite` scores a generator against it. A generator is any callable
``generate(prompt, duration, seed) -> Scene`` that raises ``ValueError`` (with a message) to refuse.

Expectation keys (all optional)::

    outcome: generate | refuse | generate_or_refuse   (default generate)
    clean: true            no critic flags on any actor (default true for generated scenes)
    actors: N              exactly N actors;  min_actors: N
    actions: [name, ...]   every name appears in the scene's planned action segments
    default_actions: [...] the planned actions are all among these (a "sensible default")
    recognized: [name, ...] the evaluator recognises each name on the segments planned for it
    camera_moves / speech / expressions: [name, ...] present in the scene's camera moves / tracks
    min_travel: metres     some actor's pelvis ends at least this far (horizontally) from its start
    closed: metres         the first actor's pelvis ends at most this far (horizontally) from its start
                           (a circle, a walk there and back: the path's whole shape was walked)
    max_speed: m/s         no actor's pelvis moves faster than this over any 1 s window
    meet: true             two actors doing a two-actor action together start it at its contact distance
                           (``stickgen.staging.contact_distance``, pelvis to pelvis, within MEET_TOLERANCE)
                           and stay in touching range through it (``staging.CLOSEST`` to contact distance
                           plus ``staging.REACH``, within MEET_TOLERANCE)
    max_seconds: s         generation takes at most this long
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .. import vocab
from . import physics_metrics as pm

SUITES_DIR = Path(__file__).parent / "suites"
#: critic thresholds (documented in docs/EVALUATION.md)
FROZEN_RATIO = 0.9
JITTER_LIMIT = 0.5
PENETRATION_LIMIT = 0.03
BONE_DEVIATION_LIMIT = 0.01
MAX_AIRBORNE_SECONDS = 1.2
MAX_PELVIS_SPEED = 12.0
MEET_TOLERANCE = 0.1  # metres
#: actions whose body legitimately stays off the ground
OUTCOMES = ("generate", "refuse", "generate_or_refuse")


# ----------------------------------------------------------------------------- critic


def _longest_run(mask: np.ndarray) -> int:
    best = run = 0
    for value in mask:
        run = run + 1 if value else 0
        best = max(best, run)
    return best


def max_window_speed(joints: np.ndarray, fps: float, seconds: float = 1.0) -> float:
    """Fastest horizontal pelvis speed (m/s) averaged over any ``seconds``-long window of ``[T, 22, 3]``."""
    window = max(1, int(round(seconds * fps)))
    root = np.asarray(joints)[:, 0, [0, 2]]
    if len(root) <= window:
        window = len(root) - 1
    if window < 1:
        return 0.0
    return float(np.linalg.norm(root[window:] - root[:-window], axis=-1).max() * fps / window)


def critique(joints: np.ndarray, fps: float, actions: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Flags for one clip ``[T, 22, 3]``: any of ``frozen``, ``jittery``, ``exploding``, ``impossible:<why>``.

    ``actions`` are the clip's planned action names (flying, climbing and swimming may stay airborne).
    """
    joints = np.asarray(joints, dtype=np.float64)
    if not np.isfinite(joints).all():
        return ["exploding"]
    flags = []
    if pm.freeze_ratio(joints, fps) > FROZEN_RATIO:
        flags.append("frozen")
    if pm.jitter(joints, fps) > JITTER_LIMIT:
        flags.append("jittery")
    if pm.explosion_ratio(joints, fps) > 0:
        flags.append("exploding")
    if pm.ground_penetration(joints) > PENETRATION_LIMIT:
        flags.append("impossible:penetration")
    if pm.bone_length_deviations(joints).max() > BONE_DEVIATION_LIMIT:
        flags.append("impossible:stretching_bones")
    airborne = joints[..., 1].min(axis=1) > pm.FLOAT_TOLERANCE
    if not (set(actions) & vocab.AIRBORNE_ACTIONS) and _longest_run(airborne) > MAX_AIRBORNE_SECONDS * fps:
        flags.append("impossible:floating")
    if max_window_speed(joints, fps) > MAX_PELVIS_SPEED:
        flags.append("impossible:speed")
    return flags


# ----------------------------------------------------------------------------- suites


@dataclass
class SuiteItem:
    """One prompt of a suite and what a good answer is (see the module docstring).

    ``repeat`` > 1 makes the prompt that many copies of ``prompt`` (very long or repetitive inputs).
    """

    id: str
    prompt: str
    expect: dict[str, Any]
    good_answer: str
    duration: float = 5.0
    seed: int = 0
    repeat: int = 1

    def __post_init__(self) -> None:
        self.prompt = (self.prompt * self.repeat).strip() if self.repeat > 1 else self.prompt
        outcome = self.expect.setdefault("outcome", "generate")
        if outcome not in OUTCOMES:
            raise ValueError(f"suite item {self.id}: outcome must be one of {OUTCOMES}, got {outcome!r}")
        if not self.good_answer:
            raise ValueError(f"suite item {self.id}: say what a good answer is (good_answer)")


@dataclass
class Suite:
    name: str
    description: str
    items: list[SuiteItem]


@dataclass
class ItemResult:
    id: str
    passed: bool
    outcome: str  # "generated", "refused" or "crashed"
    failures: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    seconds: float = 0.0
    message: str = ""


def load_suites(names: list[str] | None = None, folder: str | Path = SUITES_DIR) -> list[Suite]:
    """The suites in ``folder`` (all of them, or those whose file stem is in ``names``)."""
    import yaml

    paths = sorted(Path(folder).glob("*.yaml"))
    if names is not None:
        missing = set(names) - {p.stem for p in paths}
        if missing:
            raise ValueError(f"unknown suites {sorted(missing)}; available: {[p.stem for p in paths]}")
        paths = [p for p in paths if p.stem in names]
    suites = []
    for path in paths:
        doc = yaml.safe_load(path.read_text())
        items = [SuiteItem(**item) for item in doc["items"]]
        if len({i.id for i in items}) != len(items):
            raise ValueError(f"{path.name}: item ids must be unique")
        suites.append(Suite(doc.get("suite", path.stem), doc.get("description", ""), items))
    return suites


def _planned(scene, track: str) -> set[str]:
    return {s.label for motion in scene.actors for s in motion.track(track)}


def check_scene(scene, expect: dict[str, Any], evaluator=None) -> tuple[list[str], list[str]]:
    """(failures, critic flags) of a generated scene against an item's ``expect``."""
    failures, flags = [], []
    for motion in scene.actors:
        flags += [f"{motion.id}:{f}" for f in critique(motion.joints, scene.fps, _planned_of(motion))]
    if expect.get("clean", True) and flags:
        kinds = sorted({f.split(":", 1)[1] for f in flags})
        failures.append(f"critic flagged {', '.join(kinds)}")
    if "actors" in expect and len(scene.actors) != expect["actors"]:
        failures.append(f"expected {expect['actors']} actors, got {len(scene.actors)}")
    if len(scene.actors) < expect.get("min_actors", 0):
        failures.append(f"expected at least {expect['min_actors']} actors, got {len(scene.actors)}")
    actions = _planned(scene, "actions")
    for key, present in (("actions", actions), ("expressions", _planned(scene, "expressions")),
                         ("speech", _planned(scene, "speech")),
                         ("camera_moves", {m.get("move") for m in (scene.camera or {}).get("moves") or []})):
        missing = set(expect.get(key, [])) - present
        if missing:
            failures.append(f"{key}: missing {sorted(missing)} (got {sorted(present)})")
    if "default_actions" in expect and not actions <= set(expect["default_actions"]):
        failures.append(f"expected a default among {expect['default_actions']}, got {sorted(actions)}")
    if "min_travel" in expect:
        travel = max(float(np.linalg.norm(m.joints[-1, 0, [0, 2]] - m.joints[0, 0, [0, 2]])) for m in scene.actors)
        if travel < expect["min_travel"]:
            failures.append(f"travelled {travel:.2f} m, expected at least {expect['min_travel']} m")
    if "closed" in expect and scene.actors:
        root = scene.actors[0].joints[:, 0, [0, 2]]
        gap = float(np.linalg.norm(root[-1] - root[0]))
        if gap > expect["closed"]:
            failures.append(f"ended {gap:.2f} m from its start, expected at most {expect['closed']} m")
    if "max_speed" in expect:
        fastest = max(max_window_speed(m.joints, scene.fps) for m in scene.actors)
        if fastest > expect["max_speed"]:
            failures.append(f"pelvis reached {fastest:.1f} m/s, expected at most {expect['max_speed']}")
    if expect.get("recognized"):
        failures += _recognition_failures(scene, expect["recognized"], evaluator)
    if expect.get("meet"):
        failures += _meeting_failures(scene)
    return failures, flags


def _meeting_failures(scene) -> list[str]:
    """Where two actors do a two-actor action together: do they meet at its contact distance and stay in
    touching range (see ``meet`` above)? No such pair fails too."""
    from itertools import combinations
    from types import SimpleNamespace

    from ..staging import CLOSEST, REACH, interactions

    ids = [m.frame_labels("actions", default=vocab.action_id("idle")) for m in scene.actors]
    failures, met = [], False
    for i, j in combinations(range(len(ids)), 2):
        pair = [SimpleNamespace(partner=1, action_ids=ids[i]), SimpleNamespace(partner=0, action_ids=ids[j])]
        for _, _, start, end, distance in interactions(pair):
            met = True
            first, second = scene.actors[i].joints[start:end, 0], scene.actors[j].joints[start:end, 0]
            gap = np.linalg.norm((first - second)[:, [0, 2]], axis=-1)
            low, high = min(CLOSEST, distance) - MEET_TOLERANCE, distance + REACH + MEET_TOLERANCE
            if abs(gap[0] - distance) > MEET_TOLERANCE or gap.min() < low or gap.max() > high:
                failures.append(f"meet: {scene.actors[i].id} and {scene.actors[j].id} met {gap[0]:.2f} m apart "
                                f"and stood {gap.min():.2f}-{gap.max():.2f} m apart for "
                                f"{vocab.ACTION_NAMES[ids[i][start]]}, expected to meet at {distance:.2f} and "
                                f"stay within {low:.2f}-{high:.2f}")
    return failures if met else ["meet: no two actors do a two-actor action together"]


def _planned_of(motion) -> set[str]:
    return {s.label for s in motion.track("actions")}


def _recognition_failures(scene, names: list[str], evaluator) -> list[str]:
    if evaluator is None:
        return ["recognized: no evaluator given"]
    from .metrics import segment_majority

    recognised: dict[str, bool] = {}
    predictions = evaluator.predict_actions([m.joints for m in scene.actors], scene.fps)
    for motion, predicted in zip(scene.actors, predictions):
        labels = motion.frame_labels("actions", default=vocab.action_id("idle"))
        for intended, got in zip(*segment_majority(labels, predicted)):
            name = vocab.ACTION_NAMES[intended]
            recognised[name] = recognised.get(name, False) or bool(intended == got)
    return [f"recognized: {name} was {'not planned' if name not in recognised else 'not recognised'}"
            for name in names if not recognised.get(name)]


def run_item(item: SuiteItem, generate: Callable[..., Any], evaluator=None) -> ItemResult:
    """Generate ``item`` and judge the answer against its expectations."""
    expect = item.expect
    started = time.perf_counter()
    try:
        scene = generate(item.prompt, item.duration, item.seed)
    except ValueError as error:  # a refusal
        seconds = time.perf_counter() - started
        failures = [] if expect["outcome"] != "generate" else [f"refused: {error}"]
        if not str(error).strip():
            failures.append("refused without a message")
        return ItemResult(item.id, not failures, "refused", failures, seconds=seconds, message=str(error))
    except Exception as error:  # noqa: BLE001 - a crash is a failed item, never a crashed report
        return ItemResult(item.id, False, "crashed", [f"crashed: {type(error).__name__}: {error}"],
                          seconds=time.perf_counter() - started, message=str(error))
    seconds = time.perf_counter() - started
    failures, flags = check_scene(scene, expect, evaluator)
    if expect["outcome"] == "refuse":
        failures.insert(0, "expected a refusal, got a scene")
    if "max_seconds" in expect and seconds > expect["max_seconds"]:
        failures.append(f"took {seconds:.1f} s, expected at most {expect['max_seconds']} s")
    return ItemResult(item.id, not failures, "generated", failures, flags, seconds)


def run_suite(suite: Suite, generate: Callable[..., Any], evaluator=None) -> dict[str, Any]:
    """Run every item; returns ``{"suite", "pass_rate", "passed", "total", "items": [...]}``."""
    results = [run_item(item, generate, evaluator) for item in suite.items]
    passed = sum(r.passed for r in results)
    return {"suite": suite.name, "description": suite.description, "passed": passed, "total": len(results),
            "pass_rate": passed / len(results) if results else 0.0,
            "items": [{**r.__dict__, "prompt": i.prompt[:200], "good_answer": i.good_answer}
                      for r, i in zip(results, suite.items)]}
