r"""Geometry of point-cloud manifolds: MFTMA capacity, radius and dimension, and simpler companions.

A *manifold* here is a set of points (rows of an ``(M, N)`` array: M points in N dimensions):
all the images of one class (a class manifold), or one image under M noise draws or M
adversarial perturbations (an exemplar manifold). Functions take a sequence of P such arrays
(or one ``(P, M, N)`` array).

**Manifold capacity** (mean-field theoretic manifold analysis, MFTMA; Chung, Lee & Sompolinsky,
PRX 2018; Cohen et al., Nat Commun 2020). How many manifolds per dimension, :math:`\alpha = P/N`,
a linear readout can separate into random dichotomies with margin :math:`\kappa`? Each manifold
is centred on its centre :math:`c`, scaled by :math:`\|c\|` (centres measured from the global
mean) and given one extra "centre" coordinate equal to 1; then, for Gaussian vectors
:math:`t`, solve

.. math:: \min_v \|v - t\|^2 \quad \text{s.t.}\quad v \cdot s \le -\kappa \ \text{for all points } s,

whose solution is :math:`v = t - \sum_j \lambda_j s_j` with multipliers :math:`\lambda_j \ge 0`:
for :math:`\kappa = 0` the multipliers are exactly the non-negative least-squares solution of
:math:`\min_{\lambda \ge 0}\|S\lambda - t\|` (``scipy.optimize.nnls``), and a margin only shifts
:math:`t` along the centre coordinate (:math:`t \to t + \kappa e_c`), because every point has
centre coordinate 1. The *anchor point* :math:`\tilde s = \sum_j \lambda_j s_j / \sum_j \lambda_j`
is the multiplier-weighted mean of the active points, and

.. math:: \alpha_M^{-1} = \mathbb E_t \frac{[t\cdot\tilde s + \kappa]_+^2}{\|\tilde s\|^2}, \qquad
          R_M = \sqrt{\mathbb E_t \|\delta\tilde s\|^2}, \qquad
          D_M = D\,\big(\mathbb E_t\, \hat t \cdot \hat{\tilde s}\big)^2,

averaged over manifolds as :math:`1/\overline{(1/\alpha_M)}` (capacity) and plain means
(radius, dimension); :math:`\delta\tilde s` is the anchor's deviation from its mean, and the
hats are unit vectors within the manifold's own D-dimensional subspace. Zero-radius manifolds
(points) give Cover's capacity 2; balls with :math:`R\sqrt D \gg 1` give
:math:`\alpha \approx (1 + R^{-2})/D`. The reference implementation
(schung039/neural_manifolds_replicaMFT) also removes correlations between centres first; with
only 10 classes we skip that step.

**Companions**: the participation ratio :math:`(\sum\lambda_i)^2/\sum\lambda_i^2` of the
covariance eigenvalues (all points pooled), EVD90 (components for 90 % of the variance), the
plain radius :math:`\sqrt{\overline{\|x - c\|^2}}/\|c\|`, and the overlap ratio of a clean noise
cloud and its adversarial counterpart (corrected for the distance two finite clouds' means keep
even with no attack; :func:`overlap_ratio`).

>>> rng = np.random.default_rng(0)
>>> points = [np.tile(rng.standard_normal(50), (5, 1)) for _ in range(20)]   # zero radius
>>> round(mftma(points, n_t=2000, seed=0).capacity, 1)
2.0
>>> round(participation_ratio(rng.standard_normal((4000, 10))), 1)
10.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bioviz.runtime import blas_threads
from bioviz.validation import check_bool, check_int, check_positive, check_range, check_seed


def as_manifolds(
    manifolds, *, min_points: int = 1, min_manifolds: int = 1, name: str = "manifolds"
) -> list[np.ndarray]:
    """Validate a sequence of ``(M_i, N)`` point clouds (or a ``(P, M, N)`` array) -> list of arrays.

    Raises a ValueError naming ``name`` for an empty sequence, too few points or manifolds,
    mismatched dimensions or non-finite values.
    """
    if isinstance(manifolds, np.ndarray):
        if manifolds.ndim != 3:
            raise ValueError(
                f"{name} must be a (P, M, N) array or a sequence of (M, N) arrays, got shape {manifolds.shape}"
            )
        manifolds = list(manifolds)
    out = [np.asarray(m, dtype=float) for m in manifolds]
    if len(out) < min_manifolds:
        raise ValueError(f"{name} must hold at least {min_manifolds} manifold(s), got {len(out)}")
    for i, m in enumerate(out):
        if m.ndim != 2:
            raise ValueError(f"{name}[{i}] must be a 2-D (points, features) array, got shape {m.shape}")
        if m.shape[0] < min_points:
            raise ValueError(f"{name}[{i}] must hold at least {min_points} point(s), got {m.shape[0]}")
        if m.shape[1] < 1 or m.shape[1] != out[0].shape[1]:
            raise ValueError(f"{name}[{i}] has {m.shape[1]} features, expected {out[0].shape[1]}")
        if not np.all(np.isfinite(m)):
            raise ValueError(f"{name}[{i}] contains NaN or inf")
    return out


# ---------------------------------------------------------------------------------------------
# MFTMA


@dataclass(frozen=True)
class MFTMA:
    """Manifold capacity, radius and dimension (averaged) and their per-manifold values."""

    capacity: float
    radius: float
    dimension: float
    capacities: np.ndarray
    radii: np.ndarray
    dimensions: np.ndarray

    @property
    def ball_capacity(self) -> float:
        """The ball approximation :math:`(1 + R^{-2})/D` from the mean radius and dimension."""
        if self.radius == 0 or self.dimension == 0:
            return float("nan")
        return (1 + self.radius**-2) / self.dimension


def _anchor_analysis(sD1: np.ndarray, t: np.ndarray, kappa: float) -> tuple[float, float, float]:
    """Capacity, radius, dimension of one manifold (``sD1``: (D+1, m), last row all ones)."""
    from scipy.optimize import nnls

    D1, n_t = t.shape
    D = D1 - 1
    shifted = t.copy()
    shifted[-1] += kappa
    proj = sD1.T @ shifted  # (m, n_t): s . t + kappa
    anchors = sD1[:, np.argmax(proj, axis=0)]  # inactive t: the point of largest projection
    for i in np.flatnonzero(proj.max(axis=0) > 0):
        lam, _ = nnls(sD1, shifted[:, i])
        total = lam.sum()
        if total > 0:
            anchors[:, i] = sD1 @ lam / total
    gap = np.maximum(np.sum(t * anchors, axis=0) + kappa, 0.0)
    inv_capacity = np.mean(gap**2 / np.sum(anchors**2, axis=0))
    capacity = 1.0 / inv_capacity if inv_capacity > 0 else float("inf")
    ds = anchors[:D] - anchors[:D].mean(axis=1, keepdims=True)
    radius = float(np.sqrt(np.mean(np.sum(ds**2, axis=0))))
    t_hat = t[:D] / np.linalg.norm(t[:D], axis=0)
    s_hat = anchors[:D] / np.sqrt(np.sum(anchors[:D] ** 2, axis=0) + 1e-12)
    dimension = float(D * np.mean(np.sum(t_hat * s_hat, axis=0)) ** 2)
    return float(capacity), radius, dimension


def mftma(manifolds, kappa: float = 0.0, n_t: int = 200, seed: int = 0) -> MFTMA:
    r"""Mean-field manifold capacity, radius and dimension of P manifolds (see the module docstring).

    Parameters
    ----------
    manifolds : sequence of (M_i, N) arrays, or a (P, M, N) array
        At least 2 manifolds of at least 1 point each.
    kappa : float
        Margin (>= 0), in units of the centre norms.
    n_t : int
        Gaussian vectors sampled per manifold (200 in the reference; fewer is noisier).
    seed : int
        Seed of the Gaussian vectors.
    """
    X = as_manifolds(manifolds, min_points=1, min_manifolds=2)
    kappa = check_positive("kappa", kappa, allow_zero=True)
    n_t = check_int("n_t", n_t, 1)
    rng = np.random.default_rng(check_seed(seed))
    caps, radii, dims = [], [], []
    with blas_threads(1):
        means = np.array([x.mean(axis=0) for x in X])
        counts = np.array([len(x) for x in X], dtype=float)
        origin = counts @ means / counts.sum()  # the global mean of all points
        scale = max(1.0, float(np.abs(means - origin).max()))
        for i, x in enumerate(X):
            centre = means[i] - origin
            norm = float(np.linalg.norm(centre))
            if norm <= 1e-9 * scale:
                raise ValueError(
                    f"manifolds[{i}] has its centre at the global mean (zero centre norm): capacity is undefined"
                )
            S = (x - means[i]) / norm  # (M, N) centre-normalised points
            if S.shape[1] > S.shape[0]:  # work in the span of the points
                Q, _ = np.linalg.qr(S.T)  # (N, M)
                S = S @ Q
            sD1 = np.vstack([S.T, np.ones((1, S.shape[0]))])
            t = rng.standard_normal((sD1.shape[0], n_t))
            c, r, d = _anchor_analysis(sD1, t, kappa)
            caps.append(c)
            radii.append(r)
            dims.append(d)
    caps, radii, dims = np.array(caps), np.array(radii), np.array(dims)
    return MFTMA(
        capacity=float(1.0 / np.mean(1.0 / caps)),
        radius=float(radii.mean()),
        dimension=float(dims.mean()),
        capacities=caps,
        radii=radii,
        dimensions=dims,
    )


def points_capacity(kappa: float = 0.0) -> float:
    r"""Capacity of zero-radius manifolds (points) at margin :math:`\kappa` (Gardner 1988).

    :math:`\alpha_0(\kappa)^{-1} = \int_{-\kappa}^\infty Dt\,(t+\kappa)^2 =
    (1+\kappa^2)\Phi(\kappa) + \kappa\,\phi(\kappa)`; 2 at :math:`\kappa = 0` (Cover 1965).

    >>> points_capacity(0.0)
    2.0
    """
    kappa = check_positive("kappa", kappa, allow_zero=True)
    phi = math.exp(-(kappa**2) / 2) / math.sqrt(2 * math.pi)
    Phi = 0.5 * (1 + math.erf(kappa / math.sqrt(2)))
    return 1.0 / ((1 + kappa**2) * Phi + kappa * phi)


def cover_fraction(P: int, N: int) -> float:
    r"""Cover's (1965) fraction of the :math:`2^P` dichotomies of P points in general position in
    N dimensions that a plane through the origin separates:
    :math:`2^{1-P}\sum_{k=0}^{N-1}\binom{P-1}{k}`; exactly 1/2 at P = 2N.

    >>> cover_fraction(10, 5), cover_fraction(4, 5)
    (0.5, 1.0)
    """
    P, N = check_int("P", P, 1, 10_000), check_int("N", N, 1, 10_000)
    return float(sum(math.comb(P - 1, k) for k in range(min(N, P))) / 2 ** (P - 1))


def _separable(X: np.ndarray, labels: np.ndarray) -> bool:
    """Whether some w gives labels * (X @ w) >= 1 for every row (a linear programme)."""
    from scipy.optimize import linprog

    A = -(labels[:, None] * X)
    res = linprog(np.zeros(X.shape[1]), A_ub=A, b_ub=-np.ones(len(X)), bounds=(None, None), method="highs")
    return res.status == 0


def separable_fraction(
    P: int, N: int, *, radius: float = 0.0, M: int = 8, trials: int = 40, seed: int = 0
) -> float:
    """The fraction of random dichotomies of P manifolds in N dimensions that a plane through the
    origin separates, by direct test (a linear programme per dichotomy).

    Each manifold is a Gaussian centre (norm about 1) and, for ``radius > 0``, M points around it
    at distance about ``radius`` times the centre's norm in random directions; every point of a
    manifold takes its manifold's label. ``radius = 0`` is Cover's case of points
    (:func:`cover_fraction`). The capacity is the P/N where the fraction falls through 1/2.

    >>> separable_fraction(10, 5, trials=200, seed=1)            # Cover: 0.5
    0.495
    """
    P, N = check_int("P", P, 1, 2000), check_int("N", N, 1, 2000)
    radius = check_positive("radius", radius, allow_zero=True)
    M, trials = check_int("M", M, 1, 1000), check_int("trials", trials, 1, 100_000)
    rng = np.random.default_rng(check_seed(seed))
    hits = 0
    for _ in range(trials):
        centres = rng.normal(size=(P, N)) / np.sqrt(N)
        labels = rng.choice([-1.0, 1.0], size=P)
        if radius > 0:
            pts = centres[:, None, :] + radius * rng.normal(size=(P, M, N)) / np.sqrt(N)
            X, y = pts.reshape(P * M, N), np.repeat(labels, M)
        else:
            X, y = centres, labels
        hits += _separable(X, y)
    return hits / trials


def capacity_curves(
    N: int = 10,
    Ps=tuple(range(2, 31, 2)),
    radii=(0.0, 0.15, 0.3),
    *,
    trials: int = 30,
    seed: int = 0,
    show_progress: bool = True,
) -> dict:
    """:func:`separable_fraction` over ``Ps`` for each radius, with Cover's formula for points:
    ``{"P": ..., "N": N, "fractions": {radius: array}, "cover": array}``."""
    from bioviz.runtime import progress

    N, seed, trials = check_int("N", N, 1, 2000), check_seed(seed), check_int("trials", trials, 1, 100_000)
    Ps = [check_int("P", P, 1, 2000) for P in Ps]
    radii = [check_positive("radius", r, allow_zero=True) for r in radii]
    fractions = {
        float(r): np.array(
            [separable_fraction(P, N, radius=r, trials=trials, seed=seed + i) for i, P in enumerate(Ps)]
        )
        for r in progress(radii, desc="dichotomies", disable=not show_progress)
    }
    return {
        "P": np.array(Ps),
        "N": N,
        "fractions": fractions,
        "cover": np.array([cover_fraction(P, N) for P in Ps]),
    }


# ---------------------------------------------------------------------------------------------
# companions


def _pooled(points, name: str) -> np.ndarray:
    X = np.asarray(points, dtype=float)
    if X.ndim == 3:
        X = X.reshape(-1, X.shape[-1])
    if X.ndim != 2:
        raise ValueError(f"{name} must be a (points, features) array, got shape {X.shape}")
    if X.shape[0] < 2:
        raise ValueError(f"{name} must hold at least 2 points, got {X.shape[0]}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or inf")
    return X


def _eigenvalues(X: np.ndarray) -> np.ndarray:
    with blas_threads(1):
        s = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
    return s**2 / (len(X) - 1)


def participation_ratio(points) -> float:
    r"""Participation ratio :math:`(\sum_i\lambda_i)^2 / \sum_i\lambda_i^2` of the covariance.

    ``points``: an (n, N) array or a (P, M, N) array (pooled). Isotropic data in d dimensions
    gives about d; data on a line gives 1. Zero variance gives 0.
    """
    lam = _eigenvalues(_pooled(points, "points"))
    denom = float(np.sum(lam**2))
    return float(np.sum(lam) ** 2 / denom) if denom > 0 else 0.0


def evd(points, fraction: float = 0.9) -> int:
    """Number of principal components needed to explain ``fraction`` of the variance (EVD90)."""
    fraction = check_range("fraction", fraction, 0.0, 1.0, low_open=True)
    lam = _eigenvalues(_pooled(points, "points"))
    if lam.sum() == 0:
        return 0
    return int(np.searchsorted(np.cumsum(lam) / lam.sum(), fraction - 1e-12) + 1)


def _rms_about_centres(C: list, A: list, name: str) -> float:
    """Mean over i of RMS ||a - c_i|| over the points a of A[i], divided by ||c_i - o||: c_i is
    the centre of C[i], o the global mean of all points of C."""
    origin = np.concatenate(C).mean(axis=0)
    out = []
    for i, (c, a) in enumerate(zip(C, A, strict=True)):
        centre = c.mean(axis=0)
        norm = float(np.linalg.norm(centre - origin))
        if norm == 0:
            raise ValueError(f"{name}[{i}] has its centre at the global mean (zero centre norm)")
        out.append(np.sqrt(np.mean(np.sum((a - centre) ** 2, axis=1))) / norm)
    return float(np.mean(out))


def plain_radius(manifolds) -> float:
    r"""Mean over manifolds of :math:`\sqrt{\overline{\|x - c\|^2}} / \|c - o\|`.

    :math:`c` is a manifold's centre and :math:`o` the global mean of all points (as in MFTMA).
    Needs at least 2 manifolds; a single point per manifold gives radius 0.
    """
    X = as_manifolds(manifolds, min_points=1, min_manifolds=2)
    return _rms_about_centres(X, X, "manifolds")


def _overlap_terms(clean, adversarial) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per exemplar: squared distance of the two cloud means, the clean cloud's variance and
    the sampling floor of the squared distance (see :func:`overlap_ratio`)."""
    C = as_manifolds(clean, min_points=2, name="clean")
    A = as_manifolds(adversarial, min_points=2, name="adversarial")
    if len(C) != len(A) or C[0].shape[1] != A[0].shape[1]:
        raise ValueError(
            f"adversarial must match clean: {len(A)} vs {len(C)} clouds of "
            f"{A[0].shape[1]} vs {C[0].shape[1]} features"
        )
    d2, s2, floor2 = (np.zeros(len(C)) for _ in range(3))
    for i, (c, a) in enumerate(zip(C, A, strict=True)):
        var_c = float(np.sum(np.var(c, axis=0, ddof=1)))  # trace of the covariance, unbiased
        var_a = float(np.sum(np.var(a, axis=0, ddof=1)))
        if var_c == 0:
            raise ValueError(
                f"clean[{i}] has zero spread (a deterministic model has no noise "
                "cloud): the overlap ratio is undefined"
            )
        d2[i] = np.sum((a.mean(axis=0) - c.mean(axis=0)) ** 2)
        s2[i] = var_c
        floor2[i] = var_c / len(c) + var_a / len(a)
    return d2, s2, floor2


