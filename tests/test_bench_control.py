"""stickgen/eval/control_checks.py on synthetic motions, the control prompt files, and
benchmarks/bench_control.py end to end on a stub pipeline."""
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from stickgen.eval import control_checks as cc
from stickgen.motion import Motion, Scene
from stickgen.pipeline import StickGenPipelineOutput
from stickgen.skeleton import JOINT_INDEX as J
from stickgen.skeleton import rest_pose, rotate_y

SPEC = importlib.util.spec_from_file_location(
    "bench_control", Path(__file__).resolve().parents[1] / "benchmarks" / "bench_control.py")
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)

FPS = 25
T = 150  # 6 s
REST = rest_pose(1.75)


def standing(frames: int = T) -> np.ndarray:
    return np.repeat(REST[None], frames, axis=0).copy()


def ramp(frames: int = T) -> np.ndarray:
    """0 -> 1 over the clip, flat for the first and last 10 frames (settled start and end)."""
    return np.clip((np.arange(frames) - 10) / (frames - 21), 0.0, 1.0)


def moved(offsets: np.ndarray, joints: np.ndarray | None = None) -> np.ndarray:
    """``joints`` (standing) shifted by ``offsets [T, 3]``."""
    joints = standing(len(offsets)) if joints is None else joints
    return joints + offsets[:, None, :]


def turned(angles: np.ndarray, joints: np.ndarray | None = None) -> np.ndarray:
    """Rotate each frame about its pelvis by ``angles [T]`` radians (positive = toward +x, the left)."""
    joints = standing(len(angles)) if joints is None else joints
    centre = joints[:, :1] * np.array([1.0, 0.0, 1.0])
    return rotate_y(joints - centre, angles[:, None]) + centre


def bumps(count: int, height: float, frames: int = T) -> np.ndarray:
    """Pelvis-lift profile ``[T]`` with ``count`` separate half-sine bumps of ``height`` m."""
    lift = np.zeros(frames)
    width = frames // (2 * count + 1)
    for k in range(count):
        start = (2 * k + 1) * width
        lift[start:start + width] = height * np.sin(np.linspace(0, np.pi, width))
    return lift


def lifted(lift: np.ndarray) -> np.ndarray:
    return moved(np.stack([np.zeros_like(lift), lift, np.zeros_like(lift)], axis=1))


def along(direction, distance: float, frames: int = T) -> np.ndarray:
    """Offsets ``[T, 3]`` moving ``distance`` m along the ground ``direction`` (x, z) over the clip."""
    unit = np.array([direction[0], 0.0, direction[1]], dtype=float)
    return ramp(frames)[:, None] * distance * unit / np.linalg.norm(unit)


# ----------------------------------------------------------------------------- direction


def test_backward_passes_backing_up_and_fails_forward_or_turning_round():
    assert cc.check_backward(moved(along((0, -1), 1.5)), FPS)[0]  # facing +z, moving -z
    assert not cc.check_backward(moved(along((0, 1), 1.5)), FPS)[0]
    assert not cc.check_backward(moved(along((0, -1), 0.5)), FPS)[0]  # too short
    # turns around and walks off forward: ends behind the start but faces the other way
    walk_off = turned(np.pi * np.clip(np.arange(T) / 20, 0, 1), moved(along((0, -1), 1.5)))
    passed, measured = cc.check_backward(walk_off, FPS)
    assert not passed and measured["facing_deviation_deg"] > 90


def test_backward_uses_the_initial_facing_not_the_world_axes():
    facing_left = turned(np.full(T, np.pi / 2))  # faces +x
    assert cc.check_backward(moved(along((-1, 0), 1.5), facing_left), FPS)[0]
    assert not cc.check_backward(moved(along((0, -1), 1.5), facing_left), FPS)[0]


def test_sideways_to_the_named_side():
    to_left = moved(along((1, 0), 1.0))  # +x is the actor's left
    assert cc.check_sideways(to_left, FPS, side="left")[0]
    assert not cc.check_sideways(to_left, FPS, side="right")[0]
    assert cc.check_sideways(moved(along((-1, 0), 1.0)), FPS, side="right")[0]
    assert not cc.check_sideways(moved(along((1, 1.5), 1.5)), FPS, side="left")[0]  # more forward than sideways


