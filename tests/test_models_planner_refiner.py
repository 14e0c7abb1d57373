"""Planner and refiner: preset sizes, masks, save/load, Auto classes with remote code, LoRA, diffusion."""
import json
import os
import subprocess
import sys
import types

import numpy as np
import pytest
import torch

from stickgen.denoising import denoise, sampling_timesteps
from stickgen.models import PLANNER_PRESETS, StickGenConfig, StickGenPlanner
from stickgen.models.modeling_refiner import StickGenRefiner, make_scheduler
from training.losses import refiner_loss

TARGETS = {"small": 7.2e6, "medium": 20.6e6, "large": 44.6e6}
TINY = dict(d_model=32, num_layers=2, num_heads=2, ffn_dim=64, max_frames=60)


def count(model):
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("preset", list(PLANNER_PRESETS))
def test_preset_parameter_counts_are_within_ten_percent(preset):
    with torch.device("meta"):
        planner = StickGenPlanner(StickGenConfig.from_preset(preset))
        refiner = StickGenRefiner.from_preset(preset)
    total = count(planner) + count(refiner)
    assert abs(total - TARGETS[preset]) / TARGETS[preset] < 0.10, total
    d, layers, heads, _ = PLANNER_PRESETS[preset]
    assert (planner.config.d_model, planner.config.num_layers, planner.config.num_heads) == (d, layers, heads)


def test_config_validation_and_unknown_preset():
    with pytest.raises(ValueError, match="heads"):
        StickGenConfig(d_model=30, num_heads=4)
    with pytest.raises(KeyError, match="small"):
        StickGenConfig.from_preset("huge")


def planner_inputs(batch=2, frames=40, seed=0):
    g = torch.Generator().manual_seed(seed)
    return dict(text_embeds=torch.randn(batch, 384, generator=g),
                action_ids=torch.randint(0, 46, (batch, frames), generator=g))


def test_padding_does_not_change_real_frames():
    torch.manual_seed(0)
    planner = StickGenPlanner(StickGenConfig(**TINY)).eval()
    inputs = planner_inputs(batch=1, frames=25)
    alone = planner(**inputs)
    padded = dict(text_embeds=inputs["text_embeds"],
                  action_ids=torch.cat([inputs["action_ids"], torch.zeros(1, 15, dtype=torch.long)], 1),
                  attention_mask=torch.arange(40)[None] < 25)
    out = planner(**padded)
    for head in ("pose", "root_position", "root_velocity", "action_logits", "physics", "contact"):
        assert getattr(out, head).shape[:2] == (1, 40)
        torch.testing.assert_close(getattr(out, head)[:, :25], getattr(alone, head), atol=1e-5, rtol=1e-5)
    assert out.pose.shape[-1] == 137 and out.physics.shape[-1] == 9 and out.contact.shape[-1] == 8


def test_conditioning_inputs_change_the_plan():
    torch.manual_seed(0)
    planner = StickGenPlanner(StickGenConfig(**TINY)).eval()
    inputs = planner_inputs(batch=1)
    base = planner(**inputs).pose
    known = torch.zeros(1, 40, 137)
    mask = torch.zeros(1, 40)
    mask[:, :10] = 1
    variants = [dict(camera_ids=torch.tensor([3])), dict(known_features=known + 1, known_mask=mask),
                dict(partner_joints=torch.randn(1, 40, 66), has_partner=torch.tensor([1.0]))]
    for extra in variants:
        assert (planner(**inputs, **extra).pose - base).abs().max() > 1e-4, extra
    same = planner(**inputs, partner_joints=torch.randn(1, 40, 66), has_partner=torch.tensor([0.0])).pose
    torch.testing.assert_close(same, base)


def test_planner_rejects_wrong_text_dim_and_too_long_windows():
    planner = StickGenPlanner(StickGenConfig(**TINY))
    with pytest.raises(ValueError, match="384"):
        planner(text_embeds=torch.zeros(1, 1024), action_ids=torch.zeros(1, 10, dtype=torch.long))
    with pytest.raises(ValueError, match="window"):
        planner(text_embeds=torch.zeros(1, 384), action_ids=torch.zeros(1, 61, dtype=torch.long))


