"""The spec's checks 2-7 on the spiking CAM (C = 5, N = 10, 14 ms spacing unless stated).

Tolerances are the measured values with a margin; the measured ranges are in the comments
(Brian2 2.9.0, numpy target; the model is deterministic, so they do not vary between runs).
"""

import numpy as np
import pytest

from bioviz.cam import experiments as ex
from bioviz.cam.network import FAST, Learn, Plasticity, RecallContent, RecallCue, simulate, threshold_weight

GATED = Plasticity(gated=True)


@pytest.fixture(scope="module")
def functional():
    return ex.functional_test()


@pytest.fixture(scope="module")
def stress_sweep():
    return ex.spacing_sweep((5, 7, 9, 14))


def test_functional_test_all_recalls_right(functional):
    """The authors' functional test: every recall right, incl. forgetting by overwrite."""
    assert functional.accuracy == 1.0, functional.summary()
    probe6_before, probe6_after = (r for r in functional.recalls if r.op == RecallContent((6,)))
    assert probe6_before.cues == (3, 4) and probe6_after.cues == (4,)
    assert functional.recalls[-2].bits == (1, 3, 4, 8)


def test_check2_weights_are_near_binary():
    """Check 2. Measured over 24 random sets (P = 1..5, 1-4 bits): cue->content exactly 6.0 on
    stored bits, max 0.20 elsewhere; content->cue 5.62-6.0 on stored bits, max 0.17 elsewhere."""
    rng = np.random.default_rng(0)
    for P in (2, 5):
        contents = ex.random_contents(P, 10, 3, rng)
        run = simulate([Learn(p, contents[p]) for p in range(P)])
        stored = np.zeros((5, 10), bool)
        for p, bits in enumerate(contents):
            stored[p, list(bits)] = True
        cc, kc = run.final_weights
        assert cc[stored].min() > 5.9 and cc[~stored].max() < 0.3
        assert kc[stored].min() > 5.0 and kc[~stored].max() < 0.3


def test_check3_overwrite_forgets(functional):
    """Check 3 (the functional test's overwrite of cue 3: {4,5,6} -> {1,3,4,8}).
    Measured (6 random overwrites): old cue->content weights <= 0.04; other cues' cue->content
    weights unchanged (0.000); old content->cue weights fall to 2.83-2.92 nA, below the ~3.4 nA
    one spike needs to fire a CueCont cell, so the old bits no longer recall the cue."""
    run = functional
    relearn = run.results[6]
    assert relearn.op == Learn(3, (1, 3, 4, 8))
    before, after = run.weights_at(relearn.t_ms - 1), run.final_weights
    assert before[0][3, [5, 6]].min() > 5.9
    assert after[0][3, [5, 6]].max() < 0.3  # old cue->content links gone
    assert after[0][3, [1, 3, 4, 8]].min() > 5.9  # new ones in place
    others = [0, 1, 2, 4]
    np.testing.assert_allclose(after[0][others], before[0][others], atol=0.01)
    assert np.abs(after[1][others] - before[1][others]).max() < 0.5  # measured 0.38 (trace tails)
    assert after[1][3, [5, 6]].max() < 3.0  # content->cue: functionally forgotten, not erased
    assert run.recalls[-1].cues == (4,)  # probing old bit 6 no longer returns cue 3


def test_multibit_probes_recall_an_overwritten_memory(functional):
    """Forgetting holds for single-bit probes only. After the functional test, cue 3's old
    content->cue links (bits 5, 6) keep a residual of A+ e^(-1/3) (measured 2.92, 2.83 nA; the
    relearning's second CueCont spike re-potentiates them one step after the old bits' ContCont
    spike), and the {0, 4} probe wrote a link 0 -> 3 (2.92 nA). One is below the 3.36 nA a fast
    cell needs, two are not: probing {5, 6} returns cues (3, 4), {0, 5} returns (0, 3, 4).
    The learning gate prevents the probe-written link ({0, 5} -> (0, 4)) but not the residual
    ({5, 6} -> (3, 4) still); a larger A-/A+ does not change it (measured at 2.25, 3, 4, 6:
    2.69-2.92 nA, {5, 6} -> (3, 4) every time)."""
    kc = functional.final_weights[1]
    residual = Plasticity().a_plus * np.exp(-1 / 3)
    np.testing.assert_allclose(kc[3, [5, 6]], residual, atol=0.1)
    thr = threshold_weight(FAST)
    assert kc[3, [0, 5, 6]].max() < thr < 2 * kc[3, [0, 5, 6]].min()
    single5, single6, pair56, pair05 = ex.probes_after(ex.FUNCTIONAL_OPS, [(5,), (6,), (5, 6), (0, 5)])
    assert single5.cues == single6.cues == (4,) and single5.correct and single6.correct
    assert pair56.cues == (3, 4) and pair56.expected_cues == (4,)
    assert pair05.cues == (0, 3, 4) and pair05.expected_cues == (0, 4)
    gated56, gated05 = ex.probes_after(ex.FUNCTIONAL_OPS, [(5, 6), (0, 5)], plasticity=Plasticity(gated=True))
    assert gated56.cues == (3, 4) and gated05.cues == (0, 4)
    for ratio in (2.25, 4.0):  # stronger depression does not help: the residual is A+ e^(-1/3)
        run = ex.overwrite_experiment(
            (2, 3, 4, 5), (6, 7, 8, 9), cue=1, others=((0, (0, 2)), (2, (5, 9))), ratio=ratio, probe_together=True
        )
        assert run.results[-1].op == RecallContent((2, 3, 4, 5))
        assert 1 in run.results[-1].cues and not run.results[-1].correct
        assert all(r.correct for r in run.recalls[:-1])  # cue recall and single-bit probes: forgotten


