"""Control families of the synthetic generator: turning on the spot, spins, waving with the named hand,
counted jumps and sideways/backward walks, each checked on the joints and in the descriptions."""
import numpy as np
import pytest

from datasets_scripts.synthetic import ActionStep, ClipSpec, generate, spec_for
from datasets_scripts.text.describe import Step, describe_clip
from stickgen import skeleton

J = skeleton.JOINT_INDEX


def make(*steps, seed=0, mirror=False):
    return generate(ClipSpec([ActionStep(*s) for s in steps], height=1.7, seed=seed, mirror=mirror))


def heading_change(clip):
    h = np.unwrap(skeleton.heading_angles(clip.joints))
    return float(np.degrees(h[-1] - h[0]))


def assert_planted(clip):
    feet = clip.joints[:, list(skeleton.FOOT_JOINTS)]
    speed = np.linalg.norm(np.gradient(feet, axis=0), axis=-1) * clip.fps
    assert speed[clip.contacts].max() < 0.1, "a foot in contact does not slide"


def texts(clip, seeds=range(8)):
    steps, start = [], 0
    for s, n in zip(clip.spec.steps, clip.spec.frame_counts()):
        steps.append(Step(s.action, start, start + n, dict(s.params)))
        start += n
    return " ".join(t for seed in seeds for t in describe_clip(clip.joints, steps, seed=seed)).lower()


@pytest.mark.parametrize("degrees", [90, -90, 180, -135, 270, -45])
def test_turn_on_the_spot(degrees):
    clip = make(("idle", 4.0, {"turn": float(np.radians(degrees))}))
    assert abs(heading_change(clip) - degrees) < 10
    pelvis = clip.joints[:, 0, [0, 2]]
    assert np.linalg.norm(pelvis - pelvis[0], axis=1).max() < 0.3
    assert_planted(clip)
    for foot in (0, 1):  # each foot lifts at least once and ends down
        down = clip.contacts[:, foot] | clip.contacts[:, foot + 2]
        assert not down.all() and down[-5:].all()
    side = "left" if degrees > 0 else "right"
    words = texts(clip)
    assert "turn" in words and f"to the {'right' if side == 'left' else 'left'}" not in words
    if abs(degrees) == 180:
        assert "around" in words or "180" in words or "half turn" in words
    elif abs(degrees) == 90:
        assert "quarter" in words or "90 degrees" in words or f"turns {side}" in words or f"the {side}" in words


def test_turn_side_follows_the_mirror():
    clip = make(("idle", 3.0, {"turn": float(np.pi / 2)}), mirror=True)
    assert heading_change(clip) < -80
    assert "right" in texts(clip) and "left" not in texts(clip)


@pytest.mark.parametrize("count, direction", [(1, 1), (2, -1), (3, 1)])
def test_spin_turns_whole_times(count, direction):
    clip = make(("dance", 6.5, {"style": "spin", "count": count, "direction": direction}))
    assert abs(heading_change(clip) - 360 * count * direction) < 15
    pelvis = clip.joints[:, 0, [0, 2]]
    assert np.linalg.norm(pelvis - pelvis[0], axis=1).max() < 0.3
    assert_planted(clip)
    words = texts(clip)
    expected = {1: ("once", "pirouette", "twirl"), 2: ("twice", "two"), 3: ("three",)}[count]
    assert any(w in words for w in expected)


@pytest.mark.parametrize("hand", ["left", "right"])
def test_wave_with_the_named_hand(hand):
    clip = make(("wave", 3.0, {"handedness": hand, "size": 1.0, "energy": 0.6, "tempo": 1.0}))
    j = clip.joints[20:]
    wrist, elbow, shoulder = j[:, J[f"{hand}_wrist"]], j[:, J[f"{hand}_elbow"]], j[:, J[f"{hand}_shoulder"]]
    assert (wrist[:, 1] > shoulder[:, 1] + 0.1).all()
    assert (elbow[:, 1] < wrist[:, 1]).all(), "forearm up"
    side = wrist[:, 0] - wrist[:, 0].mean()
    crossings = np.count_nonzero(np.diff(np.sign(side)) != 0) / 2 / (len(side) / clip.fps)
    assert 1.5 <= crossings <= 3.0 and np.ptp(wrist[:, 0]) > 0.08
    other = "left" if hand == "right" else "right"
    assert j[:, J[f"{other}_wrist"], 1].max() < shoulder[:, 1].min() - 0.2
    assert f"{hand} hand" in texts(clip) and f"{other} hand" not in texts(clip)


@pytest.mark.parametrize("count, height", [(2, 0.35), (3, 0.25), (1, 0.15)])
def test_jump_count_and_size(count, height):
    clip = make(("jump", 2.2 * count + 0.5, {"count": count, "jump_height": height, "distance": 0.0}))
    airborne = ~clip.contacts.any(axis=1)
    flights = np.count_nonzero(airborne[1:] & ~airborne[:-1])
    assert flights == count == clip.spec.steps[0].params["count"]
    words = texts(clip)
    if count == 1:
        assert "small hop" in words or "hop" in words or "little jump" in words
    else:
        assert {2: "twice", 3: "three"}[count] in words
    if height > 0.32:
        assert "high" in words


@pytest.mark.parametrize("direction", ["left", "right"])
def test_sideways_walk_goes_to_the_named_side(direction):
    clip = make(("walk", 3.0, {"path": "sideways", "direction": direction, "start": False, "stop": False}))
    travel = skeleton.rotate_y(clip.joints[-1, 0] - clip.joints[0, 0], -skeleton.heading_angles(clip.joints[:1])[0])
    assert (travel[0] > 0.3) == (direction == "left") and abs(travel[0]) > 0.3
    words = texts(clip)
    assert f"to the {direction}" in words and "sideways" in words or "sidestep" in words


def test_backward_walk_is_described_backwards():
    words = texts(make(("walk", 3.0, {"path": "backwards"})))
    assert "backward" in words or "in reverse" in words


def test_sampled_clips_turn_and_spin_often_enough():
    specs = [spec_for(i, seed=7) for i in range(1500)]
    turns = np.mean([any(s.action == "idle" and s.params.get("turn") for s in spec.steps) for spec in specs])
    spins = np.mean([any(s.action == "dance" and s.params.get("style") == "spin" for s in spec.steps)
                     for spec in specs])
    assert turns >= 0.03 and spins >= 0.02
