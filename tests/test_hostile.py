"""Hostile input (issue 20): zip bombs and XML entities in workbooks and reference documents, numbers of huge
magnitude, runaway templates, markup attributes, output names leaving the output folder, a full device.

Every case must end in located Chinese problems and a non-zero exit: never a traceback, a hang, a memory
blow-up or a file outside the output folder. Limits are made small with monkeypatch where a real attack would
be slow; one real zip bomb (1 GB of zeros in 1 MB) is built to show it is refused without being inflated.
"""
from __future__ import annotations

import functools
import re
import os
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

import perfreport
from perfreport.read import package
from perfreport.cli import cli
from perfreport.errors import DataError, PerfReportError
from perfreport.tools.excelwrite import write_workbook
from perfreport.read.source import load_text

from conftest import MINIMAL

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


def refused(result, code: str, where: str = "") -> str:
    """The CLI refused with ``code``, a Chinese message located at ``where``; no traceback, non-zero exit."""
    output = result.output
    assert result.exit_code not in (0, 1, 70), output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output and "内部错误" not in output, output
    entries = []  # one per problem: its first line and the template line shown under it
    for text in output.splitlines():
        if text.startswith("    ") and entries:
            entries[-1] += "\n" + text
        else:
            entries.append(text)
    line = next((entry for entry in entries if f"[{code} " in entry), None)
    assert line is not None, output
    assert CHINESE.search(line.split(f"[{code}")[0]), line
    assert where in line, (where, line)
    return line


def problem(excinfo, code: str):
    found = [p for p in excinfo.value.problems if p.code == code]
    assert found, excinfo.value.problems
    assert CHINESE.search(found[0].message) and str(found[0].location), found[0]
    return found[0]


# --- numbers of huge magnitude ------------------------------------------------------------------------

HUGE = ["1.0e+1000000", "-1.0e+1000000", "12.5E+1000000", "1.0e+999999999", "0.1e+1002", "1.0e+1001"]


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("field", ["budget", "spent"])
def test_a_number_of_huge_magnitude_is_refused_as_read(write_unit, value, field):
    unit = write_unit(MINIMAL.replace(f"  {field}: ", f"  {field}: {value}  # "))
    result = run("render", unit, "-o", unit.parent / "out.docx")
    line = refused(result, "PR018", f"[funds.{field}]")
    assert value in line
    assert not (unit.parent / "out.docx").exists()


@pytest.mark.parametrize("value", ["1.0e+1000000", "9.9e+5000"])
def test_a_huge_number_in_a_project_or_indicator_is_refused(write_unit, value):
    unit = write_unit(MINIMAL + f"projects:\n  - name: 项目\n    budget: 10\n    spent: {value}\n")
    with pytest.raises(DataError) as exc:
        perfreport.load(unit)
    assert problem(exc, "PR018").location.path == ("projects", 0, "spent")


@pytest.mark.parametrize("value", ["1.0e+400", "1.0e+20", "1.0e-999999999"])
def test_large_numbers_below_the_magnitude_limit_keep_their_earlier_answers(write_unit, value):
    unit = write_unit(MINIMAL.replace("spent: 62.5", f"spent: {value}"))
    with pytest.raises(DataError) as exc:
        perfreport.load(unit)
    assert {p.code for p in exc.value.problems} <= {"PR108", "PR109"}


@pytest.mark.parametrize("text", ["1e+1000000", "-1E+999999", "1.5e400"])
def test_a_workbook_number_that_is_not_finite_is_located(tmp_path, text):
    book = unit_book(tmp_path)
    sheet_xml = _part_named(book, "资金情况")
    data = _read(book, sheet_xml).decode("utf-8")
    first_number = data.index("<v>100</v>")
    _rewrite(book, {sheet_xml: (data[:first_number] + f"<v>{text}</v>" + data[first_number + 10:]).encode()})
    with pytest.raises(DataError) as exc:
        perfreport.load(book)
    found = problem(exc, "PR615")
    assert found.location.sheet == "资金情况" and found.location.cell


# --- workbooks: zip bombs and XML declarations ------------------------------------------------------------

def unit_book(tmp_path) -> Path:
    return write_workbook(load_text(MINIMAL).data, tmp_path / "unit.xlsx")


SHARED = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
          b' count="1" uniqueCount="1"><si><t>&lol3;</t></si></sst>')


def _read(path: Path, name: str) -> bytes:
    """A part of the package; a workbook written by perfreport has no shared strings, Excel's has."""
    with zipfile.ZipFile(path) as z:
        return z.read(name) if name in z.namelist() or not name.endswith("sharedStrings.xml") else SHARED


def _part_named(book: Path, sheet: str) -> str:
    """The part of the sheet called ``sheet``."""
    import re
    with zipfile.ZipFile(book) as z:
        workbook = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'name="{sheet}"[^>]*r:id="(\w+)"', workbook).group(1)
    target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"', rels)
    target = target.group(1) or target.group(2)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _rewrite(path: Path, parts: dict, extra: dict | None = None) -> None:
    """Replace parts of the zip at ``path`` (name -> bytes) and add ``extra`` parts."""
    parts = dict(parts)
    with zipfile.ZipFile(path) as z:
        items = [(info, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            z.writestr(info.filename, parts.pop(info.filename, data))
        for name, data in parts.items():
            z.writestr(name, data)
        for name, data in (extra or {}).items():
            z.writestr(name, data)


def _raw_zip(path: Path, entries: list[tuple[str, bytes, int, int]]) -> None:
    """Write a zip of already deflated parts: (name, raw deflate data, crc32, uncompressed size)."""
    central, offset = b"", 0
    with open(path, "wb") as out:
        for name, data, crc, size in entries:
            encoded = name.encode("utf-8")
            head = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0x800, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
            out.write(head + encoded + data)
            central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0x800, 8, 0, 0x21, crc, len(data), size,
                                   len(encoded), 0, 0, 0, 0, 0, offset) + encoded
            offset += len(head) + len(encoded) + len(data)
        out.write(central + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), offset, 0))


def _deflated(data: bytes) -> tuple[bytes, int, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data), len(data)


