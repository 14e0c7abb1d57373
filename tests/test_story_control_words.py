"""The parser's control words: backing away, sideways steps, turns, spins, counts, sizes and hands."""
import numpy as np
import pytest

from stickgen import control, story

from stickgen.story.parser import parse_prompt


def first(prompt):
    return parse_prompt(prompt, 6.0).scenes[0].actions[0]


@pytest.mark.parametrize("prompt", ["She backs away from the barking dog.", "The man backs up.",
                                    "A kid steps back.", "The robot walks backwards.", "The army retreats.",
                                    "He moves backward.", "The goalie backpedals.", "Then she reverses."])
def test_backing_away_is_a_slow_walk_backward(prompt):
    a = first(prompt)
    assert (a.action, a.direction) == ("walk", "backward") and a.speed == pytest.approx(0.7) and a.turn is None


def test_backing_away_slowly_is_slower_still():
    assert first("A woman backs away slowly.").speed < 0.7


@pytest.mark.parametrize("prompt, side", [("A man steps sideways to his left.", "left"),
                                          ("She sidesteps to the right.", "right"),
                                          ("He shuffles sideways to the left.", "left"),
                                          ("The girl slides sideways.", "right"),
                                          ("A robot steps to the side.", "right")])
def test_sideways_steps_keep_facing_forward(prompt, side):
    a = first(prompt)
    assert (a.action, a.direction) == ("walk", side) and "sideways" in a.manner
    assert a.speed == pytest.approx(0.4) and a.turn is None


def test_a_sidestep_with_no_side_is_still_a_dodge():
    assert first("The boxer sidesteps.").action == "dodge"


@pytest.mark.parametrize("prompt, degrees", [
    ("The soldier turns to his right.", -90), ("She turns left.", 90), ("He turns around.", 180),
    ("The soldier does an about-face.", 180), ("She turns back.", 180), ("He makes a quarter turn to the right.", -90),
    ("She turns 45 degrees to the left.", 45), ("He does a half turn.", 180), ("She turns to face the other way.", 180),
    ("A robot turned to the left.", 90)])
def test_turns_on_the_spot(prompt, degrees):
    a = first(prompt)
    assert (a.action, a.turn, a.direction) == ("idle", degrees, None)


@pytest.mark.parametrize("prompt, turn, count", [
    ("A figure skater twirls three times.", 1080, 3), ("She spins around twice.", 720, 2),
    ("The dancer does a pirouette.", 360, 1), ("He spins to the right.", -360, 1), ("She spins.", 360, 1),
    ("A girl twirls 4 times to the right.", -1440, 4)])
def test_spins_dance_whole_turns(prompt, turn, count):
    a = first(prompt)
    assert (a.action, a.turn, a.count, a.direction) == ("dance", turn, count, None)


@pytest.mark.parametrize("prompt", ["The fighter does a spin kick.", "She throws a spinning kick."])
def test_a_spin_kick_kicks_with_one_turn(prompt):
    a = first(prompt)
    assert (a.action, a.turn) == ("kick", 360)


@pytest.mark.parametrize("prompt, action, count", [
    ("A boy hops three times.", "jump", 3), ("He jumps twice.", "jump", 2), ("She jumps 4 times.", "jump", 4),
    ("He claps five times.", "clap", 5), ("She waves twice.", "wave", 2), ("He kicks three times.", "kick", 3),
    ("The boxer punches twice.", "punch", 2), ("A girl claps once.", "clap", 1), ("He jumps thrice.", "jump", 3),
    ("She waves a couple of times.", "wave", 2), ("He jumps 99 times.", "jump", 20)])
def test_counts(prompt, action, count):
    a = first(prompt)
    assert (a.action, a.count) == (action, count)


@pytest.mark.parametrize("prompt, action, size", [
    ("A kid jumps as high as they can.", "jump", 1.6), ("He jumps high.", "jump", 1.4),
    ("She does a high jump.", "jump", 1.4), ("A man leaps high.", "jump", 1.4), ("She does a small hop.", "jump", 0.6),
    ("He hops a little.", "jump", 0.6), ("She makes a tiny jump.", "jump", 0.6), ("He gives a big wave.", "wave", 1.5),
    ("She waves widely.", "wave", 1.5), ("He kicks hard.", "kick", 1.4), ("She does a high kick.", "kick", 1.4)])
def test_sizes(prompt, action, size):
    a = first(prompt)
    assert (a.action, a.size) == (action, size)


