"""Report formats: a folder of templates with a ``format.yml``, extending another format.

A format folder ``NAME/`` holds ``format.yml`` (``description``, ``extends``,
``style``, ``reference``, ``rules``) and templates that override the format it
extends. Folders are looked up in the template directories given by the user
first, then among the built-in formats.

Template names resolve along the chain (``NAME/``, what it extends, …,
``standard/``), so a county overrides ``macros.xml.j2`` just by having one; a
template that extends another format's template names it with its folder
(``{% extends "standard/report.xml.j2" %}``).

Nothing here prints: the CLI shows what :func:`available`, :func:`resolve` and
:func:`init` return.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import DataError, Location, Problem
from ..i18n import _
from ..read.source import Source, load_file
from ..word.style import builtin_profile, merge, read_profile
from ..schema import unit_schema

BUILTIN_TEMPLATES = Path(__file__).parent.parent / "templates"
DEFAULT_FORMAT = "standard"
ENTRY_TEMPLATE = "report.xml.j2"
KEYS = ("name", "description", "extends", "style", "reference", "rules", "unit_table", "data")
UNIT_TABLES = ("deduction", "targets")   # the 部门整体支出绩效自评表: 分值/扣分/得分, or 年度目标 and indicators
# the types a format's own data key may have (format.yml `data`), and the schema rules each stands for
DATA_TYPES = {
    "text": {"type": "string"},
    "number": {"type": "decimal"},
    "integer": {"type": "integer"},
    "list": {"type": "list", "schema": {"type": "string", "empty": False}},
}
DATA_FIELDS = ("label", "type", "note", "example")
_DATA_KEY = re.compile(r"[a-z][a-z0-9_]*")


@dataclass
class Format:
    name: str
    description: str
    chain: list[Path]            # the format's folder, then what it extends, …
    roots: list[Path]            # template directories (user's first, built-in last)
    profile: dict = field(default_factory=dict)
    styles: list[str] = field(default_factory=list)   # the profiles laid on one another, base first
    reference: Path | None = None                     # a reference .docx: the base document
    rules: str | None = None                          # the rule set named by the nearest format.yml
    unit_table: str = "deduction"                     # which 部门整体支出绩效自评表 (UNIT_TABLES)
    data: dict = field(default_factory=dict)          # the format's own data keys: name -> schema rules with meta

    @property
    def search_path(self) -> list[Path]:
        """Where templates are looked up: the chain's folders, then the roots (for ``NAME/x.j2`` names)."""
        return [*self.chain, *self.roots]

    @property
    def names(self) -> list[str]:
        """The chain by name: this format, what it extends, …"""
        return [folder.name for folder in self.chain]

    def templates(self) -> dict[str, Path]:
        """Each template file name of the chain and the file that is used for it (the first along the chain)."""
        used: dict[str, Path] = {}
        for folder in self.chain:
            for path in sorted(folder.glob("*.j2")):
                used.setdefault(path.name, path)
        return used


@dataclass
class FormatInfo:
    """A format found in a template directory, for listing."""

    name: str
    description: str
    folder: Path
    builtin: bool


def _roots(template_dirs) -> list[Path]:
    return [Path(d) for d in template_dirs] + [BUILTIN_TEMPLATES]


def _check_name(name: str) -> None:
    if not name or "/" in name or "\\" in name or name.startswith(".") or ":" in name:
        raise DataError(Problem("PR202", _("格式名称“{name}”不合法（只用字母、数字、汉字和 -）").format(name=name), Location()))


def _find(name: str, roots: list[Path]) -> Path | None:
    for root in roots:
        folder = root / name
        if (folder / "format.yml").is_file():
            return folder
    return None


def _read_meta(folder: Path) -> Source:
    """``format.yml`` of ``folder``, its keys checked."""
    source = load_file(folder / "format.yml")
    problems = [Problem("PR204", _("format.yml 中没有“{key}”这一项；可用：{known}").format(key=key, known="、".join(KEYS)),
                        source.locate((key,)))
                for key in source.data if key not in KEYS]
    problems += [Problem("PR204", _("format.yml 中 {key} 应为文字").format(key=key), source.locate((key,)))
                 for key in KEYS if key != "data" and source.data.get(key) is not None and not isinstance(source.data[key], str)]
    table = source.data.get("unit_table")
    if isinstance(table, str) and table not in UNIT_TABLES:
        problems.append(Problem("PR204", _("format.yml 中 unit_table 应为 {allowed} 之一，实际为“{value}”").format(
            allowed="、".join(UNIT_TABLES), value=table), source.locate(("unit_table",))))
    problems += _data_problems(source)
    if problems:
        raise DataError(problems)
    return source


