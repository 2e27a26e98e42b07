"""What each SQL file selects from: the shared views and the marts it depends on, found by
scanning its text for their names, resolved transitively and put in a creation order.

The names known are the file names: a view is indicators/sql/views/<name>.sql, a mart is
pipelines/marts/<name>.sql. Nobody keeps a list of dependencies by hand, so none can go stale.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _code(sql: str) -> str:
    """Return the SQL without its comments and string literals, so that only names remain."""
    # one pass, so that whichever starts first wins: a quote in a comment opens no string
    return re.sub(r"'(?:[^']|'')*'|--[^\n]*", " ", sql)


@dataclass(frozen=True)
class Sources:
    """The SQL sources of the figures, laid out as in the project below one root folder."""

    root: Path = PROJECT_ROOT

    @property
    def catalogue_file(self) -> Path:
        """Return the path of catalogue.yaml."""
        return self.root / "indicators" / "catalogue.yaml"

    @property
    def sql_dir(self) -> Path:
        """Return the folder of the indicators' SQL files."""
        return self.root / "indicators" / "sql"

    @property
    def views_dir(self) -> Path:
        """Return the folder of the shared views, one file per view named after it."""
        return self.sql_dir / "views"

    @cached_property
    def dimensions_sql(self) -> str:
        """Return the select that adds the breakdown dimensions to every indicator's units."""
        return (self.sql_dir / "with_dimensions.sql").read_text(encoding="utf-8")

    @property
    def marts_dir(self) -> Path:
        """Return the folder of the marts' SQL files."""
        return self.root / "pipelines" / "marts"

    @cached_property
    def files(self) -> dict[str, Path]:
        """Return every view and mart by name ('views/<name>' or 'marts/<name>')."""
        found = {f"views/{p.stem}": p for p in sorted(self.views_dir.glob("*.sql"))}
        found |= {f"marts/{p.stem}": p for p in sorted(self.marts_dir.glob("*.sql"))}
        clashes = {k.split("/")[1] for k in found if k.startswith("views/")} & {
            k.split("/")[1] for k in found if k.startswith("marts/")
        }
        if clashes:
            raise ValueError(f"a view and a mart share the name {', '.join(sorted(clashes))}")
        return found

    @cached_property
    def texts(self) -> dict[str, str]:
        """Return the SQL text of every view and mart, by name."""
        return {name: path.read_text(encoding="utf-8") for name, path in self.files.items()}

    @cached_property
    def _patterns(self) -> dict[str, re.Pattern[str]]:
        return {
            name: re.compile(rf"(?<![\w.]){re.escape(name.split('/')[1])}(?![\w])", re.I)
            for name in self.files
        }

    def direct(self, sql: str, itself: str | None = None) -> set[str]:
        """Return the views and marts whose names occur in the SQL (not counting itself)."""
        code = _code(sql)
        return {n for n, p in self._patterns.items() if n != itself and p.search(code)}

    @cached_property
    def graph(self) -> dict[str, set[str]]:
        """Return each view's and mart's direct dependencies."""
        return {name: self.direct(text, itself=name) for name, text in self.texts.items()}

    def dependencies(self, sql: str) -> list[str]:
        """Return every view and mart the SQL depends on, directly or not, in creation order."""
        todo, seen = list(self.direct(sql)), set()
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo += self.graph[name]
        return [name for name in self.order if name in seen]

    @cached_property
    def order(self) -> list[str]:
        """Return every view and mart so that each comes after what it selects from."""
        # ties broken by name, so the order (and any hash over it) never depends on the disk
        sorter = TopologicalSorter({n: sorted(d) for n, d in sorted(self.graph.items())})
        sorter.prepare()
        out: list[str] = []
        while sorter.is_active():
            ready = sorted(sorter.get_ready())
            out += ready
            sorter.done(*ready)
        return out

    def digest(self, names: list[str]) -> dict[str, str]:
        """Return the SHA-256 of each named view or mart file, for fingerprints."""
        return {n: hashlib.sha256(self.texts[n].encode()).hexdigest() for n in names}

    def create_views(self, con: duckdb.DuckDBPyConnection, schema: str | None = None) -> None:
        """Create every shared view, each after those it selects from: as temporary views, or
        in a schema.

        A view resolves the names it selects from in its own schema first.
        """
        for name in self.order:
            kind, view = name.split("/")
            if kind != "views":
                continue
            if schema is None:
                con.execute(f"create or replace temp view {view} as\n{self.texts[name]}\n")
            else:
                con.execute(f"create or replace view {schema}.{view} as\n{self.texts[name]}\n")

    def make_table(self, con: duckdb.DuckDBPyConnection, schema: str, view: str) -> None:
        """Replace one of the schema's shared views with a table of its rows (worked out once).

        The connection's search path must start with that schema; no one may be reading it.
        """
        con.execute(f"drop view {schema}.{view}")
        con.execute(f"create table {schema}.{view} as\n{self.texts[f'views/{view}']}\n")
