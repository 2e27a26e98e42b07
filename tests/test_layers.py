"""The layers import downwards only (DESIGN.md): dashboard -> indicators -> pipelines."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pipelines.settings import PROJECT_ROOT

# what each layer may not import at all
FORBIDDEN = {
    "pipelines": ("indicators", "dashboard", "streamlit"),
    "indicators": ("dashboard", "streamlit"),
}
# the parts of pipelines a layer above may use
ALLOWED_PIPELINES = {
    # settings, opening a snapshot, the user-error class, generated docs, the CLI's options
    "indicators": {
        "pipelines.settings",
        "pipelines.access",
        "pipelines.warehouse",
        "pipelines.errors",
        "pipelines.docs",
        "pipelines.cli",
        "pipelines.exports",
    },
    # the declared read/load API; the console script's root mounts the data layer's commands
    "dashboard": {"pipelines.api", "pipelines.cli"},
}


def _imports(path: Path) -> set[str]:
    """Return the full names of the modules a file imports (`from a import b` gives a.b too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _top(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_never_imports_the_layers_above_it(layer):
    offenders = {
        str(path.relative_to(PROJECT_ROOT)): sorted(_top(_imports(path)) & set(FORBIDDEN[layer]))
        for path in (PROJECT_ROOT / layer).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def _pipelines_modules(names: set[str]) -> set[str]:
    """Return the pipelines modules among imported names (pipelines.x for pipelines.x.y too)."""
    modules = {".".join(n.split(".")[:2]) for n in names if n.startswith("pipelines.")}
    return {m for m in modules if (PROJECT_ROOT / f"{m.replace('.', '/')}.py").exists()}


@pytest.mark.parametrize("layer", sorted(ALLOWED_PIPELINES))
def test_layers_above_use_only_the_declared_parts_of_pipelines(layer):
    offenders = {
        str(path.relative_to(PROJECT_ROOT)): sorted(
            _pipelines_modules(_imports(path)) - ALLOWED_PIPELINES[layer]
        )
        for path in (PROJECT_ROOT / layer).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_layer_rule_sees_a_forbidden_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from pipelines.load import load\nfrom pipelines import api\n")
    assert _pipelines_modules(_imports(sample)) == {"pipelines.load", "pipelines.api"}


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
