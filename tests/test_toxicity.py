"""The toxicity classifier: real Detoxify code on a tiny checkpoint, offline."""

import http.server
import itertools
import logging
import os
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

# Offline as in an air-gapped deployment: nothing may reach the Hugging Face hub.
os.environ.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})

from service.config import DEFAULTS  # noqa: E402
from service.testing.tiny_detoxify import TRIGGERS, build_tiny_checkpoint  # noqa: E402
from workers import models_pull  # noqa: E402
from workers.classifiers import toxicity  # noqa: E402
from workers.classifiers.sentences import split_sentences  # noqa: E402
from workers.classifiers.toxicity import (  # noqa: E402  # noqa: E402
    LABELS_ORIGINAL,
    ModelLoadError,
    OfflineModel,
    ToxicitySettings,
    checkpoints,
    load_toxicity_model,
    loading,
    network,
)
from workers.models_pull import PullError, pull_model  # noqa: E402

LABELS_UNBIASED = (
    "toxicity", "severe_toxicity", "obscene", "identity_attack", "insult", "threat",
    "sexual_explicit",
)  # fmt: skip
TEXTS = [
    "thanks for the article",
    "You are an idiot and I will not read your work, nor the rest of what you write here.",
    "ok",
    "I agree with you. This is a good read!",
    "the city council vote today is not interesting; we should talk about it more",
    "what a moron",
    "Nice work.  I hate this crap though.\nWe should talk.",
    "",
]


def config_for(checkpoint, hf_dir, **overrides):
    return {
        "TOXICITY_CHECKPOINT": str(checkpoint),
        "TOXICITY_HF_CONFIG": str(hf_dir),
        "TOXICITY_FAST_PATH": "off",
        **overrides,
    }


def load(config):
    """Load a model from config keys over the service's defaults, as a worker does."""
    return load_toxicity_model(ToxicitySettings.from_config({**DEFAULTS, **config}))


@pytest.fixture(scope="module")
def reference(tiny_model):
    """The tiny checkpoint on plain Detoxify (fp32 torch), in small batches."""
    return load(config_for(*tiny_model, TOXICITY_BATCH_SIZE=3))


@pytest.fixture(scope="module")
def detoxify(tiny_model):
    from detoxify import Detoxify

    checkpoint, hf_dir = tiny_model
    return Detoxify(checkpoint=str(checkpoint), huggingface_config_path=str(hf_dir))


@pytest.mark.parametrize(
    ("labels", "num_classes"),
    [(LABELS_ORIGINAL, None), (LABELS_UNBIASED, None), (LABELS_UNBIASED, 16)],
    ids=["original", "unbiased-style", "unbiased-with-extra-outputs"],
)
def test_labels_are_the_checkpoints_in_detoxify_naming(tmp_path, labels, num_classes):
    checkpoint, hf_dir = build_tiny_checkpoint(tmp_path, labels, num_classes=num_classes)

    model = load(config_for(checkpoint, hf_dir))
    [result] = model.score(["you are an idiot"])

    assert model.labels == labels
    assert list(result.scores) == list(labels)
    assert all(0.0 <= p <= 1.0 for p in result.scores.values())
    assert model.name == "detoxify-checkpoint"
    assert model.version.startswith("0.5.4/") and len(model.version) == len("0.5.4/") + 12


def test_results_come_back_in_input_order_though_batches_are_sorted_by_length(reference, detoxify):
    texts = [t for t in TEXTS if t]
    expected = [detoxify.predict(text) for text in texts]
    toxicity_scores = sorted(e["toxicity"] for e in expected)
    # Every text scores differently, so a mix-up could not go unnoticed...
    assert min(b - a for a, b in itertools.pairwise(toxicity_scores)) > 1e-4
    # ...and sorting by length really reorders them.
    assert sorted(texts, key=len) != texts

    results = reference.score(texts)

    assert len(results) == len(texts)
    for result, want in zip(results, expected, strict=True):
        assert result.scores == pytest.approx(want, abs=1e-5)


