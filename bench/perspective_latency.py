"""Benchmark comments:analyze latency for Perspective callers on a live stack.

Starts an isolated stack (service/testing/stack.py: its own Redis, gunicorn, one Celery worker
on this machine's cores) serving the BERT-base-shaped model bench/toxicity.py builds, then
CALLERS concurrent callers (Coral's pattern: each sends its next comment when the last is
answered) send comments:analyze with the production SCORE_TIMEOUT_S for --seconds, and print
p50/p99 latency and throughput; then the same on the MiniLM-L6/H384 shape (--distilled).

    .venv/bin/python bench/perspective_latency.py [--seconds 60] [--callers 4] [--distilled]

The last line is `p50_ms=<n> p99_ms=<n> cps=<n> timeouts=<n>` for the BERT-base shape (the
line above it, for the MiniLM shape with --distilled);
timeouts counts answers other than 200 (503: no score within SCORE_TIMEOUT_S).
"""

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from toxicity import build_checkpoint, build_distilled, make_comment  # noqa: E402

from service.testing.stack import LOOPBACK, Stack  # noqa: E402

ANALYZE = "/v1alpha1/comments:analyze"


def server_key(stack: Stack) -> str:
    """Create a server key (the Perspective API key) for the stack's first site."""
    site = stack.setup["sites"][0]["id"]
    made = stack.request(
        "POST",
        f"/v1/admin/sites/{site}/server-keys",
        {"name": "bench"},
        headers={"Authorization": f"Bearer {stack.setup['admin']}"},
    )
    if made.status != 201:
        raise RuntimeError(f"creating a server key: {made.status} {made.body[:300]!r}")
    return made.json()["key"]


def caller(port: int, key: str, comments: list[str], stop_at: float, out: list) -> None:
    """Send analyze calls one after another until stop_at; record (seconds, status)."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    rng = random.Random(threading.get_ident())
    while time.monotonic() < stop_at:
        body = json.dumps(
            {
                "comment": {"text": rng.choice(comments)},
                "requestedAttributes": {"TOXICITY": {}, "INSULT": {}},
                "languages": ["en"],
            }
        )
        started = time.monotonic()
        try:
            conn.request(
                "POST",
                f"{ANALYZE}?key={key}",
                body=body,
                headers={"Content-Type": "application/json"},
            )
            response = conn.getresponse()
            response.read()
            status = response.status
        except OSError:
            conn.close()
            conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
            status = 0
        out.append((time.monotonic() - started, status))
    conn.close()


def run(shape: str, settings: dict, args, comments: list[str]) -> str:
    with tempfile.TemporaryDirectory(prefix="perspective-latency-") as root:
        stack = Stack(
            Path(root),
            api_workers=2,
            model="checkpoint",
            settings={
                **settings,
                "TOXICITY_FAST_PATH": "onnx",
                "TOXICITY_FAST_CACHE_DIR": str(args.workdir / "fast"),
                # Production waiting limits (the stack's tests raise them): Coral's 800 ms budget.
                "SCORE_TIMEOUT_S": str(args.score_timeout),
                "RATE_LIMIT_ENABLED": "false",
            },
        )
        with stack:
            key = server_key(stack)
            warm: list = []
            caller(stack.api_port, key, comments, time.monotonic() + 5, warm)  # first calls
            results: list = []
            stop_at = time.monotonic() + args.seconds
            load_before = os.getloadavg()[0]
            threads = [
                threading.Thread(
                    target=caller, args=(stack.api_port, key, comments, stop_at, results)
                )
                for _ in range(args.callers)
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            batches = [
                json.loads(line).get("size")
                for line in stack.tail("worker", 10**7).splitlines()
                if line.startswith("{") and '"score.batch"' in line
            ]
    ok = sorted(seconds for seconds, status in results if status == 200)
    timeouts = sum(status != 200 for _, status in results)
    p50 = statistics.median(ok) * 1000 if ok else float("nan")
    p99 = ok[min(len(ok) - 1, int(len(ok) * 0.99))] * 1000 if ok else float("nan")
    sizes = [b for b in batches if b]
    print(
        f"{shape}: {len(results)} calls from {args.callers} callers in {elapsed:.0f} s, "
        f"load average {load_before:.2f} -> {os.getloadavg()[0]:.2f}; p50 {p50:.0f} ms, "
        f"p99 {p99:.0f} ms, {len(ok) / elapsed:.2f} scored/s, {timeouts} not 200; "
        f"requests per model run: mean {statistics.mean(sizes) if sizes else 0:.2f}, "
        f"max {max(sizes, default=0)}",
        flush=True,
    )
    return f"p50_ms={p50:.0f} p99_ms={p99:.0f} cps={len(ok) / elapsed:.2f} timeouts={timeouts}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--callers", type=int, default=4)
    parser.add_argument("--score-timeout", type=float, default=0.7, help="SCORE_TIMEOUT_S")
    parser.add_argument(
        "--distilled",
        action="store_true",
        help="also run the MiniLM-L6/H384 shape after the BERT-base one",
    )
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "out" / "toxicity")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(0)
    comments = [make_comment(rng) for _ in range(200)]
    checkpoint, hf_dir = build_checkpoint(args.workdir)
    shapes = [
        ("bert-base", {"TOXICITY_CHECKPOINT": str(checkpoint), "TOXICITY_HF_CONFIG": str(hf_dir)})
    ]
    if args.distilled:
        shapes.append(
            ("minilm-l6-h384", {"TOXICITY_CHECKPOINT": str(build_distilled(args.workdir))})
        )
    lines = {shape: run(shape, settings, args, comments) for shape, settings in shapes}
    if args.distilled:
        print(f"minilm-l6-h384 {lines['minilm-l6-h384']}")
    print(lines["bert-base"])


if __name__ == "__main__":
    main()
