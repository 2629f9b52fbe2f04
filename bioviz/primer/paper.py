"""What Eshraghian et al. (2023) and snnTorch, its authors' library, report (see :mod:`bioviz.papers`).

The paper is a tutorial review: it reports no number that a 64-128-10 network on 8x8 digits can
be set beside. What the primer takes from it are snnTorch's defaults, checked in the installed
library by ``tests/test_papers.py``.
"""

from bioviz.papers import Paper, Reported

PAPER = Paper(
    citation="Eshraghian et al. (2023)",
    title="Training Spiking Neural Networks Using Lessons From Deep Learning",
    url="https://doi.org/10.1109/JPROC.2023.3308088",
    code="https://github.com/jeshraghian/snntorch",
    numbers=dict(
        fast_sigmoid_slope=Reported(
            25.0, "", "snntorch.surrogate.fast_sigmoid(slope=25)", "library default", "confirmed", kind="setting"
        ),
        atan_alpha=Reported(
            2.0,
            "",
            "snntorch.surrogate.atan(alpha=2.0), snn.Leaky's default surrogate",
            "library default",
            "confirmed",
            kind="setting",
        ),
        threshold=Reported(
            1.0, "", "snntorch.Leaky(threshold=1.0)", "library default", "confirmed", kind="setting"
        ),
        reset=Reported(
            "subtract",
            "",
            "snntorch.Leaky(reset_mechanism='subtract')",
            "library default",
            "confirmed",
            kind="setting",
        ),
    ),
)
