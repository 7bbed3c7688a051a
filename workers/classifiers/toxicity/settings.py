"""The toxicity model's settings, typed: built by the caller from the app's TOXICITY_* config.

The defaults and the parsing of environment strings live in service/config.py only; this
module names what each setting means to the model and refuses values it cannot use.
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from workers.classifiers.toxicity.errors import ModelLoadError
from workers.classifiers.toxicity.labels import DETOXIFY_MODELS
from workers.classifiers.toxicity.runners import FAST_PATHS

CONFIG_PREFIX = "TOXICITY_"
MODEL_CHOICES = (*DETOXIFY_MODELS, "checkpoint", "offline")
# Which comments get per-sentence scores: every comment of several sentences, in the same
# batch as the comments; only those with a label at or over its hold threshold (a second
# batched pass over their sentences: most of that work saved where most comments are benign);
# or none. The other spellings are what a boolean environment variable would say.
SPAN_MODES = {
    "all": "all", "true": "all", "1": "all", "yes": "all", "on": "all",
    "flagged": "flagged",
    "off": "off", "false": "off", "0": "off", "no": "off", "none": "off",
}  # fmt: skip


@dataclass(frozen=True)
class ToxicitySettings:
    """What to load and how to run it; each field is the config key TOXICITY_<FIELD>."""

    model: str  # a Detoxify name, "checkpoint" or "offline"
    checkpoint: str | None  # a Detoxify checkpoint file or a Hugging Face model directory
    hf_config: str | None  # a Detoxify checkpoint's config/tokenizer directory
    cache_dir: str | None  # torch.hub's download cache for named models
    fallback: bool  # run the offline model when a named model's weights cannot be had
    max_tokens: int
    batch_size: int
    fast_path: str  # one of runners.FAST_PATHS
    fast_cache_dir: str | None
    threads: int  # 0: cores / worker_processes
    worker_processes: int
    lang_detect: bool
    languages: tuple[str, ...]  # what a local model knows; empty: by architecture
    spans: str  # a SPAN_MODES value

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "ToxicitySettings":
        """Read the TOXICITY_* keys of an app config (already typed by service/config.py)."""
        values = {}
        for field in fields(cls):
            key = CONFIG_PREFIX + field.name.upper()
            if key not in config:
                raise ModelLoadError(f"{key} is missing from the configuration")
            values[field.name] = _checked(key, config[key], field.type)
        spans = str(values["spans"]).strip().lower()
        if spans not in SPAN_MODES:
            raise ModelLoadError(f"TOXICITY_SPANS={spans!r}: use all, flagged or off")
        fast_path = values["fast_path"].strip().lower()
        if fast_path not in FAST_PATHS:
            raise ModelLoadError(f"TOXICITY_FAST_PATH={fast_path!r}: use onnx, quantized or off")
        return cls(
            **{
                **values,
                "model": values["model"].strip().lower(),
                "fast_path": fast_path,
                "spans": SPAN_MODES[spans],
                "languages": tuple(
                    c.strip() for c in (values["languages"] or "").split(",") if c.strip()
                ),
            }
        )


def _checked(key: str, value: Any, annotation: Any) -> Any:
    """Return value if it has the setting's type ("" as None for optional paths), else refuse."""
    if annotation is bool:
        if not isinstance(value, bool):
            raise ModelLoadError(f"{key}={value!r} is not true or false")
        return value
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ModelLoadError(f"{key}={value!r} is not a whole number")
        return value
    if value in (None, ""):
        if annotation is str:
            raise ModelLoadError(f"{key} is empty")
        return None
    if not isinstance(value, str):
        raise ModelLoadError(f"{key}={value!r} is not text")
    return value
