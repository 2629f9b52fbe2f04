"""Drive the notebooks in a real JupyterLab + Chromium (used by the browser tests and the benchmark).

- :class:`LabServer` starts ``jupyter lab`` on 127.0.0.1 with a free port, a random token and
  isolated config/runtime/settings/workspace folders, and stops it with SIGTERM.
- :func:`launch_chromium` starts Debian's Chromium through Playwright with the flags that keep it
  quiet on a closed network.
- :class:`NotebookPage` opens a notebook, runs all cells, waits for the kernel to be idle, collects
  errors, and moves explorer controls with the keyboard, timing key press -> figure change in
  the page itself.

See ../shared/specs/browser-e2e.md for the facts these choices rest on.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = os.environ.get("BIOVIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"


def explorer_notebooks() -> list[str]:
    """Every notebook (tutorials and reproduction reports) with an explorer cell (``.widget(``),
    as paths relative to NOTEBOOK_DIR: the ones a reader operates in the browser."""
    names = []
    for path in sorted(NOTEBOOK_DIR.glob("*.ipynb")) + sorted(NOTEBOOK_DIR.glob("reproductions/*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        if any(c["cell_type"] == "code" and ".widget(" in "".join(c["source"]) for c in cells):
            names.append(path.relative_to(NOTEBOOK_DIR).as_posix())
    return names


# Settings that remove noise: no news, every cell in the DOM (no virtual windowing).
#: JupyterLab as a reader gets it, less the news and update checks.
DEFAULT_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
}
#: The main suite attaches every cell (windowing "none") so explorers far down the page exist
#: without scrolling; the default mode ("contentVisibility") is tested separately.
LAB_SETTINGS = {
    **DEFAULT_SETTINGS,
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


@contextlib.contextmanager
def cpu_load(processes: int = 2, limit_s: float = 600.0):
    """Competing CPU load for the duration of a ``with`` block: ``processes`` busy loops, each
    ending by itself after ``limit_s`` seconds at most."""
    code = f"import time\nend = time.time() + {limit_s}\nwhile time.time() < end: pass"
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(processes)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() and os.access(CHROMIUM, os.X_OK)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """A private JupyterLab server for the duration of a ``with`` block."""

    def __init__(self, root_dir: Path = NOTEBOOK_DIR, start_timeout: float = 120.0, settings: dict | None = None):
        self.settings = LAB_SETTINGS if settings is None else settings
        self.root_dir = Path(root_dir)
        self.start_timeout = start_timeout
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._tmp = None
        self._proc = None
        self.log_path = None

    def __enter__(self) -> LabServer:
        self._tmp = Path(tempfile.mkdtemp(prefix="bioviz-lab-"))
        self.served = self._tmp / "notebooks"
        # serve a copy: JupyterLab autosaves outputs into the files it opens, and the tests
        # (and a test that saves before a reload) must never dirty the working copy
        served = self._tmp / "notebooks"
        shutil.copytree(self.root_dir, served, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        env = dict(os.environ)
        for var, sub in (
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("JUPYTERLAB_SETTINGS_DIR", "settings"),
            ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
            ("IPYTHONDIR", "ipython"),
        ):
            (self._tmp / sub).mkdir()
            env[var] = str(self._tmp / sub)
        for rel, value in self.settings.items():
            target = self._tmp / "settings" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(value))
        env.setdefault("MUJOCO_GL", "disable")
        cmd = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={served}",
            "--ServerApp.port_retries=0",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log_path = self._tmp / "server.log"
        log = open(self.log_path, "w")  # noqa: SIM115 - closed with the process
        self._proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited early:\n{self.log_path.read_text()[-3000:]}")
            try:
                self.api("GET", "/api/status")
                return self
            except OSError:
                time.sleep(0.5)
        self.__exit__(None, None, None)
        raise RuntimeError(f"jupyter lab did not answer within {self.start_timeout} s")

    def __exit__(self, *exc) -> None:
        if self._proc is not None and self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGTERM)
            try:
                self._proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the server's log (for failure messages)."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except (OSError, AttributeError):
            return "(no log)"

    def api(self, method: str, path: str):
        sep = "&" if "?" in path else "?"
        req = urllib.request.Request(f"{self.url}{path}{sep}token={self.token}", method=method)
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def delete_sessions(self) -> None:
        """Fresh start for each notebook: no kernel or widgets left from an earlier test."""
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?reset&token={self.token}"


def launch_chromium(playwright):
    """Chromium via Playwright (which gives every launch a fresh, empty user-data dir)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)


