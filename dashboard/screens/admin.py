"""Administration: local accounts (add, change role, remove) and the audit log."""

import pandas as pd
import streamlit as st

from dashboard import data, widgets
from dashboard.i18n import t

sel = widgets.page_start("page_admin")
lang = sel.lang

st.subheader(t("admin_users", lang))
users = data.users()
if users.empty:
    st.info(t("admin_no_users", lang))
else:
    shown = users.rename(columns={c: t(f"admin_col_{c}", lang) for c in users.columns})
    st.dataframe(shown, hide_index=True, width="stretch")

with st.form("admin_add_user", clear_on_submit=True):
    st.markdown(f"**{t('admin_add', lang)}**")
    name = st.text_input(t("login_name", lang), key="admin_new_name")
    role = st.selectbox(t("admin_role", lang), data.ROLES, key="admin_new_role")
    password = st.text_input(t("login_password", lang), type="password", key="admin_new_password")
    if st.form_submit_button(t("admin_add_button", lang)):
        data.add_user(name, role, password)
        st.success(t("admin_added", lang, name=name, role=role))
        st.rerun()

if not users.empty:
    names = users["name"].tolist()
    left, right = st.columns(2)
    with left.form("admin_set_role"):
        who = st.selectbox(t("login_name", lang), names, key="admin_role_name")
        new_role = st.selectbox(t("admin_role", lang), data.ROLES, key="admin_role_value")
        if st.form_submit_button(t("admin_set_role_button", lang)):
            data.set_role(who, new_role)
            st.rerun()
    with right.form("admin_remove"):
        gone = st.selectbox(t("login_name", lang), names, key="admin_remove_name")
        if st.form_submit_button(t("admin_remove_button", lang)):
            data.remove_user(gone)
            st.rerun()

st.subheader(t("admin_audit", lang))
since = st.date_input(t("admin_since", lang), value=None, key="admin_since")
events = pd.DataFrame(data.audit_events(since), columns=["at", "who", "action", "what", "snapshot"])
if events.empty:
    st.info(t("admin_no_events", lang))
else:
    events = events.iloc[::-1]  # newest first
    st.dataframe(
        events.rename(columns={c: t(f"admin_col_{c}", lang) for c in events.columns}),
        hide_index=True,
        width="stretch",
    )
st.caption(t("admin_audit_where", lang))
