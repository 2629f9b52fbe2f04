"""The coding exercises of tutorial 04 and their checkers (see :mod:`bioviz.exercises`).

1. :data:`ENHANCEMENT_INDEX` -- the multisensory enhancement index ME from the combined and the
   two unisensory responses, against the *best* unisensory response (reference
   :func:`bioviz.fusion.iemf.enhancement_index`).
2. :data:`IEMF_SCALE` -- the IEMF step of one training batch: the strengths, rho and k from the
   three heads' logits, and the fusion head's gradients scaled by k before the optimiser step
   (reference :func:`bioviz.fusion.iemf.scale_fusion_grads`).

>>> _ = IEMF_SCALE.check(iemf.scale_fusion_grads)
iemf_scale: all 4 cases pass. The rest of the notebook uses your iemf_scale.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from bioviz.exercises import Case, Exercise
from bioviz.fusion import iemf
from bioviz.fusion.models import PlainFusionNet


def _run_me(fn, case):
    """ME, or the name of the error raised (a silent neuron has no ME)."""
    try:
        return float(fn(*case.args))
    except ValueError:
        return "ValueError"


ENHANCEMENT_INDEX = Exercise(
    "enhancement_index",
    iemf.enhancement_index,
    run=_run_me,
    cases=[
        Case(
            "an example: A 0.4, V 0.5, AV 0.75",
            (0.75, 0.4, 0.5),
            hint="(CM - SM_max) / SM_max * 100",
        ),
        Case(
            "the audio response is 0 (only vision responds)",
            (0.6, 0.0, 0.5),
            hint="compare with the larger of the two unisensory responses, not their mean or sum",
        ),
        Case(
            "the combined response is below the best single one (depression)",
            (0.3, 0.5, 0.4),
            hint="ME can be negative: do not clip it",
        ),
        Case(
            "a silent neuron: both unisensory responses 0",
            (0.2, 0.0, 0.0),
            hint="ME is undefined: raise ValueError when SM_max <= 0",
        ),
    ],
)


def _batch(seed: int, sigma: float = 1.2, n: int = 64):
    from bioviz.fusion.task import clean_data

    d = clean_data()
    g = torch.Generator().manual_seed(seed)
    idx = torch.randperm(len(d.y_train), generator=g)[:n]
    xv = d.visual_train[idx] + sigma * torch.randn(n, d.visual_train.shape[1], generator=g)
    xa = d.audio_train[idx] + sigma * torch.randn(n, d.audio_train.shape[1], generator=g)
    return xv, xa, d.y_train[idx]


@functools.cache
def _trained_state(seed: int, steps: int) -> dict:
    """A network after ``steps`` joint-training steps (so that its heads are unequal), cached."""
    net = PlainFusionNet(seed)
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    for step in range(steps):
        xv, xa, y = _batch(100 + step)
        out = net(xv, xa)
        loss = sum(torch.nn.functional.cross_entropy(out[m], y) for m in ("av", "a", "v"))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return {k: v.clone() for k, v in net.state_dict().items()}


def _run_scale(fn, case):
    """k and the fusion head's gradients after the call, on a fresh copy of the network and batch."""
    seed, steps = case.args
    net = PlainFusionNet(seed)
    net.load_state_dict(_trained_state(seed, steps))
    xv, xa, y = _batch(seed)
    out = net(xv, xa)
    loss = sum(torch.nn.functional.cross_entropy(out[m], y) for m in ("av", "a", "v"))
    loss.backward()
    other = [p.grad.clone() for p in net.head_a.parameters()]
    k = fn(out["a"], out["v"], out["av"], y, net.fusion.parameters())
    if any(not torch.equal(a, p.grad) for a, p in zip(other, net.head_a.parameters(), strict=True)):
        raise ValueError("only the fusion head's gradients change: you scaled another layer's")
    grads = np.concatenate([p.grad.detach().numpy().ravel() for p in net.fusion.parameters()])
    return float(k), grads


IEMF_SCALE = Exercise(
    "iemf_scale",
    iemf.scale_fusion_grads,
    run=_run_scale,
    names=("k", "the fusion head's gradients after scaling"),
    cases=[
        Case("an untrained network", (0, 0), hint="k = 1 + tanh(1 - rho), rho = ((s_a + s_v) / 2) / s_av"),
        Case(
            "after 20 training steps",
            (1, 20),
            hint="a strength is a sum over the batch of the softmax probability of the true class",
        ),
        Case(
            "another batch",
            (2, 40),
            hint="multiply p.grad in place (p.grad *= k, or p.grad.mul_(k)) for every fusion parameter",
        ),
        Case(
            "longer training: the fused head ahead of the unimodal ones",
            (3, 80),
            hint="use softmax probabilities, not logits or log-probabilities, in the strengths",
        ),
    ],
)
