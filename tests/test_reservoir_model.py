"""The Dale's-law rate reservoir, its adaptation rules and their input checks (notebook 02)."""

import numpy as np
import pytest

from bioviz.reservoir import model, tasks


@pytest.fixture(scope="module")
def res0():
    return model.build(200, beta=0.0, seed=0)


def test_build_obeys_dale_and_sets_the_balance():
    for beta in (-1.0, -0.4, 0.0, 0.4, 1.0):
        res = model.build(200, beta=beta, seed=0)
        assert res.n == 200 and res.n_exc == 160 and res.n_inh == 40
        assert np.all(res.A_E >= 0) and np.all(res.A_I >= 0)
        W = res.W
        assert np.all(W[:, :160] >= 0) and np.all(W[:, 160:] <= 0)  # sign fixed by the presynaptic type
        # fixed in-degree K_E = 16, K_I = 4, no autapses
        assert np.all((res.A_E > 0).sum(1) == 16)
        assert np.all(res.mask_I.sum(1) == 4)
        assert np.all(np.diag(W) == 0)
        # rows sum to about beta: measured |mean - beta| < 0.01, row sd ~0.15 * (2 - beta)
        assert res.beta == pytest.approx(beta, abs=0.03)
        assert (res.w_in != 0).sum() == 100  # half the neurons get input
    # beta only rescales the inhibitory weights: same connectivity for every beta
    a, b = model.build(200, -0.5, seed=3), model.build(200, 0.5, seed=3)
    np.testing.assert_array_equal(a.A_E, b.A_E)
    np.testing.assert_allclose(a.A_I * 0.5, b.A_I * 1.5)


def test_seed_gives_identical_results(res0):
    again = model.build(200, beta=0.0, seed=0)
    np.testing.assert_array_equal(res0.A_I, again.A_I)
    u = model.input_sequence(300, seed=4)
    np.testing.assert_array_equal(model.run(res0, u), model.run(again, u))
    assert not np.array_equal(model.build(200, seed=1).A_E, res0.A_E)
    a1 = model.adapt(res0, 0.3, steps=200, seed=2)
    a2 = model.adapt(res0, 0.3, steps=200, seed=2)
    np.testing.assert_array_equal(a1.reservoir.A_I, a2.reservoir.A_I)


def test_run_matches_the_equation(res0):
    u = model.input_sequence(5, seed=1)
    r = np.full(200, 0.5)
    for t in range(5):
        r = 1 / (1 + np.exp(-(res0.W @ r + res0.w_in * u[t])))
        np.testing.assert_allclose(model.run(res0, u)[t], r, rtol=1e-12)
    # the batched simulator gives the same rates
    batch = model.run_batch(np.stack([res0.W] * 3), np.stack([res0.w_in] * 3), np.repeat(u[:, None], 3, 1))
    np.testing.assert_allclose(batch[:, 2], model.run(res0, u), rtol=1e-12)
    # with a leak
    leaky = model.build(50, leak=0.5, seed=0)
    v = np.zeros(50)
    r = np.full(50, 0.5)
    for t in range(5):
        v = 0.5 * v + leaky.W @ r + leaky.w_in * u[t]
        r = 1 / (1 + np.exp(-v))
    np.testing.assert_allclose(model.run(leaky, u)[-1], r, rtol=1e-12)


def test_rates_stay_in_unit_interval():
    for beta in (-1.0, 1.0):
        rates = model.run(model.build(100, beta, gain=12.0, seed=0), model.input_sequence(200))
        assert np.all((rates >= 0) & (rates <= 1))


@pytest.mark.parametrize("rho", [0.3, 0.5, 0.7])
def test_adaptation_drives_rates_to_targets(res0, rho):
    adapted = model.adapt(res0, rho, steps=1500, seed=0)
    assert np.all(adapted.reservoir.A_I >= 0)
    assert np.all(adapted.reservoir.A_I[~res0.mask_I] == 0)  # only existing synapses move
    assert adapted.error[-1] < 0.5 * adapted.error[0]
    ev = tasks.evaluate(adapted.reservoir, seed=0, radius=False)
    # measured mean |<r_i> - rho_i| at beta = 0, seed 0: 0.008 (0.3), 0.009 (0.5), 0.004 (0.7)
    assert np.abs(ev.mean_rates - rho).mean() < 0.02


