"""Counter-current learning (Kao & Hariharan, NeurIPS 2024) against back-propagation on digits.

Two networks run in opposite directions. The **forward** network maps an image up to class
scores, :math:`A_l = \\phi(F_l A_{l-1})` (:math:`A_0 = x`, ELU :math:`\\phi` on the hidden
layers, no biases). The **feedback** network maps the targets down with mirrored shapes:
starting from the 10 one-hot class vectors :math:`B_L = I`, :math:`B_{l} = \\phi(G_{l} B_{l+1})`,
so :math:`B_l` holds one "class code" per class at level ``l``.

Every layer's input is **detached**: each layer learns only from its own local loss, so no
error travels backwards through the forward weights (no weight transport, no backward
locking). At a hidden level the forward activity is scored against the class codes,

.. math:: \\mathcal L_l = \\frac{128}{d_l}\\,\\mathrm{MSE}\\big(A_l B_l^\\top,\\ \\mathrm{onehot}(y)\\big)

(the authors' scale),

which trains the forward layer :math:`F_l` (making its output resemble its class's class code)
and the feedback layer :math:`G_l` that made :math:`B_l` (making the class codes resemble the
forward activity); the top layer learns by cross-entropy; level 0 trains only the feedback
layer into the input space. ``local_weight`` scales the hidden levels' losses (0 leaves only the
top layer learning: the readout-only control); ``feedback_lr = 0`` freezes the feedback
network at its random start.

>>> r = train("ccl", epochs=2, seed=0, show_progress=False)
>>> bool(0.5 < r.accuracy[-1] <= 1.0)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from bioviz.data import digits
from bioviz.runtime import memo, progress, torch_threads
from bioviz.validation import check_choice, check_int, check_range, check_seed

METHODS = ("bp", "ccl", "readout")
WIDTH = 128
EPOCHS = 30
LR = 0.1
BATCH = 64
#: The authors' scale of the local losses (``loss_scale_C * 256`` in their ``utils/loss.py``).
LOSS_SCALE = 128.0


class Forward(nn.Module):
    """64 -> ``width`` x ``depth`` -> 10, ELU, no biases."""

    def __init__(self, depth: int = 2, width: int = WIDTH):
        super().__init__()
        dims = (64,) + (width,) * depth + (10,)
        self.dims = dims
        self.layers = nn.ModuleList(nn.Linear(a, b, bias=False) for a, b in zip(dims[:-1], dims[1:], strict=True))

    def forward(self, x, detach: bool = False) -> list[torch.Tensor]:
        """Every level's activity ``[A_0 = x, A_1, ..., A_L = logits]``; with ``detach`` each
        layer's input is cut from the graph (CCL's local step)."""
        acts = [x]
        for i, layer in enumerate(self.layers):
            a = acts[-1].detach() if detach else acts[-1]
            z = layer(a)
            acts.append(z if i == len(self.layers) - 1 else nn.functional.elu(z))
        return acts


def local_forward(layers, x: torch.Tensor) -> list[torch.Tensor]:
    """``[x, A_1, ..., A_L]`` through ``layers`` (ELU after all but the last), each layer's
    input detached, so a loss on ``A_l`` trains layer ``l`` only."""
    acts = [x]
    for i, layer in enumerate(layers):
        z = layer(acts[-1].detach())
        acts.append(z if i == len(layers) - 1 else nn.functional.elu(z))
    return acts


class Feedback(nn.Module):
    """The mirror: 10 -> ``width`` x ``depth`` -> 64, ELU, no biases."""

    def __init__(self, dims: tuple):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(b, a, bias=False) for a, b in zip(dims[:-1], dims[1:], strict=True))

    def forward(self) -> list[torch.Tensor]:
        """``[B_0, ..., B_L = I]``: one class code per class at every level (inputs detached)."""
        B = [torch.eye(10)]
        for i, layer in reversed(list(enumerate(self.layers))):
            z = layer(B[0].detach())
            B.insert(0, z if i == 0 else nn.functional.elu(z))
        return B


def local_step_losses(fwd: Forward, fb: Feedback, x, y, local_weight: float = 1.0) -> torch.Tensor:
    """The sum of CCL's losses on one batch: cross-entropy at the top and, at every other level
    ``l``, ``local_weight * MSE(A_l @ B_l.T / d_l, onehot(y))``; inputs detached throughout."""
    A = fwd(x, detach=True)
    B = fb()
    onehot = nn.functional.one_hot(y, 10).float()
    loss = nn.functional.cross_entropy(A[-1], y)
    for level in range(len(A) - 1):
        if local_weight > 0:
            score = A[level] @ B[level].T
            loss = loss + local_weight * LOSS_SCALE * nn.functional.mse_loss(score, onehot) / A[level].shape[1]
    return loss


@dataclass(frozen=True)
class CCLRun:
    """Test accuracy after every epoch (and at the start), and the settings."""

    accuracy: np.ndarray
    settings: dict


#: Whether the run in progress shows its bar (set by :func:`train` around the cached call).
_SHOW = [False]


def train(
    method: str = "ccl",
    *,
    depth: int = 2,
    local_weight: float = 1.0,
    feedback_lr: float = LR,
    epochs: int = EPOCHS,
    lr: float = LR,
    seed: int = 0,
    show_progress: bool = True,
) -> CCLRun:
    """Train on the digits' ``test30`` split (SGD with momentum 0.9, batches of 64, gradients
    clipped to norm 1) with back-propagation (``"bp"``), counter-current learning (``"ccl"``), or
    only the last layer on top of the frozen random hidden layers (``"readout"``). Cached per
    process (do not modify the result): a second call with the same settings returns at once."""
    method = check_choice("method", method, METHODS)
    depth = check_int("depth", depth, 1, 6)
    local_weight = check_range("local_weight", local_weight, 0.0, 100.0)
    feedback_lr = check_range("feedback_lr", feedback_lr, 0.0, 10.0)
    epochs = check_int("epochs", epochs, 1, 500)
    lr = check_range("lr", lr, 0.0, 10.0, low_open=True)
    seed = check_seed(seed)
    _SHOW[0] = bool(show_progress)
    try:
        return _train(method, depth, local_weight, feedback_lr, epochs, lr, seed)
    finally:
        _SHOW[0] = False


@memo(maxsize=32)
def _train(
    method: str, depth: int, local_weight: float, feedback_lr: float, epochs: int, lr: float, seed: int
) -> CCLRun:
    X, Xte, y, yte = digits("test30")
    X, y = torch.tensor(np.asarray(X)), torch.tensor(np.asarray(y))
    Xte, yte = torch.tensor(np.asarray(Xte)), torch.tensor(np.asarray(yte))
    with torch_threads(1):
        torch.manual_seed(seed)
        fwd = Forward(depth)
        fb = Feedback(fwd.dims)
        if method == "readout":
            params = [{"params": fwd.layers[-1].parameters(), "lr": lr}]
        elif method == "bp":
            params = [{"params": fwd.parameters(), "lr": lr}]
        else:
            params = [{"params": fwd.parameters(), "lr": lr}]
            if feedback_lr > 0:
                params.append({"params": fb.parameters(), "lr": feedback_lr})
        opt = torch.optim.SGD(params, momentum=0.9)
        every = [p for group in params for p in group["params"]]
        gen = torch.Generator().manual_seed(seed)

        def test() -> float:
            with torch.no_grad():
                return float((fwd(Xte)[-1].argmax(1) == yte).float().mean())

        accs = [test()]
        for _ in progress(range(epochs), desc=method, disable=not _SHOW[0]):
            perm = torch.randperm(len(X), generator=gen)
            for i in range(0, len(X), BATCH):
                idx = perm[i : i + BATCH]
                if method == "ccl":
                    loss = local_step_losses(fwd, fb, X[idx], y[idx], local_weight)
                else:
                    loss = nn.functional.cross_entropy(fwd(X[idx], detach=method == "readout")[-1], y[idx])
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(every, 1.0)
                opt.step()
            accs.append(test())
    settings = dict(
        method=method, depth=depth, local_weight=local_weight, feedback_lr=feedback_lr, epochs=epochs, seed=seed
    )
    return CCLRun(np.array(accs), settings)
