"""Memory capacity and NARMA-10: anchors, the reservoirpy cross-checks and input checks."""

import numpy as np
import pytest

from bioviz.reservoir import model, tasks


def _esn_mc(W, seed=0, scaling=1.0, activation="linear", k_max=100):
    u = model.input_sequence(100 + k_max + 3000, seed=seed)
    w_in = scaling * np.random.default_rng([seed, 1]).uniform(-1, 1, W.shape[0])
    return tasks.memory_capacity(tasks.esn_states(W, w_in, u, activation=activation), u, k_max=k_max)


def test_linear_esn_anchor():
    # Jaeger's bound: a linear reservoir of N units has MC <= N and, with an orthogonal W,
    # reaches nearly N. Measured (N = 50, radius 0.9, k_max = 100, seeds 0-2): 48.74-48.92.
    mc, mc_k = _esn_mc(tasks.orthogonal(50, 0.9, seed=0))
    assert 0.9 * 50 <= mc <= 50
    assert np.all((mc_k >= 0) & (mc_k <= 1))
    assert mc_k[:20].min() > 0.95  # short delays recalled almost perfectly


def test_tanh_esn_anchor():
    # Gaussian W, radius 0.9, N = 50, input scaling 0.1 (nearly linear regime): measured
    # 22.9 (seed 0), 20.4-24.4 over seeds 0-2; the spec's prototype gave ~21. With input
    # scaling 1 the tanh saturates and MC drops to ~9.
    mc, _ = _esn_mc(tasks.gaussian(50, 0.9, seed=0), scaling=0.1, activation="tanh")
    assert 18 <= mc <= 27
    saturated, _ = _esn_mc(tasks.gaussian(50, 0.9, seed=0), scaling=1.0, activation="tanh")
    assert saturated < 0.6 * mc


def test_memory_capacity_of_a_pure_delay_line():
    # a shift register holding the last 10 inputs recalls exactly delays 0..9 (k = 1..9 of ours)
    u = model.input_sequence(1300, seed=5)
    states = np.stack([np.roll(u, d) for d in range(10)], axis=1)
    mc, mc_k = tasks.memory_capacity(states, u, k_max=20, n_train=800, n_test=300, washout=20)
    np.testing.assert_allclose(mc_k[:9], 1.0, atol=1e-9)
    assert mc_k[9:].max() < 0.05  # only chance correlations beyond the register
    assert mc == pytest.approx(9.0, abs=0.2)


def test_our_memory_capacity_equals_reservoirpys():
    check = tasks.reservoirpy_memory_capacity(100, seed=0)
    # measured: 24.70258330168 both, per-delay difference < 1e-12
    assert check["ours"] == pytest.approx(check["reservoirpy"], abs=1e-8)
    np.testing.assert_allclose(check["ours_k"], check["reservoirpy_k"], atol=1e-9)
    assert 15 < check["ours"] < 35
    # reservoirpy's test_size is the *test* length: the docstring's reading (test_size training
    # steps) gives another number (measured 24.32)
    assert abs(check["docstring_reading"] - check["reservoirpy"]) > 0.1
    assert check["n_test"] == 1000


def test_narma10_textbook_and_reservoirpy_variants():
    u, y = tasks.narma10(600, seed=0)
    assert u.shape == y.shape == (600,)
    assert np.all((u >= 0) & (u < 0.5)) and np.all(np.isfinite(y))
    # y[t] is y(t+1) of the textbook recursion driven by u
    t = np.arange(20, 599)
    rebuilt = (
        0.3 * y[t - 1] + 0.05 * y[t - 1] * np.array([y[s - 10 : s].sum() for s in t]) + 1.5 * u[t - 9] * u[t] + 0.1
    )
    np.testing.assert_allclose(y[t], rebuilt, rtol=1e-12)
    # reservoirpy's narma with order=10 and the NARMA-10 coefficients sums one step further back
    ur, yr = tasks.narma10(600, seed=0, variant="reservoirpy")
    np.testing.assert_array_equal(ur, u)
    shifted = (
        0.3 * yr[t - 1]
        + 0.05 * yr[t - 1] * np.array([yr[s - 11 : s - 1].sum() for s in t])
        + 1.5 * ur[t - 10] * ur[t]
        + 0.1
    )
    np.testing.assert_allclose(yr[t], shifted, rtol=1e-12)
    assert np.abs(yr - y)[50:].max() > 0.05  # a different series
    # and reservoirpy's defaults are not NARMA-10 (order 30, other coefficients)
    from reservoirpy.datasets import narma

    _, default = narma(600, seed=0)
    _, ten = narma(600, seed=0, order=10, a1=0.3, a2=0.05, b=1.5, c=0.1)
    assert np.abs(default - ten).max() > 0.05


