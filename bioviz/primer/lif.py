r"""The leaky integrate-and-fire neuron three ways: closed form, Brian2 and snnTorch.

Continuous model (voltages relative to rest, so :math:`V_{rest}=0`):

.. math::  \tau \frac{dV}{dt} = -V + R I, \qquad V > \vartheta \Rightarrow \text{spike, reset}

With constant input and reset to rest the interspike interval is

.. math::  T = t_{ref} + \tau \ln\frac{R I}{R I - \vartheta} \quad (R I > \vartheta)

so the firing rate (the f-I curve) is :math:`f = 1/T` above the rheobase :math:`I = \vartheta/R`.

Integrating the ODE exactly over one step of length ``dt`` gives the discrete update that
snnTorch's ``Leaky`` neuron uses, :math:`U[t+1] = \beta U[t] + X[t+1] - S[t]\,\vartheta` with
:math:`\beta = e^{-dt/\tau}` and input :math:`X = (1-\beta) R I`. Brian2 (``method='exact'``) and
snnTorch then agree spike for spike when both reset to zero (see :func:`compare_spike_trains`);
they differ for reset by subtraction (snnTorch subtracts after the decay, Brian2's
``v -= theta`` before it) and for the refractory period (snnTorch's ``Leaky`` has none;
:func:`simulate_snntorch` can emulate one with ``emulate_refractory=True``).

Units: time in ms, voltages in mV, current in nA, resistance in MOhm (so R I is in mV).

Example
-------
>>> run = simulate_brian2(current_nA=2.0, duration_ms=50)
>>> [float(round(t, 1)) for t in run.spike_times[0][:2]]   # closed form: 10 ln 4 = 13.86 ms
[13.8, 27.7]
>>> round(float(rate_closed_form(2.0)), 1)   # Hz
72.1
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bioviz.runtime import brian2
from bioviz.validation import check_bool, check_choice, check_positive, check_range, check_shapes

RESETS = ("zero", "subtract")

#: Defaults: tau 10 ms, threshold 15 mV above rest, R = 10 MOhm (1 nA -> 10 mV), no t_ref.
DEFAULTS = dict(tau_ms=10.0, threshold_mV=15.0, R_MOhm=10.0, t_ref_ms=0.0, dt_ms=0.1)


@dataclass(frozen=True)
class LIFRun:
    """A simulation of one or more LIF neurons (one per input current).

    Attributes
    ----------
    t : (steps,) time of each recorded sample, ms
    v : (steps,) membrane potential of neuron 0 relative to rest, mV
    spike_times : list of arrays, one per neuron, ms
    currents_nA : (n,) the input current of each neuron
    dt_ms, duration_ms : float
    """

    t: np.ndarray
    v: np.ndarray
    spike_times: list
    currents_nA: np.ndarray
    dt_ms: float
    duration_ms: float

    def rates_hz(self) -> np.ndarray:
        """Firing rate of each neuron (Hz): from the interspike intervals when there are at
        least two spikes (the steady-state rate), else the spike count over the duration."""
        rates = np.zeros(len(self.spike_times))
        for i, st in enumerate(self.spike_times):
            if len(st) >= 2:
                rates[i] = 1000.0 * (len(st) - 1) / (st[-1] - st[0])
            else:
                rates[i] = 1000.0 * len(st) / self.duration_ms
        return rates


def _check(tau_ms, threshold_mV, R_MOhm, t_ref_ms, dt_ms, duration_ms, reset):
    check_positive("tau_ms", tau_ms)
    check_positive("threshold_mV", threshold_mV)
    check_positive("R_MOhm", R_MOhm)
    check_positive("t_ref_ms", t_ref_ms, allow_zero=True)
    check_positive("dt_ms", dt_ms)
    check_positive("duration_ms", duration_ms)
    if duration_ms / dt_ms > 10_000_000:
        raise ValueError(f"duration_ms must be at most 10 million steps of dt_ms ({dt_ms}), got {duration_ms}")
    if dt_ms > tau_ms:
        raise ValueError(f"dt_ms must be <= tau_ms ({tau_ms}), got {dt_ms}")
    if duration_ms < dt_ms:
        raise ValueError(f"duration_ms must be >= dt_ms ({dt_ms}), got {duration_ms}")
    check_choice("reset", reset, RESETS)


def _currents(current_nA, name: str = "current_nA") -> np.ndarray:
    try:
        currents = np.atleast_1d(np.asarray(current_nA, dtype=float))
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or a 1-D array of numbers, got {current_nA!r}") from None
    if currents.ndim != 1 or currents.size == 0:
        raise ValueError(f"{name} must be a number or a non-empty 1-D array, got shape {currents.shape}")
    if not np.all(np.isfinite(currents)):
        raise ValueError(f"{name} must be finite")
    return currents


def isi_closed_form(
    current_nA, tau_ms: float = 10.0, threshold_mV: float = 15.0, R_MOhm: float = 10.0, t_ref_ms: float = 0.0
) -> np.ndarray:
    """Interspike interval (ms) for constant input; ``inf`` at or below rheobase."""
    check_positive("tau_ms", tau_ms)
    check_positive("threshold_mV", threshold_mV)
    check_positive("t_ref_ms", t_ref_ms, allow_zero=True)
    check_positive("R_MOhm", R_MOhm)
    currents = np.asarray(current_nA, dtype=float)
    if not np.all(np.isfinite(currents)):
        raise ValueError(f"current_nA must be finite, got {current_nA!r}")
    ri = currents * R_MOhm
    with np.errstate(divide="ignore", invalid="ignore"):
        isi = t_ref_ms + tau_ms * np.log(ri / (ri - threshold_mV))
    return np.where(ri > threshold_mV, isi, np.inf)


def rate_closed_form(
    current_nA, tau_ms: float = 10.0, threshold_mV: float = 15.0, R_MOhm: float = 10.0, t_ref_ms: float = 0.0
) -> np.ndarray:
    """Firing rate (Hz) for constant input: ``1000 / isi_closed_form``; 0 below rheobase."""
    return 1000.0 / isi_closed_form(current_nA, tau_ms, threshold_mV, R_MOhm, t_ref_ms)


def rheobase_nA(threshold_mV: float = 15.0, R_MOhm: float = 10.0) -> float:
    """The smallest constant current that makes the neuron fire (nA)."""
    return check_positive("threshold_mV", threshold_mV) / check_positive("R_MOhm", R_MOhm)


def simulate_brian2(
    current_nA=2.0,
    *,
    tau_ms=10.0,
    threshold_mV=15.0,
    R_MOhm=10.0,
    t_ref_ms=0.0,
    reset="zero",
    dt_ms=0.1,
    duration_ms=200.0,
) -> LIFRun:
    """Simulate LIF neurons in Brian2 (equations with units, exact integration, numpy target).

    One neuron per entry of ``current_nA``; the trace of neuron 0 is recorded.
    """
    _check(tau_ms, threshold_mV, R_MOhm, t_ref_ms, dt_ms, duration_ms, reset)
    currents = _currents(current_nA)
    b2 = brian2()
    ms, mV, nA, Mohm = b2.ms, b2.mV, b2.nA, b2.Mohm
    eqs = """
    dv/dt = (R * I - v) / tau : volt (unless refractory)
    I : amp (constant)
    """
    group = b2.NeuronGroup(
        len(currents),
        eqs,
        threshold="v > theta",
        reset="v = 0*mV" if reset == "zero" else "v -= theta",
        refractory=t_ref_ms * ms,
        method="exact",
        dt=dt_ms * ms,
        namespace=dict(R=R_MOhm * Mohm, tau=tau_ms * ms, theta=threshold_mV * mV),
    )
    group.I = currents * nA
    spikes = b2.SpikeMonitor(group)
    state = b2.StateMonitor(group, "v", record=0, dt=dt_ms * ms)
    net = b2.Network(group, spikes, state)
    net.run(duration_ms * ms, namespace={})
    trains = spikes.spike_trains()
    return LIFRun(
        t=np.asarray(state.t / ms),
        v=np.asarray(state.v[0] / mV),
        spike_times=[np.asarray(trains[i] / ms) for i in range(len(currents))],
        currents_nA=currents,
        dt_ms=dt_ms,
        duration_ms=duration_ms,
    )


def simulate_snntorch(
    current_nA=2.0,
    *,
    tau_ms=10.0,
    threshold_mV=15.0,
    R_MOhm=10.0,
    t_ref_ms=0.0,
    reset="zero",
    dt_ms=0.1,
    duration_ms=200.0,
    emulate_refractory: bool = False,
) -> LIFRun:
    """Simulate LIF neurons with ``snntorch.Leaky`` (beta = exp(-dt/tau), X = (1-beta) R I).

    snnTorch's ``Leaky`` has no refractory period, so ``t_ref_ms`` is ignored unless
    ``emulate_refractory`` is set, in which case the membrane is held at zero for
    ``round(t_ref/dt) - 1`` steps after each spike: Brian2's ``(unless refractory)`` counts the
    spike's own step as the first refractory step, and we match it.
    As in Brian2, a spike emitted in step ``k`` is stamped ``k * dt`` (the step's start) and the
    recorded membrane at ``(k + 1) * dt`` is the value after that step's update and reset.
    """
    emulate_refractory = check_bool("emulate_refractory", emulate_refractory)
    _check(tau_ms, threshold_mV, R_MOhm, t_ref_ms, dt_ms, duration_ms, reset)
    currents = _currents(current_nA)
    import snntorch as snn
    import torch

    beta = float(np.exp(-dt_ms / tau_ms))
    steps = int(round(duration_ms / dt_ms))
    lif = snn.Leaky(beta=beta, threshold=threshold_mV, reset_mechanism=reset)
    x = torch.tensor((1.0 - beta) * R_MOhm * currents, dtype=torch.float64)
    mem = torch.zeros_like(x)
    ref_steps = int(round(t_ref_ms / dt_ms)) if emulate_refractory else 0
    ref_steps = ref_steps if ref_steps >= 2 else 0  # 1 step of refractoriness changes nothing
    hold = torch.zeros(x.shape, dtype=torch.long)
    spk_all = torch.zeros((steps, x.numel()), dtype=torch.bool)
    v0 = np.zeros(steps)  # v0[0] is the initial (resting) membrane, as in Brian2's monitor
    with torch.no_grad():
        for k in range(steps):
            if ref_steps:
                frozen = hold > 0
                spk, mem = lif(torch.where(frozen, torch.zeros_like(x), x), mem)
                mem = torch.where(frozen, torch.zeros_like(mem), mem)
                spk = spk * (~frozen)
                hold = torch.where(spk.bool(), torch.full_like(hold, ref_steps - 1), hold - 1).clamp_min(0)
            else:
                spk, mem = lif(x, mem)
            spk_all[k] = spk.bool()
            if k + 1 < steps:  # the membrane after this step's reset, stamped at the step's end
                v0[k + 1] = float(mem[0]) - float(spk[0]) * (float(mem[0]) if reset == "zero" else threshold_mV)
    spk_np = spk_all.numpy()
    return LIFRun(
        t=np.arange(steps) * dt_ms,
        v=v0,
        spike_times=[np.nonzero(spk_np[:, i])[0] * dt_ms for i in range(x.numel())],
        currents_nA=currents,
        dt_ms=dt_ms,
        duration_ms=duration_ms,
    )


def lif_step(u, x, beta, threshold):
    """One time step of the discrete LIF neuron with reset to zero (the tutorial's exercise 1).

    Leak and integrate, :math:`u \\leftarrow \\beta u + x`; spike where :math:`u > \\vartheta`
    (strictly); reset those neurons to 0. Works on numbers or arrays (one entry per neuron).
    Returns ``(spike, u)`` with ``spike`` boolean.

    >>> spike, u = lif_step(np.array([5.0, 14.0]), np.array([2.0, 3.0]), 0.9, 15.0)
    >>> spike.tolist(), u.round(2).tolist()
    ([False, True], [6.5, 0.0])
    """
    u = beta * np.asarray(u, dtype=float) + x
    spike = u > threshold
    return spike, np.where(spike, 0.0, u)


def simulate_step(
    step=lif_step,
    current_nA=2.0,
    *,
    tau_ms=10.0,
    threshold_mV=15.0,
    R_MOhm=10.0,
    t_ref_ms=0.0,
    dt_ms=0.1,
    duration_ms=200.0,
) -> LIFRun:
    """Simulate LIF neurons with any step function ``step(u, x, beta, threshold) -> (spike, u)``.

    The input per step is :math:`x = (1-\\beta) R I` with :math:`\\beta = e^{-dt/\\tau}` (the exact
    integration of the ODE over one step). Spikes are stamped and the membrane recorded as in
    Brian2 (see :func:`simulate_snntorch`), and a refractory period holds the membrane at 0 for
    ``round(t_ref/dt) - 1`` steps after a spike, so with :func:`lif_step` the spike trains equal
    Brian2's with reset to zero.
    """
    _check(tau_ms, threshold_mV, R_MOhm, t_ref_ms, dt_ms, duration_ms, "zero")
    if not callable(step):
        raise ValueError(f"step must be a function step(u, x, beta, threshold), got {step!r}")
    currents = _currents(current_nA)
    beta = float(np.exp(-dt_ms / tau_ms))
    steps = int(round(duration_ms / dt_ms))
    x = (1.0 - beta) * R_MOhm * currents
    ref_steps = int(round(t_ref_ms / dt_ms))
    ref_steps = ref_steps if ref_steps >= 2 else 0
    u = np.zeros_like(x)
    hold = np.zeros(x.shape, dtype=int)
    spiked = np.zeros((steps, x.size), dtype=bool)
    v0 = np.zeros(steps)
    for k in range(steps):
        frozen = hold > 0
        spike, u_new = step(u, np.where(frozen, 0.0, x), beta, threshold_mV)
        spike = np.broadcast_to(np.asarray(spike, dtype=bool), x.shape) & ~frozen
        u = np.where(frozen, 0.0, np.broadcast_to(np.asarray(u_new, dtype=float), x.shape))
        spiked[k] = spike
        hold = np.where(spike, ref_steps - 1, hold - 1).clip(min=0) if ref_steps else hold
        if k + 1 < steps:
            v0[k + 1] = u[0]
    return LIFRun(
        t=np.arange(steps) * dt_ms,
        v=v0,
        spike_times=[np.nonzero(spiked[:, i])[0] * dt_ms for i in range(x.size)],
        currents_nA=currents,
        dt_ms=dt_ms,
        duration_ms=duration_ms,
    )


@dataclass(frozen=True)
class SpikeTrainComparison:
    """How two spike trains of one neuron line up."""

    n_a: int
    n_b: int
    max_abs_diff_ms: float  # over the common prefix; inf if one is empty and the other is not
    identical: bool

    def within(self, tol_ms: float) -> bool:
        return self.n_a == self.n_b and self.max_abs_diff_ms <= tol_ms


def compare_spike_trains(a, b, tol_ms: float = 1e-9) -> SpikeTrainComparison:
    """Compare two spike-time arrays (ms)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    n = min(a.size, b.size)
    if n == 0:
        diff = 0.0 if a.size == b.size else np.inf
    else:
        diff = float(np.max(np.abs(a[:n] - b[:n])))
    return SpikeTrainComparison(a.size, b.size, diff, a.size == b.size and diff <= tol_ms)


def fi_curve(currents_nA, *, backend: str = "brian2", duration_ms: float = 500.0, **params) -> np.ndarray:
    """Simulated firing rates (Hz) for each current.

    ``backend`` is 'brian2', 'snntorch', or a step function ``step(u, x, beta, threshold)``
    simulated by :func:`simulate_step` (e.g. a student's own :func:`lif_step`).
    """
    if callable(backend):
        return simulate_step(
            backend, _currents(currents_nA, "currents_nA"), duration_ms=duration_ms, **params
        ).rates_hz()
    check_choice("backend", backend, ("brian2", "snntorch"))
    sim = simulate_brian2 if backend == "brian2" else simulate_snntorch
    return sim(_currents(currents_nA, "currents_nA"), duration_ms=duration_ms, **params).rates_hz()


def relative_error(simulated: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``|sim - ref| / ref`` where ``ref > 0``; NaN elsewhere (a NaN in either marks a missing
    rate, and the error is NaN there)."""
    simulated, reference = check_shapes(simulated=simulated, reference=reference)
    out = np.full(reference.shape, np.nan)
    ok = np.isfinite(reference) & (reference > 0)
    out[ok] = np.abs(simulated[ok] - reference[ok]) / reference[ok]
    return out


def check_current(current_nA: float) -> float:
    """Validate a single input current (nA): finite and within [-10, 10]."""
    return check_range("current_nA", current_nA, -10.0, 10.0)


#: Settings compared in the notebook: (label, reset, t_ref_ms, emulate_refractory).
AGREEMENT_CASES = (
    ("reset to zero, no refractory period", "zero", 0.0, False),
    ("reset to zero, t_ref = 2 ms, emulated in snnTorch", "zero", 2.0, True),
    ("reset to zero, t_ref = 2 ms, snnTorch's Leaky as is", "zero", 2.0, False),
    ("reset by subtraction, no refractory period", "subtract", 0.0, False),
)


def simulator_agreement(
    currents_nA=(1.6, 2.0, 3.0, 4.5), duration_ms: float = 500.0, cases=AGREEMENT_CASES, **params
) -> list[dict]:
    """Run Brian2 and snnTorch under each case; one row per case with the worst mismatch.

    Each row: ``case``, ``spikes_brian2``, ``spikes_snntorch`` (totals over the currents),
    ``max_diff_ms`` (largest spike-time difference over the common spikes), ``identical``.
    """
    rows = []
    for label, reset, t_ref, emulate in cases:
        common = dict(reset=reset, t_ref_ms=t_ref, duration_ms=duration_ms, **params)
        b = simulate_brian2(currents_nA, **common)
        s = simulate_snntorch(currents_nA, emulate_refractory=emulate, **common)
        comps = [compare_spike_trains(x, y) for x, y in zip(b.spike_times, s.spike_times, strict=True)]
        rows.append(
            dict(
                case=label,
                spikes_brian2=sum(c.n_a for c in comps),
                spikes_snntorch=sum(c.n_b for c in comps),
                max_diff_ms=max(c.max_abs_diff_ms for c in comps),
                identical=all(c.identical for c in comps),
            )
        )
    return rows
