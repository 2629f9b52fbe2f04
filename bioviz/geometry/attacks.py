r"""L-inf PGD with a random start, EOT against stochastic models, and accuracy under attack.

**PGD** (Madry et al. 2018): start at a uniformly random point of the L-inf ball of radius
:math:`\epsilon` around the image :math:`x`, then take ``steps`` signed-gradient steps of the
loss, each followed by projection back onto the ball and onto the pixel range [0, 1]:

.. math:: x_{k+1} = \Pi_{\|x' - x\|_\infty \le \epsilon,\ x' \in [0,1]^{64}}
          \left(x_k + \eta\, \mathrm{sign}\, \nabla_{x} L(f(x_k), y)\right),
          \qquad \eta = 2.5\,\epsilon / \text{steps}.

**EOT** (expectation over transformation, Athalye et al. 2018): against a network with noise
inside, one draw's gradient is a noisy estimate of the gradient of the *expected* loss; the
attacker averages the gradients of ``eot`` independent noise draws per step. Without it the
attack is weaker and robustness is overstated.

**Evaluation** of a stochastic model: ``draws = 1`` classifies with one noise draw (what one
forward pass does); ``draws = 8`` averages the softmax over 8 draws before the arg-max.

>>> import torch
>>> from bioviz.geometry import models
>>> m = models.trained("standard")                       # doctest: +SKIP
>>> x, y = models.data()[1][:100], models.data()[3][:100]  # doctest: +SKIP
>>> accuracy(m, pgd(m, x, y, eps=0.1), y)                  # doctest: +SKIP
0.41
"""

from __future__ import annotations

import numpy as np

from bioviz.runtime import torch_threads
from bioviz.validation import check_int, check_positive, check_seed


def check_eps(eps) -> float:
    """An attack budget: a finite number >= 0 (pixel units, images in [0, 1])."""
    return check_positive("eps", eps, allow_zero=True)


def _generator(model_or_net, seed: int):
    import torch

    dev = next(model_or_net.parameters()).device
    return torch.Generator(device=dev).manual_seed(int(seed))


def _pgd(net, x, y, eps, steps, step_size, eot, random_start, gen):
    """PGD on a torch module (no checks; used by training too)."""
    import torch
    from torch.nn.functional import cross_entropy

    x0 = x.detach()
    if eps == 0:
        return x0.clone()
    if random_start:
        delta = (torch.rand(x0.shape, generator=gen, device=x0.device) * 2 - 1) * eps
        xa = (x0 + delta).clamp(0.0, 1.0)
    else:
        xa = x0.clone()
    eot = eot if net.stochastic else 1
    yy = y.repeat(eot) if eot > 1 else y
    for _ in range(steps):
        xa.requires_grad_(True)
        batch = xa.repeat(eot, 1) if eot > 1 else xa
        loss = cross_entropy(net(batch, gen), yy)
        (grad,) = torch.autograd.grad(loss, xa)
        xa = xa.detach() + step_size * grad.sign()
        xa = torch.minimum(torch.maximum(xa, x0 - eps), x0 + eps).clamp(0.0, 1.0)
    return xa.detach()


def pgd(model, x, y, eps: float, *, steps: int = 20, eot: int = 8, step_size: float | None = None,
        random_start: bool = True, seed: int = 0):
    """Untargeted L-inf PGD on ``model`` (a :class:`~bioviz.geometry.models.Model`).

    ``eot`` noise draws per gradient step (ignored by deterministic models); ``step_size``
    defaults to ``2.5 * eps / steps``. Returns the adversarial images (a tensor like ``x``).
    Deterministic for a given ``seed``.
    """
    eps = check_eps(eps)
    steps = check_int("steps", steps, 1)
    eot = check_int("eot", eot, 1)
    seed = check_seed(seed)
    step_size = 2.5 * eps / steps if step_size is None else check_positive("step_size", step_size)
    if len(x) == 0:
        raise ValueError("x must hold at least one image, got 0")
    with torch_threads(1):
        return _pgd(model.net, x, y, eps, steps, step_size, eot, random_start,
                    _generator(model.net, seed))


def predict_proba(model, x, *, draws: int = 1, seed: int = 0):
    """Softmax output averaged over ``draws`` noise draws (one draw suffices without noise)."""
    import torch

    draws = check_int("draws", draws, 1)
    gen = _generator(model.net, check_seed(seed))
    draws = draws if model.stochastic else 1
    with torch_threads(1), torch.no_grad():
        logits = model.net(x.repeat(draws, 1), gen).reshape(draws, len(x), -1)
        return torch.softmax(logits, dim=-1).mean(0)


def accuracy(model, x, y, *, draws: int = 1, seed: int = 0) -> float:
    """Fraction of ``x`` classified as ``y`` (softmax averaged over ``draws`` noise draws)."""
    return float((predict_proba(model, x, draws=draws, seed=seed).argmax(1) == y).float().mean())


def robustness(model, eps_values, *, steps: int = 20, eot: int = 8, draws=(1, 8), n: int | None = None,
               seed: int = 0) -> dict:
    """Accuracy against ``eps`` on the first ``n`` test digits (all when ``None``).

    Returns ``{"eps": array, "acc": {draws: array}}``: one attack per eps, evaluated with each
    number of ``draws``. Attacks and evaluations use independent seeds.
    """
    from bioviz.geometry.models import data

    eps_values = np.array([check_eps(e) for e in np.atleast_1d(eps_values)], dtype=float)
    if eps_values.size == 0:
        raise ValueError("eps_values must not be empty")
    _, Xte, _, yte = data(str(model.device))
    if n is not None:
        n = check_int("n", n, 1, len(Xte))
        Xte, yte = Xte[:n], yte[:n]
    acc = {d: np.zeros(len(eps_values)) for d in draws}
    for i, eps in enumerate(eps_values):
        xa = pgd(model, Xte, yte, eps, steps=steps, eot=eot, seed=seed + i)
        for d in draws:
            acc[d][i] = accuracy(model, xa, yte, draws=d, seed=seed + 1000 + i)
    return {"eps": eps_values, "acc": acc}
