"""Markup -> .docx: WordprocessingML styled by a style profile.

python-docx supplies the base package (styles, sections, footers, settings),
prepared once per process for a style profile; each report's body is written
as WordprocessingML text straight into word/document.xml while the package is
saved, which is many times faster than adding paragraphs and table cells one
by one, and never holds a large report in memory whole.

Styles are real Word styles (Normal, Body Text, Title, Heading 1-4, Footer,
Table Text), so the outline, a TOC and restyling all work in Word. Every style
sets the East Asian font (``w:eastAsia``) and a Western font for digits.
"""
from __future__ import annotations

import base64
import copy
import datetime
import io
import json
import math
import os
import re
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from lxml import etree

from .. import cache
from . import markup
from ..errors import DataError, Location, Problem, TemplateError
from ..templating.filters import chinese_numeral
from ..i18n import _
from .style import line_spacing, paper_mm, points, twips_from_mm, twips_from_pt
from .wml import W, escape, paragraph as _paragraph, qn, run as _run, text as _t

def parse_xml(xml: str):
    """An element of python-docx's own classes (so the document it goes into keeps working) from ``xml``."""
    from docx.oxml import parse_xml as parse

    return parse(xml)
INSIDE_ATTACHMENT = {"title", "h1", "h2", "h3", "h4", "p", "table", "pagebreak"}
HEADINGS = ("h1", "h2", "h3", "h4")
CLOSING = ("attachments", "signature")   # the 附件 list and the 落款: never on a page without body text
KEEP_LAST_ROWS = 3   # a table's last rows kept together on one page
_JC = {"left": "left", "center": "center", "right": "right", "both": "both", "justify": "both"}


def build(root, profile: dict, template: str | None = None, reference: str | Path | None = None, *,
          cache_dir: str | Path | None = None) -> Docx:
    """The .docx for the markup ``root``, ready to :meth:`~Docx.save`: a root from :func:`markup.parse`,
    or the blocks from :func:`markup.stream` (then the document can be saved once).

    The base document is ``reference`` (a .docx whose styles, page setup, header
    and footer are kept and whose body is dropped, like pandoc's
    ``--reference-doc``) or python-docx's blank document; the style profile
    fills in what the base does not define (all of it for the blank document).
    The base is prepared once per process for each profile and reference
    (:func:`prepared`), and kept in ``cache_dir`` for later processes; a report only adds its body.
    """
    return Docx(prepared(profile, reference, cache_dir), root, profile, template)


@dataclass(frozen=True)
class Base:
    """An empty document with the profile applied, kept as bytes: its package without
    word/document.xml (compressed once), the text of word/document.xml before and after the
    body, and the body's w:sectPr."""

    package: bytes
    head: str
    tail: str
    section: etree._Element
    ids: dict
    text_width: int


class Docx:
    """A report: the base package with the body written from the markup ``root`` into word/document.xml.

    The body is written while it is saved, block by block, so that a report of
    thousands of pages never has to be held in memory as one text.
    """

    def __init__(self, base: Base, root, profile: dict, template: str | None = None):
        self.base, self.root, self.profile, self.template = base, root, profile, template
        self.title = ""

    def body(self) -> Iterator[str]:
        """The WordprocessingML of the body, block by block, ending with the last section's w:sectPr."""
        section = copy.deepcopy(self.base.section)
        writer = _Writer(self.profile, self.template, self.base.ids, self.base.text_width, section)
        yield from writer.blocks(self.root)
        writer.finish(section)
        self.title = "".join(writer.title)
        yield etree.tostring(section, encoding="unicode")

    def save(self, file) -> None:
        """Write the .docx to ``file`` (a path or a binary file object)."""
        buffer = io.BytesIO(self.base.package)
        with zipfile.ZipFile(buffer, "a") as package:
            with package.open(_info_now(_DOCUMENT), "w") as stream:
                pending, size = [self.base.head], 0
                for block in self.body():   # written in pieces of about _PIECE characters
                    pending.append(block)
                    size += len(block)
                    if size >= _PIECE:
                        stream.write("".join(pending).encode("utf-8"))
                        pending, size = [], 0
                pending.append(self.base.tail)
                stream.write("".join(pending).encode("utf-8"))
            package.writestr(_info_now(_CORE), _core_properties(self.title))
        if isinstance(file, (str, os.PathLike)):
            Path(file).write_bytes(buffer.getbuffer())
        else:
            file.write(buffer.getbuffer())


# zlib level for word/document.xml, by measurement (docs/performance.md, 2026-12-02): on the 113 MB of a
# 5,000-project report level 3 takes 0.18 s and gives 3.6 MB, the default (6) 0.45 s and 1.4 MB;
# levels 4 and up cost more than twice as much time.
_DEFLATE_LEVEL = 3
# Characters of word/document.xml handed to the compressor at once: one call per table or paragraph
# cost more than the compression of a small one.
_PIECE = 1 << 18


