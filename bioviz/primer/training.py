r"""Surrogate-gradient training of a small SNN on sklearn's digits, against an equal ANN.

Network (both): 64 inputs -> ``n_hidden`` -> 10 outputs.

- **SNN**: the 8x8 digit is rate-encoded (Bernoulli spikes, one draw per step); the hidden
  layer is snnTorch ``Leaky`` neurons, :math:`U_t = \beta U_{t-1} + W_1 x_t - S_{t-1}\vartheta`,
  :math:`S_t = H(U_t - \vartheta)`; the output layer is a non-spiking leaky readout
  :math:`M_t = \beta M_{t-1} + W_2 S_t` whose time average is the logit. The Heaviside step
  :math:`H` has zero derivative almost everywhere, so backpropagation through time replaces it
  by a *surrogate*: fast sigmoid :math:`\partial S/\partial U \approx 1/(1 + k|U-\vartheta|)^2`
  or snnTorch's arctan :math:`\approx (\alpha/2)/(1 + (\pi \alpha (U-\vartheta)/2)^2)` with
  :math:`\alpha = k/12.5` (both peak at 1 when :math:`k = 25`). ``surrogate="none"`` keeps the
  true (zero) derivative: then only the readout learns, on random spiking features;
  ``"straight_through"`` passes the gradient unchanged (:math:`\partial S/\partial U = 1`).
  ``hidden_layers`` stacks that many spiking layers of ``n_hidden`` neurons; ``spike_grad``
  takes any callable ``f(U - threshold) -> spikes`` (e.g. a student's own autograd function).
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
import snntorch as snn
import torch
from torch import nn

from bioviz.data import digits
from bioviz.parallel import Backend, pmap, resolve
from bioviz.runtime import fit, torch_threads
from bioviz.sweeps import SweepResult, grid_points
from bioviz.validation import check_choice, check_int, check_positive, check_range, check_seed

SURROGATES = ("fast_sigmoid", "atan", "straight_through", "none")
KINDS = ("snn", "ann")


@functools.cache
def digits_split():
    """The digits' "test30" split (:func:`bioviz.data.digits`: 30% held out) as torch tensors."""
    Xtr, Xte, ytr, yte = digits("test30")
    f = functools.partial(torch.tensor, dtype=torch.float32)
    return f(Xtr), f(Xte), torch.tensor(ytr), torch.tensor(yte)


def _surrogate(name: str, slope: float):
    from snntorch import surrogate

    if name == "fast_sigmoid":
        return surrogate.fast_sigmoid(slope=slope)
    if name == "atan":
        return surrogate.atan(alpha=slope / 12.5)  # alpha 2 (snnTorch's default) at slope 25
    if name == "straight_through":
        return surrogate.straight_through_estimator()
    return None


class SpikingMLP(nn.Module):
    """The digits SNN: rate-coded input spikes, ``hidden_layers`` snnTorch Leaky layers and a
    leaky readout averaged over ``num_steps`` (``forward`` also returns the spike counts)."""

    def __init__(
        self,
        n_hidden=128,
        beta=0.9,
        num_steps=10,
        surrogate="fast_sigmoid",
        slope=25.0,
        hidden_layers=1,
        spike_grad=None,
    ):
        super().__init__()
        self.num_steps, self.beta = num_steps, beta
        sizes = [64] + [n_hidden] * hidden_layers
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=True))
        self.fc2 = nn.Linear(n_hidden, 10)
        if spike_grad is not None:
            make = lambda: snn.Leaky(beta=beta, spike_grad=spike_grad)  # noqa: E731
        elif surrogate == "none":
            make = lambda: snn.Leaky(beta=beta, surrogate_disable=True)  # noqa: E731
        else:
            make = lambda: snn.Leaky(beta=beta, spike_grad=_surrogate(surrogate, slope))  # noqa: E731
        self.lifs = nn.ModuleList(make() for _ in range(hidden_layers))

    @property
    def fc1(self):
        return self.hidden[0]

    def forward(self, x, generator):
        mems = [lif.init_leaky() for lif in self.lifs]
        readout = torch.zeros(x.shape[0], 10)
        total = torch.zeros(x.shape[0], 10)
        in_spikes = torch.zeros(x.shape[0])
        hid_spikes = torch.zeros(x.shape[0], len(self.lifs), self.fc1.out_features)
        for _ in range(self.num_steps):
            spk = (torch.rand(x.shape, generator=generator) < x).float()
            in_spikes = in_spikes + spk.sum(1)
            for i, (fc, lif) in enumerate(zip(self.hidden, self.lifs, strict=True)):
                spk, mems[i] = lif(fc(spk), mems[i])
                hid_spikes[:, i] += spk
            readout = self.beta * readout + self.fc2(spk)
            total = total + readout
        return total / self.num_steps, in_spikes, hid_spikes


