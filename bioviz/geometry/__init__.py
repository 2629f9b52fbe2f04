"""Notebook 03: neural population geometry and stochastic robustness (Dapello et al. 2021).

- :mod:`bioviz.geometry.models` -- standard, stochastic (V1-like front end with Poisson-like
  noise) and adversarially trained networks on sklearn's digits.
- :mod:`bioviz.geometry.attacks` -- L-inf PGD with random start, EOT, accuracy under attack.
- :mod:`bioviz.geometry.manifolds` -- manifold capacity, radius and dimension (MFTMA via NNLS),
  participation ratio, plain radius, overlap ratio; class and exemplar manifolds by layer.
- :mod:`bioviz.geometry.figures` -- the notebook's static figures.
- :mod:`bioviz.geometry.explorers` -- its interactive explorers.
"""

from bioviz.theme import register_colors

register_colors({"standard": "#34495e", "stochastic": "#e67e22", "adversarial": "#1e8449"})