def test_turn_left_right_and_around():
    left = turned(np.pi / 2 * ramp())
    right = turned(-np.pi / 2 * ramp())
    passed, measured = cc.check_turn(left, FPS, turn_deg=90)
    assert passed and measured["turn_deg"] == pytest.approx(90, abs=1)
    assert not cc.check_turn(right, FPS, turn_deg=90)[0]
    assert cc.check_turn(right, FPS, turn_deg=-90)[0]
    for way in (1, -1):
        assert cc.check_turn(turned(way * np.pi * ramp()), FPS, turn_deg=180)[0]
    assert not cc.check_turn(turned(np.pi / 2 * ramp(), moved(along((0, 1), 2.0))), FPS, turn_deg=90)[0]  # walked off
    assert not cc.check_turn(turned(2.5 * np.pi * ramp()), FPS, turn_deg=90)[0]  # 450 degrees is not 90


def test_spin_counts_full_turns():
    three = turned(3 * 2 * np.pi * ramp())
    passed, measured = cc.check_spin(three, FPS, turns=3)
    assert passed and measured["turns"] == pytest.approx(3, abs=0.05)
    assert cc.check_spin(turned(-3 * 2 * np.pi * ramp()), FPS, turns=3)[0]
    assert not cc.check_spin(turned(2 * np.pi * ramp()), FPS, turns=3)[0]
    assert cc.check_spin(turned(2 * np.pi * ramp()), FPS, turns=1)[0]


# ----------------------------------------------------------------------------- hands, counts, orderings


def raise_wrist(joints: np.ndarray, side: str, frames: slice) -> np.ndarray:
    joints = joints.copy()
    joints[frames, J[f"{side}_elbow"], 1] = joints[frames, J[f"{side}_shoulder"], 1] + 0.2
    joints[frames, J[f"{side}_wrist"], 1] = joints[frames, J[f"{side}_shoulder"], 1] + 0.45
    return joints


def test_hand_named_wrist_above_its_shoulder():
    left_up = raise_wrist(standing(), "left", slice(30, 100))
    passed, measured = cc.check_hand(left_up, FPS, hand="left")
    assert passed and measured["right_up_share"] == 0
    assert not cc.check_hand(left_up, FPS, hand="right")[0]
    assert not cc.check_hand(left_up, FPS, hand="both")[0]
    both = raise_wrist(left_up, "right", slice(30, 100))
    assert cc.check_hand(both, FPS, hand="both")[0]
    assert not cc.check_hand(both, FPS, hand="left")[0]  # not clearly more than the other
    assert not cc.check_hand(raise_wrist(standing(), "left", slice(0, 10)), FPS, hand="left")[0]  # too brief


def test_count_jumps_exactly():
    three = lifted(bumps(3, 0.3))
    passed, measured = cc.check_count(three, FPS, count=3)
    assert passed and measured["count"] == 3
    assert not cc.check_count(three, FPS, count=2)[0]
    assert not cc.check_count(lifted(bumps(3, 0.05)), FPS, count=3)[0]  # too low to count


def clapping(count: int) -> np.ndarray:
    joints = standing()
    closed = bumps(count, 1.0) > 0.5
    for side in ("left", "right"):
        joints[closed, J[f"{side}_wrist"]] = [0.0, 1.2, 0.3]
    return joints


def test_count_claps_within_one():
    assert cc.count_claps(clapping(3)) == 3
    assert cc.check_count(clapping(3), FPS, count=3, what="clap")[0]
    assert cc.check_count(clapping(3), FPS, count=4, what="clap")[0]  # +-1
    assert not cc.check_count(clapping(3), FPS, count=5, what="clap")[0]
    assert not cc.check_count(standing(), FPS, count=2, what="clap")[0]


def test_height_and_speed_orderings():
    high, plain, small = (lifted(bumps(1, h)) for h in (0.5, 0.3, 0.12))
    passed, measured = cc.check_ordering([high, plain, small], FPS, "rise")
    assert passed and measured["rise"][0] == pytest.approx(0.5, abs=0.01)
    assert not cc.check_ordering([small, plain, high], FPS, "rise")[0]
    assert not cc.check_ordering([high, high], FPS, "rise")[0]  # a tie is no control
    clips = [moved(along((0, 1), v * 6.0)) for v in (6.0, 2.5, 1.3, 0.8)]
    assert cc.check_ordering(clips, FPS, "speed")[0]
    assert not cc.check_ordering([clips[2], clips[1]], FPS, "speed")[0]


