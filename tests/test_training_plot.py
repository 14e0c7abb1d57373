"""Training-curve PNG from metrics.csv."""
import numpy as np
import pytest
from PIL import Image

from training.plot import COLORS, PANEL_H, PANEL_W, plot, read_curves


def test_plot_draws_each_split(tmp_path):
    csv_path = tmp_path / "metrics.csv"
    lines = ["step,split,metric,value,elapsed_s"]
    lines += [f"{s},train,loss,{2.0 / s:.4f},{s * 3.0}" for s in range(10, 110, 10)]
    lines += [f"{s},validation,loss,{2.2 / s:.4f},{s * 3.0}" for s in (50, 100)]
    lines += ["100,train,lr,0.001,300.0"]
    csv_path.write_text("\n".join(lines) + "\n")
    curves = read_curves(csv_path)
    assert [p[0] for p in curves["train"]] == list(range(10, 110, 10)) and len(curves["validation"]) == 2
    assert curves["train"][0][1] == pytest.approx(0.2)
    out = plot([csv_path, csv_path], tmp_path / "curve.png", ["a", "b"])
    pixels = np.asarray(Image.open(out).convert("RGB"))
    assert pixels.shape == (2 * PANEL_H, PANEL_W, 3)
    for color in COLORS.values():
        assert (pixels.reshape(-1, 3) == color).all(axis=1).sum() > 50
    with pytest.raises(ValueError, match="no rows for metric"):
        read_curves(csv_path, metric="nope")
