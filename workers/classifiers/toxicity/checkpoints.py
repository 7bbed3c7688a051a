"""Detoxify checkpoint files, read without running pickled code."""

import hashlib
from pathlib import Path

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


def file_sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
