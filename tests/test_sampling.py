"""stickgen.sampling: the refiner settings a call names, a checkpoint recommends, and the CLI options."""
import argparse
import dataclasses

import numpy as np
import pytest

from stickgen.features import ROOT_VELOCITY
from stickgen.sampling import SamplingSettings


def parse(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser()
    SamplingSettings.add_arguments(parser)
    return SamplingSettings.from_arguments(parser.parse_args(argv))


def test_every_setting_has_one_cli_option_and_unnamed_ones_fall_back():
    named = parse(["--steps", "4", "--root-guidance-scale", "3", "--lowpass-hz", "2"])
    assert set(named) == set(SamplingSettings.names()) == {f.name for f in dataclasses.fields(SamplingSettings)}
    assert named["strength"] is None and named["num_inference_steps"] == 4
    chosen = SamplingSettings(guidance_scale=1.5).replace(**named).for_model(25)
    assert (chosen.num_inference_steps, chosen.guidance_scale, chosen.root_guidance_scale, chosen.lowpass_hz) \
        == (4, 1.5, 3.0, 2.0)
    scales = chosen.guidance()
    assert scales.shape == (137,) and np.all(scales[ROOT_VELOCITY] == 3.0) and np.sum(scales == 1.5) == 135


def test_root_guidance_follows_the_guidance_scale_unless_set():
    assert SamplingSettings().for_model(25).root_guidance_scale == SamplingSettings().guidance_scale
    assert SamplingSettings().replace(guidance_scale=1.2).for_model(25).root_guidance_scale == 1.2


def test_json_round_trip_is_what_model_index_holds():
    settings = SamplingSettings(num_inference_steps=20, guidance_scale=1.5, root_guidance_scale=2.0, lowpass_hz=3.5)
    assert SamplingSettings.from_dict(settings.to_dict()) == settings
    assert settings.to_dict()["num_inference_steps"] == 20 and settings.planner_only().num_inference_steps == 0


def test_bad_settings_are_refused_with_their_names():
    with pytest.raises(ValueError, match=r"unknown sampling setting.*\['guidance'\]"):
        SamplingSettings().replace(guidance=2.0)
    with pytest.raises(ValueError, match=r"unknown sampling setting.*\['smoothing'\]"):
        SamplingSettings.from_dict({"smoothing": 2.0})
    with pytest.raises(ValueError, match=r"lowpass_hz must be in \[0, 15\)"):
        SamplingSettings(lowpass_hz=15.0).for_model(30)
    with pytest.raises(ValueError, match="strength must be in"):
        SamplingSettings(strength=0.0)
    with pytest.raises(ValueError, match=r"guided_fraction must be in \(0, 1\], got 1.5"):
        SamplingSettings(guided_fraction=1.5)
    with pytest.raises(ValueError, match="num_inference_steps must be an integer >= 0, got 2.5"):
        SamplingSettings(num_inference_steps=2.5)
    with pytest.raises(ValueError, match="guidance_scale must be a number >= 0, got nan"):
        SamplingSettings(guidance_scale=float("nan"))


def test_pace_is_off_unless_recommended_or_asked_for():
    assert parse([])["pace"] is None and parse(["--pace"])["pace"] is True and parse(["--no-pace"])["pace"] is False
    assert SamplingSettings().pace is False
    recommended = SamplingSettings.from_dict({"pace": True})
    assert recommended.replace(**parse([])).pace is True
    assert recommended.replace(**parse(["--no-pace"])).pace is False
    with pytest.raises(ValueError, match="pace must be True or False, got 1"):
        SamplingSettings(pace=1)


def test_a_recommendation_saved_before_a_setting_existed_takes_its_default():
    older = {"num_inference_steps": 20, "guidance_scale": 1.5, "root_guidance_scale": 2.0, "strength": 1.0,
             "lowpass_hz": 3.5}  # a model_index.json "sampling" written before pace
    chosen = SamplingSettings.from_dict(older)
    assert chosen.guided_fraction == 1.0  # saved before guided_fraction: every step guided, as then
    assert chosen.pace is False and (chosen.num_inference_steps, chosen.root_guidance_scale) == (20, 2.0)
