"""A small sparse spiking CNN for event data (after Cordone, Miramond & Ferrante, IJCNN 2021).

Events, binned in time, drive strided convolutions into LIF neurons whose threshold is
normalised by the squared norm of their kernel, with a learnable leak (Cordone et al.'s code,
``models/sparse_spk_layers.py``):

    U_t = beta U_{t-1} + (1 - beta) (W * S_t)
    S_t = H(U_t / ||W||^2 - b)          (per output channel)
    U_t <- U_t - S_t b ||W||^2          (reset by subtraction)

``beta`` is one learnable number per layer, ``b`` one per channel; the spike's gradient is the
fast-sigmoid surrogate of snnTorch (``1 / (3 |x| + 1)^2``, the authors' choice). The readout
integrates the same way without spiking and its normalised potential, averaged over time,
gives the class scores.

Operation counts (:func:`op_counts`): an event-driven chip does work only when a spike arrives,
once per synapse it reaches (a **synaptic operation**); a dense accelerator multiplies every
input by every weight at every step (a **MAC**). Wall-clock time on this CPU says nothing about
either: torch runs the convolutions dense.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bioviz.validation import check_range, check_seed

#: Channels of the three convolutional layers (3 x 3, stride 2, padding 1): 32 -> 16 -> 8 -> 4.
CHANNELS = (4, 8, 16)
N_CLASSES = 6
BETA0, B0 = 0.8, 0.1
SLOPE = 3.0


def wn_lif_step(u, x, beta, w_norm2, b):
    """One step of weight-normalised LIF neurons (numpy): the spikes and the new potential.

    ``x`` is the synaptic input ``W * S_t``; ``w_norm2`` the squared norm of each neuron's kernel.

    >>> s, u = wn_lif_step(np.zeros(2), np.array([1.0, 0.1]), 0.5, 2.0, 0.2)
    >>> s.tolist(), np.round(u, 3).tolist()
    ([1.0, 0.0], [0.1, 0.05])
    """
    u = beta * u + (1 - beta) * x
    s = (u / w_norm2 - b > 0).astype(float)
    return s, u - s * b * w_norm2


def _torch():
    import torch

    return torch


def build(seed: int = 0, channels=CHANNELS, size: int = 32):
    """The network (a ``torch.nn.Module``), initialised from ``seed``."""
    import snntorch.surrogate as surrogate
    import torch
    from torch import nn

    spike_fn = surrogate.fast_sigmoid(slope=SLOPE)

    class WNLIF(nn.Module):
        """A layer (conv or linear, no bias) feeding weight-normalised LIF neurons."""

        def __init__(self, layer, spiking=True):
            super().__init__()
            self.layer = layer
            n_out = layer.out_channels if isinstance(layer, nn.Conv2d) else layer.out_features
            self.beta_logit = nn.Parameter(torch.tensor(float(np.log(BETA0 / (1 - BETA0)))))
            self.b = nn.Parameter(torch.full((n_out,), B0))
            self.spiking = spiking
            self.scale = 1.0  # multiplies b at evaluation (the explorer's threshold scale)

        @property
        def beta(self):
            return torch.sigmoid(self.beta_logit)

        def norm2(self):
            w = self.layer.weight
            n = (w**2).sum(dim=tuple(range(1, w.dim())))
            return n.view(1, -1, 1, 1) if w.dim() == 4 else n.view(1, -1)

        def forward(self, x, u):
            norm = self.norm2() + 1e-8
            b = (self.b * self.scale).view_as(norm[0])[None]
            u = self.beta * u + (1 - self.beta) * self.layer(x)
            if not self.spiking:
                return u / norm - b, u
            s = spike_fn(u / norm - b)
            return s, u - s.detach() * b * norm

    class SpikingCNN(nn.Module):
        def __init__(self):
            super().__init__()
            cin = 2
            convs = []
            for c in channels:
                convs.append(WNLIF(nn.Conv2d(cin, c, 3, stride=2, padding=1, bias=False)))
                cin = c
            self.convs = nn.ModuleList(convs)
            side = size // 2 ** len(channels)
            self.readout = WNLIF(nn.Linear(cin * side * side, N_CLASSES, bias=False), spiking=False)

        def forward(self, x, record: bool = False):
            """``x``: ``(batch, T, 2, H, W)`` counts; returns class scores (and every layer's spikes)."""
            batch, T = x.shape[:2]
            us = [None] * (len(self.convs) + 1)
            out, spikes = 0.0, [[] for _ in self.convs]
            for t in range(T):
                h = x[:, t]
                for i, layer in enumerate(self.convs):
                    if us[i] is None:
                        us[i] = torch.zeros_like(layer.layer(h))
                    h, us[i] = layer(h, us[i])
                    if record:
                        spikes[i].append(h)
                h = h.flatten(1)
                if us[-1] is None:
                    us[-1] = torch.zeros(batch, N_CLASSES)
                v, us[-1] = self.readout(h, us[-1])
                out = out + v
            scores = out / T
            if record:
                return scores, [torch.stack(s, dim=1) for s in spikes]
            return scores

    torch.manual_seed(check_seed(seed))
    return SpikingCNN()


def n_parameters(model) -> int:
    return sum(p.numel() for p in model.parameters())


def state(model, prefix: str = "snn") -> dict:
    """The parameters as numpy arrays named ``prefix.name`` (for ``np.savez``)."""
    return {f"{prefix}.{k}": v.detach().numpy() for k, v in model.state_dict().items()}


def load(model, arrays, prefix: str = "snn"):
    """Load the parameters saved by :func:`state` under ``prefix``; returns the model in eval mode."""
    torch = _torch()
    head = prefix + "."
    found = {k[len(head) :]: torch.from_numpy(np.asarray(arrays[k])) for k in arrays if k.startswith(head)}
    if not found:
        raise ValueError(f"no parameters named {head}* in the file")
    model.load_state_dict(found)
    return model.eval()


@dataclass(frozen=True)
class Evaluation:
    """A network on a test set: accuracy, predictions and operation counts."""

    accuracy: float
    predicted: np.ndarray
    labels: np.ndarray
    ops: Ops

    def confusion(self) -> np.ndarray:
        m = np.zeros((N_CLASSES, N_CLASSES), int)
        np.add.at(m, (self.labels, self.predicted), 1)
        return m


def evaluate(model, X, y, *, scale: float = 1.0, batch: int = 60) -> Evaluation:
    """Accuracy and operation counts of ``model`` on counts ``X`` ``(n, T, 2, H, W)``, labels ``y``,
    with the first layer's thresholds multiplied by ``scale``."""
    from bioviz.runtime import torch_threads

    torch = _torch()
    X = np.asarray(X)
    y = np.asarray(y)
    set_threshold_scale(model, 0, scale)
    preds, synops, macs, dens, events = [], 0.0, None, 0.0, 0.0
    try:
        with torch_threads(1), torch.no_grad():
            for i in range(0, len(X), batch):
                xb = X[i : i + batch].astype(np.float32)
                scores, spikes = model(torch.from_numpy(xb), record=True)
                preds.append(scores.argmax(1).numpy())
                ops = op_counts(xb, [s.numpy() for s in spikes])
                w = len(xb) / len(X)
                synops = synops + ops.synops * w
                dens = dens + ops.density * w
                events += ops.input_events * w
                macs = ops.macs
    finally:
        set_threshold_scale(model, 0, 1.0)
    pred = np.concatenate(preds)
    return Evaluation(float((pred == y).mean()), pred, y, Ops(synops, macs, dens, events))


def set_threshold_scale(model, layer: int, scale: float) -> None:
    """Multiply the thresholds ``b`` of conv layer ``layer`` (0-based) by ``scale`` at evaluation."""
    model.convs[layer].scale = check_range("scale", scale, 0.05, 20.0)


# ---------------------------------------------------------------------------------------------
# operation counts


def fanout(size: int, k: int = 3, stride: int = 2, padding: int = 1) -> np.ndarray:
    """For each input pixel of a ``size x size`` map, how many output positions it reaches.

    >>> fanout(4).astype(int).tolist()
    [[1, 2, 1, 1], [2, 4, 2, 2], [1, 2, 1, 1], [1, 2, 1, 1]]
    """
    out = (size + 2 * padding - k) // stride + 1
    count = np.zeros((size + 2 * padding, size + 2 * padding))
    for i in range(out):
        for j in range(out):
            count[i * stride : i * stride + k, j * stride : j * stride + k] += 1
    return count[padding : padding + size, padding : padding + size]


@dataclass(frozen=True)
class Ops:
    """Per layer (3 convolutions and the readout): synaptic operations and MACs per sample,
    and the spike density of each conv layer's output (fraction of neuron-steps that spike)."""

    synops: np.ndarray
    macs: np.ndarray
    density: np.ndarray
    input_events: float

    @property
    def reduction(self) -> float:
        return float(self.macs.sum() / max(self.synops.sum(), 1e-12))


def op_counts(x: np.ndarray, spikes, channels=CHANNELS, n_classes: int = N_CLASSES) -> Ops:
    """Operations per sample, given the input counts ``x`` ``(batch, T, 2, H, W)`` and every conv
    layer's spikes ``(batch, T, C, H', W')``.

    A layer's synaptic operations: every input spike, times the output positions its pixel
    reaches (:func:`fanout`), times the output channels. Its MACs: ``T * C_out * H_out * W_out
    * C_in * 9`` (the dense convolution at every step). The readout: every spike of the last
    layer reaches ``n_classes`` outputs; dense, ``T * inputs * n_classes``.
    """
    x = np.asarray(x, dtype=float)
    batch, T, cin, size, _ = x.shape
    inputs = [x] + [np.asarray(s, dtype=float) for s in spikes]
    synops, macs = [], []
    for i, cout in enumerate(channels):
        s = inputs[i]
        side = s.shape[-1]
        synops.append((s.sum(axis=(0, 1, 2)) * fanout(side)).sum() * cout / batch)
        out = (side + 1) // 2
        macs.append(T * cout * out * out * s.shape[2] * 9)
    last = inputs[-1]
    synops.append(last.sum() * n_classes / batch)
    macs.append(T * int(np.prod(last.shape[2:])) * n_classes)
    density = np.array([float(s.mean()) for s in inputs[1:]])
    return Ops(np.array(synops), np.array(macs, float), density, float(x.sum() / batch))
