"""perfreport batch: a folder of good and bad units, the summary workbook, skipping, collisions."""
import os
import shutil

import openpyxl
import pytest
from click.testing import CliRunner

from perfreport.batch.run import find_units, output_name, run
from perfreport.batch.manifest import NAME as MANIFEST
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


def test_each_warning_is_shown_once(tmp_path):
    unit = tmp_path / "u.yaml"
    unit.write_text(MINIMAL + """\
projects:
  - name: p
    budget: 100
    spent: 62.5
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 道路里程, target: 1}
""", encoding="utf-8")
    result = invoke(unit, "-o", tmp_path / "out", "--summary", tmp_path / "s.xlsx")
    assert result.exit_code == 0, result.stdout + result.stderr
    shown = [line for line in result.stderr.splitlines() if "PR521" in line]
    assert len(shown) == 1 and shown[0].startswith(f"{unit}:15:"), result.stderr
    units = openpyxl.load_workbook(tmp_path / "s.xlsx")["单位"]
    header = [c.value for c in units[1]]
    assert units[2][header.index("警告数")].value == CliRunner().invoke(cli, ["check", str(unit)]).stdout.count("警告]")


def test_a_units_warnings_of_one_code_are_shown_twenty_then_counted(tmp_path):
    unit = tmp_path / "u.yaml"
    unit.write_text(MINIMAL + "projects:\n" + "  - {name: 重复项目, budget: 1, spent: 1}\n" * 30, encoding="utf-8")
    result = invoke(unit, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert sum(line.endswith("[PR504 警告]") for line in result.stderr.splitlines()) == 20
    assert "（另有 9 条 PR504 警告未列出；perfreport check --output-format json 可列出全部）" in result.stderr.splitlines()


def test_a_folder_of_workbooks_and_yaml(tmp_path):
    """Workbooks in a folder are unit files too; Excel's lock files and the batch's own summary are not."""
    import docx

    from perfreport.tools.excelwrite import write_workbook
    from perfreport.read.source import load_file

    folder = tmp_path / "county"
    folder.mkdir()
    shutil.copy(EXAMPLES[0], folder / EXAMPLES[0].name)
    write_workbook(load_file(EXAMPLES[1]).data, folder / "树人镇.xlsx")
    (folder / "~$树人镇.xlsx").write_bytes(b"\x0bowner\x00")  # Excel's lock file while the workbook is open
    summary = folder / "汇总.xlsx"
    for run_number in (1, 2):
        result = invoke(folder, "-o", tmp_path / "out", "--summary", summary, "--jobs", 1)
        assert result.exit_code == 0, result.stdout + result.stderr
        assert "PR60" not in result.stderr
    assert "生成 0，跳过 2（已是最新），失败 0" in result.stdout  # the summary written by run 1 is no unit
    assert sorted(p.name for p in find_units([folder])[0]) == [EXAMPLES[0].name, "树人镇.xlsx"]
    assert sorted(p.name for p in find_units([folder / "*.xlsx"])[0]) == ["树人镇.xlsx"]
    from_workbook = docx.Document(str(tmp_path / "out" / "树人镇-2023年度绩效自评报告.docx"))
    assert "丰都县树人镇人民政府" in "\n".join(p.text for p in from_workbook.paragraphs)
    rows = [r for r in openpyxl.load_workbook(summary)["单位"].iter_rows(min_row=2, values_only=True)]
    assert sorted(r[0] for r in rows) == ["丰都县树人镇人民政府", "涞源县涞源镇人民政府"]


def test_the_summary_named_is_never_a_unit(tmp_path):
    folder = tmp_path / "county"
    folder.mkdir()
    shutil.copy(EXAMPLES[0], folder / EXAMPLES[0].name)
    openpyxl.Workbook().save(folder / "old-summary.xlsx")  # e.g. written before summaries were marked
    files, _ = find_units([folder], exclude=[folder / "old-summary.xlsx"])
    assert [p.name for p in files] == [EXAMPLES[0].name]
    result = invoke(folder, "-o", tmp_path / "out", "--summary", folder / "old-summary.xlsx", "--jobs", 1)
    assert result.exit_code == 0, result.stdout + result.stderr


def test_summary_names_failed_units_and_prints_on_a4(county, tmp_path):
    (county / "broken-unit.yaml").write_text("unit: [\n", encoding="utf-8")  # cannot be read at all
    summary = tmp_path / "汇总.xlsx"
    invoke(county, "-o", tmp_path / "out", "--summary", summary)
    units = openpyxl.load_workbook(summary)["单位"]
    header = [c.value for c in units[1]]
    rows = {row[header.index("数据文件")]: dict(zip(header, row)) for row in units.iter_rows(min_row=2, values_only=True)}
    bad = rows[str(county / "sub" / "bad.yml")]  # read, but invalid: named by its data
    assert bad["单位名称"] == "测试镇人民政府" and bad["年度"] == 2023 and bad["错误数"] == 1
    broken = rows[str(county / "broken-unit.yaml")]  # unreadable: named by its file
    assert broken["单位名称"] == "broken-unit" and broken["错误数"] >= 1 and broken["警告数"] == 0
    for sheet in openpyxl.load_workbook(summary).worksheets:
        setup = sheet.page_setup
        assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "landscape", 1, 0)
        assert sheet.print_title_rows == "$1:$1" and sheet.print_area.endswith(f"${sheet.max_row}")


