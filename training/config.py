"""Training configuration: typed sections read from YAML, overridable with ``--set section.key=value``.

A config file may name a ``base:`` file (relative to itself) whose values it overrides. Every value
that affects the result lives here and is saved next to each checkpoint and in the output folder, so
a run can be repeated from its own ``training_config.yaml``. Mistakes fail early with the key named::

    ConfigError: optim.lr: expected a number, got 'fast'
    ConfigError: unknown key 'optim.learning_rate' (known: betas, grad_accum, ...)
"""
from __future__ import annotations

import dataclasses
import inspect
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from stickgen import vocab

CONFIG_DIR = Path(__file__).parent / "configs"
STAGES = ("planner", "sft", "lora", "refiner")
MIXED_PRECISION = ("no", "bf16", "fp16", "auto")
SCALAR_TYPES = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}


class ConfigError(ValueError):
    """A config value is missing, unknown, of the wrong type or out of range; the message names the key."""


# ----------------------------------------------------------------------------- sections


@dataclass
class DataConfig:
    """Which rows are trained on and how a training window is cut from them."""

    path: str = "data/dataset"  # folder written by save_to_disk, or a Hub dataset id
    train_split: str = "train"
    validation_split: str = "validation"
    crop_frames: int = 250  # training window (frames); longer clips are cropped at a random start
    min_quality: float | None = None  # keep rows with quality >= this ...
    keep_sources: list[str] = field(default_factory=list)  # ... or whose source is listed (SFT subset)
    max_train_rows: int | None = None
    max_validation_rows: int = 256
    known_prefix_prob: float = 0.25  # share of windows whose first window_overlap frames are given
    stats_rows: int = 2000  # rows used for the feature normalisation statistics
    canonical_hand: bool = False  # mirror left-handed one-hand windows to right-handed (docs/TRAINING.md)
    canonical_hand_actions: list[str] = field(default_factory=list)  # ... only windows with these (empty: any)
    text_cache: str | None = "runs/text_cache"  # folder caching description embeddings (None = off)


@dataclass
class ModelConfig:
    preset: str = "small"
    text_encoder: str = "sentence-transformers/all-MiniLM-L6-v2"
    planner: dict[str, Any] = field(default_factory=dict)  # StickGenConfig field overrides
    refiner: dict[str, Any] = field(default_factory=dict)  # StickGenRefiner field overrides


@dataclass
class OptimConfig:
    lr: float = 3e-4
    weight_decay: float = 0.01
    betas: list[float] = field(default_factory=lambda: [0.9, 0.99])
    warmup_steps: int = 100
    max_steps: int = 2000
    min_lr_ratio: float = 0.1  # cosine decay ends at lr * min_lr_ratio
    grad_clip: float = 1.0
    micro_batch_size: int = 16  # clips per process per forward pass
    grad_accum: int = 1


@dataclass
class LossConfig:
    """Weight of each term (see :mod:`training.losses`); 0 switches a term off."""

    feature: float = 1.0
    root_position: float = 0.5
    root_velocity: float = 0.5
    action: float = 0.2
    contact: float = 0.2
    physics_head: float = 0.05
    velocity_consistency: float = 0.1
    acceleration_consistency: float = 0.02
    foot_slide: float = 0.0  # 0.1 slowed the planner's walk to a third of the data's (docs/TRAINING.md)
    penetration: float = 1.0
    bone_length: float = 1.0
    ballistic: float = 0.02
    condition_dropout: float = 0.1  # refiner: share of the batch trained without condition
    pace_prob: float = 0.0  # refiner: share of windows whose plan is paced to their true locomotion speeds
    denoise_velocity: float = 1.0  # refiner: frame-to-frame differences of the denoised sample vs the target