class MLP(nn.Module):
    """The equal ANN: the same layer sizes with ReLU units."""

    def __init__(self, n_hidden=128, hidden_layers=1):
        super().__init__()
        layers, width = [], 64
        for _ in range(hidden_layers):
            layers += [nn.Linear(width, n_hidden), nn.ReLU()]
            width = n_hidden
        self.net = nn.Sequential(*layers, nn.Linear(n_hidden, 10))

    @property
    def fc1(self):
        return self.net[0]

    def forward(self, x, generator=None):
        return self.net(x), None, None


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


def train(
    kind: str = "snn",
    *,
    n_hidden: int = 128,
    epochs: int = 15,
    lr: float = 2e-3,
    batch_size: int = 64,
    beta: float = 0.9,
    num_steps: int = 10,
    surrogate: str = "fast_sigmoid",
    slope: float = 25.0,
    spike_penalty: float = 1.0,
    hidden_layers: int = 1,
    spike_grad=None,
    seed: int = 0,
    show_progress: bool = True,
) -> TrainResult:
    """Train the SNN or the ANN on the digits split; return accuracy, history and activity.

    Deterministic for a given ``seed`` (weights, batch order and input spikes all come from it).
    Runs on one torch thread (faster for models this small on a 2-core machine).
    ``history["grad_first"]`` holds, per epoch, the mean norm of the loss gradient reaching the
    first layer's weights: exactly 0 when no gradient crosses the spikes.
    ``spike_grad`` (SNN only) replaces ``surrogate``: a callable taking ``U - threshold``.
    """
    check_choice("kind", kind, KINDS)
    n_hidden = check_int("n_hidden", n_hidden, 1, 4096)
    epochs = check_int("epochs", epochs, 1, 1000)
    lr = check_positive("lr", lr)
    batch_size = check_int("batch_size", batch_size, 1, 100_000)
    beta = check_range("beta", beta, 0.0, 1.0)
    num_steps = check_int("num_steps", num_steps, 1, 1000)  # 10**9 steps filled 7.7 GB
    check_choice("surrogate", surrogate, SURROGATES)
    slope = check_positive("slope", slope)
    spike_penalty = check_positive("spike_penalty", spike_penalty, allow_zero=True)
    hidden_layers = check_int("hidden_layers", hidden_layers, 1, 8)
    if spike_grad is not None and not callable(spike_grad):
        raise ValueError(f"spike_grad must be callable or None, got {spike_grad!r}")
    seed = check_seed(seed)
    config = dict(
        kind=kind,
        n_hidden=n_hidden,
        hidden_layers=hidden_layers,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        beta=beta,
        num_steps=num_steps,
        surrogate=surrogate,
        slope=slope,
        spike_penalty=spike_penalty,
        seed=seed,
    )

    Xtr, Xte, ytr, yte = digits_split()
    t0 = time.perf_counter()
    with torch_threads(1):
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        model = (
            SpikingMLP(n_hidden, beta, num_steps, surrogate, slope, hidden_layers, spike_grad)
            if kind == "snn"
            else MLP(n_hidden, hidden_layers)
        )
        first, norms = model.fc1.weight, []

        def batch_loss(xb, yb):
            out, _, hid = model(xb, gen)
            loss = torch.nn.functional.cross_entropy(out, yb)
            if kind == "snn" and spike_penalty > 0:
                loss = loss + spike_penalty * hid.mean() / num_steps
            return loss

        def record_gradient():  # the gradient reaching the first layer (0 without a surrogate)
            norms.append(float(first.grad.norm()) if first.grad is not None else 0.0)

        def evaluate():
            grad_first = sum(norms) / len(norms)
            norms.clear()
            return {"test_acc": _evaluate(model, Xte, yte, gen)[0], "grad_first": grad_first}

        history = fit(
            model,
            Xtr,
            ytr,
            batch_loss,
            evaluate,
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            generator=gen,
            after_backward=record_gradient,
            desc=f"training {kind}",
            show_progress=show_progress,
        )
        acc, in_spikes, hid = _evaluate(model, Xte, yte, gen)
    seconds = time.perf_counter() - t0
    n_params = sum(p.numel() for p in model.parameters())
    result = TrainResult(
        kind=kind,
        test_acc=acc,
        seconds=seconds,
        n_params=n_params,
        synops=float(64 * n_hidden + (hidden_layers - 1) * n_hidden**2 + n_hidden * 10),
        history=history,
        config=config,
        model=model,
    )
    if kind == "snn":
        per_layer = hid.sum(2)  # (samples, layers): spikes of each hidden layer
        counts = per_layer.sum(1).numpy()
        result.hidden_counts = counts
        result.firing_prob = float(hid.mean()) / num_steps
        result.input_prob = float(in_spikes.mean()) / (64 * num_steps)
        fan_out = [n_hidden] * (hidden_layers - 1) + [10]  # each layer's spikes feed the next
        result.synops = float(in_spikes.mean()) * n_hidden + sum(
            float(per_layer[:, i].mean()) * f for i, f in enumerate(fan_out)
        )
    return result


