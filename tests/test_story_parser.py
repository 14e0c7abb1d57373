"""Default story parser: prompts to exact scripts (counts, order, manner, direction, emotion, speech, camera)."""
import pytest

from stickgen.story import ScriptError, parse
from stickgen.story.clauses import match_actions, split_clauses
from stickgen.story.lexicon import ACTION_SPEED, inflections, lemma
from stickgen.story.parser import parse_prompt


def timeline(script):
    """{character: [(action, start, end), ...]} rounded to 0.01 s."""
    out = {c.name: [] for c in script.characters}
    for a in script.scenes[0].actions:
        out[a.character].append((a.action, round(a.start, 2), round(a.end, 2)))
    return out


def actions_of(script, name):
    return [a for a in script.scenes[0].actions if a.character == name]


def test_single_actor_sequence_with_manner_and_direction():
    script = parse_prompt("A man walks forward quickly, then waves.", 10.0)
    assert [(c.name, c.role, c.type) for c in script.characters] == [("Man", "man", "human")]
    assert timeline(script) == {"Man": [("walk", 0.0, 6.67), ("wave", 6.67, 10.0)]}
    walk = actions_of(script, "Man")[0]
    assert walk.direction == "forward" and walk.manner == "quickly forward"
    assert walk.speed == pytest.approx(ACTION_SPEED["walk"] * 1.45) and walk.energy == 0.8
    assert script.warnings == []


@pytest.mark.parametrize("prompt, names", [
    ("two friends walk toward each other", ["Friend 1", "Friend 2"]),
    ("five people dance", [f"Person {k}" for k in range(1, 6)]),
    ("a man and a woman wave", ["Man", "Woman"]),
    ("Alice and Bob clap", ["Alice", "Bob"]),
    ("a couple dances", ["Partner 1", "Partner 2"]),
    ("a group of three kids jump", ["Kid 1", "Kid 2", "Kid 3"]),
])
def test_actor_counts(prompt, names):
    script = parse_prompt(prompt, 5.0)
    assert [c.name for c in script.characters] == names
    assert all(len(actions) == 1 for actions in timeline(script).values())


def test_two_teams_face_each_other_and_fight_across():
    script = parse_prompt("two teams of three players face off, then they fight", 9.0)
    roles = [c.role for c in script.characters]
    assert roles == ["player A"] * 3 + ["player B"] * 3
    layout = {entry.character: entry for entry in script.layout}
    assert {layout[n].facing for n in ("Player A 1", "Player A 2", "Player A 3")} == {90.0}
    assert {layout[n].facing for n in ("Player B 1", "Player B 2", "Player B 3")} == {-90.0}
    fights = {a.character: a.partner for a in script.scenes[0].actions if a.action == "fight"}
    assert fights == {"Player A 1": "Player B 1", "Player A 2": "Player B 2", "Player A 3": "Player B 3",
                      "Player B 1": "Player A 1", "Player B 2": "Player A 2", "Player B 3": "Player A 3"}
    assert timeline(script)["Player A 1"][0][0] == "fight_stance"


def test_sequence_words_and_while():
    script = parse_prompt("A woman sits down. After that she stands up, then she jumps while clapping.", 10.0)
    assert [a for a, _, _ in timeline(script)["Woman"]] == ["idle", "sit", "stand", "jump"]  # stands, sits...
    jump = actions_of(script, "Woman")[-1]
    assert jump.manner == "while clapping"


def test_simultaneous_subjects_share_a_beat_and_sequences_follow():
    script = parse_prompt("A man runs while a woman sings. Then the man sits.", 10.0)
    tl = timeline(script)
    assert tl["Man"][0][:2] == ("run", 0.0) and tl["Woman"][0][:2] == ("sing", 0.0)
    assert tl["Man"][1][0] == "sit" and tl["Man"][1][1] == tl["Woman"][0][2]  # the song ends as he sits


