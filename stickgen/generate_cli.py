"""``stick-gen PROMPT -o OUT [-o OUT ...]``: text to stick-figure animation.

Outputs by extension: ``.mp4`` ``.gif`` ``.png`` (rendered), ``.motion`` ``.bvh`` ``.glb`` ``.gltf``
(exported), ``.json`` (the parsed script; needs no model). ``--script FILE.json`` runs an edited script
instead of a prompt. ``--prompts-file F --out-dir D`` makes one set of outputs per line of ``F`` with the
model loaded once. Progress goes to stderr; exit status 0 ok, 1 failed, 2 bad usage.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import vocab
from .sampling import SamplingSettings
from .story.summary import understood

RENDERED = (".mp4", ".gif", ".png")
EXPORTED = (".motion", ".bvh", ".glb", ".gltf")
SUFFIXES = RENDERED + EXPORTED + (".json",)
DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "stickgen-small"
TRAIN_HINT = "python -m training.train --config small --set run.out=runs/small"


class UsageError(ValueError):
    """Bad command-line input (exit status 2)."""


# ----------------------------------------------------------------------------- shared with the app


def default_model() -> str:
    """``$STICKGEN_MODEL``, else the shipped ``models/stickgen-small``."""
    return os.environ.get("STICKGEN_MODEL") or str(DEFAULT_MODEL)


@lru_cache(maxsize=2)
def shared_text_encoder(name: str):
    """One :class:`~stickgen.text.TextEncoder` per encoder name for every pipeline this process loads."""
    from .text import TextEncoder

    return TextEncoder(name)


def load_pipeline(model: str | None = None, text_encoder=None, backend: str = "pytorch"):
    """The :class:`~stickgen.pipeline.StickGenPipeline` at ``model`` (a folder or a Hub id) on ``backend``
    (``"onnx"``: the folder's ONNX models, exported and cached on first use, :func:`stickgen.onnx_export.cached_onnx`).

    A missing default model gives a ``FileNotFoundError`` that names the training command. Local
    pipelines share their text encoder (see :func:`shared_text_encoder`).
    """
    model = model or default_model()
    folder = Path(model).expanduser()
    hub_id = not folder.exists() and re.fullmatch(r"[\w.-]+/[\w.-]+", model) is not None
    if not hub_id and not (folder / "model_index.json").exists():
        raise FileNotFoundError(f"no Stick-Gen model at {model}; train the small model with `{TRAIN_HINT}` and "
                                f"copy runs/small/model to {DEFAULT_MODEL.relative_to(DEFAULT_MODEL.parents[1])}, or "
                                f"pass --model PATH_OR_HUB_ID (or set STICKGEN_MODEL)")
    from .pipeline import StickGenPipeline

    if text_encoder is None and not hub_id:
        index = json.loads((folder / "model_index.json").read_text())
        text_encoder = shared_text_encoder(index["text_encoder"]["name"])

    try:
        if hub_id:
            from huggingface_hub import snapshot_download

            folder = Path(snapshot_download(model))
        onnx_folder = None
        if backend == "onnx":
            from .onnx_export import cached_onnx

            onnx_folder = cached_onnx(folder)
        return StickGenPipeline.from_pretrained(str(folder), text_encoder=text_encoder, backend=backend,
                                                onnx_folder=onnx_folder)
    except Exception as exc:  # the Hub client raises many types; all mean "could not get this model"
        if not hub_id:
            raise
        raise FileNotFoundError(f"model {model!r} is neither a local folder nor a reachable Hub repository "
                                f"({type(exc).__name__}); train one with `{TRAIN_HINT}`") from None


def make_script(prompt: str | None, duration: float, llm: str = "none", script_json: str | None = None,
                pipe=None, **llm_options: Any):
    """The :class:`~stickgen.story.Script` of ``prompt`` (or of an edited ``script_json``).

    With a pipeline, the parser's embedding matcher runs on the pipeline's own text encoder.
    """
    from .story import Script, parse

    if script_json is not None:
        return Script.from_json(script_json)
    matcher = pipe.story_matcher() if pipe is not None else "embedding"
    return parse(prompt, duration, llm=llm, matcher=matcher, **llm_options)


def generate(pipe, script, seed: int = 0, fps: float = 25, camera: str | None = None,
             callback_on_window_end=None, image=None, image_time: float = 0.0, **settings: float | None):
    """Scene of ``script`` from ``pipe``; ``camera`` replaces the script's camera moves for the whole clip.
    ``image`` (a picture or a file) is a key pose of the first actor at ``image_time`` seconds, and its
    camera the scene's (``pipe(..., image=...)``).
    ``settings``: the pipeline's sampling keywords (:mod:`stickgen.sampling`); one left ``None`` uses the
    model's recommendation (``pipe.sampling``). ``callback_on_window_end(done, total)``: as the pipeline's."""
    from .story import script_to_plan

    plan = script_to_plan(script, fps=fps)
    scene = pipe(plan, seed=seed, fps=fps, callback_on_window_end=callback_on_window_end, image=image,
                 image_time=image_time, **settings).scenes[0]
    if camera is not None:
        scene.camera = {"moves": [{"move": camera, "start": 0, "end": scene.num_frames}]}
    return scene


def write_output(path: str | Path, scene, script, style: str = "normal", size: tuple[int, int] = (512, 512),
                 fps: float | None = None, on_frame=None) -> list[Path]:
    """Write ``scene`` (or ``script`` for ``.json``) to ``path`` by extension; returns the files written.
    ``on_frame(done, total)`` follows a rendered video's frames (:func:`stickgen.render.render`)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        from .motion import atomic_write

        return [atomic_write(path, script.to_json() + "\n")]
    if suffix in EXPORTED:
        from .export import export

        return export(scene, path)
    from .render import render

    return [render(scene, path, style=style, size=size, fps=fps, on_frame=on_frame)]


# ----------------------------------------------------------------------------- command line


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)[xX](\d+)", text.strip())
    if not match or not all(16 <= int(v) <= 4096 for v in match.groups()):
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT between 16 and 4096, such as 512x512; got {text!r}")
    return int(match.group(1)), int(match.group(2))


