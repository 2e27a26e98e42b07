"""Council questions (Raadsvragen): from a written question as received to a drafted answer."""

import streamlit as st

from dashboard import charts, data, widgets
from dashboard.i18n import t

FIELDS = ("number", "submitted_on", "asked_by", "addressed_to", "subject")

sel = widgets.page_start("page_council")
lang = sel.lang
# the answer's own language: a French page drafts the council's Dutch answer
doc_lang = data.document_language(lang)
templates = data.question_templates()
st.write(t("council_intro", lang))
if doc_lang != lang:
    st.info(t("council_answer_language", lang))

text = st.text_area(t("council_paste", lang), key="council_text", height=180)
asked = data.split_question(text, doc_lang) if text.strip() else ()
if not asked:
    chosen = st.multiselect(
        t("council_pick", lang),
        list(templates),
        key="council_pick",
        format_func=lambda tid: templates[tid].title.get(doc_lang),
    )
    asked = tuple((templates[tid].question.get(doc_lang), tid, ()) for tid in chosen)
if not asked:
    st.info(t("council_empty", lang))
    st.stop()

st.subheader(t("council_matches", lang))
pairs = []
for i, (question, proposed, words) in enumerate(asked):
    st.markdown(f"**{t('council_sub_question', lang, n=i + 1)}** {question}")
    options = list(templates)
    template_id = st.selectbox(
        t("council_template", lang),
        options,
        index=options.index(proposed) if proposed in options else 0,
        key=f"council_template_{i}",
        format_func=lambda tid: templates[tid].title.get(doc_lang),
    )
    if words and template_id == proposed:
        st.caption(t("council_why", lang, words=", ".join(words)))
    pairs.append((question, template_id))

with st.expander(t("council_header", lang), expanded=False):
    header = {key: st.text_input(t(f"council_{key}", lang), key=f"council_{key}") for key in FIELDS}

st.caption(t("council_period", lang, period=sel.period_text, as_of=widgets.day(sel.as_of, lang)))
if st.button(t("council_draft", lang), type="primary", key="council_draft_button"):
    st.session_state["council_drafted"] = True
if not st.session_state.get("council_drafted"):
    st.stop()

inputs = (
    tuple(pairs),
    sel.period.label,
    sel.as_of,
    sel.snapshot.id,
    doc_lang,
    tuple(header.values()),
)
draft, figures = data.council_draft(*inputs)
st.subheader(t("council_answer", lang))
texts = []
for i, part in enumerate(draft.parts):
    st.markdown(f"**{t('council_sub_question', lang, n=i + 1)}**")
    st.markdown(f"> {part.question}")
    texts.append(
        st.text_area(
            t("council_edit", lang),
            value=part.text,
            key=f"council_edit_{i}_{part.template_id}",
            height=220,
        )
    )
    for figure_id in part.figure_ids:
        key = f"chart_{figure_id}"
        if key in figures:
            st.plotly_chart(
                figures[key],
                key=f"council_chart_{i}_{figure_id}",
                alt=charts.plain_title(figures[key]) or None,
            )
for note in draft.notes:
    st.caption(note)

edited = draft.with_texts(texts)
st.subheader(t("council_export", lang))
left, right = st.columns(2)
left.download_button(
    t("council_download_md", lang),
    data.answer_markdown(edited),
    file_name="antwoord.md" if doc_lang == "nl" else "answer.md",
    mime="text/markdown",
    key="council_download_md",
    on_click=data.record,
    args=("answer_document", "council answer (.md)", sel.snapshot.id),
)
right.download_button(
    t("council_download_docx", lang),
    data.answer_docx(edited, data.council_images(inputs)),
    file_name="antwoord.docx" if doc_lang == "nl" else "answer.docx",
    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    key="council_download_docx",
    on_click=data.record,
    args=("answer_document", "council answer (.docx)", sel.snapshot.id),
)
