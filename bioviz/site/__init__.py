"""The course as a static web site: a landing page and one HTML page per executed notebook.

``make site`` runs ``python -m bioviz.site``. It reads the notebooks that ``make test`` leaves
executed in ``build/executed/`` (nbmake runs a copy of ``notebooks/`` with ``--overwrite``, so
nothing is executed twice); a notebook missing there, or whose cells differ from
``notebooks/``, is executed here first (nbclient, a fresh kernel, as nbmake does). Then
nbconvert's HTML exporter (JupyterLab's look, ``templates/bioviz``) writes ``build/site/``:

- every plotly output becomes an interactive figure drawn by the site's own copy of plotly.js
  (``assets/plotly.min.js``, from the installed plotly package: no network at view time);
- every explorer (an ipywidgets box, whose plot is part of the widget state nbclient saves)
  becomes a static block: its title, a note that moving the sliders needs a running kernel
  (``make lab``), the settings shown, and its plot at those settings;
- ``<details>`` blocks (hints, solutions, answers) stay collapsed; links between a tutorial and
  its report point at the HTML pages; MathJax comes from ``jupyter-server-mathjax``'s files.

The landing page has a card per concept (tutorial and report): title, paper and one line from
the README's notebooks table (the one place a new notebook adds a row), else from the
notebook's title cell (its H1 and its ``**Paper.**`` paragraph), and a thumbnail drawn from the
tutorial's first figure. Notebooks are found by glob; none is named here.

>>> row = "| 07 | [a memory](notebooks/07-m.ipynb) ([report](notebooks/r/07-m.ipynb)) | X, 2023 | recall |"
>>> readme_rows("## Notebooks\\n\\n" + row)["07-m"]
{'number': '07', 'title': 'a memory', 'paper': 'X, 2023', 'line': 'recall'}
"""

from __future__ import annotations

import copy
import html
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

__all__ = [
    "Card",
    "build",
    "cards",
    "convert",
    "explorer_html",
    "find_notebooks",
    "is_stale",
    "link_ipynb_to_html",
    "notebook_meta",
    "plot_html",
    "readme_rows",
    "thumbnail",
]

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: What every explorer on the site says about its sliders.
KERNEL_NOTE = (
    "&#9888; Moving this explorer's sliders needs a running kernel: clone the course and run "
    "<code>make lab</code>, then open this notebook (or <code>make app NB={number}</code> for this "
    "notebook as an app). Shown here: the plot at the notebook's settings."
)
#: A figure whose JSON is larger than this is not used as a landing-page thumbnail.
THUMBNAIL_MAX_BYTES = 300_000
SITE_TITLE = "bioviz: bio-inspired neural networks, one paper at a time"
SITE_INTRO = (
    "Each concept takes one paper: a tutorial (one sitting, exercises, explorers) and a reproduction "
    "report (every comparison with the paper, the sweeps, the deviations)."
)


# --------------------------------------------------------------------------------------------
# finding notebooks and what the landing page says about them


def find_notebooks(root: Path) -> list[Path]:
    """The tutorials ``root/*.ipynb`` then the reports ``root/reproductions/*.ipynb``, relative to root.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> for p in ("01-b.ipynb", "00-a.ipynb", "reproductions/00-a.ipynb", "notes.txt"):
    ...     (d / p).parent.mkdir(exist_ok=True); _ = (d / p).write_text("{}")
    >>> [p.as_posix() for p in find_notebooks(d)]
    ['00-a.ipynb', '01-b.ipynb', 'reproductions/00-a.ipynb']
    """
    root = Path(root)
    found = sorted(root.glob("*.ipynb")) + sorted((root / "reproductions").glob("*.ipynb"))
    return [p.relative_to(root) for p in found]


_ROW = re.compile(
    r"^\|\s*(?P<number>\d+)\s*\|\s*\[(?P<title>[^\]]+)\]\((?P<path>[^)\s]+\.ipynb)\)[^|]*"
    r"\|(?P<paper>[^|]*)\|(?P<line>.*)\|\s*$"
)


def readme_rows(readme: str) -> dict[str, dict]:
    """The README's notebooks table: ``{stem: {number, title, paper, line}}``, keyed by the tutorial's stem."""
    rows = {}
    for line in readme.splitlines():
        m = _ROW.match(line.strip())
        if m:
            rows[Path(m["path"]).stem] = {
                "number": m["number"],
                "title": m["title"].strip(),
                "paper": m["paper"].strip(),
                "line": m["line"].strip(),
            }
    return rows


