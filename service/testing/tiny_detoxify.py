"""Build small Detoxify-format checkpoints that load offline through Detoxify's own code."""

from collections.abc import Sequence
from pathlib import Path

from workers.classifiers.toxicity import LABELS_ORIGINAL

# The original Jigsaw names, as stored in Detoxify's `original` checkpoint; Detoxify renames
# them on load, so writing them exercises that path too.
JIGSAW_NAMES = {
    "toxicity": "toxic",
    "severe_toxicity": "severe_toxic",
    "identity_attack": "identity_hate",
}
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

# Words that make the tiny model score a label high, so tests see real differences.
TRIGGERS = {
    "toxicity": {"idiot", "moron", "stupid", "hate", "kill", "hurt", "crap"},
    "obscene": {"crap"},
    "threat": {"kill", "hurt"},
    "insult": {"idiot", "moron", "stupid"},
}
WORDS = [
    "thanks", "for", "the", "article", "great", "point", "i", "agree", "with", "you",
    "this", "is", "a", "good", "read", "well", "written", "interesting", "we", "should",
    "talk", "about", "it", "more", "city", "council", "vote", "today", "nice", "work",
    "are", "an", "will", "your", "what", "and", "not",
    "idiot", "moron", "stupid", "hate", "kill", "hurt", "crap",
]  # fmt: skip
PUNCTUATION = list(".,!?'\"-:;()")

# The planted detector: with a trigger word a label scores about 0.9, without about 0.05,
# and int8 inference stays within 0.01 of fp32 (see _plant_detector).
KEY_GAIN = 0.5
POOLER_GAIN = 2.0
GAIN = 5.0
BIAS = -3.0
NOISE = 0.1  # spread of the random classifier weights: every text gets its own scores


def write_checkpoint(directory, model, tokenizer, labels: Sequence[str], name: str = "model"):
    """Save model as a Detoxify checkpoint plus its HF config/tokenizer dir; return both."""
    import torch

    directory = Path(directory)
    hf_dir = directory / f"{name}-hf"
    model.config.save_pretrained(hf_dir)
    tokenizer.save_pretrained(hf_dir)
    if tuple(labels) == LABELS_ORIGINAL:
        classes = [JIGSAW_NAMES.get(label, label) for label in labels]
    else:
        classes = list(labels)
    checkpoint = directory / f"{name}.ckpt"
    torch.save(
        {
            "state_dict": model.state_dict(),
            "config": {
                "arch": {
                    "args": {
                        # Detoxify calls from_pretrained(model_type) itself: a local path
                        # keeps that offline.
                        "model_type": str(hf_dir),
                        "model_name": type(model).__name__,
                        "tokenizer_name": "BertTokenizer",
                        "num_classes": model.config.num_labels,
                    }
                },
                "dataset": {"args": {"classes": classes}},
            },
        },
        checkpoint,
    )
    return checkpoint, hf_dir


def make_tokenizer(directory, words):
    """Build a BertTokenizer over words plus single characters (so any word tokenizes)."""
    from transformers import BertTokenizer

    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)] + list("0123456789")
    tokens = list(
        dict.fromkeys(
            SPECIAL_TOKENS + PUNCTUATION + letters + ["##" + c for c in letters] + list(words)
        )
    )
    vocab = Path(directory) / "vocab.txt"
    vocab.parent.mkdir(parents=True, exist_ok=True)
    vocab.write_text("\n".join(tokens) + "\n", encoding="utf-8")
    return BertTokenizer(str(vocab), model_max_length=512)


