"""The CAM network: structure, timing, API, determinism and bad input (spec 01, check 1)."""

import numpy as np
import pytest

from bioviz.cam import experiments as ex
from bioviz.cam.network import (
    CAM,
    FAST,
    FIXED,
    SETTLE_MS,
    SLOW,
    SYN_SCALE,
    IdealCAM,
    Layout,
    Learn,
    Plasticity,
    RecallContent,
    RecallCue,
    fmt_bits,
    simulate,
    threshold_weight,
)


def test_layout_sizes_and_synapses():
    lay = Layout(5, 10)
    assert lay.n_memory_neurons == 3 * 5 + 4 * 10 + 1  # 3C + 4N + 1 (the spec says 5N: a slip)
    assert lay.size == lay.n_memory_neurons + 5 + 10  # plus the C + N output layer
    pre, post, w, d = lay.fixed_synapses()
    assert pre.size == post.size == w.size == d.size
    # CueCue -> CueCont inhibition to all other cues: C (C - 1) synapses of 6 N nA, 3 ms
    inh = (w == -6.0 * 10) & (d == 3)
    assert inh.sum() == 5 * 4
    assert np.all(lay.plastic_synapses()[0].size == 2 * 5 * 10)
    assert len(FIXED) == 14
    assert SYN_SCALE == pytest.approx(0.3 * (1 - np.exp(-1 / 0.3)))


def test_recall_by_cue_exact_content_and_latency():
    """Check 1: for P <= C memories, recall by cue returns exactly the stored bits, the cue at
    T + 5 ms and the content at T + 6 ms (measured: exact for all 24 random sets tried)."""
    rng = np.random.default_rng(3)
    for P in (1, 3, 5):
        contents = ex.random_contents(P, 10, int(rng.integers(1, 5)), rng)
        run = simulate([Learn(p, contents[p]) for p in range(P)] + [RecallCue(p) for p in range(P)])
        assert run.accuracy == 1.0, run.summary()
        tc, ic = run.spikes["OutCue"]
        tb, ib = run.spikes["OutCont"]
        for r in run.recalls:
            in_c = (tc > r.t_ms) & (tc <= r.t_ms + 14)
            in_b = (tb > r.t_ms) & (tb <= r.t_ms + 14)
            assert set(tc[in_c] - r.t_ms) == {5} and set(ic[in_c]) == {r.op.cue}
            assert set(tb[in_b] - r.t_ms) == {6} and tuple(sorted(set(ib[in_b]))) == contents[r.op.cue]


def test_recall_by_content_latency():
    run = simulate([Learn(0, (2, 3)), Learn(1, (3, 4)), RecallContent((3,))], C=2, N=5)
    r = run.results[-1]
    assert r.cues == (0, 1) and r.bits == (3,)
    tc, _ = run.spikes["OutCue"]
    tb, _ = run.spikes["OutCont"]
    assert set(tb[tb > r.t_ms] - r.t_ms) == {5} and set(tc[tc > r.t_ms] - r.t_ms) == {6}


def test_op_by_op_equals_one_batch_and_cams_are_independent():
    ops = list(ex.FUNCTIONAL_OPS)
    batch = simulate(ops)
    cam = CAM(5, 10)
    other = CAM(5, 10)
    for op in ops:
        cam.run([op])
        other.learn(2, {7})  # interleaved use of the same shared network
    assert [(r.cues, r.bits) for r in batch.results] == [(r.results[0].cues, r.results[0].bits) for r in cam.runs]
    np.testing.assert_allclose(cam.weights()[0], batch.final_weights[0], atol=1e-9)
    np.testing.assert_allclose(cam.weights()[1], batch.final_weights[1], atol=1e-9)
    assert other.recall_cue(2).bits == (7,)
    assert cam.memory[3] == frozenset({1, 3, 4, 8})


def test_deterministic():
    a = simulate(ex.FUNCTIONAL_OPS)
    b = simulate(ex.FUNCTIONAL_OPS)
    for k in a.spikes:
        np.testing.assert_array_equal(a.spikes[k][0], b.spikes[k][0])
        np.testing.assert_array_equal(a.spikes[k][1], b.spikes[k][1])
    np.testing.assert_array_equal(a.w_cue_content, b.w_cue_content)


def test_run_records_time_and_weights():
    run = simulate(ex.FUNCTIONAL_OPS)
    assert run.duration_ms == pytest.approx(9 * 14)  # 9 operations 14 ms apart, the last one's tail
    assert run.w_cue_content.shape == (len(run.weights_t), 5, 10)
    assert np.all(run.initial_weights[0] == 0) and run.realtime_factor > 0
    assert [lab for _, lab in run.events()][:4] == ["L0", "L4", "L3", "C0"]