def _data_problems(source: Source) -> list[Problem]:
    """Problems of the ``data`` declarations of a format.yml: each key a new lower-case name with a
    Chinese label and one of :data:`DATA_TYPES`."""
    data = source.data.get("data")
    if data is None:
        return []
    if not isinstance(data, dict):
        return [Problem("PR207", _("format.yml 中 data 应为映射：每个字段名下写 label（中文名称）和 type（类型）"), source.locate(("data",)))]
    problems = []
    for key, spec in data.items():
        where = source.locate(("data", key))
        if not _DATA_KEY.fullmatch(str(key)):
            problems.append(Problem("PR207", _("format.yml 中的数据字段名“{key}”不合法（小写字母开头，只用小写字母、数字和 _）").format(key=key), where))
        elif key in unit_schema():
            problems.append(Problem("PR207", _("format.yml 中的数据字段“{key}”与内置字段重名，请换一个名称").format(key=key), where))
        if not isinstance(spec, dict):
            problems.append(Problem("PR207", _("format.yml 中数据字段“{key}”应写成 {{label: 中文名称, type: 类型}}").format(key=key), where))
            continue
        problems += [Problem("PR207", _("format.yml 中数据字段“{key}”没有“{field}”这一项；可用：{known}").format(
            key=key, field=field, known="、".join(DATA_FIELDS)), source.locate(("data", key, field)))
            for field in spec if field not in DATA_FIELDS]
        if not isinstance(spec.get("label"), str) or not spec["label"].strip():
            problems.append(Problem("PR207", _("format.yml 中数据字段“{key}”缺少中文名称 label").format(key=key), where))
        if spec.get("type", "text") not in DATA_TYPES:
            problems.append(Problem("PR207", _("format.yml 中数据字段“{key}”的类型应为 {types} 之一").format(
                key=key, types="、".join(DATA_TYPES)), source.locate(("data", key, "type"))))
    return problems


def _data_rules(spec: dict) -> dict:
    """The schema rules of a format's data key declared as ``spec``."""
    meta = {"label": spec["label"]}
    meta.update({k: spec[k] for k in ("note", "example") if spec.get(k) is not None})
    return dict(DATA_TYPES[spec.get("type", "text")], meta=meta)


def available(template_dirs=()) -> list[FormatInfo]:
    """Every format in the template directories and the built-in ones; a name found twice is the first."""
    found: dict[str, FormatInfo] = {}
    for root in _roots(template_dirs):
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            if folder.name not in found and (folder / "format.yml").is_file():
                meta = _read_meta(folder).data
                found[folder.name] = FormatInfo(folder.name, meta.get("description") or "", folder, root == BUILTIN_TEMPLATES)
    return list(found.values())


def resolve(name: str | None = None, template_dirs=()) -> Format:
    """The format ``name`` (default ``standard``) with its chain, search path, style profile and reference."""
    name = name or DEFAULT_FORMAT
    roots = _roots(template_dirs)
    chain: list[Path] = []
    metas: list[Source] = []
    current: str | None = name
    while current:
        _check_name(current)
        folder = _find(current, roots)
        if folder is None:
            where = metas[-1].locate(("extends",)) if metas else Location()
            raise DataError(Problem("PR202", _("找不到报告格式“{name}”").format(name=current), where))
        if folder in chain:
            raise DataError(Problem("PR203", _("格式“{name}”的 extends 形成了循环").format(name=current), metas[-1].locate(("extends",))))
        chain.append(folder)
        metas.append(_read_meta(folder))
        current = metas[-1].data.get("extends")
    profile, styles = builtin_profile(), []
    for folder, meta in reversed(list(zip(chain, metas))):
        style = meta.data.get("style")
        if style:
            path = _inside(folder, meta, "style")
            if path.is_file():
                profile = merge(profile, read_profile(path))
                styles.append(str(path))
            else:
                profile = merge(profile, builtin_profile(style, meta.locate(("style",))))
                styles.append(style)
    reference = _nearest(chain, metas, "reference")
    if reference is not None:
        folder, meta = reference
        path = _inside(folder, meta, "reference")
        if not path.is_file():
            raise DataError(Problem("PR206", _("找不到参考文档“{name}”（应放在格式文件夹 {folder} 中）").format(
                name=meta.data["reference"], folder=folder), meta.locate(("reference",))))
        _check_reference(path, meta)
        reference = path
    rules = _nearest(chain, metas, "rules")
    if rules is not None:  # a rule file in the format folder, or a rule set name
        folder, meta = rules
        path = _inside(folder, meta, "rules")
        rules = str(path) if path.is_file() else meta.data["rules"]
    table = _nearest(chain, metas, "unit_table")
    data = {}
    for meta in reversed(metas):  # a format may redeclare a key of the format it extends
        data.update({key: _data_rules(spec) for key, spec in (meta.data.get("data") or {}).items()})
    return Format(name, str(metas[0].data.get("description") or ""), chain, roots, profile, styles or ["gbt9704"],
                  reference, rules, table[1].data["unit_table"] if table else "deduction", data)