def overlap_ratio(clean, adversarial, *, corrected: bool = True) -> float:
    r"""How far an adversarial cloud sits from its clean noise cloud, in units of the cloud's size.

    For each exemplar :math:`i`, :math:`r_i^2 = \|\bar x_\text{adv} - \bar x_\text{clean}\|^2 /
    s_c^2`, with :math:`s_c^2 = \operatorname{tr}\Sigma_c` the clean cloud's variance (its squared
    RMS radius); the ratio is the RMS over exemplars, :math:`\sqrt{\overline{r_i^2}}`. Below 1
    the mean adversarial representation lies inside the clean noise cloud: the two overlap.

    **The floor.** Each mean is estimated from a finite cloud, so even with *no* attack the two
    means differ: :math:`\mathbb E\,\|\bar x_a - \bar x_c\|^2 = \|\mu_a - \mu_c\|^2 +
    s_c^2/M_c + s_a^2/M_a`. With :math:`M_c = M_a = 16` points and equal spreads the raw ratio
    is about :math:`\sqrt{2/16} \approx 0.35` at :math:`\epsilon = 0`. ``corrected=True`` (the
    default) subtracts that floor, estimated from the clouds' own sample variances,

    .. math:: r_i^2 = \frac{\|\bar x_a - \bar x_c\|^2 - \hat s_c^2/M_c - \hat s_a^2/M_a}{\hat s_c^2},

    an unbiased estimate of :math:`\|\mu_a - \mu_c\|^2` in the numerator, and returns
    :math:`\sqrt{\max(\overline{r_i^2}, 0)}`: about 0 with no attack (up to ~0.1 of sampling
    noise with 16 exemplars: the square root magnifies small positive estimates).
    ``corrected=False`` gives the raw ratio, floor included (compare it with :func:`overlap_floor`).

    ``clean`` and ``adversarial``: sequences of (M, N) clouds, one per exemplar, each of at
    least 2 points.

    >>> rng = np.random.default_rng(0)
    >>> clean = rng.standard_normal((40, 16, 50))
    >>> same = rng.standard_normal((40, 16, 50))             # no attack: another clean cloud
    >>> round(overlap_ratio(clean, same, corrected=False), 2), round(overlap_floor(clean, same), 2)
    (0.36, 0.35)
    >>> overlap_ratio(clean, same) < 0.15                     # ~0, up to sampling noise
    True
    >>> shifted = same + 0.5 * np.sqrt(50) * np.eye(50)[0]     # s_c = sqrt(50): mean moved by 0.5 s_c
    >>> round(overlap_ratio(clean, shifted), 1), round(overlap_ratio(clean, shifted, corrected=False), 2)
    (0.5, 0.62)
    """
    corrected = check_bool("corrected", corrected)
    d2, s2, floor2 = _overlap_terms(clean, adversarial)
    if not corrected:
        return float(np.sqrt(np.mean(d2 / s2)))
    return float(np.sqrt(max(float(np.mean((d2 - floor2) / s2)), 0.0)))


