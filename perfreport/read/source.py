"""Read a unit file: YAML text -> plain Python data, with the line and column of every value.

* safe constructors only; aliases (``*name``) are refused, so a "billion laughs"
  file costs nothing; nesting deeper than :data:`MAX_DEPTH`, more than :data:`MAX_VALUES`
  values and files larger than :data:`MAX_BYTES` are refused before they are built;
* numbers with a decimal point become :class:`decimal.Decimal` built from their
  text (``22.545`` stays ``22.545``); whole numbers become ``int``, always read
  as decimal (``010`` is 10, never octal 8); YAML 1.1's other number forms
  (``0x1F``, ``1:30``) and ``yes``/``no``/``on``/``off`` stay text, as in YAML 1.2;
* duplicate keys are an error; of YAML's tags only those a plain value can have are read
  (``!!str``, ``!!int``, ``!!float``, ``!!bool``, ``!!null``, ``!!timestamp``, and ``!!map``
  and ``!!seq`` on mappings and lists); any other (``!!binary``, ``!!set``, ``!!omap``,
  ``!!python/...``, a local ``!tag``) is refused, located;
* UTF-8 with or without BOM, and UTF-16 with a BOM; a file that is not UTF-8 is
  read as GB18030 (GBK) only when that is unambiguous (:func:`decode`), with a
  warning, and refused otherwise with a message that says how to save it as UTF-8;
* text (values and keys) is cleaned of characters that cannot appear in a .docx
  (control characters pasted from other programs), with a located warning.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from ..errors import DataError, Location, Problem
from ..i18n import _

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML_TAG = "tag:yaml.org,2002:"
_FLOAT = _YAML_TAG + "float"
_INT = _YAML_TAG + "int"
_STR = _YAML_TAG + "str"
_MAP = _YAML_TAG + "map"
_SEQ = _YAML_TAG + "seq"
_BOOL = _YAML_TAG + "bool"
_NULL = _YAML_TAG + "null"
_TIMESTAMP = _YAML_TAG + "timestamp"
_MERGE = _YAML_TAG + "merge"
_VALUE = _YAML_TAG + "value"
# What a plain scalar can be read as; any other tag (!!binary, !!set, !!omap, !!python/..., a local !tag) is refused.
# YAML 1.1 also resolves a plain "<<" to !!merge and "=" to !!value: as values both are text (_yaml11_only).
_SCALAR_TAGS = frozenset((_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP, _VALUE, _MERGE))
# Control characters (C0 but tab/newline/return, DEL, C1), surrogates, U+FFFE/U+FFFF:
# everything XML 1.0 forbids or YAML refuses to read, never wanted in a report.
INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_UNREAD = object()  # not read yet (a value can be None)
_DECIMAL_INT = re.compile(r"[-+]?[0-9][0-9_]*")
MAX_BYTES = 10 * 1024 * 1024  # a unit file with 50,000 projects is about 10 MB
MAX_DEPTH = 20  # the schema nests 4 deep; deeper input is a mistake (or an attack on the parser)
MAX_EXPONENT = 1000  # 1e+1000000 is refused as read: Decimal arithmetic on it would overflow (limits in datacheck are 1e15)
MAX_VALUES = 500_000  # keys, values and lists: 50,000 projects of 4 fields; bounds memory (docs/errors.md)


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
        _check_size(p.stat().st_size, name)
        raw = p.read_bytes()
    except OSError as exc:
        raise DataError(Problem("PR001", _("无法读取文件：{reason}").format(reason=exc.strerror), Location(name))) from None
    return load_bytes(raw, name)


def _check_size(size: int, file: str | None) -> None:
    if size > MAX_BYTES:
        raise DataError(Problem("PR012", _(
            "文件过大（{size:.1f} MB），超过 {limit} MB 的上限；单位数据文件通常不到 1 MB，请检查是否选错了文件"
        ).format(size=size / 1024 / 1024, limit=MAX_BYTES // 1024 // 1024), Location(file)))


def load_bytes(raw: bytes, file: str | None = None) -> Source:
    """Parse unit data from bytes; see :func:`decode` for the encodings read."""
    _check_size(len(raw), file)
    text, warnings = decode(raw, file)
    source = load_text(text, file)
    source.warnings[:0] = warnings
    return source


def decode(raw: bytes, file: str | None = None) -> tuple[str, list[Problem]]:
    """The text of a unit file and any warning about its encoding.

    UTF-8 (a BOM is dropped) and UTF-16 with a BOM are read as such. Bytes
    that are not UTF-8 are read as GB18030 (a superset of GBK, what Chinese
    Windows calls "ANSI") only when they decode without error and at least
    95% of their non-ASCII characters are GB2312 hanzi or Chinese punctuation;
    then with warning PR013. Anything else (Big5, Shift-JIS, binary files,
    UTF-16 without a BOM: 10% or more NUL bytes) is refused with PR002.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), []
        except UnicodeDecodeError:
            raise DataError(_not_utf8(file, None)) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw and raw.count(b"\x00") * 10 >= len(raw):  # UTF-16 without a BOM, or not text; a stray NUL is removed later
        raise DataError(_not_utf8(file, raw[: raw.index(b"\x00")].count(b"\n") + 1))
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
    text = _chinese_gb18030(raw)
    if text is None:
        raise DataError(_not_utf8(file, line))
    return text, [Problem("PR013", _(
        "文件不是 UTF-8 编码，已按 GBK/GB18030 读取；建议用记事本或 WPS “另存为”，编码选择 UTF-8"),
        Location(file), "warning")]