def _info_now(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = _DEFLATE_LEVEL   # ZipInfo.compress_level from Python 3.13 on; this name still works there
    return info


def _core_properties(title: str) -> bytes:
    """docProps/core.xml: the report's title, made by perfreport, created and modified now (Word
    shows these under File > Info; the base document's would say python-docx, 2013)."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<cp:coreProperties {_CORE_NS}>"
            f"<dc:title>{escape(title)}</dc:title><dc:creator>perfreport</dc:creator><cp:lastModifiedBy>perfreport</cp:lastModifiedBy>"
            f'<cp:revision>1</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>').encode("utf-8")


_CORE_NS = ('xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"')
_DOCUMENT = "word/document.xml"
_CORE = "docProps/core.xml"
_MARK = "perfreport-body"
_prepared: dict[str, Base] = {}


def prepared(profile: dict, reference: str | Path | None = None, cache_dir: str | Path | None = None) -> Base:
    """The :class:`Base` for ``profile`` on ``reference`` (or the blank document), made once per
    process, and again when the reference file changes; with ``cache_dir``, kept there for later processes."""
    key = json.dumps(profile, sort_keys=True, default=str)
    if reference is not None:
        try:
            stat = os.stat(reference)
            key += f"\0{os.path.abspath(reference)}\0{stat.st_mtime_ns}\0{stat.st_size}"
        except OSError:
            pass  # base_document() reports it
    if key not in _prepared:
        if len(_prepared) >= 16:
            _prepared.clear()
        _prepared[key] = _kept(key, cache_dir, lambda: _prepare(profile, reference))
    return _prepared[key]


def _kept(key: str, cache_dir: str | Path | None, make) -> Base:
    """``make()``, or the copy kept in ``cache_dir`` by an earlier process for ``key``, this module's file
    and the WordprocessingML layer's (which make it) and the installed python-docx (whose blank document
    is the base)."""
    if cache_dir is None:
        return make()
    from importlib.util import find_spec

    stamp = [key]
    docx_folder = Path(getattr(find_spec("docx"), "origin", None) or ".").parent
    for file in (Path(__file__), Path(__file__).with_name("wml.py"), docx_folder / "__init__.py", docx_folder / "templates" / "default.docx"):
        try:
            found = os.stat(file)
        except OSError:
            return make()
        stamp.append(f"{file} {found.st_mtime_ns} {found.st_size}")
    return cache.kept(cache_dir, "base", "\0".join(stamp), make, _encoded, _decoded)


def _encoded(base: Base) -> bytes:
    return json.dumps({
        "package": base64.b64encode(base.package).decode("ascii"), "head": base.head, "tail": base.tail,
        "section": etree.tostring(base.section, encoding="unicode"), "ids": base.ids, "text_width": base.text_width,
    }).encode("utf-8")


def _decoded(data: bytes) -> Base:
    kept = json.loads(data)
    package = base64.b64decode(kept["package"], validate=True)
    try:
        zipfile.ZipFile(io.BytesIO(package)).close()  # a whole package (its directory of parts is at its end)
        section = etree.fromstring(kept["section"])
    except (zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        raise ValueError(exc) from None
    return Base(package, kept["head"], kept["tail"], section, kept["ids"], kept["text_width"])


def _prepare(profile: dict, reference: str | Path | None) -> Base:
    document = base_document(reference)
    ids = apply_profile(document, profile, fill_only=reference is not None)
    text_width = _text_width(document, profile)
    document.core_properties   # python-docx adds the part (and its content type) if the base has none
    body = document.element.body
    section = body.sectPr
    for child in list(body):
        body.remove(child)
    body.append(etree.Comment(_MARK))
    saved = io.BytesIO()
    document.save(saved)
    package = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as target:
        relationships, dropped = _without_thumbnail(source.read("_rels/.rels"))
        for info in source.infolist():
            if info.filename == _DOCUMENT:
                head, _mark, tail = source.read(info).decode("utf-8").partition(f"<!--{_MARK}-->")
            elif info.filename == "_rels/.rels":
                target.writestr(info, relationships)
            elif info.filename not in dropped and info.filename != _CORE:
                target.writestr(info, source.read(info))
    return Base(package.getvalue(), head, tail, section, ids, text_width)


def _without_thumbnail(relationships: bytes) -> tuple[bytes, set[str]]:
    """The package relationships without the thumbnail (the base document's preview picture, a
    blank page for python-docx's, which file browsers would show for every report), and the
    names of the parts it pointed to."""
    root = etree.fromstring(relationships)
    dropped = set()
    for relationship in list(root):
        if relationship.get("Type", "").endswith("/metadata/thumbnail"):
            dropped.add(relationship.get("Target", "").lstrip("/"))
            root.remove(relationship)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), dropped


def base_document(reference: str | Path | None = None) -> docx.document.Document:
    """The document a report is built on: the reference .docx, or a blank one."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if reference is None:
        return docx.Document()
    try:
        document = docx.Document(str(reference))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, PackageNotFoundError, etree.XMLSyntaxError) as exc:
        raise DataError(Problem("PR206", _("无法打开参考文档（应为 Word .docx 文件）：{detail}").format(detail=exc),
                                Location(str(reference)))) from None
    if document.element.body.sectPr is None:
        document.element.body.append(parse_xml(f"<w:sectPr {W}/>"))
    settings = document.part._settings_part  # python-docx has no public handle on the part
    for attached in settings.element.findall(qn("w:attachedTemplate")):  # a template on the author's machine
        settings.element.remove(attached)
    for rid, relationship in list(settings.rels.items()):
        if relationship.reltype.endswith("/attachedTemplate"):
            settings.drop_rel(rid)
    return document


def _text_width(document, profile: dict) -> int:
    """Width of the text column in twips: the page less the left and right margins."""
    section = document.sections[0]
    if section.page_width is not None and section.left_margin is not None and section.right_margin is not None:
        return section.page_width.twips - section.left_margin.twips - section.right_margin.twips
    width, _height = paper_mm(profile["page"])
    return twips_from_mm(width) - twips_from_mm(profile["page"]["margin_left_mm"]) - twips_from_mm(profile["page"]["margin_right_mm"])


# --- styles -------------------------------------------------------------------------------------

def _rpr(profile: dict, spec: dict, spacing: int = 0) -> str:
    """Run properties of a profile element; ``spacing`` condenses (negative) its characters."""
    western = escape(spec.get("western") or profile["fonts"]["western"], {'"': "&quot;"})
    east = escape(spec["east_asian"], {'"': "&quot;"})
    half_points = round(points(spec["size"]) * 2)
    bold = "<w:b/><w:bCs/>" if spec.get("bold") else '<w:b w:val="0"/><w:bCs w:val="0"/>'
    space = f'<w:spacing w:val="{spacing}"/>' if spacing else ""
    return (f'<w:rPr><w:rFonts w:ascii="{western}" w:hAnsi="{western}" w:eastAsia="{east}" w:cs="{western}"/>'
            f'{bold}<w:color w:val="000000"/>{space}<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>')


def _ppr(spec: dict | None = None, *, indent: bool = False, align: str = "both", keep_next=False, outline=None) -> str:
    """Paragraph properties of a profile element: line spacing, first-line indent (if ``indent``), alignment."""
    spec = spec or {}
    out = "<w:pPr>"
    if keep_next:
        out += "<w:keepNext/>"
    line, rule = line_spacing(spec["line_spacing"]) if spec.get("line_spacing") is not None else (240, "auto")
    out += f'<w:spacing w:before="0" w:after="0" w:line="{line}" w:lineRule="{rule}"/>'
    chars = spec.get("first_line_indent_chars")
    if indent and chars is not None:
        chars = float(chars)
        out += f'<w:ind w:firstLineChars="{round(chars * 100)}" w:firstLine="{round(chars * points(spec["size"]) * 20)}"/>'
    out += f'<w:jc w:val="{_JC.get(spec.get("align") or align, "both")}"/>'
    if outline is not None:
        out += f'<w:outlineLvl w:val="{outline}"/>'
    return out + "</w:pPr>"