# ----------------------------------------------------------------------------- paths and feet


def circle(turns: float = 1.0, radius: float = 2.0, frames: int = 250) -> np.ndarray:
    """Walking a circle counterclockwise seen from above (turning left, toward +x) facing along it."""
    angle = 2 * np.pi * turns * ramp(frames)
    # start at the origin facing +z; the centre is to the left (+x)
    centre = np.array([radius, 0.0])
    pos = centre + radius * np.stack([-np.cos(angle), np.sin(angle)], axis=1)
    offsets = np.stack([pos[:, 0], np.zeros(frames), pos[:, 1]], axis=1)
    return moved(offsets, turned(angle, standing(frames)))


def test_path_circle_and_there_and_back():
    loop = circle()
    passed, measured = cc.check_path(loop, FPS, shape="circle")
    assert passed and measured["path_turn_deg"] > 300
    assert cc.check_path(loop, FPS, shape="circle", direction="left")[0]
    assert not cc.check_path(loop, FPS, shape="circle", direction="right")[0]
    assert not cc.check_path(circle(turns=0.5), FPS, shape="circle")[0]  # half a loop
    assert not cc.check_path(moved(along((0, 1), 5.0, 250)), FPS, shape="circle")[0]
    out_back = moved(np.stack([np.zeros(250), np.zeros(250), 3.0 * np.sin(np.pi * ramp(250))], axis=1))
    assert cc.check_path(out_back, FPS, shape="return")[0]
    assert not cc.check_path(moved(along((0, 1), 3.0, 250)), FPS, shape="return")[0]


def test_skating_planted_feet_pass_gliding_feet_fail():
    assert cc.check_skating(standing(), FPS)[0]
    passed, measured = cc.check_skating(moved(along((0, 1), 6.0)), FPS)  # slides 1 m/s, feet down
    assert not passed and measured["skating_ratio"] > 0.5


# ----------------------------------------------------------------------------- single actions


def test_single_actions_pass_their_signature_and_fail_standing():
    still = standing()
    jump = lifted(bumps(1, 0.3))
    sit = moved(np.stack([np.zeros(T), -0.4 * ramp(), np.zeros(T)], axis=1))
    lie = still.copy()
    lie[-30:, :, 1] *= 0.15
    kneel = still.copy()
    kneel[60:, J["left_knee"], 1] = 0.05
    kick = still.copy()
    kick[60:80, J["right_ankle"], 1] += 0.6
    wave = raise_wrist(still, "right", slice(20, 130))
    wave[20:130, J["right_wrist"], 0] += 0.15 * np.sin(np.linspace(0, 6 * np.pi, 110))
    raised = raise_wrist(still, "right", slice(20, 130))  # up but not moving
    walk = moved(along((0, 1), 7.0))
    run = moved(along((0, 1), 18.0))
    cases = {"jump": jump, "sit": sit, "crouch": sit, "lie": lie, "kneel": kneel, "kick": kick, "wave": wave,
             "clap": clapping(3), "walk": walk, "run": run}
    for action, clip in cases.items():
        assert cc.check_single(clip, FPS, action)[0], action
        assert not cc.check_single(still, FPS, action)[0], action
    assert not cc.check_single(raised, FPS, "wave")[0]
    assert not cc.check_single(walk, FPS, "run")[0]
    with pytest.raises(ValueError):
        cc.check_single(still, FPS, "fly")


@pytest.mark.parametrize("action, name", [("point", "point"), ("punch", "punch"), ("crawl", "crawling"),
                                          ("celebrate", "celebrate"), ("dance", "dance"), ("climb", "climbing")])
def test_the_datas_own_clips_show_their_signature_and_others_do_not(action, name):
    from datasets_scripts.synthetic import ActionStep, ClipSpec, generate

    def clip(vocab_name, seed):
        return generate(ClipSpec([ActionStep(vocab_name, 4.0, {})], seed=seed)).joints

    for seed in range(3):
        passed, measured = cc.check_single(clip(name, seed), FPS, action)
        assert passed, (seed, measured)
    for other in ("idle", "wave", "talk"):
        assert not cc.check_single(clip(other, 0), FPS, action)[0], other