def test_save_load_round_trip_is_exact(tmp_path):
    torch.manual_seed(1)
    planner = StickGenPlanner(StickGenConfig(**TINY)).eval()
    refiner = StickGenRefiner(d_model=32, num_layers=1, num_heads=2, ffn_dim=64).eval()
    planner.save_pretrained(tmp_path / "planner")
    refiner.save_pretrained(tmp_path / "refiner")
    planner2 = StickGenPlanner.from_pretrained(tmp_path / "planner").eval()
    refiner2 = StickGenRefiner.from_pretrained(tmp_path / "refiner").eval()
    for a, b in zip(planner.state_dict().values(), planner2.state_dict().values()):
        assert torch.equal(a, b)
    for a, b in zip(refiner.state_dict().values(), refiner2.state_dict().values()):
        assert torch.equal(a, b)
    inputs = planner_inputs()
    assert torch.equal(planner(**inputs).pose, planner2(**inputs).pose)
    config = json.loads((tmp_path / "planner" / "config.json").read_text())
    assert config["model_type"] == "stickgen"
    assert config["auto_map"]["AutoModel"].endswith("StickGenPlanner")


def test_auto_model_loads_with_remote_code_in_a_process_without_stickgen(tmp_path):
    torch.manual_seed(2)
    planner = StickGenPlanner(StickGenConfig(**TINY)).eval()
    planner.save_pretrained(tmp_path)
    inputs = planner_inputs()
    torch.save(inputs, tmp_path / "inputs.pt")
    torch.save(planner(**inputs).pose, tmp_path / "expected.pt")
    script = (
        "import sys, torch\n"
        "from transformers import AutoConfig, AutoModel\n"
        f"folder = {str(tmp_path)!r}\n"
        "model = AutoModel.from_pretrained(folder, trust_remote_code=True).eval()\n"
        "assert AutoConfig.from_pretrained(folder, trust_remote_code=True).model_type == 'stickgen'\n"
        "inputs = torch.load(folder + '/inputs.pt')\n"
        "assert torch.equal(model(**inputs).pose, torch.load(folder + '/expected.pt'))\n"
        "assert not any(m == 'stickgen' or m.startswith('stickgen.') for m in sys.modules), 'stickgen imported'\n"
        "print(type(model).__name__)\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_MODULES_CACHE": str(tmp_path / "modules")}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                            cwd=str(tmp_path), timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "StickGenPlanner"


def test_in_process_auto_classes_know_stickgen(tmp_path):
    from transformers import AutoConfig, AutoModel

    StickGenPlanner(StickGenConfig(**TINY)).save_pretrained(tmp_path)
    assert isinstance(AutoModel.from_pretrained(tmp_path), StickGenPlanner)
    assert isinstance(AutoConfig.for_model("stickgen"), StickGenConfig)


def test_lora_targets_the_plainly_named_linear_layers():
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(3)
    planner = StickGenPlanner(StickGenConfig(**TINY))
    config = LoraConfig(r=4, target_modules=["q_proj", "k_proj", "v_proj", "o_proj",
                                             "gate_proj", "up_proj", "down_proj"])
    model = get_peft_model(planner, config)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n for n in trainable)
    assert len(trainable) == 2 * 7 * TINY["num_layers"]
    out = model(**planner_inputs())
    out.pose.sum().backward()
    assert all(p.grad is not None for n, p in model.named_parameters() if p.requires_grad)


