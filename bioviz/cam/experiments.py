r"""The paper's tests and the spec's checks, as functions of the CAM network.

- :func:`functional_test` -- the authors' functional test (C = 5, N = 10): learn three
  memories, recall by cue and by content, overwrite one, recall again.
- :func:`stress_ops` / :func:`stress_test` / :func:`spacing_sweep` -- the authors' 60-operation
  "pyramidal" stress test and its accuracy against operation spacing.
- :func:`fragment_experiment` -- recall by content from fragments of random memories, against
  the closed form :func:`p_only_target`.
- :func:`overwrite_experiment` -- forgetting by overwrite, with weight traces.
- :func:`capacity_experiment` -- storing more memories than cues.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import comb

import numpy as np

from bioviz.cam.network import (
    CAM,
    POPULATIONS,
    CAMRun,
    IdealCAM,
    Learn,
    OpResult,
    Plasticity,
    RecallContent,
    RecallCue,
    check_size,
    check_spacing,
    fmt_bits,
    simulate,
)
from bioviz.runtime import progress
from bioviz.sweeps import SweepResult, grid_points
from bioviz.validation import check_bool, check_int, check_seed

__all__ = [
    "AUTHORS_RULE",
    "FUNCTIONAL_OPS",
    "functional_test",
    "binary_content",
    "stress_ops",
    "stress_test",
    "spacing_sweep",
    "p_only_target",
    "random_contents",
    "fragment_experiment",
    "FragmentResult",
    "overwrite_experiment",
    "capacity_experiment",
    "CapacityResult",
    "recall_weight_change",
    "SPEC_SPACING",
    "stored_mask",
    "probes_after",
    "op_timeline",
    "timing_table",
    "sweep_summary",
]

#: Stress-test recalls right (of 45) against spacing (ms) on the spec's prototype Brian2 port
#: (ungated; "~" values rounded there). Reference numbers from the spec, not from the paper.
SPEC_SPACING = {14: 45, 10: 45, 9: 40, 8: 32, 7: 28, 5: 15}
#: The same prototype with the learning gate at 9 ms spacing.
SPEC_SPACING_GATED = {9: 45}

#: The authors' functional test (C = 5, N = 10), in the order they run it.
FUNCTIONAL_OPS = (
    Learn(0, (0, 1, 8, 9)),
    Learn(4, (1, 5, 6)),
    Learn(3, (4, 5, 6)),
    RecallCue(0),
    RecallContent((6,)),  # -> cues 3 and 4 (both hold bit 6)
    RecallContent((0, 4)),  # -> cues 0 and 3 (an OR over the probe bits)
    Learn(3, (1, 3, 4, 8)),  # overwrite cue 3: bits 5 and 6 must be forgotten
    RecallCue(3),  # -> {1, 3, 4, 8}
    RecallContent((6,)),  # -> cue 4 only
)


#: The authors' STDP amplitudes (A+ = A- = 6 nA in their code). With them this port fails the
#: paper's own overwrite and stress tests (2 of 4 and 32 of 45 recalls right, measured), so
#: every notebook result uses :class:`Plasticity`'s default A+ = 4, A- = 9 nA instead.
AUTHORS_RULE = Plasticity(a_plus=6.0, a_minus=6.0)


def functional_test(
    spacing_ms: float = 14.0, plasticity: Plasticity | None = None, without: Sequence[tuple[str, str]] = ()
) -> CAMRun:
    """Run :data:`FUNCTIONAL_OPS` on a fresh C = 5, N = 10 memory (``without``: an ablation of
    fixed pathways, e.g. ``(("CondInt", "Cond"),)``)."""
    return simulate(FUNCTIONAL_OPS, C=5, N=10, spacing_ms=spacing_ms, plasticity=plasticity, without=without)


def probes_after(
    ops: Sequence,
    probes: Sequence,
    *,
    C: int = 5,
    N: int = 10,
    spacing_ms: float = 14.0,
    plasticity: Plasticity | None = None,
) -> list[OpResult]:
    """Run ``ops``, then one recall by content of each probe, each on its own fresh replay
    (so that one probe cannot write links another probe then reads).

    >>> res = probes_after(FUNCTIONAL_OPS, [(5, 6)])   # cue 3 held {4, 5, 6}, then {1, 3, 4, 8}
    >>> res[0].cues, res[0].expected_cues               # the overwritten memory comes back
    ((3, 4), (4,))
    """
    ops = list(ops)
    out = []
    for probe in probes:
        cam = CAM(C, N, spacing_ms=spacing_ms, plasticity=plasticity)
        out.append(cam.run(ops + [RecallContent(tuple(probe))]).results[-1])
    return out


#: Populations of the timing table, in the order a signal travels (input to output).
TIMELINE_POPULATIONS = tuple(name for name, *_ in POPULATIONS)


def op_timeline(run: CAMRun, k: int, steps: int = 6) -> dict[int, dict[str, tuple[int, ...]]]:
    """Which neurons of each population spike at T+1 .. T+``steps`` after operation ``k``
    starts (T = its first input spike): ``{dt: {population: indices}}`` (indices are cues for
    the cue populations, bits for the content ones; silent populations are left out)."""
    k = check_int("k", k, 0, len(run.results) - 1)
    steps = check_int("steps", steps, low=1)
    t0 = run.results[k].t_ms
    out = {}
    for dt in range(1, steps + 1):
        row = {}
        for name in TIMELINE_POPULATIONS:
            t, i = run.spikes[name]
            fired = tuple(sorted(set(i[t == t0 + dt].tolist())))
            if fired:
                row[name] = fired
        out[dt] = row
    return out


def timing_table(run: CAMRun, ks: Sequence[int], steps: int = 6) -> str:
    """A Markdown table: one row per step T+1 .. T+``steps``, one column per operation ``ks``,
    each cell the populations (and their neurons) spiking in that step."""
    cols = [op_timeline(run, k, steps) for k in ks]
    head = "| step | " + " | ".join(f"{run.results[k].op}" for k in ks) + " |\n"
    head += "|---" * (len(ks) + 1) + "|\n"
    body = ""
    for dt in range(1, steps + 1):
        cells = [
            "; ".join(f"{name} {fmt_bits(ids)}" for name, ids in col[dt].items()) or "(silent)" for col in cols
        ]
        body += f"| T+{dt} | " + " | ".join(cells) + " |\n"
    return head + body


# ---------------------------------------------------------------------------------------------
# the stress test


def binary_content(value: int, N: int) -> tuple[int, ...]:
    """Bits set in ``value`` (bit k -> content neuron k), over N bits.

    >>> binary_content(5, 10)
    (0, 2)
    """
    return tuple(k for k in range(N) if (value >> k) & 1)


def stress_ops(C: int = 5, N: int = 10, rounds: int = 3) -> list:
    """The authors' "pyramidal" stress test (their test bench 2), for any C and N.

    Round 1 learns binary(c + 1) under each cue c; every round then recalls every cue and
    every single content bit; rounds 2, 3, ... first relearn each cue with the complement of
    its content (overwriting every memory). C = 5, N = 10, 3 rounds: 15 learns and 45 recalls
    (60 operations). A content that would be empty is replaced by bit 0.

    >>> ops = stress_ops()
    >>> len(ops), sum(isinstance(o, Learn) for o in ops)
    (60, 15)
    """
    C, N = check_size(C, N)
    rounds = check_int("rounds", rounds, low=1)
    contents = {c: binary_content((c + 1) % (2**N), N) or (0,) for c in range(C)}
    ops = []
    for r in range(rounds):
        if r:
            contents = {c: tuple(k for k in range(N) if k not in b) or (0,) for c, b in contents.items()}
        ops += [Learn(c, contents[c]) for c in range(C)]
        ops += [RecallCue(c) for c in range(C)]
        ops += [RecallContent((b,)) for b in range(N)]
    return ops


def stress_test(spacing_ms: float = 14.0, C: int = 5, N: int = 10, plasticity: Plasticity | None = None) -> CAMRun:
    """The 60-operation stress test in one Brian2 run."""
    return simulate(stress_ops(C, N), C=C, N=N, spacing_ms=spacing_ms, plasticity=plasticity)


def spacing_sweep(
    spacings: Sequence[float] = (5, 6, 7, 8, 9, 10, 12, 14),
    *,
    gated=(False, True),
    C: int = 5,
    N: int = 10,
    ratio: float = 2.25,
    show_progress: bool = True,
) -> SweepResult:
    """Stress-test recalls correct against operation spacing, for each gate setting.

    Returns a :class:`~bioviz.sweeps.SweepResult` on the grid ``gated x spacing`` (no seed
    axis: the network is deterministic) with the value ``correct`` (recalls right);
    ``settings["n_recalls"]`` is the number of recalls per run and ``runs`` holds each
    :class:`CAMRun`.
    """
    axes = {"gated": tuple(bool(g) for g in gated), "spacing": tuple(float(check_spacing(s)) for s in spacings)}
    points, runs = [], []
    for p in progress(grid_points(axes), desc="stress tests", disable=not show_progress):
        run = stress_test(p["spacing"], C, N, Plasticity.from_ratio(ratio, gated=p["gated"]))
        points.append(dict(correct=run.n_correct))
        runs.append(run)
    settings = dict(n_recalls=len(runs[0].recalls), C=C, N=N, ratio=ratio)
    return SweepResult.from_points(axes, points, runs=runs, settings=settings)


def sweep_summary(sweep: SweepResult, gated: bool = False) -> dict:
    """What a :func:`spacing_sweep` shows for one gate setting.

    ``perfect_from``: the shortest spacing from which every longer spacing is perfect too
    (NaN if none); ``errors_below``: the longest spacing with a wrong recall (NaN if none);
    ``rises``: ``(shorter, longer, correct at shorter, correct at longer)`` wherever a shorter
    spacing does *better* than the next longer one (the count need not fall monotonically).

    >>> s = SweepResult({"gated": (False,), "spacing": (5.0, 6.0, 7.0, 14.0)},
    ...                 {"correct": [[11, 28, 27, 45]]}, settings=dict(n_recalls=45))
    >>> out = sweep_summary(s)
    >>> out["perfect_from"], out["errors_below"], out["rises"]
    (14.0, 7.0, [(6.0, 7.0, 28, 27)])
    """
    gated = check_bool("gated", gated)
    one = sweep.sel(gated=gated)
    order = np.argsort(one["spacing"])
    sp = np.asarray(one["spacing"], float)[order]
    ok = np.asarray(one["correct"])[order]
    n = sweep.settings["n_recalls"]
    perfect = ok == n
    tail = np.flatnonzero(~perfect)
    perfect_from = (
        float(sp[tail[-1] + 1])
        if tail.size and tail[-1] + 1 < sp.size
        else (float(sp[0]) if not tail.size else float("nan"))
    )
    errors_below = float(sp[tail[-1]]) if tail.size else float("nan")
    rises = [
        (float(sp[i]), float(sp[i + 1]), int(ok[i]), int(ok[i + 1]))
        for i in range(sp.size - 1)
        if ok[i] > ok[i + 1]
    ]
    return dict(perfect_from=perfect_from, errors_below=errors_below, rises=rises)


# ---------------------------------------------------------------------------------------------
# recall from fragments


def p_only_target(N: int, m: int, f: int, P: int) -> float:
    r"""Probability that a probe of ``f`` bits recalls only its target memory (random contents).

    Every other memory is an independent random ``m``-bit subset of the ``N`` bits; under the
    OR readout it is recalled too if it holds any probe bit. So

    .. math:: P(\text{only target}) = \left[\binom{N-f}{m} \Big/ \binom{N}{m}\right]^{P-1}.

    It *falls* as the probe grows: more probe bits, more chances to hit another memory.

    >>> round(p_only_target(10, 3, 1, 5), 4)   # 0.7 ** 4
    0.2401
    """
    N, m, f, P = (check_int(n, v, low=0) for n, v in (("N", N), ("m", m), ("f", f), ("P", P)))
    if m > N:
        raise ValueError(f"m must be <= N ({N}), got {m}")
    return (comb(N - f, m) / comb(N, m)) ** max(P - 1, 0) if f <= N else 0.0


def random_contents(
    P: int, N: int, m: int, rng: np.random.Generator, orthogonal: bool = False, distinct: bool = False
) -> list:
    """``P`` contents of ``m`` bits each: independent random subsets (the closed form's
    assumption), subsets redrawn until all differ (``distinct``, where possible), or disjoint
    subsets (``orthogonal``)."""
    distinct = check_bool("distinct", distinct)
    orthogonal = check_bool("orthogonal", orthogonal)
    if orthogonal:
        if P * m > N:
            raise ValueError(f"orthogonal contents need P * m <= N, got P={P}, m={m}, N={N}")
        perm = rng.permutation(N)
        return [tuple(sorted(perm[p * m : (p + 1) * m].tolist())) for p in range(P)]
    out = []
    for _ in range(P):
        for _ in range(50 if distinct else 1):
            c = tuple(sorted(rng.choice(N, m, replace=False).tolist()))
            if c not in out:
                break
        out.append(c)
    return out


@dataclass(frozen=True)
class FragmentResult:
    """Recall by content from fragments: per probe size f (1..m), the fraction of probes whose
    recalled cues are exactly the target (``sim``), what a perfect OR memory gives on the same
    probes (``ideal``), the closed form (``closed``), and how often the network's output
    equalled the perfect memory's (``fidelity``); ``then_cue`` is the fraction of unique recalls
    whose follow-up recall by cue returned the full memory; ``max_dw`` the largest weight change
    (nA) one probe of each size wrote (0 with the learning gate)."""

    f: np.ndarray
    sim: np.ndarray
    ideal: np.ndarray
    closed: np.ndarray
    fidelity: np.ndarray
    n_probes: np.ndarray
    then_cue: float
    max_dw: np.ndarray
    params: dict
    example: CAMRun


def fragment_experiment(
    C: int = 5,
    N: int = 16,
    P: int = 4,
    m: int = 3,
    *,
    noise: int = 0,
    orthogonal: bool = False,
    sets: int = 10,
    probes_per_f: int = 2,
    gated: bool = True,
    spacing_ms: float = 14.0,
    seed: int = 0,
    follow_up: bool = True,
    show_progress: bool = True,
) -> FragmentResult:
    """Store ``P`` memories of ``m`` bits (cues 0..P-1), probe each with random fragments of
    ``f`` of its bits plus ``noise`` bits it does not hold, for every f in 1..m.

    Each of ``sets`` memory sets is one Brian2 run: P learns, then the probes (and, after a
    probe that recalled only its target, a recall by that cue). With ``gated=True`` the
    probes cannot write, so they do not disturb each other.
    """
    gated = check_bool("gated", gated)
    follow_up = check_bool("follow_up", follow_up)
    orthogonal = check_bool("orthogonal", orthogonal)
    probes_per_f = check_int("probes_per_f", probes_per_f, 1, 100)
    C, N = check_size(C, N)
    sets = check_int("sets", sets, 1, 1000)
    P = check_int("P", P, 1, C)
    m = check_int("m", m, 1, N)
    noise = check_int("noise", noise, 0, N - m)
    rng = np.random.default_rng(check_seed(seed))
    plasticity = Plasticity(gated=gated)
    fs = np.arange(1, m + 1)
    hit = np.zeros(m)
    ideal_hit = np.zeros(m)
    agree = np.zeros(m)
    count = np.zeros(m)
    max_dw = np.zeros(m)
    cue_ok = cue_n = 0
    example = None
    for _ in progress(range(sets), desc="fragment sets", disable=not show_progress):
        contents = random_contents(P, N, m, rng, orthogonal)
        ops = [Learn(p, contents[p]) for p in range(P)]
        meta = []
        for f in fs:
            for p in range(P):
                for _ in range(probes_per_f):
                    part = rng.choice(contents[p], f, replace=False).tolist()
                    others = np.setdiff1d(np.arange(N), contents[p])
                    part += rng.choice(others, noise, replace=False).tolist()
                    ops.append(RecallContent(tuple(part)))
                    meta.append((f, p))
        cam = CAM(C, N, spacing_ms=spacing_ms, plasticity=plasticity)
        run = cam.run(ops)
        if example is None:
            example = run
        follow = []
        dws = recall_weight_change(run)
        for res, (f, p), dw in zip(run.results[P:], meta, dws, strict=True):
            k = f - 1
            max_dw[k] = max(max_dw[k], dw)
            count[k] += 1
            hit[k] += res.cues == (p,)
            ideal_hit[k] += res.expected_cues == (p,)
            agree[k] += res.correct
            if res.cues == (p,):
                follow.append(p)
        if follow_up and follow:
            cue_run = cam.run([RecallCue(p) for p in follow])
            cue_ok += sum(r.bits == tuple(contents[p]) for r, p in zip(cue_run.results, follow, strict=True))
            cue_n += len(follow)
    if orthogonal:  # the noise bits must all miss the other P - 1 memories' (P - 1) m bits
        closed = np.full(m, comb(N - P * m, noise) / comb(N - m, noise))
    else:
        closed = np.array([p_only_target(N, m, f + noise, P) for f in fs])
    return FragmentResult(
        f=fs,
        sim=hit / count,
        ideal=ideal_hit / count,
        closed=closed,
        fidelity=agree / count,
        n_probes=count,
        then_cue=cue_ok / cue_n if cue_n else np.nan,
        max_dw=max_dw,
        params=dict(C=C, N=N, P=P, m=m, noise=noise, orthogonal=orthogonal, sets=sets, gated=gated, seed=seed),
        example=example,
    )


# ---------------------------------------------------------------------------------------------
# forgetting and capacity


def overwrite_experiment(
    old=(4, 5, 6),
    new=(1, 3, 4, 8),
    *,
    cue: int = 3,
    C: int = 5,
    N: int = 10,
    others=((0, (0, 1, 8, 9)), (4, (1, 5, 6))),
    ratio: float = 2.25,
    gated: bool = False,
    spacing_ms: float = 14.0,
    probe_together: bool = False,
    plasticity: Plasticity | None = None,
) -> CAMRun:
    """Learn the ``others`` and ``cue -> old``, recall, overwrite ``cue -> new``, recall the cue
    and probe every bit that was only in the old content, one at a time; with
    ``probe_together`` (and at least two such bits) finally probe them all at once.

    The defaults are the functional test's overwrite of cue 3. The returned run holds the
    weight traces (``w_cue_content``, ``w_content_cue`` over ``weights_t``). The old content ->
    cue links keep a residual of about ``A+ e^(-1/3)``, below what one spike needs to fire the
    cue but not two: probed together, the forgotten bits recall the overwritten cue.
    ``plasticity``, if given, replaces the rule built from ``ratio`` and ``gated``.
    """
    gated = check_bool("gated", gated)
    probe_together = check_bool("probe_together", probe_together)
    ops = [Learn(c, b) for c, b in others] + [Learn(cue, old), RecallCue(cue), Learn(cue, new), RecallCue(cue)]
    gone = sorted(set(old) - set(new))
    ops += [RecallContent((b,)) for b in gone]
    if probe_together and len(gone) > 1:
        ops.append(RecallContent(tuple(gone)))
    return simulate(
        ops, C=C, N=N, spacing_ms=spacing_ms, plasticity=plasticity or Plasticity.from_ratio(ratio, gated=gated)
    )


@dataclass(frozen=True)
class CapacityResult:
    """Storing P memories on C cues (memory p on cue p mod C): which of the P memories a recall
    by cue still returns (``retrieved[p]``), and the run."""

    P: int
    contents: tuple
    retrieved: np.ndarray
    run: CAMRun

    @property
    def fraction(self) -> float:
        return float(self.retrieved.mean())


def capacity_experiment(
    P: int,
    C: int = 5,
    N: int = 10,
    m: int = 3,
    *,
    seed: int = 0,
    spacing_ms: float = 14.0,
    plasticity: Plasticity | None = None,
) -> CapacityResult:
    """Store ``P`` random ``m``-bit memories (memory p on cue p mod C), then recall every cue.

    A memory counts as retrieved when recalling its cue returns exactly its content; beyond
    ``C`` memories each new one overwrites an old one, so at most ``C`` are retrieved.
    """
    C, N = check_size(C, N)
    P = check_int("P", P, low=1)
    m = check_int("m", m, 1, N)
    rng = np.random.default_rng(check_seed(seed))
    contents = tuple(random_contents(P, N, m, rng, distinct=True))
    ops = [Learn(p % C, contents[p]) for p in range(P)]
    cues = sorted({p % C for p in range(P)})
    ops += [RecallCue(c) for c in cues]
    run = simulate(ops, C=C, N=N, spacing_ms=spacing_ms, plasticity=plasticity)
    got = {r.op.cue: r.bits for r in run.recalls}
    retrieved = np.array([got.get(p % C) == contents[p] for p in range(P)])
    return CapacityResult(P=P, contents=contents, retrieved=retrieved, run=run)


def stored_mask(ops, C: int, N: int) -> np.ndarray:
    """(C, N) booleans: the bits a perfect memory holds under each cue after ``ops``."""
    ideal = IdealCAM(C, N)
    for op in ops:
        ideal.apply(op)
    mask = np.zeros((C, N), bool)
    for c, bits in ideal.memory.items():
        mask[c, list(bits)] = True
    return mask


def recall_weight_change(run: CAMRun) -> np.ndarray:
    """Largest |weight change| (both directions) across each recall's window, one per recall."""
    out = []
    for k, r in enumerate(run.results):
        if not r.is_recall:
            continue
        t1 = run.results[k + 1].t_ms if k + 1 < len(run.results) else run.t_end_ms
        a, b = run.weights_at(r.t_ms - 1), run.weights_at(t1 - 1)
        out.append(max(np.abs(a[0] - b[0]).max(), np.abs(a[1] - b[1]).max()))
    return np.array(out)