@functools.lru_cache(maxsize=1)
def _zeros_bomb(gigabytes: int = 1) -> tuple[bytes, int, int]:
    """A deflate stream of ``gigabytes`` GB of zeros, about 1 MB per GB, made from 1 MB of zeros."""
    zero = bytes(1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(zero) + c.flush(zlib.Z_FULL_FLUSH)
    assert c.compress(zero) + c.flush(zlib.Z_FULL_FLUSH) == block  # a full flush makes every block alike
    count, crc = 1024 * gigabytes, 0
    for _i in range(count):
        crc = zlib.crc32(zero, crc)
    return block * count + c.flush(), crc, count << 20


def _bombed_copy(book: Path, target: Path, name: str, bomb) -> Path:
    entries = []
    with zipfile.ZipFile(book) as z:
        for info in z.infolist():
            entries.append((info.filename, *_deflated(z.read(info))) if info.filename != name else (name, *bomb))
    if name not in [entry[0] for entry in entries]:
        entries.append((name, *bomb))
    _raw_zip(target, entries)
    return target


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "sheet"])
def test_a_real_one_gigabyte_part_is_refused_without_being_inflated(tmp_path, part):
    book = unit_book(tmp_path)
    name = _part_named(book, "资金情况") if part == "sheet" else part
    bomb = _bombed_copy(book, tmp_path / "bomb.xlsx", name, _zeros_bomb())
    assert bomb.stat().st_size < 3 * 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(DataError) as exc:
            perfreport.load(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    found = problem(exc, "PR616")
    assert name in found.message and "1024 MB" in found.message and found.location.file == str(bomb)
    assert peak < 50 * 1024 * 1024  # never inflated: the part alone would be 1 GB


def test_the_cli_refuses_a_bomb_workbook_with_a_located_message(tmp_path):
    book = unit_book(tmp_path)
    bomb = _bombed_copy(book, tmp_path / "bomb.xlsx", "xl/sharedStrings.xml", _zeros_bomb())
    for command in (["check", bomb], ["render", bomb, "-o", tmp_path / "out.docx"], ["import", bomb, "-o", tmp_path / "u.yaml"]):
        refused(run(*command), "PR616", "bomb.xlsx")
    assert not (tmp_path / "out.docx").exists() and not (tmp_path / "u.yaml").exists()


@pytest.mark.parametrize("limit, ratio, code_word", [(1000, 10_000, "上限"), (10**9, 5, "压缩比")])
def test_part_size_and_compression_ratio_limits(tmp_path, monkeypatch, limit, ratio, code_word):
    book = unit_book(tmp_path)
    monkeypatch.setattr(package, "MAX_PART_BYTES", limit)
    monkeypatch.setattr(package, "MAX_RATIO", ratio)
    monkeypatch.setattr(package, "RATIO_FLOOR", 1000)
    _rewrite(book, {}, {"xl/padding.xml": b"<a>" + b" " * 200_000 + b"</a>"})
    with pytest.raises(DataError) as exc:
        perfreport.load(book)
    assert code_word in problem(exc, "PR616").message


def test_a_part_whose_header_understates_its_size_is_never_inflated_past_it(tmp_path):
    book = unit_book(tmp_path)
    data, crc, _size = _deflated(b"<a>" + b" " * (64 * 1024 * 1024) + b"</a>")
    with zipfile.ZipFile(book) as z:
        entries = [(i.filename, *_deflated(z.read(i))) for i in z.infolist()]
    entries.append(("xl/liar.xml", data, crc, 1000))  # says 1000 bytes, holds 64 MB
    _raw_zip(tmp_path / "liar.xlsx", entries)
    tracemalloc.start()
    try:
        result = run("check", tmp_path / "liar.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    refused(result, "PR602", "liar.xlsx")
    assert peak < 32 * 1024 * 1024


LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;'
          '&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
EXTERNAL = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
REMOTE = '<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd">'
COMMENTED = '<?xml version="1.0"?><!--' + os.urandom(1_500_000).hex() + '--><!DOCTYPE x [<!ENTITY e "e">]>'


def _with_doctype(xml: bytes, doctype: str, encoding: str = "utf-8") -> bytes:
    body = xml.decode("utf-8")
    body = body.split("?>", 1)[1] if body.startswith("<?xml") else body
    text = doctype.replace('version="1.0"?>', f'version="1.0" encoding="{encoding}"?>') + body
    return text.encode(encoding)


@pytest.mark.parametrize("doctype", [LAUGHS, EXTERNAL, REMOTE, COMMENTED], ids=["laughs", "external", "remote", "late"])
@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "sheet", "xl/workbook.xml", "[Content_Types].xml"])
def test_xml_declarations_in_a_workbook_are_refused_before_parsing(tmp_path, doctype, part):
    book = unit_book(tmp_path)
    name = _part_named(book, "基本信息") if part == "sheet" else part
    _rewrite(book, {name: _with_doctype(_read(book, name), doctype)})
    result = run("check", book)
    line = refused(result, "PR616", "unit.xlsx")
    assert name in line and "DOCTYPE" in line


def test_a_utf16_part_with_a_declaration_is_refused(tmp_path):
    book = unit_book(tmp_path)
    _rewrite(book, {"xl/sharedStrings.xml": _with_doctype(_read(book, "xl/sharedStrings.xml"), EXTERNAL, "utf-16")})
    with pytest.raises(DataError) as exc:
        perfreport.load(book)
    assert "sharedStrings" in problem(exc, "PR616").message


