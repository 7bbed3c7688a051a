"""Toxicity scores for comments: Detoxify (offline-capable, fast on CPU) or the offline model.

Load once per worker process, after the fork: `load_toxicity_model(config)` then
`set_active_model(model)`. torch, transformers and Detoxify are imported only when a
Detoxify model loads, so the web tier can import this module for its types and `explain`.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from workers.classifiers import language as lang
from workers.classifiers import toxicity_fast
from workers.classifiers.sentences import split_sentences

log = logging.getLogger(__name__)

LABELS_ORIGINAL = (
    "toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack",
)  # fmt: skip
# unbiased and multilingual add "sexual_explicit"; a checkpoint names its own labels.

# Detoxify's named models and the languages each was trained on.
DETOXIFY_MODELS = {
    "original": lang.ENGLISH,
    "unbiased": lang.ENGLISH,
    "multilingual": lang.MULTILINGUAL,
    "original-small": lang.ENGLISH,
    "unbiased-small": lang.ENGLISH,
}
MODEL_CHOICES = (*DETOXIFY_MODELS, "checkpoint", "offline")
PRIMARY_LANGUAGE = "en"

DEFAULTS: dict[str, Any] = {
    "TOXICITY_MODEL": "original",
    "TOXICITY_CHECKPOINT": None,
    "TOXICITY_HF_CONFIG": None,
    "TOXICITY_CACHE_DIR": None,
    "TOXICITY_FALLBACK": True,
    "TOXICITY_MAX_TOKENS": 256,
    "TOXICITY_BATCH_SIZE": 16,
    "TOXICITY_FAST_PATH": "onnx",
    "TOXICITY_FAST_CACHE_DIR": None,
    "TOXICITY_THREADS": 0,  # 0: cores / TOXICITY_WORKER_PROCESSES
    "TOXICITY_WORKER_PROCESSES": 1,
    "TOXICITY_LANG_DETECT": True,
    "TOXICITY_LANGUAGES": None,  # e.g. "en,fr": overrides what a checkpoint is assumed to know
    "TOXICITY_SPANS": "all",  # all | flagged | off (see SPAN_MODES)
}
# Which comments get per-sentence scores: every comment of several sentences, in the same
# batch as the comments; only those with a label at or over its threshold (a second batched
# pass over their sentences: about half the model's work saved where most comments are
# benign); or none.
SPAN_MODES = {
    "all": "all", "true": "all", "1": "all", "yes": "all", "on": "all",
    "flagged": "flagged",
    "off": "off", "false": "off", "0": "off", "no": "off", "none": "off",
}  # fmt: skip

# Sentences scored per comment: past this, a wall of text would crowd out other comments.
MAX_SPANS = 50
# Padded tokens per batch, besides TOXICITY_BATCH_SIZE: a batch of long comments much past
# this spills its activations out of the CPU caches and runs slower per comment (measured
# on this 2-core machine, BERT-base int8 on mixed news comments: 256 tokens a batch scored
# ~22 comments/s on one core and ~40 on two, 1024 tokens ~18 and ~36, 4096 ~13).
MAX_BATCH_TOKENS = 256
# The fast path must agree with plain Detoxify to this much on every label, or it is refused.
FAST_PATH_TOLERANCE = 0.02
# Probe texts: different lengths, so the check also covers padding inside a batch.
PROBE_TEXTS = (
    "Thanks for the article, I agree with the last point.",
    "You are an idiot and nobody wants to read this.",
    "ok",
    "The council voted today. Some people are happy about it, others are not, and the"
    " comments below show it. I hate how this debate turns into insults every time!",
)
# Where Detoxify's weights (GitHub) and configs (Hugging Face) come from.
NETWORK_PROBE = (("github.com", 443), ("huggingface.co", 443))
NETWORK_PROBE_TIMEOUT_S = 3.0
DOWNLOAD_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class SpanScore:
    """Scores of one sentence; begin/end are character offsets into the comment."""

    begin: int
    end: int
    scores: dict[str, float]


@dataclass
class ToxicityResult:
    """Scores for one comment, its sentences' scores, and its detected language."""

    scores: dict[str, float]
    spans: list[SpanScore]
    language: str
    language_supported: bool


class ModelLoadError(RuntimeError):
    """The configured toxicity model cannot be loaded; the worker must not start."""


