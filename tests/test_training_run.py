"""Short real training runs on the toy dataset: loss goes down, resume is exact, SFT/LoRA/refiner stages.

Tiny models (d_model 32) and a 12-description toy dataset keep each run to a few seconds.
"""
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from training.config import load_config
from training.toy_data import toy_dataset
from training.train import Trainer, latest_checkpoint

TINY = {"d_model": 32, "num_layers": 1, "num_heads": 2, "ffn_dim": 64, "max_frames": 48, "window_overlap": 8}
TINY_REFINER = {"d_model": 32, "num_layers": 1, "num_heads": 2, "ffn_dim": 64}


@pytest.fixture(scope="module")
def toy_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("toy") / "dataset"
    toy_dataset(train=24, validation=8, seed=0, frames=(40, 70)).save_to_disk(str(path))
    return path


def tiny_config(toy_path, out, *overrides, name="small"):
    values = {"data": {"path": str(toy_path), "crop_frames": 40, "stats_rows": 24,
                       "text_cache": str(Path(out).parent / "text_cache")},
              "model": {"planner": dict(TINY), "refiner": dict(TINY_REFINER)},
              "optim": {"micro_batch_size": 4, "warmup_steps": 2, "max_steps": 6, "lr": 3e-3},
              "run": {"out": str(out), "log_every": 1, "eval_every": 3, "checkpoint_every": 3,
                      "tensorboard": False, "patience": 0, "mixed_precision": "no"}}
    return load_config(name, list(overrides), values=values)


def planner_weights(folder):
    return load_file(str(Path(folder) / "planner" / "model.safetensors"))


def logged(out, split, metric):
    rows = [line.split(",") for line in (Path(out) / "metrics.csv").read_text().splitlines()[1:]]
    return [float(r[3]) for r in rows if r[1] == split and r[2] == metric]


@pytest.fixture(scope="module")
def pretrained(toy_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("pretrain") / "run"
    result = Trainer(tiny_config(toy_path, out, "optim.max_steps=40", "run.eval_every=10",
                                 "run.log_every=5", "run.checkpoint_every=20")).fit()
    return out, result


def test_short_run_lowers_the_loss(pretrained):
    out, result = pretrained
    assert result["step"] == 40 and result["stopped"] == "max_steps"
    train = logged(out, "train", "loss")
    validation = logged(out, "validation", "loss")
    assert train[-1] < 0.7 * train[0], train
    assert min(validation) < validation[0]
    assert result["best_validation_loss"] == pytest.approx(min(validation), rel=1e-5)
    assert logged(out, "validation", "action_accuracy")[-1] > logged(out, "validation", "action_accuracy")[0]
    summary = json.loads((out / "model" / "training_summary.json").read_text())
    assert summary["stage"] == "planner" and summary["train_rows"] == 24
    saved = load_config(out / "model" / "training_config.yaml")
    assert saved.optim.max_steps == 40 and saved.model.planner == TINY


def test_pipeline_folder_generates(pretrained):
    from stickgen.conditioning import plan_from_actions
    from stickgen.pipeline import StickGenPipeline

    pipe = StickGenPipeline.from_pretrained(pretrained[0] / "model")
    scene = pipe(plan_from_actions(["walk"], "a person does a walk", duration=3.0), seed=1,
                 num_inference_steps=2).scenes[0]
    joints = scene.actors[0].joints
    assert joints.shape == (75, 22, 3) and np.isfinite(joints).all()


def test_resume_ends_where_an_uninterrupted_run_ends(toy_path, tmp_path):
    straight = tmp_path / "straight"
    Trainer(tiny_config(toy_path, straight)).fit()
    parted = tmp_path / "parted"
    first = Trainer(tiny_config(toy_path, parted)).fit(stop_after=4)  # checkpoint at 3 and at the stop (4)
    assert first["stopped"] == "stop_after" and first["step"] == 4
    checkpoint = parted / "checkpoints" / "step_3"
    assert checkpoint.exists()
    resumed = Trainer(tiny_config(toy_path, parted)).fit(resume=checkpoint)  # redo step 4 from step 3
    assert resumed["step"] == 6 and latest_checkpoint(parted).name == "step_6"
    a, b = planner_weights(straight / "model"), planner_weights(parted / "model")
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0)
    assert logged(straight, "train", "loss") == logged(parted, "train", "loss")