def _plain(markdown: str) -> str:
    """Markdown of a sentence as plain text: links to their text, no emphasis, one line."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"[*_`]", "", text)
    return " ".join(text.split())


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def notebook_meta(nb) -> dict:
    """Title, paper and one line from a notebook's first markdown cell; empty strings where missing.

    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
    ...     "# 09 · Events\\n\\n**Paper.** A. B, *On events*, 2024.\\n\\nWhat it does. More."),
    ...     nbformat.v4.new_code_cell("1")])
    >>> notebook_meta(nb)
    {'number': '09', 'title': 'Events', 'paper': 'A. B, On events, 2024.', 'line': 'What it does. More.'}
    >>> notebook_meta(nbformat.v4.new_notebook())["title"]
    ''
    """
    first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    meta = {"number": "", "title": "", "paper": "", "line": ""}
    if first is None:
        return meta
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", first.source) if p.strip()]
    for p in paragraphs:
        h1 = re.match(r"^#\s+(.*)", p)
        if h1 and not meta["title"]:
            title = h1.group(1).splitlines()[0].strip()
            num = re.match(r"^(\d+)\s*[·:.\-–]\s*(.*)", title)
            if num:
                meta["number"], title = num.group(1), num.group(2)
            meta["title"] = _plain(title)
        elif re.match(r"^\*\*Papers?\.?\*\*", p) and not meta["paper"]:
            meta["paper"] = _shorten(_plain(re.sub(r"^\*\*Papers?\.?\*\*\s*", "", p)), 200)
        elif not p.startswith(("#", "*", "<", "|")) and not meta["line"] and meta["title"]:
            meta["line"] = _shorten(_plain(p), 220)
    return meta


@dataclass
class Card:
    """One concept on the landing page: its tutorial and report pages and what to say about them."""

    key: str
    number: str = ""
    title: str = ""
    paper: str = ""
    line: str = ""
    tutorial: str | None = None
    report: str | None = None
    thumbnail: str | None = field(default=None, repr=False)


def cards(notebooks: dict[Path, object], readme: str = "") -> list[Card]:
    """A card per concept (a tutorial, a report, or both, sharing a file name), in file-name order.

    ``notebooks`` maps paths relative to the notebooks root to executed notebooks. What a card
    says comes from the README row of its tutorial, else from the tutorial's (or the report's)
    title cell, else from the file name.
    """
    rows = readme_rows(readme)
    out: dict[str, Card] = {}
    for rel in sorted(notebooks, key=lambda p: (p.name, len(p.parts))):
        card = out.setdefault(rel.stem, Card(rel.stem))
        href = rel.with_suffix(".html").as_posix()
        if len(rel.parts) == 1:
            card.tutorial = href
        else:
            card.report = href
    for key, card in out.items():
        tutorial = notebooks.get(Path(f"{key}.ipynb"))
        source = tutorial if tutorial is not None else notebooks[Path("reproductions", f"{key}.ipynb")]
        meta = notebook_meta(source)
        if tutorial is None:  # a report alone: "00 · Primer: reproduction report" -> "Primer"
            meta["title"] = re.sub(r"\s*:\s*reproduction report\s*$", "", meta["title"], flags=re.I)
        meta = {k: v for k, v in meta.items() if v}
        row = rows.get(key, {})
        number = re.match(r"^(\d+)", key)
        card.number = row.get("number") or meta.get("number") or (number.group(1) if number else "")
        card.title = row.get("title") or meta.get("title") or key
        card.paper = row.get("paper") or meta.get("paper", "")
        card.line = row.get("line") or meta.get("line", "")
        card.thumbnail = thumbnail(source)
    return list(out.values())


# --------------------------------------------------------------------------------------------
# outputs as static HTML


def _script_json(obj) -> str:
    """JSON safe inside ``<script type="application/json">``."""
    return json.dumps(obj, separators=(",", ":")).replace("</", "<\\/")


def plot_html(spec: dict) -> str:
    """A plotly figure (the ``application/vnd.plotly.v1+json`` data) as a div that ``assets/site.js`` draws.

    >>> plot_html({"data": [{"y": [1]}], "layout": {}})
    '<div class="bioviz-plot"></div><script type="application/json">{"data":[{"y":[1]}],"layout":{}}</script>'
    """
    return f'<div class="bioviz-plot"></div><script type="application/json">{_script_json(spec)}</script>'


def _models(nb) -> dict:
    return nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def _children(state: dict) -> list[str]:
    return [c.removeprefix("IPY_MODEL_") for c in state.get("children", []) if isinstance(c, str)]


def _walk(models: dict, model_id: str, seen=None):
    """The widget tree below ``model_id``, depth first, as (model_id, model) pairs."""
    seen = set() if seen is None else seen
    if model_id in seen or model_id not in models:
        return
    seen.add(model_id)
    yield model_id, models[model_id]
    for child in _children(models[model_id].get("state", {})):
        yield from _walk(models, child, seen)


_CONTROLS = {"FloatSliderModel", "IntSliderModel", "CheckboxModel", "DropdownModel", "BoundedIntTextModel"}


def explorer_html(nb, model_id: str, number: str = "NN") -> str:
    """An explorer's widget as static HTML: title, the kernel note, the settings shown, its plot.

    The plot is the one the ``bioviz-figure`` Output widget held when the notebook was executed
    (nbclient saves the widget state); where no state was saved, the note alone.
    """
    models = _models(nb)
    title, settings, plots, label = "", [], [], None
    for _, model in _walk(models, model_id):
        name, state = model.get("model_name", ""), model.get("state", {})
        if name == "HTMLModel":
            text = html.unescape(re.sub(r"<[^>]+>", "", state.get("value", ""))).strip()
            if "bioviz-label" in state.get("value", ""):
                label = text
            elif not title and text:
                title = text
        elif name in _CONTROLS:
            value = state.get("value")
            if name == "DropdownModel":
                options, index = state.get("_options_labels", []), state.get("index")
                value = options[index] if isinstance(index, int) and index < len(options) else ""
            if isinstance(value, float):
                value = f"{value:.4g}"
            what = label or state.get("description") or "value"
            settings.append(f"<span>{html.escape(str(what))} = <b>{html.escape(str(value))}</b></span>")
            label = None
        elif name == "OutputModel" and "bioviz-figure" in state.get("_dom_classes", []):
            plots += [o["data"][PLOTLY_MIME] for o in state.get("outputs", []) if PLOTLY_MIME in o.get("data", {})]
    parts = ['<div class="bioviz-static-explorer">']
    if title:
        parts.append(f'<div class="bioviz-explorer-title"><b>{html.escape(title)}</b></div>')
    parts.append(f'<div class="bioviz-kernel-note">{KERNEL_NOTE.format(number=html.escape(number))}</div>')
    if settings:
        parts.append(f'<div class="bioviz-settings">{"".join(settings)}</div>')
    parts += [plot_html(spec) for spec in plots]
    parts.append("</div>")
    return "".join(parts)


def thumbnail(nb) -> str | None:
    """The notebook's first figure (an output or an explorer's plot) shrunk to a card, as JSON; None if none."""
    specs = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = out.get("data", {})
            if PLOTLY_MIME in data:
                specs.append(data[PLOTLY_MIME])
            elif WIDGET_VIEW in data:
                model_id = data[WIDGET_VIEW].get("model_id", "")
                for _, model in _walk(_models(nb), model_id):
                    if "bioviz-figure" in model.get("state", {}).get("_dom_classes", []):
                        specs += [o["data"][PLOTLY_MIME] for o in model["state"].get("outputs", [])]
    for spec in specs:
        text = json.dumps(spec)
        if len(text) > THUMBNAIL_MAX_BYTES or not spec.get("data"):
            continue
        small = json.loads(text)
        layout = small.get("layout", {})
        for key in list(layout):
            if re.match(r"^[xy]axis\d*$", key):
                layout[key] = {**layout[key], "title": None, "showticklabels": False}
        layout.update(
            title=None, annotations=[], showlegend=False, width=None, height=150, autosize=True,
            margin={"l": 4, "r": 4, "t": 4, "b": 4},
        )  # fmt: skip
        small["config"] = {"staticPlot": True, "responsive": True, "displayModeBar": False}
        return _script_json(small)
    return None


# --------------------------------------------------------------------------------------------
# pages


_IPYNB_LINK = re.compile(r"(\]\(|href=[\"'])(?!https?:|mailto:|#)([^)\"'\s]+?)\.ipynb(?=[#)\"'\s])")


def link_ipynb_to_html(markdown: str) -> str:
    """Relative links to notebooks point at their pages; links to the web stay as they are.

    >>> link_ipynb_to_html("[report](reproductions/00-a.ipynb), [x](https://x.org/a.ipynb)")
    '[report](reproductions/00-a.html), [x](https://x.org/a.ipynb)'
    """
    return _IPYNB_LINK.sub(r"\1\2.html", markdown)


def _nav(rel: Path, card: Card | None) -> str:
    prefix = "../" * (len(rel.parts) - 1)
    links = [f'<a href="{prefix}index.html">&#8962; bioviz course</a>']
    if card is not None:
        for kind, css, href in (
            ("Tutorial", "tutorial", card.tutorial),
            ("Reproduction report", "report", card.report),
        ):
            if href is None:
                continue
            if href == rel.with_suffix(".html").as_posix():
                links.append(f'<span class="bioviz-here">{kind}</span>')
            else:
                links.append(f'<a class="bioviz-{css}" href="{prefix}{href}">{kind}</a>')
    return "".join(links)


def static_notebook(nb, number: str = "NN"):
    """A copy of ``nb`` ready for HTML: figures and explorers as static HTML, links to pages, no widget state."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = link_ipynb_to_html(cell.source)
        if cell.cell_type != "code":
            continue
        for i, out in enumerate(cell.get("outputs", [])):
            data = out.get("data", {})
            if PLOTLY_MIME in data:
                markup = plot_html(data[PLOTLY_MIME])
            elif WIDGET_VIEW in data:
                markup = explorer_html(nb, data[WIDGET_VIEW].get("model_id", ""), number)
            else:
                continue
            cell.outputs[i] = nbformat.v4.new_output("display_data", data={"text/html": markup})
    nb.metadata.pop("widgets", None)
    return nb


