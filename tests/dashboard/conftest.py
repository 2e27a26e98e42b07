"""Drive dashboard pages with Streamlit's AppTest on the demo warehouse."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.cli import APP_FILE
from indicators import engine


@pytest.fixture
def open_page(demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Return a function that opens a page (by its file name) in a language, as a role."""
    monkeypatch.setenv("CONNECT_WAREHOUSE", str(demo_warehouse))

    def run(page: str, lang: str = "nl", role: str = "viewer", **params: str) -> AppTest:
        monkeypatch.setenv("CONNECT_ROLE", role)
        at = AppTest.from_file(str(APP_FILE), default_timeout=60)
        at.query_params["lang"] = lang
        for name, value in params.items():
            at.query_params[name] = value
        at.run()
        if page != "overview":
            at.switch_page(f"screens/{page}.py").run()
        assert not at.exception, at.exception
        return at

    return run


@pytest.fixture
def figures(demo_warehouse: Path) -> Callable[..., object]:
    """Return the engine's figures on the demo warehouse (what the pages must show)."""

    def compute(*args, **kwargs):
        return engine.compute(*args, warehouse_dir=demo_warehouse, **kwargs)

    return compute
