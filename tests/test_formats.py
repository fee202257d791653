"""Report formats: the shipped ones, county formats made by overriding blocks, reference .docx, the CLI."""
import textwrap

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

import perfreport
from perfreport.templating import formats
from perfreport.cli import cli
from perfreport.errors import DataError

from conftest import MINIMAL

UNIT = MINIMAL + """\
self_assessment:
  preparation: 成立组织领导机构，召开专题会议。
  implementation: |
    对有关资料进行分类、整理和分析。
    形成评价结论并撰写自评报告。
  suggestions: 加强绩效目标培训。
problems:
  performance: 绩效目标不够细化。
projects:
  - name: 防火经费
    budget: 2
    spent: 2
    purpose: 扎实有效开展辖区内的防灭火工作。
    review:
      approval: 项目的申请、设立过程符合相关要求。
      output: 日常巡查次数达到100次以上。
      benefit: 社会公众的满意度非常高。
  - name: 防汛经费
    budget: 1
    spent: 0.8
    review:
      funding: 资金落实到位情况良好。
      management: 管理制度健全。
"""


def render(unit, out, **options) -> docx.Document:
    return docx.Document(str(perfreport.render(unit, out, **options)))


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def outline(document, level: int | None = None) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.startswith("Heading")
            and (level is None or p.style.name == f"Heading {level}")]


@pytest.fixture
def unit(write_unit):
    return write_unit(UNIT)


@pytest.fixture
def standard(unit, tmp_path):
    return render(unit, tmp_path / "standard.docx")


def county(tmp_path, template: str = "", name: str = "某县", **meta) -> str:
    """A county format folder in tmp_path/formats/name; returns the template directory."""
    folder = tmp_path / "formats" / name
    folder.mkdir(parents=True)
    meta = {"description": "测试格式", "extends": "standard", **meta}
    (folder / "format.yml").write_text("".join(f"{k}: {v}\n" for k, v in meta.items()), encoding="utf-8")
    if template:
        (folder / "report.xml.j2").write_text('{% extends "standard/report.xml.j2" %}\n' + textwrap.dedent(template),
                                              encoding="utf-8")
    return str(tmp_path / "formats")


# --- shipped formats ------------------------------------------------------------------------------

def test_every_shipped_format_is_listed_with_a_description():
    found = {info.name: info for info in formats.available()}
    assert {"standard", "self-assessment", "per-project", "songti"} <= set(found)
    assert all(info.description and info.builtin for info in found.values())


def test_self_assessment_format_puts_self_assessment_first(unit, tmp_path):
    doc = render(unit, tmp_path / "o.docx", format="self-assessment")
    assert outline(doc, 1) == ["一、自评工作开展情况", "二、基本情况", "三、自评结果及分析", "四、存在问题", "五、下一步改进措施",
                               "六、自评工作建议", "七、绩效自评结果拟应用和公开情况", "八、其他需要说明的问题"]
    text = texts(doc)
    start = text.index("一、自评工作开展情况")
    assert text[start:start + 6] == ["一、自评工作开展情况", "（一）前期准备", "成立组织领导机构，召开专题会议。", "（二）组织实施",
                                     "对有关资料进行分类、整理和分析。", "形成评价结论并撰写自评报告。"]
    results = text.index("三、自评结果及分析")
    assert text[results + 1] == "（一）总体绩效目标完成情况分析"
    assert [t for t in outline(doc, 2) if t.startswith("（三）")][-2:] == ["（三）评价结果", "（三）项目绩效方面的问题"]
    assert text[text.index("六、自评工作建议") + 1] == "加强绩效目标培训。"


def test_per_project_format_gives_each_project_a_section(unit, tmp_path):
    doc = render(unit, tmp_path / "o.docx", format="per-project")
    assert outline(doc, 1) == ["一、基本情况", "二、绩效目标实现情况", "三、存在问题", "四、下一步改进措施",
                               "五、绩效自评结果拟应用和公开情况", "六、其他需要说明的问题"]
    text = texts(doc)
    chapter = text[text.index("二、绩效目标实现情况"):text.index("三、存在问题")]
    assert [t for t in chapter if t in outline(doc)] == [
        "二、绩效目标实现情况", "（一）总体绩效目标完成情况分析",
        "（二）防火经费", "1.项目立项", "2.资金落实", "3.项目产出", "4.项目效益",
        "（三）防汛经费", "1.资金落实", "2.业务管理",
        "（四）评价结果"]
    fire = chapter.index("（二）防火经费")
    assert chapter[fire + 2] == "项目的申请、设立过程符合相关要求。"
    assert chapter[fire + 4] == "预算金额2.00万元，实际执行2.00万元，执行率为100.00%。"   # computed when not written
    assert chapter[chapter.index("（三）防汛经费") + 2] == "资金落实到位情况良好。"
    assert "（五）项目概况。" in text
    overview = text.index("（五）项目概况。")
    assert text[overview + 1:overview + 4] == ["2023年共涉及项目2个，预算总金额为3.00万元，具体项目概况如下：",
                                               "1.防火经费：预算金额2.00万元，扎实有效开展辖区内的防灭火工作。",
                                               "2.防汛经费：预算金额1.00万元。"]