def test_adaptation_sign_excess_rate_means_more_inhibition():
    hot = model.build(200, beta=0.6, seed=0)  # rates ~0.97: above any moderate target
    adapted = model.adapt(hot, 0.3, steps=300, seed=0)
    assert adapted.reservoir.A_I.sum() > hot.A_I.sum()
    assert adapted.beta_trace[-1] < hot.beta
    cold = model.build(200, beta=-1.0, seed=0)  # rates ~0.26: below a target of 0.6
    assert model.adapt(cold, 0.6, steps=300, seed=0).reservoir.A_I.sum() < cold.A_I.sum()
    # no learning, no change
    frozen = model.adapt(hot, 0.3, delta=0.0, steps=50, seed=0)
    np.testing.assert_array_equal(frozen.reservoir.A_I, hot.A_I)


def test_one_step_design_hits_targets_and_its_sign_is_right(res0):
    inputs = tasks.task_inputs(seed=0)
    rates = {}
    for rho in (0.3, 0.5, 0.7):
        designed = model.one_step(res0, rho)
        rates[rho] = tasks.evaluate(designed, inputs=inputs, radius=False).mean_rates
        # mean field is exact at 1/2 and close elsewhere: measured population means 0.3076,
        # 0.4997, 0.6947 (per-neuron mean |<r_i> - rho| 0.010, 0.001, 0.005)
        assert rates[rho].mean() == pytest.approx(rho, abs=0.02)
    assert rates[0.3].mean() < rates[0.5].mean() < rates[0.7].mean()
    # a target below 1/2 needs more inhibition than exact balance (s_i > E_i / I_i)
    exact_balance = model.one_step(res0, 0.5).A_I.sum()
    assert model.one_step(res0, 0.3).A_I.sum() > exact_balance > model.one_step(res0, 0.7).A_I.sum()
    # the opposite sign (flipping the logit) would push the rates the wrong way
    wrong = model.one_step(res0, 0.7)  # the design for 1 - 0.3
    assert tasks.evaluate(wrong, inputs=inputs, radius=False).mean_rate > 0.5
    # rows without inhibition (beta = 1) still get the needed inhibition
    bare = model.build(200, beta=1.0, seed=0)
    assert bare.A_I.sum() == 0
    # measured 0.307
    assert tasks.evaluate(model.one_step(bare, 0.3), inputs=inputs, radius=False).mean_rate == pytest.approx(
        0.3, abs=0.03
    )


def test_targets_homogeneous_and_heterogeneous():
    np.testing.assert_array_equal(model.targets(5, 0.4), np.full(5, 0.4))
    rho = model.targets(4000, 0.3, 0.5, seed=0)
    assert np.all((rho > 0) & (rho < 1))
    assert rho.mean() == pytest.approx(0.3, abs=0.01)
    assert rho.std() == pytest.approx(0.5 * np.sqrt(0.21), rel=0.05)
    np.testing.assert_array_equal(rho, model.targets(4000, 0.3, 0.5, seed=0))


