"""The planner (``StickGenPlanner``, a transformers model registered with the Auto classes) and the
refiner (``StickGenRefiner``, a diffusers model). Importing this package registers ``stickgen`` with
``AutoConfig``/``AutoModel`` and marks the planner's classes for ``trust_remote_code`` saving (the refiner's
remote code is written by :mod:`stickgen.remote_code`)."""
from transformers import AutoConfig, AutoModel

from .configuration_stickgen import PLANNER_PRESETS, StickGenConfig
from .modeling_stickgen import StickGenPlanner, StickGenPlannerOutput

AutoConfig.register(StickGenConfig.model_type, StickGenConfig, exist_ok=True)
AutoModel.register(StickGenConfig, StickGenPlanner, exist_ok=True)
StickGenConfig.register_for_auto_class()
StickGenPlanner.register_for_auto_class("AutoModel")

__all__ = ["PLANNER_PRESETS", "StickGenConfig", "StickGenPlanner", "StickGenPlannerOutput"]
