"""Spam learning on real comments: the UCI YouTube Spam Collection, one video held out at a time.

    python bench/spam_real.py [--data ../shared/data/youtube-spam]

Data: T. C. Alberto, J. V. Lochter, T. A. Almeida, "TubeSpam: Comment Spam Filtering on
YouTube", IEEE ICMLA 2015; UCI Machine Learning Repository, dataset 380; CC BY 4.0.

Starts an isolated stack (service/testing/stack.py: its own redis-server, gunicorn, a Celery
worker, a SQLite file). For each video in turn, on a fresh site:

1. cold start: every comment of the held-out video through Akismet `comment-check`;
2. feedback: the other two videos' comments in date order, alternately through the review
   API (posted to the site, held by pre-moderation, then marked spam or approved with a
   moderator token) and through Akismet `submit-spam` / `submit-ham` with a server key; the
   worker's learn task fits the site's model and stores it;
3. after feedback: the held-out video through `comment-check` again (the API reloads the stored
   model when its version changes);
4. baseline: TF-IDF (word 1-2 + char 2-5 grams) and logistic regression, trained here on the
   same feedback texts, predicting the same held-out comments.

A comment counts as flagged when `comment-check` answers `true`. Of those, the automatic
verdicts are the ones it marks with Akismet's `discard` pro tip (the stage's discard: stored as
spam, never shown, no moderator sees it); the rest were held (the stage's hold: a moderator
decides), counted apart, as bench/spam_eval.py does. The ceiling: with the stored model (read
from the stack's database, run through the same spam stage here) and the baseline's
probabilities, the best recall any threshold reaches at fpr <= 0.01 on the held-out video,
that threshold chosen on the held-out video itself: an upper bound, not a result.
The comments carry no emails, IPs or user agents: each gets a browser user agent and its own
address. Checks are sent with `is_test=1` so that the near-duplicate and velocity windows
stay out of it: the set spans months, and replaying it in seconds would turn ordinary
repeated praise into "waves".
How sure the figures are: each held-out video's comments are drawn again with replacement
(BOOTSTRAP_ROUNDS times, one draw for both classifiers), giving 95% intervals of the mean F1
gap to the baseline and of the ceiling.
The last line gives the mean over folds after feedback.
"""

import argparse
import csv
import html
import http.client
import random
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline, make_union  # noqa: E402

from service.testing.stack import LOOPBACK, Stack, wait_for  # noqa: E402
from workers.classifiers.spam import SpamInput, SpamModel, check_spam  # noqa: E402

# ../shared/data/youtube-spam beside the checkout (or beside a folder of checkouts).
DATA = next((folder / "shared" / "data" / "youtube-spam"
             for folder in Path(__file__).resolve().parents[1].parents
             if (folder / "shared" / "data" / "youtube-spam").is_dir()),
            Path("../shared/data/youtube-spam"))  # fmt: skip
CEILING_FPR = 0.01
# Draws of the held-out comments for the uncertainty of the figures (paired bootstrap).
BOOTSTRAP_ROUNDS = 2000
VIDEOS = ("Youtube01-Psy.csv", "Youtube02-KatyPerry.csv", "Youtube03-LMFAO.csv")
BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36"
)


def load(path: Path) -> list[dict]:
    """Return a video's comments in date order, as the reader typed them."""
    with path.open(encoding="utf-8", newline="") as rows:
        comments = [
            {"id": row["COMMENT_ID"], "author": row["AUTHOR"], "date": row["DATE"],
             "text": html.unescape(row["CONTENT"]).replace("\ufeff", "").strip(),
             "spam": row["CLASS"] == "1"}
            for row in csv.DictReader(rows)
        ]  # fmt: skip
    return sorted((c for c in comments if c["text"]), key=lambda c: c["date"])


def address(n: int) -> str:
    return f"198.18.{(n >> 8) & 255}.{n & 255}"