def convert(nb, rel: Path, card: Card | None = None) -> str:
    """The HTML page of one executed notebook (``rel``: its path relative to the notebooks root)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        extra_template_basedirs=[str(HERE / "templates")],
        template_name="bioviz",
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    number = card.number if card is not None and card.number else "NN"
    resources = {
        "metadata": {"name": (card.title if card else "") or rel.stem},
        "bioviz": {"prefix": "../" * (len(rel.parts) - 1), "nav": _nav(rel, card)},
    }
    body, _ = exporter.from_notebook_node(static_notebook(nb, number), resources=resources)
    return body


def is_stale(source, executed) -> bool:
    """Whether an executed copy no longer matches its source notebook, or was never run.

    >>> src = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    >>> run = copy.deepcopy(src); run.cells[0].execution_count = 1
    >>> is_stale(src, run), is_stale(src, src)
    (False, True)
    >>> run.cells[0].source = "2 + 2"; is_stale(src, run)
    True
    """

    def cells(nb):
        return [(c.cell_type, c.source) for c in nb.cells]

    ran = any(c.cell_type == "code" and c.get("execution_count") for c in executed.cells)
    has_code = any(c.cell_type == "code" for c in source.cells)
    return cells(source) != cells(executed) or (has_code and not ran)


def execute(source: Path, target: Path, timeout: int = 900) -> None:
    """Run ``source`` on a fresh kernel in ``target``'s folder, as nbmake does, and save it with its outputs."""
    from nbclient import NotebookClient

    nb = nbformat.read(source, as_version=4)
    target.parent.mkdir(parents=True, exist_ok=True)
    NotebookClient(nb, timeout=timeout, allow_errors=True, record_timing=False).execute(cwd=str(target.parent))
    nbformat.write(nb, target)