def test_per_project_format_without_reviews_still_renders(write_unit, tmp_path):
    doc = render(write_unit(), tmp_path / "o.docx", format="per-project")
    assert "二、绩效目标实现情况" in texts(doc) and "（五）项目概况。" not in texts(doc)


def test_songti_changes_the_look_only(unit, standard, tmp_path):
    doc = render(unit, tmp_path / "o.docx", format="songti")
    assert texts(doc) == texts(standard)
    body = doc.styles["Body Text"]
    assert body.font.size == Pt(12)
    assert body.element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    assert body.element.rPr.rFonts.get(qn("w:ascii")) == "Times New Roman"
    assert body.paragraph_format.line_spacing == 1.5
    assert doc.styles["Heading 1"].paragraph_format.line_spacing == 1.5          # inherited from body
    assert doc.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert doc.sections[0]._sectPr.find(qn("w:docGrid")).get(qn("w:type")) is None  # no grid to snap lines to
    assert doc.sections[0].left_margin == standard.sections[0].left_margin         # the rest inherited
    assert not doc.settings.odd_and_even_pages_header_footer
    assert doc.sections[0].footer.paragraphs[0].alignment == 1 and doc.sections[0].footer.paragraphs[0].text == "— 1 —"


def test_format_named_in_the_unit_file_and_overridden_on_the_command_line(write_unit, tmp_path):
    unit = write_unit("format: self-assessment\n" + UNIT)
    assert outline(render(unit, tmp_path / "a.docx"), 1)[0] == "一、自评工作开展情况"
    assert outline(render(unit, tmp_path / "b.docx", format="standard"), 1)[0] == "一、基本情况"


# --- county formats -------------------------------------------------------------------------------

def test_overriding_one_block_changes_only_that_block(unit, standard, tmp_path):
    dirs = county(tmp_path, """\
        {% block problems %}
        <h1>存在的问题</h1>
        <p>{{ problems.performance }}</p>
        {% endblock %}
        """)
    doc = render(unit, tmp_path / "o.docx", format="某县", template_dirs=[dirs])
    before = texts(standard)
    start, end = before.index("三、存在问题"), before.index("四、下一步改进措施")
    assert texts(doc) == before[:start] + ["三、存在的问题", "绩效目标不够细化。"] + before[end:]


def test_removing_sections_keeps_a_consecutive_outline(unit, tmp_path):
    dirs = county(tmp_path, """\
        {% block goals %}{% endblock %}
        {% block analysis %}{% endblock %}
        """)
    doc = render(unit, tmp_path / "o.docx", format="某县", template_dirs=[dirs])
    assert outline(doc, 1) == ["一、基本情况", "二、存在问题", "三、下一步改进措施", "四、绩效自评结果拟应用和公开情况",
                               "五、其他需要说明的问题"]
    assert outline(doc, 2)[:3] == ["（一）项目背景、内容。", "（二）项目资金情况。", "（三）部门（单位）职能职责。"]


def test_a_county_macros_file_overrides_the_standard_macros(unit, standard, tmp_path):
    dirs = county(tmp_path)
    (tmp_path / "formats" / "某县" / "macros.xml.j2").write_text(
        (formats.BUILTIN_TEMPLATES / "standard" / "macros.xml.j2").read_text(encoding="utf-8").replace('empty="无。"', 'empty="没有。"'),
        encoding="utf-8")
    doc = render(unit, tmp_path / "o.docx", format="某县", template_dirs=[dirs])
    assert texts(doc).count("没有。") >= 5
    assert [t.replace("没有。", "无。") for t in texts(doc)] == texts(standard)


