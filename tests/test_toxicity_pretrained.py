"""Hugging Face sequence-classification directories: loaded, refused, pulled, served."""

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

# Offline as in an air-gapped deployment: nothing may reach the Hugging Face hub.
os.environ.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})

from service.cli import worker_command
from service.config import DEFAULTS  # noqa: E402
from service.extensions import celery  # noqa: E402
from service.queue import SCORE_TASK  # noqa: E402
from service.testing.tiny_detoxify import build_tiny_pretrained  # noqa: E402
from tests.conftest import wait_until  # noqa: E402
from tests.support import die_with_parent, stop  # noqa: E402
from workers.classifiers.toxicity import (  # noqa: E402
    LABELS_ORIGINAL,
    ModelLoadError,
    ToxicitySettings,
    load_toxicity_model,
)
from workers.models_pull import PullError, pull_model  # noqa: E402

PERSPECTIVE_NAMES = (
    "TOXICITY",
    "SEVERE_TOXICITY",
    "PROFANITY",
    "THREAT",
    "INSULT",
    "IDENTITY_ATTACK",
    "SEXUALLY_EXPLICIT",
)


def load(directory, **overrides):
    return load_toxicity_model(
        ToxicitySettings.from_config(
            {
                **DEFAULTS,
                "TOXICITY_CHECKPOINT": str(directory),
                "TOXICITY_FAST_PATH": "off",
                **overrides,
            }
        )
    )


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    return build_tiny_pretrained(tmp_path_factory.mktemp("tiny-hf"))


def test_a_hugging_face_directory_loads_with_its_labels_in_detoxify_names(pretrained):
    model = load(pretrained)

    rude, polite = model.score(["You are an idiot.", "thanks for the article"])

    assert model.labels == (
        "toxicity",
        "severe_toxicity",
        "obscene",
        "threat",
        "insult",
        "identity_attack",
    )
    assert model.name == "hf-model" and model.fast_path == "torch-fp32"
    assert rude.scores["insult"] > 0.5 > polite.scores["insult"]


def test_perspective_attribute_names_in_id2label_are_read_as_detoxify_labels(tmp_path):
    model = load(build_tiny_pretrained(tmp_path, PERSPECTIVE_NAMES))

    assert model.labels == (
        *LABELS_ORIGINAL[:2],
        "obscene",
        "threat",
        "insult",
        "identity_attack",
        "sexual_explicit",
    )
    assert model.score(["what a moron"])[0].scores["insult"] > 0.5


@pytest.mark.parametrize(
    ("id2label", "complaint"),
    [
        (("toxic", "LABEL_1"), "cannot map to a toxicity attribute: 'LABEL_1'. Accepted"),
        (("non-toxic", "toxic"), "cannot map to a toxicity attribute: 'non-toxic'. Accepted"),
        (("toxic", "toxicity"), "names the label(s) toxicity twice"),
    ],
    ids=["unnamed", "unknown", "twice"],
)
def test_a_model_whose_labels_cannot_be_mapped_is_refused_with_a_clear_error(
    tmp_path, id2label, complaint
):
    directory = build_tiny_pretrained(tmp_path, id2label)

    with pytest.raises(ModelLoadError) as error:
        load(directory)

    assert str(error.value).startswith(f"{directory / 'config.json'} ")
    assert complaint in str(error.value)
    with pytest.raises(PullError, match="config.json"):
        pull_model(str(directory), tmp_path / "pulled")


@pytest.mark.parametrize("fast_path", ["onnx", "quantized"])
def test_the_fast_path_is_checked_against_the_models_own_fp32_run(pretrained, tmp_path, fast_path):
    reference = load(pretrained)
    fast = load(pretrained, TOXICITY_FAST_PATH=fast_path, TOXICITY_FAST_CACHE_DIR=str(tmp_path))
    texts = ["You are an idiot. I will hurt you.", "thanks for the article", "ok"]

    got, want = fast.score(texts), reference.score(texts)

    assert fast.fast_path == {"onnx": "onnx-int8", "quantized": "torch-int8"}[fast_path]
    assert (
        max(
            abs(g.scores[k] - w.scores[k]) for g, w in zip(got, want, strict=True) for k in w.scores
        )
        <= 0.02
    )


