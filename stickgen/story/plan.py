"""Script to :class:`~stickgen.conditioning.ScenePlan`: per-frame conditioning and world placement.

Every character becomes an :class:`~stickgen.conditioning.ActorPlan`: per-frame action ids, a clean
one-actor sentence for the text encoder ("a person walks quickly forward, then waves"), start position,
facing and (when the way is not a straight line ahead) path waypoints, speed and energy hints, partner,
expressions and speech as frame segments. Characters that interact (handshake, hug, high five, fight),
walk toward each other or one toward the other are anchored where they meet: at the first such moment
they stand ``stickgen.staging.CONTACT_DISTANCE`` apart (1 m for each other, ``STOP_SHORT`` in front of
the one walked toward) facing each other, and the walking before it is laid out backwards from there,
so both arrive together (a meeting without touching goes to ``ActorPlan.meets`` for
:mod:`stickgen.staging`). The whole layout is then centred on the origin.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .. import vocab
from ..conditioning import ActorPlan, ScenePlan
from ..control import ROOT_CONTROLS
from ..motion import PALETTE, Segment
from ..staging import contact_distance
from . import layout as geo
from . import lexicon as lx
from .controls import CURVED, plan_controls, stepping_sideways
from .schema import Script, TimedAction

APPROACH = {None, "forward", "converge", "toward"}
STOP_SHORT = 0.8  # "walks toward her" stops this far from her
CAMERA_PARAMS = {("zoom", "in"): {"factor": 1.6}, ("zoom", "out"): {"factor": 0.65},
                 ("dolly", "out"): {"distance": -2.0}, ("pan", "left"): {"angle": 30.0},
                 ("pan", "right"): {"angle": -30.0}, ("crane", "down"): {"height": -1.0}}


@dataclass
class _Track:
    """One character's geometry while it is laid out."""

    start: np.ndarray  # [2]
    heading: float
    points: list[np.ndarray]
    anchored: bool = False
    steered: bool = False  # the motion turns or steps sideways before the first move: facing stays


def script_to_plan(script: Script | dict | str, fps: float = 25) -> ScenePlan:
    """The :class:`ScenePlan` of ``script`` (a Script, its dict or its JSON) at ``fps`` frames per second."""
    if isinstance(script, str):
        script = Script.from_json(script)
    elif isinstance(script, dict):
        script = Script.from_dict(script)
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    num_frames = max(1, int(round(script.duration * fps)))
    names = [c.name for c in script.characters]
    timelines = {name: sorted((a for s in script.scenes for a in s.actions if a.character == name),
                              key=lambda a: a.start) for name in names}
    tracks = _lay_out(script, timelines)
    offset = _centre(tracks)
    meets: dict[str, list[tuple[int, int, float]]] = {name: [] for name in names}
    for name, other, when, gap, touching in _meetings(timelines):
        if not touching:  # interactions staging finds in the action ids
            meets[name].append((_frame(when, fps, num_frames), names.index(other), gap))
    actors = []
    # one actor doing something: the text encoder sees the user's own sentence (the model was trained on
    # whole descriptions); several actors, or nothing understood: each actor's actions, rewritten (actor_text)
    acts = any(a.action != "idle" for s in script.scenes for a in s.actions)
    own_words = script.description.strip() if len(script.characters) == 1 and acts else ""
    for i, character in enumerate(script.characters):
        timeline, track = timelines[character.name], tracks[character.name]
        points = np.array(track.points).reshape(-1, 2) - offset
        start = track.start - offset
        ray = geo.heading_of(points[-1] - start) if len(points) else track.heading
        turned_from_partner = track.anchored and abs(np.angle(np.exp(1j * (ray - track.heading)))) > 0.5
        use_path = len(points) > 0 and (not geo.is_straight_ray(start, points) or turned_from_partner)
        backward = all(a.direction == "backward" for a in timeline if a.action in lx.ACTION_SPEED)
        control = plan_controls(timeline, num_frames, fps)
        self_steered = not track.anchored and _root_fixed(timeline, control, fps)  # walks the way by itself
        facing = track.heading if use_path or backward or track.steered or self_steered else ray
        use_path = use_path and not self_steered
        moving = [a.speed for a in timeline if a.speed]
        energies = [a.energy for a in timeline if a.energy is not None]
        partner = next((names.index(a.partner) for a in timeline if a.partner), None)
        actors.append(ActorPlan(
            id=f"a{i}", text=own_words or actor_text(timeline, names), action_ids=_frame_ids(timeline, num_frames, fps),
            name=character.name, color=character.color or PALETTE[i % len(PALETTE)],
            start_position=(float(start[0]), float(start[1])), facing=float(facing),
            path=points if use_path else None, speed=max(moving) if moving else None,
            target_speed=_frame_speeds(timeline, num_frames, fps),
            control=control,
            energy=float(np.mean(energies)) if energies else 0.5, partner=partner, meets=meets[character.name],
            expressions=_segments(script, "expressions", "expression", character.name, fps, num_frames),
            speech=_segments(script, "speech", "type", character.name, fps, num_frames)))
    return ScenePlan(actors, fps=fps, camera=_camera(script, actors, fps, num_frames),
                     objects=_objects(script, tracks, offset) or None,
                     meta={"prompt": script.description, "title": script.title, "script": script.to_dict(),
                           "warnings": list(script.warnings)})


