"""The shipped weights (``data/events/weights.npz``) and the script that regenerates them.

:func:`classifier` loads the spiking CNN trained on ``bins`` time bins (20, 5 or 1: one network
per choice); :func:`graph_filter` the learned denoiser. To regenerate, run
``python -m bioviz.events.weights`` from the repository root (it prints its run time), then
update ``data/SHA256SUMS`` as ``data/README.md`` says. Everything is seeded: the same versions
give the same weights.

Each classifier trains on :func:`bioviz.events.gestures.dataset` (samples 0..N-1, never the
test subset at :data:`~bioviz.events.gestures.TEST_SEED`), with Adam and a cosine learning rate,
a cross-entropy on the time-averaged readout plus ``sparsity`` times the mean spike density of
the three layers (without it, a quarter of the neurons of layers 2 and 3 spike at every step).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from bioviz.events import denoise, gestures, snn
from bioviz.runtime import memo, progress, torch_threads
from bioviz.validation import check_choice, check_int, check_seed

WEIGHTS = "events/weights.npz"
#: The shipped classifier's recipe.
RECIPE = dict(n_per_class=300, bins=20, epochs=15, batch=32, lr=1e-2, sparsity=1.0, seed=0)
#: Time bins of the shipped classifiers.
BINS = (20, 5, 1)


def _arrays():
    from bioviz import data

    return _load(str(data.path(WEIGHTS)))


@memo(maxsize=1)
def _load(file: str) -> dict:
    with np.load(file) as z:
        return {k: z[k] for k in z.files}


@memo(maxsize=4)
def classifier(bins: int = 20):
    """The shipped spiking CNN trained on ``bins`` time bins (eval mode)."""
    check_choice("bins", bins, BINS)
    return snn.load(snn.build(0), _arrays(), prefix=f"snn{bins}")


@memo(maxsize=1)
def graph_filter() -> denoise.GraphFilter:
    """The shipped learned denoiser."""
    return denoise.GraphFilter().load(_arrays())


def losses(bins: int = 20) -> np.ndarray:
    """The training loss per epoch of the shipped classifier."""
    return _arrays()[f"losses{check_choice('bins', bins, BINS)}"]


def train_classifier(
    n_per_class=RECIPE["n_per_class"],
    bins=RECIPE["bins"],
    epochs=RECIPE["epochs"],
    batch=RECIPE["batch"],
    lr=RECIPE["lr"],
    sparsity=RECIPE["sparsity"],
    seed=RECIPE["seed"],
    show_progress: bool = True,
):
    """Train the spiking CNN on ``bins`` time bins; returns the model and its per-epoch loss."""
    import torch

    n_per_class = check_int("n_per_class", n_per_class, 1)
    epochs = check_int("epochs", epochs, 1)
    seed = check_seed(seed)
    X, y = gestures.dataset(n_per_class, bins=bins, seed=seed * 100_000, show_progress=show_progress)
    X, y = torch.from_numpy(X).float(), torch.from_numpy(y)
    with torch_threads(1):
        model = snn.build(seed)
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        steps = epochs * ((len(X) + batch - 1) // batch)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
        g = torch.Generator().manual_seed(seed)
        losses = []
        for _ in progress(range(epochs), desc="training the spiking CNN", disable=not show_progress):
            model.train()
            perm, total = torch.randperm(len(X), generator=g), 0.0
            for i in range(0, len(X), batch):
                b = perm[i : i + batch]
                scores, spikes = model(X[b], record=True)
                density = torch.stack([s.mean() for s in spikes]).mean()
                loss = torch.nn.functional.cross_entropy(scores, y[b]) + sparsity * density
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
                total += float(loss.detach()) * len(b)
            losses.append(total / len(X))
    model.eval()
    return model, losses


def main(argv=None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="where to write (default: data/events/weights.npz)")
    args = parser.parse_args(argv)
    from bioviz.data import DATA_DIR

    out = args.out or DATA_DIR / WEIGHTS
    start = time.perf_counter()
    arrays = {}
    for bins in BINS:
        model, history = train_classifier(bins=bins)
        arrays.update(snn.state(model, prefix=f"snn{bins}"))
        arrays[f"losses{bins}"] = np.array(history)
    t_snn = time.perf_counter() - start
    arrays.update(denoise.train_filter().state())
    t_all = time.perf_counter() - start
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, **arrays)
    print(
        f"wrote {out} ({out.stat().st_size / 1e3:.1f} kB): classifiers {t_snn:.0f} s, "
        f"denoiser {t_all - t_snn:.0f} s"
    )
    return out


if __name__ == "__main__":
    main()
