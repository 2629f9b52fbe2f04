"""Notebook hygiene and the measurable parts of the teaching form (CONTRIBUTING.md).

Every notebook: committed without outputs (what git would commit is checked, so a reader who
ran the notebooks in this clone sees no failure; the nbstripout filter strips outputs on
`git add`), sections of its template in order, check_env first.
Tutorials (notebooks/NN-*.ipynb not in bioviz.notebook.LEGACY) also: a reproduction report
beside them, at most 2,500 words of prose and 4 objectives, no internal vocabulary, 2-4
exercises each with a hint, a solution and a checker, a prediction before and an answer after
every explorer, a hint and an answer for every Think! question.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bioviz import notebook as nbt

REPO = Path(__file__).resolve().parents[1]
ROOT = REPO / "notebooks"
NOTEBOOKS = sorted(ROOT.glob("*.ipynb")) + sorted((ROOT / "reproductions").glob("*.ipynb"))
TUTORIALS = [p for p in NOTEBOOKS if nbt.kind(p) == "tutorial"]
REPORTS = [p for p in NOTEBOOKS if nbt.kind(p) == "report"]


def _id(p: Path) -> str:
    return str(p.relative_to(ROOT))


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def _git(*args: str) -> str | None:
    """Output of a git command in the repository, or None (no git, or not a repository)."""
    if shutil.which("git") is None:
        return None
    done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


def committed(path: Path) -> dict:
    """The notebook as the next commit would hold it: git's staged copy when git tracks the file
    (outputs in the working copy are stripped by the filter when it is added), else the file
    (a new notebook, or a source tree without git)."""
    staged = _git("show", f":{path.relative_to(REPO).as_posix()}")
    return json.loads(staged) if staged else load(path)


def test_there_are_notebooks():
    assert TUTORIALS and REPORTS, "notebooks/ holds no tutorial or no reproduction report"


def test_legacy_list_names_existing_notebooks():
    # a converted notebook must leave LEGACY (so the new form is enforced on it)
    for name in nbt.LEGACY:
        assert (ROOT / name).exists(), f"LEGACY names {name}, which does not exist"
        assert not (ROOT / "reproductions" / name).exists(), (
            f"{name} has a reproduction report: remove it from bioviz.notebook.LEGACY"
        )


def _dirty(nb: dict) -> list[int]:
    return [
        i
        for i, c in enumerate(nb["cells"])
        if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_no_outputs_or_execution_counts(path):
    nb = committed(path)
    dirty = _dirty(nb)
    assert not dirty, f"{path.name}: cells {dirty} carry outputs or execution counts"
    assert "widgets" not in nb.get("metadata", {}), f"{path.name}: saved widget state"


def test_git_strips_notebook_outputs_on_commit(tmp_path):
    """.gitattributes sends notebooks through nbstripout; the filter, as `make venv` defines
    it, strips outputs, counts and widget state and keeps everything else (cell ids too)."""
    attrs = _git("check-attr", "filter", "diff", "--", "notebooks/00-spiking-primer.ipynb")
    if attrs is None:
        pytest.skip("not a git repository")
    assert "filter: nbstripout" in attrs and "diff: ipynb" in attrs, attrs
    clean = _git("config", "--get", "filter.nbstripout.clean")
    assert clean is None or "--keep-id" in clean, f"filter defined without --keep-id: {clean}"
    source = NOTEBOOKS[0]
    text = _git("show", f":{source.relative_to(REPO).as_posix()}") or source.read_text()
    nb = json.loads(text)
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "ran\n"}]
    code["execution_count"] = 3
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    ran = tmp_path / source.name
    ran.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    out = subprocess.run(
        [sys.executable, "-m", "nbstripout", "--keep-id", "-t", str(ran)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert _dirty(load(ran)) and not _dirty(json.loads(out))
    assert out == text, "stripping a run notebook does not give back the committed file"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_template_sections(path):
    nb, sections = load(path), nbt.template(path)
    missing = nbt.missing_sections(nb, sections)
    assert not missing, f"{_id(path)}: missing or out of order: {missing}; template: {sections}"
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and nbt.source(first).startswith("# "), (
        f"{_id(path)}: the first cell must be the title"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_setup_calls_check_env_and_uses_the_default_kernel(path):
    nb = load(path)
    code = [nbt.source(c) for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and "check_env()" in code[0], f"{_id(path)}: the first code cell must call check_env()"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", TUTORIALS + REPORTS, ids=_id)
def test_no_internal_vocabulary(path):
    found = nbt.internal_words(load(path))
    assert not found, f"{_id(path)}: words a reader never sees: {sorted(set(found))}"


@pytest.mark.parametrize("path", TUTORIALS, ids=_id)
def test_tutorial_has_a_report_and_links_both_ways(path):
    report = ROOT / "reproductions" / path.name
    assert report.exists(), f"{path.name}: no reproduction report at reproductions/{path.name}"
    assert f"reproductions/{path.name}" in json.dumps(load(path)), f"{path.name}: no link to its report"
    assert f"../{path.name}" in json.dumps(load(report)), f"report {path.name}: no link to its tutorial"


@pytest.mark.parametrize("path", TUTORIALS, ids=_id)
def test_tutorial_length(path):
    nb = load(path)
    words = nbt.prose_words(nb)
    assert words <= nbt.MAX_TUTORIAL_WORDS, f"{path.name}: {words} words of prose (budget 2,500)"
    n = len(nbt.objectives(nb))
    assert 1 <= n <= nbt.MAX_OBJECTIVES, f"{path.name}: {n} learning objectives (1-4)"


@pytest.mark.parametrize("path", TUTORIALS, ids=_id)
def test_tutorial_exercises(path):
    found = nbt.exercises(load(path))
    assert 2 <= len(found) <= 4, f"{path.name}: {len(found)} exercises (2-4)"
    for ex in found:
        assert ex.name, f"{path.name} cell {ex.index}: an exercise must define a function or class"
        assert ex.hint, f"{path.name}: exercise {ex.name} has no Hint block"
        assert ex.solution and f" {ex.name}" in ex.solution, (
            f"{path.name}: exercise {ex.name} has no Solution block defining {ex.name}"
        )
        assert ex.checked, f"{path.name}: exercise {ex.name} is never checked (.check({ex.name}))"


@pytest.mark.parametrize("path", TUTORIALS, ids=_id)
def test_predict_before_every_explorer(path):
    prompts = nbt.explorer_prompts(load(path))
    assert prompts, f"{path.name}: a tutorial has at least one explorer"
    for p in prompts:
        assert p["predict"], f"{path.name} cell {p['index']}: no prediction prompt before the explorer"
        assert p["answer"], f"{path.name} cell {p['index']}: no collapsible answer after the explorer"


@pytest.mark.parametrize("path", TUTORIALS, ids=_id)
def test_every_think_question_has_a_hint_and_an_answer(path):
    questions = nbt.think_questions(load(path))
    assert questions, f"{path.name}: no Think! questions (written **1.**, **2.**, ...)"
    for q in questions:
        assert q["hint"] and q["answer"], f"{path.name}: Think! question {q['n']} lacks a hint or an answer"


# --- the parsers themselves ----------------------------------------------------------------


def _md(*texts):
    return [{"cell_type": "markdown", "source": t} for t in texts]


def _code(text):
    return {"cell_type": "code", "source": text, "outputs": [], "execution_count": None}


def test_missing_sections_detects_order():
    def nb(*heads):
        return {"cells": _md(*[f"## {h}" for h in heads])}

    sections = nbt.TUTORIAL_SECTIONS
    assert nbt.missing_sections(nb(*sections), sections) == []
    swapped = list(sections)
    swapped[2], swapped[3] = swapped[3], swapped[2]
    assert nbt.missing_sections(nb(*swapped), sections)
    assert nbt.missing_sections(nb(*sections[:-1]), sections) == ["Further reading"]


def test_parsers_find_what_is_missing():
    stub = _code('def f(x):\n    y = ...\n    raise NotImplementedError("Student exercise: f")\n')
    good = {
        "cells": [
            stub,
            *_md(
                "<details><summary>Hint</summary>\n\nx</details>\n"
                "<details><summary>Solution</summary>\n\n```python\ndef f(x):\n"
                "    return x\n```\n</details>"
            ),
            _code("f = EX.check(f)"),
        ]
    }
    (ex,) = nbt.exercises(good)
    assert (ex.name, ex.hint, ex.checked) == ("f", True, True) and "return x" in ex.solution
    assert nbt.source(nbt.with_solutions(good)["cells"][0]).startswith("def f(x):\n    return x")
    bare = {"cells": [stub, _code("f(1)")]}
    (ex,) = nbt.exercises(bare)
    assert not ex.hint and ex.solution is None and not ex.checked
    with pytest.raises(ValueError, match="no solution"):
        nbt.with_solutions(bare)

    think = {
        "cells": _md(
            "## Think!\n\n**1.** Why?\n\n<details><summary>Hint</summary>h</details>\n"
            "<details><summary>Answer</summary>a</details>\n\n**2.** And?\n\n"
            "<details><summary>Hint</summary>h</details>",
            "## Summary\n\n**3.** no",
        )
    }
    assert nbt.think_questions(think) == [dict(n=1, hint=True, answer=True), dict(n=2, hint=True, answer=False)]

    explore = {
        "cells": [
            *_md("**Predict.** Which way?"),
            _code("E().widget()"),
            *_md("<details><summary>Answer</summary>up</details>"),
            _code("F().widget()"),
            *_md("Now look."),
        ]
    }
    assert nbt.explorer_prompts(explore) == [
        dict(index=1, predict=True, answer=True),
        dict(index=3, predict=False, answer=False),
    ]


def test_word_count_and_vocabulary():
    nb = {
        "cells": _md(
            "One two three.\n<details><summary>Hint</summary>\n\nfour five</details>\n```python\nsix = 7\n```"
        )
        + [_code("# the spec says")]
    }
    assert nbt.prose_words(nb) == 3
    assert nbt.internal_words(nb) == ["spec"]
    assert nbt.internal_words({"cells": _md("a spectrum, specific, check 3 and prototype")}) == [
        "check 3",
        "prototype",
    ]
