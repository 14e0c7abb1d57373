"""Training config: bundled files, --set overrides, and errors that name the key."""
import pytest

from training.config import CONFIG_DIR, ConfigError, load_config, parse_override


def test_bundled_configs_load_and_inherit():
    names = sorted(p.stem for p in CONFIG_DIR.glob("*.yaml"))
    assert {"small", "medium", "large", "sft_small", "lora_small", "refiner_small"} <= set(names)
    small, sft = load_config("small"), load_config("sft_small")
    assert sft.run.stage == "sft" and sft.optim.lr == pytest.approx(1e-4)
    assert sft.data.keep_sources == ["deepmimic", "cmu"] and sft.data.min_quality == pytest.approx(0.8)
    assert sft.optim.micro_batch_size == small.optim.micro_batch_size  # inherited from base
    assert load_config("medium").model.preset == "medium"
    hand = load_config("hand_small")
    assert hand.data.canonical_hand and hand.run.init_from == small.run.out + "/model"
    assert not load_config("refiner_small").data.canonical_hand
    assert small.model.planner.get("control_dim", 0) == 0  # the shipped planner gets its controls in stage 3
    assert load_config("control_small").model.planner["control_dim"] == 5


def test_own_config_may_inherit_a_bundled_one(tmp_path):
    own = tmp_path / "mine.yaml"
    own.write_text("base: small.yaml\noptim: {max_steps: 9}\n")
    config, small = load_config(own), load_config("small")
    assert config.optim.max_steps == 9 and config.optim.lr == small.optim.lr
    own.write_text("base: no_such_config.yaml\n")
    with pytest.raises(ConfigError, match="no_such_config"):
        load_config(own)


def test_overrides_are_typed_and_nested():
    config = load_config("small", ["optim.lr=3e-4", "run.patience=2", "data.min_quality=null",
                                   "model.planner={d_model: 64, num_heads: 4}", "optim.betas=[0.8, 0.9]"])
    assert config.optim.lr == pytest.approx(3e-4) and isinstance(config.optim.lr, float)
    assert config.run.patience == 2 and config.data.min_quality is None
    assert config.model.planner == {"d_model": 64, "num_heads": 4}
    assert config.optim.betas == [0.8, 0.9]
    assert load_config("small", ["optim.max_steps=7"]).to_dict()["optim"]["max_steps"] == 7
    assert parse_override("run.out=runs/x") == (["run", "out"], "runs/x")
    assert load_config("small", ["run.mixed_precision=no"]).run.mixed_precision == "no"  # YAML reads no as False


@pytest.mark.parametrize("override, key", [
    ("optim.lr=fast", "optim.lr"),
    ("optim.learning_rate=1", "optim.learning_rate"),
    ("optim.lr=-1", "optim.lr"),
    ("optim.max_steps=2.5", "optim.max_steps"),
    ("run.stage=pretrain", "run.stage"),
    ("data.known_prefix_prob=1.5", "data.known_prefix_prob"),
    ("data.canonical_hand_actions=[wave, waving]", "data.canonical_hand_actions"),
    ("loss.feature=-0.1", "loss.feature"),
    ("loss.pace_prob=1.5", "loss.pace_prob"),
    ("model.planner={d_modle: 64}", "model.planner.d_modle"),
    ("model.preset=huge", "model.preset"),
    ("run.tensorboard=maybe", "run.tensorboard"),
    ("nosection=1", "nosection"),
])
def test_errors_name_the_key(override, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config("small", [override])


def test_stage_requirements():
    with pytest.raises(ConfigError, match="run.init_from"):
        load_config("small", ["run.stage=lora"])
    with pytest.raises(ConfigError, match="data.min_quality"):
        load_config("sft_small", ["data.min_quality=null", "data.keep_sources=[]"])
    with pytest.raises(ConfigError, match="not found"):
        load_config("no_such_config")
    with pytest.raises(ConfigError, match="expected section.key=value"):
        load_config("small", ["optim.lr"])
