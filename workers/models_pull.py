"""Prepare a toxicity model directory for air-gapped use (`modctl models pull`).

The directory holds the checkpoint and its Hugging Face config/tokenizer files; point
TOXICITY_CHECKPOINT and TOXICITY_HF_CONFIG at them and the worker loads with no network.
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

from workers.classifiers.toxicity import (
    DOWNLOAD_TIMEOUT_S,
    file_sha256,
    hub_offline,
    load_detoxify,
    network_reachable,
    socket_timeout,
)

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

    name_or_path is a Detoxify model name (original, unbiased, ...) or a checkpoint file.
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
            raise PullError(f"{origin} has SHA-256 {actual}, not the expected {expected}: "
                            "refusing it (a different or tampered file)")
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
        raise PullError(f"refusing {origin}: a source is an https:// URL or a local file "
                        "(download it another way and pass the file, ideally with --sha256)")
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
