"""Summaries of trained ensembles: paired effects with confidence intervals, epochs to target,
cutting an ensemble at an epoch, and the SNN figure's like-for-like comparison (no training)."""

import numpy as np
import pytest
from scipy import stats

from bioviz.fusion import analysis, figures
from bioviz.fusion.training import Ensemble, RunSpec


def fake_ensemble(curves: dict, sigma=0.8, spikes=False) -> Ensemble:
    """An ensemble with the given test-accuracy curves, {condition: [curve per seed]}."""
    specs, acc = [], []
    for condition, per_seed in curves.items():
        for seed, curve in enumerate(per_seed):
            specs.append(RunSpec(condition, sigma, sigma, seed))
            acc.append(curve)
    acc = np.array(acc, dtype=float)
    E, T = acc.shape
    zeros = np.zeros((E, T))
    ens = Ensemble(
        specs=specs,
        config=dict(epochs=T, lr=0.1, num_steps=6),
        test_acc=acc,
        acc_a=zeros,
        acc_v=zeros,
        k=np.ones((E, T)),
        k_applied=np.ones((E, T)),
        rho=np.ones((E, T)),
        loss=zeros,
        seconds=1.0,
        n_params=10,
    )
    if spikes:
        ens.spikes = np.full((E, 2), 100.0)
        ens.spike_counts = np.full((E, 5), 200.0)
        ens.firing_prob = np.full(E, 0.2)
    return ens


def test_paired_effect_is_a_paired_t_interval_in_points():
    base = [[0.50], [0.60], [0.70]]
    iemf = [[0.51], [0.62], [0.73]]  # +1, +2, +3 points, paired by seed
    e = analysis.paired_effect(fake_ensemble({"base": base, "iemf": iemf}), 0.8, "iemf", "base")
    assert np.allclose(e["diff"], [1.0, 2.0, 3.0])
    assert e["mean"] == pytest.approx(2.0) and e["sd"] == pytest.approx(1.0)
    half = stats.t.ppf(0.975, 2) / np.sqrt(3)  # t_2 = 4.303: a wide interval for three seeds
    assert (e["low"], e["high"]) == pytest.approx((2.0 - half, 2.0 + half))
    assert (e["n_pos"], e["n_neg"], e["n"]) == (3, 0, 3) and e["sign_p"] == pytest.approx(0.25)
    assert analysis.effect_verdict(e) == "indistinguishable from zero"  # low = -0.48 < 0
    assert analysis.effect_text(e) == "+2.0 points (95 % CI -0.5 to +4.5; 3 of 3 seeds up)"


def test_paired_effect_verdicts_and_pairing_by_seed():
    base = [[0.50], [0.60], [0.70]]
    down = [[0.48], [0.581], [0.679]]  # -2.0, -1.9, -2.1 points: a tight interval
    e = analysis.paired_effect(fake_ensemble({"base": base, "joint": down}), 0.8, "joint", "base")
    assert analysis.effect_verdict(e) == "negative" and e["n_neg"] == 3
    # the pairing is by seed, not by position: reversed seeds give the same differences
    # (in the order of the runs of ``a``)
    ens = fake_ensemble({"base": base, "joint": down})
    ens.specs = ens.specs[:3] + [RunSpec("joint", 0.8, 0.8, s) for s in (2, 1, 0)]
    ens.test_acc[3:] = ens.test_acc[3:][::-1]
    assert np.allclose(analysis.paired_effect(ens, 0.8, "joint", "base")["diff"], e["diff"][::-1])
    with pytest.raises(ValueError, match="no paired runs"):
        analysis.paired_effect(ens, 0.8, "iemf", "base")


def test_signed_never_prints_minus_zero():
    assert analysis.signed(-2e-6) == "+0.0" and analysis.signed(-0.26) == "-0.3"
    assert analysis.signed(1.25, 2) == "+1.25"


def test_ablation_table_and_mean_epochs():
    curves = {c: [np.linspace(0.1, 0.8, 10)] * 3 for c in ("base", "joint", "iemf", "probe", "pcoef")}
    curves["joint"] = [np.linspace(0.1, 0.9, 10)] * 3  # reaches base's target sooner
    ens = fake_ensemble(curves)
    text = str(analysis.ablation_table(ens, (0.8,)))
    assert "+10.0 [+10.0, +10.0] (3/3 up)" in text  # joint - base, in points
    ep = analysis.mean_epochs(ens, 0.8, ("base", "joint"))
    # target 0.95 * 0.8 = 0.76: base reaches it at epoch 10, joint (0.1 + 0.0889 k) at epoch 9
    assert ep == {"base": 10.0, "joint": 9.0}


def test_first_epochs_cuts_every_history():
    ens = fake_ensemble({"base": [np.arange(10) / 10] * 2})
    cut = ens.first_epochs(4)
    assert cut.test_acc.shape == (2, 4) and cut.k.shape == (2, 4) and cut.config["epochs"] == 4
    assert np.array_equal(cut.test_acc, ens.test_acc[:, :4]) and ens.test_acc.shape == (2, 10)
    assert ens.first_epochs(10) is ens
    with pytest.raises(ValueError, match="n must be"):
        ens.first_epochs(11)


def test_snn_figure_compares_models_at_the_same_epoch():
    snn = fake_ensemble(
        {"base": [np.linspace(0.2, 0.6, 5)] * 2, "iemf": [np.linspace(0.2, 0.7, 5)] * 2}, spikes=True
    )
    ann = fake_ensemble({"base": [np.linspace(0.3, 0.9, 8)] * 2, "iemf": [np.linspace(0.3, 0.95, 8)] * 2})
    fig = figures.snn_figure(snn, ann, snn, slow_label="SNN again")
    finals = {t.name: t for t in fig.data if t.name.endswith("final accuracy")}
    assert set(finals) == {"base: final accuracy", "iemf: final accuracy"}
    # three models (SNN, the second SNN, the ANN cut at epoch 5), two seeds each
    y = np.array(finals["base: final accuracy"].y)
    assert y.size == 6 and np.allclose(y[4:], np.linspace(0.3, 0.9, 8)[4])
    ann_curve = next(t for t in fig.data if t.name == "ANN base")
    assert len(ann_curve.x) == 5
