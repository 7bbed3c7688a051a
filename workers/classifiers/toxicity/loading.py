"""Load the configured model once per worker process: choose it, fetch it, check its fast path."""

import logging
import os
import time
from importlib import metadata
from pathlib import Path

import numpy as np

from workers.classifiers import language as lang
from workers.classifiers.toxicity import runners
from workers.classifiers.toxicity.checkpoints import file_sha256, load_detoxify
from workers.classifiers.toxicity.errors import ModelLoadError, WeightsUnavailable
from workers.classifiers.toxicity.labels import DETOXIFY_MODELS
from workers.classifiers.toxicity.model import PROBE_TEXTS, ToxicityModel
from workers.classifiers.toxicity.network import (
    DOWNLOAD_TIMEOUT_S,
    hub_offline,
    network_reachable,
    socket_timeout,
)
from workers.classifiers.toxicity.offline import OfflineModel
from workers.classifiers.toxicity.pretrained import is_pretrained_dir, load_pretrained
from workers.classifiers.toxicity.settings import MODEL_CHOICES, ToxicitySettings
from workers.classifiers.toxicity.transformer import TransformerModel

log = logging.getLogger(__name__)

# The fast path must agree with the model's own fp32 run to this much on every label, or it
# is refused.
FAST_PATH_TOLERANCE = 0.02


def load_toxicity_model(settings: ToxicitySettings) -> ToxicityModel:
    """Load the configured model (falling back to the offline one if allowed) and warm it up."""
    started = time.monotonic()
    model = _load(settings)
    model.warm_up()
    level = logging.WARNING if model.offline_fallback else logging.INFO
    log.log(
        level,
        "toxicity.model_loaded",
        extra={
            "model": model.name,
            "version": model.version,
            "fast_path": model.fast_path,
            "spans": model.spans,
            "offline_fallback": model.offline_fallback,
            "fallback_for": model.fallback_for,
            "load_s": round(time.monotonic() - started, 2),
        },
    )
    return model


def _load(settings: ToxicitySettings) -> ToxicityModel:
    options = {"lang_detect": settings.lang_detect, "spans": settings.spans}
    choice = settings.model
    if settings.checkpoint:
        if Path(settings.checkpoint).is_dir():
            return _load_pretrained(settings, options)
        return _load_checkpoint(settings, options)
    if choice == "checkpoint":
        raise ModelLoadError(
            "TOXICITY_MODEL=checkpoint needs TOXICITY_CHECKPOINT: a Hugging Face model "
            "directory, or a Detoxify checkpoint file with TOXICITY_HF_CONFIG (its "
            "config/tokenizer directory)"
        )
    if choice == "offline":
        return OfflineModel(**options)
    if choice not in DETOXIFY_MODELS:
        raise ModelLoadError(f"TOXICITY_MODEL={choice!r}: choose one of {', '.join(MODEL_CHOICES)}")
    try:
        return _load_named(choice, settings, options)
    except WeightsUnavailable as exc:
        if not settings.fallback:
            raise ModelLoadError(
                f"{exc}; TOXICITY_FALLBACK is off, so the worker will not start "
                "(set TOXICITY_CHECKPOINT, or run `modctl models pull`)"
            ) from exc
        model = OfflineModel(fallback_for=f"detoxify-{choice}", **options)
        log.warning(
            "toxicity.model_fallback: Detoxify '%s' is unavailable (%s). RUNNING THE OFFLINE "
            "MODEL %s (%s): toxicity label only, English only.",
            choice,
            exc,
            model.name,
            model.version,
            extra={
                "requested": f"detoxify-{choice}",
                "model": model.name,
                "version": model.version,
                "reason": str(exc),
            },
        )
        return model


def _load_pretrained(settings: ToxicitySettings, options: dict) -> TransformerModel:
    """Load a Hugging Face model directory; any failure is a ModelLoadError (it was asked for)."""
    directory = Path(settings.checkpoint)
    if not is_pretrained_dir(directory):
        raise ModelLoadError(
            f"TOXICITY_CHECKPOINT {directory} is a directory without config.json: give a "
            "Hugging Face sequence-classification directory (config.json, tokenizer, weights)"
        )
    try:
        with hub_offline():
            pretrained = load_pretrained(directory)
    except ModelLoadError:
        raise
    except Exception as exc:
        detail = " ".join(str(exc).split())[:300]
        raise ModelLoadError(
            f"cannot load the toxicity model directory {directory}: {type(exc).__name__}: "
            f"{detail}. Check its files, or prepare it again with `modctl models pull`."
        ) from exc
    return _transformer_model(
        pretrained.model,
        pretrained.tokenizer,
        pretrained.labels,
        pretrained.weights,
        f"hf-{directory.name}",
        f"transformers {metadata.version('transformers')}",
        settings,
        options,
    )


def _load_checkpoint(settings: ToxicitySettings, options: dict) -> TransformerModel:
    """Load a local checkpoint; any failure is a ModelLoadError (no fallback: it was asked for)."""
    checkpoint = Path(settings.checkpoint)
    hf_config = settings.hf_config
    if not checkpoint.is_file():
        raise ModelLoadError(f"TOXICITY_CHECKPOINT {checkpoint} is not a file or a directory")
    if not hf_config or not (Path(hf_config) / "config.json").is_file():
        raise ModelLoadError(
            f"TOXICITY_HF_CONFIG={hf_config or '(unset)'} must be a directory with config.json "
            f"and the tokenizer files for {checkpoint} (`modctl models pull` writes one)"
        )
    try:
        # Detoxify also resolves the checkpoint's own model_type with from_pretrained; in hub
        # offline mode that is cache-only and fails at once instead of retrying for ~25 s.
        with hub_offline():
            detoxify = load_detoxify(checkpoint, str(hf_config))
    except Exception as exc:
        detail = " ".join(str(exc).split())[:300]
        raise ModelLoadError(
            f"cannot load the toxicity checkpoint {checkpoint} with TOXICITY_HF_CONFIG={hf_config}:"
            f" {type(exc).__name__}: {detail}. Check the file, or prepare it again with "
            "`modctl models pull`; the worker will not start without it."
        ) from exc
    return _detoxify_model(detoxify, checkpoint, "detoxify-checkpoint", settings, options)


