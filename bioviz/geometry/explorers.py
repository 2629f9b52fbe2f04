"""Interactive explorers of notebook 03 (see :mod:`bioviz.explorer` for the pattern).

The trained models are shared per process (:func:`bioviz.geometry.models.trained`); results
that do not depend on a control (the deterministic models' attacks when only sigma or EOT
moves) are cached too, so a slider re-runs only what it changes.
"""

from __future__ import annotations

import numpy as np

from bioviz import plots
from bioviz.explorer import Choice, Explorer, Float, Int
from bioviz.geometry import attacks, experiments, figures, manifolds, models
from bioviz.runtime import memo

#: Sizes used by the explorers (smaller than the notebook's, to answer within a second).
N_TEST = 80
EPS_GRID = (0.0, 0.05, 0.1, 0.15)
DIGITS = (0, 1, 2, 3, 4)
P_EXEMPLAR, M_EXEMPLAR, M_CLASS, N_T = 10, 10, 10, 40


def _model(kind: str, sigma: float = 0.0):
    return models.trained(kind, sigma if kind == "stochastic" else None)


def _sigma_control():
    return Float(
        "sigma",
        1.0,
        0.5,
        2.0,
        0.5,
        label="noise σ (stochastic model)",
        help="Each value is a separately trained model (trained once, then cached).",
    )


def _eps_control(value=0.1):
    return Float("eps", value, 0.0, 0.2, 0.01, label="attack ε (L∞)")


def _eot_control():
    return Int("eot", 8, 1, 16, label="EOT draws per PGD step")


def _steps_control():
    return Int("steps", 20, 1, 40, label="PGD steps")


@memo(maxsize=128)
def _curve(kind: str, sigma: float, eot: int, steps: int, seed: int) -> dict:
    return attacks.robustness(_model(kind, sigma), EPS_GRID, steps=steps, eot=eot, n=N_TEST, seed=seed)


def _names(sigma: float) -> dict:
    return {"standard": "standard", "stochastic": f"stochastic σ={sigma:g}", "adversarial": "adversarial"}


# ---------------------------------------------------------------------------------------------


class AttackExplorer(Explorer):
    """Accuracy against eps for the three networks, with and without EOT, and perturbed digits."""

    name = "geometry.attack"
    small = {"eot": 1, "steps": 1}  # the fast test tier's starting point
    title = "PGD against standard, stochastic and adversarially trained networks"
    controls = (_sigma_control(), _eps_control(), _eot_control(), _steps_control())

    def simulate(self, params, seed):
        import torch

        sigma, eot, steps = params["sigma"], params["eot"], params["steps"]
        names = _names(sigma)
        curves = {
            names["standard"]: {"EOT": _curve("standard", 0.0, 1, steps, seed)},
            names["stochastic"]: {
                "EOT": _curve("stochastic", sigma, eot, steps, seed),
                "no EOT": _curve("stochastic", sigma, 1, steps, seed),
            },
            names["adversarial"]: {"EOT": _curve("adversarial", 0.0, 1, steps, seed)},
        }
        dev = _model("standard").device
        _, Xte, _, yte = models.data(str(dev))
        idx = torch.tensor(DIGITS, device=dev)
        x, y = Xte[idx], yte[idx]
        adv, preds = {}, {}
        for kind, name in names.items():
            m = _model(kind, sigma)
            xa = attacks.pgd(m, x, y, params["eps"], steps=steps, eot=eot, seed=seed)
            adv[name] = xa.cpu().numpy()
            preds[name] = attacks.predict_proba(m, xa, draws=8, seed=seed).argmax(1).tolist()
        return dict(curves=curves, clean=x.cpu().numpy(), adv=adv, preds=preds, labels=y.tolist())

    def figure(self, result, params):
        fig = plots.new_figure(
            1,
            3,
            column_widths=[0.34, 0.34, 0.32],
            horizontal_spacing=0.07,
            subplot_titles=(
                "evaluated with one noise draw",
                "softmax averaged over 8 draws",
                f"digits at ε = {params['eps']:g}",
            ),
        )
        figures.accuracy_figure(result["curves"], eps_mark=params["eps"], fig=fig)
        figures.digits_figure(
            result["clean"],
            result["adv"],
            result["preds"],
            result["labels"],
            eps=params["eps"],
            fig=fig,
            row=1,
            col=3,
        )
        stoch = result["curves"][_names(params["sigma"])["stochastic"]]
        gap = stoch["no EOT"]["acc"][8][-1] - stoch["EOT"]["acc"][8][-1]
        fig.update_layout(
            height=430,
            title=(
                f"Accuracy under PGD ({params['steps']} steps, {N_TEST} test digits); at ε = "
                f"{EPS_GRID[-1]:g} the attack without EOT overstates the stochastic model by {gap:+.2f}"
            ),
        )
        return fig


# ---------------------------------------------------------------------------------------------


