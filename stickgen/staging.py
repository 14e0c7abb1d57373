"""Partners meet: after generation, actors who meet stand where the meeting needs them.

The story engine lays a scene out from nominal speeds (``stickgen.story.lexicon.ACTION_SPEED``) so that
partners meet ``CONTACT_DISTANCE`` apart, but a generated walk covers its own distance (often much less),
and standing clips drift by a few centimetres a second. Unstaged, "a man walks up to a woman and shakes
her hand" shook hands 4-5 m apart, and two people shaking hands for ten seconds walked into each other.
For every interaction (actor and partner doing the same two-actor action, ``vocab.Action.actors == 2``):

1. **Meeting.** At its first frame the two stand ``distance`` apart facing each other (so, too, at the end
   of a walk the layout planned up to someone, ``ActorPlan.meets``: 0.8 m), by one rigid move
   (a turn about the vertical through the pelvis and a shift) of the clip of each actor that came to the
   meeting: a different start position and direction, not a change of the motion. The one that walked
   up (a ``locomotion`` action planned before it) is moved to stand in front of a partner that waited;
   when both or neither came, each moves half way and turns to face the other. An actor's first meeting
   moves its whole clip; a later one eases the move in over the frames since its last interaction.
2. **Holding.** Through the interaction their pelvises stay between :data:`CLOSEST` (closer, the bodies
   overlap) and :data:`REACH` beyond the contact distance (further, they cannot touch): the part of the
   distance outside that range, smoothed over ``HOLD_SMOOTHING`` seconds, is taken out, half by each actor
   along the line between them; after the interaction the last correction is kept. Only the
   impossible part is taken out: holding the contact distance exactly (the data generator's partners
   never move) made the evaluator read more generated high fives as idle (``docs/MODELS.md``).

Runs on placed world clips before :func:`stickgen.physics.postprocess`, which plants the feet again.
:func:`partner_joints` shows each actor its partner as staging will place it (the second generation pass).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from . import vocab
from .features import to_canonical
from .placement import LOCOMOTION_IDS, place_actor, smoothstep
from .skeleton import heading_angles, rotate_y

#: metres between the pelvises of two actors during a two-actor action (the data generator's are 0.42-1.17)
CONTACT_DISTANCE = {"handshake": 0.75, "hug": 0.45, "high_five": 0.85, "fight": 1.0}
MEETING_DISTANCE = 1.0  # metres apart for any other meeting ("walk toward each other") or unlisted action
CLOSEST = 0.35  # metres between pelvises below which two bodies overlap
REACH = 0.3  # metres beyond its contact distance at which partners can no longer touch
HOLD_SMOOTHING = 0.5  # seconds (Gaussian sigma) over which the held distance error is smoothed
HEADING_FRAMES = 5  # frames around the meeting whose mean heading is the actor's heading there
PAIR_IDS = np.array([a.actors == 2 for a in vocab.ACTIONS])


def contact_distance(action: str | None) -> float:
    """Metres between partners' pelvises during ``action`` (:data:`CONTACT_DISTANCE`, else
    :data:`MEETING_DISTANCE`)."""
    return CONTACT_DISTANCE.get(action, MEETING_DISTANCE)


def interactions(actors: Sequence) -> list[tuple[int, int, int, int, float]]:
    """``(i, j, start, end, distance)`` of every run of frames in which actors ``i < j`` (partners in
    either's ``ActorPlan.partner``) do the same two-actor action, in order of ``start``; ``distance``:
    :func:`contact_distance`."""
    pairs = sorted({tuple(sorted((i, a.partner))) for i, a in enumerate(actors)
                    if a.partner is not None and a.partner != i and 0 <= a.partner < len(actors)})
    found = []
    for i, j in pairs:
        ids_i, ids_j = actors[i].action_ids, actors[j].action_ids
        length = min(len(ids_i), len(ids_j))
        together = (ids_i[:length] == ids_j[:length]) & PAIR_IDS[ids_i[:length]]
        cuts = np.flatnonzero(np.diff(np.concatenate([[0], together.astype(np.int8), [0]])))
        for start, end in zip(cuts[::2], cuts[1::2]):
            name = vocab.ACTION_NAMES[ids_i[start]]
            found.append((i, j, int(start), int(end), contact_distance(name)))
    return sorted(found, key=lambda f: f[2])


def came_to(actor, frame: int, since: int = 0) -> bool:
    """Whether ``actor`` (an ``ActorPlan``) has a ``locomotion`` action planned in ``[since, frame)``: it
    walks (runs, ...) up to what happens at ``frame``."""
    return bool(LOCOMOTION_IDS[actor.action_ids[since:frame]].any())


def stage(clips: Sequence[np.ndarray], actors: Sequence, fps: float) -> list[np.ndarray]:
    """``clips[i]: [T, 22, 3]`` world joints of ``actors[i]`` (``ActorPlan``s) -> staged copies (see the
    module docstring); actors that meet no one are returned unchanged."""
    clips = [np.asarray(c, dtype=np.float64).copy() for c in clips]
    last_end: dict[int, int | None] = {}
    events = [(start, i, j, end, distance) for i, j, start, end, distance in interactions(actors)]
    events += [(frame, i, j, None, distance) for i, j, frame, distance in approaches(actors, len(clips[0]))]
    for start, i, j, end, distance in sorted(events, key=lambda event: event[0]):  # end None: an approach
        came = [came_to(actors[k], start, last_end.get(k) or 0) for k in (i, j)]
        _meet(clips, (i, j), start, distance, came, [last_end.get(k) for k in (i, j)])
        if end is not None:
            _hold(clips, i, j, start, end, distance, fps)
        last_end[i] = last_end[j] = start if end is None else end
    return clips


def approaches(actors: Sequence, frames: int) -> list[tuple[int, int, int, float]]:
    """``(i, j, frame, distance)`` of each coming up without touching (``ActorPlan.meets``), ``i < j``, the
    frame at most ``frames - 1``."""
    found = {(min(i, k), max(i, k), min(frame, frames - 1), distance)
             for i, actor in enumerate(actors) for frame, k, distance in actor.meets
             if k != i and 0 <= k < len(actors)}
    return sorted(found, key=lambda a: a[2])


def _meet(clips: list[np.ndarray], pair: tuple[int, int], frame: int, distance: float, came: list[bool],
          since: list[int | None]) -> None:
    """Move the pair's clips so that at ``frame`` they stand ``distance`` apart facing each other."""
    positions = [clips[k][frame, 0, [0, 2]] for k in pair]
    headings = [_heading_at(clips[k], frame) for k in pair]
    if came[0] != came[1]:  # the one that came stands in front of the one that waited
        mover, waiter = (0, 1) if came[0] else (1, 0)
        ahead = np.array([np.sin(headings[waiter]), np.cos(headings[waiter])])
        targets = {mover: positions[waiter] + distance * ahead}
        facing = {mover: headings[waiter] + np.pi}
    else:  # both came, or neither: each moves half way and turns to the other
        middle, across = (positions[0] + positions[1]) / 2, positions[1] - positions[0]
        norm = np.linalg.norm(across)
        across = across / norm if norm > 1e-6 else np.array([np.sin(headings[0]), np.cos(headings[0])])
        targets = {0: middle - across * distance / 2, 1: middle + across * distance / 2}
        facing = {0: np.arctan2(across[0], across[1]), 1: np.arctan2(-across[0], -across[1])}
    for side, target in targets.items():
        k = pair[side]
        turn = (facing[side] - headings[side] + np.pi) % (2 * np.pi) - np.pi
        weight = _ease_in(len(clips[k]), since[side], frame)
        clips[k] = _rigid(clips[k], positions[side], turn * weight, (target - positions[side])[None] * weight[:, None])


def _hold(clips: list[np.ndarray], i: int, j: int, start: int, end: int, distance: float, fps: float) -> None:
    """Over ``[start, end)``, take out the part of the pelvis distance outside ``[min(CLOSEST, distance),
    distance + REACH]`` (smoothed, eased in over the first ``HOLD_SMOOTHING`` seconds), half from each
    actor; the correction at ``end - 1`` is kept after it."""
    from scipy.ndimage import gaussian_filter1d

    across = clips[j][:, 0, [0, 2]] - clips[i][:, 0, [0, 2]]
    gap = np.linalg.norm(across, axis=-1)
    direction = across / np.maximum(gap, 1e-6)[:, None]
    error = np.zeros(len(gap))
    excess = gap[start:end] - np.clip(gap[start:end], min(CLOSEST, distance), distance + REACH)
    error[start:end] = gaussian_filter1d(excess, HOLD_SMOOTHING * fps, mode="nearest")
    error *= _ease_in(len(gap), start, start + int(HOLD_SMOOTHING * fps))  # no jump where the hold begins
    shift = (error / 2)[:, None] * direction
    shift[end:] = shift[end - 1]
    for k, sign in ((i, 1.0), (j, -1.0)):
        clips[k][..., [0, 2]] += sign * shift[:, None]


def _heading_at(joints: np.ndarray, frame: int) -> float:
    """Circular mean heading (radians) over :data:`HEADING_FRAMES` frames around ``frame``."""
    around = heading_angles(joints[max(0, frame - HEADING_FRAMES // 2):frame + HEADING_FRAMES // 2 + 1])
    return float(np.arctan2(np.sin(around).mean(), np.cos(around).mean()))


def _ease_in(frames: int, since: int | None, until: int) -> np.ndarray:
    """Weight ``[frames]`` of a meeting's move: 1 throughout for a first meeting (``since`` None), else 0
    up to ``since``, a smoothstep up to ``until`` and 1 after."""
    if since is None:
        return np.ones(frames)
    return smoothstep((np.arange(frames) - since) / max(until - since, 1))


def _rigid(joints: np.ndarray, pivot: np.ndarray, turn: np.ndarray | float, shift: np.ndarray) -> np.ndarray:
    """``joints [T, 22, 3]`` turned by ``turn`` (radians, scalar or ``[T]``) about the vertical through
    ``pivot`` (x, z), then shifted by ``shift [T, 2]`` (x, z)."""
    centre = np.array([pivot[0], 0.0, pivot[1]])
    turned = rotate_y(joints - centre, np.asarray(turn)[..., None] if np.ndim(turn) else turn) + centre
    turned[..., [0, 2]] += shift[:, None]
    return turned


def partner_joints(actors: Sequence, joints: list[np.ndarray], fps: float) -> np.ndarray:
    """Each actor's partner in the actor's canonical frame, ``[B, T, 22, 3]`` (zeros without one), from
    the first-pass clips ``joints[i] [T, 22, 3]`` (``actors`` on the model's clock at ``fps``, ``partner``
    a batch index), placed as planned. No training clip shows a partner walking up to the actor or away
    from it (it stands in front, as the data generator places it), and a waiting actor shown one bent
    its legs; so an actor that waits while its partner walks up (:func:`came_to`) sees
    it standing from the start as at the (staged) meeting, and one that stays while the partner leaves
    after their last interaction sees it stay as it was then."""
    placed = [place_actor(clip, actor) for clip, actor in zip(joints, actors)]
    staged = stage(placed, actors, fps)
    spans: dict[frozenset, tuple[int, int]] = {}
    for i, j, start, end, _ in interactions(actors):
        first = spans.get(frozenset((i, j)), (start, end))[0]
        spans[frozenset((i, j))] = (first, end)
    out = np.zeros((len(actors),) + joints[0].shape)
    for i, actor in enumerate(actors):
        k = actor.partner
        if k is None:
            continue
        partner = placed[k].copy()
        if frozenset((i, k)) in spans:
            start, end = spans[frozenset((i, k))]
            frames = len(actor.action_ids)
            if came_to(actors[k], start) and not came_to(actor, start):
                partner = staged[k].copy()  # the waiting actor is not moved by staging: same frame
                partner[:start] = partner[start]
            if came_to(actors[k], frames, end) and not came_to(actor, frames, end):
                partner[end:] = partner[end - 1]
        origin = np.array([actor.start_position[0], 0.0, actor.start_position[1]])
        out[i] = to_canonical(partner, origin, actor.facing)
    return out
