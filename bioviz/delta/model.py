"""The Delta Activation Layer on a small MLP over digit videos (Yousefzadeh & Sifalakis, 2021).

A **delta layer** sits on the input of every linear layer. It quantises the activation with a
step ``q``, :math:`\\hat a_t = q\\,\\mathrm{round}(a_t / q)`, and sends on only the change
:math:`\\Delta_t = \\hat a_t - \\hat a_{t-1}` (the first frame in full, :math:`\\hat a_0 = 0`).
The next layer keeps its pre-activation as state,

.. math:: z_t = z_{t-1} + W \\Delta_t \\;(= W \\hat a_t + b \\text{ by linearity}),

so a change smaller than half a step costs nothing: on slowly changing input most deltas are
exact zeros, which a sparsity-aware accelerator skips. Delta inference gives the same outputs as
the dense pass on the quantised activations, up to float rounding of the accumulation: a hidden
activation within that rounding (~1e-6) of a step boundary can round to the neighbouring step
in one pass and not the other (a few values in a million at small ``q``).

Counts per frame (averaged over frames and videos): ``nonzero_dense`` the non-zero inputs of the
three linear layers in the ordinary float pass (what a zero-skipping accelerator would process
without delta coding), ``nonzero_quantised`` those of the quantised pass (rounding alone already
zeroes small values), ``nonzero_delta`` the non-zero deltas; ``ops_dense`` / ``ops_delta`` the
same weighted by each layer's fan-out (multiply-accumulates). Training with an L1 penalty on the
deltas (weighted by fan-out) pushes more of them to zero; rounding passes its gradient straight
through (the straight-through estimator).

>>> net = train(epochs=1, seed=0, show_progress=False).model
>>> x = torch.rand(2, 12, 196)
>>> bool(torch.allclose(delta_forward(net, x, q=0.1).logits, dense_forward(net, x, q=0.1).logits, atol=1e-4))
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from bioviz.delta import video
from bioviz.runtime import fit, memo, progress, torch_threads
from bioviz.validation import check_int, check_positive, check_range, check_seed

SIZES = (196, 128, 64, 10)
#: Quantisation steps of the post-hoc sweep (log-spaced).
Q_VALUES = (0.025, 0.05, 0.1, 0.2, 0.4)
MAX_Q = 2.0


def check_q(q) -> float:
    """A quantisation step in (0, 2] (activations and pixels are of order 1)."""
    q = check_positive("q", q)
    if q > MAX_Q:
        raise ValueError(f"q must be <= {MAX_Q} (every activation would round to 0), got {q}")
    return q


class MLP(nn.Module):
    """196-128-64-10 with ReLU; a video's class scores are the mean of its frames' logits."""

    def __init__(self, seed: int = 0):
        super().__init__()
        torch.manual_seed(check_seed(seed))
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(SIZES[:-1], SIZES[1:], strict=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (batch, T, 196)
        return dense_forward(self, x).logits.mean(1)


# ---------------------------------------------------------------------------------------------
# the quantiser and the two forward passes


class RoundSTE(torch.autograd.Function):
    """``round`` in the forward pass, the identity in the backward pass (straight-through)."""

    @staticmethod
    def forward(ctx, x):
        return torch.round(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


def quantise(a: torch.Tensor, q: float) -> torch.Tensor:
    """``q * round(a / q)``, with the rounding's gradient passed straight through.

    >>> a = torch.tensor([0.04, 0.06, -0.26], requires_grad=True)
    >>> out = quantise(a, 0.1)
    >>> out.sum().backward()
    >>> [round(v, 2) for v in out.tolist()], a.grad.tolist()
    ([0.0, 0.1, -0.3], [1.0, 1.0, 1.0])
    """
    return q * RoundSTE.apply(a / q)


@dataclass
class Pass:
    """One forward pass over a batch of videos: per-frame logits ``(B, T, 10)`` and, for each of
    the three linear layers, its input activations (``acts``) and deltas (``deltas``), ``(B, T, n)``."""

    logits: torch.Tensor
    acts: list = field(default_factory=list)
    deltas: list = field(default_factory=list)


def dense_forward(net: MLP, x: torch.Tensor, q: float | None = None) -> Pass:
    """Every frame through the network at once; with ``q``, each layer's input is quantised and
    its deltas (frame-to-frame changes, the first frame against zero) are returned too."""
    out = Pass(logits=x)
    a = x
    for i, layer in enumerate(net.layers):
        if q is not None:
            a = quantise(a, q)
            prev = torch.cat([torch.zeros_like(a[:, :1]), a[:, :-1]], dim=1)
            out.deltas.append(a - prev)
        out.acts.append(a)
        a = layer(a)
        if i < len(net.layers) - 1:
            a = torch.relu(a)
    out.logits = a
    return out


def delta_forward(net: MLP, x: torch.Tensor, q: float) -> Pass:
    """Frame by frame, each linear layer driven only by the change of its quantised input.

    The state of layer ``l`` is its pre-activation ``z`` (starting at the bias); each frame adds
    ``W @ delta``. Returns the same logits as ``dense_forward(net, x, q)`` and the deltas.
    """
    q = check_q(q)
    B, T, _ = x.shape
    with torch.no_grad():
        z = [layer.bias.expand(B, -1).clone() for layer in net.layers]
        prev = [torch.zeros(B, n) for n in SIZES[:-1]]
        logits, deltas = [], [[] for _ in net.layers]
        for t in range(T):
            a = x[:, t]
            for i, layer in enumerate(net.layers):
                a_hat = q * torch.round(a / q)
                d = a_hat - prev[i]
                prev[i] = a_hat
                z[i] = z[i] + d @ layer.weight.T  # only the non-zero entries of d cost anything
                deltas[i].append(d)
                a = torch.relu(z[i]) if i < len(net.layers) - 1 else z[i]
            logits.append(a)
    return Pass(logits=torch.stack(logits, 1), deltas=[torch.stack(d, 1) for d in deltas])


# ---------------------------------------------------------------------------------------------
# counting


@dataclass(frozen=True)
class Counts:
    """Accuracy and per-frame counts of one network on one set of videos at one step ``q``."""

    q: float
    accuracy: float
    float_accuracy: float
    nonzero_dense: float
    nonzero_quantised: float
    nonzero_delta: float
    ops_dense: float
    ops_delta: float
    density: float
    per_layer_delta: tuple
    per_layer_dense: tuple

    @property
    def reduction(self) -> float:
        """How many times fewer non-zero values the delta network sends than the dense one."""
        return self.nonzero_dense / max(self.nonzero_delta, 1e-12)

    @property
    def temporal_reduction(self) -> float:
        """How many times fewer non-zero deltas than non-zero *quantised* activations: the part
        of :attr:`reduction` that comes from sending changes only (the rest is rounding)."""
        return self.nonzero_quantised / max(self.nonzero_delta, 1e-12)

    @property
    def ops_reduction(self) -> float:
        return self.ops_dense / max(self.ops_delta, 1e-12)


FAN_OUT = SIZES[1:]


def count(net: MLP, v: np.ndarray, y: np.ndarray, q: float) -> Counts:
    """Accuracy (quantised; the delta pass gives the same) and non-zero counts at step ``q``."""
    q = check_q(q)
    x = torch.tensor(np.asarray(v, dtype=np.float32).reshape(len(v), v.shape[1], -1))
    yt = torch.tensor(np.asarray(y))
    with torch_threads(1), torch.no_grad():
        dense = dense_forward(net, x)
        quant = dense_forward(net, x, q)
    per_frame = len(v) * x.shape[1]
    nz_dense = [float((a != 0).sum()) / per_frame for a in dense.acts]
    nz_delta = [float((d != 0).sum()) / per_frame for d in quant.deltas]
    nz_quant = [float((a != 0).sum()) / per_frame for a in quant.acts]
    return Counts(
        q=q,
        accuracy=float((quant.logits.mean(1).argmax(1) == yt).float().mean()),
        float_accuracy=float((dense.logits.mean(1).argmax(1) == yt).float().mean()),
        nonzero_dense=sum(nz_dense),
        nonzero_quantised=sum(nz_quant),
        nonzero_delta=sum(nz_delta),
        ops_dense=sum(n * f for n, f in zip(nz_dense, FAN_OUT, strict=True)),
        ops_delta=sum(n * f for n, f in zip(nz_delta, FAN_OUT, strict=True)),
        density=sum(nz_dense) / sum(SIZES[:-1]),
        per_layer_delta=tuple(nz_delta),
        per_layer_dense=tuple(nz_dense),
    )


def q_sweep(net: MLP, v: np.ndarray, y: np.ndarray, qs=Q_VALUES) -> list[Counts]:
    """:func:`count` at every step in ``qs``."""
    return [count(net, v, y, q) for q in qs]


@memo(maxsize=16)
def test_curve(lam: float, qs: tuple, seed: int = 0) -> tuple[Counts, ...]:
    """:func:`q_sweep` on the test videos of the float network (``lam < 0``) or of
    :func:`fine_tuned` with penalty ``lam`` (cached per process)."""
    net = trained(seed) if lam < 0 else fine_tuned(lam, 0.1, seed)
    v, y = video.videos("test")
    return tuple(q_sweep(net, v, y, qs))


# ---------------------------------------------------------------------------------------------
# training


@dataclass
class Trained:
    model: MLP
    history: dict
    settings: dict


def _tensors(split: str, **video_kw):
    v, y = video.videos(split, **video_kw)
    return torch.tensor(np.asarray(v).reshape(len(v), v.shape[1], -1)), torch.tensor(np.asarray(y))


def delta_penalty(p: Pass) -> torch.Tensor:
    """The L1 norm of the quantised deltas, each layer weighted by its fan-out, per frame and
    normalised by the dense network's MACs per frame."""
    total = sum(f * d.abs().sum(-1).mean() for d, f in zip(p.deltas, FAN_OUT, strict=True))
    return total / sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:], strict=True))