class Client:
    """The calls a site, its moderators and its WordPress plugin make, on one stack."""

    def __init__(self, stack: Stack, admin_token: str, fold: int):
        self.stack = stack
        self.origin = f"https://video{fold}.example"
        admin = {"Authorization": f"Bearer {admin_token}"}
        site = self.ok(
            stack.request(
                "POST",
                "/v1/admin/sites",
                {
                    "name": f"Video {fold}",
                    "origins": [self.origin],
                    "settings": {
                        "moderation_mode": "pre",
                        "flood_seconds": 0,
                        "require_name_email": False,
                    },
                },
                admin,
            )
        )
        self.site_id, self.site_key = site["id"], site["site_key"]
        self.server_key = self.ok(
            stack.request(
                "POST",
                f"/v1/admin/sites/{self.site_id}/server-keys",
                {"name": f"wordpress {fold}"},
                admin,
            )
        )["key"]
        token = self.ok(
            stack.request(
                "POST",
                "/v1/admin/tokens",
                {"role": "moderator", "site_id": self.site_id, "name": f"moderator {fold}"},
                admin,
            )
        )
        self.moderator = {"Authorization": f"Bearer {token['key']}"}

    @staticmethod
    def ok(response) -> dict:
        if response.status >= 300:
            raise RuntimeError(f"HTTP {response.status}: {response.body[:300]!r}")
        return response.json()

    def akismet(self, call: str, comment: dict, n: int, **extra: str) -> tuple[str, str]:
        """Return the answer and the pro tip (empty when none) of an Akismet call."""
        form = {
            "api_key": self.server_key,
            "blog": self.origin,
            "user_ip": address(n),
            "user_agent": BROWSER,
            "permalink": f"{self.origin}/watch",
            "comment_type": "comment",
            "comment_author": comment["author"][:245],
            "comment_content": comment["text"],
            **extra,
        }
        connection = http.client.HTTPConnection(LOOPBACK, self.stack.api_port, timeout=30)
        try:
            connection.request(
                "POST",
                f"/1.1/{call}",
                body=urllib.parse.urlencode(form),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            response = connection.getresponse()
            answer = response.read().decode()
            tip = response.getheader("X-akismet-pro-tip", "")
        finally:
            connection.close()
        if response.status != 200 or answer == "invalid":
            raise RuntimeError(f"{call}: HTTP {response.status} {answer!r}")
        return answer, tip

    def check(self, comments: list[dict]) -> list[str]:
        """Return comment-check's outcome for each comment: "discard", "held" or "passed"."""
        outcomes = []
        for n, c in enumerate(comments):
            answer, tip = self.akismet("comment-check", c, n, is_test="1")
            outcomes.append("passed" if answer == "false" else tip or "held")
        return outcomes

    def stored_model(self) -> SpamModel:
        """Return the site's model as the worker stored it."""
        state = self.stack.query("SELECT state FROM spam_models WHERE site_id = ?", self.site_id)[
            0
        ][0]
        return SpamModel.from_bytes(state)

    def post(self, comment: dict, n: int) -> int | None:
        """Post a comment as a reader; None when intake refuses it (e.g. a duplicate)."""
        # The set has no emails; the site asks for none (WordPress's require_name_email off).
        response = self.stack.request(
            "POST",
            "/v1/articles/video/comments",
            {"author_name": comment["author"][:100], "body": comment["text"]},
            {
                "X-Site-Key": self.site_key,
                "X-Forwarded-For": address(n),
                "User-Agent": BROWSER,
                "Origin": self.origin,
            },
        )
        return response.json()["id"] if response.status == 202 else None

    def moderate(self, comment_id: int, is_spam: bool) -> None:
        """Mark a held comment spam, or approve it, as a moderator on the review API."""
        item = self.ok(
            self.stack.request(
                "GET", f"/v1/moderation/comments/{comment_id}", headers=self.moderator
            )
        )
        self.ok(
            self.stack.request(
                "POST",
                f"/v1/moderation/comments/{comment_id}/decision",
                {"action": "spam" if is_spam else "approve", "version": item["version"]},
                self.moderator,
            )
        )

    def feed(self, comments: list[dict]) -> list[dict]:
        """Give the site's moderators' decisions on comments; return those that were taken."""
        by_moderator, by_plugin = comments[0::2], comments[1::2]
        posted = [(c, self.post(c, 10_000 + n)) for n, c in enumerate(by_moderator)]
        # Refused by intake (a duplicate, say): the site's plugin reports it instead.
        by_plugin += [c for c, comment_id in posted if comment_id is None]
        posted = [(c, comment_id) for c, comment_id in posted if comment_id is not None]
        if len(posted) < len(by_moderator) // 2:
            raise RuntimeError(f"intake took only {len(posted)} of {len(by_moderator)} comments")
        self.stack.wait_decided([comment_id for _, comment_id in posted], timeout=600)
        for comment, comment_id in posted:
            self.moderate(comment_id, comment["spam"])
        for n, comment in enumerate(by_plugin):
            self.akismet("submit-spam" if comment["spam"] else "submit-ham", comment, 20_000 + n)
        return [c for c, _ in posted] + by_plugin

    def wait_learned(self, timeout: float = 600) -> int:
        """Wait until the worker has learned every feedback row; return the model's examples."""

        def learned():
            waiting = self.stack.query(
                "SELECT count(*) FROM spam_feedback WHERE site_id = ? AND learned = 0", self.site_id
            )[0][0]
            rows = self.stack.query(
                "SELECT examples FROM spam_models WHERE site_id = ?", self.site_id
            )
            return rows[0][0] if rows and not waiting else None

        return wait_for(learned, timeout, interval=0.25, what="the spam model learned")


def baseline(train: list[dict], test: list[dict]) -> list[float]:
    """Return test's spam probabilities by TF-IDF word 1-2 + char 2-5 grams and logistic
    regression (flagged from 0.5, as its predict)."""
    model = make_pipeline(
        make_union(TfidfVectorizer(analyzer="word", ngram_range=(1, 2)),
                   TfidfVectorizer(analyzer="char", ngram_range=(2, 5))),
        LogisticRegression(max_iter=2000))  # fmt: skip
    model.fit([c["text"] for c in train], [c["spam"] for c in train])
    return [float(p) for p in model.predict_proba([c["text"] for c in test])[:, 1]]


def service_probabilities(model: SpamModel, test: list[dict]) -> list[float]:
    """Return the spam stage's probabilities with the stored model, as comment-check's
    (is_test: no velocity or near-duplicate windows)."""
    return [
        check_spam(
            SpamInput(
                site_id=0,
                article_id=None,
                body=c["text"],
                author_name=c["author"][:245],
                ip=address(n),
                user_agent=BROWSER,
            ),
            {},
            model=model,
        ).probability
        for n, c in enumerate(test)
    ]


def recall_at_fpr(scores: list[float], comments: list[dict], fpr: float = CEILING_FPR) -> float:
    """Return the recall of the best threshold whose false-positive rate is at most fpr."""
    ham = sorted((s for s, c in zip(scores, comments, strict=True) if not c["spam"]), reverse=True)
    spam = [s for s, c in zip(scores, comments, strict=True) if c["spam"]]
    allowed = int(fpr * len(ham))  # this many not-spam may score at or above the threshold
    above = ham[allowed] if allowed < len(ham) else float("-inf")
    return sum(s > above for s in spam) / len(spam)


def bootstrap(folds: list[list[dict]], statistic, rounds: int = BOOTSTRAP_ROUNDS) -> dict:
    """Return the 95% interval of the mean over folds of statistic(comments), each fold's
    held-out comments drawn again with replacement (the same draw for every classifier in a
    comment's record: a paired bootstrap), and the share of draws in which it is over 0."""
    draw = random.Random(0)
    values = sorted(
        statistics.mean(statistic(draw.choices(fold, k=len(fold))) for fold in folds)
        for _ in range(rounds)
    )
    return {
        "low": values[int(0.025 * rounds)],
        "high": values[int(0.975 * rounds) - 1],
        "over_zero": sum(v > 0 for v in values) / rounds,
    }


def f1_gap(records: list[dict]) -> float:
    """Return the F1 of the records' "flagged" minus that of their "baseline" verdicts."""
    service = figures([r["flagged"] for r in records], records)["f1"]
    return service - figures([r["baseline"] for r in records], records)["f1"]


def ceiling(records: list[dict]) -> float:
    """Return the recall at fpr <= CEILING_FPR of the records' "score", threshold chosen on them."""
    return recall_at_fpr([r["score"] for r in records], records)


def paired(comments: list[dict], flagged, baseline_flagged, scores) -> list[dict]:
    """Return a record per held-out comment for bootstrap(): its truth, both verdicts, the score."""
    return [
        {"spam": c["spam"], "flagged": f, "baseline": b, "score": p}
        for c, f, b, p in zip(comments, flagged, baseline_flagged, scores, strict=True)
    ]


def intervals(folds: list[list[dict]], scored: str) -> str:
    """Return the 95% intervals of the F1 gap to the baseline and of the ceiling, as a line."""
    gap, top = bootstrap(folds, f1_gap), bootstrap(folds, ceiling)
    return (
        f"95% intervals ({BOOTSTRAP_ROUNDS} paired draws of each held-out video's comments): "
        f"F1 minus the baseline's {gap['low']:+.3f} to {gap['high']:+.3f} (ahead in "
        f"{gap['over_zero']:.0%} of draws); {scored} ceiling {top['low']:.3f} to {top['high']:.3f}"
    )


def figures(flagged: list[bool], comments: list[dict]) -> dict[str, float]:
    truth = [c["spam"] for c in comments]
    tp = sum(f and t for f, t in zip(flagged, truth, strict=True))
    fp = sum(f and not t for f, t in zip(flagged, truth, strict=True))
    spam, ham = sum(truth), len(truth) - sum(truth)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / spam if spam else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "fpr": fp / ham if ham else 0.0,
        "f1": f1,
        "tp": tp,
        "fp": fp,
    }