def _style(style_id: str, ppr: str, rpr: str, based_on: str | None = "Normal") -> str:
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    return (f'<w:style {W} w:type="paragraph" w:customStyle="{0 if style_id in _BUILTIN else 1}" w:styleId="{style_id}">'
            f'<w:name w:val="{STYLE_NAMES[style_id]}"/>{based}<w:qFormat/>{ppr}{rpr}</w:style>')


# Logical style -> the style's name in Word (a reference .docx is matched by name, since
# Word in Chinese saves its own style ids).
STYLE_NAMES = {"Normal": "Normal", "BodyText": "Body Text", "Title": "Title", "Heading1": "heading 1",
               "Heading2": "heading 2", "Heading3": "heading 3", "Heading4": "heading 4", "Footer": "footer",
               "TableText": "Table Text", "TableGrid": "Table Grid"}
_BUILTIN = {"Normal", "BodyText", "Title", "Heading1", "Heading2", "Heading3", "Heading4", "Footer", "TableGrid"}
_TABLE_GRID = (f'<w:style {W} w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/>'
               '<w:tblPr><w:tblBorders>' + "".join(
                   f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                   for side in ("top", "left", "bottom", "right", "insideH", "insideV")) + "</w:tblBorders></w:tblPr></w:style>")


def _styles(profile: dict, fill_only: bool = False) -> dict[str, str]:
    """Style definitions by id. With ``fill_only`` (a reference document) Body Text and Table Text
    take only paragraph layout from the profile and their font from the reference's Normal."""
    body, title, table, number = profile["body"], profile["title"], profile["table"], profile["page_number"]
    spacing = condensed(profile)   # body-sized text: chars_per_line characters a line
    styles = {
        "Normal": _style("Normal", _ppr(body), _rpr(profile, body), None),
        "BodyText": _style("BodyText", _ppr(body, indent=True), "" if fill_only else _rpr(profile, body, spacing)),
        "Title": _style("Title", _ppr(title, align="center"), _rpr(profile, title)),
        "Footer": _style("Footer", _ppr(), _rpr(profile, number)),
        "TableText": _style("TableText", _ppr(table), "" if fill_only else _rpr(profile, table)),
    }
    for level, spec in enumerate(profile["headings"][:4], start=1):
        merged = {**body, **spec}
        same_size = points(merged["size"]) == points(body["size"])
        styles[f"Heading{level}"] = _style(f"Heading{level}", _ppr(merged, indent=True, keep_next=True, outline=level - 1),
                                           _rpr(profile, merged, spacing if same_size else 0))
    styles["TableGrid"] = _TABLE_GRID
    return styles


def apply_profile(document: docx.document.Document, profile: dict, fill_only: bool = False) -> dict[str, str]:
    """Styles, page setup and page-number footers of ``profile`` on ``document``.

    Returns the style id to use for each logical style. With ``fill_only`` (a
    reference document) what the document already defines is kept: styles
    found by name, document defaults, page setup and an existing footer.
    """
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if not fill_only or defaults is None:
        new_defaults = _doc_defaults(profile)
        if defaults is not None:
            defaults.getparent().replace(defaults, new_defaults)
        else:
            styles.insert(0, new_defaults)
    by_name = {s.find(qn("w:name")).get(qn("w:val")).lower(): s for s in styles.findall(qn("w:style"))
               if s.find(qn("w:name")) is not None}
    existing = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    ids, added = {}, []
    for style_id, xml in _styles(profile, fill_only).items():
        kept = by_name.get(STYLE_NAMES[style_id].lower()) if fill_only else None
        if kept is not None:
            ids[style_id] = kept.get(qn("w:styleId"))
            continue
        ids[style_id] = style_id
        element = parse_xml(xml)
        added.append(element)
        if style_id in existing:
            styles.replace(existing[style_id], element)
        else:
            styles.append(element)
    for element in added:   # styles added to a reference are based on its Normal, whatever its id
        based = element.find(qn("w:basedOn"))
        if based is not None and based.get(qn("w:val")) == "Normal":
            based.set(qn("w:val"), ids["Normal"])
    if not fill_only:
        _page_setup(document, profile)
    if not fill_only or document.sections[0].footer.is_linked_to_previous:
        _page_numbers(document, profile, ids["Footer"])
    return ids


def _doc_defaults(profile: dict):
    new_defaults = parse_xml(
        f'<w:docDefaults {W}><w:rPrDefault>{_rpr(profile, profile["body"])}</w:rPrDefault>'
        f'<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>')
    lang = parse_xml(f'<w:lang {W} w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>')
    new_defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).append(lang)
    return new_defaults


