"""Benchmark toxicity scoring: naive Detoxify, the service on its shape, and a distilled shape.

Builds (under bench/out/, not committed) a BERT-base-shaped Detoxify checkpoint with random
weights (the compute of Detoxify `original`) and a MiniLM-L6/H384-shaped Hugging Face model
directory (the shape of a distilled Jigsaw student), generates realistic news comments, and
runs, each in a fresh process so its resident memory is its own:

1. naive: Detoxify.predict one comment at a time, on the BERT-base shape (fp32);
2. service: the worker's path on that shape (fast path, batches, spans for flagged comments);
3. distilled: the worker's path on the MiniLM shape.

Random weights score every comment about alike, so each service run's hold thresholds are
its own scores' 90th percentile (one per-label quantile, from an untimed pass without
sentences, chosen so that 10% of comments reach a hold, as on a real site): only those get
sentence scores (TOXICITY_SPANS=flagged).

    .venv/bin/python bench/toxicity.py [--comments 300] [--spans flagged]

The last line is `naive_cps=<n> service_cps=<n> distilled_cps=<n> speedup=<service/naive>
distilled_speedup=<distilled/naive> max_abs_diff=<n> rss_mb=<n>`, rss_mb being the service
worker's resident memory after scoring on the BERT-base shape (peaks, which include loading
and a first ONNX export, are printed above it).
"""

import argparse
import copy
import json
import logging
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from service.config import DEFAULTS  # noqa: E402

# The checkpoint writer is shared with the tests' tiny model.
from service.testing.tiny_detoxify import make_tokenizer, write_checkpoint  # noqa: E402
from workers.classifiers.toxicity import (  # noqa: E402
    LABELS_ORIGINAL,
    ToxicitySettings,
    load_toxicity_model,
)

FLAGGED_SHARE = 0.10  # comments reaching a hold threshold, as on a real site
# The Jigsaw class names, as a distilled student's config.json names its outputs.
JIGSAW_ID2LABEL = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")

