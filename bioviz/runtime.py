"""Run-time helpers shared by the concept subpackages.

- :func:`brian2` imports Brian2 configured for this suite: the ``numpy`` code-generation
  target (a Cython build costs minutes in every fresh environment; the numpy target starts
  at once and is fast enough for our network sizes) and quiet logging.
- :func:`torch_threads` runs a block with a given number of torch threads (tiny models are
  several times faster on one thread on a 2-core machine).
- :func:`blas_threads` does the same for numpy's BLAS (small decompositions were ~20x slower
  with OpenBLAS's threads fighting over a busy 2-core machine).
- :func:`progress` is the (text) progress bar used for anything slower than a couple of seconds.
- :func:`fit` is the minibatch training loop the small torch models share (Adam, shuffled
  batches from a seeded generator, one evaluation per epoch, a progress bar).
- :func:`memo` caches a computation that explorers repeat; :func:`no_caches` bypasses every
  such cache (the determinism test).
"""

from __future__ import annotations

import contextlib
import functools
import weakref


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


@functools.cache
def _threadpools():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # built once per process: it scans the loaded libraries


def blas_threads(n: int = 1):
    """A context running numpy's BLAS on ``n`` threads (``with blas_threads(1): ...``)."""
    return _threadpools().limit(limits=n, user_api="blas")


def progress(
    iterable=None, *, total: int | None = None, desc: str = "", leave: bool = True, disable: bool = False
):
    """A text progress bar on stdout (tqdm), for anything slower than a couple of seconds.

    Text rather than tqdm's notebook widget: it updates in place in JupyterLab just the same,
    and an executed or exported notebook keeps the final line ("100% 3/3 [00:05]") instead of
    a widget's frozen "0%" placeholder. stdout, not stderr, so it never reads as an error.
    """
    import sys

    from tqdm.std import tqdm

    # a bar inside another bar's loop stays quiet: nested text bars need cursor control codes
    # that a notebook's output area prints literally (tqdm disables a bar when it closes)
    nested = any(not bar.disable for bar in list(_BARS))
    bar = tqdm(
        iterable,
        total=total,
        desc=desc,
        leave=leave,
        disable=disable or nested,
        mininterval=0.5,
        file=sys.stdout,
        ncols=90,
    )
    _BARS.add(bar)
    return bar


#: The bars :func:`progress` made that still exist (a closed bar is disabled).
_BARS: weakref.WeakSet = weakref.WeakSet()


# ---------------------------------------------------------------------------------------------
# training


def fit(
    model,
    X,
    y,
    batch_loss,
    evaluate,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    generator,
    after_backward=None,
    desc: str = "training",
    show_progress: bool = True,
) -> dict:
    """Train ``model`` with Adam on shuffled minibatches of ``(X, y)``; return its history.

    Each epoch draws a permutation from ``generator`` (so a seed fixes the batch order), calls
    ``batch_loss(xb, yb)`` for the loss of a batch, steps Adam (``after_backward()``, if given,
    runs between the backward pass and the step: e.g. to record a gradient norm), then
    ``evaluate()``, which returns the epoch's measurements (e.g. ``{"test_acc": 0.93}``).
    History: ``{"epoch": [...], "loss": [mean batch loss, ...], **measurements}``, one entry
    per epoch. The caller chooses threads, seeds the model's initialisation and puts the model
    in train mode inside ``batch_loss`` if ``evaluate`` leaves it in eval mode.
    """
    import torch

    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history: dict[str, list] = {"epoch": [], "loss": []}
    for epoch in progress(range(epochs), desc=desc, disable=not show_progress):
        model.train()
        perm = torch.randperm(len(X), generator=generator, device=X.device)
        total, batches = 0.0, 0
        for i in range(0, len(X), batch_size):
            idx = perm[i : i + batch_size]
            loss = batch_loss(X[idx], y[idx])
            opt.zero_grad()
            loss.backward()
            if after_backward is not None:
                after_backward()
            opt.step()
            total += loss.item()
            batches += 1
        history["epoch"].append(epoch + 1)
        history["loss"].append(total / batches)
        for key, value in evaluate().items():
            history.setdefault(key, []).append(value)
    return history


# ---------------------------------------------------------------------------------------------
# caches that tests can bypass


#: Every helper wrapped by :func:`memo` (tests clear or bypass them all at once).
MEMOS: list = []
_bypass = False


def memo(maxsize: int = 64):
    """Cache a computation's results (``functools.lru_cache`` with ``maxsize`` entries).

    An explorer's ``simulate`` calls such helpers for the parts of a result that only some
    controls change (a Hopfield load curve does not depend on the number of patterns shown),
    so moving one control, or moving it back, re-computes only what it touches. Every memo is
    registered: :func:`no_caches` makes them all compute afresh, which is how the determinism
    test checks that the same seed gives the same numbers (not the same cached object).

    >>> calls = []
    >>> @memo(maxsize=4)
    ... def square(x):
    ...     calls.append(x)
    ...     return x * x
    >>> square(3), square(3), len(calls)
    (9, 9, 1)
    >>> with no_caches():
    ...     square(3)
    9
    >>> len(calls)
    2
    >>> _ = MEMOS.remove(square)
    """

    def wrap(fn):
        cached = functools.lru_cache(maxsize=maxsize)(fn)

        @functools.wraps(fn)
        def call(*args, **kwargs):
            return fn(*args, **kwargs) if _bypass else cached(*args, **kwargs)

        call.cache_clear = cached.cache_clear
        call.cache_info = cached.cache_info
        MEMOS.append(call)
        return call

    return wrap


@contextlib.contextmanager
def no_caches():
    """Within the block every :func:`memo` computes afresh (its cache is neither read nor filled)."""
    global _bypass
    before, _bypass = _bypass, True
    try:
        yield
    finally:
        _bypass = before
