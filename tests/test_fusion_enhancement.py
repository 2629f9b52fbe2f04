"""The synthetic multisensory neuron and the regression-to-the-mean caveat."""

import numpy as np
import pytest

from bioviz.fusion import enhancement

X = np.geomspace(0.05, 5.0, 25)


def test_inverse_effectiveness_without_a_floor():
    r = enhancement.neuron_responses(X, exponent=2.0, r0=0.0)
    assert np.all(np.diff(r["me"]) < 0)  # weaker stimulus, larger ME
    # closed form for equal gains, r0 = 0: ME -> 2^n - 1 for weak and -> 0 for strong drive
    assert r["me"][0] == pytest.approx(100 * (2**2 - 1), rel=0.02)
    assert r["me"][-1] < 5
    assert r["av"][0] > r["additive"][0]  # superadditive when weak
    assert r["av"][-1] < r["additive"][-1]  # subadditive near the ceiling


def test_a_floor_hides_the_effect_for_the_weakest_stimuli():
    r = enhancement.neuron_responses(X, exponent=2.0, r0=0.5)
    peak = int(np.argmax(r["me"]))
    assert 0 < peak < len(X) - 1  # measured: peak 169 % at intensity 0.28
    assert r["me"][0] < 0.5 * r["me"][peak]


def test_measurement_is_seeded_and_unbiased_in_the_mean():
    r = enhancement.neuron_responses(X)
    a, b = enhancement.measure(r, 20, seed=4), enhancement.measure(r, 20, seed=4)
    assert np.array_equal(a["av"], b["av"])
    many = enhancement.measure(r, 4000, seed=0)
    assert np.allclose(many["av"], r["av"], rtol=0.05, atol=0.05)


def test_regression_to_the_mean_fakes_inverse_effectiveness():
    # every neuron has ME = 50 %; measured over seeds 0-5 with 5 trials: the weakest bin reads
    # 92-108 % when binned on the same trials, 40-52 % on independent trials
    for seed in range(3):
        same = enhancement.regression_demo(n_trials=5, true_me=50.0, seed=seed)
        indep = enhancement.regression_demo(n_trials=5, true_me=50.0, independent=True, seed=seed)
        assert same["me"][0] > 50.0 + 25.0
        assert abs(indep["me"][0] - 50.0) < 20.0
        assert np.all(np.abs(same["me"][2:] - 50.0) < 15.0)  # strong bins are fine


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(r0=5.0, r_max=4.0), "r_max must be > r0"),
        (dict(exponent=0.1), "exponent must lie in"),
        (dict(gain_v=0.0), "gain_v must be > 0"),
    ],
)
def test_bad_neuron_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        enhancement.neuron_responses(X, **kwargs)


def test_bad_measurement_parameters():
    with pytest.raises(ValueError, match="intensity must be > 0"):
        enhancement.neuron_responses(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="n_trials must be >= 1"):
        enhancement.measure(enhancement.neuron_responses(X), 0)
    with pytest.raises(ValueError, match="n_trials must be >= 1"):
        enhancement.regression_demo(n_trials=0)
