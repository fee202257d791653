"""Zip packages read from outside (.xlsx unit files, reference .docx): checked before any XML is parsed.

A workbook or a reference document is written by someone else and may be
hostile: a part that decompresses to gigabytes (a zip bomb), XML with a
document type declaration (entities: "billion laughs", external entities that
read local files or fetch URLs), macros, relationships to outside targets.
:func:`check` refuses such a package from the zip directory and one streamed
pass over each part, holding at most one chunk in memory, before openpyxl or
python-docx parses anything. Limits are documented in docs/errors.md.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from pathlib import Path

from lxml import etree

from ..i18n import _

MAX_PART_BYTES = 100 * 1024 * 1024      # one part, uncompressed: a sheet of 50,000 projects is about 20 MB
MAX_TOTAL_BYTES = 300 * 1024 * 1024     # all parts, uncompressed
MAX_RATIO = 100                         # uncompressed / compressed, for parts over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024               # small parts may compress very well (a sheet of empty cells)
MAX_PARTS = 10_000
MAX_CELLS = 1_000_000                   # cells, shared strings and merged cells of a workbook (openpyxl makes an object of each)
_CELL = re.compile(rb"<c[ >/]")
_SHARED = re.compile(rb"<si[ >/]")
_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"')
_CHUNK = 1024 * 1024
# A DTD is where entities are declared; workbook and Word XML never needs one. Also in UTF-16.
_DECLARATIONS = [mark.encode(codec) for mark in ("<!DOCTYPE", "<!ENTITY") for codec in ("ascii", "utf-16-le", "utf-16-be")]
# Word fields that read other files or addresses when the document is opened or its fields updated.
_FETCHING_FIELD = re.compile(rb"\b(INCLUDETEXT|INCLUDEPICTURE|DDEAUTO|DDE)\b", re.IGNORECASE)
_TAIL = 64  # kept from the previous chunk: longer than any mark or <mergeCell ref="…"> looked for
# Parts that are never parsed as XML (pictures, embedded binaries); every other part is scanned, whatever
# its name, since a content type can make any part name an XML part.
_BINARY_PART = re.compile(r"\.(png|jpe?g|jfif|gif|bmp|tiff?|emf|wmf|ico|wdp|bin)$", re.IGNORECASE)
# Relationships to outside targets that are kept: a hyperlink is only followed when a reader clicks it;
# Word's attached template (a path on the author's machine) is removed by the builder.
_ALLOWED_EXTERNAL = {"http://schemas.openxmlformats.org/officeDocument/2006/relationships/" + kind
                     for kind in ("hyperlink", "attachedTemplate")}
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


class Refused(Exception):
    """The package is refused: ``message`` says why, naming the part."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size} B"