@pytest.mark.parametrize("damage", ["truncated", "bad crc", "not a zip"])
def test_a_damaged_workbook_keeps_its_earlier_answer(tmp_path, damage):
    book = unit_book(tmp_path)
    data = book.read_bytes()
    if damage == "truncated":
        book.write_bytes(data[: len(data) // 2])
    elif damage == "not a zip":
        book.write_bytes(b"hello")
    else:
        entries = []
        with zipfile.ZipFile(book) as z:
            entries = [(i.filename, *_deflated(z.read(i))) for i in z.infolist()]
        name, raw, crc, size = entries[-1]
        entries[-1] = (name, raw, crc ^ 1, size)
        _raw_zip(book, entries)
    refused(run("check", book), "PR602", "unit.xlsx")


# --- reference .docx ---------------------------------------------------------------------------------

def reference_format(tmp_path, reference: str = "reference.docx", make=True) -> Path:
    folder = tmp_path / "formats" / "county"
    folder.mkdir(parents=True)
    (folder / "format.yml").write_text(f"description: 测试\nextends: standard\nreference: {reference}\n", encoding="utf-8")
    if make:
        docx.Document().save(folder / "reference.docx")
    return folder


def render_with(tmp_path, write_unit):
    unit = write_unit()
    return run("render", unit, "-o", tmp_path / "out" / "r.docx", "--format", "county", "--template-dir", tmp_path / "formats")


def _reference_footer(ref: Path) -> str:
    """Give the reference .docx a footer with text; the name of the footer's part."""
    document = docx.Document(str(ref))
    document.sections[0].footer.paragraphs[0].text = "页脚"
    document.save(ref)
    with zipfile.ZipFile(ref) as z:
        return next(n for n in z.namelist() if n.startswith("word/footer"))


def test_a_plain_reference_is_still_used(tmp_path, write_unit):
    reference_format(tmp_path)
    result = render_with(tmp_path, write_unit)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("doctype", [LAUGHS, EXTERNAL, REMOTE], ids=["laughs", "external", "remote"])
@pytest.mark.parametrize("part", ["word/styles.xml", "word/document.xml", "word/settings.xml", "footer"])
def test_xml_declarations_in_a_reference_are_refused(tmp_path, write_unit, doctype, part):
    folder = reference_format(tmp_path)
    ref = folder / "reference.docx"
    if part == "footer":
        part = _reference_footer(ref)
    _rewrite(ref, {part: _with_doctype(_read(ref, part), doctype)})
    line = refused(render_with(tmp_path, write_unit), "PR209", "format.yml:3")
    assert part in line
    assert not (tmp_path / "out" / "r.docx").exists()


RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


@pytest.mark.parametrize("kind, target", [
    ("oleObject", "http://127.0.0.1:9/x.bin"), ("image", "file:///etc/passwd"), ("subDocument", "\\\\server\\share\\a.docx"),
    ("frame", "http://127.0.0.1:9/frame.html"), ("aFChunk", "http://127.0.0.1:9/chunk.htm")])
def test_external_relationships_in_a_reference_are_refused_never_fetched(tmp_path, write_unit, kind, target):
    ref = reference_format(tmp_path) / "reference.docx"
    rels = _read(ref, "word/_rels/document.xml.rels").decode()
    extra = f'<Relationship Id="rIdEvil" Type="{RELS}{kind}" Target="{target}" TargetMode="External"/>'
    _rewrite(ref, {"word/_rels/document.xml.rels": rels.replace("</Relationships>", extra + "</Relationships>").encode()})
    line = refused(render_with(tmp_path, write_unit), "PR209", "format.yml:3")
    assert kind in line and "外部" in line


def test_an_attached_template_is_removed_and_a_hyperlink_kept(tmp_path, write_unit):
    ref = reference_format(tmp_path) / "reference.docx"
    settings = _read(ref, "word/settings.xml").decode()
    settings = settings.replace("<w:zoom", '<w:attachedTemplate r:id="rIdTpl"/><w:zoom', 1)
    if "xmlns:r=" not in settings.split(">", 2)[1]:
        settings = settings.replace("<w:settings ", f'<w:settings xmlns:r="{RELS[:-1]}" ', 1)
    rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rIdTpl" Type="{RELS}attachedTemplate" Target="file:///C:/Users/a/countytpl.dotm" TargetMode="External"/>'
            f'</Relationships>')
    _rewrite(ref, {"word/settings.xml": settings.encode()}, {"word/_rels/settings.xml.rels": rels.encode()})
    result = render_with(tmp_path, write_unit)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "out" / "r.docx") as z:
        everything = b"".join(z.read(n) for n in z.namelist())
    assert b"countytpl" not in everything and b"attachedTemplate" not in everything


@pytest.mark.parametrize("macro", ["word/vbaProject.bin", "word/vbaData.xml", "content type"])
def test_macros_in_a_reference_are_refused(tmp_path, write_unit, macro):
    ref = reference_format(tmp_path) / "reference.docx"
    if macro == "content type":
        types = _read(ref, "[Content_Types].xml").decode().replace(
            "wordprocessingml.document.main+xml", "ms-word.document.macroEnabled.main+xml").replace(
            "application/vnd.openxmlformats-officedocument.ms-word", "application/vnd.ms-word")
        _rewrite(ref, {"[Content_Types].xml": types.encode()})
    else:
        _rewrite(ref, {}, {macro: b"<x/>" if macro.endswith(".xml") else b"\xd0\xcf\x11\xe0macro"})
    line = refused(render_with(tmp_path, write_unit), "PR209", "format.yml:3")
    assert "宏" in line


def test_a_one_gigabyte_part_in_a_reference_is_refused(tmp_path, write_unit):
    ref = reference_format(tmp_path) / "reference.docx"
    _bombed_copy(ref, ref, "word/styles.xml", _zeros_bomb())
    line = refused(render_with(tmp_path, write_unit), "PR209", "format.yml:3")
    assert "word/styles.xml" in line


@pytest.mark.parametrize("key, value", [
    ("reference", "../outside.docx"), ("reference", "../../outside.docx"), ("reference", "/etc/passwd"),
    ("reference", "sub/../../outside.docx"), ("style", "../style.yml"), ("rules", "../rules.yml"),
    ("reference", "link.docx")])
def test_files_named_by_format_yml_stay_in_the_format_folder(tmp_path, write_unit, key, value):
    folder = reference_format(tmp_path, make=False)
    docx.Document().save(tmp_path / "formats" / "outside.docx")
    docx.Document().save(tmp_path / "outside.docx")
    (tmp_path / "formats" / "style.yml").write_text("body: {}\n", encoding="utf-8")
    (tmp_path / "formats" / "rules.yml").write_text("name: x\n", encoding="utf-8")
    (folder / "link.docx").symlink_to(tmp_path / "outside.docx")
    (folder / "format.yml").write_text(f"description: 测试\nextends: standard\n{key}: {value}\n", encoding="utf-8")
    line = refused(render_with(tmp_path, write_unit), "PR208", "format.yml:3")
    assert value in line and "格式文件夹" in line


# --- templates: runaway output, loops, recursion --------------------------------------------------------

def evil_format(tmp_path, blocks: str) -> Path:
    from conftest import standard_with
    return standard_with(tmp_path, "evil", blocks)