# ----------------------------------------------------------------------------- text and frames


def action_phrase(action: TimedAction, names: list[str] = ()) -> str:
    """"walks quickly forward": the action's verb phrase and manner, other characters as "someone"."""
    verb = lx.TEXT_PHRASES.get(action.action) or lx.third_person(vocab.action_info(action.action).synonyms[0])
    manner = action.manner.replace("each other", "someone")
    for name in sorted(names, key=len, reverse=True):
        manner = re.sub(rf"\b{re.escape(name)}\b", "someone", manner)
    return f"{verb} {manner}".strip()


def actor_text(timeline: list[TimedAction], names: list[str] = ()) -> str:
    """"a person walks quickly forward, then waves": the sentence the text encoder sees for one actor."""
    phrases = []
    for action in timeline:
        phrase = action_phrase(action, names)
        if action.action != "idle" and (not phrases or phrases[-1] != phrase):
            phrases.append(phrase)
    return "a person " + (", then ".join(phrases) if phrases else "stands still")


def _root_fixed(timeline: list[TimedAction], control: np.ndarray, fps: float) -> bool:
    """Whether ``control [T, 5]`` fixes the root on every frame of the timeline's moving actions (the
    generated clip then walks the laid-out way, turns included, and follows no path); never for a
    curved way (a circle, a zigzag), whose turns only the path has."""
    moving = [a for a in timeline if a.action in lx.ACTION_SPEED and a.end > a.start]
    if any(a.direction in CURVED for a in moving):
        return False
    frames = [np.arange(_frame(a.start, fps, len(control)), _frame(a.end, fps, len(control))) for a in moving]
    frames = np.concatenate(frames) if frames else np.zeros(0, int)
    return len(frames) > 0 and bool(np.isfinite(control[frames][:, list(ROOT_CONTROLS)]).all())


def _frame(seconds: float, fps: float, num_frames: int) -> int:
    return int(min(max(round(seconds * fps), 0), num_frames))


def _frame_ids(timeline: list[TimedAction], num_frames: int, fps: float) -> np.ndarray:
    """``[T]`` action ids; frames no action covers are idle."""
    ids = np.full(num_frames, vocab.action_id("idle"), dtype=np.int64)
    for action in timeline:
        ids[_frame(action.start, fps, num_frames):_frame(action.end, fps, num_frames)] = vocab.action_id(action.action)
    return ids


def _frame_speeds(timeline: list[TimedAction], num_frames: int, fps: float) -> np.ndarray | None:
    """``[T]`` ground speed (m/s) the pelvis is laid out to travel at: each locomotion action's given
    distance over its time, or its speed (unless done in place); NaN elsewhere; None if no frame has one."""
    speeds = np.full(num_frames, np.nan)
    for action in timeline:
        if vocab.action_info(action.action).family != "locomotion" or action.direction == "in_place":
            continue
        seconds = action.end - action.start
        speed = action.distance / seconds if action.distance is not None and seconds > 0 else action.speed
        if speed is not None:
            speeds[_frame(action.start, fps, num_frames):_frame(action.end, fps, num_frames)] = speed
    return speeds if np.isfinite(speeds).any() else None


