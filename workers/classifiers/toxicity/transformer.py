"""A transformer classifier (Detoxify or Hugging Face) run in length-sorted batches."""

import numpy as np

from workers.classifiers.toxicity.model import PROBE_TEXTS, ToxicityModel

# Padded tokens per batch, besides the batch size: a batch of long comments much past this
# spills its activations out of the CPU caches and runs slower per comment (bench/toxicity.py
# shows the effect of a change).
MAX_BATCH_TOKENS = 256


class TransformerModel(ToxicityModel):
    """A sequence classifier with sigmoid outputs, run through a fast runner."""

    def __init__(
        self,
        tokenizer,
        labels: tuple[str, ...],
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
        self.tokenizer, self.labels = tokenizer, labels
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

        def score(batch_rows: list[int], run) -> None:
            logits = run(self._pad(encoded, batch_rows))
            # Some checkpoints (unbiased) have more outputs than named labels: Detoxify
            # reports the first len(labels), and applies a sigmoid to the logits.
            out[batch_rows] = sigmoid(logits[:, : len(self.labels)])

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


def sigmoid(x: np.ndarray) -> np.ndarray:
    # The tanh form cannot overflow, unlike 1 / (1 + exp(-x)) for large negative logits.
    return 0.5 * (1.0 + np.tanh(0.5 * x))
