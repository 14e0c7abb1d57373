"""Check a saved pipeline folder before anything is built from it (:meth:`StickGenPipeline.from_pretrained`).

A hand-edited or damaged folder must fail with one line that names the file and the field, not with a
traceback from deep inside a model constructor or an allocation sized by a config value. The configs'
sizes are checked (positive whole numbers, heads that divide the width, a parameter count a machine can
hold) and every weights file's safetensors header is read (cheap: the header only) before any weight is
loaded.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

#: the config fields that size a model, per component
SIZE_FIELDS = ("d_model", "num_heads", "num_layers", "ffn_dim", "feature_dim", "text_dim", "num_actions")
#: the largest model the loader will build: 1e9 parameters are 4 GB of float32 (the large preset has 45 M)
MAX_PARAMETERS = 1_000_000_000
#: a config file is a few hundred bytes; anything larger is not one
MAX_CONFIG_BYTES = 1 << 20
WEIGHTS = {"planner": "model.safetensors", "refiner": "diffusion_pytorch_model.safetensors"}


class ModelFolderError(ValueError):
    """A pipeline folder that cannot be loaded; the message names the file and the field."""


def check_model_folder(folder: Path) -> None:
    """Raise :class:`ModelFolderError` for the first problem found in ``folder``'s configs and weights."""
    for component, weights in WEIGHTS.items():
        config = read_config(folder / component / "config.json")
        check_sizes(config, f"{component}/config.json")
        check_weights_header(folder / component / weights)


def read_config(path: Path) -> dict[str, Any]:
    """A component's config as a dict (at most :data:`MAX_CONFIG_BYTES`, strict JSON)."""
    from .story.strict_json import loads_strict

    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ModelFolderError(f"{path.parent.name}/{path.name}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ModelFolderError(f"{path.parent.name}/{path.name}: over {MAX_CONFIG_BYTES} bytes, not a config")
    try:
        config = loads_strict(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelFolderError(f"{path.parent.name}/{path.name}: not valid JSON ({exc})") from None
    if not isinstance(config, dict):
        raise ModelFolderError(f"{path.parent.name}/{path.name}: expected a JSON object")
    return config


def check_sizes(config: dict[str, Any], where: str) -> None:
    """The size fields present in ``config`` are positive whole numbers, the heads divide ``d_model``, and
    the parameter count they imply stays under :data:`MAX_PARAMETERS`."""
    for name in SIZE_FIELDS:
        value = config.get(name)
        if name in config and not (type(value) is int and value > 0):
            raise ModelFolderError(f"{where}: {name} must be a positive whole number, got {str(value)[:40]}")
    width, heads = config.get("d_model", 1), config.get("num_heads", 1)
    if width % heads:
        raise ModelFolderError(f"{where}: num_heads ({heads}) must divide d_model ({width})")
    layers, ffn = config.get("num_layers", 1), config.get("ffn_dim", 4 * width)
    parameters = layers * (4 * width * width + 3 * width * ffn)  # attention and gated feed-forward per layer
    if parameters > MAX_PARAMETERS:
        raise ModelFolderError(f"{where}: d_model {width}, ffn_dim {ffn} and num_layers {layers} make about "
                               f"{parameters:,} parameters, more than the {MAX_PARAMETERS:,} the loader builds")


def check_weights_header(path: Path) -> None:
    """Read the safetensors header of ``path`` (not the tensors): a truncated or foreign file fails here."""
    from safetensors import safe_open

    if not path.exists():
        raise ModelFolderError(f"{path.parent.name}/{path.name}: missing")
    try:
        with safe_open(str(path), framework="numpy") as weights:
            weights.keys()
    except Exception as exc:  # safetensors raises its own SafetensorError (and OSError) for a bad file
        raise ModelFolderError(f"{path.parent.name}/{path.name}: not a readable safetensors file "
                               f"({str(exc).splitlines()[0][:120]})") from None
