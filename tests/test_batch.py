"""perfreport batch: a folder of good and bad units, the summary workbook, skipping, collisions."""
import os
import shutil

import openpyxl
import pytest
from click.testing import CliRunner

from perfreport.batch import find_units, output_name, run
from perfreport.manifest import NAME as MANIFEST
from perfreport.cli import cli

from conftest import EXAMPLES, MINIMAL


def invoke(*args):
    return CliRunner().invoke(cli, ["batch", *map(str, args)])


def reports(folder):
    """What a batch left in ``folder`` besides its manifest."""
    return sorted(p for p in folder.iterdir() if p.name != MANIFEST)


@pytest.fixture
def county(tmp_path):
    """Three good example units (one in a subfolder) and one bad one."""
    folder = tmp_path / "county"
    (folder / "sub").mkdir(parents=True)
    for example in EXAMPLES[:2]:
        shutil.copy(example, folder / example.name)
    shutil.copy(EXAMPLES[2], folder / "sub" / EXAMPLES[2].name)
    (folder / "sub" / "bad.yml").write_text(MINIMAL.replace("spent: 62.5", "spent: 约20万"), encoding="utf-8")
    (folder / "notes.txt").write_text("not a unit", encoding="utf-8")
    return folder


def test_good_units_written_bad_ones_located_exit_code_2(county, tmp_path):
    out = tmp_path / "out"
    result = invoke(county, "-o", out, "--jobs", 2)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert [p.name for p in reports(out)] == sorted(
        ["涞源镇-2023年度绩效自评报告.docx", "树人镇-2023年度绩效自评报告.docx", "中峰镇-2022年度绩效自评报告.docx"])
    assert f"{county / 'sub' / 'bad.yml'}:9:10: [funds.spent] 全年执行数：应为数字，实际为“约20万” [PR103 错误]" in result.stderr
    assert "生成 3，跳过 0（已是最新），失败 1" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_all_good_exit_code_0(tmp_path):
    result = invoke(*EXAMPLES, "-o", tmp_path, "--jobs", 1)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert len(list(tmp_path.glob("*.docx"))) == len(EXAMPLES)


def test_summary_workbook_numbers_are_numbers(county, tmp_path):
    summary = tmp_path / "汇总.xlsx"
    invoke(county, "-o", tmp_path / "out", "--summary", summary)
    workbook = openpyxl.load_workbook(summary)
    units = workbook["单位"]
    header = [c.value for c in units[1]]
    assert header[:10] == ["单位名称", "年度", "预算数（万元）", "执行数（万元）", "预算执行率", "项目数",
                           "自评得分", "自评等级", "警告数", "错误数"]
    rows = {row[header.index("数据文件")]: dict(zip(header, row)) for row in units.iter_rows(min_row=2, values_only=True)}
    shuren = rows[str(county / "shuren-2023.yaml")]
    assert shuren["单位名称"] == "丰都县树人镇人民政府" and shuren["年度"] == 2023
    assert shuren["预算数（万元）"] == pytest.approx(3336.96) and shuren["执行数（万元）"] == pytest.approx(3117.78)
    assert shuren["预算执行率"] == pytest.approx(3117.78 / 3336.96)
    assert shuren["项目数"] == 85 and shuren["错误数"] == 0
    assert shuren["输出文件"].endswith("树人镇-2023年度绩效自评报告.docx")
    bad = rows[str(county / "sub" / "bad.yml")]
    assert bad["错误数"] == 1 and "PR103" in bad["问题"] and bad["输出文件"] is None
    number_formats = {header[c.column - 1]: c.number_format for c in units[2]}
    assert number_formats["预算数（万元）"] == "0.00" and number_formats["预算执行率"] == "0.00%"
    assert units.freeze_panes == "A2" and units.auto_filter.ref == units.dimensions

    projects = workbook["项目"]
    project_rows = list(projects.iter_rows(min_row=2, values_only=True))
    laiyuan = [r for r in project_rows if r[0] == "涞源县涞源镇人民政府"]
    assert len(laiyuan) == 15 and laiyuan[0][2:6] == (1, "涞源镇防火经费", 2, 2)
    assert all(isinstance(r[4], (int, float)) for r in project_rows)
    assert projects[2][6].number_format == "0.00%"


