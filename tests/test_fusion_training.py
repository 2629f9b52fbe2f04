"""Training under the conditions (spec 04's robust checks); the fragile claims are not asserted.

Not asserted, because they do not hold robustly at this scale (the notebook shows them with
seeds and spread): iemf > base or > joint, a fixed % fewer epochs, SNN > ANN.
"""

import numpy as np
import pytest
import torch

from bioviz.fusion import analysis, training
from bioviz.fusion.models import SpikingFusionNet
from bioviz.fusion.training import RunSpec, Trainer
from bioviz.runtime import torch_threads

pytestmark = pytest.mark.slow
SIGMAS = (0.2, 1.2)
SEEDS = (0, 1)


@pytest.fixture(scope="module")
def ens():
    conditions = ("base", "probe", "iemf", "visual_only", "audio_only")
    return training.train_runs(training.grid(conditions, SIGMAS, SEEDS), epochs=30)


def test_probe_reproduces_base_exactly(ens):
    for s in SIGMAS:
        base, probe = ens.select(condition="base", sigma_v=s), ens.select(condition="probe", sigma_v=s)
        assert np.array_equal(ens.test_acc[base], ens.test_acc[probe])
    # and bit for bit in the weights the two share, after two epochs
    tr = Trainer([RunSpec("base", 0.8, 0.8, seed=3), RunSpec("probe", 0.8, 0.8, seed=3)])
    with torch_threads(1):
        for epoch in range(2):
            xv, xa, y = tr.epoch_data()
            for i in range(0, y.shape[1], 64):
                tr.step(xv[:, i : i + 64], xa[:, i : i + 64], y[:, i : i + 64], epoch)
    for name, p in tr.net.named_parameters():
        if not name.startswith("head_"):
            assert torch.equal(p[0], p[1]), name
        else:
            assert not torch.equal(p[0], p[1]), name  # probe's heads learn, base's do not


def test_low_noise_fused_accuracy(ens):
    # measured: 0.995-1.000 for base and iemf at sigma 0.2
    for c in ("base", "iemf"):
        assert np.all(ens.test_acc[ens.select(condition=c, sigma_v=0.2), -1] >= 0.95)


def test_enhancement_grows_with_noise(ens):
    me = analysis.enhancement_vs_noise(ens, SIGMAS)["me"]
    # measured: ME ~0-1 % at sigma 0.2 and ~40 % at sigma 1.2 (DF = 1.0 spectrum)
    assert me[1].mean() - me[0].mean() >= 20.0
    assert abs(me[0].mean()) < 5.0


def test_k_is_higher_at_high_noise(ens):
    k_low = ens.k[ens.select(condition="iemf", sigma_v=0.2), -1]
    k_high = ens.k[ens.select(condition="iemf", sigma_v=1.2), -1]
    # measured: ~1.06 at sigma 0.2, ~1.37 at sigma 1.2
    assert k_high.mean() > k_low.mean() + 0.1
    iemf_runs = ens.select(condition="iemf")
    assert np.allclose(ens.k_applied[iemf_runs], ens.k[iemf_runs])  # applied from epoch 0
    assert np.all(ens.k_applied[ens.select(condition="base")] == 1.0)


def test_epochs_to_target_is_reported(ens):
    summ = analysis.condition_summary(ens, 1.2, ("base", "iemf"))
    assert 0.3 < summ["target"] < 0.6
    assert np.all(np.isfinite(summ["base"]["epochs"]))  # base reaches 95 % of its own best
    assert str(analysis.epochs_table(ens, (1.2,), ("base", "iemf"))).count("|") > 8


def test_training_is_deterministic_and_independent_of_the_ensemble():
    spec = RunSpec("iemf", 0.8, 0.8, seed=1, grad_noise=True, k_scale=2.0, iemf_start=1)
    alone = training.train_runs([spec], epochs=4)
    again = training.train_runs([spec], epochs=4)
    mixed = training.train_runs([RunSpec("base", 0.4, 0.4, seed=0), spec], epochs=4)
    assert np.array_equal(alone.test_acc, again.test_acc) and np.array_equal(alone.k, again.k)
    assert np.array_equal(alone.test_acc[0], mixed.test_acc[1])
    assert np.array_equal(alone.k[0], mixed.k[1])
    assert alone.k_applied[0, 0] == 1.0 and alone.k_applied[0, 1] > 1.0  # starts at epoch 1


def test_snn_encoders_really_spike():
    specs = [RunSpec("base", 0.8, 0.8, seed=0), RunSpec("iemf", 0.8, 0.8, seed=0)]
    snn = training.train_runs(specs, kind="snn", epochs=3, num_steps=4)
    # measured: ~150-180 spikes per test sample, firing probability ~0.2 per neuron per step
    assert np.all(snn.spikes > 10)
    assert np.all((snn.firing_prob > 0.01) & (snn.firing_prob < 0.9))
    assert snn.spike_counts.shape == (2, 597)
    assert np.all(snn.test_acc[:, -1] > 0.2)  # chance is 0.1; measured ~0.3
    # the encoder features are spike rates: multiples of 1/T
    net = SpikingFusionNet([0], num_steps=4)
    rate, count = net.encode(net.enc_v, torch.rand(1, 8, 64))
    assert torch.allclose(rate * 4, (rate * 4).round()) and float(count.sum()) > 0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(condition="late"), "condition must be one of"),
        (dict(sigma_v=-0.2), "sigma_v must be >= 0"),
        (dict(sigma_a=-1.0), "sigma_a must be >= 0"),
        (dict(optimizer="rmsprop"), "optimizer must be one of"),
        (dict(k_scale=0.0), "k_scale must be > 0"),
        (dict(k_scale=-2.0), "k_scale must be > 0"),
        (dict(aux="frozen"), "aux must be one of"),
        (dict(kind="cnn"), "kind must be one of"),
        (dict(epochs=0), "epochs must be >= 1"),
        (dict(iemf_start=-1), "iemf_start must be >= 0"),
        (dict(seed=-1), "seed must be >= 0"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        training.train(**{"epochs": 1, **kwargs})