def test_condint_lets_the_old_content_through_while_relearning(functional):
    """CondInt's role: while a cue is relearned, its old content (recalled by the cue) reaches
    Cond together with the cue's inhibition, 9 - 6 = 3 nA, too little; CondInt, primed by the
    new content one step earlier, adds 2 nA (5 nA fires), so the old bits reach ContCont right
    after CueCont fired and their content->cue links are depressed. Without CondInt -> Cond
    (measured): the old links stay at 6 nA and probing bit 6 still recalls cue 3."""
    assert ex.op_timeline(functional, 6)[3]["Cond"] == (5, 6)
    run = ex.functional_test(without=(("CondInt", "Cond"),))
    assert "Cond" not in ex.op_timeline(run, 6)[3]
    assert run.final_weights[1][3, [5, 6]].min() > 5.9
    assert run.results[-1].cues == (3, 4) and not run.results[-1].correct


def test_check4_single_bit_probes_and_orthogonal_fragments(stress_sweep):
    """Check 4: probe {b} returns exactly {c : b in bits_c} (all 30 single-bit probes of the
    stress test); with orthogonal contents every probe size recalls only its target, and a
    recall by that cue then returns the full memory (measured: 1.0 and 1.0)."""
    stress = stress_sweep.run(gated=False, spacing=14.0)
    singles = [r for r in stress.recalls if isinstance(r.op, RecallContent)]
    assert len(singles) == 30 and all(r.correct for r in singles)
    res = ex.fragment_experiment(N=16, P=4, m=3, orthogonal=True, sets=2, probes_per_f=1, seed=4)
    np.testing.assert_array_equal(res.sim, 1.0)
    assert res.then_cue == 1.0


def test_check5_overlapping_fragments_follow_the_closed_form():
    """Check 5. The network equals a perfect OR memory on every probe (gated; measured fidelity
    1.0 at 12 sets x 24 probes), and the perfect memory follows
    [C(N-f, m) / C(N, m)]^(P-1): a 20,000-draw Monte Carlo agrees within 0.01 (measured 0.006)."""
    res = ex.fragment_experiment(N=16, P=4, m=3, sets=4, probes_per_f=2, seed=1, follow_up=False)
    np.testing.assert_array_equal(res.fidelity, 1.0)
    np.testing.assert_array_equal(res.sim, res.ideal)
    assert np.all(np.diff(res.closed) < 0)  # falls with the probe size: an OR readout
    rng = np.random.default_rng(0)
    N, m, P, draws = 16, 3, 4, 5000
    for f in (1, 2, 3):
        only = 0
        for _ in range(draws):
            contents = ex.random_contents(P, N, m, rng)
            probe = set(rng.choice(contents[0], f, replace=False).tolist())
            only += not any(set(c) & probe for c in contents[1:])
        assert only / draws == pytest.approx(ex.p_only_target(N, m, f, P), abs=0.02)


def test_check6_recalls_leave_weights_unchanged():
    """Check 6. With the learning gate no recall changes any weight (measured 0.0 over the 45
    stress-test recalls). Without it (the paper's model), cue recalls and single-bit probes
    nudge weights by up to 0.38 nA (trace tails; no switch flips), while a two-bit probe that
    recalls two cues writes a half-strength cross link (measured 2.87 nA)."""
    gated = ex.stress_test(plasticity=GATED)
    assert ex.recall_weight_change(gated).max() < 0.01
    free = ex.stress_test()
    assert ex.recall_weight_change(free).max() < 0.5
    run = ex.functional_test()
    dw = ex.recall_weight_change(run)
    kinds = [r.op for r in run.recalls]
    assert dw[kinds.index(RecallContent((0, 4)))] > 2.0
    assert ex.recall_weight_change(ex.functional_test(plasticity=GATED)).max() < 0.01