def build_tiny_checkpoint(
    directory,
    labels: Sequence[str] = LABELS_ORIGINAL,
    seed: int = 0,
    *,
    num_classes: int | None = None,
) -> tuple[Path, Path]:
    """Build a 2-layer BERT Detoxify checkpoint (~170 KB, deterministic) that flags TRIGGERS."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    directory = Path(directory)
    tokenizer = make_tokenizer(directory / "vocab", WORDS)
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        # Like the real unbiased model, which has more outputs than named labels.
        num_labels=num_classes or len(labels),
    )
    model = BertForSequenceClassification(config).eval()
    _plant_detector(model, tokenizer, labels)
    return write_checkpoint(directory, model, tokenizer, labels, name=f"tiny-{len(labels)}")


def _plant_detector(model, tokenizer, labels: Sequence[str]) -> None:
    """Set weights so a label's trigger words raise its score, wherever they stand.

    Training a model this small is erratic, so the detector is written in directly:
    hidden dimension i carries label i and only trigger words write there; in the first
    layer every position attends to the trigger words (evenly to all tokens if there are
    none), later layers pass the result on, and the classifier reads dimension i. The
    other weights stay random, so every text still gets scores of its own.
    """
    import torch

    bert, hidden = model.bert, model.config.hidden_size
    channels = len(labels)
    with torch.no_grad():
        # Centred rows without the label dimensions: after LayerNorm those stay exactly
        # zero for every token but the triggers.
        embeddings = bert.embeddings
        for table in (
            embeddings.word_embeddings,
            embeddings.position_embeddings,
            embeddings.token_type_embeddings,
        ):
            table.weight[:, :channels] = 0.0
            rest = table.weight[:, channels:]
            rest -= rest.mean(dim=1, keepdim=True)
        for i, label in enumerate(labels):
            for word in TRIGGERS.get(label, ()):
                embeddings.word_embeddings.weight[tokenizer.vocab[word], i] = 1.0
        # First layer: one query for all positions, keys that are large only on trigger
        # words, identity values, no MLP. Attending to the triggers (not averaging over
        # the text) keeps the signal strong, so int8 rounding stays small beside it.
        attention = bert.encoder.layer[0].attention
        attention.self.query.weight.zero_()
        attention.self.query.bias.fill_(1.0)
        attention.self.key.weight.zero_()
        attention.self.key.weight[:, :channels] = KEY_GAIN
        attention.self.key.bias.zero_()
        attention.self.value.weight.copy_(torch.eye(hidden))
        attention.self.value.bias.zero_()
        attention.output.dense.weight.copy_(torch.eye(hidden))
        attention.output.dense.bias.zero_()
        bert.encoder.layer[0].output.dense.weight.zero_()
        bert.encoder.layer[0].output.dense.bias.zero_()
        # Later layers pass the residual stream through unchanged.
        for layer in bert.encoder.layer[1:]:
            for dense in (layer.attention.output.dense, layer.output.dense):
                dense.weight.zero_()
                dense.bias.zero_()
        # Pooler and classifier read the label dimensions; the rest adds small random
        # variation from text to text.
        bert.pooler.dense.weight.copy_(POOLER_GAIN * torch.eye(hidden))
        bert.pooler.dense.bias.zero_()
        classifier = model.classifier
        classifier.weight.normal_(0.0, NOISE)
        classifier.weight[:, :channels] = 0.0
        classifier.bias.fill_(BIAS)
        for i in range(channels):
            classifier.weight[i, i] = GAIN


def build_tiny_pretrained(
    directory,
    id2label: Sequence[str] = (
        "toxic",
        "severe_toxic",
        "obscene",
        "threat",
        "insult",
        "identity_hate",
    ),
    seed: int = 0,
) -> Path:
    """Build the tiny detector as a Hugging Face directory (save_pretrained, id2label set).

    id2label names the outputs as a published model's config.json would; the detector is
    planted for the Detoxify labels those names map to (unknown names get no trigger).
    """
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    from workers.classifiers.toxicity.labels import detoxify_name

    directory = Path(directory)
    tokenizer = make_tokenizer(directory / "vocab", WORDS)
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        num_labels=len(id2label),
        id2label=dict(enumerate(id2label)),
        label2id={n: i for i, n in enumerate(id2label)},
        problem_type="multi_label_classification",
    )
    model = BertForSequenceClassification(config).eval()
    _plant_detector(model, tokenizer, [detoxify_name(n) or n for n in id2label])
    model.save_pretrained(directory / "model")
    tokenizer.save_pretrained(directory / "model")
    return directory / "model"
