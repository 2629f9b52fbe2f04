"""The experiments of notebook 02, vectorised over configurations.

Every function here builds reservoirs from one network ``seed`` (the same connectivity and raw
weights for every beta and gain: a sweep changes only what it sweeps), drives them all with the
same task inputs, and returns plain arrays. :func:`configuration` is the single configuration an
explorer recomputes when a slider moves (build, adapt, evaluate in well under a second).

Defaults (:data:`DEFAULTS`) are our calibration: N = 200 (160 E / 40 I), K_E = 16,
K_I = 4, J = 6, c = 1, theta = 0, no leak, half the neurons driven with U(-1, 1) weights,
input U(-1, 1), ridge 1e-6, 2000 train / 1000 test steps, k_max = 60, adaptation with
delta = 2e-3 until the global balance settles (``steps=None``; :data:`bioviz.reservoir.model.CONVERGENCE_TOL`),
intrinsic plasticity for :data:`IP_STEPS` steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bioviz.parallel import Backend, pmap, resolve
from bioviz.reservoir import model, tasks
from bioviz.runtime import blas_threads, memo, progress
from bioviz.validation import check_bool, check_choice, check_int, check_positive, check_range, check_seed

__all__ = [
    "DEFAULTS",
    "MODES",
    "BETAS",
    "Sweep",
    "beta_sweep",
    "cached_sweep",
    "sweep_modes",
    "target_sweep",
    "ip_adapt",
    "Configuration",
    "configuration",
    "percent_gain",
]

DEFAULTS = dict(n=200, gain=6.0, input_scaling=1.0, rho=0.3, heterogeneity=0.0, delta=2e-3, steps=None, ridge=1e-6)
#: Intrinsic plasticity's steps when the inhibitory rule runs to convergence (``steps=None``);
#: IP has no such criterion here, and its effect depends on how long it runs.
IP_STEPS = 1500
MODES = ("static", "plastic", "one-step", "intrinsic")
#: The beta grid of the notebook's sweeps.
BETAS = np.round(np.linspace(-1.0, 1.0, 11), 2)


def percent_gain(new, old):
    """``100 (new - old) / old`` (elementwise), the paper's way of quoting an improvement."""
    new, old = np.asarray(new, float), np.asarray(old, float)
    return 100.0 * (new - old) / np.where(old == 0, np.nan, old)


def _targets(n, rho, heterogeneity, seed):
    rho = check_range("rho", rho, 0.0, 1.0, low_open=True, high_open=True)
    return model.targets(n, rho, heterogeneity, seed=seed)