def _evaluate(model, X, y, gen):
    model.eval()
    with torch.no_grad():
        out, in_spikes, hid = model(X, gen)
    return float((out.argmax(1) == y).float().mean()), in_spikes, hid


def surrogate_curves(slope: float = 25.0, x_range: float = 1.0, n: int = 401) -> dict:
    """The spike function and the surrogate derivatives, via autograd through snnTorch.

    Returns ``x`` (U - threshold), ``heaviside``, and dS/dU for ``fast_sigmoid`` and ``atan``.
    """
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


def snn_vs_ann(
    seeds=(0, 1, 2), parallel: str | Backend | None = None, show_progress: bool = True, **kwargs
) -> SweepResult:
    """Train the SNN and the equal ANN once per seed (same settings otherwise).

    Returns a :class:`~bioviz.sweeps.SweepResult` on the grid ``seed x model`` (``"snn"``,
    ``"ann"``) with values ``test_acc``, ``firing_prob`` (NaN for the ANN) and ``seconds``;
    each :class:`TrainResult` is in ``runs`` (``runs_of(result, "snn")`` lists them by seed).
    Runs go through :func:`bioviz.parallel.pmap` (``parallel``; serial by default).
    """
    seeds = tuple(check_seed(s) for s in seeds)
    if not seeds:
        raise ValueError("seeds must not be empty")
    ann_kwargs = {
        k: v for k, v in kwargs.items() if k in ("n_hidden", "epochs", "lr", "batch_size", "hidden_layers")
    }
    axes = {"seed": seeds, "model": ("snn", "ann")}
    jobs = [
        dict(
            kind=p["model"], seed=p["seed"], show_progress=False, **(kwargs if p["model"] == "snn" else ann_kwargs)
        )
        for p in grid_points(axes)
    ]
    runs = pmap(
        train, jobs, unpack=True, parallel=resolve(parallel), desc="SNN and ANN", show_progress=show_progress
    )
    return _sweep_of(axes, runs, settings=dict(kwargs))


def _sweep_of(axes: dict, runs: list[TrainResult], settings: dict) -> SweepResult:
    points = [
        dict(
            test_acc=r.test_acc,
            firing_prob=r.firing_prob,
            grad_first=r.history["grad_first"][0],
            seconds=r.seconds,
        )
        for r in runs
    ]
    return SweepResult.from_points(axes, points, runs=runs, settings=settings)


def runs_of(sweep: SweepResult, model: str) -> list[TrainResult]:
    """The :class:`TrainResult` of every seed of one model of a sweep, in seed order."""
    one = sweep.sel(model=model)
    return [one.run(**p) for p in one.points()]


