"""A drafted answer as a document: Markdown and .docx, with charts and a source note per figure.

Both are reproducible: the same draft gives the same Markdown byte for byte, and a .docx whose
core properties and zip entry dates come from the snapshot, not the clock. Charts are plotly
figures rendered to PNG by kaleido on the system Chromium.
"""

from __future__ import annotations

import io
import os
import re
import warnings
import zipfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from indicators import periods, views
from indicators.answers.drafting import Draft, Figure

SYSTEM_CHROMIUM = "/usr/bin/chromium"
CHART_SIZE = (900, 420)
WORDS = {
    "nl": {
        "title": "Antwoord op schriftelijke vraag",
        "number": "Nummer",
        "submitted_on": "Datum van indiening",
        "asked_by": "Vraagsteller",
        "addressed_to": "Gericht aan",
        "subject": "Onderwerp",
        "question": "Vraag",
        "answer": "Antwoord",
        "figures": "Gebruikte cijfers",
        "indicator": "Indicator",
        "value": "Waarde",
        "definition": "Definitie",
        "target": "Doel",
        "status": "Status",
        "period": "Periode",
        "charts": "Grafieken",
        "charts_omitted": "De grafieken zijn in deze versie weggelaten.",
        "sources": "Bronnen",
        "source_note": (
            "{label}: {definition} Periode: {period}. Peildatum: {as_of}. Snapshot {snapshot} "
            "(SHA-256 {sha}). Catalogusversie {version}. Afscherming: {disclosure}."
        ),
        "lineage": (
            "Alle cijfers: peildatum {as_of}; snapshot {snapshot} (SHA-256 {sha}); "
            "catalogusversie {version}; afscherming van kleine aantallen: {disclosure}."
        ),
        "illustrative": "Het plan Lokaal Integratiebeleid in deze toepassing is illustratief.",
        "trend": "per kwartaal",
    },
    "en": {
        "title": "Answer to written question",
        "number": "Number",
        "submitted_on": "Date submitted",
        "asked_by": "Asked by",
        "addressed_to": "Addressed to",
        "subject": "Subject",
        "question": "Question",
        "answer": "Answer",
        "figures": "Figures used",
        "indicator": "Indicator",
        "value": "Value",
        "definition": "Definition",
        "target": "Target",
        "status": "Status",
        "period": "Period",
        "charts": "Charts",
        "charts_omitted": "The charts are omitted in this version.",
        "sources": "Sources",
        "source_note": (
            "{label}: {definition} Period: {period}. Figures as of {as_of}. Snapshot {snapshot} "
            "(SHA-256 {sha}). Catalogue version {version}. Disclosure control: {disclosure}."
        ),
        "lineage": (
            "All figures: as of {as_of}; snapshot {snapshot} (SHA-256 {sha}); catalogue "
            "version {version}; disclosure control of small counts: {disclosure}."
        ),
        "illustrative": "The local integration policy plan in this application is illustrative.",
        "trend": "by quarter",
    },
}
HEADER_FIELDS = ("number", "submitted_on", "asked_by", "addressed_to", "subject")
_LIST_LINE = re.compile(r"^(?:- |\d+\. )")


def _words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["nl"])


def _charted(draft: Draft) -> list[Figure]:
    """Return the figures that get a chart: one per indicator (a distribution's first row)."""
    seen: dict[str, Figure] = {}
    for figure in draft.figures:
        seen.setdefault(figure.id, figure)
    return list(seen.values())


def chart_key(figure: Figure) -> str:
    """Return the file stem of a figure's chart."""
    return f"chart_{figure.id}"