def test_refiner_loss_trains_and_drops_conditions():
    torch.manual_seed(4)
    refiner = StickGenRefiner(d_model=32, num_layers=1, num_heads=2, ffn_dim=64, residual=False)
    scheduler = make_scheduler("ddpm")
    target, condition = torch.randn(3, 21, 137), torch.randn(3, 21, 137)
    mask = torch.arange(21)[None] < torch.tensor([[21], [15], [9]])
    loss, parts = refiner_loss(refiner, scheduler, target, condition, torch.randn(3, 384), mask,
                               generator=torch.Generator().manual_seed(0), velocity_weight=0.5)
    assert loss.ndim == 0 and torch.isfinite(loss) and loss > 0
    torch.testing.assert_close(loss.detach(), parts["denoise"] + 0.5 * parts["denoise_velocity"])
    loss.backward()
    assert refiner.in_proj.weight.grad.abs().sum() > 0
    with pytest.raises(ValueError, match="ddim"):
        make_scheduler("euler")


def test_velocity_term_sees_jitter_that_the_plain_error_barely_sees():
    target = torch.linspace(0, 1, 40)[None, :, None].expand(1, 40, 137).contiguous()
    jitter = target + 0.05 * (-1) ** torch.arange(40)[None, :, None]  # alternate frames up and down
    offset = target + 0.05  # the same plain error, no jitter

    def fixed(prediction):
        return lambda *args, **kwargs: types.SimpleNamespace(sample=prediction)

    parts = {name: refiner_loss(fixed(p), make_scheduler("ddpm"), target, target, torch.zeros(1, 384))[1]
             for name, p in (("jitter", jitter), ("offset", offset))}
    torch.testing.assert_close(parts["jitter"]["denoise"], parts["offset"]["denoise"])
    assert parts["offset"]["denoise_velocity"] < 1e-10 < 0.009 < parts["jitter"]["denoise_velocity"]


def test_refiner_output_ignores_dropped_condition():
    torch.manual_seed(5)
    refiner = StickGenRefiner(d_model=32, num_layers=1, num_heads=2, ffn_dim=64).eval()
    x, t = torch.randn(1, 20, 137), torch.tensor([500])
    a = refiner(x, t, torch.randn(1, 20, 137), torch.randn(1, 384), torch.tensor([0.0])).sample
    b = refiner(x, t, torch.randn(1, 20, 137), torch.randn(1, 384), torch.tensor([0.0])).sample
    torch.testing.assert_close(a, b)
    odd = refiner(torch.randn(2, 21, 137), torch.tensor([10, 20]), torch.randn(2, 21, 137), torch.randn(2, 384)).sample
    assert odd.shape == (2, 21, 137)


def test_denoise_is_seeded_and_keeps_known_frames_and_joints():
    torch.manual_seed(6)
    refiner = StickGenRefiner(d_model=32, num_layers=1, num_heads=2, ffn_dim=64, residual=False).eval()
    fn = lambda *a: refiner(*a).sample  # noqa: E731
    cond, text = torch.randn(2, 30, 137), torch.randn(2, 384)
    run = lambda seed, **kw: denoise(fn, make_scheduler(), cond, text, 4, 2.0,  # noqa: E731
                                     torch.Generator().manual_seed(seed), **kw)
    with torch.inference_mode():
        assert torch.equal(run(1), run(1))
        assert (run(1) - run(2)).abs().max() > 1e-3
        known = torch.randn(2, 30, 137)
        mask = torch.zeros(2, 30, 137)
        mask[:, :8] = 1           # in-betweening: the first frames are given
        mask[:, :, 4:7] = 1       # a joint's channels are pinned for the whole clip
        out = run(3, known=known, known_mask=mask)
    assert torch.equal(out[mask.bool()], known[mask.bool()])
    assert (out[~mask.bool()] - known[~mask.bool()]).abs().mean() > 0.1
    with pytest.raises(ValueError, match="steps"):
        denoise(fn, make_scheduler(), cond, text, 0)


