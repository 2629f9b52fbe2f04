"""Models, attacks and the spec's checks of notebook 03 (trained models: marked slow).

The spec's checks run on the seed-0 models the notebook uses; the measured ranges in the
comments are over training seeds 0-2, computed with ``reproduce.measurements`` as in the
notebook's section 3.
"""

import numpy as np
import pytest
import torch

from bioviz.geometry import attacks, experiments, models, reproduce

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("geometry")]


@pytest.fixture(scope="module")
def trio():
    return models.trained("standard"), models.trained("stochastic", 1.0), models.trained("adversarial")


@pytest.fixture(scope="module")
def results(trio):
    curves = reproduce.accuracy_curves(trio, show_progress=False)
    geoms = {
        m.name: experiments.layer_geometry(experiments.exemplar_manifolds(m, P=16, M=16, eps=0.1), n_t=100)
        for m in trio
    }
    sweep = experiments.sigma_sweep(sigmas=(0.5, 1.0, 2.0), eps_values=(), overlap_eps=0.1, show_progress=False)
    return curves, geoms, sweep


@pytest.fixture(scope="module")
def values(results):
    return reproduce.measurements(*results)


def test_clean_accuracy(values):
    # measured: standard 0.974-0.980; sigma = 1 one draw 0.874-0.889, 8-draw average 0.946-0.967
    assert values["clean_standard"] >= 0.95
    assert values["clean_stochastic_single"] >= 0.85
    assert values["clean_stochastic_avg"] > values["clean_stochastic_single"]


def test_robustness_ordering_at_eps_01(values):
    # measured: standard 0.37-0.41, sigma = 1 averaged 0.50-0.53 (+0.12-0.13), AT 0.70-0.76 (+0.34-0.35)
    assert values["eps01_stochastic_avg"] >= values["eps01_standard"] + 0.05
    assert values["eps01_adversarial"] >= values["eps01_standard"] + 0.2
    assert values["eps01_adversarial"] > values["eps01_stochastic_avg"]


def test_eot_is_not_weaker_and_accuracy_falls_with_eps(values):
    # measured: EOT - no EOT at most -0.002 (worst over eps and evaluations); without EOT the
    # averaged sigma = 1 accuracy at 0.1 is 0.04 higher; largest rise along any curve -0.015
    assert values["eot_excess"] <= 0.03
    assert values["eps01_stochastic_avg_no_eot"] > values["eps01_stochastic_avg"]
    assert values["max_rise"] <= 0.02


def test_perturbation_radius_by_depth(values, trio):
    # measured (logits / pixels, plain radius of 16 x 16 exemplar manifolds): AT 0.66-0.74;
    # standard 1.27-1.41 on the notebook's digits but 0.96-1.27 over other samples (the spec's
    # > 1.3 is fragile here), always above AT by >= 0.2 on the same digits. MFTMA radius of the
    # same manifolds (seed 0): standard 1.41 (1.20-1.41 over 4 samples), AT 0.79 (0.79-0.99).
    assert values["radius_ratio_adversarial"] < 1.0
    assert values["radius_ratio_standard"] > values["radius_ratio_adversarial"] + 0.2
    assert values["mftma_radius_ratio_adversarial"] < 1.0
    assert values["mftma_radius_ratio_standard"] > values["mftma_radius_ratio_adversarial"] + 0.2
    # section 4(d)'s sample 0 is section 1.5's manifolds: the same ratios
    rr = experiments.radius_ratios(trio[0], image_seeds=range(1))
    assert rr["spread"][0] == pytest.approx(values["radius_ratio_standard"])
    assert rr["mftma"][0] == pytest.approx(values["mftma_radius_ratio_standard"])