def _not_utf8(file: str | None, line: int | None) -> Problem:
    return Problem(
        "PR002",
        _("文件不是 UTF-8 编码（可能是 GBK/GB18030 或其他编码），无法确定其中的文字。"
          "请用记事本或 WPS “另存为”，编码选择 UTF-8 后再试"),
        Location(file, line),
    )


def _chinese_gb18030(raw: bytes) -> str | None:
    """``raw`` decoded as GB18030 if it reads as Chinese text, else ``None``."""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return None
    wide = [ch for ch in text if ch > "\x7f"]
    chinese = sum(1 for ch in wide if _gb2312_chinese(ch))
    return text if wide and chinese >= 0.95 * len(wide) else None


def _gb2312_chinese(ch: str) -> bool:
    """A GB2312 hanzi (rows 16-87) or a character of rows 1 and 3 (Chinese and full-width punctuation)."""
    try:
        lead = ch.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return lead >= 0xB0 or lead in (0xA1, 0xA3)


def load_text(text: str, file: str | None = None) -> Source:
    """Parse unit data from YAML text."""
    _check_size(len(text), file)
    if not text.strip():
        raise DataError(Problem("PR003", _("文件是空的"), Location(file)))
    source = Source({}, file)
    text = _remove_invalid_characters(text, source)
    try:
        reader = _EventReader(text, file)
        read, blocks = reader.read(), reader.blocks
        if read is None:
            _read_nodes(text, source)
            blocks = None
        else:
            source.data, source.positions = read.data, read.positions
            source.warnings += read.warnings
    except yaml.MarkedYAMLError as exc:
        if _PARSER_DEPTH_LIMIT in (exc.problem or ""):  # libyaml's own nesting limit (1,000 in PyYAML 6.0.4's)
            _refuse_shape(0, exc.problem_mark, file)
        raise DataError(_syntax_problem(exc, text, file)) from None
    except yaml.YAMLError as exc:  # not expected once invalid characters are removed; still located
        raise DataError(Problem("PR004", _("YAML 格式错误：{detail}").format(detail=exc), Location(file))) from None
    _attach_paths(source)
    if "#" in text:
        _comments_in_blocks(text, source, blocks)
    if "：" in text:
        _full_width_keys(text, source)
    source.warnings.sort(key=lambda w: (w.location.line or 0, w.location.column or 0))
    return source


def _read_nodes(text: str, source: Source) -> None:
    """Check the shape, compose the node tree and build ``source.data`` from it: the general reader,
    which finds and locates every problem (aliases, tags, duplicate keys, unreadable values)."""
    file = source.file
    _check_shape(text, file)
    node = yaml.compose(text, Loader=_Loader)
    if node is None:
        raise DataError(Problem("PR003", _("文件是空的"), Location(file)))
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