# JavaScript run in the page ------------------------------------------------------------------

# A signature of what the plot inside explorer number `i` shows: every trace's data, name,
# colours and line widths, and the layout's title, annotations and axis ranges (a re-plot
# control may only move an axis range; a weight may only recolour one edge of a circuit).
_JS_SIGNATURE = """
(i) => {
  const box = document.querySelectorAll('.bioviz-explorer')[i];
  const gd = box && box.querySelector('.bioviz-figure .js-plotly-plot');
  if (!gd || !gd._fullData || !gd._fullLayout) return null;
  // what a reader sees of each trace: its data, name (legend, hover) and colours and widths
  const look = t => [t.marker && t.marker.color, t.line && t.line.color, t.line && t.line.width];
  const parts = gd._fullData.map(t => JSON.stringify([t.type, t.name, t.x, t.y, t.z, t.text, t.visible,
                                                      look(t)]));
  const L = gd._fullLayout;
  const axes = Object.keys(L).filter(k => /^[xy]axis[0-9]*$/.test(k)).sort()
                 .map(k => JSON.stringify([k, L[k].range]));
  const notes = (L.annotations || []).map(a => a.text);
  parts.push(JSON.stringify([L.title && L.title.text, notes]), ...axes);
  return parts.join('|');
}
"""

# Arm a watcher on explorer `i`: record the time of the next keydown (or, for a drop-down, the
# input/change event) inside it, then poll the
# plot's data on every animation frame and record when it differs from the signature at arming.
_JS_ARM = """
(i) => {
  const sig = %s;
  const box = document.querySelectorAll('.bioviz-explorer')[i];
  const state = {t0: null, t1: null, before: sig(i)};
  window.__bioviz_watch = state;
  const start = () => { if (state.t0 === null) state.t0 = performance.now(); };
  for (const ev of ['keydown', 'input', 'change']) {
    box.addEventListener(ev, start, {capture: true, once: true});
  }
  const poll = () => {
    if (state.t1 !== null) return;
    // the plot is redrawn as a new element: a moment without one is not a change yet
    const now = sig(i);
    if (state.t0 !== null && now !== null && now !== state.before) {
      state.t1 = performance.now(); return;
    }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
  return state.before !== null;
}
""" % _JS_SIGNATURE.strip()


# For every explorer on the page: its name and whether its plot shows data (a plot drawn from
# an empty or lost state has no trace at all).
_JS_PLOTS = """
() => [...document.querySelectorAll('.bioviz-explorer')].map(box => {
  const name = [...box.classList].find(c => c.startsWith('bioviz-explorer-')).slice(16);
  const gd = box.querySelector('.bioviz-figure .js-plotly-plot');
  const traces = gd && gd._fullData ? gd._fullData.length : 0;
  const title = gd && gd._fullLayout && gd._fullLayout.title ? gd._fullLayout.title.text : '';
  return {name, traces, title: title || ''};
})
"""

# Every slider of explorer `i`: its control name and the width of its track (px).
_JS_TRACKS = """
(i) => [...document.querySelectorAll('.bioviz-explorer')[i].querySelectorAll('.bioviz-control')]
  .filter(c => c.querySelector('.noUi-base'))
  .map(c => ({control: [...c.classList].find(k => k.startsWith('bioviz-control-')).slice(15),
              width: c.querySelector('.noUi-base').getBoundingClientRect().width}))
"""


@dataclass
class ControlMove:
    explorer: str
    control: str
    kind: str  # "re-plot" or "re-simulate"
    latencies_ms: list = field(default_factory=list)
    before_png: str | None = None
    after_png: str | None = None


