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

**Which classifier the attack targets.** The default EOT loss (``target="draw"``) is the mean
single-draw cross-entropy :math:`\frac1K\sum_j -\log p_y(x;\xi_j)`: it attacks the classifier
that decides from *one* noise draw. A defender that averages the softmax over draws decides
by :math:`\bar p_y = \frac1K\sum_j p_y(x;\xi_j)`; ``target="average"`` attacks that classifier
directly, with the loss :math:`-\log \bar p_y` (the cross-entropy of the averaged softmax over
the ``eot`` draws). By Jensen's inequality :math:`-\log\bar p_y \le \frac1K\sum_j -\log p_y`:
the two losses differ most where a few draws are already wrong.

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

import functools

import numpy as np

from bioviz.data import digits
from bioviz.runtime import torch_threads
from bioviz.validation import check_bool, check_choice, check_int, check_positive, check_seed

#: What the EOT loss targets: the single-draw classifier, or the softmax averaged over draws.
TARGETS = ("draw", "average")


def check_eps(eps) -> float:
    """An attack budget: a finite number >= 0 (pixel units, images in [0, 1])."""
    return check_positive("eps", eps, allow_zero=True)


def _generator(model_or_net, seed: int):
    import torch

    dev = next(model_or_net.parameters()).device
    return torch.Generator(device=dev).manual_seed(int(seed))


def pgd_module(net, x, y, eps, steps, step_size, eot, random_start, gen, target="draw"):
    """PGD on a torch module ``net(x, gen)``, with no argument checks.

    The inner loop of :func:`pgd` and of adversarial training
    (:func:`bioviz.geometry.models.train`), which calls it on every batch; ``gen`` is the
    torch generator of the random start and of the module's noise.
    """
    import torch

    x0 = x.detach()
    if eps == 0:
        return x0.clone()
    if random_start:
        delta = (torch.rand(x0.shape, generator=gen, device=x0.device) * 2 - 1) * eps
        xa = (x0 + delta).clamp(0.0, 1.0)
    else:
        xa = x0.clone()
    for _ in range(steps):
        xa = pgd_step(net, x0, xa, y, eps, step_size, eot, gen, target)
    return xa


def eot_loss(net, xa, y, eot, gen, target="draw"):
    """The attacker's loss at ``xa``: the cross-entropy over ``eot`` noise draws of every image
    (one draw for a deterministic net); ``target="average"`` takes the cross-entropy of the
    softmax averaged over the draws instead (see the module docstring)."""
    import torch
    from torch.nn.functional import cross_entropy, nll_loss

    eot = eot if net.stochastic else 1
    logits = net(xa.repeat(eot, 1) if eot > 1 else xa, gen)
    if target == "average" and eot > 1:  # -log of the softmax averaged over the eot draws
        logp = torch.log_softmax(logits, dim=1).reshape(eot, len(xa), -1)
        return nll_loss(torch.logsumexp(logp, dim=0) - np.log(eot), y)
    return cross_entropy(logits, y.repeat(eot) if eot > 1 else y)


def pgd_step(net, x0, xa, y, eps, step_size, eot, gen, target="draw"):
    r"""One PGD step from ``xa``: the gradient of :func:`eot_loss`, a step of ``step_size`` along
    its sign, then projection onto the :math:`\epsilon`-ball around the clean images ``x0`` and
    onto [0, 1]. Returns a new detached tensor."""
    import torch

    xa = xa.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(eot_loss(net, xa, y, eot, gen, target), xa)
    xa = xa.detach() + step_size * grad.sign()
    return torch.minimum(torch.maximum(xa, x0 - eps), x0 + eps).clamp(0.0, 1.0)


def pgd(
    model,
    x,
    y,
    eps: float,
    *,
    steps: int = 20,
    eot: int = 8,
    step_size: float | None = None,
    random_start: bool = True,
    seed: int = 0,
    target: str = "draw",
):
    """Untargeted L-inf PGD on ``model`` (a :class:`~bioviz.geometry.models.Model`).

    ``eot`` noise draws per gradient step (ignored by deterministic models); ``step_size``
    defaults to ``2.5 * eps / steps``; ``target`` (:data:`TARGETS`): ``"draw"`` maximises the
    mean single-draw cross-entropy, ``"average"`` the cross-entropy of the softmax averaged over
    the ``eot`` draws (see the module docstring). Returns the adversarial images (a tensor like
    ``x``). Deterministic for a given ``seed``.
    """
    random_start = check_bool("random_start", random_start)
    eps = check_eps(eps)
    steps = check_int("steps", steps, 1, 10_000)
    eot = check_int("eot", eot, 1, 1000)
    seed = check_seed(seed)
    target = check_choice("target", target, TARGETS)
    step_size = 2.5 * eps / steps if step_size is None else check_positive("step_size", step_size)
    if len(x) == 0:
        raise ValueError("x must hold at least one image, got 0")
    with torch_threads(1):
        return pgd_module(
            model.net, x, y, eps, steps, step_size, eot, random_start, _generator(model.net, seed), target
        )


@functools.cache
def _test_set(dev: str):
    """The held-out digits of the "test30" split (:func:`bioviz.data.digits`) on ``dev``."""
    import torch

    _, Xte, _, yte = digits("test30")
    return torch.tensor(Xte, device=dev), torch.tensor(yte, device=dev)


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


def robustness(
    model,
    eps_values,
    *,
    steps: int = 20,
    eot: int = 8,
    draws=(1, 8),
    n: int | None = None,
    seed: int = 0,
    target: str = "draw",
) -> dict:
    """Accuracy against ``eps`` on the first ``n`` test digits (all when ``None``).

    Returns ``{"eps": array, "acc": {draws: array}, "correct": {draws: (len(eps), n) bool}}``:
    one attack per eps (:func:`pgd` with ``target``), evaluated with each number of ``draws``;
    ``correct`` says which digits were classified right (for paired comparisons). Attacks and
    evaluations use independent seeds.
    """
    eps_values = np.array([check_eps(e) for e in np.atleast_1d(eps_values)], dtype=float)
    if eps_values.size == 0:
        raise ValueError("eps_values must not be empty")
    Xte, yte = _test_set(str(model.device))
    if n is not None:
        n = check_int("n", n, 1, len(Xte))
        Xte, yte = Xte[:n], yte[:n]
    correct = {d: np.zeros((len(eps_values), len(Xte)), dtype=bool) for d in draws}
    for i, eps in enumerate(eps_values):
        xa = pgd(model, Xte, yte, eps, steps=steps, eot=eot, seed=seed + i, target=target)
        for d in draws:
            pred = predict_proba(model, xa, draws=d, seed=seed + 1000 + i).argmax(1)
            correct[d][i] = (pred == yte).cpu().numpy()
    return {"eps": eps_values, "acc": {d: c.mean(axis=1) for d, c in correct.items()}, "correct": correct}
