"""Clip descriptions: inflection, synonyms of every action, facts measured on the joints, variety."""
import re

import numpy as np
import pytest

from datasets_scripts.text import grammar
from datasets_scripts.text.describe import Step, describe_clip, steps_from_labels
from stickgen import skeleton, vocab


def walking_clip(frames=125, speed=1.3, turn_deg=0.0) -> np.ndarray:
    """A rest pose carried along an arc: ``[T, 22, 3]``, heading turning ``turn_deg`` in total."""
    t = np.arange(frames) / 25.0
    heading = np.radians(turn_deg) * t / t[-1]
    step = speed / 25.0
    position = np.cumsum(np.stack([np.sin(heading) * step, np.zeros(frames), np.cos(heading) * step], -1), axis=0)
    rest = skeleton.rest_pose()
    return np.stack([skeleton.rotate_y(rest, h) + p for h, p in zip(heading, position)])


@pytest.mark.parametrize("base,third,ing", [
    ("walk", "walks", "walking"), ("run", "runs", "running"), ("sit down", "sits down", "sitting down"),
    ("lie down", "lies down", "lying down"), ("wave", "waves", "waving"), ("cry", "cries", "crying"),
    ("punch", "punches", "punching"), ("go down on one knee", "goes down on one knee", "going down on one knee"),
    ("sidestep", "sidesteps", "sidestepping"), ("wander", "wanders", "wandering"), ("see", "sees", "seeing"),
])
def test_inflection(base, third, ing):
    assert grammar.third_person(base) == third and grammar.gerund(base) == ing


def test_swap_left_right_keeps_case_and_whole_words():
    assert grammar.swap_left_right("Left hand, then right; bright lefty") == "Right hand, then left; bright lefty"


def test_every_action_has_verb_phrases_that_start_with_a_verb():
    for action in vocab.ACTION_NAMES:
        phrases = grammar.verb_phrases(action)
        assert len(phrases) >= 2, action
        for phrase in phrases:
            first = phrase.split()[0]
            assert not first.endswith("ing") or first in ("sing", "swing", "fling"), (action, phrase)
            assert "_" not in phrase


def test_descriptions_are_distinct_deterministic_and_mention_measured_facts():
    joints = walking_clip(turn_deg=90.0)
    steps = [Step("walk", 0, len(joints))]
    texts = describe_clip(joints, steps, seed=3)
    assert len(set(texts)) == 3 and texts == describe_clip(joints, steps, seed=3)
    assert texts != describe_clip(joints, steps, seed=4)
    for seed in range(20):  # a left arc (+x is the actor's left) is never called right
        for text in describe_clip(joints, steps, seed=seed):
            assert "right" not in text and text[0].isupper() and text.endswith(".")
    right = [t for s in range(20) for t in describe_clip(walking_clip(turn_deg=-90.0), steps, seed=s)]
    assert any("right" in t for t in right) and not any("left" in t for t in right)


def test_multi_action_clips_use_sequence_words_and_handedness():
    joints = walking_clip(frames=150, speed=0.0)
    steps = [Step("wave", 0, 75, {"handedness": "left", "energy": 0.9}), Step("sit", 75, 150, {})]
    texts = [t for s in range(10) for t in describe_clip(joints, steps, seed=s)]
    sequence = re.compile(r"\b(then|after|before|afterwards|first|finally)\b", re.IGNORECASE)
    assert all(sequence.search(t) for t in texts)
    assert sum("left" in t for t in texts) >= 10  # most mention the waving hand
    assert any("chair" in t or "seat" in t for t in texts)  # pelvis stays high: not on the ground


def test_speech_mood_and_height_reach_the_text():
    joints = walking_clip(frames=100, speed=0.0)
    frames = len(joints)
    texts = [t for s in range(15) for t in describe_clip(
        joints, [Step("idle", 0, frames)], height=1.45, expression_ids=np.full(frames, vocab.expression_id("sad")),
        speech_ids=np.full(frames, vocab.speech_id("whisper")), seed=s)]
    assert all(re.search(r"whisper|murmur|mutter", t) for t in texts)
    assert all(re.search(r"child|kid|boy|girl|short", t) for t in texts)
    assert all(re.search(r"sad|gloomy|downcast|heavy heart|glum", t) for t in texts)


def test_variety_over_many_clips():
    rng = np.random.default_rng(0)
    joints = walking_clip()
    texts = []
    for seed in range(60):
        actions = rng.choice(vocab.ACTION_NAMES, size=int(rng.integers(1, 4)))
        cuts = np.linspace(0, len(joints), len(actions) + 1).astype(int)
        steps = [Step(a, int(s), int(e), {"handedness": "right"}) for a, s, e in zip(actions, cuts[:-1], cuts[1:])]
        texts += describe_clip(joints, steps, seed=seed)
    openings = {" ".join(t.split()[:2]) for t in texts}
    assert len(set(texts)) == len(texts) and len(openings) > 25
    assert not any(re.search(r"\{|\}|  | ,|\bthe the\b|\ba a\b", t) for t in texts)


def test_steps_from_labels_and_errors():
    ids = np.array([1, 1, 1, 5, 5, 1])
    steps = steps_from_labels(ids, [{"speed": 1.0}])
    assert [(s.action, s.start, s.end) for s in steps] == [("walk", 0, 3), ("wave", 3, 5), ("walk", 5, 6)]
    assert steps[0].params == {"speed": 1.0} and steps[1].params == {}
    with pytest.raises(ValueError):
        describe_clip(walking_clip(), [])
    with pytest.raises(KeyError):
        describe_clip(walking_clip(), [Step("moonwalk", 0, 10)])


def test_speech_actions_describe_their_gestures():
    joints = walking_clip(frames=75, speed=0.0)
    texts = [t for s in range(10) for t in describe_clip(joints, [Step("shout", 0, 75)], seed=s)]
    assert sum("while" in t for t in texts) >= 5
    assert all(re.search(r"shout|yell|scream|call|holler", t) for t in texts)
