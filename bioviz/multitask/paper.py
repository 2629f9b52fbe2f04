"""What Agliari, Alessandrelli, Barra & Ricci-Tersenghi (2023) report (see :mod:`bioviz.papers`).

The paper is analytic (statistical mechanics, signal-to-noise) with Monte Carlo checks; its
claims are laws and comparisons, not single numbers. Only the abstract could be read here: the
Monte Carlo settings of its figures (N, K, M, r) were out of reach, so none is adopted. The
closed forms our notebook sets beside the simulation (the hierarchical law of Agliari et al.
2012, the stability of the hierarchy, the majority-vote overlap) are written in
:mod:`bioviz.multitask.network` and derived there.
"""

from bioviz.papers import Paper, Reported

PAPER = Paper(
    citation="Agliari, Alessandrelli, Barra & Ricci-Tersenghi (2023)",
    title="Parallel Learning by Multitasking Neural Networks",
    url="https://arxiv.org/abs/2308.04106",
    numbers=dict(
        hierarchical_law=Reported(
            "m_k = (1 - d) d^(k-1)",
            "",
            "abstract: 'amplitudes of their signals as power-laws' "
            "(the law: Agliari et al., PRL 109, 268101, 2012)",
            checked="not checked",
            note="zero temperature, mild dilution; the exact form is from the 2012 multitasking network",
        ),
        parallel_regime=Reported(
            "all patterns at equal strength",
            "",
            "abstract: 'for strong dilution, all the signals ... are raised with the same strength'",
            checked="confirmed",
        ),
        teacher=Reported(
            "supervised = unsupervised",
            "",
            "abstract: 'the presence of a teacher neither alters the multitasking performances "
            "nor changes the thresholds for learning'",
            checked="confirmed",
            note="low storage, K finite (up to logarithmic growth in N)",
        ),
        storage=Reported(
            "K finite, up to ~log N",
            "",
            "abstract: 'low-storage setting (i.e., far from the spin glass limit)'",
            checked="confirmed",
            kind="setting",
        ),
    ),
)