@pytest.mark.parametrize("prompt, direction", [
    ("a man walks backwards", "backward"),
    ("a girl runs in a circle", "circle"),
    ("a robot walks back and forth", "back_and_forth"),
    ("a boy walks to the left", "left"),
    ("a woman walks toward the camera", "camera"),
    ("a person jogs in a zigzag", "zigzag"),
    ("a man runs around the bases", None),  # the action itself is running_bases
])
def test_directions(prompt, direction):
    action = parse_prompt(prompt, 6.0).scenes[0].actions[0]
    assert action.direction == direction
    if direction is None:
        assert action.action == "running_bases"


@pytest.mark.parametrize("prompt, action, speed", [
    ("a man walks slowly", "walk", ACTION_SPEED["walk"] * 0.6),
    ("a man walks", "walk", ACTION_SPEED["walk"]),
    ("a man runs as fast as he can", "sprint", ACTION_SPEED["sprint"]),
    ("a woman jogs at full speed", "sprint", ACTION_SPEED["sprint"]),
    ("she runs quickly", "run", ACTION_SPEED["run"] * 1.45),
    ("a kid furiously trots", "run", ACTION_SPEED["run"] * 1.3),  # furious is no full speed
])
def test_speeds(prompt, action, speed):
    step = parse_prompt(prompt, 4.0).scenes[0].actions[0]
    assert step.action == action and step.speed == pytest.approx(speed)


def test_distance_and_explicit_seconds():
    script = parse_prompt("a man walks 5 meters forward for 3 seconds, then sits", 10.0)
    walk, sit = actions_of(script, "Man")
    assert (walk.start, walk.end, walk.distance) == (0.0, 3.0, 5.0)
    assert (sit.action, sit.start, sit.end) == ("sit", 3.0, 10.0)


def test_emotions_from_adjectives_adverbs_and_actions():
    script = parse_prompt("A sad girl walks. Then she laughs. A man angrily points.", 10.0)
    faces = [(e.character, e.expression, round(e.start, 2), round(e.end, 2)) for e in script.scenes[0].expressions]
    # "a sad girl": her face for the whole clip, even while she laughs; "angrily": the man's face while he points
    assert faces == [("Girl", "sad", 0.0, 10.0), ("Man", "angry", 6.15, 10.0)]
    tl = timeline(script)
    assert tl["Girl"] == [("walk", 0.0, 6.15), ("laugh", 6.15, 10.0)] and tl["Man"][1][0] == "point"
    implied = parse_prompt("a boy cries, then he celebrates", 6.0).scenes[0].expressions
    assert [(e.expression, round(e.start, 2), round(e.end, 2)) for e in implied] == [("sad", 0.0, 3.0),
                                                                                     ("excited", 3.0, 6.0)]


def test_speech_with_quotes_and_verbs():
    script = parse_prompt("A man waves and says \"hello there\". A woman shouts 'Stop!' angrily, then whispers.", 10.0)
    lines = [(s.character, s.type, s.text) for s in script.scenes[0].speech]
    assert lines == [("Man", "talk", "hello there"), ("Woman", "shout", "Stop!"), ("Woman", "whisper", "")]
    assert [a for a, _, _ in timeline(script)["Woman"]] == ["shout", "whisper"]
    assert timeline(script)["Man"][0][0] == "wave"


@pytest.mark.parametrize("prompt, move, direction", [
    ("close-up of a woman laughing", "zoom", "in"),
    ("a man dances as the camera orbits around him", "orbit", None),
    ("a girl runs. dolly in on her", "dolly", "in"),
    ("a man walks. The camera pans left", "pan", "left"),
    ("tracking shot of a boy running", "track", None),
    ("The camera dollies in slowly as a man reads a book.", "dolly", "in"),
    ("Pan across as a kid plays catch.", "pan", "right"),
])
def test_camera_words(prompt, move, direction):
    script = parse_prompt(prompt, 6.0)
    camera = script.scenes[0].camera
    assert [(c.move, c.direction) for c in camera] == [(move, direction)]
    assert len(script.characters) == 1 and script.scenes[0].actions[0].action != "idle"