def check(path: str | Path, *, macros: bool = False, external: bool = False, cells: bool = False) -> None:
    """Raise :class:`Refused` when the zip package at ``path`` is too large, a bomb, or holds a DTD.

    With ``macros`` a VBA project or a macro-enabled content type is refused
    too; with ``external`` a relationship to a target outside the package
    (other than a hyperlink); with ``cells`` (a workbook) more than
    :data:`MAX_CELLS` cells, shared strings or merged cells. A file that is not a zip raises
    :class:`zipfile.BadZipFile` as before, for the caller's usual message.
    """
    try:
        _check(path, macros, external, cells)
    except (zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:  # corrupt, unsupported or encrypted
        raise zipfile.BadZipFile(str(exc)) from None


def _check(path, macros: bool, external: bool, cells: bool) -> None:
    with zipfile.ZipFile(path) as package:
        infos = package.infolist()
        if len(infos) > MAX_PARTS:
            raise Refused(_("文件中的部件过多（{count} 个，上限 {limit} 个）").format(count=len(infos), limit=MAX_PARTS))
        total = 0
        for info in infos:
            _check_size(info)
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise Refused(_("文件解压后过大（超过 {limit}）").format(limit=_mb(MAX_TOTAL_BYTES)))
            if macros and posixpath.basename(info.filename).lower().startswith(("vbaproject", "vbadata")):
                raise Refused(_("文件中含有宏（{part}）；perfreport 不使用含宏的文档，请另存为不含宏的 .docx").format(part=info.filename))
        counts = {"cells": 0, "merged": 0}
        for info in infos:
            if not _BINARY_PART.search(info.filename) and not info.is_dir():
                _scan(package, info, macros=macros, external=external, counts=counts if cells else None)


def _check_size(info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_PART_BYTES:
        raise Refused(_("部件 {part} 解压后有 {size}，超过 {limit} 的上限（可能是“压缩炸弹”）").format(
            part=info.filename, size=_mb(info.file_size), limit=_mb(MAX_PART_BYTES)))
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise Refused(_("部件 {part} 的压缩比异常（{ratio} 倍，上限 {limit} 倍），可能是“压缩炸弹”").format(
            part=info.filename, ratio=info.file_size // max(info.compress_size, 1), limit=MAX_RATIO))


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _count(window: bytes, tail: bytes, counts: dict) -> None:
    """Add the cells, shared strings and merged cells that start in ``window`` but not in ``tail``
    (the end of the previous window, counted then) to ``counts``; refuse past :data:`MAX_CELLS`."""
    for pattern in (_CELL, _SHARED):
        counts["cells"] += len(pattern.findall(window)) - len(pattern.findall(tail))
    for match in list(_MERGE.finditer(window))[len(_MERGE.findall(tail)):]:
        first_col, first_row, last_col, last_row = match.groups()
        counts["merged"] += (abs(int(last_row) - int(first_row)) + 1) * (abs(_column(last_col) - _column(first_col)) + 1)
    if counts["cells"] > MAX_CELLS:
        raise Refused(_("工作簿中的单元格过多（超过 {limit} 个）").format(limit=MAX_CELLS))
    if counts["merged"] > MAX_CELLS:
        raise Refused(_("工作簿中合并的单元格过多（合并区域合计超过 {limit} 个单元格）").format(limit=MAX_CELLS))


def _scan(package: zipfile.ZipFile, info: zipfile.ZipInfo, *, macros: bool, external: bool, counts: dict | None) -> None:
    """Stream the part once: its real size, any DTD; relationships and content types when asked,
    cells when ``counts`` is given."""
    size, tail = 0, b""
    keep = info.filename.endswith(".rels") and external or info.filename == "[Content_Types].xml" and macros
    whole = []
    with package.open(info) as part:
        while chunk := part.read(_CHUNK):
            size += len(chunk)
            if size > MAX_PART_BYTES:
                raise Refused(_("部件 {part} 解压后超过 {limit} 的上限（可能是“压缩炸弹”）").format(
                    part=info.filename, limit=_mb(MAX_PART_BYTES)))
            window = tail + chunk
            if any(mark in window for mark in _DECLARATIONS):
                raise Refused(_("部件 {part} 含有 XML 文档类型声明（<!DOCTYPE>/<!ENTITY>，可用于读取本机文件或耗尽内存），"
                                "已拒绝；请用 Excel/WPS/Word 重新保存").format(part=info.filename))
            if counts is not None:
                _count(window, tail, counts)
            if external and (field := _FETCHING_FIELD.search(window)):
                raise Refused(_("部件 {part} 中有域 {field}，它会在打开文档时读取外部文件或网址；请在 Word 中删除该域后另存").format(
                    part=info.filename, field=field.group(1).decode("ascii").upper()))
            tail = window[-_TAIL:]
            if keep:
                whole.append(chunk)
    if not keep:
        return
    try:
        root = etree.fromstring(b"".join(whole), _SAFE)
    except etree.XMLSyntaxError as exc:
        raise Refused(_("部件 {part} 不是有效的 XML：{detail}").format(part=info.filename, detail=exc.msg)) from None
    if info.filename.endswith(".rels"):
        for rel in root:
            if rel.get("TargetMode") == "External" and rel.get("Type") not in _ALLOWED_EXTERNAL:
                raise Refused(_("部件 {part} 引用了外部目标 {target}（{kind}）；perfreport 不读取也不保留外部链接的内容，"
                                "请在 Word 中删除它后另存").format(part=info.filename, target=rel.get("Target"),
                                                                 kind=(rel.get("Type") or "").rsplit("/", 1)[-1]))
    elif any("macroEnabled" in (override.get("ContentType") or "") for override in root):
        raise Refused(_("文件是含宏的文档（.docm）；perfreport 不使用含宏的文档，请另存为不含宏的 .docx"))