FILL = {
    "topic": [
        "housing plan",
        "school budget",
        "bike lane",
        "stadium deal",
        "transit levy",
        "water rates",
        "election",
        "pipeline",
        "minimum wage",
        "rent freeze",
        "parking fees",
        "hospital merger",
        "library cuts",
        "snow removal",
        "zoning change",
        "police budget",
        "tax increase",
        "ferry schedule",
        "airport expansion",
    ],
    "institution": [
        "city council",
        "school board",
        "government",
        "police",
        "mayor's office",
        "province",
        "state",
        "federal government",
        "health authority",
        "planning department",
        "transit agency",
        "newspaper",
    ],
    "person": [
        "the mayor",
        "the senator",
        "the minister",
        "the author",
        "the governor",
        "the premier",
        "the councillor",
        "the chief",
        "the reporter",
        "the president",
    ],
    "insult": ["idiot", "moron", "clown", "troll", "hypocrite", "fool", "liar"],
    "group": [
        "liberals",
        "conservatives",
        "boomers",
        "cyclists",
        "landlords",
        "drivers",
        "developers",
        "politicians",
        "students",
        "tourists",
        "unions",
        "lawyers",
    ],
    "place": [
        "Springfield",
        "Leeds",
        "Toronto",
        "Austin",
        "Lyon",
        "Halifax",
        "Denver",
        "Bristol",
        "Adelaide",
        "Portland",
        "Winnipeg",
        "Cork",
    ],
    "relative": ["mother", "brother", "neighbour", "uncle", "sister", "friend", "grandfather"],
    "stance": ["agree", "disagree", "completely agree", "strongly disagree", "partly agree"],
    "action": [
        "fixed this",
        "listened to residents",
        "cut the waste",
        "resigned",
        "raised the budget",
        "asked the voters",
        "built more housing",
    ],
    "adjective": [
        "ridiculous",
        "reasonable",
        "overdue",
        "expensive",
        "pointless",
        "brilliant",
        "shameful",
        "confusing",
        "balanced",
        "one-sided",
    ],
    "number": [str(n) for n in (2, 3, 5, 10, 12, 20, 30, 40, 50, 75, 100, 2019, 2024)],
}
TEMPLATES = [
    "I {stance} with {person} on this one.",
    "The {institution} should have {action} years ago.",
    "Honestly, {person} has no idea what the {topic} will cost us.",
    "This is exactly why nobody trusts the {institution} anymore.",
    "Great article, thanks for covering the {topic} so carefully.",
    "Does anyone know when the vote on the {topic} takes place?",
    "My {relative} lived in {place} for {number} years and never saw anything like this.",
    "What a {insult}, seriously.",
    "People like you are the reason the {topic} is such a mess.",
    "The numbers in this piece about the {topic} simply do not add up.",
    "Why is nobody talking about what the {topic} means for {group}?",
    "I used to support {person}, but not after this {topic} fiasco.",
    "Typical {group}, always blaming everyone else for the {topic}.",
    "About {number} percent of {group} in {place} support the {topic}, according to the poll.",
    "Stop spreading lies about the {topic}, you {insult}.",
    "Taxes went up again and the {institution} still cannot fix the roads.",
    "Well said.",
    "The {topic} looks {adjective} to me, but I am open to being convinced.",
    "We tried the same thing in {place} and it was {adjective}.",
    "Anyone who believes {person} on the {topic} is a {insult}.",
    "Can the reporter ask the {institution} how much the {topic} really costs?",
    "It is {adjective} that the {institution} waited {number} months to say anything.",
    "I have lived here for {number} years and the {topic} is the worst decision yet.",
    "Good luck getting {group} to agree on anything.",
    "Thanks for the balanced reporting on the {topic}.",
    "If {person} cared about {place}, the {topic} would have been done by now.",
    "The comments here are full of {group} who never read past the headline.",
    "Shut up, {insult}, nobody asked you.",
    "Let us wait for the full report before we judge the {institution}.",
    "I hope the {institution} reads these comments and reconsiders the {topic}.",
]


def make_sentence(rng: random.Random) -> str:
    """Fill one template with random slot values."""
    template = rng.choice(TEMPLATES)
    return template.format(**{k: rng.choice(v) for k, v in FILL.items()})


def make_comment(rng: random.Random) -> str:
    """Build one comment of 10-200 words, most short, some long (as comment sections are)."""
    target = min(200, max(10, int(rng.lognormvariate(3.9, 0.6))))  # median ~50 words
    sentences: list[str] = []
    words = 0
    while words < target:
        sentence = make_sentence(rng)
        if words + len(sentence.split()) > 200:
            break
        sentences.append(sentence)
        words += len(sentence.split())
    return " ".join(sentences)


def corpus(seed: int) -> list[str]:
    """Sentences from the generator, lower-cased: the vocabulary both shapes tokenise with."""
    rng = random.Random(seed)
    return [make_comment(rng) for _ in range(2000)]


def build_checkpoint(workdir: Path) -> tuple[Path, Path]:
    """Build (once) a BERT-base-shaped Detoxify checkpoint with a vocab from the generator."""
    from transformers import BertConfig, BertForSequenceClassification

    checkpoint = workdir / "bert-base-random.ckpt"
    hf_dir = workdir / "bert-base-random-hf"
    if checkpoint.is_file() and (hf_dir / "config.json").is_file():
        return checkpoint, hf_dir
    tokenizer = _tokenizer(workdir)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tokenizer), num_labels=len(LABELS_ORIGINAL))
    model = BertForSequenceClassification(config).eval()
    return write_checkpoint(workdir, model, tokenizer, LABELS_ORIGINAL, name="bert-base-random")


