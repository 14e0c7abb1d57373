"""Beats to seconds: the parser's steps become the timed tracks and layout of a :class:`Script`.

Each beat lasts the longest nominal length of the actions in it (``timeline_tables.NOMINAL_SECONDS``, or what
"for 3 seconds" asked); beats are then stretched together to fill the clip, keeping explicit lengths
where they fit. A prompt that would squeeze its beats below a quarter of their length and under 0.4 s
keeps the first ones that fit and says so in the script's warnings. A character with nothing to do in a
beat keeps a held posture (sitting, dancing, swimming...) or stands idle, and one that must be on its
feet for an action after sitting, kneeling or lying first stands up.
"""
from __future__ import annotations

import numpy as np

from . import lexicon as lx
from .schema import CameraMove, Layout, SceneObject, Script, ScriptScene, SpeechLine, TimedAction, TimedExpression
from .state import Step, StoryState
from .timeline_tables import (
    ACTION_EXPRESSIONS,
    ANY_POSTURE,
    COUNTED_MIN_SECONDS,
    CYCLE_SECONDS,
    HOLD_ACTIONS,
    IN_POSTURE,
    KEEPS_POSTURE,
    LEAD_IN_ACTIONS,
    LEAD_IN_SECONDS,
    MIN_IDLE_SECONDS,
    NOMINAL_SECONDS,
    POSTURE_AFTER,
    RISE_SECONDS,
    RISE_SHARE,
    UPPER_BODY,
)

ROW_SPACING = 1.5  # metres between neighbours standing in a row
TEAM_GAP = 5.0  # metres between two facing teams
SHOT_SECONDS = 2.0  # a beat holding only a camera move
#: beats may be squeezed to this share of their nominal length to fit the clip, or further while the
#: shortest still lasts MIN_BEAT_SECONDS; beats that fit neither way are left out
MIN_TIME_SCALE = 0.25
MIN_BEAT_SECONDS = 0.4
Run = tuple[str, Step | None, float, float]  # (action, the step that asked for it or None, start s, end s)


def beats_that_fit(nominal: list[float], duration: float) -> int:
    """How many leading beats (``nominal`` seconds each) fit in ``duration``: scaled alike to fill it, each
    keeps :data:`MIN_TIME_SCALE` of its length or the shortest lasts :data:`MIN_BEAT_SECONDS`; at least one."""
    total = np.cumsum(nominal)
    shortest = np.minimum.accumulate(nominal) * duration / total
    fits = (total * MIN_TIME_SCALE <= duration + 1e-9) | (shortest >= MIN_BEAT_SECONDS)
    return max(1, int(np.argmin(fits)) if not fits.all() else len(fits))


def beat_bounds(nominal: list[float], explicit: list[bool], duration: float) -> np.ndarray:
    """Start times of the beats plus the clip end, ``[B + 1]`` seconds, filling ``duration``.

    Explicit beats keep their length when they leave room for the others (each other beat gets at least
    a quarter of its nominal length); otherwise every beat is scaled alike.
    """
    lengths = np.asarray(nominal, dtype=float)
    fixed = np.asarray(explicit, dtype=bool)
    free_total = lengths[~fixed].sum()
    room = duration - lengths[fixed].sum()
    if fixed.any() and (~fixed).any() and room >= 0.25 * free_total:
        lengths[~fixed] *= room / free_total
    elif fixed.all() and room >= 0 and fixed.any():
        lengths[-1] += room  # the last beat holds on to the end
    else:
        lengths *= duration / lengths.sum()
    bounds = np.concatenate([[0.0], np.cumsum(lengths)])
    bounds[-1] = duration
    return bounds


