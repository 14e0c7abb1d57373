"""Write the image encoder's model card from the files its commands produced.

    python -m training.image_encoder_card --model models/stickgen-small/image_encoder \\
        --report reports/image_encoder.json --data data/parallax --out model_cards/image_encoder.md

Every figure comes from a file: the training run's ``training_summary.json`` (command, steps, wall time,
validation), the evaluation report of ``python -m stickgen.eval.image_pose`` (test MPJPE, PA-MPJPE, camera
angle per look), the parallax dataset's ``build.json`` (its command, frames per split, render speed) and the
weights (parameter count). The card goes to ``--out`` and, with Hub metadata (``model-index`` results from
the report), into the model folder as ``README.md``.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml

from stickgen.hub import DATASET_REPO_ID, MODEL_REPO_ID
from training.card import hardware, parameter_count, write_card
from training.train import SUMMARY_FILE

PARALLAX_REPO_ID = f"{DATASET_REPO_ID}-parallax"
PIPELINE_TAG = "keypoint-detection"
TAGS = ["stick-figure", "3d-pose-estimation", "smpl", "stickgen"]
#: (report group, model-index metric type, metric name, report key)
RESULTS = (("rendered", "mpjpe", "MPJPE (mm), rendered looks", "mpjpe_mm"),
           ("drawn", "mpjpe", "MPJPE (mm), hand-drawn look", "mpjpe_mm"),
           ("all", "pa_mpjpe", "PA-MPJPE (mm)", "pa_mpjpe_mm"),
           ("all", "camera_angle_error", "Camera angle error (deg)", "camera_angle_deg"))


def card_metadata(report: dict[str, Any]) -> dict[str, Any]:
    """The card's YAML header with the report's results as ``model-index``."""
    from huggingface_hub import EvalResult
    from huggingface_hub.repocard_data import eval_results_to_model_index

    results = [EvalResult(task_type=PIPELINE_TAG, task_name="Stick-figure 3D pose from one picture",
                          dataset_type=PARALLAX_REPO_ID, dataset_name="Stick-Gen parallax",
                          dataset_split=report["split"], metric_type=kind, metric_name=name,
                          metric_value=float(report["groups"][group][key])) for group, kind, name, key in RESULTS]
    return {"license": "apache-2.0", "library_name": "transformers", "pipeline_tag": PIPELINE_TAG, "tags": TAGS,
            "datasets": [PARALLAX_REPO_ID],
            "model-index": eval_results_to_model_index("stickgen-image-encoder", results)}


def build_card(model: Path, report: dict[str, Any], build: dict[str, Any], report_command: str) -> str:
    """The card's Markdown (without the YAML header)."""
    summary = json.loads((model / SUMMARY_FILE).read_text())
    frames = {split: facts["frames"] for split, facts in build["splits"].items()}
    rows = [f"| {name} | {g['frames']} | {g['mpjpe_mm']:.1f} | {g['pa_mpjpe_mm']:.1f} | {g['camera_angle_deg']:.1f} |"
            for name, g in report["groups"].items()]
    args = build["arguments"]
    data_command = (f"python -m datasets_scripts.parallax --dataset {args['dataset']} --views-per-clip "
                    f"{args['views_per_clip']} --frames-per-view {args['frames_per_view']} --max-clips "
                    f"{' '.join(args['max_clips'] or [])} --size {args['size']} --seed {args['seed']} "
                    f"--workers {args['workers']} --out {args['out']}")
    return "\n".join([
        "# Stick-Gen image encoder", "",
        "Reads a stick figure's 3D pose and the camera from one picture: a frame of a Stick-Gen video or a "
        "drawing (dark lines on light paper, a circle for the head). Part of the "
        f"[Stick-Gen pipeline]({MODEL_REPO_ID}) (`image_encoder/`), where `pipe(prompt, image=...)` starts "
        "an animation from (or passes it through) the pose, seen from the picture's side.", "",
        "## Use", "",
        "```python",
        "from PIL import Image",
        "from stickgen.image_pose import estimate_poses, level_pose",
        "from stickgen.models import StickGenImageEncoder",
        "",
        f"encoder = StickGenImageEncoder.from_pretrained(\"{model}\")",
        "estimate = estimate_poses(encoder, [Image.open(\"examples/pose_drawing.png\")])",
        "estimate.joints          # [1, 22, 3] metres, pelvis at 0, as the camera sees the figure",
        "estimate.azimuth_deg     # where the camera stands around the body (0: in front, +90: its left)",
        "level_pose(estimate)     # [1, 22, 3] the pose upright, facing +z, feet on the floor",
        "```", "",
        "Without stickgen: `transformers.AutoModel.from_pretrained(folder, trust_remote_code=True)` gives the "
        "network; it takes `pixel_values [B, 3, S, S]` in [-1, 1], a square crop around the figure "
        f"(S = {json.loads((model / 'config.json').read_text())['image_size']}; `stickgen.image_pose.preprocess` "
        "finds the figure and crops it).", "",
        "## Model", "",
        f"A small ResNet and an MLP, {parameter_count(model):,} parameters. Outputs: SMPL-22 joints relative to the "
        "pelvis in the frame of a camera looking at the crop's centre (x right, y up, z away), as a pose at a "
        "standard size (`shape`) times the body's size (`scale`, learned apart from the pose), and the camera's "
        "azimuth around the body (sine, cosine) and elevation.", "",
        "## Data", "",
        f"The parallax dataset (`{PARALLAX_REPO_ID}`): clips of the Stick-Gen motion dataset "
        f"(`{DATASET_REPO_ID}`) rendered from random cameras by the project's renderer in five looks "
        "(normal, sketch, ink, neon, and a hand-drawn look: pen lines on paper, no face, no floor), "
        f"{args['size']} x {args['size']} pixels: {', '.join(f'{s} {n:,} frames' for s, n in frames.items())} "
        f"(test clips are the motion dataset's held-out test clips). Made by `{data_command}` at "
        f"{build['frames_per_second']:.0f} frames/s.", "",
        "## Training", "",
        f"`{summary['command']}` on {hardware()}: {summary['steps']:,} steps of batch "
        f"{summary['settings']['batch_size']} in {summary['train_seconds'] / 60:.1f} minutes "
        f"(+{summary['load_seconds'] / 60:.1f} minutes decoding the frames), "
        f"{summary['seconds_per_step']:.2f} s per step; the step with the best validation MPJPE "
        f"({summary['validation']['all']['mpjpe_mm']:.1f} mm, step {summary['best_step']:,}) was kept.", "",
        "## Results", "",
        f"`{report_command}` ({report['split']} split, {report['groups']['all']['frames']:,} frames of held-out "
        "clips seen from new cameras). MPJPE: mean joint distance in millimetres; PA-MPJPE: after the best "
        "rotation, scale and translation; camera: the angle between the predicted and true directions from the "
        "body to the camera.", "",
        "| frames | count | MPJPE mm | PA-MPJPE mm | camera deg |", "|---|---|---|---|---|", *rows, "",
        "## Limitations", "",
        "- One picture cannot tell the figure's size: part of the MPJPE is scale (PA-MPJPE removes it).",
        "- Without a face a stick figure seen from the front looks like one seen from the back; in the "
        "hand-drawn look a few frames come out facing the wrong way (a large camera angle error).",
        "- Trained on the Stick-Gen renderer's figures and one imitation of a person's drawing; very "
        "different drawings (other proportions, filled bodies, several figures) are outside what it saw.", ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="the trained encoder folder (training_summary.json)")
    parser.add_argument("--report", type=Path, required=True, help="JSON of python -m stickgen.eval.image_pose")
    parser.add_argument("--data", type=Path, required=True, help="the parallax dataset folder (build.json)")
    parser.add_argument("--out", type=Path, default=Path("model_cards/image_encoder.md"))
    args = parser.parse_args(argv)
    report = json.loads(args.report.read_text())
    command = (f"python -m stickgen.eval.image_pose --model {report['model']} --data {report['data']} "
               f"--split {report['split']} --out {args.report}")
    body = build_card(args.model, report, json.loads((args.data / "build.json").read_text()), command)
    write_card(f"---\n{yaml.safe_dump(card_metadata(report), sort_keys=False)}---\n\n{body}", args.out, args.model)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
