"""Style profiles: sizes, spacing, checked keys, partial profiles, and their values in the .docx."""
import io

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt

from perfreport.word.build import build
from perfreport.errors import DataError
from perfreport.word.markup import parse
from perfreport.word.style import builtin_profile, line_spacing, merge, paper_mm, points, read_profile

PROFILE = builtin_profile()


def make(profile, markup="<title>标题</title><h1>甲</h1><h2>乙</h2><p>正文</p><table><tr><td>格</td></tr></table>"):
    buffer = io.BytesIO()
    build(parse(f"<report>{markup}</report>"), profile).save(buffer)
    buffer.seek(0)
    return docx.Document(buffer)


def fonts(document, style_id):
    rfonts = document.styles.element.xpath(f'w:style[@w:styleId="{style_id}"]')[0].find(qn("w:rPr")).find(qn("w:rFonts"))
    return rfonts.get(qn("w:eastAsia")), rfonts.get(qn("w:ascii")), rfonts.get(qn("w:hAnsi"))


def spacing(document, style_id):
    element = document.styles.element.xpath(f'w:style[@w:styleId="{style_id}"]')[0].find(qn("w:pPr")).find(qn("w:spacing"))
    return element.get(qn("w:line")), element.get(qn("w:lineRule"))


@pytest.mark.parametrize("size, pt", [("初号", 42), ("小四", 12), ("五号", 10.5), ("10.5pt", 10.5), (16, 16)])
def test_sizes_in_hao_or_points(size, pt):
    assert points(size) == pt


@pytest.mark.parametrize("size", ["特大号", "0pt", "abc", True, None, 500])
def test_bad_sizes_are_refused(size):
    with pytest.raises(ValueError, match="字号"):
        points(size)


@pytest.mark.parametrize("value, expected", [("28.95pt", (579, "exact")), (1.5, (360, "auto")), ("1.5倍", (360, "auto")), (1, (240, "auto"))])
def test_line_spacing_exact_or_multiple(value, expected):
    assert line_spacing(value) == expected


@pytest.mark.parametrize("value", ["双倍", 0, -1, "0pt", True, 50])
def test_bad_line_spacing_is_refused(value):
    with pytest.raises(ValueError, match="行距"):
        line_spacing(value)


def test_paper_by_name_or_size():
    assert paper_mm({"size": "A3"}) == (297, 420)
    assert paper_mm({"size": "A4", "width_mm": 200, "height_mm": 280}) == (200, 280)


def test_default_profile_arrives_in_the_docx():
    doc = make(PROFILE)
    assert fonts(doc, "BodyText") == ("仿宋_GB2312", "Times New Roman", "Times New Roman")
    assert fonts(doc, "Heading1")[0] == "黑体" and fonts(doc, "TableText")[0] == "仿宋_GB2312"
    assert spacing(doc, "BodyText") == ("579", "exact") and spacing(doc, "Title") == ("700", "exact")
    assert doc.styles["Table Text"].font.size == Pt(12)
    grid = doc.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"
    assert [p.text for p in doc.paragraphs][:4] == ["标题", "", "一、甲", "（一）乙"]


def test_every_kind_of_key_arrives_in_the_docx():
    profile = merge(PROFILE, {
        "page": {"size": "A3", "orientation": "landscape", "margin_left_mm": 30, "margin_right_mm": 20, "line_pitch_pt": None},
        "fonts": {"western": "Arial"},
        "body": {"east_asian": "宋体", "western": "Calibri", "size": "小四", "line_spacing": 1.5, "first_line_indent_chars": 0},
        "title": {"size": "18pt", "align": "left", "blank_lines_after": 0, "bold": True},
        "headings": [{"numbering": "第{cn}章 ", "east_asian": "微软雅黑", "bold": True, "size": "三号"},
                     {"numbering": "{n}、", "line_spacing": "20pt", "align": "center"}],
        "table": {"size": "五号", "east_asian": "楷体"},
        "page_number": {"pattern": "第{page}页", "position": "center", "east_asian": "黑体"},
    })
    doc = make(profile)
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (420, 297)
    assert round(section.left_margin.mm) == 30 and round(section.right_margin.mm) == 20
    assert section._sectPr.find(qn("w:pgSz")).get(qn("w:orient")) == "landscape"
    assert section._sectPr.find(qn("w:docGrid")).get(qn("w:type")) is None
    assert fonts(doc, "BodyText") == ("宋体", "Calibri", "Calibri")      # per-element Western font
    assert fonts(doc, "Title")[1] == "Arial"                          # the profile-wide Western font
    assert doc.styles["Body Text"].font.size == Pt(12) and spacing(doc, "BodyText") == ("360", "auto")
    assert doc.styles["Body Text"].paragraph_format.first_line_indent == 0
    assert doc.styles["Title"].font.size == Pt(18) and doc.styles["Title"].font.bold
    assert doc.styles["Title"].paragraph_format.alignment == 0
    assert [p.text for p in doc.paragraphs][:3] == ["标题", "第一章 甲", "1、乙"]   # no blank line after the title
    assert fonts(doc, "Heading1")[0] == "微软雅黑" and doc.styles["Heading 1"].font.bold
    assert doc.styles["Heading 1"].font.size == Pt(16)
    assert spacing(doc, "Heading2") == ("400", "exact") and doc.styles["Heading 2"].paragraph_format.alignment == 1
    assert spacing(doc, "Heading1") == ("360", "auto")                # inherited from body
    assert fonts(doc, "TableText")[0] == "楷体" and doc.styles["Table Text"].font.size == Pt(10.5)
    footer = section.footer.paragraphs[0]
    assert footer.text == "第1页" and footer.alignment == 1 and fonts(doc, "Footer")[0] == "黑体"
    assert doc.tables[0].rows[0].cells[0].paragraphs[0].style.name == "Table Text"


