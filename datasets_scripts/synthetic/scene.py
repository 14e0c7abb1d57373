"""A ``SyntheticClip`` as a ``stickgen.motion.Scene`` (one or two actors with their label segments)."""
from __future__ import annotations

import numpy as np

from stickgen import vocab
from stickgen.motion import Motion, Scene, Segment

from .spec import SyntheticClip


def segments(ids: np.ndarray, names: tuple[str, ...]) -> list[Segment]:
    """Runs of equal ids ``[T]`` as half-open segments; negative ids (none) are skipped."""
    edges = np.nonzero(np.diff(ids))[0] + 1
    starts, ends = np.r_[0, edges], np.r_[edges, len(ids)]
    return [Segment(int(a), int(b), names[int(ids[a])]) for a, b in zip(starts, ends) if ids[a] >= 0]


def to_scene(clip: SyntheticClip) -> Scene:
    """The clip as a scene: actor "a0" with action, expression and speech segments, and the partner
    "a1" (labelled with the same two-actor action) when there is one."""
    actions = segments(clip.action_ids, vocab.ACTION_NAMES)
    actors = [Motion(clip.joints, id="a0", name="actor", actions=actions,
                     expressions=segments(clip.expression_ids, vocab.EXPRESSION_NAMES),
                     speech=segments(clip.speech_ids, vocab.SPEECH_NAMES))]
    if clip.partner_joints is not None:
        shared = [s for s in actions if vocab.action_info(s.label).actors == 2]
        actors.append(Motion(clip.partner_joints, id="a1", name="partner", actions=shared))
    meta = {"generator": "datasets_scripts.synthetic", "seed": clip.spec.seed, "height": clip.spec.height,
            "steps": [{"action": s.action, "duration": s.duration} for s in clip.spec.steps]}
    return Scene(actors=actors, fps=clip.fps, meta=meta)