def _inside(folder: Path, meta: Source, key: str) -> Path:
    """The file named by ``key`` of format.yml, which must be inside the format's folder (no ``../``,
    no absolute path, no symbolic link out): a format is copied and shared as one folder."""
    name = meta.data[key]
    path = folder / name
    real, root = os.path.realpath(path), os.path.realpath(folder)
    if real != root and not real.startswith(root + os.sep):
        raise DataError(Problem("PR208", _("{key} 指定的文件“{name}”在格式文件夹 {folder} 之外；请把文件放进格式文件夹，只写文件名").format(
            key=key, name=name, folder=folder), meta.locate((key,))))
    return path


def _check_reference(path: Path, meta: Source) -> None:
    """Refuse a reference .docx that is a zip bomb, declares XML entities, holds macros or links outside."""
    from ..read import package  # (lxml: only for a format with a reference .docx)

    try:
        package.check(path, macros=True, external=True)
    except package.Refused as exc:
        raise DataError(Problem("PR209", _("参考文档 {path} 不能使用：{reason}").format(path=path, reason=exc.message),
                                meta.locate(("reference",)))) from None
    except (OSError, zipfile.BadZipFile):
        pass  # not a package at all: the builder says so (PR206), located at the file


def _nearest(chain: list[Path], metas: list[Source], key: str):
    """``(folder, meta)`` of the nearest format.yml that gives ``key`` (``~`` there means none), or ``None``."""
    for folder, meta in zip(chain, metas):
        if key in meta.data:
            return (folder, meta) if meta.data[key] else None
    return None


# --- what a format writes ----------------------------------------------------------------------------

def data_paths(fmt: Format) -> frozenset[str] | None:
    """The data a format's report uses, as dotted paths (``analysis.output``, ``background``, ``disclosure.text``).

    Read from the templates, not from a render: the blocks the report really
    contains (the most derived definition of each, and what it reaches through
    ``super()`` and ``self.block()``), and every template they import. A
    section a county format drops is then not reported as left empty (PR511). ``None`` when the templates
    cannot be read: rendering them reports why, located.
    """
    from .. import cache

    try:
        files = tuple((str(path), path.stat().st_mtime_ns, path.stat().st_size) for path in fmt.templates().values())
        search = tuple(str(p) for p in fmt.search_path)
        # kept in the cache folder: `check` then needs neither Jinja nor the 25 ms of parsing the templates
        return cache.kept(cache.folder(), "data-paths", repr((search, files)), lambda: _data_paths(search, files),
                          lambda found: json.dumps(sorted(found) if found is not None else None).encode("utf-8"),
                          lambda data: None if json.loads(data) is None else frozenset(json.loads(data)))
    except OSError:
        return None


@lru_cache(maxsize=32)
def _data_paths(search_path: tuple, _files: tuple) -> frozenset[str] | None:
    from jinja2 import TemplateError, nodes

    from .jinja import environment

    try:
        return _read_data_paths(environment([Path(p) for p in search_path]), nodes, TemplateError)
    except (TemplateError, RecursionError):  # a runaway template: rendering refuses it, located (PR309)
        return None


def _read_data_paths(env, nodes, TemplateError) -> frozenset[str]:
    trees, name, names = [], ENTRY_TEMPLATE, set()
    while name:  # the entry template, then the one it extends, …
        if name in names:  # a template that extends itself: rendering refuses it, located (PR309)
            raise TemplateError(name)
        names.add(name)
        source, filename, _uptodate = env.loader.get_source(env, name)
        tree = env.parse(source, name, filename)
        trees.append(tree)
        extends = tree.find(nodes.Extends)
        name = extends.template.value if extends is not None and isinstance(extends.template, nodes.Const) else None
    definitions: dict[str, list] = {}  # block name -> its definitions, most derived first
    for tree in trees:
        for block in tree.find_all(nodes.Block):
            definitions.setdefault(block.name, []).append(block)
    found: set[str] = set()
    seen: set = set()

    def block(name: str, level: int) -> None:
        if (name, level) in seen or level >= len(definitions.get(name, ())):
            return
        seen.add((name, level))
        for child in definitions[name][level].body:
            visit(child, name, level)

    def visit(node, current: str | None, level: int) -> None:
        if isinstance(node, nodes.Block):
            return block(node.name, 0)
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name == "super":
            return block(current, level + 1)
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr) \
                and isinstance(node.node.node, nodes.Name) and node.node.node.name == "self":
            return block(node.node.attr, 0)
        if isinstance(node, (nodes.Import, nodes.FromImport)) and isinstance(node.template, nodes.Const):
            if node.template.value not in seen:
                seen.add(node.template.value)
                imported = env.parse(*env.loader.get_source(env, node.template.value)[:2])
                for child in imported.body:
                    visit(child, None, 0)
            return
        chain, inner = [], node
        while isinstance(inner, nodes.Getattr):
            chain.insert(0, inner.attr)
            inner = inner.node
        if isinstance(inner, nodes.Name) and inner.ctx == "load" and (chain or node is inner):
            found.add(".".join([inner.name, *chain]))
            return
        for child in node.iter_child_nodes():
            visit(child, current, level)

    for child in trees[-1].body:
        visit(child, None, 0)
    for tree in trees[:-1]:  # imports and sets at the top of the templates that extend it
        for child in tree.body:
            if isinstance(child, (nodes.Import, nodes.FromImport)):
                visit(child, None, 0)
    return frozenset(found)


