"""The report markup: what templates render and the builder reads.

A small XHTML-like vocabulary, parsed with lxml (no entities, no network)::

    <report>
      <title>丰都县树人镇人民政府</title>      title lines, centred
      <h1>基本情况</h1> … <h4>               headings, numbered by the builder
      <p>text <b>bold</b><br/>more</p>       a paragraph (align="center|right|left", indent="0")
      <table widths="1,3,2">                 a table; <thead> rows repeat on each page
        <tr><th colspan="2">…</th><td rowspan="2" align="right">…</td></tr>
      </table>
      <attachments><item>名称</item></attachments>   the 附件 list
      <attachment number="1" title="名称" orientation="landscape">…</attachment>
                                             an attachment on new pages: 「附件1」, its title, its content
      <pagebreak/>
    </report>

Line breaks and the indentation around them inside an element are layout of
the template, not text: they are removed (use ``<br/>`` for a line break).
"""
from __future__ import annotations

import io
import re
from typing import Iterator

from lxml import etree

from .errors import Location, Problem, TemplateError
from .i18n import _

BLOCKS = {"title", "h1", "h2", "h3", "h4", "p", "table", "attachments", "attachment", "pagebreak"}
_LAYOUT_SPACE = re.compile(r"[ \t\r]*\n\s*")


def parse(markup: str, template: str | None = None) -> etree._Element:
    """Parse rendered markup; an error names the template and shows the offending rendered line."""
    try:
        root = etree.fromstring(markup.encode("utf-8"), etree.XMLParser(**_OPTIONS))
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, markup, template) from None
    _check_root(root, template)
    for element in root:
        _check_block(element, template)
    return root


def stream(markup: str, template: str | None = None) -> Iterator:
    """The blocks of rendered markup, each parsed as it is needed and dropped after use, so that
    the markup of a report of thousands of pages is never held as one tree.

    Yields the same elements as iterating :func:`parse`'s root, except that an
    ``<attachment>`` is yielded as soon as it opens, as an :class:`Opened` whose
    children are parsed while they are iterated. Errors are those of
    :func:`parse`, raised when the reader reaches them.
    """
    return _Reader(markup, template).blocks()


class Opened:
    """An element whose attributes are read and whose children are parsed while iterated."""

    def __init__(self, element, children: Iterator):
        self.element, self.children = element, children
        self.tag, self.sourceline = element.tag, element.sourceline

    def get(self, key: str, default=None):
        return self.element.get(key, default)

    def __iter__(self):
        return self.children


class _Reader:
    def __init__(self, markup: str, template: str | None):
        self.markup, self.template = markup, template
        self.events = etree.iterparse(io.BytesIO(markup.encode("utf-8")), events=("start", "end"), **_OPTIONS)

    def blocks(self) -> Iterator:
        try:
            _event, root = next(self.events)
        except etree.XMLSyntaxError as exc:
            raise _syntax_error(exc, self.markup, self.template) from None
        _check_root(root, self.template)
        yield from self.children(root, blocks=True)

    def children(self, parent, blocks: bool = False) -> Iterator:
        """The children of ``parent`` (whose start was just read), each complete, then dropped;
        with ``blocks`` (the root's children) an attachment is yielded open, as an :class:`Opened`."""
        events = self.events
        try:
            for event, element in events:
                if event == "end":   # of the parent: its children's ends are read below
                    return
                if blocks:
                    _check_block(element, self.template)
                if blocks and element.tag == "attachment":
                    opened = Opened(element, self.children(element))
                    yield opened
                    for _rest in opened:
                        pass
                else:
                    for event, inner in events:
                        if inner is element and event == "end":
                            break
                    yield element
                element.clear()
                parent.remove(element)
        except etree.XMLSyntaxError as exc:
            raise _syntax_error(exc, self.markup, self.template) from None


_OPTIONS = {"resolve_entities": False, "no_network": True, "huge_tree": True, "remove_comments": True}


def _syntax_error(exc: etree.XMLSyntaxError, markup: str, template: str | None) -> TemplateError:
    line = exc.lineno
    lines = markup.splitlines()
    shown = lines[line - 1].strip() if line and 0 < line <= len(lines) else ""
    message = _("模板生成的标记有误：{detail}").format(detail=exc.msg)
    if shown:
        message += "\n    " + _("渲染结果第 {line} 行：{text}").format(line=line, text=shown[:200])
    return TemplateError(Problem("PR306", message, Location(template)))


def _check_root(root, template: str | None) -> None:
    if root.tag != "report":
        raise TemplateError(Problem("PR306", _("模板生成的标记应以 <report> 为根元素，实际为 <{tag}>").format(tag=root.tag), Location(template)))


def _check_block(element, template: str | None) -> None:
    if element.tag not in BLOCKS:
        raise TemplateError(Problem(
            "PR307",
            _("不认识的标记 <{tag}>（渲染结果第 {line} 行）；可用：{known}").format(
                tag=element.tag, line=element.sourceline, known="、".join(sorted(BLOCKS))),
            Location(template),
        ))


def clean(text: str | None) -> str:
    """Text with the template's own line breaks and indentation removed."""
    return _LAYOUT_SPACE.sub("", text) if text and "\n" in text else text or ""
