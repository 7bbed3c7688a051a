"""Benchmark toxicity scoring: Detoxify.predict one comment at a time vs the service's path.

Builds a BERT-base-shaped Detoxify checkpoint with random weights (the compute of Detoxify
`original`) under bench/out/ (not committed), generates realistic news comments, and in one
run measures both paths on the same comments:

    .venv/bin/python bench/toxicity.py [--n 300] [--batch 32] [--fast-path onnx]

Before the last line it measures this machine's fp32 and int8 matrix-product rates and
prints `ceiling_speedup`: the speedup an int8 path would reach if the model's multiply-adds
ran at that int8 rate and nothing else cost anything (an upper bound for this CPU).
The last line is `naive_cps=<n> service_cps=<n> speedup=<n> max_abs_diff=<n>`.
"""

import argparse
import logging
import os
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from service.site_settings import DEFAULT_THRESHOLDS  # noqa: E402

# The checkpoint writer is shared with the tests' tiny model.
from service.testing.tiny_detoxify import make_tokenizer, write_checkpoint  # noqa: E402
from workers.classifiers.toxicity import LABELS_ORIGINAL, load_toxicity_model  # noqa: E402

# A site's default hold thresholds, as the worker passes them (used by --spans flagged).
HOLDS = {label: limits["hold"] for label, limits in DEFAULT_THRESHOLDS.items()}

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


def build_checkpoint(workdir: Path) -> tuple[Path, Path]:
    """Build (once) a BERT-base-shaped Detoxify checkpoint with a vocab from the generator."""
    from transformers import BertConfig, BertForSequenceClassification

    checkpoint = workdir / "bert-base-random.ckpt"
    hf_dir = workdir / "bert-base-random-hf"
    if checkpoint.is_file() and (hf_dir / "config.json").is_file():
        return checkpoint, hf_dir
    rng = random.Random(1234)
    sample = " ".join(make_comment(rng) for _ in range(2000)).lower()
    words = sorted({w.strip(".,?!'\"") for w in sample.split()} - {""})
    tokenizer = make_tokenizer(workdir / "vocab", words)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tokenizer), num_labels=len(LABELS_ORIGINAL))
    model = BertForSequenceClassification(config).eval()
    return write_checkpoint(workdir, model, tokenizer, LABELS_ORIGINAL, name="bert-base-random")


def macs_per_sequence(config, tokens: int) -> int:
    """Multiply-adds of one encoder pass over a sequence: the layers' matrix products."""
    hidden, inner = config.hidden_size, config.intermediate_size
    per_token = 4 * hidden * hidden + 2 * hidden * inner  # Q, K, V, output; feed-forward
    attention = 2 * tokens * hidden  # scores and weighted sum, per token
    return config.num_hidden_layers * tokens * (per_token + attention)


