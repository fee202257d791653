"""WordprocessingML text: the namespace, escaping, and the runs and paragraphs that :mod:`perfreport.word.build`
writes into word/document.xml. Plain strings, no lxml and no python-docx: importing either costs 30-60 ms,
and a render whose base package comes from the cache needs neither."""
from __future__ import annotations

# python-docx (docx.oxml.ns) would give these, but importing any of it costs 30-60 ms, and only the base
# package needs python-docx: a render with the base package from the cache never imports it
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f'xmlns:w="{W_NS}"'


def qn(tag: str) -> str:
    """``"w:val"`` → ``"{…/wordprocessingml/2006/main}val"`` (only the ``w`` prefix is used here)."""
    prefix, name = tag.split(":")
    assert prefix == "w", tag
    return f"{{{W_NS}}}{name}"


def escape(text: str, entities: dict[str, str] | None = None) -> str:
    """``&``, ``<`` and ``>`` (and ``entities``) escaped, as :func:`xml.sax.saxutils.escape` does; that
    module imports urllib and http.client (about 16 ms of start-up)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for character, entity in (entities or {}).items():
        text = text.replace(character, entity)
    return text


def paragraph(style: str, extra: str, runs: str, keep: bool = False) -> str:
    """A w:p of its style reference, its other properties, its runs; ``keep`` keeps it on the page
    of the next paragraph (w:keepNext, which comes after w:pStyle in w:pPr)."""
    return f'<w:p><w:pPr>{style}{"<w:keepNext/>" if keep else ""}{extra}</w:pPr>{runs}</w:p>'


def text(value: str) -> str:
    """A w:t keeping its spaces."""
    if "&" in value or "<" in value or ">" in value:
        value = escape(value)
    return f'<w:t xml:space="preserve">{value}</w:t>'


def run(value: str, bold: bool = False) -> str:
    """A w:r of text, bold (w:b, and w:bCs for complex scripts) if ``bold``."""
    return f"<w:r><w:rPr><w:b/><w:bCs/></w:rPr>{text(value)}</w:r>" if bold else f"<w:r>{text(value)}</w:r>"