def test_overlap_ratios(values):
    # measured (sigma = 1, 16 x 16 exemplar manifolds, eps 0.1), per layer front / hidden / logits:
    # corrected 0.23 / 0.67 / 0.84; raw 0.42 / 0.76 / 0.92; raw with no attack (the floor)
    # 0.36 / 0.34 / 0.33; corrected with no attack 0.045 / 0 / 0. Corrected, 8 x 16 manifolds,
    # training seeds 0-2, sigma 0.5, 1, 2: front 0.37-0.40, 0.22-0.23, 0.14-0.16; logits
    # 1.39-1.49, 0.82-0.85, 0.51-0.56; raw with no attack 0.36-0.37 at both layers.
    assert values["overlap_front"] < 1.0
    # the attack moves the front-layer mean measurably beyond the no-attack null ...
    assert values["overlap_front"] > values["overlap_front_null"] + 0.1
    # ... while the raw statistic sits on its floor: sqrt(2/16) = 0.35 with no attack
    assert values["overlap_front_null_raw"] == pytest.approx(np.sqrt(2 / 16), abs=0.05)
    assert values["overlap_logits_null_raw"] == pytest.approx(np.sqrt(2 / 16), abs=0.05)
    assert values["overlap_front_null"] < 0.15
    assert values["overlap_front_raw"] > values["overlap_front"]
    assert values["overlap_logits_max_step"] < 0
    assert values["overlap_logits_by_sigma"][0] > 1 > values["overlap_logits_by_sigma"][-1]
    assert np.all(np.diff(values["overlap_front_by_sigma"]) < 0)


def test_tables_carry_computed_verdicts(results, values):
    curves, _, sweep = results
    sig = reproduce.signature_comparison(values)
    judged = [r for r in sig.rows if r["rule"] is not None]
    assert {r["verdict"] for r in judged} == {"meets"}  # every judged claim holds on the seed-0 models
    by_construction = [r for r in sig.rows if r["rule"] is None]
    assert [r["quantity"][:3] for r in by_construction] == ["3a."]  # true by construction: not counted
    assert any(r["quantity"].startswith("4. more noise costs") for r in sig.rows)
    proto = reproduce.prototype_comparison(sweep, values)
    assert [r["quantity"] for r in proto.rows][0] == "σ = 1, one draw, clean"  # the sweep has no sigma 0
    assert "0.974" in reproduce.paper_comparison(curves).to_markdown()


def test_attack_on_the_averaged_classifier(trio):
    standard, sto = trio[0], trio[1]
    _, x, _, y = models.data()
    x, y = x[:48], y[:48]
    xa = attacks.pgd(sto, x, y, 0.1, steps=5, target="average", seed=0)
    assert float((xa - x).abs().max()) <= 0.1 + 1e-6
    assert torch.equal(xa, attacks.pgd(sto, x, y, 0.1, steps=5, target="average", seed=0))
    assert not torch.equal(xa, attacks.pgd(sto, x, y, 0.1, steps=5, target="draw", seed=0))
    # without noise both losses are the same cross-entropy
    assert torch.equal(
        attacks.pgd(standard, x, y, 0.1, steps=5, target="average", seed=0),
        attacks.pgd(standard, x, y, 0.1, steps=5, target="draw", seed=0),
    )
    r = attacks.robustness(sto, [0.0, 0.1], steps=5, n=48, target="average")
    assert r["correct"][8].shape == (2, 48)
    assert np.allclose(r["acc"][8], r["correct"][8].mean(axis=1))
    # measured on all 540 test digits (20 steps): 8-draw accuracy 0.524 (average) vs 0.517 (draw)
    assert attacks.accuracy(sto, xa, y, draws=8) < attacks.accuracy(sto, x, y, draws=8) - 0.1