def _page_setup(document, profile: dict) -> None:
    """Paper size, orientation and margins through python-docx's ``Section``, which keeps the schema's
    element order; the document grid, which python-docx has no API for, as XML after w:cols."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Twips

    page = profile["page"]
    section = document.sections[0]
    sect_pr = section._sectPr
    width_mm, height_mm = paper_mm(page)
    width, height = twips_from_mm(width_mm), twips_from_mm(height_mm)
    landscape = page.get("orientation") == "landscape"
    if landscape:
        width, height = max(width, height), min(width, height)
    for tag in ("w:pgSz", "w:pgMar", "w:docGrid"):   # set afresh, attributes in the order Word writes them
        old = sect_pr.find(qn(tag))
        if old is not None:
            sect_pr.remove(old)
    section.page_width, section.page_height = Twips(width), Twips(height)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.top_margin = Twips(twips_from_mm(page["margin_top_mm"]))
    section.right_margin = Twips(twips_from_mm(page["margin_right_mm"]))
    section.bottom_margin = Twips(twips_from_mm(page["margin_bottom_mm"]))
    section.left_margin = Twips(twips_from_mm(page["margin_left_mm"]))
    section.header_distance = Twips(twips_from_mm(page["header_mm"]))
    section.footer_distance = Twips(twips_from_mm(page["footer_mm"]))
    section.gutter = Twips(0)
    grid = parse_xml(_doc_grid(profile))
    # schema order: ... pgSz, pgMar, ... cols, ... docGrid (last but printerSettings)
    anchor = sect_pr.find(qn("w:cols"))
    if anchor is not None:
        anchor.addnext(grid)
    else:
        sect_pr.append(grid)


def _doc_grid(profile: dict) -> str:
    """The document grid: lines ``line_pitch_pt`` apart (GB/T 9704 7.1: 22 lines a page), or none.

    A character grid (``linesAndChars``) is not used for the 28 characters a line: 156 mm hold 28
    characters of 15.8 pt, less than the 16 pt of 三号, and LibreOffice (7.4) then gives each
    character two grid cells — 14 characters a line. :func:`condensed` narrows the body's
    characters instead, which Word and LibreOffice both honour."""
    pitch = profile["page"].get("line_pitch_pt")
    if not pitch:
        return f'<w:docGrid {W} w:linePitch="360"/>'
    return f'<w:docGrid {W} w:type="lines" w:linePitch="{twips_from_pt(pitch)}"/>'


def condensed(profile: dict) -> int:
    """The character spacing (``w:spacing``, in twentieths of a point, 0 or negative) that fits
    ``page.chars_per_line`` characters of the body size in the width between the margins: -5 (a
    quarter point) for 28 characters of 三号 in 156 mm (GB/T 9704 7.1)."""
    page = profile["page"]
    chars = page.get("chars_per_line")
    if not chars:
        return 0
    short, long = sorted(paper_mm(page))
    width_mm = (long if page.get("orientation") == "landscape" else short) - page["margin_left_mm"] - page["margin_right_mm"]
    pitch = twips_from_mm(width_mm) / float(chars)          # twentieths of a point
    return min(0, math.floor(pitch - points(profile["body"]["size"]) * 20))


def _page_number_paragraph(profile: dict, align: str, style_id: str = "Footer") -> str:
    spec = profile["page_number"]
    before, _sep, after = spec.get("pattern", "— {page} —").partition("{page}")
    indent_twips = round(float(spec.get("indent_chars", 0)) * points(spec["size"]) * 20)
    side = {"right": "right", "left": "left"}.get(align)
    ind = f'<w:ind w:{side}="{indent_twips}"/>' if side and indent_twips else ""

    def run(inner: str) -> str:
        return f"<w:r>{inner}</w:r>"
    field = (run('<w:fldChar w:fldCharType="begin"/>') + run('<w:instrText xml:space="preserve"> PAGE </w:instrText>')
             + run('<w:fldChar w:fldCharType="separate"/>') + run("<w:t>1</w:t>") + run('<w:fldChar w:fldCharType="end"/>'))
    return (f'<w:p {W}><w:pPr><w:pStyle w:val="{style_id}"/>{ind}<w:jc w:val="{align}"/></w:pPr>'
            + (run(f'<w:t xml:space="preserve">{escape(before)}</w:t>') if before else "") + field
            + (run(f'<w:t xml:space="preserve">{escape(after)}</w:t>') if after else "") + "</w:p>")


def _page_numbers(document, profile: dict, style_id: str = "Footer") -> None:
    section = document.sections[0]
    outside = profile["page_number"].get("position", "outside") == "outside"
    document.settings.odd_and_even_pages_header_footer = outside
    footers = [(section.footer, "right" if outside else "center")]
    if outside:
        footers.append((section.even_page_footer, "left"))
    for footer, align in footers:
        footer.is_linked_to_previous = False
        element = footer._element
        for child in list(element):
            element.remove(child)
        element.append(parse_xml(_page_number_paragraph(profile, align, style_id)))


# --- body ---------------------------------------------------------------------------------------

def _positive(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 < value < float("inf") else None


# --- column widths ------------------------------------------------------------------------------

# Advance widths in ems of the characters a table cell holds that are narrower than a CJK character
# (Times New Roman / Liberation Serif — digits 0.5 em — with some room to spare).
_NARROW = {**dict.fromkeys("0123456789", 0.56), **dict.fromkeys(".,:;'!|", 0.3), "%": 0.84, "-": 0.4, "+": 0.6,
           " ": 0.32, "(": 0.4, ")": 0.4, "/": 0.34}
# A cell's line that must never wrap: a number, an amount, a percentage, a measure with its unit
# (「100次」, 「≥95%」), the placeholder, or a word of at most four characters (序号, 等级, 执行率).
_UNBREAKABLE = re.compile(r"[-+−≥≤<>＜＞约]?[\d,]*\.?\d+\s*[%‰a-zA-Z\u4e00-\u9fff]{0,3}|\S{1,4}")
_HEADER_WORD = 6   # a column heading (<th>) of at most six characters does not wrap either (全年预算数, 年度总体目标)
# Twips around a cell's text: the cell margins (57 each side) and a little room for bold headers.
_CELL_PADDING = 2 * 57 + 60


def text_width_pt(text: str, size: float) -> float:
    """An estimate of the width in points of ``text`` set in ``size`` points: Latin letters, digits and
    punctuation by their advance in a serif font, every other character (CJK) one em."""
    ems = 0.0
    for char in text:
        if char in _NARROW:
            ems += _NARROW[char]
        elif char.isascii():
            ems += 0.72 if char.isupper() else 0.56
        else:
            ems += 1.0
    return ems * size


_NAME_RIGHT_MIN = 2   # characters between a long 署名 and the right margin (GB/T 9704 7.3.5.2)


def _ems(text: str) -> float:
    """The width of body text in characters: half a character for a digit or a Latin letter."""
    return sum(0.5 if char.isascii() else 1.0 for char in text)


def _column_measures(grid, columns: int, size: float, text_width: int,
                     measured: dict | None = None) -> tuple[list[float], list[int]]:
    """Each column's natural width (its widest line, at most half the text width, at least two
    characters) and its minimum (its widest line that must not wrap: see _UNBREAKABLE and
    _HEADER_WORD), in twips; from the cells spanning one column only. ``grid`` is
    :meth:`_Writer.layout`'s: a plain cell carries its measure. ``measured`` keeps the measure of each
    line of the other cells across the tables of a report."""
    natural = [2 * size * 20 + _CELL_PADDING] * columns
    minimum = [0] * columns
    measured = {} if measured is None else measured
    half = text_width / 2
    for slots in grid:
        col = 0
        for cell, span, _down, head, _align, plain, _empty in slots:
            if cell is not None and span == 1:
                for width, unbreakable, *_runs in (plain,) if plain is not None else _lines_measured(cell, size, head, measured):
                    wide = width if width < half else half
                    if wide > natural[col]:
                        natural[col] = wide
                    if unbreakable and width > minimum[col]:
                        minimum[col] = width
            col += span
    return natural, minimum


def _line_measure(line: str, size: float, head: bool) -> tuple[int, bool]:
    """A table line's width in twips (with the cell's padding) and whether it must not wrap."""
    width = round(text_width_pt(line, size) * 20) + _CELL_PADDING
    return width, bool(_UNBREAKABLE.fullmatch(line)) or (head and len(line) <= _HEADER_WORD)


def _lines_measured(cell, size: float, head: bool, measured: dict) -> list[tuple[int, bool]]:
    """:func:`_line_measure` of each line of a cell with markup inside (<br/>, <b>), kept in ``measured``."""
    out = []
    for line in _cell_lines(cell):
        key = (line, size, head)
        known = measured.get(key)
        if known is None:
            known = measured[key] = _line_measure(line, size, head)
        out.append(known)
    return out


def _cell_lines(cell) -> list[str]:
    """The lines of a cell's text (split at <br/>), cleaned."""
    if not len(cell):   # plain text, as in most cells
        return [markup.clean(cell.text).strip()]
    lines, current = [], [cell.text or ""]
    for child in cell:
        if child.tag == "br":
            lines.append("".join(current))
            current = []
        else:
            current.append("".join(child.itertext()))
        current.append(child.tail or "")
    lines.append("".join(current))
    return [markup.clean(line).strip() for line in lines]


