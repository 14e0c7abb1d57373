"""Per-frame face state of an actor: expressions with 0.3 s transitions, and speech lip motion.

An expression change starts at its segment boundary and takes ``TRANSITION_S``: brow angle and mouth
openness interpolate (smoothstep), eye type and mouth shape switch half-way. Inside a speech segment the
mouth takes the speech type's shape and opens and closes ``rate_hz`` times a second (closed at the
segment's first frame); eyes and brows keep following the expression.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import vocab
from .camera import smoothstep

TRANSITION_S = 0.3
DEFAULT_EXPRESSION = "neutral"


@dataclass
class FaceTrack:
    """Face state per frame, each ``[T]``: ``eyes`` (index into ``vocab.EYE_TYPES``), ``brows`` (degrees,
    + raises the outer ends), ``mouths`` (index into ``vocab.MOUTH_SHAPES``), ``openness`` (0..1)."""

    eyes: np.ndarray
    brows: np.ndarray
    mouths: np.ndarray
    openness: np.ndarray


def _expression_frames(motion) -> list[vocab.Expression]:
    labels = [DEFAULT_EXPRESSION] * motion.num_frames
    for segment in motion.track("expressions"):
        labels[segment.start:segment.end] = [segment.label] * (segment.end - segment.start)
    return [vocab.expression_info(name) for name in labels]


def face_track(motion, fps: float) -> FaceTrack:
    """The :class:`FaceTrack` of a :class:`~stickgen.motion.Motion` played at ``fps``."""
    frames = _expression_frames(motion)
    steps = max(int(round(TRANSITION_S * fps)), 1)
    num = len(frames)
    eyes, mouths = np.zeros(num, dtype=np.int64), np.zeros(num, dtype=np.int64)
    brows, openness = np.zeros(num), np.zeros(num)
    source, change = frames[0], -steps
    for t, expression in enumerate(frames):
        if t > 0 and expression != frames[t - 1]:
            source, change = frames[t - 1], t
        w = min((t - change + 1) / steps, 1.0)
        shown = expression if w >= 0.5 else source
        eased = float(smoothstep(np.float64(w)))
        brows[t] = source.eyebrow_angle + (expression.eyebrow_angle - source.eyebrow_angle) * eased
        openness[t] = source.mouth_openness + (expression.mouth_openness - source.mouth_openness) * eased
        eyes[t] = vocab.EYE_TYPES.index(shown.eye_type)
        mouths[t] = vocab.MOUTH_SHAPES.index(shown.mouth_shape)
    for segment in motion.track("speech"):
        speech = vocab.speech_info(segment.label)
        seconds = np.arange(segment.end - segment.start) / fps
        openness[segment.start:segment.end] = speech.max_openness * 0.5 * (1 - np.cos(2 * np.pi * speech.rate_hz
                                                                                   * seconds))
        mouths[segment.start:segment.end] = vocab.MOUTH_SHAPES.index(speech.mouth_shape)
    return FaceTrack(eyes, brows, mouths, openness)