def test_interaction_partner_is_added_and_synchronised():
    script = parse_prompt("Alice waves at Bob. Bob runs toward her and they hug.", 10.0)
    tl = timeline(script)
    assert [a for a, _, _ in tl["Alice"]] == ["wave", "hug"] and [a for a, _, _ in tl["Bob"]] == ["run", "hug"]
    assert tl["Alice"][1][1:] == tl["Bob"][1][1:]
    run = actions_of(script, "Bob")[0]
    assert (run.direction, run.target) == ("toward", "Alice")
    lone = parse_prompt("a man shakes hands", 4.0)
    assert len(lone.characters) == 2 and {a.partner for a in lone.scenes[0].actions} == {"Man", "Friend"}


def test_pronouns_resolve_by_gender_and_recency():
    script = parse_prompt("A man and a woman stand. She waves, then he jumps.", 9.0)
    tl = timeline(script)
    assert "wave" in [a for a, _, _ in tl["Woman"]] and "jump" in [a for a, _, _ in tl["Man"]]
    assert "jump" not in [a for a, _, _ in tl["Woman"]]


def test_turns_are_carried_to_the_next_move():
    script = parse_prompt("a robot walks forward, then turns around and walks back", 8.0)
    first, second = actions_of(script, "Robot")
    assert first.turn is None and second.turn == 180.0 and second.action == "walk"


def test_and_back_is_the_way_back():
    first, second = actions_of(parse_prompt("A man walks to the window and back.", 10.0), "Man")
    assert (first.action, second.action) == ("walk", "walk") and first.end == second.start == 5.0
    assert first.direction != "backward" and second.turn == 180.0 and second.direction == "forward"
    run, back, wave = actions_of(parse_prompt("A girl runs forward and back again, then waves.", 9.0), "Girl")
    assert (run.action, back.action, wave.action) == ("run", "run", "wave") and back.turn == 180.0
    (only,) = actions_of(parse_prompt("A man walks backward and back.", 5.0), "Man")  # no turn to make
    assert only.direction == "backward" and only.turn is None


def test_nonsense_gets_a_gentle_default_and_empty_prompt_a_clear_error():
    script = parse_prompt("blorp zzz qux", 5.0)
    assert timeline(script) == {"Person": [("idle", 0.0, 5.0)]}
    assert "nobody does anything recognisable" in script.warnings[0]
    for empty in ("", "   ", None):
        with pytest.raises(ScriptError, match="prompt: empty"):
            parse(empty, 5.0, matcher=None)
    with pytest.raises(ScriptError, match="duration"):
        parse_prompt("a man walks", 0.0)


def test_unmatched_clause_goes_to_the_matcher():
    seen = []

    def matcher(text):
        seen.append(text)
        return "dance"

    script = parse_prompt("a man does the limbo", 4.0, matcher=matcher)
    assert seen == ["does the limbo"] and timeline(script) == {"Man": [("dance", 0.0, 4.0)]}


def test_clauses_lemmas_and_synonym_matching():
    clauses, quotes = split_clauses("He says 'hi there', then runs as fast as he can; meanwhile she hums.")
    assert [c.relation for c in clauses] == ["start", "seq", "sim"]
    assert quotes == ["hi there"] and "fullspeed" in clauses[1].words
    assert [lemma(w) for w in ("walks", "running", "sat", "danced", "flies", "hugging")] == \
        ["walk", "run", "sit", "dance", "fly", "hug"]
    assert [m[2] for m in match_actions("kicks the red ball".split())] == ["kicking"]
    assert [m[2] for m in match_actions("kicks".split())] == ["kick"]
    assert [m[2] for m in match_actions("shakes her hand".split())] == ["handshake"]


def test_long_prompts_cap_the_cast_and_stay_valid():
    script = parse_prompt("twenty people dance", 5.0)
    assert len(script.characters) == 12 and "at most 12" in script.warnings[0]


def test_limbs_are_kept_for_the_text_encoder_and_are_no_direction():
    script = parse_prompt("The woman kicks with her right leg, then punches with her left hand. "
                          "A man raises both arms.", 10.0)
    kick, punch = actions_of(script, "Woman")
    assert (kick.action, kick.manner, kick.direction) == ("kick", "with the right leg", None)
    assert (punch.action, punch.manner, punch.direction) == ("punch", "with the left hand", None)
    assert [(a.action, a.manner) for a in actions_of(script, "Man")][0] == ("celebrate", "with both arms")
    for prompt in ("A man shakes her hand.", "Two men shake hands."):  # the action's own limb is not repeated
        assert {a.manner for a in parse_prompt(prompt, 4.0).scenes[0].actions} == {""}