def _duration(text: str) -> float:
    value = float(text)
    if not 0.5 <= value <= 600:
        raise argparse.ArgumentTypeError(f"duration must be 0.5 to 600 seconds, got {text}")
    return value


def _fps(text: str) -> float:
    from .motion_checks import MAX_FPS, MIN_FPS

    value = float(text)
    if not MIN_FPS <= value <= MAX_FPS:
        raise argparse.ArgumentTypeError(f"fps must be {MIN_FPS} to {MAX_FPS}, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stick-gen", description=__doc__.splitlines()[0],
                                     epilog="subcommands: stick-gen render IN.motion -o OUT, stick-gen validate FILE")
    parser.add_argument("prompt", nargs="?", help="what happens, e.g. 'a man walks forward, then waves'")
    parser.add_argument("-o", "--output", action="append", default=[],
                        help="output file (repeatable): " + " ".join(SUFFIXES))
    parser.add_argument("--duration", type=_duration, default=10.0, help="seconds (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--style", default="normal", choices=vocab.RENDER_STYLES)
    parser.add_argument("--camera", default=None, choices=vocab.CAMERA_MOVES,
                        help="camera move for the whole clip (static: one fixed wide shot; "
                        "default: the script's camera, else the automatic director)")
    parser.add_argument("--model", default=None,
                        help=f"model folder or Hub id (default $STICKGEN_MODEL or {DEFAULT_MODEL})")
    parser.add_argument("--llm", default="none", choices=("none", "mock", "ollama", "grok"),
                        help="story parser: rules (none) or an LLM backend that falls back to it")
    parser.add_argument("--llm-model", default=None, help="model name for --llm ollama/grok")
    parser.add_argument("--llm-url", default=None, help="base URL for --llm ollama/grok")
    parser.add_argument("--image", default=None, metavar="FILE",
                        help="a picture of a stick figure (PNG/JPEG, a drawing or a frame of a render): the "
                             "animation passes through its pose, seen from its camera")
    parser.add_argument("--image-time", type=float, default=0.0, metavar="SECONDS",
                        help="when the picture's pose happens (default 0: the animation starts from it)")
    parser.add_argument("--backend", default="pytorch", choices=("pytorch", "onnx"),
                        help="run the models with PyTorch or onnxruntime (onnx: exported and cached on first use)")
    SamplingSettings.add_arguments(parser)
    parser.add_argument("--size", type=_size, default=(512, 512), help="WIDTHxHEIGHT of renders (default 512x512)")
    parser.add_argument("--fps", type=_fps, default=25.0, help="frames per second, 1-240 (default 25)")
    parser.add_argument("--script", default=None, help="run this script JSON (from -o x.json) instead of a prompt")
    parser.add_argument("--prompts-file", default=None, help="batch: one prompt per line")
    parser.add_argument("--out-dir", default=None, help="batch: folder for the outputs")
    parser.add_argument("--formats", default="mp4,motion", help="batch: extensions to write (default mp4,motion)")
    return parser


