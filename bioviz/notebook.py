"""The notebook templates and the measurable parts of the teaching form.

Each concept has two notebooks (see CONTRIBUTING.md):

- ``notebooks/NN-name.ipynb``, the **tutorial**, with the level-2 sections of
  :data:`TUTORIAL_SECTIONS` in order, 2-4 coding exercises, a prediction before every explorer
  and a hint and an answer for every Think! question;
- ``notebooks/reproductions/NN-name.ipynb``, the **reproduction report**, with
  :data:`REPORT_SECTIONS` in order.

A heading may add words after the key (``## 1. Build it: the neuron``); keys match
case-insensitively. The functions below parse a notebook (as loaded JSON) for the hygiene
test (tests/test_notebook_hygiene.py) and for the test that runs each tutorial with its
solutions filled in (tests/test_tutorial_solutions.py).

Conventions they rely on:

- an **exercise** is a code cell whose source contains ``raise NotImplementedError("Student
  exercise``; it defines one function or class (``def name`` / ``class name``). The markdown
  cells after it (before the next code cell) hold ``<details><summary>Hint</summary>`` and
  ``<details><summary>Solution</summary>`` with the solution as a fenced ```` ```python ````
  block: the one copy of the solution, which the solutions test substitutes for the stub.
  A later code cell checks it (``.check(name)``).
- a **Think!** question is a paragraph starting ``**N.**`` in the Think section, followed by a
  ``<summary>Hint</summary>`` and a ``<summary>Answer</summary>`` block before the next question.
- an **explorer** (a code cell calling ``.widget(``) is preceded by a markdown cell that asks
  the reader to predict (contains "predict") and followed by one with a collapsible answer.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

#: Tutorial sections, in order.
TUTORIAL_SECTIONS = (
    "What you will learn",
    "Setup",
    "The claim",
    "Build it",
    "Explore it",
    "What the paper found",
    "Think",
    "Summary",
    "Further reading",
)

#: Reproduction report sections, in order (the measurements sit between Setup and the
#: deviations, one numbered section per claim or sweep).
REPORT_SECTIONS = (
    "What this report covers",
    "Setup",
    "Claims",
    "Where the miniature differs",
    "References",
)

#: The first form (one notebook per concept, a report with sliders). Notebooks listed here
#: keep it until their own conversion; new notebooks must use the tutorial + report form.
LEGACY_SECTIONS = (
    "What you will learn",
    "Setup",
    "The claim",
    "Build it",
    "Explore it",
    "Reproduce",
    "Where the miniature differs",
    "Think",
    "Summary",
    "References",
)

#: Concept notebooks not yet split into tutorial + report.
LEGACY: tuple[str, ...] = ()

#: Prose budget of a tutorial (words outside collapsible blocks and code fences).
MAX_TUTORIAL_WORDS = 2500
#: At most this many learning objectives.
MAX_OBJECTIVES = 4

#: Words from our own process that a reader never sees.
INTERNAL_WORDS = re.compile(r"\b(spec|specs|prototype|prototypes|check \d+|issue \d+)\b", re.I)

_DETAILS = re.compile(r"<details.*?</details>", re.S | re.I)
_FENCE = re.compile(r"```.*?```", re.S)
_STUB = 'raise NotImplementedError("Student exercise'


def source(cell: dict) -> str:
    """A cell's source as one string (nbformat stores a string or a list of lines)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def kind(path: str | Path) -> str:
    """'report' (under reproductions/), 'legacy' (in :data:`LEGACY`) or 'tutorial'."""
    path = Path(path)
    if path.parent.name == "reproductions":
        return "report"
    return "legacy" if path.name in LEGACY else "tutorial"


def template(path: str | Path) -> tuple[str, ...]:
    """The level-2 sections a notebook of this kind must have, in order."""
    return {"report": REPORT_SECTIONS, "legacy": LEGACY_SECTIONS, "tutorial": TUTORIAL_SECTIONS}[kind(path)]


def headings(nb: dict, level: int = 2) -> list[str]:
    """Markdown headings of one level (as loaded JSON)."""
    mark = "#" * level + " "
    found = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        for line in _FENCE.sub("", source(cell)).splitlines():
            if line.startswith(mark):
                found.append(line[len(mark) :].strip())
    return found


def missing_sections(nb: dict, sections=LEGACY_SECTIONS) -> list[str]:
    """Template sections absent from the notebook or out of order.

    A concept with several papers may say "papers" where the key says "paper".
    """
    heads = [re.sub(r"\bpapers\b", "paper", h.lower()) for h in headings(nb)]
    missing, pos = [], 0
    for key in sections:
        hit = next((i for i in range(pos, len(heads)) if key.lower() in heads[i]), None)
        if hit is None:
            missing.append(key)
        else:
            pos = hit + 1
    return missing


