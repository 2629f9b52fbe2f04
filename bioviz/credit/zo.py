"""Zeroth-order learning: gradient estimates from loss evaluations alone.

A 64-``hidden``-10 ReLU perceptron (with biases) on the digits; its ``d`` parameters are one
flat vector :math:`\\theta`. **Weight perturbation** (two-point SPSA) with ``K`` Gaussian probes
:math:`u_k`:

.. math:: \\hat g = \\frac1K \\sum_k \\frac{L(\\theta + s u_k) - L(\\theta - s u_k)}{2s}\\, u_k .

For small ``s`` each term is :math:`(u_k\\cdot g)\\,u_k`, unbiased, and the estimate's cosine
with the true gradient ``g`` is about :math:`\\sqrt{K/(K+d)} \\approx \\sqrt{K/d}`: every extra
parameter adds a direction of noise. **Node perturbation** perturbs each sample's
pre-activations ``z`` (``n`` units) instead and uses each sample's own loss,
:math:`\\hat\\delta = \\frac1K\\sum_k \\frac{\\ell(z + s\\xi_k) - \\ell(z - s\\xi_k)}{2s}\\xi_k`, then
:math:`\\hat g_W = \\hat\\delta^\\top x` as back-propagation would: the noise lives in ``n`` unit
dimensions, not ``d`` weight dimensions.

The ``K`` probes are evaluated together (batched matrix products).

>>> c = cosines("weight", K=8, n_estimates=10)
>>> bool(0.5 * theory(8, D) < c.mean() < 2 * theory(8, D))
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bioviz.data import digits
from bioviz.runtime import blas_threads, memo, progress
from bioviz.validation import check_choice, check_int, check_range, check_seed

HIDDEN = 32
BATCH = 64
KINDS = ("weight", "node")


def n_params(hidden: int = HIDDEN) -> int:
    """``d``: 64 * hidden + hidden + hidden * 10 + 10."""
    return 64 * hidden + hidden + hidden * 10 + 10


D = n_params()


def theory(K, d) -> np.ndarray:
    """The expected cosine of a ``K``-probe estimate in ``d`` dimensions, :math:`\\sqrt{K/(K+d)}`."""
    K = np.asarray(K, dtype=float)
    return np.sqrt(K / (K + d))


@memo(maxsize=1)
def _data():
    X, Xte, y, yte = digits("test30")
    return (np.asarray(X, dtype=np.float64), np.asarray(y), np.asarray(Xte, dtype=np.float64), np.asarray(yte))


def init(hidden: int = HIDDEN, seed: int = 0) -> np.ndarray:
    """He-initialised weights, zero biases, as one flat vector."""
    hidden = check_int("hidden", hidden, 1, 1024)
    rng = np.random.default_rng(check_seed(seed))
    W1 = rng.normal(0, np.sqrt(2 / 64), (hidden, 64))
    W2 = rng.normal(0, np.sqrt(1 / hidden), (10, hidden))
    return np.concatenate([W1.ravel(), np.zeros(hidden), W2.ravel(), np.zeros(10)])


def unpack(theta: np.ndarray, hidden: int):
    """``(W1, b1, W2, b2)`` from flat vectors (any leading shape)."""
    lead = theta.shape[:-1]
    sizes = [(hidden, 64), (hidden,), (10, hidden), (10,)]
    out, i = [], 0
    for s in sizes:
        n = int(np.prod(s))
        out.append(theta[..., i : i + n].reshape(lead + s))
        i += n
    return out


def _xent(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-sample cross-entropy of logits ``z (..., B, 10)``."""
    z = z - z.max(-1, keepdims=True)
    return np.log(np.exp(z).sum(-1)) - np.take_along_axis(z, y[..., None], -1)[..., 0]


def losses(thetas: np.ndarray, x: np.ndarray, y: np.ndarray, hidden: int) -> np.ndarray:
    """The mean loss on ``(x, y)`` of every parameter vector in ``thetas (K, d)``."""
    W1, b1, W2, b2 = unpack(thetas, hidden)
    h = np.maximum(np.matmul(x[None], W1.transpose(0, 2, 1)) + b1[:, None, :], 0)
    z = np.matmul(h, W2.transpose(0, 2, 1)) + b2[:, None, :]
    return _xent(z, y[None]).mean(-1)