@pytest.mark.parametrize("base", ["standard", "per-project"])
def test_init_creates_a_format_that_renders_like_its_base(unit, tmp_path, base):
    folder = formats.init("某县", base, tmp_path / "formats")
    assert (folder / "format.yml").is_file()
    template = (folder / "report.xml.j2").read_text(encoding="utf-8")
    parent = "standard" if base == "standard" else base
    assert f'{{% extends "{parent}/report.xml.j2" %}}' in template
    for block, _depth in formats.blocks(formats.resolve(base)):
        assert f"{{% block {block} %}}{{{{ super() }}}}{{% endblock %}}" in template
    fmt = formats.resolve("某县", [tmp_path / "formats"])
    assert fmt.names == ["某县", *formats.resolve(base).names]
    ours = render(unit, tmp_path / "o.docx", format="某县", template_dirs=[tmp_path / "formats"])
    theirs = render(unit, tmp_path / "b.docx", format=base)
    assert texts(ours) == texts(theirs)


def test_init_lists_nested_blocks_after_their_parent():
    names = formats.blocks(formats.resolve("standard"))
    assert names[:4] == [("title", 0), ("preamble", 0), ("basic", 0), ("background", 1)]
    assert ("signature", 0) in names and ("conclusion", 1) in names


def test_init_does_not_overwrite_an_existing_folder(tmp_path):
    (tmp_path / "某县").mkdir()
    with pytest.raises(DataError) as exc:
        formats.init("某县", directory=tmp_path)
    assert exc.value.problems[0].code == "PR205"


@pytest.mark.parametrize("name", ["../x", "a/b", ".hidden", ""])
def test_bad_format_names_are_refused(name, tmp_path):
    with pytest.raises(DataError) as exc:
        formats.init(name, directory=tmp_path)
    assert exc.value.problems[0].code == "PR202"


@pytest.mark.parametrize("meta, code, line, fragments", [
    ({"stlye": "style.yml"}, "PR204", 3, ["stlye", "style"]),               # unknown key
    ({"extends": "nope"}, "PR202", 2, ["nope"]),                            # extends a missing format
    ({"style": "fangsong"}, "PR023", 3, ["fangsong", "gbt9704"]),           # neither a file nor a built-in profile
    ({"reference": "ref.docx"}, "PR206", 3, ["ref.docx"]),                  # a missing reference .docx
])
def test_format_yml_mistakes_are_located(tmp_path, meta, code, line, fragments):
    dirs = county(tmp_path, **meta)
    with pytest.raises(DataError) as exc:
        formats.resolve("某县", [dirs])
    problem = exc.value.problems[0]
    assert (problem.code, problem.location.line) == (code, line) and problem.location.file.endswith("format.yml")
    assert all(fragment in problem.message for fragment in fragments)


def test_an_extends_cycle_is_refused(tmp_path):
    county(tmp_path, name="甲", extends="乙")
    dirs = county(tmp_path, name="乙", extends="甲")
    with pytest.raises(DataError) as exc:
        formats.resolve("甲", [dirs])
    assert exc.value.problems[0].code == "PR203"


def test_a_county_profile_is_laid_over_what_it_extends(unit, tmp_path):
    dirs = county(tmp_path, name="乙", extends="songti", style="style.yml")
    (tmp_path / "formats" / "乙" / "style.yml").write_text("numbers: {money_decimals: 1}\nbody: {size: 四号}\n", encoding="utf-8")
    fmt = formats.resolve("乙", [dirs])
    assert fmt.profile["body"] == {**formats.resolve("songti").profile["body"], "size": "四号"}
    assert fmt.styles[0] == "gbt9704" and len(fmt.styles) == 3
    doc = render(unit, tmp_path / "o.docx", format="乙", template_dirs=[dirs])
    assert doc.styles["Body Text"].font.size == Pt(14)
    assert "财政局下达项目指标金额为100.0万元，实际执行62.5万元，资金执行率为62.50%。" in texts(doc)


# --- reference .docx ------------------------------------------------------------------------------

def make_reference(path, *, footer: bool = False, drop=(), rename=None):
    """A reference .docx designed "in Word": Normal 楷体 13pt, Heading 1 red 18pt, a header, 20 mm margins."""
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(13)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "楷体")
    heading = document.styles["Heading 1"]
    heading.font.size = Pt(18)
    heading.element.rPr.rFonts.set(qn("w:eastAsia"), "微软雅黑")
    section = document.sections[0]
    section.top_margin = section.bottom_margin = section.left_margin = section.right_margin = Mm(20)
    section.header.paragraphs[0].text = "某县财政局预算绩效自评报告"
    if footer:
        section.footer.paragraphs[0].text = "某县财政局印制"
    document.add_paragraph("此段为参考文档的正文，不应出现在报告中。")
    styles = document.styles.element
    for name in drop:
        styles.remove(document.styles[name].element)
    if rename:   # Word in Chinese saves its own style ids, e.g. "1" for heading 1
        old, new = rename
        styles.xpath(f'w:style[@w:styleId="{old}"]')[0].set(qn("w:styleId"), new)
    document.save(str(path))
    return path


