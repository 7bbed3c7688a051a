"""Adversarial input against every function that walks request text: is each one linear?

Feeds each entry point crafted worst cases (repeated separators, `www.` chains, nested
brackets, long words, zero-width runs, mixed scripts, many URLs, many sentence ends, repeated
punctuation, spam phrases...) at 8 KB and at the largest size the API accepts there, and
prints per entry point its slowest case: CPU ms at both sizes, ms per KB and the max/8K time
ratio (linear is the size ratio: 8 for 64K/8K). Times are process CPU time with the spam
stage's fold/normalize caches cleared before every call. The two sizes of a case are timed
side by side, one large call then as many small calls as the sizes differ, over and over, so
both see the same state of the machine (its speed drifts by a third from minute to minute,
and a single call can take half as long again); a round keeps each size's quickest call, the
ratio is the median of a few rounds taken over every case in turn, and the times are the
quickest of all.
Last line: worst_ratio=<n> worst_ms=<n> entry=<name>, where worst_ratio is the highest time
ratio scaled to 64K/8K, worst_ms the slowest call at the maximum size, and entry the entry
point furthest over its targets (ratio <= 10, <= 50 ms).

    python bench/adversarial.py [--repeats 7] [--only NAME] [--cases]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from service import create_app  # noqa: E402
from service.api import akismet  # noqa: E402
from service.api.perspective.errors import GoogleError  # noqa: E402
from service.api.perspective.requests import (  # noqa: E402
    comment_text,
    load_google,
    request_languages,
    requested_attributes,
)
from service.api.perspective.schemas import ANALYZE_REQUEST, MAX_TEXT_BYTES  # noqa: E402
from service.api.perspective.scoring import attribute_scores  # noqa: E402
from service.config import DEFAULTS  # noqa: E402
from workers.classifiers import language, sentences  # noqa: E402
from workers.classifiers.spam import SpamInput, check_spam, neardup, rules, signals  # noqa: E402
from workers.classifiers.spam.normalize import fold, normalize  # noqa: E402

SMALL = 8192
MAX_CONTENT = 65525  # intake and Akismet comment content (WordPress's column limit)
MAX_PERSPECTIVE = MAX_TEXT_BYTES  # comment.text, in UTF-8 bytes
MAX_BODY = DEFAULTS["MAX_REQUEST_BYTES"]  # a whole request body, every endpoint (1 MiB)
TARGET_RATIO, TARGET_MS = 10.0, 50.0
LARGE_CALLS = 3  # calls on the large text per round, each followed by its share of small ones


def repeat(unit: str, size: int) -> str:
    """Return unit repeated to exactly size characters."""
    return (unit * (size // len(unit) + 1))[:size]


def cut_bytes(text: str, limit: int) -> str:
    """Return the longest prefix of text whose UTF-8 encoding fits in limit bytes."""
    return text.encode()[:limit].decode(errors="ignore")


SPAM_PHRASES = (
    "online casino free spins bitcoin investment recover my funds payday loans no credit check "
    "viagra without prescription hot singles backlinks work from home earn $500 per day "
    "whatsapp +1 555 123 4567 spell caster click here best prices live stream free "
    "great post very informative thanks for sharing keep up the good work bookmarked "
)
CASES: dict[str, Callable[[int], str]] = {
    "initials": lambda n: repeat("a. ", n),  # every period after an initial: no boundary
    "sentence_ends": lambda n: repeat("ab. ", n),
    "bangs": lambda n: "!" * n,
    "end_marks_spaced": lambda n: repeat("?! ", n),
    "emoticons": lambda n: repeat("ok. :) ", n),
    "www_chain": lambda n: repeat("www.", n),
    "dot_chain": lambda n: repeat("a.", n),
    "hyphen_chain": lambda n: repeat("a-", n),
    "long_word": lambda n: "a" * n,
    "long_digits": lambda n: "earn $1" + "1" * (n - 7),
    "spaced_letters": lambda n: repeat("c ", n),
    "underscored": lambda n: repeat("c_", n) + "x",
    "leet": lambda n: repeat("v1agr4 c4s1n0 ", n),
    "bang_words": lambda n: repeat("a!b!", n),
    "nested_brackets": lambda n: repeat("[(<{", n),
    "open_tags": lambda n: repeat("<a href=", n),
    "tags": lambda n: repeat('<a href="http://x.io">x</a> ', n),
    "bbcode": lambda n: repeat("[url=http://x.io]", n),
    "many_urls": lambda n: repeat("http://bit.ly/x ", n),
    "url_one": lambda n: "http://" + repeat("www.", n - 7),
    "emails": lambda n: repeat("a.b@c.io ", n),
    "at_chain": lambda n: repeat("a@", n),
    "digits_spaced": lambda n: repeat("1 ", n),
    "dollars": lambda n: repeat("$1", n),
    "zero_width": lambda n: repeat("a\u200b", n),
    "zero_width_only": lambda n: "\u200b" * n,
    "combining": lambda n: repeat("e\u0301\u0301", n),
    "mixed_scripts": lambda n: repeat("Pаypаl οnline 日本語 😀 ", n),
    "cyrillic": lambda n: repeat("Привет мир это тест. ", n),
    "newlines": lambda n: "\n" * n,
    "whitespace": lambda n: repeat(" \t\n\u00a0", n),
    "spam_phrases": lambda n: repeat(SPAM_PHRASES, n),
    "prose": lambda n: repeat(
        "The council voted today. Some people are happy about it, others are not, and "
        "the comments below show it. ", n),
}  # fmt: skip

SETTINGS = {
    "banned_words": ["casino", "viagra", "idiot", "spam", "scam"],
    "suspect_words": ["loan", "bitcoin", "crypto", "www", "a"],
    "moderation_keys": ["http://", "bit.ly", "aaaa", "a.a.a"],
    "disallowed_keys": ["badguy@example.com", "10.0.0.1", "www.www"],
}


def clear_caches() -> None:
    """Forget folded and normalised texts, so every timed call does the whole work."""
    fold.cache_clear()
    normalize.cache_clear()


def spam_item(text: str) -> SpamInput:
    return SpamInput(
        site_id=1,
        article_id=1,
        body=text,
        author_name="Jane Reader",
        author_email="jane@mail.example",
        author_url="https://jane.example/",
        ip="203.0.113.9",
        user_agent="Mozilla/5.0 (X11; Linux x86_64)",
    )


def stage_without_redis(text: str) -> None:
    check_spam(spam_item(text), SETTINGS)


def links_and_hosts(text: str) -> None:
    links = rules.find_links(text, "http://" + text[:200])
    signals.hosts_of(links, text)
    signals.link_signals(links, text, 100)


def rule_hits(text: str) -> None:
    links = rules.find_links(text)
    rules.apply_rules(
        body=text,
        author_name=text[:245],
        author_email="a@b.example",
        author_url=text[:200],
        ip="203.0.113.9",
        user_agent=text[:500],
        links=links,
        settings={**SETTINGS, "max_links": 2},
    )


def all_signals(text: str) -> None:
    item = spam_item(text)
    signals.comment_evidence(item, min_submit_s=3.0)
    signals.author_signals(text[:245], "x@" + text[:98])


def shingling(text: str) -> None:
    neardup.signature(normalize(text))


def language_input(text: str) -> None:
    language.detect_language(text, language.MULTILINGUAL)


def span_offsets(text: str) -> None:
    """Sentence spans of a Perspective text mapped to UTF-16 offsets, as analyze answers."""
    spans = sentences.split_sentences(text)[:50]
    scores = {"toxicity": 0.5}
    answer = {
        "scores": scores,
        "spans": [{"begin": b, "end": e, "scores": scores} for b, e in spans],
    }
    attribute_scores({"TOXICITY": {}}, answer, text, True)


class Parsers:
    """The Perspective and Akismet request parsers, run inside a request context."""

    def __init__(self):
        self.data_dir = tempfile.TemporaryDirectory()
        self.app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{self.data_dir.name}/bench.db",
                "DATA_DIR": self.data_dir.name,
                "SECRET_KEY": "adversarial-bench",
                "REDIS_URL": "redis://127.0.0.1:6379/10",
                "RATE_LIMIT_ENABLED": False,
            }
        )
        self.bodies: dict[str, str] = {}
        self.client = self.app.test_client()

    def keep(self, text: str, body: str) -> None:
        """Keep the body built for a text (every case's, ~40 MB), so only the parsing is timed."""
        self.bodies[text] = body

    def perspective(self, text: str) -> None:
        body = self.bodies.get(text) or json.dumps(
            {
                "comment": {"text": text},
                "languages": ["en"],
                "requestedAttributes": {"TOXICITY": {}, "INSULT": {}},
            }
        )
        self.keep(text, body)
        with self.app.test_request_context(
            "/v1alpha1/comments:analyze", method="POST", data=body, content_type="application/json"
        ):
            data = load_google(ANALYZE_REQUEST)
            comment_text(data)
            requested_attributes(data)
            request_languages(data)

    def akismet(self, text: str) -> None:
        body = self.bodies.get(text) or urlencode(
            {
                "api_key": "0123456789ab",
                "blog": "https://blog.example",
                "user_ip": "203.0.113.9",
                "comment_content": text,
                "comment_author": text[:245],
                "comment_author_url": text[:200],
            }
        )
        self.keep(text, body)
        with self.app.test_request_context(
            "/1.1/comment-check",
            method="POST",
            data=body,
            content_type="application/x-www-form-urlencoded",
        ):
            akismet.load_form(akismet.COMMENT_FORM)

    def perspective_values(self, body: str) -> None:
        """Parse a body of many tiny JSON values (refused past MAX_JSON_VALUES)."""
        with self.app.test_request_context(
            "/v1alpha1/comments:analyze", method="POST", data=body, content_type="application/json"
        ):
            try:
                load_google(ANALYZE_REQUEST)
            except GoogleError:
                pass

    def akismet_fields(self, body: str) -> None:
        """Post a form of many empty fields (refused past MAX_FORM_FIELDS, before parsing)."""
        response = self.client.post(
            "/1.1/comment-check", data=body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code in (200, 413)  # 200: "invalid" (the form has no key)


BODY_CASES: dict[str, Callable[[int], str]] = {
    "context_entries": lambda n: (
        '{"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, "context": '
        '{"entries": [' + ",".join(["{}"] * ((n - 110) // 3)) + "]}}"
    ),
    "languages": lambda n: (
        '{"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, "languages": ['
        + ",".join(['"en"'] * ((n - 100) // 5))
        + "]}"
    ),
}
FORM_CASES: dict[str, Callable[[int], str]] = {
    "empty_fields": lambda n: repeat("a=&", n)[:-1],
    "escaped_fields": lambda n: repeat("%E2%80%8B=%E2%80%8B&", n).rpartition("&")[0],
}


def entry_points() -> dict[str, tuple[Callable[[str], None], int, bool, dict]]:
    """Return name -> (function, largest accepted size, size in UTF-8 bytes, cases)."""
    parsers = Parsers()
    return {
        "split_sentences": (sentences.split_sentences, MAX_CONTENT, False, CASES),
        "normalize": (normalize, MAX_CONTENT, False, CASES),
        "rules": (rule_hits, MAX_CONTENT, False, CASES),
        "links_hosts": (links_and_hosts, MAX_CONTENT, False, CASES),
        "signals": (all_signals, MAX_CONTENT, False, CASES),
        "neardup_shingles": (shingling, MAX_CONTENT, False, CASES),
        "language_input": (language_input, MAX_CONTENT, False, CASES),
        "spam_stage": (stage_without_redis, MAX_CONTENT, False, CASES),
        "span_offsets": (span_offsets, MAX_PERSPECTIVE, True, CASES),
        "perspective_parse": (parsers.perspective, MAX_PERSPECTIVE, True, CASES),
        "perspective_values": (parsers.perspective_values, MAX_BODY, True, BODY_CASES),
        "akismet_parse": (parsers.akismet, MAX_CONTENT, False, CASES),
        "akismet_fields": (parsers.akismet_fields, MAX_BODY, True, FORM_CASES),
    }


def side_by_side_ms(function: Callable[[str], None], small: str, large: str) -> tuple[float, float]:
    """Return the CPU milliseconds of the quickest call on small and on large, timed interleaved."""
    per_large = max(1, round(len(large) / len(small)))
    best = [float("inf"), float("inf")]
    for _ in range(LARGE_CALLS):
        for which, text, count in ((1, large, 1), (0, small, per_large)):
            for _ in range(count):
                clear_caches()
                start = time.process_time()
                function(text)
                best[which] = min(best[which], time.process_time() - start)
    return best[0] * 1000, best[1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", help="run only this entry point")
    parser.add_argument("--cases", action="store_true", help="print every case, not the worst")
    args = parser.parse_args()

    load_before = f"{os.getloadavg()[0]:.2f}"
    language.warm_up()
    points = entry_points()
    worst = {"ratio": 0.0, "ms": 0.0, "excess": 0.0, "entry": ""}
    print(
        f"{'entry':18} {'max':>6} {'worst case':18} {'ms@8K':>8} {'ms@max':>8} "
        f"{'ms/KB':>7} {'ratio':>6} {'x64K/8K':>7}"
    )
    # Every case at both sizes, then again, round after round: a case's repeats are spread
    # over the whole run, so a burst of load on a shared machine spoils one of them, not all.
    tasks = []
    for name, (function, largest, in_bytes, cases) in points.items():
        if args.only and name != args.only:
            continue
        for case, make in cases.items():
            small, large = make(SMALL), make(largest * 2)
            small = cut_bytes(small, SMALL) if in_bytes else small[:SMALL]
            large = cut_bytes(large, largest) if in_bytes else large[:largest]
            function(small)  # warm up: first-use costs (compiled patterns, caches) aside
            tasks.append(
                {"name": name, "case": case, "function": function, "small": small,
                 "large": large, "ms_small": float("inf"), "ms_large": float("inf"), "ratios": []}
            )  # fmt: skip
    for _ in range(args.repeats):
        for task in tasks:
            ms_small, ms_large = side_by_side_ms(task["function"], task["small"], task["large"])
            task["ms_small"] = min(task["ms_small"], ms_small)
            task["ms_large"] = min(task["ms_large"], ms_large)
            task["ratios"].append(ms_large / max(ms_small, 1e-6))
    for name in dict.fromkeys(task["name"] for task in tasks):
        rows = []
        for task in (t for t in tasks if t["name"] == name):
            ms_small, ms_large, case = task["ms_small"], task["ms_large"], task["case"]
            size_ratio = len(task["large"]) / len(task["small"])
            ratio = statistics.median(task["ratios"])
            # The time ratio as if the largest size were 64K, so every entry reads against 8.
            scaled = ratio * (MAX_CONTENT / SMALL) / size_ratio
            rows.append((scaled, ms_large, case, ms_small, ratio, len(task["large"])))
            if args.cases:
                print(
                    f"  {name:16} {case:18} {ms_small:8.2f} {ms_large:8.2f} "
                    f"{ms_large / (len(task['large']) / 1024):7.3f} {ratio:6.1f} {scaled:7.1f}"
                )
        scaled, ms_large, case, ms_small, ratio, chars = max(
            rows, key=lambda r: max(r[0] / TARGET_RATIO, r[1] / TARGET_MS)
        )
        slowest = max(row[1] for row in rows)
        worst_scaled = max(row[0] for row in rows)
        print(
            f"{name:18} {chars:6d} {case:18} {ms_small:8.2f} {ms_large:8.2f} "
            f"{ms_large / (chars / 1024):7.3f} {ratio:6.1f} {scaled:7.1f}",
            flush=True,
        )
        excess = max(worst_scaled / TARGET_RATIO, slowest / TARGET_MS)
        worst["ratio"] = max(worst["ratio"], worst_scaled)
        worst["ms"] = max(worst["ms"], slowest)
        if excess > worst["excess"]:
            worst.update(excess=excess, entry=name)
    print(f"load average before and after: {load_before} / {os.getloadavg()[0]:.2f}")
    print(f"worst_ratio={worst['ratio']:.1f} worst_ms={worst['ms']:.1f} entry={worst['entry']}")


if __name__ == "__main__":
    main()
