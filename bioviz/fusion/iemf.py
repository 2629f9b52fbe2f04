r"""The inverse-effectiveness rule for multimodal fusion (IEMF) and the enhancement index.

**Multisensory enhancement** (Meredith & Stein 1983, 1986): with CM the response to the
combined (cross-modal) stimulus and :math:`SM_\max` the best single-modality response,

.. math:: ME = \frac{CM - SM_\max}{SM_\max} \times 100\,\%.

>>> enhancement_index(0.75, 0.4, 0.5)
50.0

**The IEMF coefficient** (Brain-Cog-Lab, arXiv 2505.10176; from the authors' released code).
Per batch, the *strength* of a pathway :math:`m \in \{a, v, av\}` is the summed probability it
gives the true class, :math:`s_m = \sum_i \mathrm{softmax}(o_m^{(i)})_{y_i}`. Then

.. math::

    \rho = \frac{(s_a + s_v)/2}{s_{av}}, \qquad k = 1 + \tanh(1 - \rho),

so :math:`0 < k < 1 + \tanh 1 \approx 1.76`, and :math:`k = 1` when the fused output is exactly
as confident as the mean unimodal one. Weak unimodal cues (small :math:`\rho`) give
:math:`k > 1`: the fused pathway learns faster, in the spirit of inverse effectiveness.

After ``backward()`` only the fusion head's gradients are changed, :math:`g \leftarrow k g`
(optionally :math:`+\,\mathcal N(0, \mathrm{std}(g)^2)`, the gradient noise of OGM-GE), before an
SGD step: IEMF is a per-step learning-rate multiplier on the fusion layer, not a loss weight.
Adam divides by a running gradient scale, which nearly cancels a gradient multiplier, so with
Adam the authors scale that layer's learning rate by :math:`k` instead
(:func:`bioviz.fusion.training` implements both).

>>> round(float(coefficient(1.0)), 6), round(float(coefficient(0.0)), 4)
(1.0, 1.7616)
"""

from __future__ import annotations

import numpy as np

from bioviz.validation import check_number, check_positive

K_MAX = 1.0 + float(np.tanh(1.0))


def enhancement_index(cm, sm_a, sm_v):
    """Multisensory enhancement ME (%) = (CM - max(SM_a, SM_v)) / max(SM_a, SM_v) * 100.

    Works elementwise on arrays. The best unisensory response must be > 0 (ME is undefined
    for a silent neuron).
    """
    cm, sm_a, sm_v = (np.asarray(x, dtype=float) for x in (cm, sm_a, sm_v))
    sm_max = np.maximum(sm_a, sm_v)
    if np.any(~np.isfinite(sm_max)) or np.any(~np.isfinite(cm)):
        raise ValueError("cm, sm_a and sm_v must be finite")
    if np.any(sm_max <= 0):
        raise ValueError(f"sm_max (the best unisensory response) must be > 0, got {sm_max!r}")
    me = (cm - sm_max) / sm_max * 100.0
    return float(me) if me.ndim == 0 else me


def coefficient(rho, k_scale: float = 1.0):
    r"""The IEMF coefficient :math:`k = s\,[1 + \tanh(1 - \rho)]` (``k_scale`` = s, default 1).

    ``rho`` must be >= 0 (a ratio of summed probabilities). Numpy or torch in, same type out.
    """
    k_scale = check_positive("k_scale", check_number("k_scale", k_scale))
    try:
        import torch

        if isinstance(rho, torch.Tensor):
            if torch.any(rho < 0) or not torch.all(torch.isfinite(rho)):
                raise ValueError(f"rho must be finite and >= 0, got {rho!r}")
            return k_scale * (1.0 + torch.tanh(1.0 - rho))
    except ImportError:  # pragma: no cover - torch is a dependency
        pass
    r = np.asarray(rho, dtype=float)
    if np.any(r < 0) or np.any(~np.isfinite(r)):
        raise ValueError(f"rho must be finite and >= 0, got {rho!r}")
    k = k_scale * (1.0 + np.tanh(1.0 - r))
    return float(k) if k.ndim == 0 else k


def strengths(logits, labels):
    r"""Summed true-class softmax probability over the batch, :math:`s = \sum_i p_i(y_i)`.

    ``logits`` has shape (..., batch, classes) and ``labels`` (..., batch); leading dimensions
    (our ensemble of independent runs) are kept. Returns a torch tensor, no gradient.
    """
    import torch

    with torch.no_grad():
        p = torch.softmax(logits, dim=-1)
        return p.gather(-1, labels.unsqueeze(-1)).squeeze(-1).sum(-1)