def ip_adapt(
    res: model.EIReservoir, *, mu: float = 0.3, learning_rate: float = 2e-3, steps: int = 1500, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    r"""Intrinsic plasticity (reservoirpy's :class:`~reservoirpy.nodes.IPReservoir`) on *this*
    E/I network: returns the per-neuron gains ``a`` and biases ``b``.

    IPReservoir computes :math:`x = \mathrm{sigmoid}(a \odot (W x + W_{in} u) + b)`, our model
    with :math:`c = 1, \theta = 0` when ``a = 1, b = 0``, and adapts ``a`` and ``b`` so that each
    neuron's output distribution approaches an exponential distribution of mean ``mu``
    (Triesch 2005; Schrauwen et al. 2008). The synapses never change: the homeostatic contrast
    to inhibitory plasticity, which changes only synapses. Same input and number of steps as
    :func:`bioviz.reservoir.model.adapt`.
    """
    from reservoirpy.nodes import IPReservoir

    mu = check_range("mu", mu, 0.0, 1.0, low_open=True, high_open=True)
    learning_rate = check_positive("learning_rate", learning_rate, allow_zero=True)
    steps = check_int("steps", steps, low=1)
    if res.slope != 1.0 or res.theta != 0.0 or res.leak != 0.0:
        raise ValueError("res must have slope 1, theta 0 and no leak to match IPReservoir's update")
    ip = IPReservoir(
        W=res.W,
        Win=res.w_in[:, None],
        bias=np.zeros(res.n),
        activation="sigmoid",
        mu=mu,
        learning_rate=learning_rate,
        epochs=1,
        seed=check_seed(seed),
    )
    with blas_threads(1):
        ip.fit(model.input_sequence(steps, seed=seed)[:, None])
    return np.asarray(ip.a, float).copy(), np.asarray(ip.b, float).copy()


@dataclass(frozen=True)
class Sweep:
    """Scores over a grid (``x``, e.g. beta or mean target rate) for each ``mode``.

    ``mc[mode]``, ``nrmse[mode]``, ``rate[mode]``, ``radius[mode]``, ``lyapunov[mode]``,
    ``rate_error[mode]``
    (mean |<r_i> - rho_i|) are arrays over ``x``; ``mc_k[mode]`` is ``(len(x), k_max)``;
    ``adaptations[mode]`` the :class:`~bioviz.reservoir.model.Adaptation` of each point
    (plastic mode) and ``evaluations[mode]`` the :class:`~bioviz.reservoir.tasks.Evaluation`s;
    ``gains[mode]`` and ``biases[mode]`` are ``(len(x), N)``: the per-neuron gains :math:`a_i`
    and biases :math:`b_i` that intrinsic plasticity learned (intrinsic mode only).
    """

    x: np.ndarray
    label: str
    settings: dict
    mc: dict = field(default_factory=dict)
    nrmse: dict = field(default_factory=dict)
    rate: dict = field(default_factory=dict)
    radius: dict = field(default_factory=dict)
    lyapunov: dict = field(default_factory=dict)
    rate_error: dict = field(default_factory=dict)
    mc_k: dict = field(default_factory=dict)
    evaluations: dict = field(default_factory=dict)
    adaptations: dict = field(default_factory=dict)
    gains: dict = field(default_factory=dict)
    biases: dict = field(default_factory=dict)

    @property
    def modes(self) -> tuple:
        return tuple(self.mc)

    def merged(self, other: Sweep) -> Sweep:
        """A sweep holding this sweep's modes and ``other``'s (same grid)."""
        if not np.array_equal(self.x, other.x):
            raise ValueError("other must have the same grid x")
        out = Sweep(self.x, self.label, {**self.settings, **other.settings})
        for attr in (
            "mc",
            "nrmse",
            "rate",
            "radius",
            "lyapunov",
            "rate_error",
            "mc_k",
            "evaluations",
            "adaptations",
            "gains",
            "biases",
        ):
            getattr(out, attr).update(getattr(self, attr))
            getattr(out, attr).update(getattr(other, attr))
        return out

    def best(self, mode: str = "static", metric: str = "mc") -> tuple[float, float]:
        """(x at the optimum, the optimum): max MC or min NRMSE."""
        y = getattr(self, metric)[mode]
        i = int(np.argmax(y) if metric == "mc" else np.argmin(y))
        return float(self.x[i]), float(y[i])

    def _store(self, mode, evals, rhos, adaptations=None, gains=None, biases=None):
        self.evaluations[mode] = evals
        self.mc[mode] = np.array([e.mc for e in evals])
        self.nrmse[mode] = np.array([e.nrmse for e in evals])
        self.rate[mode] = np.array([e.mean_rate for e in evals])
        self.radius[mode] = np.array([e.radius for e in evals])
        self.lyapunov[mode] = np.array([e.lyapunov for e in evals])
        self.mc_k[mode] = np.stack([e.mc_k for e in evals])
        self.rate_error[mode] = np.array(
            [np.abs(e.mean_rates - r).mean() for e, r in zip(evals, rhos, strict=True)]
        )
        if adaptations is not None:
            self.adaptations[mode] = adaptations
        if gains is not None:
            self.gains[mode], self.biases[mode] = gains, biases


def _mode_result(mode, reservoirs, rhos, *, delta, steps, seed, inputs, diagnostics=True):
    """One mode of a sweep on every reservoir: (evaluations, adaptations, gains, biases)."""
    adaptations = None
    gains = biases = None
    if mode == "static":
        used = reservoirs
    elif mode == "plastic":
        adaptations = model.adapt_batch(reservoirs, rhos, delta=delta, steps=steps, seed=seed)
        used = [a.reservoir for a in adaptations]
    elif mode == "one-step":
        used = [model.one_step(r, rho) for r, rho in zip(reservoirs, rhos, strict=True)]
    else:  # intrinsic plasticity on the same networks, targeting the mean of rho
        ab = [
            ip_adapt(r, mu=float(np.mean(rho)), steps=steps or IP_STEPS, seed=seed)
            for r, rho in zip(reservoirs, rhos, strict=True)
        ]
        gains, biases = np.stack([a for a, _ in ab]), np.stack([b for _, b in ab])
        used = reservoirs
    evals = tasks.evaluate_batch(
        used, inputs=inputs, gains=gains, biases=biases, radius=diagnostics, lyapunov=diagnostics
    )
    return evals, adaptations, gains, biases


def _check_grid(name, values, modes, seed):
    try:
        values = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of numbers, got {values!r}") from None
    if values.ndim != 1 or values.size < 1:
        raise ValueError(f"{name} must be a non-empty 1-D sequence, got shape {values.shape}")
    if not np.isfinite(values).all():
        raise ValueError(f"{name} must be finite, got {values.tolist()}")
    for m in modes:
        check_choice("modes", m, MODES)
    return values, check_seed(seed)


def _run_sweep(sweep, reservoirs, rhos, modes, desc, show_progress, parallel=None, **kwargs):
    """Every mode through :func:`bioviz.parallel.pmap` (the modes are independent)."""
    inputs = tasks.task_inputs(seed=kwargs["seed"])
    jobs = [dict(mode=m, reservoirs=reservoirs, rhos=rhos, inputs=inputs, **kwargs) for m in modes]
    results = pmap(
        _mode_result, jobs, unpack=True, parallel=resolve(parallel), desc=desc, show_progress=show_progress
    )
    for mode, (evals, adaptations, gains, biases) in zip(modes, results, strict=True):
        sweep._store(mode, evals, rhos, adaptations, gains, biases)
    return sweep


def _check_adaptation(delta, steps) -> tuple[float, int | None]:
    """The adaptation's rate and length (None: until the balance settles), checked where a sweep
    or a configuration starts."""
    steps = None if steps is None else check_int("steps", steps, 1, MAX_ADAPT_STEPS)
    return check_positive("delta", delta, allow_zero=True), steps


#: The longest adaptation run these functions accept (the notebook uses up to a few thousand).
MAX_ADAPT_STEPS = 200_000


def beta_sweep(
    betas=BETAS,
    *,
    modes=("static", "plastic"),
    gain: float = 6.0,
    rho: float = 0.3,
    heterogeneity: float = 0.0,
    input_scaling: float = 1.0,
    n: int = 200,
    delta: float = 2e-3,
    steps: int | None = None,
    seed: int = 0,
    diagnostics: bool = True,
    parallel: str | Backend | None = None,
    show_progress: bool = True,
) -> Sweep:
    """MC and NARMA-10 NRMSE against the global balance ``beta`` for each of ``modes``.

    ``static``: the reservoir as built; ``plastic``: after :func:`~bioviz.reservoir.model.adapt`
    toward targets ``rho`` (mean ``rho``, ``heterogeneity`` as in
    :func:`~bioviz.reservoir.model.targets`); ``one-step``: after
    :func:`~bioviz.reservoir.model.one_step`; ``intrinsic``: after :func:`ip_adapt`.
    ``diagnostics=False`` skips the Jacobian radius and the Lyapunov exponent (NaN). The modes
    run through :func:`bioviz.parallel.pmap` (``parallel``; serial by default).
    """
    diagnostics = check_bool("diagnostics", diagnostics)
    betas, seed = _check_grid("betas", betas, modes, seed)
    delta, steps = _check_adaptation(delta, steps)
    reservoirs = [model.build(n, b, gain, input_scaling=input_scaling, seed=seed) for b in betas]
    rho_vec = _targets(reservoirs[0].n, rho, heterogeneity, seed)
    rhos = [rho_vec] * len(betas)
    sweep = Sweep(
        betas,
        "beta",
        dict(
            gain=gain,
            rho=rho,
            heterogeneity=heterogeneity,
            input_scaling=input_scaling,
            n=n,
            delta=delta,
            steps=steps,
            seed=seed,
        ),
    )
    return _run_sweep(
        sweep,
        reservoirs,
        rhos,
        modes,
        f"beta sweep (J = {gain:g})",
        show_progress,
        parallel,
        delta=delta,
        steps=steps,
        seed=seed,
        diagnostics=diagnostics,
    )


@memo(maxsize=64)
def _cached(mode: str, gain: float, rho: float, seed: int, n: int) -> Sweep:
    return beta_sweep(BETAS, modes=(mode,), gain=gain, rho=rho, seed=seed, n=n, show_progress=False)


def cached_sweep(mode: str, gain: float = 6.0, rho: float = 0.3, seed: int = 0, n: int = 200) -> Sweep:
    """:func:`beta_sweep` over :data:`BETAS` for one mode and ``n`` neurons, cached per process
    (the notebook and its sweep explorer share it). ``rho`` is ignored for ``static``. Do not
    modify the result."""
    check_choice("mode", mode, MODES)
    rho = DEFAULTS["rho"] if mode == "static" else check_range("rho", rho, 0.0, 1.0, low_open=True, high_open=True)
    n = check_int("n", n, 10, 5000)
    return _cached(mode, float(check_positive("gain", gain, allow_zero=True)), float(rho), check_seed(seed), n)


def sweep_modes(
    modes=("static", "plastic"),
    *,
    gain: float = 6.0,
    rho: float = 0.3,
    seed: int = 0,
    n: int = 200,
    show_progress: bool = True,
) -> Sweep:
    """Several :func:`cached_sweep` modes merged into one :class:`Sweep` (with a progress bar)."""
    modes = tuple(modes)
    if not modes:
        raise ValueError("modes must not be empty")
    gain = check_positive("gain", gain, allow_zero=True)
    rho = check_range("rho", rho, 0.0, 1.0, low_open=True, high_open=True)
    out = None
    with progress(
        total=len(modes), desc=f"beta sweep (J = {gain:g}, rho = {rho:g})", disable=not show_progress
    ) as bar:
        for mode in modes:
            bar.set_postfix_str(mode)
            part = cached_sweep(mode, gain, rho, seed, n)
            out = part if out is None else out.merged(part)
            bar.update(1)
    return out if len(modes) > 1 else out.merged(out)  # always a new object, never the cached one


def target_sweep(
    means=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7),
    *,
    heterogeneity: float = 0.0,
    beta: float = 0.0,
    gain: float = 6.0,
    n: int = 200,
    delta: float = 2e-3,
    steps: int | None = None,
    modes=("plastic",),
    seed: int = 0,
    diagnostics: bool = True,
    parallel: str | Backend | None = None,
    show_progress: bool = True,
) -> Sweep:
    """MC and NRMSE against the *mean* target rate, homogeneous (``heterogeneity = 0``) or
    heterogeneous targets, starting every time from the same reservoir (balance ``beta``).
    ``diagnostics=False`` skips the Jacobian radius and the Lyapunov exponent (NaN)."""
    diagnostics = check_bool("diagnostics", diagnostics)
    means, seed = _check_grid("means", means, modes, seed)
    delta, steps = _check_adaptation(delta, steps)
    base = model.build(n, beta, gain, seed=seed)
    reservoirs = [base] * len(means)
    rhos = [_targets(base.n, float(m), heterogeneity, seed) for m in means]
    sweep = Sweep(
        means,
        "mean target rate",
        dict(heterogeneity=heterogeneity, beta=beta, gain=gain, n=n, delta=delta, steps=steps, seed=seed),
    )
    return _run_sweep(
        sweep,
        reservoirs,
        rhos,
        modes,
        f"target sweep (h = {heterogeneity:g})",
        show_progress,
        parallel,
        delta=delta,
        steps=steps,
        seed=seed,
        diagnostics=diagnostics,
    )


