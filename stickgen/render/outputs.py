"""Writing rendered frames: MP4 (H.264 yuv420p through PyAV), looping GIF, PNG, PNG sequences and
contact sheets. The format follows the output path.
"""
from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from queue import Full, Queue
from typing import TypeVar

import numpy as np
from PIL import Image, ImageDraw

from .frames import render_frames

FORMATS = ".mp4, .gif, .png, a folder ending in '/' or a pattern such as frames_%04d.png"
MP4_CRF = 20
#: x264's fastest preset: a 10 s moving-camera clip encodes in about 0.5 s instead of 1.1 s (veryfast), at
#: the same quality (CRF) in a file about six times larger (1.8 MB against 0.3 MB at 512x512)
MP4_PRESET = "ultrafast"
PREFETCH_FRAMES = 8  # frames drawn ahead of the encoder
T = TypeVar("T")
_END = object()
#: the drawing threads, long-lived (a third video drawn at once waits for one): a new thread per video gave the
#: allocator a new arena each time and grew a server's memory (bench_load: +18 % after a run, +7 % with two)
_DRAWERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="stickgen-frames")
GIF_COLORS = 64


def output_kind(path: str | os.PathLike) -> str:
    """``"mp4"``, ``"gif"``, ``"png"`` or ``"sequence"`` for an output path; ``ValueError`` otherwise."""
    text = os.fspath(path)
    if text.endswith(("/", os.sep)) or "%" in Path(text).name or Path(text).is_dir():
        return "sequence"
    kind = Path(text).suffix.lower().lstrip(".")
    if kind not in ("mp4", "gif", "png"):
        raise ValueError(f"cannot render to {text!r}: expected {FORMATS}")
    return kind


def frame_indices(num_frames: int, scene_fps: float, fps: float | None) -> list[int]:
    """Source frame shown at each output frame when playing at ``fps`` (nearest frame in time)."""
    if fps is None or fps == scene_fps:
        return list(range(num_frames))
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    count = max(int(round(num_frames * fps / scene_fps)), 1)
    return [min(int(np.floor(i * scene_fps / fps + 0.5)), num_frames - 1) for i in range(count)]


@contextmanager
def _atomic_target(path: Path):
    """Yield a temporary path next to ``path`` that replaces it on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    os.chmod(tmp, 0o644)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_mp4(frames: Iterable[np.ndarray], path: Path, fps: float) -> Path:
    """Encode ``[H, W, 3]`` uint8 frames as H.264 yuv420p MP4 (even sizes only; browsers play it)."""
    import av

    with _atomic_target(path) as tmp, av.open(str(tmp), "w", format="mp4",
                                              options={"movflags": "+faststart"}) as container:
        stream = None
        for frame in frames:
            if stream is None:
                height, width = frame.shape[:2]
                if width % 2 or height % 2:
                    raise ValueError(f"MP4 (yuv420p) needs an even width and height, got {width}x{height}")
                stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
                stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
                stream.options = {"crf": str(MP4_CRF), "preset": MP4_PRESET}
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        if stream is None:
            raise ValueError("no frames to encode")
        container.mux(stream.encode(None))
    return path


def gif_palette(samples: list[np.ndarray]) -> Image.Image:
    """One palette (a ``P`` image of ``GIF_COLORS - 1`` colours) for a whole GIF, from a few sample frames
    ``[H, W, 3]``; the last index is kept for transparency."""
    return Image.fromarray(np.concatenate(samples, axis=0)).quantize(GIF_COLORS - 1,
                                                                    method=Image.Quantize.MEDIANCUT)


def _gif_frames(frames: Iterable[np.ndarray], palette: Image.Image) -> Iterator[Image.Image]:
    """Quantize without dithering (flat colours compress small); pixels unchanged since the previous
    frame become transparent, so each frame stores only what moved."""
    colors = palette.getpalette()[:3 * (GIF_COLORS - 1)]
    colors += [0] * (3 * (GIF_COLORS - 1) - len(colors)) + [0, 0, 0]
    previous = None
    for frame in frames:
        indices = np.asarray(Image.fromarray(frame).quantize(palette=palette, dither=Image.Dither.NONE))
        shown = indices if previous is None else np.where(indices == previous, GIF_COLORS - 1, indices)
        previous = indices
        image = Image.fromarray(shown.astype(np.uint8), "P")
        image.putpalette(colors)
        yield image


def write_gif(frames: Iterable[np.ndarray], path: Path, fps: float, palette: Image.Image) -> Path:
    """A looping GIF in one shared ``palette`` (see :func:`gif_palette`), written as frames arrive."""
    images = _gif_frames(frames, palette)
    first = next(images, None)
    if first is None:
        raise ValueError("no frames to encode")
    with _atomic_target(path) as tmp:
        first.save(tmp, format="GIF", save_all=True, append_images=images, loop=0, duration=int(round(1000 / fps)),
                   disposal=1, transparency=GIF_COLORS - 1, optimize=False)
    return path


def write_png_sequence(frames: Iterable[np.ndarray], path: str | os.PathLike) -> Path:
    """Write ``frame_0000.png ...`` into a folder path, or follow a ``name_%04d.png`` pattern."""
    text = os.fspath(path)
    pattern = Path(text) if "%" in Path(text).name else Path(text) / "frame_%04d.png"
    pattern.parent.mkdir(parents=True, exist_ok=True)
    for i, frame in enumerate(frames):
        Image.fromarray(frame).save(str(pattern) % i)
    return pattern.parent


def prefetched(items: Iterable[T], depth: int = PREFETCH_FRAMES) -> Iterator[T]:
    """``items`` produced by a background thread at most ``depth`` ahead, so drawing the next frames overlaps
    encoding this one (Pillow's drawing and filtering and the encoder release the GIL). An exception raised
    while producing is raised here, in order; a consumer that stops early stops the producer. The threads
    are a small long-lived pool: a new thread per video would give the allocator a new arena each time,
    and a server's memory would grow with them."""
    queue: Queue = Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple) -> bool:
        while not stop.is_set():
            try:
                queue.put(entry, timeout=0.05)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_END, None))
        except BaseException as exc:  # handed to the consumer, raised there
            put((_END, exc))

    worker = _DRAWERS.submit(produce)
    try:
        while True:
            item, error = queue.get()
            if item is _END:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        worker.result()