def _attach_paths(source: Source) -> None:
    """Give warnings found before parsing the path of the value they fall in."""
    pending = [i for i, w in enumerate(source.warnings) if w.location.line and not w.location.path]
    if not pending:
        return
    starts: dict[int, list] = {}
    for path, (line, column) in source.positions.items():
        starts.setdefault(line, []).append((column, path))
    for i in pending:
        warning = source.warnings[i]
        before = [(column, path) for column, path in starts.get(warning.location.line, ())
                  if column <= warning.location.column]
        if before:
            location = Location(warning.location.file, warning.location.line, warning.location.column, max(before)[1])
            source.warnings[i] = Problem(warning.code, warning.message, location, warning.level)


# A line of a block of text that looks like a YAML comment: it starts with "# ", or has " # " after text.
_LOOKS_LIKE_COMMENT = re.compile(r"^#\s|\s#\s")


def _comments_in_blocks(text: str, source: Source, blocks: list | None = None) -> None:
    """Warn (PR016) about a ``# …`` inside a ``|`` or ``>`` block: YAML reads it as text, so it would be
    printed in the report, while the clerk meant a comment.

    ``blocks``: the ``(path, text)`` of the blocks of text with a "#", as the event reader found them;
    ``None``: every text of the data with a "#" is looked at."""
    if blocks is None:
        blocks = [(parent + (key,), value) for parent, key, value in leaves(source.data, str) if "#" in value]
    if not blocks:
        return
    lines = text.split("\n")
    for path, value in blocks:
        start = source.positions.get(path)
        if not start or not lines[start[0] - 1][start[1] - 1:].lstrip().startswith(("|", ">")):
            continue
        number = start[0]  # the block's text begins on the next line
        for line in value.splitlines():
            if not line.strip():
                continue
            while number < len(lines) and line.strip() not in lines[number]:
                number += 1
            if number >= len(lines):
                break
            number += 1
            if _LOOKS_LIKE_COMMENT.search(line.strip()):
                column = lines[number - 1].index("#") + 1
                source.warnings.append(Problem(
                    "PR016", _("文字块（| 或 >）中的“#”不是注释，会印在报告中；注释请写在文字块之外，或删去这一部分"),
                    Location(source.file, number, column, path), "warning"))


def _full_width_keys(text: str, source: Source) -> None:
    """Warn (PR017) about a line that starts like a key written with “：”: read without an error, it has
    become part of the text above it (``other: 无。`` then ``background： …`` is one text).

    Only the lines with a “：” are looked at, found with ``str.find``: a large file has few of them."""
    line, counted, end = 1, 0, 0  # the line number at ``counted``, a position where a line begins
    while (colon := text.find("：", end)) >= 0:
        start = text.rfind("\n", 0, colon) + 1
        end = text.find("\n", colon)
        end = len(text) if end < 0 else end
        match = _FULL_WIDTH_KEY_LINE.match(text, start, end)  # keys are lower case; “GDP：” in a text is not one
        if match:
            line += text.count("\n", counted, start)
            counted = start
            source.warnings.append(Problem("PR017", _("“{key}”后面是全角冒号“：”，这一行被当作上一项的文字；如果这是字段，请改为半角冒号加空格“: ”").format(key=match.group(2).strip()),
                                           Location(source.file, line, match.end(1) - start + 1), "warning"))


def _remove_invalid_characters(text: str, source: Source) -> str:
    """``text`` without control characters (YAML refuses them, Word cannot show them); a warning per line."""
    if not INVALID_XML_CHARS.search(text):
        return text
    lines = text.split("\n")
    for number, line in enumerate(lines):
        found = INVALID_XML_CHARS.search(line)
        if found:
            lines[number] = INVALID_XML_CHARS.sub("", line)
            source.warnings.append(Problem(
                "PR011", _("文字中含有无法写入 Word 的控制字符，已删除"),
                Location(source.file, number + 1, found.start() + 1), "warning"))
    return "\n".join(lines)


