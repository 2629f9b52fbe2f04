"""Notebook 04 extras: epochs to a target accuracy per condition (seed spread), and run times.

Discovered by benchmarks/run.py (``--match fusion``); ``run()`` returns a Markdown section.
Timings depend on the machine and its load (the report's header gives the load average).
"""

from __future__ import annotations

import time

import numpy as np

SIGMAS = (0.4, 0.8, 1.2)
SEEDS = (0, 1, 2, 3, 4)
EPOCHS = 30


def _timed(fn, repeat=3):
    """(median wall s, max wall s, min CPU s). Everything runs on one thread, so the CPU time
    is what the wall time would be on an idle machine; on a shared one the wall time is inflated."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return float(np.median(wall)), float(np.max(wall)), float(np.min(cpu))


def run() -> str:
    from bioviz.fusion import analysis, training
    from bioviz.fusion.explorers import SNNExplorer, TrainingExplorer

    training.train("iemf", epochs=1)  # warm-up: data, imports
    specs = training.grid(training.CONDITIONS, SIGMAS, SEEDS)
    t0 = time.perf_counter()
    ens = training.train_runs(specs, epochs=EPOCHS)
    sweep_s = time.perf_counter() - t0

    ann = TrainingExplorer()
    snn = SNNExplorer()
    rows = [
        ("one ANN run, 30 epochs (training.train)", _timed(lambda: training.train("iemf", epochs=30))),
        (
            "ANN explorer re-simulation, defaults (3 runs, 20 epochs)",
            _timed(lambda: ann.simulate(ann.params(), 0)),
        ),
        (
            "ANN explorer re-simulation, slider maximum (25 epochs)",
            _timed(lambda: ann.simulate(ann.params(epochs=25), 0)),
        ),
        (
            "SNN explorer re-simulation, defaults (2 runs, T = 6, 5 epochs)",
            _timed(lambda: snn.simulate(snn.params(), 0), repeat=2),
        ),
        (
            "SNN explorer re-simulation, slider maxima (T = 8, 8 epochs)",
            _timed(lambda: snn.simulate(snn.params(num_steps=8, epochs=8), 0), repeat=1),
        ),
    ]
    timing = "\n".join(f"| {name} | {med:.2f} | {worst:.2f} | {cpu:.2f} |" for name, (med, worst, cpu) in rows)
    return (
        "## Notebook 04: epochs to target per condition\n\n"
        f"{len(specs)} ANN runs ({len(SEEDS)} seeds x {len(training.CONDITIONS)} conditions x "
        f"{len(SIGMAS)} noise levels, {EPOCHS} epochs, SGD lr 0.02) trained as one ensemble in "
        f"{sweep_s:.1f} s. Target: 95 % of base's best epoch (mean curve over seeds). "
        "Cells: mean ± sd over seeds [min-max]; runs that never reach the target are counted.\n\n"
        f"{analysis.epochs_table(ens, SIGMAS, training.CONDITIONS)}\n\n"
        "Final fused test accuracy (mean ± sd over seeds):\n\n"
        f"{analysis.conditions_table(ens, SIGMAS, training.CONDITIONS)}\n\n"
        "What each ingredient adds (final accuracy in points, paired by seed: mean [95 % CI] "
        "(seeds up / seeds)):\n\n"
        f"{analysis.ablation_table(ens, SIGMAS)}\n\n"
        "Run times (s; targets: ANN control <= 1 s, SNN control <= 10 s):\n\n"
        "| what | wall median | wall max | CPU (min) |\n|---|---|---|---|\n" + timing
    )


if __name__ == "__main__":
    print(run())
