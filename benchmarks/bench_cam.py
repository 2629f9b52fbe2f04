"""Notebook 01 extras: how fast the Brian2 CAM runs (benchmarks/run.py --match cam).

The issue's bar: SpiNNaker runs the authors' 60-operation stress test in real time, so the
ratio simulated biological time / wall time should be at least 1. Also reported: the cost of a
new (C, N) network's first run, the ~20-operation scenario an explorer re-simulates, and one
operation at a time through the CAM API against one batch.
"""

from __future__ import annotations

import os
import time

import numpy as np


def _median_wall(fn, repeats: int) -> tuple[float, object]:
    out, walls = None, []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        walls.append(time.perf_counter() - t0)
    return float(np.median(walls)), out


def run() -> str:
    from bioviz.cam import experiments as ex
    from bioviz.cam import network as cn
    from bioviz.cam.explorers import scenario_ops

    ex.functional_test()  # warm up: builds the (5, 10) network, generates its code
    rows = []
    for gated in (False, True):
        plasticity = cn.Plasticity(gated=gated)
        wall, stress = _median_wall(lambda p=plasticity: ex.stress_test(14, plasticity=p), 5)
        run_wall = stress.wall_s  # Network.run alone (the last repeat)
        rows.append(
            (
                f"stress test, 14 ms spacing, {'gated' if gated else 'ungated'} "
                f"({len(stress.ops)} ops, {stress.n_correct}/{len(stress.recalls)} right)",
                stress.duration_ms,
                wall,
                stress.duration_ms / 1000 / wall,
                run_wall,
            )
        )
    wall, stress7 = _median_wall(lambda: ex.stress_test(7), 5)
    rows.append(
        (
            f"stress test, 7 ms spacing ({stress7.n_correct}/{len(stress7.recalls)} right)",
            stress7.duration_ms,
            wall,
            stress7.duration_ms / 1000 / wall,
            stress7.wall_s,
        )
    )
    wall, func = _median_wall(ex.functional_test, 5)
    rows.append(("functional test (9 ops)", func.duration_ms, wall, func.duration_ms / 1000 / wall, func.wall_s))
    ops, _ = scenario_ops(5, 10, 12, 3, 0)
    wall, scen = _median_wall(lambda: cn.simulate(ops), 5)
    rows.append(
        (
            f"explorer scenario, {len(ops)} ops (cam.network, P = 12)",
            scen.duration_ms,
            wall,
            scen.duration_ms / 1000 / wall,
            scen.wall_s,
        )
    )

    def one_by_one():
        cam = cn.CAM(5, 10)
        for op in ex.FUNCTIONAL_OPS:
            cam.run([op])
        return cam

    wall_seq, _ = _median_wall(one_by_one, 3)
    t0 = time.perf_counter()
    eng = cn._Engine(7, 11)  # a new (C, N): build + the first run's code generation
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    eng.run(ex.stress_ops(7, 11)[:20], 14.0, cn.Plasticity(), 1.0, cn.IdealCAM(7, 11), 10.0)
    first = time.perf_counter() - t0

    lines = [
        "## Notebook 01 (hippocampal CAM): Brian2 speed",
        "",
        f"numpy code-generation target; load average {os.getloadavg()[0]:.2f}; medians of 5 runs "
        "(wall = the whole call: set-up, `Network.run`, decoding).",
        "",
        "| scenario | biological time (ms) | wall (s) | biological / wall | of which `Network.run` (s) |",
        "|---|---|---|---|---|",
    ]
    for name, bio, wall, ratio, net_run in rows:
        lines.append(f"| {name} | {bio:.0f} | {wall:.3f} | {ratio:.1f}x | {net_run:.3f} |")
    lines += [
        "",
        f"- The same 9 functional-test operations one call at a time (`CAM.run([op])`, "
        f"`Network.store`/`restore` between calls): {wall_seq:.3f} s in total.",
        f"- A new (C, N) = (7, 11) network: build {build:.3f} s, first run of 20 operations "
        f"{first:.3f} s (includes code generation; later runs of a built network skip it).",
        "- Bar: SpiNNaker runs the stress test in real time (1x).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