def _check_shape(text: str, file: str | None) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` (the composer is recursive) and more than
    :data:`MAX_VALUES` values (each costs memory) from the parser's events, before any node is built."""
    depth = values = 0
    for event in yaml.parse(text, Loader=_Loader):
        values += isinstance(event, yaml.NodeEvent)  # a scalar, an alias or the start of a mapping or list
        depth += isinstance(event, yaml.CollectionStartEvent) - isinstance(event, yaml.CollectionEndEvent)
        if values > MAX_VALUES or depth > MAX_DEPTH:
            _refuse_shape(values, event.start_mark, file)


# The words libyaml's scanner uses when a file nests deeper than its own limit. Which limit fires
# first depends on the PyYAML build (the scanner reads ahead of the events counted here), so both
# are answered with the same located PR014.
_PARSER_DEPTH_LIMIT = "exceeded maximum nesting depth"


def _refuse_shape(values: int, mark, file: str | None) -> None:
    """Raise the error for more than :data:`MAX_VALUES` values, else for nesting deeper than :data:`MAX_DEPTH`."""
    if values > MAX_VALUES:
        code, message = "PR015", _("文件中的数据项过多（超过 {limit} 个），请检查是否选错了文件").format(limit=MAX_VALUES)
    else:
        code, message = "PR014", _("嵌套层次过深（超过 {limit} 层），请检查缩进和括号").format(limit=MAX_DEPTH)
    raise DataError(Problem(code, message, Location(file, mark.line + 1, mark.column + 1)))


# What the common PyYAML problems mean, for a clerk (PyYAML's own words follow in parentheses).
_SYNTAX_HINTS = (
    ("found unexpected end of stream", "引号没有闭合"),
    ("mapping values are not allowed", "这里不能出现“: ”：缩进不对，或文字中含有“: ”时请给整段文字加引号"),
    ("could not find expected ':'", "缺少“:”，或上一行的引号、括号没有闭合"),
    ("expected <block end>", "缩进不一致：同一层的字段应对齐"),
    ("did not find expected key", "缩进不一致：同一层的字段应对齐"),
    ("found character that cannot start any token", "出现了不能作为开头的字符（如 Tab、@、`）"),
    ("expected ',' or ']'", "方括号 [ ] 没有闭合"),
    ("expected ',' or '}'", "花括号 { } 没有闭合"),
)


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, file: str | None) -> Problem:
    lines = text.splitlines()
    mark = exc.problem_mark or exc.context_mark
    if exc.context_mark and mark.line >= len(lines):  # the end of the file: point at what was left open
        mark = exc.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    what = " ".join(p for p in (exc.context, exc.problem) if p)
    hint = next((_(h) for english, h in _SYNTAX_HINTS if english in what), None)
    colon = _full_width_colon(lines, line)
    if colon is not None:  # the parser stumbles a line or more after a key written with “：”
        line, column = colon
        hint = _("“{key}”后面是全角冒号“：”，请改为半角冒号加空格“: ”").format(key=lines[line - 1][column - 1:].split("：")[0].strip())
    message = _("YAML 格式错误：{detail}").format(detail=f"{hint}（{what}）" if hint else what)
    if line is not None and 0 < line <= len(lines):
        shown = lines[line - 1]
        message += "\n    " + shown + "\n    " + _caret(shown, column or 1)
        if "\t" in shown:
            message += "\n" + _("（YAML 不允许用 Tab 缩进，请改用空格）")
    return Problem("PR004", message, Location(file, line, column))


# A key written with a full-width colon: `budget： 100`, `- name：…`; and one written right.
FULL_WIDTH_KEY = re.compile(r"^(\s*(?:-\s+)?)[A-Za-z_][A-Za-z0-9_]*\s*：")
LOWER_KEY = re.compile(r"[a-z_][a-z0-9_]*\s*：")
# A line that FULL_WIDTH_KEY and then LOWER_KEY match, matched at a line's start in the whole text.
_FULL_WIDTH_KEY_LINE = re.compile(r"([^\S\n]*(?:-[^\S\n]+)?)(?=[a-z_][a-z0-9_]*[^\S\n]*：)([A-Za-z_][A-Za-z0-9_]*[^\S\n]*)：")
ASCII_KEY = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][A-Za-z0-9_]*:(\s|$)")


