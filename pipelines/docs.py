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


def write(path: Path = CONTRACT_README) -> bool:
    """Regenerate the contract block in data/README.md; return whether it changed."""
    text = path.read_text(encoding="utf-8")
    new = contract_readme(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    print("data/README.md updated" if write() else "data/README.md already up to date")