def test_truncation_caps_tokens(tiny_model, detoxify):
    long_text = "you are an idiot " + "we should talk about it more " * 100
    model = load(config_for(*tiny_model, TOXICITY_MAX_TOKENS=16))

    [result] = model.score([long_text])

    ids = detoxify.tokenizer(long_text, truncation=True, max_length=16)["input_ids"]
    assert result.scores == pytest.approx(
        detoxify.predict(detoxify.tokenizer.decode(ids, skip_special_tokens=True)), abs=1e-4
    )


def test_spans_slice_the_original_text_into_its_sentences(reference):
    text = "  Thanks for the article!  You are an idiot.\n\nWe should talk about it more"

    # Neighbours of other lengths, so length bucketing mixes their rows with the sentences.
    _, result, _ = reference.score(["I hate this crap, " * 4, text, "ok"])

    pieces = [text[s.begin : s.end] for s in result.spans]
    assert pieces == [
        "Thanks for the article!",
        "You are an idiot.",
        "We should talk about it more",
    ]
    # Each sentence scored in the shared batch equals that sentence scored alone.
    for span, piece in zip(result.spans, pieces, strict=True):
        [alone] = reference.score([piece])
        assert span.scores == pytest.approx(alone.scores, abs=1e-5)


@pytest.mark.parametrize("text", ["You are an idiot", "One sentence only.", "ok", ""])
def test_a_single_sentence_has_no_spans(reference, text):
    [result] = reference.score([text])

    assert result.spans == []
    assert set(result.scores) == set(LABELS_ORIGINAL)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "Mr. Smith went to Washington. He was e.g. tired.",
            ["Mr. Smith went to Washington.", "He was e.g. tired."],
        ),
        ("Great!!! :) See you", ["Great!!! :)", "See you"]),
        ('He said "stop." Then left.', ['He said "stop."', "Then left."]),
        (
            "Pi is 3.14 and J. R. R. Tolkien agrees. Yes",
            ["Pi is 3.14 and J. R. R. Tolkien agrees.", "Yes"],
        ),
        ("first line\nsecond line", ["first line", "second line"]),
        ("Really?! Wow... ok", ["Really?!", "Wow...", "ok"]),
        ("   ", []),
    ],
)
def test_sentence_splitting(text, sentences):
    assert [text[b:e] for b, e in split_sentences(text)] == sentences


def test_the_sentence_that_drove_a_label_scores_over_its_threshold(reference):
    text = "Thanks for the article. You are an idiot! I will hurt you."

    [result] = reference.score([text])

    def over(label):
        return [text[s.begin : s.end] for s in result.spans if s.scores[label] >= 0.5]

    assert over("insult") == ["You are an idiot!"]
    assert over("threat") == ["I will hurt you."]
    assert over("identity_attack") == []
    assert result.scores["insult"] >= 0.5  # the whole comment is over too


def test_sentences_are_scored_in_the_same_batch_as_comments(tiny_model, monkeypatch):
    model = load(config_for(*tiny_model, TOXICITY_BATCH_SIZE=64))
    calls = []
    original = model._predict
    monkeypatch.setattr(model, "_predict", lambda texts: calls.append(texts) or original(texts))

    model.score(["Nice work. You are an idiot.", "thanks", "I agree. We should talk."])

    assert len(calls) == 1
    assert set(calls[0]) == {
        "Nice work. You are an idiot.",
        "thanks",
        "I agree. We should talk.",
        "Nice work.",
        "You are an idiot.",
        "I agree.",
        "We should talk.",
    }


