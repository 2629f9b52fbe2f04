"""Notebook 00: the spiking-neuron primer (LIF neurons, spike encodings, surrogate gradients).

- :mod:`bioviz.primer.lif` -- closed-form f-I curve, Brian2 and snnTorch simulations.
- :mod:`bioviz.primer.encoding` -- rate, latency and delta spike encodings of digits.
- :mod:`bioviz.primer.training` -- surrogate-gradient SNN vs an equal ANN on sklearn digits.
- :mod:`bioviz.primer.explorers` -- the notebook's interactive explorers.
"""
