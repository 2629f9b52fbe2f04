"""Checkers for the tutorials' coding exercises.

A tutorial exercise is a short function (or class) the student completes: its key lines are
``...`` and it ends in ``raise NotImplementedError("Student exercise: ...")`` until done. The
next cell hands it to an :class:`Exercise`, which runs it beside the package's reference on a
list of :class:`Case` objects (including edge cases) and prints, for each failing case, what
was expected, what came back and a hint. ``check`` returns the function the rest of the
notebook should use: the student's when every case passes, otherwise the reference, and it
says so, so a reader who skips an exercise can still run the notebook to the end.

Every result is recorded in :data:`RESULTS` (``"passed"``, ``"failed"`` or ``"not done"``); the
test that runs each tutorial with its solutions filled in reads it.

Example
-------
>>> double = Exercise("double", reference=lambda x: 2 * x,
...                   cases=[Case("zero", (0,)), Case("a negative number", (-3,), hint="2 * x")])
>>> use = double.check(lambda x: x + x)
double: all 2 cases pass. The rest of the notebook uses your double.
>>> use = double.check(lambda x: abs(2 * x))
double: 1 of 2 cases pass.
  ✘ a negative number: expected -6, got 6
      hint: 2 * x
  The rest of the notebook uses the reference double; fix yours and re-run this cell.
>>> def stub(x):
...     raise NotImplementedError("Student exercise: double x")
>>> use = double.check(stub)
double: not done yet (it still raises NotImplementedError).
  The rest of the notebook uses the reference double.
>>> use(4), RESULTS["double"]
(8, 'not done')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Case", "Exercise", "RESULTS", "results", "compare_close", "describe", "leaves_unchanged"]

#: name of each checked exercise -> "passed" | "failed" | "not done" (the latest check)
RESULTS: dict[str, str] = {}


def results() -> dict[str, str]:
    """A copy of :data:`RESULTS`."""
    return dict(RESULTS)


@dataclass(frozen=True)
class Case:
    """One input to try: a name the student reads, the arguments, and a hint if it fails."""

    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    hint: str = ""


def _as_array(value) -> np.ndarray | None:
    """``value`` as a numeric numpy array (torch tensors included), or None if it is not one."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        value = value.detach().cpu().numpy()
    if isinstance(value, bool | int | float | np.number | np.bool_ | np.ndarray | list):
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError):
            return None
        if arr.dtype.kind in "biuf":
            return arr
    return None


def describe(value, digits: int = 4) -> str:
    """A short, readable rendering of a value for a failure message."""
    arr = _as_array(value)
    if arr is None:
        if isinstance(value, tuple):
            return "(" + ", ".join(describe(v, digits) for v in value) + ")"
        return repr(value)
    if arr.dtype.kind == "b":
        return str(arr.tolist())
    if arr.ndim == 0:
        x = float(arr)
        return str(int(x)) if x.is_integer() else f"{x:.{digits}g}"
    text = np.array2string(
        arr.astype(float),
        separator=", ",
        threshold=8,
        edgeitems=3,
        formatter={"float_kind": lambda v: f"{v:.{digits}g}"},
    )
    return text if arr.ndim == 1 else f"array of shape {arr.shape}: {text}"


def compare_close(
    expected, got, *, atol: float = 1e-6, rtol: float = 1e-6, names: Sequence[str] | None = None
) -> str | None:
    """None when ``got`` matches ``expected``; otherwise why not, in words.

    Numbers, arrays and torch tensors match within ``atol + rtol * |expected|`` (booleans and
    0/1 values compare as numbers, so ``True`` matches ``1.0``). Tuples match element by element;
    ``names`` labels their elements in the message (e.g. ``("spike", "u")``).
    """
    if isinstance(expected, tuple):
        if not isinstance(got, tuple | list) or len(got) != len(expected):
            what = f"a tuple of {len(expected)}" + (f" ({', '.join(names)})" if names else "")
            return f"expected {what}, got {describe(got)}"
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            why = compare_close(e, g, atol=atol, rtol=rtol)
            if why:
                label = names[i] if names else f"element {i}"
                return f"{label}: {why}"
        return None
    e, g = _as_array(expected), _as_array(got)
    if e is None:
        return None if expected == got else f"expected {describe(expected)}, got {describe(got)}"
    if g is None:
        return f"expected a number or an array, got {type(got).__name__} {describe(got)}"
    if e.shape != g.shape:
        return f"expected shape {e.shape}, got shape {g.shape} ({describe(got)})"
    ef, gf = e.astype(float), g.astype(float)
    if not np.all(np.isfinite(gf) | ~np.isfinite(ef)):
        return f"expected {describe(expected)}, got non-finite values {describe(got)}"
    if np.allclose(gf, ef, atol=atol, rtol=rtol, equal_nan=True):
        return None
    return f"expected {describe(expected)}, got {describe(got)}"