def test_possessive_relatives_one_of_them_and_step_counts():
    hug = parse_prompt("A girl runs to her mother and hugs her.", 10.0)
    assert [c.name for c in hug.characters] == ["Girl", "Mother"]
    run = actions_of(hug, "Girl")[0]
    assert (run.action, run.direction, run.target) == ("run", "toward", "Mother")
    assert {a.partner for a in hug.scenes[0].actions if a.action == "hug"} == {"Girl", "Mother"}
    fall = timeline(parse_prompt("Two boxers fight, then one of them falls down.", 10.0))
    assert [a for a, _, _ in fall["Boxer 1"]] == ["fight", "lie_down"]
    assert [a for a, _, _ in fall["Boxer 2"]] == ["fight", "idle"]
    steps = actions_of(parse_prompt("A person turns left and walks five steps.", 6.0), "Person")
    assert [(a.action, a.distance, a.turn, a.manner) for a in steps] == [("walk", 3.5, 90.0, "five steps")]


# ----------------------------------------------------------------------------- the dataset grammar's phrasings


def sequence(prompt, duration=8.0):
    """The first character's actions in order (runs of one action merged)."""
    script = parse_prompt(prompt, duration)
    first = script.characters[0].name
    out = []
    for action, _, _ in timeline(script)[first]:
        if not out or out[-1] != action:
            out.append(action)
    return out


def test_inflections_drop_e_double_consonants_and_change_y():
    assert inflections("five") == {"fives", "fiving", "fived"}
    assert inflections("hop") == {"hops", "hopping", "hopped"}  # one syllable: never "hoping"
    assert inflections("boogie") == {"boogies", "boogying", "boogied"}
    assert inflections("cry") == {"cries", "crying", "cried"}
    assert inflections("pass") == {"passes", "passing", "passed"}
    assert {"sidestepping", "sidesteps"} <= inflections("sidestep")


@pytest.mark.parametrize("text, actions", [
    ("a kid high-fiving another person", ["high_five"]),
    ("she high-fives him", ["high_five"]),
    ("he passes the ball", ["kicking"]),
    ("she mutters", ["whisper"]),
    ("looking at a book", ["reading"]),
    ("receiving a throw", ["catching"]),  # longest match: "receive a throw", not "throw"
    ("throws a hook with the left fist", ["punch"]),
    ("throws a roundhouse kick", ["kick"]),
    ("doing the front crawl", ["swimming"]),
    ("scuffling with a rival", ["fight"]),
    ("boogies", ["dance"]),
    ("serenading someone", ["sing"]),
    ("greets the other person with a handshake", ["handshake"]),
    ("waves looking pleased", ["wave"]),  # "looking" + a feeling names no action
    ("talks while moving his hands", ["talk"]),  # a whole-body verb on a body part moves only that part
    ("hops on one leg", ["jump"]),
])
def test_synonyms_match_through_inflections_and_longest_phrase_wins(text, actions):
    assert [m[2] for m in match_actions(text.split())] == actions


@pytest.mark.parametrize("prompt, actions", [
    ("After dodging, a person passes the ball.", ["dodge", "kicking"]),
    ("After gently reading, the man swims.", ["reading", "swimming"]),
    ("After singing while swaying, a girl whispers.", ["sing", "whisper"]),
    ("After pacing to the left, sideways, the man fields the ball.", ["walk", "fielding"]),
    ("Before jumping, she waves.", ["wave", "jump"]),
    ("A man waves before jumping.", ["wave", "jump"]),
    ("After that, he jumps.", ["jump"]),
])
def test_leading_after_and_before_clauses_are_ordered(prompt, actions):
    assert sequence(prompt) == actions


def test_a_leading_clause_without_a_main_clause_is_still_read():
    assert sequence("After dodging.") == ["dodge"]