def _load_named(name: str, settings: ToxicitySettings, options: dict) -> TransformerModel:
    """Load a named Detoxify model from the caches, or download it if the network allows."""
    import torch
    from detoxify.detoxify import MODEL_URLS

    if settings.cache_dir:
        torch.hub.set_dir(settings.cache_dir)
    cached = Path(torch.hub.get_dir()) / "checkpoints" / MODEL_URLS[name].rsplit("/", 1)[1]
    detoxify = None
    if cached.is_file():
        # The weights are cached; the config and tokenizer come from the Hugging Face cache.
        try:
            with hub_offline():
                detoxify = load_detoxify(cached)
        except Exception as exc:
            log.info("toxicity.cache_incomplete", extra={"model": name, "error": str(exc)[:200]})
    if detoxify is None:
        if not network_reachable():
            missing = (
                "its Hugging Face config/tokenizer are not in the Hugging Face cache"
                if cached.is_file()
                else f"its weights are not in {cached.parent}"
            )
            raise WeightsUnavailable(
                f"Detoxify '{name}' cannot load offline ({missing}) and the network is unreachable"
            )
        try:
            with socket_timeout(DOWNLOAD_TIMEOUT_S):
                if not cached.is_file():
                    cached.parent.mkdir(parents=True, exist_ok=True)
                    # To a temporary file first, then renamed: never half a checkpoint cached.
                    torch.hub.download_url_to_file(MODEL_URLS[name], str(cached), progress=False)
                detoxify = load_detoxify(cached)
        except Exception as exc:
            raise WeightsUnavailable(
                f"downloading Detoxify '{name}' failed: {type(exc).__name__}: {exc}"
            ) from exc
    return _detoxify_model(
        detoxify, cached, f"detoxify-{name}", settings, options, DETOXIFY_MODELS[name]
    )


def _detoxify_model(
    detoxify,
    checkpoint: Path,
    name: str,
    settings: ToxicitySettings,
    options: dict,
    languages: frozenset[str] | None = None,
) -> TransformerModel:
    return _transformer_model(
        detoxify.model,
        detoxify.tokenizer,
        tuple(detoxify.class_names),
        checkpoint,
        name,
        metadata.version("detoxify"),
        settings,
        options,
        languages,
    )


def _transformer_model(
    torch_model,
    tokenizer,
    labels: tuple[str, ...],
    weights: Path,
    name: str,
    software: str,
    settings: ToxicitySettings,
    options: dict,
    languages: frozenset[str] | None = None,
) -> TransformerModel:
    """Wrap a loaded classifier in the configured runner, checked against its own fp32 run."""
    threads = _threads(settings)
    digest = file_sha256(weights)
    torch_model.eval()
    reference = runners.TorchRunner(torch_model, "torch-fp32")
    model = TransformerModel(
        tokenizer,
        labels,
        reference,
        name=name,
        version=f"{software}/{digest[:12]}",
        languages=languages or _languages(torch_model, settings),
        max_tokens=settings.max_tokens,
        batch_size=settings.batch_size,
        **options,
    )
    if settings.fast_path == "off":
        return model
    try:
        if settings.fast_path == "onnx":
            fast = runners.onnx_runner(
                torch_model, model.sample_batch(), digest, _fast_cache_dir(settings), threads
            )
        else:
            fast = runners.quantized_torch_runner(torch_model)
    except Exception as exc:
        log.warning(
            "toxicity.fast_path_unavailable",
            extra={
                "fast_path": settings.fast_path,
                "error": f"{type(exc).__name__}: {str(exc)[:200]}",
            },
        )
        return model
    texts = list(PROBE_TEXTS)
    difference = float(np.abs(model._predict(texts, fast) - model._predict(texts)).max())
    if difference > FAST_PATH_TOLERANCE:
        log.warning(
            "toxicity.fast_path_rejected",
            extra={
                "fast_path": fast.kind,
                "max_abs_diff": round(difference, 4),
                "tolerance": FAST_PATH_TOLERANCE,
            },
        )
        return model
    log.info(
        "toxicity.fast_path_ready",
        extra={"fast_path": fast.kind, "max_abs_diff": round(difference, 5)},
    )
    model.runner, model.fast_path = fast, fast.kind
    return model  # the fp32 torch model is freed with `reference` unless `fast` needs it


def _languages(torch_model, settings: ToxicitySettings) -> frozenset[str]:
    """Languages a local model supports: configured, else by architecture (XLM-R: multilingual)."""
    if settings.languages:
        return frozenset(settings.languages)
    if "xlm" in torch_model.config.model_type:
        return lang.MULTILINGUAL
    return lang.ENGLISH


def _threads(settings: ToxicitySettings) -> int:
    """Set and return intra-op threads: configured, else this machine's cores per process."""
    import torch

    threads = settings.threads
    if threads <= 0:
        cores = len(os.sched_getaffinity(0))
        threads = max(1, cores // max(1, settings.worker_processes))
    torch.set_num_threads(threads)
    return threads


def _fast_cache_dir(settings: ToxicitySettings) -> Path:
    if settings.fast_cache_dir:
        return Path(settings.fast_cache_dir)
    if settings.cache_dir:
        return Path(settings.cache_dir) / "fast"
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_home) / "comment-moderation" / "toxicity-fast"