Runner = Callable[[Any, Case], Any]


def leaves_unchanged(keep: int, advice: str):
    """A ``run`` for :class:`Exercise` that checks one argument is left as it was.

    It calls the solution on float copies of the array arguments and returns ``(result, argument
    keep after the call)``; a solution that changed that argument in place raises a ValueError
    with ``advice``.

    >>> run = leaves_unchanged(0, "return a new array")
    >>> def bad(a):
    ...     a += 1
    ...     return a
    >>> run(bad, Case("one", (np.zeros(2),)))
    Traceback (most recent call last):
    ValueError: you changed the argument in place: return a new array
    """

    def run(fn, case):
        args = [np.array(a, dtype=float) if isinstance(a, np.ndarray | list) else a for a in case.args]
        before = args[keep].copy()
        out = np.asarray(fn(*args), dtype=float)
        if not np.array_equal(args[keep], before):
            raise ValueError(f"you changed the argument in place: {advice}")
        return out, args[keep]

    return run


def _call(fn, case: Case):
    return fn(*case.args, **case.kwargs)


class Exercise:
    """An exercise: its name, the reference solution and the cases a checker tries.

    Parameters
    ----------
    name : the name of the function (or class) the student writes.
    reference : the package's solution, used for the expected values and as the fallback.
    cases : the inputs to try, edge cases included.
    run : ``run(solution, case) -> value``; by default ``solution(*case.args, **case.kwargs)``.
        Override it to check a class (e.g. an autograd function's forward and backward).
    compare : ``compare(expected, got) -> None | str`` (default :func:`compare_close`).
    names : labels of the elements when the result is a tuple, used in messages.
    """

    def __init__(
        self,
        name: str,
        reference,
        cases: Sequence[Case],
        *,
        run: Runner | None = None,
        compare: Callable[[Any, Any], str | None] | None = None,
        names: Sequence[str] | None = None,
    ):
        if not cases:
            raise ValueError("cases must not be empty")
        self.name = name
        self.reference = reference
        self.cases = tuple(cases)
        self.run = run or _call
        self.names = tuple(names) if names else None
        self.compare = compare or (lambda e, g: compare_close(e, g, names=self.names))

    def failures(self, solution) -> list[tuple[Case, str]] | None:
        """The cases ``solution`` fails, with the reason; None if it is an untouched stub."""
        failed = []
        for case in self.cases:
            expected = self.run(self.reference, case)
            try:
                got = self.run(solution, case)
            except NotImplementedError:
                return None
            except Exception as err:  # noqa: BLE001 - any error in student code is a failure
                failed.append((case, f"raised {type(err).__name__}: {err}"))
                continue
            why = self.compare(expected, got)
            if why:
                failed.append((case, why))
        return failed

    def check(self, solution, *, quiet: bool = False):
        """Run ``solution`` on every case, print a report, and return what to use next."""
        failed = self.failures(solution)
        n = len(self.cases)
        if failed is None:
            RESULTS[self.name] = "not done"
            lines = [
                f"{self.name}: not done yet (it still raises NotImplementedError).",
                f"  The rest of the notebook uses the reference {self.name}.",
            ]
            use = self.reference
        elif not failed:
            RESULTS[self.name] = "passed"
            lines = [f"{self.name}: all {n} cases pass. The rest of the notebook uses your {self.name}."]
            use = solution
        else:
            RESULTS[self.name] = "failed"
            lines = [f"{self.name}: {n - len(failed)} of {n} cases pass."]
            for case, why in failed:
                lines.append(f"  ✘ {case.name}: {why}")
                if case.hint:
                    lines.append(f"      hint: {case.hint}")
            lines.append(
                f"  The rest of the notebook uses the reference {self.name}; fix yours and re-run this cell."
            )
            use = self.reference
        if not quiet:
            print("\n".join(lines))
        return use

    def passes(self, solution) -> bool:
        """True when ``solution`` passes every case (no printing, nothing recorded)."""
        return self.failures(solution) == []
