"""Curl descent in a teacher-student network: gradient updates with some synapses' signs flipped.

Ninou, Kadmon & Cayco-Gajic (NeurIPS 2025). A student :math:`\\hat y = w_2^\\top \\tanh(W_1 x)`
learns a teacher of the same shape (random weights) from ``P`` fixed inputs, full batch. The
update of a layer is the gradient times a diagonal sign matrix over its **presynaptic** neurons:

.. math:: \\Delta W_1 = -\\eta\\, \\frac1P \\sum_p \\delta_{1,p}\\, x_p^\\top D_1, \\qquad
          \\Delta w_2 = -\\eta\\, \\frac1P \\sum_p e_p\\, h_p^\\top D_2,

with :math:`D = \\mathrm{diag}(\\pm 1)`: a fraction of the input neurons (hidden layer's
update) or of the hidden neurons (readout's update) have "flipped", anti-Hebbian plasticity.
With no flips this is gradient descent; with flips the update field has curl and is the
gradient of no loss.

Every configuration (flip fractions, seed) is one student in a stack, trained together in
float32 with batched matrix products.

>>> r = train(((0.0, 0.0), (0.0, 0.3)), steps=300)
>>> bool(r.loss[-1, 1] < 10 * r.loss[-1, 0])
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bioviz.runtime import blas_threads, memo
from bioviz.validation import check_int, check_range, check_seed

N_IN = 20
P = 200
LR = 0.1
STEPS = 2000
RECORD = 20


@dataclass(frozen=True)
class CurlRun:
    """Losses ``(records, configurations)`` every ``RECORD`` steps (``steps``: their step numbers)."""

    configs: tuple
    steps: np.ndarray
    loss: np.ndarray

    @property
    def final(self) -> np.ndarray:
        return self.loss[-1]


def _teacher(n_hidden: int, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(P, N_IN))
    W = rng.normal(size=(n_hidden, N_IN)) / np.sqrt(N_IN)
    w = rng.normal(size=n_hidden) / np.sqrt(n_hidden)
    return X.astype(np.float32), (np.tanh(X @ W.T) @ w).astype(np.float32)


def flip_signs(n: int, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """``n`` signs, ``round(fraction * n)`` of them -1 (chosen at random)."""
    fraction = check_range("fraction", fraction, 0.0, 1.0)
    d = np.ones(n, dtype=np.float32)
    d[rng.permutation(n)[: int(round(fraction * n))]] = -1.0
    return d


def train(
    configs,
    *,
    expansion: float = 3.0,
    steps: int = STEPS,
    lr: float = LR,
    seed: int = 0,
) -> CurlRun:
    """Train one student per ``(hidden flip fraction, readout flip fraction)`` in ``configs``
    on the same teacher (hidden width ``expansion * 20``) from the same initial weights."""
    configs = tuple(
        (check_range("hidden flip", h, 0.0, 1.0), check_range("readout flip", r, 0.0, 1.0)) for h, r in configs
    )
    if not configs:
        raise ValueError("configs must name at least one (hidden flip, readout flip) pair")
    expansion = check_range("expansion", expansion, 0.5, 10.0)
    steps = check_int("steps", steps, 1, 100_000)
    lr = check_range("lr", lr, 0.0, 2.0, low_open=True)
    seed = check_seed(seed)
    n_hid = int(round(expansion * N_IN))
    X, y = _teacher(n_hid, seed)
    rng = np.random.default_rng(seed + 1)
    W1_0 = (rng.normal(size=(n_hid, N_IN)) / np.sqrt(N_IN)).astype(np.float32)
    w2_0 = (rng.normal(size=(1, n_hid)) / np.sqrt(n_hid)).astype(np.float32)
    S = len(configs)
    W1 = np.repeat(W1_0[None], S, 0)
    w2 = np.repeat(w2_0[None], S, 0)
    # which neurons flip depends on the seed and the fraction only, not on the other configurations
    d1 = np.stack([flip_signs(N_IN, h, np.random.default_rng([seed, 2, round(1000 * h)])) for h, _ in configs])
    d2 = np.stack([flip_signs(n_hid, r, np.random.default_rng([seed, 3, round(1000 * r)])) for _, r in configs])
    d1, d2 = d1[:, None, :], d2[:, None, :]
    records, marks = [], []
    with blas_threads(1), np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps + 1):
            h = np.tanh(np.matmul(X[None], W1.transpose(0, 2, 1)))  # (S, P, hidden)
            e = np.matmul(h, w2.transpose(0, 2, 1))[..., 0] - y[None]  # (S, P)
            if t % RECORD == 0 or t == steps:
                records.append(0.5 * (e.astype(np.float64) ** 2).mean(1))
                marks.append(t)
            if t == steps:
                break
            g2 = np.matmul(e[:, None, :], h) / P
            delta = e[..., None] * w2 * (1 - h**2)
            g1 = np.matmul(delta.transpose(0, 2, 1), X[None]) / P
            W1 -= lr * g1 * d1
            w2 -= lr * g2 * d2
    loss = np.array(records)
    loss[~np.isfinite(loss)] = np.inf  # a diverged student
    return CurlRun(configs, np.array(marks), loss)


@memo(maxsize=64)
def run(hidden_flip: float, readout_flip: float, expansion: float = 3.0, seed: int = 0) -> CurlRun:
    """One student beside gradient descent on the same teacher (cached; do not modify)."""
    return train(((0.0, 0.0), (hidden_flip, readout_flip)), expansion=expansion, seed=seed)


def flipped_update(delta: np.ndarray, x: np.ndarray, signs: np.ndarray, lr: float) -> np.ndarray:
    """One layer's sign-flipped update: ``-lr * (delta.T @ x / batch) * signs`` with one sign per
    presynaptic neuron (column); all signs +1 is gradient descent.

    >>> flipped_update(np.ones((2, 1)), np.ones((2, 3)), np.array([1.0, -1.0, 1.0]), 0.1)
    array([[-0.1,  0.1, -0.1]])
    """
    return -lr * (delta.T @ x / len(x)) * signs[None, :]