def build_script(story: StoryState, prompt: str, duration: float) -> Script:
    """The :class:`Script` of a parsed story (``story`` is the parser's reading state)."""
    beats = sorted({s.beat for s in story.steps} | {s.beat for s in story.shots if s.beat is not None})
    renumber = {b: k for k, b in enumerate(beats)}
    for step in story.steps:
        step.beat = renumber[step.beat]
    for shot in story.shots:
        shot.beat = None if shot.beat is None else renumber[shot.beat]
    nominal, explicit = [], []
    for b in range(len(beats)):
        in_beat = [s for s in story.steps if s.beat == b]
        explicit.append(any(s.seconds for s in in_beat))
        nominal.append(max([s.seconds or NOMINAL_SECONDS[s.action or "idle"] for s in in_beat] or [SHOT_SECONDS]))
    fit = beats_that_fit(nominal, duration)
    if fit < len(nominal):  # a prompt far longer than the clip: its first beats, not a blur of all of them
        story.cast.warnings.append(f"the prompt describes {len(nominal)} steps (about {sum(nominal):.0f} s); the "
                                   f"first {fit} fit in {duration:g} s, the rest are left out (ask for a longer "
                                   "duration to keep them)")
        story.steps = [s for s in story.steps if s.beat < fit]
        story.shots = [s for s in story.shots if s.beat is None or s.beat < fit]
        nominal, explicit = nominal[:fit], explicit[:fit]
    bounds = beat_bounds(nominal, explicit, duration)
    names = [c.name for c in story.cast.characters]
    scene = ScriptScene(0.0, duration, prompt)
    lead_in = not IN_POSTURE.search(prompt)  # "is sitting": already down, no standing first
    for actor in range(len(names)):
        _actor_tracks(story, actor, bounds, names, scene, lead_in)
    for shot in story.shots:
        start, end = (0.0, duration) if shot.beat is None else (bounds[shot.beat], duration)
        scene.camera.append(CameraMove(shot.move, float(start), float(end),
                                       None if shot.target is None else names[shot.target], shot.direction))
    scene.objects = [SceneObject(kind, size=lx.OBJECTS_SIZE[kind], near=names[actor]) for kind, actor in story.props]
    title = prompt if len(prompt) <= 60 else prompt[:57].rstrip() + "..."
    return Script(title, prompt, float(duration), story.cast.characters, [scene], _layout(story),
                  list(dict.fromkeys(story.cast.warnings)))  # each warning once


def _actor_tracks(story: StoryState, actor: int, bounds: np.ndarray, names: list[str], scene: ScriptScene,
                  lead_in: bool) -> None:
    name = names[actor]
    previous: Step | None = None
    runs: list[Run] = []
    faces: list[tuple[str | None, float, float]] = []
    whole_face = story.cast.emotions.get(actor)
    for b in range(len(bounds) - 1):
        start, end = float(bounds[b]), float(bounds[b + 1])
        step = story.step_at(actor, b)
        if step is not None and step.action is not None:
            action, source = step.action, step
        elif previous is not None and (step is not None or previous.action in HOLD_ACTIONS):
            action, source = previous.action, None
        else:
            action, source = "idle", None
        if runs and source is None and runs[-1][0] == action:
            runs[-1] = (*runs[-1][:3], end)
        else:
            runs.append((action, source, start, end))
        previous = source or (previous if action == getattr(previous, "action", None) else None)
        implied = ACTION_EXPRESSIONS.get(action) if source is not None else None
        faces.append(((step.emotion if step else None) or whole_face or implied, start, end))
        if step is not None and step.speech is not None:
            scene.speech.append(SpeechLine(name, step.speech[0], start, end, step.speech[1]))
    if lead_in:
        runs = with_lead_in(runs)
    for action, source, start, end in with_stand_ups(with_counted_ends(runs)):
        scene.actions.append(_timed_action(name, action, source, start, end, names))
    for label, start, end in _merge_runs(faces):
        scene.expressions.append(TimedExpression(name, label, start, end))


def with_lead_in(runs: list[Run]) -> list[Run]:
    """``(action, step, start, end)`` runs where a clip that opens with going down (sit, kneel, lie down)
    first stands for ``timeline_tables.LEAD_IN_SECONDS``: the model draws a posture action from its first frame
    as already seated or kneeling, so "sits down" would show no sitting down."""
    if not runs or runs[0][0] not in LEAD_IN_ACTIONS or runs[0][2] > 0.0:
        return runs
    action, source, start, end = runs[0]
    if end - start < 2 * LEAD_IN_SECONDS:
        return runs
    return [("idle", None, start, start + LEAD_IN_SECONDS), (action, source, start + LEAD_IN_SECONDS, end),
            *runs[1:]]


