"""The planner (``StickGenPlanner``, a transformers model registered with the Auto classes), the
refiner (``StickGenRefiner``, a diffusers model) and the image pose encoder (``StickGenImageEncoder``, a
transformers model). Importing this package registers ``stickgen`` and ``stickgen_image_encoder`` with
``AutoConfig``/``AutoModel`` and marks their classes for ``trust_remote_code`` saving (``save_pretrained``
writes the modeling files and the ``auto_map``; the refiner's remote code is written by
:mod:`stickgen.remote_code`)."""
from transformers import AutoConfig, AutoModel

from .configuration_image_encoder import StickGenImageEncoderConfig
from .configuration_stickgen import PLANNER_PRESETS, StickGenConfig
from .modeling_image_encoder import StickGenImageEncoder, StickGenImageEncoderOutput
from .modeling_stickgen import StickGenPlanner, StickGenPlannerOutput

AutoConfig.register(StickGenConfig.model_type, StickGenConfig, exist_ok=True)
AutoModel.register(StickGenConfig, StickGenPlanner, exist_ok=True)
StickGenConfig.register_for_auto_class()
StickGenPlanner.register_for_auto_class("AutoModel")
AutoConfig.register(StickGenImageEncoderConfig.model_type, StickGenImageEncoderConfig, exist_ok=True)
AutoModel.register(StickGenImageEncoderConfig, StickGenImageEncoder, exist_ok=True)
StickGenImageEncoderConfig.register_for_auto_class()
StickGenImageEncoder.register_for_auto_class("AutoModel")

__all__ = ["PLANNER_PRESETS", "StickGenConfig", "StickGenImageEncoder", "StickGenImageEncoderConfig",
           "StickGenImageEncoderOutput", "StickGenPlanner", "StickGenPlannerOutput"]
