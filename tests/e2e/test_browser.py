"""Every dashboard page in a real Chromium, served by `connect-impact serve` on the demo data.

Screenshots go to tests/artefacts/screenshots/<page>_<lang>.png, the axe-core WCAG 2.1 AA scan
of each to tests/artefacts/axe/<page>_<lang>.json, and the measured render and filter-change
times to tests/artefacts/browser_timings.json (measured, never asserted).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from dashboard.navigation import PAGES as PAGE_RIGHTS
from tests.e2e.kit import (
    ROOT,
    TIMEOUT_MS,
    VIEWPORT,
    axe_scan,
    blocking,
    serving,
    title,
    wait_idle,
)

# the server runs as admin (demo mode), who may use every page; per-role menus are AppTested
PAGES = tuple((name, title_key) for name, title_key, _ in PAGE_RIGHTS)
I18N = ROOT / "dashboard" / "i18n"
ARTEFACTS = ROOT / "tests" / "artefacts"
SCREENSHOTS = ARTEFACTS / "screenshots"
AXE_RESULTS = ARTEFACTS / "axe"
TIMINGS = ARTEFACTS / "browser_timings.json"
LANGS = ("nl", "fr", "en")
NEW_PERIOD = "2021-Q3"
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"], .stException'
# no page opens a dialog by itself; Streamlit reports app errors such as "Page not found" in one
DIALOG = '[role="dialog"]'

timings: dict[str, object] = {}


def _titles(lang: str) -> dict[str, str]:
    """Return the page titles of a language, read from its i18n file."""
    return yaml.safe_load((I18N / lang / "common.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def server(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Return the URL of `connect-impact serve` running on the demo warehouse, as admin."""
    log_path = tmp_path_factory.mktemp("serve") / "serve.log"
    with serving(demo_warehouse, log_path, {"CONNECT_ROLE": "admin"}) as url:
        yield url


@pytest.fixture(scope="module", autouse=True)
def write_timings() -> Iterator[None]:
    """Write whatever timings the tests measured once the module is done."""
    yield
    if timings:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        record = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), **timings}
        TIMINGS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def check_rendered(page: Page) -> int:
    """Assert that no error box is shown and every plotly chart holds data; return the count."""
    errors = page.locator(ERRORS)
    assert errors.count() == 0, f"error on {page.url}: {errors.all_inner_texts()}"
    dialogs = page.locator(DIALOG)
    assert dialogs.count() == 0, f"dialog on {page.url}: {dialogs.all_inner_texts()}"
    charts = page.locator('[data-testid="stPlotlyChart"]').count()
    assert page.locator(".js-plotly-plot .main-svg").count() >= charts
    traces = page.locator(".js-plotly-plot").evaluate_all(
        "plots => plots.map(p => (p.data || []).length)"
    )
    assert len(traces) == charts and all(n > 0 for n in traces), (page.url, traces)
    return charts


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page (Streamlit scrolls inside its main area, so grow the viewport).

    Viewers never see Streamlit's "Deploy" button, so no screenshot may show it.
    """
    assert page.locator('[data-testid="stAppDeployButton"]').count() == 0
    assert page.get_by_text("Deploy", exact=True).count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate(
        """() => Math.max(...['stMain', 'stSidebarContent'].map(id => {
             const el = document.querySelector(`[data-testid="${id}"]`);
             return el ? el.scrollHeight : 0;
           }))"""
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], height)})
    wait_idle(page)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)
    return path


def path(name: str) -> str:
    """Return a page's URL path: the first page is the default, which Streamlit serves at /."""
    return "" if name == PAGES[0][0] else name


