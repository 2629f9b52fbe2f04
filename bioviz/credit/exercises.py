"""The coding exercises of tutorial 06 and their checkers (see :mod:`bioviz.exercises`).

1. :data:`TWO_POINT` -- the two-point (SPSA) gradient estimate from loss values alone
   (reference :func:`bioviz.credit.zo.two_point_estimate`).
2. :data:`LOCAL_FORWARD` -- a forward pass whose every layer's input is detached, so each layer
   learns from its own loss only (reference :func:`bioviz.credit.ccl.local_forward`).
3. :data:`FLIPPED_UPDATE` -- one layer's gradient update with the plasticity of some
   presynaptic neurons flipped (reference :func:`bioviz.credit.curl.flipped_update`).

>>> _ = FLIPPED_UPDATE.check(curl.flipped_update)
flipped_update: all 4 cases pass. The rest of the notebook uses your flipped_update.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from bioviz.credit import ccl, curl, zo
from bioviz.exercises import Case, Exercise

_A = np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.5], [0.0, 0.5, 3.0]])


def _quadratic(theta):
    return float(0.5 * theta @ _A @ theta)


def _linear(theta):
    return float(np.array([1.0, -2.0, 0.5, 3.0]) @ theta)


def _run_estimate(fn, case):
    """The estimate with a fresh generator of the case's seed (the same draws for every solution)."""
    loss, theta, K, s, seed = case.args
    return np.asarray(fn(loss, np.array(theta, dtype=float), K, s, np.random.default_rng(seed)), dtype=float)


TWO_POINT = Exercise(
    "two_point_estimate",
    zo.two_point_estimate,
    run=_run_estimate,
    cases=[
        Case(
            "one probe, a linear loss",
            (_linear, np.zeros(4), 1, 0.1, 0),
            hint="(loss(theta + s*u) - loss(theta - s*u)) / (2*s) times the probe u itself",
        ),
        Case(
            "eight probes: the mean over probes",
            (_linear, np.zeros(4), 8, 0.1, 1),
            hint="sum the K terms and divide by K (not by the number of parameters)",
        ),
        Case(
            "a quadratic loss away from its minimum",
            (_quadratic, np.array([1.0, -1.0, 0.5]), 5, 1e-3, 2),
            hint="both points are around theta: theta + s*u and theta - s*u, divided by 2*s",
        ),
        Case(
            "a larger step s",
            (_quadratic, np.array([0.3, 0.2, -1.0]), 3, 0.5, 3),
            hint="divide by 2*s, where s is the step you are given",
        ),
    ],
)


def _layers(seed: int, dims=(4, 5, 3, 2)):
    torch.manual_seed(seed)
    return [nn.Linear(a, b, bias=False) for a, b in zip(dims[:-1], dims[1:], strict=True)]


_LOCAL_HINT = (
    "if the layers reached are wrong, detach what goes into each layer: layer(acts[-1].detach()); "
    "if the activations are wrong, apply the ELU after every layer but the last"
)


def _run_local(fn, case):
    """The activations, and which layers a loss on each level reaches (gradient norms)."""
    seed, level = case.args
    layers = _layers(seed)
    x = torch.tensor(np.random.default_rng(seed).normal(size=(6, 4)), dtype=torch.float32)
    acts = fn(layers, x)
    if len(acts) != len(layers) + 1:
        raise ValueError(f"return [x, A_1, ..., A_L]: {len(layers) + 1} tensors, got {len(acts)}")
    values = [a.detach().numpy().copy() for a in acts]
    if level > 0 and not acts[level].requires_grad:
        raise ValueError("A_l must still reach its own layer: detach each layer's input, not its output")
    acts[level].pow(2).sum().backward()
    reached = np.array(
        [0.0 if layer.weight.grad is None else float(layer.weight.grad.norm() > 0) for layer in layers]
    )
    return np.concatenate([v.ravel() for v in values]), reached


LOCAL_FORWARD = Exercise(
    "local_forward",
    ccl.local_forward,
    names=("the activations [x, A_1, ..., A_L]", "layers a loss on this level trains (1: reached)"),
    run=_run_local,
    cases=[
        Case("a loss on the top level trains only the top layer", (0, 3), hint=_LOCAL_HINT),
        Case("a loss on level 1 trains only the first layer", (1, 1), hint=_LOCAL_HINT),
        Case("a loss on level 2", (2, 2), hint=_LOCAL_HINT),
    ],
)

_SIGNS = np.array([1.0, -1.0, 1.0, -1.0])
_rng = np.random.default_rng(6)
_DELTA, _X = _rng.normal(size=(5, 3)), _rng.normal(size=(5, 4))

FLIPPED_UPDATE = Exercise(
    "flipped_update",
    curl.flipped_update,
    cases=[
        Case(
            "no flips: gradient descent",
            (_DELTA, _X, np.ones(4), 0.1),
            hint="-lr * delta.T @ x / batch, shape (outputs, inputs)",
        ),
        Case(
            "two presynaptic neurons flipped",
            (_DELTA, _X, _SIGNS, 0.1),
            hint="one sign per column (presynaptic neuron): multiply by signs[None, :]",
        ),
        Case(
            "a batch of one",
            (_DELTA[:1], _X[:1], _SIGNS, 0.5),
            hint="divide by the batch size len(x)",
        ),
        Case(
            "every neuron flipped: gradient ascent",
            (_DELTA, _X, -np.ones(4), 0.2),
            hint="with every sign -1 the update is +lr * gradient",
        ),
    ],
)
