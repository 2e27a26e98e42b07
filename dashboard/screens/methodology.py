"""Methodology: how every figure is made, generated from the indicator catalogue."""

import pandas as pd
import streamlit as st

from dashboard import data, widgets
from dashboard.i18n import strings, t
from indicators import formatting

sel = widgets.page_start("page_methodology")
lang = sel.lang
cat = data.catalogue()
targets = data.programme().targets
threshold = data.threshold()


def family_name(family: str) -> str:
    """Return a family's name in the language (its id when the strings lack it)."""
    return strings(lang).get(f"methodology_family_{family}", family)


def target_text(indicator_id: str, unit: str, with_source: bool = True) -> str:
    """Return an indicator's target for people: value, deadline and (optionally) source."""
    target = targets.get(indicator_id)
    if target is None:
        return t("methodology_no_target", lang)
    shown = formatting.value(target.value, unit, lang)
    if target.deadline is not None:
        shown = t("methodology_target_by", lang, value=shown, deadline=target.deadline.isoformat())
    return f"{shown} ({target.source})" if with_source else shown


st.write(t("methodology_intro", lang, version=cat.version))
st.markdown(t("methodology_as_of_rule", lang))
st.markdown(t("methodology_disclosure_rule", lang, threshold=threshold, below=threshold - 1))
st.info(t("methodology_doc_note", lang))

# the whole catalogue at a glance, before the detail per family
st.subheader(t("methodology_summary", lang))
st.dataframe(
    pd.DataFrame(
        {
            t("methodology_col_indicator", lang): [i.label.get(lang) for i in cat.indicators],
            t("methodology_col_family", lang): [family_name(i.family) for i in cat.indicators],
            t("methodology_col_unit", lang): [
                t(f"methodology_unit_{i.unit}", lang) for i in cat.indicators
            ],
            t("methodology_col_kind", lang): [i.kind for i in cat.indicators],
            t("methodology_col_target", lang): [
                target_text(i.id, i.unit, with_source=False) if i.id in targets else ""
                for i in cat.indicators
            ],
            t("methodology_col_version", lang): [i.version for i in cat.indicators],
        }
    ),
    hide_index=True,
    width="stretch",
    key="methodology_summary",
)

families = list(dict.fromkeys(i.family for i in cat.indicators))
colon = t("colon", lang)  # French puts a space before it
for family in families:
    st.subheader(family_name(family))
    for ind in (i for i in cat.indicators if i.family == family):
        with st.expander(f"{ind.label.get(lang)} · `{ind.id}`"):
            facts = {
                "methodology_definition": ind.definition.get(lang),
                "methodology_formula": f"{ind.kind}{colon} "
                + t(f"methodology_kind_{ind.kind}", lang),
                "methodology_version": ind.version,
                "methodology_unit": t(f"methodology_unit_{ind.unit}", lang),
                "methodology_period_rule": ind.period_rule.get(lang),
                "methodology_target": target_text(ind.id, ind.unit),
                "methodology_direction": t(f"methodology_direction_{ind.direction}", lang),
                "methodology_frameworks": "; ".join(
                    cat.frameworks[f].get(lang) for f in ind.frameworks
                ),
                "methodology_questions": "; ".join(
                    cat.questions[q].get(lang) for q in ind.questions
                ),
                "methodology_disclosure": t(
                    "methodology_disclosure_yes" if ind.personal else "methodology_disclosure_no",
                    lang,
                ),
            }
            st.markdown("\n".join(f"- **{t(k, lang)}{colon}** {v}" for k, v in facts.items()))
