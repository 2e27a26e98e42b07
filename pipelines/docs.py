"""Generated documentation: the contract tables in data/README.md stay in sync with the code."""

from __future__ import annotations

import re
from pathlib import Path

from pipelines.contract import render_markdown
from pipelines.settings import DATA_DIR

CONTRACT_README = DATA_DIR / "README.md"
_BLOCK = re.compile(r"(<!-- contract:begin[^\n]*-->\n)(.*?)(<!-- contract:end -->)", re.S)


def contract_readme(text: str) -> str:
    """Return the README text with its generated contract block rendered afresh."""
    return _BLOCK.sub(lambda m: m.group(1) + "\n" + render_markdown() + "\n" + m.group(3), text)


def write_if_changed(path: Path, text: str) -> bool:
    """Write a generated document only when its text changed; return whether it did."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if text != old:
        path.write_text(text, encoding="utf-8")
    return text != old


def write(path: Path = CONTRACT_README) -> bool:
    """Regenerate the contract block in data/README.md; return whether it changed."""
    return write_if_changed(path, contract_readme(path.read_text(encoding="utf-8")))


if __name__ == "__main__":
    print("data/README.md updated" if write() else "data/README.md already up to date")