def test_paired_difference_and_gabor_front():
    d, se = experiments.paired_difference(np.array([1, 1, 0, 0, 1]), np.array([1, 0, 0, 1, 1]))
    assert d == 0.0 and se == pytest.approx(np.std([0, 1, 0, -1, 0], ddof=1) / np.sqrt(5))
    g = experiments.gabor_comparison(seeds=(0,), show_progress=False)
    # measured (seeds 0-2): Gabor standard 0.53-0.59 at eps 0.1 (random front: 0.37-0.41), noise
    # adds +0.002, +0.020, +0.037 with paired standard errors 0.016-0.023
    assert g["diff"][0] == pytest.approx(g["stochastic"][0] - g["standard"][0])
    assert 0 < g["diff_se"][0] < 0.05
    assert g["standard"][0] > 0.5 and abs(g["diff"][0]) < 0.06
    with pytest.raises(ValueError, match="correct_a and correct_b"):
        experiments.paired_difference([1, 0], [1, 0, 1])


def test_pgd_stays_in_the_ball_and_hurts(trio):
    standard = trio[0]
    _, x, _, y = models.data()
    x, y = x[:64], y[:64]
    xa = attacks.pgd(standard, x, y, 0.1, steps=10, seed=0)
    assert float((xa - x).abs().max()) <= 0.1 + 1e-6
    assert float(xa.min()) >= 0 and float(xa.max()) <= 1
    assert attacks.accuracy(standard, xa, y) < attacks.accuracy(standard, x, y) - 0.2
    assert torch.equal(xa, attacks.pgd(standard, x, y, 0.1, steps=10, seed=0))  # deterministic
    assert torch.equal(attacks.pgd(standard, x, y, 0.0), x)
    # a deterministic model ignores EOT
    assert torch.equal(
        attacks.pgd(standard, x, y, 0.1, steps=5, eot=1, seed=1),
        attacks.pgd(standard, x, y, 0.1, steps=5, eot=8, seed=1),
    )


def test_noise_is_poisson_like():
    net = models.trained("stochastic", 1.0).net
    a = torch.full((20000, 1), 4.0)
    gen = torch.Generator().manual_seed(0)
    out = net.noise(a, gen)
    # variance sigma^2 (a + c) = 4.1 (the ReLU clips 2.5 sd below the mean: negligible)
    assert float(out.var()) == pytest.approx(4.1, rel=0.05)
    assert float(out.mean()) == pytest.approx(4.0, abs=0.05)
    assert torch.equal(models.trained("standard").net.noise(a, gen), a)


def test_training_is_deterministic_and_configurable():
    a = models.train(models.config("stochastic", 1.0, epochs=2, seed=3))
    b = models.train(models.config("stochastic", 1.0, epochs=2, seed=3))
    assert all(torch.equal(p, q) for p, q in zip(a.net.parameters(), b.net.parameters(), strict=True))
    assert a.history["loss"] == b.history["loss"]
    gabor = models.train(models.config("standard", epochs=1, front="gabor"))
    assert gabor.net.n_front == 256
    big = models.train(models.config("standard", **{**models.PAPER_SCALE, "epochs": 1}))
    assert big.net.n_front == 1024 and big.net.fc1.out_features == 512
    assert len(models.data(augment=8)[0]) == 9 * len(models.data()[0])


def test_gabor_bank():
    g0, g1 = models.gabor_bank()
    assert g0.shape == g1.shape == (128, 64)
    assert np.allclose(np.linalg.norm(g0, axis=1), 1) and np.allclose(np.linalg.norm(g1, axis=1), 1)