def with_counted_ends(runs: list[Run]) -> list[Run]:
    """``(action, step, start, end)`` runs where a counted repeated gesture ("claps three times") lasts its
    count of cycles (``timeline_tables.CYCLE_SECONDS``, at least ``COUNTED_MIN_SECONDS``) and the body then
    stands idle for the rest of its time."""
    out: list[Run] = []
    for action, source, start, end in runs:
        cycle = CYCLE_SECONDS.get(action)
        counted = cycle and source is not None and source.count
        stop = start + max(source.count * cycle, COUNTED_MIN_SECONDS) if counted else end
        if stop < end - MIN_IDLE_SECONDS:
            out += [(action, source, start, stop), ("idle", None, stop, end)]
        else:
            out.append((action, source, start, end))
    return out


def with_stand_ups(runs: list[Run]) -> list[Run]:
    """``(action, step, start, end)`` runs with a "stand" put before every action that needs the feet while
    the body sits, kneels, lies, crawls or is off the ground ("lies down, then walks" -> lie_down, stand,
    walk). The rise takes ``RISE_SECONDS`` of the posture, at most ``RISE_SHARE`` of the action."""
    out, posture = [], "standing"
    for action, source, start, end in runs:
        upper_body_ok = action in UPPER_BODY and posture in ("seated", "kneeling")
        if posture != "standing" and action not in ANY_POSTURE and not upper_body_ok:
            rise = min(RISE_SECONDS[posture], RISE_SHARE * (end - start))
            out.append(("stand", None, start, start + rise))
            start, posture = start + rise, "standing"
        out.append((action, source, start, end))
        posture = posture if action in KEEPS_POSTURE else POSTURE_AFTER.get(action, "standing")
    return out


def _timed_action(name: str, action: str, step: Step | None, start: float, end: float,
                  names: list[str]) -> TimedAction:
    if step is None:
        return TimedAction(name, action, start, end)
    speed = round(lx.ACTION_SPEED[action] * step.speed, 3) if action in lx.ACTION_SPEED else None
    also = "".join(f" while {lx.gerund(a)}" for a in step.also)
    return TimedAction(name, action, start, end, manner=(" ".join(step.manner) + also).strip(), speed=speed,
                       energy=step.energy, partner=None if step.partner is None else names[step.partner],
                       direction=step.direction, target=None if step.target is None else names[step.target],
                       distance=step.distance, turn=step.turn, count=step.count, size=step.size, hand=step.hand)


def _merge_runs(items: list[tuple[str | None, float, float]]) -> list[tuple[str, float, float]]:
    merged: list[tuple[str | None, float, float]] = []
    for label, start, end in items:
        if merged and merged[-1][0] == label:
            merged[-1] = (label, merged[-1][1], end)
        else:
            merged.append((label, start, end))
    return [(label, start, end) for label, start, end in merged if label is not None]


def _layout(story: StoryState) -> list[Layout]:
    """Start positions and facings: a row facing the camera, two teams facing each other, or a ring."""
    members = story.cast.members
    ring = {s.actor for s in story.steps if s.direction == "circle" and s.action not in lx.ACTION_SPEED}
    layout = []
    row = [i for i, m in enumerate(members) if m.formation == "row" and not (i in ring and m.group_size >= 3)]
    for i, member in enumerate(members):
        if i in row:
            x = (row.index(i) - (len(row) - 1) / 2) * ROW_SPACING
            layout.append(Layout(member.character.name, (x, 0.0), 0.0))
        elif member.formation in ("team_a", "team_b"):
            side = -1.0 if member.formation == "team_a" else 1.0
            z = (member.slot - (member.group_size - 1) / 2) * ROW_SPACING
            layout.append(Layout(member.character.name, (side * TEAM_GAP / 2, z), -side * 90.0))
        else:
            radius = max(1.0, 0.45 * member.group_size)
            angle = 2 * np.pi * member.slot / member.group_size
            position = (radius * float(np.sin(angle)), radius * float(np.cos(angle)))
            layout.append(Layout(member.character.name, position, float(np.degrees(angle + np.pi)) % 360.0))
    return layout
