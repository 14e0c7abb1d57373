"""BEAT (Liu et al. 2022) takes -> canonical ``smpl22`` clips with speech segments and an expression.

Layout (one folder per speaker, ``<speaker id>/``): ``<take>.bvh`` (Vicon body and fingers, 120 fps,
centimetres, +y up), ``<take>.wav``, ``<take>.TextGrid`` (Praat, long text format: the transcript's words aligned
in seconds, an IntervalTier ``words`` and one ``phones``), ``<take>.json`` (face blendshape weights) and
``<take>.txt`` (semantic relevance). A take is named ``<speaker id>_<name>_<recording type>_<first>_<last>``
(``1_wayne_0_65_65``); even recording types (0 English, 2 Chinese, 4 Spanish, 6 Japanese) are read speech whose
sentence number ``<first>`` fixes the emotion acted, as BEAT's own data loader derives it: 1-64 neutral, 65-72
happiness, 73-80 anger, 81-86 sadness, 87-94 contempt, 95-102 surprise, 103-110 fear, 111-118 disgust; odd types
are free conversation without an emotion label.

The body goes through :mod:`.bvh` (fingers dropped, units and frame rate read from the file); the words become
``talk`` segments at 25 fps, consecutive words closer than :data:`PAUSE_S` joined into one segment whose
``text`` is the words; the emotion becomes the vocabulary expression where one matches (:data:`EMOTIONS`).

Public: :data:`EMOTIONS`, :data:`PAUSE_S`, :class:`Take`, :func:`parse_textgrid`, :func:`emotion_of`,
:func:`speech_segments`, :func:`convert_take`.
"""
from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np

from stickgen.motion import Segment

from . import bvh

FPS = bvh.FPS
PAUSE_S = 0.3  # seconds of silence that end a speech segment
TAKE_NAME = re.compile(r"(\d+)_([A-Za-z]+)_(\d+)_(\d+)_(\d+)")
#: the last sentence number of each emotion's block in BEAT's read-speech takes
EMOTION_BLOCKS = ((64, "neutral"), (72, "happiness"), (80, "anger"), (86, "sadness"), (94, "contempt"),
                  (102, "surprise"), (110, "fear"), (118, "disgust"))
#: BEAT emotion -> (vocabulary expression or None where none matches, how the caption says it)
EMOTIONS: dict[str, tuple[str | None, str]] = {
    "neutral": ("neutral", ""), "happiness": ("happy", " happily"), "anger": ("angry", " angrily"),
    "sadness": ("sad", " sadly"), "contempt": (None, " with contempt"), "surprise": ("surprised", " in surprise"),
    "fear": (None, " fearfully"), "disgust": (None, " in disgust"),
}


class Take(NamedTuple):
    """A converted take: canonical ``joints [T, 22, 3]`` at 25 fps, ``speech`` segments (``talk`` with ``text``),
    the vocabulary ``expression`` (or None) and a caption ``text``."""

    joints: np.ndarray
    speech: list[Segment]
    expression: str | None
    text: str


# ----------------------------------------------------------------------------- TextGrid


def _praat_string(value: str) -> str:
    """A quoted Praat string -> its text (Praat doubles a quote inside a string)."""
    return value.strip()[1:-1].replace('""', '"')


def _interval_tiers(text: str) -> list[tuple[str, list[tuple[str, float, float]]]]:
    """``[(tier name, [(text, xmin, xmax)])]`` of the IntervalTiers of a long-format TextGrid."""
    tiers: list[dict] = []
    interval: dict[str, float] | None = None
    for line in text.splitlines():
        key, _, value = (part.strip() for part in line.partition("="))
        if key == "class":
            tiers.append({"class": _praat_string(value), "name": None, "intervals": []})
        elif key == "name" and tiers and tiers[-1]["name"] is None:
            tiers[-1]["name"] = _praat_string(value)
        elif re.fullmatch(r"intervals \[\d+\]:", key):
            interval = {}
        elif interval is not None and key in ("xmin", "xmax"):
            interval[key] = float(value)
        elif interval is not None and key == "text":
            tiers[-1]["intervals"].append((_praat_string(value), interval["xmin"], interval["xmax"]))
            interval = None
    return [(tier["name"] or "", tier["intervals"]) for tier in tiers if tier["class"] == "IntervalTier"]