def overlap_floor(clean, adversarial) -> float:
    r"""The raw overlap ratio expected with no attack: :math:`\sqrt{\overline{(\hat s_c^2/M_c +
    \hat s_a^2/M_a)/\hat s_c^2}}` (about :math:`\sqrt{2/M}` for equal clouds of M points)."""
    _, s2, floor2 = _overlap_terms(clean, adversarial)
    return float(np.sqrt(np.mean(floor2 / s2)))


def displacement(clean, adversarial) -> float:
    r"""RMS distance of adversarial points from their clean centre, relative to that centre's
    distance from the global clean mean: how far an attack *moves* an exemplar (the plain radius
    measures how much the attacked points *spread*). Averaged over exemplars.
    """
    C = as_manifolds(clean, min_points=1, min_manifolds=2, name="clean")
    A = as_manifolds(adversarial, min_points=1, min_manifolds=2, name="adversarial")
    if len(C) != len(A):
        raise ValueError(f"adversarial must match clean: {len(A)} vs {len(C)} clouds")
    return _rms_about_centres(C, A, "clean")


def readme_example(seed: int = 0, n_t: int = 200) -> MFTMA:
    """The replicaMFT README's random-data example.

    P = 100 manifolds of M = 50 Gaussian points in N = 5000 dimensions, margin 0, ``n_t`` = 200.
    What the README reports (with its centre-correlation step, K = 1, which we skip) is in
    :data:`bioviz.geometry.paper.PAPER` (``mftma_readme_capacity``, ``_radius``, ``_dimension``).
    """
    rng = np.random.default_rng(check_seed(seed))
    X = [rng.standard_normal((50, 5000)) for _ in range(100)]
    return mftma(X, kappa=0.0, n_t=n_t, seed=seed)


