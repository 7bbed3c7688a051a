"""A per-site spam/not-spam classifier that learns from moderator decisions."""

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.naive_bayes import MultinomialNB

from .normalize import normalize
from .rules import find_links
from .signals import comment_evidence, host_of, is_own_site

# Hashing needs no vocabulary, so the features never change and nothing about them is stored.
# 2**17 buckets per text block keeps a site's model at ~5 MB in memory with few collisions.
N_TEXT_FEATURES = 2**17
N_CONTEXT_FEATURES = 2**14
_WORDS = HashingVectorizer(
    analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", lowercase=False,
    n_features=N_TEXT_FEATURES, alternate_sign=False, norm="l2",
)  # fmt: skip
# Character n-grams within words survive misspellings and the obfuscations normalize() misses.
_CHARS = HashingVectorizer(
    analyzer="char_wb", ngram_range=(3, 5), lowercase=False,
    n_features=N_TEXT_FEATURES, alternate_sign=False, norm="l2",
)  # fmt: skip
# Who posted and which signals fired, as tokens ("urltld:xyz", "urlword:casino", "urlowner:other",
# "sig:GENERIC_PRAISE"): a site's moderators teach the model which of these mean spam on that site.
_CONTEXT = HashingVectorizer(
    analyzer="word", token_pattern=r"\S+", lowercase=False,
    n_features=N_CONTEXT_FEATURES, alternate_sign=False, norm="l2",
)  # fmt: skip
_CONTEXT_COLUMNS = slice(2 * N_TEXT_FEATURES, 2 * N_TEXT_FEATURES + N_CONTEXT_FEATURES)
# Author fields and fired signals carry over to spam the model has not seen worded before;
# n-grams do not. Doubling their block's weight raised recall on novel templates (dev split).
CONTEXT_WEIGHT = 2.0
ALPHA = 0.1  # additive smoothing: small, as hashed n-gram counts are sparse
DEFAULT_MIN_SUBMIT_S = 3.0
# New context tokens need no new format: a stored model has not seen them yet, so they weigh
# next to nothing until moderators' decisions teach them.
FORMAT = "spam-mnb-hash-v2"
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
    tokens += [f"name:{word}" for word in normalize(item.author_name).split()[:6]]
    tokens.append(f"links:{min(len(find_links(item.body).urls), 3)}")
    return " ".join(tokens)


def _features(
    comments: Sequence[Any], evidence: Mapping[str, float] | None = None
) -> sp.csr_matrix:
    """Return the feature rows for comments given as texts or as SpamInput-like objects."""
    bodies = [normalize(c if isinstance(c, str) else c.body) for c in comments]
    contexts = ["" if isinstance(c, str) else context_tokens(c, evidence) for c in comments]
    blocks = [
        _WORDS.transform(bodies),
        _CHARS.transform(bodies),
        _CONTEXT.transform(contexts) * CONTEXT_WEIGHT,
    ]
    return sp.hstack(blocks).tocsr()


class OnlineSpamModel:
    """Multinomial naive Bayes over hashed word and character n-grams, trained online.

    Naive Bayes only adds up counts, so training one decision at a time gives exactly the
    model that training on all of them at once would: the order moderators work in is irrelevant.
    Comments can be given as texts (the body) or as SpamInput objects, from which the model
    also learns the author fields and the signals that fired.
    """

    def __init__(self) -> None:
        self._nb = MultinomialNB(alpha=ALPHA)

    def partial_fit(self, texts: Sequence[Any], labels: Sequence[bool]) -> None:
        """Learn from labelled comments (True = spam): bodies or SpamInput objects."""
        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        if not len(texts):
            return
        y = np.array([1 if label else 0 for label in labels])
        self._nb.partial_fit(_features(texts), y, classes=[0, 1])

    @property
    def examples(self) -> int:
        """Return the number of labelled examples learned from."""
        counts = getattr(self._nb, "class_count_", None)
        return 0 if counts is None else int(round(counts.sum()))

    @property
    def is_trained(self) -> bool:
        """Tell whether the model has seen both spam and not-spam, and so can predict."""
        counts = getattr(self._nb, "class_count_", None)
        return counts is not None and bool((counts > 0).all())

    def _knows_context(self) -> bool:
        """Tell whether the model was trained on SpamInput objects, not bodies alone."""
        return bool(self._nb.feature_count_[:, _CONTEXT_COLUMNS].sum() > 0)

    def _rows(self, comments: Sequence[Any], evidence=None) -> sp.csr_matrix:
        rows = _features(comments, evidence)
        if not self._knows_context():
            # Features never seen in training would still tilt naive Bayes a little, by the
            # classes' different totals: leave them out.
            empty = sp.csr_matrix((rows.shape[0], N_CONTEXT_FEATURES))
            rows = sp.hstack([rows[:, : _CONTEXT_COLUMNS.start], empty]).tocsr()
        return rows

    def predict_proba(self, texts: Sequence[Any]) -> list[float]:
        """Return each comment's spam probability; 0.5 (no opinion) until the model is trained."""
        if not self.is_trained:
            return [0.5] * len(texts)
        return [float(p) for p in self._nb.predict_proba(self._rows(texts))[:, 1]]

    def spam_logit(self, comment: Any, evidence: Mapping[str, float] | None = None) -> float:
        """Return the spam log-odds for one comment, unrounded (probabilities saturate)."""
        joint = self._nb.predict_joint_log_proba(self._rows([comment], evidence))[0]
        return float(joint[1] - joint[0])

    def to_bytes(self) -> bytes:
        """Serialise the learned counts (numpy arrays only: no pickle, stable across upgrades)."""
        n_features = 2 * N_TEXT_FEATURES + N_CONTEXT_FEATURES
        counts = getattr(self._nb, "class_count_", np.zeros(2))
        features = sp.csr_matrix(
            getattr(self._nb, "feature_count_", sp.csr_matrix((2, n_features)))
        )
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            format=np.array(FORMAT),
            class_count=counts,
            data=features.data,
            indices=features.indices,
            indptr=features.indptr,
            shape=np.array(features.shape),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "OnlineSpamModel":
        """Rebuild a model from to_bytes() output."""
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            if str(stored["format"]) != FORMAT:
                raise ValueError(f"unknown spam model format {stored['format']!r}")
            class_count = stored["class_count"]
            features = sp.csr_matrix(
                (stored["data"], stored["indices"], stored["indptr"]), shape=tuple(stored["shape"])
            )
        model = cls()
        seen = [label for label in (0, 1) if class_count[label] > 0]
        if seen:
            # Replay each class's counts as one averaged example weighted by the class's size:
            # partial_fit then rebuilds exactly the stored counts, through public API only.
            rows = sp.vstack([features[label] / class_count[label] for label in seen]).tocsr()
            weights = np.array([class_count[label] for label in seen])
            model._nb.partial_fit(rows, np.array(seen), classes=[0, 1], sample_weight=weights)
        return model
