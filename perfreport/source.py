"""Read a unit file: YAML text -> plain Python data, with the line and column of every value.

* safe constructors only; aliases (``*name``) are refused, so a "billion laughs"
  file costs nothing;
* numbers with a decimal point become :class:`decimal.Decimal` built from their
  text (``22.545`` stays ``22.545``); whole numbers become ``int``;
* duplicate keys are an error;
* UTF-8 with or without BOM; other encodings are refused with a message that
  says how to save the file as UTF-8;
* text is cleaned of characters that cannot appear in a .docx (control
  characters pasted from other programs), with a located warning.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from .errors import DataError, Location, Problem
from .i18n import _

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FLOAT = "tag:yaml.org,2002:float"
_INT = "tag:yaml.org,2002:int"
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
# Characters XML 1.0 forbids (C0 controls but tab/newline/return, surrogates, U+FFFE/U+FFFF).
INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class Source:
    """A unit file as data, with the position of every value for messages."""

    data: dict
    file: str | None = None
    positions: dict = field(default_factory=dict)  # path tuple -> (line, column), 1-based
    warnings: list = field(default_factory=list)

    def locate(self, path: tuple = ()) -> Location:
        """The location of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        for end in range(len(path), -1, -1):
            pos = self.positions.get(path[:end])
            if pos:
                return Location(self.file, pos[0], pos[1], path)
        return Location(self.file, None, None, path)


def load_file(path: str | Path) -> Source:
    """Read and parse the unit file at ``path``; raise :class:`DataError` with a location."""
    name = str(path)
    p = Path(path)
    if not p.exists():
        raise DataError(Problem("PR001", _("文件不存在"), Location(name)))
    if p.is_dir():
        raise DataError(Problem("PR001", _("这是一个文件夹，不是数据文件"), Location(name)))
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise DataError(Problem("PR001", _("无法读取文件：{reason}").format(reason=exc.strerror), Location(name))) from None
    return load_bytes(raw, name)


def load_bytes(raw: bytes, file: str | None = None) -> Source:
    """Parse unit data from bytes (UTF-8, with or without BOM)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(Problem(
            "PR002",
            _("文件不是 UTF-8 编码（可能是 GBK/GB18030）。请用记事本或 WPS “另存为”，编码选择 UTF-8 后再试"),
            Location(file, line),
        )) from None
    return load_text(text, file)


def load_text(text: str, file: str | None = None) -> Source:
    """Parse unit data from YAML text."""
    if not text.strip():
        raise DataError(Problem("PR003", _("文件是空的"), Location(file)))
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise DataError(_syntax_problem(exc, text, file)) from None
    except yaml.YAMLError as exc:  # e.g. a reader error on a forbidden character
        raise DataError(Problem("PR004", _("YAML 格式错误：{detail}").format(detail=exc), Location(file))) from None
    if node is None:
        raise DataError(Problem("PR003", _("文件是空的"), Location(file)))
    source = Source({}, file)
    builder = _Builder(source)
    data = builder.build(node, ())
    if builder.problems:
        raise DataError(builder.problems)
    if not isinstance(data, dict):
        raise DataError(Problem(
            "PR005",
            _("文件的最外层应为“字段: 值”的映射，而不是列表或单个值"),
            Location(file, node.start_mark.line + 1, node.start_mark.column + 1),
        ))
    source.data = data
    return source


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, file: str | None) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    what = " ".join(p for p in (exc.context, exc.problem) if p)
    message = _("YAML 格式错误：{detail}").format(detail=what)
    if line is not None:
        lines = text.splitlines()
        if 0 < line <= len(lines):
            shown = lines[line - 1]
            message += "\n    " + shown + "\n    " + _caret(shown, column or 1)
        if "\t" in (lines[line - 1] if 0 < line <= len(lines) else ""):
            message += "\n" + _("（YAML 不允许用 Tab 缩进，请改用空格）")
    return Problem("PR004", message, Location(file, line, column))


def _caret(line: str, column: int) -> str:
    """A caret under ``column`` that lines up under wide (Chinese) characters too."""
    pad = "".join("\u3000" if ord(ch) > 0x2E7F else (" " if ch != "\t" else "\t") for ch in line[: column - 1])
    return pad + "^"


class _Builder:
    """Walk the composed node tree once, building data and recording positions."""

    def __init__(self, source: Source):
        self.source = source
        self.problems: list[Problem] = []
        self.constructor = _Loader("")  # only its scalar constructors are used
        self.seen: set[int] = set()

    def loc(self, node, path) -> Location:
        return Location(self.source.file, node.start_mark.line + 1, node.start_mark.column + 1, path)

    def build(self, node, path):
        if id(node) in self.seen:  # the composer shares the node of an alias
            self.problems.append(Problem("PR006", _("不支持 YAML 别名（*引用），请直接写出内容"), self.loc(node, path)))
            return None
        self.seen.add(id(node))
        self.source.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        return self.scalar(node, path)

    def mapping(self, node, path):
        out = {}
        first = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem("PR007", _("字段名必须是文字"), self.loc(key_node, path)))
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(Problem("PR006", _("不支持 YAML 合并（<<），请直接写出内容"), self.loc(key_node, path)))
                continue
            key = key_node.value
            if key in first:
                self.problems.append(Problem(
                    "PR008",
                    _("字段 {key} 重复出现（第一次在第 {line} 行）").format(key=key, line=first[key]),
                    self.loc(key_node, path + (key,)),
                ))
                continue
            first[key] = key_node.start_mark.line + 1
            out[key] = self.build(value_node, path + (key,))
        return out

    def scalar(self, node, path):
        tag = node.tag
        if tag == _STR:
            return self.text(node.value, node, path)
        if tag == _FLOAT:
            try:
                value = Decimal(node.value)
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite():
                self.problems.append(Problem("PR009", _("“{text}”不是有效的数字").format(text=node.value), self.loc(node, path)))
                return None
            return value
        if tag == _INT:
            try:
                return self.constructor.construct_yaml_int(node)
            except ValueError:
                self.problems.append(Problem("PR009", _("“{text}”不是有效的数字").format(text=node.value), self.loc(node, path)))
                return None
        if not tag.startswith("tag:yaml.org,2002:"):
            self.problems.append(Problem("PR010", _("不支持的 YAML 标签 {tag}").format(tag=tag), self.loc(node, path)))
            return None
        try:
            value = self.constructor.construct_object(node)
        except (yaml.YAMLError, ValueError) as exc:
            self.problems.append(Problem("PR009", _("无法读取的值“{text}”：{detail}").format(text=node.value, detail=exc), self.loc(node, path)))
            return None
        return self.text(value, node, path) if isinstance(value, str) else value

    def text(self, value: str, node, path) -> str:
        if INVALID_XML_CHARS.search(value):
            value = INVALID_XML_CHARS.sub("", value)
            self.source.warnings.append(Problem(
                "PR011", _("文字中含有无法写入 Word 的控制字符，已删除"), self.loc(node, path), "warning"))
        return value