class WeightsUnavailable(Exception):
    """A named Detoxify model's weights are neither cached nor downloadable."""


class ToxicityModel:
    """A loaded model: scores comments and their sentences in one pass, skips foreign ones."""

    name: str
    version: str
    labels: tuple[str, ...]
    languages: frozenset[str]
    offline_fallback: bool = False
    fallback_for: str | None = None  # the model that was asked for, when this one stands in
    fast_path: str = "off"  # what actually runs: onnx-int8, torch-int8, torch-fp32, sklearn

    def __init__(self, *, lang_detect: bool = True, spans: str = "all"):
        self.lang_detect = lang_detect
        self.spans = spans  # a SPAN_MODES value

    def score(
        self, texts: Sequence[str], thresholds: Sequence[Mapping[str, float]] | None = None
    ) -> list[ToxicityResult]:
        """Score texts (same order back), with their sentences' scores.

        Sentences go in the same batch as the comments, except with spans="flagged" and
        thresholds given (label -> threshold, per text): then only texts with a label at or
        over its threshold get sentence scores, all of theirs in one more batched pass.
        """
        rows: dict[str, int] = {}  # distinct text -> row of the model's output

        def row(text: str) -> int:
            return rows.setdefault(text, len(rows))

        plans = []  # per text: language, its row (None: not scored), its sentences' offsets
        for text in texts:
            language, supported = self._language(text)
            if not supported:  # held for a human as LANG_UNSUPPORTED: a score means nothing
                plans.append((language, None, []))
                continue
            sentences = split_sentences(text)[:MAX_SPANS] if self.spans != "off" else []
            plans.append((language, row(text), sentences if len(sentences) >= 2 else []))

        probabilities = None
        if self.spans == "flagged" and thresholds is not None and rows:
            # Whole comments first: only those over a threshold need their sentences.
            probabilities = self._predict(list(rows))
            for i, (plan, limits) in enumerate(zip(plans, thresholds, strict=True)):
                language, comment_row, sentences = plan
                if sentences and not self._reaches(probabilities[comment_row], limits):
                    plans[i] = (language, comment_row, [])
        scored = 0 if probabilities is None else len(probabilities)
        for text, (_, _, sentences) in zip(texts, plans, strict=True):
            for begin, end in sentences:
                row(text[begin:end])
        if len(rows) > scored:
            fresh = self._predict(list(rows)[scored:])
            if probabilities is not None:  # the comments' rows come first
                fresh = np.concatenate([probabilities, fresh])
            probabilities = fresh

        results = []
        for text, (language, comment_row, sentences) in zip(texts, plans, strict=True):
            if comment_row is None:
                results.append(ToxicityResult({}, [], language, False))
                continue
            spans = [
                SpanScore(b, e, self._scores(probabilities[rows[text[b:e]]])) for b, e in sentences
            ]
            scores = self._scores(probabilities[comment_row])
            results.append(ToxicityResult(scores, spans, language, True))
        return results

    def _reaches(self, probabilities: np.ndarray, thresholds: Mapping[str, float]) -> bool:
        """Whether any label's score is at or over its threshold."""
        return any(
            p >= thresholds[label]
            for label, p in zip(self.labels, probabilities, strict=True)
            if label in thresholds
        )

    def warm_up(self) -> None:
        """Run once so the first real batch does not pay for lazy initialisation."""
        lang.warm_up()
        self.score(PROBE_TEXTS)

    def _language(self, text: str) -> tuple[str, bool]:
        if not self.lang_detect:
            return PRIMARY_LANGUAGE, True
        return lang.detect_language(text, self.languages, PRIMARY_LANGUAGE)

    def _scores(self, probabilities: np.ndarray) -> dict[str, float]:
        return {label: float(p) for label, p in zip(self.labels, probabilities, strict=True)}

    def _predict(self, texts: list[str]) -> np.ndarray:
        """Return probabilities, shape (len(texts), len(labels))."""
        raise NotImplementedError


