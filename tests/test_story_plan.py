"""Script schema round trip and validation; script -> ScenePlan (frames, placement, interactions, camera)."""
import json

import numpy as np
import pytest

from stickgen import vocab
from stickgen.conditioning import ScenePlan
from stickgen.control import integrate
from stickgen.story import Script, ScriptError, plan_from_prompt, script_to_plan
from stickgen.story.layout import is_straight_ray, segment
from stickgen.story.lexicon import ACTION_SPEED
from stickgen.story.parser import parse_prompt


def plan(prompt, duration=10.0, fps=25):
    return plan_from_prompt(prompt, duration, fps, matcher=None)


# ----------------------------------------------------------------------------- schema


def test_script_json_round_trip_is_exact():
    script = parse_prompt("Alice says 'hi' and waves at Bob. The camera zooms in. Bob walks toward her, "
                          "then they hug happily.", 8.0)
    again = Script.from_json(script.to_json())
    assert again == script and again.to_dict() == script.to_dict()


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["scenes"][0]["actions"][0].update(action="moonwalk"), "actions[0].action: unknown name 'moonwalk'"),
    (lambda d: d["scenes"][0]["actions"][0].update(end=99.0), "actions[0]: time range"),
    (lambda d: d["scenes"][0]["actions"][0].update(character="Zed"), "actions[0].character: unknown name 'Zed'"),
    (lambda d: d.update(duration=-1), "script.duration"),
    (lambda d: d["characters"][0].update(color="red"), "characters[0].color"),
    (lambda d: d.update(bogus=1), "unknown field(s) bogus"),
    (lambda d: d["scenes"][0]["actions"][0].update(start="soon"), "expected a finite number"),
    (lambda d: d["scenes"][0]["camera"].append({"move": "spin", "start": 0, "end": 1}), "camera[0].move"),
    (lambda d: d.pop("characters"), "characters: required field missing"),
    (lambda d: d["scenes"][0]["actions"][0].update(start=True), "actions[0].start: expected a finite number"),
    (lambda d: d["scenes"][0]["actions"][0].update(start=10 ** 400), "actions[0].start: expected a finite number"),
    (lambda d: d["scenes"][0].update(actions=[{}] * 6001), "actions: 6001 items; at most 6000"),
    (lambda d: d["layout"][0].update(path=[[0, 0]] * 1001), "path: 1001 points; at most 1000"),
    (lambda d: d["layout"][0].update(start=[5000.0, 0.0]), "more than 1000 m from the origin"),
    (lambda d: d.update(description="x" * 2001), "description: 2001 characters"),
])
def test_invalid_scripts_name_the_field(edit, message):
    doc = parse_prompt("a man walks, then waves", 5.0).to_dict()
    edit(doc)
    with pytest.raises(ScriptError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")
                       .replace("]", r"\]")):
        Script.from_dict(doc)
    with pytest.raises(ScriptError, match="not valid JSON"):
        Script.from_json("{nope")


@pytest.mark.parametrize("text, reason", [("[" * 5000 + "]" * 5000, "nested too deeply"),
                                          ('{"duration": ' + "9" * 5000 + "}", "5000 digits"),
                                          ('{"duration": NaN}', "NaN is not a number")])
def test_hostile_script_json_is_one_clear_error(text, reason):
    with pytest.raises(ScriptError, match=f"script: not valid JSON .*{reason}"):
        Script.from_json(text)


# ----------------------------------------------------------------------------- frames and text


def test_frames_text_and_hints_of_a_single_actor():
    p = plan("A man walks forward quickly, then waves.")
    assert isinstance(p, ScenePlan) and p.num_frames == 250 and p.fps == 25
    actor = p.actors[0]
    assert [(s.start, s.end, s.label) for s in actor.action_segments()] == [(0, 167, "walk"), (167, 250, "wave")]
    assert actor.text == "A man walks forward quickly, then waves."  # one actor: the user's own words
    two = plan("A man walks forward quickly while a woman waves.")
    assert [a.text for a in two.actors] == ["a person walks quickly forward", "a person waves"]
    quick_walk = ACTION_SPEED["walk"] * 1.45
    assert actor.speed == pytest.approx(quick_walk) and actor.energy == 0.8 and actor.partner is None
    # the walk is centred on the origin and goes straight ahead (+z): a facing, no path
    assert actor.path is None and actor.facing == 0.0
    assert actor.start_position == pytest.approx((0.0, -quick_walk * 6.67 / 2), abs=0.05)
    assert p.camera is None  # no camera words: the renderer's director shoots it (and tracks the walk)
    assert p.meta["script"]["characters"][0]["name"] == "Man"