def test_a_reference_docx_gives_styles_page_setup_and_header(unit, tmp_path):
    dirs = county(tmp_path, reference="ref.docx")
    make_reference(tmp_path / "formats" / "某县" / "ref.docx")
    assert formats.resolve("某县", [dirs]).reference.name == "ref.docx"
    doc = render(unit, tmp_path / "o.docx", format="某县", template_dirs=[dirs])
    assert "此段为参考文档的正文，不应出现在报告中。" not in texts(doc)
    assert texts(doc)[:2] == ["测试镇人民政府", "2023年度绩效自评工作报告"]
    assert doc.sections[0].header.paragraphs[0].text == "某县财政局预算绩效自评报告"
    assert round(doc.sections[0].left_margin.mm) == 20 and round(doc.sections[0].top_margin.mm) == 20
    heading = doc.styles["Heading 1"]
    assert heading.font.size == Pt(18) and heading.element.rPr.rFonts.get(qn("w:eastAsia")) == "微软雅黑"
    assert doc.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体"
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"][0] == "一、基本情况"
    # no footer in the reference: the profile's page numbers are added
    assert doc.sections[0].footer.paragraphs[0].text == "— 1 —"


def test_a_reference_footer_is_kept(unit, tmp_path):
    dirs = county(tmp_path, reference="ref.docx")
    make_reference(tmp_path / "formats" / "某县" / "ref.docx", footer=True)
    doc = render(unit, tmp_path / "o.docx", format="某县", template_dirs=[dirs])
    assert doc.sections[0].footer.paragraphs[0].text == "某县财政局印制"


def test_the_profile_fills_styles_a_reference_lacks(unit, tmp_path):
    dirs = county(tmp_path, reference="ref.docx")
    make_reference(tmp_path / "formats" / "某县" / "ref.docx", drop=("Body Text", "Heading 2"), rename=("Heading1", "1"))
    doc = render(unit, tmp_path / "o.docx", format="某县", template_dirs=[dirs])
    styles = doc.styles.element
    heading1 = [p for p in doc.paragraphs if p.text == "一、基本情况"][0]
    assert heading1._p.pPr.pStyle.val == "1" and heading1.style.font.size == Pt(18)
    heading2 = styles.xpath('w:style[@w:styleId="Heading2"]')[0]        # from the profile: 楷体_GB2312 三号
    assert heading2.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia")) == "楷体_GB2312"
    body = styles.xpath('w:style[@w:styleId="BodyText"]')[0]             # layout only: the font is the reference's Normal
    assert body.find(qn("w:rPr")) is None and body.find(qn("w:pPr")).find(qn("w:ind")) is not None
    assert body.find(qn("w:basedOn")).get(qn("w:val")) == "Normal"


