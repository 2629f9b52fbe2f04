r"""A rate reservoir obeying Dale's law, with local inhibitory plasticity.

The model follows Srinivasan, Plenz & Girvan (2025). Each neuron ``i`` has a potential
:math:`v_i` and a rate :math:`r_i \in [0, 1]`:

.. math::

    v(t+1) = \Lambda\, v(t) + J\,(A_E - A_I)\, r(t) + w_{in}\, u(t+1), \qquad
    r = \phi(v - \theta), \quad \phi(x) = \frac{1}{1 + e^{-c x}}

The first ``n_exc`` neurons are excitatory, the rest inhibitory (Dale's law): the columns of
``A_E`` (shape ``(N, N_E)``) and ``A_I`` (shape ``(N, N_I)``) hold non-negative weights of the
synapses *from* excitatory and inhibitory neurons. ``J`` is the recurrent gain, ``c`` the slope
of the sigmoid and :math:`\Lambda` a leak of the potential (0 by default: our calibration, not a
value taken from the paper).

**Balance.** :func:`build` draws ``K_E`` excitatory and ``K_I`` inhibitory inputs per neuron
(fixed in-degree) with weights around :math:`1/K_E` and :math:`(1-\beta)/K_I`, so every row of
``A_E - A_I`` sums to about :math:`\beta`, the *global balance*: :math:`\beta > 0` is
excitation-dominated, :math:`\beta = 0` balanced, :math:`\beta < 0` over-inhibited.

**Local adaptation** (:func:`adapt`): every existing inhibitory synapse onto neuron ``i`` moves by
:math:`\delta\,(r_i(t) - \rho_i)` each step (clipped at 0 to keep Dale's law): a neuron firing
above its target rate :math:`\rho_i` gets more inhibition, one below it less.

**One-step design** (:func:`one_step`): rescale each row of ``A_I`` once so that the mean-field
fixed point (every rate at its target, the input at its mean) has :math:`r_i = \rho_i`.

Example
-------
>>> res = build(n=200, beta=0.4, seed=0)
>>> round(res.beta, 2)
0.4
>>> rho = np.full(res.n, 0.3)
>>> adapted = adapt(res, rho, steps=1500, seed=0)
>>> bool(adapted.error[-1] < adapted.error[0])
True
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit

from bioviz.runtime import blas_threads
from bioviz.validation import check_int, check_number, check_positive, check_range, check_seed

__all__ = [
    "EIReservoir",
    "Adaptation",
    "build",
    "targets",
    "input_sequence",
    "run",
    "run_batch",
    "adapt",
    "adapt_batch",
    "one_step",
    "jacobian_radius",
    "spectral_radius",
    "lyapunov_batch",
    "lyapunov_exponent",
    "block_csr",
    "check_rho",
]


@dataclass(frozen=True)
class EIReservoir:
    """One Dale's-law rate reservoir (see the module docstring for the equations).

    Attributes
    ----------
    A_E : (N, N_E) non-negative weights from the excitatory neurons (columns 0..N_E-1)
    A_I : (N, N_I) non-negative weights from the inhibitory neurons (the last N_I neurons)
    mask_I : (N, N_I) bool, where inhibitory synapses exist (adaptation moves only these)
    w_in : (N,) input weights (zero for neurons without input)
    gain : J, slope : c, theta : threshold, leak : Lambda
    """

    A_E: np.ndarray
    A_I: np.ndarray
    mask_I: np.ndarray
    w_in: np.ndarray
    gain: float = 6.0
    slope: float = 1.0
    theta: float = 0.0
    leak: float = 0.0

    @property
    def n(self) -> int:
        return self.A_E.shape[0]

    @property
    def n_exc(self) -> int:
        return self.A_E.shape[1]

    @property
    def n_inh(self) -> int:
        return self.A_I.shape[1]

    @property
    def W(self) -> np.ndarray:
        """The signed recurrent matrix :math:`J (A_E - A_I)`, shape ``(N, N)``."""
        return self.gain * np.hstack([self.A_E, -self.A_I])

    @property
    def beta(self) -> float:
        """Global balance: the mean net row sum of ``A_E - A_I`` (without the gain J)."""
        return float(np.mean(self.A_E.sum(1) - self.A_I.sum(1)))

    @property
    def row_balance(self) -> np.ndarray:
        """Net row sums of ``A_E - A_I``, one per neuron (local balance)."""
        return self.A_E.sum(1) - self.A_I.sum(1)

    def with_inhibition(self, A_I: np.ndarray) -> EIReservoir:
        """A copy with new inhibitory weights (checked: same shape, non-negative)."""
        A_I = np.asarray(A_I, dtype=float)
        if A_I.shape != self.A_I.shape:
            raise ValueError(f"A_I must have shape {self.A_I.shape}, got {A_I.shape}")
        if np.any(A_I < 0):
            raise ValueError("A_I must be >= 0 (Dale's law)")
        return dataclasses.replace(self, A_I=A_I)


def _fixed_indegree(
    rng: np.random.Generator, n_post: int, n_pre: int, k: int, exclude_offset: int | None = None
) -> np.ndarray:
    """Boolean (n_post, n_pre) mask with exactly ``k`` presynaptic partners per row.

    ``exclude_offset``: row ``i`` may not pick column ``i - exclude_offset`` (no autapse).
    """
    scores = rng.random((n_post, n_pre))
    if exclude_offset is not None:
        rows = np.arange(n_post)
        cols = rows - exclude_offset
        ok = (cols >= 0) & (cols < n_pre)
        scores[rows[ok], cols[ok]] = np.inf
    idx = np.argpartition(scores, k - 1, axis=1)[:, :k] if k < n_pre else np.argsort(scores, 1)[:, :k]
    mask = np.zeros((n_post, n_pre), dtype=bool)
    np.put_along_axis(mask, idx, True, axis=1)
    if exclude_offset is not None:
        mask[rows[ok], cols[ok]] &= scores[rows[ok], cols[ok]] != np.inf
    return mask


def build(
    n: int = 200,
    beta: float = 0.0,
    gain: float = 6.0,
    *,
    frac_exc: float = 0.8,
    p_conn: float = 0.1,
    input_fraction: float = 0.5,
    input_scaling: float = 1.0,
    weight_cv: float = 0.2,
    slope: float = 1.0,
    theta: float = 0.0,
    leak: float = 0.0,
    seed: int = 0,
) -> EIReservoir:
    r"""Build a Dale's-law reservoir whose rows of ``A_E - A_I`` sum to about ``beta``.

    Each neuron receives ``K_E = round(p_conn N_E)`` excitatory and ``K_I = round(p_conn N_I)``
    inhibitory synapses (at least one each, no autapses), with weights
    :math:`w_E \sim |\mathcal N(1/K_E, (\mathrm{cv}/K_E)^2)|` and
    :math:`w_I \sim |\mathcal N(1/K_I, (\mathrm{cv}/K_I)^2)|\,(1-\beta)`. A random
    ``input_fraction`` of the neurons gets input weights :math:`\sim U(-1, 1)` times
    ``input_scaling``; the others none.

    The same ``seed`` gives the same connectivity and the same raw weights for every ``beta``
    and ``gain``, so sweeps change only what they sweep.

    Parameters
    ----------
    n : number of neurons (>= 2: at least one of each type)
    beta : global balance, in [-1, 1] (beta = 1 leaves no inhibition)
    gain : recurrent gain J (>= 0)
    """
    n = check_int("n", n, low=2)
    beta = check_range("beta", beta, -1.0, 1.0)
    gain = check_positive("gain", gain, allow_zero=True)
    frac_exc = check_range("frac_exc", frac_exc, 0.0, 1.0, low_open=True, high_open=True)
    p_conn = check_range("p_conn", p_conn, 0.0, 1.0, low_open=True)
    input_fraction = check_range("input_fraction", input_fraction, 0.0, 1.0, low_open=True)
    input_scaling = check_positive("input_scaling", input_scaling, allow_zero=True)
    weight_cv = check_positive("weight_cv", weight_cv, allow_zero=True)
    slope = check_positive("slope", slope)
    theta = check_number("theta", theta)
    leak = check_range("leak", leak, 0.0, 1.0, high_open=True)
    seed = check_seed(seed)

    n_exc = min(max(int(round(frac_exc * n)), 1), n - 1)
    n_inh = n - n_exc
    k_e = max(1, min(int(round(p_conn * n_exc)), n_exc - 1 if n_exc > 1 else 1))
    k_i = max(1, min(int(round(p_conn * n_inh)), n_inh - 1 if n_inh > 1 else 1))
    rng = np.random.default_rng(seed)
    # excitatory neurons are 0..n_exc-1 (column j of A_E is neuron j); inhibitory neuron j of
    # A_I is neuron n_exc + j: exclude autapses in both blocks
    mask_e = _fixed_indegree(rng, n, n_exc, k_e, exclude_offset=0 if n_exc > k_e else None)
    mask_i = _fixed_indegree(rng, n, n_inh, k_i, exclude_offset=n_exc if n_inh > k_i else None)
    w_e = np.abs(rng.normal(1.0 / k_e, weight_cv / k_e, size=(n, n_exc)))
    w_i = np.abs(rng.normal(1.0 / k_i, weight_cv / k_i, size=(n, n_inh)))
    n_input = max(1, int(round(input_fraction * n)))
    w_in = np.zeros(n)
    w_in[rng.permutation(n)[:n_input]] = rng.uniform(-1.0, 1.0, n_input)
    return EIReservoir(
        A_E=w_e * mask_e,
        A_I=w_i * mask_i * (1.0 - beta),
        mask_I=mask_i,
        w_in=w_in * input_scaling,
        gain=gain,
        slope=slope,
        theta=theta,
        leak=leak,
    )


def check_rho(rho, n: int, name: str = "rho") -> np.ndarray:
    """Target rates as an ``(n,)`` array, each strictly inside (0, 1); a scalar is broadcast."""
    arr = np.asarray(rho, dtype=float)
    if arr.ndim == 0:
        check_range(name, float(arr), 0.0, 1.0, low_open=True, high_open=True)
        return np.full(n, float(arr))
    if arr.shape != (n,):
        raise ValueError(f"{name} must be a scalar or have shape ({n},), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0) or np.any(arr >= 1):
        bad = arr[~((arr > 0) & (arr < 1))]
        raise ValueError(f"{name} must lie in (0, 1), got values such as {bad[:3].tolist()}")
    return arr


def targets(n: int, mean: float = 0.3, heterogeneity: float = 0.0, *, seed: int = 0) -> np.ndarray:
    r"""Target rates :math:`\rho_i`: all equal to ``mean``, or drawn from a Beta distribution.

    ``heterogeneity`` ``h`` in [0, 1) sets the standard deviation of the targets as a fraction of
    the largest any distribution on [0, 1] with that mean can have, :math:`\sqrt{m(1-m)}`:
    :math:`\rho_i \sim \mathrm{Beta}(m\kappa, (1-m)\kappa)` with :math:`\kappa = 1/h^2 - 1`
    (mean ``m``, standard deviation :math:`h\sqrt{m(1-m)}`). Draws are kept inside
    [0.01, 0.99] so that every target is reachable.

    >>> targets(4, 0.3)
    array([0.3, 0.3, 0.3, 0.3])
    >>> rho = targets(20000, 0.3, 0.5, seed=0)
    >>> round(float(rho.mean()), 2), round(float(rho.std() / np.sqrt(0.3 * 0.7)), 1)
    (0.3, 0.5)
    """
    n = check_int("n", n, low=1)
    mean = check_range("mean", mean, 0.0, 1.0, low_open=True, high_open=True)
    heterogeneity = check_range("heterogeneity", heterogeneity, 0.0, 1.0, high_open=True)
    if heterogeneity == 0:
        return np.full(n, mean)
    kappa = 1.0 / heterogeneity**2 - 1.0
    rng = np.random.default_rng([check_seed(seed), 7])
    return np.clip(rng.beta(mean * kappa, (1.0 - mean) * kappa, size=n), 0.01, 0.99)


def input_sequence(steps: int, *, low: float = -1.0, high: float = 1.0, seed: int = 0) -> np.ndarray:
    """An i.i.d. uniform input sequence of ``steps`` values in [low, high)."""
    steps = check_int("steps", steps, low=1, high=10_000_000)
    low, high = check_number("low", low), check_number("high", high)
    if not low < high:
        raise ValueError(f"low must be below high, got low={low}, high={high}")
    return np.random.default_rng(check_seed(seed)).uniform(low, high, steps)


# ---------------------------------------------------------------------------------------------
# simulation


def _check_drive(u, n_in: int | None = None) -> np.ndarray:
    u = np.asarray(u, dtype=float)
    if u.ndim == 0 or u.size == 0:
        raise ValueError(f"u must be a non-empty sequence, got shape {u.shape}")
    if not np.all(np.isfinite(u)):
        raise ValueError("u must be finite")
    return u


def run(res: EIReservoir, u, *, r0=None) -> np.ndarray:
    """Rates driven by the input sequence ``u`` (shape ``(T,)``); returns ``(T, N)``.

    Row ``t`` holds :math:`r(t)`, the rates *after* input ``u[t]`` arrived (so it already
    reflects ``u[t]``, as in reservoirpy). Starts from ``r0`` (default: all rates 0.5,
    :math:`v = \\theta`).

    >>> res = build(50, seed=1)
    >>> run(res, np.zeros(10)).shape
    (10, 50)
    """
    u = _check_drive(u)
    if u.ndim != 1:
        raise ValueError(f"u must be 1-D (one input channel), got shape {u.shape}")
    return run_batch(
        res.W[None],
        res.w_in[None],
        u[:, None],
        slope=res.slope,
        theta=res.theta,
        leak=res.leak,
        r0=None if r0 is None else np.asarray(r0, float)[None],
    )[:, 0]


def step(res: EIReservoir, v, r, u: float) -> tuple[np.ndarray, np.ndarray]:
    r"""One step of the reservoir from potentials ``v`` and rates ``r`` with input ``u``:

    .. math:: v' = \Lambda v + J (A_E - A_I) r + w_{in} u, \qquad r' = \phi(c\,(v' - \theta)),

    with :math:`\phi` the logistic sigmoid. Returns ``(v', r')``; :func:`run` does the same for
    a whole input sequence.

    >>> res = build(50, seed=1)
    >>> v, r = step(res, np.zeros(50), np.full(50, 0.5), 0.3)
    >>> bool(np.allclose(r, run(res, np.array([0.3]))[0]))
    True
    """
    v_new = res.leak * np.asarray(v, float) + res.W @ np.asarray(r, float) + float(u) * res.w_in
    return v_new, expit(res.slope * (v_new - res.theta))


def inhibitory_update(A_I, mask_I, r, rho, delta: float) -> np.ndarray:
    r"""One step of the local inhibitory rule on the matrix ``A_I`` (a new array):
    :math:`A_I[i, j] \leftarrow \max(0, A_I[i, j] + \delta (r_i - \rho_i))` for every synapse that
    exists (``mask_I``); no synapse is created. :func:`adapt_batch` runs the same rule, vectorised.

    >>> A = np.array([[0.2, 0.0], [0.05, 0.3]]); mask = A > 0
    >>> inhibitory_update(A, mask, r=np.array([0.5, 0.1]), rho=0.3, delta=0.5).round(2).tolist()
    [[0.3, 0.0], [0.0, 0.2]]
    """
    A_I, mask_I = np.asarray(A_I, float), np.asarray(mask_I, bool)
    rho = np.broadcast_to(np.asarray(rho, float), np.shape(r))
    return np.where(mask_I, np.maximum(A_I + delta * (np.asarray(r, float) - rho)[:, None], 0.0), 0.0)


def block_csr(W: np.ndarray, keep: np.ndarray | None = None):
    r"""The block-diagonal matrix :math:`\mathrm{diag}(W_0, \dots, W_{B-1})` in CSR form.

    ``W``: ``(B, N, M)``. Entries that are zero are left out unless ``keep`` (same shape, bool)
    marks them (synapses that exist with weight 0 and may grow). Returns the matrix and the
    ``(b, i, j)`` index of each stored entry, in storage order. Our reservoirs have ~10 %
    connectivity, so one sparse product for the whole batch beats ``B`` dense ones.
    """
    from scipy import sparse

    W = np.asarray(W)
    b, n, m = W.shape
    nz = W != 0 if keep is None else (W != 0) | keep
    bb, ii, jj = np.nonzero(nz)  # C order: sorted by row, then column
    rows = bb * n + ii
    indptr = np.zeros(b * n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=b * n), out=indptr[1:])
    mat = sparse.csr_array((W[bb, ii, jj], bb * m + jj, indptr), shape=(b * n, b * m))
    return mat, (bb, ii, jj)


def _sparse_enough(W: np.ndarray) -> bool:
    return np.count_nonzero(W) <= 0.3 * W.size


def run_batch(
    W: np.ndarray,
    w_in: np.ndarray,
    u: np.ndarray,
    *,
    slope: float = 1.0,
    theta: float = 0.0,
    leak: float = 0.0,
    r0: np.ndarray | None = None,
    gains: np.ndarray | None = None,
    biases: np.ndarray | None = None,
    dtype=np.float64,
) -> np.ndarray:
    r"""Simulate ``B`` reservoirs at once (vectorised over the batch); returns rates ``(T, B, N)``.

    ``W``: ``(B, N, N)`` signed recurrent matrices (gain included); ``w_in``: ``(B, N)``;
    ``u``: ``(T, B)``, one input sequence per reservoir. Optional per-neuron ``gains``
    :math:`a` and ``biases`` :math:`b` (``(B, N)``) give :math:`r = \phi(a (v - \theta) + b)`
    (used to run reservoirs tuned by intrinsic plasticity with the same code).

    Without a leak the slope and gains are folded into the matrix, so a step is one sparse
    product (all reservoirs at once), one addition and one sigmoid.
    """
    W = np.asarray(W, dtype=dtype)
    w_in = np.asarray(w_in, dtype=dtype)
    u = np.asarray(u, dtype=dtype)
    if W.ndim != 3 or W.shape[1] != W.shape[2]:
        raise ValueError(f"W must have shape (B, N, N), got {W.shape}")
    b, n = W.shape[0], W.shape[1]
    if w_in.shape != (b, n):
        raise ValueError(f"w_in must have shape {(b, n)}, got {w_in.shape}")
    if u.ndim != 2 or u.shape[1] != b:
        raise ValueError(f"u must have shape (T, {b}), got {u.shape}")
    if not np.all(np.isfinite(u)):
        raise ValueError("u must be finite")
    steps = u.shape[0]
    out = np.empty((steps, b, n), dtype=dtype)
    flat = out.reshape(steps, b * n)
    scale = np.broadcast_to(slope * (1.0 if gains is None else np.asarray(gains, dtype)), (b, n))
    bias = np.broadcast_to(0.0 if biases is None else np.asarray(biases, dtype), (b, n))
    offset = bias - scale * theta
    r = np.full(b * n, 0.5, dtype=dtype) if r0 is None else np.array(r0, dtype=dtype).reshape(-1)
    # no leak: r(t) = phi(scale * (W r + w_in u) + offset), scale folded into W and w_in
    Ws = W * scale[:, :, None] if not leak else W
    if _sparse_enough(Ws):
        mat = block_csr(Ws)[0]
        matvec = mat.__matmul__
    elif b == 1:
        matvec = Ws[0].__matmul__
    else:
        matvec = lambda x: np.matmul(Ws, x.reshape(b, n, 1)).reshape(-1)  # noqa: E731
    w_eff = w_in * scale if not leak else w_in
    v = np.full(b * n, theta, dtype=dtype)
    chunk = max(1, 2**16 // (b * n))
    with blas_threads(1):
        for t0 in range(0, steps, chunk):
            # the input term of the next `chunk` steps, computed at once
            drive = (u[t0 : t0 + chunk, :, None] * w_eff[None]).reshape(-1, b * n)
            if not leak:
                drive += offset.reshape(-1)
            for k in range(drive.shape[0]):
                x = matvec(r)
                x += drive[k]
                if leak:
                    v *= leak
                    v += x
                    x = (scale * (v.reshape(b, n) - theta) + bias).reshape(-1)
                r = flat[t0 + k]
                expit(x, out=r)
    return out


def lyapunov_batch(
    W: np.ndarray,
    w_in: np.ndarray,
    u: np.ndarray,
    *,
    slope: float = 1.0,
    theta: float = 0.0,
    gains: np.ndarray | None = None,
    biases: np.ndarray | None = None,
    washout: int = 200,
    eps: float = 1e-7,
    seed: int = 0,
) -> np.ndarray:
    r"""Largest Lyapunov exponent of each of ``B`` input-driven reservoirs (no leak), per step.

    Two copies of every reservoir get the same input ``u`` (``(T,)``, shared); the second starts
    ``eps`` away in a random direction. After every step the distance :math:`d_t` is measured
    and the copy is pulled back to distance ``eps`` along the same direction (Benettin's
    method); the exponent is the mean of :math:`\ln(d_t/\varepsilon)` after ``washout`` steps.
    Negative: nearby input histories converge (fading memory, the echo state property);
    positive: they diverge (chaos). Arguments as in :func:`run_batch`.
    """
    W = np.asarray(W, dtype=float)
    w_in = np.asarray(w_in, dtype=float)
    u = _check_drive(u)
    if W.ndim != 3 or W.shape[1] != W.shape[2]:
        raise ValueError(f"W must have shape (B, N, N), got {W.shape}")
    b, n = W.shape[0], W.shape[1]
    if w_in.shape != (b, n):
        raise ValueError(f"w_in must have shape {(b, n)}, got {w_in.shape}")
    washout = check_int("washout", washout, low=0)
    if u.ndim != 1 or u.size <= washout:
        raise ValueError(f"u must be 1-D and longer than washout ({washout}), got shape {u.shape}")
    eps = check_positive("eps", eps)
    scale = np.broadcast_to(slope * (1.0 if gains is None else np.asarray(gains, float)), (b, n))
    bias = np.broadcast_to(0.0 if biases is None else np.asarray(biases, float), (b, n))
    Ws = W * scale[:, :, None]
    mat = block_csr(np.concatenate([Ws, Ws]))[0]
    w_eff = np.concatenate([w_in * scale] * 2).reshape(-1)
    offset = np.concatenate([bias - scale * theta] * 2).reshape(-1)
    d = np.random.default_rng([check_seed(seed), 17]).normal(size=n)  # one direction for all
    d = np.tile(d * eps / np.linalg.norm(d), (b, 1))
    z = np.full(2 * b * n, 0.5)
    z[b * n :] += d.reshape(-1)
    acc = np.zeros(b)
    for t in range(u.size):
        z = mat @ z
        z += u[t] * w_eff + offset
        expit(z, out=z)
        diff = (z[b * n :] - z[: b * n]).reshape(b, n)
        dist = np.maximum(np.linalg.norm(diff, axis=1), 1e-300)
        if t >= washout:
            acc += np.log(dist / eps)
        z[b * n :] = z[: b * n] + (diff * (eps / dist)[:, None]).reshape(-1)
    return acc / (u.size - washout)


def lyapunov_exponent(res: EIReservoir, *, steps: int = 1000, washout: int = 200, seed: int = 0) -> float:
    """Largest Lyapunov exponent of one reservoir driven by i.i.d. U(-1, 1) input
    (see :func:`lyapunov_batch`); requires no leak."""
    if res.leak:
        raise ValueError("leak must be 0 for lyapunov_exponent")
    steps = check_int("steps", steps, low=1, high=10_000_000)
    u = input_sequence(steps + washout, seed=seed)
    return float(
        lyapunov_batch(
            res.W[None], res.w_in[None], u, slope=res.slope, theta=res.theta, washout=washout, seed=seed
        )[0]
    )


# ---------------------------------------------------------------------------------------------
# adaptation


@dataclass(frozen=True)
class Adaptation:
    """Result of :func:`adapt`.

    Attributes
    ----------
    reservoir : the adapted reservoir (new ``A_I``)
    rho : (N,) target rates
    error : (steps // record_every,) mean over neurons of |<r_i> - rho_i|, with <r_i> a running
        average of the rate over the last ~``window`` steps
    steps_recorded : the step of each error sample
    beta_trace : the global balance at those steps
    weights : (samples, k) a few inhibitory weights over time (for plotting)
    converged_step : the step at which the balance had settled (``steps=None``: the rule ran
        until then and stopped); None for a fixed number of steps, or if it never settled
    """

    reservoir: EIReservoir
    rho: np.ndarray
    error: np.ndarray
    steps_recorded: np.ndarray
    beta_trace: np.ndarray
    weights: np.ndarray
    converged_step: int | None = None


#: Convergence of the adaptation (``steps=None``): the global balance moves by less than
#: ``CONVERGENCE_TOL`` over the last ``CONVERGENCE_WINDOW`` steps (checked every
#: ``CONVERGENCE_EVERY`` steps), within at most ``MAX_CONVERGENCE_STEPS``.
CONVERGENCE_TOL = 0.005
CONVERGENCE_WINDOW = 1000
CONVERGENCE_EVERY = 500
MAX_CONVERGENCE_STEPS = 20_000


def adapt(
    res: EIReservoir,
    rho,
    *,
    delta: float = 2e-3,
    steps: int | None = None,
    seed: int = 0,
    record_every: int = 10,
    window: int = 50,
    u=None,
) -> Adaptation:
    r"""Local inhibitory plasticity: drive every neuron's rate to its target.

    Each step, with the input ``u`` (default i.i.d. :math:`U(-1,1)` from ``seed``):

    .. math::  A_I[i, j] \leftarrow \max\!\big(0,\; A_I[i, j] + \delta\,(r_i(t) - \rho_i)\big)
               \quad \text{for every existing synapse } j \to i

    Parameters
    ----------
    rho : scalar or (N,) target rates in (0, 1)
    delta : learning rate (>= 0)
    steps : adaptation steps (>= 1); None (the default) runs until the global balance has
        settled: it moves by less than :data:`CONVERGENCE_TOL` over the last
        :data:`CONVERGENCE_WINDOW` steps (at most :data:`MAX_CONVERGENCE_STEPS`)
    """
    out = adapt_batch(
        [res], [rho], delta=delta, steps=steps, seed=seed, record_every=record_every, window=window, u=u
    )
    return out[0]


def adapt_batch(
    reservoirs,
    rhos,
    *,
    delta: float = 2e-3,
    steps: int | None = None,
    seed: int = 0,
    record_every: int = 10,
    window: int = 50,
    u=None,
) -> list[Adaptation]:
    """:func:`adapt` for several reservoirs of equal size at once (one vectorised loop).

    All reservoirs see the same input sequence (``u`` or i.i.d. :math:`U(-1,1)` from ``seed``).
    With ``steps=None`` each reservoir's weights freeze once its balance has settled (so its
    result does not depend on the others in the batch); the loop stops when all have.
    """
    reservoirs = list(reservoirs)
    if not reservoirs:
        raise ValueError("reservoirs must not be empty")
    n, n_exc = reservoirs[0].n, reservoirs[0].n_exc
    if any(r.n != n or r.n_exc != n_exc for r in reservoirs):
        raise ValueError("reservoirs must all have the same size and E/I split")
    rhos = list(rhos)
    if len(rhos) != len(reservoirs):
        raise ValueError(f"rhos must have one entry per reservoir ({len(reservoirs)}), got {len(rhos)}")
    rho = np.stack([check_rho(r, n) for r in rhos])  # (B, N)
    delta = check_positive("delta", delta, allow_zero=True)
    until = steps is None
    steps = MAX_CONVERGENCE_STEPS if until else check_int("steps", steps, low=1, high=10_000_000)
    record_every = check_int("record_every", record_every, low=1)
    window = check_int("window", window, low=1)
    if u is None:
        u = input_sequence(steps, seed=seed)
    u = _check_drive(u)
    if u.shape != (steps,):
        raise ValueError(f"u must have shape ({steps},) to match steps, got {u.shape}")
    if until and CONVERGENCE_WINDOW % CONVERGENCE_EVERY:
        raise ValueError("CONVERGENCE_WINDOW must be a multiple of CONVERGENCE_EVERY")

    b = len(reservoirs)
    gain = np.array([r.gain for r in reservoirs])
    slope = np.repeat([r.slope for r in reservoirs], n)
    theta = np.repeat([r.theta for r in reservoirs], n)
    leak = np.repeat([r.leak for r in reservoirs], n)
    W = np.stack([r.W for r in reservoirs])
    keep = np.zeros(W.shape, dtype=bool)
    keep[:, :, n_exc:] = np.stack([r.mask_I for r in reservoirs])  # synapses that exist, even at 0
    mat, (bb, ii, jj) = block_csr(W, keep)
    inh = jj >= n_exc
    pos = np.flatnonzero(inh)  # where the inhibitory weights sit in mat.data
    post = (bb * n + ii)[inh]  # their postsynaptic neuron (flat batch index)
    weights = np.stack([r.A_I for r in reservoirs])[bb[inh], ii[inh], jj[inh] - n_exc]
    neg_gain = -gain[bb[inh]]
    w_in = np.concatenate([r.w_in for r in reservoirs])
    rho_flat = rho.reshape(-1)
    record_every = min(record_every, steps)
    n_rec = steps // record_every
    # a dozen synapses per reservoir to plot
    picks = [
        np.flatnonzero(bb[inh] == i)[:: max(1, int(res.mask_I.sum()) // 12)][:12]
        for i, res in enumerate(reservoirs)
    ]
    rec = dict(error=np.empty((n_rec, b)), beta=np.empty((n_rec, b)), weights=np.full((n_rec, b, 12), np.nan))
    sum_e = np.stack([r.A_E.sum(1) for r in reservoirs]).mean(1)

    r = np.full(b * n, 0.5)
    v = theta.copy()
    avg = r.copy()
    alpha = 1.0 / window
    k = 0
    learning = np.ones(len(post), dtype=bool)  # synapses still adapting (steps=None: until settled)
    converged = np.full(b, -1)
    lag = CONVERGENCE_WINDOW // CONVERGENCE_EVERY
    checks = []  # the balance at every check
    for t in range(steps):
        v = leak * v + mat @ r + u[t] * w_in
        r = expit(slope * (v - theta))
        avg += alpha * (r - avg)
        if delta:
            weights += (delta * (r - rho_flat)[post]) * learning if until else delta * (r - rho_flat)[post]
            np.maximum(weights, 0.0, out=weights)
            mat.data[pos] = neg_gain * weights
        if (t + 1) % record_every == 0:
            rec["error"][k] = np.abs(avg - rho_flat).reshape(b, n).mean(1)
            rec["beta"][k] = sum_e - np.bincount(bb[inh], weights, minlength=b) / n
            for i, p in enumerate(picks):
                rec["weights"][k, i, : len(p)] = weights[p]
            k += 1
        if until and (t + 1) % CONVERGENCE_EVERY == 0:
            checks.append(sum_e - np.bincount(bb[inh], weights, minlength=b) / n)
            if len(checks) > lag:
                settled = (np.abs(checks[-1] - checks[-1 - lag]) < CONVERGENCE_TOL) & (converged < 0)
                converged[settled] = t + 1
                learning = converged[bb[inh]] < 0
                if np.all(converged > 0):
                    break
    n_rec = k
    rec = {key: value[:n_rec] for key, value in rec.items()}
    A_I = np.zeros((b, n, reservoirs[0].n_inh))
    A_I[bb[inh], ii[inh], jj[inh] - n_exc] = weights
    rec_steps = (np.arange(n_rec) + 1) * record_every
    return [
        Adaptation(
            reservoir=res.with_inhibition(A_I[i]),
            rho=rho[i],
            error=rec["error"][:, i].copy(),
            steps_recorded=rec_steps,
            beta_trace=rec["beta"][:, i].copy(),
            weights=rec["weights"][:, i, : len(picks[i])].copy(),
            converged_step=int(converged[i]) if converged[i] > 0 else None,
        )
        for i, res in enumerate(reservoirs)
    ]


def one_step(res: EIReservoir, rho, *, u_mean: float = 0.0) -> EIReservoir:
    r"""Rescale each row of ``A_I`` once so that the mean-field fixed point has :math:`r = \rho`.

    Mean field: replace every rate by its target and the input by its mean
    :math:`\bar u`. The fixed point of neuron ``i`` then needs
    :math:`v_i^* = \theta + \phi^{-1}(\rho_i) = \theta + \tfrac1c \ln\frac{\rho_i}{1-\rho_i}`, and

    .. math::  (1 - \Lambda)\, v_i^* = J\big(E_i - s_i I_i\big) + w_{in,i}\,\bar u, \qquad
               E_i = \sum_j A_E[i,j]\,\rho_j,\quad I_i = \sum_j A_I[i,j]\,\rho_j

    so row ``i`` of ``A_I`` is multiplied by
    :math:`s_i = \big(J E_i + w_{in,i}\bar u - (1-\Lambda) v_i^*\big) / (J I_i)` (clipped at 0).
    A target below 1/2 needs :math:`v^* < \theta`: *more* inhibition than exact balance
    (:math:`s_i > E_i / I_i`); a target above 1/2 less. A row without inhibitory weight
    (``beta = 1``) gets the needed inhibition spread evenly over its existing synapses.
    The mean field ignores fluctuations, so rates land near, not exactly on, targets that are
    far from 1/2 (:math:`\langle\phi(v)\rangle \ne \phi(\langle v\rangle)`).
    """
    rho = check_rho(rho, res.n)
    u_mean = check_number("u_mean", u_mean)
    rho_e, rho_i = rho[: res.n_exc], rho[res.n_exc :]
    v_star = res.theta + logit(rho) / res.slope
    exc = res.A_E @ rho_e
    inh = res.A_I @ rho_i
    need = exc + (res.w_in * u_mean - (1.0 - res.leak) * v_star) / max(res.gain, 1e-12)
    need = np.maximum(need, 0.0)  # inhibition cannot be negative: such targets are out of reach
    A_I = res.A_I.copy()
    has = inh > 1e-12
    A_I[has] *= (need[has] / inh[has])[:, None]
    syn = res.mask_I[~has] * rho_i[None]  # rows without inhibitory weight: spread evenly
    denom = syn.sum(1)
    fill = np.divide(need[~has], denom, out=np.zeros_like(denom), where=denom > 0)
    A_I[~has] = res.mask_I[~has] * fill[:, None]
    return res.with_inhibition(A_I)


def spectral_radius(W: np.ndarray) -> float:
    """Largest absolute eigenvalue of a square matrix (one BLAS thread; see
    :func:`bioviz.runtime.blas_threads`)."""
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be square, got shape {W.shape}")
    if not np.isfinite(W).all():
        raise ValueError("W must be finite (it holds NaN or inf)")
    with blas_threads(1):
        return float(np.max(np.abs(np.linalg.eigvals(W))))


def jacobian_radius(res: EIReservoir, rates: np.ndarray) -> float:
    r"""Spectral radius of the time-averaged Jacobian :math:`\mathrm{diag}(c\,\langle r_i(1-r_i)\rangle)\,W`.

    :math:`W = J(A_E - A_I)`; ``rates`` is ``(T, N)`` (or ``(N,)`` for one state). Above 1 the
    reservoir amplifies perturbations (chaotic, fading memory lost); far below 1 it forgets fast.
    This is :math:`\approx c \langle r(1-r)\rangle\,\rho(W)`, the usual estimate.
    """
    rates = np.asarray(rates, dtype=float)
    if rates.shape[-1] != res.n:
        raise ValueError(f"rates must have {res.n} columns, got shape {rates.shape}")
    slope = (
        res.slope * np.mean(rates * (1 - rates), axis=0) if rates.ndim == 2 else res.slope * rates * (1 - rates)
    )
    return spectral_radius(slope[:, None] * res.W)
