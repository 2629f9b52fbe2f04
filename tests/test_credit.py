"""Notebook 06: counter-current learning, zeroth-order estimates, curl descent.

Tolerances come from runs on this machine over the seeds named; the numbers measured are in
the comments.
"""

import numpy as np
import pytest
import torch

from bioviz.credit import ccl, curl, exercises, toy, zo


# --- the two-weight toy ----------------------------------------------------------------------
def test_gradient_descent_has_no_curl_and_a_flip_does():
    g = np.linspace(-2.5, 2.5, 21)
    W1, W2 = np.meshgrid(g, g)
    assert np.abs(toy.curl(W1, W2, "none")).max() < 1e-6
    flipped = toy.curl(W1, W2, "w2")
    assert np.allclose(flipped, 2 * (2 * W1 * W2 - 1), atol=1e-5)
    assert np.allclose(toy.curl(W1, W2, "w1"), -flipped, atol=1e-5)


def test_a_flipped_solution_is_stable_only_where_the_flipped_weight_is_larger():
    assert toy.stability(2.0, 0.5, "none") < 0 and toy.stability(0.5, 2.0, "none") < 0
    assert toy.stability(0.5, 2.0, "w2") < 0 < toy.stability(2.0, 0.5, "w2")
    # from near the unstable part the flipped rule travels to the other branch, |w2| > |w1|
    end = toy.trajectory((2.0, 0.4), "w2", steps=600).w[-1]
    assert abs(end[1]) > abs(end[0]) and abs(end[0] * end[1] - 1) < 1e-4
    gd = toy.trajectory((2.0, 0.4), "none", steps=600).w[-1]
    assert abs(gd[0] - 2.0) < 0.1 and abs(gd[0] * gd[1] - 1) < 1e-4  # gradient descent stays near


# --- zeroth order ----------------------------------------------------------------------------
@pytest.mark.parametrize("K", [1, 8, 32])
def test_weight_perturbation_cosine_follows_the_square_root_law(K):
    c = zo.cosines("weight", K=K, n_estimates=10).mean()  # measured 0.014 / 0.055 / 0.113
    t = float(zo.theory(K, zo.D))  # 0.020 / 0.058 / 0.114
    assert t / 2 < c < 2 * t


def test_node_perturbation_works_in_far_fewer_dimensions():
    assert zo.cosines("node", K=8, n_estimates=5).mean() > 5 * zo.cosines("weight", K=8, n_estimates=5).mean()


def test_the_estimate_is_unbiased_and_matches_the_readable_version():
    rng = np.random.default_rng(0)
    X, y, _, _ = zo._data()
    theta = zo.init()
    xb, yb = X[:32], y[:32]
    g = zo.gradient(theta, xb, yb, zo.HIDDEN)
    mean = np.mean([zo.spsa(theta, xb, yb, K=64, s=1e-4, rng=rng) for _ in range(60)], axis=0)
    assert zo.cosine(mean, g) > 0.6  # 3,840 probes in 2,410 dimensions: cosine ~ sqrt(3840 / 6250)

    def one(t):
        return float(zo.losses(t[None], xb, yb, zo.HIDDEN)[0])

    a = zo.spsa(theta, xb, yb, K=3, s=1e-3, rng=np.random.default_rng(5))
    b = zo.two_point_estimate(one, theta, 3, 1e-3, np.random.default_rng(5))
    assert np.allclose(a, b, rtol=1e-6, atol=1e-9)


def test_backprop_gradient_matches_finite_differences():
    X, y, _, _ = zo._data()
    theta = zo.init(seed=2)
    g = zo.gradient(theta, X[:16], y[:16], zo.HIDDEN)
    for i in (5, 2100, 2400):
        e = np.zeros_like(theta)
        e[i] = 1e-6
        num = (
            zo.losses((theta + e)[None], X[:16], y[:16], zo.HIDDEN)
            - zo.losses((theta - e)[None], X[:16], y[:16], zo.HIDDEN)
        )[0] / 2e-6
        assert abs(num - g[i]) < 1e-6


def test_zeroth_order_training_learns_but_slower_than_backprop():
    bp = zo.train("bp", lr=0.1).accuracy[-1]  # measured 0.970
    wp = zo.train("weight", 8, lr=3.0).accuracy[-1]  # 0.909
    assert bp > 0.95 and 0.75 < wp < bp