def test_nrmse_is_rmse_over_std_and_reservoirpys_var_norm_is_not():
    from reservoirpy.observables import nrmse as rpy_nrmse

    rng = np.random.default_rng(0)
    y = rng.normal(0.3, 0.1, 500)
    assert tasks.nrmse(y, np.full_like(y, y.mean())) == pytest.approx(1.0)
    assert tasks.nrmse(y, y) == 0.0
    pred = y + rng.normal(0, 0.05, 500)
    assert tasks.nrmse(y, pred) == pytest.approx(np.sqrt(np.mean((y - pred) ** 2)) / y.std())
    # reservoirpy's norm="var" divides the RMSE by the variance
    assert rpy_nrmse(y, pred, norm="var") == pytest.approx(tasks.nrmse(y, pred) / y.std())


def test_evaluate_scores_an_ei_reservoir():
    res = model.build(200, beta=0.0, seed=0)
    ev = tasks.evaluate(res, seed=0)
    # measured (seed 0): MC 15.2, NRMSE 0.31, mean rate 0.53, radius 0.82
    assert 0 <= ev.mc <= res.n and 12 < ev.mc < 18
    assert 0.2 < ev.nrmse < 0.5
    assert ev.mc_k.shape == (60,) and np.all((ev.mc_k >= 0) & (ev.mc_k <= 1))
    assert ev.mean_rates.shape == (200,)
    # a float32 simulation changes the scores only in the 5th digit
    ev32 = tasks.evaluate(res, seed=0, dtype=np.float32, radius=False)
    assert ev32.mc == pytest.approx(ev.mc, abs=1e-3) and ev32.nrmse == pytest.approx(ev.nrmse, abs=1e-4)
    # a batch gives the same as one at a time
    other = model.build(200, beta=0.4, seed=0)
    both = tasks.evaluate_batch([res, other], seed=0, radius=False)
    assert both[0].mc == pytest.approx(ev.mc, abs=1e-9)
    assert both[1].mc == pytest.approx(tasks.evaluate(other, seed=0, radius=False).mc, abs=1e-9)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: tasks.memory_capacity(np.zeros((100, 3)), np.zeros(99)), "u must have 100 rows"),
        (lambda: tasks.memory_capacity(np.zeros(100), np.zeros(100)), "states must be 2-D"),
        (lambda: tasks.memory_capacity(np.zeros((100, 3)), np.zeros(100), k_max=0), "k_max must be >= 1"),
        (lambda: tasks.memory_capacity(np.zeros((100, 3)), np.zeros(100)), "u is too short"),
        (lambda: tasks.narma_nrmse(np.zeros((100, 3)), np.zeros(101)), "y must have 100 rows"),
        (lambda: tasks.narma10(0), "steps must be >= 1"),
        (lambda: tasks.narma10(10, variant="narma30"), "variant must be one of"),
        (
            lambda: tasks.ridge_fit_predict(np.zeros((5, 2)), np.zeros(5), np.zeros((2, 2)), ridge=-1),
            "ridge must be >= 0",
        ),
        (lambda: tasks.esn_states(np.zeros((3, 4)), np.zeros(3), np.zeros(5)), "W must be square"),
        (lambda: tasks.esn_states(np.zeros((3, 3)), np.zeros(2), np.zeros(5)), r"w_in must have shape \(3,\)"),
        (
            lambda: tasks.esn_states(np.zeros((3, 3)), np.zeros(3), np.zeros(5), activation="relu"),
            "activation must be one of",
        ),
        (lambda: tasks.evaluate_batch([]), "reservoirs must not be empty"),
        (
            lambda: tasks.evaluate_batch([model.build(20), model.build(30)]),
            "reservoirs must all have the same size",
        ),
        (lambda: tasks.evaluate_batch([model.build(20)], gains=np.ones((1, 19))), "gains must have shape"),
        (lambda: tasks.task_inputs(n_train=1), "n_train must be >= 2"),
    ],
)
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()
