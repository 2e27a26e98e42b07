"""Plan (Beleidsplan): the local integration policy plan, followed up with current figures."""

import streamlit as st

from dashboard import data, widgets
from dashboard.i18n import t

sel = widgets.page_start("page_plan")
lang = sel.lang
plan = data.plan()
if plan is None:
    st.info(t("plan_missing", lang))
    st.stop()
if plan.illustrative:
    st.warning(t("plan_illustrative", lang))
st.subheader(plan.title.get(lang))
status = plan.status
facts = [t("plan_status", lang, status=t(f"plan_status_{status.status}", lang))]
for key in ("due_on", "submitted_on", "approved_on"):
    when = getattr(status, key)
    if when is not None:
        facts.append(t(f"plan_{key}", lang, date=widgets.day(when, lang)))
st.write(" · ".join(facts))
st.write(plan.summary.get(lang))
st.caption(t("plan_source", lang, source=plan.source))

follow = data.plan_follow_up(sel.period.label, sel.as_of, sel.role, sel.snapshot.id, lang)
st.write(t("plan_follow_up_intro", lang, period=sel.period_text))
colon = t("colon", lang)  # French puts a space before it
for number, priority in enumerate(plan.priorities, start=1):
    st.subheader(f"{number}. {priority.title.get(lang)}")
    st.write(priority.description.get(lang))
    for action in priority.actions:
        st.markdown(f"**{action.title.get(lang)}**{colon} {action.description.get(lang)}")
        rows = follow[follow["action_id"] == action.id]
        if rows.empty:
            st.caption(t("plan_no_indicators", lang))
            continue
        table = rows.assign(status=[widgets.status_text(s, lang) for s in rows["status"]])[
            ["label", "value_text", "target_text", "status", "target_source"]
        ]
        table.columns = [t(f"plan_col_{c}", lang) for c in table.columns]
        st.dataframe(table, hide_index=True, width="stretch")
