"""Each role gets the pages its capabilities allow: the others are absent from the menu and
refused when reached by their address (pipelines/access.py holds the one table of rights)."""

from __future__ import annotations

import pytest

from dashboard.i18n import t
from dashboard.navigation import PAGES

# worked out from issue 10: viewers the aggregate pages, plan and council questions; analysts
# add the explorer; stewards add data quality and upload; admins add the administration page
EXPECTED = {
    "viewer": {"overview", "plan", "council", "trajectory", "flow", "organisations", "money"}
    | {"outcomes", "methodology"},
}
EXPECTED["analyst"] = EXPECTED["viewer"] | {"explorer"}
EXPECTED["steward"] = EXPECTED["analyst"] | {"data_quality", "upload"}
EXPECTED["admin"] = EXPECTED["steward"] | {"admin"}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_every_page_renders_for_its_roles_and_is_refused_to_the_others(open_page, role):
    refusal = t("page_not_allowed", "en", role=role)
    for name, title_key, _ in PAGES:
        at = open_page(name, lang="en", role=role)
        errors = [e.value for e in at.error]
        if name in EXPECTED[role]:
            assert refusal not in errors, (role, name)
            assert at.title[0].value == t(title_key, "en"), (role, name)
        else:
            assert errors == [refusal], (role, name)
            assert not at.title and not at.dataframe, (role, name)


def test_an_unknown_role_is_a_viewer(open_page):
    at = open_page("explorer", lang="en", role="superuser")
    assert [e.value for e in at.error] == [t("page_not_allowed", "en", role="viewer")]