MEASURES = ("capacity", "radius", "dimension", "participation_ratio", "plain_radius")


def measures(manifolds, *, n_t: int = 100, seed: int = 0) -> dict:
    """All measures of one set of manifolds: MFTMA capacity/radius/dimension, PR, plain radius."""
    X = as_manifolds(manifolds, min_points=1, min_manifolds=2)
    res = mftma(X, n_t=n_t, seed=seed)
    pooled = np.concatenate(X)
    return {
        "capacity": res.capacity,
        "radius": res.radius,
        "dimension": res.dimension,
        "participation_ratio": participation_ratio(pooled) if len(pooled) > 1 else 0.0,
        "plain_radius": plain_radius(X),
    }


@dataclass(frozen=True)
class Separability:
    """How well one clean cloud and one attacked cloud can be told apart, on held-out points.

    ``dprime``: the distance between the two clouds' means along the direction joining them
    (estimated on one half of each cloud), in units of their pooled standard deviation along that
    direction (measured on the other half); ``decoder_accuracy``: a logistic-regression decoder
    trained on one half and tested on the other (chance 0.5).
    """

    dprime: float
    decoder_accuracy: float


def separability(clean, attacked, *, seed: int = 0, repeats: int = 5) -> Separability:
    """:class:`Separability` of two ``(M, N)`` clouds (M >= 4 each), split at random into halves,
    averaged over ``repeats`` splits.

    Unlike the overlap ratio (a distance over the clouds' full radius, which grows with the
    number of dimensions the noise fills), d' and the decoder look along the one direction that
    matters, the way a downstream readout could. Both are conservative: the direction is
    estimated from half the points, so with few points in many dimensions it is noisy and both
    measures understate the separability.

    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(size=(400, 20)), rng.normal(size=(400, 20))
    >>> b[:, 0] += 2.0                      # true d' = 2 along the first axis
    >>> s = separability(a, b)
    >>> round(s.dprime, 1), round(s.decoder_accuracy, 2)
    (2.0, 0.84)
    """
    C, A = (np.asarray(x, dtype=float) for x in (clean, attacked))
    if C.ndim != 2 or A.ndim != 2 or C.shape[1] != A.shape[1]:
        raise ValueError(f"clean and attacked must be (M, N) arrays with the same N, got {C.shape} and {A.shape}")
    if min(len(C), len(A)) < 4:
        raise ValueError(f"clean and attacked need at least 4 points each, got {len(C)} and {len(A)}")
    if not (np.all(np.isfinite(C)) and np.all(np.isfinite(A))):
        raise ValueError("clean and attacked must be finite")
    repeats = check_int("repeats", repeats, 1, 1000)
    rng = np.random.default_rng(check_seed(seed))
    runs = [_split_separability(C[rng.permutation(len(C))], A[rng.permutation(len(A))]) for _ in range(repeats)]
    return Separability(float(np.mean([r[0] for r in runs])), float(np.mean([r[1] for r in runs])))