def test_as_high_as_they_can_is_one_clean_manner():
    a = first("A kid jumps as high as she can.")
    assert a.manner == "as high as possible" and "standing still" not in a.manner


def test_size_words_away_from_the_action_are_not_sizes():
    assert first("He waves at the little girl.").size is None
    assert first("She gives him a high five.").size is None


@pytest.mark.parametrize("prompt, action, hand, manner", [
    ("He waves with his left hand.", "wave", "left", "with the left hand"),
    ("She raises her right hand.", "wave", "right", "with the right hand"),
    ("He waves with both hands.", "wave", "both", "with both hands"),
    ("She points with the left hand.", "point", "left", "with the left hand"),
    ("He does a left-handed wave.", "wave", "left", "")])
def test_hands(prompt, action, hand, manner):
    a = first(prompt)
    assert (a.action, a.hand, a.manner) == (action, hand, manner)


@pytest.mark.parametrize("prompt, expected", [
    ("The kids take turns jumping.", ("jump", None, None)),
    ("A man walks to the left.", ("walk", "left", None)),
    ("A man walks in a circle.", ("walk", "circle", None)),
    ("A man turns to the right, then walks.", ("walk", None, -90.0))])
def test_old_sentences_keep_their_reading(prompt, expected):
    a = first(prompt)
    assert (a.action, a.direction, a.turn) == expected and a.count is None and a.size is None


def _plan(prompt: str, duration: float = 6.0):
    return story.plan_from_prompt(prompt, duration=duration, fps=25).actors[0]


def test_a_turn_is_turned_by_the_motion_not_the_start_facing():
    actor = _plan("The soldier turns to his right.")
    assert actor.facing == pytest.approx(0.0)
    turned = np.degrees(np.nansum(actor.control[:, control.HEADING_RATE]) / 25)
    assert turned == pytest.approx(-90.0, abs=1.0)
    assert np.nanmax(np.abs(actor.control[:, [control.FORWARD, control.SIDEWAYS]])) == 0.0  # on the spot


def test_turning_then_walking_walks_the_new_way_from_the_old_facing():
    actor = _plan("A man turns to the right, then walks.")
    positions, headings = control.integrate(actor.control, 25, actor.start_position, actor.facing)
    assert actor.facing == pytest.approx(0.0) and actor.path is None
    assert np.degrees(headings[-1]) == pytest.approx(-90.0, abs=1.0)
    assert positions[-1, 0] - positions[0, 0] < -2.0  # to his right is -x


def test_a_sideways_step_keeps_facing_forward_and_moves_to_the_side():
    actor = _plan("A man steps sideways to his left.")
    assert actor.facing == pytest.approx(0.0)
    given = np.isfinite(actor.control[:, control.SIDEWAYS])
    assert given.all() and np.all(actor.control[:, control.SIDEWAYS] > 0.2)
    assert np.all(np.abs(actor.control[:, control.FORWARD]) < 1e-9)


def test_backing_away_moves_backwards_at_a_slow_walk():
    actor = _plan("She backs away from the barking dog.")
    assert np.all(actor.control[:, control.FORWARD] < -0.3) and np.all(actor.control[:, control.FORWARD] > -1.2)


def test_three_hops_fix_three_apexes_and_a_higher_jump_fixes_higher_ones():
    hops = _plan("A boy hops three times.").control[:, control.PELVIS_RISE]
    apexes = np.unique(hops[np.isfinite(hops) & (hops > 0.1)])
    runs = np.flatnonzero(np.diff(np.concatenate([[0], (np.isfinite(hops) & (hops > 0.1)).astype(int), [0]])) == 1)
    assert len(runs) == 3
    high = _plan("A person jumps as high as they can.").control[:, control.PELVIS_RISE]
    assert np.nanmax(high) > apexes.max() * 1.3


def test_the_named_hand_is_the_acting_hand_and_right_by_default():
    assert np.all(_plan("He waves with his left hand.").control[:, control.HAND] == 1.0)
    assert np.all(_plan("a person waves").control[:, control.HAND] == -1.0)
    assert np.isnan(_plan("a person walks").control[:, control.HAND]).all()


def test_a_spin_turns_whole_turns_on_the_spot():
    actor = _plan("A figure skater twirls three times.", duration=8.0)
    turned = np.degrees(np.nansum(actor.control[:, control.HEADING_RATE]) / 25)
    assert abs(turned) == pytest.approx(1080.0, abs=2.0)