"""The IEMF coefficient, the enhancement index, the gradient hook and the optimizers (spec 04)."""

import numpy as np
import pytest
import torch

from bioviz.fusion import iemf, training
from bioviz.fusion.models import FusionNet
from bioviz.fusion.training import Optimizer, RunSpec, Trainer
from bioviz.runtime import torch_threads


def test_k_is_one_at_rho_one_and_strictly_decreasing():
    assert iemf.coefficient(1.0) == 1.0
    rho = np.linspace(0.0, 6.0, 601)
    k = iemf.coefficient(rho)
    assert np.all(np.diff(k) < 0)
    # bounds: 0 < k < 1 + tanh 1 for rho > 0 (k -> 0 only as rho -> infinity)
    assert np.all(k[1:] < 1 + np.tanh(1.0)) and np.all(k > 0)
    assert iemf.coefficient(0.0) == pytest.approx(iemf.K_MAX)
    assert iemf.K_MAX == pytest.approx(1.7616, abs=1e-4)


def test_k_torch_matches_numpy_and_scales():
    rho = np.array([0.1, 0.5, 1.0, 2.0])
    kt = iemf.coefficient(torch.tensor(rho), k_scale=2.0).numpy()
    assert np.allclose(kt, 2.0 * iemf.coefficient(rho), rtol=1e-12)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(rho=1.0, k_scale=0.0), "k_scale must be > 0"),
        (dict(rho=1.0, k_scale=-1.0), "k_scale must be > 0"),
        (dict(rho=-0.1), "rho must be finite and >= 0"),
        (dict(rho=float("nan")), "rho must be finite"),
    ],
)
def test_coefficient_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        iemf.coefficient(**kwargs)


def test_enhancement_index_example_and_arrays():
    assert iemf.enhancement_index(0.75, 0.4, 0.5) == pytest.approx(50.0)
    me = iemf.enhancement_index([0.5, 0.9], [0.5, 0.9], [0.25, 0.3])
    assert np.allclose(me, [0.0, 0.0])
    assert iemf.enhancement_index(6.0, 1.0, 2.0) == pytest.approx(200.0)
    with pytest.raises(ValueError, match="sm_max"):
        iemf.enhancement_index(1.0, 0.0, 0.0)


def test_strengths_and_rho():
    logits = torch.randn(2, 7, 10, generator=torch.Generator().manual_seed(0))
    y = torch.randint(0, 10, (2, 7), generator=torch.Generator().manual_seed(1))
    s = iemf.strengths(logits, y)
    manual = torch.softmax(logits, -1)[torch.arange(2)[:, None], torch.arange(7), y].sum(1)
    assert torch.allclose(s, manual)
    rho, k = iemf.rho_and_k(logits, logits, logits, y)  # identical pathways: rho = 1, k = 1
    assert torch.allclose(rho, torch.ones(2)) and torch.allclose(k, torch.ones(2))
    # a weak unimodal pathway (uniform output) and a confident fused one: k > 1
    flat = torch.zeros_like(logits)
    sharp = 5 * torch.nn.functional.one_hot(y, 10).float()
    _, k = iemf.rho_and_k(flat, flat, sharp, y)
    assert torch.all(k > 1.5)


def _backward(seeds=(0, 1)):
    net = FusionNet(list(seeds))
    g = torch.Generator().manual_seed(3)
    xv, xa = torch.randn(len(seeds), 16, 64, generator=g), torch.randn(len(seeds), 16, 32, generator=g)
    y = torch.randint(0, 10, (len(seeds), 16), generator=g)
    out = net(xv, xa)
    loss = sum(torch.nn.functional.cross_entropy(out[m].reshape(-1, 10), y.reshape(-1)) for m in ("av", "a", "v"))
    loss.backward()
    return net


def test_hook_scales_exactly_the_fusion_head_and_nothing_else():
    net = _backward()
    before = {n: p.grad.clone() for n, p in net.named_parameters()}
    k = torch.tensor([1.3, 0.7])
    iemf.modulate_fusion_grads(net.fusion_parameters(), k)
    for name, p in net.named_parameters():
        if name.startswith("fusion."):
            expected = before[name] * k.reshape(-1, *([1] * (p.ndim - 1)))
            assert torch.equal(p.grad, expected), name
            assert not torch.equal(p.grad, before[name])
        else:
            assert torch.equal(p.grad, before[name]), f"{name} changed"