def _reported(frames: Iterable[np.ndarray], total: int,
              on_frame: Callable[[int, int], None] | None) -> Iterator[np.ndarray]:
    """``frames``, calling ``on_frame(done, total)`` after each one is written."""
    for done, frame in enumerate(frames, 1):
        yield frame
        if on_frame is not None:
            on_frame(done, total)


def render(scene, path: str | os.PathLike, style: str = "normal", size: tuple[int, int] = (512, 512),
           fps: float | None = None, camera_move=None, frame: int = 0, seed: int = 0,
           on_frame: Callable[[int, int], None] | None = None) -> Path:
    """Render ``scene`` to ``path``; the format follows the extension (see ``FORMATS``).

    ``fps`` resamples playback by showing the nearest source frame (default: the scene's rate);
    ``frame`` picks the frame of a single ``.png``. ``on_frame(done, total)`` follows a video's or
    sequence's frames (an exception it raises stops the writing; the target is left as it was). Returns
    the written file (the folder for sequences).
    """
    kind = output_kind(path)
    if kind == "png":
        image = next(render_frames(scene, style, size, camera_move, frames=[frame], seed=seed))
        with _atomic_target(Path(path)) as tmp:
            Image.fromarray(image).save(tmp, format="PNG")
        return Path(path)
    indices = frame_indices(scene.num_frames, scene.fps, fps)
    frames = _reported(prefetched(render_frames(scene, style, size, camera_move, frames=indices, seed=seed)),
                       len(indices), on_frame)
    rate = fps or scene.fps
    if kind == "mp4":
        return write_mp4(frames, Path(path), rate)
    if kind == "gif":
        samples = np.linspace(0, len(indices) - 1, 4).round().astype(int)
        palette = gif_palette(list(render_frames(scene, style, size, camera_move,
                                                 frames=[indices[i] for i in samples], seed=seed)))
        return write_gif(frames, Path(path), rate, palette)
    return write_png_sequence(frames, path)


def contact_sheet(scene, path: str | os.PathLike, num_frames: int = 8, style: str = "normal",
                  size: tuple[int, int] = (256, 256), columns: int | None = None, camera_move=None,
                  labels: bool = True, seed: int = 0) -> Path:
    """A PNG grid of ``num_frames`` evenly spaced frames, ``size`` each, ``columns`` wide (default: one
    row), each labelled with its time when ``labels``."""
    if num_frames < 1:
        raise ValueError(f"num_frames must be at least 1, got {num_frames}")
    picks = np.linspace(0, scene.num_frames - 1, num_frames).round().astype(int).tolist()
    columns = columns or num_frames
    rows = -(-num_frames // columns)
    sheet = Image.new("RGB", (columns * size[0], rows * size[1]), (255, 255, 255))
    pen = ImageDraw.Draw(sheet)
    for i, tile in enumerate(render_frames(scene, style, size, camera_move, frames=picks, seed=seed)):
        x, y = (i % columns) * size[0], (i // columns) * size[1]
        sheet.paste(Image.fromarray(tile), (x, y))
        if labels:
            pen.text((x + 6, y + 4), f"{picks[i] / scene.fps:.1f} s", fill=(90, 90, 90))
    with _atomic_target(Path(path)) as tmp:
        sheet.save(tmp, format="PNG")
    return Path(path)