def test_resume_refuses_another_config(toy_path, tmp_path):
    out = tmp_path / "run"
    Trainer(tiny_config(toy_path, out, "optim.max_steps=3")).fit()
    with pytest.raises(ValueError, match="optim/lr"):
        Trainer(tiny_config(toy_path, out, "optim.max_steps=3", "optim.lr=0.01")).fit(resume=latest_checkpoint(out))


def test_sft_starts_from_the_pretrained_weights_on_the_subset(pretrained, toy_path, tmp_path):
    base = pretrained[0] / "model"
    config = tiny_config(toy_path, tmp_path / "sft", "run.stage=sft", f"run.init_from={base}",
                         "data.min_quality=0.6", "optim.max_steps=3", name="sft_small")
    trainer = Trainer(config)
    quality = np.asarray(toy_dataset(train=24, validation=8, seed=0, frames=(40, 70))["train"]["quality"])
    assert len(trainer.train_rows) == int((quality >= 0.6).sum()) < 24
    start = {k: v.detach().clone() for k, v in trainer.pipe.planner.state_dict().items()}
    for key, value in planner_weights(base).items():
        torch.testing.assert_close(start[key], value)
    np.testing.assert_array_equal(trainer.pipe.feature_stats.mean,
                                  json.loads((base / "feature_stats.json").read_text())["mean"])
    trainer.fit()
    tuned = planner_weights(tmp_path / "sft" / "model")
    assert any(not torch.equal(tuned[k], start[k]) for k in tuned)


def test_lora_adapters_save_load_and_switch(pretrained, toy_path, tmp_path):
    from stickgen.pipeline import StickGenPipeline

    base = pretrained[0] / "model"
    adapters = {}
    for name, lr in (("calm", "1e-3"), ("wild", "3e-2")):
        out = tmp_path / name
        Trainer(tiny_config(toy_path, out, "run.stage=lora", f"run.init_from={base}", f"lora.adapter_name={name}",
                            f"optim.lr={lr}", "optim.max_steps=4", "lora.r=4", name="lora_small")).fit()
        adapters[name] = out / "model" / name  # PEFT keeps a non-default adapter in a folder of its name
        assert (adapters[name] / "adapter_config.json").exists()
    untouched = planner_weights(base)
    pipe = StickGenPipeline.from_pretrained(base)
    inputs = dict(text_embeds=torch.randn(1, 384), action_ids=torch.ones(1, 20, dtype=torch.long))
    with torch.no_grad():
        plain = pipe.planner(**inputs).pose
        for name, path in adapters.items():
            pipe.load_lora(path, adapter_name=name)
        outputs = {}
        for name in adapters:
            pipe.set_adapter(name)
            outputs[name] = pipe.planner(**inputs).pose
        pipe.set_adapter("calm")
        again = pipe.planner(**inputs).pose
    assert not torch.allclose(outputs["calm"], plain) and not torch.allclose(outputs["calm"], outputs["wild"])
    torch.testing.assert_close(again, outputs["calm"])
    base_now = pipe.planner.get_base_model().state_dict()
    for key, value in untouched.items():  # the base stayed frozen (LoRA-wrapped layers keep it in base_layer)
        wrapped = key.replace(".weight", ".base_layer.weight")
        torch.testing.assert_close(base_now[key] if key in base_now else base_now[wrapped], value)