def open_page(page: Page, base: str, name: str, lang: str) -> float:
    """Open a page in a language, wait until it is idle; return the seconds it took."""
    started = time.perf_counter()
    page.goto(f"{base}/{path(name)}?lang={lang}", wait_until="domcontentloaded")
    return wait_idle(page) - started


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name,title_key", PAGES, ids=[name for name, _ in PAGES])
def test_every_page_renders(page, server, name, title_key, lang):
    seconds = open_page(page, server, name, lang)
    timings.setdefault("page_render_s", {})[f"{name}_{lang}"] = round(seconds, 3)
    if name == "overview" and lang == "nl":
        timings["overview_initial_render_s"] = round(seconds, 3)
    assert title(page) == _titles(lang)[title_key]
    check_rendered(page)
    assert page.evaluate("document.documentElement.lang") == lang
    results = axe_scan(page)
    AXE_RESULTS.mkdir(parents=True, exist_ok=True)
    record = {"page": name, "lang": lang, "url": page.url, **results}
    (AXE_RESULTS / f"{name}_{lang}.json").write_text(
        json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    assert screenshot(page, f"{name}_{lang}").stat().st_size > 10_000
    assert blocking(results) == []


def test_viewers_get_no_developer_toolbar(page, server):
    """serve passes .streamlit/config.toml: toolbar for viewers, no Deploy, no developer menu."""
    open_page(page, server, PAGES[0][0], "nl")
    assert page.locator('[data-testid="stAppDeployButton"]').count() == 0
    page.locator('[data-testid="stMainMenu"]').click()
    menu = page.locator('[data-testid="stMainMenuList"]')
    expect(menu).to_be_visible()
    items = " ".join(menu.all_inner_texts())
    assert "Clear cache" not in items and "Rerun" not in items and "Deploy" not in items


def test_the_menu_lists_every_page_in_order(page, server):
    open_page(page, server, PAGES[-1][0], "nl")
    menu = page.locator('[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]')
    assert menu.all_inner_texts() == [_titles("nl")[key] for _, key in PAGES]
    menu.first.click()
    expect(page.locator('[data-testid="stMain"] h1').first).to_have_text(
        _titles("nl")[PAGES[0][1]], timeout=TIMEOUT_MS
    )
    wait_idle(page)
    check_rendered(page)


def test_switching_to_english_translates_the_page(page, server):
    first, title_key = PAGES[0]
    open_page(page, server, first, "nl")
    assert title(page) == _titles("nl")[title_key]
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stRadioOption"]', has_text="English").click()
    expect(page.locator('[data-testid="stMain"] h1').first).to_have_text(
        _titles("en")[title_key], timeout=TIMEOUT_MS
    )
    wait_idle(page)
    expect(sidebar.get_by_text(_titles("en")["period"], exact=True)).to_be_visible()
    menu = page.locator('[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]')
    assert menu.all_inner_texts() == [_titles("en")[key] for _, key in PAGES]
    assert "lang=en" in page.url
    check_rendered(page)


def test_another_period_changes_the_first_kpi(page, server, demo_warehouse):
    from indicators import engine, formatting

    timings["overview_warm_render_s"] = round(open_page(page, server, "overview", "nl"), 3)
    value = page.locator('[data-testid="stMetricValue"]').first
    before = value.inner_text().strip()
    period = page.locator('[data-testid="stSidebar"]').get_by_role(
        "combobox", name=_titles("nl")["period"]
    )
    period.click()
    option = page.get_by_role("option", name=NEW_PERIOD, exact=True)
    started = time.perf_counter()
    option.click()
    expect(value).not_to_have_text(before, timeout=TIMEOUT_MS)
    changed = time.perf_counter() - started
    idle = wait_idle(page) - started
    timings["filter_change_s"] = round(changed, 3)
    timings["filter_change_until_idle_s"] = round(idle, 3)

    expected = engine.compute(
        ["duos_formed"], NEW_PERIOD, role="admin", warehouse_dir=demo_warehouse
    )
    row = expected[expected["breakdown"].isna()].iloc[0]
    after = value.inner_text().strip()
    assert after == formatting.value(row["value"], "count", "nl", bool(row["suppressed"]))
    assert f"period={NEW_PERIOD}" in page.url
    check_rendered(page)


def test_moving_through_the_menu_renders_every_page(page, server):
    """A person moves between pages in one tab: the app's code is loaded once, as in real use."""
    open_page(page, server, PAGES[0][0], "nl")
    menu = page.locator('[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]')
    for index, (name, title_key) in enumerate(PAGES):
        started = time.perf_counter()
        menu.nth(index).click()
        expect(page.locator('[data-testid="stMain"] h1').first).to_have_text(
            _titles("nl")[title_key], timeout=TIMEOUT_MS
        )
        seconds = wait_idle(page) - started
        timings.setdefault("menu_render_s", {})[name] = round(seconds, 3)
        check_rendered(page)


def test_plan_page_follows_up_the_plan(page, server):
    from indicators import plan as plan_module

    open_page(page, server, "plan", "nl")
    plan = plan_module.load()
    main = page.locator('[data-testid="stMain"]')
    for number, priority in enumerate(plan.priorities, start=1):
        expect(main.get_by_text(f"{number}. {priority.title.nl}", exact=True)).to_be_visible()
    assert page.locator('[data-testid="stDataFrame"]').count() == sum(
        len(p.actions) for p in plan.priorities
    )
    check_rendered(page)


def test_council_question_pasted_matched_drafted_edited_and_exported(page, server, tmp_path):
    import io

    import docx

    from tests.indicators.test_answers import AS_RECEIVED

    open_page(page, server, "council", "nl")
    strings = yaml.safe_load((I18N / "nl" / "council.yaml").read_text(encoding="utf-8"))
    question = page.locator('[data-testid="stTextArea"] textarea').first
    question.fill(AS_RECEIVED)
    question.press("Control+Enter")
    wait_idle(page)
    chosen = page.locator('[data-testid="stSelectbox"]').filter(
        has_text=strings["council_template"]
    )
    expect(chosen).to_have_count(4)
    shown = chosen.nth(3).evaluate(
        "el => el.innerText + ' ' + [...el.querySelectorAll('input')].map(i => i.value).join(' ')"
    )
    assert "Financiering en eigen middelen" in shown
    page.get_by_role("button", name=strings["council_draft"]).click()
    expect(page.get_by_text(strings["council_answer"], exact=True)).to_be_visible(
        timeout=TIMEOUT_MS
    )
    wait_idle(page)
    check_rendered(page)
    edits = page.locator('[data-testid="stTextArea"] textarea')
    expect(edits).to_have_count(5)  # the question and one answer per sub-question
    edited = "Ja. De VGC investeert eigen middelen in CoNnect Brussel."
    edits.nth(4).fill(edited)
    edits.nth(4).press("Control+Enter")
    wait_idle(page)
    with page.expect_download(timeout=TIMEOUT_MS) as markdown:
        page.get_by_role("button", name=strings["council_download_md"]).click()
    text = Path(markdown.value.path()).read_text(encoding="utf-8")
    assert text.count("\n## Vraag ") == 4 and edited in text
    with page.expect_download(timeout=TIMEOUT_MS) as word:
        page.get_by_role("button", name=strings["council_download_docx"]).click()
    document = docx.Document(io.BytesIO(Path(word.value.path()).read_bytes()))
    paragraphs = [p.text for p in document.paragraphs]
    assert edited in paragraphs and "Bronnen" in paragraphs
    assert len(document.inline_shapes) > 0  # the charts, rendered on the server by kaleido
    screenshot(page, "council_drafted_nl")


def test_the_overview_counts_the_40_hours_per_newcomer_with_target_and_status(
    page, server, demo_warehouse
):
    from indicators import catalogue, engine, formatting

    open_page(page, server, "overview", "nl")
    label = catalogue.load().get("newcomers_40h_share").label.nl
    tile = page.locator('[data-testid="stMetric"]').filter(has_text=label)
    expect(tile).to_have_count(1)
    frame = engine.compute(
        ["newcomers_40h_share"], "programme", role="admin", warehouse_dir=demo_warehouse
    )
    row = frame.iloc[0]
    shown = tile.locator('[data-testid="stMetricValue"]').inner_text().strip()
    assert shown == formatting.value(row["value"], "percent", "nl", bool(row["suppressed"]))
    column = page.locator('[data-testid="stColumn"]').filter(has=tile)
    strings = _titles("nl")
    expect(column).to_contain_text(f"{strings['target']}: {formatting.value(0.5, 'percent', 'nl')}")
    expect(column).to_contain_text(strings[f"status_{row['status']}"])


def _strings(lang: str, *files: str) -> dict[str, str]:
    """Return the strings of a language's i18n files (common first)."""
    out: dict[str, str] = {}
    for name in ("common", *files):
        out |= yaml.safe_load((I18N / lang / f"{name}.yaml").read_text(encoding="utf-8"))
    return out


# What has focus after a Tab, and how it and its near ancestors look (outline, ring,
# background, border); each focused element is kept, to be looked at again without focus.
LOOK = """el => {
  const parts = [];
  for (let n = el, i = 0; n && n !== document.body && i < 8; n = n.parentElement, i++) {
    const s = getComputedStyle(n);
    parts.push([s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow,
                s.backgroundColor, s.borderColor].join('|'));
  }
  return parts.join(';');
}"""
FOCUS_PROBE = f"""() => {{
  const el = document.activeElement;
  (window.__focused = window.__focused || []).push(el);
  const owner = el.closest('[data-testid^="st"]');
  const labelled = el.closest('[data-testid="stExpander"], [data-testid="stSidebarNavLink"]');
  return {{
    name: el.tagName === 'MAIN' ? 'main'
      : el.getAttribute('aria-label') || (labelled || el).innerText.trim().split('\\n').pop(),
    testid: owner ? owner.dataset.testid : null,
    sidebar: !!el.closest('[data-testid="stSidebar"]'),
    focus_visible: el.matches(':focus-visible'),
    focused_look: ({LOOK})(el),
  }};
}}"""
UNFOCUSED_LOOKS = f"""() => {{
  document.activeElement.blur();
  return window.__focused.map({LOOK});
}}"""


def test_the_sidebar_and_the_explorer_work_with_the_keyboard_alone(page, server):
    """Tab reaches the menu, the sidebar's controls and the explorer's, each visibly focused;
    the language and the filters can be changed without a mouse."""
    nl, fr = _strings("nl", "explorer"), _strings("fr", "explorer")
    open_page(page, server, "explorer", "nl")
    stops: list[dict] = []
    # the table's cells take a Tab each (of its first rows) before focus leaves it
    while len(stops) < 80 and (not stops or stops[-1]["name"] != nl["download_excel"]):
        page.keyboard.press("Tab")
        page.wait_for_timeout(250)  # let focus transitions finish before reading the look
        stops.append(page.evaluate(FOCUS_PROBE))
    page.wait_for_timeout(250)
    for stop, look in zip(stops, page.evaluate(UNFOCUSED_LOOKS), strict=True):
        stop["unfocused_look"] = look

    menu = [_titles("nl")[key] for _, key in PAGES]
    links = [s["name"] for s in stops if s["testid"] == "stSidebarNavLink"]
    assert links == menu  # every page, in the menu's order
    sidebar = {s["name"] for s in stops if s["sidebar"]}
    assert {nl["period"], nl["as_of"]} <= {n.split(", ")[-1] for n in sidebar}
    assert any(s["testid"] == "stRadioOption" and s["sidebar"] for s in stops)  # the language
    main = [s for s in stops if not s["sidebar"]]
    names = [s["name"] for s in main]
    wanted = [
        nl["explorer_indicators"],
        nl["explorer_breakdown"],
        nl["explorer_filters"],
        nl["download_data"],
        nl["download_excel"],
    ]
    assert all(name in names for name in wanted), [s["name"] for s in main]
    assert [n for n in names if n in wanted] == wanted  # in reading order
    for stop in stops:
        if stop["testid"] in ("stSidebarNavLink", "stSelectbox", "stExpander", "stRadioOption") or (
            stop["name"] in wanted
        ):
            assert stop["focus_visible"], stop
            assert stop["focused_look"] != stop["unfocused_look"], stop  # focus can be seen

    # operate: open the filters with Enter, then choose French with the arrow keys
    filters = page.locator('[data-testid="stExpander"] summary', has_text=nl["explorer_filters"])
    filters.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text(nl["explorer_filter_hint"])).to_be_visible()
    sidebar_radio = page.locator('[data-testid="stSidebar"] [data-testid="stRadioOption"] input')
    sidebar_radio.first.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator('[data-testid="stMain"] h1').first).to_have_text(
        fr["page_explorer"], timeout=TIMEOUT_MS
    )
    wait_idle(page)
    assert "lang=fr" in page.url
    check_rendered(page)


