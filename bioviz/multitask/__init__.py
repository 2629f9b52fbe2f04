"""Notebook 07: an associative memory that retrieves several patterns at once.

Agliari, Alessandrelli, Barra and Ricci-Tersenghi, "Parallel Learning by Multitasking Neural
Networks" (2023): a Hopfield network whose stored patterns are *diluted* (blank on a fraction
``d`` of the neurons) and learned by Hebb's rule from noisy examples retrieves several patterns
at once.

- :mod:`bioviz.multitask.network` -- patterns, examples, the supervised and unsupervised
  Hebbian couplings, zero- and finite-temperature dynamics, Mattis magnetisations, the
  theory (hierarchical law, stability of the hierarchy, signal-to-noise of learning) and the
  sweeps of the reproduction report.
- :mod:`bioviz.multitask.figures`, :mod:`bioviz.multitask.explorers` and
  :mod:`bioviz.multitask.exercises` -- figures, interactive explorers and the tutorial's checkers.
"""

from bioviz.theme import register_colors

# the theory beside the simulation, and one colour per retrieved pattern (rank 1..5)
register_colors(
    {
        "theory": "#7f8c8d",
        "simulation": "#1f618d",
        "supervised": "#ca6f1e",
        "unsupervised": "#1f618d",
        "blank": "#d5d8dc",
    }
)
