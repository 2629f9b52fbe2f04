"""Notebook 01: a hippocampal spiking content-addressable memory (CAM) in Brian2.

Casanueva-Morato et al., "Bio-inspired computational memory model of the Hippocampus: an
approach to a neuromorphic spike-based Content-Addressable Memory", Neural Networks 2024.

- :mod:`bioviz.cam.network` -- the Brian2 network, operations (learn, recall by cue, recall by
  content) and the :class:`~bioviz.cam.network.CAM` API.
- :mod:`bioviz.cam.experiments` -- the authors' functional and stress tests, recall from
  fragments against the closed form, forgetting by overwrite.
- :mod:`bioviz.cam.hopfield` -- a classic Hopfield autoassociator for contrast (numpy).
- :mod:`bioviz.cam.figures` and :mod:`bioviz.cam.explorers` -- figures and interactive explorers.
"""

from bioviz.theme import register_colors

# the memory's two halves, its gate, and the Hopfield contrast
register_colors(
    {"cue": "#1f618d", "content": "#ca6f1e", "gate": "#7d3c98", "cam": "#1e8449", "hopfield": "#8e44ad"}
)