def line(name: str, f: dict) -> str:
    return (
        f"  {name:16} precision={f['precision']:.3f} recall={f['recall']:.3f} "
        f"fpr={f['fpr']:.3f} f1={f['f1']:.3f}  (tp {f['tp']:g}, fp {f['fp']:g})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--examples", type=int, default=5, help="misses to print per fold")
    args = parser.parse_args()
    videos = {name: load(args.data / name) for name in VIDEOS}
    print(
        "UCI YouTube Spam Collection (Alberto, Lochter, Almeida, ICMLA 2015; CC BY 4.0): "
        + ", ".join(
            f"{name} {len(c)} ({sum(x['spam'] for x in c)} spam)" for name, c in videos.items()
        )
    )
    print("flagged = Akismet comment-check answers true; a fresh site per fold")
    results: dict[str, list[dict]] = {"cold": [], "after": [], "baseline": [], "automatic": []}
    held: list[tuple[int, int]] = []  # (spam, not spam) held for a moderator, per fold
    ceilings: list[tuple[float, float]] = []  # recall at fpr <= CEILING_FPR: service, baseline
    records: list[list[dict]] = []  # per fold, per held-out comment: truth and both verdicts
    with (
        tempfile.TemporaryDirectory(prefix="spam-real-") as root,
        Stack(Path(root), api_workers=2, settings={"RATE_LIMIT_ENABLED": "false"}) as stack,
    ):
        for fold, held_out in enumerate(VIDEOS, start=1):
            test = videos[held_out]
            train = sorted(
                (c for name in VIDEOS if name != held_out for c in videos[name]),
                key=lambda c: c["date"],
            )
            client = Client(stack, stack.setup["admin"], fold)
            started = time.perf_counter()
            cold = [o != "passed" for o in client.check(test)]
            check_s = time.perf_counter() - started
            fed = client.feed(train)
            fed_at = time.perf_counter()
            examples = client.wait_learned()
            learn_s = time.perf_counter() - fed_at
            outcomes = client.check(test)
            after = [o != "passed" for o in outcomes]
            base_scores = baseline(fed, test)
            base = [p >= 0.5 for p in base_scores]
            scores = service_probabilities(client.stored_model(), test)
            agree = sum((p >= 0.5) == f for p, f in zip(scores, after, strict=True))
            rows = {
                "cold": figures(cold, test),
                "after": figures(after, test),
                "baseline": figures(base, test),
                "automatic": figures([o == "discard" for o in outcomes], test),
            }
            kept = [c["spam"] for o, c in zip(outcomes, test, strict=True) if o == "held"]
            held.append((sum(kept), len(kept) - sum(kept)))
            ceilings.append((recall_at_fpr(scores, test), recall_at_fpr(base_scores, test)))
            records.append(paired(test, after, base, scores))
            for name, row in rows.items():
                results[name].append(row)
            print(
                f"\n== fold {fold}: held out {held_out} ({len(test)} comments); feedback "
                f"{len(fed)} decisions, model on {examples}; learned {learn_s:.1f} s after "
                f"the last decision; comment-check {len(test) / check_s:.0f}/s"
            )
            print(line("cold start", rows["cold"]))
            print(line("after feedback", rows["after"]))
            print(line("baseline", rows["baseline"]))
            print(
                line("automatic", rows["automatic"])
                + f"; held: {held[-1][0]} spam, {held[-1][1]} not spam"
            )
            print(
                f"  ceiling: recall at fpr <= {CEILING_FPR} (threshold chosen on this video): "
                f"service {ceilings[-1][0]:.3f}, baseline {ceilings[-1][1]:.3f}; the stored "
                f"model here agrees with comment-check on {agree}/{len(test)}"
            )
            misses = [
                (c, "missed spam" if c["spam"] else "false positive")
                for c, flagged in zip(test, after, strict=True)
                if flagged != c["spam"]
            ]
            for comment, what in misses[: args.examples]:
                print(f"    {what}: {comment['text'][:100]!r}")

    print("\n== mean over folds")
    mean = {
        name: {
            key: statistics.mean(r[key] for r in rows)
            for key in ("precision", "recall", "fpr", "f1", "tp", "fp")
        }
        for name, rows in results.items()
    }
    for name, title in (
        ("cold", "cold start"),
        ("after", "after feedback"),
        ("baseline", "baseline"),
        ("automatic", "automatic"),
    ):
        print(line(title, mean[name]))
    print(
        "  automatic = discarded unseen (Akismet's discard pro tip); the rest of the flagged "
        "were held for a moderator: "
        f"{statistics.mean(h[0] for h in held):.1f} spam, "
        f"{statistics.mean(h[1] for h in held):.1f} not spam per fold (not counted as caught)"
    )
    print(
        f"  ceiling: recall at fpr <= {CEILING_FPR} with a threshold chosen on the held-out "
        f"video: service {statistics.mean(c[0] for c in ceilings):.3f}, baseline "
        f"{statistics.mean(c[1] for c in ceilings):.3f}"
    )
    print(f"  {intervals(records, 'service')}")
    after = mean["after"]
    print(
        f"precision={after['precision']:.3f} recall={after['recall']:.3f} "
        f"fpr={after['fpr']:.3f} baseline_f1={mean['baseline']['f1']:.3f} f1={after['f1']:.3f}"
    )


if __name__ == "__main__":
    main()