def build_distilled(workdir: Path) -> Path:
    """Build (once) a MiniLM-L6/H384-shaped Hugging Face directory with random weights."""
    from transformers import BertConfig, BertForSequenceClassification

    directory = workdir / "minilm-l6-h384-random"
    if (directory / "config.json").is_file():
        return directory
    tokenizer = _tokenizer(workdir)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=384,
        num_hidden_layers=6,
        num_attention_heads=12,
        intermediate_size=1536,
        num_labels=len(JIGSAW_ID2LABEL),
        id2label=dict(enumerate(JIGSAW_ID2LABEL)),
        label2id={name: i for i, name in enumerate(JIGSAW_ID2LABEL)},
        problem_type="multi_label_classification",
    )
    model = BertForSequenceClassification(config).eval()
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def _tokenizer(workdir: Path):
    sample = " ".join(corpus(1234)).lower()
    words = sorted({w.strip(".,?!'\"") for w in sample.split()} - {""})
    return make_tokenizer(workdir / "vocab", words)


def holds_at_share(scores: np.ndarray, share: float) -> dict[str, float]:
    """Per-label thresholds at one quantile, chosen so that `share` of rows reach any of them."""
    low, high = 1.0 - share, 1.0
    for _ in range(30):  # bisect the quantile: more of it, fewer comments flagged
        q = (low + high) / 2
        limits = np.quantile(scores, q, axis=0)
        flagged = (scores >= limits).any(axis=1).mean()
        low, high = (q, high) if flagged > share else (low, q)
    limits = np.quantile(scores, high, axis=0)
    return {label: float(v) for label, v in zip(LABELS_ORIGINAL, limits, strict=True)}


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory now (VmRSS) or at its peak (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_naive(args, comments: list[str]) -> dict:
    from detoxify import Detoxify

    checkpoint, hf_dir = build_checkpoint(args.workdir)
    torch.set_num_threads(args.threads or len(os.sched_getaffinity(0)))
    detoxify = Detoxify(checkpoint=str(checkpoint), huggingface_config_path=str(hf_dir))
    detoxify.predict(comments[0])  # warm-up, as the worker's load does
    started = time.perf_counter()
    scores = [detoxify.predict(comment) for comment in comments]
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rss_mb": rss_mb(),
        "peak_mb": rss_mb("VmHWM"),
        "runner": "detoxify fp32",
        "scores": [[row[label] for label in LABELS_ORIGINAL] for row in scores],
    }


def run_service(args, comments: list[str]) -> dict:
    if args.child == "service":
        checkpoint, hf_dir = build_checkpoint(args.workdir)
        paths = {"TOXICITY_CHECKPOINT": str(checkpoint), "TOXICITY_HF_CONFIG": str(hf_dir)}
    else:
        paths = {"TOXICITY_CHECKPOINT": str(build_distilled(args.workdir))}
    settings = ToxicitySettings.from_config(
        {
            **DEFAULTS,
            **paths,
            "TOXICITY_FAST_PATH": args.fast_path,
            "TOXICITY_THREADS": args.threads,
            "TOXICITY_SPANS": args.spans,
            "TOXICITY_FAST_CACHE_DIR": str(args.workdir / "fast"),
        }
    )
    model = load_toxicity_model(settings)
    # Its own scores set its thresholds: a pass without sentences, not timed.
    calibration = copy.copy(model)  # the same weights, no sentences
    calibration.spans = "off"
    # In the timed run's chunks: int8 activations are scaled per batch, so a comment's scores
    # depend a little on its batch, and its thresholds must be set on the same scores.
    own = [
        r
        for start in range(0, len(comments), args.batch)
        for r in calibration.score(comments[start : start + args.batch])
    ]
    holds = holds_at_share(
        np.array([[r.scores[k] for k in LABELS_ORIGINAL] for r in own]), FLAGGED_SHARE
    )
    results = []
    started = time.perf_counter()
    for start in range(0, len(comments), args.batch):  # as the worker's micro-batches
        chunk = comments[start : start + args.batch]
        results.extend(model.score(chunk, [holds] * len(chunk)))
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rss_mb": rss_mb(),
        "peak_mb": rss_mb("VmHWM"),
        "runner": model.fast_path,
        "explained": sum(bool(r.spans) for r in results),
        "spans": sum(len(r.spans) for r in results),
        "scores": [[r.scores[label] for label in LABELS_ORIGINAL] for r in results],
    }