def _full_width_colon(lines: list[str], line: int | None) -> tuple[int, int] | None:
    """``(line, column)`` of a key written with “：” at or just before ``line`` (1-based), if any."""
    if line is None:
        return None
    for number in range(min(line, len(lines)), 0, -1):
        match = FULL_WIDTH_KEY.match(lines[number - 1])
        if match:
            return number, len(match.group(1)) + 1
        if number < line and ASCII_KEY.match(lines[number - 1]):
            return None  # a well-written key before: the mistake is not above it
    return None


def _caret(line: str, column: int) -> str:
    """A caret under ``column`` that lines up under wide (Chinese) characters too."""
    pad = "".join("\u3000" if ord(ch) > 0x2E7F else (" " if ch != "\t" else "\t") for ch in line[: column - 1])
    return pad + "^"


class _EventReader:
    """Read a file of plain data straight from the parser's events, without composing a node tree.

    Composing nodes first (and keeping them all alive for the garbage collector to scan) costs
    several times as much. A file with anything beyond plain data (an anchor, alias or tag, a merge
    or duplicate key, a key that is not text, a root that is not a mapping, several documents, a value
    that cannot be read) makes :meth:`read` answer ``None``: :func:`_read_nodes` then reads the file
    and reports its problems as always. The size and depth limits are checked on the same events in
    the same order as :func:`_check_shape`, so they are refused with the same error.
    """

    def __init__(self, text: str, file: str | None):
        self.text, self.file = text, file
        self.blocks: list[tuple[tuple, str]] = []  # (path, text) of each block of text (| or >) with a "#"

    def read(self) -> Source | None:
        """``Source`` with data, positions and warnings, or ``None`` for the node reader."""
        if _Loader.yaml_path_resolvers:  # tags would depend on where a value is
            return None
        loader = _Loader(self.text)
        try:
            return self._read(loader)
        finally:
            loader.dispose()

    def _read(self, loader) -> Source | None:
        source = Source({}, self.file)
        builder = _Builder(source)
        positions, blocks, file = source.positions, self.blocks, self.file
        get, resolve, node = loader.get_event, loader.resolve, yaml.ScalarNode
        # a plain scalar's text -> its value: the same words and numbers recur on every project
        values_of: dict[str, object] = {}
        plain_keys: set[str] = set()  # plain keys seen, none of them a merge key
        scalar, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
        mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
        unread = _UNREAD
        get()  # the stream's start
        if get().__class__ is not yaml.DocumentStartEvent:
            return None
        event = get()
        if event.__class__ is not mapping_start or event.anchor is not None or event.tag is not None:
            return None
        positions[()] = (event.start_mark.line + 1, event.start_mark.column + 1)
        values = depth = 1
        container, path, mapping, key = source.data, (), True, None
        stack = []
        while True:
            if mapping:  # a key, or the mapping's end
                event = get()
                kind = event.__class__
                if kind is not scalar:
                    if kind is not mapping_end:
                        return None  # a key that is a mapping or list, or an alias
                    depth -= 1
                    if not stack:
                        break
                    container, path, mapping = stack.pop()
                    continue
                values += 1
                if values > MAX_VALUES:
                    _refuse_shape(values, event.start_mark, file)
                if event.tag is not None or event.anchor is not None:
                    return None
                key = event.value
                if event.implicit[0]:  # plain: a merge key ("<<") if its text resolves to one
                    if key not in plain_keys:
                        if resolve(node, key, event.implicit) == _MERGE:
                            return None
                        plain_keys.add(key)
                elif event.style == '"':  # only escapes can bring back characters removed from the text
                    key = builder.text(key, event.start_mark, path)
                if key in container:
                    return None
                here = path + (key,)
            event = get()
            kind = event.__class__
            if kind is scalar:
                values += 1
                if values > MAX_VALUES:
                    _refuse_shape(values, event.start_mark, file)
                if event.tag is not None or event.anchor is not None:
                    return None
                mark = event.start_mark
                if not mapping:
                    here = path + (len(container),)
                positions[here] = (mark.line + 1, mark.column + 1)
                value = event.value
                if event.implicit[0]:
                    known = values_of.get(value, unread)
                    if known is unread:
                        tag = resolve(node, value, event.implicit)
                        if tag != _STR:
                            known = builder.value(tag, value, mark, here)
                            if builder.problems:
                                return None
                        else:
                            known = value
                        values_of[value] = known
                    value = known
                elif event.style == '"':
                    value = builder.text(value, mark, here)
                elif "#" in value and event.style != "'":  # a block of text (| or >): see _comments_in_blocks
                    blocks.append((here, value))
                if mapping:
                    container[key] = value
                else:
                    container.append(value)
                continue
            if kind is mapping_start or kind is sequence_start:
                values += 1
                depth += 1
                if values > MAX_VALUES or depth > MAX_DEPTH:
                    _refuse_shape(values, event.start_mark, file)
                if event.tag is not None or event.anchor is not None:
                    return None
                mark = event.start_mark
                if not mapping:
                    here = path + (len(container),)
                positions[here] = (mark.line + 1, mark.column + 1)
                value = {} if kind is mapping_start else []
                if mapping:
                    container[key] = value
                else:
                    container.append(value)
                stack.append((container, path, mapping))
                container, path, mapping = value, here, kind is mapping_start
                continue
            if kind is not sequence_end:
                return None  # an alias
            depth -= 1
            container, path, mapping = stack.pop()
        if get().__class__ is not yaml.DocumentEndEvent or get().__class__ is not yaml.StreamEndEvent:
            return None  # another document follows
        return source


