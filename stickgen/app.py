"""The Stick-Gen Gradio app (also the Hugging Face Space, through the top-level ``app.py``).

A prompt (or an edited script) becomes an MP4, the interactive 60 fps web player of the same scene,
downloads (.motion, BVH, GLB, GIF) and the parsed script as editable JSON. Generation runs in a queue
with a concurrency limit; ``generate`` and ``run_script`` are API endpoints ``gradio_client`` can call.
No analytics, no share links: the app only ever talks to its own browser clients.
"""
from __future__ import annotations

import os
import random
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any

from . import vocab
from .app_limits import (
    DURATION_RANGE_S,
    MAX_PROMPT_CHARS,
    Deadline,
    RequestRefused,
    check_duration,
    check_prompt,
    check_script,
    prune_runs,
    release_memory,
    visitor_waits,
)
from .generate_cli import DEFAULT_MODEL, default_model, generate, load_pipeline, make_script, slug, write_output

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

#: example prompts
EXAMPLES = [
    "a man walks forward quickly, then waves",
    "two friends walk toward each other and shake hands",
    "a woman runs in a circle, then jumps for joy",
    "five people dance in a circle",
    "a girl sits down, then stands up and says 'hello!'",
    "a batter swings a bat, then runs around the bases. The camera tracks him.",
    "a kid kicks three times, then claps twice",
]
CAMERA_CHOICES = ["from the script", *vocab.CAMERA_MOVES]
VIDEO_SIZE = (512, 512)
GIF_SIZE, GIF_FPS = (256, 256), 12.5
#: the page's own script on Generate and again when the answer arrives: on a narrow screen (the columns stacked)
#: scroll to the result (the second time in case the page's layout moved it while the request ran)
SCROLL_TO_RESULT = ("() => { if (window.innerWidth < 700) "
                    "document.getElementById('understood')?.scrollIntoView({behavior: 'smooth'}); }")
RENDER_CHECK_FRAMES = 25  # the video's frames between deadline checks and progress updates (a second at 25 fps)
CONCURRENCY = int(os.environ.get("STICKGEN_CONCURRENCY", "2"))
OUTPUT_ROOT = Path(tempfile.gettempdir()) / "stickgen-app"
MAX_PICTURE_SIDE = 4096
#: the sketch pad's example: a pose drawn by hand (arms up), what "start from this pose" takes
EXAMPLE_DRAWING = Path(__file__).resolve().parents[1] / "examples" / "pose_drawing.png"


def default_backend() -> str:
    """The backend the app runs planner and refiner on: ``$STICKGEN_BACKEND`` ("pytorch" or "onnx") if set,
    else ONNX where onnxruntime and Optimum's exporter are installed (the first load exports the model
    and caches it, :func:`stickgen.onnx_export.cached_onnx`; same joints to 1e-5, faster on a CPU), else
    PyTorch (the Space, which installs neither)."""
    chosen = os.environ.get("STICKGEN_BACKEND")
    if chosen:
        if chosen not in ("pytorch", "onnx"):
            raise ValueError(f"STICKGEN_BACKEND must be 'pytorch' or 'onnx', got {chosen!r}")
        return chosen
    from importlib.util import find_spec

    return "onnx" if find_spec("onnxruntime") and find_spec("optimum") else "pytorch"


class _Pipelines:
    """Loaded pipelines by model source (a folder or Hub id the operator chose), each loaded once even
    under concurrent requests; visitors reach only the sources :func:`model_choices` offers, so the
    cache holds at most that many. ``backend`` (default :func:`default_backend`): an ONNX export that
    fails falls back to PyTorch with a warning."""

    def __init__(self, backend: str | None = None) -> None:
        self._loaded: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.backend = backend or default_backend()

    def _load(self, model: str):
        if self.backend == "onnx":
            try:
                return load_pipeline(model, backend="onnx")
            except (ImportError, RuntimeError, ValueError) as exc:  # the exporter or onnxruntime refused it
                warnings.warn(f"ONNX backend unavailable for {Path(model).name} ({type(exc).__name__}: {exc}); "
                              "running PyTorch", stacklevel=2)
        return load_pipeline(model)

    def get(self, model: str):
        """The pipeline of ``model``, loaded once, with its text encoder warmed up before the first request."""
        with self._lock:
            if model not in self._loaded:
                pipe = self._load(model)
                pipe.text_encoder.encode(["a person stands still"])
                self._loaded[model] = pipe
            return self._loaded[model]

    def preload(self, model: str) -> None:
        """Load ``model`` ahead of the first request (an error is left for that request to report)."""
        try:
            self.get(model)
        except (FileNotFoundError, OSError, ValueError):
            pass


