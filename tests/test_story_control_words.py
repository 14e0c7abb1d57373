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


@pytest.mark.parametrize("prompt, actions", [
    ("He stands with his back to the wall and waves.", ["idle", "wave"]),
    ("A man leans with his back against a tree.", ["idle"]),
    ("Someone edges along a ledge to the left, back to the wall.", ["walk"])])
def test_a_back_against_something_is_posture_not_a_turn(prompt, actions):
    steps = parse_prompt(prompt, 6.0).scenes[0].actions
    assert [a.action for a in steps] == actions and all(a.turn is None for a in steps)
    assert steps[0].direction in (None, "left")


def test_a_sidestep_with_no_side_is_still_a_dodge():
    assert first("The boxer sidesteps.").action == "dodge"


@pytest.mark.parametrize("prompt, degrees", [
    ("The soldier turns to his right.", -90), ("She turns left.", 90), ("He turns around.", 180),
    ("The soldier does an about-face.", 180), ("She turns back.", 180), ("He makes a quarter turn to the right.", -90),
    ("She turns 45 degrees to the left.", 45), ("He does a half turn.", 180), ("She turns to face the other way.", 180),
    ("A robot turned to the left.", 90), ("The guard makes a sharp right turn.", -90), ("She makes a U-turn.", 180),
    ("The cyclist makes a left-hand turn.", 90), ("He turns his back to the crowd.", 180)])
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
    ("She raises her right hand.", "wave", "right", "with the right hand held up"),
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
    assert np.nanmax(high) > apexes.max() + 0.05  # as high as the data's jumps allow (controls.JUMP_APEX_RANGE)


def test_the_named_hand_is_the_acting_hand_and_right_by_default():
    assert np.all(_plan("He waves with his left hand.").control[:, control.HAND] == 1.0)
    assert np.all(_plan("a person waves").control[:, control.HAND] == -1.0)
    assert np.isnan(_plan("a person walks").control[:, control.HAND]).all()


def test_a_spin_turns_whole_turns_on_the_spot():
    actor = _plan("A figure skater twirls three times.", duration=8.0)
    turned = np.degrees(np.nansum(actor.control[:, control.HEADING_RATE]) / 25)
    assert abs(turned) == pytest.approx(1080.0, abs=2.0)

# ----------------------------------------------------------------------------- natural wordings, generalised


@pytest.mark.parametrize("prompt, side", [
    ("The waiter shuffles to his left.", "left"), ("A crab-walking boy scurries to the right.", "right"),
    ("The burglar edges along the wall to the right.", "right"), ("She moves laterally to her left.", "left"),
    ("He takes some side steps to the right.", "right"), ("The spy sidles right.", "right"),
    ("The goalkeeper side-steps left.", "left"), ("A crab walks sideways to the left.", "left")])
def test_sideways_verbs_step_sideways(prompt, side):
    a = first(prompt)
    assert (a.action, a.direction) == ("walk", side) and "sideways" in a.manner
    assert a.speed == pytest.approx(0.4) and a.turn is None


@pytest.mark.parametrize("prompt", ["An old man shuffles along the corridor.", "The dealer shuffles the cards."])
def test_a_shuffle_with_no_side_is_no_sideways_step(prompt):
    assert "sideways" not in first(prompt).manner


@pytest.mark.parametrize("prompt", ["The sentry retreats slowly without turning around.",
                                    "A dancer glides backwards over the floor.", "She slides backward.",
                                    "The toddler stumbles backwards.", "He moves back without turning round."])
def test_backward_wordings_walk_backward_facing_forward(prompt):
    a = first(prompt)
    assert (a.action, a.direction) == ("walk", "backward") and a.turn is None and a.speed <= 0.7


@pytest.mark.parametrize("prompt, degrees", [
    ("The sentry turns ninety degrees to his right.", -90), ("She turns forty-five degrees to her left.", 45),
    ("He turns a hundred and eighty degrees.", 180), ("The robot turns 270 degrees to the left.", 270),
    ("The robot rotates 90 degrees to the left.", 90), ("She rotates thirty degrees to the right.", -30),
    ("He pivots a quarter turn to the right.", -90), ("She swivels to her left.", 90),
    ("The soldier wheels around.", 180), ("The cadet about-faces.", 180), ("She does a one-eighty.", 180),
    ("He spins on his heel to face the opposite way.", 180), ("She turns to face the door behind her.", 180),
    ("He faces the other way.", 180), ("The sentry turns on his heel.", 180), ("He rotates to the right.", -90)])
def test_turn_wordings(prompt, degrees):
    a = first(prompt)
    assert (a.action, a.turn, a.direction) == ("idle", degrees, None)


