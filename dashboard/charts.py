"""Pure chart functions: a frame in, a plotly figure out (titles state the finding).

Colours are the Okabe-Ito palette, safe for colour-blind readers; numbers follow the
language (Dutch: 1.234,5) through plotly's `separators`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from indicators.formatting import number

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
STATUS_COLOURS = {
    "on_track": "#009E73",
    "at_risk": "#E69F00",
    "off_track": "#D55E00",
    None: "#999999",
}
# the same hues darkened for text: at least 4.5:1 on white (WCAG AA), the palette's are not
STATUS_TEXT_COLOURS = {
    "on_track": "#00755A",
    "at_risk": "#8A5A00",
    "off_track": "#A84A00",
    None: "#595959",
}
# colour is never the only carrier of a status: each has its own symbol, beside its words
STATUS_SYMBOLS = {"on_track": "✓", "at_risk": "⚠", "off_track": "✗", None: "–"}
# and in charts its own marker shape
STATUS_MARKERS = {"on_track": "circle", "at_risk": "diamond", "off_track": "x", None: "circle-open"}
# decimal mark, then thousands separator: as the tiles write them (Babel, CLDR)
SEPARATORS = {"nl": ",.", "en": ".,", "fr": ",\u202f"}


def plain_title(fig: go.Figure) -> str:
    """Return a figure's title as plain text: its line breaks and other markup as spaces."""
    text = re.sub(r"<[^>]*>", " ", fig.layout.title.text or "")
    # plain spaces only: the no-break ones of French and of amounts stay as they are
    return re.sub(r"[ \t\n]+", " ", text).strip().replace("( ", "(")


def is_empty(fig: go.Figure) -> bool:
    """Return whether a figure draws no figure other than zero: every value hidden, missing or 0.

    Such a chart (empty axes, or bars of nothing) says less than its title sentence alone.
    Reads the value axis of bars, funnels, lines and dots and the flows of a Sankey.
    """
    for trace in fig.data:
        if trace.type == "sankey":
            values = trace.link.value
        elif trace.type == "funnel" or getattr(trace, "orientation", None) == "h":
            values = trace.x
        elif trace.y is not None and any(isinstance(v, str) for v in trace.y):
            values = trace.x  # dots placed along named rows: their values run along x
        else:
            values = trace.y
        if values is None:
            continue
        shown = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce")
        if (shown.fillna(0) != 0).any():
            return False
    return True


def _layout(
    fig: go.Figure, title: str, lang: str, x_label: str = "", y_label: str = ""
) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        separators=SEPARATORS.get(lang, SEPARATORS["nl"]),
        colorway=PALETTE,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "y": -0.2},
        template="plotly_white",
    )
    fig.update_xaxes(title_text=x_label)
    fig.update_yaxes(title_text=y_label)
    return fig


