"""Interactive explorers of notebook 01 (see :mod:`bioviz.explorer` for the pattern).

Every re-simulating control re-runs the Brian2 network: one ``Network.run`` per scenario on a
network built once per ``(C, N)``, so a scenario of ~20 operations costs a small fraction of a
second. Results are memoised (``simulate`` is pure), so returning to a setting is instant.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from bioviz import plots
from bioviz.cam import experiments as ex
from bioviz.cam import figures, hopfield
from bioviz.cam.network import (
    CAMRun,
    Learn,
    Plasticity,
    RecallContent,
    RecallCue,
    fmt_bits,
    simulate,
)
from bioviz.explorer import Choice, Explorer, Float, Int, Toggle
from bioviz.runtime import memo
from bioviz.theme import color
from bioviz.validation import check_int

GATE_HELP = "plasticity on only during learn operations (an encoding phase, like acetylcholine)"
RATIO_HELP = "depression over potentiation amplitude of the STDP rule (A+ = 4 nA)"


def _plasticity(ratio: float, gated: bool) -> Plasticity:
    return Plasticity.from_ratio(float(ratio), gated=bool(gated))


def _title(run: CAMRun) -> str:
    n = len(run.recalls)
    return f"{run.n_correct}/{n} recalls right" if n else "no recalls"


# ---------------------------------------------------------------------------------------------
# 1. the whole network, spike by spike


def scenario_ops(C: int, N: int, P: int, m: int, seed: int) -> tuple[list, list]:
    """Learn P random m-bit memories (memory p on cue p mod C), recall every used cue, then
    probe one bit of each of the last (up to) three memories. Returns (ops, contents)."""
    rng = np.random.default_rng(seed)
    m = min(m, N)
    contents = ex.random_contents(P, N, m, rng, distinct=True)
    ops = [Learn(p % C, contents[p]) for p in range(P)]
    ops += [RecallCue(c) for c in sorted({p % C for p in range(P)})]
    ops += [RecallContent((contents[p][int(rng.integers(len(contents[p])))],)) for p in range(max(0, P - 3), P)]
    return ops, contents


@memo(maxsize=64)
def _network_run(C, N, P, m, spacing, ratio, gated, seed) -> CAMRun:
    ops, _ = scenario_ops(C, N, P, m, seed)
    return simulate(ops, C=C, N=N, spacing_ms=spacing, plasticity=_plasticity(ratio, gated))


class NetworkExplorer(Explorer):
    """Store P random memories, recall them by cue and by content, and see every spike."""

    name = "cam.network"
    small = {"C": 3, "N": 6, "P": 1}  # the fast test tier's starting point
    title = "The CAM network: every spike of a scenario, and the weights it leaves"
    controls = (
        Int("C", 5, 3, 8, label="cues C"),
        Int("N", 10, 6, 16, label="content bits N"),
        Int("P", 3, 1, 12, label="memories stored P (> C overwrites)"),
        Int("m", 3, 1, 5, label="bits per memory"),
        Int("spacing_ms", 14, 5, 14, label="operation spacing (ms)"),
        Float("ratio", 2.25, 0.5, 4.0, 0.25, label="A-/A+", help=RATIO_HELP),
        Toggle("gated", False, label="learning gate", help=GATE_HELP),
        Toggle("show_weights", True, resimulate=False, label="show final weights"),
    )

    def simulate(self, params, seed):
        return _network_run(
            params["C"],
            params["N"],
            params["P"],
            params["m"],
            params["spacing_ms"],
            params["ratio"],
            params["gated"],
            seed,
        )

    def figure(self, run, params):
        if params["show_weights"]:
            fig = plots.new_figure(
                2,
                2,
                specs=[[{"colspan": 2}, None], [{}, {}]],
                row_heights=[0.64, 0.36],
                vertical_spacing=0.12,
                horizontal_spacing=0.08,
                subplot_titles=(
                    "spikes by population",
                    "cue → content weights (nA)",
                    "content → cue weights (nA)",
                ),
            )
            figures.raster_figure(run, fig=fig, row=1, col=1)
            for col, w in ((1, run.final_weights[0]), (2, run.final_weights[1])):
                plots.heatmap(
                    w,
                    x=list(range(run.N)),
                    y=list(range(run.C)),
                    zmin=0,
                    zmax=6,
                    show_scale=col == 2,
                    colorbar_title="nA",
                    fig=fig,
                    row=2,
                    col=col,
                )
            fig.update_xaxes(title_text="content bit", dtick=1, row=2)
            fig.update_yaxes(title_text="cue", dtick=1, autorange="reversed", row=2)
            height = 820
        else:
            fig = figures.raster_figure(run)
            height = 600
        fig.update_layout(
            title=f"C = {run.C}, N = {run.N}, P = {params['P']} memories: {_title(run)}",
            height=height,
            showlegend=False,
        )
        return fig


# ---------------------------------------------------------------------------------------------
# 2. the stress test at one spacing


@memo(maxsize=64)
def _stress_run(C, N, spacing, ratio, gated) -> CAMRun:
    return ex.stress_test(spacing, C, N, _plasticity(ratio, gated))


class StressExplorer(Explorer):
    """The authors' stress test (learn, recall every cue and bit, relearn complements, x3)."""

    name = "cam.stress"
    small = {"C": 3, "N": 6}  # the fast test tier's starting point
    title = "Stress test: how close can operations follow each other?"
    stochastic = False
    controls = (
        Int("spacing_ms", 14, 5, 14, label="operation spacing (ms)"),
        Float("ratio", 2.25, 0.5, 4.0, 0.25, label="A-/A+", help=RATIO_HELP),
        Toggle("gated", False, label="learning gate", help=GATE_HELP),
        Int("C", 5, 3, 8, label="cues C"),
        Int("N", 10, 6, 16, label="content bits N"),
        Choice(
            "window",
            "first round",
            options=("first round", "whole test", "last round"),
            resimulate=False,
            label="show",
        ),
    )

    def simulate(self, params, seed):
        return _stress_run(params["C"], params["N"], params["spacing_ms"], params["ratio"], params["gated"])

    def figure(self, run, params):
        n_round = len(run.results) // 3
        if params["window"] == "first round":
            t_range = (0.0, run.results[n_round].t_ms)
        elif params["window"] == "last round":
            t_range = (run.results[2 * n_round].t_ms - 1, run.t_end_ms)
        else:
            t_range = (0.0, run.t_end_ms)
        fig = plots.new_figure(
            2,
            1,
            row_heights=[0.78, 0.22],
            vertical_spacing=0.1,
            shared_xaxes=True,
            subplot_titles=("spikes by population", "recalls: right (1) or wrong (0)"),
        )
        figures.raster_figure(_window(run, t_range), fig=fig, row=1, col=1, t_range=t_range)
        rec = [r for r in run.recalls if t_range[0] <= r.t_ms < t_range[1]]
        for kind, symbol in (("recall_cue", "circle"), ("recall_content", "diamond")):
            sel = [r for r in rec if r.op.kind == kind]
            fig.add_trace(
                go.Scatter(
                    x=[r.t_ms for r in sel],
                    y=[int(r.correct) for r in sel],
                    mode="markers",
                    name=kind.replace("_", " by "),
                    marker=dict(
                        symbol=symbol, size=9, color=[color("cam") if r.correct else color("spike") for r in sel]
                    ),
                ),
                row=2,
                col=1,
            )
        fig.update_yaxes(range=[-0.3, 1.3], dtick=1, row=2, col=1)
        fig.update_xaxes(title_text="time (ms)", row=2, col=1)
        fig.update_layout(
            title=f"Stress test (C = {run.C}, N = {run.N}), {params['spacing_ms']} ms spacing: {_title(run)}",
            height=720,
            showlegend=False,
        )
        return fig