def gradient(theta: np.ndarray, x: np.ndarray, y: np.ndarray, hidden: int) -> np.ndarray:
    """Back-propagation's gradient of the mean loss (flat)."""
    W1, b1, W2, b2 = unpack(theta, hidden)
    h = np.maximum(x @ W1.T + b1, 0)
    z = h @ W2.T + b2
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    d2 = p / len(y)
    d1 = (d2 @ W2) * (h > 0)
    return np.concatenate([(d1.T @ x).ravel(), d1.sum(0), (d2.T @ h).ravel(), d2.sum(0)])


def spsa(theta, x, y, *, K: int, s: float, rng: np.random.Generator, hidden: int = HIDDEN) -> np.ndarray:
    """The two-point weight-perturbation estimate with ``K`` Gaussian probes of size ``s``."""
    U = rng.normal(size=(K, theta.size))
    diff = losses(theta + s * U, x, y, hidden) - losses(theta - s * U, x, y, hidden)
    return (diff / (2 * s)) @ U / K


def node_perturbation(
    theta, x, y, *, K: int, s: float, rng: np.random.Generator, hidden: int = HIDDEN
) -> np.ndarray:
    """Perturb every sample's pre-activations (both layers) by ``s`` times Gaussian noise, ``K``
    probes; estimate each unit's error from the sample's own loss change; assemble the weight
    gradient from the estimated errors and the (unperturbed) inputs."""
    W1, b1, W2, b2 = unpack(theta, hidden)
    B = len(x)
    z1 = x @ W1.T + b1  # (B, hidden)
    xi1 = rng.normal(size=(K, B, hidden))
    xi2 = rng.normal(size=(K, B, 10))

    def per_sample(sign):
        h = np.maximum(z1[None] + sign * s * xi1, 0)
        z2 = h @ W2.T + b2 + sign * s * xi2
        return _xent(z2, y[None])  # (K, B)

    c = (per_sample(1) - per_sample(-1)) / (2 * s)  # (K, B)
    d1 = (c[..., None] * xi1).mean(0) / B  # estimated dL/dz1 of the mean loss
    d2 = (c[..., None] * xi2).mean(0) / B
    h = np.maximum(z1, 0)
    return np.concatenate([(d1.T @ x).ravel(), d1.sum(0), (d2.T @ h).ravel(), d2.sum(0)])


ESTIMATORS = {"weight": spsa, "node": node_perturbation}


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def cosines(
    kind: str = "weight",
    *,
    K: int = 8,
    s: float = 1e-3,
    hidden: int = HIDDEN,
    n_estimates: int = 20,
    seed: int = 0,
) -> np.ndarray:
    """Cosines between ``n_estimates`` estimates and the true gradient, at initialisation, on the
    first training batch."""
    kind = check_choice("kind", kind, KINDS)
    K = check_int("K", K, 1, 4096)
    s = check_range("s", s, 0.0, 10.0, low_open=True)
    hidden = check_int("hidden", hidden, 1, 1024)
    n_estimates = check_int("n_estimates", n_estimates, 1, 10_000)
    X, y, _, _ = _data()
    theta = init(hidden, check_seed(seed))
    xb, yb = X[:BATCH], y[:BATCH]
    rng = np.random.default_rng(seed + 1)
    with blas_threads(1):
        g = gradient(theta, xb, yb, hidden)
        return np.array(
            [
                cosine(ESTIMATORS[kind](theta, xb, yb, K=K, s=s, rng=rng, hidden=hidden), g)
                for _ in range(n_estimates)
            ]
        )


@dataclass(frozen=True)
class ZOTrace:
    """Test accuracy every ``every`` steps of a training run."""

    steps: np.ndarray
    accuracy: np.ndarray


def accuracy(theta: np.ndarray, hidden: int = HIDDEN) -> float:
    _, _, Xte, yte = _data()
    W1, b1, W2, b2 = unpack(theta, hidden)
    return float(((np.maximum(Xte @ W1.T + b1, 0) @ W2.T + b2).argmax(1) == yte).mean())


#: Whether the run in progress shows its bar (set by :func:`train` around the cached call).
_SHOW = [False]


