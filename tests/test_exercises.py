"""The exercise checkers: they pass the reference, say "not done" for an untouched stub, and
reject plausible wrong answers with a message naming the case (bioviz.exercises and each
tutorial's exercises module)."""

import numpy as np
import pytest
import torch

from bioviz import exercises
from bioviz.exercises import Case, Exercise, compare_close
from bioviz.primer import exercises as primer
from bioviz.primer import lif


def test_engine_reports_pass_fail_and_not_done(capsys):
    ex = Exercise("square", lambda x: x * x, [Case("two", (2,)), Case("minus three", (-3,), hint="x*x")])
    assert ex.check(lambda x: x**2) is not None and exercises.RESULTS["square"] == "passed"
    assert "all 2 cases pass" in capsys.readouterr().out

    fallback = ex.check(lambda x: 3 * x)
    out = capsys.readouterr().out
    assert exercises.RESULTS["square"] == "failed" and fallback(5) == 25
    assert "✘ two: expected 4, got 6" in out and "✘ minus three: expected 9, got -9" in out
    assert "hint: x*x" in out

    def stub(x):
        x2 = ...  # noqa: F841 - an untouched stub line
        raise NotImplementedError("Student exercise: square")

    assert ex.check(stub)(4) == 16
    assert exercises.RESULTS["square"] == "not done"
    assert "not done yet" in capsys.readouterr().out


def test_engine_catches_errors_in_student_code(capsys):
    ex = Exercise("inv", lambda x: 1 / x, [Case("one", (1.0,))])
    ex.check(lambda x: undefined_name)  # noqa: F821
    assert "raised NameError" in capsys.readouterr().out
    assert exercises.RESULTS["inv"] == "failed"


def test_compare_close():
    assert compare_close(1.0, 1.0 + 1e-9) is None
    assert compare_close(np.array([True, False]), np.array([1.0, 0.0])) is None
    assert "shape" in compare_close(np.zeros(3), np.zeros(4))
    assert compare_close((1, np.ones(2)), (1, np.zeros(2)), names=("a", "b")).startswith("b:")
    assert "tuple of 2" in compare_close((1, 2), 3)
    assert "non-finite" in compare_close(np.ones(2), np.array([1.0, np.nan]))
    assert compare_close(torch.tensor([0.5]), np.array([0.5])) is None
    with pytest.raises(ValueError, match="cases"):
        Exercise("empty", abs, [])


# --- tutorial 00 -------------------------------------------------------------------------------


def _lif(update, spike_on_new=True, reset="zero", strict=True):
    """A family of LIF steps, right and wrong."""

    def step(u, x, beta, threshold):
        u = np.asarray(u, float)
        new = update(u, x, beta)
        basis = new if spike_on_new else u
        spike = basis > threshold if strict else basis >= threshold
        after = {"zero": 0.0 * new, "subtract": new - threshold, "none": new}[reset]
        return spike, np.where(spike, after, new)

    return step


RIGHT = lambda u, x, b: b * u + x  # noqa: E731
WRONG_LIF_STEPS = {
    "threshold with >=": _lif(RIGHT, strict=False),
    "no reset": _lif(RIGHT, reset="none"),
    "reset by subtraction": _lif(RIGHT, reset="subtract"),
    "forgets beta": _lif(lambda u, x, b: u + x),
    "leaks the input too": _lif(lambda u, x, b: b * (u + x)),
    "spike decided before the input": _lif(RIGHT, spike_on_new=False),
    "beta hard-coded to 0.9": _lif(lambda u, x, b: 0.9 * u + x),
}


def test_lif_step_checker_accepts_the_reference():
    assert primer.LIF_STEP.passes(lif.lif_step)
    assert primer.LIF_STEP.passes(_lif(RIGHT))


@pytest.mark.parametrize("name", WRONG_LIF_STEPS)
def test_lif_step_checker_rejects(name):
    assert not primer.LIF_STEP.passes(WRONG_LIF_STEPS[name])


def _spike_fn(backward):
    """The reference spike function with another backward pass."""

    class Spike(primer.FastSigmoidSpike):
        @staticmethod
        def backward(ctx, grad):
            (v,) = ctx.saved_tensors
            return backward(grad, v, ctx.k), None

    return Spike


WRONG_BACKWARDS = {
    "no absolute value": lambda g, v, k: g / (1 + k * v) ** 2,
    "no square": lambda g, v, k: g / (1 + k * v.abs()),
    "forgets the upstream gradient": lambda g, v, k: 1 / (1 + k * v.abs()) ** 2,
    "the true derivative (zero)": lambda g, v, k: 0 * g,
    "slope hard-coded to 25": lambda g, v, k: g / (1 + 25 * v.abs()) ** 2,
    "straight-through": lambda g, v, k: g,
}


def test_spike_function_checker_accepts_the_reference():
    assert primer.SPIKE_FUNCTION.passes(primer.FastSigmoidSpike)
    assert primer.SPIKE_FUNCTION.passes(_spike_fn(lambda g, v, k: g / (1 + k * v.abs()) ** 2))


@pytest.mark.parametrize("name", WRONG_BACKWARDS)
def test_spike_function_checker_rejects(name):
    assert not primer.SPIKE_FUNCTION.passes(_spike_fn(WRONG_BACKWARDS[name]))


def test_spike_function_checker_says_not_done_for_the_stub():
    def stub(g, v, k):
        raise NotImplementedError("Student exercise: the surrogate backward pass")

    assert primer.SPIKE_FUNCTION.failures(_spike_fn(stub)) is None


