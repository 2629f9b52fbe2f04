"""What Srinivasan, Plenz & Girvan (2025) report (see :mod:`bioviz.papers`).

Only the abstract and front matter could be checked and the authors' code is not public, so the
paper contributes one number and three qualitative claims. Our model's constants (gain, rate
targets, the plasticity step) are our own calibration, not the paper's.
"""

from bioviz.papers import Paper, Reported

PAPER = Paper(
    citation="Srinivasan, Plenz & Girvan (2025)",
    title="Boosting reservoir computing with brain-inspired adaptive control of E-I balance",
    url="https://arxiv.org/abs/2504.12480",
    numbers=dict(
        improvement_up_to=Reported(
            130,
            "% (up to)",
            "abstract",
            "paper",
            "confirmed",
            "memory capacity and time-series prediction, locally adapted vs globally tuned reservoirs",
        ),
        best_regime=Reported("balanced or slightly over-inhibited", "", "abstract", "paper", "confirmed"),
        heterogeneity=Reported(
            "heterogeneous target rates reduce the need for fine-tuning", "", "abstract", "paper", "confirmed"
        ),
        tasks=Reported(
            "memory capacity and time-series prediction", "", "abstract", "paper", "confirmed", kind="setting"
        ),
    ),
)
