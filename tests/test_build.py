"""The builder: markup in, WordprocessingML out, read back with python-docx and lxml."""
import io
import zipfile

import docx
import pytest
from docx.oxml.ns import qn

from perfreport.word.build import build, column_widths, text_width_pt
from perfreport.errors import TemplateError
from perfreport.word.markup import parse
from perfreport.word.style import builtin_profile, merge

PROFILE = builtin_profile()


def make(markup: str, profile=PROFILE):
    document = build(parse(f"<report>{markup}</report>"), profile)
    buffer = io.BytesIO()
    document.save(buffer)  # round trip through the file format
    buffer.seek(0)
    return docx.Document(buffer)


def texts(document):
    return [p.text for p in document.paragraphs]


def test_headings_are_numbered_by_level_and_restart_under_each_parent():
    doc = make("<h1>甲</h1><h2>a</h2><h2>b</h2><h3>x</h3><h4>y</h4><h4>z</h4><h3>w</h3><h2>c</h2><h3>v</h3>"
               "<h1>乙</h1><h2>d</h2>")
    assert texts(doc) == ["一、甲", "（一）a", "（二）b", "1.x", "（1）y", "（2）z", "2.w", "（三）c", "1.v", "二、乙", "（一）d"]
    assert [p.style.name for p in doc.paragraphs][:5] == ["Heading 1", "Heading 2", "Heading 2", "Heading 3", "Heading 4"]


def test_numbering_goes_beyond_ten_in_chinese():
    doc = make("".join(f"<h1>第{i}</h1>" for i in range(1, 22)))
    assert [t.split("、")[0] for t in texts(doc)][9:] == ["十", "十一", "十二", "十三", "十四", "十五", "十六", "十七",
                                                        "十八", "十九", "二十", "二十一"]


def test_unnumbered_heading_does_not_count():
    doc = make('<h1>甲</h1><h1 numbered="no">附</h1><h1>乙</h1>')
    assert texts(doc) == ["一、甲", "附", "二、乙"]


def test_east_asian_font_is_set_in_defaults_and_every_style():
    doc = make("<p>x</p>")
    fonts = {}
    for style_id in ("Normal", "BodyText", "Title", "Heading1", "Heading2", "Heading3", "Heading4", "Footer", "TableText"):
        style = doc.styles.element.xpath(f'w:style[@w:styleId="{style_id}"]')[0]
        rfonts = style.find(qn("w:rPr")).find(qn("w:rFonts"))
        fonts[style_id] = rfonts.get(qn("w:eastAsia"))
        assert rfonts.get(qn("w:ascii")) == "Times New Roman"
        assert rfonts.get(qn("w:asciiTheme")) is None
    assert fonts["BodyText"] == "仿宋_GB2312" and fonts["Heading1"] == "黑体" and fonts["Heading2"] == "楷体_GB2312"
    assert fonts["Title"] == "方正小标宋简体" and fonts["Footer"] == "宋体"
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_body_style_gbt9704():
    doc = make("<p>x</p>")
    body = doc.styles["Body Text"]
    assert body.font.size.pt == 16
    fmt = body.paragraph_format
    assert fmt.line_spacing.pt == pytest.approx(28.95, abs=0.05) and fmt.first_line_indent.pt == 32
    assert doc.styles["Title"].font.size.pt == 22
    # no first-line indent leaks into Normal (footers, table cells)
    assert doc.styles["Normal"].paragraph_format.first_line_indent is None


def test_page_a4_and_margins():
    section = make("<p>x</p>").sections[0]
    mm = lambda length: round(length.mm)  # noqa: E731
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.bottom_margin), mm(section.left_margin), mm(section.right_margin)) == (37, 35, 28, 26)
    assert len(section._sectPr.findall(qn("w:docGrid"))) == 1


def test_page_numbers_outside_odd_right_even_left():
    doc = make("<p>x</p>")
    section = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == 2 and even.alignment == 0  # RIGHT, LEFT
    for p in (odd, even):
        assert p.text == "— 1 —"
        assert "PAGE" in p._p.xml


def test_centred_page_numbers_from_profile():
    doc = make("<p>x</p>", merge(PROFILE, {"page_number": {"position": "center"}}))
    assert not doc.settings.odd_and_even_pages_header_footer
    assert doc.sections[0].footer.paragraphs[0].alignment == 1


def test_layout_whitespace_is_removed_but_text_kept_literally():
    doc = make("<p>\n   甲乙\n   丙 &amp; &lt;x&gt; {{ y }}</p>")
    assert texts(doc) == ["甲乙丙 & <x> {{ y }}"]


def test_title_lines_then_one_blank_line():
    doc = make("<title>甲</title><title>乙</title><p>正文</p>")
    assert texts(doc) == ["甲", "乙", "", "正文"]
    assert doc.paragraphs[0].style.name == "Title"


def test_attachments_numbered_only_when_several():
    assert texts(make("<attachments><item>甲表</item><item>乙表</item></attachments>"))[1:] == ["附件：1.甲表", "2.乙表"]
    assert texts(make("<attachments><item>甲表</item></attachments>"))[1:] == ["附件：甲表"]