def charts(draft: Draft, warehouse_dir: str | Path | None = None) -> dict[str, go.Figure]:
    """Return one bar chart per figure: its value in each quarter of the programme (as viewers)."""
    quarters = list(views.quarters(periods.parse("programme")))
    ids = [f.id for f in _charted(draft)]
    if not ids:
        return {}
    trend = views.trend(
        ids,
        [periods.parse(q) for q in quarters],
        draft.as_of,
        "viewer",
        warehouse_dir=warehouse_dir,
        snapshot_id=draft.snapshot_id,
    )
    out = {}
    for figure in _charted(draft):
        rows = trend[trend["id"] == figure.id].drop_duplicates("period")
        values = rows["value"].where(~rows["suppressed"].astype(bool))
        scale = 100 if figure.unit == "percent" else 1
        fig = go.Figure(go.Bar(x=rows["period"], y=values * scale, marker_color="#1f5f8b"))
        fig.update_layout(
            title=f"{figure.label} ({_words(draft.lang)['trend']})",
            template="plotly_white",
            width=CHART_SIZE[0],
            height=CHART_SIZE[1],
            margin={"l": 60, "r": 20, "t": 60, "b": 60},
            yaxis_ticksuffix=" %" if figure.unit == "percent" else "",
        )
        out[chart_key(figure)] = fig
    return out


def render_png(figures: Mapping[str, go.Figure]) -> dict[str, bytes]:
    """Return each chart as PNG bytes, rendered by kaleido on the system Chromium."""
    if not figures:
        return {}
    if os.path.exists(SYSTEM_CHROMIUM):
        os.environ.setdefault("BROWSER_PATH", SYSTEM_CHROMIUM)
    import kaleido

    kaleido.start_sync_server(silence_warnings=True)
    try:
        with warnings.catch_warnings():
            # plotly warns that its per-call options are ignored while a server runs
            warnings.simplefilter("ignore", UserWarning)
            return {key: fig.to_image(format="png") for key, fig in figures.items()}
    finally:
        kaleido.stop_sync_server(silence_warnings=True)


def _lineage(draft: Draft) -> dict[str, str]:
    from indicators import formatting

    return {
        "as_of": formatting.day(draft.as_of, draft.lang),
        "snapshot": draft.snapshot_id,
        "sha": draft.snapshot_sha256,
        "version": draft.catalogue_version,
        "disclosure": draft.disclosure,
    }


def source_notes(draft: Draft) -> list[str]:
    """Return the closing notes: one per figure, the lineage of all, and the hidden-count rule."""
    words = _words(draft.lang)
    lineage = _lineage(draft)
    notes = [
        words["source_note"].format(
            label=f.label, definition=f.definition, period=f.period, **lineage
        )
        for f in _charted(draft)
    ]
    notes.append(words["lineage"].format(**lineage))
    notes += list(draft.notes)
    if draft.illustrative_plan and any(p.template_id == "plan_priorities" for p in draft.parts):
        notes.append(words["illustrative"])
    return notes


def figures_table(draft: Draft) -> pd.DataFrame:
    """Return the figures used: indicator, value, definition, target, status, period."""
    words = _words(draft.lang)
    rows = [
        {
            words["indicator"]: f.label + (f" ({f.category})" if f.category else ""),
            words["value"]: f.text,
            words["definition"]: f.definition,
            words["target"]: f.target,
            words["status"]: f.status,
            words["period"]: f.period,
        }
        for f in draft.figures
    ]
    columns = [words[k] for k in ("indicator", "value", "definition", "target", "status", "period")]
    return pd.DataFrame(rows, columns=columns)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _paragraphs(text: str) -> str:
    """Return answer lines as Markdown: a blank line between paragraphs, lists kept together."""
    out: list[str] = []
    for line in text.splitlines():
        if out and not (_LIST_LINE.match(line) and _LIST_LINE.match(out[-1])):
            out.append("")
        out.append(line)
    return "\n".join(out)