def test_flagged_mode_scores_sentences_only_where_a_label_reaches_its_threshold(
    tiny_model, monkeypatch
):
    everyone = load(config_for(*tiny_model, TOXICITY_BATCH_SIZE=64))
    flagged = load(config_for(*tiny_model, TOXICITY_BATCH_SIZE=64, TOXICITY_SPANS="flagged"))
    calls = []
    original = flagged._predict
    monkeypatch.setattr(flagged, "_predict", lambda texts: calls.append(texts) or original(texts))
    texts = ["Nice work. You are an idiot.", "thanks", "I agree. We should talk.", "Hi. Hello."]
    limits = [{"insult": 0.5}, {"insult": 0.5}, {"insult": 0.5}, {"insult": 0.0}]

    got = flagged.score(texts, limits)

    # Whole comments first, then the sentences of the two that reach a threshold.
    assert calls == [texts, ["Nice work.", "You are an idiot.", "Hi.", "Hello."]]
    want = everyone.score(texts)
    assert [r.scores for r in got] == [r.scores for r in want]
    assert got[0].spans == want[0].spans and got[3].spans == want[3].spans
    assert got[1].spans == got[2].spans == [] != want[2].spans


def test_flagged_mode_without_thresholds_scores_every_sentence(tiny_model):
    # The Perspective-compatible API asks for one text's spans without thresholds.
    flagged = load(config_for(*tiny_model, TOXICITY_SPANS="flagged"))
    everyone = load(config_for(*tiny_model))

    got, want = flagged.score(TEXTS), everyone.score(TEXTS)

    assert [r.spans for r in got] == [r.spans for r in want]
    assert any(r.spans for r in got)


def test_flagged_mode_with_nothing_flagged_makes_one_pass(tiny_model, monkeypatch):
    model = load(config_for(*tiny_model, TOXICITY_SPANS="flagged"))
    calls = []
    original = model._predict
    monkeypatch.setattr(model, "_predict", lambda texts: calls.append(texts) or original(texts))

    [result] = model.score(["I agree. We should talk."], [{"toxicity": 0.99}])

    assert len(calls) == 1 and result.spans == []


@pytest.mark.parametrize(
    ("value", "mode"),
    [
        ("true", "all"),
        ("all", "all"),
        ("Flagged", "flagged"),
        ("false", "off"),
        ("off", "off"),
    ],
)
def test_span_settings(tiny_model, value, mode):
    model = load(config_for(*tiny_model, TOXICITY_SPANS=value))

    assert model.spans == mode
    assert bool(model.score(["I agree. We should talk."])[0].spans) == (mode != "off")


@pytest.mark.parametrize("fast_path", ["onnx", "quantized"])
def test_fast_path_agrees_with_plain_detoxify(tiny_model, reference, tmp_path, fast_path):
    fast = load(
        config_for(*tiny_model, TOXICITY_FAST_PATH=fast_path, TOXICITY_FAST_CACHE_DIR=str(tmp_path))
    )
    texts = TEXTS + [
        f"we should talk about {word} today" for words in TRIGGERS.values() for word in words
    ]

    got, want = fast.score(texts), reference.score(texts)

    assert fast.fast_path == {"onnx": "onnx-int8", "quantized": "torch-int8"}[fast_path]
    worst = max(
        abs(g.scores[label] - w.scores[label])
        for g, w in zip(got, want, strict=True)
        for label in w.scores
    )
    assert worst <= loading.FAST_PATH_TOLERANCE


def onnx_model(tiny_model, cache_dir, threads: int, batch_size: int, **settings):
    """Load the tiny checkpoint on the ONNX path with the given threads and batch size."""
    return load(
        config_for(
            *tiny_model,
            TOXICITY_FAST_PATH="onnx",
            TOXICITY_FAST_CACHE_DIR=str(cache_dir),
            TOXICITY_THREADS=threads,
            TOXICITY_BATCH_SIZE=batch_size,
            **settings,
        )
    )


