"""What the browser tests share: Debian's Chromium, a dashboard served by `connect-impact
serve` in a process group of its own, and waiting until Streamlit has drawn everything."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[2]
STARTUP_S = 60
TIMEOUT_MS = 90_000  # the first run of a page computes every figure with a cold cache
SETTLE_MS = 500
VIEWPORT = {"width": 1400, "height": 1000}
# axe-core, vendored unchanged from its npm package (version, checksum and licence: vendor/README)
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_VERSION = "4.14.1"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
# the impacts a page may not have; moderate and minor ones are written to the results only
AXE_BLOCKING = ("serious", "critical")
# Streamlit's own markup that the app cannot change, each with why
AXE_EXCLUDE: tuple[str, ...] = (
    # st.metric's sparkline (chart_data) is a Vega chart Streamlit draws with an empty layer for
    # highlighted points, role graphics-symbol and no name (svg-img-alt); the app passes only
    # the numbers. The tile's value, change and target are text beside it.
    '[data-testid="stMetric"] g[class$="_highlighted_points_marks"]',
)

# True once the app is idle: connected, script finished, nothing stale or still loading, a title
# drawn and every plotly chart holding its svg.
APP_IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  if (app.dataset.testConnectionState !== 'CONNECTED') return false;
  if (document.querySelector('[data-stale="true"]')) return false;
  // lazily loaded widgets (plotly, metrics, date inputs) show a skeleton until their code runs,
  // and that can outlast the script run
  if (document.querySelector(
    '[data-testid="stSkeleton"], [data-testid="stSkeletonElement"], [data-testid="stAppSkeleton"]'
  )) return false;
  const status = document.querySelector('[data-testid="stStatusWidget"]');
  if (status && /running/i.test(status.textContent)) return false;
  if (!document.querySelector('[data-testid="stMain"] h1')) return false;
  for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    if (!chart.querySelector('.js-plotly-plot .main-svg')) return false;
  }
  return true;
}"""


def free_port() -> int:
    """Return a port nothing listens on (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    """Return whether Streamlit's health endpoint answers ok."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except OSError:
        return False


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server and the Streamlit process it started (one process group)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


@contextlib.contextmanager
def serving(
    warehouse: Path,
    log_path: Path,
    env: dict[str, str],
    port: int | None = None,
    address: str = "localhost",
) -> Iterator[str]:
    """Run `connect-impact serve` on a warehouse with extra environment; yield its URL."""
    port = port or free_port()
    url = f"http://localhost:{port}"
    full_env = {**os.environ, "GX_ANALYTICS_ENABLED": "False", **env}
    # edits to the source while the test runs must not put a "File change" prompt on the pages
    full_env["STREAMLIT_SERVER_FILE_WATCHER_TYPE"] = "none"
    full_env["STREAMLIT_SERVER_RUN_ON_SAVE"] = "false"
    cmd = [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port)]
    cmd += ["--warehouse", str(warehouse), "--address", address]
    with open(log_path, "w") as log:
        # a process group of its own, so that teardown also stops the Streamlit child
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + STARTUP_S
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text()[-3000:]
                pytest.fail(f"the dashboard did not start at {url} within {STARTUP_S} s:\n{tail}")
            time.sleep(0.25)
        yield url
    finally:
        _stop(proc)


def wait_idle(page: Page) -> float:
    """Wait until Streamlit has finished running and drawn everything; return when it first was.

    The page must still be idle SETTLE_MS later, so that a gap between two script runs or
    between a run and the drawing of its elements is not taken for the end.
    """
    deadline = time.perf_counter() + TIMEOUT_MS / 1000
    while True:
        remaining = max(1.0, (deadline - time.perf_counter()) * 1000)
        page.wait_for_function(APP_IDLE, timeout=remaining, polling=100)
        idle_at = time.perf_counter()
        page.wait_for_timeout(SETTLE_MS)
        if page.evaluate(APP_IDLE):
            return idle_at
        assert time.perf_counter() < deadline, f"{page.url} never settled"


def title(page: Page) -> str:
    """Return the page title (the st.title heading)."""
    return page.locator('[data-testid="stMain"] h1').first.inner_text().strip()


def axe_scan(page: Page) -> dict[str, Any]:
    """Inject axe-core into the page, run the WCAG 2.1 A and AA rules; return its results.

    The results keep what a reader needs to find and fix each violation: the rule, its impact,
    and for every element its selector, its markup and axe's summary of what fails.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async ([tags, exclude]) => {
          const context = exclude.length ? {exclude: exclude.map(s => [s])} : document;
          const result = await axe.run(context, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
          });
          return {
            version: axe.version,
            passes: result.passes.length,
            incomplete: result.incomplete.map(r => r.id),
            violations: result.violations.map(v => ({
              id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
              nodes: v.nodes.map(n => ({
                target: n.target, html: n.html, impact: n.impact, summary: n.failureSummary,
              })),
            })),
          };
        }""",
        [list(AXE_TAGS), list(AXE_EXCLUDE)],
    )
    assert found["version"] == AXE_VERSION, found["version"]
    return {"tags": list(AXE_TAGS), "excluded": list(AXE_EXCLUDE), **found}


def blocking(results: dict[str, Any]) -> list[str]:
    """Return the serious and critical violations of an axe scan, one line per element."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {node['target']}: {node['html'][:200]}"
        for v in results["violations"]
        if v["impact"] in AXE_BLOCKING
        for node in v["nodes"]
    ]