def test_jacobian_radius_tracks_saturation(res0):
    u = model.input_sequence(500)
    balanced = model.jacobian_radius(res0, model.run(res0, u)[100:])
    hot = model.build(200, beta=0.6, seed=0)
    saturated = model.jacobian_radius(hot, model.run(hot, u)[100:])
    # measured: 0.82 (beta 0) vs 0.11 (beta 0.6)
    assert 0.6 < balanced < 1.1 and saturated < 0.3


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: model.build(0), "n must be >= 2"),
        (lambda: model.build(1), "n must be >= 2"),
        (lambda: model.build(50, beta=1.5), "beta must lie in"),
        (lambda: model.build(50, gain=-1), "gain must be >= 0"),
        (lambda: model.build(50, input_fraction=0), "input_fraction must lie in"),
        (lambda: model.build(50, seed=-1), "seed must be >= 0"),
        (lambda: model.targets(0, 0.3), "n must be >= 1"),
        (lambda: model.targets(10, 1.0), "mean must lie in"),
        (lambda: model.targets(10, 0.0), "mean must lie in"),
        (lambda: model.targets(10, 0.3, 1.0), "heterogeneity must lie in"),
        (lambda: model.adapt(model.build(50), 1.2), "rho must lie in"),
        (lambda: model.adapt(model.build(50), 0.0), "rho must lie in"),
        (lambda: model.adapt(model.build(50), np.full(49, 0.3)), r"rho must be a scalar or have shape \(50,\)"),
        (lambda: model.adapt(model.build(50), np.r_[np.full(49, 0.3), 1.0]), "rho must lie in"),
        (lambda: model.adapt(model.build(50), 0.3, steps=0), "steps must be >= 1"),
        (lambda: model.adapt(model.build(50), 0.3, delta=-1e-3), "delta must be >= 0"),
        (lambda: model.adapt(model.build(50), 0.3, steps=10, u=np.zeros(9)), r"u must have shape \(10,\)"),
        (lambda: model.one_step(model.build(50), np.full((2, 50), 0.3)), "rho must be a scalar or have shape"),
        (lambda: model.run(model.build(50), np.zeros((10, 2))), "u must be 1-D"),
        (lambda: model.run(model.build(50), [np.nan]), "u must be finite"),
        (lambda: model.run_batch(np.zeros((2, 5, 5)), np.zeros((2, 4)), np.zeros((3, 2))), "w_in must have shape"),
        (lambda: model.run_batch(np.zeros((2, 5, 5)), np.zeros((2, 5)), np.zeros((3, 3))), "u must have shape"),
        (lambda: model.input_sequence(0), "steps must be >= 1"),
        (lambda: model.build(50).with_inhibition(-model.build(50).A_I - 1), "A_I must be >= 0"),
        (lambda: model.jacobian_radius(model.build(50), np.zeros((10, 49))), "rates must have 50 columns"),
    ],
)
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_run_equals_reservoirpys_reservoir_with_the_same_matrix(res0):
    # reservoirpy's Reservoir with lr = 1, no bias and a sigmoid is our model (c = 1, theta = 0)
    from reservoirpy.nodes import Reservoir
    from scipy import sparse

    theirs = Reservoir(
        W=sparse.csr_array(res0.W), Win=res0.w_in[:, None], bias=np.zeros(200), activation="sigmoid"
    )
    u = model.input_sequence(200, seed=2)
    np.testing.assert_allclose(model.run(res0, u, r0=np.zeros(200)), theirs.run(u[:, None]), atol=1e-12)


def test_lyapunov_exponent_separates_order_from_chaos():
    # measured (seed 0): J = 6, beta 0: -0.19; J = 6, beta +0.4 (saturated): -1.34;
    # J = 10, beta -0.4: +0.07 (chaotic)
    balanced = model.lyapunov_exponent(model.build(200, 0.0, 6.0, seed=0))
    saturated = model.lyapunov_exponent(model.build(200, 0.4, 6.0, seed=0))
    chaotic = model.lyapunov_exponent(model.build(200, -0.4, 10.0, seed=0))
    assert saturated < balanced < 0 < chaotic
    # the batched version gives the same numbers
    reservoirs = [model.build(200, b, 6.0, seed=0) for b in (0.0, 0.4)]
    u = model.input_sequence(1200, seed=0)
    both = model.lyapunov_batch(np.stack([r.W for r in reservoirs]), np.stack([r.w_in for r in reservoirs]), u)
    np.testing.assert_allclose(both, [balanced, saturated], rtol=1e-9)
    with pytest.raises(ValueError, match="leak must be 0"):
        model.lyapunov_exponent(model.build(50, leak=0.5))