def column_widths(total: int, weights: list[float], minimum: list[int], natural: list[float] | None = None) -> list[int]:
    """Widths in twips summing to ``total``, shared in proportion to ``weights``, except that no column
    is narrower than its ``minimum`` nor, while others wrap, wider than its ``natural`` width (what
    its widest line needs): such columns are held there and the rest shared again. Room left when
    every column has its natural width is shared by ``weights``; minimums wider than ``total`` are
    scaled down to it."""
    count = len(weights)
    natural = [max(n, m) for n, m in zip(natural or [float("inf")] * count, minimum)]
    if sum(minimum) >= total:
        shares = [float(m) for m in minimum]
    elif sum(natural) <= total:
        spare = total - sum(natural)
        shares = [n + spare * w / sum(weights) for n, w in zip(natural, weights)]
    else:
        held: dict[int, float] = {}
        while True:
            free = total - sum(held.values())
            rest = [i for i in range(count) if i not in held]
            weight = sum(weights[i] for i in rest)
            share = {i: free * weights[i] / weight for i in rest}
            short = {i: minimum[i] for i in rest if share[i] < minimum[i]}
            wide = {i: natural[i] for i in rest if share[i] > natural[i]}
            if not short and not wide:
                break
            held.update(short or wide)
        shares = [held[i] if i in held else share[i] for i in range(count)]
    scale = total / sum(shares)
    widths = [int(share * scale) for share in shares]
    widths[-1] += total - sum(widths)
    return widths


# How many plain cells a report keeps (about 200 bytes each): enough for the words, numbers and
# placeholders that recur in thousands of tables, bounded for reports whose every cell differs.
_PLAIN_CELLS_KEPT = 100_000