def test_checks_reject_bad_shapes():
    with pytest.raises(ValueError):
        cc.check_backward(np.zeros((10, 21, 3)), FPS)


# ----------------------------------------------------------------------------- prompt files


def test_prompt_files_load_and_hold_out_a_quarter_of_every_category():
    items = bench.load_items()
    singles = [i for i in items if "prompt" in i]
    assert len(singles) >= 100
    prompts = [p for i in items for p in bench.item_prompts(i)]
    assert len(prompts) == len(set(p.lower() for p in prompts)), "a prompt is repeated"
    for category in cc.CATEGORIES:
        mine = [i for i in items if i["category"] == category]
        held = sum(i["set"] == "heldout" for i in mine)
        assert len(mine) >= 8, category
        assert abs(held - len(mine) / 4) <= 1, (category, held, len(mine))
    for item in items:  # every item's parameters fit its check
        if item["category"] in cc.CHECKS:
            cc.CHECKS[item["category"]](standing(), FPS, **item["params"])
        else:
            assert len(item["prompts"]) == len(item["order"]) >= 2
    assert "no tuning" in json.loads((bench.CONTROL / "heldout.json").read_text())["_comment"]


def test_select_limits_in_turn_across_categories():
    items = bench.load_items()
    picked = bench.select(items, limit=6)
    assert len(picked) == 6 and len({i["category"] for i in picked}) == 6
    only = bench.select(items, categories=["turn", "spin"])
    assert {i["category"] for i in only} == {"turn", "spin"}
    with pytest.raises(ValueError):
        bench.select(items, categories=["flying"])


# ----------------------------------------------------------------------------- end to end


class StubPipeline:
    """Stands in for StickGenPipeline: every prompt backs up 1.5 m, and "sprint"/"jump" prompts differ."""

    def __init__(self):
        self.calls = []

    def __call__(self, prompts, duration, seed, **sampling):
        self.calls.append((list(prompts), duration, seed))
        frames = int(round(duration * FPS))
        scenes = []
        for prompt in prompts:
            joints = moved(along((0, -1), 1.5, frames))
            if "sprint" in prompt.lower():
                joints = moved(along((0, 1), 30.0, frames))
            scenes.append(Scene([Motion(joints)], fps=FPS, meta={"prompt": prompt, "seed": seed}))
        return StickGenPipelineOutput(scenes)


def test_main_runs_end_to_end_on_a_stub_and_writes_json(tmp_path, capsys):
    out = tmp_path / "control.json"
    stub = StubPipeline()
    assert bench.main(["--seeds", "2", "--out", str(out), "--categories", "backward,sideways,speed",
                       "--report", str(tmp_path / "report")], pipe=stub) == 0
    doc = json.loads(out.read_text())
    table = (tmp_path / "report" / "control.md").read_text()
    assert "| backward | 1.00 (" in table and "| sideways | 0.00 (" in table
    assert "main (items) | heldout (items)" in table
    main, held = doc["summary"]["main"], doc["summary"]["heldout"]
    assert main["categories"]["backward"]["rate"] == 1.0
    assert main["categories"]["sideways"]["rate"] == 0.0
    assert set(main["categories"]) == {"backward", "sideways", "speed"} == set(held["categories"])
    assert 0 < main["overall"] < 1
    assert all(item["trials"] == 2 and len(item["measured"]) == 2 for item in doc["items"])
    speed = [i for i in doc["items"] if i["category"] == "speed"]
    assert all("speed" in m for i in speed for m in i["measured"])
    assert {seed for _, _, seed in stub.calls} == {0, 1}
    printed = capsys.readouterr().out
    assert "backward" in printed and "overall" in printed and "wrote" in printed


def test_main_heldout_only_with_limit(tmp_path):
    out = tmp_path / "held.json"
    assert bench.main(["--seeds", "1", "--heldout-only", "--limit", "4", "--out", str(out)], pipe=StubPipeline()) == 0
    doc = json.loads(out.read_text())
    assert list(doc["summary"]) == ["heldout"] and len(doc["items"]) == 4