def test_exemplar_and_class_manifolds(trio):
    sto = trio[1]
    ms = experiments.exemplar_manifolds(sto, P=4, M=5, eps=0.05, steps=3)
    assert ms.adv["front"].shape == (4, 5, 256) and ms.clean["logits"].shape == (4, 5, 10)
    assert np.ptp(ms.clean["pixels"], axis=1).max() == 0  # noise enters after the pixels
    assert experiments.has_noise_cloud(ms, "front")
    assert ms.null["front"].shape == (4, 5, 256) and not np.array_equal(ms.null["front"], ms.clean["front"])
    g = experiments.layer_geometry(ms, n_t=10)
    assert np.isnan(g.overlap_at("pixels")["raw"]) and g.overlap_at("front")["null_raw"] > 0
    det = experiments.exemplar_manifolds(trio[0], P=3, M=2, eps=0.05, steps=2)
    assert np.array_equal(det.null["logits"], det.clean["logits"])  # no noise: the null is the clean point
    assert experiments.layer_geometry(det, n_t=10).overlap is None
    cm = experiments.class_manifolds(trio[0], M=3, eps=0.0)
    assert cm.clean["hidden"].shape == (10, 3, 128)
    assert np.array_equal(cm.clean["hidden"], cm.adv["hidden"])  # eps 0, no noise: no change
    cloud = experiments.exemplar_cloud(sto, 0, M=6, eps=0.05, steps=2)
    assert cloud["adv"]["logits"].shape == (6, 10) and cloud["x_adv"].shape == (6, 64)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda m: attacks.pgd(m, *models.data()[1::2], eps=-0.1), "eps must be >= 0"),
        (lambda m: attacks.pgd(m, *models.data()[1::2], eps=0.1, eot=0), "eot must be >= 1"),
        (lambda m: attacks.pgd(m, *models.data()[1::2], eps=0.1, steps=0), "steps must be >= 1"),
        (lambda m: attacks.robustness(m, []), "eps_values must not be empty"),
        (lambda m: models.config("stochastic", -1.0), "sigma must be >= 0"),
        (lambda m: models.config("stochastic", 0.0), "sigma must be > 0"),
        (lambda m: models.config("standard", 1.0), "sigma must be 0"),
        (lambda m: models.config("cnn"), "kind must be one of"),
        (lambda m: experiments.exemplar_manifolds(m, P=1), "P must be >= 2"),
        (lambda m: experiments.exemplar_manifolds(m, eps=-1), "eps must be >= 0"),
        (lambda m: experiments.exemplar_manifolds(m, M=0), "M must be >= 1"),
        (lambda m: experiments.manifold_set(m, "blob"), "manifold must be one of"),
        (lambda m: experiments.sigma_sweep(sigmas=(-1.0,)), "sigma must be >= 0"),
        (lambda m: attacks.pgd(m, *models.data()[1::2], eps=0.1, target="mean"), "target must be one of"),
    ],
)
def test_bad_parameters(trio, call, match):
    with pytest.raises(ValueError, match=match):
        call(trio[0])


# ---------------------------------------------------------------------------------------------
# tutorial 03's exercises: Poisson-like noise, one PGD-EOT step, d' along the shift


def test_poisson_like_has_the_stated_mean_and_variance():
    a = np.array([0.0, 0.5, 2.0, 8.0])
    xi = np.random.default_rng(0).normal(size=(200_000, 4))
    raw = a + 1.0 * np.sqrt(a + models.POISSON_OFFSET) * xi  # before rectification
    assert np.allclose(raw.var(0), a + models.POISSON_OFFSET, rtol=0.02)
    noisy = models.poisson_like(np.broadcast_to(a, xi.shape), 1.0, xi)
    assert noisy.min() == 0.0 and np.allclose(noisy[:, 3].mean(), 8.0, atol=0.02)  # rarely clipped at 8
    t = models.poisson_like(torch.tensor(a), 1.0, torch.tensor(xi[:3]))
    assert np.allclose(t.numpy(), noisy[:3])


def test_pgd_step_stays_in_the_ball_and_matches_pgd():
    from bioviz.geometry import attacks

    torch.manual_seed(0)
    net = models.Net(models.config("stochastic", 1.0))
    x0 = torch.rand(5, 64)
    y = torch.arange(5)
    xa = attacks.pgd_step(net, x0, x0.clone(), y, 0.05, 0.2, 4, torch.Generator().manual_seed(0))
    assert float((xa - x0).abs().max()) <= 0.05 + 1e-7 and xa.min() >= 0 and xa.max() <= 1
    # pgd_module with no random start is `steps` of these steps
    g1, g2 = torch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    many = attacks.pgd_module(net, x0, y, 0.1, 3, 0.04, 4, False, g1)
    by_hand = x0.clone()
    for _ in range(3):
        by_hand = attacks.pgd_step(net, x0, by_hand, y, 0.1, 0.04, 4, g2)
    assert torch.equal(many, by_hand)