def model_choices(extra: str | None = None) -> dict[str, str]:
    """The models a visitor may pick, by the name the app shows -> the folder or Hub id it loads: the
    operator's ``extra`` (``--model``) first, then the default model and every pipeline folder under
    ``models/`` next to it. Names are folder names (a Hub id stays as it is), never server paths."""
    sources = [extra] if extra else []
    sources.append(default_model())
    if DEFAULT_MODEL.parent.is_dir():
        sources += sorted(str(p) for p in DEFAULT_MODEL.parent.iterdir() if (p / "model_index.json").exists())
    choices: dict[str, str] = {}
    for source in dict.fromkeys(sources):
        name = source if not Path(source).exists() else Path(source).name
        while name in choices:  # two folders of the same name: the later one is told apart
            name += "'"
        choices[name] = source
    return choices


def random_seed() -> int:
    """A fresh seed for the randomise button (the user asked for randomness; generation stays seeded)."""
    return random.SystemRandom().randrange(2**31)


def run(pipelines: _Pipelines, models: dict[str, str], prompt: str | None, script_json: str | None,
        duration: float, seed: float, model: str, style: str, camera: str, llm: str,
        progress, deadline: Deadline | None = None, pose_image: Any = None, pose_time: float = 0.0,
        ) -> tuple[str, str, str, list[str], str]:
    """One request: (what was understood, as Markdown; mp4 path; player HTML; download paths; script JSON).
    ``models``: the names a visitor may pick (:func:`model_choices`); every input is checked against
    :mod:`stickgen.app_limits` first; ``deadline`` (default: :data:`stickgen.app_limits.REQUEST_SECONDS`)
    is checked between stages; ``pose_image`` (the sketch pad's value, a picture or None) is a key pose at
    ``pose_time`` seconds (:func:`picture_of`). The last of :func:`run_in_stages`' answers."""
    *_, last = run_in_stages(pipelines, models, prompt, script_json, duration, seed, model, style, camera, llm,
                             progress, deadline, pose_image, pose_time)
    return last


def run_in_stages(pipelines: _Pipelines, models: dict[str, str], prompt: str | None, script_json: str | None,
                  duration: float, seed: float, model: str, style: str, camera: str, llm: str,
                  progress, deadline: Deadline | None = None, pose_image: Any = None, pose_time: float = 0.0):
    """:func:`run` as a generator of two answers: once the video exists (no downloads yet), then whole. The
    memory the request freed goes back to the system when it ends (:func:`stickgen.app_limits.release_memory`)."""
    deadline = deadline or Deadline()
    try:
        yield from _stages(pipelines, models, prompt, script_json, duration, seed, model, style, camera, llm,
                           progress, deadline, pose_image, pose_time)
    finally:
        release_memory()


def picture_of(pose_image: Any) -> Any:
    """The picture in the sketch pad's value (an ``ImageEditor`` dict, whose ``composite`` is what the visitor
    sees; or a picture as it is), or None when there is none or it is blank (one colour). A
    :class:`~stickgen.app_limits.RequestRefused` for a picture over :data:`MAX_PICTURE_SIDE` pixels a side."""
    import numpy as np

    picture = pose_image.get("composite") if isinstance(pose_image, dict) else pose_image
    if picture is None:
        return None
    array = np.asarray(picture)
    if array.ndim < 2 or max(array.shape[:2]) > MAX_PICTURE_SIDE:
        raise RequestRefused(f"pose picture: at most {MAX_PICTURE_SIDE} pixels a side, got {list(array.shape[:2])}")
    if array.ndim == 3 and array.shape[-1] == 4:
        array = np.where(array[..., 3:] > 0, array, 255)  # transparent: the white paper
    return None if np.ptp(array.reshape(-1, array.shape[-1] if array.ndim == 3 else 1), axis=0).max() < 8 \
        else picture


