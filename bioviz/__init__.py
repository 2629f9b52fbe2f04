"""bioviz: interactive, tested notebooks on bio-inspired neural networks.

The package holds the models, figures and explorers; the notebooks in ``notebooks/`` call it.
Importing ``bioviz`` is cheap: heavy libraries (torch, brian2, dm_control) are imported only by
the concept subpackages that need them.

Layout
------
- :mod:`bioviz.env` -- :func:`check_env`, called by every notebook's setup cell.
- :mod:`bioviz.validation` -- parameter checks raising a ValueError that names the parameter.
- :mod:`bioviz.theme`, :mod:`bioviz.plots` -- one plotly theme and the shared figure helpers.
- :mod:`bioviz.explorer` -- the explorer pattern (pure ``simulate`` and ``figure``, a thin
  ipywidgets front) and the registry that tests and benchmarks use.
- :mod:`bioviz.report` -- "paper vs ours" comparison tables for notebooks.
- :mod:`bioviz.data` -- checksummed access to the small files in ``data/``.
- one subpackage per notebook: :mod:`bioviz.primer` (00), ...
"""

from importlib import metadata

from bioviz.env import check_env

try:  # one source for the version: the package metadata (pyproject.toml)
    __version__ = metadata.version("bioviz")
except metadata.PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
__all__ = ["check_env", "__version__"]