# --- a new county format --------------------------------------------------------------------------

def blocks(fmt: Format, template: str = ENTRY_TEMPLATE) -> list[tuple[str, int]]:
    """The blocks of ``template`` along its ``{% extends %}`` chain, in order, with their nesting depth."""
    from jinja2 import nodes

    from .jinja import environment

    env = environment(fmt.search_path)
    found: list[tuple[str, int]] = []
    seen: set[str] = set()
    name: str | None = template
    while name:
        source, filename, _uptodate = env.loader.get_source(env, name)
        tree = env.parse(source, name, filename)
        extends = tree.find(nodes.Extends)
        own = list(_walk_blocks(tree, 0))
        new = [b for b in own if b[0] not in seen]
        found = new + found if extends is None else found + new
        seen.update(b[0] for b in own)
        name = extends.template.value if extends is not None and isinstance(extends.template, nodes.Const) else None
    return found


def _walk_blocks(node, depth: int):
    from jinja2 import nodes

    for child in node.iter_child_nodes():
        if isinstance(child, nodes.Block):
            yield child.name, depth
            yield from _walk_blocks(child, depth + 1)
        else:
            yield from _walk_blocks(child, depth)


def init(name: str, base: str = DEFAULT_FORMAT, directory: str | Path = ".", template_dirs=()) -> Path:
    """Create the county format folder ``directory/name/`` extending ``base``; return the folder.

    It holds a ``format.yml`` and a ``report.xml.j2`` that extends the base
    format's template with every block listed as ``{{ super() }}``, so it
    renders exactly like the base until a block is changed.
    """
    _check_name(name)
    directory = Path(directory)
    folder = directory / name
    if folder.exists():
        raise DataError(Problem("PR205", _("文件夹已存在，未做任何改动；请换一个格式名称或文件夹"), Location(str(folder))))
    fmt = resolve(base, [directory, *template_dirs])
    parent = fmt.templates()[ENTRY_TEMPLATE].parent.name
    lines = [
        "{#-",
        f"  报告格式 {name}：在 {base} 的基础上修改（perfreport formats init 生成）。",
        "  下面列出所继承模板的每个 block；{{ super() }} 表示保持原样。",
        "  要改写某部分，把 {{ super() }} 换成自己的标记；要删去某部分，删掉 {{ super() }}",
        "  （标题编号由程序生成，删去一节后编号自动连续）。缩进的 block 位于上一层 block 之内。",
        "  标记、过滤器和每个 block 可用的数据见 docs/templates.md。",
        "-#}",
        f'{{% extends "{parent}/{ENTRY_TEMPLATE}" %}}',
    ]
    lines += [f"{'  ' * depth}{{% block {block} %}}{{{{ super() }}}}{{% endblock %}}" for block, depth in blocks(fmt)]
    meta = "\n".join([
        f"# 报告格式 {name}（perfreport formats init 生成）；说明见 docs/templates.md",
        f"name: {name}",
        f"description: {name}（在 {base} 格式基础上修改）",
        f"extends: {base}",
        "# style: style.yml           # 样式配置：本文件夹中的 YAML，只写与所继承格式不同的项；或内置样式名 gbt9704",
        "# reference: reference.docx  # 参考文档：用 Word 设计的样式、页面设置、页眉页脚",
        "# rules: standard            # 评分规则集",
        "# data:                      # 本格式自己的数据字段，模板中按字段名使用（docs/templates.md）",
        "#   evaluation_method: {label: 评价方法, type: text}",
        "",
    ])
    folder.mkdir(parents=True)
    from ..write import write_atomic

    try:
        write_atomic(folder / "format.yml", lambda f: f.write(meta.encode("utf-8")))
        write_atomic(folder / ENTRY_TEMPLATE, lambda f: f.write(("\n".join(lines) + "\n").encode("utf-8")))
    except BaseException:  # a full disk or Ctrl-C: no half-made format is left behind
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder
