"""Side-by-side "paper (or spec) vs ours" tables for notebooks.

A notebook never types a measured number into its prose; it builds a :class:`Comparison` from
values it has just computed, and each row states the rule it is judged by:

- ``rule="approx"``: ``|ours - reference| <= tolerance`` (times ``|reference|`` if relative);
- ``rule="at_least"`` / ``"at_most"``: a bound, as in "accuracy >= 0.90";
- ``rule="equal"``: exact equality (identical spike trains, a bit-identical reproduction);
- ``rule="within"``: ``reference`` is a ``(low, high)`` range, as in "13-17 epochs";
- ``rule=None``: shown side by side, judged in the note.

>>> c = Comparison("f-I curve")
>>> c.add("rate at 2 nA (Hz)", reference=72.1, ours=71.4, rule="approx", tolerance=0.05, relative=True)
>>> c.add("accuracy", reference=0.90, ours=0.97, rule="at_least")
>>> c.add("epochs to target", reference=(13, 17), ours=11.7, rule="within")
>>> c.add("probe reproduces base", reference=True, ours=True, rule="equal")
>>> [r["verdict"] for r in c.rows]
['agrees', 'meets', 'differs', 'agrees']
"""

from __future__ import annotations

import math
import numbers

from bioviz.validation import check_choice

RULES = ("approx", "at_least", "at_most", "equal", "within", None)


def _fmt(value) -> str:
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return str(bool(value))
    if isinstance(value, numbers.Real):
        value = int(value) if isinstance(value, numbers.Integral) else float(value)
        if isinstance(value, float) and math.isnan(value):
            return "n/a"
        if value == 0:
            return "0"
        if abs(value) < 1e-3 or abs(value) >= 1e5:
            return f"{value:.2e}"
        return f"{value:.3g}"
    return str(value)


def _same(a, b) -> bool:
    try:
        import numpy as np

        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    except (TypeError, ValueError):
        return a == b


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|")


class Comparison:
    """Rows of (quantity, reference, ours, verdict, note); renders as a Markdown table."""

    def __init__(self, title: str, reference_label: str = "paper / spec", ours_label: str = "ours"):
        self.title = title
        self.reference_label = reference_label
        self.ours_label = ours_label
        self.rows: list[dict] = []

    def add(
        self,
        quantity: str,
        reference,
        ours,
        *,
        rule: str | None = None,
        tolerance: float = 0.0,
        relative: bool = False,
        note: str = "",
    ) -> None:
        """Add a row judged by ``rule`` (see the module docstring)."""
        check_choice("rule", rule, RULES)
        shown = _fmt(reference)
        verdict = "see note"
        if rule == "equal":
            verdict = "agrees" if _same(reference, ours) else "differs"
            shown = f"= {_fmt(reference)}"
        elif rule == "within":
            low, high = (float(x) for x in reference)
            verdict = "agrees" if low - tolerance <= float(ours) <= high + tolerance else "differs"
            shown = f"{_fmt(low)} to {_fmt(high)}"
        elif rule is not None:
            ref, val = float(reference), float(ours)
            bound = tolerance * abs(ref) if relative else tolerance
            if rule == "approx":
                ok = abs(val - ref) <= bound
                verdict = "agrees" if ok else "differs"
                shown = f"{_fmt(reference)} ± {_fmt(bound)}" if bound else _fmt(reference)
            elif rule == "at_least":
                verdict = "meets" if val >= ref - bound else "falls short"
                shown = f"≥ {_fmt(reference)}"
            else:
                verdict = "meets" if val <= ref + bound else "exceeds"
                shown = f"≤ {_fmt(reference)}"
        self.rows.append(
            dict(
                quantity=quantity,
                reference=reference,
                shown=shown,
                ours=ours,
                rule=rule,
                verdict=verdict,
                note=note,
            )
        )

    def to_markdown(self) -> str:
        """The table as Markdown: a bold title, then one row per comparison."""
        head = (
            f"**{_cell(self.title)}**\n\n| quantity | {self.reference_label} | "
            f"{self.ours_label} | verdict | note |\n|---|---|---|---|---|\n"
        )
        body = "".join(
            f"| {_cell(r['quantity'])} | {_cell(r['shown'])} | {_cell(_fmt(r['ours']))} | "
            f"{r['verdict']} | {_cell(r['note'])} |\n"
            for r in self.rows
        )
        return head + body

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __str__(self) -> str:
        return self.to_markdown()


class Table:
    """A small Markdown table of computed rows (dicts).

    Notebooks display numbers in it instead of weaving them into generated sentences.

    >>> Table([{"model": "snn", "accuracy": 0.9712}, {"model": "ann", "accuracy": 0.96}],
    ...       title="digits").to_markdown().splitlines()[2:]
    ['| model | accuracy |', '|---|---|', '| snn | 0.971 |', '| ann | 0.96 |']
    """

    def __init__(self, rows, columns=None, *, title: str = "", formats: dict | None = None):
        self.rows = [dict(r) for r in rows]
        if columns is None:
            columns = list(dict.fromkeys(k for r in self.rows for k in r))
        self.columns = list(columns)
        self.title = title
        self.formats = dict(formats or {})

    def _value(self, row, col) -> str:
        value = row.get(col, "")
        fmt = self.formats.get(col)
        if isinstance(value, numbers.Real) and math.isnan(value):
            return "n/a"
        if fmt and not isinstance(value, str):
            return _cell(format(value, fmt))
        return _cell(_fmt(value))

    def to_markdown(self) -> str:
        """The table as Markdown, with its title in bold when it has one."""
        head = f"**{_cell(self.title)}**\n\n" if self.title else ""
        head += "| " + " | ".join(map(_cell, self.columns)) + " |\n"
        head += "|" + "---|" * len(self.columns) + "\n"
        return head + "".join(
            "| " + " | ".join(self._value(r, c) for c in self.columns) + " |\n" for r in self.rows
        )

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __str__(self) -> str:
        return self.to_markdown()
