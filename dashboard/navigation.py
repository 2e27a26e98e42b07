"""The dashboard's pages in menu order: (file name in pages/, i18n key of the title)."""

PAGES: tuple[tuple[str, str], ...] = (
    ("overview", "page_overview"),
)
