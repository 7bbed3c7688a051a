"""Prepare a toxicity model directory for air-gapped use (`modctl models pull`).

For a Detoxify model the directory holds the checkpoint and its Hugging Face config/tokenizer
files (TOXICITY_CHECKPOINT and TOXICITY_HF_CONFIG); for a Hugging Face sequence-classification
directory, a checked copy of it in safetensors (TOXICITY_CHECKPOINT alone). Either loads with
no network.
"""

import contextlib
import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from workers.classifiers.toxicity.checkpoints import file_sha256, load_detoxify
from workers.classifiers.toxicity.errors import ModelLoadError
from workers.classifiers.toxicity.network import (
    DOWNLOAD_TIMEOUT_S,
    hub_offline,
    network_reachable,
    socket_timeout,
)
from workers.classifiers.toxicity.pretrained import is_pretrained_dir, load_pretrained

log = logging.getLogger(__name__)


class PullError(RuntimeError):
    """The model cannot be prepared; the message says why and what to pass instead."""


def pull_model(
    name_or_path: str,
    dest_dir,
    source: str | None = None,
    hf_config: str | None = None,
    sha256: str | None = None,
) -> dict[str, str]:
    """Write a checkpoint plus its HF config/tokenizer dir into dest_dir; return the env settings.

    name_or_path is a Detoxify model name (original, unbiased, ...), a checkpoint file, or a
    Hugging Face model directory (see pull_pretrained).
    source, if given, is where the checkpoint comes from: a local file or an https:// URL.
    sha256, if given, is the checkpoint's expected SHA-256: any other file is refused.
    hf_config, if given, is a directory with the config and tokenizer files; otherwise
    they come from the checkpoint's own model_type (a local directory, the Hugging Face
    cache, or the hub when the network allows).
    """
    import torch
    from detoxify.detoxify import MODEL_URLS

    dest = Path(dest_dir).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    if Path(name_or_path).is_dir():
        if source or hf_config:
            raise PullError(
                f"{name_or_path} is a model directory: it has its own config and "
                "tokenizer, so --source and --hf-config do not apply"
            )
        return pull_pretrained(Path(name_or_path), dest, sha256)
    if Path(name_or_path).is_file():
        stem, origin = Path(name_or_path).stem, source or name_or_path
    elif name_or_path in MODEL_URLS:
        stem, origin = f"detoxify-{name_or_path}", source or _cached_or_url(name_or_path)
    else:
        raise PullError(
            f"{name_or_path!r} is neither a checkpoint file nor one of {', '.join(MODEL_URLS)}"
        )

    expected = _expected_sha256(sha256)
    local = _fetch(origin, dest)
    try:
        if expected and (actual := file_sha256(local)) != expected:
            raise PullError(
                f"{origin} has SHA-256 {actual}, not the expected {expected}: "
                "refusing it (a different or tampered file)"
            )
        # weights_only: tensors and plain values only, so a crafted pickle cannot run code.
        loaded = torch.load(local, map_location="cpu", weights_only=True)
    except PullError:
        raise
    except Exception as exc:
        raise PullError(
            f"{origin} is not a readable checkpoint of tensors and plain values (it may hold "
            f"pickled code, which is refused): {type(exc).__name__}: {exc}"
        ) from exc
    finally:
        if local.parent == dest and local.name.startswith(".download-"):
            local.unlink(missing_ok=True)
    if not isinstance(loaded, dict) or "state_dict" not in loaded or "config" not in loaded:
        raise PullError(f"{origin} is not a Detoxify checkpoint (no state_dict and config)")
    args = loaded["config"]["arch"]["args"]

    hf_dir = dest / "hf"
    _write_hf_config(args, hf_config or args["model_type"], hf_dir)
    # Detoxify resolves model_type with from_pretrained before it reads TOXICITY_HF_CONFIG:
    # pointing it at the bundled directory keeps loading offline. Pull again (from this
    # file, no network needed) if the directory moves.
    upstream_model_type = args["model_type"]
    args["model_type"] = str(hf_dir)
    checkpoint = dest / f"{stem}.ckpt"
    partial = dest / f".{stem}.ckpt.partial"
    torch.save(loaded, partial)
    os.replace(partial, checkpoint)

    try:
        with hub_offline():  # prove it loads the way an air-gapped worker will load it
            detoxify = load_detoxify(checkpoint, str(hf_dir))
    except Exception as exc:
        raise PullError(
            f"the prepared checkpoint {checkpoint} does not load offline: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    manifest = {
        "source": str(origin),
        "upstream_model_type": upstream_model_type,
        "labels": list(detoxify.class_names),
        "sha256": file_sha256(checkpoint),
        "pulled_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    log.info("toxicity.model_pulled", extra={"checkpoint": str(checkpoint), **manifest})
    return {"TOXICITY_CHECKPOINT": str(checkpoint), "TOXICITY_HF_CONFIG": str(hf_dir)}


def pull_pretrained(directory: Path, dest: Path, sha256: str | None = None) -> dict[str, str]:
    """Copy a Hugging Face sequence-classification directory into dest, checked and offline.

    The copy is re-saved by transformers (safetensors weights, the tokenizer's own files), so
    nothing but what the loader reads is carried over; unknown labels refuse it here already.
    """
    directory = directory.resolve()
    target = dest / directory.name
    if target == directory:
        raise PullError(f"{directory} is already in {dest}: pass another --dest")
    if not is_pretrained_dir(directory):
        raise PullError(f"{directory} has no config.json: not a Hugging Face model directory")
    try:
        with hub_offline():
            pretrained = load_pretrained(directory)
    except ModelLoadError as exc:
        raise PullError(str(exc)) from exc
    except Exception as exc:
        raise PullError(
            f"{directory} does not load as a sequence-classification model: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    expected = _expected_sha256(sha256)
    if expected and (actual := file_sha256(pretrained.weights)) != expected:
        raise PullError(
            f"{pretrained.weights} has SHA-256 {actual}, not the expected "
            f"{expected}: refusing it (a different or tampered file)"
        )
    # Write beside, then swap in, so a failed pull never leaves half a directory.
    staging = Path(tempfile.mkdtemp(dir=dest, prefix=".hf-"))
    pretrained.model.save_pretrained(staging)
    pretrained.tokenizer.save_pretrained(staging)
    if target.exists():
        shutil.rmtree(target)
    os.replace(staging, target)
    try:
        with hub_offline():  # prove it loads the way an air-gapped worker will load it
            pulled = load_pretrained(target)
    except Exception as exc:
        raise PullError(
            f"the prepared directory {target} does not load offline: {type(exc).__name__}: {exc}"
        ) from exc
    manifest = {
        "source": str(directory),
        "labels": list(pulled.labels),
        "sha256": file_sha256(pulled.weights),
        "pulled_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    log.info("toxicity.model_pulled", extra={"directory": str(target), **manifest})
    return {"TOXICITY_CHECKPOINT": str(target)}


def _cached_or_url(name: str) -> str:
    """Return torch.hub's cached copy of a named model if present, else its download URL."""
    import torch
    from detoxify.detoxify import MODEL_URLS

    cached = Path(torch.hub.get_dir()) / "checkpoints" / MODEL_URLS[name].rsplit("/", 1)[1]
    return str(cached) if cached.is_file() else MODEL_URLS[name]


def _expected_sha256(value: str | None) -> str:
    """Return a given SHA-256 in lower-case hex ("" when none), or refuse a malformed one."""
    if not value:
        return ""
    digest = value.strip().lower().removeprefix("sha256:")
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise PullError(f"--sha256 {value!r} is not a SHA-256 (64 hexadecimal characters)")
    return digest


def _fetch(origin: str, dest: Path) -> Path:
    """Return a local path for origin, downloading it into dest if it is an https:// URL."""
    if "://" in origin and not origin.lower().startswith("https://"):
        # Plain http lets anyone on the path swap the weights; other schemes are not downloads.
        raise PullError(
            f"refusing {origin}: a source is an https:// URL or a local file "
            "(download it another way and pass the file, ideally with --sha256)"
        )
    if not origin.lower().startswith("https://"):
        path = Path(origin)
        if not path.is_file():
            raise PullError(f"{origin} is not a file")
        return path
    if not network_reachable():
        raise PullError(
            f"cannot download {origin}: no network. Copy the checkpoint here by "
            "other means and pass it with --source"
        )
    import torch

    target = dest / f".download-{Path(origin).name}"
    try:
        with socket_timeout(DOWNLOAD_TIMEOUT_S):
            torch.hub.download_url_to_file(origin, str(target), progress=False)
    except Exception as exc:
        target.unlink(missing_ok=True)
        raise PullError(f"downloading {origin} failed: {type(exc).__name__}: {exc}") from exc
    return target


def _write_hf_config(args: dict[str, Any], source: str, hf_dir: Path) -> None:
    """Save the model config (with the checkpoint's class count) and tokenizer into hf_dir."""
    import transformers

    model_class = getattr(transformers, args["model_name"])
    tokenizer_class = getattr(transformers, args["tokenizer_name"])
    local = Path(source).is_dir()
    try:
        # Local directories and the Hugging Face cache need no network; the hub does.
        with hub_offline() if local or not network_reachable() else contextlib.nullcontext():
            config = model_class.config_class.from_pretrained(
                source, num_labels=args["num_classes"]
            )
            tokenizer = tokenizer_class.from_pretrained(source)
    except Exception as exc:
        raise PullError(
            f"no config/tokenizer for {source!r} (not a directory, not in the Hugging Face "
            f"cache, hub unreachable): pass --hf-config DIR. {type(exc).__name__}: {exc}"
        ) from exc
    # Write beside, then swap in, so a failed pull never leaves half a directory.
    staging = Path(tempfile.mkdtemp(dir=hf_dir.parent, prefix=".hf-"))
    config.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    if hf_dir.exists():
        shutil.rmtree(hf_dir)
    os.replace(staging, hf_dir)