class NotebookPage:
    """One notebook open in JupyterLab in a Playwright page."""

    PROMPT_DONE = re.compile(r"^\[\d+\]:$")
    #: console errors that mean a widget or a plot is missing from the page
    CONSOLE_ERRORS = ("anywidget", "Failed to initialize model", "Could not create", "plotly", "Plotly")

    def __init__(self, page, server: LabServer, name: str):
        self.page = page
        self.server = server
        self.name = name
        self.page_errors: list[str] = []
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("console", self._on_console)

    def _on_console(self, msg) -> None:
        # a widget model whose code failed to load, or a plot that failed to draw, shows
        # nothing, silently, in the page; only the console says so
        if msg.type == "error" and any(k in msg.text for k in self.CONSOLE_ERRORS):
            self.page_errors.append(f"console: {msg.text[:300]}")

    # -- loading and running -----------------------------------------------------------------
    def open(self, timeout_s: float = 120) -> None:
        self.server.delete_sessions()
        self.page.goto(self.server.notebook_url(self.name))
        self.page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=timeout_s * 1000)
        self.wait_idle(timeout_s)

    def wait_idle(self, timeout_s: float) -> None:
        """The status bar's kernel status says Idle (the only signal that did not lie)."""
        self.page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-StatusBar-Widget')]"
            ".some(e => e.textContent.includes('| Idle'))",
            timeout=timeout_s * 1000,
        )

    def run_all(self, timeout_s: float = 300) -> float:
        t0 = time.monotonic()
        self.page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        self.page.click("li.lm-Menu-item[data-command='runmenu:run-all']")
        deadline = t0 + timeout_s
        # every prompt shows [n]: and the kernel is idle
        self.page.wait_for_function(
            """() => {
              const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
              return p.length > 0 && p.every(e => /^\\[\\d+\\]:$/.test(e.textContent.trim()));
            }""",
            timeout=timeout_s * 1000,
        )
        self.wait_idle(max(5.0, deadline - time.monotonic()))
        return time.monotonic() - t0

    def errors(self) -> list[str]:
        """stderr and error outputs, widget rendering failures, page errors, and console errors
        of widgets or plots (e.g. "Failed to initialize model")."""
        found = []
        for el in self.page.query_selector_all(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        ):
            found.append("stderr output: " + el.inner_text()[:500])
        for el in self.page.query_selector_all(".jp-OutputArea-output"):
            text = el.inner_text()[:300]
            if any(bad in text for bad in ("Error displaying widget", "Traceback", "No renderer could be found")):
                found.append("output: " + text)
        found += [f"page error: {e}" for e in self.page_errors]
        return found

    def save(self, widgets: int, timeout_s: float = 60) -> None:
        """File > Save Notebook, then wait until the file the server serves holds ``widgets``
        widget outputs (read from disk: the save has landed). A read that catches the file
        mid-write is retried; at the deadline the message says what was on disk and what the
        server logged."""
        self.page.click(".lm-MenuBar-itemLabel:text-is('File')")
        self.page.click("li.lm-Menu-item[data-command='docmanager:save']")
        path = self.server.served / self.name
        deadline = time.monotonic() + timeout_s
        found, problem = 0, ""
        while time.monotonic() < deadline:
            try:
                saved = json.loads(path.read_text())
            except (OSError, ValueError) as err:  # missing for a moment, or half written
                problem = f"{type(err).__name__}: {err}"
            else:
                found = sum(
                    1
                    for c in saved["cells"]
                    if c["cell_type"] == "code"
                    for o in c.get("outputs", [])
                    if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
                )
                if found >= widgets:
                    return
            time.sleep(0.5)
        listing = sorted(p.name for p in path.parent.iterdir()) if path.parent.exists() else "(no folder)"
        raise AssertionError(
            f"{self.name}: the saved file holds {found} of {widgets} widget outputs after {timeout_s} s "
            f"({problem or 'readable'}); folder: {listing}; server log:\n{self.server.log_tail()}"
        )

    def reload(self, timeout_s: float = 120) -> None:
        """Reload the tab, as a reader would; the kernel and its widgets stay alive."""
        self.page.reload()
        self.page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=timeout_s * 1000)
        self.wait_idle(timeout_s)

    # -- explorers ---------------------------------------------------------------------------
    def plots(self) -> list[dict]:
        """Each explorer's name, number of traces drawn and title (0 traces: a blank plot)."""
        return self.page.evaluate(_JS_PLOTS)

    def wait_for_plots(self, expected: int, timeout_s: float = 60) -> list[str]:
        """Scroll each explorer into view and wait until ``expected`` explorers show a plot
        with data; return the names of those still blank (or missing) at the deadline."""
        deadline = time.monotonic() + timeout_s
        while True:
            for box in self.page.query_selector_all(".bioviz-explorer"):
                box.scroll_into_view_if_needed()
            plots = self.plots()
            blank = [p["name"] for p in plots if p["traces"] == 0]
            blank += ["(missing)"] * max(0, expected - len(plots))
            if not blank or time.monotonic() > deadline:
                return blank
            self.page.wait_for_timeout(500)

    def slider_tracks(self, index: int) -> list[dict]:
        """``{"control", "width"}`` of every slider in explorer ``index`` (track width, px)."""
        return self.page.evaluate(_JS_TRACKS, index)

    def _slider(self, index: int, control: str):
        box = self.page.query_selector_all(".bioviz-explorer")[index]
        widget = box.query_selector(f".bioviz-control-{control}")
        widget.scroll_into_view_if_needed()
        return widget

    @staticmethod
    def _readout(widget) -> str:
        # the readout prints negative numbers with a Unicode minus sign
        return widget.query_selector(".widget-readout").inner_text().strip().replace("\u2212", "-")

    def _watch_change(self, index: int, act, wait_s: float) -> bool:
        """Arm the plot watcher of explorer ``index``, do ``act()``, and say whether the plot
        changed within ``wait_s``."""
        self.page.evaluate(_JS_ARM, index)
        self.page.evaluate("() => { window.__bioviz_watch.t0 = performance.now(); }")
        act()
        try:
            self.page.wait_for_function("() => window.__bioviz_watch.t1 !== null", timeout=wait_s * 1000)
            return True
        except Exception:  # noqa: BLE001 - reported to the caller
            return False

    def type_value(self, index: int, control: str, text: str, wait_s: float = 60) -> bool:
        """Type ``text`` into a slider's readout and press Enter, as a reader can; returns
        whether the plot changed."""
        readout = self._slider(index, control).query_selector(".widget-readout")

        def act():
            readout.click()
            self.page.keyboard.press("Control+A")
            self.page.keyboard.type(text)
            self.page.keyboard.press("Enter")

        return self._watch_change(index, act, wait_s)

    def drag_slider(self, index: int, control: str, wait_s: float = 60) -> tuple[float, bool]:
        """Drag one slider's handle with the mouse by a third of its track (towards the side
        with room), as a reader would. Returns the value its readout shows afterwards and
        whether the plot changed. The slider is then typed back to its value before the drag,
        so every drag starts from the same settings (drags that accumulate can reach a state
        where a control rightly changes nothing, e.g. a swimmer with neither oscillator nor
        proprioception never moves)."""
        widget = self._slider(index, control)
        before = self._readout(widget)
        handle = widget.query_selector(".noUi-handle")
        track = widget.query_selector(".noUi-base").bounding_box()
        grip = handle.bounding_box()
        x0, y0 = grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2
        dx = track["width"] / 3 * (1 if x0 < track["x"] + track["width"] / 2 else -1)

        def drag():
            self.page.mouse.move(x0, y0)
            self.page.mouse.down()
            for k in range(1, 6):
                self.page.mouse.move(x0 + dx * k / 5, y0)
            self.page.mouse.up()

        changed = self._watch_change(index, drag, wait_s)
        text = self._readout(widget)
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if changed and text != before and not self.type_value(index, control, before, wait_s):
            raise AssertionError(f"{self.name}: typing {control} back to {before} did not redraw")
        return value, changed

    def screenshot_explorers(self, folder: Path) -> list[str]:
        """A screenshot of every explorer (controls and plot) in ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, box in zip(self.explorer_names(), self.page.query_selector_all(".bioviz-explorer"), strict=True):
            box.scroll_into_view_if_needed()
            paths.append(str(folder / f"{name}.png"))
            box.screenshot(path=paths[-1])
        return paths

    def explorer_names(self) -> list[str]:
        return self.page.eval_on_selector_all(
            ".bioviz-explorer",
            "els => els.map(e => [...e.classList].find(c => c.startsWith('bioviz-explorer-'))"
            ".slice('bioviz-explorer-'.length))",
        )

    # keyboard-movable widgets, in order of preference: slider handles, drop-downs, checkboxes
    _ELEMENTS = ((".noUi-handle", "slider"), ("select", "dropdown"), ("input[type=checkbox]", "checkbox"))
    _KINDS = (("re-plot", ".bioviz-replot"), ("re-simulate", ".bioviz-resimulate"))

    def _pick_control(self, box, kind: str | None = None):
        """A control of the given kind ('re-plot' or 're-simulate'); with no kind, a re-plot
        control if there is one, else a re-simulating one. Sliders first, then drop-downs and
        checkboxes. Returns (element handle, element type, control name, kind)."""
        for element, etype in self._ELEMENTS:
            for k, cls in self._KINDS:
                if kind not in (None, k):
                    continue
                handle = box.query_selector(f"{cls} {element}")
                if handle is not None:
                    control = handle.evaluate(
                        "h => [...h.closest('.bioviz-control').classList]"
                        ".find(c => c.startsWith('bioviz-control-') )"
                    )
                    return handle, etype, control[len("bioviz-control-") :], k
        return None, None, None, None

    def control_kinds(self, index: int) -> list[str]:
        """The kinds ('re-plot', 're-simulate') of keyboard-movable controls in an explorer."""
        box = self.page.query_selector_all(".bioviz-explorer")[index]
        return [k for k, _ in self._KINDS if self._pick_control(box, k)[0] is not None]

    @staticmethod
    def _operate(handle, etype: str, press: int, last):
        """Change the control once, the way a reader would: a slider by arrow key, a checkbox
        by space, a drop-down by choosing the next option. Every action must be a change: step
        away from the current value (back at the end of the range), then return, alternately.
        Returns what was done, for the next call."""
        if etype == "checkbox":
            handle.press("Space")
            return "Space"
        if etype == "dropdown":
            index, count = handle.evaluate("h => [h.selectedIndex, h.options.length]")
            step = -last if (press % 2 == 1 and last) else (-1 if index >= count - 1 else 1)
            handle.select_option(index=index + step)
            return step
        if press % 2 == 1 and last is not None:
            key = "ArrowLeft" if last == "ArrowRight" else "ArrowRight"
        else:
            at_end = handle.evaluate(
                "h => parseFloat(h.getAttribute('aria-valuenow')) >= parseFloat(h.getAttribute('aria-valuemax'))"
            )
            key = "ArrowLeft" if at_end else "ArrowRight"
        handle.press(key)
        return key

    def move_control(
        self, index: int, presses: int = 1, wait_s: float = 60, shots: Path | None = None, kind: str | None = None
    ) -> ControlMove:
        """Operate a control of explorer ``index`` ``presses`` times (a slider by arrow keys, a
        checkbox by space, a drop-down by choosing an option), so that every action is a change;
        after each, wait for the plot to change and record the latency measured in the page,
        from the keydown (or change) event to the changed plot (ms)."""
        box = self.page.query_selector_all(".bioviz-explorer")[index]
        name = self.explorer_names()[index]
        handle, etype, control, kind = self._pick_control(box, kind)
        if handle is None:
            raise AssertionError(f"{self.name}: explorer {name} has no control to move")
        move = ControlMove(explorer=name, control=control, kind=kind)
        box.scroll_into_view_if_needed()
        figure = box.query_selector(".bioviz-figure")
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            move.before_png = str(shots / f"{name}-before.png")
            figure.screenshot(path=move.before_png)
        last = None
        for press in range(presses):
            armed = self.page.evaluate(_JS_ARM, index)
            if not armed:
                raise AssertionError(f"{self.name}: explorer {name} shows no plot")
            handle.focus()
            last = self._operate(handle, etype, press, last)
            try:
                self.page.wait_for_function("() => window.__bioviz_watch.t1 !== null", timeout=wait_s * 1000)
            except Exception as err:
                raise AssertionError(
                    f"{self.name}: moving {name}.{control} ({kind}) did not change the plot within {wait_s} s"
                ) from err
            state = self.page.evaluate("() => window.__bioviz_watch")
            move.latencies_ms.append(state["t1"] - state["t0"])
        if shots is not None:
            self.page.wait_for_timeout(300)  # let the plot finish drawing
            move.after_png = str(shots / f"{name}-after.png")
            figure.screenshot(path=move.after_png)
        return move
