"""The .motion v1 contract: files written elsewhere load, round-trip, and broken ones fail clearly."""
import copy
import json
import os
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stickgen import motion as mf
from stickgen import motion_checks as checks
from stickgen import skeleton as sk
from stickgen import validate_cli
from stickgen.motion import Motion, MotionFormatError, Scene, Segment


def contract_document(frames=30, actors=2, full=True):
    """A .motion document as another tool would write it, straight from DESIGN.md section 2."""
    rng = np.random.default_rng(3)
    doc = {
        "format": "stickgen.motion", "version": 1, "fps": 25, "num_frames": frames,
        "skeleton": {"name": "smpl22", "joints": list(sk.JOINT_NAMES), "parents": list(sk.PARENTS),
                     "units": "m", "up": "+y", "forward": "+z"},
        "actors": [],
    }
    for a in range(actors):
        joints = sk.rest_pose()[None].repeat(frames, 0) + rng.normal(0, 0.01, (frames, 22, 3))
        actor = {"id": f"a{a}", "joints": np.round(joints, 4).tolist()}
        if full:
            actor.update({"name": f"Actor {a}", "color": "#1f77b4",
                          "actions": [{"start": 0, "end": frames // 2, "action": "walk"},
                                      {"start": frames // 2, "end": frames, "action": "wave"}],
                          "expressions": [{"start": 0, "end": frames, "expression": "happy"}],
                          "speech": [{"start": 5, "end": 20, "type": "talk", "text": "hello there"}]})
        doc["actors"].append(actor)
    if full:
        doc["camera"] = {"keyframes": [{"frame": 0, "position": [0, 1.6, 6], "target": [0, 1, 0], "fov": 45,
                                        "interpolation": "smooth"}],
                         "moves": [{"move": "orbit", "start": 0, "end": frames, "target_actor": "a0"}]}
        doc["objects"] = []
        doc["meta"] = {"prompt": "two people", "seed": 7, "model": "stickgen-small", "nested": {"x": [1, 2]}}
    return doc


@pytest.mark.parametrize("full", [True, False])
def test_contract_file_loads_and_round_trips(tmp_path, full):
    doc = contract_document(full=full)
    path = tmp_path / "external.motion"
    path.write_text(json.dumps(doc, indent=2))  # pretty-printed, as another tool might
    scene = Scene.load(path)
    assert scene.num_frames == 30 and len(scene.actors) == 2
    assert scene.actors[1].joints.shape == (30, 22, 3)
    out = tmp_path / "again.motion"
    scene.save(out)
    assert json.loads(out.read_text()) == doc  # equal after JSON normalisation
    assert Scene.load(out).to_json() == out.read_text()  # and byte-stable from then on


def test_loaded_fields_and_defaults():
    scene = Scene.from_dict(contract_document())
    actor = scene.actors[0]
    assert actor.label_at("actions", 20) == "wave" and actor.label_at("speech", 25) is None
    assert actor.speech[0].extra == {"text": "hello there"}
    assert actor.frame_labels("actions").tolist() == [1] * 15 + [5] * 15
    assert scene.camera_keyframes[0].position == (0, 1.6, 6)
    bare = Scene.from_dict(contract_document(full=False))
    assert bare.actors[0].name is None and bare.camera_keyframes == []
    assert bare.actor_color(1) == mf.PALETTE[1]
    assert bare.duration == pytest.approx(30 / 25)


def test_scene_built_in_code_saves_rounded(tmp_path):
    joints = sk.rest_pose()[None].repeat(250, 0) + 1e-7
    scene = Scene([Motion(joints, actions=[Segment(0, 250, "idle")])], meta={"seed": 1})
    path = scene.save(tmp_path / "deep" / "idle.motion", decimals=4)
    loaded = Scene.load(path)
    np.testing.assert_allclose(loaded.actors[0].joints, joints, atol=5e-5)
    assert path.stat().st_size < 150_000
    assert path.stat().st_mode & 0o777 == 0o666 & ~_current_umask()  # not mkstemp's private 0600


def _current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def nested_lists(depth):
    """``[[...[]...]]``, ``depth`` arrays deep."""
    value = []
    for _ in range(depth - 1):
        value = [value]
    return value


def broken(mutate):
    doc = contract_document()
    mutate(doc)
    return doc


def set_path(doc, keys, value):
    target = doc
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value


BROKEN = [
    ("format", lambda d: d.update(format="bvh"), r"^format: expected 'stickgen.motion'"),
    ("version", lambda d: d.update(version=2), r"^version: unsupported version 2"),
    ("missing actors", lambda d: d.pop("actors"), r"^document: 'actors' is a required property"),
    ("missing id", lambda d: d["actors"][1].pop("id"), r"^actors\[1\]: 'id' is a required property"),
    ("fps", lambda d: d.update(fps=-5), r"^fps: -5 is less than the minimum of 1"),
    ("fps tiny", lambda d: d.update(fps=1e-300), r"^fps: 1e-300 is less than the minimum of 1"),
    ("fps boolean", lambda d: d.update(fps=True), r"^fps: True is not of type 'number'"),
    ("version 1.0", lambda d: d.update(version=1.0), r"^version: unsupported version 1\.0"),
    ("num_frames type", lambda d: d.update(num_frames="30"), r"^num_frames: '30' is not of type 'integer'"),
    ("num_frames float", lambda d: d.update(num_frames=30.0), r"^num_frames: 30\.0 is not of type 'integer'"),
    ("fractional frame", lambda d: set_path(d, ["actors", 0, "actions", 0, "end"], 7.5),
     r"^actors\[0\]\.actions\[0\]\.end: 7\.5 is not of type 'integer'"),
    ("whole float frame", lambda d: set_path(d, ["actors", 1, "speech", 0, "start"], 5.0),
     r"^actors\[1\]\.speech\[0\]\.start: 5\.0 is not of type 'integer'"),
    ("boolean frame", lambda d: set_path(d, ["camera", "keyframes", 0, "frame"], False),
     r"^camera\.keyframes\[0\]\.frame: False is not of type 'integer'"),
    ("too many frames", lambda d: d["actors"][0]["joints"].append(d["actors"][0]["joints"][0]),
     r"^actors\[0\]\.joints: has 31 frames but num_frames is 30"),
    ("joint count", lambda d: d["actors"][1]["joints"][7].pop(), r"^actors\[1\]\.joints\[7\]: expected 22 joints"),
    ("xyz", lambda d: d["actors"][1]["joints"][3][5].append(1.0),
     r"^actors\[1\]\.joints\[3\]\[5\]: expected \[x, y, z\]"),
    ("string coordinate", lambda d: set_path(d, ["actors", 0, "joints", 2, 1, 0], "a"),
     r"^actors\[0\]\.joints\[2\]\[1\]: not a number"),
    ("numeric string coordinate", lambda d: set_path(d, ["actors", 0, "joints", 2, 1, 0], "1.5"),
     r"^actors\[0\]\.joints\[2\]\[1\]: not a number: '1\.5'"),
    ("true coordinate", lambda d: set_path(d, ["actors", 1, "joints", 9, 3, 1], True),
     r"^actors\[1\]\.joints\[9\]\[3\]: not a number: True"),
    ("nan meta", lambda d: set_path(d, ["meta", "nested", "x", 1], float("nan")),
     r"^meta\.nested\.x\[1\]: not a finite number"),
    ("inf actor extra", lambda d: set_path(d, ["actors", 0, "weight"], float("-inf")),
     r"^actors\[0\]\.weight: not a finite number"),
    ("huge int meta", lambda d: set_path(d, ["meta", "seed"], 10 ** 100), r"^meta\.seed: integer over the 100-digit"),
    ("deep meta", lambda d: set_path(d, ["meta", "deep"], nested_lists(70)),
     r"^meta\.deep(\[0\]){62}: nested deeper than 64 levels"),
    ("nan", lambda d: set_path(d, ["actors", 1, "joints", 17, 4, 2], float("nan")),
     r"^actors\[1\]\.joints\[17\]\[4\]: not a finite number"),
    ("inf camera", lambda d: set_path(d, ["camera", "keyframes", 0, "position", 1], float("inf")),
     r"^camera\.keyframes\[0\]\.position\[1\]: not a finite number"),
    ("range outside", lambda d: set_path(d, ["actors", 0, "actions", 1, "end"], 31),
     r"^actors\[0\]\.actions\[1\]: frame range \[15, 31\)"),
    ("range reversed",
     lambda d: set_path(d, ["actors", 0, "expressions", 0], {"start": 9, "end": 3, "expression": "sad"}),
     r"^actors\[0\]\.expressions\[0\]: frame range \[9, 3\)"),
    ("unknown action", lambda d: set_path(d, ["actors", 1, "actions", 0, "action"], "moonwalk"),
     r"^actors\[1\]\.actions\[0\]\.action: unknown name 'moonwalk'"),
    ("unknown expression", lambda d: set_path(d, ["actors", 0, "expressions", 0, "expression"], "smug"),
     r"^actors\[0\]\.expressions\[0\]\.expression: unknown name 'smug'"),
    ("unknown speech", lambda d: set_path(d, ["actors", 0, "speech", 0, "type"], "rap"),
     r"^actors\[0\]\.speech\[0\]\.type: unknown name 'rap'"),
    ("bad colour", lambda d: set_path(d, ["actors", 0, "color"], "blue"),
     r"^actors\[0\]\.color: 'blue' does not match"),
    ("skeleton", lambda d: set_path(d, ["skeleton", "name"], "kit21"), r"^skeleton\.name: 'smpl22' was expected"),
    ("joint order", lambda d: d["skeleton"]["joints"].reverse(), r"^skeleton\.joints: joint names must be the smpl22"),
    ("duplicate id", lambda d: set_path(d, ["actors", 1, "id"], "a0"), r"^actors\[1\]\.id: duplicate actor id"),
    ("camera frame", lambda d: set_path(d, ["camera", "keyframes", 0, "frame"], 30),
     r"^camera\.keyframes\[0\]\.frame: 30 is outside the clip"),
    ("camera move", lambda d: set_path(d, ["camera", "moves", 0, "move"], "whip"),
     r"^camera\.moves\[0\]\.move: 'whip' is not one of"),
    ("camera target", lambda d: set_path(d, ["camera", "moves", 0, "target_actor"], "zz"),
     r"^camera\.moves\[0\]\.target_actor: no actor with id 'zz'"),
    ("too many actors", lambda d: d["actors"].extend(copy.deepcopy(d["actors"][0]) for _ in range(64)),
     r"^actors: 66 items, over the limit of 64"),
    ("too many segments",
     lambda d: set_path(d, ["actors", 1, "speech"], [{"start": 0, "end": 1, "type": "talk"}] * 9999),
     r"^actors\[1\]\.speech: more than 10000 segments in the scene"),
    ("too many keyframes", lambda d: d["camera"]["keyframes"].extend(d["camera"]["keyframes"] * 4096),
     r"^camera\.keyframes: 4097 items, over the limit of 4096"),
    ("too many objects", lambda d: d.update(objects=[{"id": "o", "type": "box"}] * 4097),
     r"^objects: 4097 items, over the limit of 4096"),
    ("long vector", lambda d: set_path(d, ["camera", "keyframes", 0, "target"], [0.0] * 100_000),
     r"^camera\.keyframes\[0\]\.target: \[0\.0, .* \.\.\. .*is too long$"),
    ("too long", lambda d: d.update(num_frames=216001), r"^num_frames: 216001 is greater than the maximum"),
    ("not an object", lambda d: d["actors"].__setitem__(0, [1, 2]), r"^actors\[0\]: \[1, 2\] is not of type 'object'"),
]


@pytest.mark.parametrize("name,mutate,message", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_documents_name_the_field(name, mutate, message):
    with pytest.raises(MotionFormatError, match=message):
        Scene.from_dict(broken(mutate))


def test_broken_files(tmp_path):
    bad_json = tmp_path / "bad.motion"
    bad_json.write_text('{"format": "stickgen.motion", "version": 1,')
    with pytest.raises(MotionFormatError, match=r"^file: not valid JSON"):
        Scene.load(bad_json)
    not_object = tmp_path / "list.motion"
    not_object.write_text("[1, 2, 3]")
    with pytest.raises(MotionFormatError, match=r"^document: expected a JSON object"):
        Scene.load(not_object)


def test_size_limit(tmp_path, monkeypatch):
    path = tmp_path / "big.motion"
    path.write_text(json.dumps(contract_document()))
    monkeypatch.setattr(checks, "MAX_FILE_BYTES", 1000)
    with pytest.raises(MotionFormatError, match=r"^file: .* over the"):
        Scene.load(path)


def test_invalid_scene_is_never_written(tmp_path):
    path = tmp_path / "keep.motion"
    good = Scene.from_dict(contract_document())
    good.save(path)
    before = path.read_bytes()
    bad = Scene.from_dict(contract_document())
    bad.actors[0].joints[4, 2, 1] = np.inf
    with pytest.raises(MotionFormatError, match=r"actors\[0\]\.joints\[4\]\[2\]: not a finite number"):
        bad.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["keep.motion"]


def test_crash_during_write_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "keep.motion"
    scene = Scene.from_dict(contract_document())
    scene.save(path)
    before = path.read_bytes()

    def crash(src, dst):
        raise OSError("disk pulled out")

    monkeypatch.setattr(mf.os, "replace", crash)
    with pytest.raises(OSError, match="disk pulled out"):
        scene.save(path, decimals=2)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["keep.motion"]


def test_motion_rejects_wrong_shape_in_code():
    with pytest.raises(MotionFormatError, match=r"joints: expected shape \[T, 22, 3\], got \[10, 21, 3\]"):
        Motion(np.zeros((10, 21, 3)))
    with pytest.raises(MotionFormatError, match="same number of frames"):
        Scene([Motion(np.zeros((10, 22, 3))), Motion(np.zeros((11, 22, 3)), id="a1")])


@settings(max_examples=25, deadline=None)
@given(frames=st.integers(1, 12), actors=st.integers(1, 3), seed=st.integers(0, 1000),
       fps=st.sampled_from([24, 25, 30, 60, 29.97]))
def test_round_trip_property(frames, actors, seed, fps):
    rng = np.random.default_rng(seed)
    scene = Scene([Motion(rng.normal(0, 1, (frames, 22, 3)), id=f"a{i}",
                          actions=[Segment(0, frames, str(rng.choice(["walk", "dance", "hug"])))])
                   for i in range(actors)], fps=fps)
    text = scene.to_json()
    again = Scene.from_json(text)
    assert again.to_json() == text
    for a, b in zip(scene.actors, again.actors):
        np.testing.assert_array_equal(a.joints, b.joints)


# ----------------------------------------------------------------------------- hostile files (issue #27)


def contract_text(**meta_tokens):
    """Compact JSON of :func:`contract_document` with ``meta[key]`` replaced by raw JSON text."""
    doc = contract_document()
    doc["meta"].update({key: f"<{key}>" for key in meta_tokens})
    text = json.dumps(doc, separators=(",", ":"))
    for key, raw in meta_tokens.items():
        text = text.replace(f'"<{key}>"', raw)
    return text


@pytest.mark.parametrize("raw", ["[" * 5000 + "]" * 5000, '{"a":' * 2000 + "0" + "}" * 2000, "[" * 65 + "]" * 65])
def test_deep_nesting_is_refused_before_parsing(raw):
    with pytest.raises(MotionFormatError, match=r"^file: nested deeper than 64 levels$"):
        Scene.from_json(contract_text(deep=raw))


def test_brackets_inside_strings_do_not_count():
    raw = json.dumps("[" * 5000 + '\\"{{{' + "\\\\" + "[" * 100)
    scene = Scene.from_json(contract_text(text=raw, shallow="[" * 58 + "]" * 58))
    assert scene.meta["text"].startswith("[[[") and len(scene.meta["shallow"][0]) == 1


def test_dense_text_is_refused_before_parsing():
    with pytest.raises(MotionFormatError, match=r"^file: \d+ arrays and \d+ objects in \d+ bytes, denser"):
        Scene.from_json(contract_text(lists="[" + "[]," * 100_000 + "[]]"))
    with pytest.raises(MotionFormatError, match=r"^file: \d+ arrays and \d+ objects in \d+ bytes, denser"):
        Scene.from_json(contract_text(dicts="[" + '{"a":0},' * 20_000 + "{}]"))


def test_a_file_of_too_many_objects_is_refused_before_parsing():
    segment = '{"start":0,"end":1,"action":"walk"},'
    count = checks.MAX_JSON_OBJECTS + 1
    with pytest.raises(MotionFormatError, match=rf"^file: \d+ JSON objects; a valid file has at most "
                                                rf"{checks.MAX_JSON_OBJECTS} "):
        Scene.from_json(contract_text(lists="[" + segment * (count - 1) + segment[:-1] + "]"))


def test_huge_integers_name_their_field():
    doc = json.dumps(contract_document(), separators=(",", ":"))
    start = doc.replace('"start":5,', '"start":' + "9" * 5000 + ",", 1)
    with pytest.raises(MotionFormatError, match=r"^actors\[0\]\.speech\[0\]\.start: integer of 5000 digits, over the "
                                                r"100-digit limit$"):
        Scene.from_json(start)
    with pytest.raises(MotionFormatError, match=r"^meta\.big: integer of 101 digits"):
        Scene.from_json(contract_text(big="-1" + "0" * 100))
    coordinate = re.sub(r'"joints":\[\[\[[^,]+', '"joints":[[[' + "1" * 5000, doc, count=1)
    with pytest.raises(MotionFormatError, match=r"^actors\[0\]\.joints\[0\]\[0\]: integer of 5000 digits"):
        Scene.from_json(coordinate)


def test_longest_integer_round_trips():
    scene = Scene.from_json(contract_text(big="9" * 100))
    assert scene.meta["big"] == 10 ** 100 - 1
    assert Scene.from_json(scene.to_json()).meta["big"] == 10 ** 100 - 1


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_meta_is_refused(raw):
    with pytest.raises(MotionFormatError, match=r"^meta\.x: not a finite number$"):
        Scene.from_json(contract_text(x=raw))


def test_non_finite_meta_is_never_written(tmp_path):
    scene = Scene.from_dict(contract_document())
    scene.meta["x"] = [1.0, float("nan")]
    with pytest.raises(MotionFormatError, match=r"^meta\.x\[1\]: not a finite number"):
        scene.save(tmp_path / "nan.motion")
    assert os.listdir(tmp_path) == []


def test_utf16_text_loads():
    text = json.dumps(contract_document(), ensure_ascii=False)
    assert Scene.from_json(text.encode("utf-16")).num_frames == 30


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_reading_stops_at_the_limit(monkeypatch):
    monkeypatch.setattr(checks, "MAX_FILE_BYTES", 1000)
    with pytest.raises(MotionFormatError, match=r"^file: /dev/zero is over the 1,000-byte limit$"):
        Scene.load("/dev/zero")  # endless: only a bounded read returns


def test_schema_states_the_limits():
    schema = json.loads(checks.SCHEMA_PATH.read_text())
    props = schema["properties"]
    actor = props["actors"]["items"]["properties"]
    assert (props["fps"]["minimum"], props["fps"]["maximum"]) == (checks.MIN_FPS, checks.MAX_FPS)
    assert props["num_frames"]["maximum"] == checks.MAX_FRAMES and props["actors"]["maxItems"] == checks.MAX_ACTORS
    assert {actor[track]["maxItems"] for track in mf.TRACKS} == {checks.MAX_SEGMENTS}
    camera = props["camera"]["properties"]
    assert camera["keyframes"]["maxItems"] == checks.MAX_CAMERA_KEYFRAMES
    assert camera["moves"]["maxItems"] == checks.MAX_CAMERA_MOVES and props["objects"]["maxItems"] == checks.MAX_OBJECTS


def test_validate_reports_every_file(tmp_path, capsys):
    good = tmp_path / "good.motion"
    good.write_text(json.dumps(contract_document()))
    deep = tmp_path / "deep.motion"
    deep.write_text(contract_text(deep="[" * 5000 + "]" * 5000))
    huge = tmp_path / "huge.motion"
    huge.write_text(contract_text(seed="7" * 5000))
    files = [good, deep, tmp_path / "missing.motion", huge, good]
    assert validate_cli.main([str(f) for f in files]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"{good}: ok (2 actor(s), 30 frames at 25 fps, 1.20 s)"] * 2
    assert err.splitlines() == [f"{deep}: INVALID: file: nested deeper than 64 levels",
                                f"{tmp_path / 'missing.motion'}: INVALID: [Errno 2] No such file or directory: "
                                f"'{tmp_path / 'missing.motion'}'",
                                f"{huge}: INVALID: meta.seed: integer of 5000 digits, over the 100-digit limit"]
    assert validate_cli.main([str(good)]) == 0


def test_validate_reports_a_reader_bug_and_goes_on(tmp_path, capsys, monkeypatch):
    good = tmp_path / "good.motion"
    good.write_text(json.dumps(contract_document()))
    load = Scene.load

    def buggy(path):
        if "bug" in str(path):
            raise TypeError("unhashable type: 'list'\nsecond line")
        return load(path)

    monkeypatch.setattr(Scene, "load", buggy)
    assert validate_cli.main(["bug.motion", str(good)]) == 1
    out, err = capsys.readouterr()
    assert err == "bug.motion: INVALID: unexpected TypeError: unhashable type: 'list' second line\n"
    assert out.startswith(f"{good}: ok")


def test_messages_stay_on_one_short_line():
    with pytest.raises(MotionFormatError, match=r"^meta\['line\\nbreak'\]: not a finite number$"):
        Scene.from_dict(broken(lambda d: set_path(d, ["meta", "line\nbreak"], float("nan"))))
    with pytest.raises(MotionFormatError) as error:
        Scene.from_dict(broken(lambda d: set_path(d, ["actors", 0, "actions", 0, "action"], "x" * 100_000)))
    assert len(str(error.value)) < 1000 and "\n" not in str(error.value)  # the name cut, the vocabulary listed
