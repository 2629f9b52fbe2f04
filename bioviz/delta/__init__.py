"""Notebook 10: temporal sparsity with the Delta Activation Layer.

Yousefzadeh & Sifalakis, "Training for temporal sparsity in deep neural networks, application in
video processing" (2021): quantise each activation and send on only its change from the previous
frame; on redundant video most changes are exact zeros.

- :mod:`bioviz.delta.video` -- digits as video (slow drift over static clutter);
- :mod:`bioviz.delta.model` -- the MLP, the quantiser, dense and delta inference, counts,
  training with an L1 penalty on the deltas.
"""

from bioviz.theme import register_colors

register_colors(
    {
        "float activations": "#7f8c8d",
        "quantised deltas": "#1f618d",
        "float network": "#566573",
        "fine-tuned": "#ca6f1e",
    }
)