def test_refiner_stage_trains_only_the_refiner(pretrained, toy_path, tmp_path):
    base = pretrained[0] / "model"
    out = tmp_path / "refiner"
    Trainer(tiny_config(toy_path, out, "run.stage=refiner", f"run.init_from={base}", "optim.max_steps=12",
                        "run.eval_every=4", name="refiner_small")).fit()
    for key, value in planner_weights(base).items():
        torch.testing.assert_close(planner_weights(out / "model")[key], value)
    before = load_file(str(base / "refiner" / "diffusion_pytorch_model.safetensors"))
    after = load_file(str(out / "model" / "refiner" / "diffusion_pytorch_model.safetensors"))
    assert any(not torch.equal(before[k], after[k]) for k in before)
    denoise = logged(out, "train", "denoise")
    assert np.mean(denoise[-4:]) < np.mean(denoise[:4])
    assert len(logged(out, "validation", "denoise_velocity")) >= 3
    refiner_config = json.loads((out / "model" / "refiner" / "config.json").read_text())
    assert refiner_config["residual"] and refiner_config["d_model"] == TINY_REFINER["d_model"]


def test_refiner_training_paces_the_plans_to_the_true_speeds(pretrained, toy_path, tmp_path):
    from stickgen.features import ROOT_VELOCITY
    from stickgen.pacing import stretch_speeds

    trainer = Trainer(tiny_config(toy_path, tmp_path / "paced", "run.stage=refiner", "loss.pace_prob=1.0",
                                  f"run.init_from={pretrained[0] / 'model'}", name="refiner_small"))
    batch = trainer._to_device(trainer.train_rows.batch(np.arange(12), None))
    with torch.no_grad():
        condition = trainer.pipe.planner(**trainer._planner_inputs(batch)).pose
    paced = trainer._paced(condition, batch, np.random.default_rng(0)).numpy()
    stats = trainer.pipe.feature_stats
    valid = batch["attention_mask"].numpy()
    truth = stretch_speeds(stats.denormalize(batch["features"].numpy().astype(np.float64)),
                           batch["action_ids"].numpy(), valid)
    speed = np.linalg.norm(stats.denormalize(paced.astype(np.float64))[..., ROOT_VELOCITY], axis=-1)
    walked = [row for row in range(12) if np.isfinite(truth[row]).any()]
    assert walked  # the toy data has walks
    for row in walked:
        frames = np.isfinite(truth[row])
        assert speed[row, frames].mean() == pytest.approx(truth[row, frames].mean(), rel=1e-4)
    others = np.ones(paced.shape, bool)
    others[..., ROOT_VELOCITY] = False
    assert np.array_equal(paced[others], condition.numpy()[others])


def test_control_stages_add_the_input_then_refine_steered_plans(pretrained, toy_path, tmp_path):
    from stickgen import control
    from stickgen.features import HEADING_VELOCITY, ROOT_VELOCITY

    base = pretrained[0] / "model"
    planner_out, refiner_out = tmp_path / "control", tmp_path / "refiner"
    config = tiny_config(toy_path, planner_out, f"run.init_from={base}", "optim.max_steps=8", name="control_small")
    config.model.planner = {**TINY, "control_dim": control.CONTROL_DIM}
    Trainer(config).fit()
    planner_config = json.loads((planner_out / "model" / "planner" / "config.json").read_text())
    assert planner_config["control_dim"] == control.CONTROL_DIM
    assert planner_weights(planner_out / "model")["control_proj.weight"].abs().sum() > 0  # learned from zero
    trainer = Trainer(tiny_config(toy_path, refiner_out, f"run.init_from={planner_out / 'model'}",
                                  "optim.max_steps=4", name="refiner_control_small"))
    before = load_file(str(planner_out / "model" / "refiner" / "diffusion_pytorch_model.safetensors"))
    start = trainer.pipe.refiner.state_dict()
    assert all(torch.equal(start[k], v) for k, v in before.items())  # the refiner goes on, not fresh
    batch = trainer._to_device(trainer.train_rows.batch(np.arange(8), np.arange(8)))
    with torch.no_grad():
        plan = trainer.pipe.planner(**trainer._planner_inputs(batch)).pose
    steered = trainer.pipe.feature_stats.denormalize(trainer._steered(plan, batch).numpy().astype(np.float64))
    wanted = control.denormalize(batch["control"].numpy(), batch["control_mask"].numpy())
    fixed = np.isfinite(wanted[..., list(control.ROOT_CONTROLS)]).all(-1) & ~batch["known_mask"].numpy()
    assert fixed.any()
    window = int(round(control.VELOCITY_WINDOW_S * 25))
    rows = [row for row in range(len(fixed)) if fixed[row].sum() >= 30]
    assert rows
    for row in rows:
        forward = control.moving_average(steered[row, :, ROOT_VELOCITY.start + 1], window)[fixed[row]]
        assert np.median(np.abs(forward - wanted[row, fixed[row], control.FORWARD])) < 0.05
        assert np.isfinite(steered[row, :, HEADING_VELOCITY]).all()
    trainer.fit()
    after = load_file(str(refiner_out / "model" / "refiner" / "diffusion_pytorch_model.safetensors"))
    assert any(not torch.equal(before[k], after[k]) for k in before)


