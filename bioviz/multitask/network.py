"""A Hopfield network that learns diluted patterns from noisy examples and retrieves several at once.

The model (Agliari, Alessandrelli, Barra & Ricci-Tersenghi, 2023; Agliari et al., 2012):

- ``K`` **patterns** :math:`\\xi^\\mu \\in \\{-1, 0, +1\\}^N`: each entry is 0 with probability
  ``d`` (the *dilution*: the pattern says nothing about that neuron) and :math:`\\pm 1` with
  probability :math:`(1-d)/2` each;
- ``M`` **examples** per pattern, :math:`\\eta^{\\mu,a}_i = \\xi^\\mu_i \\chi^{\\mu,a}_i` with
  :math:`\\chi = +1` with probability :math:`(1+r)/2` and :math:`-1` otherwise: each non-zero
  entry is flipped with probability :math:`(1-r)/2`; ``r`` is the examples' *quality*;
- **Hebbian couplings** from the examples, one matrix product, zero diagonal:

  unsupervised (no teacher: every example is stored as it comes)
  :math:`J_{ij} = \\frac{1}{N M r^2} \\sum_{\\mu,a} \\eta^{\\mu,a}_i \\eta^{\\mu,a}_j`;

  supervised (a teacher groups the examples by pattern, so each group is averaged first)
  :math:`J_{ij} = \\frac{1}{N r^2} \\sum_{\\mu} \\bar\\eta^{\\mu}_i \\bar\\eta^{\\mu}_j`,
  :math:`\\bar\\eta^\\mu = \\frac{1}{M}\\sum_a \\eta^{\\mu,a}`.

  The factor :math:`1/r^2` makes both tend to the Hebbian :math:`\\frac1N\\sum_\\mu \\xi^\\mu_i\\xi^\\mu_j`
  for many examples; it does not change the zero-temperature dynamics.
- **Dynamics** at zero temperature, all neurons at once (synchronous):
  :math:`\\sigma_i \\leftarrow \\mathrm{sign}(h_i)`, :math:`h_i = \\sum_j J_{ij}\\sigma_j`, a
  neuron with :math:`h_i = 0` keeps its state; at temperature ``T > 0``,
  :math:`P(\\sigma_i = +1) = \\frac{1}{2}(1 + \\tanh(h_i / T))`.
- **Mattis magnetisations** :math:`m_\\mu = \\frac1N \\sum_i \\xi^\\mu_i \\sigma_i`: how much of
  pattern :math:`\\mu` the state carries (at most :math:`1-d`, the pattern's non-blank fraction).

Neurons left blank by the pattern the network retrieves best are free; the next pattern's field
recruits them, then the next. At zero temperature with perfect learning the magnetisations
follow the **hierarchical law** :math:`m_k = (1-d)\\,d^{\\,k-1}` (ranked ``k = 1..K``) while that
state is stable (:func:`critical_dilution`); beyond it the patterns share the neurons more
evenly ("parallel" retrieval).

The couplings are computed from integer counts in floating point (exact), and the fields in
float64 with a tie tolerance far below one count, so the same seed gives the same state on any
number of BLAS threads.

>>> res = retrieve(N=1000, K=3, d=0.3, M=20, r=0.8, seed=0)
>>> [round(float(m), 2) for m in res.m_sorted]
[0.69, 0.19, 0.09]
>>> [round(float(m), 2) for m in hierarchical_law(0.3, 3)]
[0.7, 0.21, 0.06]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bioviz.parallel import Backend, pmap, resolve
from bioviz.runtime import blas_threads
from bioviz.sweeps import SweepResult, grid_points
from bioviz.validation import check_bool, check_choice, check_int, check_number, check_range, check_seed

#: Upper bounds that keep a call within memory and seconds (N x N couplings in float64).
MAX_N = 5000
MAX_K = 20
MAX_M = 1000
MAX_STEPS = 10_000
PROTOCOLS = ("supervised", "unsupervised")
INITS = ("random", "pattern")


# ---------------------------------------------------------------------------------------------
# data


def check_dilution(d) -> float:
    """``d`` in [0, 1): the fraction of blank entries (d = 1 would leave nothing to store)."""
    d = check_range("d", d, 0.0, 1.0)
    if d >= 1.0:
        raise ValueError(f"d must be below 1 (a pattern with every entry blank stores nothing), got {d}")
    return d


def check_quality(r) -> float:
    """``r`` in (0, 1]: 1 means perfect examples, 0 would mean pure noise."""
    r = check_range("r", r, 0.0, 1.0)
    if r <= 0.0:
        raise ValueError(f"r must be above 0 (r = 0 examples carry no information), got {r}")
    return r


def patterns(N: int, K: int, d: float, seed: int = 0) -> np.ndarray:
    """``K`` diluted patterns of ``N`` entries in {-1, 0, +1} (int8, shape ``(K, N)``).

    >>> xi = patterns(10_000, 2, 0.3, seed=1)
    >>> xi.shape, round(float((xi == 0).mean()), 2), sorted(np.unique(xi).tolist())
    ((2, 10000), 0.3, [-1, 0, 1])
    """
    N = check_int("N", N, 2, 10**7)
    K = check_int("K", K, 1, MAX_K)
    d = check_dilution(d)
    rng = np.random.default_rng(check_seed(seed))
    u = rng.random((K, N))
    sign = np.where(rng.random((K, N)) < 0.5, -1, 1)
    return np.where(u < d, 0, sign).astype(np.int8)


def examples(xi: np.ndarray, M: int, r: float, seed: int = 0) -> np.ndarray:
    """``M`` noisy examples of each pattern, shape ``(K, M, N)``: each non-zero entry flipped
    with probability ``(1 - r) / 2``; blank entries stay blank.

    >>> xi = patterns(20_000, 1, 0.0, seed=0)
    >>> eta = examples(xi, 5, 0.6, seed=1)
    >>> round(float((eta * xi[:, None, :]).mean()), 2)  # the mean of chi is r
    0.6
    """
    xi = _check_patterns(xi)
    M = check_int("M", M, 1, MAX_M)
    r = check_quality(r)
    rng = np.random.default_rng(check_seed(seed))
    K, N = xi.shape
    chi = np.where(rng.random((K, M, N)) < (1.0 + r) / 2.0, 1, -1).astype(np.int8)
    return xi[:, None, :] * chi


def _check_patterns(xi) -> np.ndarray:
    xi = np.asarray(xi)
    if xi.ndim != 2 or xi.size == 0:
        raise ValueError(f"patterns must be a non-empty (K, N) array, got shape {xi.shape}")
    if not np.isin(xi, (-1, 0, 1)).all():
        raise ValueError("patterns must hold only -1, 0 and +1")
    return xi.astype(np.int8)


# ---------------------------------------------------------------------------------------------
# Hebbian couplings


def couplings(eta: np.ndarray, r: float, supervised: bool = False) -> np.ndarray:
    """Hebbian couplings from examples ``eta`` of shape ``(K, M, N)`` (see the module docstring).

    One matrix product ``X.T @ X`` of integer counts, scaled, with a zero diagonal (float64,
    ``(N, N)``).

    >>> eta = np.array([[[1, -1, 0], [1, 1, 0]]])  # one pattern, two examples, three neurons
    >>> couplings(eta, r=1.0) * 3 * 2  # unsupervised: the sum of the two outer products
    array([[0., 0., 0.],
           [0., 0., 0.],
           [0., 0., 0.]])
    >>> couplings(eta, r=1.0, supervised=True) * 3 * 4  # the sum's outer product, over M**2
    array([[0., 0., 0.],
           [0., 0., 0.],
           [0., 0., 0.]])
    >>> couplings(np.array([[[1, -1, 1]]]), r=1.0) * 3
    array([[ 0., -1.,  1.],
           [-1.,  0., -1.],
           [ 1., -1.,  0.]])
    """
    eta = np.asarray(eta)
    if eta.ndim != 3 or eta.size == 0:
        raise ValueError(f"eta must be a non-empty (K, M, N) array of examples, got shape {eta.shape}")
    if not np.isin(eta, (-1, 0, 1)).all():
        raise ValueError("eta must hold only -1, 0 and +1")
    r = check_quality(r)
    supervised = check_bool("supervised", supervised)
    K, M, N = eta.shape
    check_int("N", N, 1, MAX_N)
    if supervised:
        X, scale = eta.sum(axis=1), 1.0 / (N * M * M * r * r)  # the teacher's sums, (K, N)
    else:
        X, scale = eta.reshape(K * M, N), 1.0 / (N * M * r * r)
    # integer counts are exact in float32 up to 2**24: at most K * M**2 <= 2e7 here
    X = X.astype(np.float32 if K * M * M < 2**24 else np.float64)
    with blas_threads(1):
        J = (X.T @ X).astype(np.float64)
    np.fill_diagonal(J, 0.0)
    return J * scale


# ---------------------------------------------------------------------------------------------
# dynamics and magnetisations


def magnetisations(xi: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Mattis magnetisations ``m_mu = xi^mu . sigma / N`` (one per pattern).

    >>> magnetisations(np.array([[1, 0, -1, 1]]), np.array([1, 1, -1, -1]))
    array([0.25])
    """
    xi = np.asarray(xi, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    if xi.ndim != 2 or sigma.shape != (xi.shape[1],):
        raise ValueError(f"need patterns (K, N) and a state (N,), got {xi.shape} and {sigma.shape}")
    return xi @ sigma / xi.shape[1]


def sync_step(J: np.ndarray, sigma: np.ndarray, tol: float = 0.0) -> np.ndarray:
    """One zero-temperature update of every neuron: ``sign(J @ sigma)``; a neuron whose field is
    within ``tol`` of 0 keeps its state.

    >>> J = np.array([[0.0, 1.0, -1.0], [1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]])
    >>> sync_step(J, np.array([1.0, 1.0, 1.0]))
    array([ 1.,  1., -1.])
    """
    h = J @ sigma
    return np.where(h > tol, 1.0, np.where(h < -tol, -1.0, sigma))


@dataclass(frozen=True)
class Relaxation:
    """The end of a run of the dynamics: the final state, the magnetisations after every step
    (``history[0]`` is the start), the number of steps taken, and whether a fixed point was
    reached (at zero temperature; never at T > 0)."""

    sigma: np.ndarray
    history: np.ndarray
    steps: int
    converged: bool


def relax(
    J: np.ndarray,
    sigma: np.ndarray,
    xi: np.ndarray,
    *,
    max_steps: int = 100,
    temperature: float = 0.0,
    seed: int = 0,
    step=None,
) -> Relaxation:
    """Run the synchronous dynamics from ``sigma`` until a fixed point (T = 0) or ``max_steps``.

    At T = 0 each step sets every neuron to the sign of its field (a neuron with zero field keeps
    its state); at T > 0 to +1 with probability ``(1 + tanh(h / T)) / 2``. Synchronous updates
    can fall into a two-cycle; ``converged`` is then False. ``step(J, sigma)`` replaces
    :func:`sync_step` at T = 0 (a student's own update; ties are then the step's business).
    """
    J = np.asarray(J, dtype=np.float64)
    xi = _check_patterns(xi)
    s = np.asarray(sigma, dtype=np.float64).copy()
    if J.ndim != 2 or J.shape[0] != J.shape[1] or s.shape != (J.shape[0],) or xi.shape[1] != J.shape[0]:
        raise ValueError(f"J must be (N, N), sigma (N,) and patterns (K, N): got {J.shape}, {s.shape}, {xi.shape}")
    if not np.isin(s, (-1.0, 1.0)).all():
        raise ValueError("sigma must hold only -1 and +1")
    max_steps = check_int("max_steps", max_steps, 0, MAX_STEPS)
    temperature = check_number("temperature", temperature)
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    rng = np.random.default_rng(check_seed(seed))
    # any non-zero field is at least one count times the scale; rounding is ~1e-13 of |J|max
    tol = 1e-9 * float(np.abs(J).max(initial=0.0))
    history = [magnetisations(xi, s)]
    converged = False
    steps = 0
    with blas_threads(1):
        for steps in range(1, max_steps + 1):
            if temperature > 0:
                h = J @ s
                p_up = 0.5 * (1.0 + np.tanh(h / temperature))
                new = np.where(rng.random(s.shape) < p_up, 1.0, -1.0)
            elif step is not None:
                new = np.array(
                    step(J, s.copy()), dtype=np.float64
                )  # a step that writes in place cannot fool the stop test
            else:
                new = sync_step(J, s, tol)
            history.append(magnetisations(xi, new))
            if temperature == 0 and np.array_equal(new, s):
                converged = True
                s = new
                history.pop()  # the fixed point was already recorded
                steps -= 1
                break
            s = new
    return Relaxation(sigma=s, history=np.array(history), steps=steps, converged=converged)


def initial_state(xi: np.ndarray, init: str = "random", seed: int = 0) -> np.ndarray:
    """A start for the dynamics: ``"random"`` (every neuron +-1 at random) or ``"pattern"``
    (pattern 1 where it is non-blank, random elsewhere)."""
    check_choice("init", init, INITS)
    xi = _check_patterns(xi)
    rng = np.random.default_rng(check_seed(seed))
    s = np.where(rng.random(xi.shape[1]) < 0.5, -1.0, 1.0)
    if init == "pattern":
        s = np.where(xi[0] != 0, xi[0], s).astype(np.float64)
    return s


# ---------------------------------------------------------------------------------------------
# one network, end to end


@dataclass(frozen=True)
class Retrieval:
    """One network: its patterns, the final state and the magnetisations.

    ``m`` is signed (a pattern and its mirror image are equally good memories); ``ranks`` orders
    the patterns by ``|m|``, so ``m_sorted`` holds ``|m_1| >= |m_2| >= ...`` as the hierarchical
    law is written.
    """

    xi: np.ndarray
    sigma: np.ndarray
    m: np.ndarray
    history: np.ndarray
    steps: int
    converged: bool
    params: dict = field(default_factory=dict)

    @property
    def ranks(self) -> np.ndarray:
        return np.argsort(-np.abs(self.m), kind="stable")

    @property
    def m_sorted(self) -> np.ndarray:
        return np.abs(self.m)[self.ranks]

    @property
    def overlap(self) -> float:
        """How well the best-retrieved pattern is recalled: ``|m|`` over that pattern's
        non-blank fraction (1 = every non-blank neuron right; about ``1 - d`` for the fraction)."""
        top = self.ranks[0]
        return float(abs(self.m[top]) / max(np.mean(self.xi[top] != 0), 1.0 / self.xi.shape[1]))

    def served_by(self) -> np.ndarray:
        """For each neuron, the rank (1 = the best-retrieved pattern) of the pattern it serves:
        the best-ranked pattern that is non-blank there, if the neuron agrees with it (with the
        sign of that pattern's magnetisation); 0 where every pattern is blank; -1 where the
        neuron disagrees with the pattern that should set it."""
        return served_by(self.xi, self.sigma, self.m)


def served_by(xi: np.ndarray, sigma: np.ndarray, m: np.ndarray) -> np.ndarray:
    """See :meth:`Retrieval.served_by`.

    >>> xi = np.array([[1, 0, 0, 1], [1, 1, 0, 0]])
    >>> served_by(xi, np.array([1, -1, 1, -1]), np.array([0.0, -0.5]))
    array([-1,  1,  0, -1])
    """
    xi = _check_patterns(xi)
    sigma = np.asarray(sigma)
    m = np.asarray(m, dtype=float)
    out = np.zeros(xi.shape[1], dtype=int)
    decided = np.zeros(xi.shape[1], dtype=bool)
    for rank, mu in enumerate(np.argsort(-np.abs(m), kind="stable"), start=1):
        here = (xi[mu] != 0) & ~decided
        sign = 1 if m[mu] >= 0 else -1
        agree = sigma == sign * xi[mu]
        out[here & agree] = rank
        out[here & ~agree] = -1
        decided |= here
    return out


def retrieve(
    N: int = 2000,
    K: int = 4,
    d: float = 0.4,
    M: int = 30,
    r: float = 0.8,
    *,
    supervised: bool = False,
    init: str = "random",
    temperature: float = 0.0,
    max_steps: int = 100,
    seed: int = 0,
    hebb=None,
    step=None,
) -> Retrieval:
    """Draw patterns and examples, build the couplings, relax from ``init``; one seed sets all.

    ``hebb(eta, r, supervised)`` and ``step(J, sigma)`` replace :func:`couplings` and
    :func:`sync_step` (a student's own versions).

    >>> a = retrieve(N=500, K=2, d=0.5, M=10, r=0.9, seed=3)
    >>> b = retrieve(N=500, K=2, d=0.5, M=10, r=0.9, seed=3)
    >>> bool(np.array_equal(a.sigma, b.sigma)), a.converged
    (True, True)
    """
    seed = check_seed(seed)
    N = check_int("N", N, 2, MAX_N)
    supervised = check_bool("supervised", supervised)
    seeds = np.random.SeedSequence(seed).generate_state(4)
    xi = patterns(N, K, d, seed=int(seeds[0]))
    eta = examples(xi, M, r, seed=int(seeds[1]))
    J = (hebb or couplings)(eta, r, supervised)
    s0 = initial_state(xi, init, seed=int(seeds[2]))
    run = relax(J, s0, xi, max_steps=max_steps, temperature=temperature, seed=int(seeds[3]), step=step)
    params = dict(N=N, K=K, d=d, M=M, r=r, supervised=supervised, init=init, temperature=temperature)
    return Retrieval(xi, run.sigma, run.history[-1], run.history, run.steps, run.converged, params)


# ---------------------------------------------------------------------------------------------
# theory


def hierarchical_law(d: float, K: int) -> np.ndarray:
    """``m_k = (1 - d) d**(k - 1)`` for ranks ``k = 1..K``: pattern 1 takes its non-blank
    neurons, pattern 2 the non-blank ones among those left free, and so on.

    >>> hierarchical_law(0.5, 3)
    array([0.5  , 0.25 , 0.125])
    """
    d = check_dilution(d)
    K = check_int("K", K, 1, MAX_K)
    return (1.0 - d) * d ** np.arange(K)


def critical_dilution(K: int) -> float:
    """The dilution above which the hierarchical state stops being a fixed point (T = 0, perfect
    learning): the root of ``d + d**2 + ... + d**(K-1) = 1``.

    A neuron on pattern 1's support feels ``xi^1 m_1 + sum_{mu>1} xi^mu m_mu``; it follows
    pattern 1 whatever the others say only while ``m_1 > m_2 + ... + m_K``. With the law's
    magnetisations that is ``1 > d + ... + d**(K-1)`` (the same condition holds for every lower
    rank). 1.0 for ``K <= 2`` (always stable); tends to 1/2 as ``K`` grows.

    >>> round(critical_dilution(3), 4), round(critical_dilution(4), 4), round(critical_dilution(20), 4)
    (0.618, 0.5437, 0.5)
    """
    K = check_int("K", K, 1, MAX_K)
    if K <= 2:
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if sum(mid**j for j in range(1, K)) < 1.0:
            lo = mid
        else:
            hi = mid
    return lo


def dataset_entropy(M, r) -> np.ndarray:
    """``rho = (1 - r**2) / (M r**2)``: how noisy the examples are as a set (0 = the pattern
    itself). Large ``M`` or ``r`` near 1 make it small.

    >>> round(float(dataset_entropy(30, 0.8)), 5)
    0.01875
    """
    M, r = _check_examples(M, r)
    return (1.0 - r**2) / (M * r**2)


def _check_examples(M, r) -> tuple[np.ndarray, np.ndarray]:
    """Numbers of examples (integers, 1 to :data:`MAX_M`) and qualities (in (0, 1]), as arrays."""
    try:
        M, r = np.asarray(M, dtype=float), np.asarray(r, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"M and r must be numbers or arrays of numbers, got M={M!r}, r={r!r}") from None
    if not (np.isfinite(M).all() and (M >= 1).all() and (M <= MAX_M).all() and (M == np.round(M)).all()):
        raise ValueError(f"M must be whole numbers of examples from 1 to {MAX_M}, got {M.tolist()}")
    if not (np.isfinite(r).all() and (r > 0).all() and (r <= 1).all()):
        raise ValueError(f"r must be in (0, 1], got {r.tolist()}")
    return M, r


def learned_overlap(M, r, *, exact: bool = True) -> np.ndarray:
    """The signal-to-noise prediction of how well a pattern is learned: the expected overlap
    ``m_1 / (1 - d)`` of the retrieved state with the pattern, from ``M`` examples of quality ``r``.

    Near a retrieved pattern the field on one of its neurons is, to leading order in ``1/N``,
    proportional to ``xi_i * mean_a chi_i^a`` for both protocols: each neuron takes the majority
    vote of its examples. The overlap is then ``P(vote right) - P(vote wrong)`` (a tie keeps a
    random start: it counts 0), exact for the binomial vote; with ``exact=False`` the Gaussian
    approximation ``erf(1 / sqrt(2 rho))`` in the dataset entropy ``rho``. The crosstalk between
    patterns and the finite ``N`` are left out, so this is an upper bound on what the dynamics find.

    >>> round(float(learned_overlap(1, 0.6)), 3), round(float(learned_overlap(30, 0.3)), 3)
    (0.6, 0.905)
    >>> round(float(learned_overlap(30, 0.3, exact=False)), 3)
    0.915
    """
    rho = dataset_entropy(M, r)
    if not check_bool("exact", exact):
        from scipy.special import erf

        return erf(1.0 / np.sqrt(2.0 * rho))
    from scipy.stats import binom

    Mb, rb = np.broadcast_arrays(np.asarray(M, dtype=int), np.asarray(r, dtype=float))
    out = np.empty(Mb.shape)
    for idx in np.ndindex(Mb.shape):
        m, p = int(Mb[idx]), (1.0 + float(rb[idx])) / 2.0
        k = np.arange(m + 1)
        pk = binom.pmf(k, m, p)  # k examples agree with the pattern
        out[idx] = pk[2 * k > m].sum() - pk[2 * k < m].sum()
    return out if out.ndim else out[()]


# ---------------------------------------------------------------------------------------------
# sweeps (the reproduction report)


def _retrieval_point(seed, **params) -> dict:
    """One grid point of the sweeps below (module level, so a worker process can run it)."""
    protocol = params.pop("protocol", None)
    if protocol is not None:
        params["supervised"] = protocol == "supervised"
    res = retrieve(seed=seed, **params)
    return dict(
        m_sorted=res.m_sorted,
        overlap=res.overlap,
        converged=float(res.converged),
        steps=float(res.steps),
    )


def _run_grid(axes: dict, fixed: dict, desc: str, parallel, show_progress: bool) -> SweepResult:
    """Every point of the grid ``axes`` (with the ``fixed`` settings) through :func:`pmap`."""
    points = pmap(
        _retrieval_point,
        [dict(p, **fixed) for p in grid_points(axes)],
        unpack=True,
        parallel=resolve(parallel),
        desc=desc,
        show_progress=show_progress,
    )
    return SweepResult.from_points(axes, points, settings=fixed)


def dilution_sweep(
    ds=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
    seeds=(0, 1, 2, 3, 4),
    *,
    N: int = 2000,
    K: int = 4,
    M: int = 30,
    r: float = 0.8,
    supervised: bool = False,
    init: str = "random",
    parallel: str | Backend | None = None,
    show_progress: bool = True,
) -> SweepResult:
    """Ranked magnetisations against the dilution, on the grid ``seed x d``.

    Values: ``m_sorted`` (K per point), ``overlap`` (see :attr:`Retrieval.overlap`), ``converged`` and
    ``steps``; ``settings`` holds the fixed parameters.
    """
    ds = tuple(check_dilution(d) for d in ds)
    seeds = tuple(check_seed(s) for s in seeds)
    if not ds or not seeds:
        raise ValueError("ds and seeds must not be empty")
    axes = {"seed": seeds, "d": ds}
    fixed = dict(
        N=check_int("N", N, 2, MAX_N),
        K=check_int("K", K, 1, MAX_K),
        M=check_int("M", M, 1, MAX_M),
        r=check_quality(r),
        supervised=check_bool("supervised", supervised),
        init=check_choice("init", init, INITS),
    )
    return _run_grid(axes, fixed, "dilution sweep", parallel, show_progress)


def learning_grid(
    Ms=(1, 2, 5, 10, 20, 50, 100),
    rs=(0.1, 0.2, 0.3, 0.4, 0.6, 0.8),
    seeds=(0, 1, 2),
    *,
    protocols=PROTOCOLS,
    N: int = 1000,
    K: int = 4,
    d: float = 0.2,
    init: str = "random",
    parallel: str | Backend | None = None,
    show_progress: bool = True,
) -> SweepResult:
    """How well the best-retrieved pattern is learned over (M, r), for each protocol.

    Grid ``seed x protocol x M x r``; values ``overlap`` (:attr:`Retrieval.overlap`), ``m_sorted``,
    ``converged`` and ``steps``. Set it beside :func:`learned_overlap`.
    """
    seeds = tuple(check_seed(s) for s in seeds)
    protocols = tuple(check_choice("protocol", p, PROTOCOLS) for p in protocols)
    Ms = tuple(check_int("M", m, 1, MAX_M) for m in Ms)
    rs = tuple(check_quality(r) for r in rs)
    if not (seeds and protocols and Ms and rs):
        raise ValueError("Ms, rs, seeds and protocols must not be empty")
    axes = {"seed": seeds, "protocol": protocols, "M": Ms, "r": rs}
    fixed = dict(
        N=check_int("N", N, 2, MAX_N),
        K=check_int("K", K, 1, MAX_K),
        d=check_dilution(d),
        init=check_choice("init", init, INITS),
    )
    return _run_grid(axes, fixed, "learning grid", parallel, show_progress)


def learning_curve(
    Ms=(1, 2, 3, 5, 10, 20, 50, 100),
    r: float = 0.3,
    *,
    N: int = 1000,
    K: int = 4,
    d: float = 0.2,
    init: str = "random",
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """The best-retrieved pattern's overlap (:attr:`Retrieval.overlap`) against the number of
    examples, both protocols, one seed.

    The examples are nested (the first ``M`` of one draw of ``max(Ms)``) and the couplings are
    accumulated as ``M`` grows, so the whole curve costs about one network of ``max(Ms)``
    examples. Returns ``{"M": ..., "supervised": ..., "unsupervised": ...}``.
    """
    Ms = np.array(sorted({check_int("M", m, 1, MAX_M) for m in Ms}))
    N = check_int("N", N, 2, MAX_N)
    if Ms.size == 0:
        raise ValueError("Ms must not be empty")
    r = check_quality(r)
    d = check_dilution(d)
    seeds = np.random.SeedSequence(check_seed(seed)).generate_state(4)
    xi = patterns(N, K, d, seed=int(seeds[0]))
    eta = examples(xi, int(Ms[-1]), r, seed=int(seeds[1]))
    s0 = initial_state(xi, init, seed=int(seeds[2]))
    counts = np.zeros((N, N))
    out = {"M": Ms, "supervised": np.zeros(Ms.size), "unsupervised": np.zeros(Ms.size)}
    prev = 0
    for i, M in enumerate(Ms):
        block = eta[:, prev:M, :].reshape(-1, N).astype(np.float32)
        with blas_threads(1):
            counts += block.T @ block
        prev = M
        sums = eta[:, :M, :].sum(axis=1).astype(np.float64)
        with blas_threads(1):
            sup = sums.T @ sums
        for name, C, scale in (
            ("unsupervised", counts, 1.0 / (N * M * r * r)),
            ("supervised", sup, 1.0 / (N * M * M * r * r)),
        ):
            J = C * scale
            np.fill_diagonal(J, 0.0)
            run = relax(J, s0, xi, max_steps=100, seed=int(seeds[3]))
            m = run.history[-1]
            top = int(np.argmax(np.abs(m)))
            out[name][i] = abs(m[top]) / max(np.mean(xi[top] != 0), 1.0 / N)
    return out


def hierarchy_error(m_sorted: np.ndarray, d: float) -> float:
    """Largest ``|m_k - (1 - d) d**(k-1)|`` over the ranks: how far a run is from the law."""
    m_sorted = np.asarray(m_sorted, dtype=float)
    return float(np.abs(m_sorted - hierarchical_law(d, m_sorted.shape[-1])).max())


def evenness(m_sorted: np.ndarray) -> float:
    """``min / max`` of the ranked magnetisations: 1 when every pattern is retrieved equally
    (parallel), near 0 when one dominates. 0 if no pattern is retrieved at all."""
    m_sorted = np.abs(np.asarray(m_sorted, dtype=float))
    top = m_sorted.max()
    return float(m_sorted.min() / top) if top > 0 else 0.0


def learning_threshold(grid: SweepResult, level: float = 0.9) -> dict[tuple[str, float], float]:
    """The fewest examples at which the mean overlap (over seeds) of a :func:`learning_grid`
    reaches ``level``, for each ``(protocol, r)``; ``inf`` where no ``M`` of the grid does.

    >>> g = learning_grid(Ms=(1, 20), rs=(0.9,), seeds=(0,), N=300, show_progress=False)
    >>> learning_threshold(g)
    {('supervised', 0.9): 20.0, ('unsupervised', 0.9): 20.0}
    """
    level = check_range("level", level, 0.0, 1.0)
    mean = grid.mean("overlap")  # (protocol, M, r)
    Ms = np.asarray(grid.axes["M"], dtype=float)
    out = {}
    for i, protocol in enumerate(grid.axes["protocol"]):
        for j, r in enumerate(grid.axes["r"]):
            reached = np.nonzero(mean[i, :, j] >= level)[0]
            out[(protocol, float(r))] = float(Ms[reached[0]]) if reached.size else float("inf")
    return out


def predicted_threshold(r: float, level: float = 0.9, M_max: int = MAX_M) -> float:
    """The fewest examples for which :func:`learned_overlap` (its Gaussian form, which rises
    monotonically with ``M``) reaches ``level`` (``inf`` above ``M_max``).

    >>> predicted_threshold(0.3), predicted_threshold(0.9)
    (28.0, 1.0)
    """
    r = check_quality(r)
    level = check_range("level", level, 0.0, 1.0)
    M_max = check_int("M_max", M_max, 1, 100_000)
    Ms = np.arange(1, M_max + 1)
    ok = np.nonzero(learned_overlap(Ms, r, exact=False) >= level)[0]
    return float(Ms[ok[0]]) if ok.size else float("inf")
