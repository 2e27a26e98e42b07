"""The layers import downwards only (DESIGN.md): dashboard -> indicators -> pipelines."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pipelines.settings import PROJECT_ROOT

# what each layer may not import
FORBIDDEN = {
    "pipelines": ("indicators", "dashboard", "streamlit"),
    "indicators": ("dashboard", "streamlit"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_never_imports_the_layers_above_it(layer):
    offenders = {
        str(path.relative_to(PROJECT_ROOT)): sorted(_imports(path) & set(FORBIDDEN[layer]))
        for path in (PROJECT_ROOT / layer).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_every_make_target_is_listed_in_make_help():
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    phony = set(re.search(r"^\.PHONY: (.+)$", makefile, re.M).group(1).split())
    documented = set(re.findall(r"^([a-z-]+):.*## ", makefile, re.M))
    assert phony == documented


def test_the_readme_quick_start_is_the_two_make_commands():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    assert re.findall(r"^    (make \w+)", quick, re.M) == ["make run", "make test"]
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M)
