"""What the story engine understood, told back in plain words (the CLI prints it, the app shows it)."""
from stickgen.story.schema import Character, Script, ScriptScene, SpeechLine, TimedAction, TimedExpression
from stickgen.story.summary import CAN_DO, understood


def test_each_character_gets_its_timeline_with_what_the_sentence_added():
    scene = ScriptScene(0.0, 6.0, actions=[
        TimedAction("Ana", "walk", 0.0, 2.5, direction="backward", distance=3.0),
        TimedAction("Ana", "wave", 2.5, 6.0, hand="left", count=2),
        TimedAction("Bo", "idle", 0.0, 2.0, turn=-90.0),
        TimedAction("Bo", "high_five", 2.0, 6.0, partner="Ana")],
        expressions=[TimedExpression("Ana", "happy", 2.5, 6.0)],
        speech=[SpeechLine("Bo", "shout", 2.0, 3.0, "hey")])
    script = Script("t", "t", 6.0, [Character("Ana"), Character("Bo")], [scene], warnings=["ignored: 'gracefully'"])
    lines = understood(script).splitlines()
    assert lines[0] == ("- **Ana**: walk (backward, 3 m) 0.0-2.5 s; wave (2 times, left hand) 2.5-6.0 s; "
                        "looks happy 2.5-6.0 s")
    assert lines[1] == ("- **Bo**: idle (turning 90° right) 0.0-2.0 s; high five (with Ana) 2.0-6.0 s; "
                        "shouts “hey” 2.0-3.0 s")
    assert lines[2] == "- note: ignored: 'gracefully'"
    assert len(lines) == 3


def test_a_prompt_nobody_can_act_out_says_so_and_lists_what_can_be_done():
    from stickgen.story import parse

    text = understood(parse("asdfgh qwerty", 5.0, matcher=None))
    assert "- **Person**: idle 0.0-5.0 s" in text
    assert "nobody does anything recognisable in 'asdfgh qwerty'" in text
    assert f"the actions the model can act out are: {CAN_DO}" in text
    assert "walk, run" in CAN_DO and "idle" not in CAN_DO.split(", ")
