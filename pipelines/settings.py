"""Paths and settings, anchored at the project root; nothing is read at import time."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
PROGRAMME_FILE = DATA_DIR / "programme.yaml"
DEFAULT_WAREHOUSE = DATA_DIR / "warehouse"


WAREHOUSE_ENV = "CONNECT_WAREHOUSE"
PSEUDONYM_KEY_ENV = "CONNECT_PSEUDONYM_KEY"


def warehouse_dir(explicit: str | Path | None = None) -> Path:
    """Return the warehouse folder: the explicit one, else $CONNECT_WAREHOUSE, else the default."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(WAREHOUSE_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return DEFAULT_WAREHOUSE


@cache
def _load_programme(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def programme(path: str | Path | None = None) -> dict[str, Any]:
    """Return the programme settings and targets from data/programme.yaml."""
    return _load_programme(str(path or PROGRAMME_FILE))