def test_onnx_batches_run_side_by_side_and_land_in_their_rows(tiny_model, tmp_path):
    one, two = onnx_model(tiny_model, tmp_path, 1, 2), onnx_model(tiny_model, tmp_path, 2, 2)
    threads = set()

    class Recording:  # the real session, noting which thread ran each batch
        def __init__(self, session):
            self.session = session

        def run(self, *args):
            threads.add(threading.current_thread().name)
            time.sleep(0.01)  # long enough for the other thread to pick up a batch
            return self.session.run(*args)

    two.runner.session = Recording(two.runner.session)
    texts = [t for t in TEXTS if t] * 3

    got, want = two.score(texts), one.score(texts)

    assert len(threads) == 2  # several batches, two threads
    assert [r.scores for r in got] == [r.scores for r in want]
    assert [r.spans for r in got] == [r.spans for r in want]


def test_fewer_batches_than_threads_run_over_all_the_threads(tiny_model, tmp_path):
    # Two callers' texts in one batch run through the session that spreads a run over both
    # threads; as two batches they run side by side, one thread each.
    model = onnx_model(tiny_model, tmp_path, 2, 16, TOXICITY_SPANS="off")
    one_thread = onnx_model(tiny_model, tmp_path, 1, 16, TOXICITY_SPANS="off")
    runs = []

    class Recording:  # a real session, noting which of the two ran each batch, of what size
        def __init__(self, name, session):
            self.name, self.session = name, session

        def run(self, outputs, feed):
            runs.append((self.name, len(feed["input_ids"])))
            return self.session.run(outputs, feed)

    model.runner.session = Recording("one thread", model.runner.session)
    model.runner.whole = Recording("all threads", model.runner.whole)
    texts = [t for t in TEXTS if t][:2]

    one_batch, one_batch_on_one_thread = model.score(texts), one_thread.score(texts)
    model.batch_size = one_thread.batch_size = 1
    two_batches, two_batches_on_one_thread = model.score(texts), one_thread.score(texts)

    assert runs == [("all threads", 2), ("one thread", 1), ("one thread", 1)]
    # The same batches on one thread give the same scores, but for the order of the sums.
    for got, want in (
        *zip(one_batch, one_batch_on_one_thread, strict=True),
        *zip(two_batches, two_batches_on_one_thread, strict=True),
    ):
        assert got.scores == pytest.approx(want.scores, abs=1e-5)


def test_a_failing_batch_fails_the_call(tiny_model, tmp_path):
    model = onnx_model(tiny_model, tmp_path, 2, 1)

    class Failing:
        def run(self, *args):
            raise RuntimeError("onnx run failed")

    model.runner.session = Failing()
    with pytest.raises(RuntimeError, match="onnx run failed"):
        model.score(["one text", "and another", "and a third one here"])


def test_onnx_export_is_cached_once_per_checkpoint(tiny_model, tmp_path, caplog):
    config = config_for(
        *tiny_model, TOXICITY_FAST_PATH="onnx", TOXICITY_FAST_CACHE_DIR=str(tmp_path)
    )
    load(config)
    [exported] = tmp_path.glob("*.onnx")
    built_at = exported.stat().st_mtime_ns

    caplog.clear()  # only the second load's records count
    with caplog.at_level(logging.INFO):
        model = load(config)

    assert [p.name for p in tmp_path.glob("*.onnx")] == [exported.name]
    assert exported.stat().st_mtime_ns == built_at
    assert "toxicity.onnx_export_started" not in caplog.messages
    assert model.fast_path == "onnx-int8"


@pytest.mark.timeout(30)  # no network means no waiting on it
def test_named_model_without_network_or_cache_falls_back_loudly(tmp_path, monkeypatch, caplog):
    # Decide "no network" here, so the test means the same on a machine that has one.
    monkeypatch.setattr(loading, "network_reachable", lambda: False)

    with caplog.at_level(logging.WARNING):
        model = load({"TOXICITY_MODEL": "original", "TOXICITY_CACHE_DIR": str(tmp_path)})

    assert isinstance(model, OfflineModel)
    assert model.offline_fallback is True
    assert model.name == "offline-profanity-check"
    assert model.fallback_for == "detoxify-original"
    assert model.version.startswith("alt-profanity-check ")
    [warning] = [r for r in caplog.records if r.getMessage().startswith("toxicity.model_fallback")]
    assert warning.levelno == logging.WARNING
    assert "offline-profanity-check" in warning.getMessage()
    assert warning.requested == "detoxify-original"
    rude, polite = model.score(["you are a fucking idiot", "thanks for the thoughtful article"])
    assert list(rude.scores) == ["toxicity"]
    assert rude.scores["toxicity"] > 0.5 > polite.scores["toxicity"]


