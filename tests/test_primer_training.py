"""Surrogate-gradient training on digits (spec 00 checks 3 and 4)."""

import numpy as np
import pytest
import torch

from bioviz.primer import training

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runs():
    return training.snn_vs_ann(seeds=(0, 1, 2), show_progress=False)


def test_snn_reaches_spec_accuracy_with_sparse_activity(runs):
    # measured over seeds 0-4: SNN 0.967-0.976 in 1.6-3.4 s; hidden firing probability 0.082-0.090
    for r in runs["snn"]:
        assert r.test_acc >= 0.93
        assert r.seconds < 20.0  # the spec's CPU budget (typically ~2 s here)
        assert 0.02 < r.firing_prob < 0.2
        assert r.hidden_counts.shape == (len(training.digits_split()[1]),)
        assert r.synops > 0


def test_ann_reference_and_gap(runs):
    # measured: ANN 0.965-0.972; mean SNN - ANN gap within +-0.01
    snn = np.mean([r.test_acc for r in runs["snn"]])
    ann = np.mean([r.test_acc for r in runs["ann"]])
    assert ann >= 0.95
    assert abs(snn - ann) < 0.03
    assert runs["snn"][0].n_params == runs["ann"][0].n_params


def test_training_is_deterministic(runs):
    again = training.train("snn", seed=0)
    assert again.test_acc == runs["snn"][0].test_acc
    assert again.history["loss"] == runs["snn"][0].history["loss"]


def test_spike_penalty_controls_sparsity():
    dense = training.train("snn", spike_penalty=0.0, epochs=8, seed=0)
    sparse = training.train("snn", spike_penalty=2.0, epochs=8, seed=0)
    # measured: 0.34 vs 0.06
    assert sparse.firing_prob < 0.5 * dense.firing_prob


def test_without_surrogate_the_hidden_layer_never_learns():
    r = training.train("snn", surrogate="none", epochs=3, seed=0)
    torch.manual_seed(0)  # train() seeds torch with `seed` before building the model
    init = training._models()[0](128, 0.9, 10, "none")
    assert torch.equal(r.model.fc1.weight, init.fc1.weight)
    assert not torch.equal(r.model.fc2.weight, init.fc2.weight)


def test_surrogate_curves():
    c = training.surrogate_curves(slope=25.0)
    zero = np.argmin(np.abs(c["x"]))
    for name in ("fast_sigmoid", "atan"):
        assert np.argmax(c[name]) == zero
        assert c[name][zero] == pytest.approx(1.0, rel=1e-3)  # both peak at 1 at the threshold
    # far from threshold (x = -1): fast sigmoid 1/(1+25)^2 = 0.0015, arctan 1/(1+pi^2) = 0.092
    assert c["fast_sigmoid"][0] < 0.002 and c["atan"][0] < 0.1
    steep = training.surrogate_curves(slope=50.0)["fast_sigmoid"]
    assert steep[zero + 20] < c["fast_sigmoid"][zero + 20]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(kind="rnn"), "kind must be one of"),
        (dict(surrogate="relu"), "surrogate must be one of"),
        (dict(beta=1.5), "beta must lie in"),
        (dict(epochs=0), "epochs must be >= 1"),
        (dict(spike_penalty=-1.0), "spike_penalty must be >= 0"),
        (dict(seed=-3), "seed must be >= 0"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        training.train(**{"kind": "snn", **kwargs})
