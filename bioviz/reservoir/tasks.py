r"""Tasks and metrics: memory capacity (Jaeger 2001) and NARMA-10, with a ridge readout.

**Readout.** A linear map from the reservoir's rates (plus a bias) to the target, fitted by
ridge regression with reservoirpy's :class:`reservoirpy.nodes.Ridge`
(:math:`W_{out} = Y X^\top (X X^\top + \lambda I)^{-1}` on centred data).

**Memory capacity.** Drive with i.i.d. input :math:`u(t)`; for each delay :math:`k = 1..k_{max}`
train a readout :math:`y_k(t)` to recall :math:`u(t-k)` and score it on held-out steps:

.. math::  MC = \sum_{k=1}^{k_{max}} MC_k, \qquad
           MC_k = \mathrm{corr}^2\big(u(t-k),\, y_k(t)\big) \in [0, 1]

For a reservoir of ``N`` neurons :math:`0 \le MC \le N` (Jaeger); a linear reservoir can reach
``N``. Delays start at 1 as in Jaeger's paper and reservoirpy's ``memory_capacity``: the state
at time ``t`` has already seen :math:`u(t)`.

**NARMA-10** (Atiya & Parlos 2000), input :math:`u(t) \sim U(0, 0.5)`:

.. math::  y(t+1) = 0.3\,y(t) + 0.05\,y(t)\sum_{i=0}^{9} y(t-i) + 1.5\,u(t-9)\,u(t) + 0.1

The readout predicts :math:`y(t+1)` from the state after :math:`u(t)`; the score is
:math:`\mathrm{NRMSE} = \mathrm{RMSE} / \mathrm{std}(y)` on held-out steps (1 = predicting the mean).

>>> from bioviz.reservoir import model
>>> res = model.build(100, beta=0.0, seed=0)
>>> ev = evaluate(res, seed=0, n_train=1000, n_test=500, k_max=40)
>>> 0 < ev.mc < 40 and 0 < ev.nrmse < 1
True
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from bioviz.reservoir import model as _model
from bioviz.runtime import blas_threads
from bioviz.validation import check_bool, check_choice, check_int, check_positive, check_seed

__all__ = [
    "ridge_fit_predict",
    "memory_capacity",
    "narma10",
    "narma_nrmse",
    "nrmse",
    "Evaluation",
    "evaluate",
    "evaluate_batch",
    "TaskInputs",
    "task_inputs",
    "esn_states",
    "orthogonal",
    "gaussian",
    "reservoirpy_memory_capacity",
]

#: NARMA-10 coefficients (order, a1, a2, b, c) in reservoirpy's argument names.
NARMA10 = dict(order=10, a1=0.3, a2=0.05, b=1.5, c=0.1)


def _check_xy(states, target, name_x="states", name_y="target"):
    x = np.asarray(states, dtype=float)
    y = np.asarray(target, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"{name_x} must be 2-D (time, neurons), got shape {x.shape}")
    if y.ndim not in (1, 2) or y.shape[0] != x.shape[0]:
        raise ValueError(f"{name_y} must have {x.shape[0]} rows to match {name_x}, got shape {y.shape}")
    return x, y


def ridge_fit_predict(x_train, y_train, x_test, ridge: float = 1e-6):
    """Fit reservoirpy's Ridge (with a bias) on ``(x_train, y_train)``; predict ``x_test``."""
    from reservoirpy.nodes import Ridge

    ridge = check_positive("ridge", ridge, allow_zero=True)
    y_train = np.asarray(y_train, dtype=float)
    one = y_train.ndim == 1
    readout = Ridge(ridge=ridge, fit_bias=True).fit(
        np.asarray(x_train, float), y_train[:, None] if one else y_train
    )
    pred = np.asarray(x_test, float) @ readout.Wout + readout.bias
    return pred[:, 0] if one else pred


