r"""Surrogate-gradient training of a small SNN on sklearn's digits, against an equal ANN.

Network (both): 64 inputs -> ``n_hidden`` -> 10 outputs.

- **SNN**: the 8x8 digit is rate-encoded (Bernoulli spikes, one draw per step); the hidden
  layer is snnTorch ``Leaky`` neurons, :math:`U_t = \beta U_{t-1} + W_1 x_t - S_{t-1}\vartheta`,
  :math:`S_t = H(U_t - \vartheta)`; the output layer is a non-spiking leaky readout
  :math:`M_t = \beta M_{t-1} + W_2 S_t` whose time average is the logit. The Heaviside step
  :math:`H` has zero derivative almost everywhere, so backpropagation through time replaces it
  by a *surrogate*: fast sigmoid :math:`\partial S/\partial U \approx 1/(1 + k|U-\vartheta|)^2`
  or arctan :math:`\approx 1/(1 + (\pi k (U-\vartheta)/2)^2)`. ``surrogate="none"`` keeps the
  true (zero) derivative: then only the readout learns, on random spiking features.
  An optional activity penalty (``spike_penalty`` times the mean firing probability) makes the
  hidden code sparse.
- **ANN**: the same layer sizes with ReLU, trained on the pixel values.

Synaptic operations per sample: the SNN performs one accumulate per spike per outgoing synapse
(input spikes x n_hidden + hidden spikes x 10); the ANN one multiply-accumulate per weight
(64 x n_hidden + n_hidden x 10). Accumulates are cheaper than MACs on neuromorphic hardware,
so the ratio is an optimistic lower bound on the SNN's relative cost, not an energy estimate.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field

import numpy as np

from bioviz.runtime import progress, torch_threads
from bioviz.validation import check_choice, check_int, check_positive, check_range, check_seed

SURROGATES = ("fast_sigmoid", "atan", "none")
KINDS = ("snn", "ann")


@functools.cache
def digits_split(test_size: float = 0.3, split_seed: int = 0):
    """sklearn digits scaled to [0, 1], stratified train/test split, as torch tensors."""
    import torch
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X / 16.0, y, test_size=test_size, stratify=y,
                                          random_state=split_seed)
    f = functools.partial(torch.tensor, dtype=torch.float32)
    return f(Xtr), f(Xte), torch.tensor(ytr), torch.tensor(yte)


def _surrogate(name: str, slope: float):
    from snntorch import surrogate

    if name == "fast_sigmoid":
        return surrogate.fast_sigmoid(slope=slope)
    if name == "atan":
        return surrogate.atan(alpha=slope / 12.5)  # alpha 2 (snnTorch's default) at slope 25
    return None


def _models():
    """Define the torch modules lazily (torch is imported on first use only)."""
    import snntorch as snn
    import torch
    from torch import nn

    class SpikingMLP(nn.Module):
        def __init__(self, n_hidden=128, beta=0.9, num_steps=10, surrogate="fast_sigmoid",
                     slope=25.0):
            super().__init__()
            self.num_steps, self.beta = num_steps, beta
            self.fc1, self.fc2 = nn.Linear(64, n_hidden), nn.Linear(n_hidden, 10)
            if surrogate == "none":
                self.lif = snn.Leaky(beta=beta, surrogate_disable=True)
            else:
                self.lif = snn.Leaky(beta=beta, spike_grad=_surrogate(surrogate, slope))

        def forward(self, x, generator):
            mem1 = self.lif.init_leaky()
            readout = torch.zeros(x.shape[0], 10)
            total = torch.zeros(x.shape[0], 10)
            in_spikes = torch.zeros(x.shape[0])
            hid_spikes = torch.zeros(x.shape[0], self.fc1.out_features)
            for _ in range(self.num_steps):
                xt = (torch.rand(x.shape, generator=generator) < x).float()
                spk, mem1 = self.lif(self.fc1(xt), mem1)
                readout = self.beta * readout + self.fc2(spk)
                total = total + readout
                in_spikes = in_spikes + xt.sum(1)
                hid_spikes = hid_spikes + spk
            return total / self.num_steps, in_spikes, hid_spikes

    class MLP(nn.Module):
        def __init__(self, n_hidden=128):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(64, n_hidden), nn.ReLU(), nn.Linear(n_hidden, 10))

        def forward(self, x, generator=None):
            return self.net(x), None, None

    return SpikingMLP, MLP


@dataclass
class TrainResult:
    """Outcome of :func:`train`.

    ``history`` has one entry per epoch (``loss``, ``test_acc``). For the SNN, ``hidden_counts``
    holds each test sample's hidden spike count, ``firing_prob`` the mean probability that a
    hidden neuron spikes in a step; ``synops`` is synaptic operations per test sample.
    """

    kind: str
    test_acc: float
    seconds: float
    n_params: int
    synops: float
    history: dict = field(default_factory=dict)
    firing_prob: float = float("nan")
    input_prob: float = float("nan")
    hidden_counts: np.ndarray | None = None
    config: dict = field(default_factory=dict)
    model: object = field(default=None, repr=False)


def train(kind: str = "snn", *, n_hidden: int = 128, epochs: int = 15, lr: float = 2e-3,
          batch_size: int = 64, beta: float = 0.9, num_steps: int = 10,
          surrogate: str = "fast_sigmoid", slope: float = 25.0, spike_penalty: float = 1.0,
          seed: int = 0, show_progress: bool = False) -> TrainResult:
    """Train the SNN or the ANN on the digits split; return accuracy, history and activity.

    Deterministic for a given ``seed`` (weights, batch order and input spikes all come from it).
    Runs on one torch thread (faster for models this small on a 2-core machine).
    """
    import torch

    check_choice("kind", kind, KINDS)
    n_hidden = check_int("n_hidden", n_hidden, 1)
    epochs = check_int("epochs", epochs, 1)
    lr = check_positive("lr", lr)
    batch_size = check_int("batch_size", batch_size, 1)
    beta = check_range("beta", beta, 0.0, 1.0)
    num_steps = check_int("num_steps", num_steps, 1)
    check_choice("surrogate", surrogate, SURROGATES)
    slope = check_positive("slope", slope)
    spike_penalty = check_positive("spike_penalty", spike_penalty, allow_zero=True)
    seed = check_seed(seed)
    config = dict(kind=kind, n_hidden=n_hidden, epochs=epochs, lr=lr, batch_size=batch_size,
                  beta=beta, num_steps=num_steps, surrogate=surrogate, slope=slope,
                  spike_penalty=spike_penalty, seed=seed)

    Xtr, Xte, ytr, yte = digits_split()
    SpikingMLP, MLP = _models()
    t0 = time.perf_counter()
    with torch_threads(1):
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        model = (SpikingMLP(n_hidden, beta, num_steps, surrogate, slope) if kind == "snn"
                 else MLP(n_hidden))
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        history = {"epoch": [], "loss": [], "test_acc": []}
        epochs_iter = progress(range(epochs), desc=f"training {kind}", disable=not show_progress)
        for epoch in epochs_iter:
            model.train()
            perm = torch.randperm(len(Xtr), generator=gen)
            total, batches = 0.0, 0
            for i in range(0, len(Xtr), batch_size):
                idx = perm[i : i + batch_size]
                out, _, hid = model(Xtr[idx], gen)
                loss = torch.nn.functional.cross_entropy(out, ytr[idx])
                if kind == "snn" and spike_penalty > 0:
                    loss = loss + spike_penalty * hid.mean() / num_steps
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += loss.item()
                batches += 1
            acc, *_ = _evaluate(model, Xte, yte, gen)
            history["epoch"].append(epoch + 1)
            history["loss"].append(total / batches)
            history["test_acc"].append(acc)
        acc, in_spikes, hid = _evaluate(model, Xte, yte, gen)
    seconds = time.perf_counter() - t0
    n_params = sum(p.numel() for p in model.parameters())
    result = TrainResult(kind=kind, test_acc=acc, seconds=seconds, n_params=n_params,
                         synops=float(64 * n_hidden + n_hidden * 10), history=history,
                         config=config, model=model)
    if kind == "snn":
        counts = hid.sum(1).numpy()
        result.hidden_counts = counts
        result.firing_prob = float(hid.mean()) / num_steps
        result.input_prob = float(in_spikes.mean()) / (64 * num_steps)
        result.synops = float(in_spikes.mean()) * n_hidden + float(counts.mean()) * 10
    return result


def _evaluate(model, X, y, gen):
    import torch

    model.eval()
    with torch.no_grad():
        out, in_spikes, hid = model(X, gen)
    return float((out.argmax(1) == y).float().mean()), in_spikes, hid


def surrogate_curves(slope: float = 25.0, x_range: float = 1.0, n: int = 401) -> dict:
    """The spike function and the surrogate derivatives, via autograd through snnTorch.

    Returns ``x`` (U - threshold), ``heaviside``, and dS/dU for ``fast_sigmoid`` and ``atan``.
    """
    import torch

    slope = check_positive("slope", slope)
    x_range = check_positive("x_range", x_range)
    x = np.linspace(-x_range, x_range, n)
    curves = {"x": x, "heaviside": (x > 0).astype(float)}
    for name in ("fast_sigmoid", "atan"):
        u = torch.tensor(x, dtype=torch.float32, requires_grad=True)
        spk = _surrogate(name, slope)(u)
        spk.sum().backward()
        curves[name] = u.grad.numpy().astype(float)
    return curves


def snn_vs_ann(seeds=(0, 1, 2), show_progress: bool = True, **kwargs) -> dict[str, list[TrainResult]]:
    """Train the SNN and the equal ANN once per seed (same settings otherwise)."""
    seeds = [check_seed(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must not be empty")
    out = {"snn": [], "ann": []}
    for seed in progress(seeds, desc="seeds", disable=not show_progress):
        out["snn"].append(train("snn", seed=seed, **kwargs))
        ann_kwargs = {k: v for k, v in kwargs.items() if k in ("n_hidden", "epochs", "lr", "batch_size")}
        out["ann"].append(train("ann", seed=seed, **ann_kwargs))
    return out