def _copy_assets(out: Path) -> None:
    import jupyter_server_mathjax
    import plotly

    assets = out / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    for name in ("site.css", "site.js"):
        shutil.copy2(HERE / "assets" / name, assets / name)
    shutil.copy2(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", assets / "plotly.min.js")
    mathjax = Path(jupyter_server_mathjax.__file__).parent / "static"
    if not (assets / "mathjax" / "MathJax.js").exists():
        shutil.copytree(mathjax, assets / "mathjax", dirs_exist_ok=True)


def build(
    source: Path = ROOT / "notebooks",
    executed: Path = ROOT / "build" / "executed",
    out: Path = ROOT / "build" / "site",
    readme: Path | None = ROOT / "README.md",
    log=print,
) -> list[Card]:
    """Write the site to ``out``; execute first any notebook missing or stale in ``executed``.

    Returns the landing page's cards.
    """
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    source, executed, out = Path(source), Path(executed), Path(out)
    notebooks = {}
    for rel in find_notebooks(source):
        src = nbformat.read(source / rel, as_version=4)
        target = executed / rel
        run = nbformat.read(target, as_version=4) if target.exists() else None
        if run is None or is_stale(src, run):
            log(f"executing {rel} (no up-to-date run in {executed})")
            execute(source / rel, target)
            run = nbformat.read(target, as_version=4)
        notebooks[rel] = run
    readme_text = Path(readme).read_text() if readme is not None and Path(readme).exists() else ""
    deck = cards(notebooks, readme_text)
    by_key = {c.key: c for c in deck}
    out.mkdir(parents=True, exist_ok=True)
    _copy_assets(out)
    for rel, nb in notebooks.items():
        page = out / rel.with_suffix(".html")
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(convert(nb, rel, by_key.get(rel.stem)))
        log(f"wrote {page}")
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html", "j2"]))
    from markupsafe import Markup

    for card in deck:
        card.thumbnail = Markup(card.thumbnail) if card.thumbnail else None
    landing = env.get_template("landing.html.j2").render(title=SITE_TITLE, intro=SITE_INTRO, cards=deck)
    (out / "index.html").write_text(landing)
    log(f"wrote {out / 'index.html'}: {len(deck)} cards, {len(notebooks)} pages")
    return deck
