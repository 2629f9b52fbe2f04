"""Notebook 04: inverse effectiveness and IEMF multimodal fusion (ANN and SNN).

- :mod:`bioviz.fusion.enhancement` -- a synthetic multisensory neuron: inverse
  effectiveness, the enhancement index, floor/ceiling and regression-to-the-mean caveats;
- :mod:`bioviz.fusion.task` -- digits ("visual") + a class spectrum ("audio"), noise per modality;
- :mod:`bioviz.fusion.models` -- encoders, concat fusion head, unimodal heads (ANN and SNN);
- :mod:`bioviz.fusion.iemf` -- the enhancement index and the IEMF coefficient and gradient rule;
- :mod:`bioviz.fusion.training` -- the conditions base / joint / iemf / probe / pcoef, many runs at once;
- :mod:`bioviz.fusion.figures`, :mod:`bioviz.fusion.explorers` -- figures and explorers.
"""

from bioviz.theme import register_colors

# modalities and training conditions
register_colors(
    {
        "visual": "#8e44ad",
        "audio": "#d35400",
        "fused": "#117a65",
        "base": "#7f8c8d",
        "joint": "#2e86c1",
        "iemf": "#1e8449",
        "probe": "#b7950b",
        "pcoef": "#a93226",
        "authors": "#6c3483",
        "constk": "#ca6f1e",
    }
)
