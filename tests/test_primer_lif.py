"""LIF neuron: closed form, Brian2 and snnTorch (spec 00 checks 1 and 2)."""

import numpy as np
import pytest

from bioviz.primer import lif

CURRENTS = np.array([1.6, 2.0, 3.0, 4.5])


def test_closed_form_values():
    # tau ln(RI / (RI - theta)) with tau 10 ms, theta 15 mV, R 10 MOhm, I 2 nA: 10 ln 4 ms
    assert lif.isi_closed_form(2.0) == pytest.approx(10 * np.log(4))
    assert lif.rate_closed_form(2.0, t_ref_ms=2.0) == pytest.approx(1000 / (2 + 10 * np.log(4)))
    assert lif.rheobase_nA() == 1.5
    assert lif.rate_closed_form(1.5) == 0.0 and lif.rate_closed_form(0.5) == 0.0
    rates = lif.rate_closed_form(np.linspace(1.6, 5, 20))
    assert np.all(np.diff(rates) > 0)


@pytest.mark.parametrize("t_ref", [0.0, 0.5, 2.0, 5.0])
def test_brian2_and_snntorch_identical_with_reset_to_zero(t_ref):
    b = lif.simulate_brian2(CURRENTS, t_ref_ms=t_ref, duration_ms=300)
    s = lif.simulate_snntorch(CURRENTS, t_ref_ms=t_ref, duration_ms=300, emulate_refractory=True)
    for tb, ts in zip(b.spike_times, s.spike_times, strict=True):
        assert len(tb) > 0
        assert lif.compare_spike_trains(tb, ts, tol_ms=1e-9).identical
    # the recorded membranes agree too (same discretisation), not only the spike times
    np.testing.assert_allclose(b.v, s.v, atol=1e-4)


@pytest.mark.slow  # ~9 s: long Brian2 runs at several dt
def test_where_the_simulators_differ():
    rows = {r["case"]: r for r in lif.simulator_agreement(CURRENTS, duration_ms=300)}
    assert rows["reset to zero, no refractory period"]["identical"]
    assert rows["reset to zero, t_ref = 2 ms, emulated in snnTorch"]["identical"]
    as_is = rows["reset to zero, t_ref = 2 ms, snnTorch's Leaky as is"]
    assert as_is["spikes_snntorch"] > as_is["spikes_brian2"]  # no refractory period in Leaky
    sub = rows["reset by subtraction, no refractory period"]
    assert not sub["identical"]
    assert sub["max_diff_ms"] > 0.5  # the drift accumulates beyond one step


@pytest.mark.parametrize("backend", ["brian2", "snntorch"])
def test_fi_curve_matches_closed_form_away_from_rheobase(backend):
    # measured: max 2.1 % (dt 0.1 ms, I >= 1.2 x rheobase), the same for both backends
    currents = np.linspace(1.8, 5.0, 12)
    rates = lif.fi_curve(currents, backend=backend, duration_ms=500)
    err = lif.relative_error(rates, lif.rate_closed_form(currents))
    assert np.nanmax(err) < 0.03
    assert np.all(rates <= lif.rate_closed_form(currents) + 1e-9)  # rounding up to whole steps


def test_fi_error_shrinks_with_dt():
    currents = np.linspace(2.0, 5.0, 7)
    closed = lif.rate_closed_form(currents)
    errs = [
        np.nanmax(
            lif.relative_error(lif.fi_curve(currents, backend="snntorch", dt_ms=dt, duration_ms=300), closed)
        )
        for dt in (1.0, 0.5, 0.1)
    ]
    assert errs[0] > errs[1] > errs[2]


def test_below_rheobase_silent():
    run = lif.simulate_brian2(1.4, duration_ms=200)
    assert len(run.spike_times[0]) == 0
    assert run.v.max() < 15.0
    assert run.rates_hz()[0] == 0.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(tau_ms=-1.0), "tau_ms must be > 0"),
        (dict(threshold_mV=0.0), "threshold_mV must be > 0"),
        (dict(t_ref_ms=-0.5), "t_ref_ms must be >= 0"),
        (dict(dt_ms=20.0), "dt_ms must be <= tau_ms"),
        (dict(reset="hold"), "reset must be one of"),
        (dict(duration_ms=0.0), "duration_ms must be > 0"),
    ],
)
def test_bad_parameters(kwargs, match):
    for sim in (lif.simulate_brian2, lif.simulate_snntorch):
        with pytest.raises(ValueError, match=match):
            sim(2.0, **kwargs)


def test_bad_current():
    with pytest.raises(ValueError, match="current_nA must be finite"):
        lif.simulate_snntorch([np.nan])
    with pytest.raises(ValueError, match="current_nA must be a number or a non-empty 1-D array"):
        lif.simulate_snntorch(np.ones((2, 2)))
