"""The NCAP circuit (torch and plain floats) and the MLP baseline (notebook 05)."""

import math

import numpy as np
import pytest
import torch

from bioviz.swimmer import es, task
from bioviz.swimmer.ncap import INITS, MLP, NCAP, WEIGHTS, MLPController, NCAPController, n_params
from bioviz.swimmer.rollout import TorchPolicy, ncap, rollout


@pytest.mark.parametrize("sharing", [True, False])
@pytest.mark.parametrize("signed", [True, False])
@pytest.mark.parametrize("init", INITS)
def test_float_twin_gives_the_torch_torques(sharing, signed, init):
    net = NCAP(5, weight_sharing=sharing, sign_constraints=signed, init=init, seed=3, period=40)
    fast = NCAPController.from_module(net)
    gen = torch.Generator().manual_seed(0)
    q = (torch.rand(64, 5, generator=gen) * 2 - 1) * 1.5  # beyond the joint limit too
    t = torch.randint(0, 200, (64,), generator=gen)
    expected = net(q, t).detach().numpy()
    got = np.array([fast.torques(q[i].double().tolist(), int(t[i])) for i in range(64)])
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_parameter_counts():
    for n_joints in (2, 5, 14):
        assert n_params(NCAP(n_joints)) == 4
        assert n_params(NCAP(n_joints, weight_sharing=False)) == 6 * n_joints
    assert n_params(MLP(23, 5)) == 6021  # the spec's 23 -> 64 -> 64 -> 5


def test_initialisations():
    assert NCAP(5).vector().tolist() == [1.0, 1.0, 1.0, -1.0]
    u = NCAP(5, init="uniform", seed=1).vector()
    assert np.all((u[:3] >= 0) & (u[:3] <= 1)) and -1 <= u[3] <= 0
    pm = np.concatenate([NCAP(5, init="unsigned_constant", seed=s).vector() for s in range(10)])
    assert set(pm.tolist()) == {-1.0, 1.0}
    uu = np.concatenate([NCAP(5, init="unsigned_uniform", seed=s).vector() for s in range(10)])
    assert uu.min() < 0 < uu.max() and np.all(np.abs(uu) <= 1)
    assert np.array_equal(NCAP(5, init="uniform", seed=2).vector(), NCAP(5, init="uniform", seed=2).vector())
    assert not np.array_equal(NCAP(5, init="uniform", seed=2).vector(), NCAP(5, init="uniform", seed=3).vector())


def test_vector_round_trip_keeps_the_weight_order():
    net = NCAP(5, sign_constraints=False).set_vector([0.5, 2.0, 0.25, -3.0])
    assert {k: net.weights[k].detach().item() for k in WEIGHTS} == dict(osc=0.5, prop=2.0, ipsi=0.25, contra=-3.0)
    np.testing.assert_array_equal(net.vector(), [0.5, 2.0, 0.25, -3.0])
    mlp = MLP(23, 5, seed=0)
    theta = mlp.vector()
    assert np.array_equal(MLP(23, 5, seed=9).set_vector(theta).vector(), theta)


def test_sign_constraints_clamp_in_the_forward_pass():
    net = NCAP(5, sign_constraints=True).set_vector([-1.0, 1.0, 1.0, 1.0])
    eff = {k: v.detach() for k, v in net.effective().items()}
    assert float(eff["b_d"][0]) == 0.0  # a negative oscillator weight is clamped to zero
    assert float(eff["contra_d"][0]) == 0.0  # so is a positive contra weight
    assert torch.all(net(torch.zeros(3, 5), torch.tensor([0, 10, 40])) == 0)
    free = NCAP(5, sign_constraints=False).set_vector([-1.0, 1.0, 1.0, 1.0])
    assert float(free.effective()["b_d"][0].detach()) == -1.0
    # gradients reach every raw weight where the constraint is not active
    net = NCAP(5, init="uniform", seed=0)
    q = torch.linspace(-1, 1, 5)[None].repeat(4, 1)
    net(q, torch.tensor([0, 15, 30, 45])).pow(2).sum().backward()
    assert all(p.grad is not None for p in net.parameters())