def test_models_pull_copies_a_directory_that_then_loads_offline(pretrained, tmp_path):
    env = pull_model(str(pretrained), tmp_path / "models")

    assert set(env) == {"TOXICITY_CHECKPOINT"}
    pulled = load(env["TOXICITY_CHECKPOINT"])
    assert (tmp_path / "models" / "model" / "model.safetensors").is_file()
    texts = ["You are an idiot.", "thanks"]
    want = load(pretrained).score(texts)
    assert [r.scores for r in pulled.score(texts)] == [r.scores for r in want]


def test_models_pull_checks_a_given_sha256_against_the_weights(pretrained, tmp_path):
    with pytest.raises(PullError, match="not the expected"):
        pull_model(str(pretrained), tmp_path / "models", sha256="0" * 64)


@pytest.fixture(scope="module")
def hf_worker(app, base_config, tmp_path_factory):
    """A real worker serving a Hugging Face directory; the session's workers stop scoring."""
    directory = build_tiny_pretrained(tmp_path_factory.mktemp("served"), PERSPECTIVE_NAMES, seed=7)
    # Other workers of this test session would take some score messages: pause them.
    replies = celery.control.cancel_consumer("score", reply=True, timeout=1.0)
    paused = [name for reply in replies for name, answer in reply.items() if "ok" in answer]
    name = f"test-hf-{uuid.uuid4().hex[:8]}@localhost"
    log_path = Path(tmp_path_factory.mktemp("hf-worker")) / "worker.log"
    env = {
        **os.environ,
        **{k: str(v) for k, v in base_config.items()},
        "TOXICITY_CHECKPOINT": str(directory),
        "TOXICITY_HF_CONFIG": "",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            worker_command(queues="score", name=name),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
    try:
        wait_until(
            lambda: proc.poll() is not None or celery.control.ping(destination=[name], timeout=0.5),
            timeout=90,
        )
        assert proc.poll() is None, log_path.read_text()[-3000:]
        proc.log_path, proc.name, proc.directory = log_path, name, directory
        yield proc
    finally:
        stop(proc)
        if paused:
            celery.control.add_consumer("score", destination=paused, reply=True, timeout=1.0)


def test_the_perspective_endpoint_scores_with_a_hugging_face_model_in_a_real_worker(
    hf_worker, client, make
):
    site, _ = make.site()
    key = make.server_key(site.id)
    local = load(hf_worker.directory)
    text = "You are an idiot. Thanks for the article."

    response = client.post(
        f"/v1alpha1/comments:analyze?key={key}",
        json={
            "comment": {"text": text},
            "requestedAttributes": {"INSULT": {}, "PROFANITY": {}},
            "spanAnnotations": True,
        },
    )

    assert response.status_code == 200, response.get_json()
    scores = response.get_json()["attributeScores"]
    [expected] = local.score([text])
    assert scores["INSULT"]["summaryScore"]["value"] == pytest.approx(
        expected.scores["insult"], abs=1e-5
    )
    assert scores["PROFANITY"]["summaryScore"]["value"] == pytest.approx(
        expected.scores["obscene"], abs=1e-5
    )
    assert [(s["begin"], s["end"]) for s in scores["INSULT"]["spanScores"]] == [(0, 17), (18, 41)]


def test_score_requests_waiting_together_share_one_model_run(hf_worker):
    texts = [f"Comment number {n}. You are an idiot." for n in range(6)]
    # Queued while the worker takes no scores, so they are all waiting when it takes them.
    celery.control.cancel_consumer("score", destination=[hf_worker.name], reply=True)
    try:
        sent = [celery.send_task(SCORE_TASK, args=[text, []], queue="score") for text in texts]
    finally:
        celery.control.add_consumer("score", destination=[hf_worker.name], reply=True)

    answers = [result.get(timeout=60) for result in sent]

    local = load(hf_worker.directory).score(texts)
    assert [a["scores"]["insult"] for a in answers] == pytest.approx(
        [r.scores["insult"] for r in local], abs=1e-5
    )
    batches = [
        record["size"]
        for record in map(json.loads, _json_lines(hf_worker.log_path))
        if record.get("message") == "score.batch"
    ]
    assert sum(batches) >= len(texts) and len([b for b in batches if b > 1]) >= 1


def _json_lines(path):
    return [line for line in path.read_text().splitlines() if line.startswith("{")]