@pytest.fixture
def release_server(tiny_model, monkeypatch):
    """A local HTTP server standing in for Detoxify's release downloads (no network here).

    It serves the tiny checkpoint at the path of Detoxify's `original` weights, and the
    named model's URL points at it; every request's path is recorded.
    """
    from detoxify import detoxify as detoxify_module

    checkpoint, _ = tiny_model
    name = detoxify_module.MODEL_URLS["original"].rsplit("/", 1)[1]
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            if self.path != f"/releases/{name}":
                self.send_error(404)
                return
            body = checkpoint.read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/releases/{name}"
    monkeypatch.setitem(detoxify_module.MODEL_URLS, "original", url)
    for module in (loading, models_pull):
        monkeypatch.setattr(module, "network_reachable", lambda: True)
    try:
        yield url, requests
    finally:
        server.shutdown()
        server.server_close()


def test_a_named_model_downloads_once_then_loads_from_the_cache(
    release_server, tmp_path, monkeypatch
):
    url, requests = release_server
    config = {
        "TOXICITY_MODEL": "original",
        "TOXICITY_CACHE_DIR": str(tmp_path),
        "TOXICITY_FAST_PATH": "off",
    }

    downloaded = load(config)

    assert requests == [urllib.parse.urlsplit(url).path]  # fetched once, from the release URL
    assert (downloaded.name, downloaded.offline_fallback) == ("detoxify-original", False)
    assert downloaded.labels == LABELS_ORIGINAL
    cached = tmp_path / "checkpoints" / url.rsplit("/", 1)[1]
    assert cached.is_file()
    assert downloaded.version.endswith(checkpoints.file_sha256(cached)[:12])

    # Offline now: the cached weights load without a request.
    monkeypatch.setattr(loading, "network_reachable", lambda: False)
    cached_model = load(config)

    assert len(requests) == 1
    assert cached_model.name == "detoxify-original"
    assert [r.scores for r in cached_model.score(TEXTS)] == [
        r.scores for r in downloaded.score(TEXTS)
    ]


@pytest.fixture
def https_release_server(release_server, tmp_path_factory, monkeypatch):
    """The release server behind TLS (relaying to it), with a self-signed certificate this
    process trusts: `models pull` takes https URLs only."""
    url, requests = release_server
    tls = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem")],
        check=True, capture_output=True)  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls / "cert.pem", tls / "key.pem")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _proxy_handler(url, requests))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(tls / "cert.pem"))  # trusted by urllib's default
    try:
        yield (
            f"https://127.0.0.1:{server.server_address[1]}{urllib.parse.urlsplit(url).path}",
            (requests),
        )
    finally:
        server.shutdown()
        server.server_close()