def child(args) -> None:
    """Run one configuration in this fresh process; write its figures as JSON."""
    comments = json.loads((args.workdir / "comments.json").read_text())
    run = run_naive if args.child == "naive" else run_service
    result = run(args, comments)
    (args.workdir / f"{args.child}.json").write_text(json.dumps(result))


def measure(args, kind: str) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        kind,
        "--workdir",
        str(args.workdir),
        "--batch",
        str(args.batch),
        "--fast-path",
        args.fast_path,
        "--threads",
        str(args.threads),
        "--spans",
        args.spans,
    ]
    subprocess.run(command, check=True)
    result = json.loads((args.workdir / f"{kind}.json").read_text())
    result["cps"] = args.comments / result["seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", "--n", type=int, default=300, help="number of comments")
    parser.add_argument("--batch", type=int, default=32, help="comments per score() call")
    parser.add_argument("--fast-path", default="onnx", choices=["onnx", "quantized", "off"])
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out" / "toxicity")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="0: all cores (one process)")
    parser.add_argument(
        "--spans",
        default="flagged",
        choices=["all", "flagged", "off"],
        help="TOXICITY_SPANS for the service runs",
    )
    parser.add_argument(
        "--child", choices=["naive", "service", "distilled"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.child:
        child(args)
        return

    started = time.perf_counter()
    checkpoint, _ = build_checkpoint(args.workdir)
    distilled = build_distilled(args.workdir)
    print(
        f"models: {checkpoint.name} ({checkpoint.stat().st_size / 1e6:.0f} MB), "
        f"{distilled.name} ({(distilled / 'model.safetensors').stat().st_size / 1e6:.0f} MB), "
        f"built in {time.perf_counter() - started:.1f}s"
    )
    rng = random.Random(args.seed)
    comments = [make_comment(rng) for _ in range(args.comments)]
    lengths = [len(c.split()) for c in comments]
    print(
        f"comments: {len(comments)}, words min/median/mean/max {min(lengths)}/"
        f"{statistics.median(lengths):.0f}/{statistics.mean(lengths):.0f}/{max(lengths)}"
    )
    (args.workdir / "comments.json").write_text(json.dumps(comments))
    print(
        f"cores: {len(os.sched_getaffinity(0))}; load average before: {os.getloadavg()[0]:.2f}",
        flush=True,
    )

    naive = measure(args, "naive")
    reference = np.array(naive["scores"])
    service = measure(args, "service")
    distilled_run = measure(args, "distilled")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    for name, run in (("naive", naive), ("service", service), ("distilled", distilled_run)):
        extra = (
            f", sentences of {run['explained']} comments ({run['spans']} spans)"
            if "spans" in run
            else ""
        )
        print(
            f"{name}: {run['cps']:.2f} comments/s, runner {run['runner']}, "
            f"worker RSS {run['rss_mb']:.0f} MB (peak {run['peak_mb']:.0f} MB){extra}"
        )
    max_abs_diff = float(np.abs(np.array(service["scores"]) - reference).max())
    print(
        f"naive_cps={naive['cps']:.2f} service_cps={service['cps']:.2f} "
        f"distilled_cps={distilled_run['cps']:.2f} "
        f"speedup={service['cps'] / naive['cps']:.2f} "
        f"distilled_speedup={distilled_run['cps'] / naive['cps']:.2f} "
        f"max_abs_diff={max_abs_diff:.4f} rss_mb={service['rss_mb']:.0f}"
    )


if __name__ == "__main__":
    main()
