"""The Upload page: stewards load exports through the command line's own load, with the same
accounting, the same refusal sentence, the write lock's wait, and an audit line per upload."""

from __future__ import annotations

import copy
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboard import data
from dashboard.cli import APP_FILE
from dashboard.cli import app as cli_app
from dashboard.i18n import t
from indicators import formatting
from pipelines import accounts, api, audit, settings, warehouse
from pipelines.generate import GenerationReport, generate
from tests.conftest import HAND_BUILT, TEST_KEY, load_export, write_csv

runner = CliRunner()
ACCOUNTING = ("read", "inserted", "updated", "unchanged", "quarantined", "duplicates")


@pytest.fixture
def steward(monkeypatch: pytest.MonkeyPatch) -> str:
    """Make the person looking a steward called anna (what the frame does after login)."""
    monkeypatch.setenv("CONNECT_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.setitem(st.session_state, data.PERSON_KEY, "anna")
    monkeypatch.setitem(st.session_state, data.ROLE_KEY, "steward")
    return "anna"


@pytest.fixture
def demo_copy(tmp_path: Path, demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a private copy of the demo warehouse, configured as the dashboard's warehouse."""
    wh = tmp_path / "warehouse"
    shutil.copytree(demo_warehouse, wh)
    monkeypatch.setenv(settings.WAREHOUSE_ENV, str(wh))
    return wh


@pytest.fixture(scope="module")
def dirty_export(tmp_path_factory: pytest.TempPathFactory) -> GenerationReport:
    """Return the report of a messy generated CSV export (scale S, seed 11)."""
    return generate(tmp_path_factory.mktemp("export") / "raw", scale="S", seed=11, dirty=True)


def _cli_accounting(output: str) -> dict[str, dict[str, int]]:
    """Return the accounting table `connect-impact load` printed, per table."""
    rows = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().strip("│").split("│")]
        if len(cells) == 7 and cells[1].replace(",", "").isdigit():
            rows[cells[0]] = {
                k: int(v.replace(",", "")) for k, v in zip(ACCOUNTING, cells[1:], strict=True)
            }
    return rows


def _accounting(at: AppTest, lang: str):
    """Return the page's accounting table (AppTest finds a dataframe by position, not key)."""
    header = [t(f"data_quality_col_{k}", lang) for k in ("table", *ACCOUNTING)]
    [frame] = [d.value for d in at.dataframe if list(d.value.columns) == header]
    return frame.set_index(header[0])


def _snapshots(wh: Path) -> tuple[str | None, list[str]]:
    """Return the current snapshot id and every file in the snapshots folder."""
    current = warehouse.current(wh)
    return (current.id if current else None, sorted(p.name for p in (wh / "snapshots").iterdir()))


def test_an_upload_accounts_as_the_command_line_does(dirty_export, tmp_path, steward, monkeypatch):
    files = [p for p in dirty_export.files if p.suffix == ".csv"]
    assert len(files) == 9
    res = runner.invoke(cli_app, ["load", *map(str, files), "--warehouse", str(tmp_path / "cli")])
    assert res.exit_code == 0, res.output
    by_cli = _cli_accounting(res.output)

    wh = tmp_path / "dashboard"
    monkeypatch.setenv(settings.WAREHOUSE_ENV, str(wh))
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(uploads))
    seen = {}
    real_load = api.load

    def spy(paths, progress=None):
        seen["folder_mode"] = stat.S_IMODE(paths[0].parent.stat().st_mode)
        seen["file_modes"] = {stat.S_IMODE(p.stat().st_mode) for p in paths}
        seen["names"] = [p.name for p in paths]
        return real_load(paths, progress)

    monkeypatch.setattr(api, "load", spy)
    steps = []
    outcome = data.upload(
        [(p.name, p.read_bytes()) for p in files], progress=lambda *step: steps.append(step)
    )

    assert outcome.refusal is None and not outcome.busy
    result = outcome.result
    shown = result.accounting()
    assert list(shown.columns) == ["table", *ACCOUNTING]
    assert {row.table: {k: getattr(row, k) for k in ACCOUNTING} for row in shown.itertuples()} == (
        by_cli
    )
    # worked out from the generator's own report: every row it wrote was read, every bad row
    # it injected was quarantined, except exact copies, which are skipped as duplicates
    assert {table: counts["read"] for table, counts in by_cli.items()} == dirty_export.rows
    bad = dirty_export.bad_rows
    assert {table: counts["quarantined"] for table, counts in by_cli.items()} == {
        table: sum(n for kind, n in bad.get(table, {}).items() if kind != "exact_duplicate")
        for table in by_cli
    }
    assert {table: counts["duplicates"] for table, counts in by_cli.items()} == {
        table: bad.get(table, {}).get("exact_duplicate", 0) for table in by_cli
    }
    flat = " ".join(res.output.split())
    assert result.warnings and all(" ".join(w.split()) in flat for w in result.warnings)
    # published and current; the files went through a private folder that is gone now
    assert warehouse.current(wh).id == outcome.snapshot_id == result.snapshot_id
    assert not api.is_synthetic(outcome.snapshot_id)  # uploads are real data
    assert seen == {
        "folder_mode": 0o700,
        "file_modes": {0o600},
        "names": [p.name for p in files],
    }
    assert list(uploads.iterdir()) == []
    # the bar moved step by step to the publication: read each file, check its table, build
    # the marts, publish
    rows = [s for s in steps if s[0].endswith(": rows")]  # rows checked, batch by batch
    steps = [s for s in steps if not s[0].endswith(": rows")]
    assert len(steps) == 2 * len(files) + 2
    assert [done for _, done, _ in steps] == list(range(len(steps)))
    assert steps[-1] == ("publishing snapshot", len(steps) - 1, len(steps))
    # each table's last row update says all its rows were checked
    last = {message: (done, total) for message, done, total in rows}
    assert len(last) == len(files) and all(done == total for done, total in last.values())
    read, quarantined = sum(dirty_export.rows.values()), result.quarantined
    last = audit.read(wh)[-1]
    del last["at"]
    assert last == {
        "who": "anna",
        "action": "upload",
        "what": (
            f"{read:,} rows read, {quarantined:,} quarantined: " + ", ".join(p.name for p in files)
        )[: audit.MAX_WHAT],
        "snapshot": outcome.snapshot_id,
    }


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("koppelingen.xlsx", b"not a workbook at all"),
        ("contacten.csv", b"\x00\x01\x02binary\x00 garbage"),
    ],
)
def test_an_unreadable_file_gets_the_command_line_s_sentence_and_publishes_nothing(
    demo_copy, steward, tmp_path, name, content
):
    (tmp_path / "cli").mkdir()
    (tmp_path / "cli" / name).write_bytes(content)
    res = runner.invoke(cli_app, ["load", str(tmp_path / "cli"), "--warehouse", str(demo_copy)])
    assert res.exit_code == 2
    before = _snapshots(demo_copy)
    good = write_csv(tmp_path / "good" / "participants.csv", HAND_BUILT["participants"])

    outcome = data.upload([(good.name, good.read_bytes()), (name, content)])

    assert outcome.result is None and not outcome.busy
    assert outcome.refusal.startswith(f"{name}: ") and outcome.refusal.endswith(
        " Nothing was published."
    )
    assert res.output.strip() == f"Error: {outcome.refusal}"
    assert _snapshots(demo_copy) == before
    last = audit.read(demo_copy)[-1]
    assert (last["who"], last["action"], last["snapshot"]) == ("anna", "upload", None)
    assert last["what"] == f"refused: {outcome.refusal} Files: participants.csv, {name}"[:200]


