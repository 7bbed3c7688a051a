"""Sustained load on an isolated stack: comments posted at a steady rate, then every one decided.

Starts its own stack (service/testing/stack.py: redis-server on a free port, a SQLite file,
gunicorn and a Celery worker), posts comments from several client processes on loopback at
--rate per second for --seconds, waits for the worker to decide every accepted comment, and
checks that each is in the database and decided. Readers' addresses differ (X-Forwarded-For,
with TRUSTED_PROXIES=1 on the server), as they would behind a proxy. Last line:
accepted=<n> decided=<n> lost=<n> p99_ms=<n> errors=<n>
"""

import argparse
import http.client
import json
import multiprocessing as mp
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.testing import LABELLED_COMMENTS  # noqa: E402
from service.testing.stack import LOOPBACK, Stack  # noqa: E402

HAM = LABELLED_COMMENTS


def reader_sentences() -> list[str]:
    """Sentences of the real-looking reader comments the spam benchmark ships (ham only)."""
    sentences = []
    for line in HAM.read_text().splitlines():
        row = json.loads(line)
        if row.get("label") == "ham":
            sentences += [s.strip() + "." for s in row["text"].split(".") if len(s.split()) >= 4]
    return sentences


def comment_body(sentences: list[str], rng: random.Random) -> str:
    # Three sentences drawn from many: bodies differ like real ones do. Copies of one text
    # from many authors would rightly look like a spam wave to the spam stage.
    return " ".join(rng.sample(sentences, 3))


def client_process(args) -> list[tuple[float, int, int | None]]:
    """One client process: several connections, each posting at its share of the rate."""
    port, site_key, rate, deadline, process, threads, max_requests, sentences = args
    results: list[tuple[float, int, int | None]] = []
    workers = [
        threading.Thread(
            target=post_steadily,
            args=(
                port,
                site_key,
                rate / threads,
                deadline,
                process * threads + t + 1,
                max_requests,
                sentences,
                results,
            ),
        )
        for t in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def post_steadily(port, site_key, rate, deadline, stream, max_requests, sentences, results):
    """Post one comment every 1/rate s until the deadline, appending (latency_ms, status, id)."""
    rng = random.Random(stream)
    interval = 1.0 / rate
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    next_at = time.monotonic()
    for n in range(max_requests):
        now = time.monotonic()
        if now >= deadline:
            break
        if next_at > now:
            time.sleep(next_at - now)
        next_at += interval
        number = stream * 1_000_000 + n
        body = json.dumps(
            {
                "author_name": f"Reader {number}",
                "author_email": f"r{number}@mail.example",
                "body": comment_body(sentences, rng),
            }
        )
        # Each request its own reader address (the flood check allows one comment per 15 s).
        headers = {
            "Content-Type": "application/json",
            "X-Site-Key": site_key,
            "X-Forwarded-For": f"127.{stream}.{(n >> 8) & 255}.{n & 255}",
        }
        started = time.perf_counter()
        try:
            conn.request("POST", f"/v1/articles/load-{n % 20}/comments", body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            status = response.status
            comment_id = json.loads(payload)["id"] if status == 202 else None
        except (OSError, http.client.HTTPException, ValueError):
            status, comment_id = 0, None
            conn.close()
            conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
        results.append(((time.perf_counter() - started) * 1000, status, comment_id))
    conn.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long to post (>= 60)")
    parser.add_argument("--rate", type=float, default=50, help="comments per second, in total")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--threads", type=int, default=4, help="connections per client process")
    parser.add_argument("--api-workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument(
        "--model",
        default="offline",
        help="TOXICITY_MODEL for the worker; 'tiny' builds a tiny Detoxify "
        "checkpoint (service/testing/tiny_detoxify.py)",
    )
    parser.add_argument("--drain-timeout", type=float, default=600)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="bench-load-"))
    settings = {"LOG_LEVEL": "WARNING", "SWEEP_INTERVAL_S": "5", "SWEEP_PENDING_AFTER_S": "120"}
    model = args.model
    if model == "tiny":
        from service.testing.tiny_detoxify import build_tiny_checkpoint

        checkpoint, hf_dir = build_tiny_checkpoint(root / "tiny")
        settings.update(TOXICITY_CHECKPOINT=str(checkpoint), TOXICITY_HF_CONFIG=str(hf_dir))
        model = "checkpoint"
    stack = Stack(root / "stack", api_workers=args.api_workers, model=model, settings=settings)
    print(f"starting an isolated stack in {root} ...", flush=True)
    with stack:
        site_key = stack.setup["sites"][0]["key"]
        sentences = reader_sentences()
        deadline = time.monotonic() + args.seconds
        per_client = args.rate / args.clients
        max_requests = int(per_client * args.seconds * 1.1) + 10
        print(
            f"posting {args.rate:g}/s from {args.clients} client processes x {args.threads} "
            f"connections for {args.seconds:g} s",
            flush=True,
        )
        started = time.monotonic()
        with mp.Pool(args.clients) as pool:
            runs = pool.map(
                client_process,
                [
                    (
                        stack.api_port,
                        site_key,
                        per_client,
                        deadline,
                        client,
                        args.threads,
                        max_requests,
                        sentences,
                    )
                    for client in range(args.clients)
                ],
            )
        elapsed = time.monotonic() - started
        results = [r for run in runs for r in run]
        latencies = [latency for latency, _, _ in results]
        accepted = [cid for _, status, cid in results if status == 202]
        errors = sum(1 for _, status, _ in results if status != 202)
        codes: dict[int, int] = {}
        for _, status, _ in results:
            codes[status] = codes.get(status, 0) + 1

        print(
            f"sent={len(results)} accepted={len(accepted)} errors={errors} "
            f"statuses={dict(sorted(codes.items()))}"
        )
        print(
            f"accepted_per_s={len(accepted) / elapsed:.1f} "
            f"p50_ms={statistics.median(latencies) if latencies else 0:.1f} "
            f"p99_ms={percentile(latencies, 0.99):.1f} max_ms={max(latencies, default=0):.1f}"
        )

        drain_started = time.monotonic()
        statuses: dict[int, str] = {}
        for _ in range(int(args.drain_timeout) + 1):
            statuses = stack.statuses(accepted)
            if all(s != "pending" for s in statuses.values()):
                break
            time.sleep(1)
        stored = len(statuses)
        decided = sum(1 for s in statuses.values() if s != "pending")
        outcomes: dict[str, int] = {}
        for status in statuses.values():
            outcomes[status] = outcomes.get(status, 0) + 1
        waits = [
            row[0]
            for row in stack.query(
                "SELECT (julianday(decided_at) - julianday(created_at)) * 86400000 FROM comments "
                "WHERE decided_at IS NOT NULL"
            )
        ]
        events = stack.classify_events(accepted)
        print(
            f"drained in {time.monotonic() - drain_started:.1f} s: stored={stored} "
            f"decided={decided} outcomes={dict(sorted(outcomes.items()))}"
        )
        print(
            f"submit_to_decision p50_ms={statistics.median(waits) if waits else 0:.0f} "
            f"p99_ms={percentile(waits, 0.99):.0f}; comments with exactly one decision event: "
            f"{sum(1 for n in events.values() if n == 1)}/{len(accepted)}"
        )
    lost = len(accepted) - decided
    print(
        f"accepted={len(accepted)} decided={decided} lost={lost} "
        f"p99_ms={percentile(latencies, 0.99):.0f} errors={errors}"
    )
    return 0 if lost == 0 and stored == len(accepted) else 1


if __name__ == "__main__":
    sys.exit(main())