def to_markdown(draft: Draft, image_dir: str | None = None) -> str:
    """Return the answer as Markdown; charts link to PNG files in image_dir, or are omitted."""
    words = _words(draft.lang)
    number = f" {draft.header.number}" if draft.header.number else ""
    lines = [f"# {words['title']}{number}", "", "| | |", "|---|---|"]
    for key in HEADER_FIELDS:
        lines.append(f"| {words[key]} | {_cell(getattr(draft.header, key)) or '-'} |")
    lines.append("")
    for i, part in enumerate(draft.parts, start=1):
        lines += [f"## {words['question']} {i}", "", f"> {_cell(part.question)}", ""]
        lines += [_paragraphs(part.text), ""]
    table = figures_table(draft)
    if len(table):
        lines += [f"## {words['figures']}", ""]
        lines.append("| " + " | ".join(table.columns) + " |")
        lines.append("|" + "---|" * len(table.columns))
        for row in table.itertuples(index=False):
            lines.append("| " + " | ".join(_cell(str(v)) for v in row) + " |")
        lines.append("")
        lines += [f"## {words['charts']}", ""]
        if image_dir is None:
            lines += [words["charts_omitted"], ""]
        else:
            for figure in _charted(draft):
                lines += [f"![{figure.label}]({image_dir}/{chart_key(figure)}.png)", ""]
    lines += [f"## {words['sources']}", ""]
    lines += [f"- {note}" for note in source_notes(draft)]
    return "\n".join(lines).rstrip() + "\n"


def _stamp(draft: Draft) -> datetime:
    return datetime.fromisoformat(draft.snapshot_created_at).replace(tzinfo=None)


def to_docx(draft: Draft, images: Mapping[str, bytes] | None = None) -> bytes:
    """Return the answer as a .docx; the same draft and images give the same bytes."""
    from docx import Document
    from docx.shared import Cm

    words = _words(draft.lang)
    doc = Document()
    number = f" {draft.header.number}" if draft.header.number else ""
    doc.add_heading(f"{words['title']}{number}", level=1)
    header = doc.add_table(rows=0, cols=2)
    header.style = "Table Grid"
    for key in HEADER_FIELDS:
        cells = header.add_row().cells
        cells[0].text, cells[1].text = words[key], getattr(draft.header, key) or "-"
    for i, part in enumerate(draft.parts, start=1):
        doc.add_heading(f"{words['question']} {i}", level=2)
        doc.add_paragraph(part.question, style="Intense Quote")
        for line in part.text.splitlines():
            if line.startswith("- "):
                doc.add_paragraph(line[2:], style="List Bullet")
            elif _LIST_LINE.match(line):
                doc.add_paragraph(line.split(". ", 1)[1], style="List Number")
            else:
                doc.add_paragraph(line)
    table = figures_table(draft)
    if len(table):
        doc.add_heading(words["figures"], level=2)
        grid = doc.add_table(rows=1, cols=len(table.columns))
        grid.style = "Table Grid"
        for cell, name in zip(grid.rows[0].cells, table.columns, strict=True):
            cell.text = name
        for row in table.itertuples(index=False):
            for cell, value in zip(grid.add_row().cells, row, strict=True):
                cell.text = str(value)
        doc.add_heading(words["charts"], level=2)
        if images:
            for figure in _charted(draft):
                png = images.get(chart_key(figure))
                if png:
                    doc.add_picture(io.BytesIO(png), width=Cm(16))
        else:
            doc.add_paragraph(words["charts_omitted"])
    doc.add_heading(words["sources"], level=2)
    for note in source_notes(draft):
        doc.add_paragraph(note, style="List Bullet")
    stamp = _stamp(draft)
    props = doc.core_properties
    props.title = f"{words['title']}{number}"
    props.subject = draft.header.subject
    props.author = props.last_modified_by = "connect-impact"
    props.created = props.modified = stamp
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return reproducible_zip(buffer.getvalue(), stamp)


def reproducible_zip(data: bytes, stamp: datetime) -> bytes:
    """Return a zip archive rewritten with every entry dated `stamp`, in the same order."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