def _proxy_handler(url, requests):
    """A handler that answers with what the plain release server answers for the same path."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            try:
                with urllib.request.urlopen(urllib.parse.urljoin(url, self.path)) as upstream:
                    body = upstream.read()
            except urllib.error.HTTPError as error:
                self.send_error(error.code)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


def test_models_pull_downloads_from_an_https_url(https_release_server, tiny_model, tmp_path):
    url, requests = https_release_server
    checkpoint, hf_dir = tiny_model

    env = pull_model(
        "original",
        tmp_path / "m",
        source=url,
        hf_config=str(hf_dir),
        sha256=checkpoints.file_sha256(checkpoint),
    )

    assert len(requests) == 1
    assert not list((tmp_path / "m").glob(".download-*"))  # the partial file is gone
    model = load({**env, "TOXICITY_FAST_PATH": "off"})
    assert model.labels == LABELS_ORIGINAL


@pytest.mark.parametrize(
    "source",
    [
        "http://127.0.0.1:9/releases/toxic_original-c1212f89.ckpt",
        "HTTP://example.org/model.ckpt",
        "ftp://example.org/model.ckpt",
        "file:///etc/passwd",
    ],
)
def test_models_pull_takes_only_https_urls_or_local_files(tmp_path, source):
    with pytest.raises(PullError, match="a source is an https:// URL or a local file"):
        pull_model("original", tmp_path, source=source)


def test_models_pull_checks_a_given_sha256(tiny_model, tmp_path):
    checkpoint, hf_dir = tiny_model
    right = checkpoints.file_sha256(checkpoint)
    wrong = "0" * 64

    with pytest.raises(PullError, match=f"SHA-256 {right}, not the expected {wrong}"):
        pull_model(str(checkpoint), tmp_path / "bad", sha256=wrong)
    assert not (tmp_path / "bad" / "manifest.json").exists()
    with pytest.raises(PullError, match="is not a SHA-256"):
        pull_model(str(checkpoint), tmp_path / "bad", sha256="abc")
    env = pull_model(str(checkpoint), tmp_path / "good", sha256=right.upper())
    assert set(env) == {"TOXICITY_CHECKPOINT", "TOXICITY_HF_CONFIG"}


class RunsCode:
    """Pickled, this makes the unpickler call os.mkdir: what a crafted checkpoint could run."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return os.mkdir, (self.path,)


@pytest.fixture
def crafted_checkpoint(tiny_model, tmp_path):
    """The tiny checkpoint plus an object whose unpickling runs code (it creates a directory)."""
    import torch

    checkpoint, hf_dir = tiny_model
    loaded = torch.load(checkpoint, weights_only=True)
    marker = tmp_path / "code-ran"
    crafted = tmp_path / "crafted.ckpt"
    torch.save({**loaded, "extra": RunsCode(marker)}, crafted)
    return crafted, hf_dir, marker


def test_models_pull_refuses_a_checkpoint_that_would_run_code(crafted_checkpoint, tmp_path):
    crafted, hf_dir, marker = crafted_checkpoint
    with pytest.raises(PullError, match="pickled code, which is refused"):
        pull_model(str(crafted), tmp_path / "m", hf_config=str(hf_dir))
    assert not marker.exists()


def test_the_worker_refuses_a_checkpoint_that_would_run_code(crafted_checkpoint):
    crafted, hf_dir, marker = crafted_checkpoint
    with pytest.raises(ModelLoadError, match="cannot load the toxicity checkpoint"):
        load(config_for(crafted, hf_dir))
    assert not marker.exists()


def test_a_failed_download_falls_back_loudly(release_server, tmp_path, monkeypatch, caplog):
    from detoxify import detoxify as detoxify_module

    url, requests = release_server
    monkeypatch.setitem(detoxify_module.MODEL_URLS, "original", url + ".missing")

    with caplog.at_level(logging.WARNING):
        model = load({"TOXICITY_MODEL": "original", "TOXICITY_CACHE_DIR": str(tmp_path)})

    assert len(requests) == 1
    assert model.fallback_for == "detoxify-original"
    [warning] = [r for r in caplog.records if r.getMessage().startswith("toxicity.model_fallback")]
    assert "downloading Detoxify 'original' failed" in warning.reason
    assert "404" in warning.reason


def test_named_model_without_weights_and_no_fallback_refuses_to_start(tmp_path, monkeypatch):
    monkeypatch.setattr(loading, "network_reachable", lambda: False)

    with pytest.raises(ModelLoadError, match="'unbiased'.*TOXICITY_FALLBACK is off"):
        load(
            {
                "TOXICITY_MODEL": "unbiased",
                "TOXICITY_CACHE_DIR": str(tmp_path),
                "TOXICITY_FALLBACK": False,
            }
        )


