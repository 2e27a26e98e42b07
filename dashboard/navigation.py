"""The dashboard's pages in menu order: (script in screens/, i18n key of the title).

The page scripts live in screens/, not pages/: Streamlit treats a pages/ folder beside the
main script as an old-style app of its own, and a first visit to a page's address then shows
that page without the router (its file-name menu, no wide layout).
"""

PAGES: tuple[tuple[str, str], ...] = (
    ("overview", "page_overview"),
    ("plan", "page_plan"),
    ("council", "page_council"),
    ("trajectory", "page_trajectory"),
    ("flow", "page_flow"),
    ("organisations", "page_organisations"),
    ("money", "page_money"),
    ("outcomes", "page_outcomes"),
    ("explorer", "page_explorer"),
    ("data_quality", "page_data_quality"),
    ("methodology", "page_methodology"),
)
