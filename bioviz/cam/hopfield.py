r"""A classic Hopfield autoassociator (numpy), the contrast to the one-hot CAM.

``P`` random patterns :math:`\xi^\mu \in \{-1, +1\}^N` are stored with the Hebb rule

.. math:: W = \frac{1}{N} \sum_{\mu=1}^{P} \xi^\mu (\xi^\mu)^\top, \qquad W_{ii} = 0,

and recalled by asynchronous updates :math:`s_i \leftarrow \mathrm{sign}(\sum_j W_{ij} s_j)`
(units in random order, a few sweeps) from a **cue**: the pattern with only a fraction of its
units known, the others set at random. Quality is the overlap
:math:`m = \frac{1}{N}\sum_i \xi_i s_i` (1 = perfect). The memory has no address: the content
is its own key, and recall *completes* a fragment by falling into the nearest attractor. It
works up to a load :math:`\alpha = P/N \approx 0.138` (Amit, Gutfreund, Sompolinsky 1985);
keeping nearly all patterns stable needs :math:`P \lesssim N / (2 \ln N)` (McEliece et al. 1987).

>>> res = completion(N=100, P=5, cue_fraction=0.6, trials=20, seed=0)
>>> bool(res.overlap.mean() > 0.95)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bioviz.runtime import blas_threads
from bioviz.validation import check_int, check_range, check_seed

__all__ = [
    "ALPHA_C",
    "store",
    "recall",
    "cue",
    "completion",
    "Completion",
    "load_curve",
    "cue_curve",
    "mceliece_capacity",
    "half_retrieval_load",
    "RETRIEVED_OVERLAP",
]

#: Critical load of the Hopfield network (Amit, Gutfreund, Sompolinsky 1985): the limit
#: N -> infinity, where the retrieval states (overlap ~0.97, ~1.5 % of units wrong) vanish.
ALPHA_C = 0.138
#: A recall counts as *retrieved* when it ends at overlap >= this (at most 2 % of units wrong).
RETRIEVED_OVERLAP = 0.96


def store(patterns: np.ndarray) -> np.ndarray:
    """Hebbian weights ``W = patterns.T @ patterns / N`` with a zero diagonal."""
    xi = np.asarray(patterns, dtype=float)
    if xi.ndim != 2 or xi.shape[1] < 2:
        raise ValueError(f"patterns must be a (P, N) array with N >= 2, got shape {xi.shape}")
    with blas_threads(1):  # the same sums in the same order on any machine
        W = xi.T @ xi / xi.shape[1]
    np.fill_diagonal(W, 0.0)
    return W


def cue(patterns: np.ndarray, cue_fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Each pattern with a random ``1 - cue_fraction`` of its units replaced by random signs."""
    cue_fraction = check_range("cue_fraction", cue_fraction, 0.0, 1.0)
    xi = np.asarray(patterns, dtype=float)
    unknown = rng.random(xi.shape) >= cue_fraction
    return np.where(unknown, rng.choice([-1.0, 1.0], size=xi.shape), xi)


def recall(W: np.ndarray, states: np.ndarray, rng: np.random.Generator, sweeps: int = 8) -> np.ndarray:
    """Asynchronous sign updates (units in a random order, the same for the whole batch).

    ``W`` is (N, N) with ``states`` (B, N), or a stack (T, N, N) of independent networks with
    ``states`` (T, B, N). A unit whose field is exactly 0 keeps its sign. The fields are summed
    on one BLAS thread: with several, the order of the sums (and so a field that is almost 0)
    would depend on the machine's thread count.
    """
    s = np.array(states, dtype=float, copy=True)
    W = np.asarray(W, dtype=float)
    stacked = W.ndim == 3
    if not stacked:
        W, s = W[None], s[None]
    N = W.shape[-1]
    sweeps = check_int("sweeps", sweeps, low=1)
    with blas_threads(1):
        H = s @ W  # local fields, kept up to date as units flip (W is symmetric)
    for _ in range(sweeps):
        changed = False
        for i in rng.permutation(N):
            old = s[:, :, i]
            h = H[:, :, i]
            new = np.where(h > 0, 1.0, np.where(h < 0, -1.0, old))
            delta = new - old
            if delta.any():
                s[:, :, i] = new
                H += delta[:, :, None] * W[:, i, None, :]
                changed = True
        if not changed:
            break
    return s if stacked else s[0]


