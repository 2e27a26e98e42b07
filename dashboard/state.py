"""The global controls in the sidebar, kept in the URL so that a view can be shared."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

import streamlit as st

from dashboard import data
from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from indicators import disclosure, formatting, periods
from pipelines import api

CUSTOM = "custom"
ROLE_ENV = "CONNECT_ROLE"  # until login and roles land, the role comes from the environment
SELECTION_KEY = "selection"


@dataclass(frozen=True)
class Selection:
    """What every page shows: language, programme, period, as-of date, role and snapshot."""

    lang: str
    programme: str
    period: periods.Period
    as_of: date
    role: str
    snapshot: data.SnapshotInfo

    @property
    def period_text(self) -> str:
        """Return the period as people read it: its label with its first and last day."""
        return t(
            "period_with_dates",
            self.lang,
            label=self.period.label,
            start=self.period.start.isoformat(),
            end=self.period.end.isoformat(),
        )

    @property
    def previous(self) -> periods.Period:
        """Return the period just before the chosen one, for changes."""
        return self.period.previous()


def _param(name: str, default: str) -> str:
    value = st.query_params.get(name)
    return value if isinstance(value, str) and value else default


def _init(key: str, value: object) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def requested_language() -> str:
    """Return the language asked for before the sidebar is drawn (empty warehouse, errors)."""
    lang = st.session_state.get("lang") or st.query_params.get("lang", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def role() -> str:
    """Return the demo mode's role: viewer unless CONNECT_ROLE names a known role."""
    wanted = os.environ.get(ROLE_ENV, "viewer")
    return wanted if wanted in api.access.ROLES else "viewer"


def _published(label: str, programme: api.Programme) -> periods.Period | None:
    """Return the period a label names if viewers may ask for it, else None."""
    try:
        period = periods.parse(label, programme)
    except periods.PeriodError:
        return None
    return period if periods.on_published_grid(period, programme) else None


def sidebar(snap: data.SnapshotInfo, role: str) -> Selection:
    """Draw the global controls once, in the frame, and return the selection (also in the URL).

    Widgets drawn by the entrypoint keep their state when the person moves to another page,
    so nothing needs copying between pages.
    """
    programme = data.programme()
    presets = {p.label: p for p in periods.presets(programme)}
    # viewers choose among periods on the published grid only: a free range could single
    # people out; a month asked for in the address joins the choices
    exact = disclosure.unsuppressed(role)
    loaded = snap.loaded_on
    wanted_lang = _param("lang", DEFAULT_LANGUAGE)
    _init("lang", wanted_lang if wanted_lang in LANGUAGES else DEFAULT_LANGUAGE)
    wanted_period = _param("period", "programme")
    if not exact and wanted_period not in presets:
        asked = _published(wanted_period, programme)
        if asked is not None:
            presets[asked.label] = asked
    if wanted_period in presets or not exact:
        wanted_period = wanted_period if wanted_period in presets else "programme"
        _init("period_choice", wanted_period)
    else:
        _init("period_choice", CUSTOM)
        try:
            custom = periods.parse(wanted_period, programme)
        except periods.PeriodError:
            custom = presets["programme"]
        _init("period_range", (custom.start, custom.end))
    try:
        _init("as_of", periods.parse_date(_param("as_of", loaded.isoformat())))
    except periods.PeriodError:
        _init("as_of", loaded)

    side = st.sidebar
    lang = side.radio(
        t("language", st.session_state["lang"]),
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        key="lang",
        horizontal=True,
    )
    side.selectbox(t("programme", lang), [programme.programme.name], key="programme")
    choices = [*presets, CUSTOM] if exact else list(presets)
    choice = side.selectbox(
        t("period", lang),
        choices,
        key="period_choice",
        format_func=lambda c: t("period_custom", lang) if c == CUSTOM else c,
    )
    if choice == CUSTOM:
        whole = presets["programme"]
        _init("period_range", (whole.start, whole.end))
        chosen = side.date_input(t("period_range", lang), key="period_range")
        start, end = (chosen[0], chosen[-1]) if isinstance(chosen, tuple | list) else (chosen,) * 2
        period = periods.Period(f"{start.isoformat()}..{end.isoformat()}", start, end)
    else:
        period = presets[choice]
    as_of = side.date_input(t("as_of", lang), key="as_of", help=t("as_of_help", lang))
    if not exact:
        as_of = periods.last_month_end(as_of)
        side.caption(t("as_of_published", lang, day=formatting.day(as_of, lang)))
    side.caption(t("snapshot", lang, id=snap.id, loaded=snap.created_at))
    if snap.is_synthetic:
        side.warning(t("synthetic", lang))
    side.caption(t("role", lang, role=role))
    st.query_params.update({"lang": lang, "period": period.label, "as_of": as_of.isoformat()})
    selection = Selection(lang, programme.programme.id, period, as_of, role, snap)
    st.session_state[SELECTION_KEY] = selection
    return selection


def current() -> Selection:
    """Return the selection the frame drew for this run of the page."""
    return st.session_state[SELECTION_KEY]