def test_table_merged_cells():
    doc = make("""<table widths="1,1,2">
      <thead><tr><th>一级</th><th>二级</th><th>三级</th></tr></thead>
      <tr><td rowspan="3">产出</td><td rowspan="2">数量</td><td>a</td></tr>
      <tr><td>b</td></tr>
      <tr><td>质量</td><td>c</td></tr>
      <tr><td colspan="2">合计</td><td align="right">9</td></tr>
      <tr><td></td><td>x</td><td>y</td></tr>
    </table>""")
    table = doc.tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows == [["一级", "二级", "三级"], ["产出", "数量", "a"], ["产出", "数量", "b"], ["产出", "质量", "c"],
                    ["合计", "合计", "9"], ["—", "x", "y"]]
    tr = table._tbl.tr_lst
    assert tr[0].trPr.find(qn("w:tblHeader")) is not None
    assert tr[1].tc_lst[0].tcPr.find(qn("w:vMerge")).get(qn("w:val")) == "restart"
    assert tr[2].tc_lst[0].tcPr.find(qn("w:vMerge")).get(qn("w:val")) is None
    assert tr[4].tc_lst[0].tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "2"


@pytest.mark.parametrize("markup, fragment", [
    ("<p>a<i>b</i></p>", "<i>"),
    ("<table><tr><td rowspan='x'>a</td></tr></table>", "rowspan"),
    ("<table widths='1,2'><tr><td>a</td></tr></table>", "widths"),
    ("<table widths='1,x'><tr><td>a</td><td>b</td></tr></table>", "widths"),
    ("<table widths='1,0'><tr><td>a</td><td>b</td></tr></table>", "widths"),
    ("<div/>", "<div>"),
    ("<signature><name>甲</name><seal/></signature>", "<seal>"),
])
def test_markup_mistakes_are_template_errors(markup, fragment):
    with pytest.raises(TemplateError) as exc:
        make(markup)
    assert fragment in exc.value.problems[0].message


def test_malformed_markup_shows_the_rendered_line():
    with pytest.raises(TemplateError) as exc:
        parse("<report>\n<p>a</b>\n</report>", "t.xml.j2")
    problem = exc.value.problems[0]
    assert problem.code == "PR306" and "<p>a</b>" in problem.message and problem.location.file == "t.xml.j2"


def test_no_blank_preview_picture_is_carried_over_from_the_base_document():
    buffer = io.BytesIO()
    build(parse("<report><p>正文</p></report>"), PROFILE).save(buffer)
    package = zipfile.ZipFile(buffer)
    assert not [n for n in package.namelist() if "thumbnail" in n]
    assert b"thumbnail" not in package.read("_rels/.rels") and b"officeDocument" in package.read("_rels/.rels")


def test_document_properties_name_the_report_and_today():
    import datetime
    doc = make("<title>某某镇人民政府</title><title>2023年度绩效自评报告</title><h1>甲</h1>"
               '<attachment number="1" title="附表"><title>不是报告标题</title></attachment>')
    properties = doc.core_properties
    assert properties.title == "某某镇人民政府2023年度绩效自评报告" and properties.author == "perfreport"
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - properties.created).total_seconds()) < 120 and properties.modified == properties.created


# --- column widths and rows kept together -----------------------------------------------------------

def grid_widths(table) -> list[int]:
    return [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]


def text_twips(text: str, size: float = 12) -> int:
    """What a line needs in a cell of the default profile (小四): its text and the cell margins."""
    return round(text_width_pt(text, size) * 20) + 2 * 57


def test_column_widths_share_by_weight_but_never_below_a_minimum():
    assert column_widths(1000, [1, 1, 2], [0, 0, 0]) == [250, 250, 500]
    widths = column_widths(1000, [1, 8, 1], [300, 0, 0])   # the first column is held at its minimum
    assert widths == [300, 622, 78]
    assert column_widths(1000, [1, 1], [900, 600]) == [600, 400]   # minimums too wide: scaled to the page


def test_a_column_gets_no_more_than_its_content_needs_while_another_wraps():
    inf = float("inf")
    assert column_widths(1000, [1, 1], [0, 0], [100, inf]) == [100, 900]
    assert column_widths(1000, [1, 1], [0, 0], [100, 300]) == [400, 600]   # all fit: the rest shared by weight
    assert column_widths(1000, [1, 1, 1], [200, 0, 0], [200, 100, inf]) == [200, 100, 700]


def test_numbers_percentages_and_short_headings_get_room_in_narrow_columns():
    doc = make('<table widths="8,0.2,0.2,0.2"><thead><tr><th>项目名称</th><th>序号</th><th>执行率</th><th>预算数</th></tr></thead>'
               '<tr><td>一个很长很长的项目名称，可以换行</td><td>12</td><td>100.00%</td><td>1286.4500</td></tr></table>')
    name, index, rate, amount = grid_widths(doc.tables[0])
    assert index >= text_twips("序号") and rate >= text_twips("100.00%") and amount >= text_twips("1286.4500")
    section = doc.sections[0]
    assert name > rate > index
    assert name + index + rate + amount == section.page_width.twips - section.left_margin.twips - section.right_margin.twips


