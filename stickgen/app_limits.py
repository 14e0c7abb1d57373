"""What one visitor's request to the app may ask for, checked before any work starts (:mod:`stickgen.app`).

The app is a public Space: every endpoint (a prompt or an edited script) goes through the same limits,
so no request can ask for more than a minute of motion for a handful of people, a prompt no one would
type, or a model the operator did not offer. Each refusal is one line that says what to change and
never names a file on the server. Finished runs' output folders are deleted once there are too many or
they are old (:func:`prune_runs`), so the disk a visitor can fill is bounded too.
"""
from __future__ import annotations

import ctypes
import gc
import math
import shutil
import time
from pathlib import Path
from typing import Any, Callable

from .story import Script
from .story.schema import event_count

#: longest prompt (characters): a paragraph of story; 5,000 characters ran 46 s to make a dozen idle people
MAX_PROMPT_CHARS = 600
#: clip length (s) a visitor may ask for, from a prompt or in a script
DURATION_RANGE_S = (1.0, 60.0)
#: people in one scene (the parser makes at most 16; eight already fill the frame)
MAX_CHARACTERS = 8
#: timed events (actions, expressions, speech, camera moves) in one script
MAX_EVENTS = 200
#: seconds of motion summed over the characters: the generation's work (frames x actors), 4 people x 60 s
MAX_ACTOR_SECONDS = 240.0
#: points in a character's laid-out path, and how far (m) from the origin any position may be
MAX_PATH_POINTS = 200
MAX_COORDINATE_M = 100.0
#: a request still running after this long (s) stops at its next stage and says so
REQUEST_SECONDS = 180.0
#: finished runs kept on disk: at most this many, none older than this (s)
KEEP_RUNS = 200
KEEP_RUN_SECONDS = 3600.0


class RequestRefused(ValueError):
    """A request outside the app's limits: the message is one line for the visitor."""


def check_prompt(prompt: str) -> str:
    """``prompt`` stripped; refused when longer than :data:`MAX_PROMPT_CHARS`."""
    text = (prompt or "").strip()
    if len(text) > MAX_PROMPT_CHARS:
        raise RequestRefused(f"prompt: {len(text)} characters; the app takes at most {MAX_PROMPT_CHARS} "
                             "(describe one scene, or run the CLI for longer stories)")
    return text


def check_duration(duration: float) -> float:
    """``duration`` (s) as a float inside :data:`DURATION_RANGE_S`; refused otherwise (never clamped)."""
    low, high = DURATION_RANGE_S
    try:
        seconds = float(duration)
    except (TypeError, ValueError):
        raise RequestRefused(f"duration: expected a number of seconds, got {duration!r}") from None
    if not (math.isfinite(seconds) and low <= seconds <= high):
        raise RequestRefused(f"duration: {duration!r} s is outside what the app makes ({low:g} to {high:g} s)")
    return seconds


def check_script(script: Script) -> None:
    """Refuse a script (parsed from a prompt or edited by hand) beyond the app's limits."""
    check_duration(script.duration)
    people = len(script.characters)
    if people > MAX_CHARACTERS:
        raise RequestRefused(f"script.characters: {people} people; the app animates at most {MAX_CHARACTERS}")
    if people * script.duration > MAX_ACTOR_SECONDS:
        raise RequestRefused(f"script: {people} people x {script.duration:g} s is more motion than the app makes in "
                             f"one request (at most {MAX_ACTOR_SECONDS:g} person-seconds); shorten the clip")
    events = event_count(script)
    if events > MAX_EVENTS:
        raise RequestRefused(f"script.scenes: {events} timed events; the app takes at most {MAX_EVENTS}")
    for k, layout in enumerate(script.layout):
        points = [layout.start, *(layout.path or [])]
        if len(points) - 1 > MAX_PATH_POINTS:
            raise RequestRefused(f"script.layout[{k}].path: {len(points) - 1} points; at most {MAX_PATH_POINTS}")
        if max(abs(v) for point in points for v in point) > MAX_COORDINATE_M:
            raise RequestRefused(f"script.layout[{k}]: positions must stay within {MAX_COORDINATE_M:g} m of the "
                                 "origin")


class Deadline:
    """The wall-clock budget of one request (:data:`REQUEST_SECONDS`), checked between its stages, and
    whether anyone still waits for it (``still_wanted``: False once the visitor has left)."""

    def __init__(self, seconds: float = REQUEST_SECONDS, still_wanted: Callable[[], bool] = lambda: True) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.still_wanted = still_wanted

    def check(self, stage: str) -> None:
        """Refuse to start ``stage`` once the budget is spent or the visitor has gone."""
        if not self.still_wanted():
            raise RequestRefused(f"the visitor left; the request stopped before {stage}")
        if time.monotonic() > self.ends:
            raise RequestRefused(f"the request took longer than {self.seconds:g} s and stopped before {stage}; "
                                 "try a shorter clip or fewer people")


def visitor_waits(app: Any, session_hash: str | None) -> Callable[[], bool]:
    """Whether the visitor of ``session_hash`` still waits for their running request: Gradio marks a
    disconnected session's running jobs not alive (``Queue.clean_events``) but cannot stop a function
    that is running, so the request looks at the mark between its stages. True when nothing says
    otherwise (no queue, or a job Gradio no longer lists)."""
    def waits() -> bool:
        queue = getattr(app, "_queue", None)
        jobs = [job for job_set in getattr(queue, "active_jobs", None) or [] if job_set for job in job_set]
        mine = [job for job in jobs if getattr(job, "session_hash", None) == session_hash]
        return not mine or any(getattr(job, "alive", True) for job in mine)
    return waits


def prune_runs(root: Path, keep: int = KEEP_RUNS, max_age: float = KEEP_RUN_SECONDS, now: float | None = None) -> int:
    """Delete the oldest run folders under ``root`` beyond the newest ``keep``, and every one older than
    ``max_age`` seconds; returns how many went. Folders another request is still writing are young."""
    now = time.time() if now is None else now
    folders = sorted((p for p in Path(root).glob("run-*") if p.is_dir()), key=lambda p: p.stat().st_mtime,
                     reverse=True)
    doomed = folders[keep:] + [p for p in folders[:keep] if now - p.stat().st_mtime > max_age]
    for folder in doomed:
        shutil.rmtree(folder, ignore_errors=True)
    return len(doomed)


def release_memory() -> bool:
    """Hand back to the system the heap a finished request freed: glibc keeps freed memory in its arenas (one
    per thread that allocated), so a server's resident memory would otherwise stay at its busiest. Returns
    whether anything could be trimmed (False off glibc)."""
    gc.collect()
    try:
        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):  # not glibc: nothing to trim this way
        return False
