"""Mutants of a valid .motion file either load (and then save and reload) or raise MotionFormatError.

Hypothesis drops, replaces and adds fields of ``examples/wave.motion`` (cut to a few frames so each example
is fast) with wrong types, booleans, NaN, huge integers, deep nesting and dense text; any other exception,
or a loaded scene that cannot be written back, fails the test (issue #27).
"""
import copy
import json
import operator
from functools import reduce
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickgen.motion import TRACKS, MotionFormatError, Scene

WAVE = Path(__file__).resolve().parents[1] / "examples" / "wave.motion"
FRAMES = 12

#: marker strings put into the document, and the raw JSON text that replaces each after json.dumps
RAW = {
    "<huge-int>": "9" * 5000,
    "<long-int>": "-" + "1" * 101,
    "<overflow>": "1e400",
    "<nan>": "NaN",
    "<inf>": "-Infinity",
    "<deep-list>": "[" * 2000 + "]" * 2000,
    "<deep-object>": '{"a":' * 1200 + "0" + "}" * 1200,
    "<dense-lists>": "[" + "[]," * 5000 + "[]]",
}
VALUES = st.one_of(
    st.sampled_from(sorted(RAW)),
    st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(), st.text(max_size=4),
    st.sampled_from([0, 1, -1, FRAMES - 1, FRAMES, 250, 1.5, 12.0, 1e-300, 241, "", "walk", "talk", "#1f77b4",
                     [], {}, [0, 0, 0], [[0.0, 1.0, 0.0]] * 22]),
)
KEYS = st.sampled_from(["fps", "num_frames", "start", "end", "frame", "joints", "id", "meta", "text", "x", "a\nb",
                        "k" * 5000])


def base_document() -> dict:
    """``examples/wave.motion`` cut to ``FRAMES`` frames, plus a camera and an object to mutate."""
    doc = json.loads(WAVE.read_text())
    doc["num_frames"] = FRAMES
    for actor in doc["actors"]:
        actor["joints"] = actor["joints"][:FRAMES]
        for track in TRACKS:
            scaled = ({**s, "start": s["start"] * FRAMES // 250, "end": s["end"] * FRAMES // 250}
                      for s in actor.get(track, []))
            actor[track] = [s for s in scaled if s["start"] < s["end"]]
    doc["camera"] = {"keyframes": [{"frame": 0, "position": [0, 1.6, 6], "target": [0, 1, 0], "fov": 45}],
                     "moves": [{"move": "orbit", "start": 0, "end": FRAMES, "target_actor": "a0"}]}
    doc["objects"] = [{"id": "box", "type": "box", "position": [1, 0, 1], "size": [0.5, 0.5, 0.5]}]
    return doc


def paths(value, path=()):
    """Every key/index path into ``value``; joint arrays are entered by :data:`JOINT_PATHS` instead."""
    yield path
    if path[-1:] == ("joints",):
        return
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from paths(item, path + (key,))


BASE = base_document()
PATHS = list(paths(BASE))
JOINT_PATHS = st.builds(lambda f, j, c, depth: ("actors", 0, "joints", f, j, c)[:depth],
                        st.integers(0, FRAMES - 1), st.integers(0, 21), st.integers(0, 2), st.integers(4, 6))


def mutate(doc, path: tuple, op: str, value, key: str):
    """``doc`` after one change at ``path``; a path that an earlier change removed is left alone."""
    if not path:
        return value if op == "replace" else doc
    try:
        parent = reduce(operator.getitem, path[:-1], doc)
        if op == "replace":
            parent[path[-1]] = value
        elif op == "drop":
            del parent[path[-1]]
        elif isinstance(parent[path[-1]], dict):
            parent[path[-1]][key] = value
        else:
            parent[path[-1]].append(value)
    except (KeyError, IndexError, TypeError, AttributeError):
        pass
    return doc


@st.composite
def mutants(draw) -> str:
    """JSON text of ``BASE`` after one to three random changes."""
    doc = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS) | JOINT_PATHS)
        op = draw(st.sampled_from(["replace", "drop", "add"]))
        doc = mutate(doc, path, op, copy.deepcopy(draw(VALUES)), draw(KEYS))
    text = json.dumps(doc, separators=(",", ":"))
    for token, raw in RAW.items():
        text = text.replace(json.dumps(token), raw)
    return text


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def use(scene: Scene) -> None:
    """What renderers and exporters read from a loaded scene (fractional frames used to fail here)."""
    for index, actor in enumerate(scene.actors):
        scene.actor_color(index)
        for track in TRACKS:
            actor.frame_labels(track)
    assert scene.duration > 0 and len(scene.camera_keyframes) >= 0


def test_base_document_is_valid(out_dir):
    scene = Scene.from_json(json.dumps(BASE))
    assert scene.num_frames == FRAMES and any(scene.actors[0].track(t) for t in TRACKS)


@settings(max_examples=200, deadline=None)
@given(text=mutants())
def test_mutants_load_and_save_or_raise_motion_format_error(text, out_dir):
    try:
        scene = Scene.from_json(text)
    except MotionFormatError as exc:
        message = str(exc)
        assert "\n" not in message and len(message) < 1000 and ": " in message  # one line: "field: reason"
        return
    use(scene)
    path = scene.save(out_dir / "mutant.motion")
    again = Scene.load(path)
    assert again.to_json() == path.read_text()