# ---------------------------------------------------------------------------------------------
# one configuration (the explorers)


@dataclass(frozen=True)
class Configuration:
    """One reservoir before and after its adaptation mode, both evaluated on both tasks."""

    params: dict
    static: tasks.Evaluation
    adapted: tasks.Evaluation
    rho: np.ndarray
    before: model.EIReservoir
    after: model.EIReservoir
    adaptation: model.Adaptation | None
    beta_after: float

    @property
    def mc_gain_percent(self) -> float:
        return float(percent_gain(self.adapted.mc, self.static.mc))

    @property
    def nrmse_gain_percent(self) -> float:
        """Improvement in NRMSE (positive = lower error), in percent of the static NRMSE."""
        return float(-percent_gain(self.adapted.nrmse, self.static.nrmse))


def configuration(
    *,
    beta: float = 0.0,
    gain: float = 6.0,
    input_scaling: float = 1.0,
    rho: float = 0.3,
    heterogeneity: float = 0.0,
    delta: float = 2e-3,
    steps: int | None = None,
    mode: str = "plastic",
    n: int = 200,
    seed: int = 0,
) -> Configuration:
    """Build one reservoir, adapt it (``mode``), evaluate it before and after.

    ``mode``: ``"static"`` (nothing changes: before = after), ``"plastic"``
    (local inhibitory plasticity, ``delta`` and ``steps``), ``"one-step"`` (the mean-field
    design), or ``"intrinsic"`` (reservoirpy's intrinsic plasticity toward mean ``rho``).
    """
    mode = check_choice("mode", mode, MODES)
    seed = check_seed(seed)
    delta, steps = _check_adaptation(delta, steps)
    res = model.build(n, beta, gain, input_scaling=input_scaling, seed=seed)
    rho_vec = _targets(res.n, rho, heterogeneity, seed)
    inputs = tasks.task_inputs(seed=seed)
    adaptation = None
    gains = biases = None
    after = res
    if mode == "plastic":
        adaptation = model.adapt(res, rho_vec, delta=delta, steps=steps, seed=seed)
        after = adaptation.reservoir
    elif mode == "one-step":
        after = model.one_step(res, rho_vec)
    elif mode == "intrinsic":
        a, b = ip_adapt(res, mu=float(rho_vec.mean()), learning_rate=delta, steps=steps or IP_STEPS, seed=seed)
        gains = np.stack([np.ones(res.n), a])
        biases = np.stack([np.zeros(res.n), b])
    if mode == "static":
        static = adapted = tasks.evaluate(res, inputs=inputs)
    else:
        static, adapted = tasks.evaluate_batch([res, after], inputs=inputs, gains=gains, biases=biases)
    params = dict(
        beta=beta,
        gain=gain,
        input_scaling=input_scaling,
        rho=rho,
        heterogeneity=heterogeneity,
        delta=delta,
        steps=steps,
        mode=mode,
        n=n,
        seed=seed,
    )
    return Configuration(
        params=params,
        static=static,
        adapted=adapted,
        rho=rho_vec,
        before=res,
        after=after,
        adaptation=adaptation,
        beta_after=after.beta,
    )