@memo(maxsize=64)
def _geometry(kind: str, sigma: float, manifold: str, eps: float, eot: int, steps: int, seed: int):
    ms = experiments.manifold_set(
        _model(kind, sigma),
        manifold,
        P=P_EXEMPLAR,
        M=M_EXEMPLAR if manifold == "exemplar" else M_CLASS,
        eps=eps,
        steps=steps,
        eot=eot,
        seed=seed,
    )
    return experiments.layer_geometry(ms, n_t=N_T, seed=seed)


class LayerExplorer(Explorer):
    """Layer-wise geometry of exemplar or class manifolds, clean vs adversarial, three networks."""

    name = "geometry.layers"
    small = {"eot": 1, "steps": 1}  # the fast test tier's starting point
    title = "Manifold geometry layer by layer"
    controls = (
        _sigma_control(),
        _eps_control(),
        Choice("manifold", "exemplar", options=experiments.MANIFOLD_TYPES, label="manifolds"),
        _eot_control(),
        _steps_control(),
        Choice("measure", "radius", options=manifolds.MEASURES, resimulate=False, label="measure"),
    )

    def simulate(self, params, seed):
        sigma = params["sigma"]
        names = _names(sigma)
        common = (params["manifold"], params["eps"])
        return {
            names["standard"]: _geometry("standard", 0.0, *common, 1, params["steps"], seed),
            names["stochastic"]: _geometry("stochastic", sigma, *common, params["eot"], params["steps"], seed),
            names["adversarial"]: _geometry("adversarial", 0.0, *common, 1, params["steps"], seed),
        }

    def figure(self, result, params):
        measure = params["measure"]
        fig = figures.layer_figure(result, (measure,))
        stoch = result[_names(params["sigma"])["stochastic"]]
        note = ""
        if stoch.overlap is not None:
            o = stoch.overlap_at("logits")
            note = (
                f"; stochastic overlap ratio at the logits {o['corrected']:.2f} "
                f"(raw {o['raw']:.2f}, raw with no attack {o['null_raw']:.2f})"
            )
        size = (
            f"{P_EXEMPLAR} images x {M_EXEMPLAR} attacks"
            if params["manifold"] == "exemplar"
            else f"10 classes x {M_CLASS} images"
        )
        fig.update_yaxes(title_text=figures.MEASURE_LABELS[measure])
        fig.update_layout(
            height=420,
            showlegend=True,
            title=(
                f"{figures.MEASURE_LABELS[measure]} of {params['manifold']} manifolds ({size}), "
                f"ε = {params['eps']:g}{note}"
            ),
        )
        return fig


# ---------------------------------------------------------------------------------------------


@memo(maxsize=64)
def _cloud(kind: str, sigma: float, exemplar: int, eps: float, eot: int, steps: int, seed: int):
    return experiments.exemplar_cloud(
        _model(kind, sigma), DIGITS[0] + exemplar, M=48, eps=eps, steps=steps, eot=eot, seed=seed
    )


class CloudExplorer(Explorer):
    """PCA of one exemplar's noise cloud with its adversarial points, at a chosen layer."""

    name = "geometry.cloud"
    title = "One digit: noise cloud and adversarial points"
    controls = (
        _sigma_control(),
        _eps_control(),
        _eot_control(),
        _steps_control(),
        Int(
            "exemplar",
            0,
            0,
            9,
            label="test-set index",
            help="Which test image (its position in the test set, not its digit class).",
        ),
        Choice("layer", "front", options=models.LAYERS, resimulate=False, label="layer"),
    )

    def simulate(self, params, seed):
        sigma = params["sigma"]
        names = _names(sigma)
        args = (params["exemplar"], params["eps"])
        return {
            names["stochastic"]: _cloud("stochastic", sigma, *args, params["eot"], params["steps"], seed),
            names["standard"]: _cloud("standard", 0.0, *args, 1, params["steps"], seed),
        }

    def figure(self, result, params):
        layer = params["layer"]
        clouds = {name: (r["clean"][layer], r["adv"][layer]) for name, r in result.items()}
        fig = figures.cloud_figure(clouds, layer=layer)
        stoch_name = next(iter(result))
        r = result[stoch_name]
        parts = []
        if np.ptp(r["clean"][layer], axis=0).max() > 0:
            ratio = manifolds.overlap_ratio([r["clean"][layer]], [r["adv"][layer]])
            null = manifolds.overlap_ratio([r["clean"][layer]], [r["null"][layer]], corrected=False)
            parts.append(f"overlap {ratio:.2f} (corrected; raw floor {null:.2f})")
        fooled = ", ".join(
            f"{name} {float(np.mean(res['pred_adv'] != res['label'])):.0%}" for name, res in result.items()
        )
        parts.append(f"attacks that fool: {fooled}")
        fig.update_layout(
            title=f"Digit {r['label']}, {layer} layer, ε = {params['eps']:g}: " + "; ".join(parts), height=420
        )
        return fig


__all__ = ["AttackExplorer", "LayerExplorer", "CloudExplorer"]
