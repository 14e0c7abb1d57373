"""Face state over time: expression transitions and speech lip motion (stickgen.render.faces)."""
import numpy as np
import pytest
from test_render_fixtures import scene_of, standing

from stickgen import vocab
from stickgen.motion import Segment
from stickgen.render.faces import face_track


def _track(fps=25, frames=60, **tracks):
    return face_track(scene_of(standing(frames), fps=fps, **tracks).actors[0], fps)


def test_transition_takes_0_3_s_and_switches_shapes_half_way():
    face = _track(expressions=[Segment(0, 30, "angry"), Segment(30, 60, "surprised")])
    angry, surprised = vocab.expression_info("angry"), vocab.expression_info("surprised")
    assert face.brows[29] == angry.eyebrow_angle
    assert face.brows[37:].tolist() == [surprised.eyebrow_angle] * 23          # 0.3 s = 7.5 frames later
    assert np.all(np.diff(face.brows[29:38]) > 0)                              # interpolates monotonically
    assert face.openness[33] == pytest.approx((angry.mouth_openness + surprised.mouth_openness) / 2, abs=0.15)
    eyes = [vocab.EYE_TYPES[e] for e in face.eyes[28:40]]
    switch = 28 + eyes.index("wide")
    assert 32 <= switch <= 34                                                  # half-way through
    assert vocab.MOUTH_SHAPES[face.mouths[switch]] == "small_o"
    assert vocab.MOUTH_SHAPES[face.mouths[switch - 1]] == "frown"


def test_no_track_is_neutral():
    face = _track()
    assert set(face.brows) == {0.0} and set(face.openness) == {0.0}
    assert {vocab.EYE_TYPES[e] for e in face.eyes} == {"dot"}


@pytest.mark.parametrize("speech", vocab.SPEECH_NAMES)
def test_speech_opens_the_mouth_at_its_rate(speech):
    info = vocab.speech_info(speech)
    face = _track(fps=100, frames=300, expressions=[Segment(0, 300, "happy")], speech=[Segment(50, 250, speech)])
    mouth = face.openness[50:250]
    assert mouth[0] == 0.0 and mouth.max() == pytest.approx(info.max_openness, abs=0.01)
    spectrum = np.abs(np.fft.rfft(mouth - mouth.mean()))
    assert np.fft.rfftfreq(200, 1 / 100)[np.argmax(spectrum)] == pytest.approx(info.rate_hz, abs=0.5)
    assert {vocab.MOUTH_SHAPES[m] for m in face.mouths[50:250]} == {info.mouth_shape}
    assert vocab.MOUTH_SHAPES[face.mouths[260]] == "smile"                   # back to the expression
    assert {vocab.EYE_TYPES[e] for e in face.eyes[50:250]} == {"arc"}        # eyes keep the expression
