"""Notebook 05: a C. elegans circuit prior (NCAP) swimming a MuJoCo swimmer.

Bhattasali, Zador & Engel (NeurIPS 2022) translate the C. elegans forward-locomotion circuit
into a 4-parameter controller and show that it swims at initialisation. This subpackage holds
the miniature reproduction:

- :mod:`bioviz.swimmer.task` -- the "swim" task on dm_control's n-link swimmer (registered in
  the suite) and :class:`~bioviz.swimmer.task.Body`, a fast physics-only stepper.
- :mod:`bioviz.swimmer.ncap` -- the NCAP circuit in torch (sign constraints, weight sharing,
  initialisations, an explicit time step), its plain-float twin, and the MLP baseline.
- :mod:`bioviz.swimmer.rollout` -- episodes, travelling-wave lags, sweeps, parallel runs.
- :mod:`bioviz.swimmer.es` -- evolution strategies under one budget for every controller.
- :mod:`bioviz.swimmer.figures` -- the body drawn from physics positions, the joint-angle
  heatmap, the circuit diagram and the result figures.
- :mod:`bioviz.swimmer.explorers` -- the notebook's interactive explorers.

``MUJOCO_GL`` is set to ``"disable"`` (physics only, no OpenGL) before dm_control is imported.
"""

import os

os.environ.setdefault("MUJOCO_GL", "disable")

from bioviz.theme import register_colors  # noqa: E402

register_colors({"mlp": "#34495e", "ncap": "#1e8449"})