def prose(nb: dict) -> str:
    """The markdown a reader reads straight through: collapsible blocks and code fences out."""
    parts = [source(c) for c in nb["cells"] if c["cell_type"] == "markdown"]
    return "\n".join(_FENCE.sub(" ", _DETAILS.sub(" ", p)) for p in parts)


def prose_words(nb: dict) -> int:
    """Words of :func:`prose` (what the tutorial word budget counts)."""
    return len(re.findall(r"[A-Za-z][A-Za-z'-]*", prose(nb)))


def internal_words(nb: dict) -> list[str]:
    """Internal vocabulary anywhere in the notebook (markdown and code)."""
    return [m.group(0) for c in nb["cells"] for m in INTERNAL_WORDS.finditer(source(c))]


def section_cells(nb: dict, key: str) -> list[dict]:
    """The cells of the level-2 section whose heading contains ``key``."""
    cells, inside = [], False
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            heads = [ln for ln in source(cell).splitlines() if ln.startswith("## ")]
            if heads:
                inside = key.lower() in heads[0].lower()
        if inside:
            cells.append(cell)
    return cells


def objectives(nb: dict) -> list[str]:
    """The bullet or numbered items of the "What you will learn" section (outside details)."""
    text = "\n".join(
        _DETAILS.sub("", source(c))
        for c in section_cells(nb, "What you will learn")
        if c["cell_type"] == "markdown"
    )
    return re.findall(r"^(?:[-*]|\d+\.) +(.+)$", text, re.M)


@dataclass(frozen=True)
class ExerciseCell:
    """An exercise found in a notebook (see the module docstring)."""

    index: int  # the stub's cell index
    name: str  # the function or class it defines
    hint: bool
    solution: str | None  # the fenced python code of the Solution block
    checked: bool  # a later code cell calls .check(name)


def exercises(nb: dict) -> list[ExerciseCell]:
    """Every exercise of a notebook, with its hint, solution and checker call."""
    cells, found = nb["cells"], []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code" or _STUB not in source(cell):
            continue
        m = re.search(r"^(?:def|class) +(\w+)", source(cell), re.M)
        name = m.group(1) if m else ""
        after = []
        for nxt in cells[i + 1 :]:
            if nxt["cell_type"] == "code":
                break
            after.append(source(nxt))
        text = "\n".join(after)
        sol = re.search(r"<summary>\s*Solution.*?</summary>.*?```python\n(.*?)```", text, re.S | re.I)
        later = [source(c) for c in cells[i + 1 :] if c["cell_type"] == "code"]
        checked = bool(name) and any(re.search(rf"\.check\(\s*{re.escape(name)}\b", s) for s in later)
        found.append(
            ExerciseCell(
                i, name, bool(re.search(r"<summary>\s*Hint", text, re.I)), sol.group(1) if sol else None, checked
            )
        )
    return found


def with_solutions(nb: dict) -> dict:
    """A copy of ``nb`` with every exercise stub replaced by its solution."""
    out = copy.deepcopy(nb)
    for ex in exercises(nb):
        if ex.solution is None:
            raise ValueError(f"exercise {ex.name!r} (cell {ex.index}) has no solution block")
        out["cells"][ex.index]["source"] = ex.solution
    return out


def think_questions(nb: dict) -> list[dict]:
    """The Think! questions: ``{"n", "hint", "answer"}`` for each ``**N.**`` paragraph."""
    text = "\n".join(source(c) for c in section_cells(nb, "Think") if c["cell_type"] == "markdown")
    parts = re.split(r"^\*\*(\d+)\.\*\*", text, flags=re.M)
    return [
        dict(
            n=int(parts[k]),
            hint=bool(re.search(r"<summary>\s*Hint", parts[k + 1], re.I)),
            answer=bool(re.search(r"<summary>\s*Answer", parts[k + 1], re.I)),
        )
        for k in range(1, len(parts) - 1, 2)
    ]


def explorer_prompts(nb: dict) -> list[dict]:
    """For each explorer cell, whether a prediction prompt comes before it and an answer after."""
    cells, out = nb["cells"], []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code" or ".widget(" not in source(cell):
            continue
        before = next((source(c) for c in reversed(cells[:i]) if c["cell_type"] == "markdown"), "")
        after = next((source(c) for c in cells[i + 1 :] if c["cell_type"] == "markdown"), "")
        out.append(
            dict(index=i, predict="predict" in before.lower(), answer=bool(re.search(r"<details", after, re.I)))
        )
    return out