def train(
    *,
    epochs: int = 10,
    lr: float = 5e-3,
    batch_size: int = 64,
    seed: int = 0,
    lam: float = 0.0,
    q: float = 0.1,
    start: MLP | None = None,
    show_progress: bool = True,
) -> Trained:
    """Train the MLP on the training videos (cross-entropy on the mean logits), or fine-tune
    ``start`` with the delta penalty ``lam`` at step ``q`` (quantised forward pass)."""
    epochs = check_int("epochs", epochs, 1, 200)
    lr = check_range("lr", lr, 0.0, 1.0, low_open=True)
    batch_size = check_int("batch_size", batch_size, 1, 10_000)
    lam = check_range("lam", lam, 0.0, 1000.0)
    q = check_q(q)
    seed = check_seed(seed)
    X, y = _tensors("train")
    Xte, yte = _tensors("test")
    with torch_threads(1):
        net = MLP(seed)
        if start is not None:
            net.load_state_dict(start.state_dict())
        quantised = start is not None

        def batch_loss(xb, yb):
            p = dense_forward(net, xb, q if quantised else None)
            loss = nn.functional.cross_entropy(p.logits.mean(1), yb)
            return loss + lam * delta_penalty(p) if quantised else loss

        def evaluate():
            net.eval()
            with torch.no_grad():
                logits = dense_forward(net, Xte, q if quantised else None).logits.mean(1)
            return {"test_acc": float((logits.argmax(1) == yte).float().mean())}

        history = fit(
            net,
            X,
            y,
            batch_loss,
            evaluate,
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            generator=torch.Generator().manual_seed(seed),
            desc="fine-tuning" if quantised else "training",
            show_progress=show_progress,
        )
    net.eval()
    return Trained(net, history, dict(epochs=epochs, lr=lr, seed=seed, lam=lam, q=q, fine_tuned=quantised))


