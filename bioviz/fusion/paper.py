"""What He et al. (2025) and its authors' code report (see :mod:`bioviz.papers`).

The accuracies are checked against the authors' README results table and ``plot.py`` (the data
behind the paper's Fig. 2); the training settings against their run scripts. They are top-1
accuracies on real audio-visual datasets (CREMA-D, Kinetics-Sounds) with ResNet-18 encoders, not
on our noisy toy task: a reader compares *effects* (how many points IEMF adds), never levels.
"""

from bioviz.papers import Paper, Reported

_README = "Brain-Cog-Lab/IEMF README results table (ANN) and plot.py, Fig. 2a"
_ABLATION = "Brain-Cog-Lab/IEMF plot.py, Fig. 2c (Kinetics-Sounds, OGM-GE)"
_SCRIPTS = "Brain-Cog-Lab/IEMF run scripts (*.sh) and argument defaults"

#: The four headline cells: (vanilla, with IEMF) top-1 accuracy in %, ANN encoders.
HEADLINE_CELLS = ("cremad_concat", "cremad_ogmge", "ks_concat", "ks_ogmge")

PAPER = Paper(
    citation="He et al. (2025)",
    title="Incorporating brain-inspired mechanisms for multimodal learning in artificial intelligence",
    url="https://arxiv.org/abs/2505.10176",
    code="https://github.com/Brain-Cog-Lab/IEMF",
    numbers=dict(
        cremad_concat=Reported((62.63, 63.44), "% top-1, vanilla -> IEMF", _README, "authors' code", "confirmed"),
        cremad_ogmge=Reported((68.68, 71.10), "% top-1, vanilla -> IEMF", _README, "authors' code", "confirmed"),
        ks_concat=Reported((51.58, 56.17), "% top-1, vanilla -> IEMF", _README, "authors' code", "confirmed"),
        ks_ogmge=Reported((57.63, 64.61), "% top-1, vanilla -> IEMF", _README, "authors' code", "confirmed"),
        cells_down=Reported(
            (4, 24),
            "cells (lower with IEMF, of all reported)",
            "plot.py, Fig. 2a/b (ANN and SNN)",
            "authors' code",
            "confirmed",
        ),
        joint_share=Reported(
            (0.46, 0.91),
            "fraction of the IEMF gain",
            "plot.py, Fig. 2c2 (joint learning, Kinetics-Sounds)",
            "authors' code",
            "confirmed",
            "the share of the gain that the auxiliary losses alone (joint learning) recover; Kinetics-Sounds only",
        ),
        k_scale_values=Reported(
            (0.1, 0.5, 1, 2, 3, 5), "", _ABLATION, "authors' code", "confirmed", kind="setting"
        ),
        k_scale_acc=Reported(
            (60.41, 60.25, 64.61, 63.34, 62.18, 59.48),
            "% top-1 at each k scale",
            _ABLATION,
            "authors' code",
            "confirmed",
        ),
        k_scale_baseline=Reported(57.63, "% top-1 without IEMF", _ABLATION, "authors' code", "confirmed"),
        k_formula=Reported(
            "k = 1 + tanh(1 - rho), rho = ((s_a + s_v) / 2) / s_av",
            "",
            "train_snn.py (coeff_av)",
            "authors' code",
            "confirmed",
            kind="setting",
        ),
        cost_saving=Reported(
            0.5,
            "fraction (up to)",
            "abstract",
            "paper",
            "confirmed",
            "what the saving is measured in is not stated there",
        ),
        sgd_momentum=Reported(0.9, "", _SCRIPTS, "authors' code", "confirmed", kind="setting"),
        weight_decay=Reported(5e-4, "", _SCRIPTS, "authors' code", "confirmed", kind="setting"),
        learning_rate=Reported(
            5e-3, "", _SCRIPTS, "authors' code", "confirmed", "2e-3 for the LFM runs on CREMA-D", kind="setting"
        ),
        epochs=Reported(100, "epochs", _SCRIPTS, "authors' code", "confirmed", kind="setting"),
        batch_size=Reported(32, "", _SCRIPTS, "authors' code", "confirmed", "16 for the LFM runs", kind="setting"),
        seeds_per_cell=Reported(
            1,
            "training seed per reported cell",
            "inverse_ann.sh, inverse_snn.sh (--seed 2025 on every run)",
            "authors' code",
            "confirmed",
            "every released run uses seed 2025: the reported gains are single runs, without a spread",
            kind="setting",
        ),
        iemf_start_cremad=Reported(
            60,
            "epoch",
            "inverse_ann.sh, inverse_snn.sh (--inverse_starts)",
            "authors' code",
            "confirmed",
            "on Kinetics-Sounds IEMF runs from epoch 0",
            kind="setting",
        ),
    ),
)


def headline_gains() -> tuple[float, float]:
    """The smallest and largest vanilla -> IEMF gain of the four headline cells (points)."""
    gains = [PAPER[c][1] - PAPER[c][0] for c in HEADLINE_CELLS]
    return min(gains), max(gains)