def test_untrained_residual_refiner_returns_the_plan_and_learns_a_correction():
    torch.manual_seed(7)
    refiner = StickGenRefiner(d_model=32, num_layers=1, num_heads=2, ffn_dim=64)  # residual by default
    plan, text = torch.randn(2, 30, 137), torch.randn(2, 384)
    with torch.inference_mode():
        out = refiner(torch.randn(2, 30, 137), torch.tensor([900, 10]), plan, text).sample
        torch.testing.assert_close(out, plan)  # whatever the noise level: x0 = the plan
        dropped = refiner(torch.randn(2, 30, 137), torch.tensor([900, 10]), plan, text, torch.zeros(2)).sample
        assert dropped.abs().max() == 0  # unconditional: no plan to add to
        refined = denoise(lambda *a: refiner(*a).sample, make_scheduler(), plan, text, 4, 1.0,
                          torch.Generator().manual_seed(0), strength=0.5)
        torch.testing.assert_close(refined, plan, atol=1e-5, rtol=0)
    loss, _ = refiner_loss(refiner, make_scheduler("ddpm"), torch.randn(2, 30, 137), plan, text,
                           generator=torch.Generator().manual_seed(0))
    loss.backward()
    assert refiner.out_proj.weight.grad.abs().sum() > 0  # the correction starts learning at once


def test_strength_starts_from_the_noised_plan_at_the_right_step():
    scheduler = make_scheduler()
    assert sampling_timesteps(scheduler, 10, 1.0).tolist() == list(range(999, 0, -100))
    assert sampling_timesteps(scheduler, 10, 0.5).tolist() == list(range(499, 0, -50))
    for steps, strength in ((4, 0.6), (1, 0.3), (10, 0.7), (3, 0.05)):
        timesteps = sampling_timesteps(scheduler, steps, strength)
        assert len(timesteps) == steps and int(timesteps[0]) < strength * 1000
    calls = []

    def model(x, t, cond, text, flags, actions):
        calls.append(int(t[0]))
        return cond

    cond = torch.randn(1, 10, 137)
    torch.testing.assert_close(denoise(model, scheduler, cond, torch.zeros(1, 384), 3, 1.0, strength=0.3), cond,
                               atol=1e-5, rtol=0)
    assert calls == [299, 199, 99]
    with pytest.raises(ValueError, match="strength"):
        denoise(model, scheduler, cond, torch.zeros(1, 384), 3, 1.0, strength=1.5)


def test_guidance_scale_per_channel_scales_each_channels_conditional_difference():
    from stickgen.features import ROOT_VELOCITY
    from stickgen.sampling import SamplingSettings

    calls = []

    def model(x, t, cond, text, flags, actions):  # conditional branch: the plan; unconditional: nothing
        calls.append(len(x))
        return cond * flags[:, None, None]

    cond = torch.randn(1, 10, 137)
    scales = SamplingSettings(num_inference_steps=3, guidance_scale=2.0, root_guidance_scale=3.0).guidance()
    out = denoise(model, make_scheduler(), cond, torch.zeros(1, 384), 3, torch.as_tensor(scales))
    torch.testing.assert_close(out[..., ROOT_VELOCITY], 3.0 * cond[..., ROOT_VELOCITY], atol=1e-4, rtol=0)
    torch.testing.assert_close(out[..., 4:], 2.0 * cond[..., 4:], atol=1e-4, rtol=0)
    torch.testing.assert_close(out[..., :1], 2.0 * cond[..., :1], atol=1e-4, rtol=0)
    assert calls == [2, 2, 2]  # guided: both branches in one batch
    calls.clear()
    denoise(model, make_scheduler(), cond, torch.zeros(1, 384), 3, torch.ones(137))
    assert calls == [1, 1, 1]  # 1 on every channel: no guidance, one branch