def test_without_widths_columns_follow_their_content():
    doc = make("<table><tr><th>序号</th><th>项目名称</th><th>金额</th></tr>"
               "<tr><td>1</td><td>镇村道路维护及农村人居环境整治项目资金</td><td>12.50</td></tr></table>")
    index, name, amount = grid_widths(doc.tables[0])
    assert name > index and name > amount and index >= text_twips("序号")


def test_a_tables_last_rows_stay_with_the_rows_before_them():
    rows = "".join(f"<tr><td>{i}</td></tr>" for i in range(6))
    table = make(f"<table><thead><tr><th>甲</th></tr></thead>{rows}</table>").tables[0]
    kept = [r._tr.tc_lst[0].p_lst[0].pPr.find(qn("w:keepNext")) is not None for r in table.rows]
    assert kept == [False, False, False, False, True, True, False]


def test_an_attachment_title_is_kept_with_its_table():
    doc = make('<attachment number="1" title="甲表"><table><tr><td>1</td></tr></table></attachment>')
    label, title, blank = doc.paragraphs[:3]
    assert all(p._p.pPr.find(qn("w:keepNext")) is not None for p in (label, title, blank))


def test_a_landscape_section_turns_the_margins_with_the_sheet():
    doc = make('<p>正文</p><attachment title="甲" orientation="landscape"><table><tr><td>1</td></tr></table></attachment>')
    portrait, landscape = doc.sections
    assert (landscape.left_margin, landscape.right_margin) == (portrait.top_margin, portrait.bottom_margin)
    assert (landscape.top_margin, landscape.bottom_margin) == (portrait.right_margin, portrait.left_margin)
    width = landscape.page_width.twips - landscape.left_margin.twips - landscape.right_margin.twips
    assert sum(grid_widths(doc.tables[0])) == width


def test_a_long_signature_keeps_two_characters_from_the_margin_and_the_date_centred_under_it():
    doc = make("<attachments><item>甲表</item></attachments>"
               "<signature><name>某某县某某镇人民政府办公室</name><date>2024年3月5日</date></signature>")
    *_rest, listed, blank1, blank2, name, date = doc.paragraphs
    char = 16 * 20 - 5
    right = [int(p._p.pPr.find(qn("w:ind")).get(qn("w:right"))) for p in (name, date)]
    assert right == [2 * char, round((2 + (13 - 6) / 2) * char)]   # 13 characters over 6
    # the 附件 list and the blank lines keep with the 落款: it is never alone on a page
    assert all(p._p.pPr.find(qn("w:keepNext")) is not None for p in (listed, blank1, blank2, name))


def test_the_attachments_list_does_not_keep_with_an_attachment_page():
    doc = make('<attachments><item>甲表</item></attachments><attachment number="1" title="甲表"><p>x</p></attachment>')
    listed = next(p for p in doc.paragraphs if p.text == "附件：甲表")
    assert listed._p.pPr.find(qn("w:keepNext")) is None


def kept(paragraph) -> bool:
    return paragraph._p.pPr is not None and paragraph._p.pPr.find(qn("w:keepNext")) is not None


def test_the_last_body_paragraph_keeps_with_the_attachments_list_and_the_list_with_itself():
    doc = make("<p>甲。</p><p>乙。</p><attachments><item>甲表</item><item>乙表</item><item>丙表</item></attachments>")
    first, last, blank, *listed = doc.paragraphs
    assert [p.text for p in listed] == ["附件：1.甲表", "2.乙表", "3.丙表"]
    assert [kept(p) for p in (first, last, blank, *listed)] == [False, True, True, True, True, False]


def test_the_last_body_paragraph_keeps_with_a_signature_without_attachments_list():
    doc = make("<p>甲。</p><signature><name>某镇人民政府</name><date>2024年3月5日</date></signature>")
    assert kept(doc.paragraphs[0]) and not kept(doc.paragraphs[-1])   # the date keeps with nothing


def test_a_body_paragraph_before_anything_else_does_not_keep_with_it():
    doc = make('<p>甲。</p><h1>乙</h1><p>丙。</p><attachment title="甲表"><p>x</p></attachment>')
    assert not kept(doc.paragraphs[0]) and not kept(doc.paragraphs[2])


def test_a_centred_line_under_an_attachment_title_comes_before_the_blank_line():
    doc = make('<attachment number="1" title="甲表"><p align="center" indent="0">（2023年度）</p>'
               '<table><tr><td>1</td></tr></table></attachment>')
    assert texts(doc)[:4] == ["附件1", "甲表", "（2023年度）", ""]
    assert all(kept(p) for p in doc.paragraphs[:4])
    doc = make('<attachment number="1" title="甲表"><p align="right" indent="0">金额单位：万元</p></attachment>')
    assert texts(doc)[:4] == ["附件1", "甲表", "", "金额单位：万元"]