def _stages(pipelines: _Pipelines, models: dict[str, str], prompt: str | None, script_json: str | None,
            duration: float, seed: float, model: str, style: str, camera: str, llm: str, progress, deadline: Deadline,
            pose_image: Any = None, pose_time: float = 0.0):
    """The stages of :func:`run_in_stages` (checks, generation, video, downloads) under ``deadline``."""
    import gradio as gr

    from .render.web import player_iframe
    from .story import ScriptError
    from .story.summary import understood

    try:
        if model not in models:
            raise RequestRefused(f"model: {str(model)[:60]!r} is not offered here; choose one of: {', '.join(models)}")
        seconds = check_duration(duration)
        text = check_prompt(prompt) if script_json is None else None
        picture = picture_of(pose_image)
        progress(0.05, desc="loading model")
        try:
            pipe = pipelines.get(models[model])
        except (FileNotFoundError, OSError):
            raise RequestRefused(f"model: {model!r} could not be loaded on this server") from None
        progress(0.15, desc="reading the story")
        script = make_script(text, seconds, llm, script_json, pipe)
        check_script(script)
        deadline.check("generating motion")
        progress(0.3, desc="generating motion")

        def window_end(done: int, total: int) -> None:  # a visitor who left or a spent budget stops it here
            deadline.check(f"window {done + 1} of {total}" if done < total else "placing the figures")
            progress(0.3 + 0.3 * done / max(total, 1), desc=f"generating motion: window {done} of {total}")

        scene = generate(pipe, script, seed=int(seed), camera=None if camera == CAMERA_CHOICES[0] else camera,
                         callback_on_window_end=window_end, image=picture, image_time=float(pose_time or 0.0))
        OUTPUT_ROOT.mkdir(parents=True, exist_ok=True)
        prune_runs(OUTPUT_ROOT)
        folder = Path(tempfile.mkdtemp(prefix="run-", dir=OUTPUT_ROOT))
        deadline.check("rendering the video")
        progress(0.6, desc="rendering video")

        def frame_done(done: int, total: int) -> None:  # every second of video: stop if wanted, show progress
            if done % RENDER_CHECK_FRAMES == 0 and done < total:
                deadline.check(f"frame {done + 1} of {total} of the video")
                progress(0.6 + 0.2 * done / total, desc=f"rendering video: frame {done} of {total}")

        stem = folder / slug(script.title)  # downloads named after the prompt, not all stickgen.*
        video = write_output(stem.with_suffix(".mp4"), scene, script, style=style, size=VIDEO_SIZE,
                             on_frame=frame_done)[0]
        summary = "**What I understood**\n\n" + understood(script)
        shown = (summary, str(video), player_iframe(scene, height=420, style=style))
        yield *shown, [], script.to_json()  # the video and the player first; the files follow
        deadline.check("exporting files")
        progress(0.8, desc="exporting files")
        files = [p for ext in (".motion", ".bvh", ".glb") for p in write_output(stem.with_suffix(ext), scene, script)]
        files += write_output(stem.with_suffix(".gif"), scene, script, style=style, size=GIF_SIZE, fps=GIF_FPS)
        progress(1.0, desc="done")
    except (ScriptError, ValueError) as exc:  # RequestRefused is a ValueError
        raise gr.Error(str(exc)) from None
    yield *shown, [str(p) for p in files], script.to_json()


def kept_on_error(answers):
    """The ``answers`` of a request, or, once it fails with a message for the visitor, that message in the
    summary's place and every other output left as it was (the last video, player, downloads and the
    script being edited)."""
    import gradio as gr

    try:
        yield from answers
    except gr.Error as exc:
        yield (f"**Could not run this:** {exc.message}\n\nThe last result and your script are kept; fix "
               "the input and run again.", gr.skip(), gr.skip(), gr.skip(), gr.skip())


