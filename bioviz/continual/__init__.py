"""Notebook 08: learning new tasks without forgetting old ones, with Hebbian orthogonal projection.

Xiao, Meng, Zhang, He & Lin, "Hebbian learning based orthogonal projection for continual
learning of spiking neural networks" (ICLR 2024): lateral neurons learn, by a Hebbian rule, the
subspace each old task's inputs occupy, and new learning is projected out of it.

- :mod:`bioviz.continual.model` -- permuted-digit tasks, the network, the projected gradient,
  the Oja-subspace rule, exact (SVD) subspaces, task sequences and their ACC / BWT.
- :mod:`bioviz.continual.figures`, :mod:`bioviz.continual.explorers` and
  :mod:`bioviz.continual.exercises` -- figures, interactive explorers and the tutorial's checkers.
"""

from bioviz.theme import register_colors

register_colors(
    {
        "fine-tuning": "#7f8c8d",
        "HLOP (Hebbian)": "#1f618d",
        "exact projection (SVD)": "#ca6f1e",
    }
)
