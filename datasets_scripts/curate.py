"""Curation: measure every clip, drop the broken ones with a stated reason, score the rest.

Checks (thresholds in :class:`CurationConfig`, overridable from a YAML file): non-finite values,
rigid bones, ground penetration, foot skating while in contact, jerk, a minimum length, and for
two-actor clips the two bodies passing through each other. Every
dropped clip is counted per reason, per action and per source in a :class:`CurationReport`; nothing
is dropped silently.

Public: :class:`CurationConfig`, :func:`clip_metrics`, :func:`check_clip`, :func:`quality_score`,
:class:`CurationReport`.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from stickgen import skeleton, vocab


@dataclass(frozen=True)
class CurationConfig:
    """Thresholds above which a clip is dropped."""

    max_bone_stretch: float = 0.01  # relative deviation of any bone from its median length
    max_penetration: float = 0.02  # metres below the ground, any joint
    max_skate_ratio: float = 0.10  # share of contact frames whose foot joint moves faster than skate_speed
    skate_speed: float = 0.10  # m/s, horizontal, for a foot joint labelled in contact
    max_jerk: float = 4000.0  # m/s^3, worst frame of the body's mean jerk (real clips reach 2800)
    min_frames: int = 25
    min_actor_gap: float = 0.20  # metres between the two actors' torsos (a hug keeps about 0.33)

    @classmethod
    def from_yaml(cls, path: str | Path) -> CurationConfig:
        """Defaults overridden by the keys of a YAML mapping; unknown keys raise ``ValueError``."""
        import yaml

        values = yaml.safe_load(Path(path).read_text()) or {}
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"{path}: unknown curation settings {sorted(unknown)}; known: {sorted(known)}")
        return cls(**values)


DEFAULT_CONFIG = CurationConfig()

# ----------------------------------------------------------------------------- metrics


def skate_ratio(joints: np.ndarray, contacts: np.ndarray, fps: float, speed: float = 0.10) -> float:
    """Share of contact frames in which the contacting foot joint slides faster than ``speed`` m/s.

    joints: ``[T, 22, 3]``; contacts: ``[T, 4]`` (``skeleton.FOOT_JOINTS`` order, 0/1). 0 when no contact.
    """
    feet = joints[:, list(skeleton.FOOT_JOINTS)]
    if len(feet) < 2:
        return 0.0
    velocity = np.linalg.norm(np.gradient(feet[..., [0, 2]], axis=0), axis=-1) * fps
    on = np.asarray(contacts) > 0.5
    return float((velocity[on] > speed).mean()) if on.any() else 0.0


def jerk(joints: np.ndarray, fps: float) -> float:
    """Worst frame of the jerk magnitude averaged over the 22 joints (m/s^3): ``[T, 22, 3] -> float``.

    Averaging over the body keeps a foot's impact from counting while a whole-body pop (a bad blend)
    stands out; 0 for clips under 4 frames."""
    if len(joints) < 4:
        return 0.0
    third = np.diff(joints, n=3, axis=0) * fps ** 3
    return float(np.linalg.norm(third, axis=-1).mean(axis=1).max())


TORSO = tuple(skeleton.JOINT_INDEX[n] for n in ("pelvis", "spine1", "spine2", "spine3"))


def actor_gap(joints: np.ndarray, partner: np.ndarray) -> float:
    """Closest horizontal distance between the two actors' torso joints over the clip (m):
    ``[T, 22, 3]`` twice -> float. Bodies closer than a hug walk through each other."""
    torso = np.asarray(joints)[:, TORSO][:, :, None, [0, 2]] - np.asarray(partner)[:, TORSO][:, None, :, [0, 2]]
    return float(np.linalg.norm(torso, axis=-1).min())


def clip_metrics(joints: np.ndarray, contacts: np.ndarray, fps: float, config: CurationConfig = DEFAULT_CONFIG) -> dict:
    """Everything the checks look at, for one actor ``joints: [T, 22, 3]``, ``contacts: [T, 4]``."""
    joints = np.asarray(joints, dtype=np.float64)
    finite = bool(np.all(np.isfinite(joints)))
    if not finite or len(joints) == 0:
        return {"finite": finite, "frames": len(joints), "bone_stretch": np.inf, "penetration": np.inf,
                "skate_ratio": 1.0, "jerk": np.inf}
    lengths = skeleton.bone_lengths(joints)
    median = np.median(lengths, axis=0)
    return {"finite": True, "frames": len(joints),
            "bone_stretch": float(np.max(np.abs(lengths - median) / np.maximum(median, 1e-6))),
            "penetration": float(max(0.0, -joints[..., 1].min())),
            "skate_ratio": skate_ratio(joints, contacts, fps, config.skate_speed), "jerk": jerk(joints, fps)}


def check_clip(metrics: dict, config: CurationConfig = DEFAULT_CONFIG) -> list[str]:
    """Reasons to drop a clip (empty list: keep)."""
    if not metrics["finite"]:
        return ["nan"]
    reasons = []
    if metrics["frames"] < config.min_frames:
        reasons.append("too_short")
    if metrics["bone_stretch"] > config.max_bone_stretch:
        reasons.append("bone_stretch")
    if metrics["penetration"] > config.max_penetration:
        reasons.append("ground_penetration")
    if metrics["skate_ratio"] > config.max_skate_ratio:
        reasons.append("foot_skate")
    if metrics["jerk"] > config.max_jerk:
        reasons.append("jerk")
    if metrics.get("actor_gap", np.inf) < config.min_actor_gap:
        reasons.append("actors_overlap")
    return reasons


def quality_score(metrics: dict, config: CurationConfig = DEFAULT_CONFIG) -> float:
    """1 for a clean clip, falling toward 0 as each measure nears its threshold (product of factors)."""
    if check_clip(metrics, config):
        return 0.0
    ratios = (metrics["bone_stretch"] / config.max_bone_stretch, metrics["penetration"] / config.max_penetration,
              metrics["skate_ratio"] / config.max_skate_ratio, metrics["jerk"] / config.max_jerk)
    return float(np.prod([1.0 - 0.5 * min(r, 1.0) ** 2 for r in ratios]))


# ----------------------------------------------------------------------------- report


@dataclass
class CurationReport:
    """Counts of kept and dropped clips per source, per action and per reason (mergeable across shards)."""

    kept: Counter = field(default_factory=Counter)  # key "source/action"
    dropped: Counter = field(default_factory=Counter)  # key "source/action"
    reasons: Counter = field(default_factory=Counter)  # key "source/reason", dropped clips
    flagged: Counter = field(default_factory=Counter)  # key "source/reason", kept anyway (real clips)
    clips: Counter = field(default_factory=Counter)  # key "source/kept" or "source/dropped", one per clip
    variants: Counter = field(default_factory=Counter)  # key "source/augmentation/reason", dropped variants

    def add(self, source: str, action_ids: np.ndarray, reasons: list[str], keep_anyway: bool = False) -> None:
        """Count one clip under each action it contains. ``keep_anyway`` (real clips, the reference of
        realism) keeps a clip that fails a check and counts its reasons as flagged."""
        actions = {vocab.ACTION_NAMES[int(a)] for a in np.unique(action_ids)}
        target = self.dropped if reasons and not keep_anyway else self.kept
        self.clips[f"{source}/{'dropped' if target is self.dropped else 'kept'}"] += 1
        for action in actions:
            target[f"{source}/{action}"] += 1
        for reason in reasons:
            (self.flagged if keep_anyway else self.reasons)[f"{source}/{reason}"] += 1

    def add_variant_drop(self, source: str, augmentation: str, reasons: list[str]) -> None:
        """Count an augmented variant dropped because it failed a check its source clip passed."""
        for reason in reasons:
            self.variants[f"{source}/{augmentation}/{reason}"] += 1

    def merge(self, other: CurationReport) -> None:
        for name in ("kept", "dropped", "reasons", "flagged", "clips", "variants"):
            getattr(self, name).update(getattr(other, name))

    def to_dict(self) -> dict:
        return {f.name: dict(sorted(getattr(self, f.name).items())) for f in fields(self)}

    @classmethod
    def from_dict(cls, doc: dict) -> CurationReport:
        return cls(**{f.name: Counter(doc.get(f.name, {})) for f in fields(cls)})

    def rejection_rate(self, source: str | None = None) -> float:
        """Share of clips dropped, overall or for one source."""
        def total(outcome):
            return sum(v for k, v in self.clips.items() if k.endswith("/" + outcome)
                       and (source is None or k.startswith(source + "/")))
        return total("dropped") / max(total("kept") + total("dropped"), 1)

    def to_markdown(self) -> str:
        keys = sorted(set(self.kept) | set(self.dropped))
        lines = [f"Clips: {dict(sorted(self.clips.items()))}; a clip counts once under each action it contains.", "",
                 "| source/action | kept | dropped |", "|---|---:|---:|"]
        lines += [f"| {k} | {self.kept[k]} | {self.dropped[k]} |" for k in keys]
        lines += ["", "| source/reason | clips |", "|---|---:|"]
        lines += [f"| {k} | {v} |" for k, v in sorted(self.reasons.items())] or ["| (none) | 0 |"]
        if self.variants:
            lines += ["", "Augmented variants dropped (their source clip was kept):", "",
                      "| source/augmentation/reason | variants |", "|---|---:|"]
            lines += [f"| {k} | {v} |" for k, v in sorted(self.variants.items())]
        if self.flagged:
            lines += ["", "Kept although a check failed (real clips):", "", "| source/reason | clips |", "|---|---:|"]
            lines += [f"| {k} | {v} |" for k, v in sorted(self.flagged.items())]
        return "\n".join(lines) + "\n"

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        (folder / "curation_report.json").write_text(json.dumps(self.to_dict(), indent=1) + "\n")
        (folder / "curation_report.md").write_text("# Curation report\n\n" + self.to_markdown())
