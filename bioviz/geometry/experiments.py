r"""Experiments on the trained models: representations, exemplar and class manifolds, layer-wise geometry.

- :func:`representations` -- every layer's activations for a batch of images (one noise draw each).
- :func:`exemplar_manifolds` -- P test images, each attacked M times (independent random starts,
  and for a stochastic network independent noise draws); the *clean* exemplar manifold is the
  same image under M noise draws (a single point for a deterministic network), and a second,
  independent clean cloud is kept as the no-attack *null* of the overlap ratio.
- :func:`class_manifolds` -- M test images of each of the 10 classes, clean and attacked.
- :func:`layer_geometry` -- the measures of :mod:`bioviz.geometry.manifolds` at every layer, clean
  and adversarial, and the overlap ratio of the clean noise cloud and the adversarial cloud
  (corrected for its sampling floor, with the raw value and the no-attack null beside it).
- :func:`sigma_sweep` -- accuracy under attack and overlap against the noise level, over seeds.
- :func:`gabor_comparison` -- does the noise add robustness on top of a Gabor front end?
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from bioviz.geometry import attacks, manifolds, models
from bioviz.parallel import Backend, pmap, resolve
from bioviz.runtime import progress, torch_threads
from bioviz.sweeps import SweepResult, grid_points
from bioviz.validation import check_choice, check_int, check_seed

MANIFOLD_TYPES = ("exemplar", "class")


def representations(model, x, *, seed: int = 0) -> dict[str, np.ndarray]:
    """``{layer: (n, N) float64 array}`` for the images ``x`` (one noise draw per image)."""
    import torch

    gen = attacks._generator(model.net, check_seed(seed))
    with torch_threads(1), torch.no_grad():
        out = model.net.layers(x, gen)
    return {k: v.detach().cpu().double().numpy() for k, v in out.items()}


@dataclass
class ManifoldSet:
    """Clean and adversarial manifolds of one model: ``{layer: (P, M, N)}`` each.

    ``images`` (P, 64) and ``labels`` are the source images; ``x_adv`` (P, M, 64) the attacked
    versions; ``kind`` is ``"exemplar"`` or ``"class"``; ``seconds`` the attack and forward time.
    ``null`` (exemplar manifolds only, else None): a second, independent set of M clean noise
    draws per image, ``{layer: (P, M, N)}``; the overlap ratio of ``clean`` against ``null`` is
    what the statistic reports when there is no attack at all.
    """

    kind: str
    images: np.ndarray
    labels: np.ndarray
    x_adv: np.ndarray
    clean: dict
    adv: dict
    eps: float
    seconds: float = 0.0
    meta: dict = field(default_factory=dict)
    null: dict | None = None


def exemplar_indices(P: int, seed: int = 0) -> np.ndarray:
    """P distinct test-set indices drawn with ``seed`` (the same for every model)."""
    n_test = len(models.data()[1])
    P = check_int("P", P, 2, n_test)
    return np.sort(np.random.default_rng(check_seed(seed)).choice(n_test, P, replace=False))


def _reshape(reps: dict, P: int, M: int) -> dict:
    return {k: v.reshape(P, M, -1) for k, v in reps.items()}


def exemplar_manifolds(
    model,
    *,
    P: int = 16,
    M: int = 16,
    eps: float = 0.1,
    steps: int = 20,
    eot: int = 8,
    seed: int = 0,
    image_seed: int = 0,
    indices=None,
) -> ManifoldSet:
    """Exemplar manifolds: each of P test images under M attacks (and M clean noise draws).

    ``indices`` picks the images (default: :func:`exemplar_indices` with ``image_seed``).
    """
    eps = attacks.check_eps(eps)
    M = check_int("M", M, 1)
    seed = check_seed(seed)
    _, Xte, _, yte = models.data(str(model.device))
    idx = exemplar_indices(P, image_seed) if indices is None else np.asarray(indices, dtype=int)
    if idx.size < 2:
        raise ValueError(f"indices must select at least 2 images, got {idx.size}")
    P = idx.size
    t0 = time.perf_counter()
    x = Xte[idx].repeat_interleave(M, dim=0)
    y = yte[idx].repeat_interleave(M, dim=0)
    x_adv = attacks.pgd(model, x, y, eps, steps=steps, eot=eot, seed=seed)
    clean = _reshape(representations(model, x, seed=seed + 1), P, M)
    adv = _reshape(representations(model, x_adv, seed=seed + 2), P, M)
    null = _reshape(representations(model, x, seed=seed + 3), P, M)
    return ManifoldSet(
        "exemplar",
        Xte[idx].cpu().numpy(),
        yte[idx].cpu().numpy(),
        x_adv.cpu().numpy().reshape(P, M, -1),
        clean,
        adv,
        eps,
        time.perf_counter() - t0,
        dict(steps=steps, eot=eot, seed=seed),
        null,
    )


def class_manifolds(
    model, *, M: int = 20, eps: float = 0.1, steps: int = 20, eot: int = 8, seed: int = 0, image_seed: int = 0
) -> ManifoldSet:
    """Class manifolds: M test images of each digit class, clean and each attacked once."""
    eps = attacks.check_eps(eps)
    seed = check_seed(seed)
    _, Xte, _, yte = models.data(str(model.device))
    labels = yte.cpu().numpy()
    M = check_int("M", M, 1, int(np.bincount(labels).min()))
    rng = np.random.default_rng(check_seed(image_seed))
    idx = np.concatenate([np.sort(rng.choice(np.flatnonzero(labels == c), M, replace=False)) for c in range(10)])
    t0 = time.perf_counter()
    x, y = Xte[idx], yte[idx]
    x_adv = attacks.pgd(model, x, y, eps, steps=steps, eot=eot, seed=seed)
    clean = _reshape(representations(model, x, seed=seed + 1), 10, M)
    adv = _reshape(representations(model, x_adv, seed=seed + 2), 10, M)
    return ManifoldSet(
        "class",
        x.cpu().numpy().reshape(10, M, -1),
        labels[idx].reshape(10, M),
        x_adv.cpu().numpy().reshape(10, M, -1),
        clean,
        adv,
        eps,
        time.perf_counter() - t0,
        dict(steps=steps, eot=eot, seed=seed),
    )


def exemplar_cloud(
    model, index: int, *, M: int = 48, eps: float = 0.1, steps: int = 20, eot: int = 8, seed: int = 0
) -> dict:
    """Test image number ``index`` (a test-set index, not a digit class) under M noise draws
    (clean) and M attacks: ``{"clean": {layer: (M, N)}, "adv": {layer: (M, N)}, "null": {layer:
    (M, N)} (M more clean draws), "x_adv": (M, 64), "label": int, "pred_clean": (M,), "pred_adv": (M,)}``.
    """
    eps = attacks.check_eps(eps)
    M = check_int("M", M, 2)
    seed = check_seed(seed)
    _, Xte, _, yte = models.data(str(model.device))
    index = check_int("index", index, 0, len(Xte) - 1)
    x = Xte[index : index + 1].repeat(M, 1)
    y = yte[index : index + 1].repeat(M)
    x_adv = attacks.pgd(model, x, y, eps, steps=steps, eot=eot, seed=seed)
    clean = representations(model, x, seed=seed + 1)
    adv = representations(model, x_adv, seed=seed + 2)
    null = representations(model, x, seed=seed + 3)
    return {
        "clean": clean,
        "adv": adv,
        "null": null,
        "x_adv": x_adv.cpu().numpy(),
        "label": int(yte[index]),
        "pred_clean": clean["logits"].argmax(1),
        "pred_adv": adv["logits"].argmax(1),
    }


def manifold_set(model, kind: str = "exemplar", **kwargs) -> ManifoldSet:
    """:func:`exemplar_manifolds` or :func:`class_manifolds` by name."""
    check_choice("manifold", kind, MANIFOLD_TYPES)
    if kind == "class":
        kwargs.pop("P", None)
        return class_manifolds(model, **kwargs)
    return exemplar_manifolds(model, **kwargs)


@dataclass
class LayerGeometry:
    """``clean`` and ``adv``: ``{measure: array over layers}``; ``seconds``: time spent on the measures.

    The overlap ratio, per layer (stochastic exemplar manifolds only, else None; NaN where the
    clean manifold is a point), see :func:`bioviz.geometry.manifolds.overlap_ratio`:
    ``overlap`` corrected for the sampling floor; ``overlap_raw`` the raw ratio; ``null_raw``
    and ``null`` the raw and corrected ratios of the clean cloud against a second clean cloud
    (no attack): the floor the raw ratio never goes below, and the corrected ratio's zero.
    """

    layers: tuple
    clean: dict
    adv: dict
    overlap: np.ndarray | None
    seconds: float
    overlap_raw: np.ndarray | None = None
    null_raw: np.ndarray | None = None
    null: np.ndarray | None = None

    def overlap_at(self, layer: str) -> dict:
        """``{"corrected", "raw", "null_raw", "null"}`` at one layer (NaN without a noise cloud)."""
        i = list(self.layers).index(layer)
        keys = {"corrected": self.overlap, "raw": self.overlap_raw, "null_raw": self.null_raw, "null": self.null}
        return {k: float(v[i]) if v is not None else float("nan") for k, v in keys.items()}


def has_noise_cloud(ms: ManifoldSet, layer: str) -> bool:
    """Do the clean exemplar manifolds at ``layer`` have spread (noise), or are they points?"""
    return bool(np.ptp(ms.clean[layer], axis=1).max() > 0)


def layer_geometry(ms: ManifoldSet, *, n_t: int = 100, seed: int = 0, layers=models.LAYERS) -> LayerGeometry:
    """Every measure at every layer for the clean and the adversarial manifolds of ``ms``.

    The overlap ratio needs a clean noise cloud: it is computed for exemplar manifolds of a
    stochastic network (NaN at the pixels, before the noise), else ``None``; with it, the raw
    ratio and the no-attack null (``ms.null``), see :class:`LayerGeometry`.
    """
    t0 = time.perf_counter()
    out = {"clean": {}, "adv": {}}
    for which in ("clean", "adv"):
        reps = getattr(ms, which)
        rows = [manifolds.measures(reps[layer], n_t=n_t, seed=seed) for layer in layers]
        out[which] = {m: np.array([r[m] for r in rows]) for m in manifolds.MEASURES}
    ratios = {}
    if ms.kind == "exemplar" and has_noise_cloud(ms, layers[-1]):

        def per_layer(other, corrected):
            return np.array(
                [
                    manifolds.overlap_ratio(ms.clean[layer], other[layer], corrected=corrected)
                    if has_noise_cloud(ms, layer)
                    else np.nan
                    for layer in layers
                ]
            )

        ratios = dict(overlap=per_layer(ms.adv, True), overlap_raw=per_layer(ms.adv, False))
        if ms.null is not None:
            ratios.update(null=per_layer(ms.null, True), null_raw=per_layer(ms.null, False))
    return LayerGeometry(
        tuple(layers), out["clean"], out["adv"], ratios.pop("overlap", None), time.perf_counter() - t0, **ratios
    )


def sigma_sweep(
    sigmas=models.SIGMAS,
    seeds=(0,),
    *,
    eps_values=(0.05, 0.1),
    overlap_eps: float | None = None,
    steps: int = 20,
    eot: int = 8,
    n: int | None = None,
    overlap_P: int = 8,
    overlap_M: int = 16,
    parallel: str | Backend | None = None,
    show_progress: bool = True,
) -> SweepResult:
    """Accuracy under attack (single draw and 8-draw average) and the overlap ratio against sigma.

    ``sigma = 0`` is the standard model. Returns a :class:`~bioviz.sweeps.SweepResult` on the
    grid ``seed x sigma`` with values ``acc1``/``acc8`` (one per attack strength: clean first,
    then each of ``eps_values``; ``settings["eps"]`` lists them); ``correct8`` (one per test
    digit): which digits the 8-draw average gets right at the largest eps (for paired
    comparisons); ``overlap`` (front and logit layers, ``settings["layers"]``; exemplar
    manifolds attacked at ``overlap_eps``, default the largest eps; NaN for sigma = 0),
    corrected for its sampling floor; ``overlap_raw`` the raw ratio and ``overlap_null_raw``
    the raw ratio with no attack (see :func:`bioviz.geometry.manifolds.overlap_ratio`).
    Grid points run through :func:`bioviz.parallel.pmap` (``parallel``; serial by default).
    """
    sigmas = tuple(float(s) for s in sigmas)
    seeds = tuple(check_seed(s) for s in seeds)
    if not sigmas or not seeds:
        raise ValueError("sigmas and seeds must not be empty")
    for s in sigmas:
        models.check_sigma(s)
    eps = np.r_[0.0, [attacks.check_eps(e) for e in eps_values]]
    if overlap_eps is None:
        overlap_eps = float(eps[-1])
    overlap_eps = attacks.check_eps(overlap_eps)
    steps = check_int("steps", steps, 1, 10_000)
    eot = check_int("eot", eot, 1, 1000)
    overlap_P = check_int("overlap_P", overlap_P, 2, 540)  # at most the test digits
    overlap_M = check_int("overlap_M", overlap_M, 1, 1000)
    if n is not None:
        n = check_int("n", n, 1, 100_000)
    axes = {"seed": seeds, "sigma": sigmas}
    common = dict(
        eps=eps, steps=steps, eot=eot, n=n, overlap_P=overlap_P, overlap_M=overlap_M, overlap_eps=overlap_eps
    )
    points = pmap(
        _sigma_point,
        [dict(p, **common) for p in grid_points(axes)],
        unpack=True,
        parallel=resolve(parallel),
        desc="sigma sweep",
        show_progress=show_progress,
    )
    return SweepResult.from_points(
        axes, points, settings=dict(eps=eps, layers=LAYERS, overlap_eps=overlap_eps, steps=steps, eot=eot)
    )


#: The layers whose overlap ratio :func:`sigma_sweep` measures.
LAYERS = ("front", "logits")


def _sigma_point(seed, sigma, *, eps, steps, eot, n, overlap_P, overlap_M, overlap_eps) -> dict:
    """One grid point of :func:`sigma_sweep` (module level, so a worker process can run it)."""
    model = models.trained("stochastic" if sigma > 0 else "standard", sigma, seed)
    r = attacks.robustness(model, eps, steps=steps, eot=eot, n=n, seed=100 * seed)
    ratios = np.full((3, len(LAYERS)), np.nan)  # corrected, raw, null raw
    if sigma > 0:
        ms = exemplar_manifolds(model, P=overlap_P, M=overlap_M, eps=overlap_eps, steps=steps, eot=eot, seed=seed)
        for k, layer in enumerate(LAYERS):
            ratios[0, k] = manifolds.overlap_ratio(ms.clean[layer], ms.adv[layer])
            ratios[1, k] = manifolds.overlap_ratio(ms.clean[layer], ms.adv[layer], corrected=False)
            ratios[2, k] = manifolds.overlap_ratio(ms.clean[layer], ms.null[layer], corrected=False)
    return dict(
        acc1=r["acc"][1],
        acc8=r["acc"][8],
        correct8=r["correct"][8][-1],
        overlap=ratios[0],
        overlap_raw=ratios[1],
        overlap_null_raw=ratios[2],
    )


def paired_difference(correct_a, correct_b) -> tuple[float, float]:
    r"""Accuracy difference of two classifiers on the same items and its standard error.

    ``correct_a``, ``correct_b``: boolean arrays (one entry per test item). The paired standard
    error :math:`\sqrt{\operatorname{var}(a_i - b_i)/n}` only counts the items on which the two
    disagree, so it is smaller than the error of either accuracy alone.

    >>> paired_difference(np.array([1, 1, 0, 1]), np.array([1, 0, 0, 1]))[0]
    0.25
    """
    a = np.asarray(correct_a, dtype=float)
    b = np.asarray(correct_b, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or a.size < 2:
        raise ValueError(
            f"correct_a and correct_b must be 1-D arrays of the same length >= 2, "
            f"got shapes {a.shape} and {b.shape}"
        )
    d = a - b
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(d.size))


def gabor_comparison(
    seeds=(0, 1, 2),
    *,
    sigma: float = 1.0,
    eps: float = 0.1,
    steps: int = 20,
    eot: int = 8,
    show_progress: bool = True,
) -> dict:
    """Standard vs stochastic network on a Gabor front end, over training seeds.

    For each seed: clean and eps accuracy (8-draw average; EOT attack) of both networks and the
    paired difference (stochastic - standard) at eps with its standard error over the test digits.
    Returns arrays of shape (len(seeds),): ``clean_standard``, ``clean_stochastic``,
    ``standard``, ``stochastic``, ``diff``, ``diff_se``.
    """
    seeds = tuple(check_seed(s) for s in seeds)
    if not seeds:
        raise ValueError("seeds must not be empty")
    eps = attacks.check_eps(eps)
    steps = check_int("steps", steps, 1, 10_000)
    eot = check_int("eot", eot, 1, 1000)
    out = {
        k: np.zeros(len(seeds))
        for k in ("clean_standard", "clean_stochastic", "standard", "stochastic", "diff", "diff_se")
    }
    for i, seed in progress(list(enumerate(seeds)), desc="Gabor front end", disable=not show_progress):
        res = {}
        for kind, s in (("standard", None), ("stochastic", sigma)):
            m = models.trained(kind, s, seed, front="gabor")
            res[kind] = attacks.robustness(m, [0.0, eps], steps=steps, eot=eot, draws=(8,), seed=100 * seed)
            out[f"clean_{kind}"][i] = res[kind]["acc"][8][0]
            out[kind][i] = res[kind]["acc"][8][1]
        out["diff"][i], out["diff_se"][i] = paired_difference(
            res["stochastic"]["correct"][8][1], res["standard"]["correct"][8][1]
        )
    return {"seeds": np.array(seeds), "sigma": sigma, "eps": eps, **out}


def mftma_spread(
    model, *, layer: str = "hidden", Ms=(5, 10, 20), image_seeds=range(5), n_t: int = 100, seed: int = 0
) -> dict:
    """MFTMA of clean class manifolds (10 classes x M digits) for several M and image samples.

    Returns ``{"M": array, "capacity"|"radius"|"dimension": (len(Ms), n_samples) arrays}``: how
    much the absolute values move with the sample and with M when P and M are this small.
    """
    check_choice("layer", layer, models.LAYERS)
    Ms = [check_int("M", m, 2) for m in Ms]
    image_seeds = [check_seed(s) for s in image_seeds]
    out = {k: np.zeros((len(Ms), len(image_seeds))) for k in ("capacity", "radius", "dimension")}
    for i, M in enumerate(Ms):
        for j, s in enumerate(image_seeds):
            ms = class_manifolds(model, M=M, eps=0.0, seed=seed, image_seed=s)
            r = manifolds.mftma(ms.clean[layer], n_t=n_t, seed=seed + j)
            out["capacity"][i, j], out["radius"][i, j], out["dimension"][i, j] = (
                r.capacity,
                r.radius,
                r.dimension,
            )
    return {"M": np.array(Ms), **out}


def radius_ratios(
    model,
    *,
    image_seeds=range(4),
    P: int = 16,
    M: int = 16,
    eps: float = 0.1,
    steps: int = 20,
    eot: int = 8,
    seed: int = 0,
) -> dict:
    """Logits/pixels ratios of the exemplar perturbation manifolds for several image samples.

    ``spread``: the plain radius (how much the M attacks of one digit spread); ``mftma``: the
    MFTMA radius of the same manifolds (n_t = 100); ``displacement``:
    :func:`bioviz.geometry.manifolds.displacement` (how far they move from the clean digit).
    """
    spread, mftma, moved = [], [], []
    for s in image_seeds:
        ms = exemplar_manifolds(
            model, P=P, M=M, eps=eps, steps=steps, eot=eot, seed=seed, image_seed=check_seed(s)
        )
        spread.append(manifolds.plain_radius(ms.adv["logits"]) / manifolds.plain_radius(ms.adv["pixels"]))
        mftma.append(
            manifolds.mftma(ms.adv["logits"], n_t=100, seed=seed).radius
            / manifolds.mftma(ms.adv["pixels"], n_t=100, seed=seed).radius
        )
        moved.append(
            manifolds.displacement(ms.clean["logits"], ms.adv["logits"])
            / manifolds.displacement(ms.clean["pixels"], ms.adv["pixels"])
        )
    return {"spread": np.array(spread), "mftma": np.array(mftma), "displacement": np.array(moved)}