def test_network_probe_says_unreachable_when_no_host_answers(monkeypatch):
    # A loopback port nobody listens on: tests send no traffic off this machine.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setattr(network, "NETWORK_PROBE", (("127.0.0.1", closed),))
    monkeypatch.delenv("https_proxy", raising=False)
    monkeypatch.delenv("HTTPS_PROXY", raising=False)

    assert network.network_reachable(timeout=1.0) is False


def test_the_offline_model_can_be_chosen(caplog):
    with caplog.at_level(logging.WARNING):
        model = load({"TOXICITY_MODEL": "offline"})

    assert (model.name, model.labels, model.languages) == (
        "offline-profanity-check",
        ("toxicity",),
        frozenset({"en"}),
    )
    assert model.offline_fallback is True and model.fallback_for is None
    assert any(r.getMessage() == "toxicity.model_loaded" for r in caplog.records)


def _corrupt(tmp_path, tiny_model):
    path = tmp_path / "corrupt.ckpt"
    path.write_bytes(b"this is not a checkpoint" * 100)
    return path, tiny_model[1]


def _truncated(tmp_path, tiny_model):
    path = tmp_path / "truncated.ckpt"
    path.write_bytes(tiny_model[0].read_bytes()[:5000])
    return path, tiny_model[1]


def _missing_hf_dir(tmp_path, tiny_model):
    return tiny_model[0], tmp_path / "no-such-dir"


def _hub_model_type(tmp_path, tiny_model):
    # A real Detoxify checkpoint names a hub id; offline and uncached it cannot resolve.
    import torch

    loaded = torch.load(tiny_model[0], weights_only=False)
    loaded["config"]["arch"]["args"]["model_type"] = "bert-base-uncased-not-cached"
    path = tmp_path / "hub.ckpt"
    torch.save(loaded, path)
    return path, tiny_model[1]


@pytest.mark.parametrize(
    "broken",
    [_corrupt, _truncated, _missing_hf_dir, _hub_model_type],
    ids=lambda f: f.__name__.strip("_"),
)
@pytest.mark.timeout(30)  # at once: no retries, no waiting on a hub
def test_a_checkpoint_that_fails_to_load_stops_the_worker_with_one_clear_error(
    tmp_path, tiny_model, broken
):
    checkpoint, hf_dir = broken(tmp_path, tiny_model)

    with pytest.raises(ModelLoadError) as error:
        # No fallback for a configured checkpoint, whatever TOXICITY_FALLBACK says.
        load(config_for(checkpoint, hf_dir, TOXICITY_FALLBACK=True))

    message = str(error.value)
    assert "TOXICITY_HF_CONFIG" in message
    assert str(checkpoint) in message or str(hf_dir) in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("config", "complaint"),
    [
        ({"TOXICITY_MODEL": "huge"}, "choose one of"),
        ({"TOXICITY_MODEL": "checkpoint"}, "needs TOXICITY_CHECKPOINT"),
        ({"TOXICITY_FAST_PATH": "gpu"}, "use onnx, quantized or off"),
        ({"TOXICITY_BATCH_SIZE": "many"}, "not a whole number"),
        ({"TOXICITY_SPANS": "some"}, "use all, flagged or off"),
    ],
)
def test_bad_settings_are_load_errors(config, complaint):
    with pytest.raises(ModelLoadError, match=complaint):
        load(config)


def test_foreign_comments_are_not_scored(tiny_model):
    model = load(config_for(*tiny_model))
    german = "Das ist ein sehr dummer Kommentar, ehrlich gesagt. Ich bin nicht einverstanden."
    french = "Ce gouvernement est une honte absolue, et personne ne veut le dire."

    english_only = model.score([german, french, "ok thanks!"])
    with_french = load(config_for(*tiny_model, TOXICITY_LANGUAGES="en,fr"))
    german_again, french_again = with_french.score([german, french])

    assert [(r.language, r.language_supported) for r in english_only] == [
        ("de", False),
        ("fr", False),
        ("en", True),
    ]
    assert english_only[0].scores == {} and english_only[0].spans == []
    assert set(english_only[2].scores) == set(LABELS_ORIGINAL)
    assert (german_again.language_supported, french_again.language_supported) == (False, True)
    assert set(french_again.scores) == set(LABELS_ORIGINAL)


