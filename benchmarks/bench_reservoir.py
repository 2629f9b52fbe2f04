"""Notebook 02 benchmark: our E/I reservoir against reservoirpy's Reservoir, side by side.

    python benchmarks/bench_reservoir.py          # or: python benchmarks/run.py --match reservoir

1. Steps per second driving one reservoir of N neurons with T input steps, at equal N:
   ours (:func:`bioviz.reservoir.model.run`, sigmoid rates, fixed in-degree 0.1 N, sparse) vs
   reservoirpy 0.4's ``Reservoir`` with its defaults (tanh, 10 % sparse W) and with our very
   matrix (CSR) and a sigmoid, i.e. the same model. Repeats are interleaved and the median kept.
2. Our batched simulator (many reservoirs in one sparse product per step), the sweeps' engine.
3. The explorer's one-configuration control (build, adapt 1500 steps, evaluate both tasks) and
   the notebook's 11-point beta sweep (static + adapted).
"""

from __future__ import annotations

import os
import time

import numpy as np

SIZES = (100, 200, 500, 1000)
STEPS = 2000
REPEATS = 5


def _median_seconds(fn, repeats=REPEATS):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def steps_per_second(sizes=SIZES, steps=STEPS, repeats=REPEATS) -> list[dict]:
    from reservoirpy.nodes import Reservoir
    from scipy import sparse

    from bioviz.reservoir import model

    rows = []
    u = model.input_sequence(steps, seed=0)
    x = u[:, None]
    for n in sizes:
        res = model.build(n, beta=0.0, seed=0)
        theirs = Reservoir(n, sr=0.9, seed=0)
        same = Reservoir(W=sparse.csr_array(res.W), Win=res.w_in[:, None], bias=np.zeros(n), activation="sigmoid")
        theirs.run(x[:10])
        same.run(x[:10])
        model.run(res, u[:10])
        runs = {
            "ours": lambda res=res: model.run(res, u),
            "reservoirpy": lambda node=theirs: node.run(x),
            "reservoirpy, our W": lambda node=same: node.run(x),
        }
        times = {k: [] for k in runs}
        for _ in range(repeats):  # interleaved, so load changes hit all three alike
            for name, fn in runs.items():
                times[name].append(_median_seconds(fn, 1))
        # the same model gives the same rates
        same.reset()
        agree = float(np.abs(same.run(x[:200]) - model.run(res, u[:200], r0=np.zeros(n))).max())
        rows.append({"n": n, **{k: steps / float(np.median(v)) for k, v in times.items()}, "max_abs_diff": agree})
    return rows


def batch_throughput(n=200, batch=16, steps=STEPS) -> float:
    from bioviz.reservoir import model

    reservoirs = [model.build(n, beta=b, seed=0) for b in np.linspace(-1, 1, batch)]
    W = np.stack([r.W for r in reservoirs])
    w_in = np.stack([r.w_in for r in reservoirs])
    u = np.repeat(model.input_sequence(steps, seed=0)[:, None], batch, 1)
    model.run_batch(W, w_in, u[:10])
    return batch * steps / _median_seconds(lambda: model.run_batch(W, w_in, u), 3)


def control_and_sweep() -> dict:
    from bioviz.reservoir import experiments

    experiments.configuration(beta=0.4, seed=0)  # imports, caches
    control = [
        _median_seconds(lambda m=m: experiments.configuration(beta=0.4, mode=m, seed=0), 5)
        for m in ("plastic", "one-step", "static")
    ]
    sweep = _median_seconds(lambda: experiments.beta_sweep(modes=("static", "plastic"), show_progress=False), 3)
    return {"plastic": control[0], "one-step": control[1], "static": control[2], "sweep": sweep}


def run() -> str:
    load0 = os.getloadavg()[0]
    rows = steps_per_second()
    batch = batch_throughput()
    ctrl = control_and_sweep()
    load1 = os.getloadavg()[0]
    out = [
        "## Notebook 02: reservoir simulation speed (steps per second, higher is better)",
        "",
        f"One reservoir driven for {STEPS} steps, median of {REPEATS} interleaved repeats; float64; "
        f"load average {load0:.2f} before, {load1:.2f} after.",
        "",
        "| N | ours (E/I, sigmoid, sparse) | reservoirpy Reservoir (defaults: tanh, 10 % sparse) | "
        "reservoirpy Reservoir, our W + sigmoid | ours / reservoirpy | same rates (max abs diff) |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['n']} | {r['ours']:,.0f} | {r['reservoirpy']:,.0f} | "
            f"{r['reservoirpy, our W']:,.0f} | {r['ours'] / r['reservoirpy']:.2f}x | "
            f"{r['max_abs_diff']:.1e} |"
        )
    out += [
        "",
        f"Batched (16 reservoirs of N = 200 in one sparse product per step): {batch:,.0f} "
        "reservoir-steps per second.",
        "",
        "| one-configuration control (build, adapt, evaluate MC + NARMA-10) | median (ms) | target |",
        "|---|---|---|",
        f"| mode = plastic (1500 adaptation steps) | {1000 * ctrl['plastic']:.0f} | <= 1000 |",
        f"| mode = one-step | {1000 * ctrl['one-step']:.0f} | <= 1000 |",
        f"| mode = static | {1000 * ctrl['static']:.0f} | <= 1000 |",
        f"| 11-point beta sweep, static + adapted (notebook) | {1000 * ctrl['sweep']:.0f} | |",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    print(run())