def test_rerun_skips_up_to_date_outputs_and_force_renders_again(tmp_path):
    out = tmp_path / "out"
    invoke(EXAMPLES[0], "-o", out)
    (report,) = reports(out)
    os.utime(report, (1, report.stat().st_mtime + 10))
    stamp = report.stat().st_mtime
    result = invoke(EXAMPLES[0], "-o", out)
    assert result.exit_code == 0 and "跳过 1" in result.stdout and report.stat().st_mtime == stamp
    result = invoke(EXAMPLES[0], "-o", out, "--force")
    assert result.exit_code == 0 and "生成 1" in result.stdout and report.stat().st_mtime != stamp


def test_output_older_than_input_is_rendered_again(tmp_path):
    out = tmp_path / "out"
    invoke(EXAMPLES[0], "-o", out)
    (report,) = reports(out)
    os.utime(report, (1, 1))
    assert "生成 1" in invoke(EXAMPLES[0], "-o", out).stdout and report.stat().st_mtime > 1


def test_collisions_reported_and_neither_written(tmp_path):
    twin = tmp_path / "twin.yaml"
    shutil.copy(EXAMPLES[0], twin)
    out = tmp_path / "out"
    result = invoke(EXAMPLES[0], twin, "-o", out, "--jobs", 2)
    assert result.exit_code == 2
    assert result.stderr.count("PR702") == 2 and str(twin) in result.stderr and str(EXAMPLES[0]) in result.stderr
    assert not out.exists() or not list(out.glob("*.docx"))


def test_collision_does_not_replace_an_existing_report(tmp_path):
    out = tmp_path / "out"
    invoke(EXAMPLES[0], "-o", out)
    (report,) = reports(out)
    before = report.read_bytes()
    twin = tmp_path / "twin.yaml"
    shutil.copy(EXAMPLES[0], twin)
    assert invoke(EXAMPLES[0], twin, "-o", out, "--force").exit_code == 2
    assert report.read_bytes() == before and reports(out) == [report]


def test_name_pattern_separates_twins(tmp_path):
    twin = tmp_path / "twin.yaml"
    shutil.copy(EXAMPLES[0], twin)
    result = invoke(EXAMPLES[0], twin, "-o", tmp_path / "out", "--name", "{stem}-{year}")
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in reports(tmp_path / "out")] == sorted(
        [f"{EXAMPLES[0].stem}-{EXAMPLES[0].stem[-4:]}.docx", f"twin-{EXAMPLES[0].stem[-4:]}.docx"])


def test_unknown_name_field_is_a_usage_error(tmp_path):
    result = invoke(EXAMPLES[0], "-o", tmp_path, "--name", "{county}.docx")
    assert result.exit_code == 2 and "PR703" in result.stderr and "{short_name}" in result.stderr


def test_input_matching_nothing_is_reported_others_still_rendered(tmp_path):
    result = invoke(EXAMPLES[0], tmp_path / "nothing-*.yaml", "-o", tmp_path / "out")
    assert result.exit_code == 2 and "PR701" in result.stderr
    assert len(list((tmp_path / "out").glob("*.docx"))) == 1


def test_no_unit_files_at_all(tmp_path):
    result = invoke(tmp_path, "-o", tmp_path / "out")
    assert result.exit_code == 2 and "PR701" in result.stderr


def test_find_units_folders_globs_files_each_once(county):
    files, missing = find_units([county, county / "*.yaml", county / "sub" / "bad.yml"])
    assert sorted(p.name for p in files) == sorted([*(e.name for e in EXAMPLES[:3]), "bad.yml"]) and not missing


def test_run_yields_one_result_per_unit_in_process(county, tmp_path):
    files, _ = find_units([county])
    results = list(run(files, tmp_path / "out", jobs=1))
    assert sorted(r.status for r in results) == ["failed", "written", "written", "written"]
    assert all(r.output.exists() for r in results if not r.failed)
    assert not [p for p in reports(tmp_path / "out") if p.name.startswith(".")], "staging folder left behind"


def test_output_name_fields_made_safe():
    assert output_name("{short_name}/{name}", {"short_name": "a", "name": "b/c"}) == "a/b_c.docx"
