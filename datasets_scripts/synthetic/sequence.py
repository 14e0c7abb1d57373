"""``generate``: a ``ClipSpec`` in, a ``SyntheticClip`` out.

Steps run in order, each starting from the previous step's last frame and posture. Consecutive
locomotion steps share one gait (no stop between "walks, then runs"). A step that needs the actor on
its feet while it sits, kneels or lies begins with a "stand" transition (labelled "stand"). Every seam
is cross-faded in pose space over ``BLEND`` seconds while the feet stay where they were planted.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from stickgen import vocab
from stickgen.skeleton import FOOT_JOINTS, mirror

from . import params as params_mod
from .body import Body
from .context import StepContext, StepResult
from .gait import GaitPiece, locomotion
from .idle import hold
from .kinematics import assemble_above_ground
from .posture import CHANGE_TIME, route
from .registry import ALLOWED_POSTURES, GAIT_ACTIONS, IMPLEMENTATIONS, finish_gait_piece
from .spec import ActionStep, ClipSpec, SyntheticClip
from .track import Track, concat, crossfade, standing

BLEND = 0.4  # seconds of pose-space blend at every seam (>= 0.3 s)


def realize_spec(spec: ClipSpec) -> ClipSpec:
    """The spec with every step's params completed (deterministic for a given seed)."""
    rng = np.random.default_rng([spec.seed, 1])
    last = len(spec.steps) - 1
    steps = [ActionStep(s.action, s.duration, params_mod.realize(s.action, dict(s.params), rng, s.duration,
                                                                     i == 0, i == last))
             for i, s in enumerate(spec.steps)]
    for i, step in enumerate(steps):  # gaits joined to a neighbouring gait neither start nor stop there
        if step.action in GAIT_ACTIONS:
            if i > 0 and steps[i - 1].action in GAIT_ACTIONS:
                step.params["start"] = False
            if i < last and steps[i + 1].action in GAIT_ACTIONS:
                step.params["stop"] = False
    return replace(spec, steps=steps)


def generate(spec: ClipSpec) -> SyntheticClip:
    """Generate the clip described by ``spec`` (deterministic: the same spec gives the same clip)."""
    spec = realize_spec(spec)
    body = Body(spec.height)
    rng = np.random.default_rng([spec.seed, 2])
    counts = spec.frame_counts()
    state, posture = standing(body), "stand"
    tracks, labels, speech = [], [], []
    partner = None
    i = 0
    while i < len(spec.steps):
        step = spec.steps[i]
        frames = counts[i]
        if posture not in ALLOWED_POSTURES.get(step.action, ("stand",)) and frames > 4:
            rise = min(int(sum(CHANGE_TIME[p] for p in route(posture, "stand")) * spec.fps), int(0.7 * frames))
            ctx = StepContext(body, state, posture, rise, spec.fps, {"energy": 0.5}, rng)
            result = IMPLEMENTATIONS["stand"](ctx)
            state, posture = _append(tracks, labels, speech, result, state, "stand", spec.fps, len(tracks) > 0)
            frames -= rise
        if step.action in GAIT_ACTIONS:
            block = [i]
            while block[-1] + 1 < len(spec.steps) and spec.steps[block[-1] + 1].action in GAIT_ACTIONS:
                block.append(block[-1] + 1)
            sizes = [frames] + [counts[j] for j in block[1:]]
            pieces = [GaitPiece(n, params_mod.GAIT_KIND[spec.steps[j].action], spec.steps[j].params["speed"],
                                spec.steps[j].params) for n, j in zip(sizes, block)]
            track, phase = locomotion(body, state, pieces, spec.fps, bool(step.params["start"]),
                                      bool(spec.steps[block[-1]].params["stop"]), rng)
            offset = 0
            for n, j in zip(sizes, block):
                piece = finish_gait_piece(spec.steps[j], track.slice(offset, offset + n), phase[offset:offset + n],
                                          body)
                state, posture = _append(tracks, labels, speech, StepResult(piece, "stand"), state,
                                         spec.steps[j].action, spec.fps, blend=offset == 0 and len(tracks) > 0)
                offset += n
            i = block[-1] + 1
            continue
        ctx = StepContext(body, state, posture, frames, spec.fps, step.params, rng, first=not tracks)
        result = IMPLEMENTATIONS[step.action](ctx)
        if result.partner is not None:
            partner = _place_partner(result, sum(len(t) for t in tracks), sum(counts), spec.fps, rng)
        state, posture = _append(tracks, labels, speech, result, state, step.action, spec.fps, len(tracks) > 0)
        i += 1
    return _finish(spec, body, concat(tracks), labels, speech, partner)