class _Builder:
    """Walk the composed node tree once, building data and recording positions."""

    def __init__(self, source: Source):
        self.source = source
        self.problems: list[Problem] = []
        self.constructor = yaml.constructor.SafeConstructor()  # only its timestamp constructor is used
        self.seen: set[int] = set()

    def loc(self, mark, path) -> Location:
        return Location(self.source.file, mark.line + 1, mark.column + 1, path)

    def build(self, node, path):
        if id(node) in self.seen:  # the composer shares the node of an alias
            self.problems.append(Problem("PR006", _("不支持 YAML 别名（*引用），请直接写出内容"), self.loc(node.start_mark, path)))
            return None
        self.seen.add(id(node))
        self.source.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path) if node.tag == _MAP else self.unsupported(node.tag, node.start_mark, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                return self.unsupported(node.tag, node.start_mark, path)
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        return self.value(node.tag, node.value, node.start_mark, path)

    def unsupported(self, tag: str, mark, path) -> None:
        shown = "!!" + tag[len(_YAML_TAG):] if tag.startswith(_YAML_TAG) else tag
        self.problems.append(Problem("PR010", _("不支持的 YAML 标签 {tag}").format(tag=shown), self.loc(mark, path)))

    def mapping(self, node, path):
        out = {}
        first = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem("PR007", _("字段名必须是文字"), self.loc(key_node.start_mark, path)))
                continue
            if key_node.tag == _MERGE:
                self.problems.append(Problem("PR006", _("不支持 YAML 合并（<<），请直接写出内容"), self.loc(key_node.start_mark, path)))
                continue
            if key_node.tag not in _SCALAR_TAGS:  # a key is read as its text, whatever a plain key's text resolves to
                self.unsupported(key_node.tag, key_node.start_mark, path)
                continue
            key = self.text(key_node.value, key_node.start_mark, path)
            if key in first:
                self.problems.append(Problem(
                    "PR008",
                    _("字段 {key} 重复出现（第一次在第 {line} 行）").format(key=key, line=first[key]),
                    self.loc(key_node.start_mark, path + (key,)),
                ))
                continue
            first[key] = key_node.start_mark.line + 1
            out[key] = self.build(value_node, path + (key,))
        return out

    def value(self, tag: str, text: str, mark, path):
        """The value of a scalar with ``tag`` and ``text``, or ``None`` with a located problem."""
        if tag == _STR or _yaml11_only(tag, text):
            return self.text(text, mark, path)
        if tag == _FLOAT:
            try:
                value = Decimal(text)
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite():
                self.problems.append(Problem("PR009", _("“{text}”不是有效的数字").format(text=text), self.loc(mark, path)))
                return None
            if value and value.adjusted() > MAX_EXPONENT:  # refused before any arithmetic can overflow
                self.problems.append(Problem("PR018", _("数字“{text}”过大（超过 10 的 {limit} 次方），请检查").format(
                    text=text, limit=MAX_EXPONENT), self.loc(mark, path)))
                return None
            return value
        if tag == _INT:
            try:
                return int(text.replace("_", ""))
            except ValueError:  # more digits than Python converts
                self.problems.append(Problem("PR009", _("“{text}”不是有效的数字").format(text=text), self.loc(mark, path)))
                return None
        if tag == _BOOL:  # "true" or "false" in any case: YAML 1.1's other words stay text (_yaml11_only)
            return text.lower() == "true"
        if tag == _NULL:
            if text in ("", "~") or text.lower() == "null":
                return None
            self.problems.append(Problem("PR009", _("“{text}”不是空值，不能标为 !!null").format(text=text), self.loc(mark, path)))
            return None
        if tag == _TIMESTAMP:
            return self.timestamp(text, mark, path)
        return self.unsupported(tag, mark, path)

    def timestamp(self, text: str, mark, path):
        """A date (``2024-03-05``) or a date and time; PyYAML's constructor fails on text that is neither."""
        if self.constructor.timestamp_regexp.match(text):
            try:
                return self.constructor.construct_yaml_timestamp(yaml.ScalarNode(_TIMESTAMP, text, mark, mark))
            except (ValueError, OverflowError):  # 2023-02-30, month 13, hour 25, an offset of a day or more
                pass
        self.problems.append(Problem(
            "PR009", _("“{text}”不是有效的日期（应写作如 2024-03-05）").format(text=text), self.loc(mark, path)))
        return None

    def text(self, value: str, mark, path) -> str:
        """``value`` without characters a .docx cannot hold (they come from escapes such as ``"\\x0b"``)."""
        if INVALID_XML_CHARS.search(value):
            value = INVALID_XML_CHARS.sub("", value)
            self.source.warnings.append(Problem(
                "PR011", _("文字中含有无法写入 Word 的控制字符，已删除"), self.loc(mark, path), "warning"))
        return value