def build_app(model: str | None = None, pipelines: _Pipelines | None = None):
    """The Gradio ``Blocks`` of the app; ``model`` (a folder or Hub id, the operator's choice) is offered
    first and preselected."""
    import gradio as gr

    pipelines = pipelines or _Pipelines()
    models = model_choices(model)
    choices = list(models)
    with gr.Blocks(title="Stick-Gen", analytics_enabled=False) as app:
        gr.Markdown("# Stick-Gen\nType what happens; get a stick-figure animation, a 60 fps player, "
                    "and files for Blender, Unity or three.js.")
        with gr.Row():
            with gr.Column(scale=2):
                prompt = gr.Textbox(label="Prompt", lines=1, max_lines=4, elem_id="prompt", max_length=MAX_PROMPT_CHARS,
                                    placeholder="two friends walk toward each other and shake hands",
                                    info=f"up to {MAX_PROMPT_CHARS} characters; Enter generates, Shift+Enter "
                                         "starts a new line")
                with gr.Row():
                    duration = gr.Slider(*DURATION_RANGE_S, value=10, step=0.5, label="Duration (s)")
                    seed = gr.Number(value=0, precision=0, label="Seed", minimum=0)
                    shuffle = gr.Button("Randomise seed", size="sm")
                with gr.Row():
                    variant = gr.Dropdown(choices, value=choices[0], label="Model")
                    style = gr.Dropdown(list(vocab.RENDER_STYLES), value="normal", label="Style")
                    camera = gr.Dropdown(CAMERA_CHOICES, value=CAMERA_CHOICES[0], label="Camera",
                                         info="from the script: its camera moves, else the automatic "
                                              "director; static: one fixed wide shot")
                    llm = gr.Dropdown(["none", "mock", "ollama", "grok"], value="none", label="Story parser (LLM)",
                                      info="none: the built-in offline parser; ollama: a local Ollama server "
                                           "($OLLAMA_HOST); grok: xAI's API ($XAI_API_KEY); mock: a canned reply "
                                           "(testing). Without its server or key the built-in parser is used, "
                                           "and the summary says so.")
                go = gr.Button("Generate", variant="primary", elem_id="generate")
                # a dropdown, not gr.Examples: its example table next to the Video and Code components makes
                # Gradio 6's page throw on load
                example = gr.Dropdown(EXAMPLES, value=None, label="Examples", elem_id="examples")
                with gr.Accordion("Start from a picture (optional)", open=False, elem_id="pose-panel"):
                    pose_image = gr.ImageEditor(
                        label="A stick-figure pose: draw it, or upload a drawing or a frame of a Stick-Gen video",
                        type="numpy", image_mode="RGBA", sources=("upload", "clipboard"), layers=False,
                        transforms=(), canvas_size=(384, 384), elem_id="pose-image",
                        brush=gr.Brush(colors=["#111111"], default_size=6, color_mode="fixed"))
                    with gr.Row():
                        pose_time = gr.Slider(0, DURATION_RANGE_S[1], value=0, step=0.5, label="The pose at (s)",
                                              info="0: the animation starts from it; the video is seen from "
                                                   "the picture's side")
                        drawing = gr.Button("Example drawing", size="sm", elem_id="pose-example")
            with gr.Column(scale=3):
                summary = gr.Markdown("What the story engine understood appears here.", elem_id="understood")
                video = gr.Video(label="Animation (MP4)", elem_id="video", autoplay=True)
                gr.Markdown("**Interactive player** (60 fps): drag to orbit, scroll or pinch to zoom, double-click "
                            "to go back to the video's camera.", elem_id="player-hint")
                player = gr.HTML(label="Interactive player", elem_id="player")
                files = gr.File(label="Downloads", file_count="multiple", elem_id="downloads")
        with gr.Accordion("Script (edit the JSON and re-run)", open=False):
            script = gr.Code(language="json", interactive=True, label="Script", elem_id="script")
            rerun = gr.Button("Run this script", elem_id="rerun")
        outputs = [summary, video, player, files, script]
        settings = [duration, seed, variant, style, camera, llm, pose_image, pose_time]

        def stages(prompt: str | None, script: str | None, request: gr.Request, progress, *settings):
            if script is not None and not script.strip():
                raise gr.Error("the script is empty: generate from a prompt first, then edit its JSON")
            deadline = Deadline(still_wanted=visitor_waits(app, getattr(request, "session_hash", None)))
            *chosen, pose_image, pose_time = settings
            yield from run_in_stages(pipelines, models, prompt, script, *chosen, progress=progress,
                                     deadline=deadline, pose_image=pose_image, pose_time=pose_time)

        def from_prompt(prompt: str, duration: float, seed: float, model: str, style: str, camera: str,
                        llm: str, pose_image: Any = None, pose_time: float = 0.0, request: gr.Request = None,
                        progress=gr.Progress()):
            *_, last = stages(prompt, None, request, progress, duration, seed, model, style, camera, llm,
                              pose_image, pose_time)
            return last

        def from_script(script: str, duration: float, seed: float, model: str, style: str, camera: str,
                        llm: str, pose_image: Any = None, pose_time: float = 0.0, request: gr.Request = None,
                        progress=gr.Progress()):
            *_, last = stages(None, script or "", request, progress, duration, seed, model, style, camera, llm,
                              pose_image, pose_time)
            return last

        def prompt_in_page(prompt: str, duration: float, seed: float, model: str, style: str, camera: str,
                           llm: str, pose_image: Any = None, pose_time: float = 0.0, request: gr.Request = None,
                           progress=gr.Progress()):
            yield from kept_on_error(stages(prompt, None, request, progress, duration, seed, model, style, camera,
                                            llm, pose_image, pose_time))

        def script_in_page(script: str, duration: float, seed: float, model: str, style: str, camera: str,
                           llm: str, pose_image: Any = None, pose_time: float = 0.0, request: gr.Request = None,
                           progress=gr.Progress()):
            yield from kept_on_error(stages(None, script or "", request, progress, duration, seed, model, style,
                                            camera, llm, pose_image, pose_time))

        shuffle.click(random_seed, outputs=seed, api_visibility="private")
        drawing.click(lambda: str(EXAMPLE_DRAWING), outputs=pose_image, api_visibility="private")
        example.input(lambda text: text, example, prompt, api_visibility="private")
        # the page's own buttons: a failure is said above the video and keeps the last result and the script;
        # the API endpoints (hidden buttons) answer a failure with an error, as clients expect
        go.click(prompt_in_page, [prompt, *settings], outputs, api_visibility="private")
        for start in (go.click, prompt.submit, rerun.click, summary.change):  # on a phone the result is far below
            start(None, js=SCROLL_TO_RESULT, api_visibility="private")
        prompt.submit(prompt_in_page, [prompt, *settings], outputs, api_visibility="private")
        rerun.click(script_in_page, [script, *settings], outputs, api_visibility="private")
        api_generate, api_script = gr.Button(visible=False), gr.Button(visible=False)
        api_generate.click(from_prompt, [prompt, *settings], outputs, api_name="generate")
        api_script.click(from_script, [script, *settings], outputs, api_name="run_script")
    app.queue(default_concurrency_limit=CONCURRENCY, max_size=64)
    return app


def main(argv: list[str] | None = None) -> None:
    """Launch the app on ``$GRADIO_SERVER_NAME`` (default 127.0.0.1) and ``$GRADIO_SERVER_PORT``."""
    import argparse

    parser = argparse.ArgumentParser(prog="stickgen-app", description="Stick-Gen web app")
    parser.add_argument("--model", default=None, help="model folder or Hub id (default $STICKGEN_MODEL)")
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    args = parser.parse_args(argv)
    OUTPUT_ROOT.mkdir(parents=True, exist_ok=True)
    pipelines = _Pipelines()
    threading.Thread(target=pipelines.preload, args=(next(iter(model_choices(args.model).values())),),
                     daemon=True).start()
    build_app(args.model, pipelines).launch(server_name=args.host, server_port=args.port, share=False,
                                            allowed_paths=[str(OUTPUT_ROOT)], footer_links=["api"])


if __name__ == "__main__":
    main()