def test_other_frame_rates_and_durations():
    p = plan("a girl jumps, then sits", duration=3.0, fps=30)
    assert p.num_frames == 90 and [s.label for s in p.actors[0].action_segments()] == ["jump", "sit"]


def test_expressions_and_speech_become_frame_segments():
    p = plan("A man shouts 'Stop!' angrily, then sits sadly.", duration=4.0)
    actor = p.actors[0]
    assert [(s.start, s.end, s.label, s.extra) for s in actor.speech] == [(0, 56, "shout", {"text": "Stop!"})]
    assert [(s.start, s.end, s.label) for s in actor.expressions] == [(0, 56, "angry"), (56, 100, "sad")]


# ----------------------------------------------------------------------------- interactions


@pytest.mark.parametrize("prompt, action, gap", [
    ("two friends walk toward each other and shake hands", "handshake", 0.75),
    ("a man and a woman hug", "hug", 0.45),
    ("Alice waves at Bob. Bob runs toward her and they high five.", "high_five", 0.85),
])
def test_interacting_actors_meet_face_to_face_at_the_right_time(prompt, action, gap):
    p = plan(prompt)
    a, b = p.actors
    assert (a.partner, b.partner) == (1, 0)
    ids_a, ids_b = a.action_ids, b.action_ids
    first = np.flatnonzero(ids_a == vocab.action_id(action))[0]
    assert first == np.flatnonzero(ids_b == vocab.action_id(action))[0]  # together in time
    # where each one is when the interaction starts: start + the straight walk before it, at the planned speed
    walks = {x["character"]: x["end"] - x["start"] for x in p.meta["script"]["scenes"][0]["actions"]
             if x["action"] in ("walk", "run")}
    ends = []
    for actor in (a, b):
        assert actor.path is None
        ahead = np.array([np.sin(actor.facing), np.cos(actor.facing)])
        ends.append(np.array(actor.start_position) + (actor.speed or 0.0) * walks.get(actor.name, 0.0) * ahead)
    assert np.linalg.norm(ends[0] - ends[1]) == pytest.approx(gap, abs=0.05)
    # facing each other
    toward = (ends[1] - ends[0]) / np.linalg.norm(ends[1] - ends[0])
    assert np.dot([np.sin(a.facing), np.cos(a.facing)], toward) == pytest.approx(1.0, abs=1e-6)
    assert np.dot([np.sin(b.facing), np.cos(b.facing)], -toward) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("prompt, gap, both", [("A man walks toward a woman.", 0.8, False),
                                               ("Two friends walk toward each other.", 1.0, True)])
def test_walking_up_to_someone_is_laid_out_to_end_in_front_of_them(prompt, gap, both):
    """Not past her: "walks toward" ends short of her (it was laid out 1.5 m from her and walked on through)."""
    p = plan(prompt, duration=6)
    a, b = p.actors
    assert a.partner is None and b.partner is None  # no interaction, no partner conditioning
    assert a.meets == [(150, 1, gap)] and b.meets == []
    ahead = np.array([np.sin(a.facing), np.cos(a.facing)])
    to_b = np.subtract(b.start_position, a.start_position)
    assert np.dot(ahead, to_b) == pytest.approx(np.linalg.norm(to_b))  # walks straight at her
    walked = a.speed * 6 + (b.speed * 6 if both else 0.0)
    assert np.linalg.norm(to_b) == pytest.approx(walked + gap, abs=0.05)


def test_teams_line_up_facing_each_other():
    p = plan("two teams of three face off")
    xs = np.array([a.start_position[0] for a in p.actors])
    assert np.allclose(xs[:3], -2.5) and np.allclose(xs[3:], 2.5)
    assert np.allclose([a.facing for a in p.actors], [np.pi / 2] * 3 + [-np.pi / 2] * 3)


def test_group_dancing_in_a_circle_stands_in_a_ring_facing_the_centre():
    p = plan("five people dance in a circle")
    positions = np.array([a.start_position for a in p.actors])
    positions -= positions.mean(axis=0)
    radii = np.linalg.norm(positions, axis=1)
    assert np.allclose(radii, radii[0]) and radii[0] > 1.0
    for a, position in zip(p.actors, positions):
        assert np.dot([np.sin(a.facing), np.cos(a.facing)], -position / np.linalg.norm(position)) > 0.999


# ----------------------------------------------------------------------------- paths


@pytest.mark.parametrize("prompt, gait, seconds", [("a girl walks in a circle", "walk", 10.0),
                                                   ("a child runs in a circle", "run", 10.0),
                                                   ("a child runs in a circle", "run", 30.0)])