def test_guided_fraction_guides_only_the_first_steps():
    seen = []

    def model(x, t, cond, text, flags, actions):  # conditional branch: the plan; unconditional: nothing
        seen.append((int(t[0]), len(x), actions is not None and len(actions) == len(x)))
        return cond * flags[:, None, None]

    cond, actions = torch.randn(1, 10, 137), torch.zeros(1, 10, dtype=torch.long)
    out = denoise(model, make_scheduler(), cond, torch.zeros(1, 384), 5, 2.0, action_ids=actions, guided_fraction=0.4)
    assert [n for _, n, _ in seen] == [2, 2, 1, 1, 1] and all(ok for *_, ok in seen)
    assert [t for t, *_ in seen] == sorted((t for t, *_ in seen), reverse=True)  # guided: the noisiest steps
    torch.testing.assert_close(out, cond, atol=1e-4, rtol=0)  # the unguided steps' x0 is the plan itself
    seen.clear()
    denoise(model, make_scheduler(), cond, torch.zeros(1, 384), 3, 2.0, guided_fraction=0.01)
    assert [n for _, n, _ in seen] == [2, 1, 1]  # at least one guided step
    with pytest.raises(ValueError, match="guided_fraction must be in"):
        denoise(model, make_scheduler(), cond, torch.zeros(1, 384), 3, 2.0, guided_fraction=0.0)


def test_ddim_update_is_the_schedulers_own_step():
    from diffusers import DDIMScheduler

    from stickgen.denoising import ddim_update

    generator = torch.Generator().manual_seed(0)
    x, pred = torch.randn(2, 9, 137, generator=generator), torch.randn(2, 9, 137, generator=generator)
    for steps, strength in ((20, 1.0), (4, 0.6), (7, 0.3)):
        scheduler = make_scheduler()
        for t in sampling_timesteps(scheduler, steps, strength):
            torch.testing.assert_close(ddim_update(scheduler, pred, t, x),
                                       scheduler.step(pred, t, x, eta=0.0).prev_sample, atol=2e-6, rtol=1e-5)
    other = DDIMScheduler.from_config({**make_scheduler().config, "prediction_type": "epsilon"})  # its own step
    other.set_timesteps(10)
    t = other.timesteps[0]
    torch.testing.assert_close(ddim_update(other, pred, t, x), other.step(pred, t, x, eta=0.0).prev_sample)


def test_ddim_step_count_is_respected():
    scheduler = make_scheduler()
    scheduler.set_timesteps(4)
    assert len(scheduler.timesteps) == 4 and int(scheduler.timesteps[0]) == 999
    assert np.all(np.diff(scheduler.timesteps.numpy()) < 0)


def test_action_conditioned_refiner_uses_the_action_of_each_frame():
    torch.manual_seed(8)
    refiner = StickGenRefiner(d_model=32, num_layers=1, num_heads=2, ffn_dim=64, residual=False, num_actions=46).eval()
    assert StickGenRefiner.from_preset("small").config.num_actions == 46
    assert StickGenRefiner.from_preset("small", num_actions=0).action_embed is None
    x, plan, text = torch.randn(1, 21, 137), torch.randn(1, 21, 137), torch.randn(1, 384)
    walk, wave = torch.full((1, 21), 1), torch.full((1, 21), 5)
    with torch.inference_mode():
        out = {name: refiner(x, torch.tensor([500]), plan, text, action_ids=ids).sample
               for name, ids in (("walk", walk), ("wave", wave))}
        assert (out["walk"] - out["wave"]).abs().mean() > 1e-3
        dropped = [refiner(x, torch.tensor([500]), plan, text, torch.zeros(1), action_ids=ids).sample
                   for ids in (walk, wave)]
        torch.testing.assert_close(dropped[0], dropped[1])  # the unconditional branch ignores the actions
        guided = denoise(lambda *a: refiner(*a).sample, make_scheduler(), plan, text, 3, 2.0,
                         torch.Generator().manual_seed(0), action_ids=wave)
        assert guided.shape == (1, 21, 137) and torch.isfinite(guided).all()
    with pytest.raises(ValueError, match="action_ids"):
        refiner(x, torch.tensor([500]), plan, text)
    loss, _ = refiner_loss(refiner, make_scheduler("ddpm"), torch.randn(1, 21, 137), plan, text,
                           generator=torch.Generator().manual_seed(0), action_ids=wave)
    loss.backward()
    assert refiner.action_embed.weight.grad[5].abs().sum() > 0 and refiner.action_embed.weight.grad[1].abs().sum() == 0