def test_ideal_memory():
    m = IdealCAM(3, 6)
    m.apply(Learn(1, (0, 1)))
    m.apply(Learn(1, (4,)))  # overwrite
    assert m.expected(RecallCue(1)) == ((1,), (4,))
    assert m.expected(RecallContent((0,))) == ((), (0,))
    assert m.expected(RecallCue(2)) == ((2,), ())


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: CAM(0, 10), "C must be >= 1"),
        (lambda: CAM(5, 0), "N must be >= 1"),
        (lambda: CAM(5, 10).recall_cue(5), "cue must be <= 4"),
        (lambda: CAM(5, 10).recall_cue(-1), "cue must be >= 0"),
        (lambda: CAM(5, 10).learn(7, {1}), "cue must be <= 4"),
        (lambda: CAM(5, 10).learn(0, set()), "bits must not be empty"),
        (lambda: CAM(5, 10).learn(0, {3, 10}), r"bits must lie in 0..9"),
        (lambda: CAM(5, 10).recall_content([]), "bits must not be empty"),
        (lambda: CAM(5, 10).recall_content({12}), r"bits must lie in 0..9"),
        (lambda: CAM(5, 10, spacing_ms=0.5), "spacing_ms must be at least one time step"),
        (lambda: CAM(5, 10, spacing_ms=-3), "spacing_ms must be > 0"),
        (lambda: CAM(5, 10).run([]), "ops must hold at least one operation"),
        (lambda: Plasticity.from_ratio(-1.0), "ratio must lie in"),
    ],
)
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_single_spike_thresholds():
    """One 6 nA spike fires any cell; 2 nA fires none; at a fast Cond cell 9 - 6 = 3 nA does not
    fire (recall by cue), 9 - 6 + 2 = 5 nA does (relearning an old bit)."""
    for cell in (SLOW, FAST):
        assert 2.0 < threshold_weight(cell) < 6.0
    assert 3.0 < threshold_weight(FAST) < 5.0


def test_sets_print_sorted():
    assert fmt_bits((8, 1, 3, 4)) == "{1, 3, 4, 8}" and fmt_bits(()) == "{}"
    assert str(Learn(3, {8, 1, 3, 4})) == "learn(cue 3, bits {1, 3, 4, 8})"
    assert str(RecallContent({9, 0})) == "recall_content({0, 9})"
    line = simulate([Learn(0, (8, 1, 3))], C=1, N=10).summary()
    assert "bits {1, 3, 8}" in line


def test_operation_timing_table():
    """The T+1 .. T+6 timeline of the functional test (what section 1.2 of the notebook shows):
    recall by cue: CueCue at T+1, content in ContCue at T+2, Cond silent (9 - 6 nA), output cue
    at T+5 and content at T+6; recall by content: the probe bit at T+5, its cues at T+6; while
    relearning cue 3, the old bits 5, 6 pass Cond at T+3 (9 - 6 + 2 nA from CondInt)."""
    run = ex.functional_test()
    cue = ex.op_timeline(run, 3)  # recall_cue(0)
    assert cue[1] == {"CueCue": (0,)} and cue[2] == {"ContCue": (0, 1, 8, 9)}
    assert all("Cond" not in row for row in cue.values())
    assert cue[5]["OutCue"] == (0,) and cue[6]["OutCont"] == (0, 1, 8, 9)
    probe = ex.op_timeline(run, 4)  # recall_content({6})
    assert probe[5]["OutCont"] == (6,) and probe[6]["OutCue"] == (3, 4)
    relearn = ex.op_timeline(run, 6)
    assert relearn[2]["ContCue"] == (5, 6) and relearn[3]["Cond"] == (5, 6)
    table = ex.timing_table(run, [0, 3, 4, 6])
    assert table.count("\n") == 2 + 6 and "| T+6 |" in table and "recall_cue(0)" in table
    with pytest.raises(ValueError, match="k must be <= 8"):
        ex.op_timeline(run, 9)


# ---------------------------------------------------------------------------------------------
# chained calls, mixed spacing, and what a learn needs


@pytest.mark.parametrize("spacing", [1.0, 6.0, 7.0])
def test_chained_calls_decode_every_output_spike_once(spacing):
    # a recall's outputs come 5-6 ms after it; a run that ended before them used to drop them
    # (tail <= 6 ms) or hand them to the next call's first operation (spacing 1, tail < 5)
    for tail in range(0, 11):
        cam = CAM(C=3, N=6, spacing_ms=spacing)
        cam.run([Learn(0, {1, 4})], tail_ms=10)
        first = cam.run([RecallCue(0)], tail_ms=tail)
        second = cam.run([RecallCue(1)], tail_ms=tail)
        assert (first.results[0].cues, first.results[0].bits) == ((0,), (1, 4)), (spacing, tail)
        assert (second.results[0].cues, second.results[0].bits) == ((1,), ()), (spacing, tail)
        assert first.t_end_ms - first.t_start_ms >= SETTLE_MS