def test_a_broken_reference_is_a_located_error(unit, tmp_path):
    dirs = county(tmp_path, reference="ref.docx")
    (tmp_path / "formats" / "某县" / "ref.docx").write_text("not a docx", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        perfreport.render(unit, tmp_path / "o.docx", format="某县", template_dirs=[dirs])
    assert exc.value.problems[0].code == "PR206" and exc.value.problems[0].location.file.endswith("ref.docx")
    assert not (tmp_path / "o.docx").exists()


# --- the CLI --------------------------------------------------------------------------------------

def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


def test_cli_formats_list(tmp_path):
    county(tmp_path)
    result = run("formats", "list", "--template-dir", tmp_path / "formats")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("某县") and "测试格式" in lines[0] and str(tmp_path / "formats") in lines[0]
    assert any(line.startswith("per-project") and "[内置]" in line for line in lines)


def test_cli_formats_show():
    result = run("formats", "show", "songti")
    assert result.exit_code == 0, result.output
    assert "继承：songti → standard" in result.output
    assert "report.xml.j2  ← standard/report.xml.j2" in result.output
    assert "样式配置：gbt9704 + " in result.output and "songti/style.yml" in result.output
    assert "参考文档：—" in result.output and "规则集：—" in result.output


def test_cli_formats_show_unknown():
    result = run("formats", "show", "nope")
    assert result.exit_code == 2 and "找不到报告格式“nope”" in result.output and "Traceback" not in result.output


def test_cli_init_then_render_with_template_dir(unit, tmp_path):
    result = run("formats", "init", "某县", "--from", "self-assessment", "--dir", tmp_path / "formats")
    assert result.exit_code == 0, result.output
    assert "--template-dir" in result.output
    template = tmp_path / "formats" / "某县" / "report.xml.j2"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{% block other %}{{ super() }}{% endblock %}", "{% block other %}{% endblock %}"), encoding="utf-8")
    out = tmp_path / "o.docx"
    result = run("render", unit, "-o", out, "--template-dir", tmp_path / "formats", "--format", "某县")
    assert result.exit_code == 0, result.output
    assert outline(docx.Document(str(out)), 1)[-1] == "七、绩效自评结果拟应用和公开情况"
    again = run("formats", "init", "某县", "--dir", tmp_path / "formats")
    assert again.exit_code == 2 and "PR205" in again.output


def test_cli_init_defaults_to_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("formats", "init", "某县")
    assert result.exit_code == 0 and (tmp_path / "某县" / "format.yml").is_file()
    assert formats.resolve("某县", [tmp_path]).names == ["某县", "standard"]


def test_cli_bad_style_profile_is_located_without_traceback(unit, tmp_path):
    dirs = county(tmp_path, style="style.yml")
    (tmp_path / "formats" / "某县" / "style.yml").write_text("body:\n  size: 特大号\n", encoding="utf-8")
    result = run("render", unit, "-o", tmp_path / "o.docx", "--template-dir", dirs, "--format", "某县")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "style.yml:2:9: [body.size]" in result.output and "特大号" in result.output and "PR022" in result.output


def test_cli_template_escaping_the_search_path_is_refused(unit, tmp_path):
    (tmp_path / "secret.j2").write_text("secret", encoding="utf-8")
    dirs = county(tmp_path, '{% block other %}\n{% include "../../secret.j2" %}\n{% endblock %}\n')
    result = run("render", unit, "-o", tmp_path / "o.docx", "--template-dir", dirs, "--format", "某县")
    assert result.exit_code == 2 and "PR308" in result.output and "report.xml.j2:3" in result.output


def test_a_reference_docx_without_document_properties_gives_a_valid_package(unit, tmp_path):
    import re
    import zipfile
    dirs = county(tmp_path, reference="ref.docx")
    path = make_reference(tmp_path / "formats" / "某县" / "ref.docx")
    with zipfile.ZipFile(path) as original:   # as some tools save it: no docProps/core.xml at all
        parts = {name: original.read(name) for name in original.namelist() if name != "docProps/core.xml"}
    parts["_rels/.rels"] = re.sub(rb'<Relationship [^>]*Target="docProps/core.xml"/>', b"", parts["_rels/.rels"])
    with zipfile.ZipFile(path, "w") as stripped:
        for name, data in parts.items():
            stripped.writestr(name, data)
    out = tmp_path / "o.docx"
    doc = render(unit, out, format="某县", template_dirs=[dirs])
    with zipfile.ZipFile(out) as package:
        types, rels = package.read("[Content_Types].xml"), package.read("_rels/.rels")
    assert b"/docProps/core.xml" in types and b'Target="docProps/core.xml"' in rels
    assert doc.core_properties.author == "perfreport"


# --- a county format's own data keys (format.yml `data`) -------------------------------------------

COUNTY_DATA = """\
data:
  evaluation_method: {label: 评价方法, type: text, example: 比较法}
  next_steps: {label: 下一步工作思路, type: list}
  lead_count: {label: 领导小组人数, type: integer}
"""
COUNTY_TEMPLATE = """\
{% block other %}
<h1>评价方法</h1>
{{ m.paras(evaluation_method) }}
<h1>下一步工作思路</h1>
{{ m.numbered(next_steps) }}
{{ super() }}
{% endblock %}
"""


def county_with_data(tmp_path, data: str = COUNTY_DATA) -> str:
    dirs = county(tmp_path, '{% import "macros.xml.j2" as m with context %}\n' + COUNTY_TEMPLATE)
    meta = tmp_path / "formats" / "某县" / "format.yml"
    meta.write_text(meta.read_text(encoding="utf-8") + data, encoding="utf-8")
    return dirs


def test_county_data_keys_are_validated_and_rendered(write_unit, tmp_path):
    dirs = county_with_data(tmp_path)
    unit = write_unit(MINIMAL + "format: 某县\nevaluation_method: 采用比较法。\nnext_steps: [加强管理, 完善制度]\nlead_count: 7\n")
    text = texts(render(unit, tmp_path / "county.docx", template_dirs=[dirs]))
    at = text.index("六、评价方法")
    assert text[at:at + 5] == ["六、评价方法", "采用比较法。", "七、下一步工作思路", "1.加强管理", "2.完善制度"]
    absent = write_unit(MINIMAL + "format: 某县\n", "absent.yaml")  # all optional: left out, the sections say 无。
    text = texts(render(absent, tmp_path / "absent.docx", template_dirs=[dirs]))
    assert text[text.index("六、评价方法") + 1] == "无。"
    with pytest.raises(DataError) as exc:  # unknown to the standard format
        perfreport.load(unit, format="standard")
    assert {p.code for p in exc.value.problems} == {"PR101"}


def test_county_data_keys_are_checked_like_built_in_keys(write_unit, tmp_path):
    dirs = county_with_data(tmp_path)
    unit = write_unit(MINIMAL + "format: 某县\nlead_count: 七\nevaluaton_method: x\n")
    with pytest.raises(DataError) as exc:
        perfreport.load(unit, template_dirs=[dirs])
    found = {(p.code, p.location.path): p.message for p in exc.value.problems}
    assert "领导小组人数" in found["PR103", ("lead_count",)]
    assert "evaluation_method" in found["PR101", ("evaluaton_method",)]


@pytest.mark.parametrize("data, fragment", [
    ("data:\n  background: {label: 背景, type: text}\n", "内置字段重名"),
    ("data:\n  Method: {label: 方法, type: text}\n", "不合法"),
    ("data:\n  method: {type: text}\n", "label"),
    ("data:\n  method: {label: 方法, type: table}\n", "text、number、integer、list"),
    ("data:\n  method: {label: 方法, kind: text}\n", "kind"),
    ("data: [method]\n", "映射"),
])
def test_county_data_declarations_are_checked(tmp_path, data, fragment):
    dirs = county_with_data(tmp_path, data)
    with pytest.raises(DataError) as exc:
        formats.resolve("某县", [dirs])
    assert exc.value.problems[0].code == "PR207" and fragment in exc.value.problems[0].message
    assert exc.value.problems[0].location.file.endswith("format.yml")


def test_formats_show_and_template_check_know_the_county_data_keys(tmp_path):
    dirs = county_with_data(tmp_path)
    result = run("formats", "show", "某县", "--template-dir", dirs)
    assert "evaluation_method  评价方法（文字）。例：比较法" in result.output
    assert "next_steps  下一步工作思路（列表）" in result.output
    assert run("check", "--template", "某县", "--template-dir", dirs).exit_code == 0


# --- what a format writes: PR511 follows it ----------------------------------------------------------

def test_data_paths_follow_the_blocks_a_format_renders(tmp_path):
    assert {"analysis.output", "analysis.satisfaction", "background"} <= formats.data_paths(formats.resolve("standard"))
    per_project = formats.data_paths(formats.resolve("per-project"))
    assert "analysis.output" not in per_project and "project.review.approval" in per_project
    dirs = county(tmp_path, "{% block background %}{% endblock %}\n{% block disclosure %}<h1>公开</h1>{% endblock %}\n")
    dropped = formats.data_paths(formats.resolve("某县", [dirs]))
    assert "background" not in dropped and not any(p.startswith("disclosure") for p in dropped)
    assert "fund_management" in dropped


def test_section_warnings_only_for_sections_the_format_writes(write_unit, tmp_path):
    unit = write_unit(MINIMAL)
    empty = {p.location.path for p in perfreport.load(unit).problems if p.code == "PR511"}
    assert {("background",), ("analysis", "output"), ("disclosure",)} <= empty
    dirs = county(tmp_path, "{% block background %}{% endblock %}\n{% block disclosure %}{% endblock %}\n")
    county_empty = {p.location.path for p in perfreport.load(unit, format="某县", template_dirs=[dirs]).problems
                    if p.code == "PR511"}
    assert county_empty == empty - {("background",), ("disclosure",)}
    per_project = {p.location.path for p in perfreport.load(unit, format="per-project").problems if p.code == "PR511"}
    assert ("analysis", "output") not in per_project and ("analysis", "satisfaction") not in per_project
