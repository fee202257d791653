"""Docs that are generated from code must match it."""
from pathlib import Path

from perfreport.datadoc import markdown

ROOT = Path(__file__).resolve().parent.parent


def test_data_reference_matches_the_schema():
    assert (ROOT / "docs" / "data.md").read_text(encoding="utf-8") == markdown(), \
        "docs/data.md is out of date: run python -m perfreport.datadoc > docs/data.md"
    assert (ROOT / "docs" / "en" / "data.md").read_text(encoding="utf-8") == markdown("en"), \
        "docs/en/data.md is out of date: run python -m perfreport.datadoc en > docs/en/data.md"
    assert "# 数据说明" in markdown() and "# Data reference" in markdown("en")


def test_readme_and_ci_run_the_same_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "python -m pip install -e '.[test]' && python -m pytest"
    assert command in readme and command in ci


# --- every code sample of the template guide works as written --------------------------------------------

import re
import shutil
import textwrap

import docx
import pytest
import yaml
from click.testing import CliRunner

from perfreport.cli import cli

from conftest import EXAMPLES, MINIMAL

FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", re.M | re.S)
GUIDES = pytest.mark.parametrize("guide", ["templates.md", "en/templates.md"])  # the Chinese guide and its English twin


def samples(page: str) -> list[tuple[int, str, str]]:
    """The fenced code samples of a doc page: (line, language, text dedented)."""
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    return [(text[:m.start()].count("\n") + 1, m.group(2), textwrap.dedent(m.group(3)))
            for m in FENCE.finditer(text)]


def _document_text(path) -> str:
    """The report's paragraphs, then its table cells, one per line."""
    document = docx.Document(path)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@GUIDES