def test_a_mixed_spacing_schedule_runs_in_one_call():
    # the authors' tests: 7 ms after a learn, 6 ms after a recall
    ops = [Learn(0, {1, 4}), RecallCue(0), Learn(1, {2}), RecallContent({2}), RecallCue(0)]
    run = simulate(ops, C=3, N=6, gaps_ms=[7, 6, 7, 6])
    assert [r.t_ms for r in run.results] == [1.0, 8.0, 14.0, 21.0, 27.0]
    assert run.accuracy == 1.0
    with pytest.raises(ValueError, match="gaps_ms must hold"):
        simulate(ops, C=3, N=6, gaps_ms=[7, 6])
    with pytest.raises(ValueError, match="spacing_ms must be at least one time step"):
        simulate(ops[:2], C=3, N=6, gaps_ms=[0.5])


def test_a_learn_without_bits_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="no operation that empties a cell"):
        Learn(0, ())


def test_pair_stdp_is_what_the_brian2_synapses_do():
    from bioviz.cam.network import pair_stdp
    from bioviz.runtime import brian2

    b2 = brian2()
    ms, nA = b2.ms, b2.nA
    decay = "xp = xp * exp(-(t - t_last) / tau_plus)\nxm = xm * exp(-(t - t_last) / tau_minus)\nt_last = t\n"
    for pre, post, w0 in (
        ([0], [1], 0.0),
        ([1], [0], 6.0),
        ([0, 1, 2], [1, 2, 3], 0.0),
        ([0, 4], [2], 3.0),
        ([2], [2], 0.0),
    ):
        g1 = b2.SpikeGeneratorGroup(1, [0] * len(pre), np.array(pre) * ms, dt=1 * ms)
        g2 = b2.SpikeGeneratorGroup(1, [0] * len(post), np.array(post) * ms, dt=1 * ms)
        syn = b2.Synapses(
            g1,
            g2,
            "w : amp\nxp : amp\nxm : amp\nt_last : second",
            on_pre=decay + "xp += a_plus\nw = clip(w - xm, 0 * nA, w_max)",
            on_post=decay + "xm += a_minus\nw = clip(w + xp, 0 * nA, w_max)",
            dt=1 * ms,
        )
        syn.connect(i=0, j=0)
        syn.w = w0 * nA
        b2.Network(g1, g2, syn).run(
            (max(pre + post) + 2) * ms,
            namespace=dict(a_plus=4 * nA, a_minus=9 * nA, tau_plus=3 * ms, tau_minus=3 * ms, w_max=6 * nA),
        )
        assert float(syn.w[0] / nA) == pytest.approx(pair_stdp(pre, post, 4.0, 9.0, 3.0, 6.0, w0), abs=1e-9)


def test_cam_checkers_pass_the_reference_and_reject_plausible_mistakes():
    from bioviz.cam import exercises as cx
    from bioviz.cam.network import decode_window, pair_stdp

    assert cx.PAIR_STDP.passes(pair_stdp)

    def stdp(pre, post, a_p, a_m, tau, w_max, w0=0.0, *, order="pre", clip=True, depress_after=False):
        events = sorted(
            [(t, 0 if order == "pre" else 1) for t in pre] + [(t, 1 if order == "pre" else 0) for t in post]
        )
        is_pre = (lambda k: k == 0) if order == "pre" else (lambda k: k == 1)
        w, xp, xm, last = w0, 0.0, 0.0, None
        for t, k in events:
            if last is not None:
                xp, xm = xp * np.exp(-(t - last) / tau), xm * np.exp(-(t - last) / tau)
            last = t
            if is_pre(k):
                if depress_after:
                    w = w - xm
                    xp += a_p
                else:
                    xp += a_p
                    w = w - xm
            else:
                xm += a_m
                w = w + xp
            w = min(max(w, 0.0), w_max) if clip else w
        return w

    assert cx.PAIR_STDP.passes(stdp)
    assert not cx.PAIR_STDP.passes(lambda *a: stdp(*a, order="post"))  # same step: post first
    assert not cx.PAIR_STDP.passes(lambda *a: stdp(*a, clip=False))
    assert not cx.PAIR_STDP.passes(
        lambda pre, post, a_p, a_m, tau, w_max, w0=0.0: stdp(pre, post, 4.0, 9.0, tau, w_max, w0)
    )

    assert cx.DECODE_WINDOW.passes(decode_window)
    for wrong in (
        lambda t, i, s, e: tuple(sorted(set(i[(t >= s) & (t <= e)].tolist()))),  # start included
        lambda t, i, s, e: tuple(sorted(set(i[(t > s) & (t < e)].tolist()))),  # end excluded
        lambda t, i, s, e: tuple(i[(t > s) & (t <= e)].tolist()),  # duplicates, unsorted
    ):
        assert not cx.DECODE_WINDOW.passes(wrong)
