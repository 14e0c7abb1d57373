"""The vocabulary is the contract checkpoints store: names, ids and counts must not drift."""
import pytest

from stickgen import vocab

EXPECTED_ACTIONS = (
    "idle walk run sprint jump wave talk shout whisper sing point clap batting pitching catching running_bases "
    "fielding throwing kicking dribbling shooting fight punch kick dodge sit stand kneel lie_down eating drinking "
    "reading typing looking_around climbing crawling swimming flying celebrate dance cry laugh handshake hug "
    "high_five fight_stance"
).split()


def test_action_ids_are_stable_enum_order():
    assert vocab.ACTION_NAMES == tuple(EXPECTED_ACTIONS)
    assert [vocab.action_id(n) for n in EXPECTED_ACTIONS] == list(range(46))


def test_every_action_has_description_and_synonyms():
    for action in vocab.ACTIONS:
        assert action.description and action.description[0].islower()
        assert len(action.synonyms) >= 2, action.name
        assert action.actors in (1, 2)
    assert {a.name for a in vocab.ACTIONS if a.actors == 2} == {"fight", "handshake", "hug", "high_five"}


def test_other_vocabularies():
    assert vocab.EXPRESSION_NAMES == ("neutral", "happy", "sad", "surprised", "angry", "excited")
    assert vocab.MOUTH_SHAPES == ("closed", "smile", "frown", "open", "wide_open", "small_o", "singing")
    assert {s.name: s.rate_hz for s in vocab.SPEECH_TYPES} == {"talk": 8.0, "shout": 6.0, "whisper": 10.0, "sing": 4.0}
    assert vocab.CAMERA_MOVES == ("static", "pan", "zoom", "track", "dolly", "crane", "orbit")
    assert vocab.RENDER_STYLES == ("normal", "sketch", "ink", "neon")
    for expression in vocab.EXPRESSIONS:
        assert expression.mouth_shape in vocab.MOUTH_SHAPES
        assert expression.eye_type in vocab.EYE_TYPES
        assert 0.0 <= expression.mouth_openness <= 1.0
    for speech in vocab.SPEECH_TYPES:
        assert speech.mouth_shape in vocab.MOUTH_SHAPES


def test_unknown_name_error_lists_choices():
    with pytest.raises(KeyError, match="unknown action 'moonwalk'.*idle, walk"):
        vocab.action_id("moonwalk")
    with pytest.raises(KeyError, match="unknown render style"):
        vocab.style_id("watercolour")
    assert vocab.speech_info("sing").rate_hz == 4.0
    assert vocab.expression_info("happy").mouth_shape == "smile"