def test_check7_stress_accuracy_against_spacing(stress_sweep):
    """Check 7. Measured (45 recalls): ungated 45 at 14, 10 ms; 40 at 9; 32 at 8; 27 at 7;
    28 at 6; 11 at 5 ms. Gated: 45 at 9 ms, 19 at 7 ms."""
    n = stress_sweep.settings["n_recalls"]
    assert n == 45
    free = dict(zip(stress_sweep["spacing"], stress_sweep.sel(gated=False)["correct"], strict=True))
    gated = dict(zip(stress_sweep["spacing"], stress_sweep.sel(gated=True)["correct"], strict=True))
    assert free[14.0] / n >= 0.95 and gated[14.0] / n >= 0.95
    assert free[7.0] / n < 0.8 and gated[7.0] / n < 0.8
    assert free[5.0] < free[7.0] < free[14.0]
    assert gated[9.0] > free[9.0]  # the gate rescues 9 ms spacing (45 vs 40)
    summary = ex.sweep_summary(stress_sweep, gated=False)
    assert summary["perfect_from"] == 14.0 and summary["errors_below"] == 9.0 and summary["rises"] == []
    assert ex.sweep_summary(stress_sweep, gated=True)["perfect_from"] == 9.0


def test_gate_window_cuts_late_pairings_at_7ms():
    """Gated 7 ms spacing does worse than ungated (measured 19 vs 27 of 45) because the 6 ms
    gate window cuts a learn's last pairings: a 7 ms window gives 28 (measured)."""
    six = ex.stress_test(7, plasticity=Plasticity(gated=True))
    seven = ex.stress_test(7, plasticity=Plasticity(gated=True, gate_ms=7))
    assert seven.n_correct >= six.n_correct + 5


def test_symmetric_amplitudes_do_not_forget_in_the_stress_test():
    """Truly symmetric amplitudes (A+ = A- = 6 and 36 nA; the authors' configuration sets both
    to 6, which SpiNNaker turns into up to 36 nA per pairing) fail the stress test in this port:
    measured 32/45 for both; A+ = 4, A- = 9 gives 45/45. In the functional test's overwrite the
    old content->cue links end at 6.0 nA (depressed, then re-potentiated by the same pairing
    that leaves the residual with A+ = 4), so 2 of its 4 recalls are right (measured)."""
    for a in (6.0, 36.0):
        rule = Plasticity(a_plus=a, a_minus=a)
        run = ex.stress_test(14, plasticity=rule)
        assert run.n_correct / len(run.recalls) < 0.8
        ow = ex.overwrite_experiment(plasticity=rule)
        assert ow.final_weights[1][3, [5, 6]].min() > 5.9 and ow.n_correct == 2


def test_capacity_is_exactly_C():
    """Memories beyond C overwrite: exactly min(P, C) of P memories remain retrievable."""
    for P in (4, 5, 8):
        res = ex.capacity_experiment(P, C=5, N=10, m=3, seed=P)
        assert res.retrieved.sum() == min(P, 5)
        assert res.retrieved[-min(P, 5) :].all()  # the newest survive


def test_stress_ops_structure():
    ops = ex.stress_ops(5, 10)
    assert len(ops) == 60 and sum(isinstance(o, RecallCue) for o in ops) == 15
    assert ops[0] == Learn(0, (0,)) and ops[4] == Learn(4, (0, 2))  # binary(1), binary(5)
    assert ops[20] == Learn(0, tuple(range(1, 10)))  # complemented in round 2
    assert ex.binary_content(6, 4) == (1, 2)
    with pytest.raises(ValueError, match="rounds must be >= 1"):
        ex.stress_ops(rounds=0)
    with pytest.raises(ValueError, match="m must be <= N"):
        ex.p_only_target(5, 6, 1, 2)


def test_the_authors_equal_amplitudes_fail_their_own_overwrite_and_stress_tests():
    """Why the notebook substitutes A+ = 4, A- = 9 nA for the authors' 6 and 6 (measured: with
    6/6 the stress test gets 32 of 45 recalls right, the overwrite test 2 of 4, the functional
    test 4 of 5: the old content -> cue links survive the overwrite; with 4/9, 45, 4 and 5)."""
    from bioviz.cam import experiments as ex

    for rule, stress_ok, overwrite_ok in ((ex.AUTHORS_RULE, 32, 2), (None, 45, 4)):
        assert ex.stress_test(14, plasticity=rule).n_correct == stress_ok
        run = ex.overwrite_experiment(plasticity=rule)
        assert sum(r.correct for r in run.recalls) == overwrite_ok
    kept = ex.overwrite_experiment(plasticity=ex.AUTHORS_RULE).recalls[2]
    assert kept.cues == (3, 4) and kept.expected_cues == (4,)  # the forgotten bit still recalls cue 3