class DetoxifyModel(ToxicityModel):
    """A Detoxify checkpoint, run through a fast runner in length-sorted batches."""

    def __init__(
        self,
        detoxify,
        runner,
        *,
        name: str,
        version: str,
        languages: frozenset[str],
        max_tokens: int,
        batch_size: int,
        **options,
    ):
        super().__init__(**options)
        self.tokenizer = detoxify.tokenizer
        self.labels = tuple(detoxify.class_names)
        self.runner = runner
        self.fast_path = runner.kind
        self.name, self.version, self.languages = name, version, languages
        self.max_tokens, self.batch_size = max_tokens, batch_size

    def _predict(self, texts: list[str], runner=None) -> np.ndarray:
        runner = runner or self.runner
        encoded = self.tokenizer(texts, truncation=True, max_length=self.max_tokens)
        lengths = [len(ids) for ids in encoded["input_ids"]]
        # Length bucketing: neighbours in length share a batch, so little is padding.
        order = sorted(range(len(texts)), key=lengths.__getitem__)
        batches, start = [], 0
        while start < len(order):
            end = start + 1  # grow the batch while it fits both limits
            while (
                end < len(order)
                and end - start < self.batch_size
                and (end - start + 1) * lengths[order[end]] <= MAX_BATCH_TOKENS
            ):
                end += 1
            batches.append(order[start:end])
            start = end
        out = np.empty((len(texts), len(self.labels)), dtype=np.float32)

        def score(batch_rows: list[int]) -> None:
            logits = runner(self._pad(encoded, batch_rows))
            # Some checkpoints (unbiased) have more outputs than named labels: Detoxify
            # reports the first len(labels), and applies a sigmoid to the logits.
            out[batch_rows] = _sigmoid(logits[:, : len(self.labels)])

        runner.map(score, batches)  # each batch writes its own rows of out
        return out

    def _pad(self, encoded, rows: list[int]) -> dict[str, np.ndarray]:
        """Right-pad the given rows of the tokenizer output into int64 arrays."""
        width = max(len(encoded["input_ids"][r]) for r in rows)
        batch = {}
        for key in self.tokenizer.model_input_names:
            if key not in encoded:
                continue
            fill = self.tokenizer.pad_token_id if key == "input_ids" else 0
            array = np.full((len(rows), width), fill, dtype=np.int64)
            for i, r in enumerate(rows):
                values = encoded[key][r]
                array[i, : len(values)] = values
            batch[key] = array
        return batch

    def sample_batch(self) -> dict[str, np.ndarray]:
        """A small padded batch with the model's input names, to trace an export with."""
        encoded = self.tokenizer(list(PROBE_TEXTS[:2]), truncation=True, max_length=self.max_tokens)
        return self._pad(encoded, [0, 1])


class OfflineModel(ToxicityModel):
    """alt-profanity-check's linear model: a real toxicity probability, English only."""

    name = "offline-profanity-check"
    labels = ("toxicity",)
    languages = lang.ENGLISH
    offline_fallback = True
    fast_path = "sklearn"

    def __init__(self, fallback_for: str | None = None, **options):
        super().__init__(**options)
        import profanity_check  # loads its vectorizer and model from the package

        self._predict_prob = profanity_check.predict_prob
        self.version = f"alt-profanity-check {metadata.version('alt-profanity-check')}"
        self.fallback_for = fallback_for

    def _predict(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._predict_prob(texts), dtype=np.float32).reshape(-1, 1)


_active: ToxicityModel | None = None


def get_active_model() -> ToxicityModel | None:
    """Return this process's loaded model, if any."""
    return _active


def set_active_model(model: ToxicityModel | None) -> None:
    """Make model this process's model."""
    global _active
    _active = model


def load_toxicity_model(config: Mapping[str, Any] | None = None) -> ToxicityModel:
    """Load the configured model (falling back to the offline one if allowed) and warm it up."""
    settings = _settings(config or {})
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


def _load(settings: dict[str, Any]) -> ToxicityModel:
    options = {"lang_detect": settings["TOXICITY_LANG_DETECT"], "spans": settings["TOXICITY_SPANS"]}
    choice = settings["TOXICITY_MODEL"]
    if settings["TOXICITY_FAST_PATH"] not in toxicity_fast.FAST_PATHS:
        raise ModelLoadError(
            f"TOXICITY_FAST_PATH={settings['TOXICITY_FAST_PATH']!r}: use onnx, quantized or off"
        )
    if settings["TOXICITY_CHECKPOINT"]:
        return _load_checkpoint(settings, options)
    if choice == "checkpoint":
        raise ModelLoadError(
            "TOXICITY_MODEL=checkpoint needs TOXICITY_CHECKPOINT (a file) and "
            "TOXICITY_HF_CONFIG (its config/tokenizer directory)"
        )
    if choice == "offline":
        return OfflineModel(**options)
    if choice not in DETOXIFY_MODELS:
        raise ModelLoadError(f"TOXICITY_MODEL={choice!r}: choose one of {', '.join(MODEL_CHOICES)}")
    try:
        return _load_named(choice, settings, options)
    except WeightsUnavailable as exc:
        if not settings["TOXICITY_FALLBACK"]:
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