@pytest.mark.parametrize("prompt, actions", [  # a clip that opens by going down stands first (LEAD_IN_SECONDS)
    ("A woman lies down, then walks.", ["idle", "lie_down", "stand", "walk"]),
    ("A boy crawls, then cheers.", ["crawling", "stand", "celebrate"]),
    ("A man sits, then waves.", ["idle", "sit", "wave"]),  # the arms work seated: no need to get up
    ("A man kneels, then talks, then runs.", ["idle", "kneel", "talk", "stand", "run"]),
    ("A woman sits, then stands up, then walks.", ["idle", "sit", "stand", "walk"]),  # already up: one stand
    ("A man lies down, then waits.", ["idle", "lie_down", "idle"]),
])
def test_a_low_body_stands_up_before_an_action_on_its_feet(prompt, actions):
    assert sequence(prompt) == actions


def test_the_stand_up_takes_the_rise_time_of_the_posture_at_most_most_of_the_next_action():
    _, lie, stand, walk = actions_of(parse_prompt("A woman lies down, then walks.", 13.0), "Woman")
    assert (stand.start, stand.end - stand.start) == (lie.end, pytest.approx(3.0))  # lying: sit up, then stand
    assert walk.start == stand.end and walk.end == 13.0
    lie, stand, walk = actions_of(parse_prompt("A woman lies down, then walks.", 3.0), "Woman")  # no lead-in: short
    assert stand.end - stand.start == pytest.approx(0.7 * (walk.end - stand.start))


@pytest.mark.parametrize("prompt, actions", [
    ("A boy is rising.", ["stand"]),
    ("First the stick figure kicks the ball, and then they rise.", ["kicking", "stand"]),
    ("A girl gets to her feet.", ["stand"]),
    ("A man stands there.", ["idle"]),
])
def test_rising_is_standing_up_but_standing_there_is_idle(prompt, actions):
    assert sequence(prompt) == actions


def test_a_clause_that_opens_with_its_verb_keeps_the_subject_and_its_object_is_the_partner():
    script = parse_prompt("The woman stands still, then high-fives a friend.", 8.0)
    assert [c.name for c in script.characters] == ["Woman", "Friend"]
    assert [a for a, _, _ in timeline(script)["Woman"]] == ["idle", "high_five"]
    assert {a.partner for a in script.scenes[0].actions if a.action == "high_five"} == {"Woman", "Friend"}
    script = parse_prompt("Someone waits, greets another person with a handshake and then rests.", 8.0)
    assert [c.name for c in script.characters] == ["Person", "Person 2"]
    assert [a for a, _, _ in timeline(script)["Person"]] == ["idle", "handshake", "idle"]


def test_he_after_an_interaction_is_the_subject_not_the_partner():
    assert sequence("First a tall guy cheerfully cuddles a partner, and then he rejoices.") == ["hug", "celebrate"]


@pytest.mark.parametrize("prompt, action, manner", [
    ("The stick figure runs around in a full circle, turning right.", "run", "turning right"),
    ("A woman strolls to the right, sideways.", "walk", "sideways"),
    ("The man runs the bases around to the left and back.", "running_bases", "back"),
    ("A man wanders to the right, sideways unhurriedly.", "walk", "sideways unhurriedly"),
    ("A woman looks left and right.", "looking_around", ""),  # "and" between left and right splits nothing
])
def test_a_clause_of_only_direction_words_joins_the_action_before_it(prompt, action, manner):
    (only,) = parse_prompt(prompt, 6.0).scenes[0].actions
    assert only.action == action and only.manner.endswith(manner)


def test_as_fast_as_their_legs_allow_is_a_sprint_and_stepping_to_the_beat_is_dancing():
    assert sequence("Somebody runs as fast as their legs allow, then takes a seat.") == ["sprint", "sit"]
    assert sequence("A child steps from side to side to the beat, then bounces to the beat.") == ["dance"]