def _sq_corr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Column-wise squared Pearson correlation (0 where a column is constant)."""
    a = a - a.mean(0)
    b = b - b.mean(0)
    num = (a * b).sum(0) ** 2
    den = (a * a).sum(0) * (b * b).sum(0)
    return np.divide(num, den, out=np.zeros_like(num), where=den > 1e-300)


def memory_capacity(
    states, u, *, k_max: int = 60, n_train: int = 2000, n_test: int = 1000, washout: int = 100, ridge: float = 1e-6
) -> tuple[float, np.ndarray]:
    """Memory capacity of a state sequence driven by ``u``; returns ``(MC, MC_k)``.

    ``states[t]`` must be the state after input ``u[t]``. Uses steps
    ``washout + k_max`` .. for training (``n_train``) then testing (``n_test``);
    ``MC_k[k-1]`` is the squared test correlation for delay ``k``.
    """
    x, u = _check_xy(states, u, "states", "u")
    if u.ndim != 1:
        raise ValueError(f"u must be 1-D, got shape {u.shape}")
    k_max = check_int("k_max", k_max, low=1)
    n_train = check_int("n_train", n_train, low=2)
    n_test = check_int("n_test", n_test, low=2)
    washout = check_int("washout", washout, low=0)
    start = washout + k_max
    if start + n_train + n_test > len(u):
        raise ValueError(
            f"u is too short: need washout + k_max + n_train + n_test = "
            f"{start + n_train + n_test} steps, got {len(u)}"
        )
    t = np.arange(start, start + n_train + n_test)
    delayed = u[t[:, None] - np.arange(1, k_max + 1)[None]]  # (time, k): u(t - k)
    pred = ridge_fit_predict(x[t[:n_train]], delayed[:n_train], x[t[n_train:]], ridge)
    mc_k = _sq_corr(pred, delayed[n_train:])
    return float(mc_k.sum()), mc_k


def narma10(steps: int, *, seed: int = 0, variant: str = "textbook") -> tuple[np.ndarray, np.ndarray]:
    r"""NARMA-10 input ``u`` (i.i.d. U(0, 0.5)) and target ``y`` with ``y[t]`` = :math:`y(t+1)`.

    ``variant="textbook"`` is the equation of the module docstring. ``variant="reservoirpy"``
    calls :func:`reservoirpy.datasets.narma` with ``order=10`` and the NARMA-10 coefficients
    (its defaults are order 30, 0.2, 0.04, 1.5, 0.001): its recursion sums
    :math:`y(t-10..t-1)` and multiplies :math:`u(t-10)\,u(t)`, one step further back than
    the textbook's :math:`y(t-9..t)` and :math:`u(t-9)\,u(t)`. Both return ``u`` and ``y`` of
    length ``steps`` aligned so that ``y[t]`` is predicted from the state after ``u[t]``.
    """
    steps = check_int("steps", steps, low=1)
    seed = check_seed(seed)
    order = NARMA10["order"]
    rng = np.random.default_rng([seed, 10])
    u = rng.uniform(0.0, 0.5, steps + order + 1)
    if variant == "reservoirpy":
        from reservoirpy.datasets import narma

        # reservoirpy: Y[t+1] = a1 Y[t] + a2 Y[t] sum(Y[t-10:t]) + b u[t-10] u[t] + c for t >= 10,
        # returned as y_out = Y[10:]; pair u[t] with Y[t+1] = y_out[t - 9], t = s + 10
        _, y = narma(steps + 1, u=u[:, None], **NARMA10)
        return u[order : order + steps], y[1:, 0]
    if variant != "textbook":
        raise ValueError(f"variant must be one of ('textbook', 'reservoirpy'), got {variant!r}")
    y = np.zeros(steps + order + 1)
    for t in range(order - 1, steps + order):
        y[t + 1] = 0.3 * y[t] + 0.05 * y[t] * y[t - order + 1 : t + 1].sum() + 1.5 * u[t - order + 1] * u[t] + 0.1
    return u[order : order + steps], y[order + 1 :]


def nrmse(y_true, y_pred) -> float:
    """RMSE divided by the standard deviation of ``y_true`` (reservoirpy's ``nrmse`` with
    ``norm_value=std``; note its ``norm="var"`` divides by the variance, not the std)."""
    from reservoirpy.observables import nrmse as rpy_nrmse

    y_true = np.asarray(y_true, dtype=float)
    return float(rpy_nrmse(y_true, np.asarray(y_pred, dtype=float), norm_value=float(np.std(y_true))))


def narma_nrmse(
    states, y, *, n_train: int = 2000, n_test: int = 1000, washout: int = 100, ridge: float = 1e-6
) -> float:
    """Test NRMSE of a ridge readout predicting the NARMA target ``y`` from ``states``."""
    x, y = _check_xy(states, y, "states", "y")
    n_train = check_int("n_train", n_train, low=2)
    n_test = check_int("n_test", n_test, low=2)
    washout = check_int("washout", washout, low=0)
    start = washout + NARMA10["order"] + 10  # let the NARMA recursion forget its zero start too
    if start + n_train + n_test > len(y):
        raise ValueError(f"y is too short: need {start + n_train + n_test} steps, got {len(y)}")
    tr = slice(start, start + n_train)
    te = slice(start + n_train, start + n_train + n_test)
    pred = ridge_fit_predict(x[tr], y[tr], x[te], ridge)
    return nrmse(y[te], pred)


# ---------------------------------------------------------------------------------------------
# evaluating E/I reservoirs on both tasks at once


@dataclass(frozen=True)
class TaskInputs:
    """The input sequences of one evaluation: ``u_mc`` ~ U(-1, 1) and NARMA-10 ``(u_narma, y)``.

    The reservoir sees NARMA's input rescaled to the same range, :math:`4u - 1`, so both tasks
    drive it with the statistics it was adapted to; the target uses the original ``u``.
    """

    u_mc: np.ndarray
    u_narma: np.ndarray
    y_narma: np.ndarray
    n_train: int
    n_test: int
    washout: int
    k_max: int


def task_inputs(
    *,
    seed: int = 0,
    n_train: int = 2000,
    n_test: int = 1000,
    washout: int = 100,
    k_max: int = 60,
    narma_variant: str = "textbook",
) -> TaskInputs:
    """Input sequences for :func:`evaluate` (long enough for both tasks)."""
    seed = check_seed(seed)
    check_choice("narma_variant", narma_variant, ("textbook", "reservoirpy"))
    n_train = check_int("n_train", n_train, low=2, high=1_000_000)
    n_test = check_int("n_test", n_test, low=2, high=1_000_000)
    washout = check_int("washout", washout, low=0, high=1_000_000)
    k_max = check_int("k_max", k_max, low=1, high=10_000)
    steps = washout + max(k_max, NARMA10["order"] + 10) + n_train + n_test
    u_mc = _model.input_sequence(steps, seed=seed + 1_000_003)
    u_n, y_n = narma10(steps, seed=seed, variant=narma_variant)
    return TaskInputs(u_mc, u_n, y_n, n_train, n_test, washout, k_max)


@dataclass(frozen=True)
class Evaluation:
    """Scores of one reservoir: memory capacity (total and per delay), NARMA-10 NRMSE, the
    rates it ran at (per-neuron time averages during the memory task), the Jacobian radius and
    the largest Lyapunov exponent (negative: fading memory; positive: chaos)."""

    mc: float
    mc_k: np.ndarray
    nrmse: float
    mean_rates: np.ndarray
    radius: float
    lyapunov: float = float("nan")

    @property
    def mean_rate(self) -> float:
        return float(self.mean_rates.mean())


def evaluate(
    res: _model.EIReservoir,
    *,
    seed: int = 0,
    inputs: TaskInputs | None = None,
    ridge: float = 1e-6,
    radius: bool = True,
    **input_kwargs,
) -> Evaluation:
    """Memory capacity and NARMA-10 NRMSE of one reservoir (see :func:`evaluate_batch`)."""
    radius = check_bool("radius", radius)
    return evaluate_batch([res], seed=seed, inputs=inputs, ridge=ridge, radius=radius, **input_kwargs)[0]


def _stack_w(reservoirs):
    return np.stack([r.W for r in reservoirs]), np.stack([r.w_in for r in reservoirs])


def evaluate_batch(
    reservoirs,
    *,
    seed: int = 0,
    inputs: TaskInputs | None = None,
    ridge: float = 1e-6,
    radius: bool = True,
    lyapunov: bool = True,
    gains=None,
    biases=None,
    chunk: int = 8,
    dtype=np.float64,
    **input_kwargs,
) -> list[Evaluation]:
    """Evaluate reservoirs of equal size on both tasks in one vectorised simulation.

    Every reservoir sees the same inputs (``inputs``, or :func:`task_inputs` from ``seed``):
    common random numbers, so differences come from the reservoirs. ``gains``/``biases``
    (``(B, N)``) run them with per-neuron intrinsic gains and biases (see
    :func:`bioviz.reservoir.model.run_batch`). ``radius=False`` skips the eigenvalues,
    ``lyapunov=False`` the Lyapunov exponent (1000 steps of the memory task's input).
    Reservoirs are simulated ``chunk`` at a time (both tasks at once), in ``dtype``.
    """
    lyapunov = check_bool("lyapunov", lyapunov)
    radius = check_bool("radius", radius)
    reservoirs = list(reservoirs)
    if not reservoirs:
        raise ValueError("reservoirs must not be empty")
    n = reservoirs[0].n
    if any(r.n != n for r in reservoirs):
        raise ValueError("reservoirs must all have the same size")
    for name, arr in (("gains", gains), ("biases", biases)):
        if arr is not None and np.shape(arr) != (len(reservoirs), n):
            raise ValueError(f"{name} must have shape {(len(reservoirs), n)}, got {np.shape(arr)}")
    chunk = check_int("chunk", chunk, low=1)
    if inputs is None:
        inputs = task_inputs(seed=seed, **input_kwargs)
    out = []
    with blas_threads(1):
        for lo in range(0, len(reservoirs), chunk):
            part = reservoirs[lo : lo + chunk]
            sl = slice(lo, lo + len(part))
            out += _evaluate_chunk(
                part,
                inputs,
                ridge,
                radius,
                lyapunov,
                None if gains is None else np.asarray(gains)[sl],
                None if biases is None else np.asarray(biases)[sl],
                dtype,
            )
    return out


def _evaluate_chunk(reservoirs, inputs, ridge, radius, lyapunov, gains, biases, dtype):
    b = len(reservoirs)
    W, w_in = _stack_w(reservoirs)
    u = np.concatenate(
        [np.repeat(inputs.u_mc[:, None], b, 1), np.repeat(4.0 * inputs.u_narma[:, None] - 1.0, b, 1)], axis=1
    )

    def twice(a):  # the memory task runs in the first half of the batch, NARMA in the second
        return None if a is None else np.concatenate([a, a])

    first = reservoirs[0]
    rates = _model.run_batch(
        twice(W),
        twice(w_in),
        u,
        slope=first.slope,
        theta=first.theta,
        leak=first.leak,
        gains=twice(gains),
        biases=twice(biases),
        dtype=dtype,
    )
    lyap = np.full(b, np.nan)
    if lyapunov:
        if first.leak:
            raise ValueError("lyapunov needs reservoirs without leak; pass lyapunov=False")
        lyap = _model.lyapunov_batch(
            W,
            w_in,
            inputs.u_mc[: 200 + 1000],
            slope=first.slope,
            theta=first.theta,
            gains=gains,
            biases=biases,
            washout=200,
        )
    out = []
    for i, res in enumerate(reservoirs):
        states = rates[:, i].astype(float)
        mc, mc_k = memory_capacity(
            states,
            inputs.u_mc,
            k_max=inputs.k_max,
            n_train=inputs.n_train,
            n_test=inputs.n_test,
            washout=inputs.washout,
            ridge=ridge,
        )
        err = narma_nrmse(
            rates[:, b + i].astype(float),
            inputs.y_narma,
            n_train=inputs.n_train,
            n_test=inputs.n_test,
            washout=inputs.washout,
            ridge=ridge,
        )
        used = states[inputs.washout :]
        rad = float("nan")
        if radius:
            eff = (
                res
                if gains is None
                else dataclasses.replace(res, A_E=res.A_E * gains[i][:, None], A_I=res.A_I * gains[i][:, None])
            )
            rad = _model.jacobian_radius(eff, used)
        out.append(
            Evaluation(mc=mc, mc_k=mc_k, nrmse=err, mean_rates=used.mean(0), radius=rad, lyapunov=float(lyap[i]))
        )
    return out


# ---------------------------------------------------------------------------------------------
# plain echo state networks: the sanity anchor and the reservoirpy cross-check


def orthogonal(n: int, radius: float = 0.9, *, seed: int = 0) -> np.ndarray:
    """A random orthogonal matrix times ``radius`` (all eigenvalues on the circle |z| = radius)."""
    n = check_int("n", n, low=1, high=5000)
    radius = check_positive("radius", radius, allow_zero=True)
    q, r = np.linalg.qr(np.random.default_rng(check_seed(seed)).normal(size=(n, n)))
    return radius * q * np.sign(np.diag(r))[None]


def gaussian(n: int, radius: float = 0.9, *, seed: int = 0) -> np.ndarray:
    """A dense Gaussian matrix rescaled to spectral radius ``radius``."""
    n = check_int("n", n, low=1, high=5000)
    radius = check_positive("radius", radius, allow_zero=True)
    w = np.random.default_rng(check_seed(seed)).normal(size=(n, n))
    return radius * w / np.max(np.abs(np.linalg.eigvals(w)))


def esn_states(W, w_in, u, *, activation: str = "tanh") -> np.ndarray:
    """States of a plain ESN :math:`x(t) = f(W x(t-1) + w_{in} u(t))` from :math:`x = 0`.

    ``activation``: ``"tanh"`` or ``"linear"``. ``W``: (N, N); ``w_in``: (N,); ``u``: (T,).
    """
    W = np.asarray(W, dtype=float)
    w_in = np.asarray(w_in, dtype=float).reshape(-1)
    u = np.asarray(u, dtype=float)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be square, got shape {W.shape}")
    if w_in.shape != (W.shape[0],):
        raise ValueError(f"w_in must have shape ({W.shape[0]},), got {w_in.shape}")
    if u.ndim != 1:
        raise ValueError(f"u must be 1-D, got shape {u.shape}")
    if activation not in ("tanh", "linear"):
        raise ValueError(f"activation must be one of ('tanh', 'linear'), got {activation!r}")
    x = np.zeros(W.shape[0])
    out = np.empty((len(u), W.shape[0]))
    drive = u[:, None] * w_in[None]
    for t in range(len(u)):
        x = W @ x + drive[t]
        if activation == "tanh":
            np.tanh(x, out=x)
        out[t] = x
    return out


def reservoirpy_memory_capacity(
    n: int = 100,
    *,
    sr: float = 0.9,
    input_scaling: float = 0.1,
    k_max: int = 100,
    steps: int = 4000,
    test_size: int = 1000,
    ridge: float = 1e-6,
    seed: int = 0,
) -> dict:
    """Memory capacity of one plain reservoirpy ESN measured twice: by reservoirpy's
    ``memory_capacity`` and by :func:`memory_capacity` on the same reservoir and series.

    reservoirpy's ``memory_capacity(model, k_max, series=..., test_size=...)`` trains on the
    first ``len(series) - k_max - test_size`` windows (after a warm-up of ``k_max`` states)
    and tests on the last ``test_size``: its docstring calls ``test_size`` the number of
    *training* steps, but the code uses it as the test length. We reproduce that split.
    Returns both totals and both per-delay curves, and ``docstring_reading``: our MC on the
    split the docstring describes (``test_size`` training steps), which does not match.
    """
    from reservoirpy.nodes import Reservoir, Ridge
    from reservoirpy.observables import memory_capacity as rpy_mc

    n = check_int("n", n, low=1, high=5000)
    k_max = check_int("k_max", k_max, low=1, high=10_000)
    test_size = check_int("test_size", test_size, low=2, high=1_000_000)
    steps = check_int("steps", steps, low=3 * k_max + test_size, high=10_000_000)
    sr = check_positive("sr", sr)
    input_scaling = check_positive("input_scaling", input_scaling)
    ridge = check_positive("ridge", ridge, allow_zero=True)
    seed = check_seed(seed)
    series = np.random.default_rng([seed, 3]).uniform(-0.8, 0.8, (steps, 1))
    res = Reservoir(n, sr=sr, input_scaling=input_scaling, input_connectivity=1.0, seed=seed)
    theirs = rpy_mc(res >> Ridge(ridge=ridge), k_max, as_list=True, series=series, test_size=test_size)
    res.initialize(series)
    W = res.W.toarray() if hasattr(res.W, "toarray") else np.asarray(res.W)
    w_in = np.asarray(res.Win.toarray() if hasattr(res.Win, "toarray") else res.Win)[:, 0]
    # their windows: row s of the dataset is u(s + k_max), fed as input; states from x = 0
    u = series[:, 0]
    states = esn_states(W, w_in, u[k_max:], activation="tanh")
    n_windows = len(u) - k_max
    n_train = n_windows - test_size - k_max  # after their warm-up of k_max states
    ours_k = _ours_on_their_split(states, u, k_max, n_train, test_size, ridge)
    misread = _ours_on_their_split(states, u, k_max, test_size, n_train, ridge)
    return dict(
        reservoirpy=float(np.sum(theirs)),
        ours=float(ours_k.sum()),
        reservoirpy_k=np.asarray(theirs),
        ours_k=ours_k,
        docstring_reading=float(misread.sum()),
        n=n,
        sr=sr,
        k_max=k_max,
        n_train=n_train,
        n_test=test_size,
    )


def _ours_on_their_split(states, u, k_max, n_train, n_test, ridge):
    # states[s] has seen u[k_max + s]; targets u(k_max + s - k) for k = 1..k_max
    s = np.arange(k_max, k_max + n_train + n_test)  # skip their warm-up of k_max states
    delayed = u[(k_max + s)[:, None] - np.arange(1, k_max + 1)[None]]
    pred = ridge_fit_predict(states[s[:n_train]], delayed[:n_train], states[s[n_train:]], ridge)
    return _sq_corr(pred, delayed[n_train:])