# Detoxify's label names, as its own loader renames the checkpoints' Jigsaw class names.
DETOXIFY_RENAMES = {
    "toxic": "toxicity",
    "identity_hate": "identity_attack",
    "severe_toxic": "severe_toxicity",
}


def load_detoxify(checkpoint: Path | str, hf_config: str | None = None, device: str = "cpu"):
    """Build a Detoxify model from a checkpoint read with torch.load(weights_only=True).

    Detoxify's own loader unpickles with weights_only=False, which runs whatever code a
    crafted checkpoint carries. Its checkpoints hold tensors and a config of plain types,
    which the restricted unpickler reads, so we load them ourselves and hand Detoxify the parts.
    """
    import torch
    from detoxify import Detoxify
    from detoxify.detoxify import get_model_and_tokenizer

    loaded = torch.load(checkpoint, map_location=device, weights_only=True)
    if not isinstance(loaded, dict) or "config" not in loaded or "state_dict" not in loaded:
        raise ValueError(f"{checkpoint} is not a Detoxify checkpoint (no state_dict and config)")
    model, tokenizer = get_model_and_tokenizer(
        **loaded["config"]["arch"]["args"],
        state_dict=loaded["state_dict"],
        huggingface_config_path=hf_config,
    )
    classes = loaded["config"]["dataset"]["args"]["classes"]
    detoxify = Detoxify.__new__(Detoxify)  # its __init__ would read the file again, unrestricted
    detoxify.model, detoxify.tokenizer, detoxify.device = model, tokenizer, device
    detoxify.class_names = [DETOXIFY_RENAMES.get(name, name) for name in classes]
    detoxify.model.to(device)
    return detoxify


def _load_checkpoint(settings: dict[str, Any], options: dict[str, Any]) -> DetoxifyModel:
    """Load a local checkpoint; any failure is a ModelLoadError (no fallback: it was asked for)."""
    checkpoint = Path(settings["TOXICITY_CHECKPOINT"])
    hf_config = settings["TOXICITY_HF_CONFIG"]
    if not checkpoint.is_file():
        raise ModelLoadError(f"TOXICITY_CHECKPOINT {checkpoint} is not a file")
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
    languages = _checkpoint_languages(detoxify, settings)
    return _detoxify_model(
        detoxify, checkpoint, "detoxify-checkpoint", languages, settings, options
    )


def _load_named(name: str, settings: dict[str, Any], options: dict[str, Any]) -> DetoxifyModel:
    """Load a named Detoxify model from the caches, or download it if the network allows."""
    import torch
    from detoxify.detoxify import MODEL_URLS

    if settings["TOXICITY_CACHE_DIR"]:
        torch.hub.set_dir(settings["TOXICITY_CACHE_DIR"])
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
        detoxify, cached, f"detoxify-{name}", DETOXIFY_MODELS[name], settings, options
    )