def test_the_walk_through_works_step_by_step(tmp_path, monkeypatch, guide):
    """Step by step as the guide says: each shell command run, each file written, each template rendered."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(EXAMPLES[0], tmp_path / "某县2023.yaml")
    walk = samples(guide)
    (command_init, init_yaml, init_template, command_render, block, style) = [text for _line, _lang, text in walk[:6]]
    folder = tmp_path / "formats" / "某县"

    def run(command: str):
        from perfreport.api import _environment

        _environment.cache_clear()  # a new command is a new process: templates edited in between are read again
        args = command.split()
        assert args[0] == "perfreport"
        result = CliRunner().invoke(cli, args[1:])
        assert result.exit_code == 0, result.output
        return result

    run(command_init)
    assert yaml.safe_load(init_yaml) == yaml.safe_load((folder / "format.yml").read_text(encoding="utf-8"))
    (folder / "report.xml.j2").write_text(init_template, encoding="utf-8")  # as shown, with its 「…」 lines
    run(command_render)
    standard = _document_text(tmp_path / "某县2023.docx")
    assert "存在问题" in standard

    template = init_template.replace("{% block problems %}{{ super() }}{% endblock %}\n", block)
    assert template != init_template
    (folder / "report.xml.j2").write_text(template, encoding="utf-8")
    run(command_render)
    changed = _document_text(tmp_path / "某县2023.docx")
    assert "存在的问题" in changed and "None" not in changed

    unit = tmp_path / "某县2023.yaml"  # the fields of 存在问题 left empty: 「无。」, never 「NoneNone」
    unit.write_text(MINIMAL, encoding="utf-8")
    run(command_render)
    empty = _document_text(tmp_path / "某县2023.docx")
    assert "None" not in empty and re.search(r"存在的问题\n无。\n", empty), empty

    (folder / "style.yml").write_text(style, encoding="utf-8")
    (folder / "format.yml").write_text((folder / "format.yml").read_text(encoding="utf-8").replace(
        "# style: style.yml", "style: style.yml"), encoding="utf-8")
    run(command_render)
    shown = run("perfreport formats show 某县 --template-dir formats").output
    assert "style.yml" in shown


# names a snippet uses that the page defines in its prose (a loop variable, a total computed beforehand)
SNIPPET_CONTEXT = '{% set project = projects[0] %}{% set total = project.score %}'


@GUIDES
def test_every_template_snippet_renders(tmp_path, write_unit, guide):
    """The stand-alone markup samples of the guide (outside the walk-through), each rendered into a report."""
    from conftest import standard_with

    snippets = [(line, text) for line, lang, text in samples(guide)
                if lang == "jinja" and "{% extends" not in text and "{% block" not in text]
    assert snippets, "the guide has markup samples"
    for line, text in snippets:
        name = f"sample{line}"
        standard_with(tmp_path, name, "{% block other %}" + SNIPPET_CONTEXT + text + "{% endblock %}")
        result = CliRunner().invoke(cli, ["render", str(EXAMPLES[0]), "--template-dir", str(tmp_path / "formats"),
                                          "--format", name, "-o", str(tmp_path / f"{name}.docx")])
        assert result.exit_code == 0, f"docs/{guide} line {line}: {result.output}"
        assert "None" not in _document_text(tmp_path / f"{name}.docx"), f"docs/{guide} line {line}"


@GUIDES
def test_every_code_sample_of_the_guide_is_tried(guide):
    """No sample is left out of the two tests above: a new kind of sample needs a way to be tried."""
    kinds = {(lang, "{% extends" in text or "{% block" in text) for _line, lang, text in samples(guide)}
    assert kinds <= {("", False), ("yaml", False), ("jinja", True), ("jinja", False)}
    walk_through = [s for s in samples(guide) if s[1] != "jinja" or "{% block" in s[2]]
    assert len(walk_through) == 6, "the walk-through test takes its six samples in order"


# --- the README, in Chinese with an English one beside it ------------------------------------------------

LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
SET_UP = ("python -m pip install . && perfreport render examples/shuren-2023.yaml -o shuren-2023.docx",
          "python -m pip install -e '.[test]' && python -m pytest")


@pytest.mark.parametrize("readme", ["README.md", "README.en.md"])
def test_readme_doc_links_exist(readme):
    """Every page the README links exists; the English README links the English page wherever there is one."""
    text = (ROOT / readme).read_text(encoding="utf-8")
    links = [link for link in LINK.findall(text) if "://" not in link]
    assert len([link for link in links if link.startswith("docs/")]) >= 8
    assert [link for link in links if not (ROOT / link).is_file()] == []
    assert all(f"\n{command}\n" in text for command in SET_UP), "the two set-up commands, unchanged"
    if readme == "README.en.md":
        chinese_where_english_exists = [link for link in links if link.startswith("docs/")
                                        and not link.startswith("docs/en/") and (ROOT / "docs" / "en" / link[5:]).is_file()]
        assert chinese_where_english_exists == [], "README.en.md links docs/en/<page> when it exists"
    else:
        assert not [link for link in links if link.startswith("docs/en/")], "README.md links the Chinese pages"


def _chinese_twin(link: str) -> str:
    return "docs/" + link[len("docs/en/"):] if link.startswith("docs/en/") else link


def test_the_readme_is_chinese_and_links_its_english_twin():
    chinese = (ROOT / "README.md").read_text(encoding="utf-8")
    english = (ROOT / "README.en.md").read_text(encoding="utf-8")
    assert "](README.en.md)" in chinese and "](README.md)" in english
    assert "## 安装与试用" in chinese and "## 文档" in chinese and "## Set up" in english
    assert {_chinese_twin(link) for link in LINK.findall(english)} - {"README.md"} <= set(LINK.findall(chinese)), \
        "the English README links no page the Chinese one leaves out"


# --- every relative link and #anchor of the README and the docs resolves ----------------------------------

MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *#*$", re.M)


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped (CJK kept), spaces to hyphens."""
    text = re.sub(r"\]\([^)]*\)", "", heading.lower())  # a link in a heading keeps its text only
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    anchors = set()
    for heading in HEADING.findall(text):
        base = _anchor(heading)
        anchors.add(base if base not in seen else f"{base}-{seen[base]}")
        seen[base] = seen.get(base, 0) + 1
    return anchors | set(re.findall(r'<a (?:name|id)="([^"]+)"', text))


def test_anchor_is_the_one_github_makes():
    assert _anchor("Exit codes") == "exit-codes"
    assert _anchor("`perfreport --version`") == "perfreport---version"
    assert _anchor("缓存文件夹（`PERFREPORT_CACHE_DIR`）") == "缓存文件夹perfreport_cache_dir"


def test_links_in_docs_resolve():
    pages = [ROOT / "README.md", ROOT / "README.en.md", *sorted((ROOT / "docs").rglob("*.md"))]
    broken = []
    for page in pages:
        for target in MARKDOWN_LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
            if "://" in target or target.startswith("mailto:"):
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert broken == []


def test_each_page_and_its_english_twin_link_each_other():
    twins = sorted((ROOT / "docs" / "en").glob("*.md"))
    assert {page.name for page in twins} >= {"data.md", "excel.md", "cli.md", "errors.md", "checks.md"}
    for english in twins:
        chinese = ROOT / "docs" / english.name
        assert chinese.is_file(), f"docs/en/{english.name} has no Chinese page"
        top = lambda page: "\n".join(page.read_text(encoding="utf-8").split("\n")[:3])  # the line before the title
        assert f"](../{english.name})" in top(english), f"docs/en/{english.name} starts with a link to the Chinese page"
        assert f"](en/{english.name})" in top(chinese), f"docs/{english.name} starts with a link to the English page"