@memo(maxsize=4)
def trained(seed: int = 0) -> MLP:
    """The float network of the notebook (10 epochs, cached per process; do not modify it)."""
    return train(seed=seed, show_progress=False).model


#: Penalties of the fine-tuned networks (0: fine-tuned on the quantised pass, no penalty).
LAMBDAS = (0.0, 5.0, 20.0, 100.0)


@memo(maxsize=8)
def fine_tuned(lam: float, q: float = 0.1, seed: int = 0, epochs: int = 2) -> MLP:
    """:func:`trained` fine-tuned for ``epochs`` with the delta penalty ``lam`` at step ``q``
    (Adam at 2e-3, batches of 64; cached per process; do not modify it)."""
    return train(epochs=epochs, lam=lam, q=q, seed=seed, start=trained(seed), lr=2e-3, show_progress=False).model


def lambda_sweep(lams=LAMBDAS, q: float = 0.1, seed: int = 0, show_progress: bool = True) -> list[Counts]:
    """Fine-tune at each penalty in ``lams`` and count on the test videos at step ``q``.

    The non-zero counts of the float network (``baseline(seed).nonzero_dense``) are the fair
    reference: a fine-tuned network also makes its own dense activations sparser.
    """
    lams = tuple(check_range("lam", lam, 0.0, 1000.0) for lam in lams)
    v, y = video.videos("test")
    return [
        count(fine_tuned(lam, check_q(q), check_seed(seed)), v, y, q)
        for lam in progress(lams, desc="fine-tuning", disable=not show_progress)
    ]


def baseline(seed: int = 0) -> Counts:
    """The float network's counts on the test videos (its ``nonzero_dense`` is the reference)."""
    v, y = video.videos("test")
    return count(trained(check_seed(seed)), v, y, Q_VALUES[0])