@dataclass(frozen=True)
class Completion:
    """Final overlaps (trials x patterns) of recalls from cues, and the settings."""

    overlap: np.ndarray
    N: int
    P: int
    cue_fraction: float

    @property
    def mean_overlap(self) -> float:
        return float(self.overlap.mean())

    @property
    def retrieved(self) -> float:
        """Fraction of recalls ending within 2 % of the pattern (overlap >= 0.96)."""
        return float((self.overlap >= RETRIEVED_OVERLAP).mean())


#: The largest network these functions build (each trial holds an N x N weight matrix).
MAX_N = 2000


def completion(
    N: int = 200, P: int = 10, cue_fraction: float = 0.5, trials: int = 10, seed: int = 0, sweeps: int = 8
) -> Completion:
    """Store ``P`` random patterns in an ``N``-unit network, recall each from a cue, ``trials``
    times (fresh patterns each time); return the final overlaps."""
    N = check_int("N", N, low=2, high=MAX_N)
    P = check_int("P", P, low=1, high=MAX_N)
    trials = check_int("trials", trials, low=1, high=1000)
    if trials * N * N > 10**8:
        raise ValueError(f"trials * N**2 must be <= 1e8 (one N x N matrix per trial), got trials={trials}, N={N}")
    rng = np.random.default_rng(check_seed(seed))
    xi = rng.choice([-1.0, 1.0], size=(trials, P, N))  # fresh patterns for every trial
    W = np.stack([store(x) for x in xi])
    final = recall(W, cue(xi, cue_fraction, rng), rng, sweeps)
    out = (final * xi).mean(axis=2)
    return Completion(out, N, P, float(cue_fraction))


def load_curve(N: int = 200, loads=None, cue_fraction: float = 1.0, trials: int = 4, seed: int = 0) -> dict:
    """Mean overlap and fraction retrieved against the load ``alpha = P / N``."""
    N = check_int("N", N, low=2, high=MAX_N)
    seed = check_seed(seed)
    loads = np.asarray(loads if loads is not None else np.arange(0.02, 0.31, 0.02), float)
    if (
        loads.ndim != 1
        or not loads.size
        or not np.all(np.isfinite(loads))
        or np.any(loads <= 0)
        or np.any(loads > 2)
    ):
        raise ValueError(f"loads must be a non-empty list of numbers in (0, 2], got {loads.tolist()!r}")
    Ps = np.maximum(1, np.round(loads * N).astype(int))
    res = [completion(N, int(P), cue_fraction, trials, seed + i) for i, P in enumerate(Ps)]
    return dict(
        alpha=Ps / N,
        P=Ps,
        overlap=np.array([r.mean_overlap for r in res]),
        retrieved=np.array([r.retrieved for r in res]),
    )


def cue_curve(N: int = 200, P: int = 10, fractions=None, trials: int = 6, seed: int = 0) -> dict:
    """Mean overlap and fraction retrieved against the known fraction of the cue."""
    seed = check_seed(seed)
    fractions = np.asarray(fractions if fractions is not None else np.linspace(0.05, 1.0, 12), float)
    res = [completion(N, P, float(f), trials, seed + i) for i, f in enumerate(fractions)]
    return dict(
        fraction=fractions,
        overlap=np.array([r.mean_overlap for r in res]),
        retrieved=np.array([r.retrieved for r in res]),
    )


def mceliece_capacity(N: int) -> float:
    """``N / (2 ln N)``: the load up to which nearly all patterns are exactly stable."""
    N = check_int("N", N, low=2)
    return N / (2.0 * np.log(N))


def half_retrieval_load(load: dict) -> float:
    """The first load ``alpha`` of a :func:`load_curve` at which fewer than half of the recalls
    are retrieved (NaN if retrieval never falls below half): a finite-N estimate of where the
    network fails, to set beside the N -> infinity limit :data:`ALPHA_C`.

    >>> half_retrieval_load(dict(alpha=np.array([0.1, 0.2, 0.3]), retrieved=np.array([1.0, 0.6, 0.2])))
    0.3
    """
    below = np.asarray(load["alpha"])[np.asarray(load["retrieved"]) < 0.5]
    return float(below[0]) if below.size else float("nan")
