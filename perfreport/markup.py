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

import re

from lxml import etree

from .errors import Location, Problem, TemplateError
from .i18n import _

BLOCKS = {"title", "h1", "h2", "h3", "h4", "p", "table", "attachments", "attachment", "pagebreak"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True)
_LAYOUT_SPACE = re.compile(r"[ \t\r]*\n\s*")


def parse(markup: str, template: str | None = None) -> etree._Element:
    """Parse rendered markup; an error names the template and shows the offending rendered line."""
    try:
        root = etree.fromstring(markup.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno
        lines = markup.splitlines()
        shown = lines[line - 1].strip() if line and 0 < line <= len(lines) else ""
        message = _("模板生成的标记有误：{detail}").format(detail=exc.msg)
        if shown:
            message += "\n    " + _("渲染结果第 {line} 行：{text}").format(line=line, text=shown[:200])
        raise TemplateError(Problem("PR306", message, Location(template))) from None
    if root.tag != "report":
        raise TemplateError(Problem("PR306", _("模板生成的标记应以 <report> 为根元素，实际为 <{tag}>").format(tag=root.tag), Location(template)))
    for element in root:
        if element.tag not in BLOCKS:
            raise TemplateError(Problem(
                "PR307",
                _("不认识的标记 <{tag}>（渲染结果第 {line} 行）；可用：{known}").format(
                    tag=element.tag, line=element.sourceline, known="、".join(sorted(BLOCKS))),
                Location(template),
            ))
    return root


def clean(text: str | None) -> str:
    """Text with the template's own line breaks and indentation removed."""
    return _LAYOUT_SPACE.sub("", text) if text else ""
