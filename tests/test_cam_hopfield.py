"""The Hopfield contrast: Hebbian storage, completion from a cue, and the capacity trend."""

import numpy as np
import pytest

from bioviz.cam import hopfield


def test_weights_symmetric_zero_diagonal_and_patterns_stable():
    rng = np.random.default_rng(0)
    xi = rng.choice([-1.0, 1.0], size=(3, 60))
    W = hopfield.store(xi)
    assert np.allclose(W, W.T) and np.all(np.diag(W) == 0)
    out = hopfield.recall(W, xi, rng)
    np.testing.assert_array_equal(out, xi)  # 3 patterns in 60 units: all fixed points
    with pytest.raises(ValueError, match="patterns must be a"):
        hopfield.store(np.ones(5))


def test_capacity_trend_around_0138N():
    """Measured (N = 100, 4 trials, seed 0): fraction retrieved 1.0, 1.0, 0.68, 0.14 at
    alpha 0.05, 0.1, 0.2, 0.3; mean overlap 1.0 -> 0.65. Critical load 0.138 N (Amit et al. 1985)."""
    res = hopfield.load_curve(100, loads=[0.05, 0.1, 0.2, 0.3], trials=4, seed=0)
    assert res["retrieved"][0] >= 0.95 and res["retrieved"][1] >= 0.9
    assert res["retrieved"][3] <= 0.4
    assert np.all(np.diff(res["overlap"]) <= 0.02)  # falls with the load
    assert res["overlap"][3] < 0.8


def test_completion_improves_with_the_cue():
    """Opposite of the CAM's OR readout: a bigger fragment recalls better (measured N = 100,
    P = 5, seed 1: overlap 0.00, 0.75, 1.0, 1.0 at 5, 20, 50, 100 % of the pattern)."""
    res = hopfield.cue_curve(100, 5, fractions=[0.05, 0.2, 0.5, 1.0], trials=4, seed=1)
    assert res["overlap"][0] < 0.3 and res["overlap"][1] > 0.5
    assert res["overlap"][2] > 0.95 and res["overlap"][3] > 0.99
    assert res["overlap"][1] <= res["overlap"][2] + 1e-9


def test_deterministic_and_validated():
    a = hopfield.completion(50, 4, 0.5, trials=2, seed=3)
    b = hopfield.completion(50, 4, 0.5, trials=2, seed=3)
    np.testing.assert_array_equal(a.overlap, b.overlap)
    assert hopfield.mceliece_capacity(100) == pytest.approx(100 / (2 * np.log(100)))
    with pytest.raises(ValueError, match="cue_fraction must lie in"):
        hopfield.completion(50, 4, 1.5)
    with pytest.raises(ValueError, match="N must be >= 2"):
        hopfield.completion(1, 1)


def test_half_retrieval_load_sits_above_the_large_N_limit():
    """Finite N: with overlap >= 0.96 as "retrieved" (starting from the stored pattern),
    fewer than half are retrieved first at alpha = 0.22 (N = 100, 4 trials, seed 1) and 0.20
    (N = 200, 2 trials, seed 0), both above the N -> infinity limit 0.138 (measured)."""
    res = hopfield.load_curve(100, loads=np.arange(0.02, 0.31, 0.02), trials=4, seed=1)
    half = hopfield.half_retrieval_load(res)
    assert hopfield.ALPHA_C < half <= 0.26
    assert np.isnan(hopfield.half_retrieval_load(dict(alpha=np.array([0.1]), retrieved=np.array([0.9]))))
