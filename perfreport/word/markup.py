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
      <signature><name>署名</name><date>成文日期</date></signature>   the 落款 (GB/T 9704 7.3.5)
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

from ..errors import Location, Problem, TemplateError
from ..i18n import N_, _

BLOCKS = {"title", "h1", "h2", "h3", "h4", "p", "table", "attachments", "signature", "attachment", "pagebreak"}
MAX_COLUMNS = 63        # Word's own limit of columns in a table (colspan, widths)
MAX_ROWSPAN = 100_000   # rows one cell may span
_LAYOUT_SPACE = re.compile(r"[ \t\r]*\n\s*")


def parse(markup: str, template: str | None = None) -> etree._Element:
    """Parse rendered markup; an error names the template and shows the offending rendered line."""
    _check_declarations(markup, template)
    try:
        root = etree.fromstring(markup.encode("utf-8"), etree.XMLParser(**_OPTIONS))
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, markup, template) from None
    _check_root(root, template)
    for element in root:
        _check_block(element, template)
        check_attributes(element, template)
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
    """Reads the end of each block (the parser reports no other element), so that a block is
    complete when it is yielded; blocks are removed from the tree once used."""

    def __init__(self, markup: str, template: str | None):
        _check_declarations(markup, template)
        self.markup, self.template = markup, template
        self.events = etree.iterparse(io.BytesIO(markup.encode("utf-8")), events=("end",),
                                      tag=("report", *BLOCKS), **_OPTIONS)
        self.pending = None

    def next(self):
        """The next block-like element to end, or None at the end of the markup."""
        if self.pending is not None:
            element, self.pending = self.pending, None
            return element
        try:
            return next(self.events)[1]
        except StopIteration:
            return None
        except etree.XMLSyntaxError as exc:
            raise _syntax_error(exc, self.markup, self.template) from None

    def blocks(self) -> Iterator:
        checked = False
        while (element := self.next()) is not None:
            if not checked:
                _check_root(element.getroottree().getroot(), self.template)
                checked = True
            parent = element.getparent()
            if parent is None:                 # the root ended
                for unknown in element:        # elements the parser reported no end for
                    _check_block(unknown, self.template)
                self.after_root()
                return
            if parent.getparent() is None:     # a block of the report ended
                self.unreported(element)
                check_attributes(element, self.template)
                if element.tag == "attachment":   # with no block inside
                    yield Opened(element, iter(list(element)))
                else:
                    yield element
                element.clear()
                parent.remove(element)
            elif parent.tag == "attachment" and parent.getparent().getparent() is None:
                self.pending = element         # the first block of an attachment: open it
                self.unreported(parent)
                check_attributes(parent, self.template, deep=False)
                opened = Opened(parent, self.children(parent))
                yield opened
                for _rest in opened:
                    pass
                parent.clear()
                parent.getparent().remove(parent)

    def children(self, attachment) -> Iterator:
        """The blocks of ``attachment``, each once it has ended, then dropped."""
        while (element := self.next()) is not None:
            if element is attachment:
                yield from list(attachment)    # what is left is unknown to the markup: the writer says so
                return
            if element.getparent() is attachment:
                yield from self.before(element)
                check_attributes(element, self.template)
                yield element
                element.clear()
                attachment.remove(element)

    @staticmethod
    def before(element) -> list:
        """Elements before ``element`` that were not reported (its earlier siblings that are blocks
        were removed once used)."""
        return list(element.itersiblings(preceding=True))[::-1]

    def after_root(self) -> None:
        """Nothing but blanks and comments may follow ``</report>``: markup that closes the report
        early (a ``</report>`` written by a block) would otherwise lose the rest without a word."""
        try:
            self.next()  # libxml2 reports anything but blanks and comments after the root as an error
        except TemplateError as exc:
            problem = exc.problems[0]
            _detail, newline, shown = problem.message.partition("\n")
            raise TemplateError(Problem(problem.code, _("模板生成的标记在 </report> 之后还有内容：报告被提前结束，或根元素后有多余的内容")
                                        + newline + shown, problem.location)) from None

    def unreported(self, element) -> None:
        """Refuse an element before the block ``element`` that is not a block of the markup."""
        for unknown in self.before(element):
            _check_block(unknown, self.template)