def _yaml11_only(tag: str, text: str) -> bool:
    """A plain scalar that only YAML 1.1 reads as a number or boolean: ``0x1F``, ``1:30``, ``yes``, ``off``,
    or as a merge or "value" key: ``<<``, ``=``.

    Read as text (as YAML 1.2 does), so a number field holding one is a clear
    type error instead of a silently converted value.
    """
    if tag in (_MERGE, _VALUE):  # a merge key is refused before its value is read (_Builder.mapping)
        return True
    if tag == _INT:
        return not _DECIMAL_INT.fullmatch(text)
    if tag == _FLOAT:
        return ":" in text
    if tag == _BOOL:
        return text.lower() not in ("true", "false")
    return False


def leaves(data: dict | list, kinds) -> list[tuple[tuple, object, object]]:
    """``(path, key, value)`` of every value in ``data`` that is an instance of ``kinds`` (which takes
    neither ``None``, mappings nor lists), in the order of the file. The value's own path is
    ``path + (key,)``, left to the caller to build for the few values it reports."""
    found: list[tuple[tuple, object, object]] = []
    _collect(data, kinds, (), found)
    return found


def _collect(data, kinds, path: tuple, found: list, _containers=(dict, list)) -> None:
    for key, value in data.items() if isinstance(data, dict) else enumerate(data):
        if value is None:
            continue
        if isinstance(value, kinds):
            found.append((path, key, value))
        elif value and isinstance(value, _containers):  # an empty one holds nothing
            _collect(value, kinds, path + (key,), found)
