"""The dashboard's pages in menu order: (file name in pages/, i18n key of the title)."""

PAGES: tuple[tuple[str, str], ...] = (
    ("overview", "page_overview"),
    ("trajectory", "page_trajectory"),
    ("flow", "page_flow"),
    ("organisations", "page_organisations"),
    ("money", "page_money"),
    ("outcomes", "page_outcomes"),
    ("explorer", "page_explorer"),
    ("data_quality", "page_data_quality"),
    ("methodology", "page_methodology"),
)
