"""Notebook 04: inverse effectiveness and IEMF multimodal fusion (ANN and SNN).

- :mod:`bioviz.fusion.enhancement` -- a synthetic multisensory neuron: inverse
  effectiveness, the enhancement index, floor/ceiling and regression-to-the-mean caveats;
- :mod:`bioviz.fusion.task` -- digits ("visual") + a class spectrum ("audio"), noise per modality;
- :mod:`bioviz.fusion.models` -- encoders, concat fusion head, unimodal heads (ANN and SNN);
- :mod:`bioviz.fusion.iemf` -- the enhancement index and the IEMF coefficient and gradient rule;
- :mod:`bioviz.fusion.training` -- the conditions base / joint / iemf / probe / pcoef, many runs at once;
- :mod:`bioviz.fusion.figures`, :mod:`bioviz.fusion.explorers` -- figures and explorers.
"""