def test_reference_spike_function_is_snntorchs_fast_sigmoid():
    from snntorch import surrogate

    v1 = torch.linspace(-1, 1, 41, requires_grad=True)
    v2 = v1.detach().clone().requires_grad_(True)
    primer.FastSigmoidSpike.apply(v1, 25.0).sum().backward()
    surrogate.fast_sigmoid(slope=25.0)(v2).sum().backward()
    assert torch.allclose(v1.grad, v2.grad)


def test_simulate_step_with_the_reference_step_equals_brian2():
    currents = [1.6, 2.0, 3.0, 4.5]
    for t_ref in (0.0, 2.0):
        b = lif.simulate_brian2(currents, t_ref_ms=t_ref, duration_ms=300)
        s = lif.simulate_step(lif.lif_step, currents, t_ref_ms=t_ref, duration_ms=300)
        for tb, ts in zip(b.spike_times, s.spike_times, strict=True):
            assert len(tb) > 0 and lif.compare_spike_trains(tb, ts).identical
        np.testing.assert_allclose(b.v, s.v, atol=1e-9)
    with pytest.raises(ValueError, match="step must be a function"):
        lif.simulate_step("lif", 2.0)


# ---------------------------------------------------------------------------------------------
# tutorial 07: Hebbian couplings, the zero-temperature step, the magnetisations


def test_multitask_checkers_pass_the_reference_and_reject_plausible_mistakes():
    from bioviz.multitask import exercises as mt

    assert mt.HEBBIAN_COUPLINGS.passes(mt.network.couplings)
    assert mt.SYNC_STEP.passes(mt.network.sync_step)
    assert mt.MAGNETISATIONS.passes(mt.network.magnetisations)

    def hebb(eta, r, supervised, *, mean=True, diag=True, r2=True, cast=True):
        eta = eta.astype(float) if cast else eta
        K, M, N = eta.shape
        X = (eta.mean(1) if mean else eta.sum(1)) if supervised else eta.reshape(K * M, N)
        J = X.T @ X / (N * (1 if supervised else M) * (r**2 if r2 else 1))
        if diag:
            np.fill_diagonal(J, 0)
        return J

    assert mt.HEBBIAN_COUPLINGS.passes(hebb)  # the solution written another way
    for wrong in (
        lambda eta, r, s: hebb(eta, r, s, diag=False),  # self-couplings left in
        lambda eta, r, s: hebb(eta, r, s, r2=False),  # no 1/r**2
        lambda eta, r, s: hebb(eta, r, s, mean=False),  # the teacher's sum, not the mean
        lambda eta, r, s: hebb(eta, r, False),  # ignores the teacher
        lambda eta, r, s: hebb(eta, r, s, cast=False),  # int8 overflow
    ):
        assert not mt.HEBBIAN_COUPLINGS.passes(wrong)

    assert not mt.SYNC_STEP.passes(lambda J, s: np.sign(J @ s))  # a zero field gives 0
    assert not mt.SYNC_STEP.passes(lambda J, s: np.where(J @ s >= 0, 1.0, -1.0))  # ties go up
    assert not mt.SYNC_STEP.passes(lambda J, s: -np.sign(J @ s))

    def in_place(J, s):  # right values, but the old state is overwritten
        h = J @ s
        s[h > 0], s[h < 0] = 1.0, -1.0
        return s

    assert not mt.SYNC_STEP.passes(in_place)

    assert not mt.MAGNETISATIONS.passes(lambda xi, s: xi @ s)  # no 1/N
    assert not mt.MAGNETISATIONS.passes(lambda xi, s: xi @ s / xi.size)  # K * N
    assert not mt.MAGNETISATIONS.passes(lambda xi, s: xi @ s / (xi != 0).sum(1))  # per non-blank entry
    assert not mt.MAGNETISATIONS.passes(lambda xi, s: np.abs(xi @ s) / xi.shape[1])  # the sign lost


# ---------------------------------------------------------------------------------------------
# tutorial 10: the quantiser with a straight-through gradient, one frame of delta inference


def test_delta_checkers_pass_the_reference_and_reject_plausible_mistakes():
    from bioviz.delta import exercises as dx

    assert dx.QUANTISE.passes(dx.model.quantise)
    assert dx.QUANTISE.passes(lambda a, q: a + (q * torch.round(a / q) - a).detach())
    assert not dx.QUANTISE.passes(lambda a, q: q * torch.round(a / q))  # no gradient through round
    assert not dx.QUANTISE.passes(lambda a, q: a + (q * torch.floor(a / q) - a).detach())  # floor
    assert not dx.QUANTISE.passes(lambda a, q: a + (torch.round(a / q) - a).detach())  # not scaled back
    assert not dx.QUANTISE.passes(lambda a, q: a + (0.1 * torch.round(a / 0.1) - a).detach())  # fixed q

    assert dx.DELTA_STEP.passes(dx.delta_step)
    assert not dx.DELTA_STEP.passes(lambda z, a, p, W: (W @ a, a - p))  # recomputes, loses the bias
    assert not dx.DELTA_STEP.passes(lambda z, a, p, W: (z + W @ (p - a), p - a))  # old minus new
    assert not dx.DELTA_STEP.passes(lambda z, a, p, W: (z + W @ a, a - p))  # adds the whole input
    assert not dx.DELTA_STEP.passes(lambda z, a, p, W: (z + (a - p) @ W.T.T, a - p))  # wrong orientation