# --- counter-current learning ----------------------------------------------------------------
def test_no_gradient_crosses_a_layer():
    torch.manual_seed(0)
    fwd = ccl.Forward(depth=2)
    x = torch.rand(8, 64)
    acts = fwd(x, detach=True)
    acts[2].sum().backward()
    assert fwd.layers[0].weight.grad is None and fwd.layers[2].weight.grad is None
    assert fwd.layers[1].weight.grad.abs().sum() > 0
    fb = ccl.Feedback(fwd.dims)
    B = fb()
    B[1].sum().backward()  # level 1's prototypes come from the feedback layer above it only
    grads = [layer.weight.grad for layer in fb.layers]
    assert grads[0] is None and grads[2] is None and grads[1].abs().sum() > 0


def test_ccl_sits_between_the_readout_control_and_backprop():
    # seeds 0-2, 30 epochs: BP 0.972, CCL 0.956, frozen feedback 0.958, readout only 0.927
    acc = {m: np.mean([ccl.train(m, seed=s).accuracy[-1] for s in (0, 1, 2)]) for m in ccl.METHODS}
    assert acc["ccl"] >= acc["readout"] + 0.02
    assert acc["ccl"] >= acc["bp"] - 0.03
    assert acc["bp"] > 0.95


def test_zero_local_weight_is_the_readout_control():
    a = ccl.train("ccl", local_weight=0.0, epochs=3).accuracy
    b = ccl.train("readout", epochs=3).accuracy
    assert np.allclose(a, b, atol=0.01)


# --- curl descent ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def curl_runs():
    configs = ((0.0, 0.0), (0.3, 0.0), (0.0, 0.3))
    return [curl.train(configs, seed=s) for s in range(4)]


def test_flipped_readout_plasticity_is_harmless_and_hidden_is_not(curl_runs):
    # seeds 0-3, expansion 3: readout flips at 30% end at 0.25-1.4x GD's loss; hidden flips at
    # 30% at 49-273x
    for r in curl_runs:
        gd, hidden, readout = r.final
        assert readout < 10 * gd
        assert hidden > 30 * gd


def test_a_wider_hidden_layer_tolerates_hidden_flips():
    # expansion 10: 30% hidden flips end at 4-7x GD's loss (seeds 0-2), against 49-273x at expansion 3
    ratios = [
        r.final[1] / r.final[0]
        for r in (curl.train(((0.0, 0.0), (0.3, 0.0)), expansion=10.0, seed=s) for s in range(3))
    ]
    assert np.median(ratios) < 10


def test_no_flips_is_gradient_descent_and_the_update_matches_the_exercise():
    rng = np.random.default_rng(0)
    delta, x = rng.normal(size=(6, 3)), rng.normal(size=(6, 4))
    assert np.allclose(curl.flipped_update(delta, x, np.ones(4), 0.1), -0.1 * delta.T @ x / 6)
    r = curl.train(((0.0, 0.0), (0.0, 0.0)), steps=50)
    assert np.array_equal(r.loss[:, 0], r.loss[:, 1])
    assert r.loss[-1, 0] < r.loss[0, 0]


def test_flip_signs_counts():
    d = curl.flip_signs(20, 0.3, np.random.default_rng(0))
    assert (d == -1).sum() == 6 and set(np.unique(d)) == {-1.0, 1.0}
    with pytest.raises(ValueError, match="fraction"):
        curl.flip_signs(20, 1.5, np.random.default_rng(0))


# --- exercises -------------------------------------------------------------------------------
def test_checkers_accept_the_reference_and_reject_mistakes():
    assert exercises.TWO_POINT.passes(zo.two_point_estimate)
    assert exercises.LOCAL_FORWARD.passes(ccl.local_forward)
    assert exercises.FLIPPED_UPDATE.passes(curl.flipped_update)

    def one_sided(loss, theta, K, s, rng):
        U = rng.normal(size=(K, theta.size))
        return sum((loss(theta + s * u) - loss(theta)) / s * u for u in U) / K

    def no_detach(layers, x):
        acts = [x]
        for i, layer in enumerate(layers):
            z = layer(acts[-1])
            acts.append(z if i == len(layers) - 1 else torch.nn.functional.elu(z))
        return acts

    assert not exercises.TWO_POINT.passes(one_sided)
    assert not exercises.LOCAL_FORWARD.passes(no_detach)
    assert not exercises.FLIPPED_UPDATE.passes(lambda d, x, s, lr: -lr * d.T @ x * s[None, :])  # no batch mean
    assert not exercises.FLIPPED_UPDATE.passes(lambda d, x, s, lr: -lr * d.T @ x / len(x))  # no flips
