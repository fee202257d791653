"""A report's .docx as a simple HTML page, so a clerk can read it in the browser before downloading.

Only the text is shown, in order: the title, headings, paragraphs and tables (merged
cells shown once, spanning their columns); page layout and fonts are Word's business.
"""
from __future__ import annotations

from html import escape

from docx import Document
from docx.oxml.ns import qn


def _tag(paragraph) -> str:
    style = (paragraph.style.name if paragraph.style is not None else "").lower()
    if style == "title":
        return "h1"
    if style.startswith("heading "):
        level = style.rsplit(" ", 1)[-1]
        return f"h{min(int(level) + 1, 6)}" if level.isdigit() else "p"
    return "p"


def _paragraph(paragraph) -> str:
    text = paragraph.text
    if not text.strip():
        return ""
    tag = _tag(paragraph)
    return f"<{tag}>{escape(text)}</{tag}>"


def _table(table) -> str:
    rows = []
    for tr in table._tbl.tr_lst:
        cells = []
        for tc in tr.tc_lst:
            merge = tc.tcPr.find(qn("w:vMerge")) if tc.tcPr is not None else None
            if merge is not None and merge.get(qn("w:val")) != "restart":
                continue  # the continuation of a cell merged downwards
            text = "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p")))
            span = tc.grid_span
            cells.append(f"<td{f' colspan={span}' if span > 1 else ''}>{escape(text).replace(chr(10), '<br>')}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table class=report>{''.join(rows)}</table>"


def docx_html(path) -> str:
    """The body of the .docx at ``path`` as an HTML fragment (escaped text: nothing from the data is markup)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = Document(str(path))
    parts = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            parts.append(_paragraph(Paragraph(child, document)))
        elif child.tag == qn("w:tbl"):
            parts.append(_table(Table(child, document)))
    return "\n".join(part for part in parts if part)