def test_while_another_load_writes_the_upload_is_told_to_wait(demo_copy, steward, hand_built):
    before = _snapshots(demo_copy)
    files = [(p.name, p.read_bytes()) for p in sorted(hand_built.iterdir())]
    with warehouse.write_lock(demo_copy):
        outcome = data.upload(files)
    assert outcome.busy and outcome.result is None
    assert outcome.refusal == (
        f"Another load is writing to {demo_copy}; wait for it to finish and try again. "
        "Nothing was published."
    )
    assert _snapshots(demo_copy) == before
    assert audit.read(demo_copy)[-1]["what"].startswith("refused: Another load is writing")


def test_names_are_reduced_to_their_base_name_and_must_differ(demo_copy, steward, monkeypatch):
    seen = []
    nothing_new = api.LoadResult("", None, [], ["contacts.csv", "participants.csv"], [], False)
    monkeypatch.setattr(api, "load", lambda paths, progress=None: seen.append(paths) or nothing_new)
    rows = b"x\n1\n"
    outcome = data.upload([("C:\\exports\\contacts.csv", rows), ("../../participants.csv", rows)])
    assert outcome.names == ("contacts.csv", "participants.csv") and outcome.snapshot_id is None
    assert [p.name for p in seen[0]] == ["contacts.csv", "participants.csv"]
    assert seen[0][0].parent.name.startswith("connect-upload-")
    assert not seen[0][0].parent.exists()
    assert audit.read(demo_copy)[-1]["what"] == (
        "nothing new (already loaded): contacts.csv, participants.csv"
    )

    twice = data.upload([("a/contacts.csv", rows), ("b/contacts.csv", rows)])
    assert twice.refusal == (
        "Two uploaded files are both called contacts.csv (expected each name once; upload one "
        "of them at a time). Nothing was published."
    )
    nothing = data.upload([])
    assert nothing.refusal.startswith("No file was uploaded")
    assert len(seen) == 1