def _window(run: CAMRun, t_range) -> CAMRun:
    """The run with spikes and operations restricted to ``t_range`` (for drawing)."""
    import dataclasses

    lo, hi = t_range
    spikes = {k: (t[(t >= lo) & (t <= hi)], i[(t >= lo) & (t <= hi)]) for k, (t, i) in run.spikes.items()}
    results = tuple(r for r in run.results if lo <= r.t_ms < hi)
    return dataclasses.replace(run, spikes=spikes, results=results)


# ---------------------------------------------------------------------------------------------
# 3. recall from fragments


@memo(maxsize=64)
def _fragments(N, P, m, orthogonal, noise, gated, seed) -> ex.FragmentResult:
    return ex.fragment_experiment(
        C=6,
        N=N,
        P=P,
        m=m,
        noise=noise,
        orthogonal=orthogonal,
        sets=4,
        probes_per_f=1,
        gated=gated,
        seed=seed,
        follow_up=False,
        show_progress=False,
    )


def fragment_settings(params) -> tuple[int, int, int, str]:
    """(m, noise, probe size, note): the settings made possible (orthogonal needs P m <= N)."""
    N, P, m, noise = params["N"], params["P"], params["m"], params["noise"]
    note = ""
    if params["overlap"] == "orthogonal" and P * m > N:
        m = max(1, N // P)
        note = f" (orthogonal: m lowered to {m} so that P m <= N)"
    if noise > N - m:
        noise = N - m
        note += f" (noise lowered to {noise}: N - m bits are free)"
    f = params["f"]
    if f > m:
        f = m
        note += f" (f lowered to m = {m}: a probe has at most m bits)"
    return m, noise, f, note


class FragmentExplorer(Explorer):
    """Probe each stored memory with f of its bits (plus noise bits) and count how often only
    that memory comes back, against the closed form."""

    name = "cam.fragments"
    small = {"P": 1, "m": 1, "N": 8}  # the fast test tier's starting point
    title = "Recall by content from fragments: an OR over every memory the probe touches"
    controls = (
        Int("P", 4, 1, 6, label="memories stored P"),
        Int("m", 3, 1, 5, label="bits per memory m"),
        Int("N", 16, 8, 16, label="content bits N"),
        Choice("overlap", "random", options=("random", "orthogonal"), label="contents"),
        Int("noise", 0, 0, 3, label="noise bits in the probe"),
        Toggle("gated", True, label="learning gate", help=GATE_HELP),
        Int("f", 1, 1, 5, resimulate=False, label="highlight probe size f"),
    )

    def simulate(self, params, seed):
        m, noise, _, _ = fragment_settings(params)
        return _fragments(
            params["N"], params["P"], m, params["overlap"] == "orthogonal", noise, params["gated"], seed
        )

    def figure(self, res, params):
        _, noise, f, note = fragment_settings(params)
        label = f"{params['overlap']}, {noise} noise bit{'s' * (noise != 1)}"
        fig = plots.new_figure(
            1,
            2,
            column_widths=[0.68, 0.32],
            horizontal_spacing=0.12,
            subplot_titles=("P(only the target recalled) vs probe size", "largest weight change one probe wrote"),
        )
        figures.fragment_figure({label: res}, highlight_f=f, fig=fig, row=1, col=1)
        fig.add_trace(
            go.Bar(
                x=res.f, y=res.max_dw, name="|Δw| written by a probe", marker_color=color("gate"), showlegend=False
            ),
            row=1,
            col=2,
        )
        fig.update_xaxes(title_text="probe size f", dtick=1, row=1, col=2)
        fig.update_yaxes(title_text="nA", rangemode="tozero", row=1, col=2)
        fid = float(np.mean(res.fidelity))
        fig.update_layout(
            title=f"P = {res.params['P']}, m = {res.params['m']}, N = {res.params['N']}{note}: "
            f"at f = {f}, P(only the target) = {res.sim[f - 1]:.2f} "
            f"(closed form {res.closed[f - 1]:.2f}); network = perfect OR memory "
            f"in {fid:.0%} of probes",
            height=430,
            title_font_size=13,
            legend=dict(orientation="h", y=-0.2),
        )
        return fig


# ---------------------------------------------------------------------------------------------
# 4. forgetting by overwrite


def overwrite_contents(shared: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """An old and a new 4-bit content (N = 10) sharing ``shared`` bits (0 to 3)."""
    shared = check_int("shared", shared, 0, 3)
    old = (2, 3, 4, 5)
    new = tuple(sorted(old[:shared] + (6, 7, 8, 9)[: 4 - shared]))
    return old, new


@memo(maxsize=64)
def _overwrite(shared, ratio, gated, spacing) -> CAMRun:
    old, new = overwrite_contents(shared)
    return ex.overwrite_experiment(
        old,
        new,
        cue=1,
        others=((0, (0, 2)), (2, (5, 9))),
        ratio=ratio,
        gated=gated,
        spacing_ms=spacing,
        probe_together=True,
    )


class ForgettingExplorer(Explorer):
    """Relearn cue 1 with a new content: watch the old links fall and the new ones rise; then
    probe the forgotten bits one at a time (the cue is gone) and together (residual content ->
    cue links add up and recall it)."""

    name = "cam.forgetting"
    title = "Forgetting by overwrite"
    stochastic = False
    controls = (
        Float("ratio", 2.25, 0.5, 4.0, 0.25, label="A-/A+", help=RATIO_HELP),
        Toggle("gated", False, label="learning gate", help=GATE_HELP),
        Int("shared", 1, 0, 3, label="bits shared by old and new content"),
        Int("spacing_ms", 14, 7, 14, label="operation spacing (ms)"),
        Choice(
            "view",
            "weight traces",
            options=("weight traces", "weights before/after"),
            resimulate=False,
            label="show",
        ),
    )

    def simulate(self, params, seed):
        return _overwrite(params["shared"], params["ratio"], params["gated"], params["spacing_ms"])

    def figure(self, run, params):
        old, new = overwrite_contents(params["shared"])
        gone = sorted(set(old) - set(new))
        added = sorted(set(new) - set(old))
        kept = sorted(set(old) & set(new))
        relearn = next(r for r in run.results if isinstance(r.op, Learn) and r.op.bits == new)
        ok = all(r.correct for r in run.recalls)
        verdict = (
            "all recalls right"
            if ok
            else "some recalls wrong: "
            + "; ".join(f"{r.op} gave cues {fmt_bits(r.cues)}" for r in run.recalls if not r.correct)
        )
        head = f"cue 1: {fmt_bits(old)} → {fmt_bits(new)}; {verdict}"
        if params["view"] == "weight traces":
            fig = figures.forgetting_figure(
                run, 1, gone[0], added[0], kept_bit=kept[0] if kept else None, title=head
            )
        else:
            before = run.weights_at(relearn.t_ms - 1)
            fig = figures.weights_figure(
                before, run.final_weights, labels=("before relearning", "after"), title=head
            )
        fig.update_layout(title_font_size=13)
        return fig


# ---------------------------------------------------------------------------------------------
# 5. capacity: more memories than cues


@memo(maxsize=64)
def _capacity(P, C, N, m, seed) -> ex.CapacityResult:
    return ex.capacity_experiment(P, C, N, m, seed=seed)


class CapacityExplorer(Explorer):
    """Store P memories on C cues: beyond C, each new memory overwrites an old one."""

    name = "cam.capacity"
    small = {"P": 1, "C": 2, "N": 6}  # the fast test tier's starting point
    title = "Capacity: exactly one memory per cue"
    controls = (
        Int("P", 7, 1, 16, label="memories stored P"),
        Int("C", 5, 2, 8, label="cues C"),
        Int("N", 10, 6, 16, label="content bits N"),
        Int("m", 3, 1, 4, label="bits per memory m"),
    )

    def simulate(self, params, seed):
        return _capacity(params["P"], params["C"], params["N"], min(params["m"], params["N"]), seed)

    def figure(self, res, params):
        C, N = params["C"], params["N"]
        fig = plots.new_figure(
            1,
            3,
            column_widths=[0.3, 0.35, 0.35],
            horizontal_spacing=0.09,
            subplot_titles=("memory p: retrieved?", "stored by a perfect memory", "cue → content weights (nA)"),
        )
        P = res.P
        fig.add_trace(
            go.Bar(
                x=list(range(P)),
                y=np.ones(P),
                name="retrieved",
                marker_color=[color("cam") if r else color("spike") for r in res.retrieved],
                text=["kept" if r else "lost" for r in res.retrieved],
                textposition="inside",
                customdata=[p % C for p in range(P)],
                hovertemplate="memory %{x} on cue %{customdata}<extra></extra>",
            ),
            row=1,
            col=1,
        )
        ideal = np.zeros((C, N))
        for p in range(P):
            ideal[p % C] = 0
            ideal[p % C, list(res.contents[p])] = 6.0
        plots.heatmap(
            ideal, x=list(range(N)), y=list(range(C)), zmin=0, zmax=6, show_scale=False, fig=fig, row=1, col=2
        )
        plots.heatmap(
            res.run.final_weights[0],
            x=list(range(N)),
            y=list(range(C)),
            zmin=0,
            zmax=6,
            colorbar_title="nA",
            fig=fig,
            row=1,
            col=3,
        )
        for col in (2, 3):
            fig.update_xaxes(title_text="content bit", dtick=1, row=1, col=col)
            fig.update_yaxes(title_text="cue", dtick=1, autorange="reversed", row=1, col=col)
        fig.update_xaxes(title_text="memory p (stored on cue p mod C)", dtick=1, row=1, col=1)
        fig.update_yaxes(range=[0, 1.1], showticklabels=False, row=1, col=1)
        fig.update_layout(
            title=f"{P} memories on {C} cues: {int(res.retrieved.sum())} retrieved "
            f"(at most C = {C}); {_title(res.run)} against a perfect memory",
            height=380,
            showlegend=False,
        )
        return fig


# ---------------------------------------------------------------------------------------------
# 6. the Hopfield contrast


@memo(maxsize=32)
def _hop_load(N, seed):
    return hopfield.load_curve(N, loads=np.arange(0.02, 0.31, 0.03), cue_fraction=1.0, trials=3, seed=seed)


@memo(maxsize=64)
def _hop_cue(N, P, seed):
    return hopfield.cue_curve(N, P, fractions=np.linspace(0.1, 1.0, 10), trials=3, seed=seed)


class HopfieldExplorer(Explorer):
    """A Hopfield network: completion from a partial cue, and its load limit."""

    name = "cam.hopfield"
    title = "Hopfield contrast: attractor completion and its load limit"
    controls = (
        Choice("N", 100, options=(50, 100, 150), label="neurons N"),
        Int("P", 8, 1, 40, label="patterns stored P"),
        Float("cue_fraction", 0.5, 0.1, 1.0, 0.1, resimulate=False, label="highlight cue fraction"),
    )

    def simulate(self, params, seed):
        return dict(load=_hop_load(params["N"], seed), cue=_hop_cue(params["N"], params["P"], seed))

    def figure(self, res, params):
        N, P = params["N"], params["P"]
        half = hopfield.half_retrieval_load(res["load"])
        where = (
            f"fewer than half retrieved from α = {half:.2f} here"
            if np.isfinite(half)
            else f"at least half retrieved up to α = {res['load']['alpha'][-1]:.2f}"
        )
        fig = figures.hopfield_figure(
            res["cue"],
            res["load"],
            N,
            P_cue=P,
            C=None,
            title=f"Hopfield, N = {N}, P = {P} (load {P / N:.3f}): {where}; N → ∞ limit α = {hopfield.ALPHA_C}",
        )
        cf = res["cue"]["fraction"]
        k = int(np.argmin(np.abs(cf - params["cue_fraction"])))
        fig.add_trace(
            go.Scatter(
                x=[cf[k]],
                y=[res["cue"]["overlap"][k]],
                mode="markers",
                name="this cue",
                marker=dict(size=16, color=color("hopfield"), symbol="star"),
            ),
            row=1,
            col=1,
        )
        return fig
