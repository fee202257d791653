"""The report markup read whole (parse) or block by block (stream): same blocks, same errors."""
import io
import os
import zipfile

import pytest

import perfreport
from perfreport.word.build import build
from perfreport.errors import TemplateError
from perfreport.word.markup import Opened, parse, stream
from perfreport.word.style import builtin_profile

from conftest import MINIMAL, standard_with

DOCUMENT = """<report>
<title>标题</title>
<h1>甲</h1>
<p>正文 <b>粗</b><br/>下一行</p>
<attachments><item>表一</item><item>表二</item></attachments>
<attachment number="1" title="表一" orientation="landscape">
  <table widths="1,2"><thead><tr><th>一</th><th>二</th></tr></thead><tr><td rowspan="2">a</td><td>b</td></tr><tr><td>c</td></tr></table>
  <pagebreak/>
  <p>附注</p>
</attachment>
<attachment number="2" title="表二"><p>x</p></attachment>
</report>"""


def shape(blocks):
    """Tags and texts of the blocks, an attachment's children nested."""
    out = []
    for block in blocks:
        if block.tag == "attachment":
            out.append((block.tag, block.get("number"), shape(block)))
        else:
            out.append((block.tag, "".join(block.itertext()).strip()))
    return out


def test_stream_yields_the_blocks_parse_reads():
    assert shape(stream(DOCUMENT)) == shape(parse(DOCUMENT))


def test_an_attachment_is_yielded_when_it_opens_and_read_child_by_child():
    attachment = next(block for block in stream(DOCUMENT) if block.tag == "attachment")
    assert isinstance(attachment, Opened) and attachment.get("orientation") == "landscape"
    first = next(iter(attachment))
    assert first.tag == "table" and len(first) == 3          # complete when yielded


def test_a_long_attachment_is_never_held_whole():
    markup = '<report><attachment number="1">' + "<p>段落</p>" * 50000 + "</attachment></report>"
    attachment = next(stream(markup))
    held = 0
    for count, _paragraph in enumerate(attachment, start=1):
        held = max(held, len(attachment.element))
    assert count == 50000 and held < 10000


def test_blocks_are_dropped_once_used():
    blocks = stream(DOCUMENT)
    title = next(blocks)
    root = title.getparent()
    next(blocks)
    assert len(title) == 0 and title.text is None and title not in list(root)


def test_the_same_document_from_parse_and_from_stream():
    profile = builtin_profile()

    def document_xml(root):
        buffer = io.BytesIO()
        build(root, profile).save(buffer)
        return zipfile.ZipFile(buffer).read("word/document.xml")
    assert document_xml(stream(DOCUMENT)) == document_xml(parse(DOCUMENT))


def test_malformed_markup_late_in_the_stream_shows_the_rendered_line():
    markup = "<report>\n" + "<p>好</p>\n" * 50 + "<p>a</b>\n</report>"
    blocks = stream(markup, "t.xml.j2")
    assert [next(blocks).tag for _ in range(50)] == ["p"] * 50
    with pytest.raises(TemplateError) as exc:
        next(blocks)
    problem = exc.value.problems[0]
    assert problem.code == "PR306" and "第 52 行：<p>a</b>" in problem.message and problem.location.file == "t.xml.j2"


@pytest.mark.parametrize("markup, code, fragment", [
    ("<doc><p>a</p></doc>", "PR306", "<report>"),
    ("<report><p>a</p><div>b</div></report>", "PR307", "<div>"),
])
def test_stream_refuses_what_parse_refuses(markup, code, fragment):
    for read in (lambda: list(stream(markup)), lambda: parse(markup)):
        with pytest.raises(TemplateError) as exc:
            read()
        assert exc.value.problems[0].code == code and fragment in exc.value.problems[0].message


def test_bad_markup_after_many_pages_leaves_no_output(write_unit, tmp_path):
    """The body is written while the markup is read: a late error must still leave nothing behind."""
    folder = standard_with(tmp_path, "late", "{% block attachment_pages %}{{ super() }}<p>a</b>{% endblock %}\n")
    unit = write_unit(MINIMAL + "projects:\n  - {name: a, budget: 1, spent: 1}\n")
    with pytest.raises(TemplateError) as exc:
        perfreport.render(unit, tmp_path / "out" / "o.docx", format="late", template_dirs=[folder.parent])
    assert exc.value.problems[0].code == "PR306"
    assert os.listdir(tmp_path / "out") == []


@pytest.mark.parametrize("blocks", [
    "<div>b</div><p>a</p>",
    "<p>a</p><div>b</div><p>c</p>",
    '<attachment number="1"><div>x</div><p>a</p></attachment>',
    '<attachment number="1"><p>a</p><div>x</div></attachment>',
    '<attachment number="1"><div>x</div></attachment>',
    '<attachment number="1"><attachments><item>a</item></attachments></attachment>',
    '<attachment number="1"><attachment number="2"><p>a</p></attachment></attachment>',
    "<p><h1>x</h1></p>",
    '<attachment number="1"><table><tr><td><p>x</p></td></tr></table></attachment>',
])
def test_misplaced_markup_is_refused_alike_whole_or_streamed(blocks):
    markup = f"<report><p>前文</p>{blocks}</report>"
    problems = []
    for read in (parse, stream):
        with pytest.raises(TemplateError) as exc:
            build(read(markup), builtin_profile()).save(io.BytesIO())
        problems.append((exc.value.problems[0].code, exc.value.problems[0].message))
    assert problems[0] == problems[1] and problems[0][0] == "PR307"
