"""Notebook 06: credit assignment without back-propagation.

Three answers to "what does learning need, if not back-propagation's exact, global,
transported gradient?":

- :mod:`bioviz.credit.ccl` -- counter-current learning (Kao & Hariharan, NeurIPS 2024): a
  feedback network and local losses, no error through the forward weights;
- :mod:`bioviz.credit.zo` -- zeroth-order estimates (weight and node perturbation) from loss
  values alone, and how their quality falls with dimension;
- :mod:`bioviz.credit.curl` and :mod:`bioviz.credit.toy` -- curl descent (Ninou, Kadmon &
  Cayco-Gajic, NeurIPS 2025): gradient updates with some synapses' signs flipped, in a
  teacher-student network and in a two-weight toy;
- :mod:`bioviz.credit.figures`, :mod:`bioviz.credit.explorers`, :mod:`bioviz.credit.exercises`.
"""

from bioviz.theme import register_colors

register_colors(
    {
        "back-propagation": "#1c2833",
        "counter-current": "#1f618d",
        "readout only": "#7f8c8d",
        "weight perturbation": "#ca6f1e",
        "node perturbation": "#1f618d",
        "gradient descent": "#1c2833",
        "flipped plasticity": "#c0392b",
        "hidden layer flipped": "#c0392b",
        "readout flipped": "#ca6f1e",
    }
)