def _segments(script: Script, track: str, label: str, name: str, fps: float, num_frames: int) -> list[Segment]:
    out = []
    for event in (e for s in script.scenes for e in getattr(s, track) if e.character == name):
        start, end = _frame(event.start, fps, num_frames), _frame(event.end, fps, num_frames)
        if end > start:
            extra = {"text": event.text} if getattr(event, "text", "") else {}
            out.append(Segment(start, end, getattr(event, label), extra))
    return out


# ----------------------------------------------------------------------------- geometry


def _lay_out(script: Script, timelines: dict[str, list[TimedAction]]) -> dict[str, _Track]:
    given = {entry.character: entry for entry in script.layout}
    tracks = {}
    for k, name in enumerate(timelines):
        entry = given.get(name)
        start = np.array(entry.start if entry else ((k - (len(timelines) - 1) / 2) * 1.5, 0.0), dtype=float)
        tracks[name] = _Track(start, float(np.radians(entry.facing)) if entry else 0.0, [])
    for name, other, when, gap, _ in _meetings(timelines):
        _anchor(tracks, timelines, name, other, when, gap)
    for name, timeline in timelines.items():
        track = tracks[name]
        if track.anchored:
            continue
        if given.get(name) and given[name].path:
            track.points = [np.asarray(p, dtype=float) for p in given[name].path]
            continue
        _walk(track, timeline, tracks)
    return tracks


def _meetings(timelines: dict[str, list[TimedAction]]) -> list[tuple[str, str, float, float, bool]]:
    """(character, other, time, distance, touching) of each pair's first meeting, earliest first;
    ``touching``: an interaction (handshake, hug, ...), not only coming up to the other."""
    found: dict[frozenset, tuple[str, str, float, float, bool]] = {}
    for name, timeline in timelines.items():
        for action in timeline:
            if action.partner and action.partner != name:
                when, gap, other = action.start, contact_distance(action.action), action.partner
            elif action.direction == "converge" and action.target:
                when, gap, other = action.end, contact_distance(None), action.target
            elif action.direction == "toward" and action.target in timelines and action.action in lx.ACTION_SPEED:
                when, gap, other = action.end, STOP_SHORT, action.target  # laid out so the walk ends short of her
            else:
                continue
            key = frozenset((name, other))
            earlier = key not in found or when < found[key][2] - 1e-6
            same_time_touch = key in found and abs(when - found[key][2]) < 1e-6 and action.partner
            if earlier or same_time_touch:  # an interaction beats "walk toward each other" ending then
                found[key] = (name, other, when, gap, bool(action.partner))
    return sorted(found.values(), key=lambda m: m[2])


def _anchor(tracks: dict[str, _Track], timelines: dict[str, list[TimedAction]], name: str, other: str,
            when: float, gap: float) -> None:
    """Stand ``name`` and ``other`` ``gap`` apart facing each other at ``when``; lay out the rest from there."""
    a, b = tracks[name], tracks[other]
    if a.anchored or b.anchored:
        return
    before = [x for n in (name, other) for x in timelines[n] if x.end <= when + 1e-6 and x.action in lx.ACTION_SPEED]
    if any(x.direction not in APPROACH for x in before):
        return
    centre = (a.start + b.start) / 2
    axis = b.start - a.start
    axis = axis / np.linalg.norm(axis) if np.linalg.norm(axis) > 1e-6 else np.array([1.0, 0.0])
    for track, sign, me in ((a, -1.0, name), (b, 1.0, other)):
        meet = centre + sign * axis * gap / 2
        heading = geo.heading_of(-sign * axis)
        approach = sum(_length(x) for x in timelines[me] if x.end <= when + 1e-6 and x.action in lx.ACTION_SPEED)
        track.start, track.heading, track.anchored = meet - approach * geo.unit(heading), heading, True
        track.points = [meet] if approach > 1e-6 else []
        after = [x for x in timelines[me] if x.start >= when - 1e-6]
        _walk(track, after, tracks, position=meet, heading=heading)


