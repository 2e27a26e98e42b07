"""The dashboard's one gateway to the figures: Streamlit caches around `indicators` functions.

No SQL and no shaping here (that lives in indicators/views.py, testable without Streamlit);
pages call these functions only. Every cached function takes the snapshot id, so a new load
(a new snapshot) is never served stale figures.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import pandas as pd
import streamlit as st

from indicators import answers, disclosure, engine, periods, views
from indicators import catalogue as catalogue_module
from indicators import plan as plan_module
from indicators.answers import export
from pipelines import api

overall = views.overall
municipality_names = views.municipality_names
boundaries = views.boundaries
quarters = views.quarters
granted_funding = views.granted_funding
document_language = answers.document_language
threshold = disclosure.threshold


@dataclass(frozen=True)
class SnapshotInfo:
    """The snapshot the dashboard shows, and whether its data are synthetic."""

    id: str
    created_at: str
    is_synthetic: bool

    @property
    def loaded_on(self) -> date:
        """Return the day the snapshot was loaded (the default as-of date)."""
        return datetime.fromisoformat(self.created_at).date()


LOCAL_ADDRESSES = ("localhost", "127.0.0.1", "::1")


def demo_mode(snap: SnapshotInfo | None) -> bool:
    """Return whether the dashboard may open without login: synthetic data, served locally."""
    local = os.environ.get(api.SERVE_ADDRESS_ENV, "localhost") in LOCAL_ADDRESSES
    return local and (snap is None or snap.is_synthetic)


def current_snapshot() -> SnapshotInfo | None:
    """Return the current snapshot of the configured warehouse, or None when it is empty."""
    snap = api.current_snapshot()
    if snap is None:
        return None
    return SnapshotInfo(snap.id, snap.created_at, _is_synthetic(snap.id))


@st.cache_data(show_spinner=False)
def _is_synthetic(snapshot_id: str) -> bool:
    return api.is_synthetic(snapshot_id)


@st.cache_data(show_spinner=False)
def table_overview(snapshot_id: str) -> pd.DataFrame:
    """Return one row per table of the snapshot with its row count."""
    return api.tables(snapshot_id)


@cache
def catalogue() -> catalogue_module.Catalogue:
    """Return the indicator catalogue."""
    return catalogue_module.load()


def programme() -> api.Programme:
    """Return the programme's settings (norms, targets, funding)."""
    return api.programme()


@st.cache_data(show_spinner=False, max_entries=512)
def figures(
    ids: tuple[str, ...],
    period: str,
    as_of: date,
    role: str,
    snapshot_id: str,
    breakdown: str | None = None,
    filters: tuple[tuple[str, tuple[str, ...]], ...] = (),
) -> pd.DataFrame:
    """Return the engine's figures (disclosure control applied by the engine)."""
    return engine.compute(
        list(ids),
        period,
        breakdown=breakdown,
        filters=dict(filters),
        as_of=as_of,
        role=role,
        snapshot=snapshot_id,
    )


@st.cache_data(show_spinner=False, max_entries=128)
def trend(
    ids: tuple[str, ...], period_labels: tuple[str, ...], as_of: date, role: str, snapshot_id: str
) -> pd.DataFrame:
    """Return the overall figures of the indicators for each period."""
    return views.trend(
        ids, [periods.parse(p) for p in period_labels], as_of, role, snapshot_id=snapshot_id
    )


@st.cache_data(show_spinner=False, max_entries=64)
def cumulative(indicator_id: str, end: date, as_of: date, role: str, snapshot_id: str):
    """Return the indicator counted from the programme start to each month end."""
    start = periods.parse("programme").start
    months = views.month_ends(start, end)
    return views.cumulative(indicator_id, start, months, as_of, role, snapshot_id=snapshot_id)


@st.cache_data(show_spinner=False, max_entries=64)
def survival(indicator_id: str, period: str, as_of: date, role: str, snapshot_id: str):
    """Return a Kaplan-Meier curve (time, at_risk, events, survival)."""
    return views.survival(indicator_id, periods.parse(period), as_of, role, snapshot_id=snapshot_id)


@st.cache_data(show_spinner=False, max_entries=64)
def flows(period: str, as_of: date, role: str, snapshot_id: str) -> pd.DataFrame:
    """Return ended duos by outcome and kind of flow-through."""
    return views.flows(periods.parse(period), as_of, role, snapshot_id=snapshot_id)


@st.cache_data(show_spinner=False, max_entries=64)
def contacts_per_month(period: str, as_of: date, role: str, snapshot_id: str) -> pd.DataFrame:
    """Return full active duo-months by number of contacts."""
    return views.contacts_per_month(periods.parse(period), as_of, role, snapshot_id=snapshot_id)