def run_bounded(command, seconds):
    """Run ``command`` from the repo root on loopback-only gloo; on a hang kill it and every process it
    started (torch's elastic agent puts its workers in sessions of their own) and fail with its output
    (a hung launcher must not eat the CI budget)."""
    import psutil

    env = {**os.environ, "GLOO_SOCKET_IFNAME": "lo", "OMP_NUM_THREADS": "1"}
    with tempfile.TemporaryFile("w+") as log:  # a file, not a pipe: an orphaned worker cannot block the read
        process = subprocess.Popen(command, cwd=Path(__file__).resolve().parent.parent, env=env, text=True,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        timed_out = False
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
            for child in [*psutil.Process(process.pid).children(recursive=True), psutil.Process(process.pid)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    child.kill()
            process.wait()
        log.seek(0)
        output = log.read()
    if timed_out:
        pytest.fail(f"{command[:4]} still running after {seconds} s; its output:\n{output[-4000:]}")
    assert process.returncode == 0, f"exit {process.returncode}; output:\n{output[-4000:]}"


@pytest.mark.slow
def test_two_processes_match_one_process_with_the_same_global_batch(toy_path, tmp_path):
    def run(out, processes, micro):
        sets = [f"--set=data.path={toy_path}", "--set=data.crop_frames=40", "--set=data.stats_rows=24",
                f"--set=data.text_cache={tmp_path / 'cache'}", f"--set=model.planner={json.dumps(TINY)}",
                f"--set=model.refiner={json.dumps(TINY_REFINER)}", f"--set=optim.micro_batch_size={micro}",
                "--set=optim.max_steps=6", "--set=optim.warmup_steps=2", "--set=run.eval_every=3",
                "--set=run.log_every=1", "--set=run.tensorboard=false", f"--set=run.out={out}"]
        launcher = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes",
                    str(processes), "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
                    "--main_process_ip", "127.0.0.1", "--main_process_port", "0"] if processes > 1 else [sys.executable]
        run_bounded(launcher + ["-m", "training.train", "--config", "small", *sets], seconds=240)
        return planner_weights(out / "model")

    one, two = run(tmp_path / "one", 1, 4), run(tmp_path / "two", 2, 2)
    for key in one:
        torch.testing.assert_close(two[key], one[key], rtol=1e-4, atol=1e-5)
    assert logged(tmp_path / "one", "validation", "loss") == pytest.approx(
        logged(tmp_path / "two", "validation", "loss"), rel=1e-4)


def test_model_card_quotes_the_run_files(pretrained, tmp_path):
    import shutil

    from training.card import build_card, collect_stage_files, run_minutes

    out, result = pretrained
    ship = tmp_path / "ship"
    shutil.copytree(out / "model", ship)
    report = tmp_path / "report"
    report.mkdir()
    (report / "report.json").write_text(json.dumps({"quality_bar": [{"check": "FID below baselines", "passed": False},
                                                                     {"check": "bones", "passed": True}],
                                                    "meta": {"model": str(ship)}}))
    (report / "report.md").write_text("# Stick-Gen evaluation report\n\n## Text-motion metrics\n\n| FID | 1.5 |\n")
    tuning = tmp_path / "sampling.json"
    row = {"fid": 0.2, "r_precision_top3": {"mean": 0.8}, "action_accuracy": 0.7, "jerk": 60.0, "jitter": 0.02}
    tuning.write_text(json.dumps({"split": "validation", "num_cases": 64, "conditioning": "text", "chosen": "b",
                                  "rows": {"a": {**row, "fid": 0.3}, "b": row}}))
    collect_stage_files(ship, [out])
    card = build_card(ship, [out], report, None, "python -m stickgen.eval --model ship --out report", tuning=tuning)
    assert ("`num_inference_steps=10`, `guidance_scale=2.5`, `root_guidance_scale=None` (that of `guidance_scale`), "
            "`guided_fraction=1.0`, `strength=1.0`") in card
    assert "| b **(chosen)** | 0.200 | 0.800 | 0.700 | 60.0 | 0.020 |" in card and "validation split (64 cases" in card
    assert card.startswith("---\nlicense: apache-2.0\n") and "pipeline_tag:" in card
    assert "steps: 40 of 40" in card and "training rows: 24" in card
    kept_minutes = json.loads((out / "model" / "training_summary.json").read_text())["elapsed_s"] / 60
    assert run_minutes(out) >= kept_minutes > 0
    assert f"{run_minutes(out):.1f} min for the whole run" in card
    assert f"Total wall time of the training runs below: {run_minutes(out):.1f} min." in card
    planner_params = sum(v.numel() for v in planner_weights(ship).values())
    assert f"planner: {planner_params:,} parameters" in card
    assert "**The quality bar is not met**: FID below baselines." in card
    assert "### Text-motion metrics" in card and "`python -m stickgen.eval --model ship --out report`" in card
    assert (ship / f"training_config_{out.name}.yaml").exists() and not (ship / "training_config.yaml").exists()
    assert f"saved as `training_config_{out.name}.yaml`" in card
    assert "made with the right hand" not in card
    hand = tmp_path / "hand_run"
    shutil.copytree(out / "model", hand / "model")
    shutil.copyfile(out / "metrics.csv", hand / "metrics.csv")
    config = hand / "model" / "training_config.yaml"
    assert "canonical_hand: false" in config.read_text()
    config.write_text(config.read_text().replace("canonical_hand: false", "canonical_hand: true"))
    collect_stage_files(ship, [hand])
    assert "(a wave, a handshake, a throw) are made with the right hand" in build_card(
        ship, [hand], report, None, "x", tuning=tuning)
    config.write_text(config.read_text().replace("canonical_hand_actions: []", "canonical_hand_actions: [wave]"))
    collect_stage_files(ship, [hand])
    assert "(wave) are made with the right hand" in build_card(ship, [hand], report, None, "x", tuning=tuning)


def test_a_card_is_rebuilt_from_the_model_folder_once_the_run_folder_is_gone(pretrained, tmp_path):
    import shutil

    from training.card import build_card, collect_stage_files, run_minutes

    out, _ = pretrained
    run = tmp_path / "runs" / "planner_run"
    shutil.copytree(out, run)
    ship = tmp_path / "ship"
    shutil.copytree(out / "model", ship)
    collect_stage_files(ship, [run])
    minutes = run_minutes(run)
    assert (ship / "metrics_planner_run.csv").read_text() == (run / "metrics.csv").read_text()
    shutil.rmtree(run)
    collect_stage_files(ship, [run])  # the record is kept; nothing to copy
    card = build_card(ship, [run], None, None)
    assert f"{minutes:.1f} min for the whole run" in card and "metrics_planner_run.csv" in card
    with pytest.raises(FileNotFoundError, match="training_summary_gone"):
        collect_stage_files(ship, [tmp_path / "gone"])


def test_run_minutes_counts_the_save_after_the_last_logged_row(tmp_path):
    from training.card import run_minutes

    (tmp_path / "model").mkdir()
    (tmp_path / "metrics.csv").write_text("step,split,metric,value,elapsed_s\n3,train,loss,1.0,30.0\n"
                                          "6,validation,loss,0.9,60.0\n")
    (tmp_path / "model" / "training_summary.json").write_text(json.dumps({"elapsed_s": 66.0}))
    assert run_minutes(tmp_path) == pytest.approx(1.1)
    (tmp_path / "metrics.csv").write_text("step,split,metric,value,elapsed_s\n9,train,loss,0.8,90.0\n")
    assert run_minutes(tmp_path) == pytest.approx(1.5)
