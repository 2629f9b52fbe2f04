"""The fast tier's explorer test: every control of every explorer moved to its min and its max.

Each explorer starts from its ``small`` settings (cheap values of its costly controls, e.g. one
training epoch) and each control is driven to both ends of its range through the widget, as a
reader would drag it; the figure must keep finite data and no error may appear. The full test
(tests/test_explorers.py, slow tier) adds middle values, random combinations, dead-control and
determinism checks.
"""

import pytest

from bioviz.explorer import discover
from tests.test_explorers import assert_finite

EXPLORERS = discover()


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_every_control_at_its_ends(name):
    explorer = EXPLORERS[name]()
    small = explorer.params(**explorer.small)
    widget = explorer.widget(seed=0, **small)
    assert widget.last_error is None, f"{name} small settings: {widget.last_error}"
    assert_finite(widget.fig, f"{name} small settings")
    for control in explorer.controls:
        values = control.sample_values()
        for value in (values[0], values[-1]):
            widget.set(**{control.name: value})
            where = f"{name}: {control.name}={value!r} from {explorer.small}"
            assert widget.last_error is None, f"{where}: {widget.last_error}"
            assert_finite(widget.fig, where)
            assert widget.fig.data, f"{where}: empty figure"
        widget.set(**{control.name: small[control.name]})