@pytest.mark.parametrize("prompt, turn, count", [
    ("The ballerina does two full pirouettes.", 720, 2), ("He turns around in a full circle.", 360, None),
    ("She makes one complete turn.", 360, None), ("The boy turns all the way around.", 360, None),
    ("She spun around and around, two whole turns.", 720, 2), ("The robot rotates in place three times.", 1080, 3),
    ("The kid whirls around four times.", 1440, 4), ("He twirls twice to the right.", -720, 2),
    ("The skater does a 360.", 360, None), ("He turns around twice.", 720, 2),
    ("She does three full turns.", 1080, 3)])
def test_whole_turns(prompt, turn, count):
    a = first(prompt)
    assert a.action in ("idle", "dance") and a.turn == turn and a.direction is None
    assert a.count == count or (count is None and a.count in (None, 1))


def test_a_full_circle_walked_is_a_path_not_a_turn():
    a = first("She walks in a full circle.")
    assert (a.action, a.direction, a.turn) == ("walk", "circle", None)


@pytest.mark.parametrize("prompt, action, hand", [
    ("The girl raises her right hand.", "wave", "right"),
    ("He puts up his left hand to ask something.", "wave", "left"),
    ("She lifts both hands above her head.", "celebrate", "both"), ("He raises his hands.", "celebrate", "both"),
    ("He raises his left fist in the air.", "wave", "left"), ("Her right arm shoots up.", "wave", "right"),
    ("The fans throw their arms up in the air.", "celebrate", "both"), ("He holds up his right hand.", "wave", "right"),
    ("The boxer raises his fists.", "fight_stance", "both"),
    ("He raises his arm to point at the moon.", "point", None)])
def test_raised_hands(prompt, action, hand):
    a = first(prompt)
    assert (a.action, a.hand) == (action, hand)


def test_a_raised_hand_is_held_up_and_a_wave_after_it_waves():
    raised, waved = parse_prompt("She raises her right hand and waves.", 6.0).scenes[0].actions
    assert (raised.action, raised.hand, waved.action, waved.hand) == ("wave", "right", "wave", "right")
    assert "held up" in raised.manner and "held up" not in waved.manner
    assert "held up" not in first("He waves his left hand.").manner


@pytest.mark.parametrize("prompt", ["He turns the page.", "She hands him a cup.", "The car has a turn signal.",
                                    "He raises the question.", "He puts his hand on the table.",
                                    "The kids take turns reading."])
def test_words_that_are_no_turns_or_hands(prompt):
    a = first(prompt)
    assert a.turn is None and a.hand is None and a.count is None


@pytest.mark.parametrize("prompt, action, count", [
    ("A boy jumps up and down three times.", "jump", 3), ("She leaps into the air two times.", "jump", 2),
    ("He does five jumps in a row.", "jump", 5), ("She claps her hands three times.", "clap", 3),
    ("He hops a couple of times.", "jump", 2), ("She jumps a few times.", "jump", 3),
    ("He does a couple of jumps.", "jump", 2), ("The boy makes three quick hops.", "jump", 3),
    ("She jumps several times.", "jump", None), ("He claps many times.", "clap", None),
    ("Once, he jumps.", "jump", None), ("A person does a small hop.", "jump", 1),
    ("She makes one quick leap.", "jump", 1), ("A girl jumps over a jump rope.", "jump", None)])
def test_count_wordings(prompt, action, count):
    a = first(prompt)
    assert (a.action, a.count) == (action, count)


def test_verb_speeds_order_stroll_walk_jog_run_sprint():
    speeds = [first(p).speed for p in ("A man strolls.", "A man walks.", "A man jogs.", "A man runs.",
                                       "A man sprints.")]
    assert speeds == sorted(speeds) and len(set(speeds)) == 5
    for prompt in ("She ambles across the park.", "He saunters along.", "A woman strolls to the left."):
        a = first(prompt)
        assert a.action == "walk" and a.speed == pytest.approx(0.8)
    assert first("She jogs.").action == "run" and first("He strolls slowly.").speed < 0.8


@pytest.mark.parametrize("prompt, action", [("The audience applauds.", "clap"), ("He squats down.", "kneel"),
                                            ("She crouches.", "kneel")])
def test_applause_and_crouching(prompt, action):
    assert [a.action for a in parse_prompt(prompt, 6.0).scenes[0].actions if a.action != "idle"] == [action]