def matrix_product_rates(config, workdir: Path, threads: int, seconds: float = 3.0) -> tuple:
    """Measure this machine's fp32 (torch) and int8 (ONNX Runtime) matrix-product rates.

    The shape is a feed-forward layer of the model over a 256-token batch, the service's
    batch size; int8 runs side by side, one single-threaded run per thread, as the service's.
    """
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper
    from onnxruntime.quantization import QuantType, quantize_dynamic

    rows, inner, hidden = 256, config.intermediate_size, config.hidden_size
    ops = 2 * rows * inner * hidden

    def rate(run, parallel: int) -> float:
        """The best of three timed rounds: the rate the machine can reach, not an average."""
        for _ in range(3):
            run()
        best = 0.0
        for _ in range(3):
            done, stop = [0] * parallel, time.perf_counter() + seconds / 3

            def loop(i: int, done=done, stop=stop) -> None:
                while time.perf_counter() < stop:
                    run()
                    done[i] += 1

            started = time.perf_counter()
            with ThreadPoolExecutor(parallel) as pool:
                list(pool.map(loop, range(parallel)))
            best = max(best, sum(done) * ops / (time.perf_counter() - started) / 1e9)
        return best

    a, b = torch.randn(rows, hidden), torch.randn(hidden, inner)
    with torch.inference_mode():
        fp32 = rate(lambda: a @ b, 1)  # torch spreads one product over its threads

    weights = numpy_helper.from_array(b.numpy(), "w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "ffn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, hidden])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, inner])], [weights],
    )  # fmt: skip
    fp32_path, int8_path = workdir / "ffn.onnx", workdir / "ffn-int8.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), fp32_path)
    logging.disable(logging.WARNING)  # the quantizer's advice to pre-process the graph
    try:
        quantize_dynamic(str(fp32_path), str(int8_path), weight_type=QuantType.QInt8)
    finally:
        logging.disable(logging.NOTSET)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(int8_path), options, providers=["CPUExecutionProvider"])
    feed = {"x": a.numpy()}
    int8 = rate(lambda: session.run(None, feed), threads)
    return fp32, int8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="number of comments")
    parser.add_argument("--batch", type=int, default=32, help="comments per score() call")
    parser.add_argument("--fast-path", default="onnx", choices=["onnx", "quantized", "off"])
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out" / "toxicity")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="0: all cores (one process)")
    parser.add_argument(
        "--spans",
        default="all",
        choices=["all", "flagged", "off"],
        help="TOXICITY_SPANS: sentences of every comment (the default), of comments over a "
        "default hold threshold only, or none (to see what the explanations cost)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    args.workdir.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    checkpoint, hf_dir = build_checkpoint(args.workdir)
    print(
        f"checkpoint: {checkpoint} ({checkpoint.stat().st_size / 1e6:.0f} MB, "
        f"{time.perf_counter() - started:.1f}s)"
    )
    rng = random.Random(args.seed)
    comments = [make_comment(rng) for _ in range(args.n)]
    lengths = [len(c.split()) for c in comments]
    print(
        f"comments: {len(comments)}, words min/median/mean/max "
        f"{min(lengths)}/{statistics.median(lengths):.0f}/{statistics.mean(lengths):.0f}/"
        f"{max(lengths)}"
    )

    # The service path, as the worker runs it: load once, then score() batches.
    config = {
        "TOXICITY_CHECKPOINT": str(checkpoint),
        "TOXICITY_HF_CONFIG": str(hf_dir),
        "TOXICITY_FAST_PATH": args.fast_path,
        "TOXICITY_THREADS": args.threads,
        "TOXICITY_SPANS": args.spans,
        "TOXICITY_FAST_CACHE_DIR": str(args.workdir / "fast"),
    }
    started = time.perf_counter()
    model = load_toxicity_model(config)  # also sets torch's threads, for both paths
    print(
        f"service model: {model.name} {model.version} runner={model.fast_path} "
        f"loaded in {time.perf_counter() - started:.1f}s (an ONNX export happens once)"
    )
    tokens = [len(ids) for ids in model.tokenizer(comments)["input_ids"]]
    truncated = sum(t > model.max_tokens for t in tokens)
    print(
        f"tokens per comment: median {statistics.median(tokens):.0f}, max {max(tokens)}; "
        f"{truncated} truncated to {model.max_tokens}"
    )

    # Plain Detoxify, one comment at a time.
    from detoxify import Detoxify

    detoxify = Detoxify(checkpoint=str(checkpoint), huggingface_config_path=str(hf_dir))
    detoxify.predict(comments[0])  # warm-up, as load_toxicity_model does for the service

    # Alternate the two paths chunk by chunk, so a busy neighbour on a shared machine
    # slows both alike instead of whichever happened to run at the time.
    print(f"threads: {torch.get_num_threads()}; load average before: {os.getloadavg()[0]:.2f}")
    naive, results = [], []
    naive_s = service_s = 0.0
    for start in range(0, len(comments), args.batch):
        chunk = comments[start : start + args.batch]
        started = time.perf_counter()
        naive.extend(detoxify.predict(comment) for comment in chunk)
        naive_s += time.perf_counter() - started
        started = time.perf_counter()
        results.extend(model.score(chunk, [HOLDS] * len(chunk)))
        service_s += time.perf_counter() - started
    spans = sum(len(r.spans) for r in results)
    explained = sum(bool(r.spans) for r in results)
    # The texts each score() call was given: its comments and their sentences.
    calls = []
    for start in range(0, len(comments), args.batch):
        chunk = comments[start : start + args.batch]
        texts = list(chunk)
        for comment, result in zip(chunk, results[start : start + args.batch], strict=True):
            texts.extend(comment[s.begin : s.end] for s in result.spans)
        calls.append(texts)
    # score() scores a text once however often it occurs in one call: say how much that saved.
    repeats = sum(len(texts) - len(set(texts)) for texts in calls)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(f"naive: {len(comments) / naive_s:.2f} comments/s (Detoxify.predict per comment)")
    print(
        f"service: {len(comments) / service_s:.2f} comments/s in batches of {args.batch} "
        f"(plus {spans} sentence spans of {explained} comments, spans={args.spans}; "
        f"{repeats} of all texts were repeats within a call, scored once)"
    )

    # How far any int8 path could go here: the model's multiply-adds at this machine's
    # int8 matrix-product rate, as if nothing else (attention softmax, layer norms,
    # tokenising, padding) cost anything. An upper bound, not a forecast.
    config = detoxify.model.config
    naive_macs = sum(macs_per_sequence(config, t) for t in tokens)
    service_macs = 0
    for texts in calls:
        encoded = model.tokenizer(sorted(set(texts)), truncation=True, max_length=model.max_tokens)
        service_macs += sum(macs_per_sequence(config, len(ids)) for ids in encoded["input_ids"])
    fp32_gops, int8_gops = matrix_product_rates(config, args.workdir, torch.get_num_threads())
    naive_gops = 2 * naive_macs / naive_s / 1e9
    ceiling_cps = len(comments) / (2 * service_macs / (int8_gops * 1e9))
    print(
        f"matrix products here: fp32 {fp32_gops:.0f} GFLOP/s (torch), int8 {int8_gops:.0f} GOP/s "
        f"(ONNX Runtime, AVX-512 VNNI: {'yes' if _has_vnni() else 'no'}); the naive loop ran at "
        f"{naive_gops:.0f} GFLOP/s"
    )
    print(
        f"work: the service scores {service_macs / naive_macs:.2f}x the naive loop's "
        f"multiply-adds ({spans} sentences besides the comments); at the int8 rate with "
        f"nothing else to do it would "
        f"reach at most {ceiling_cps:.2f} comments/s: ceiling_speedup="
        f"{ceiling_cps / (len(comments) / naive_s):.2f}"
    )

    max_abs_diff = max(
        abs(result.scores[label] - expected[label])
        for result, expected in zip(results, naive, strict=True)
        for label in expected
    )
    naive_cps, service_cps = len(comments) / naive_s, len(comments) / service_s
    print(
        f"naive_cps={naive_cps:.2f} service_cps={service_cps:.2f} "
        f"speedup={service_cps / naive_cps:.2f} max_abs_diff={max_abs_diff:.4f}"
    )


def _has_vnni() -> bool:
    """Whether the CPU has the int8 dot-product instructions that make int8 fast."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_vnni" in flags or "avx_vnni" in flags


if __name__ == "__main__":
    main()