def train(
    method: str = "bp",
    K: int = 8,
    *,
    steps: int = 1500,
    lr: float = 0.05,
    s: float = 1e-3,
    hidden: int = HIDDEN,
    seed: int = 0,
    every: int = 100,
    show_progress: bool = True,
) -> ZOTrace:
    """SGD on batches of 64 with back-propagation's gradient (``"bp"``) or an estimate
    (``"weight"``, ``"node"``) with ``K`` probes (cached per process; see :func:`_train`)."""
    _SHOW[0] = bool(show_progress)
    try:
        return _train(method, K, steps, lr, s, hidden, seed, every)
    finally:
        _SHOW[0] = False


@memo(maxsize=16)
def _train(method: str, K: int, steps: int, lr: float, s: float, hidden: int, seed: int, every: int) -> ZOTrace:
    """SGD on batches of 64 with back-propagation's gradient (``"bp"``) or an estimate
    (``"weight"``, ``"node"``) with ``K`` probes. The step is ``lr`` times the estimate; for weight
    perturbation it is scaled by ``K / (K + d)`` (the estimate's squared norm is about
    ``(K + d) / K`` times the gradient's), so every ``K`` takes steps of comparable length."""
    method = check_choice("method", method, ("bp",) + KINDS)
    K = check_int("K", K, 1, 4096)
    steps = check_int("steps", steps, 1, 100_000)
    lr = check_range("lr", lr, 0.0, 10.0, low_open=True)
    hidden = check_int("hidden", hidden, 1, 1024)
    s = check_range("s", s, 0.0, 10.0, low_open=True)
    every = check_int("every", every, 1, 100_000)
    X, y, _, _ = _data()
    theta = init(hidden, check_seed(seed))
    d = theta.size
    rng = np.random.default_rng(seed + 1)
    scale = K / (K + d) if method == "weight" else 1.0
    marks, accs = [0], [accuracy(theta, hidden)]
    with blas_threads(1):
        for t in progress(range(1, steps + 1), desc=f"{method}, K = {K}", disable=not _SHOW[0]):
            idx = rng.integers(0, len(X), BATCH)
            if method == "bp":
                g = gradient(theta, X[idx], y[idx], hidden)
            else:
                g = ESTIMATORS[method](theta, X[idx], y[idx], K=K, s=s, rng=rng, hidden=hidden) * scale
            theta = theta - lr * g
            if t % every == 0 or t == steps:
                marks.append(t)
                accs.append(accuracy(theta, hidden))
    return ZOTrace(np.array(marks), np.array(accs))


def two_point_estimate(loss, theta: np.ndarray, K: int, s: float, rng: np.random.Generator) -> np.ndarray:
    """The SPSA estimate written for one loss function ``loss(theta) -> float``, one probe at a
    time (the tutorial's exercise; :func:`spsa` is the batched version).

    >>> g = two_point_estimate(lambda t: float(t @ t), np.ones(3), 4, 1e-3, np.random.default_rng(0))
    >>> g.shape
    (3,)
    """
    U = rng.normal(size=(K, theta.size))
    g = np.zeros(theta.size)
    for u in U:
        g += (loss(theta + s * u) - loss(theta - s * u)) / (2 * s) * u
    return g / K


PROBES = (1, 2, 4, 8, 16, 32, 64, 128)


@dataclass(frozen=True)
class CosineCurve:
    """Mean cosine over ``n`` estimates for each ``K`` in :data:`PROBES`, both estimators, and
    the dimensions they work in (``d`` weights, ``units`` pre-activations per sample)."""

    Ks: tuple
    weight: np.ndarray
    node: np.ndarray
    d: int
    units: int
    spread: dict


@memo(maxsize=32)
def cosine_curve(s: float = 1e-3, hidden: int = HIDDEN, seed: int = 0, n: int = 5) -> CosineCurve:
    """:func:`cosines` for every ``K`` in :data:`PROBES`, weight and node perturbation."""
    weight = {K: cosines("weight", K=K, s=s, hidden=hidden, n_estimates=n, seed=seed) for K in PROBES}
    node = {K: cosines("node", K=K, s=s, hidden=hidden, n_estimates=n, seed=seed) for K in PROBES}
    return CosineCurve(
        PROBES,
        np.array([weight[K].mean() for K in PROBES]),
        np.array([node[K].mean() for K in PROBES]),
        n_params(hidden),
        hidden + 10,
        {"weight perturbation": weight, "node perturbation": node},
    )