def render_evil(tmp_path, write_unit, blocks: str):
    evil_format(tmp_path, blocks)
    unit = write_unit()
    out = tmp_path / "out" / "r.docx"
    result = run("render", unit, "-o", out, "--format", "evil", "--template-dir", tmp_path / "formats")
    assert not out.exists()
    return result


def runaway(tmp_path, write_unit, body: str) -> str:
    """Render ``body`` on line 3 of a format's template; the PR309 problem naming that line."""
    return refused(render_evil(tmp_path, write_unit, "{% block title %}\n" + body + "\n{% endblock %}"), "PR309", "report.xml.j2:3")


RUNAWAY = {
    "repeat": ("{{ 'x' * 1000000000 }}", "上限 10000000"),
    "repeat a variable": ("{% set n = 1000000000 %}{{ '树' * n }}", "上限 10000000"),
    "repeat a list": ("{{ [1, 2] * 1000000000 }}", "上限 10000000"),
    "repeat reversed": ("{{ 1000000000 * 'x' }}", "上限 10000000"),
    "center filter": ("{{ 'x'|center(1000000000) }}", "上限 10000000"),
    "center method": ("{{ 'x'.center(1000000000) }}", "上限 10000000"),
    "ljust": ("{{ 'x'.ljust(10 ** 9) }}", "上限 10000000"),
    "zfill": ("{{ '1'.zfill(10 ** 9) }}", "上限 10000000"),
    "expandtabs": ("{{ '\\t'.expandtabs(10 ** 9) }}", "上限 10000000"),
    "percent width": ("{{ '%1000000000d' % 1 }}", "上限 10000000"),
    "percent star": ("{{ '%*d' % (1000000000, 1) }}", "上限 10000000"),
    "format width": ("{{ '{:>1000000000}'.format(1) }}", "上限 10000000"),
    "format nested width": ("{{ '{:>{w}}'.format(1, w=1000000000) }}", "上限 10000000"),
    "format filter": ("{{ '%1000000000d'|format(1) }}", "上限 10000000"),
    "indent": ("{{ 'a\\nb'|indent(1000000000) }}", "上限 10000000"),
    "replace method": ("{% set a = 'a' * 1000000 %}{{ a.replace('a', a) }}", "上限 10000000"),
    "replace filter": ("{% set a = 'a' * 1000000 %}{{ a|replace('a', a) }}", "上限 10000000"),
    "slice": ("{{ [1]|slice(1000000000)|list }}", "上限 10000000"),
    "percent width after a key": ("{{ '%(a)1000000000s' % {'a': 1} }}", "上限 10000000"),
    "join filter": ("{% set x = 'x' * 9000000 %}{{ range(100000)|join(x) }}", "上限 10000000"),
    "join method": ("{% set x = 'x' * 9000000 %}{{ x.join(range(100000)|list) }}", "上限 10000000"),
    "lipsum": ("{{ lipsum(1000000000) }}", "上限 10000000"),
    "doubling with ~": ("{% set ns = namespace(a='x') %}{% for i in range(100) %}{% set ns.a = ns.a ~ ns.a %}{% endfor %}", "上限 10000000"),
    "doubling with +": ("{% set ns = namespace(a='x') %}{% for i in range(100) %}{% set ns.a = ns.a + ns.a %}{% endfor %}", "上限 10000000"),
    "doubling a list": ("{% set l = [1] %}{% for i in range(100) %}{{ l.extend(l) }}{% endfor %}", "上限 10000000"),
    "doubling in a macro": ("{% macro m(s) %}{{ m(s ~ s) }}{% endmacro %}{{ m('x') }}", "上限 10000000"),
}


RUNAWAY.update({
    "power": ("{{ 10 ** (10 ** 10) }}", "乘方"),
    "power of two": ("{{ 2 ** 1000000000 }}", "乘方"),
    "power of a variable": ("{% set n = 10 ** 5 %}{{ 7 ** n }}", "乘方"),
    "int squared again and again": (
        "{% set ns = namespace(a=3) %}{% for i in range(64) %}{% set ns.a = ns.a * ns.a %}{% endfor %}", "乘积"),
    "fraction squared again and again": (
        "{% set ns = namespace(a=figures.execution_rate) %}{% for i in range(64) %}{% set ns.a = ns.a * ns.a %}{% endfor %}", "乘积"),
    "macro calls itself": ("{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(1) }}", "50 层"),
    "two macros call each other": ("{% macro a() %}{{ b() }}{% endmacro %}{% macro b() %}{{ a() }}{% endmacro %}{{ a() }}", "50 层"),
    "call block calls itself": (
        "{% macro m() %}{{ caller() }}{% call m() %}x{% endcall %}{% endmacro %}{% call m() %}y{% endcall %}", "50 层"),
    "recursive loop without end": ("{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}", "50 层"),
})


@pytest.mark.parametrize("body, words", RUNAWAY.values(), ids=RUNAWAY.keys())
def test_runaway_templates_are_refused_at_their_line_before_the_cost(tmp_path, write_unit, body, words):
    assert words in runaway(tmp_path, write_unit, body)


LOOPS = {
    "nested ranges": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "nested over data": "{% for i in range(100000) %}{% for k in unit %}{% for j in range(100000) %}{% endfor %}{% endfor %}{% endfor %}",
    "loop with loop variable": "{% for i in range(100000) %}{% for j in range(100000) %}{{ loop.index if false }}{% endfor %}{% endfor %}",
    "filtered loop": "{% for i in range(100000) if i >= 0 %}{% for j in range(100000) if j < 0 %}{% endfor %}{% endfor %}",
}


@pytest.mark.parametrize("body", LOOPS.values(), ids=LOOPS.keys())
def test_loops_past_the_step_limit_are_refused(tmp_path, write_unit, monkeypatch, body):
    from perfreport.templating import jinja as templating
    monkeypatch.setattr(templating, "MAX_STEPS", 200_000)
    line = runaway(tmp_path, write_unit, body)
    assert "循环步数" in line and "200000" in line


def test_the_step_limit_is_per_render_not_per_process(tmp_path, write_unit, monkeypatch):
    from perfreport.templating import jinja as templating
    monkeypatch.setattr(templating, "MAX_STEPS", 30_000)
    evil_format(tmp_path, "{% block title %}{% for i in range(20000) %}{% endfor %}{% endblock %}")
    unit = write_unit()
    for n in range(3):
        perfreport.render(unit, tmp_path / f"r{n}.docx", format="evil", template_dirs=[tmp_path / "formats"])