def test_oscillator_is_a_square_wave():
    net = NCAP(5, period=10)
    d, v = net.oscillator(torch.arange(20))
    assert d.tolist() == ([1.0] * 5 + [0.0] * 5) * 2
    assert torch.equal(d + v, torch.ones(20))


def test_torques_are_bounded_and_wave_shaped():
    c = ncap(2.0, 3.0, 2.0, -2.0, sign_constraints=False)
    rng = np.random.default_rng(0)
    for _ in range(50):
        u = c.torques(rng.uniform(-2, 2, 5).tolist(), int(rng.integers(0, 100)))
        assert all(-1.0 <= x <= 1.0 for x in u)
    # a joint bent dorsally excites the dorsal muscle of the joint behind it
    u = ncap().torques([0.5, 0.0, 0.0, 0.0, 0.0], 0)
    assert u[1] == pytest.approx(0.5 / task.joint_limit(6))


def test_mlp_numpy_twin_matches_torch():
    net = MLP(23, 5, seed=4)
    fast = MLPController(net)
    fast2 = MLPController.from_vector(net.vector())
    obs = np.random.default_rng(0).normal(size=23)
    expected = net(torch.as_tensor(obs, dtype=torch.float32)).detach().numpy()
    np.testing.assert_allclose(fast.act(obs), expected, atol=1e-5)
    np.testing.assert_allclose(fast2.act(obs), expected, atol=1e-5)


def test_torch_policy_swims_like_the_float_path():
    fast = rollout(ncap(), n_steps=60, seed=2)
    slow = rollout(TorchPolicy(NCAP(5)), n_steps=60, seed=2)
    assert slow.return_ == pytest.approx(fast.return_, abs=1e-3)
    mlp = MLP(23, 5, seed=1)
    a = rollout(MLPController(mlp), n_steps=40, seed=0)
    b = rollout(TorchPolicy(mlp, kind="mlp"), n_steps=40, seed=0)
    np.testing.assert_allclose(a.action, b.action, atol=1e-4)


def test_es_controllers_match_the_modules():
    theta = es.initial_vector("ncap", 6, seed=0)
    c = es.controller("ncap", theta)
    net = NCAP(5, init="uniform", seed=0)
    assert c == NCAPController.from_module(net)
    assert math.isclose(c.joint_limit, task.joint_limit(6))


def test_contralateral_inhibition_cannot_change_a_torque():
    # at most one B-neuron per joint is active (one-hot oscillator, q_d and q_v never both > 0),
    # so any contra <= 0 only pushes a silent muscle below the clip: torques identical to contra = 0
    rng = np.random.default_rng(0)
    qs = rng.uniform(-2.5, 2.5, (200, 5))  # beyond the joint limit too
    ts = rng.integers(0, 240, 200)
    for ipsi in (0.5, 1.0, 2.0):
        zero = ncap(1.5, 2.0, ipsi, 0.0, sign_constraints=False)
        for contra in (-3.0, -1.0, -0.25):
            c = ncap(1.5, 2.0, ipsi, contra, sign_constraints=False)
            assert all(
                c.torques(q.tolist(), int(t)) == zero.torques(q.tolist(), int(t))
                for q, t in zip(qs, ts, strict=True)
            )
    # the torch module too, with and without weight sharing and with its sign constraints
    q = torch.as_tensor(qs, dtype=torch.float32)
    t = torch.as_tensor(ts)
    for sharing in (True, False):
        net = NCAP(5, init="uniform", seed=5, weight_sharing=sharing)
        before = net(q, t)
        with torch.no_grad():
            for k in net.weights:
                if k.startswith("contra"):
                    net.weights[k].mul_(0.0)
        assert torch.equal(before, net(q, t))
    # an excitatory (positive) contra acts: with unit ipsi and b <= 1 it scales the torque by 1 - contra
    base = np.array([ncap(1, 1, 1, 0.0).torques(q.tolist(), int(t)) for q, t in zip(qs, ts, strict=True)])
    for contra in (0.25, 0.5, 1.0):
        got = np.array(
            [
                ncap(1, 1, 1, contra, sign_constraints=False).torques(q.tolist(), int(t))
                for q, t in zip(qs, ts, strict=True)
            ]
        )
        np.testing.assert_allclose(got, (1 - contra) * base, atol=1e-12)


