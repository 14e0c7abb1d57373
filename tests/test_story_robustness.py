"""Any text gives a valid script and plan (hypothesis); the embedding matcher maps unseen verbs to actions."""
import os

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from stickgen import vocab  # noqa: E402
from stickgen.story import Script, script_to_plan  # noqa: E402
from stickgen.story.parser import parse_prompt  # noqa: E402

WORDS = ["a", "the", "two", "five", "man", "woman", "friends", "teams", "he", "she", "they", "Alice", "Bob",
         "walks", "runs", "jumps", "waves", "hug", "shake", "hands", "sits", "stands", "up", "then", "while",
         "and", "after", "that", "slowly", "quickly", "as", "fast", "can", "backwards", "in", "circle",
         "toward", "each", "other", "camera", "zooms", "orbits", "close-up", "of", "says", "'hi'", "sad",
         "happy", "for", "3", "seconds", "meters", "turns", "around", ",", ".", "!", "blorp", "the bases"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=25), st.floats(1.0, 60.0))
def test_any_word_salad_gives_a_valid_script_and_plan(words, duration):
    prompt = " ".join(words)
    script = parse_prompt(prompt, duration)
    again = Script.from_json(script.to_json())  # validates every field
    assert again == script
    plan = script_to_plan(script, fps=25)
    assert plan.num_frames == max(1, round(duration * 25))
    for actor in plan.actors:
        assert np.all(np.isfinite(actor.start_position)) and np.isfinite(actor.facing)
        assert actor.path is None or np.all(np.isfinite(actor.path))
        assert actor.text == prompt.strip() or actor.text.startswith("a person ")


def test_embedding_matcher_maps_unseen_verbs_and_refuses_nonsense():
    from stickgen.generate_cli import shared_text_encoder
    from stickgen.story.similarity import embedding_matcher
    from stickgen.text import MINILM

    match = embedding_matcher(shared_text_encoder(MINILM))
    assert match("boogies all night") == "dance"
    assert match("sobs quietly") == "cry"
    assert match("strolls along the beach") == "walk"
    assert match("asdf qwer zxcv") is None
    script = parse_prompt("a woman boogies", 4.0, matcher=match)
    assert script.scenes[0].actions[0].action == "dance" and script.warnings == []
    assert set(vocab.ACTION_NAMES) >= {match(t) for t in ("does a cartwheel", "lies on the floor")} - {None}


def test_a_prompt_far_longer_than_the_clip_keeps_its_first_steps_and_says_so():
    sentence = "A man walks to the park, then sits down, then reads a book, then stands up and waves. "
    script = parse_prompt(sentence * 40, 10.0)
    actions = [a for a in script.scenes[0].actions if a.character == script.characters[0].name]
    assert [a.action for a in actions][:2] == ["walk", "sit"]
    assert min(a.end - a.start for a in actions) >= 0.4  # no blur of one-frame actions
    cut = [w for w in script.warnings if "fit in 10 s" in w]
    assert len(cut) == 1 and "longer duration" in cut[0]
    assert len(script.warnings) == len(set(script.warnings))
    short = parse_prompt(sentence, 10.0)  # a prompt that fits loses nothing
    assert [a.action for a in short.scenes[0].actions] == ["walk", "sit", "reading", "stand", "wave"]
    assert short.warnings == []
    brief = parse_prompt("someone does a short dance move and spins around once.", 1.6)  # a 1.6 s test clip
    assert [a.action for a in brief.scenes[0].actions] == ["walk", "dance"]  # 0.8 s each is still enough