def test_a_block_calling_itself_is_refused(tmp_path, write_unit):
    refused(render_evil(tmp_path, write_unit, "{% block title %}{{ self.title() }}{% endblock %}"), "PR309", "report.xml.j2:2")


def test_a_template_including_itself_is_refused(tmp_path, write_unit):
    line = refused(render_evil(tmp_path, write_unit, '{% block title %}{% include "report.xml.j2" %}{% endblock %}'),
                   "PR309", ".j2:")
    assert "嵌套过深" in line


@pytest.mark.parametrize("size", [1000, 100_000])
def test_output_past_the_limit_is_stopped_at_the_template_line(tmp_path, write_unit, monkeypatch, size):
    from perfreport.templating import jinja as templating
    monkeypatch.setattr(templating, "MAX_OUTPUT", size)
    body = "{% block title %}\n{% for i in range(100000) %}\nxxxxxxxxxx\n{% endfor %}\n{% endblock %}"
    line = refused(render_evil(tmp_path, write_unit, body), "PR309", "report.xml.j2")
    assert str(size) in line and "过长" in line


def test_the_limits_leave_real_formats_alone(rendered):
    assert all(path.stat().st_size for path in rendered.values())


# --- markup: closing the report early, junk after the root, attribute values ---------------------------

@pytest.mark.parametrize("body", ["</report>", "</report><p>多余</p>", "</report>x", "</report><report>",
                                  "</report><!-- c --><p/>"])
def test_markup_that_closes_the_report_early_is_refused(tmp_path, write_unit, body):
    line = refused(render_evil(tmp_path, write_unit, "{% block title %}" + body + "{% endblock %}"), "PR306", "report.xml.j2")
    assert "</report> 之后还有内容" in line


def test_comments_and_blanks_after_the_root_are_fine(tmp_path, write_unit):
    folder = evil_format(tmp_path, "")
    (folder / "report.xml.j2").write_text('{% extends "standard/report.xml.j2" %}{% block title %}{{ super() }}{% endblock %}',
                                          encoding="utf-8")
    standard = (Path(perfreport.__file__).parent / "templates" / "standard" / "report.xml.j2").read_text(encoding="utf-8")
    assert standard.rstrip().endswith("</report>")
    unit = write_unit()
    assert perfreport.render(unit, tmp_path / "ok.docx", format="evil", template_dirs=[tmp_path / "formats"]).exists()


TABLE = '<table widths="{widths}"><tr><td{attributes}>a</td><td>b</td></tr></table>'
BAD_ATTRIBUTES = [
    ("widths", "0,1", ""), ("widths", "NaN,1", ""), ("widths", "-1,2", ""), ("widths", "inf,1", ""), ("widths", "1e400,1", ""),
    ("widths", ",", ""), ("widths", "1,,2", ""), ("widths", "0.0,1", ""), ("widths", "1,2" + ",1" * 70, ""), ("widths", "１,2", ""),
    ("colspan", "1,1", ' colspan="100000000"'), ("colspan", "1,1", ' colspan="0"'), ("colspan", "1,1", ' colspan="-1"'),
    ("colspan", "1,1", ' colspan="²"'), ("colspan", "1,1", ' colspan="64"'), ("colspan", "1,1", ' colspan="1.5"'),
    ("rowspan", "1,1", ' rowspan="0"'), ("rowspan", "1,1", ' rowspan="100000000"'), ("rowspan", "1,1", ' rowspan="x"'),
    ("align", "1,1", ' align="middle"'),
]


@pytest.mark.parametrize("name, widths, attributes", BAD_ATTRIBUTES)
def test_bad_table_attributes_are_refused_with_the_rendered_line(tmp_path, write_unit, name, widths, attributes):
    body = "{% block title %}\n" + TABLE.format(widths=widths, attributes=attributes) + "\n{% endblock %}"
    line = refused(render_evil(tmp_path, write_unit, body), "PR307", "report.xml.j2")
    assert f"属性 {name}=" in line and "渲染结果第 2 行" in line


@pytest.mark.parametrize("markup", ['<p align="top">x</p>', '<h1 numbered="nein">x</h1>', '<p indent="-5">x</p>',
                                    '<table split="maybe"><tr><td>a</td></tr></table>',
                                    '<attachment number="1" title="t" orientation="sideways"><p>x</p></attachment>',
                                    '<attachment number="1" title="t"><table widths="0"><tr><td>a</td></tr></table></attachment>'])
def test_other_attribute_values_are_checked(tmp_path, write_unit, markup):
    refused(render_evil(tmp_path, write_unit, "{% block title %}" + markup + "{% endblock %}"), "PR307", "report.xml.j2")


def test_ordinary_template_expressions_are_untouched(tmp_path, write_unit):
    body = ("{% block title %}<title>{{ ['a', 'b']|join('、') }}{{ '-'.join(['c', 'd']) }}{{ 'e' ~ 1 ~ 'f' }}{{ 'g' + 'h' }}"
            "{{ 'i' * 3 }}{{ '%05.1f' % 2.5 }}{{ '{:>4}'.format('j') }}{{ 'k'|center(5) }}{{ 2 ** 10 }}</title>{% endblock %}")
    evil_format(tmp_path, body)
    out = perfreport.render(write_unit(), tmp_path / "ok.docx", format="evil", template_dirs=[tmp_path / "formats"])
    text = docx.Document(str(out)).paragraphs[0].text
    assert text == "a、bc-de1fghiii002.5   j  k  1024"


def test_good_attributes_still_render(tmp_path, write_unit):
    body = "{% block title %}" + TABLE.format(widths="1, 2.5", attributes=' align="right" colspan="1" rowspan="1"') + "{% endblock %}"
    evil_format(tmp_path, body)
    assert perfreport.render(write_unit(), tmp_path / "ok.docx", format="evil", template_dirs=[tmp_path / "formats"]).exists()


# --- output names ------------------------------------------------------------------------------------

def batch(*args):
    return run("batch", *args)


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("pattern", ["../{short_name}", "../../x/{year}", "{year}/../../{short_name}", "/tmp/{short_name}",
                                     "//server/{short_name}", "C:/{short_name}", "c:{short_name}", "..\\\\{short_name}",
                                     "a/../../{short_name}", ".."])