class _Writer:
    """Walks the markup and yields WordprocessingML for each block."""

    def __init__(self, profile: dict, template: str | None, ids: dict[str, str], text_width: int, section=None):
        self.profile = profile
        self.ids = ids                  # logical style -> style id in the document (a reference .docx may differ)
        self.base_text_width = text_width
        self.template = template
        self.counters = [0, 0, 0, 0]
        self.patterns = [h.get("numbering", "") for h in profile["headings"][:4]]
        self.placeholder = profile["table"].get("placeholder", "—")
        self.section = section          # the body's w:sectPr: the model of every section break
        self.orientation = self.base_orientation = profile["page"].get("orientation", "portrait")
        self.breaks = 0
        self.after_table = False        # a table was written and no paragraph follows it yet
        self.last: tuple[str, str, str] | None = None   # the last paragraph, held back: see hold()
        self.title_gap = 0              # blank lines due after a title, written before the next block
        self.title: list[str] = []      # the lines of the report's title
        self.table_size = points(profile["table"]["size"])
        self.plain: dict = {}           # (text, heading) -> (width, unbreakable, w:r) of a plain cell: see plain_cell()
        self.measured: dict = {}        # a table line's width and whether it may wrap: see _column_measures
        self.text_widths: dict = {}     # orientation -> the width between its margins

    @property
    def text_width(self) -> int:
        """The width between the margins in the current section's orientation."""
        if self.orientation == self.base_orientation:
            return self.base_text_width
        width = self.text_widths.get(self.orientation)
        if width is None:
            short, long = sorted(twips_from_mm(mm) for mm in paper_mm(self.profile["page"]))
            _top, right, _bottom, left = self.margins(turned=True)
            width = self.text_widths[self.orientation] = (long if self.orientation == "landscape" else short) - left - right
        return width

    def margins(self, turned: bool) -> tuple[int, int, int, int]:
        """The page margins (top, right, bottom, left) in twips of the base section (the profile's, or
        a reference document's); ``turned`` for a section in the other orientation, whose margins turn
        with the sheet (as Word turns them): the 版心 keeps its size, so a landscape table page has
        the portrait page's text height as its width."""
        element = self.section.find(qn("w:pgMar")) if self.section is not None else None
        page = self.profile["page"]
        margins = tuple(int(element.get(qn(f"w:{side}"))) if element is not None and element.get(qn(f"w:{side}"))
                        else twips_from_mm(page[f"margin_{side}_mm"]) for side in ("top", "right", "bottom", "left"))
        top, right, bottom, left = margins
        return (right, bottom, left, top) if turned else margins

    def fail(self, element, message: str):
        raise TemplateError(Problem("PR307", _("{message}（渲染结果第 {line} 行）").format(
            message=message, line=element.sourceline), Location(self.template)))

    def blocks(self, root, inside: bool = False):
        for element in root:
            tag = element.tag
            if self.last is not None:   # the paragraph before keeps with a 附件 list or a 落款 (GB/T 9704)
                yield self.release(keep=tag in CLOSING)
            if inside and tag not in INSIDE_ATTACHMENT:
                self.fail(element, _("附件 <attachment> 中不能使用 <{tag}>").format(tag=tag))
            if self.after_table and tag not in ("pagebreak", "attachment"):
                yield self.close_table()
            if tag != "title" and self.title_gap and not (tag == "p" and element.get("align") == "center"):
                # a centred line under a title (the year line （2023年度）) stays under it: the blank lines follow it
                yield from self.blank_lines(self.title_gap, keep_next=inside)
                self.title_gap = 0
            visit = getattr(self, f"visit_{tag}", None)   # one handler per block tag, as Jinja's visit_<Node>
            if visit is not None:
                yield from visit(element, inside)
        if self.last is not None and not inside:
            yield self.release(keep=False)
        if self.after_table and not inside:
            yield self.close_table()

    # -- block handlers: visit_<tag>(element, inside) yields the block's WordprocessingML

    def visit_title(self, element, inside: bool):
        if not inside:
            self.title.append(markup.clean("".join(element.itertext())))
        yield self.paragraph(element, "Title", indent=False)
        self.title_gap = int(self.profile["title"].get("blank_lines_after", 1))

    def visit_heading(self, element, inside: bool):
        yield self.heading(element, HEADINGS.index(element.tag))

    visit_h1 = visit_h2 = visit_h3 = visit_h4 = visit_heading

    def visit_p(self, element, inside: bool):
        if inside:
            yield self.paragraph(element, "BodyText", keep=bool(self.title_gap))
        else:
            self.hold(*self.paragraph_parts(element, "BodyText"))

    def visit_table(self, element, inside: bool):
        yield self.table(element)

    def visit_pagebreak(self, element, inside: bool):
        yield self.close_table('<w:r><w:br w:type="page"/></w:r>') if self.after_table \
            else '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'

    def hold(self, style: str, extra: str, runs: str) -> None:
        """Hold back a paragraph (its style, its other paragraph properties, its runs) until the next
        block is known: before a 附件 list or a 落款 it keeps with it (w:keepNext), so that neither
        stands on a page without body text (GB/T 9704 7.3.4, 7.3.5)."""
        self.last = (style, extra, runs)

    def release(self, keep: bool) -> str:
        """The paragraph held back, keeping with the next one if ``keep``."""
        style, extra, runs = self.last
        self.last = None
        return _paragraph(style, extra, runs, keep)

    def close_table(self, inner: str = "", ppr: str = "") -> str:
        """The paragraph Word needs after a table (before another table or the section end). It
        carries a page break or a section break that follows the table, so that a table filling
        its page is not followed by an empty page; then it is one point high."""
        self.after_table = False
        height = '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>' if inner or ppr else ""
        return f'<w:p><w:pPr><w:pStyle w:val="{self.ids["TableText"]}"/><w:snapToGrid w:val="0"/>{height}{ppr}</w:pPr>{inner}</w:p>'

    def blank_lines(self, count: int, keep_next: bool = False):
        keep = "<w:keepNext/>" if keep_next else ""
        for _i in range(int(count)):
            yield f'<w:p><w:pPr><w:pStyle w:val="{self.ids["BodyText"]}"/>{keep}</w:pPr></w:p>'

    def heading(self, element, level: int) -> str:
        prefix = ""
        if element.get("numbered", "yes") != "no":
            self.counters[level] += 1
            for deeper in range(level + 1, 4):
                self.counters[deeper] = 0
            n = self.counters[level]
            prefix = self.patterns[level].format(n=n, cn=chinese_numeral(n))
        return self.paragraph(element, f"Heading{level + 1}", prefix=prefix)

    def plain_cell(self, text: str | None, head: bool) -> tuple[int, bool, str]:
        """A table cell of text alone (most cells): its width and whether it must not wrap (see
        :func:`_column_measures`), and its w:r, bold in a heading; kept for the words, numbers and
        placeholders that recur in every table of a report."""
        key = (text, head)
        known = self.plain.get(key)
        if known is None:
            text = markup.clean(text)
            known = (*_line_measure(text.strip(), self.table_size, head), _run(text, head) if text else "")
            if len(self.plain) < _PLAIN_CELLS_KEPT:
                self.plain[key] = known
        return known

    def runs(self, element, prefix: str = "", bold: bool = False) -> str:
        """The runs of a paragraph-like element: text, <b>, <br/>; all of its text bold if ``bold``."""
        parts: list[tuple[str, bool]] = []
        if prefix:
            parts.append((prefix, False))
        parts.append((markup.clean(element.text), False))
        for child in element:
            if child.tag == "b":
                parts.append((markup.clean("".join(child.itertext())), True))
            elif child.tag == "br":
                parts.append(("\n", False))
            else:
                self.fail(child, _("段落中不能使用 <{tag}>（可用 <b>、<br/>）").format(tag=child.tag))
            parts.append((markup.clean(child.tail), False))
        out = []
        for text, strong in parts:
            if text == "\n":
                out.append("<w:r><w:br/></w:r>")
            elif text:
                out.append(_run(text, bold or strong))
        return "".join(out)

    def paragraph(self, element, style: str, prefix: str = "", indent: bool = True, keep: bool = False) -> str:
        """A paragraph; ``keep`` keeps it on the page of the next one (w:keepNext)."""
        return _paragraph(*self.paragraph_parts(element, style, prefix, indent), keep)

    def paragraph_parts(self, element, style: str, prefix: str = "", indent: bool = True) -> tuple[str, str, str]:
        """A paragraph's style reference, its other properties (indent, alignment) and its runs."""
        ppr = f'<w:pStyle w:val="{self.ids[style]}"/>'
        extra = ""
        if element.get("indent") == "0" and indent:
            extra += '<w:ind w:firstLineChars="0" w:firstLine="0"/>'
        align = element.get("align")
        if align:
            extra += f'<w:jc w:val="{_JC.get(align, "both")}"/>'
        return ppr, extra, self.runs(element, prefix)

    def visit_attachments(self, element, inside: bool):
        """The 附件 list (GB/T 9704 7.3.4): a blank line, then 「附件：1.名称」 with later names aligned
        under the first. Its lines keep together and with the body paragraph before them; the last
        is held back and keeps with a 落款 that follows."""
        items = [markup.clean("".join(item.itertext())) for item in element if item.tag == "item"]
        if not items:
            return
        yield from self.blank_lines(1, keep_next=True)
        size = points(self.profile["body"]["size"])
        lead = float(self.profile["body"]["first_line_indent_chars"])
        left = round((lead + 3) * size * 20)   # 2 characters in, plus the width of 「附件：」
        hanging = round(3 * size * 20)
        style = f'<w:pStyle w:val="{self.ids["BodyText"]}"/>'
        for i, name in enumerate(items, start=1):
            label = f"{i}.{name}" if len(items) > 1 else name
            text = ("附件：" if i == 1 else "") + label
            ind = (f'<w:ind w:leftChars="{round((lead + 3) * 100)}" w:left="{left}" w:hangingChars="300" w:hanging="{hanging}"/>'
                   if i == 1 else
                   f'<w:ind w:leftChars="{round((lead + 3) * 100)}" w:left="{left}" w:firstLineChars="0" w:firstLine="0"/>')
            if self.last is not None:
                yield self.release(keep=True)
            self.hold(style, ind, _run(text))

    def visit_signature(self, element, inside: bool):
        """The 落款 (GB/T 9704 7.3.5.1): blank lines for the seal, the date 右空四字, the name (署名)
        centred over the date; a name longer than the date keeps two characters from the right
        margin and the date moves left to stay centred under it."""
        parts = {child.tag: markup.clean("".join(child.itertext())).strip() for child in element}
        unknown = [child.tag for child in element if child.tag not in ("name", "date")]
        if unknown:
            self.fail(element, _("落款 <signature> 中只能使用 <name> 和 <date>，实际有 <{tag}>").format(tag=unknown[0]))
        spec = self.profile.get("signature", {})
        size = points(self.profile["body"]["size"])
        char = size * 20 + condensed(self.profile)          # one character of the body, in twips
        name, date = parts.get("name", ""), parts.get("date", "")
        date_right = float(spec.get("date_right_chars", 4))
        name_right = date_right + (_ems(date) - _ems(name)) / 2
        if name and name_right < _NAME_RIGHT_MIN:
            date_right += _NAME_RIGHT_MIN - name_right
            name_right = _NAME_RIGHT_MIN
        yield from self.blank_lines(spec.get("blank_lines_before", 2), keep_next=True)
        lines = [(text, right) for text, right in ((name, name_right), (date, date_right)) if text]
        for number, (text, right) in enumerate(lines, start=1):   # the last line keeps with nothing after it
            ind = f'<w:ind w:right="{round(right * char)}" w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="right"/>'
            yield _paragraph(f'<w:pStyle w:val="{self.ids["BodyText"]}"/>', ind, _run(text), number < len(lines))

    def visit_attachment(self, element, inside: bool):
        """An attachment on new pages (GB/T 9704 7.5): 「附件1」 in 3号黑体 at the top left, its title
        centred, then its content; ``orientation="landscape"`` puts it in a landscape section."""
        orientation = element.get("orientation") or self.base_orientation
        if orientation not in ("portrait", "landscape"):
            self.fail(element, _("orientation 应为 portrait 或 landscape，实际为“{value}”").format(value=orientation))
        new_page = '<w:pageBreakBefore/>'
        if orientation != self.orientation:
            yield self.section_break(orientation)
            new_page = ""  # the new section starts on a new page
        label = self.profile.get("attachment", {}).get("label") or {"east_asian": "黑体", "size": "三号"}
        self.after_table = False  # the label paragraph follows the table
        yield (f'<w:p><w:pPr><w:pStyle w:val="{self.ids["BodyText"]}"/><w:keepNext/>{new_page}<w:ind w:firstLineChars="0" w:firstLine="0"/>'
               f'<w:jc w:val="left"/></w:pPr><w:r>{_rpr(self.profile, label)}{_t("附件" + element.get("number", ""))}</w:r></w:p>')
        title = element.get("title")
        if title:
            yield f'<w:p><w:pPr><w:pStyle w:val="{self.ids["Title"]}"/><w:keepNext/></w:pPr>{_run(title)}</w:p>'
            self.title_gap = int(self.profile["title"].get("blank_lines_after", 1))   # after a year line, if any
        yield from self.blocks(element, inside=True)
        self.title_gap = 0

    def section_break(self, orientation: str) -> str:
        """A paragraph ending the current section (a copy of the body's section properties in the
        current orientation); the next section, in ``orientation``, starts on a new page. Only the
        first section names the footers: later ones are linked to it, and page numbers continue."""
        section = copy.deepcopy(self.section)
        self.orient(section, self.orientation)
        if self.breaks:
            self.link_footers(section)
        self.breaks += 1
        self.orientation = orientation
        return self.close_table(ppr=etree.tostring(section, encoding="unicode"))

    def finish(self, section) -> None:
        """The body's own w:sectPr describes the last section: its orientation, footers linked."""
        if self.orientation != self.base_orientation:
            self.orient(section, self.orientation)
        if self.breaks:
            self.link_footers(section)

    @staticmethod
    def link_footers(section) -> None:
        for reference in section.findall(qn("w:headerReference")) + section.findall(qn("w:footerReference")):
            section.remove(reference)

    def orient(self, section, orientation: str) -> None:
        """Set the page size of the w:sectPr ``section`` to the profile's paper in ``orientation``."""
        short, long = sorted(twips_from_mm(mm) for mm in paper_mm(self.profile["page"]))
        size = section.find(qn("w:pgSz"))
        landscape = orientation == "landscape"
        size.set(qn("w:w"), str(long if landscape else short))
        size.set(qn("w:h"), str(short if landscape else long))
        if landscape:
            size.set(qn("w:orient"), "landscape")
        elif size.get(qn("w:orient")) is not None:
            del size.attrib[qn("w:orient")]
        margins = section.find(qn("w:pgMar"))
        if margins is not None:
            for side, twips in zip(("top", "right", "bottom", "left"), self.margins(orientation != self.base_orientation)):
                margins.set(qn(f"w:{side}"), str(twips))

    # --- tables ---

    def table(self, element) -> str:
        rows = []  # (is_header, <tr>)
        for child in element:
            if child.tag in ("thead", "tbody"):
                rows.extend((child.tag == "thead", tr) for tr in child if tr.tag == "tr")
            elif child.tag == "tr":
                rows.append((False, child))
            else:
                self.fail(child, _("表格中不能使用 <{tag}>（可用 <thead>、<tbody>、<tr>）").format(tag=child.tag))
        grid, columns = self.layout(rows)
        if not columns:
            return ""
        text_width = self.text_width
        natural, minimum = _column_measures(grid, columns, self.table_size, text_width, self.measured)
        weights = natural
        if element.get("widths"):
            weights = [_positive(w) for w in element.get("widths").split(",") if w.strip()]
            if None in weights:
                self.fail(element, _("widths 应为以逗号分隔的正数，实际为“{value}”").format(value=element.get("widths")))
            if len(weights) != columns:
                self.fail(element, _("widths 给出 {given} 列宽，表格实际有 {columns} 列").format(given=len(weights), columns=columns))
        widths = column_widths(text_width, weights, minimum, natural)
        out = [f'<w:tbl><w:tblPr><w:tblStyle w:val="{self.ids["TableGrid"]}"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
               '<w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
               '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>']
        out.extend(f'<w:gridCol w:w="{w}"/>' for w in widths)
        out.append("</w:tblGrid>")
        cant_split = element.get("split") == "no"
        style = f'<w:p><w:pPr><w:pStyle w:val="{self.ids["TableText"]}"/>'
        placeholder = self.placeholder
        # A cell's w:tcPr and its paragraph's properties, for (column, colspan, "continued" for the continuation
        # of a merge down or whether it starts one, keeps with the next row, alignment): the same few in every row.
        starts: dict[tuple, str] = {}
        # The last rows stay with the rows before them: a page never holds only a table's last row
        # (below its repeated header).
        kept = len(rows) - KEEP_LAST_ROWS
        last = len(rows) - 1
        append = out.append
        for number, ((header, _tr), slots) in enumerate(zip(rows, grid)):
            keep = kept <= number < last
            tr_pr = ("<w:cantSplit/>" if cant_split else "") + ("<w:tblHeader/>" if header else "")
            append(f"<w:tr><w:trPr>{tr_pr}</w:trPr>" if tr_pr else "<w:tr>")
            col = 0
            for cell, span, down, head, align, plain, empty in slots:
                key = (col, span, "continued" if cell is None else down > 1, keep, align)
                start = starts.get(key)
                if start is None:
                    width = widths[col] if span == 1 else sum(widths[col:col + span])
                    tc_pr = f'<w:tcW w:w="{width}" w:type="dxa"/>' + (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "")
                    if cell is None:   # the continuation of a cell spanning down
                        tc_pr += "<w:vMerge/>"
                    elif down > 1:
                        tc_pr += '<w:vMerge w:val="restart"/>'
                    start = starts[key] = (f'<w:tc><w:tcPr>{tc_pr}<w:vAlign w:val="center"/></w:tcPr>{style}'
                                           + ("<w:keepNext/>" if keep else "") + '<w:snapToGrid w:val="0"/>'
                                           + (f'<w:jc w:val="{align}"/>' if cell is not None else "") + "</w:pPr>")
                col += span
                if cell is None:
                    append(start + "</w:p></w:tc>")
                    continue
                runs = plain[2] if plain is not None else self.runs(cell, bold=head)   # a column heading is bold
                if not runs and empty != "blank":
                    runs = _run(placeholder, head)
                append(start + runs + "</w:p></w:tc>")
            append("</w:tr>")
        append("</w:tbl>")
        self.after_table = True  # Word needs a paragraph after it: close_table()
        return "".join(out)

    def layout(self, rows):
        """Place cells on the grid: each row becomes a list of slots (cell, colspan, rowspan, is a
        heading, w:jc alignment, :meth:`plain_cell` if it has no child elements, its ``empty`` attribute);
        cell None where a cell above spans down into the row; and the number of columns."""
        below: dict[int, list] = {}  # column -> [rows remaining, colspan] of a cell spanning down
        grid = []
        columns = 0
        kept = self.plain

        def spanned(col: int, slots: list) -> int:
            """Put the continuation of the cell spanning down into ``col``; the next column."""
            remaining, span = below[col]
            slots.append((None, span, 1, False, None, None, None))
            if remaining <= 1:
                del below[col]
            else:
                below[col][0] = remaining - 1
            return col + span

        for _header, tr in rows:
            slots, col = [], 0
            for cell in tr:
                tag = cell.tag
                if tag != "td" and tag != "th":
                    self.fail(cell, _("表格行中不能使用 <{tag}>（可用 <td>、<th>）").format(tag=tag))
                while col in below:
                    col = spanned(col, slots)
                head = tag == "th"
                span = down = 1
                align = empty = None
                attributes = cell.attrib
                if attributes:
                    align, empty = attributes.get("align"), attributes.get("empty")
                    value = attributes.get("colspan")
                    if value is not None:
                        span = self.span(cell, "colspan", value)
                    value = attributes.get("rowspan")
                    if value is not None:
                        down = self.span(cell, "rowspan", value)
                if len(cell):
                    plain = None
                else:
                    text = cell.text
                    plain = kept.get((text, head)) or self.plain_cell(text, head)
                slots.append((cell, span, down, head, _JC.get(align or ("center" if head else "left"), "left"), plain, empty))
                if down > 1:
                    below[col] = [down - 1, span]
                col += span
            while col in below:
                col = spanned(col, slots)
            grid.append(slots)
            if col > columns:
                columns = col
        return grid, columns

    def span(self, cell, attribute: str, value: str) -> int:
        """The cell's ``attribute`` (colspan or rowspan), given as ``value``, as a number of grid cells."""
        if not value.isdigit() or int(value) < 1:
            self.fail(cell, _("{attribute} 应为正整数，实际为“{value}”").format(attribute=attribute, value=value))
        return int(value)