def test_geometry_checkers_pass_the_reference_and_reject_plausible_mistakes():
    from bioviz.geometry import attacks, exercises, manifolds

    assert exercises.POISSON_NOISE.passes(lambda a, s, xi: models.poisson_like(a, s, xi))
    assert exercises.POISSON_NOISE.passes(
        lambda a, s, xi: np.clip(a + s * np.sqrt(np.clip(a, 0, None) + 0.1) * xi, 0, None)
    )
    for wrong in (
        lambda a, s, xi: a + s * np.sqrt(a + 0.1) * xi,  # not rectified
        lambda a, s, xi: np.maximum(a + s * np.sqrt(a) * xi, 0),  # no offset: silent units stay silent
        lambda a, s, xi: np.maximum(a + s * (a + 0.1) * xi, 0),  # sd grows with the mean, not the variance
        lambda a, s, xi: np.maximum(a + s * xi, 0),  # fixed-size (Gaussian) noise
        lambda a, s, xi: np.maximum(a + np.sqrt(s * (a + 0.1)) * xi, 0),  # sigma inside the root
    ):
        assert not exercises.POISSON_NOISE.passes(wrong)

    assert exercises.PGD_STEP.passes(attacks.pgd_step)

    def step(net, x0, xa, y, eps, lr, eot, gen, *, sign=True, project=True, clamp=True, draws=None):
        xa = xa.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(attacks.eot_loss(net, xa, y, eot if draws is None else draws, gen), xa)
        xa = xa.detach() + lr * (g.sign() if sign else g)
        if project:
            xa = torch.minimum(torch.maximum(xa, x0 - eps), x0 + eps)
        return xa.clamp(0, 1) if clamp else xa

    for wrong in (
        lambda *a: step(*a, sign=False),  # the raw gradient
        lambda *a: step(*a, project=False),  # leaves the ball
        lambda *a: step(*a, clamp=False),  # leaves the pixel range
        lambda *a: step(*a, draws=1),  # no EOT
    ):
        assert not exercises.PGD_STEP.passes(wrong)
    assert not exercises.PGD_STEP.passes(
        lambda net, x0, xa, y, eps, lr, eot, gen: step(net, x0, xa, y, eps, -lr, eot, gen)
    )

    assert exercises.DPRIME.passes(manifolds.dprime)

    def dp(cf, af, ct, at, *, held_out=True, ddof=1, pooled="mean", unit=True):
        w = af.mean(0) - cf.mean(0)
        w = w / np.linalg.norm(w) if unit else w
        c, a = (ct, at) if held_out else (cf, af)
        pc, pa = c @ w, a @ w
        sd = np.sqrt(0.5 * (pc.var(ddof=ddof) + pa.var(ddof=ddof))) if pooled == "mean" else pc.std(ddof=ddof)
        return (pa.mean() - pc.mean()) / sd

    assert exercises.DPRIME.passes(dp)
    for wrong in (
        lambda *a: dp(*a, held_out=False),  # measured on the points that chose the direction
        lambda *a: dp(*a, ddof=0),  # population variance
        lambda *a: dp(*a, pooled="clean"),  # only the clean cloud's spread
        lambda cf, af, ct, at: (
            np.linalg.norm(at.mean(0) - ct.mean(0)) / np.sqrt(0.5 * (ct.var(0, ddof=1) + at.var(0, ddof=1)).sum())
        ),  # the overlap-ratio idea: full radius
    ):
        assert not exercises.DPRIME.passes(wrong)
    # the measure recovers a known d' on large Gaussian clouds
    rng = np.random.default_rng(4)
    c, a = rng.normal(size=(4000, 30)), rng.normal(size=(4000, 30))
    a[:, 0] += 1.5
    assert abs(manifolds.dprime(c[:2000], a[:2000], c[2000:], a[2000:]) - 1.5) < 0.08