def test_a_partial_profile_inherits_the_rest(tmp_path):
    path = tmp_path / "style.yml"
    path.write_text("body:\n  size: 小四\nheadings:\n  - {numbering: '第{cn}部分'}\n", encoding="utf-8")
    profile = merge(PROFILE, read_profile(path))
    assert profile["body"] == {**PROFILE["body"], "size": "小四"}
    assert profile["headings"][0] == {**PROFILE["headings"][0], "numbering": "第{cn}部分"}
    assert profile["headings"][1:] == PROFILE["headings"][1:] and profile["page"] == PROFILE["page"]


@pytest.mark.parametrize("text, code, line, path, fragment", [
    ("body:\n  colour: red\n", "PR021", 2, ("body", "colour"), "colour"),
    ("boddy: 小四\n", "PR021", 1, ("boddy",), "body"),
    ("body:\n  size: 特大号\n", "PR022", 2, ("body", "size"), "特大号"),
    ("body:\n  line_spacing: 双倍\n", "PR022", 2, ("body", "line_spacing"), "行距"),
    ("headings:\n  - {numbering: '{x}、'}\n", "PR022", 2, ("headings", 0, "numbering"), "{cn}"),
    ("headings:\n  - {}\n  - {}\n  - {}\n  - {}\n  - {}\n", "PR022", 2, ("headings",), "4"),
    ("page_number:\n  pattern: 第页\n", "PR022", 2, ("page_number", "pattern"), "{page}"),
    ("page_number:\n  position: left\n", "PR022", 2, ("page_number", "position"), "outside"),
    ("page:\n  size: A9\n", "PR022", 2, ("page", "size"), "A4"),
    ("page:\n  margin_top_mm: 三十\n", "PR022", 2, ("page", "margin_top_mm"), "三十"),
    ("numbers:\n  money_decimals: 2.5\n", "PR022", 2, ("numbers", "money_decimals"), "整数"),
    ("title: 小标宋\n", "PR022", 1, ("title",), "映射"),
])
def test_profile_mistakes_are_located(tmp_path, text, code, line, path, fragment):
    file = tmp_path / "style.yml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as exc:
        read_profile(file)
    problem = exc.value.problems[0]
    assert (problem.code, problem.location.line, problem.location.path) == (code, line, path)
    assert fragment in problem.message and problem.location.file == str(file)


def test_all_profile_mistakes_are_reported_at_once(tmp_path):
    file = tmp_path / "style.yml"
    file.write_text("body: {size: x, colour: red}\ntable: {size: y}\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        read_profile(file)
    assert len(exc.value.problems) == 3


def test_the_builtin_profile_passes_its_own_check(tmp_path):
    from importlib import resources
    text = resources.files("perfreport").joinpath("styles/gbt9704.yml").read_text(encoding="utf-8")
    (tmp_path / "p.yml").write_text(text, encoding="utf-8")
    assert read_profile(tmp_path / "p.yml")["body"]["size"] == "三号"


@pytest.mark.parametrize("name", ["nope", "../styles/gbt9704", "a/b"])
def test_a_missing_builtin_profile_is_a_data_error(name):
    with pytest.raises(DataError) as exc:
        builtin_profile(name)
    assert exc.value.problems[0].code == "PR023"


def character_spacing(document, style_id):
    element = document.styles.element.xpath(f'w:style[@w:styleId="{style_id}"]')[0].find(qn("w:rPr")).find(qn("w:spacing"))
    return None if element is None else int(element.get(qn("w:val")))


def test_body_text_condensed_to_28_characters_a_line():
    doc = make(PROFILE)
    section = doc.sections[0]
    width_pt = (section.page_width.twips - section.left_margin.twips - section.right_margin.twips) / 20
    step = 16 + character_spacing(doc, "BodyText") / 20      # 三号 and its spacing, in points
    assert 28 * step <= width_pt < 29 * step
    assert character_spacing(doc, "Heading1") == character_spacing(doc, "BodyText")   # headings are 三号 too
    assert character_spacing(doc, "Title") is None and character_spacing(doc, "TableText") is None


def test_no_condensing_without_chars_per_line():
    doc = make(merge(PROFILE, {"page": {"chars_per_line": None}}))
    assert character_spacing(doc, "BodyText") is None
    doc = make(merge(PROFILE, {"page": {"chars_per_line": 20}}))   # 20 fit without narrowing
    assert character_spacing(doc, "BodyText") is None
