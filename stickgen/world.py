"""The world stage: generated canonical clips become the scene's ``Motion``s
(:class:`stickgen.pipeline.StickGenPipeline`).

Each actor's clip goes back to the plan's clock, is placed in the world (:mod:`stickgen.placement`), the
actors are staged so partners meet (:mod:`stickgen.staging`), and each clip is post-processed
(:mod:`stickgen.physics`: rigid skeleton, ground, free fall, foot planting).
"""
from __future__ import annotations

import numpy as np

from . import vocab
from .conditioning import ScenePlan
from .control import PELVIS_RISE
from .motion import Motion
from .physics import postprocess
from .placement import place_actor
from .skeleton import resample
from .staging import stage

#: seconds within which a generated body (unless it flies, swims or climbs) touches the ground
SETTLE_WINDOW = 1.0


def world_motions(plan: ScenePlan, joints: list[np.ndarray], contacts: list[np.ndarray],
             model_fps: float, steered: bool = False) -> list[Motion]:
    """The plan's actors as world ``Motion``s from their canonical ``joints[i] [T, 22, 3]`` and
    ``contacts[i] [T, 4]`` at ``model_fps``: back on the plan's clock, placed, staged (partners meet,
    :func:`stickgen.staging.stage`) and post-processed. ``steered``: the plans' controls steered the
    clips (a jump steered onto its arcs is settled, not brought down by the free fall)."""
    placed, touches = [], []
    for actor, clip, touch in zip(plan.actors, joints, contacts):
        if plan.fps != model_fps:  # back to the plan's clock, exactly num_frames long
            clip = resample(clip, model_fps, plan.fps)
            clip = clip[np.minimum(np.arange(plan.num_frames), len(clip) - 1)]
            source = np.round(np.arange(plan.num_frames) * model_fps / plan.fps).astype(int)
            touch = touch[np.minimum(source, len(touch) - 1)]
        placed.append(place_actor(clip, actor))
        touches.append(touch)
    motions = []
    for actor, clip, touch in zip(plan.actors, stage(placed, plan.actors, plan.fps), touches):
        airborne = {vocab.ACTIONS[i].name for i in np.unique(actor.action_ids)} & vocab.AIRBORNE_ACTIONS
        steered_jumps = steered and actor.control is not None and np.isfinite(actor.control[:, PELVIS_RISE]).any()
        clip = postprocess(clip, plan.fps, touch, settle_window=None if airborne else SETTLE_WINDOW,
                           fall=not steered_jumps)
        motions.append(Motion(clip, id=actor.id, name=actor.name, color=actor.color,
                              actions=actor.action_segments(), expressions=actor.expressions or None,
                              speech=actor.speech or None))
    return motions
