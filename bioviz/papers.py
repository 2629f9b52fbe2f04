"""What each paper (or its authors' code) reports, in one place per concept, with provenance.

Every concept keeps the numbers its paper reports in ``bioviz/<concept>/paper.py`` as one
:class:`Paper`. Each number is a :class:`Reported`: the value, its unit, where it comes from
(``source``: the paper's text, the authors' code, a companion repository or a library's
default), the place in that source, and whether we checked it there. Notebooks, reports,
tests and benchmarks read a number from its registry (``PAPER["k_max"]``) instead of typing
it again, so a correction happens once and every table that prints it follows.

Our own measurements and bounds are **not** paper numbers and do not belong here.

>>> p = Paper("Example et al. 2024", "A title", "https://example.org",
...           numbers=dict(acc=Reported(0.91, "fraction", "Table 1", checked="confirmed")))
>>> p["acc"], p.reported("acc").where
(0.91, 'Table 1')
>>> print(p.table().to_markdown().splitlines()[4])
| acc | 0.91 | fraction | result | paper, Table 1 | confirmed |  |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from bioviz.report import Table

__all__ = ["Reported", "Paper", "SOURCES", "CHECKS", "KINDS"]

#: Where a reported number comes from.
SOURCES = ("paper", "authors' code", "companion code", "library default")
#: How far we checked it: found in the source ourselves, or not (the source was out of reach).
CHECKS = ("confirmed", "not checked")
#: ``result``: something the authors measured or claim (a reference for our measurement; read
#: it from the registry, never retype it); ``setting``: a parameter of their model, task or
#: training, which our code may adopt (``tests/test_papers.py`` checks where it does).
KINDS = ("result", "setting")


@dataclass(frozen=True)
class Reported:
    """One number (or a ``(low, high)`` range, or a short text) that a source reports.

    ``where`` names the place in the source (a section, figure, table, file or function);
    ``checked`` is ``"confirmed"`` when we found the value there ourselves, ``"not checked"``
    when the source could not be reached; ``note`` says what a reader should know (e.g. that
    the value was measured on another dataset); ``kind`` is one of :data:`KINDS`.
    """

    value: Any
    unit: str = ""
    where: str = ""
    source: str = "paper"
    checked: str = "not checked"
    note: str = ""
    kind: str = "result"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, got {self.source!r}")
        if self.checked not in CHECKS:
            raise ValueError(f"checked must be one of {CHECKS}, got {self.checked!r}")
        if not self.where:
            raise ValueError("say where in the source the value comes from (where=...)")
        if isinstance(self.value, tuple) and len(self.value) == 2 and all(_is_number(v) for v in self.value):
            if self.value[0] > self.value[1]:
                raise ValueError(f"a range must be (low, high), got {self.value}")


def _is_number(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


@dataclass(frozen=True)
class Paper:
    """A paper's citation and the numbers it (or its authors' code) reports."""

    citation: str
    title: str
    url: str
    code: str = ""
    numbers: Mapping[str, Reported] = field(default_factory=dict)

    def __post_init__(self):
        for key, r in self.numbers.items():
            if not isinstance(r, Reported):
                raise TypeError(f"{key!r} must be a Reported, got {type(r).__name__}")
        object.__setattr__(self, "numbers", MappingProxyType(dict(self.numbers)))

    def __getitem__(self, key: str):
        return self.reported(key).value

    def __contains__(self, key) -> bool:
        return key in self.numbers

    def reported(self, key: str) -> Reported:
        """The :class:`Reported` entry of ``key`` (value with its provenance)."""
        try:
            return self.numbers[key]
        except KeyError:
            raise KeyError(f"{self.citation} has no number {key!r}; it has: {', '.join(self.numbers)}") from None

    def cite(self, key: str) -> str:
        """A short provenance note for a table cell, e.g. ``"paper, Table 1"``."""
        r = self.reported(key)
        return f"{r.source}, {r.where}"

    def table(self, keys=None, *, title: str | None = None) -> Table:
        """The numbers (all, or ``keys``) with unit, source, place and check, as a Markdown table."""
        keys = list(self.numbers) if keys is None else list(keys)
        rows = []
        for k in keys:
            r = self.reported(k)
            value = r.value if not isinstance(r.value, tuple) else " to ".join(map(str, r.value))
            rows.append(
                dict(
                    key=k,
                    value=value,
                    unit=r.unit,
                    kind=r.kind,
                    source=self.cite(k),
                    checked=r.checked,
                    note=r.note,
                )
            )
        return Table(rows, title=title if title is not None else f"What {self.citation} reports")
