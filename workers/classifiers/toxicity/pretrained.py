"""Hugging Face sequence-classification directories (config.json, tokenizer, weights).

Distilled toxicity models are published this way: their labels come from config.json's
id2label and are mapped to Detoxify's names, so the policy and Perspective's attributes
read them like Detoxify's own. A label that maps to nothing refuses the model.
"""

from dataclasses import dataclass
from pathlib import Path

from workers.classifiers.toxicity.errors import ModelLoadError
from workers.classifiers.toxicity.labels import detoxify_labels

# safetensors first: it holds tensors only; a .bin is read by transformers with
# torch.load(weights_only=True), which refuses pickled code.
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


@dataclass
class Pretrained:
    """A loaded directory: the torch model, its tokenizer, its labels and its weights file."""

    model: object
    tokenizer: object
    labels: tuple[str, ...]
    weights: Path


def is_pretrained_dir(path: Path | str) -> bool:
    """Whether path is a directory holding a Hugging Face config.json."""
    return (Path(path) / "config.json").is_file()


def load_pretrained(directory: Path | str) -> Pretrained:
    """Load a sequence-classification directory from local files only; refuse unknown labels."""
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

    directory = Path(directory)
    source = f"{directory}/config.json"
    config = AutoConfig.from_pretrained(directory, local_files_only=True)
    if getattr(config, "problem_type", None) == "single_label_classification":
        raise ModelLoadError(
            f"{source} is a single-label (softmax) classifier; this service reads one "
            "independent probability per label (multi_label_classification), as Detoxify's are"
        )
    id2label = {int(i): name for i, name in (config.id2label or {}).items()}
    labels = detoxify_labels(
        [id2label.get(i, f"LABEL_{i}") for i in range(config.num_labels)], source
    )
    weights = next((directory / n for n in WEIGHT_FILES if (directory / n).is_file()), None)
    if weights is None:
        raise ModelLoadError(f"{directory} has no {' or '.join(WEIGHT_FILES)}")
    tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        directory,
        config=config,
        local_files_only=True,
        use_safetensors=weights.suffix == ".safetensors",
    )
    return Pretrained(model, tokenizer, labels, weights)
