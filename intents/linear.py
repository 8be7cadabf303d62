"""Multinomial logistic regression on sparse binary features, trained with Adam (numpy + scipy.sparse).

Inference is a dict lookup plus a small numpy sum, far cheaper per call than sklearn."""
import numpy as np
from scipy import sparse


class LinearModel:
    def __init__(self, labels, vocab, weights, bias, temperature=1.0):
        self.labels = list(labels)
        self.vocab = vocab            # feature -> row of weights
        self.weights = weights        # (n_features, n_labels)
        self.bias = bias              # (n_labels,)
        self.temperature = temperature

    @classmethod
    def fit(cls, samples, labels, l2=1e-4, epochs=120, lr=0.1, seed=0):
        """samples: list of {feature: value}; labels: list of str."""
        classes = sorted(set(labels))
        vocab = {}
        rows, cols, vals = [], [], []
        for i, feats in enumerate(samples):
            for f, v in feats.items():
                rows.append(i)
                cols.append(vocab.setdefault(f, len(vocab)))
                vals.append(v)
        x = sparse.csr_matrix((vals, (rows, cols)), shape=(len(samples), len(vocab)), dtype=np.float64)
        xt = x.T.tocsr()
        y = np.zeros((len(samples), len(classes)))
        y[np.arange(len(samples)), [classes.index(l) for l in labels]] = 1.0
        w = np.zeros((len(vocab), len(classes)))
        b = np.log(y.mean(0) + 1e-9)
        params = [w, b]
        m = [np.zeros_like(p) for p in params]
        v = [np.zeros_like(p) for p in params]
        n = len(samples)
        for t in range(1, epochs + 1):
            p = _softmax(x @ w + b)
            g = (p - y) / n
            grads = [xt @ g + l2 * w, g.sum(0)]
            for k, (param, grad) in enumerate(zip(params, grads)):
                m[k] = 0.9 * m[k] + 0.1 * grad
                v[k] = 0.999 * v[k] + 0.001 * grad * grad
                param -= lr * (m[k] / (1 - 0.9 ** t)) / (np.sqrt(v[k] / (1 - 0.999 ** t)) + 1e-8)
        return cls(classes, vocab, w, b)

    def proba(self, feats: dict) -> np.ndarray:
        idx, vals = [], []
        for f, val in feats.items():
            j = self.vocab.get(f)
            if j is not None:
                idx.append(j)
                vals.append(val)
        z = self.bias + (np.asarray(vals) @ self.weights[idx] if idx else 0.0)
        return _softmax(z / self.temperature)

    def ranked(self, feats: dict):
        """[(label, prob), ...] best first."""
        p = self.proba(feats)
        order = np.argsort(-p)
        return [(self.labels[i], float(p[i])) for i in order]


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
