"""A per-site spam/not-spam classifier, retrained from the site's moderator decisions."""

import functools
import io
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize as l2_normalize

from .normalize import normalize
from .rules import find_links
from .signals import comment_evidence, host_of, is_own_site

# Hashing needs no vocabulary, so the features never change and nothing about them is stored
# but the weights of the buckets the site's feedback used.
N_TEXT_FEATURES = 2**18
N_CONTEXT_FEATURES = 2**14
N_FEATURES = 2 * N_TEXT_FEATURES + N_CONTEXT_FEATURES
_WORDS = HashingVectorizer(
    analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", lowercase=False,
    n_features=N_TEXT_FEATURES, alternate_sign=False, norm=None,
)  # fmt: skip
# Character n-grams across word boundaries survive misspellings, spacing tricks and the
# obfuscations normalize() misses, and catch phrases ("check out my") as well as words.
_CHARS = HashingVectorizer(
    analyzer="char", ngram_range=(2, 5), lowercase=False,
    n_features=N_TEXT_FEATURES, alternate_sign=False, norm=None,
)  # fmt: skip
# Who posted and which signals fired, as tokens ("urltld:xyz", "urlword:casino", "urlowner:other",
# "sig:GENERIC_PRAISE"): a site's moderators teach the model which of these mean spam on that site.
_CONTEXT = HashingVectorizer(
    analyzer="word", token_pattern=r"\S+", lowercase=False,
    n_features=N_CONTEXT_FEATURES, alternate_sign=False, norm=None,
)  # fmt: skip
_BLOCKS = (slice(0, N_TEXT_FEATURES), slice(N_TEXT_FEATURES, 2 * N_TEXT_FEATURES),
           slice(2 * N_TEXT_FEATURES, N_FEATURES))  # fmt: skip
# Author fields and fired signals carry over to spam the model has not seen worded before;
# n-grams do not. Doubling their block's weight raised recall on novel templates (dev split).
CONTEXT_WEIGHT = 2.0
# Inverse regularisation strength, chosen on splits of training feedback only.
C = 10.0
# Smoothing of the log-count ratios: one decision's worth, as in NBSVM.
RATIO_ALPHA = 1.0
DEFAULT_MIN_SUBMIT_S = 3.0
FORMAT = "spam-logreg-hash-v3"  # the stored layout; NB ratios are folded into coef
# Words of a host name ("best-cbd-oil.shop" -> best, cbd, oil): a spammer's next domain is new,
# but it names the same products, so the words carry over where the whole host does not.
_DOMAIN_WORD = re.compile(r"[a-z]{3,}")
_HOST_NOISE = frozenset({"www", "com", "net", "org"})


def _domain_words(host: str) -> list[str]:
    """Return the words a host name is made of, without its TLD and "www"."""
    name = host.rpartition(".")[0]
    return [w for w in _DOMAIN_WORD.findall(name) if w not in _HOST_NOISE][:6]


def _url_shape(url: str) -> str:
    """Return where an author URL points: a site's root, a page on it, or a tracked link."""
    rest = url.split("://", 1)[-1]
    path = rest.partition("/")[2]
    if "?" in rest:
        return "query"
    return "page" if path.strip("/") else "root"


def context_tokens(item: Any, evidence: Mapping[str, float] | None = None) -> str:
    """Return the non-text facts about a comment as tokens for the model."""
    if evidence is None:
        evidence = comment_evidence(item, min_submit_s=DEFAULT_MIN_SUBMIT_S)
    tokens = [f"sig:{name}" for name in sorted(evidence)]
    url = item.author_url.strip()
    if url:
        host = host_of(url)
        tokens += ["url:yes", f"urlhost:{host}", f"urltld:{host.rpartition('.')[2]}"]
        tokens += [f"urlword:{word}" for word in _domain_words(host)]
        tokens.append(f"urlpath:{_url_shape(url)}")
        own = is_own_site(item.author_name, item.author_email, url)
        tokens.append("urlowner:author" if own else "urlowner:other")
    else:
        tokens.append("url:no")
    domain = item.author_email.rpartition("@")[2].strip().lower()
    tokens.append(f"emaildomain:{domain or '-'}")
    tokens += [f"emailword:{word}" for word in _domain_words(domain)]
    # Author names are left out: they told spam from ham less well than the text (dev split).
    tokens.append(f"links:{min(len(find_links(item.body).urls), 3)}")
    return " ".join(tokens)