def test_counted_claps_last_their_count_then_the_clapper_stands():
    """Five claps take five clapping cycles (timeline_tables.CYCLE_SECONDS), then idle; two take the shortest
    stretch the model claps in; an uncounted clap fills its time."""
    counted = parse_prompt("A person claps five times.", 6.0).scenes[0].actions
    cycle = story.timeline_tables.CYCLE_SECONDS["clap"]
    assert [(a.action, a.start, a.end) for a in counted] == [("clap", 0.0, pytest.approx(5 * cycle)),
                                                             ("idle", pytest.approx(5 * cycle), 6.0)]
    twice = parse_prompt("He claps twice.", 6.0).scenes[0].actions
    assert [(a.action, a.end) for a in twice] == [("clap", story.timeline_tables.COUNTED_MIN_SECONDS), ("idle", 6.0)]
    assert [(a.action, a.end) for a in parse_prompt("A person claps.", 6.0).scenes[0].actions] == [("clap", 6.0)]
    nearly = parse_prompt("A person claps nine times.", 6.0).scenes[0].actions  # 5.85 s: too little left to stand
    assert [(a.action, a.end) for a in nearly] == [("clap", 6.0)]


@pytest.mark.parametrize("prompt, action, hand", [
    ("Standing still, a man raises his left fist in the air.", "wave", "left"),
    ("Walking down the street, a woman waves with her right hand.", "wave", "right")])
def test_an_opening_participle_belongs_to_the_person_named_after_it(prompt, action, hand):
    script = parse_prompt(prompt, 6.0)
    assert len(script.characters) == 1
    acting = [a for a in script.scenes[0].actions if a.action == action]
    assert acting and acting[0].hand == hand


def test_a_place_after_in_the_is_no_action():
    script = parse_prompt("A fan in the stands applauds.", 6.0)
    assert [a.action for a in script.scenes[0].actions] == ["clap"]


def test_a_circle_is_run_straight_and_bent_along_its_path():
    """A curved way keeps a heading rate of 0 in the controls (the planner adds no turning of its own) and
    a path that placement bends the clip along; a straight way with a turn steers itself."""
    (runner,) = story.plan_from_prompt("A child runs in a circle.", duration=6.0).actors
    assert runner.path is not None and len(runner.path) > 10
    assert np.all(runner.control[:, control.HEADING_RATE] == 0.0)
    (walker,) = story.plan_from_prompt("A man walks forward, turns around and walks back.", duration=6.0).actors
    assert walker.path is None and np.nansum(walker.control[:, control.HEADING_RATE]) / 25 == pytest.approx(np.pi)


@pytest.mark.parametrize("prompt, distance", [
    ("A woman walks forward a few metres, turns around and walks back to where she started.", 3.0),
    ("He walks 5 meters to the window and back.", 5.0)])
def test_the_way_back_is_as_long_as_the_way_out(prompt, distance):
    out, back = parse_prompt(prompt, 10.0).scenes[0].actions
    assert (out.distance, back.distance, back.turn) == (distance, distance, 180.0)


@pytest.mark.parametrize("prompt, action, lead_in", [
    ("She sat down on a chair.", "sit", True), ("A person crouches.", "kneel", True),
    ("Tired, he lies down on the floor.", "lie_down", True), ("A man is sitting on a bench.", "sit", False),
    ("The girl remains kneeling.", "kneel", False), ("A man walks to the chair and sits down.", "sit", False)])
def test_a_clip_that_opens_by_going_down_stands_first(prompt, action, lead_in):
    """Going down is seen: the first posture action of a clip starts after LEAD_IN_SECONDS of standing,
    unless the sentence says the body is already down (or something else comes first)."""
    actions = parse_prompt(prompt, 6.0).scenes[0].actions
    first, posture = actions[0], next(a for a in actions if a.action == action)
    if lead_in:
        assert (first.action, first.end, posture.start) == ("idle", story.timeline_tables.LEAD_IN_SECONDS,
                                                            story.timeline_tables.LEAD_IN_SECONDS)
    else:
        assert first.action != "idle" and posture.end == 6.0


@pytest.mark.parametrize("prompt, hands", [
    ("Ana waves with her left hand and says hello.", ["left", "left"]),  # "hello" is a wave too
    ("A man waves with his left hand, then waves again.", ["left", "left"]),
    ("A man waves, then waves with his left hand.", [None, "left"])])
def test_a_wave_that_goes_on_keeps_its_hand(prompt, hands):
    """A later wave of the same person that names no hand goes on with the hand already waving (before, it
    fell back to the right hand and the waving arm swapped sides mid-clip)."""
    actions = parse_prompt(prompt, 10.0).scenes[0].actions
    assert [(a.action, a.hand) for a in actions] == [("wave", hand) for hand in hands]