def test_a_name_pattern_leaving_the_output_folder_is_refused_before_any_unit(tmp_path, write_unit, pattern):
    unit = write_unit()
    result = batch(unit, "-o", tmp_path / "out", "--name", pattern)
    line = refused(result, "PR703", "[--name]")
    assert "输出文件夹之外" in line
    assert not (tmp_path / "out").exists() or files_under(tmp_path / "out") == []
    assert not list(tmp_path.parent.glob("测试镇*"))


@pytest.mark.parametrize("pattern", ["{short_name:>1000000000}", "{short_name:1000}", "{name:{year}}", "{short_name:.>256}",
                                     "{year:0300}", "报" * 90 + "{year}", "x" * 300 + "/{year}"])
def test_a_name_pattern_with_a_huge_width_is_refused(tmp_path, write_unit, pattern):
    result = batch(write_unit(), "-o", tmp_path / "out", "--name", pattern)
    refused(result, "PR703", "[--name]")


@pytest.mark.parametrize("pattern", ["{short_name:>10}", "{year}/{short_name}", "报告/{stem}-{year}", "./{short_name}"])
def test_good_name_patterns_still_work(tmp_path, write_unit, pattern):
    result = batch(write_unit(), "-o", tmp_path / "out", "--name", pattern)
    assert result.exit_code == 0, result.output
    written = [p for p in files_under(tmp_path / "out") if p.endswith(".docx")]
    assert len(written) == 1 and not written[0].startswith("..")


SHORT_NAMES = {"dot dot": "..", "slash": "a/b", "dot dot slash": "../../逃逸", "backslash": "..\\\\..\\\\逃逸",
               "absolute": "/etc/逃逸", "dot": "."}


@pytest.mark.parametrize("short", SHORT_NAMES.values(), ids=SHORT_NAMES.keys())
@pytest.mark.parametrize("pattern", ["{short_name}/{year}", "{short_name}", "x/{short_name}/{short_name}"])
def test_a_unit_name_with_dots_or_slashes_stays_in_the_output_folder(tmp_path, write_unit, short, pattern):
    unit = write_unit(MINIMAL.replace("short_name: 测试镇", f'short_name: "{short}"'))
    out = tmp_path / "deep" / "out"
    result = batch(unit, "-o", out, "--name", pattern)
    assert "Traceback" not in result.output and "内部错误" not in result.output, result.output
    inside = files_under(out) if out.exists() else []
    outside = [p for p in files_under(tmp_path) if p.endswith(".docx") and not p.startswith("deep/out/")]
    assert outside == []
    if result.exit_code == 0:
        assert [p for p in inside if p.endswith(".docx")]
    else:
        refused(result, "PR704", "unit.yaml")
        assert [p for p in inside if p.endswith(".docx")] == []


@pytest.mark.parametrize("field, length", [("short_name", 100), ("name", 200), ("short_name", 86)])
def test_a_name_longer_than_the_file_system_allows_fails_the_unit_clearly(tmp_path, write_unit, field, length):
    text = MINIMAL.replace("short_name: 测试镇", "short_name: " + "镇" * length) if field == "short_name" else \
        MINIMAL.replace("name: 测试镇人民政府", "name: " + "府" * length)
    unit = write_unit(text)
    pattern = "{short_name}" if field == "short_name" else "{name}"
    result = batch(unit, "-o", tmp_path / "out", "--name", pattern)
    line = refused(result, "PR704", "unit.yaml")
    assert "过长" in line and "255" in line
    assert [p for p in files_under(tmp_path / "out") if p.endswith(".docx")] == []


def test_one_bad_name_fails_only_its_unit(tmp_path, write_unit):
    good = write_unit(name="good.yaml")
    bad = write_unit(MINIMAL.replace("short_name: 测试镇", "short_name: " + "镇" * 100), name="bad.yaml")
    result = batch(good, bad, "-o", tmp_path / "out", "--name", "{stem}-{short_name}")
    refused(result, "PR704", "bad.yaml")
    assert [p for p in files_under(tmp_path / "out") if p.endswith(".docx")] == ["good-测试镇.docx"]


# --- import/export over unrelated files; a full device -----------------------------------------------------

@pytest.fixture
def workbook(tmp_path):
    return unit_book(tmp_path)


@pytest.mark.parametrize("content", [b"my notes", b"\x89PNG\r\n\x1a\n....", b"unit:\n  name: hand written\n",
                                     b"# a comment\nyear: 2023\n"])
def test_import_over_an_unrelated_file_refuses_without_force(tmp_path, workbook, content):
    target = tmp_path / "notes.yaml"
    target.write_bytes(content)
    line = refused(run("import", workbook, "-o", target), "PR406", "notes.yaml")
    assert "--force" in line and target.read_bytes() == content
    assert run("import", workbook, "-o", target, "--force").exit_code == 0
    assert target.read_bytes() != content


def test_import_over_its_own_earlier_output_or_an_empty_file_is_fine(tmp_path, workbook):
    target = tmp_path / "unit.yaml"
    assert run("import", workbook, "-o", target).exit_code == 0
    assert run("import", workbook, "-o", target).exit_code == 0
    empty = tmp_path / "empty.yaml"
    empty.write_bytes(b"")
    assert run("import", workbook, "-o", empty).exit_code == 0


@pytest.mark.parametrize("existing", ["text", "docx", "folder"])
def test_export_over_something_that_is_not_a_workbook_refuses(tmp_path, write_unit, existing):
    target = tmp_path / "book.xlsx"
    if existing == "text":
        target.write_text("not a workbook", encoding="utf-8")
    elif existing == "docx":
        docx.Document().save(target)
    else:
        target.mkdir()
    result = run("export", write_unit(), "-o", target)
    refused(result, "PR405" if existing == "folder" else "PR406", "book.xlsx")