def test_only_stewards_and_admins_may_upload(demo_copy, steward, monkeypatch):
    monkeypatch.setitem(st.session_state, data.ROLE_KEY, "analyst")
    with pytest.raises(api.access.AccessDenied):
        data.upload([("contacts.csv", b"x\n1\n")])
    assert all(e["action"] != "upload" for e in audit.read(demo_copy))


# --- the page, driven by AppTest (Streamlit 1.67 sets a file_uploader's files: set_value) ---


def _hand_built_files() -> list[tuple[str, bytes, str]]:
    """Return the hand-built export as uploaded files (name, content, type)."""
    out = []
    for table, rows in HAND_BUILT.items():
        text = "\n".join(",".join(row) for row in rows) + "\n"
        out.append((f"{table}.csv", text.encode("utf-8"), "text/csv"))
    return out


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_page_offers_the_uploader_to_a_steward(open_page, lang):
    at = open_page("upload", lang=lang, role="steward")
    assert at.title[0].value == t("page_upload", lang)
    uploader = at.file_uploader(key="upload_files")
    assert uploader.label == t("upload_files", lang)
    assert uploader.accept_multiple_files
    assert sorted(uploader.allowed_type) == [".csv", ".txt", ".xlsm", ".xlsx"]
    button = at.button(key="upload_go")
    assert button.label == t("upload_go", lang) and button.disabled  # nothing dropped yet


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_first_upload_on_an_empty_warehouse_ends_demo_mode(
    open_page, tmp_path, monkeypatch, lang
):
    monkeypatch.setenv("CONNECT_PSEUDONYM_KEY", TEST_KEY)
    wh = tmp_path / "warehouse"
    at = open_page("upload", lang=lang, role="steward")
    monkeypatch.setenv(settings.WAREHOUSE_ENV, str(wh))  # empty: loading is how it fills
    at.run()
    assert at.title[0].value == t("page_upload", lang) and not at.error
    at.file_uploader(key="upload_files").set_value(_hand_built_files())
    at.run()
    at.button(key="upload_go").click().run()
    assert not at.exception, at.exception

    snapshot = warehouse.current(wh).id
    count = {table: len(rows) - 1 for table, rows in HAND_BUILT.items()}
    [success, *_] = at.success
    assert success.value == t(
        "upload_published",
        lang,
        snapshot=snapshot,
        read=formatting.number(sum(count.values()), lang, 0),
        files="9",
    )
    col = {k: t(f"data_quality_col_{k}", lang) for k in ACCOUNTING}
    shown = _accounting(at, lang)
    assert shown[col["read"]].to_dict() == {k: str(n) for k, n in count.items()}
    assert shown[col["inserted"]].to_dict() == {k: str(n) for k, n in count.items()}
    assert set(shown[col["quarantined"]]) == {"0"}
    assert t("upload_note", lang) in [c.value for c in at.caption]
    assert [w.value for w in at.main.warning] == [t("upload_demo_ended", lang)]
    assert audit.read(wh)[-1]["who"] == "demo"
    # real data now: the next run asks for a login
    at.run()
    assert [title.value for title in at.title] == [t("login_title", lang)]


