"""Spike encodings (rate, latency, delta)."""

import numpy as np
import pytest

from bioviz.primer import encoding


@pytest.fixture(scope="module")
def img():
    return encoding.digit(encoding.first_of_class(3))[0]


def test_digit_access():
    image, label = encoding.digit(encoding.first_of_class(7))
    assert image.shape == (8, 8) and label == 7
    assert 0.0 <= image.min() and image.max() <= 1.0
    with pytest.raises(ValueError, match="index must be <="):
        encoding.digit(10**6)


def test_rate_code_statistics_and_seed(img):
    spikes = encoding.rate(img, num_steps=2000, gain=0.5, seed=1)
    np.testing.assert_allclose(spikes.mean(0), 0.5 * img.ravel(), atol=0.04)  # 4 sigma at n=2000
    assert np.array_equal(spikes, encoding.rate(img, num_steps=2000, gain=0.5, seed=1))
    assert not np.array_equal(spikes, encoding.rate(img, num_steps=2000, gain=0.5, seed=2))


def test_latency_code_one_spike_brighter_first(img):
    tau, thr, steps = 5.0, 0.2, 60
    spikes = encoding.latency(img, num_steps=steps, tau=tau, threshold=thr)
    x = img.ravel()
    per_pixel = spikes.sum(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected_t = np.where(x > thr, tau * np.log(x / np.maximum(x - thr, 1e-12)), np.inf)
    fires = (x > thr) & (expected_t < steps - 1)
    assert np.all(per_pixel[fires] == 1) and np.all(per_pixel[~fires] == 0)
    t_spike = spikes.argmax(0)[fires]
    np.testing.assert_allclose(t_spike, expected_t[fires], atol=1.0)  # rounded to a step
    order = np.argsort(-x[fires], kind="stable")
    assert np.all(np.diff(t_spike[order]) >= 0)  # brighter -> not later


def test_delta_code_is_temporally_sparse(img):
    steps, hold = 40, 5
    spikes = encoding.delta(img, num_steps=steps, threshold=0.1, hold=hold)
    active_steps = np.flatnonzero(np.abs(spikes).sum(1))
    # spikes only when the drifting image moves (every `hold` steps), never in between
    assert set(active_steps) <= set(range(0, steps, hold))
    onset = spikes[0]
    assert np.array_equal(onset > 0, img.ravel() >= 0.1)
    assert (spikes < 0).any()  # off spikes at trailing edges


def test_encode_dispatch_and_errors(img):
    assert encoding.encode("latency", img, 20).shape == (20, 64)
    with pytest.raises(ValueError, match="kind must be one of"):
        encoding.encode("burst", img)
    with pytest.raises(ValueError, match="image must hold values in"):
        encoding.rate(img * 2)
    with pytest.raises(ValueError, match="gain must lie in"):
        encoding.rate(img, gain=-1)
    with pytest.raises(ValueError, match="num_steps must be >= 1"):
        encoding.rate(img, num_steps=0)
    with pytest.raises(ValueError, match="threshold must lie in"):
        encoding.delta(img, threshold=0)
