"""training.image_encoder_card: the encoder's card, its figures read from the run, the report and the data."""
import json

import pytest

from stickgen.models import StickGenImageEncoder, StickGenImageEncoderConfig
from training.image_encoder_card import main as write_card

GROUP = {"frames": 10, "mpjpe_mm": 55.5, "pa_mpjpe_mm": 33.3, "camera_angle_deg": 12.25}


@pytest.fixture()
def run_files(tmp_path):
    model = tmp_path / "encoder"
    StickGenImageEncoder(StickGenImageEncoderConfig(image_size=32, embedding_size=8, hidden_sizes=(8, 8, 8, 8),
                                                    depths=(1, 1, 1, 1), head_channels=4, head_size=16)
                         ).save_pretrained(model)
    summary = {"command": "python -m training.train_image_encoder --data d --out o", "steps": 1234,
               "settings": {"batch_size": 64}, "train_seconds": 2700.0, "load_seconds": 150.0,
               "seconds_per_step": 0.19, "best_step": 1000, "validation": {"all": GROUP}}
    (model / "training_summary.json").write_text(json.dumps(summary))
    groups = {"all": GROUP, "rendered": {**GROUP, "mpjpe_mm": 50.0}, "drawn": {**GROUP, "mpjpe_mm": 70.5}}
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"model": str(model), "data": "data/parallax", "split": "test", "groups": groups}))
    data = tmp_path / "parallax"
    data.mkdir()
    build = {"arguments": {"dataset": "data/dataset", "views_per_clip": 3, "frames_per_view": 4, "out": "p",
                           "max_clips": ["train=40"], "size": 128, "seed": 0, "workers": 2},
             "splits": {"train": {"clips": 40, "frames": 480}}, "frames_per_second": 190.0}
    (data / "build.json").write_text(json.dumps(build))
    return model, report, data


def test_the_card_carries_the_reports_results_as_model_index(run_files, tmp_path):
    from huggingface_hub import ModelCard

    model, report, data = run_files
    assert write_card(["--model", str(model), "--report", str(report), "--data", str(data),
                       "--out", str(tmp_path / "card.md")]) == 0
    card = ModelCard.load(model / "README.md")
    assert card.content == (tmp_path / "card.md").read_text()
    results = {(r.metric_name, r.dataset_split): r.metric_value for r in card.data.eval_results}
    assert results[("MPJPE (mm), rendered looks", "test")] == 50.0
    assert results[("MPJPE (mm), hand-drawn look", "test")] == 70.5
    assert results[("Camera angle error (deg)", "test")] == 12.25
    assert card.data.library_name == "transformers" and card.data.datasets == ["stickgen/stickgen-motion-parallax"]
    text = card.text
    assert "1,234 steps of batch 64 in 45.0 minutes" in text and "train 480 frames" in text
    assert "| drawn | 10 | 70.5 | 33.3 | 12.2 |" in text
