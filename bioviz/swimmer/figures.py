"""Figures of notebook 05, drawn from physics data (no OpenGL): pure functions of results.

- :func:`body_figure` / :func:`body_animation`: the swimmer seen from above, drawn from the
  link centres and headings MuJoCo computes (segments, joints, nose, the head's path); the
  animation is a plain ``go.Figure`` with frames (play it in a notebook; the explorers use a
  time slider instead, so a reader can stop at any moment).
- :func:`wave_heatmap`: joint angle over time and along the body: the travelling wave.
- :func:`circuit_figure`: the four shared weights on the circuit, coloured by sign.
- :func:`rollout_figure`: body, circuit, wave and speed in one figure (the explorer's view).
- result figures: sweeps, sign ablation, initialisations, transfer, ES learning curves.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from bioviz import plots
from bioviz.swimmer import task
from bioviz.swimmer.ncap import SIGNS, WEIGHTS
from bioviz.swimmer.rollout import Rollout
from bioviz.theme import DIVERGING, TEMPLATE_NAME, color, rgba

__all__ = [
    "body_figure",
    "body_animation",
    "wave_heatmap",
    "circuit_figure",
    "rollout_figure",
    "sweep_figure",
    "sign_ablation_figure",
    "bars_figure",
    "es_figure",
    "pattern_label",
]

BODY = color("ncap")
NOSE = color("excitatory")
PATH = "#95a5a6"
_SIGN_COLOR = {1: color("excitatory"), -1: color("inhibitory"), 0: "#b3b6b7"}


def _step_index(r: Rollout, step: int | None) -> int:
    return r.n_steps if step is None else int(min(max(step, 0), r.n_steps))


@dataclass(frozen=True)
class _View:
    """What is drawn of an episode: body outline, head centre and nose over time (m)."""

    outline: np.ndarray
    head: np.ndarray
    nose: np.ndarray
    aligned: bool = False


def _view(r: Rollout, align: bool = False) -> _View:
    """World coordinates, or (``align``) rotated about the start so the head's net
    displacement points along +x: a long episode then fits a wide, short figure."""
    if not align:
        return _View(r.outline, r.xpos[:, 0], r.nose)
    d = r.xpos[-1, 0] - r.xpos[0, 0]
    a = -math.atan2(d[1], d[0]) if np.hypot(*d) > 1e-9 else 0.0
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    o = r.xpos[0, 0]
    return _View((r.outline - o) @ rot.T, (r.xpos[:, 0] - o) @ rot.T, (r.nose - o) @ rot.T, True)


def _bounds(v: _View, pad: float = 0.08) -> tuple[list[float], list[float]]:
    """Axis ranges holding the whole episode (so frames do not jump)."""
    pts = v.outline.reshape(-1, 2)
    lo, hi = pts.min(axis=0) - pad, pts.max(axis=0) + pad
    return [float(lo[0]), float(hi[0])], [float(lo[1]), float(hi[1])]


def _body_data(v: _View, k: int, stride: int = 1) -> list[dict]:
    """x/y of the path (every ``stride``-th state), start pose, body and nose at state ``k``."""
    path = v.head[: k + 1]
    if stride > 1:
        path = np.concatenate([path[:-1:stride], path[-1:]])
    return [
        dict(x=path[:, 0], y=path[:, 1]),
        dict(x=v.outline[0, :, 0], y=v.outline[0, :, 1]),
        dict(x=v.outline[k, :, 0], y=v.outline[k, :, 1]),
        dict(x=v.nose[k, :1], y=v.nose[k, 1:]),
    ]


def _body_traces(v: _View, k: int, showlegend: bool = True, axes: str = "") -> list[dict]:
    """The four body traces as plain dicts (fast to validate), on axes ``x{axes}``/``y{axes}``."""
    path, start, body, nose = _body_data(v, k)
    common = dict(type="scatter", showlegend=showlegend, xaxis=f"x{axes}", yaxis=f"y{axes}")
    return [
        dict(
            **common,
            **path,
            mode="lines",
            name="head path",
            hoverinfo="skip",
            line=dict(color=PATH, width=1.5, dash="dot"),
        ),
        dict(
            **common,
            **start,
            mode="lines",
            name="start pose",
            hoverinfo="skip",
            line=dict(color=rgba(BODY, 0.25), width=5),
        ),
        dict(
            **common,
            **body,
            mode="lines+markers",
            name="body",
            line=dict(color=BODY, width=7),
            marker=dict(size=5, color="#17202a"),
        ),
        dict(**common, **nose, mode="markers", name="nose", marker=dict(size=11, color=NOSE, symbol="circle")),
    ]


def _square_axes(v: _View, axes: str = "") -> dict:
    """Layout entries for equal-aspect axes holding the whole episode (the plot area shrinks
    to keep 1 m = 1 m on both axes)."""
    xr, yr = _bounds(v)
    xt, yt = ("along the net displacement (m)", "across (m)") if v.aligned else ("x (m)", "y (m)")
    return {
        f"xaxis{axes}": dict(range=xr, title=dict(text=xt), constrain="domain"),
        f"yaxis{axes}": dict(
            range=yr, title=dict(text=yt), scaleanchor=f"x{axes}", scaleratio=1, constrain="domain"
        ),
    }


def _figure(data: list, layout: dict) -> go.Figure:
    """A themed figure from plain dicts: much faster than building it trace by trace."""
    return go.Figure(data=data, layout={"template": TEMPLATE_NAME, **layout})


def body_figure(
    r: Rollout, step: int | None = None, *, title: str | None = None, align: bool = False, height: int = 480
) -> go.Figure:
    """The swimmer at control step ``step`` (default: the end) with its head's path so far.

    ``align=True`` rotates the picture so that the swimmer's net displacement points right.
    """
    k = _step_index(r, step)
    v = _view(r, align)
    title = title or f"{r.n_links}-link swimmer at t = {k * task.CONTROL_DT:.2f} s"
    return _figure(_body_traces(v, k), dict(title=dict(text=title), height=height, **_square_axes(v)))


def body_animation(
    r: Rollout, *, every: int = 3, title: str | None = None, frame_ms: int = 40, align: bool = True
) -> go.Figure:
    """A ``go.Figure`` with one frame every ``every`` control steps, play/pause and a slider.

    Display it as a cell's result (the explorers use a time slider instead).
    """
    steps = list(range(0, r.n_steps + 1, max(1, int(every))))
    if steps[-1] != r.n_steps:
        steps.append(r.n_steps)
    title = title or (
        f"{r.n_links}-link swimmer, {r.n_steps * task.CONTROL_DT:.0f} s (return {r.return_:.0f} of {r.n_steps})"
    )
    fig = body_figure(r, 0, title=title, align=align)
    v = _view(r, align)
    fig.frames = [
        go.Frame(
            data=[dict(type="scatter", **d) for d in _body_data(v, k, stride=every)],
            traces=[0, 1, 2, 3],
            name=str(k),
        )
        for k in steps
    ]
    still = dict(frame=dict(duration=0, redraw=False), mode="immediate", transition=dict(duration=0))
    play = dict(
        frame=dict(duration=frame_ms, redraw=False),
        transition=dict(duration=0),
        fromcurrent=True,
        mode="immediate",
    )
    fig.update_layout(
        height=max(420, min(700, 240 + int(560 * np.ptp(_bounds(v)[1]) / np.ptp(_bounds(v)[0])))),
        margin=dict(b=120),
        updatemenus=[
            dict(
                type="buttons",
                showactive=False,
                x=0.0,
                y=-0.13,
                xanchor="left",
                yanchor="top",
                direction="left",
                buttons=[
                    dict(label="▶ play", method="animate", args=[None, play]),
                    dict(label="❚❚ pause", method="animate", args=[[None], still]),
                ],
            )
        ],
        sliders=[
            dict(
                active=0,
                x=0.2,
                len=0.8,
                y=-0.08,
                yanchor="top",
                currentvalue=dict(prefix="t = ", suffix=" s"),
                steps=[
                    dict(method="animate", label=f"{k * task.CONTROL_DT:.1f}", args=[[str(k)], still])
                    for k in steps
                ],
            )
        ],
    )
    return fig


def wave_heatmap(
    r: Rollout,
    *,
    fig: go.Figure | None = None,
    row: int | None = None,
    col: int | None = None,
    last_s: float | None = None,
    title: str | None = None,
    show_scale: bool = True,
) -> go.Figure:
    """Joint angle / joint limit over time (x) and along the body (y, head at the top).

    A wave travelling from head to tail shows as stripes sloping down to the right.
    """
    q = r.joints / task.joint_limit(r.n_links)
    t = r.time
    if last_s is not None:
        keep = t >= t[-1] - last_s
        q, t = q[keep], t[keep]
    fig = plots.heatmap(
        q.T,
        x=t,
        y=[f"joint {i + 1}" for i in range(q.shape[1])],
        x_label="time (s)",
        y_label="",
        colorbar_title="angle / limit",
        zmin=-1.0,
        zmax=1.0,
        diverging=True,
        fig=fig,
        row=row,
        col=col,
        title=title,
        show_scale=show_scale,
    )
    loc = {} if row is None else dict(row=row, col=col)
    fig.update_yaxes(autorange="reversed", **loc)
    return fig


# --------------------------------------------------------------------------------------------
# the circuit


def _circuit_nodes(n: int) -> dict[str, tuple[float, float]]:
    pos = {"osc d": (-1.3, 0.7), "osc v": (-1.3, -0.7)}
    for i in range(n):
        x = 2.2 * i
        pos[f"B{i}d"], pos[f"B{i}v"] = (x, 0.7), (x, -0.7)
        pos[f"M{i}d"], pos[f"M{i}v"] = (x + 0.9, 1.5), (x + 0.9, -1.5)
        pos[f"q{i}"] = (x + 0.9, 0.0)
    return pos


def _edges(n: int) -> dict[str, list[tuple[str, str]]]:
    edges = {"osc": [("osc d", "B0d"), ("osc v", "B0v")], "prop": [], "ipsi": [], "contra": []}
    for i in range(n):
        if i:
            edges["prop"] += [(f"q{i - 1}", f"B{i}d"), (f"q{i - 1}", f"B{i}v")]
        edges["ipsi"] += [(f"B{i}d", f"M{i}d"), (f"B{i}v", f"M{i}v")]
        edges["contra"] += [(f"B{i}d", f"M{i}v"), (f"B{i}v", f"M{i}d")]
    return edges


def _circuit_traces(weights: Mapping[str, float], n_joints: int, axes: str = "") -> list[dict]:
    pos = _circuit_nodes(n_joints)
    edges = _edges(n_joints)
    on = dict(xaxis=f"x{axes}", yaxis=f"y{axes}")
    traces = []
    for name in WEIGHTS:
        w = float(weights[name])
        sign = int(np.sign(w))
        xs, ys, sizes, symbols, angles = [], [], [], [], []
        for a, b in edges[name]:
            (x0, y0), (x1, y1) = pos[a], pos[b]
            # stop short of the target node so the synapse's end mark stays visible
            f = 1 - 0.28 / math.hypot(x1 - x0, y1 - y0)
            xs += [x0, x0 + f * (x1 - x0), None]
            ys += [y0, y0 + f * (y1 - y0), None]
            sizes += [0, 12 if sign else 0, 0]
            symbols += ["circle", "triangle-up" if sign >= 0 else "line-ew", "circle"]
            angles += [0.0, math.degrees(math.atan2(x1 - x0, y1 - y0)), 0.0]
        flipped = sign not in (0, SIGNS[name])
        traces.append(
            dict(
                type="scatter",
                x=xs,
                y=ys,
                mode="lines+markers",
                hoverinfo="name",
                name=f"w_{name} = {w:+.2f}" + (" (sign flipped)" if flipped else ""),
                line=dict(
                    color=_SIGN_COLOR[sign], width=1 + 2.5 * min(abs(w), 3.0), dash="solid" if sign else "dot"
                ),
                marker=dict(
                    size=sizes,
                    symbol=symbols,
                    angle=angles,
                    color=_SIGN_COLOR[sign],
                    line=dict(width=3, color=_SIGN_COLOR[sign]),
                ),
                **on,
            )
        )
    names = list(pos)
    kinds = ["osc" if n.startswith("osc") else n[0] for n in names]
    text = [n.replace(" ", "<br>") for n in names]
    traces.append(
        dict(
            type="scatter",
            x=[pos[n][0] for n in names],
            y=[pos[n][1] for n in names],
            mode="markers+text",
            text=text,
            textfont=dict(size=10),
            name="neurons",
            showlegend=False,
            hoverinfo="text",
            marker=dict(
                size=[_NODE_SIZE[k] for k in kinds],
                color=[_NODE_COLOR[k] for k in kinds],
                symbol=[_NODE_SYMBOL[k] for k in kinds],
                line=dict(width=1, color="#566573"),
            ),
            **on,
        )
    )
    return traces


_NODE_COLOR = {"osc": "#f5b041", "B": "#d5d8dc", "M": "#abebc6", "q": "#fdfefe"}
_NODE_SIZE = {"osc": 34, "B": 28, "M": 28, "q": 22}
_NODE_SYMBOL = {"osc": "circle", "B": "circle", "M": "square", "q": "diamond"}


def _circuit_axes(n_joints: int, axes: str = "") -> dict:
    return {
        f"xaxis{axes}": dict(visible=False, range=[-1.9, 2.2 * (n_joints - 1) + 1.5]),
        f"yaxis{axes}": dict(visible=False, range=[-1.9, 1.9]),
    }


def circuit_figure(weights: Mapping[str, float], *, n_joints: int = 3, title: str | None = None) -> go.Figure:
    """The NCAP circuit of the first ``n_joints`` joints with the four shared weights.

    Nodes: the head oscillator (``osc d``/``osc v``), B-neurons (``B0d`` = dorsal B of joint
    0), muscles (squares, ``M0d``) and the stretch receptor of each joint (``q0``), which
    feeds the B-neurons of the joint behind it. Edge colour gives the sign of the weight as used
    (red excitatory, blue inhibitory, grey dotted zero), edge width its magnitude; excitatory
    synapses end in an arrowhead, inhibitory ones in a bar.
    """
    return _figure(
        _circuit_traces(weights, n_joints),
        dict(
            title=dict(text=title or "NCAP circuit: four shared weights"),
            height=400,
            legend=dict(orientation="h", y=-0.02),
            **_circuit_axes(n_joints),
        ),
    )


# --------------------------------------------------------------------------------------------
# the explorer's view


@functools.cache
def _grid_layout() -> str:
    """The 2 x 2 layout of :func:`rollout_figure` (make_subplots is slow: build it once)."""
    fig = make_subplots(
        2,
        2,
        column_widths=[0.5, 0.5],
        row_heights=[0.58, 0.42],
        horizontal_spacing=0.09,
        vertical_spacing=0.14,
        subplot_titles=("a", "b", "c", "d"),
    )
    layout = fig.layout.to_plotly_json()
    layout.pop("template", None)
    return json.dumps(layout)


def rollout_figure(
    r: Rollout, weights: Mapping[str, float], *, step: int | None = None, title: str | None = None
) -> go.Figure:
    """Body at ``step`` (with its path), the circuit, the joint-angle wave and the head speed."""
    k = _step_index(r, step)
    layout = json.loads(_grid_layout())
    titles = (
        f"body at t = {k * task.CONTROL_DT:.2f} s (head path dotted)",
        "circuit: weights as used",
        "joint angle / limit (head at the top)",
        "forward head speed (m/s)",
    )
    for annotation, text in zip(layout["annotations"], titles, strict=True):
        annotation["text"] = text
    n_show = min(3, r.n_links - 1)
    view = _view(r)
    data = _body_traces(view, k, showlegend=False) + _circuit_traces(weights, n_show, axes="2")
    q = r.joints / task.joint_limit(r.n_links)
    data.append(
        dict(
            type="heatmap",
            z=q.T,
            x=r.time,
            y=[f"joint {i + 1}" for i in range(q.shape[1])],
            colorscale=DIVERGING,
            zmid=0,
            zmin=-1,
            zmax=1,
            showscale=False,
            name="joint angle",
            xaxis="x3",
            yaxis="y3",
        )
    )
    t = r.time[1:]
    lo = float(min(r.speed.min(), -0.01))
    hi = float(max(r.speed.max(), task.TARGET_SPEED * 1.1))
    now = k * task.CONTROL_DT
    data += [
        dict(
            type="scatter",
            x=t,
            y=r.speed,
            mode="lines",
            name="speed",
            showlegend=False,
            line=dict(color=BODY, width=1.5),
            xaxis="x4",
            yaxis="y4",
        ),
        dict(
            type="scatter",
            x=[t[0], t[-1], None, now, now],
            y=[task.TARGET_SPEED, task.TARGET_SPEED, None, lo, hi],
            mode="lines",
            name="0.1 m/s (full reward) and the time shown",
            showlegend=False,
            line=dict(color=PATH, dash="dash", width=1),
            xaxis="x4",
            yaxis="y4",
        ),
    ]
    for key, value in {**_square_axes(view), **_circuit_axes(n_show, "2")}.items():
        layout[key].update(value)
    layout["xaxis3"].update(title=dict(text="time (s)"))
    layout["yaxis3"].update(autorange="reversed")
    layout["xaxis4"].update(title=dict(text="time (s)"))
    layout["yaxis4"].update(range=[lo, hi])
    layout.update(
        title=dict(text=title),
        height=720,
        showlegend=True,
        legend=dict(orientation="h", x=0.55, y=0.44, xanchor="left", font=dict(size=10)),
    )
    return _figure(data, layout)


# --------------------------------------------------------------------------------------------
# results


def pattern_label(pattern: Sequence[int]) -> str:
    """``(1, 1, 1, -1)`` -> ``'+ + + −'`` (osc, prop, ipsi, contra)."""
    return " ".join("+" if s > 0 else ("−" if s < 0 else "0") for s in pattern)


def _reference_markers(fig, x, y, name="port of the authors' code", row=None, col=None):
    loc = {} if row is None else dict(row=row, col=col)
    fig.add_trace(
        go.Scatter(
            x=list(x),
            y=list(y),
            mode="markers",
            name=name,
            marker=dict(symbol="x-thin-open", size=11, color=color("paper"), line=dict(width=2)),
        ),
        **loc,
    )


def _speed_guides(fig, x0, x1, row=None, col=None):
    """Dashed line at 0.1 m/s (full reward at and above it) and a thin zero line."""
    loc = {} if row is None else dict(row=row, col=col)
    fig.add_trace(
        go.Scatter(
            x=[x0, x1],
            y=[task.TARGET_SPEED] * 2,
            mode="lines",
            name=f"{task.TARGET_SPEED:g} m/s: full reward per step",
            line=dict(color=PATH, dash="dash", width=1),
            hoverinfo="skip",
        ),
        **loc,
    )
    fig.add_trace(
        go.Scatter(
            x=[x0, x1],
            y=[0.0, 0.0],
            mode="lines",
            name="zero speed",
            showlegend=False,
            line=dict(color="#566573", width=0.8),
            hoverinfo="skip",
        ),
        **loc,
    )


def sweep_figure(panels: Sequence[dict], *, title: str = "", height: int | None = None) -> go.Figure:
    """Side-by-side sweeps. Each panel: ``x``, ``returns`` (seeds x values), ``x_label``,
    ``name``, optional ``reference`` (values at ``x``), ``log_x`` and ``speeds`` (seeds x
    values, mean forward speed in m/s). With speeds, a second row shows them under the returns,
    with the 0.1 m/s line above which a step earns the full reward: a return can come from a
    head that wags in place (the reward is the clipped *instantaneous* speed), the mean speed
    cannot."""
    with_speed = any(p.get("speeds") is not None for p in panels)
    rows = 2 if with_speed else 1
    titles = [p["name"] for p in panels] + [""] * len(panels) * (rows - 1)
    fig = plots.new_figure(
        rows,
        len(panels),
        subplot_titles=titles,
        horizontal_spacing=0.08,
        vertical_spacing=0.12,
        shared_xaxes=with_speed,
    )
    for i, p in enumerate(panels, start=1):
        x = np.asarray(p["x"], float)
        plots.curves(
            x,
            {"ncap": plots.band(np.asarray(p["returns"]), kind="range")},
            x_label="" if with_speed else p["x_label"],
            y_label="return (1000 steps)" if i == 1 else "",
            fig=fig,
            row=1,
            col=i,
        )
        if p.get("reference") is not None:
            _reference_markers(fig, x, p["reference"], row=1, col=i)
        fig.update_yaxes(range=[0, 1000], row=1, col=i)
        if with_speed and p.get("speeds") is not None:
            plots.curves(
                x,
                {"ncap": plots.band(np.asarray(p["speeds"]), kind="range")},
                x_label=p["x_label"],
                y_label="mean forward speed (m/s)" if i == 1 else "",
                fig=fig,
                row=2,
                col=i,
            )
            _speed_guides(fig, float(x.min()), float(x.max()), row=2, col=i)
        elif with_speed:
            fig.update_xaxes(title_text=p["x_label"], row=2, col=i)
        if p.get("log_x"):
            fig.update_xaxes(type="log", col=i)
    seen = set()
    for trace in fig.data:  # one legend entry per kind; bands without markers
        if trace.name == "ncap":
            trace.name = "NCAP, ours (range over seeds)"
        if trace.name.endswith(" band"):
            trace.mode = "lines"
        elif trace.name in seen:
            trace.showlegend = False
        seen.add(trace.name)
    fig.update_layout(title=title, height=height or (620 if with_speed else 380))
    return fig


def sign_ablation_figure(
    patterns: Sequence[Sequence[int]], returns: np.ndarray, speeds: np.ndarray, *, title: str = ""
) -> go.Figure:
    """Return and mean speed for each sign pattern of (osc, prop, ipsi, contra); mean over seeds."""
    labels = [pattern_label(p) for p in patterns]
    ret, spd = np.asarray(returns, float), np.asarray(speeds, float)
    colours = [color("ncap") if s > 0.02 else (color("audio") if s < -0.02 else "#b3b6b7") for s in spd]
    fig = plots.new_figure(
        2, 1, subplot_titles=("return", "mean forward speed (m/s)"), shared_xaxes=True, vertical_spacing=0.1
    )
    fig.add_trace(go.Bar(x=labels, y=ret, marker_color=colours, name="return", showlegend=False), row=1, col=1)
    fig.add_trace(go.Bar(x=labels, y=spd, marker_color=colours, name="speed", showlegend=False), row=2, col=1)
    fig.update_xaxes(tickangle=0, tickfont=dict(size=12), type="category")
    fig.update_xaxes(title_text="signs of (osc, prop, ipsi, contra)", row=2, col=1)
    fig.update_layout(title=title, height=520)
    return fig


def bars_figure(
    categories: Sequence,
    values: np.ndarray,
    *,
    reference: Sequence | None = None,
    x_label: str = "",
    y_label: str = "return",
    title: str = "",
    colour: str = "ncap",
    height: int | None = None,
    speeds: np.ndarray | None = None,
) -> go.Figure:
    """Bars of the mean over seeds (``values``: seeds x categories) with each seed as a dot.

    ``speeds`` (seeds x categories, m/s) adds a second row with the mean forward speed and the
    0.1 m/s line above which every step earns the full reward (so returns saturate there).
    """
    v = np.atleast_2d(np.asarray(values, float))
    cats = [str(c) for c in categories]
    rows = 1 if speeds is None else 2
    if rows == 1:
        fig = plots.new_figure(title=title, height=height or 360)
    else:
        fig = plots.new_figure(2, 1, title=title, height=height or 560, shared_xaxes=True, vertical_spacing=0.08)
    panels = [(v, y_label, True)]
    if speeds is not None:
        panels.append((np.atleast_2d(np.asarray(speeds, float)), "mean forward speed (m/s)", False))
    for row, (vals, label, first) in enumerate(panels, start=1):
        loc = {} if rows == 1 else dict(row=row, col=1)
        fig.add_trace(
            go.Bar(
                x=cats,
                y=vals.mean(axis=0),
                name="ours (mean)",
                showlegend=first,
                marker_color=rgba(color(colour), 0.75),
            ),
            **loc,
        )
        fig.add_trace(
            go.Scatter(
                x=np.repeat([cats], len(vals), axis=0).ravel(),
                y=vals.ravel(),
                mode="markers",
                name="ours (each seed)",
                showlegend=first,
                marker=dict(color=color(colour), size=6),
            ),
            **loc,
        )
        fig.update_yaxes(title_text=label, **loc)
    if reference is not None:
        _reference_markers(fig, cats, reference, **({} if rows == 1 else dict(row=1, col=1)))
    if speeds is not None:
        _speed_guides(fig, cats[0], cats[-1], row=2, col=1)
    fig.update_xaxes(type="category")
    fig.update_xaxes(title_text=x_label, **({} if rows == 1 else dict(row=2, col=1)))
    return fig


def es_figure(
    results: Mapping[str, list], *, labels: Mapping[str, str], baseline: float | None = None, title: str = ""
) -> go.Figure:
    """ES learning curves: held-out return of the centre parameters vs training steps
    (mean and range over seeds), one curve per controller, with its parameter count."""
    fig = plots.new_figure(title=title, height=420)
    for kind, runs in results.items():
        x = np.asarray(runs[0].history["steps"], float)
        y = np.array([r.history["eval_return"] for r in runs])
        name = f"{labels[kind]} ({runs[0].n_params:,} parameters)"
        band = plots.band(y, kind="range")
        c = color({"ncap": "ncap", "mlp": "mlp"}.get(kind, "audio"))
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([x, x[::-1]]),
                y=np.concatenate([band.high, band.low[::-1]]),
                mode="lines",
                fill="toself",
                fillcolor=rgba(c, 0.18),
                line=dict(width=0),
                hoverinfo="skip",
                showlegend=False,
                name=f"{name} band",
            )
        )
        fig.add_trace(go.Scatter(x=x, y=band.mean, mode="lines+markers", name=name, line=dict(color=c, width=2)))
    if baseline is not None:
        x = np.asarray(next(iter(results.values()))[0].history["steps"], float)
        fig.add_trace(
            go.Scatter(
                x=[x[0], x[-1]],
                y=[baseline, baseline],
                mode="lines",
                name="NCAP at constant init, untrained",
                line=dict(color=color("paper"), dash="dash"),
            )
        )
    steps = next(iter(results.values()))[0].episode_steps
    fig.update_xaxes(title_text="training environment steps")
    fig.update_yaxes(title_text=f"held-out return per {steps}-step episode (max {steps})")
    return fig
