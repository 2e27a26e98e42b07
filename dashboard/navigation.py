"""The dashboard's pages in menu order: (script in screens/, i18n key of the title, capability).

A page is shown to a role that has its capability (pipelines/access.py, deny by default); the
frame (app.py) hides the others from the menu and refuses them when reached by their address.
The page scripts live in screens/, not pages/: Streamlit treats a pages/ folder beside the
main script as an old-style app of its own, and a first visit to a page's address then shows
that page without the router (its file-name menu, no wide layout).
"""

PAGES: tuple[tuple[str, str, str], ...] = (
    ("overview", "page_overview", "aggregate_pages"),
    ("plan", "page_plan", "aggregate_pages"),
    ("council", "page_council", "answers"),
    ("trajectory", "page_trajectory", "aggregate_pages"),
    ("flow", "page_flow", "aggregate_pages"),
    ("organisations", "page_organisations", "aggregate_pages"),
    ("money", "page_money", "aggregate_pages"),
    ("outcomes", "page_outcomes", "aggregate_pages"),
    ("explorer", "page_explorer", "explorer"),
    ("data_quality", "page_data_quality", "data_quality"),
    ("upload", "page_upload", "upload"),
    ("methodology", "page_methodology", "aggregate_pages"),
    ("admin", "page_admin", "manage_users"),
)