def rho_and_k(logits_a, logits_v, logits_av, labels, k_scale=1.0):
    r"""(rho, k) from the three pathways' logits on one batch (see the module docstring).

    ``k_scale`` may be a number or a tensor broadcastable to the leading dimensions.
    """
    s_a, s_v, s_av = (strengths(o, labels) for o in (logits_a, logits_v, logits_av))
    return k_from_strengths(s_a, s_v, s_av, k_scale)


def k_from_strengths(s_a, s_v, s_av, k_scale=1.0):
    """(rho, k) from the strengths (torch tensors): rho = ((s_a + s_v)/2)/s_av, k = s(1 + tanh(1 - rho))."""
    rho = 0.5 * (s_a + s_v) / s_av
    return rho, k_scale * (1.0 + (1.0 - rho).tanh())


def modulate_fusion_grads(params, k, *, noise=False, generators=None, member_dim: bool = True):
    r"""Scale the fusion head's gradients in place: :math:`g \leftarrow k g` (+ Gaussian noise).

    Call it after ``loss.backward()`` and before ``optimizer.step()``, with ``params`` the fusion
    head's parameters only; nothing else is touched.

    - ``k``: a number, or (``member_dim=True``) a tensor with one coefficient per ensemble
      member: the first dimension of every parameter then indexes independent runs.
    - ``noise``: False, True, or a boolean per member. The noise std is that of the member's
      *unscaled* gradient, as in the authors' code (``grad * coeff + normal(0, grad.std())``).
    - ``generators``: one ``torch.Generator`` per member (or one for all) for the noise, so a
      run's noise does not depend on which other runs share its ensemble.

    Returns the list of modified gradients.

    Example
    -------
    >>> import torch
    >>> w = torch.nn.Parameter(torch.ones(3)); (2 * w).sum().backward()
    >>> _ = modulate_fusion_grads([w], 1.5, member_dim=False); w.grad.tolist()
    [3.0, 3.0, 3.0]
    """
    import torch

    out = []
    for p in params:
        if p.grad is None:
            continue
        g = p.grad
        lead = (g.shape[0],) + (1,) * (g.ndim - 1) if member_dim else None
        kk = torch.as_tensor(k, dtype=g.dtype)
        if member_dim and kk.ndim == 1:
            kk = kk.reshape(lead)
        mask = torch.as_tensor(noise, dtype=torch.bool)
        if bool(mask.any()):
            if member_dim:
                std = g.reshape(g.shape[0], -1).std(dim=1).reshape(lead)
                gens = generators if isinstance(generators, list | tuple) else [generators] * g.shape[0]
                eps = torch.stack([torch.randn(g.shape[1:], generator=gen, dtype=g.dtype) for gen in gens])
                if mask.ndim == 1:
                    eps = eps * mask.reshape(lead).to(g.dtype)
            else:
                std = g.std() if g.numel() > 1 else torch.zeros((), dtype=g.dtype)
                eps = torch.randn(g.shape, generator=generators, dtype=g.dtype)
            g.mul_(kk).add_(eps * (std + 1e-8))
        else:
            g.mul_(kk)
        out.append(g)
    return out


def scale_fusion_grads(logits_a, logits_v, logits_av, labels, fusion_params, k_scale: float = 1.0):
    """One run's IEMF step between ``loss.backward()`` and ``optimizer.step()``: rho and k from
    this batch's logits (shapes (batch, classes)), then every fusion parameter's gradient
    multiplied by k in place. Returns k (a float). The reference of tutorial 04's exercise.

    >>> import torch
    >>> w = torch.nn.Parameter(torch.ones(2)); w.sum().backward()
    >>> y = torch.tensor([0, 1]); same = torch.zeros(2, 3)
    >>> k = scale_fusion_grads(same, same, same, y, [w])     # equal confidence: rho = 1, k = 1
    >>> round(k, 6), w.grad.tolist()
    (1.0, [1.0, 1.0])
    """
    _, k = rho_and_k(logits_a, logits_v, logits_av, labels, k_scale)
    modulate_fusion_grads(list(fusion_params), float(k), member_dim=False)
    return float(k)
