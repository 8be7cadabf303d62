"""Multinomial logistic regression on sparse binary features, trained with Adam (numpy + scipy.sparse).

Inference is a dict lookup plus a small numpy sum, far cheaper per call than sklearn."""
from collections import Counter

import numpy as np


class LinearModel:
    def __init__(self, labels, vocab, weights, bias, temperature=1.0):
        self.labels = list(labels)
        self.vocab = vocab            # feature -> row of weights
        self.weights = weights        # (n_features, n_labels)
        self.bias = bias              # (n_labels,)
        self.temperature = temperature

    @classmethod
    def fit(cls, samples, labels, l2=1e-4, epochs=50, lr=0.2, min_count=2):
        """samples: list of {feature: value}; labels: list of str. Features seen < min_count times are dropped."""
        classes = sorted(set(labels))
        x, vocab = _design_matrix(samples, min_count)
        y = np.zeros((len(samples), len(classes)), dtype=np.float32)
        y[np.arange(len(samples)), [classes.index(label) for label in labels]] = 1.0
        w, b = _train_adam(x, y, l2, epochs, lr)
        return cls(classes, vocab, np.ascontiguousarray(w, dtype=np.float64), b.astype(np.float64))

    def proba(self, feats: dict) -> np.ndarray:
        get = self.vocab.get
        idx, vals = [], []
        for f, val in feats.items():
            j = get(f)
            if j is not None:
                idx.append(j)
                vals.append(val)
        z = self.bias + np.dot(vals, self.weights[idx]) if idx else self.bias
        z = z / self.temperature
        e = np.exp(z - z.max())
        return e / e.sum()

    def ranked(self, feats: dict, top: int = 3):
        """[(label, prob), ...] best first (the `top` most likely)."""
        p = self.proba(feats).tolist()
        order = sorted(range(len(p)), key=p.__getitem__, reverse=True)[:top]
        return [(self.labels[i], p[i]) for i in order]


def _design_matrix(samples, min_count):
    """CSR matrix of the samples over features seen at least min_count times, and the feature index."""
    from scipy import sparse          # imported lazily: only training needs it
    counts = Counter(f for feats in samples for f in feats)
    vocab, rows, cols, vals = {}, [], [], []
    for i, feats in enumerate(samples):
        for f, v in feats.items():
            if counts[f] >= min_count:
                rows.append(i)
                cols.append(vocab.setdefault(f, len(vocab)))
                vals.append(v)
    x = sparse.csr_matrix((vals, (rows, cols)), shape=(len(samples), len(vocab)), dtype=np.float32)
    return x, vocab


def _train_adam(x, y, l2, epochs, lr):
    """Full-batch Adam on the L2-regularised cross-entropy; returns (weights, bias)."""
    n, classes = y.shape
    xt = x.T.tocsr()
    w = np.zeros((x.shape[1], classes), dtype=np.float32)
    b = np.log(y.mean(0) + 1e-9)
    mw, vw, mb, vb = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    for t in range(1, epochs + 1):
        g = (_softmax(x @ w + b) - y) / n
        gw = xt @ g
        gw += l2 * w
        gb = g.sum(0)
        scale = lr * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        for param, grad, m, v in ((w, gw, mw, vw), (b, gb, mb, vb)):
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            param -= scale * m / (np.sqrt(v) + 1e-8)
    return w, b


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