def test_hook_noise_has_the_gradient_std_and_respects_the_mask():
    net = _backward()
    w = net.fusion.weight
    g0 = w.grad.clone()
    gens = [torch.Generator().manual_seed(s) for s in (10, 11)]
    iemf.modulate_fusion_grads([w], torch.tensor([1.5, 1.5]), noise=torch.tensor([True, False]), generators=gens)
    resid = w.grad - 1.5 * g0
    assert torch.equal(w.grad[1], 1.5 * g0[1])  # noise off: exactly k g
    ratio = float(resid[0].std() / g0[0].std())
    assert 0.85 < ratio < 1.15  # 640 draws: measured 0.97


def _one_step(condition, optimizer, weight_decay=0.0):
    spec = RunSpec(condition, 0.8, 0.8, seed=5, k_scale=3.0)  # k ~ 3: easy to tell from 1
    tr = Trainer([spec], lr=training.DEFAULT_LR["ann", optimizer], optimizer=optimizer, weight_decay=weight_decay)
    before = {n: p.detach().clone() for n, p in tr.net.named_parameters()}
    xv, xa, y = tr.epoch_data()
    with torch_threads(1):
        got = tr.step(xv[:, :64], xa[:, :64], y[:, :64], epoch=0)
    delta = {n: p.detach() - before[n] for n, p in tr.net.named_parameters()}
    return delta, got


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_iemf_step_scales_only_the_fusion_update_by_k(optimizer):
    d_joint, _ = _one_step("joint", optimizer)
    d_iemf, got = _one_step("iemf", optimizer)
    k = float(got["k_eff"][0])
    assert k > 2.5
    for name in d_joint:
        if name.startswith("fusion."):
            # SGD: k scales the gradient; Adam: k scales the learning rate. Either way the first
            # update is k times larger (Adam: up to its eps). The deltas are differences of float32
            # weights (~0.1) and updates (~1e-4): about 1e-8 of rounding each.
            assert torch.allclose(d_iemf[name], k * d_joint[name], rtol=1e-3, atol=1e-7), name
        else:
            assert torch.equal(d_iemf[name], d_joint[name]), name


def test_adam_nearly_cancels_a_gradient_scale():
    d_joint, _ = _one_step("joint", "adam_gradscale")
    d_iemf, got = _one_step("iemf", "adam_gradscale")
    assert float(got["k_eff"][0]) > 2.5
    w_joint, w_iemf = d_joint["fusion.weight"], d_iemf["fusion.weight"]
    # the gradient was scaled by k ~ 3, yet the first Adam updates (lr = 2e-3 per weight) agree:
    # measured max difference 4e-5 (weights with gradients near Adam's eps), median 6e-9
    diff = (w_iemf - w_joint).abs()
    assert float(diff.max()) < 0.05 * 2e-3 and float(diff.median()) < 1e-6
    d_sgd, _ = _one_step("iemf", "sgd")  # for contrast, SGD's update is ~3x larger
    assert float(d_sgd["fusion.weight"].abs().max()) > 2 * float(
        _one_step("joint", "sgd")[0]["fusion.weight"].abs().max()
    )


@pytest.mark.parametrize("kind", ["sgd", "adam"])
def test_optimizer_matches_torch(kind):
    g = torch.Generator().manual_seed(0)
    p0 = torch.randn(3, 4, 5, generator=g)
    grads = [torch.randn(3, 4, 5, generator=g) for _ in range(5)]
    a, b, c = (torch.nn.Parameter(p0.clone()) for _ in range(3))
    ours = Optimizer([a], kind=kind, lr=0.01, momentum=0.9, weight_decay=5e-4)
    ones = Optimizer([c], kind=kind, lr=0.01, momentum=0.9, weight_decay=5e-4)
    ref = (
        torch.optim.SGD([b], lr=0.01, momentum=0.9, weight_decay=5e-4)
        if kind == "sgd"
        else torch.optim.Adam([b], lr=0.01, weight_decay=5e-4)
    )
    for gr in grads:
        for p in (a, b, c):
            p.grad = gr.clone()
        ours.step()
        ones.step({c: torch.ones(3)})
        ref.step()
    assert torch.allclose(a, b, rtol=1e-5, atol=1e-7)
    assert torch.allclose(c, b, rtol=1e-5, atol=1e-7)


def test_optimizer_lr_scale_is_per_run():
    p = torch.nn.Parameter(torch.zeros(2, 3))
    opt = Optimizer([p], kind="sgd", lr=0.1, momentum=0.0, weight_decay=0.0)
    p.grad = torch.ones(2, 3)
    opt.step({p: torch.tensor([1.0, 2.0])})
    assert torch.allclose(p.detach(), torch.tensor([[-0.1] * 3, [-0.2] * 3]))