def dprime(clean_fit, attacked_fit, clean_test, attacked_test) -> float:
    r"""d' of two clouds along the shift of their means, measured on held-out points.

    The direction :math:`w = (\bar a - \bar c)/\|\bar a - \bar c\|` comes from the *fit*
    halves; the *test* halves are projected on it, and d' is the difference of their projected
    means over the pooled standard deviation :math:`\sqrt{(s_c^2 + s_a^2)/2}` (sample variances).

    >>> c = np.array([[0.0, 0.0], [0.0, 1.0]])
    >>> a = np.array([[2.0, 0.0], [2.0, 1.0]])
    >>> ct, at = np.array([[0.0, 5.0], [1.0, 0.0]]), np.array([[2.0, 3.0], [3.0, 0.0]])
    >>> round(dprime(c, a, ct, at), 3)              # along x: means 0.5 and 2.5, sd 0.707
    2.828
    """
    w = np.mean(attacked_fit, axis=0) - np.mean(clean_fit, axis=0)
    w = w / max(float(np.linalg.norm(w)), 1e-12)
    pc, pa = np.asarray(clean_test) @ w, np.asarray(attacked_test) @ w
    pooled = np.sqrt(0.5 * (pc.var(ddof=1) + pa.var(ddof=1)))
    return float((pa.mean() - pc.mean()) / max(pooled, 1e-12))


def _split_separability(C: np.ndarray, A: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    (c1, c2), (a1, a2) = (np.array_split(C, 2), np.array_split(A, 2))
    d = dprime(c1, a1, c2, a2)
    X = np.vstack([c1, a1])
    y = np.r_[np.zeros(len(c1)), np.ones(len(a1))]
    mu, sd = X.mean(0), X.std(0) + 1e-9
    decoder = LogisticRegression(C=1.0, max_iter=2000).fit((X - mu) / sd, y)
    Xt = np.vstack([c2, a2])
    yt = np.r_[np.zeros(len(c2)), np.ones(len(a2))]
    acc = float((decoder.predict((Xt - mu) / sd) == yt).mean())
    return d, acc
