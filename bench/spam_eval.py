"""Evaluate the spam stage on the labelled set: cold start, then after moderator feedback.

    python bench/spam_eval.py [--data service/testing/data/spam_comments.jsonl] [--redis-url URL]

Runs check_spam() on every test-split comment in posting order (times simulated from the
set's posted_at offsets), with a real Redis when one answers (velocity and near-duplicate
waves) and without it otherwise. First with no model (cold start), then with a model fitted
on the train split's labels as the learn task fits a site's (each decision given as a
SpamInput, so the model learns the author fields too), and stored and reloaded through
to_bytes()/from_bytes() as workers do. A smoke test: the set is generated (see
bench/spam_real.py for real comments).

A comment counts as flagged spam when its action is spam, discard or reject. Holds are not
flagged: they go to a moderator, so they are reported on their own (spam held = caught for
review; ham held = moderator work, not a false positive). The last line is the after-feedback
`precision=<n> recall=<n> fpr=<n>`.
"""

import argparse
import json
import secrets
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.testing import LABELLED_COMMENTS  # noqa: E402
from workers.classifiers.spam import SpamInput, SpamModel, check_spam  # noqa: E402

DATA = LABELLED_COMMENTS
FLAGGED = {"spam", "discard", "reject"}
EPOCH = 1_800_000_000.0  # simulated start of the set's 72 hours


def load(path: Path) -> list[dict]:
    """Return the labelled comments."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def connect(url: str):
    """Return a Redis client if the server answers, else None."""
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
        return client
    except Exception as error:  # no server, no package: run without the Redis signals
        print(f"redis: not reachable at {url} ({error}); velocity and wave signals are off")
        return None


def as_input(item: dict, site_id: int) -> SpamInput:
    return SpamInput(
        site_id=site_id,
        article_id=item["article_id"],
        body=item["text"],
        author_name=item.get("author_name", ""),
        author_email=item.get("author_email", ""),
        author_url=item.get("author_url", ""),
        ip=item.get("ip", ""),
        user_agent=item.get("user_agent", ""),
        render_elapsed_s=item.get("render_elapsed_s"),
    )


def run(items: list[dict], redis, model: SpamModel | None) -> list[tuple[dict, object]]:
    """Judge the comments in posting order on a fresh site; return (item, verdict) pairs."""
    site_id = 900_000_000 + secrets.randbelow(99_999_999)  # fresh, so runs never share windows
    try:
        return [
            (
                item,
                check_spam(
                    as_input(item, site_id),
                    {},
                    redis,
                    model,
                    now=EPOCH + item["posted_at"],
                    secret=b"bench-secret",
                ),
            )
            for item in sorted(items, key=lambda item: item["posted_at"])
        ]
    finally:
        if redis is not None:
            for key in redis.scan_iter(f"spam:{site_id}:*", count=1000):
                redis.delete(key)


def report(
    title: str, results: list[tuple[dict, object]], seconds: float
) -> tuple[float, float, float]:
    """Print the figures for one run and return (precision, recall, fpr)."""
    spam = [(item, verdict) for item, verdict in results if item["label"] == "spam"]
    ham = [(item, verdict) for item, verdict in results if item["label"] == "ham"]
    tp = sum(verdict.action in FLAGGED for _, verdict in spam)
    fp = sum(verdict.action in FLAGGED for _, verdict in ham)
    spam_held = sum(verdict.action == "hold" for _, verdict in spam)
    ham_held = sum(verdict.action == "hold" for _, verdict in ham)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / len(spam) if spam else 0.0
    fpr = fp / len(ham) if ham else 0.0

    print(f"\n== {title} ({len(results)} comments, {len(results) / seconds:.0f}/s)")
    print(
        f"spam flagged (spam/discard/reject): {tp}/{len(spam)}   held for review: {spam_held}"
        f"   passed: {len(spam) - tp - spam_held}"
    )
    print(
        f"ham flagged (false positives): {fp}/{len(ham)}   held for review: {ham_held}"
        f" ({ham_held / len(ham):.3f})   passed: {len(ham) - fp - ham_held}"
    )
    print(
        f"precision={precision:.3f} recall={recall:.3f} fpr={fpr:.3f}"
        f"   recall counting holds as caught={(tp + spam_held) / len(spam):.3f}"
    )
    print("by kind (flagged / held / passed):")
    for kind in sorted({item["kind"] for item, _ in results}):
        actions = Counter(
            "flagged" if verdict.action in FLAGGED else verdict.action
            for item, verdict in results
            if item["kind"] == kind
        )
        print(f"  {kind:14} {actions['flagged']:3} / {actions['hold']:3} / {actions['pass']:3}")
    misses = [(item, v) for item, v in ham if v.action in FLAGGED or v.action == "hold"]
    for item, verdict in misses:
        text = item["text"][:90]
        print(f"  ham {verdict.action:7} p={verdict.probability:.2f} {verdict.reasons} {text!r}")
    for item, verdict in spam:
        if verdict.action == "pass":
            print(
                f"  spam passed p={verdict.probability:.2f} {verdict.reasons} {item['text'][:90]!r}"
            )
    return precision, recall, fpr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()

    items = load(args.data)
    train = [item for item in items if item["split"] == "train"]
    test = [item for item in items if item["split"] == "test"]
    spam = sum(item["label"] == "spam" for item in test)
    print(
        f"labelled set: {len(items)} comments; train {len(train)}, "
        f"test {len(test)} ({spam} spam, {len(test) - spam} ham)"
    )
    redis = connect(args.redis_url)
    if redis is not None:
        print(f"redis: {args.redis_url} (velocity and near-duplicate waves on)")
    print("flagged = action spam, discard or reject; holds are counted apart, not as flagged")

    started = time.perf_counter()
    cold = run(test, redis, model=None)
    report("cold start: rules and signals only", cold, time.perf_counter() - started)

    # Moderators' decisions, with their author fields as the review API stores them, fitted as
    # the learn task fits them, stored and reloaded as workers reload the model.
    ordered = sorted(train, key=lambda item: item["posted_at"])
    model = SpamModel.fit(
        [as_input(item, site_id=0) for item in ordered],
        [item["label"] == "spam" for item in ordered],
    )
    model = SpamModel.from_bytes(model.to_bytes())
    started = time.perf_counter()
    trained = run(test, redis, model=model)
    precision, recall, fpr = report(
        f"after feedback: model trained on {model.examples} train decisions",
        trained,
        time.perf_counter() - started,
    )
    print(f"precision={precision:.3f} recall={recall:.3f} fpr={fpr:.3f}")


if __name__ == "__main__":
    main()