@functools.cache
def _signal_bucket(name: str) -> int:
    """Return the context bucket of a signal's token (signal names are a fixed, small set)."""
    return int(_CONTEXT.transform([f"sig:{name}"]).indices[0])


def _counts(comments: Sequence[Any], evidence: Mapping[str, float] | None = None) -> sp.csr_matrix:
    """Return the raw n-gram and context counts of comments (texts or SpamInput-like objects)."""
    bodies = [normalize(c if isinstance(c, str) else c.body) for c in comments]
    contexts = ["" if isinstance(c, str) else context_tokens(c, evidence) for c in comments]
    blocks = [_WORDS.transform(bodies), _CHARS.transform(bodies), _CONTEXT.transform(contexts)]
    return sp.hstack(blocks).tocsr()


def _weighted(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Return sublinear TF-IDF rows, each block scaled to unit length (context block doubled)."""
    tf = counts.astype(np.float64)
    tf.data = 1.0 + np.log(tf.data)
    tf = tf.multiply(idf).tocsc()
    blocks = [l2_normalize(tf[:, block]) for block in _BLOCKS]
    blocks[2] = blocks[2] * CONTEXT_WEIGHT
    return sp.hstack(blocks).tocsr()


def _fit_weights(rows, counts, y, weights) -> tuple[np.ndarray, float]:
    """Return the weights and intercept of logistic regression over NB-scaled features."""
    # Each n-gram scaled by its log-count ratio (NBSVM, Wang & Manning 2012): phrases typical of
    # one class need less weight to count, which the regularisation then favours.
    ratio = log_count_ratio(counts, y, weights)
    classifier = LogisticRegression(C=C, max_iter=2000, solver="liblinear")
    classifier.fit(rows.multiply(ratio).tocsr(), y, sample_weight=weights)
    # Scaling a feature before the dot product is scaling its weight: classifying stays the
    # same one sparse dot product.
    return classifier.coef_[0] * ratio, float(classifier.intercept_[0])


class SpamModel:
    """Logistic regression over hashed word and character n-grams and the comment's context.

    The learn task fits it on a site's feedback (weighted: see workers.learning); workers only
    reload the stored weights and take one sparse dot product per comment. Comments can be given
    as texts (the body) or as SpamInput objects, from which it also learns the author fields and
    the signals that fired.
    """

    def __init__(self) -> None:
        self.coef = np.zeros(N_FEATURES)
        self.intercept = 0.0
        self.idf = np.ones(N_FEATURES)
        self.class_count = np.zeros(2)  # not spam, spam

    @classmethod
    def fit(
        cls,
        comments: Sequence[Any],
        labels: Sequence[bool],
        weights: Sequence[float] | None = None,
    ) -> "SpamModel":
        """Return a model fitted on labelled comments (True = spam), each with its weight."""
        if len(comments) != len(labels) or (weights is not None and len(weights) != len(labels)):
            raise ValueError("comments, labels and weights differ in length")
        model = cls()
        y = np.array([1 if label else 0 for label in labels], dtype=int)
        model.class_count = np.bincount(y, minlength=2).astype(float)
        if not model.is_trained:
            return model
        w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
        # No decision weighs more than one: capping a flooding source takes weight from it and
        # lends none to the others. Lent weight made each of the others' rare n-grams look
        # decisive to the log-count ratios below, so the fit explained the moderators' decisions
        # by those and gave the shared words to the flood.
        w = w / w.max()
        counts = _counts(comments)
        # Smoothed IDF over the feedback, as TfidfVectorizer(smooth_idf=True): unseen buckets
        # get the largest value, and the model has no weight for them anyway.
        df = np.bincount(counts.indices, minlength=N_FEATURES)
        n = len(y)
        model.idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        # Spam and not-spam weigh the same whatever their counts: moderators mark far more of
        # one than the other, and the model should not learn that ratio as a base rate.
        totals = np.array([w[y == label].sum() for label in (0, 1)])
        balanced = w * (totals.sum() / (2.0 * totals[y]))
        rows = _weighted(counts, model.idf)
        model.coef, model.intercept = _fit_weights(rows, counts, y, balanced)
        return model

    @property
    def examples(self) -> int:
        """Return the number of labelled examples learned from."""
        return int(self.class_count.sum())

    @property
    def is_trained(self) -> bool:
        """Tell whether the model has seen both spam and not-spam, and so can predict."""
        return bool((self.class_count > 0).all())

    def _logits(self, comments: Sequence[Any], evidence=None) -> np.ndarray:
        rows = _weighted(_counts(comments, evidence), self.idf)
        return rows @ self.coef + self.intercept

    def predict_proba(self, comments: Sequence[Any]) -> list[float]:
        """Return each comment's spam probability; 0.5 (no opinion) until the model is trained."""
        if not self.is_trained:
            return [0.5] * len(comments)
        return [float(p) for p in 1.0 / (1.0 + np.exp(-self._logits(comments)))]

    def spam_logit(self, comment: Any, evidence: Mapping[str, float] | None = None) -> float:
        """Return the spam log-odds for one comment (0.0, no opinion, until trained)."""
        if not self.is_trained:
            return 0.0
        return float(self._logits([comment], evidence)[0])

    def learned_signals(self, evidence: Mapping[str, float]) -> frozenset[str]:
        """Return the signals among evidence that the site's feedback showed the model."""
        context = self.coef[_BLOCKS[2]]
        return frozenset(name for name in evidence if context[_signal_bucket(name)])

    def to_bytes(self) -> bytes:
        """Serialise the weights of the buckets in use (numpy arrays only: no pickle)."""
        # A bucket the feedback used has a weight; the others all have the same IDF.
        used = np.flatnonzero(self.coef)
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            format=np.array(FORMAT),
            class_count=self.class_count,
            intercept=np.array(self.intercept),
            indices=used.astype(np.int32),
            coef=self.coef[used].astype(np.float32),
            idf=self.idf[used].astype(np.float32),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "SpamModel":
        """Rebuild a model from to_bytes() output; ValueError for another format."""
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            if str(stored["format"]) != FORMAT:
                raise ValueError(f"unknown spam model format {stored['format']!r}")
            model = cls()
            model.class_count = stored["class_count"].astype(float)
            model.intercept = float(stored["intercept"])
            # Buckets no feedback used have the largest IDF (they still count in each block's
            # length) and no weight.
            model.idf[:] = np.log(1.0 + model.examples) + 1.0
            indices = stored["indices"]
            model.coef[indices] = stored["coef"]
            model.idf[indices] = stored["idf"]
        return model


def log_count_ratio(counts: sp.csr_matrix, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Return each feature's smoothed log ratio of weighted spam to not-spam occurrences."""
    present = (counts > 0).astype(np.float64).tocsc()
    spam = present.T @ (weights * y)
    ham = present.T @ (weights * (1 - y))
    used = (spam + ham) > 0
    p, q = RATIO_ALPHA + spam[used], RATIO_ALPHA + ham[used]
    ratio = np.zeros(counts.shape[1])
    ratio[used] = np.log(p / p.sum()) - np.log(q / q.sum())
    return ratio


def capped_weights(groups: Sequence[str], *, floor: float, share: float) -> list[float]:
    """Return a weight per example so that no group outweighs max(floor, share x the rest).

    A group is where feedback came from (one key or token, or one burst of it): a flood of
    submissions from one source then moves the model no more than its cap, however many it sends.
    Weights are scaled to average 1, so with one group (or none over its cap) nothing changes.
    """
    sizes = Counter(groups)
    total = len(groups)
    if not total:
        return []
    per_example = {
        group: min(1.0, max(floor, share * (total - size)) / size) for group, size in sizes.items()
    }
    weights = np.array([per_example[group] for group in groups])
    return list(weights * (total / weights.sum()))