@pytest.fixture
def logged_in_steward(tmp_path, secrets_dir, monkeypatch) -> tuple[Path, AppTest]:
    """Return a warehouse of real data and the app as the steward stijn, logged in."""
    wh = load_export(tmp_path, HAND_BUILT, TEST_KEY)
    monkeypatch.setenv("CONNECT_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.setenv(settings.WAREHOUSE_ENV, str(wh))
    monkeypatch.delenv("CONNECT_ROLE", raising=False)
    now = datetime.now(UTC)
    accounts.add_user(
        "stijn",
        "steward",
        "a-long-enough-password",
        by="test",
        record=audit.recorder(wh),
        now=now,
    )
    at = AppTest.from_file(str(APP_FILE), default_timeout=60)
    at.query_params["lang"] = "nl"
    at.session_state["session_token"] = accounts.issue_session("stijn", now)
    at.run()
    at.switch_page("screens/upload.py").run()
    assert at.title[0].value == t("page_upload", "nl"), [e.value for e in at.error]
    return wh, at


def test_a_steward_s_upload_is_shown_with_the_new_snapshot_everywhere(logged_in_steward):
    wh, at = logged_in_steward
    first = warehouse.current(wh).id
    # one new participant and one bad contact: 4 read, 1 inserted, 3 unchanged; 1 quarantined
    participants = copy.deepcopy(HAND_BUILT["participants"])
    participants.append(["D4", "2021-08-01", "", "2000", "F", "UA", "21001", "A0", "true", ""])
    contacts = [*HAND_BUILT["contacts"], ["C7", "K9", "2021-07-05", "2", "conversation", ""]]
    at.file_uploader(key="upload_files").set_value(
        [
            (f"{name}.csv", ("\n".join(",".join(r) for r in rows) + "\n").encode(), "text/csv")
            for name, rows in (("participants", participants), ("contacts", contacts))
        ]
    )
    at.run()
    at.button(key="upload_go").click().run()
    assert not at.exception, at.exception

    snapshot = warehouse.current(wh).id
    assert snapshot != first
    # the page ran again: the sidebar shows the new snapshot, the result stayed on the page
    assert any(snapshot in c.value for c in at.sidebar.caption)
    shown = _accounting(at, "nl")
    assert shown.loc["participants"].tolist() == ["4", "1", "0", "3", "0", "0"]
    assert shown.loc["contacts"].tolist() == ["7", "0", "0", "6", "1", "0"]
    assert t("upload_quarantined", "nl", n="1") in [w.value for w in at.warning]
    assert at.get("page_link")[0].proto.page.endswith("data_quality")
    last = audit.read(wh)[-1]
    assert (last["who"], last["action"], last["snapshot"]) == ("stijn", "upload", snapshot)
    assert last["what"] == "11 rows read, 1 quarantined: participants.csv, contacts.csv"
    # the same files again: nothing new, both skipped
    at.button(key="upload_go").click().run()
    assert [i.value for i in at.info] == [
        t("upload_skipped", "nl", name="participants.csv"),
        t("upload_skipped", "nl", name="contacts.csv"),
        t("upload_nothing_new", "nl"),
    ]
    assert warehouse.current(wh).id == snapshot


def test_the_english_note_is_the_command_line_s_sentence():
    assert t("upload_note", "en") == api.ACCOUNTING_NOTE