def parse_textgrid(text: str) -> list[tuple[str, float, float]]:
    """The words of a Praat TextGrid (long text format) with their times: ``[(word, start s, end s)]``.

    Reads the IntervalTier named ``words`` (any case), else the first IntervalTier; empty intervals (silence)
    are left out. ``ValueError`` when the text is not a long-format TextGrid with an IntervalTier.
    """
    if 'Object class = "TextGrid"' not in text or "item [" not in text:
        raise ValueError('expected a Praat TextGrid in the long text format (Object class = "TextGrid", item [...])')
    try:
        tiers = _interval_tiers(text)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"malformed TextGrid interval ({exc})") from None
    if not tiers:
        raise ValueError('expected an IntervalTier (class = "IntervalTier") in the TextGrid')
    words = next((items for name, items in tiers if name.lower() == "words"), tiers[0][1])
    return [(word.strip(), start, end) for word, start, end in words if word.strip()]


def _read_text(path: Path) -> str:
    """A Praat text file in UTF-16 (with a byte-order mark) or UTF-8."""
    data = path.read_bytes()
    return data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data.decode("utf-8-sig")


# ----------------------------------------------------------------------------- labels


def emotion_of(name: str) -> str | None:
    """The emotion BEAT's take ``name`` (``1_wayne_0_65_65``, with or without ``.bvh``) was read in, or None for a
    conversation take. ``ValueError`` when the name is not a BEAT take name."""
    match = TAKE_NAME.fullmatch(re.sub(r"\.[A-Za-z]+$", "", Path(name).name))
    if match is None:
        raise ValueError(f"{name}: expected a BEAT take name <speaker id>_<name>_<recording type>_<first>_<last> "
                         f"such as 1_wayne_0_1_1")
    kind, sentence = int(match[3]), int(match[4])
    if kind % 2 or sentence < 1:
        return None
    return next((emotion for last, emotion in EMOTION_BLOCKS if sentence <= last), None)


def _frame(seconds: float, frames: int) -> int:
    """The 25 fps frame at ``seconds`` (halves round up), within ``[0, frames]``."""
    return min(max(int(math.floor(seconds * FPS + 0.5)), 0), frames)


def speech_segments(words: list[tuple[str, float, float]], frames: int) -> list[Segment]:
    """``talk`` segments of a clip ``frames`` long at 25 fps from timed words: words less than :data:`PAUSE_S`
    apart share a segment, whose ``text`` is its words; a word shorter than a frame still gets one."""
    segments: list[Segment] = []
    said_until = -math.inf
    for word, start, end in sorted(words, key=lambda w: w[1]):
        first = _frame(start, frames)
        last = min(max(_frame(end, frames), first + 1), frames)
        if first >= last:
            continue
        if segments and start - said_until < PAUSE_S:
            previous = segments[-1]
            segments[-1] = Segment(previous.start, last, "talk", {"text": f"{previous.extra['text']} {word}"})
        else:
            segments.append(Segment(first, last, "talk", {"text": word}))
        said_until = end
    return segments


def convert_take(bvh_path: str | os.PathLike) -> Take:
    """One BEAT take (its ``.bvh``; the ``.TextGrid`` of the same name sits next to it) -> :class:`Take`.

    The caption is "a person talks[ happily|angrily|...], gesturing with the hands". ``ValueError`` when the
    file is not named like a BEAT take, its TextGrid is missing or unreadable, or the BVH fails
    (:func:`.bvh.read_smpl22`).
    """
    path = Path(bvh_path)
    emotion = emotion_of(path.name)
    grid = path.with_suffix(".TextGrid")
    if not grid.is_file():
        raise ValueError(f"expected {grid.name} next to {path.name} under {path.parent}")
    try:
        words = parse_textgrid(_read_text(grid))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{grid}: {exc}") from None
    joints = bvh.convert_file(path)
    expression, manner = EMOTIONS[emotion] if emotion else (None, "")
    text = f"a person talks{manner}, gesturing with the hands"
    return Take(joints, speech_segments(words, len(joints)), expression, text)


__all__ = ["EMOTIONS", "PAUSE_S", "Take", "parse_textgrid", "emotion_of", "speech_segments", "convert_take"]