RESOURCES = """() => performance.getEntriesByType('resource').map(r => ({
  name: r.name, transfer: r.transferSize, body: r.decodedBodySize, end: r.responseEnd,
}))"""


def _first_open(context, base: str) -> dict[str, object]:
    """Open the overview in a new tab of a browser context; return where the time went."""
    tab = context.new_page()
    marks: dict[str, float] = {}
    started = time.perf_counter()

    def since() -> float:
        return round(time.perf_counter() - started, 3)

    def on_socket(socket) -> None:
        marks.setdefault("websocket_open_s", since())
        socket.on("framereceived", lambda _: marks.setdefault("first_message_s", since()))

    tab.on("websocket", on_socket)
    tab.goto(f"{base}/?lang=nl", wait_until="commit")
    marks["html_s"] = since()
    tab.wait_for_load_state("load")
    marks["page_loaded_s"] = since()
    tab.locator('[data-testid="stMain"] h1').first.wait_for()
    marks["title_s"] = since()
    tab.locator('[data-testid="stMetricValue"]').first.wait_for()
    marks["first_figure_s"] = since()
    marks["idle_s"] = round(wait_idle(tab) - started, 3)
    static = [r for r in tab.evaluate(RESOURCES) if "/static/" in r["name"]]
    tab.close()
    return {
        **marks,
        "static_files": len(static),
        "static_mb": round(sum(r["body"] for r in static) / 1e6, 2),
        "static_transferred_mb": round(sum(r["transfer"] for r in static) / 1e6, 2),
        "static_done_s": round(max((r["end"] for r in static), default=0) / 1000, 3),
    }