def test_negative_drive_silences_a_neuron_rather_than_reversing_it():
    # a negative proprioceptive weight: the B-neurons behind the head never fire (same as prop = 0)
    rng = np.random.default_rng(1)
    for q, t in zip(rng.uniform(-1.5, 1.5, (50, 5)), rng.integers(0, 120, 50), strict=True):
        assert ncap(1, -1, 1, -1, sign_constraints=False).torques(q.tolist(), int(t)) == ncap(1, 0, 1, -1).torques(
            q.tolist(), int(t)
        )
        # ipsi and contra both negative: every muscle silent
        assert ncap(1, 1, -1, -1, sign_constraints=False).torques(q.tolist(), int(t)) == [0.0] * 5


def test_joint_torques_are_the_modules_on_recorded_inputs():
    from bioviz.swimmer import exercises as sx

    for seed, t, weights in (
        (0, 10, (1.0, 1.0, 1.0, -1.0)),
        (3, 80, (1.0, 1.0, 1.0, 0.6)),
        (2, 33, (1.5, 0.4, 2.0, 0.3)),
    ):
        args, (q, step, w) = sx._torque_case(seed, t, *weights)
        np.testing.assert_allclose(sx.ncap.joint_torques(*args), sx.module_torques(q, step, w), atol=1e-6)


def test_swimmer_checkers_pass_the_reference_and_reject_plausible_mistakes():
    from bioviz.swimmer import es
    from bioviz.swimmer import exercises as sx

    def torques(in_d, in_v, w_b, w_ipsi, w_contra, *, clip_b=True, clip_m=True, mirror=True, sign=1):
        g = (lambda x: np.clip(x, 0, 1)) if clip_b else (lambda x: x)
        h = (lambda x: np.clip(x, 0, 1)) if clip_m else (lambda x: x)
        b_d, b_v = g(w_b * np.asarray(in_d)), g(w_b * np.asarray(in_v))
        m_d = h(w_ipsi * b_d + w_contra * b_v)
        m_v = h(w_ipsi * b_v + w_contra * b_d) if mirror else h(w_ipsi * b_v + w_contra * b_v)
        return sign * (m_d - m_v)

    assert sx.JOINT_TORQUES.passes(torques)
    for wrong in (
        lambda *a: torques(*a, clip_b=False),
        lambda *a: torques(*a, clip_m=False),
        lambda *a: torques(*a, mirror=False),  # contralateral input from the wrong side
        lambda *a: torques(*a, sign=-1),  # ventral minus dorsal
    ):
        assert not sx.JOINT_TORQUES.passes(wrong)

    assert sx.ES_GRADIENT.passes(es.antithetic_gradient)

    def grad(f, theta, eps, sigma, *, ranks=True, pair=True, scale="2n"):
        plus = np.array([f(theta + sigma * e) for e in eps])
        minus = np.array([f(theta - sigma * e) if pair else f(theta) for e in eps])
        r = np.concatenate([plus, minus])
        if ranks:
            order = np.empty(len(r))
            order[np.argsort(r, kind="stable")] = np.arange(len(r))
            r = order / (len(r) - 1) - 0.5
        fp, fm = r[: len(eps)], r[len(eps) :]
        n = {"2n": 2 * len(eps), "n": len(eps)}[scale]
        return ((fp - fm) @ eps) / (n * sigma)

    assert sx.ES_GRADIENT.passes(grad)
    for wrong in (
        lambda *a: grad(*a, ranks=False),  # raw returns
        lambda *a: grad(*a, pair=False),  # one-sided: f(theta) instead of the mirrored point
        lambda *a: grad(*a, scale="n"),  # divided by n, not 2n
    ):
        assert not sx.ES_GRADIENT.passes(wrong)


def test_the_hand_set_start_is_a_kind_es_can_train():
    assert np.array_equal(es.initial_vector("ncap_constant", seed=5), NCAP(5, init="constant").vector())
    r = es.train("ncap_constant", iterations=1, population=2, episode_steps=20, eval_seeds=(100,))
    assert (
        r.kind == "ncap_constant"
        and r.n_params == 4
        and np.array_equal(r.theta0, NCAP(5, init="constant").vector())
    )