@dataclass
class LoraConfig:
    r: int = 8
    alpha: int = 16
    dropout: float = 0.0
    target_modules: list[str] = field(default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"])
    adapter_name: str = "default"


@dataclass
class RunConfig:
    stage: str = "planner"  # planner | sft | lora | refiner
    out: str = "runs/small"
    init_from: str | None = None  # a pipeline folder to start from (required by sft, lora, refiner)
    refiner_from_init: bool = False  # refiner stage: go on training init_from's refiner, not a fresh one
    seed: int = 0
    mixed_precision: str = "auto"  # no | bf16 | fp16 | auto (bf16 where the GPU has it)
    log_every: int = 10
    eval_every: int = 100
    checkpoint_every: int = 200
    keep_checkpoints: int = 2
    patience: int = 0  # evaluations without improvement before stopping; 0 = never stop early
    max_minutes: float | None = None  # wall-clock budget; the best model so far is kept
    tensorboard: bool = True


@dataclass
class TrainingConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    lora: LoraConfig = field(default_factory=LoraConfig)
    run: RunConfig = field(default_factory=RunConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)


# ----------------------------------------------------------------------------- parsing


def _coerce(key: str, value: Any, annotation: Any) -> Any:
    """``value`` checked against (and converted to) the type ``annotation``, or :class:`ConfigError`."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        return _coerce(key, value, next(a for a in args if a is not type(None)))
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{key}: expected a list, got {value!r}")
        return [_coerce(f"{key}[{i}]", v, args[0]) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a mapping, got {value!r}")
        return dict(value)
    if annotation is float and isinstance(value, str):  # YAML 1.1 reads 3e-4 (no dot) as a string
        try:
            value = float(value)
        except ValueError:
            pass
    if annotation is str and isinstance(value, bool):  # YAML 1.1 reads no/yes (mixed_precision: no) as booleans
        value = "yes" if value else "no"
    if annotation in SCALAR_TYPES:
        accepted = (int, float) if annotation is float else annotation
        if isinstance(value, bool) is not (annotation is bool) or not isinstance(value, accepted):
            raise ConfigError(f"{key}: expected {SCALAR_TYPES[annotation]}, got {value!r}")
        return float(value) if annotation is float else value
    raise ConfigError(f"{key}: unsupported type {annotation}")


def _build(cls: type, values: dict[str, Any], prefix: str) -> Any:
    if not isinstance(values, dict):
        raise ConfigError(f"{prefix.rstrip('.') or 'config'}: expected a mapping, got {values!r}")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise ConfigError(f"unknown key '{prefix}{unknown[0]}' (known: {', '.join(sorted(names))})")
    kwargs = {}
    for name, value in values.items():
        hint = hints[name]
        if dataclasses.is_dataclass(hint):
            kwargs[name] = _build(hint, value, f"{prefix}{name}.")
        else:
            kwargs[name] = _coerce(prefix + name, value, hint)
    return cls(**kwargs)


def _merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in update.items():
        sections = isinstance(value, dict) and isinstance(out.get(key), dict) and key not in ("planner", "refiner")
        out[key] = _merge(out[key], value) if sections else value
    return out


def _read_yaml(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text()) or {}
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    base = doc.pop("base", None)
    if not base:
        return doc
    beside = path.parent / base  # a file next to this one, else a bundled config ("small" or "small.yaml")
    return _merge(_read_yaml(beside if beside.exists() else resolve_config_path(Path(base).stem)), doc)


def resolve_config_path(name_or_path: str | Path) -> Path:
    """``small`` -> ``training/configs/small.yaml``; a path is returned as is (it must exist)."""
    path = Path(name_or_path)
    if not path.exists() and not path.suffix:
        path = CONFIG_DIR / f"{name_or_path}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in CONFIG_DIR.glob("*.yaml")))
        raise ConfigError(f"config {str(name_or_path)!r} not found (bundled: {known})")
    return path


def parse_override(text: str) -> tuple[list[str], Any]:
    """``"optim.lr=3e-4"`` -> (``["optim", "lr"]``, ``0.0003``); the value is read as YAML."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"override {text!r}: expected section.key=value")
    return key.strip().split("."), yaml.safe_load(raw) if raw.strip() else None


def load_config(name_or_path: str | Path | None = None, overrides: list[str] | tuple[str, ...] = (),
                values: dict[str, Any] | None = None) -> TrainingConfig:
    """Read a config (a bundled name, a YAML path or None for the defaults), then apply ``values``
    (a nested dict) and ``overrides`` (``section.key=value`` strings), then validate."""
    doc = _read_yaml(resolve_config_path(name_or_path)) if name_or_path is not None else {}
    doc = _merge(doc, values or {})
    for text in overrides:
        keys, value = parse_override(text)
        node = doc
        for k in keys[:-1]:
            node = node.setdefault(k, {})
            if not isinstance(node, dict):
                raise ConfigError(f"override {text!r}: {k} is not a section")
        node[keys[-1]] = value
    config = _build(TrainingConfig, doc, "")
    validate(config)
    return config


def validate(config: TrainingConfig) -> None:
    """Range and consistency checks; raises :class:`ConfigError` naming the offending key."""
    checks = [
        ("run.stage", config.run.stage in STAGES, f"must be one of {', '.join(STAGES)}"),
        ("run.mixed_precision", config.run.mixed_precision in MIXED_PRECISION,
         f"must be one of {', '.join(MIXED_PRECISION)}"),
        ("run.init_from", config.run.stage == "planner" or config.run.init_from is not None,
         f"stage {config.run.stage!r} needs a pipeline folder to start from"),
        ("data.min_quality", config.run.stage != "sft" or config.data.min_quality is not None
         or bool(config.data.keep_sources), "stage 'sft' needs data.min_quality or data.keep_sources"),
        ("data.crop_frames", config.data.crop_frames >= 2, "must be at least 2"),
        ("data.known_prefix_prob", 0.0 <= config.data.known_prefix_prob <= 1.0, "must be in [0, 1]"),
        ("data.max_validation_rows", config.data.max_validation_rows >= 0, "must be >= 0"),
        ("data.stats_rows", config.data.stats_rows >= 1, "must be >= 1"),
        ("data.canonical_hand_actions", set(config.data.canonical_hand_actions) <= set(vocab.ACTION_NAMES),
         "must name actions of the vocabulary (stickgen.vocab)"),
        ("optim.lr", config.optim.lr > 0, "must be positive"),
        ("optim.weight_decay", config.optim.weight_decay >= 0, "must be >= 0"),
        ("optim.betas", len(config.optim.betas) == 2 and all(0 <= b < 1 for b in config.optim.betas),
         "must be two numbers in [0, 1)"),
        ("optim.warmup_steps", config.optim.warmup_steps >= 0, "must be >= 0"),
        ("optim.max_steps", config.optim.max_steps >= 1, "must be >= 1"),
        ("optim.min_lr_ratio", 0.0 <= config.optim.min_lr_ratio <= 1.0, "must be in [0, 1]"),
        ("optim.grad_clip", config.optim.grad_clip > 0, "must be positive"),
        ("optim.micro_batch_size", config.optim.micro_batch_size >= 1, "must be >= 1"),
        ("optim.grad_accum", config.optim.grad_accum >= 1, "must be >= 1"),
        ("lora.r", config.lora.r >= 1, "must be >= 1"),
        ("lora.target_modules", bool(config.lora.target_modules), "must name at least one module"),
        ("run.log_every", config.run.log_every >= 1, "must be >= 1"),
        ("run.eval_every", config.run.eval_every >= 1, "must be >= 1"),
        ("run.checkpoint_every", config.run.checkpoint_every >= 1, "must be >= 1"),
        ("run.keep_checkpoints", config.run.keep_checkpoints >= 1, "must be >= 1"),
        ("run.patience", config.run.patience >= 0, "must be >= 0"),
        ("loss.condition_dropout", 0.0 <= config.loss.condition_dropout < 1.0, "must be in [0, 1)"),
        ("loss.pace_prob", 0.0 <= config.loss.pace_prob <= 1.0, "must be in [0, 1]"),
    ]
    checks += [(f"loss.{f.name}", getattr(config.loss, f.name) >= 0, "must be >= 0")
               for f in dataclasses.fields(LossConfig)]
    for key, ok, message in checks:
        if not ok:
            section, name = key.split(".")
            raise ConfigError(f"{key}: {message}, got {getattr(getattr(config, section), name)!r}")
    from stickgen.models import PLANNER_PRESETS, StickGenConfig
    from stickgen.models.modeling_refiner import StickGenRefiner

    if config.model.preset not in PLANNER_PRESETS:
        raise ConfigError(f"model.preset: must be one of {', '.join(PLANNER_PRESETS)}, "
                          f"got {config.model.preset!r}")
    for section, cls in (("planner", StickGenConfig), ("refiner", StickGenRefiner)):
        known = set(inspect.signature(cls.__init__).parameters) - {"self", "kwargs"}
        for key in getattr(config.model, section):
            if key not in known:
                raise ConfigError(f"unknown key 'model.{section}.{key}' (known: {', '.join(sorted(known))})")