def projection(
    cumulative: pd.DataFrame,
    start: date,
    target: float,
    deadline: date,
    projected: float,
    title: str,
    labels: dict[str, str],
    lang: str,
) -> go.Figure:
    """Return the cumulative count against its target, projected linearly to the deadline."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=cumulative["date"],
            y=cumulative["value"],
            mode="lines+markers",
            name=labels["actual"],
            line={"color": PALETTE[0]},
            hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f}<extra></extra>",
        )
    )
    known = cumulative.dropna(subset=["value"])
    if len(known):
        last = known.iloc[-1]
        fig.add_trace(
            go.Scatter(
                x=[start, last["date"], deadline],
                y=[0, last["value"], projected],
                mode="lines",
                name=labels["projection"],
                line={"color": PALETTE[1], "dash": "dash"},
                hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[deadline],
            y=[target],
            mode="markers+text",
            name=labels["target"],
            marker={"symbol": "star", "size": 14, "color": PALETTE[5]},
            text=[f"{target:,.0f}"],
            textposition="top center",
            hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f}<extra></extra>",
        )
    )
    return _layout(fig, title, lang, labels["x"], labels["y"])


def sparkline(values: Sequence[float]) -> list[float]:
    """Return the values of a small trend as plain floats (missing values left out)."""
    return [float(v) for v in values if pd.notna(v)]


def bars(
    frame: pd.DataFrame,
    x: str,
    y: str,
    title: str,
    lang: str,
    x_label: str = "",
    y_label: str = "",
    horizontal: bool = False,
    percent: bool = False,
    colour: str | None = None,
    text: str | None = None,
) -> go.Figure:
    """Return a bar chart of y by x (horizontal: bars run left to right)."""
    fmt = ".1%" if percent else ",.0f"
    bar = go.Bar(
        x=frame[y] if horizontal else frame[x],
        y=frame[x] if horizontal else frame[y],
        orientation="h" if horizontal else "v",
        marker={"color": colour or PALETTE[0]},
        text=frame[text] if text else None,
        hovertemplate=(
            f"%{{y}}: %{{x:{fmt}}}<extra></extra>"
            if horizontal
            else f"%{{x}}: %{{y:{fmt}}}<extra></extra>"
        ),
    )
    fig = go.Figure(bar)
    value_axis = {"tickformat": fmt}
    if horizontal:
        fig.update_xaxes(**value_axis)
        fig.update_yaxes(autorange="reversed")
    else:
        fig.update_yaxes(**value_axis)
    return _layout(fig, title, lang, x_label, y_label)


def funnel(stages: pd.DataFrame, title: str, lang: str) -> go.Figure:
    """Return a funnel of stage -> count (columns stage, value)."""
    fig = go.Figure(
        go.Funnel(
            y=stages["stage"],
            x=stages["value"],
            textinfo="value+percent initial",
            marker={"color": PALETTE[: len(stages)]},
            hovertemplate="%{y}: %{x:,.0f}<extra></extra>",
        )
    )
    return _layout(fig, title, lang)


def survival_curve(
    curve: pd.DataFrame, title: str, lang: str, x_label: str, y_label: str
) -> go.Figure:
    """Return a Kaplan-Meier curve as steps: the share that has not yet reached the event."""
    fig = go.Figure(
        go.Scatter(
            x=curve["time"],
            y=curve["survival"],
            mode="lines",
            line={"shape": "hv", "color": PALETTE[0]},
            hovertemplate="%{x:,.0f}: %{y:.1%}<extra></extra>",
        )
    )
    fig.add_hline(y=0.5, line={"dash": "dot", "color": "#999999"})
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02])
    return _layout(fig, title, lang, x_label, y_label)


def sankey(flows: pd.DataFrame, labels: dict[str, str], title: str, lang: str) -> go.Figure:
    """Return a Sankey from duo outcome to kind of flow-through (columns outcome, kind, n)."""
    shown = flows.dropna(subset=["n"])
    left = list(dict.fromkeys(shown["outcome"]))
    right = list(dict.fromkeys(shown["kind"]))
    nodes = left + right
    index = {("L", n): i for i, n in enumerate(left)} | {
        ("R", n): len(left) + i for i, n in enumerate(right)
    }
    fig = go.Figure(
        go.Sankey(
            textfont={"color": "#1a1a1a", "size": 13},
            node={
                "label": [labels.get(n, n) for n in nodes],
                "color": [PALETTE[i % len(PALETTE)] for i in range(len(nodes))],
                "pad": 12,
            },
            link={
                "source": [index[("L", o)] for o in shown["outcome"]],
                "target": [index[("R", k)] for k in shown["kind"]],
                "value": shown["n"].tolist(),
                "hovertemplate": "%{source.label} → %{target.label}: %{value:,.0f}<extra></extra>",
            },
        )
    )
    return _layout(fig, title, lang)


def municipality_map(
    frame: pd.DataFrame, geojson: dict, title: str, lang: str, value_label: str
) -> go.Figure:
    """Return the 19 municipalities filled by value (columns nis_code, name, value), offline.

    Drawn as filled polygons on plain axes, so no map tiles or base layers are fetched.
    """
    values = dict(zip(frame["nis_code"], frame["value"], strict=True))
    names = dict(zip(frame["nis_code"], frame["name"], strict=True))
    known = [v for v in values.values() if pd.notna(v)]
    high = max(known) if known else 1
    fig = go.Figure()
    for feature in geojson["features"]:
        nis = feature["properties"]["nis"]
        value = values.get(nis)
        share = (value / high) if value is not None and pd.notna(value) and high else None
        colour = _blue(share)
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        shown = "<5" if value is None or pd.isna(value) else number(value, lang, 0)
        for polygon in polygons:
            ring = polygon[0]
            fig.add_trace(
                go.Scatter(
                    x=[p[0] for p in ring],
                    y=[p[1] for p in ring],
                    fill="toself",
                    fillcolor=colour,
                    line={"color": "white", "width": 1},
                    mode="lines",
                    name=names.get(nis, nis),
                    hoveron="fills",
                    text=f"{names.get(nis, nis)}: {shown} {value_label}",
                    hoverinfo="text",
                    showlegend=False,
                )
            )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1.55)
    return _layout(fig, title, lang)


def _blue(share: float | None) -> str:
    """Return a sequential blue for a share 0..1 (grey when hidden or missing)."""
    if share is None:
        return "#dddddd"
    low, high = (222, 235, 247), (8, 69, 148)
    rgb = [round(a + (b - a) * share) for a, b in zip(low, high, strict=True)]
    return f"rgb({rgb[0]},{rgb[1]},{rgb[2]})"


def norm_bars(
    frame: pd.DataFrame,
    x: str,
    y: str,
    norm_from: str,
    title: str,
    lang: str,
    labels: dict[str, str],
    text: str | None = None,
) -> go.Figure:
    """Return bars of y by x coloured by whether x meets a norm, with the norm marked.

    The x values from `norm_from` on meet the norm; labels holds x, y, below, meets and norm
    (the text of the dashed line drawn where the norm starts).
    """
    order = frame[x].tolist()
    start = order.index(norm_from)
    fig = go.Figure()
    for name, part, colour in (
        (labels["below"], frame.iloc[:start], PALETTE[1]),
        (labels["meets"], frame.iloc[start:], PALETTE[0]),
    ):
        fig.add_trace(
            go.Bar(
                x=part[x],
                y=part[y],
                name=name,
                marker={"color": colour},
                text=part[text] if text else None,
                textposition="outside",
                hovertemplate="%{x}: %{y:,.0f}<extra></extra>",
            )
        )
    fig.add_vline(x=start - 0.5, line={"dash": "dash", "color": "#000000"})
    fig.add_annotation(
        x=start - 0.5, y=1, yref="paper", text=labels["norm"], showarrow=False, xanchor="left"
    )
    fig.update_xaxes(categoryorder="array", categoryarray=order, type="category")
    fig.update_yaxes(tickformat=",.0f")
    return _layout(fig, title, lang, labels["x"], labels["y"])


def cohort_rates(
    frame: pd.DataFrame,
    title: str,
    lang: str,
    labels: dict[str, str],
) -> go.Figure:
    """Return grouped bars of rates by cohort (columns cohort, series, value, is_open).

    Open cohorts (is_open) get no bars, only a grey band with labels["open"]: their rates are
    not final. labels also holds x and y.
    """
    cohorts = list(dict.fromkeys(frame["cohort"]))
    fig = go.Figure()
    for i, (name, g) in enumerate(frame.groupby("series", sort=False)):
        shown = g["value"].where(~g["is_open"].astype(bool))
        fig.add_trace(
            go.Bar(
                x=g["cohort"],
                y=shown,
                name=str(name),
                marker={"color": PALETTE[i % len(PALETTE)]},
                hovertemplate=f"%{{x}}: %{{y:.1%}}<extra>{name}</extra>",
            )
        )
    open_cohorts = set(frame.loc[frame["is_open"].astype(bool), "cohort"])
    for i, cohort in enumerate(cohorts):
        if cohort in open_cohorts:
            fig.add_vrect(
                x0=i - 0.5,
                x1=i + 0.5,
                fillcolor="#dddddd",
                opacity=0.6,
                layer="below",
                line_width=0,
            )
            fig.add_annotation(
                x=cohort,
                y=0.5,
                yref="paper",
                text=labels["open"],
                showarrow=False,
                textangle=-90,
                font={"color": "#555555"},
            )
    fig.update_layout(barmode="group")
    fig.update_xaxes(categoryorder="array", categoryarray=cohorts, type="category")
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    if frame["value"].where(~frame["is_open"].astype(bool)).isna().all():
        # nothing to draw yet: show a plain 0-100% scale rather than plotly's empty default
        fig.update_yaxes(range=[0, 1])
    return _layout(fig, title, lang, labels["x"], labels["y"])


def intervals(
    frame: pd.DataFrame,
    title: str,
    lang: str,
    x_label: str = "",
    interval_label: str = "95%",
) -> go.Figure:
    """Return estimates as dots with their confidence intervals as whiskers, and a zero line.

    Columns label, value, ci_low, ci_high, n, direction ('higher' or 'lower' is better). A dot
    is a green disc when its interval lies wholly on the better side of zero, an orange cross
    when wholly on the worse side, a grey ring when the interval includes zero (shape and
    colour both say it); rows without a value are left out.
    """
    shown = frame.dropna(subset=["value"])
    better = shown["direction"].map({"higher": 1, "lower": -1}).fillna(1)
    statuses = []
    for a, b in zip(shown["ci_low"] * better, shown["ci_high"] * better, strict=True):
        # flipping the sign swaps the ends; a missing interval compares False: grey
        low, high = min(a, b), max(a, b)
        statuses.append("on_track" if low > 0 else "off_track" if high < 0 else None)
    fig = go.Figure(
        go.Scatter(
            x=shown["value"],
            y=shown["label"],
            mode="markers",
            marker={
                "size": 13,
                "color": [STATUS_COLOURS[s] for s in statuses],
                "symbol": [STATUS_MARKERS[s] for s in statuses],
                "line": {"color": "#333333", "width": 1},
            },
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (shown["ci_high"] - shown["value"]).tolist(),
                "arrayminus": (shown["value"] - shown["ci_low"]).tolist(),
                "color": "#333333",
                "thickness": 2,
                "width": 8,
            },
            customdata=shown[["ci_low", "ci_high", "n"]].to_numpy(dtype=float),
            hovertemplate=(
                f"%{{y}}: %{{x:+.2f}} ({interval_label}: %{{customdata[0]:.2f}} – "
                "%{customdata[1]:.2f}; n = %{customdata[2]:,.0f})<extra></extra>"
            ),
        )
    )
    fig.add_vline(x=0, line={"color": "#666666", "dash": "dash"})
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, lang, x_label)


def stacked_bars(
    frame: pd.DataFrame,
    x: str,
    parts: dict[str, str],
    title: str,
    lang: str,
    x_label: str = "",
    y_label: str = "",
) -> go.Figure:
    """Return bars of x stacked from the columns in parts (column -> legend name), bottom first."""
    fig = go.Figure()
    for i, (column, name) in enumerate(parts.items()):
        fig.add_trace(
            go.Bar(
                x=frame[x],
                y=frame[column],
                name=name,
                marker={"color": PALETTE[i % len(PALETTE)]},
                hovertemplate=f"%{{x}}: %{{y:,.0f}}<extra>{name}</extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(tickformat=",.0f")
    return _layout(fig, title, lang, x_label, y_label)
