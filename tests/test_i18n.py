"""Message catalogs: up to date with the code, fully translated, compiled; the CLI picks the language."""
from __future__ import annotations

import ast
import io
import re

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

from perfreport.cli import cli
from perfreport.i18n import LOCALE_DIR, _, set_language

from conftest import MINIMAL, ROOT

PACKAGE = ROOT / "perfreport"
PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "perfreport.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"(?<!\{)\{[^{}]*\}(?!\})")


def _method_map() -> list[tuple[str, str]]:
    """babel.cfg read exactly as ``pybabel extract -F babel.cfg`` reads it."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        return parse_mapping_cfg(f)[0]


def _code_msgids() -> set[str]:
    keywords = {k: DEFAULT_KEYWORDS[k] for k in ("_", "N_")}
    return {message for _file, _line, message, _comments, _context in
            extract_from_dir(PACKAGE, _method_map(), keywords=keywords)}


def _catalog():
    with PO.open("rb") as f:
        return read_po(f)


def test_method_map_covers_the_package():
    assert _method_map() == [("**.py", "python")]


def test_every_message_in_the_code_is_in_the_catalog():
    msgids = _code_msgids()
    assert "{field}：应为{expected}，实际为“{actual}”" in msgids  # a _() message
    assert "数字" in msgids  # an N_() message kept in a table
    missing = msgids - {m.id for m in _catalog() if m.id}
    assert not missing, f"run the update commands in docs/i18n.md; missing: {sorted(missing)}"


def test_every_message_has_a_reviewed_english_translation():
    entries = [m for m in _catalog() if m.id]
    assert len(entries) > 100
    assert [m.id for m in entries if not m.string.strip()] == []
    assert [m.id for m in entries if m.fuzzy] == []


def test_translations_keep_the_placeholders():
    wrong = [(m.id, m.string) for m in _catalog() if m.id
             if sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))
             or m.id.count("{{") != m.string.count("{{")]
    assert wrong == []


def test_committed_mo_matches_the_po():
    compiled = io.BytesIO()
    write_mo(compiled, _catalog())
    compiled.seek(0)
    with MO.open("rb") as f:
        committed = read_mo(f)
    expected = {m.id: m.string for m in read_mo(compiled) if m.id}
    assert {m.id: m.string for m in committed if m.id} == expected, "run pybabel compile (docs/i18n.md)"


def test_no_message_is_translated_at_import():
    """``_()`` inside a function only: a module-level call would freeze the language at import."""
    at_import = []

    def visit(node, path, in_function):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if (isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id == "_"
                    and not in_function):
                at_import.append(f"{path.name}:{child.lineno}")
            visit(child, path, inside)

    for path in PACKAGE.rglob("*.py"):
        visit(ast.parse(path.read_text(encoding="utf-8")), path, False)
    assert at_import == []


def test_set_language():
    set_language("en")
    assert _("未发现问题") == "No problems found"
    set_language("en_US")
    assert _("未发现问题") == "No problems found"
    set_language("zh_CN")
    assert _("未发现问题") == "未发现问题"
    set_language("fr")  # no catalog: Chinese
    assert _("未发现问题") == "未发现问题"


BAD = MINIMAL.replace("budget: 100", "budget: 一百")


@pytest.mark.parametrize("args, env, english", [
    (["check", "{unit}"], {}, False),
    (["check", "{unit}", "--lang", "en"], {}, True),
    (["--lang", "en", "check", "{unit}"], {}, True),
    (["check", "{unit}"], {"LANG": "en_US.UTF-8"}, True),
    (["check", "{unit}"], {"LC_ALL": "C.UTF-8", "LANG": "en_US.UTF-8"}, True),
    (["check", "{unit}"], {"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, False),
    (["--lang", "zh", "check", "{unit}"], {"LANG": "en_US.UTF-8"}, False),
    (["check", "{unit}", "--lang", "zh"], {"LANG": "en_US.UTF-8"}, False),
])
def test_check_speaks_the_chosen_language(write_unit, args, env, english):
    unit = write_unit(BAD)
    result = CliRunner().invoke(cli, [a.format(unit=unit) for a in args], env=env)
    assert result.exit_code == 2
    if english:
        assert "should be a number, but is “一百” [PR103 error]" in result.output
        assert "1 error(s), 0 warning(s)" in result.output
    else:
        assert "应为数字，实际为“一百” [PR103 错误]" in result.output
        assert "共 1 个错误，0 个警告" in result.output


def test_every_command_takes_the_global_language(write_unit):
    unit = write_unit(BAD)
    result = CliRunner().invoke(cli, ["--lang", "en", "render", str(unit)])
    assert result.exit_code == 2
    assert "should be a number" in result.output and "[PR103 error]" in result.output
    shown = CliRunner().invoke(cli, ["formats", "show", "standard"], env={"LANG": "en_US.UTF-8"})
    assert shown.exit_code == 0
    assert shown.output.startswith("Format: standard\n")