def _full_device(monkeypatch, after: int = 0):
    """Every file written through write_atomic fails with ENOSPC after ``after`` bytes."""
    import errno
    import os as _os

    real = _os.fdopen

    class Full:
        def __init__(self, handle):
            self.handle, self.written = handle, 0

        def write(self, data):
            if self.written + len(data) > after:
                raise OSError(errno.ENOSPC, "No space left on device")
            self.written += len(data)
            return self.handle.write(data)

        def __getattr__(self, name):
            return getattr(self.handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)

    monkeypatch.setattr("perfreport.write.os.fdopen", lambda fd, mode: Full(real(fd, mode)))


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # openpyxl leaves its ZipFile to the collector
@pytest.mark.parametrize("after", [0, 100])
@pytest.mark.parametrize("command", ["render", "import", "export", "new yaml", "new xlsx", "formats init"])
def test_a_full_device_fails_cleanly_with_nothing_left(tmp_path, write_unit, workbook, monkeypatch, command, after):
    unit = write_unit()
    out = tmp_path / "out"
    out.mkdir()
    before = files_under(tmp_path)
    args = {"render": ["render", unit, "-o", out / "r.docx"], "import": ["import", workbook, "-o", out / "u.yaml"],
            "export": ["export", unit, "-o", out / "u.xlsx"], "new yaml": ["new", out / "n.yaml"],
            "new xlsx": ["new", out / "n.xlsx"], "formats init": ["formats", "init", "县格式", "--dir", out]}[command]
    _full_device(monkeypatch, after)
    line = refused(run(*args), "PR401", str(out))
    assert "磁盘空间不足" in line
    assert files_under(tmp_path) == before
    assert [p for p in out.rglob("*") if p.is_file()] == []


def test_a_full_device_during_a_batch_leaves_no_report_and_no_staging(tmp_path, write_unit, monkeypatch):
    units = [write_unit(name=f"u{i}.yaml") for i in range(2)]
    _full_device(monkeypatch, 0)
    result = batch(*units, "-o", tmp_path / "out", "-j", "1")
    refused(result, "PR401", "")
    left = files_under(tmp_path / "out")
    assert [p for p in left if p.endswith(".docx") or ".perfreport-batch-" in p] == []


@pytest.mark.parametrize("command", ["render", "import", "export", "new"])
@pytest.mark.parametrize("folders", ["", "a/b/"])
def test_an_output_name_too_long_for_the_file_system_is_a_clear_error(tmp_path, write_unit, workbook, command, folders):
    unit = write_unit()
    suffix = {"render": ".docx", "import": ".yaml", "export": ".xlsx", "new": ".xlsx"}[command]
    target = tmp_path / "out" / (folders + "报" * 100 + suffix)
    (tmp_path / "out").mkdir()
    args = {"render": ["render", unit, "-o", target], "import": ["import", workbook, "-o", target],
            "export": ["export", unit, "-o", target], "new": ["new", target]}[command]
    line = refused(run(*args), "PR401", "报报报")
    assert "文件名太长" in line
    assert list((tmp_path / "out").iterdir()) == []  # not even the folders a/b


def test_a_bomb_among_batch_inputs_fails_alone(tmp_path, write_unit):
    good = write_unit(name="good.yaml")
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    good.rename(inputs / "good.yaml")
    book = unit_book(tmp_path)
    _bombed_copy(book, inputs / "bomb.xlsx", "docProps/core.xml", _zeros_bomb())
    tracemalloc.start()
    try:
        result = batch(inputs, "-o", tmp_path / "out", "-j", "1")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    refused(result, "PR616", "bomb.xlsx")
    assert [p for p in files_under(tmp_path / "out") if p.endswith(".docx")] == ["测试镇-2023年度绩效自评报告.docx"]
    assert peak < 64 * 1024 * 1024


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.dat", "customXml/item1", "xl/media/x.svg"])
def test_a_declaration_in_a_part_with_any_name_is_refused(tmp_path, part):
    book = unit_book(tmp_path)
    _rewrite(book, {}, {part: EXTERNAL.encode() + b"<x>&xxe;</x>"})
    with pytest.raises(DataError) as exc:
        perfreport.load(book)
    assert part in problem(exc, "PR616").message


def test_pictures_are_not_mistaken_for_xml(tmp_path):
    book = unit_book(tmp_path)
    _rewrite(book, {}, {"xl/media/image1.png": b"\x89PNG<!DOCTYPE looks like text"})
    assert perfreport.load(book).unit["unit"]["short_name"] == "测试镇"


@pytest.mark.parametrize("declaration", ['<!DOCTYPE report [<!ENTITY a "aaaa">]>', '<!DOCTYPE report SYSTEM "http://127.0.0.1:9/x">',
                                         '<!ENTITY x SYSTEM "file:///etc/passwd">'])