def test_adaptation_until_the_balance_settles():
    reservoirs = [model.build(100, b, 6.0, seed=1) for b in (-0.6, 0.0, 0.6)]
    batch = model.adapt_batch(reservoirs, [0.3] * 3)  # steps=None: until settled
    for res, a in zip(reservoirs, batch, strict=True):
        assert a.converged_step is not None and a.converged_step >= model.CONVERGENCE_WINDOW
        # settled: the balance moved by less than the tolerance over the last window
        per_step = a.steps_recorded[1] - a.steps_recorded[0]
        i = int(np.searchsorted(a.steps_recorded, a.converged_step))
        back = model.CONVERGENCE_WINDOW // per_step
        assert abs(a.beta_trace[i] - a.beta_trace[i - back]) < model.CONVERGENCE_TOL
        # a reservoir's result does not depend on the others in its batch
        alone = model.adapt(res, 0.3)
        np.testing.assert_array_equal(alone.reservoir.A_I, a.reservoir.A_I)
        assert alone.converged_step == a.converged_step
    # the three starts end near one balance
    assert np.ptp([a.reservoir.beta for a in batch]) < 0.15  # measured 0.10 (N = 100, seed 1)
    # a fixed number of steps reports no convergence step
    assert model.adapt(reservoirs[0], 0.3, steps=200).converged_step is None


def test_step_and_update_are_what_run_and_adapt_do():
    res = model.build(60, 0.2, 6.0, seed=4)
    u = model.input_sequence(3, seed=5)
    v, r = res.theta * np.ones(60), np.full(60, 0.5)
    rates = model.run(res, u)
    for t in range(3):
        v, r = model.step(res, v, r, u[t])
        np.testing.assert_allclose(r, rates[t], atol=1e-12)
    # one step of the adaptation is one step of the network, then one update of A_I
    one = model.adapt(res, 0.3, steps=1, delta=0.05, u=u[:1])
    _, r1 = model.step(res, res.theta * np.ones(60), np.full(60, 0.5), u[0])
    np.testing.assert_allclose(
        one.reservoir.A_I, model.inhibitory_update(res.A_I, res.mask_I, r1, 0.3, 0.05), atol=1e-12
    )


def test_reservoir_checkers_pass_the_reference_and_reject_plausible_mistakes():
    from scipy.special import expit

    from bioviz.reservoir import exercises as rx

    def step(v, r, u, A_E, A_I, w_in, J, *, sign=-1, gain_on_input=False, leak=0.0, act=expit, split=True):
        ne = A_E.shape[1] if split else A_I.shape[1]
        rec = A_E @ r[:ne] + sign * A_I @ r[ne:] if split else A_E @ r[-A_E.shape[1] :] + sign * A_I @ r[:ne]
        v_new = leak * v + J * rec + (J if gain_on_input else 1) * w_in * u
        return v_new, act(v_new)

    assert rx.RESERVOIR_STEP.passes(step)
    for wrong in (
        lambda *a: step(*a, sign=+1),  # inhibition added: Dale's law broken
        lambda *a: step(*a, gain_on_input=True),  # J on the input too
        lambda *a: step(*a, leak=1.0),  # the old potential carried over
        lambda *a: step(*a, act=np.tanh),  # rates must lie in [0, 1]
        lambda *a: step(*a, split=False),  # inhibitory neurons taken as the first ones
    ):
        assert not rx.RESERVOIR_STEP.passes(wrong)

    def update(A_I, mask, r, rho, delta, *, sign=1, pre=False, masked=True, clip=True):
        err = np.asarray(r) - rho
        dw = delta * sign * (err[None, :] if pre else err[:, None])
        out = A_I + (dw * mask if masked else dw)
        return np.maximum(out, 0) if clip else out

    assert rx.INHIBITORY_UPDATE.passes(update)
    for wrong in (
        lambda *a: update(*a, sign=-1),  # the wrong way: a hot neuron gets less inhibition
        lambda *a: update(*a, masked=False),  # creates synapses
        lambda *a: update(*a, clip=False),  # negative inhibitory weights
    ):
        assert not rx.INHIBITORY_UPDATE.passes(wrong)

    def in_place(A_I, mask, r, rho, delta):
        A_I += delta * (np.asarray(r) - rho)[:, None] * mask
        np.maximum(A_I, 0, out=A_I)
        return A_I

    assert not rx.INHIBITORY_UPDATE.passes(in_place)