def test_as_joins_a_clause_only_before_a_person_and_a_verb():
    both = parse_prompt("The camera dollies in slowly as a man reads a book.", 6.0)
    assert [(a.character, a.action) for a in both.scenes[0].actions] == [("Man", "reading")]
    costume = parse_prompt("A man dressed as a pirate dances.", 6.0)
    assert [(a.character, a.action) for a in costume.scenes[0].actions] == [("Man", "dance")]
    opening = parse_prompt("As a man walks, a woman waves.", 6.0)
    assert sorted((a.character, a.action) for a in opening.scenes[0].actions) == [("Man", "walk"), ("Woman", "wave")]
    assert sequence("As she walks, she waves.") == ["walk", "wave"]


@pytest.mark.parametrize("prompt, cast", [
    ("In the park, a woman jogs.", ["Woman"]),
    ("At night, a man walks home.", ["Man"]),
    ("On a sunny day, two kids play catch.", ["Kid 1", "Kid 2"]),
    ("As the sun sets, a man dances.", ["Man"]),
    ("Outside, two kids jump.", ["Kid 1", "Kid 2"]),  # a capitalised opener is no name
    ("Without warning, a man falls.", ["Man"]),
    ("Every morning, an old man claps.", ["Man"]),
])
def test_a_setting_before_anyone_is_named_adds_no_phantom_person(prompt, cast):
    script = parse_prompt(prompt, 6.0)
    assert [c.name for c in script.characters] == cast and not script.warnings


def test_a_prompt_that_is_only_a_setting_still_gives_a_person_standing_still():
    script = parse_prompt("In the park.", 6.0)
    assert [c.name for c in script.characters] == ["Person"] and "nobody does anything" in script.warnings[0]


def test_the_mood_and_turn_of_an_opener_go_to_the_first_named_subject():
    happy = parse_prompt("Happily, a man walks.", 6.0)
    assert [c.name for c in happy.characters] == ["Man"]
    (walk,) = happy.scenes[0].actions
    assert walk.action == "walk" and "happily" in walk.manner
    turning = parse_prompt("Turning left, a man walks.", 6.0)
    assert [(a.character, a.action, a.turn) for a in turning.scenes[0].actions] == [("Man", "walk", 90.0)]
    alone = parse_prompt("Suddenly, she turns around.", 6.0)
    assert [(a.character, a.turn) for a in alone.scenes[0].actions] == [("Woman", 180.0)]


def test_who_refers_to_the_character_just_named():
    script = parse_prompt("Mary waves at John, who waves back.", 6.0)
    assert sorted((a.character, a.action) for a in script.scenes[0].actions) == [("John", "wave"), ("Mary", "wave")]
    assert [(a.character, a.action) for a in parse_prompt("A man, who is tired, walks.", 6.0).scenes[0].actions] \
        == [("Man", "walk")]


def test_more_people_and_ways_of_walking():
    assert [c.name for c in parse_prompt("A ballerina claps.", 6.0).characters] == ["Ballerina"]
    assert sequence("A drunk man stumbles home, then trots away.") == ["walk", "run"]


def _data_adverbs() -> set[str]:
    """Every one-word speed or energy adverb the data generator writes into its texts."""
    from datasets_scripts.text import describe

    words = [w for _, _, slow, fast in describe.SPEED_WORDS.values() for w in slow + fast]
    words += [w for group in describe.ENERGY_WORDS + describe.POSTURE_ENERGY_WORDS for w in group]
    words += [w for pair in describe.ACTION_ENERGY_WORDS.values() for group in pair for w in group]
    return {w for w in words if " " not in w and w.endswith("ly")}


@pytest.mark.parametrize("adverb", sorted(_data_adverbs()))
def test_every_adverb_of_the_training_texts_reaches_the_encoder(adverb):
    walk = actions_of(parse_prompt(f"A man walks {adverb}.", 10.0), "Man")[0]
    assert walk.manner == adverb and 0.0 < walk.energy <= 1.0


@pytest.mark.parametrize("prompt, action, adverb", [
    ("Two men shake hands firmly.", "handshake", "firmly"),
    ("A woman hugs her friend tightly.", "hug", "tightly"),
    ("A man waves warmly.", "wave", "warmly"),
])
def test_manner_of_a_gesture_or_interaction_is_kept(prompt, action, adverb):
    script = parse_prompt(prompt, 10.0)
    first = script.scenes[0].actions[0]
    assert (first.action, first.manner) == (action, adverb)