def test_summary_written_in_write_only_mode_keeps_layout_and_print_setup(county, tmp_path):
    """The workbook is streamed (write-only); read back, it has what the full mode gave: bold header,
    column widths, fit to one page wide, header/footer, print titles and area on both sheets."""
    summary = tmp_path / "汇总.xlsx"
    invoke(county, "-o", tmp_path / "out", "--summary", summary)
    workbook = openpyxl.load_workbook(summary)
    assert workbook.sheetnames == ["单位", "项目"] and workbook.properties.keywords == "perfreport-batch-summary"
    for sheet in workbook.worksheets:
        assert all(cell.font.b for cell in sheet[1]) and not sheet.cell(2, 1).font.b
        assert sheet.column_dimensions["A"].width == 28 and sheet.freeze_panes == "A2"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_options.gridLines
        assert sheet.oddHeader.center.text == "&A" and "&P" in sheet.oddFooter.center.text
        last = openpyxl.utils.get_column_letter(sheet.max_column)
        assert sheet.print_area.endswith(f"$A$1:${last}${sheet.max_row}")
        assert sheet.auto_filter.ref == sheet.dimensions
    projects = workbook["项目"]
    header = [c.value for c in projects[1]]
    names = {row[0] for row in workbook["单位"].iter_rows(min_row=2, values_only=True)}
    assert projects.max_row > 2 and {row[0] for row in projects.iter_rows(min_row=2, values_only=True)} <= names
    assert {c.number_format for c in projects[2]} >= {"0.00", "0.00%"}
    assert projects.cell(2, header.index("执行率") + 1).number_format == "0.00%"


# --- writing: reports synced off the workers, format files stamped once per run ---------------

def test_every_report_is_synced_before_it_is_moved_into_place(tmp_path, monkeypatch):
    from perfreport.batch import run as batching

    synced, moved = [], []
    real_fsync, real_replace = batching._fsync, os.replace
    monkeypatch.setattr(batching, "_fsync", lambda path: (synced.append(path), real_fsync(path)))
    monkeypatch.setattr(batching.os, "replace", lambda a, b: (moved.append((a in synced, b)), real_replace(a, b)))
    results = list(run(EXAMPLES[:3], tmp_path, jobs=1))
    assert [r.status for r in results] == ["written"] * 3
    assert sorted(m for m in moved if m[1].suffix == ".docx") == sorted((True, r.output) for r in results)
    assert all(r.output.is_file() for r in results)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".perfreport-batch-")]   # staging removed


def test_a_report_that_cannot_be_synced_fails_alone_and_is_not_moved(tmp_path, monkeypatch):
    import errno

    from perfreport.batch import run as batching

    calls = []

    def fsync(path):
        calls.append(path)
        if len(calls) == 1:
            raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(batching, "_fsync", fsync)
    results = list(run(EXAMPLES[:2], tmp_path, jobs=1))
    assert len(results) == 3   # each unit as written; the one whose report could not be synced again, failed
    final = {r.file: r for r in results}
    failed = [r for r in final.values() if r.failed]
    assert len(failed) == 1 and failed[0].problems[0].code == "PR401"
    assert failed[0].problems[0].location.file == str(failed[0].output)
    assert not failed[0].output.exists()
    assert len(reports(tmp_path)) == 1


def test_a_report_that_cannot_be_written_fails_located_at_its_output(tmp_path, monkeypatch):
    import errno

    from perfreport import api

    def full(report, handle):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(api, "render_into", full)
    [result] = run(EXAMPLES[:1], tmp_path, jobs=1)
    assert result.failed and result.problems[0].code == "PR401"
    written_to = result.problems[0].location.file
    assert written_to.endswith(".docx") and os.path.dirname(written_to) == str(tmp_path)
    assert reports(tmp_path) == []


def test_reports_get_the_mode_of_a_new_file(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    [result] = run(EXAMPLES[:1], tmp_path, jobs=1)
    assert result.output.stat().st_mode & 0o777 == 0o666 & ~umask


def test_format_files_are_stamped_once_per_run(tmp_path, monkeypatch):
    from perfreport.batch import manifest

    calls = []
    real = manifest.dependencies
    monkeypatch.setattr(manifest, "dependencies", lambda fmt, rules: (calls.append(fmt.name), real(fmt, rules))[1])
    first = list(run(EXAMPLES, tmp_path / "a", jobs=1))
    once = len(calls)
    assert once < len(EXAMPLES) and all(r.made_from and r.made_from["depends"] for r in first)
    list(run(EXAMPLES, tmp_path / "b", jobs=1))
    assert len(calls) == 2 * once   # a new run stamps them again
