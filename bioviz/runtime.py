"""Run-time helpers shared by the concept subpackages.

- :func:`brian2` imports Brian2 configured for this suite: the ``numpy`` code-generation
  target (a Cython build costs minutes in every fresh environment; the numpy target starts
  at once and is fast enough for our network sizes) and quiet logging.
- :func:`torch_threads` runs a block with a given number of torch threads (tiny models are
  several times faster on one thread on a 2-core machine).
- :func:`progress` is the progress bar used for anything slower than a couple of seconds.
"""

from __future__ import annotations

import contextlib
import functools


@functools.cache
def brian2():
    """The ``brian2`` module with the numpy target and warnings-only logging."""
    import logging

    import brian2 as b2

    b2.prefs.codegen.target = "numpy"
    b2.BrianLogger.log_level_warn()
    logging.getLogger("brian2").setLevel(logging.WARNING)
    return b2


@contextlib.contextmanager
def torch_threads(n: int = 1):
    """Temporarily set ``torch.set_num_threads(n)``."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def progress(iterable=None, *, total: int | None = None, desc: str = "", leave: bool = False,
             disable: bool = False):
    """A tqdm.auto progress bar (a widget in Jupyter, text elsewhere)."""
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, leave=leave, disable=disable, mininterval=0.3)
