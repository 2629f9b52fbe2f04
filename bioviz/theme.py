"""One visual theme for every notebook.

The same thing always has the same colour: excitatory red, inhibitory blue; each modality,
training condition, simulator and model family has a fixed colour. Use :func:`color` to look one
up (unknown keys fall back to a stable cycle) and :data:`TEMPLATE` (registered with plotly as
``"bioviz"``) for fonts, margins and the default colour way.

This module holds the colours every notebook shares; a concept subpackage registers its own
names (conditions, model families, parts of its circuit) with :func:`register_colors` when it
is imported, so a name is never defined twice with two colours.
"""

from __future__ import annotations

import zlib

import plotly.graph_objects as go
import plotly.io as pio

#: Named colours. Keys are lower-case; see :func:`color`.
COLORS: dict[str, str] = {
    # cell types and populations
    "excitatory": "#c0392b",
    "inhibitory": "#2471a3",
    "input": "#7f8c8d",
    "output": "#17202a",
    # network families
    "ann": "#34495e",
    "snn": "#e67e22",
    # simulators and references
    "brian2": "#2e86c1",
    "snntorch": "#e67e22",
    "closed form": "#17202a",
    "paper": "#17202a",
    "ours": "#2e86c1",
    "threshold": "#95a5a6",
    "spike": "#c0392b",
    "event": "#7f8c8d",
}

#: Colour cycle for anything without a name.
CYCLE: tuple[str, ...] = (
    "#2e86c1",
    "#e67e22",
    "#1e8449",
    "#c0392b",
    "#8e44ad",
    "#b7950b",
    "#17a589",
    "#5d6d7e",
    "#d35400",
    "#7d3c98",
)

#: Continuous colour scales.
SEQUENTIAL = "Viridis"
DIVERGING = "RdBu_r"


def color(key: str | int) -> str:
    """Colour for a name (case-insensitive) or an index into :data:`CYCLE`.

    Unknown names get a stable colour from the cycle (the same name always gets the same one).

    >>> color("Excitatory")
    '#c0392b'
    >>> color(1)
    '#e67e22'
    """
    if isinstance(key, int):
        return CYCLE[key % len(CYCLE)]
    name = str(key).lower()
    if name in COLORS:
        return COLORS[name]
    return CYCLE[zlib.crc32(name.encode()) % len(CYCLE)]


def register_colors(colors: dict[str, str]) -> None:
    """Add named colours (a concept subpackage's conditions, models, circuit parts).

    A name may be registered again only with the same colour: one name, one colour everywhere.

    >>> register_colors({"doc-only": "#123456"}); color("doc-only")
    '#123456'
    >>> register_colors({"excitatory": "#000000"})
    Traceback (most recent call last):
    ...
    ValueError: colour 'excitatory' is already #c0392b, not #000000
    >>> _ = COLORS.pop("doc-only")
    """
    for name, value in colors.items():
        key = name.lower()
        if not (isinstance(value, str) and len(value) == 7 and value.startswith("#")):
            raise ValueError(f"colour {name!r} must be '#rrggbb', got {value!r}")
        if COLORS.get(key, value) != value:
            raise ValueError(f"colour {name!r} is already {COLORS[key]}, not {value}")
        COLORS[key] = value


def rgba(hex_color: str, alpha: float) -> str:
    """``'#rrggbb'`` -> ``'rgba(r,g,b,alpha)'`` (for translucent error bands)."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


_AXIS = dict(
    gridcolor="#ebf0f8",
    linecolor="#d5d8dc",
    zerolinecolor="#ebf0f8",
    zerolinewidth=2,
    ticks="",
    automargin=True,
    title=dict(standoff=12),
)

#: A compact, layout-only template (a white background in the style of plotly_white). It is
#: deliberately small: plotly validates the template on every figure, and the full
#: plotly_white template (with per-trace defaults) costs tens of ms per figure, too slow for
#: live sliders.
TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family="Helvetica, Arial, sans-serif", size=13, color="#17202a"),
        title=dict(font=dict(size=15), x=0.01, xanchor="left"),
        colorway=list(CYCLE),
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis=_AXIS,
        yaxis=_AXIS,
        margin=dict(l=60, r=20, t=60, b=50),
        legend=dict(bgcolor="rgba(255,255,255,0.6)"),
        hovermode="closest",
        hoverlabel=dict(align="left"),
    )
)
pio.templates["bioviz"] = TEMPLATE

# Inside a kernel plotly defaults to "plotly_mimetype+notebook"; the "notebook" half embeds
# plotly.js for the classic notebook and costs about a second at the first figure. JupyterLab
# (and Notebook 7, VS Code) render the mimetype alone.
if "notebook" in (pio.renderers.default or "").split("+") and "plotly_mimetype" in pio.renderers.default:
    pio.renderers.default = "plotly_mimetype"

#: Template name to pass as ``layout.template``.
TEMPLATE_NAME = "bioviz"
