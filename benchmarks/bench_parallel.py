"""A sweep on each backend of bioviz.parallel, and what to expect on N workers.

    python benchmarks/bench_parallel.py          # or: python benchmarks/run.py --only extras --match parallel

The sweep: the swimmer's period sweep (3 seeds x 8 periods = 24 episodes of 1000 steps, the
notebook's grid), serially, on 2 local processes (joblib) and on a 2-worker Dask LocalCluster
(started before the timing; its start-up is reported apart). The estimate for N workers is the
measured mean episode time x grid size / N: a lower bound, since it ignores start-up and
transfer, which the 2-worker rows show.
"""

from __future__ import annotations

import os
import time

PERIODS = (10, 20, 30, 40, 60, 80, 100, 200)
SEEDS = (0, 1, 2)


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def run() -> str:
    import numpy as np

    from bioviz import parallel
    from bioviz.swimmer import experiments

    def sweep(backend):
        return experiments.sweep("period", PERIODS, seeds=SEEDS, parallel=backend, show_progress=False)

    sweep("serial")  # warm-up: imports, MuJoCo model compilation
    serial, t_serial = _timed(lambda: sweep("serial"))
    procs, t_procs = _timed(lambda: sweep("processes:2"))
    procs_warm, t_procs_warm = _timed(lambda: sweep("processes:2"))  # loky keeps its workers
    dask = parallel.Backend("dask", workers=2)
    _, t_cluster = _timed(lambda: parallel.client(dask))
    on_dask, t_dask = _timed(lambda: sweep(dask))
    parallel.shutdown()
    same = all(
        np.array_equal(serial[k], other[k]) for other in (procs, procs_warm, on_dask) for k in serial.keys()
    )
    n = len(PERIODS) * len(SEEDS)
    per_task = t_serial / n
    rows = [
        "| backend | wall time (s) | speed-up |",
        "|---|---|---|",
        f"| serial | {t_serial:.1f} | 1.0 |",
        f"| 2 local processes (first call: workers start) | {t_procs:.1f} | {t_serial / t_procs:.2f} |",
        f"| 2 local processes (warm) | {t_procs_warm:.1f} | {t_serial / t_procs_warm:.2f} |",
        f"| Dask LocalCluster, 2 workers | {t_dask:.1f} | {t_serial / t_dask:.2f} |",
    ]
    estimate = ", ".join(f"{w} workers ~{per_task * n / w:.1f} s" for w in (8, 32, 128))
    return "\n".join(
        [
            "## Sweeps on each backend (bench_parallel)",
            "",
            f"Swimmer period sweep, {len(SEEDS)} seeds x {len(PERIODS)} periods = {n} episodes of 1000 steps; "
            f"{os.cpu_count()} cores; load average at the end: {os.getloadavg()[0]:.2f}.",
            "",
            *rows,
            "",
            f"Same numbers on every backend: {same}. Starting the LocalCluster took {t_cluster:.1f} s.",
            f"Mean episode: {per_task:.2f} s, so the notebook's grid takes about {per_task:.2f} x {n} / N s on N "
            f"workers ({estimate}) and the paper-scale grid (10 seeds x 13 periods) about "
            f"{per_task * 130:.0f} / N s.",
        ]
    )


if __name__ == "__main__":
    print(run())
