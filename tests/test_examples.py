"""End to end: render every example, read the .docx back, assert on text, numbers, fonts and layout."""
import re

from docx.oxml.ns import qn

from conftest import body_text

HEADINGS_000 = [
    (1, "一、基本情况"), (2, "（一）项目背景、内容。"), (2, "（二）项目资金情况。"), (3, "1.项目资金到位及执行情况"),
    (3, "2.项目资金管理情况"), (2, "（三）绩效目标。"), (2, "（四）部门（单位）职能职责。"),
    (1, "二、绩效目标完成情况分析"), (2, "（一）总体绩效目标完成情况分析"), (2, "（二）绩效指标完成情况分析"),
    (3, "1.产出"), (3, "2.效益"), (3, "3.满意度"), (2, "（三）评价结果"),
    (1, "三、存在问题"), (2, "（一）项目管理方面的问题"), (2, "（二）资金使用方面的问题"), (2, "（三）项目绩效方面的问题"),
    (2, "（四）其他方面的问题"), (1, "四、下一步改进措施"), (1, "五、绩效自评结果拟应用和公开情况"), (1, "六、其他需要说明的问题"),
]


def headings(document):
    return [(int(p.style.name[-1]), p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]


def test_shuren_outline_matches_reference_000(shuren):
    assert headings(shuren) == HEADINGS_000
    assert [p.text for p in shuren.paragraphs[:2]] == ["丰都县树人镇人民政府", "2023年度绩效自评工作报告"]


def test_shuren_figures(shuren):
    text = body_text(shuren)
    assert "按照《丰都县财政局关于开展2023年预算绩效自评工作的通知》（丰都财政发〔2024〕15号）文件要求" in text
    assert "财政局下达项目指标金额为3336.96万元，实际到位项目资金金额为3117.78万元，资金执行率为93.4%。" in text
    assert "等85个项目都达到预期效果" in text
    assert "满意度达90%" in text
    assert ("我镇拟将审核后的2023年度部门整体绩效自评结果和85个二级项目绩效自评结果在重庆市丰都县树人镇人民政府网站进行公开，"
            "接受上级主管部门的考核检查和社会各界的监督。") in text
    assert text.endswith("附件：1.树人镇整体监控绩效自评表\n2.树人镇2023年项目绩效自评表")
    assert "指标值：≥90%" in text
    assert re.search(r"None|\{\{|\{%", text) is None


def test_shuren_problems_render_wu_where_reference_does(shuren):
    paragraphs = [p.text for p in shuren.paragraphs]
    for heading in ("（一）项目管理方面的问题", "（二）资金使用方面的问题", "（四）其他方面的问题", "六、其他需要说明的问题"):
        assert paragraphs[paragraphs.index(heading) + 1] == "无。"


def test_body_and_heading_runs_have_east_asian_fonts(shuren):
    styles = {s.style_id: s for s in shuren.styles}
    for paragraph in shuren.paragraphs:
        if not paragraph.text:
            continue
        style = styles[paragraph.style.style_id].element
        rfonts = style.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert rfonts.get(qn("w:eastAsia")), paragraph.style.name
        for run in paragraph.runs:  # runs carry no font of their own that would undo the style
            rpr = run._r.rPr
            assert rpr is None or rpr.find(qn("w:rFonts")) is None


def test_page_and_footer(shuren):
    section = shuren.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    assert section.footer.paragraphs[0].text == "— 1 —"
    assert shuren.styles["Footer"].font.size.pt == 14


def document(rendered, stem):
    import docx
    return docx.Document(str(rendered[stem]))


def test_zhongfeng_shows_the_computed_execution_rate_not_the_typed_56(rendered):
    text = body_text(document(rendered, "zhongfeng-2022"))
    assert "财政局下达项目指标金额为6024.60万元，实际执行3789.97万元，资金执行率为62.91%。" in text
    assert "56%" not in text
    assert "执行率100%的项目" not in text  # no project list: no bucket sentence
    assert "617705万元" not in text and "共计617705元" in text


def test_zhongfeng_prints_no_yaml_comment(rendered):
    text = body_text(document(rendered, "zhongfeng-2022"))
    assert "#" not in text and "形成评价结论并撰写自评报告。\n" in text


def test_zhongfeng_ten_overall_goals_numbered(rendered):
    doc = document(rendered, "zhongfeng-2022")
    paragraphs = [p.text for p in doc.paragraphs]
    start = paragraphs.index("（一）总体绩效目标完成情况分析")
    goals = [p.text for p in doc.paragraphs[start:] if p.style.name == "Heading 3"][:10]
    assert goals[0] == "1.确保镇民政事务工作顺利开展" and goals[-1] == "10.确保全镇林业工作正常开展" and len(goals) == 10


def test_laiyuan_figures(rendered):
    text = body_text(document(rendered, "laiyuan-2023"))
    assert "纳入自评的项目共15个，预算144.9552万元，执行144.9552万元，项目执行率为100.00%。" in text
    assert "其中，执行率100%的项目15个，预算金额144.9552万元。" in text
    assert "本年度自评项目15个，自评覆盖率100.00%。自评结果：“优”15个，占100.00%。" in text
    assert "2022年度15个项目" not in text


def test_zhongfeng_renders_with_the_self_assessment_format(rendered):
    heads = [text for level, text in headings(document(rendered, "zhongfeng-2022")) if level == 1]
    assert heads[:3] == ["一、自评工作开展情况", "二、基本情况", "三、自评结果及分析"]
    assert "自评工作建议" in " ".join(heads)


def test_laiyuan_renders_a_chapter_per_project(rendered):
    doc = document(rendered, "laiyuan-2023")
    level2 = [text for level, text in headings(doc) if level == 2]
    assert "（二）涞源镇防火经费" in level2 and "（十六）涞源镇金家井乡黑木耳基地土地流转费" in level2
    paragraphs = [p.text for p in doc.paragraphs]
    start = paragraphs.index("（三）涞源镇防汛经费")
    assert paragraphs[start + 1:start + 11:2] == ["1.项目立项", "2.资金落实", "3.业务管理", "4.项目产出", "5.项目效益"]
    assert sum(p.endswith(".项目效益") for p in paragraphs) == 13  # once per project that has one (004 has one twice)


# --- zhuxi: a departmental whole-unit report, budget unknown, no notice (issue 14) ---------------------

def test_zhuxi_prints_no_budget_and_no_notice_it_does_not_have(rendered):
    text = body_text(document(rendered, "zhuxi-2023"))
    assert "我镇对2023年项目资金开展了绩效自评工作，现将自评情况报告如下：" in text and "按照《" not in text
    assert "\n实际执行2856.43万元。\n" in text
    assert "下达项目指标金额" not in text and "资金执行率" not in text and "100.00%" not in text


def test_zhuxi_departmental_figures_sit_in_funds_and_basic_information(rendered):
    paragraphs = [p.text for p in document(rendered, "zhuxi-2023").paragraphs]
    funds = paragraphs.index("1.项目资金到位及执行情况")
    assert paragraphs[funds + 2:funds + 5] == [
        "年中追加预算14项，金额612.35万元，预算控制率为25.51%。",
        "“三公”经费预算数为8.50万元，实际支出6.87万元，执行率为80.82%，变动率为-9.84%。",
        "上级转移支付和债券资金：共同财政事权转移支付417.25万元（中央356.20万元、省级48.75万元、市级12.30万元）；"
        "专项转移支付206.40万元（中央120.00万元、省级86.40万元）；债券资金300.00万元（省级300.00万元）。",
    ]
    duties = paragraphs.index("（四）部门（单位）职能职责。")
    assert paragraphs[duties + 2] == ("人员情况：我镇核定编制62人，现有在职人员59人（其中行政编制28人、事业编制26人、人事代理3人、"
                                      "聘用2人），见习人员4人，退休人员41人，劳务派遣人员7人，公益性岗位人员12人。")


def test_zhuxi_stated_totals_and_grade_counts_stand_in_for_a_project_list(rendered):
    text = body_text(document(rendered, "zhuxi-2023"))
    assert ("本年度自评项目24个，金额1532.68万元，占财政支出总额的53.66%。"
            "自评结果：“优”18个，占75.00%；“良”5个，占20.83%；“中”1个，占4.17%。") in text


def test_no_functions_and_no_staff_read_wu(write_unit, tmp_path):
    import docx
    import perfreport
    from conftest import MINIMAL

    text = body_text(docx.Document(str(perfreport.render(write_unit(MINIMAL), tmp_path / "u.docx"))))
    assert "（四）部门（单位）职能职责。\n无。\n" in text and "人员情况" not in text


def test_departmental_sentences_are_left_out_when_absent(rendered):
    text = body_text(document(rendered, "shuren-2023"))
    for words in ("年中追加", "“三公”经费", "转移支付", "人员情况"):
        assert words not in text


# --- ziyun: a project list with stated rates (issue 14) ---------------------------------------------

def test_ziyun_prints_the_computed_rates_and_counts_grades_without_scores(rendered):
    import perfreport
    from conftest import ROOT

    text = body_text(document(rendered, "ziyun-2023"))
    assert "实际执行137.02万元，资金执行率为94.94%。" in text
    assert ("本年度自评项目8个，金额144.33万元，占财政支出总额的53.76%，自评覆盖率100.00%。"
            "自评结果：“优”5个，占62.50%；“良”2个，占25.00%；“中”1个，占12.50%。") in text
    report = perfreport.load(ROOT / "examples" / "ziyun-2023.yaml")
    road = report.figures.projects[1]
    assert (road.name, f"{float(road.execution_rate * 100):.2f}", road.score, road.grade) == ("农村公路养护经费", "89.96", None, "优")
    rows = [[c.text for c in row.cells] for row in document(rendered, "ziyun-2023").tables[0].rows]
    assert rows[2][:5] == ["2", "农村公路养护经费", "4.68", "4.21", "89.96%"]  # the computed rate, not the stated 90.07%
    assert report.problems == []
