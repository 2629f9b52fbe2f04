"""The coding exercises of tutorial 00 and their checkers (see :mod:`bioviz.exercises`).

1. :data:`LIF_STEP` -- one step of the discrete LIF neuron with reset to zero
   (reference :func:`bioviz.primer.lif.lif_step`).
2. :data:`SPIKE_FUNCTION` -- a spike as a torch autograd function: a step in the forward pass,
   the fast sigmoid's derivative :math:`1/(1+k|v|)^2` in the backward pass
   (reference :class:`FastSigmoidSpike`).

>>> _ = LIF_STEP.check(lif.lif_step)
lif_step: all 7 cases pass. The rest of the notebook uses your lif_step.
"""

from __future__ import annotations

import numpy as np
import torch

from bioviz.exercises import Case, Exercise
from bioviz.primer import lif

# ---------------------------------------------------------------------------------------------
# 1. the LIF step

LIF_STEP = Exercise(
    "lif_step",
    lif.lif_step,
    names=("spike", "u"),
    cases=[
        Case(
            "below threshold: leak and integrate",
            (5.0, 2.0, 0.9, 15.0),
            hint="the membrane decays by beta, then adds the input: u = beta * u + x",
        ),
        Case(
            "crossing the threshold: spike, then reset to 0",
            (14.0, 3.0, 0.9, 15.0),
            hint="after a spike the membrane goes to 0 (not u - threshold, not unchanged)",
        ),
        Case(
            "exactly at the threshold: no spike",
            (10.0, 10.0, 0.5, 15.0),
            hint="the neuron fires only when u is above the threshold (u > threshold)",
        ),
        Case("no leak (beta = 1)", (3.0, 4.0, 1.0, 15.0), hint="use the beta you are given, not a fixed number"),
        Case(
            "negative input pulls the membrane down",
            (1.0, -2.0, 0.8, 15.0),
            hint="nothing clips the membrane at 0",
        ),
        Case(
            "a large input that crosses from rest",
            (0.0, 20.0, 0.9, 15.0),
            hint="integrate this step's input first, then compare with the threshold; a spike ends at 0",
        ),
        Case(
            "four neurons at once (arrays)",
            (np.array([0.0, 14.0, 16.0, -1.0]), np.array([1.0, 2.0, 0.0, 0.5]), 0.9, 15.0),
            hint="use element-wise operations (np.where), not if/else on the whole array",
        ),
    ],
)

# ---------------------------------------------------------------------------------------------
# 2. the spike function with a surrogate gradient


class FastSigmoidSpike(torch.autograd.Function):
    """Spike :math:`S = H(v)` of ``v = U - threshold``; backward: :math:`1/(1+k|v|)^2`.

    The same function as snnTorch's ``surrogate.fast_sigmoid(slope=k)``.

    >>> v = torch.tensor([-0.1, 0.0, 0.1], requires_grad=True)
    >>> s = FastSigmoidSpike.apply(v, 25.0)
    >>> s.sum().backward()
    >>> s.tolist(), [round(g, 4) for g in v.grad.tolist()]
    ([0.0, 0.0, 1.0], [0.0816, 1.0, 0.0816])
    """

    @staticmethod
    def forward(ctx, v, k):
        ctx.save_for_backward(v)
        ctx.k = k
        return (v > 0).float()

    @staticmethod
    def backward(ctx, grad_spike):
        (v,) = ctx.saved_tensors
        return grad_spike / (1.0 + ctx.k * v.abs()) ** 2, None


def run_spike_function(spike_fn, case: Case):
    """Forward and backward pass of ``spike_fn.apply(v, k)`` with upstream gradient ``g``."""
    v_values, k, g = case.args
    v = torch.tensor(v_values, dtype=torch.float32, requires_grad=True)
    spikes = spike_fn.apply(v, k)
    spikes.backward(torch.tensor(g, dtype=torch.float32))
    grad = v.grad if v.grad is not None else torch.zeros_like(v)
    return spikes.detach().numpy(), grad.numpy()


_V = [-1.0, -0.1, -0.02, 0.0, 0.02, 0.1, 1.0]
SPIKE_FUNCTION = Exercise(
    "FastSigmoidSpike",
    FastSigmoidSpike,
    run=run_spike_function,
    names=("spikes", "gradient"),
    cases=[
        Case(
            "k = 25, upstream gradient 1",
            (_V, 25.0, [1.0] * 7),
            hint="backward returns grad_spike / (1 + k * |v|) ** 2: largest at v = 0",
        ),
        Case(
            "below threshold gets gradient too (v < 0)",
            ([-0.05, -0.5], 25.0, [1.0, 1.0]),
            hint="use |v|: the surrogate is symmetric around the threshold",
        ),
        Case("another slope (k = 2)", (_V, 2.0, [1.0] * 7), hint="use ctx.k, the slope saved in the forward pass"),
        Case(
            "upstream gradient not 1 (chain rule)",
            (_V, 25.0, [0.5, -2.0, 1.0, 3.0, 1.0, -1.0, 2.0]),
            hint="multiply by grad_spike, the gradient arriving from the layers above",
        ),
    ],
)