def surrogate_shape(name: str, slope: float = 25.0) -> dict:
    """Peak, area and full width at half maximum of a surrogate derivative, in closed form.

    - fast sigmoid :math:`1/(1+k|x|)^2`: peak 1, area :math:`2/k`, width :math:`2(\\sqrt2-1)/k`;
    - arctan (snnTorch's, :math:`\\alpha = k/12.5`) :math:`\\frac{\\alpha/2}{1+(\\pi\\alpha x/2)^2}`:
      peak :math:`\\alpha/2`, area 1 whatever :math:`\\alpha`, width :math:`4/(\\pi\\alpha)`.

    The area is the total gradient the surrogate passes, integrated over the membrane potential;
    at the default slope 25 both peak at 1, but the fast sigmoid's area is 12.5x smaller.

    >>> {k: round(v, 3) for k, v in surrogate_shape("fast_sigmoid", 25).items()}
    {'peak': 1.0, 'area': 0.08, 'width': 0.033}
    >>> {k: round(v, 3) for k, v in surrogate_shape("atan", 25).items()}
    {'peak': 1.0, 'area': 1.0, 'width': 0.637}
    """
    check_choice("name", name, ("fast_sigmoid", "atan"))
    k = check_positive("slope", slope)
    if name == "fast_sigmoid":
        return dict(peak=1.0, area=2.0 / k, width=float(2.0 * (np.sqrt(2.0) - 1.0) / k))
    alpha = k / 12.5
    return dict(peak=alpha / 2.0, area=1.0, width=float(4.0 / (np.pi * alpha)))


#: Surrogates compared by :func:`depth_sweep`: label -> train() arguments. The fast sigmoid at
#: k = 2 matches the arctan (alpha = 2) in both peak (1) and area (1); at k = 25 (snnTorch's
#: default) it has the same peak but 1/12.5 of the area.
DEPTH_SURROGATES = {
    "fast sigmoid k=25": dict(surrogate="fast_sigmoid", slope=25.0),
    "fast sigmoid k=2": dict(surrogate="fast_sigmoid", slope=2.0),
    "arctan alpha=2": dict(surrogate="atan", slope=25.0),
    "none (true derivative)": dict(surrogate="none"),
}


def depth_sweep(
    depths=(1, 2, 3),
    surrogates=None,
    seeds=(0, 1, 2),
    epochs: int = 15,
    parallel: str | Backend | None = None,
    show_progress: bool = True,
    **kwargs,
) -> SweepResult:
    """Train SNNs with 1..3 hidden spiking layers for each surrogate and seed, and the ANN of the same depth.

    Returns a :class:`~bioviz.sweeps.SweepResult` on the grid ``seed x depth x model`` (the
    surrogates' labels, then ``"ANN"``) with values ``test_acc``, ``firing_prob`` (NaN for the
    ANN), ``grad_first`` (first epoch's mean gradient norm reaching the first layer) and
    ``seconds``; each point's :class:`TrainResult` is in ``runs``.

    ``surrogates`` maps a label to :func:`train` arguments (default :data:`DEPTH_SURROGATES`).
    Runs go through :func:`bioviz.parallel.pmap` (``parallel``; serial by default).
    """
    surrogates = DEPTH_SURROGATES if surrogates is None else dict(surrogates)
    if not surrogates:
        raise ValueError("surrogates must not be empty")
    if "ANN" in surrogates:
        raise ValueError("'ANN' is the label of the ANN baseline; give the surrogate another name")
    depths = tuple(check_int("depth", d, 1, 8) for d in depths)
    epochs = check_int("epochs", epochs, 1, 1000)
    seeds = tuple(check_seed(s) for s in seeds)
    if not depths or not seeds:
        raise ValueError("depths and seeds must not be empty")
    axes = {"seed": seeds, "depth": depths, "model": (*surrogates, "ANN")}
    ann_kwargs = {k: v for k, v in kwargs.items() if k in ("n_hidden", "lr", "batch_size")}
    jobs = [
        dict(
            kind="ann", hidden_layers=p["depth"], epochs=epochs, seed=p["seed"], show_progress=False, **ann_kwargs
        )
        if p["model"] == "ANN"
        else dict(
            kind="snn",
            hidden_layers=p["depth"],
            epochs=epochs,
            seed=p["seed"],
            show_progress=False,
            **surrogates[p["model"]],
            **kwargs,
        )
        for p in grid_points(axes)
    ]
    runs = pmap(
        train, jobs, unpack=True, parallel=resolve(parallel), desc="depth sweep", show_progress=show_progress
    )
    return _sweep_of(axes, runs, settings=dict(epochs=epochs, **kwargs))