def _jobs(args) -> list[tuple[str | None, str | None, list[str]]]:
    """(prompt, script JSON, outputs) per job; raises :class:`UsageError` on bad combinations."""
    if args.image is not None and not Path(args.image).is_file():
        raise UsageError(f"--image {args.image}: no such file")
    if args.prompts_file:
        if args.prompt or args.script or args.output:
            raise UsageError("--prompts-file takes no PROMPT, --script or -o (use --out-dir and --formats)")
        if not args.out_dir:
            raise UsageError("--prompts-file needs --out-dir")
        formats = ["." + f.strip().lstrip(".").lower() for f in args.formats.split(",") if f.strip()]
        _check_suffixes(formats)
        try:
            lines = Path(args.prompts_file).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UsageError(f"cannot read --prompts-file: {exc}") from None
        prompts = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
        if not prompts:
            raise UsageError(f"{args.prompts_file} has no prompts")
        out = Path(args.out_dir)
        return [(p, None, [str(out / f"{k:03d}_{slug(p)}{ext}") for ext in formats]) for k, p in enumerate(prompts)]
    if not args.output:
        raise UsageError("give at least one output with -o OUT (for example -o clip.mp4)")
    _check_suffixes([Path(o).suffix.lower() for o in args.output])
    if args.script:
        try:
            return [(None, Path(args.script).read_text(encoding="utf-8"), args.output)]
        except OSError as exc:
            raise UsageError(f"cannot read --script: {exc}") from None
    if not args.prompt or not args.prompt.strip():
        raise UsageError("give a PROMPT, e.g. stick-gen \"a man walks forward, then waves\" -o clip.mp4")
    return [(args.prompt, None, args.output)]


def _check_writable(outputs: list[str]) -> None:
    """Every output's folder exists (or can be made under an existing writable one) and is writable: checked
    before the model loads, so a typo costs no generation."""
    for output in outputs:
        folder = Path(output).expanduser().resolve().parent
        existing = next(p for p in (folder, *folder.parents) if p.exists())
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            raise UsageError(f"cannot write {output}: {existing} is not a writable folder")
        if Path(output).is_dir():
            raise UsageError(f"cannot write {output}: it is a folder")


def _check_suffixes(suffixes: list[str]) -> None:
    bad = [s or "(none)" for s in suffixes if s not in SUFFIXES]
    if bad:
        raise UsageError(f"cannot write {', '.join(bad)}: outputs must end in {' '.join(SUFFIXES)}")


def slug(prompt: str) -> str:
    """A file name stem from a prompt: "A man waves!" -> "a_man_waves" (at most 40 characters)."""
    return re.sub(r"[^a-z0-9]+", "_", prompt.lower()).strip("_")[:40] or "clip"


def _say(message: str) -> None:
    print(f"stick-gen: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        jobs = _jobs(args)
        _check_writable([o for _, _, outputs in jobs for o in outputs])
    except UsageError as exc:
        _say(f"error: {exc}")
        return 2
    llm_options = {}
    if args.llm in ("grok", "ollama"):
        llm_options = {k: v for k, v in (("model", args.llm_model),
                                         ("base_url" if args.llm == "grok" else "host", args.llm_url)) if v}
    needs_model = any(Path(o).suffix.lower() != ".json" for _, _, outputs in jobs for o in outputs)
    from .story import ScriptError

    pipe = None
    if needs_model:
        started = time.perf_counter()
        _say("loading model ...")
        try:
            pipe = load_pipeline(args.model, backend=args.backend)
        except (FileNotFoundError, OSError, ValueError) as exc:
            _say(f"error: {exc}")
            return 1
        _say(f"model {pipe.name} loaded ({time.perf_counter() - started:.1f} s)")
    failures = 0
    for k, (prompt, script_json, outputs) in enumerate(jobs):
        tag = f"[{k + 1}/{len(jobs)}] " if len(jobs) > 1 else ""
        started = time.perf_counter()
        try:
            script = make_script(prompt, args.duration, args.llm, script_json, pipe, **llm_options)
            _say(f"{tag}understood:")
            for line in understood(script).splitlines():
                _say(f"{tag}  {line.replace('**', '')}")
            scene = None
            if pipe is not None and any(Path(o).suffix.lower() != ".json" for o in outputs):
                _say(f"{tag}generating {len(script.characters)} actor(s), {script.duration:g} s ...")
                scene = generate(pipe, script, seed=args.seed, fps=args.fps, camera=args.camera,
                                 image=args.image, image_time=args.image_time, **SamplingSettings.from_arguments(args))
            for output in outputs:
                for written in write_output(output, scene, script, style=args.style, size=args.size, fps=args.fps):
                    _say(f"{tag}wrote {written}")
        except (ScriptError, ValueError, OSError) as exc:
            _say(f"{tag}error: {exc}")
            failures += 1
            continue
        _say(f"{tag}done in {time.perf_counter() - started:.2f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