def test_circle_path_is_a_closed_loop_with_the_planned_length(prompt, gait, seconds):
    """Whole laps, however long the way (a 10 s run is one lap of 5.3 m radius, not 1.3 laps of 4 m)."""
    p = plan(prompt, duration=seconds)
    actor = p.actors[0]
    points = np.vstack([actor.start_position, actor.path])
    length = np.linalg.norm(np.diff(points, axis=0), axis=1).sum()
    assert length == pytest.approx(ACTION_SPEED[gait] * seconds, rel=0.02)
    assert np.linalg.norm(points[-1] - points[0]) < 0.1
    centre = points.mean(axis=0)
    assert np.linalg.norm(centre) < 0.3  # centred on the origin


def test_bases_turn_and_walking_backwards():
    bases = plan("a batter runs around the bases").actors[0]
    assert bases.path is not None and len(bases.path) == 4
    assert np.linalg.norm(bases.path[-1] - np.array(bases.start_position)) < 1e-6
    back = plan("a man walks backwards").actors[0]
    assert back.path is None and back.facing == 0.0 and back.start_position[1] > 0  # moves toward -z
    for sentence in ("a robot walks forward, then turns around and walks back", "a man walks to the window and back"):
        actor = plan(sentence).actors[0]
        assert actor.path is None  # its controls turn it round: the clip walks the way itself
        way, _ = integrate(actor.control, 25, actor.start_position, actor.facing)
        assert np.linalg.norm(way[-1] - np.array(actor.start_position)) < 1.0  # ends where it began
        assert np.linalg.norm(way - np.array(actor.start_position), axis=1).max() > 2.0  # after going there


def test_layout_helpers():
    points, heading = segment(np.zeros(2), 0.0, "left", 2.0)
    assert np.allclose(points, [[2.0, 0.0]]) and heading == pytest.approx(np.pi / 2)
    points, _ = segment(np.zeros(2), 0.0, "backward", 2.0)
    assert np.allclose(points, [[0.0, -2.0]])
    assert is_straight_ray(np.zeros(2), np.array([[0, 1.0], [0, 2.0]]))
    assert not is_straight_ray(np.zeros(2), np.array([[0, 2.0], [0, 1.0]]))
    assert not is_straight_ray(np.zeros(2), np.array([[1.0, 1.0], [0.0, 0.0]]))


def test_camera_moves_in_frames_with_targets_and_params():
    p = plan("a man walks. Then the camera zooms in on him.", duration=8.0)
    (move,) = p.camera["moves"]
    assert move["move"] == "zoom" and move["factor"] == 1.6 and move["target_actor"] == "a0"
    assert 0 < move["start"] < move["end"] == 200


def test_plans_are_deterministic_and_accept_dicts_and_json():
    script = parse_prompt("three kids run in a circle, then they jump", 6.0)
    a, b = script_to_plan(script), script_to_plan(script.to_dict())
    c = script_to_plan(json.dumps(script.to_dict()))
    for x, y in ((a, b), (a, c)):
        for u, v in zip(x.actors, y.actors):
            assert np.array_equal(u.action_ids, v.action_ids) and u.start_position == v.start_position
            assert (u.path is None and v.path is None) or np.array_equal(u.path, v.path)
    with pytest.raises(ValueError, match="fps"):
        script_to_plan(script, fps=0)


@pytest.mark.parametrize("prompt, actions", [
    ("The boxer punches while his opponent dodges.", ["punch", "dodge"]),
    ("A boy throws the ball to his friend.", ["throwing", "catching"]),
])
def test_opponents_and_throw_catch_pairs_face_each_other(prompt, actions):
    a, b = plan(prompt, duration=4.0).actors
    assert [a.action_segments()[0].label, b.action_segments()[0].label] == actions
    toward = np.subtract(b.start_position, a.start_position)
    toward /= np.linalg.norm(toward)
    assert np.dot([np.sin(a.facing), np.cos(a.facing)], toward) == pytest.approx(1.0)
    assert np.dot([np.sin(b.facing), np.cos(b.facing)], -toward) == pytest.approx(1.0)


def test_after_a_high_five_they_walk_apart_and_circles_turn_both_ways():
    a, b = plan("two people high five and then walk away from each other").actors
    assert a.facing == pytest.approx(np.pi / 2) and b.facing == pytest.approx(-np.pi / 2)  # face to face first
    assert a.path[-1][0] < a.start_position[0] - 5 and b.path[-1][0] > b.start_position[0] + 5  # then apart
    for prompt, side in (("someone walks in a clockwise circle", -1), ("someone walks counterclockwise", 1)):
        actor = plan(prompt).actors[0]
        first = actor.path[0] - np.array(actor.start_position)
        # heading 0 faces +z; a left turn (counter-clockwise from above) drifts toward +x
        assert np.sign(first[0]) == side and first[1] > 0