def test_opening_the_dashboard_in_a_new_tab_is_measured(browser, server):
    """Where the time goes when someone opens the dashboard: measured, never asserted.

    First the server's first visitor (nothing computed yet) with an empty browser cache, then a
    new visitor (figures cached on the server, empty browser cache), then a new tab of that
    same browser (its cache holds the app's code).
    """
    context = browser.new_context(viewport=VIEWPORT, locale="nl-BE")
    context.set_default_timeout(TIMEOUT_MS)
    first = _first_open(context, server)
    context.close()
    context = browser.new_context(viewport=VIEWPORT, locale="nl-BE")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        second = _first_open(context, server)
        again = _first_open(context, server)
    finally:
        context.close()
    timings["new_tab"] = {"first_visitor": first, "new_visitor": second, "new_tab": again}
    for opened in (first, second, again):
        assert opened["title_s"] <= opened["first_figure_s"] <= opened["idle_s"]
    assert again["static_transferred_mb"] < second["static_transferred_mb"]  # code from cache


def test_a_french_page_shows_french_labels_numbers_and_municipality_names(
    page, server, demo_warehouse
):
    """Worked out without the product's formatting: Belgian French groups thousands with a
    narrow no-break space and keeps € with its number by a no-break space."""
    import csv

    from indicators import engine

    open_page(page, server, "money", "fr")
    # the server runs as admin: exact figures
    funding = engine.compute(
        ["funding_total"], "programme", role="admin", warehouse_dir=demo_warehouse
    )
    amount = funding[funding["breakdown"].isna()].iloc[0]["value"]
    assert amount >= 1000  # so that the thousands separator shows
    tile = page.locator('[data-testid="stMetric"]').filter(has_text="Financement total")
    expected = f"{amount:,.0f}".replace(",", "\u202f") + "\u00a0€"
    assert tile.locator('[data-testid="stMetricValue"]').inner_text().strip() == expected

    open_page(page, server, "organisations", "fr")
    by_place = engine.compute(
        ["registrations"],
        "programme",
        breakdown="municipality",
        role="admin",
        warehouse_dir=demo_warehouse,
    )
    with (ROOT / "data" / "reference" / "brussels_municipalities.csv").open(encoding="utf-8") as f:
        french = {row["nis_code"]: row["name_fr"] for row in csv.DictReader(f)}
    places = by_place[by_place["breakdown_value"].isin(french)].dropna(subset=["value"])
    top = places.sort_values("value", ascending=False, kind="stable").iloc[0]
    assert french[top["breakdown_value"]] != "Brussel"  # a French name, not the Dutch one
    title = page.locator(".js-plotly-plot").last.evaluate("plot => plot.layout.title.text")
    assert f"Le plus à {french[top['breakdown_value']]}\u00a0: " in title  # (inside <b> tags)
    expect(page.get_by_text(_titles("fr")["period"], exact=True)).to_be_visible()
