"""The notebook template every notebook follows (checked by tests/test_notebook_hygiene.py).

Each notebook has these level-2 sections, in this order (a heading may add words after the
key, e.g. ``## 3. Explore it: the neuron``):
"""

from __future__ import annotations

#: Section keys, in order. Matched case-insensitively against ``## `` headings.
SECTIONS = (
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


def headings(nb: dict) -> list[str]:
    """Level-2 markdown headings of a notebook (as loaded JSON)."""
    found = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for line in text.splitlines():
            if line.startswith("## "):
                found.append(line[3:].strip())
    return found


def missing_sections(nb: dict) -> list[str]:
    """Template sections absent from the notebook or out of order."""
    heads = [h.lower() for h in headings(nb)]
    missing, pos = [], 0
    for key in SECTIONS:
        hit = next((i for i in range(pos, len(heads)) if key.lower() in heads[i]), None)
        if hit is None:
            missing.append(key)
        else:
            pos = hit + 1
    return missing