def _detoxify_model(
    detoxify,
    checkpoint: Path,
    name: str,
    languages: frozenset[str],
    settings: dict[str, Any],
    options: dict[str, Any],
) -> DetoxifyModel:
    """Wrap a loaded Detoxify in the configured runner, checked against the reference."""
    threads = _threads(settings)
    digest = file_sha256(checkpoint)
    version = f"{metadata.version('detoxify')}/{digest[:12]}"
    detoxify.model.eval()
    reference = toxicity_fast.TorchRunner(detoxify.model, "torch-fp32")
    model = DetoxifyModel(
        detoxify,
        reference,
        name=name,
        version=version,
        languages=languages,
        max_tokens=settings["TOXICITY_MAX_TOKENS"],
        batch_size=settings["TOXICITY_BATCH_SIZE"],
        **options,
    )
    fast_path = settings["TOXICITY_FAST_PATH"]
    if fast_path == "off":
        return model
    try:
        if fast_path == "onnx":
            fast = toxicity_fast.onnx_runner(
                detoxify.model, model.sample_batch(), digest, _fast_cache_dir(settings), threads
            )
        else:
            fast = toxicity_fast.quantized_torch_runner(detoxify.model)
    except Exception as exc:
        log.warning(
            "toxicity.fast_path_unavailable",
            extra={"fast_path": fast_path, "error": f"{type(exc).__name__}: {str(exc)[:200]}"},
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


def _checkpoint_languages(detoxify, settings: dict[str, Any]) -> frozenset[str]:
    """Languages a checkpoint supports: configured, else by architecture (XLM-R: multilingual)."""
    if settings["TOXICITY_LANGUAGES"]:
        return frozenset(c.strip() for c in str(settings["TOXICITY_LANGUAGES"]).split(",") if c)
    if "xlm" in detoxify.model.config.model_type:
        return lang.MULTILINGUAL
    return lang.ENGLISH


def _threads(settings: dict[str, Any]) -> int:
    """Set and return intra-op threads: configured, else this machine's cores per process."""
    import torch

    threads = settings["TOXICITY_THREADS"]
    if threads <= 0:
        cores = len(os.sched_getaffinity(0))
        threads = max(1, cores // max(1, settings["TOXICITY_WORKER_PROCESSES"]))
    torch.set_num_threads(threads)
    return threads


def _fast_cache_dir(settings: dict[str, Any]) -> Path:
    if settings["TOXICITY_FAST_CACHE_DIR"]:
        return Path(settings["TOXICITY_FAST_CACHE_DIR"])
    if settings["TOXICITY_CACHE_DIR"]:
        return Path(settings["TOXICITY_CACHE_DIR"]) / "fast"
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_home) / "comment-moderation" / "toxicity-fast"


def _settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """Merge config over DEFAULTS, accepting strings as environment variables give them."""
    settings = dict(DEFAULTS)
    settings.update({k: v for k, v in config.items() if k in DEFAULTS and v not in (None, "")})
    for key, default in DEFAULTS.items():
        value = settings[key]
        if isinstance(default, bool) and isinstance(value, str):
            settings[key] = value.strip().lower() in {"1", "true", "yes", "on"}
        elif isinstance(default, int) and not isinstance(default, bool):
            try:
                settings[key] = int(value)
            except (TypeError, ValueError):
                raise ModelLoadError(f"{key}={value!r} is not a whole number") from None
    spans = str(settings["TOXICITY_SPANS"]).strip().lower()  # True and False too
    if spans not in SPAN_MODES:
        raise ModelLoadError(f"TOXICITY_SPANS={spans!r}: use all, flagged or off")
    settings["TOXICITY_SPANS"] = SPAN_MODES[spans]
    settings["TOXICITY_MODEL"] = str(settings["TOXICITY_MODEL"]).strip().lower()
    settings["TOXICITY_FAST_PATH"] = str(settings["TOXICITY_FAST_PATH"]).strip().lower()
    return settings


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # The tanh form cannot overflow, unlike 1 / (1 + exp(-x)) for large negative logits.
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def file_sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def hub_offline():
    """Make Hugging Face lookups cache-only for the duration (as HF_HUB_OFFLINE=1 would)."""
    # HF_HUB_OFFLINE is read from the environment at import; is_offline_mode() reads
    # this constant on every call, so setting it here takes effect.
    from huggingface_hub import constants

    previous = constants.HF_HUB_OFFLINE
    constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = previous


@contextlib.contextmanager
def socket_timeout(seconds: float):
    """Bound every blocking socket call (torch.hub's download sets no timeout of its own)."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def network_reachable(timeout: float = NETWORK_PROBE_TIMEOUT_S) -> bool:
    """Tell quickly whether Detoxify's download hosts (or the HTTPS proxy) answer."""
    proxy = urllib.request.getproxies().get("https")
    targets = NETWORK_PROBE
    if proxy:
        parsed = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        targets = ((parsed.hostname, parsed.port or 80),)
    reachable: list[bool] = []

    def probe() -> None:
        try:
            for host, port in targets:
                socket.create_connection((host, port), timeout=timeout).close()
        except OSError:
            reachable.append(False)
        else:
            reachable.append(True)

    # A thread, because name resolution ignores the socket timeout and can hang.
    thread = threading.Thread(target=probe, name="toxicity-network-probe", daemon=True)
    thread.start()
    thread.join(timeout * len(targets) + 1.0)
    return reachable == [True]