def test_markup_may_not_declare_entities(tmp_path, write_unit, declaration):
    folder = evil_format(tmp_path, "")
    standard = (Path(perfreport.__file__).parent / "templates" / "standard" / "report.xml.j2").read_text(encoding="utf-8")
    start = standard.index("<report")
    (folder / "report.xml.j2").write_text(standard[:start] + declaration + standard[start:], encoding="utf-8")
    for name in ("macros.xml.j2",):
        source = Path(perfreport.__file__).parent / "templates" / "standard" / name
        if source.exists():
            (folder / name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    unit = write_unit()
    line = refused(run("render", unit, "-o", tmp_path / "r.docx", "--format", "evil", "--template-dir", tmp_path / "formats"),
                   "PR306", "report.xml.j2")
    assert "<!" in line and not (tmp_path / "r.docx").exists()


# --- workbooks: far cells, huge merges, too many cells -------------------------------------------------

def _edit_sheet(book: Path, sheet: str, edit) -> None:
    name = _part_named(book, sheet)
    _rewrite(book, {name: edit(_read(book, name).decode("utf-8")).encode("utf-8")})


def _table_sheet() -> str:
    from perfreport.schema.workbook import layout
    return next(s.name for s in layout() if s.kind == "table")


FAR = '<row r="{row}"><c r="{cell}" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'


@pytest.mark.parametrize("sheet", ["基本信息", "table"])
@pytest.mark.parametrize("row, cell, too_far", [(1048576, "XFD1048576", True), (300000, "Z300000", True), (5, "XFD5", False),
                                                (60, "CV60", False)])
def test_a_cell_far_away_is_located_not_a_hang(tmp_path, sheet, row, cell, too_far):
    book = unit_book(tmp_path)
    sheet = _table_sheet() if sheet == "table" else sheet
    far = FAR.format(row=row, cell=cell)
    _edit_sheet(book, sheet, lambda xml: xml.replace("</sheetData>", far).replace("<sheetData/>", "<sheetData>" + far))
    try:
        perfreport.load(book)
        found = []
    except DataError as exc:
        found = [p for p in exc.problems if p.code == "PR617"]
    assert bool(found) == too_far
    if found:
        assert found[0].location.sheet == sheet and found[0].location.cell == cell and CHINESE.search(found[0].message)


@pytest.mark.parametrize("ref", ["A1:XFD1048576", "A200:Z100000", "B2:B1000002"])
def test_a_huge_merged_range_is_refused_before_openpyxl_makes_its_cells(tmp_path, ref):
    book = unit_book(tmp_path)
    merge = f'<mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>'
    _edit_sheet(book, "基本信息", lambda xml: xml.replace("</sheetData>", "</sheetData>" + merge, 1))
    result = run("check", book)
    assert "合并" in refused(result, "PR616", "unit.xlsx")


@pytest.mark.parametrize("what", ["cells", "shared strings"])
def test_too_many_cells_or_shared_strings_are_refused(tmp_path, monkeypatch, what):
    monkeypatch.setattr(package, "MAX_CELLS", 500)
    book = unit_book(tmp_path)
    if what == "cells":
        rows = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="B{r}"><v>2</v></c></row>' for r in range(100, 400))
        _edit_sheet(book, _table_sheet(), lambda xml: xml.replace("</sheetData>", rows + "</sheetData>"))
    else:
        strings = "<si><t>x</t></si>" * 600
        _rewrite(book, {"xl/sharedStrings.xml": SHARED.replace(b"<si><t>&lol3;</t></si>", strings.encode())})
    with pytest.raises(DataError) as exc:
        perfreport.load(book)
    assert "500" in problem(exc, "PR616").message


def test_cells_split_across_read_chunks_are_counted_once(tmp_path, monkeypatch):
    monkeypatch.setattr(package, "_CHUNK", 7)
    monkeypatch.setattr(package, "MAX_CELLS", 10**6)
    book = unit_book(tmp_path)
    counts = {"cells": 0, "merged": 0}
    with zipfile.ZipFile(book) as z:
        for info in z.infolist():
            package._scan(z, info, macros=False, external=False, counts=counts)
        expected = sum(len(package._CELL.findall(z.read(i))) for i in z.infolist())
    assert counts["cells"] == expected > 0


@pytest.mark.parametrize("size, refused_", [(32_767, False), (32_768, True), (300_000, True)])
def test_cell_text_longer_than_excel_allows_is_located(tmp_path, size, refused_):
    book = unit_book(tmp_path)
    long = "长" * size
    name = "".join(f"&#{ord(ch)};" for ch in "测试镇人民政府")  # as openpyxl writes it
    _edit_sheet(book, "单位信息", lambda xml: xml.replace(f"<t>{name}</t>", f"<t>{long}</t>", 1))
    try:
        data = perfreport.load(book).unit
        found = []
    except DataError as exc:
        data, found = None, [p for p in exc.problems if p.code == "PR619"]
    assert bool(found) == refused_
    if found:
        assert found[0].location.sheet == "单位信息" and found[0].location.path == ("unit", "name")
    else:
        assert data["unit"]["name"] == long


@pytest.mark.parametrize("template", [
    '{% extends "evil/report.xml.j2" %}',
    '{% extends "standard/report.xml.j2" %}{% import "evil/report.xml.j2" as x %}',
    '{% extends "standard/report.xml.j2" %}{% block title %}' + "{% if true %}" * 500 + "x" + "{% endif %}" * 500 + "{% endblock %}",
    '{% extends "standard/report.xml.j2" %}{% block title %}{{ ' + "(" * 1000 + "1" + ")" * 1000 + " }}{% endblock %}",
], ids=["extends itself", "imports itself", "500 nested ifs", "1000 nested brackets"])
def test_templates_nesting_without_end_are_refused(tmp_path, write_unit, template):
    folder = evil_format(tmp_path, "")
    (folder / "report.xml.j2").write_text(template, encoding="utf-8")
    out = tmp_path / "r.docx"
    result = run("render", write_unit(), "-o", out, "--format", "evil", "--template-dir", tmp_path / "formats")
    assert "嵌套过深" in refused(result, "PR309", "report.xml.j2")
    assert not out.exists()


def _footer_with_field(tmp_path, instruction: str) -> str:
    """A county format whose reference .docx has a footer holding the field ``instruction``; the footer's part."""
    ref = reference_format(tmp_path) / "reference.docx"
    footer = _reference_footer(ref)
    field = f'<w:fldSimple w:instr="{instruction}"><w:r><w:t>x</w:t></w:r></w:fldSimple>'
    _rewrite(ref, {footer: _read(ref, footer).decode().replace("<w:r>", field + "<w:r>", 1).encode()})
    return footer


@pytest.mark.parametrize("instruction", ['INCLUDEPICTURE "http://127.0.0.1:9/x.png" \\\\d', 'INCLUDETEXT "C:\\\\secret.docx"',
                                         'DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc"', 'includetext "x"'])
def test_fields_that_fetch_in_a_reference_footer_are_refused(tmp_path, write_unit, instruction):
    footer = _footer_with_field(tmp_path, instruction)
    line = refused(render_with(tmp_path, write_unit), "PR209", "format.yml:3")
    assert footer in line and instruction.split()[0].upper() in line


def test_a_page_field_in_a_reference_footer_is_fine(tmp_path, write_unit):
    _footer_with_field(tmp_path, " PAGE ")
    assert render_with(tmp_path, write_unit).exit_code == 0


@pytest.mark.parametrize("limit, value, words", [("MAX_PARTS", 20, "部件过多"), ("MAX_TOTAL_BYTES", 50_000, "解压后过大")])
def test_too_many_parts_or_too_much_in_all_are_refused(tmp_path, monkeypatch, limit, value, words):
    monkeypatch.setattr(package, limit, value)
    book = unit_book(tmp_path)
    _rewrite(book, {}, {f"xl/extra/{i}.xml": b"<a>" + os.urandom(2000).hex().encode() + b"</a>" for i in range(30)})
    result = run("check", book)
    assert words in refused(result, "PR616", "unit.xlsx")


def test_the_limits_let_a_large_real_workbook_through(tmp_path):
    data = load_text(MINIMAL + "projects:\n" + "".join(
        f"  - {{name: 项目{i}, budget: {i + 1}, spent: {i}}}\n" for i in range(3000))).data
    book = write_workbook(data, tmp_path / "big.xlsx")
    assert len(perfreport.load(book).unit["projects"]) == 3000