def _length(action: TimedAction) -> float:
    if action.distance is not None:
        return action.distance
    if action.action == "jump" and action.direction in (None, "in_place"):
        return 0.0
    return (action.speed or lx.ACTION_SPEED.get(action.action, 0.0)) * (action.end - action.start)


def _walk(track: _Track, timeline: list[TimedAction], tracks: dict[str, _Track],
          position: np.ndarray | None = None, heading: float | None = None) -> None:
    """Append the waypoints of ``timeline``'s moving actions to ``track``, from its start (or ``position``).

    A turn is turned by the motion itself (:mod:`stickgen.story.controls` gives it as a heading rate),
    so a track that turns or steps sideways before its first move keeps the facing it had; the way
    it then goes shows in the waypoints."""
    position = track.start.copy() if position is None else position
    heading = track.heading if heading is None else heading
    for action in timeline:
        steered = bool(action.turn) or stepping_sideways(action)
        if action.turn:
            heading += np.radians(action.turn)
        if action.action not in lx.ACTION_SPEED:
            if action.target and action.target in tracks and not track.points:
                heading = track.heading = geo.heading_of(tracks[action.target].start - position)
            track.steered |= steered and not track.points
            continue
        length = _length(action)
        direction = action.direction or ("bases" if action.action == "running_bases" else None)
        if direction in ("toward", "converge") and action.target in tracks:
            towards = tracks[action.target].start - position
            heading = geo.heading_of(towards)
            length, direction = min(length, max(np.linalg.norm(towards) - STOP_SHORT, 0.0)), "forward"
        elif direction == "diverge" and action.target in tracks:
            away = position - tracks[action.target].start
            heading = geo.heading_of(away) if np.linalg.norm(away) > 1e-6 else heading + np.pi
            direction = "forward"
        if not track.points and not track.anchored:  # the first move sets the facing, unless a partner does
            track.steered |= steered
            if not track.steered:
                track.heading = geo.start_heading(heading, direction)
        facing = heading
        points, heading = geo.segment(position, heading, direction, length)
        if stepping_sideways(action):  # the body keeps facing the way it did
            heading = facing
        track.points += list(points)
        if len(points):
            position = points[-1]


def _centre(tracks: dict[str, _Track]) -> np.ndarray:
    points = np.concatenate([np.array([t.start] + t.points).reshape(-1, 2) for t in tracks.values()])
    return (points.min(axis=0) + points.max(axis=0)) / 2


def _objects(script: Script, tracks: dict[str, _Track], offset: np.ndarray) -> list[dict]:
    out = []
    for k, prop in enumerate(o for s in script.scenes for o in s.objects):
        if prop.position is not None:
            position = list(prop.position)
        else:
            track = tracks.get(prop.near) if prop.near else None
            spot = (track.start - offset + 0.5 * geo.unit(track.heading)) if track else np.zeros(2)
            position = [float(spot[0]), 0.0, float(spot[1])]
        item = {"id": f"o{k}", "type": prop.type, "position": position}
        if prop.size is not None:
            item["size"] = list(prop.size)
        out.append(item)
    return out


def _camera(script: Script, actors: list[ActorPlan], fps: float, num_frames: int) -> dict | None:
    """The ``.motion`` camera object of the script's moves in frames; ``None`` without any (the renderer's
    director then shoots the scene, see ``stickgen.render.director``)."""
    ids = {a.name: a.id for a in actors}
    moves = []
    for move in (m for s in script.scenes for m in s.camera):
        start = min(_frame(move.start, fps, num_frames), num_frames - 1)
        item = {"move": move.move, "start": start, "end": max(start + 1, _frame(move.end, fps, num_frames))}
        if move.target is not None:
            item["target_actor"] = ids[move.target]
        item.update(CAMERA_PARAMS.get((move.move, move.direction), {}))
        moves.append(item)
    return {"moves": moves} if moves else None