def test_language_detection_can_be_turned_off(tiny_model):
    model = load(config_for(*tiny_model, TOXICITY_LANG_DETECT=False))

    [result] = model.score(["Das ist ein sehr dummer Kommentar, ehrlich gesagt."])

    assert (result.language, result.language_supported) == ("en", True)
    assert set(result.scores) == set(LABELS_ORIGINAL)


def test_the_active_model_is_per_process_state(reference):
    toxicity.set_active_model(reference)
    try:
        assert toxicity.get_active_model() is reference
    finally:
        toxicity.set_active_model(None)
    assert toxicity.get_active_model() is None


def test_models_pull_prepares_an_air_gapped_directory_from_a_local_file(tiny_model, tmp_path):
    checkpoint, _ = tiny_model

    env = pull_model(str(checkpoint), tmp_path / "models")

    assert set(env) == {"TOXICITY_CHECKPOINT", "TOXICITY_HF_CONFIG"}
    pulled = load({**env, "TOXICITY_FAST_PATH": "off"})
    original = load(config_for(*tiny_model))
    assert [r.scores for r in pulled.score(TEXTS)] == [r.scores for r in original.score(TEXTS)]
    assert (tmp_path / "models" / "manifest.json").is_file()


def test_models_pull_takes_a_named_model_from_a_given_file_and_config_dir(tiny_model, tmp_path):
    checkpoint, hf_dir = tiny_model

    env = pull_model("original", tmp_path / "m", source=str(checkpoint), hf_config=str(hf_dir))

    assert env["TOXICITY_CHECKPOINT"].endswith("detoxify-original.ckpt")
    model = load({**env, "TOXICITY_FAST_PATH": "off"})
    assert model.labels == LABELS_ORIGINAL


@pytest.mark.parametrize("name", ["not-a-model", "/no/such/file.ckpt"])
def test_models_pull_refuses_what_it_cannot_find(tmp_path, name):
    with pytest.raises(PullError):
        pull_model(name, tmp_path)


@pytest.mark.parametrize("languages", [None, ["en"]])
def test_the_perspective_score_task_scores_sentences_even_with_spans_off(
    tiny_model, monkeypatch, languages
):
    from workers import scoring

    model = load(config_for(*tiny_model, TOXICITY_SPANS="off"))
    monkeypatch.setattr(scoring, "toxicity_model", lambda: model)
    [answer] = scoring.score_batch(
        model, [scoring.ScoreRequest("I agree. We should talk.", languages or [])]
    )
    assert [(s["begin"], s["end"]) for s in answer["spans"]] == [(0, 8), (9, 24)]
    assert model.spans == "off"  # the worker's comments keep their own setting


def test_the_perspective_score_task_scores_no_sentences_unless_asked(tiny_model):
    """Without spanAnnotations a call costs one model row, not one per sentence."""
    from workers import scoring

    model = load(config_for(*tiny_model, TOXICITY_SPANS="all"))
    scored_rows = []
    original = model._predict
    model._predict = lambda texts: scored_rows.append(len(texts)) or original(texts)
    text = "I agree. We should talk."
    without, with_spans = scoring.score_batch(
        model, [scoring.ScoreRequest(text, [], False), scoring.ScoreRequest(text, [], True)]
    )
    assert without["spans"] == [] and without["scores"] == with_spans["scores"]
    assert [(s["begin"], s["end"]) for s in with_spans["spans"]] == [(0, 8), (9, 24)]
    assert sorted(scored_rows) == [1, 3]  # one run per kind: the text; the text and 2 sentences