@st.cache_data(show_spinner=False)
def load_history(snapshot_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the load batches and the per-file accounting."""
    return api.batches(snapshot_id), api.files(snapshot_id)


@st.cache_data(show_spinner=False)
def quarantine_reasons(snapshot_id: str) -> pd.DataFrame:
    """Return quarantined rows counted per table and kind of reason (no values)."""
    return api.quarantine_reasons(snapshot_id)


allowed = api.access.allowed


def quarantine_rows(role: str, snapshot_id: str, table: str | None) -> pd.DataFrame:
    """Return the quarantined rows with their values; refused to roles that may not see them."""
    api.access.require(role, "quarantine_values")
    return _quarantine_rows(snapshot_id, table)


@st.cache_data(show_spinner=False)
def _quarantine_rows(snapshot_id: str, table: str | None) -> pd.DataFrame:
    return api.quarantine_rows(snapshot_id, table)


@st.cache_data(show_spinner=False)
def expectation_results(snapshot_id: str) -> pd.DataFrame:
    """Return the Great Expectations results of the latest load."""
    return api.expectation_results(snapshot_id)


@st.cache_data(show_spinner=False, max_entries=64)
def spend_by_category(period: str, as_of: date, snapshot_id: str) -> pd.DataFrame:
    """Return the period's expenses by category (money is not personal: nothing hidden)."""
    return views.spend_by_category(periods.parse(period), as_of, snapshot_id=snapshot_id)


@st.cache_data(show_spinner=False, max_entries=64)
def organisation_figures(period: str, as_of: date, role: str, snapshot_id: str) -> pd.DataFrame:
    """Return per organisation its hours of contact and flow-through starts, busiest first."""
    return views.organisation_figures(periods.parse(period), as_of, role, snapshot_id=snapshot_id)


@st.cache_data(show_spinner=False, max_entries=64)
def municipality_figures(
    indicator_id: str, period: str, as_of: date, role: str, snapshot_id: str, lang: str
) -> pd.DataFrame:
    """Return a count indicator for each of the 19 municipalities (hidden figures are NaN)."""
    return views.municipality_figures(
        indicator_id, periods.parse(period), as_of, role, lang, snapshot_id=snapshot_id
    )


@st.cache_data(show_spinner=False, max_entries=64)
def trajectory_funnel(period: str, as_of: date, role: str, snapshot_id: str) -> pd.DataFrame:
    """Return the newcomers registered in the period by how far they got (stage, n)."""
    return views.trajectory_funnel(periods.parse(period), as_of, role, snapshot_id=snapshot_id)


@st.cache_data(show_spinner=False, max_entries=64)
def flow_outcomes(period: str, as_of: date, role: str, snapshot_id: str) -> pd.DataFrame:
    """Return ended duos by outcome with the share that started any flow-through."""
    return views.flow_outcomes(periods.parse(period), as_of, role, snapshot_id=snapshot_id)


@st.cache_data(show_spinner=False, max_entries=64)
def flow_by_cohort(period: str, as_of: date, role: str, snapshot_id: str) -> pd.DataFrame:
    """Return the 6-month flow-through rates per match cohort, open cohorts marked."""
    return views.flow_by_cohort(periods.parse(period), as_of, role, snapshot_id=snapshot_id)


plan = plan_module.held


@st.cache_data(show_spinner=False, max_entries=64)
def plan_follow_up(
    period: str, as_of: date, role: str, snapshot_id: str, lang: str
) -> pd.DataFrame:
    """Return each indicator of the plan with its value, target and status."""
    return plan_module.follow_up(periods.parse(period), as_of, role, lang, snapshot_id=snapshot_id)


@cache
def question_templates() -> dict[str, answers.QuestionTemplate]:
    """Return the question library by template id."""
    return answers.library()


def split_question(text: str, lang: str) -> tuple[tuple[str, str | None, tuple[str, ...]], ...]:
    """Return each sub-question of a question as received with its proposed template and why."""
    return tuple((m.question, m.template_id, m.words) for m in answers.match_all(text, lang))


@st.cache_data(show_spinner=False, max_entries=32)
def council_draft(
    pairs: tuple[tuple[str, str], ...],
    period: str,
    as_of: date,
    snapshot_id: str,
    lang: str,
    header: tuple[str, ...],
) -> tuple[answers.Draft, dict]:
    """Return the drafted answer (figures as for viewers) and one chart per figure."""
    drafted = answers.draft(
        pairs, period, as_of, lang, answers.Header(*header), snapshot_id=snapshot_id
    )
    return drafted, export.charts(drafted)


def answer_markdown(drafted: answers.Draft) -> bytes:
    """Return the answer as Markdown (charts omitted, with a note)."""
    return export.to_markdown(drafted).encode("utf-8")


@st.cache_data(show_spinner=False, max_entries=8)
def council_images(inputs: tuple) -> dict[str, bytes]:
    """Return the charts of council_draft(*inputs) as PNG images (once per draft, not per edit)."""
    _, figures = council_draft(*inputs)
    return export.render_png(figures)


def answer_docx(drafted: answers.Draft, images: dict[str, bytes]) -> bytes:
    """Return the answer as .docx with its charts."""
    return export.to_docx(drafted, images)


ROLES = api.access.ROLES
PERSON_KEY = "person"
ROLE_KEY = "person_role"


def person() -> str:
    """Return the name of the person looking ('demo' in demo mode), for the audit log."""
    return st.session_state.get(PERSON_KEY, "demo")


def record(action: str, what: str, snapshot_id: str | None = None) -> None:
    """Append an event of the person looking to the audit log."""
    api.audit.append(api.warehouse_dir(), person(), action, what, snapshot=snapshot_id)


# --- uploads: the command line's load, fed with the files a steward drops --------------------

LoadResult = api.LoadResult
UPLOAD_TYPES = tuple(suffix.lstrip(".") for suffix in api.DATA_SUFFIXES)
MAX_NAME_BYTES = 200


class UploadError(api.UserError):
    """Uploaded files that cannot even be handed to the load (no files, an unusable name)."""


@dataclass(frozen=True)
class Upload:
    """What an upload did: the files' names, and the load's result or the sentence refusing it."""

    names: tuple[str, ...]
    result: LoadResult | None = None
    refusal: str | None = None  # the command line's sentence; nothing was published
    busy: bool = False  # another load held the warehouse's write lock

    @property
    def snapshot_id(self) -> str | None:
        """Return the snapshot the upload published, or None when it published none."""
        return self.result.snapshot_id if self.result is not None else None


def _safe_name(name: str) -> str:
    """Return an uploaded file's base name, fit to be written into a private folder."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    if not base or len(base.encode("utf-8")) > MAX_NAME_BYTES:
        raise UploadError(
            f"The file name '{name[:80]}' cannot be used (expected a name such as contacts.csv, "
            f"at most {MAX_NAME_BYTES} characters)."
        )
    return base


def _file_names(files: Sequence[tuple[str, bytes | memoryview]]) -> tuple[str, ...]:
    """Return the safe names of the uploaded files; raise UploadError when they cannot be used."""
    if not files:
        raise UploadError(
            f"No file was uploaded (expected {', '.join('.' + s for s in UPLOAD_TYPES)} files)."
        )
    names = tuple(_safe_name(name) for name, _ in files)
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UploadError(
            f"Two uploaded files are both called {twice[0]} (expected each name once; "
            "upload one of them at a time)."
        )
    return names


def upload(
    files: Sequence[tuple[str, bytes | memoryview]], progress: api.Progress | None = None
) -> Upload:
    """Return what loading uploaded files (name, content) into a new snapshot did.

    The load is the command line's own (`api.load`), run on copies of the files in a private
    temporary folder that is removed afterwards; a refusal is its one sentence, and nothing is
    published then. Every upload, refused or not, is recorded in the audit log.
    """
    api.access.require(_role(), "upload")
    given = ", ".join(name for name, _ in files)
    try:
        names = _file_names(files)
        with tempfile.TemporaryDirectory(prefix="connect-upload-") as folder:  # mode 0700
            paths = [Path(folder) / name for name in names]
            for path, (_, content) in zip(paths, files, strict=True):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(content)
            result = api.load(paths, progress)
    except api.UserError as exc:
        refused = Upload(
            tuple(name for name, _ in files),
            refusal=api.not_published(exc),
            busy=isinstance(exc, api.WarehouseBusy),
        )
        record("upload", f"refused: {refused.refusal} Files: {given}")
        return refused
    done = Upload(names, result)
    if done.snapshot_id is None:
        record("upload", f"nothing new (already loaded): {', '.join(names)}")
    else:
        counts = f"{result.rows_read:,} rows read, {result.quarantined:,} quarantined"
        # every cache is keyed by snapshot id and CURRENT is read on every run: the pages show
        # the new snapshot without clearing anything
        record("upload", f"{counts}: {', '.join(names)}", done.snapshot_id)
    return done


def users() -> pd.DataFrame:
    """Return the local accounts (name, role, created, locked until, last login); no hashes."""
    columns = [f.name for f in fields(api.accounts.User)]
    rows = [asdict(u) for u in api.accounts.list_users(datetime.now(UTC))]
    return pd.DataFrame(rows, columns=columns)


def _change() -> dict:
    """Return who changes an account (the person looking), where it is recorded, and when."""
    api.access.require(_role(), "manage_users")
    return {
        "by": person(),
        "record": api.audit.recorder(api.warehouse_dir()),
        "now": datetime.now(UTC),
    }


def add_user(name: str, role: str, password: str) -> None:
    """Create a local account (the admin page); recorded in the audit log."""
    api.accounts.add_user(name, role, password, **_change())


def set_role(name: str, role: str) -> None:
    """Give an account another role (the admin page); recorded in the audit log."""
    api.accounts.set_role(name, role, **_change())


def remove_user(name: str) -> None:
    """Remove an account (the admin page); recorded in the audit log."""
    api.accounts.remove_user(name, **_change())


def audit_events(since: date | None) -> list[dict]:
    """Return the audit log's events since a day (all without one), oldest first."""
    api.access.require(_role(), "read_audit")
    return api.audit.read(api.warehouse_dir(), since)


def _role() -> str:
    return st.session_state.get(ROLE_KEY, "viewer")