def _append(tracks: list, labels: list, speech: list, result: StepResult, state: Track, action: str, fps: int,
            blend: bool) -> tuple[Track, str]:
    track = crossfade(state, result.track, int(round(BLEND * fps))) if blend else result.track
    tracks.append(track)
    labels.append(np.full(len(track), vocab.action_id(action), dtype=np.int64))
    speech.append(result.speech if result.speech is not None else np.full(len(track), -1, dtype=np.int64))
    return track.frame(len(track) - 1), result.posture


def _place_partner(result: StepResult, before: int, total: int, fps: int,
                   rng: np.random.Generator) -> tuple[Track, Body]:
    """The partner for the whole clip: standing (breathing, shifting weight) before and after its step."""
    track, body = result.partner, result.partner_body
    after = total - before - len(track)

    def waiting(frame, frames):
        return hold(StepContext(body, frame, "stand", frames, fps, {}, rng))

    blend = int(round(BLEND * fps))
    parts = [track]
    if before:
        parts.insert(0, waiting(track.frame(0), before))
        parts[1] = crossfade(parts[0].frame(before - 1), track, blend)
    if after > 0:
        parts.append(crossfade(track.frame(len(track) - 1), waiting(track.frame(len(track) - 1), after), blend))
    return concat(parts), body


def at_rest(points: np.ndarray, fps: float, speed: float = 0.09) -> np.ndarray:
    """``[T, k]`` bool: the point ``[T, k, 3]`` moves slower than ``speed`` m/s into and out of the frame.

    A foot joint counts as in contact where its generator planted it and it is at rest, so every
    finite-difference velocity at a contact frame stays under 0.1 m/s: a foot pushing off fast (a jump)
    is not in contact on its last frame, one peeling off gently (a walk) still is.
    """
    still = np.linalg.norm(np.diff(points, axis=0), axis=-1) * fps < speed
    out = np.ones(points.shape[:2], dtype=bool)
    out[1:] &= still
    out[:-1] &= still
    return out


def _expression_ids(spec: ClipSpec, counts: list[int]) -> np.ndarray:
    return np.concatenate([np.full(n, vocab.expression_id(s.params.get("expression", "neutral")), dtype=np.int64)
                           for n, s in zip(counts, spec.steps)])


def _finish(spec: ClipSpec, body: Body, track: Track, labels: list, speech: list, partner) -> SyntheticClip:
    joints = assemble_above_ground(track, body)
    partner_joints = assemble_above_ground(partner[0], partner[1]) if partner is not None else None
    contacts = track.contacts & at_rest(joints[:, list(FOOT_JOINTS)], spec.fps)
    if spec.mirror:
        joints = mirror(joints)
        partner_joints = mirror(partner_joints) if partner_joints is not None else None
        contacts = contacts[:, [1, 0, 3, 2]]
    return SyntheticClip(spec=spec, joints=joints, partner_joints=partner_joints,
                         action_ids=np.concatenate(labels), expression_ids=_expression_ids(spec, spec.frame_counts()),
                         speech_ids=np.concatenate(speech), contacts=contacts, fps=spec.fps)