_OPTIONS = {"resolve_entities": False, "no_network": True, "huge_tree": True, "remove_comments": True}


def _syntax_error(exc: etree.XMLSyntaxError, markup: str, template: str | None) -> TemplateError:
    line = exc.lineno
    lines = markup.splitlines()
    shown = lines[line - 1].strip() if line and 0 < line <= len(lines) else ""
    message = _("模板生成的标记有误：{detail}").format(detail=exc.msg)
    if shown:
        message += "\n    " + _("渲染结果第 {line} 行：{text}").format(line=line, text=shown[:200])
    return TemplateError(Problem("PR306", message, Location(template)))


def _check_declarations(markup: str, template: str | None) -> None:
    """The markup may not declare a document type or entities (data text is escaped, so only a
    template can write one): they serve no purpose in a report and are how XML attacks begin."""
    for mark in ("<!DOCTYPE", "<!ENTITY"):
        at = markup.find(mark)
        if at >= 0:
            line = markup.count("\n", 0, at) + 1
            raise TemplateError(Problem("PR306", _("模板生成的标记中不能有 {mark}（文档类型和实体声明）（渲染结果第 {line} 行）").format(
                mark=mark, line=line), Location(template)))


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


def _positive(value: str, limit: int) -> bool:
    return re.fullmatch(r"[0-9]{1,9}", value) is not None and 1 <= int(value) <= limit


def _widths(value: str) -> bool:
    """``widths``: relative column widths, each a finite number above zero, at most :data:`MAX_COLUMNS`."""
    if not value.strip():
        return True  # no widths given: equal columns
    parts = [w.strip() for w in value.split(",")]
    if len(parts) > MAX_COLUMNS:
        return False
    return all(re.fullmatch(r"[0-9]{1,6}(\.[0-9]{1,6})?|\.[0-9]{1,6}", w) and float(w) > 0 for w in parts)


# What each attribute may be: a check of its text and what to write, said in words.
_ATTRIBUTES = {
    "widths": (_widths, N_("用逗号分隔的正数（相对列宽，如 1,3,2），最多 {columns} 列")),
    "colspan": (lambda v: _positive(v, MAX_COLUMNS), N_("1 到 {columns} 之间的整数")),
    "rowspan": (lambda v: _positive(v, MAX_ROWSPAN), N_("1 到 {rows} 之间的整数")),
    "align": (lambda v: v in ("left", "center", "right", "both", "justify"), N_("left、center、right、both 或 justify")),
    "numbered": (lambda v: v in ("yes", "no"), N_("yes 或 no")),
    "split": (lambda v: v in ("yes", "no"), N_("yes 或 no")),
    "indent": (lambda v: v == "0", N_("0（不缩进）")),
    "orientation": (lambda v: v in ("portrait", "landscape"), N_("portrait 或 landscape")),
}


# (name, value) of attributes found usable: the same few values come back in every cell of a large
# report. Kept up to _USABLE_KEPT pairs of short values.
_usable: set[tuple[str, str]] = set()
_USABLE_KEPT = 4096


def check_attributes(element, template: str | None, deep: bool = True) -> None:
    """Refuse an attribute value the builder cannot use (``widths="0,NaN"``, ``colspan="100000000"``)
    before anything is built from it, naming the attribute, the value and the rendered line."""
    usable = _usable
    for node in element.iter() if deep else (element,):
        for pair in node.items():
            if pair in usable:
                continue
            name, value = pair
            rule = _ATTRIBUTES.get(name)   # an attribute the markup does not define may have any value
            if rule is None or rule[0](value):
                if len(usable) < _USABLE_KEPT and len(value) <= 64:
                    usable.add(pair)
            else:
                raise TemplateError(Problem("PR307", _("<{tag}> 的属性 {name}=“{value}”无效，应为{expected}（渲染结果第 {line} 行）").format(
                    tag=node.tag, name=name, value=value[:100], expected=_(rule[1]).format(columns=MAX_COLUMNS, rows=MAX_ROWSPAN), line=node.sourceline), Location(template)))


def clean(text: str | None) -> str:
    """Text with the template's own line breaks and indentation removed."""
    return _LAYOUT_SPACE.sub("", text) if text and "\n" in text else text or ""
